"""Per-file facts: the analyses that depend on one file only, behind one door.

Most of a scan's time goes into work that is a pure function of one file's
path and text: parsing and analysing source code, scanning for secrets,
reading deployment manifests, measuring code smells, checking that a config
file parses. Routing that work through ``file_fact(files, kind, path, fn)``
instead of ``fn(path, files.read_text(path))`` lets the engine

- compute each (kind, file) once per scan, however many services see it;
- compute them up front in worker processes (``parallel``), parsing each
  Python file once for every kind that needs its syntax tree;
- keep them between scans by content hash (``cache``), so a rescan neither
  re-parses nor even re-reads a file whose facts are known.

A *kind* names a module-level function (``KINDS``); its results must be
frozen dataclasses or plain values that pickle (they cross process
boundaries and live in the cache), and must depend only on the path, the
text and the kind's parameters (part of the key: ``smells:max_complexity=15``).
A collector given another function (a test's stub, a caching wrapper of its
own) bypasses all of this and simply calls it.
"""

from __future__ import annotations

import ast
import functools
import importlib
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Protocol

from prodready.scan.facts.artefacts import PARSERS, parse_python

__all__ = [
    "KINDS",
    "PROBLEM_KINDS",
    "FactSource",
    "Kind",
    "LazyTexts",
    "batch_facts",
    "compute_facts",
    "file_fact",
    "kind_key",
    "lint_hook",
    "parse_key",
    "plan",
]


@dataclass(frozen=True, slots=True)
class Kind:
    """One per-file analysis: ``target(path, text, **params)``."""

    name: str
    target: str
    """``module:function`` of the analyser (imported when first used, so this
    table does not import every collector)."""
    tree: bool = False
    """The analyser accepts ``tree=``, a Python file's syntax tree: it is
    parsed once and shared by every such kind."""
    params: tuple[str, ...] = ()
    """Keyword parameters that are part of the result (and of its key); their
    values come from the policy's thresholds of the service asking."""
    wanted: str | None = None
    """``module:function(info) -> bool``: the files a scan computes this kind
    for ahead of the checks (``plan``); None: only when asked."""

    def function(self) -> Callable[..., Any]:
        return _resolve(self.target)


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "source",
            "prodready.scan.facts.code_facts:analyze_file",
            tree=True,
            wanted=f"{__name__}:wants_source",
        ),
        Kind(
            "source.class",
            "prodready.scan.facts.code_facts:classify_source",
            wanted=f"{__name__}:wants_source_class",
        ),
        Kind(
            "source.config",
            "prodready.scan.facts.code_facts:config_facts",
            wanted=f"{__name__}:wants_source_config",
        ),
        Kind(
            "secrets", "prodready.scan.facts.secrets:scan_secrets", wanted=f"{__name__}:wants_all"
        ),
        Kind(
            "deploy",
            "prodready.scan.facts.deploy:parse_deploy_file",
            wanted=f"{__name__}:wants_deploy",
        ),
        Kind("problem.toml", f"{__name__}:toml_problem", wanted=f"{__name__}:wants_toml_check"),
        Kind("problem.json", f"{__name__}:json_problem", wanted=f"{__name__}:wants_json_check"),
        Kind("problem.yaml", f"{__name__}:yaml_problem", wanted=f"{__name__}:wants_yaml_check"),
        Kind(
            "problem.python",
            f"{__name__}:python_problem",
            tree=True,
            wanted=f"{__name__}:wants_python_check",
        ),
        Kind(
            "smells",
            "prodready.scan.facts.smells:file_smells",
            tree=True,
            params=("max_complexity",),
            wanted=f"{__name__}:wants_smells",
        ),
        Kind(
            "testcode",
            f"{__name__}:analyze_test_code",
            tree=True,
            wanted=f"{__name__}:wants_test_code",
        ),
        Kind("lint", "prodready.scan.facts.analysis:lint_python_file", params=("max_complexity",)),
        Kind("refwords", f"{__name__}:reference_words_of", wanted=f"{__name__}:wants_refwords"),
        Kind(
            "docs.spec",
            "prodready.scan.facts.docs:api_document",
            wanted=f"{__name__}:wants_docs_spec",
        ),
        Kind(
            "docs.adr", "prodready.scan.facts.docs:parse_adr", wanted=f"{__name__}:wants_docs_adr"
        ),
    )
}
"""Every per-file analysis the engine may run ahead and cache."""

PROBLEM_KINDS = {"toml": "problem.toml", "json": "problem.json", "yaml": "problem.yaml"}
PROBLEM_KINDS["python"] = "problem.python"
"""Artefact kind -> the per-file kind that says whether it parses."""

_NO_TREE = object()


def toml_problem(path: str, text: str) -> Any:
    """Why ``text`` is not valid TOML (a ``ParseProblem``), or None."""
    return PARSERS["toml"](path, text).problem


def json_problem(path: str, text: str) -> Any:
    return PARSERS["json"](path, text).problem


def yaml_problem(path: str, text: str) -> Any:
    return PARSERS["yaml"](path, text).problem


def python_problem(path: str, text: str, tree: Any = _NO_TREE) -> Any:
    """Why a Python file does not parse, or None. Given the parse result
    (``tree``: a syntax tree, or None when it failed), only a failure is
    parsed again for its message."""
    if isinstance(tree, ast.Module):
        return None
    return parse_python(path, text).problem


def analyze_test_code(path: str, text: str, tree: Any = _NO_TREE) -> Any:
    """What a test file tests and with what (``_test_code.analyze_test_file``),
    its language recognised as the file index does."""
    from prodready.scan.facts._test_code import analyze_test_file
    from prodready.scan.facts.languages import language_of

    language = language_of(path, text[:256].split("\n", 1)[0]) or ""
    if language == "python" and not isinstance(tree, ast.Module | None):
        tree = parse_python(path, text).value
    return analyze_test_file(path, language, text, tree if isinstance(tree, ast.Module) else None)


def reference_words_of(path: str, text: str) -> frozenset[str]:
    """``smells.reference_words`` as a per-file kind: the identifiers a file
    that is not measured may use the measured code by."""
    from prodready.scan.facts.smells import reference_words

    return reference_words(text)


class LazyTexts(Mapping[str, str]):
    """``{path: text}`` over ``files`` that reads a text only when it is
    looked up: a batch analyser given it (``batch_facts``) reads only the
    files whose results are not known yet. Iterating gives the paths; a path
    whose text cannot be read raises ``KeyError`` when looked up."""

    def __init__(self, files: object, paths: Iterable[str]) -> None:
        self.files = files
        self._paths = dict.fromkeys(paths)  # ordered, and a lookup is O(1)

    def __getitem__(self, path: str) -> str:
        text = self.files.read_text(path) if path in self._paths else None  # type: ignore[attr-defined]
        if text is None:
            raise KeyError(path)
        return str(text)

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


_resolved: dict[str, Callable[..., Any]] = {}
_resolve_lock = threading.Lock()


def _resolve(target: str) -> Callable[..., Any]:
    function = _resolved.get(target)
    if function is None:
        module, _, name = target.partition(":")
        with _resolve_lock:
            function = getattr(importlib.import_module(module), name)
            _resolved[target] = function
    return function


# --------------------------------------------------------------------------- plan


class _FileInfo(Protocol):
    @property
    def path(self) -> str: ...

    @property
    def language(self) -> str | None: ...

    @property
    def is_test(self) -> bool: ...

    @property
    def is_first_party(self) -> bool: ...


class _View(Protocol):
    """A service's view (``Facts``): its files and its thresholds."""

    @property
    def params(self) -> Any: ...

    def files(self) -> Iterable[Any]: ...


def wants_all(info: _FileInfo) -> bool:
    return True


@functools.lru_cache(maxsize=65536)
def _production_path(path: str) -> bool:
    """Whether the path alone makes a file production code (``role_of``)."""
    from prodready.scan.facts.code_model import FileRole, role_of

    return role_of(path) is FileRole.PRODUCTION


@functools.lru_cache(maxsize=65536)
def _is_source(path: str) -> bool:
    from prodready.scan.facts.code_facts import source_language

    return source_language(path) is not None


def wants_source(info: _FileInfo) -> bool:
    """Production source code: what ``code_facts.source_facts`` analyses."""
    return _is_source(info.path) and _production_path(info.path)


def wants_source_class(info: _FileInfo) -> bool:
    return _is_source(info.path)


def wants_source_config(info: _FileInfo) -> bool:
    """Configuration files ``code_facts.source_facts`` reads."""
    from prodready.scan.facts.code_facts import is_config_candidate

    return is_config_candidate(info.path) and _production_path(info.path)


def wants_deploy(info: _FileInfo) -> bool:
    from prodready.scan.facts.deploy import is_deploy_candidate

    return is_deploy_candidate(info.path)


def wants_smells(info: _FileInfo) -> bool:
    """Production Python and Go: what ``code_health`` measures."""
    return info.path.endswith((".py", ".go")) and wants_source(info)


def wants_test_code(info: _FileInfo) -> bool:
    """Test files: what ``testsuite.collect_tests`` reads."""
    return info.is_test and info.is_first_party and info.language is not None


def wants_refwords(info: _FileInfo) -> bool:
    """Files ``code_health`` reads names from (tests, scripts, configuration),
    less the production code it measures."""
    from prodready.scan.facts.code_health import reference_candidate

    return reference_candidate(info.path) and not wants_smells(info)


def wants_docs_spec(info: _FileInfo) -> bool:
    """YAML and JSON files ``docs.docs_facts`` reads as possible API documents."""
    from prodready.scan.facts.docs import is_spec_candidate

    return is_spec_candidate(info.path)


def wants_docs_adr(info: _FileInfo) -> bool:
    """Decision records in the usual places (one in a folder named by
    ``.adr-dir`` is computed when ``docs_facts`` asks)."""
    from prodready.scan.facts.docs import is_default_adr

    return is_default_adr(info.path)


def _checked(info: _FileInfo, language: str) -> bool:
    """The files whose parse problems a scan reports (first-party, not tests)."""
    return info.language == language and info.is_first_party and not info.is_test


def wants_toml_check(info: _FileInfo) -> bool:
    return _checked(info, "toml")


def wants_json_check(info: _FileInfo) -> bool:
    return _checked(info, "json")


def wants_yaml_check(info: _FileInfo) -> bool:
    return _checked(info, "yaml")


def wants_python_check(info: _FileInfo) -> bool:
    return _checked(info, "python")


def plan(views: Iterable[_View]) -> dict[str, tuple[str, ...]]:
    """Path -> the kind keys a scan of ``views`` will ask for: what the engine
    computes ahead (``FileIndex.prefetch``). Files several views see are
    planned once (per distinct parameter values)."""
    kinds = [(kind, _resolve(kind.wanted)) for kind in KINDS.values() if kind.wanted]
    applicable: dict[str, list[str]] = {}
    wanted: dict[str, dict[str, None]] = {}
    for view in views:
        keys = {
            kind.name: kind_key(kind.name, {p: getattr(view.params, p) for p in kind.params})
            for kind, _test in kinds
        }
        for info in view.files():
            names = applicable.get(info.path)
            if names is None:
                names = applicable[info.path] = [kind.name for kind, test in kinds if test(info)]
            if names:
                target = wanted.setdefault(info.path, {})
                for name in names:
                    target[keys[name]] = None
    return {path: tuple(keys) for path, keys in wanted.items()}


def kind_key(name: str, params: Mapping[str, object] | None = None) -> str:
    """The key of a kind with parameters: ``smells:max_complexity=15``."""
    if name not in KINDS:
        raise KeyError(f"unknown per-file kind {name!r}")
    wanted = KINDS[name].params
    given = dict(params or {})
    if set(given) != set(wanted):
        raise TypeError(f"kind {name!r} takes parameters {wanted}, got {sorted(given)}")
    if not wanted:
        return name
    return name + ":" + ",".join(f"{p}={given[p]!r}" for p in wanted)


def parse_key(key: str) -> tuple[Kind, dict[str, Any]]:
    """The kind and parameters of a key made by ``kind_key``."""
    kind, params = _parse_key(key)
    return kind, dict(params)


@functools.lru_cache(maxsize=256)
def _parse_key(key: str) -> tuple[Kind, tuple[tuple[str, Any], ...]]:
    name, _, rest = key.partition(":")
    kind = KINDS[name]
    params: list[tuple[str, Any]] = []
    if rest:
        for item in rest.split(","):
            param, _, raw = item.partition("=")
            params.append((param, ast.literal_eval(raw)))
    return kind, tuple(params)


def compute_facts(path: str, text: str, keys: Iterable[str]) -> dict[str, Any]:
    """Run the analyses ``keys`` on one file: what a worker process does.

    A Python file is parsed at most once, for all kinds that take its tree.
    An analysis that raises is left out (not cached): the collector that
    asks for it runs it again and reports the error as it always would.
    """
    results: dict[str, Any] = {}
    tree: Any = _NO_TREE
    is_python = PurePosixPath(path).suffix == ".py"
    for key in keys:
        try:
            kind, params = parse_key(key)
            if kind.tree and is_python:
                if tree is _NO_TREE:
                    tree = parse_python(path, text).value
                params["tree"] = tree
            results[key] = kind.function()(path, text, **params)
        except Exception:  # noqa: S112 - see the docstring: recomputed where it is needed
            continue
    return results


def batch_facts(
    files: object,
    name: str,
    texts: Mapping[str, str],
    run: Callable[[Mapping[str, str]], Mapping[str, Any]],
    **params: Any,
) -> dict[str, Any]:
    """``run(texts)`` for an analyser that is cheaper on many files at once
    (ruff: one process for all), with per-file results taken from the scan's
    per-file facts where known: ``run`` sees only the files that are not.
    ``name`` is the per-file kind the results are stored as."""
    lookup = getattr(files, "batch_facts", None)
    if lookup is None or name not in KINDS:
        return dict(run(texts))
    found: dict[str, Any] = lookup(name, texts, run, **params)
    return found


def lint_hook(
    files: object, max_complexity: int
) -> Callable[[Mapping[str, str]], Mapping[str, Any]]:
    """The ``lint`` of ``code_health.code_health``: ruff's per-file verdicts
    through the scan's per-file facts, so a rescan runs ruff only on the
    files that changed (and reads no other)."""
    from prodready.scan.facts.analysis import lint_python

    def run_ruff(todo: Mapping[str, str]) -> Mapping[str, Any]:
        return lint_python(todo, max_complexity=max_complexity)

    def lint(texts: Mapping[str, str]) -> Mapping[str, Any]:
        return batch_facts(files, "lint", texts, run_ruff, max_complexity=max_complexity)

    return lint


class FactSource(Protocol):
    """What offers cached per-file facts: ``FileIndex`` and ``Facts``."""

    def file_fact(self, name: str, path: str, **params: Any) -> Any: ...


def file_fact(files: object, name: str, path: str, fn: Callable[..., Any], **params: Any) -> Any:
    """``fn(path, text, **params)`` for one file of ``files`` (a ``RepoFiles``),
    or None when the file cannot be read.

    When ``fn`` is the analyser of kind ``name`` and ``files`` is a scan's
    index or view, the result comes from the scan (computed ahead, possibly
    in another process, or from the cache) and the file may not be read at
    all. Any other ``fn`` is simply called."""
    lookup = getattr(files, "file_fact", None)
    kind = KINDS.get(name)
    if lookup is not None and kind is not None and fn is kind.function():
        return lookup(name, path, **params)
    text = files.read_text(path)  # type: ignore[attr-defined]
    return None if text is None else fn(path, text, **params)
