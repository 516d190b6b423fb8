"""``Facts``: what one check sees of the repository (one service's view).

Checks receive a ``Facts`` and nothing else: no disk, no globals. It offers

- the files of the service (its folder, minus nested services, plus the
  repository-wide files every service shares: root files such as README and
  CODEOWNERS, CI folders like ``.github/``, root ``docs/``), as a
  ``RepoFiles`` so collectors written as pure functions plug straight in;
- parsed artefacts (``toml``, ``yaml_documents``, ``json``, ``python_ast``),
  each parsed once per scan whatever number of checks ask;
- per-file facts (``file_fact``: source analysis, secrets, deployment
  facts...), computed ahead in parallel and cached between scans by content;
- ``derived(key, fn)``: a memoised hook for collectors. ``fn(facts)`` runs once
  per view even when checks ask for it concurrently from several threads, e.g.
  ``facts.derived("ci", collect_ci)``;
- ``params``: the policy's thresholds (coverage, findings density, ...), so
  no check hard-codes a number a user may want to change.

Paths are always repository-relative POSIX strings, so findings point at the
same file whichever service found them.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, TypeVar

import pathspec

from prodready.scan.facts.files import FileIndex, FileInfo, Memo
from prodready.scan.facts.languages import PROGRAMMING_LANGUAGES

T = TypeVar("T")

REPO_WIDE_DIRS = (
    ".github/",
    ".gitlab/",
    ".circleci/",
    ".buildkite/",
    ".tekton/",
    ".azure-pipelines/",
    ".azuredevops/",
    ".drone/",
    ".woodpecker/",
    "docs/",
    "doc/",
)
"""Folders whose files belong to the whole repository and are visible to every
service (CI definitions, shared documentation), as well as all root files."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Numbers checks judge against; set by the policy (``[tool.prodready.thresholds]``)."""

    coverage: float = 80.0
    """Minimum line coverage (percent) when a coverage report is present."""
    findings_per_kloc: float = 10.0
    """Code findings per 1,000 lines at which ``cq.findings`` scores 0."""
    max_complexity: int = 15
    """Cyclomatic complexity above which ``cq.findings`` reports a function."""
    test_ratio_target: float = 0.5
    """Test-to-code line ratio that earns ``test.unit`` full marks."""
    test_ratio_min: float = 0.1
    """Test-to-code line ratio below which ``test.unit`` fails."""
    secrets_zero_score: int = 5
    """Distinct secrets at which ``sec.no-hardcoded-secrets`` scores 0."""
    result_max_age_days: int = 90
    """Recorded load/probe/chaos results older than this are noted as stale
    (``test.load``, ``live.*``); the outcome stays, the score drops."""


@dataclass(frozen=True, slots=True)
class ServiceScope:
    """Which part of the repository a service owns."""

    name: str
    path: str = "."
    nested: tuple[str, ...] = ()
    """Folders of other services inside this one (their files are theirs)."""
    markers: tuple[str, ...] = ()
    """The files that made this folder a service (manifests, Dockerfile)."""

    @property
    def prefix(self) -> str:
        return _prefixes(self.path, self.nested)[0]

    def owns(self, path: str) -> bool:
        """True when ``path`` is in this service's own folder (not a nested one)."""
        prefix, nested = _prefixes(self.path, self.nested)
        if prefix and not path.startswith(prefix):
            return False
        return not (nested and path.startswith(nested))

    def sees(self, path: str) -> bool:
        """Own files plus the repository-wide ones."""
        return self.owns(path) or is_repo_wide(path)


@functools.lru_cache(maxsize=1024)
def _prefixes(path: str, nested: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """A scope's folder prefix and its nested services' prefixes (asked for
    every file a check looks at: computed once per scope)."""
    prefix = "" if path == "." else path.rstrip("/") + "/"
    return prefix, tuple(n.rstrip("/") + "/" for n in nested)


def is_repo_wide(path: str) -> bool:
    return "/" not in path or path.startswith(REPO_WIDE_DIRS)


@dataclass(slots=True)
class _ViewState:
    paths: list[str] | None = None
    memo: Memo = field(default_factory=Memo)
    visible: dict[str, bool] = field(default_factory=dict)
    """Path -> visible in this view (asked for every read and fact)."""


class Facts:
    """One service's read-only view of the scan. Implements ``RepoFiles``."""

    def __init__(
        self,
        index: FileIndex,
        scope: ServiceScope | None = None,
        params: Thresholds | None = None,
        *,
        hidden: Sequence[str] = (),
    ) -> None:
        self.index = index
        self.scope = scope or ServiceScope(name="repository")
        self.params = params or Thresholds()
        self.hidden = tuple(hidden)
        self._hidden_spec = pathspec.GitIgnoreSpec.from_lines(self.hidden) if hidden else None
        self._state = _ViewState()

    @classmethod
    def from_files(cls, files: dict[str, str], params: Thresholds | None = None) -> Facts:
        """Facts over in-memory files: how check tests build their input."""
        return cls(FileIndex.from_files(files), params=params)

    def without(self, patterns: Sequence[str]) -> Facts:
        """The same view with ``patterns`` (gitwildmatch) hidden: how a path-scoped
        exemption is applied, by the check never seeing those files."""
        if not patterns:
            return self
        return Facts(self.index, self.scope, self.params, hidden=(*self.hidden, *patterns))

    # RepoFiles ------------------------------------------------------------
    def paths(self) -> list[str]:
        if self._state.paths is None:
            self._state.paths = [p for p in self.index.paths() if self._visible(p)]
        return list(self._state.paths)

    def read_text(self, path: str) -> str | None:
        return self.index.read_text(path) if self._visible(path) else None

    # Files ----------------------------------------------------------------
    def _visible(self, path: str) -> bool:
        known = self._state.visible.get(path)
        if known is None:
            known = self.scope.sees(path) and not (
                self._hidden_spec is not None and self._hidden_spec.match_file(path)
            )
            self._state.visible[path] = known
        return known

    def info(self, path: str) -> FileInfo | None:
        return self.index.info(path) if self._visible(path) else None

    def files(self) -> Iterator[FileInfo]:
        """Every visible file's ``FileInfo``, sorted by path."""
        for path in self.paths():
            info = self.index.info(path)
            if info is not None:
                yield info

    def own_files(self) -> Iterator[FileInfo]:
        """Files in the service's own folder (not the shared repository-wide ones
        from outside it)."""
        return (info for info in self.files() if self.scope.owns(info.path))

    def exists(self, path: str) -> bool:
        return self._visible(path) and path in self.index

    def find(self, *names: str, own_only: bool = False) -> list[str]:
        """Visible paths whose file name is one of ``names`` (case-insensitive)."""
        wanted = {n.lower() for n in names}
        source = self.own_files() if own_only else self.files()
        return [i.path for i in source if PurePosixPath(i.path).name.lower() in wanted]

    def service_path(self, relative: str) -> str:
        """A path relative to the service folder, as a repository path."""
        return self.scope.prefix + relative.lstrip("/")

    def languages(self) -> dict[str, int]:
        """Programming language -> lines of first-party production code, most first."""

        def compute() -> dict[str, int]:
            lines: dict[str, int] = {}
            for info in self.own_files():
                if info.is_production_code and info.language in PROGRAMMING_LANGUAGES:
                    lines[info.language] = lines.get(info.language, 0) + info.lines
            return dict(sorted(lines.items(), key=lambda kv: (-kv[1], kv[0])))

        result: dict[str, int] = self.derived("prodready.languages", compute_view(compute))
        return result

    def main_languages(self, share: float = 0.1, min_lines: int = 20) -> list[str]:
        """Languages with at least ``share`` of the code lines (and ``min_lines``)."""
        counts = self.languages()
        total = sum(counts.values())
        return [
            lang
            for lang, count in counts.items()
            if count >= min_lines and total and count / total >= share
        ]

    # Artefacts --------------------------------------------------------------
    def toml(self, path: str) -> dict[str, Any] | None:
        """Parsed TOML, or None when absent, invisible or broken (reported)."""
        return self._artefact("toml", path)  # type: ignore[no-any-return]

    def json(self, path: str) -> Any:
        """Parsed JSON, or None when absent, invisible or broken (reported)."""
        return self._artefact("json", path)

    def yaml_documents(self, path: str) -> list[Any] | None:
        """Every document of a YAML file, or None when absent or broken."""
        return self._artefact("yaml", path)  # type: ignore[no-any-return]

    def python_ast(self, path: str) -> ast.Module | None:
        """The syntax tree of a Python file (never imported), or None when
        absent or not parsable (reported as a warning)."""
        return self._artefact("python", path)  # type: ignore[no-any-return]

    def _artefact(self, kind: str, path: str) -> Any:
        if not self._visible(path):
            return None
        return self.index.parsed(kind, path).value

    def file_fact(self, name: str, path: str, **params: Any) -> Any:
        """A per-file fact of a visible file (``perfile.KINDS``: ``"source"``,
        ``"secrets"``, ``"deploy"``...), computed once per scan and cached
        between scans; None when the file is invisible or unreadable.
        Collectors call it through ``perfile.file_fact``."""
        if not self._visible(path):
            return None
        return self.index.file_fact(name, path, **params)

    def batch_facts(
        self,
        name: str,
        texts: Mapping[str, str],
        run: Callable[[Mapping[str, str]], Mapping[str, Any]],
        **params: Any,
    ) -> dict[str, Any]:
        """Per-file facts of many files computed in one batch by ``run`` (one
        ruff process for all files), known ones taken from the scan and the
        cache. Collectors call it through ``perfile.batch_facts``."""
        return self.index.batch_facts(name, texts, run, **params)

    # Collectors -------------------------------------------------------------
    def derived(self, key: str, fn: Callable[[Facts], T]) -> T:
        """``fn(self)``, computed once per view and shared by every check.

        ``key`` names the collector (``"ci"``, ``"deps"``, ``"python.calls"``);
        two collectors must not share a key. Thread-safe: concurrent callers of
        the same key wait for the first computation. An exception is not
        cached; it propagates to the calling check, which then errors.
        """
        value: T = self._state.memo.get(key, lambda: fn(self))
        return value


def compute_view(fn: Callable[[], T]) -> Callable[[Facts], T]:
    """Adapt a zero-argument closure to ``derived``'s ``fn(facts)`` signature."""
    return lambda _facts: fn()
