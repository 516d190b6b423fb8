"""What ``cq.findings`` measures: real analysers run over a service's own code.

``code_health(files, targets, ...)`` takes the production Python and Go files
of one service and returns every finding, located, with the lines measured:

- ruff with prodready's fixed rule set (``analysis``) on the Python files,
  started first, in a background thread, while the rest runs;
- per-file smells (``smells``, ``smells_go``): Go complexity and shadowed
  errors, definitions, references and duplicate windows;
- cross-file smells: dead definitions and dropped Go errors (``deadcode``),
  duplicated blocks (``duplicates``).

The per-file steps are pure functions of ``(path, text)`` (ruff's results of
the file name and text), so a cache keyed by content hash can wrap
``lint`` and ``smells`` (both injectable). Which Go analysers are on PATH
is reported; they are not run (ADR 0041).
"""

from __future__ import annotations

import ast
import re
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from prodready.scan.facts._paths import name_of, suffix_of
from prodready.scan.facts.analysis import SYNTAX_ERROR, FileLint, LintFinding, lint_python
from prodready.scan.facts.deadcode import (
    dead_definitions,
    describe,
    dropped_errors,
    iter_dead_messages,
)
from prodready.scan.facts.duplicates import find_duplicates
from prodready.scan.facts.perfile import LazyTexts, file_fact, reference_words_of
from prodready.scan.facts.smells import FileSmells, file_smells
from prodready.scan.facts.source import RepoFiles

__all__ = [
    "GO_ANALYSERS",
    "CodeFinding",
    "CodeHealth",
    "LintFn",
    "SmellsFn",
    "code_health",
    "reference_candidate",
]

GO_ANALYSERS = ("go", "gosec", "golangci-lint")
"""Programs looked up on PATH and reported (``go`` stands for ``go vet``)."""

LintFn = Callable[[Mapping[str, str]], Mapping[str, FileLint]]
"""``{path: text} -> {path: FileLint}``: ruff over Python files."""
SmellsFn = Callable[[str, str], FileSmells | None]
"""``(path, text) -> FileSmells``: one file's smells."""

_SEVERE = {
    "F821": "high",  # undefined name: a NameError waiting to happen
    "F811": "medium",
    "F401": "low",
    "F841": "low",
    "C901": "medium",
    SYNTAX_ERROR: "high",
}
_CONFIG_NAMES = frozenset(
    {"procfile", "dockerfile", "containerfile", "makefile", "justfile", "setup.py", "manage.py"}
)
_CONFIG_SUFFIXES = frozenset(
    {".toml", ".cfg", ".ini", ".yaml", ".yml", ".conf", ".env", ".sh", ".s"}
)
_MODULE = re.compile(r"^\s*module\s+\"?([^\s\"/][^\s\"]*)\"?", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class CodeFinding:
    """One finding of ``cq.findings``."""

    path: str
    line: int
    end_line: int
    rule: str
    """A ruff code (``S105``) or a smell (``complexity``, ``dead-code``,
    ``duplicate``, ``unchecked-error``, ``shadowed-err``, ``syntax-error``)."""
    message: str
    severity: str
    """``low``, ``medium`` or ``high``."""
    analyser: str
    """``ruff`` or ``prodready`` (the tree-sitter/AST smells)."""


@dataclass(frozen=True, slots=True)
class CodeHealth:
    """Findings and what was measured."""

    lines: dict[str, int]
    """Language -> lines measured."""
    files: dict[str, int]
    """Language -> files measured."""
    findings: tuple[CodeFinding, ...] = ()
    suppressed: int = 0
    """ruff findings hidden by a comment naming their code."""
    go_analysers: dict[str, bool] = field(default_factory=dict)
    """Program -> found on PATH (never run)."""

    @property
    def total_lines(self) -> int:
        return sum(self.lines.values())

    def count(self, *rules: str) -> int:
        return sum(1 for f in self.findings if f.rule in rules)


def reference_candidate(path: str) -> bool:
    """Whether a file that is not measured may still name the code: source
    (tests, examples, scripts) and configuration, not documentation."""
    name = name_of(path).lower()
    if name in _CONFIG_NAMES or name.startswith(("dockerfile", "containerfile", ".env")):
        return True
    return suffix_of(path).lower() in {".py", ".go", *_CONFIG_SUFFIXES}


def code_health(
    files: RepoFiles,
    targets: Sequence[str],
    *,
    references: Iterable[str] = (),
    max_complexity: int,
    library: bool,
    python_ast: Callable[[str], ast.Module | None] | None = None,
    lint: LintFn | None = None,
    smells: SmellsFn | None = None,
) -> CodeHealth:
    """Measure ``targets`` (production ``.py``/``.go`` files). ``references``:
    other files whose words may use the code (tests, configuration).

    Per-file steps (smells, reference words, ruff's verdicts through ``lint``)
    are per-file facts (``perfile``): in a scan they come from the cache when
    a file did not change, and the file is then not read at all."""
    present = [p for p in targets if _readable(files, p)]
    python = LazyTexts(files, [p for p in present if p.endswith(".py")])
    go = [p for p in present if p.endswith(".go")]
    run_lint: LintFn = lint or (lambda batch: lint_python(batch, max_complexity=max_complexity))
    linted: dict[str, Mapping[str, FileLint]] = {}
    failure: list[BaseException] = []

    def lint_in_background() -> None:
        try:
            linted["result"] = run_lint(python)
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=lint_in_background, name="prodready-ruff", daemon=True)
    worker.start()
    try:
        measured = _smells(files, present, python_ast, smells, max_complexity)
        words = {
            p: found
            for p in references
            if (found := file_fact(files, "refwords", p, reference_words_of)) is not None
        }
    finally:
        worker.join()
    if failure:
        raise failure[0]
    findings = [*_smell_findings(measured, words, library, _go_modules(files))]
    suppressed = 0
    for path, result in sorted(linted.get("result", {}).items()):
        suppressed += len(result.suppressed)
        findings.extend(_lint_finding(path, item) for item in result.findings)
    return CodeHealth(
        lines=_sum_by_language(present, lambda p: _lines(files, p)),
        files=_sum_by_language(present, lambda _p: 1),
        findings=tuple(sorted(findings, key=_order)),
        suppressed=suppressed,
        go_analysers={name: shutil.which(name) is not None for name in GO_ANALYSERS} if go else {},
    )


def _physical_lines(text: str) -> int:
    """Lines as the file index counts them (a final newline ends the last line)."""
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def _readable(files: RepoFiles, path: str) -> bool:
    """Whether ``path`` can be read, without reading it when ``files`` is a
    scan's view (it knows its files)."""
    info = getattr(files, "info", None)
    if callable(info):
        return info(path) is not None
    return files.read_text(path) is not None


def _lines(files: RepoFiles, path: str) -> int:
    """Physical lines of ``path``: the scan's file record says, else its text."""
    info = getattr(files, "info", None)
    found = info(path) if callable(info) else None
    if found is not None:
        return int(found.lines)
    return _physical_lines(files.read_text(path) or "")


def _sum_by_language(paths: Iterable[str], measure: Callable[[str], int]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for path in paths:
        language = "python" if path.endswith(".py") else "go"
        totals[language] = totals.get(language, 0) + measure(path)
    return totals


def _smells(
    files: RepoFiles,
    paths: Iterable[str],
    python_ast: Callable[[str], ast.Module | None] | None,
    smells: SmellsFn | None,
    max_complexity: int,
) -> dict[str, FileSmells]:
    measured: dict[str, FileSmells] = {}
    for path in paths:
        result: FileSmells | None
        if smells is not None:
            text = files.read_text(path)
            result = smells(path, text) if text is not None else None
        elif getattr(files, "file_fact", None) is not None:  # a scan: computed ahead, cached
            result = file_fact(files, "smells", path, file_smells, max_complexity=max_complexity)
        else:
            text = files.read_text(path)
            if text is None:
                continue
            tree = python_ast(path) if python_ast is not None and path.endswith(".py") else None
            result = file_smells(path, text, max_complexity=max_complexity, tree=tree)
        if result is not None:
            measured[path] = result
    return measured


def _go_modules(files: RepoFiles) -> list[tuple[str, str]]:
    """(module path, folder) of every go.mod: to tell the service's own
    packages in import paths. Only the ``module`` line is read."""
    modules: list[tuple[str, str]] = []
    for path in files.paths():
        if name_of(path) != "go.mod":
            continue
        match = _MODULE.search(files.read_text(path) or "")
        if match:
            modules.append((match.group(1), str(PurePosixPath(path).parent)))
    return modules


def _smell_findings(
    measured: Mapping[str, FileSmells],
    words: Mapping[str, frozenset[str]],
    library: bool,
    modules: list[tuple[str, str]],
) -> Iterable[CodeFinding]:
    for path in sorted(measured):
        for smell in measured[path].smells:
            yield CodeFinding(
                path,
                smell.line,
                smell.end_line,
                smell.rule,
                smell.message,
                smell.severity,
                "prodready",
            )
    for item, message in iter_dead_messages(dead_definitions(measured, words, library=library)):
        yield CodeFinding(
            item.path, item.line, item.end_line, "dead-code", message, "low", "prodready"
        )
    for dropped in dropped_errors(measured, modules):
        call = dropped.call
        yield CodeFinding(
            dropped.path,
            call.line,
            call.line,
            "unchecked-error",
            describe(dropped),
            "medium",
            "prodready",
        )
    windows = {p: s.windows for p, s in measured.items() if s.windows.digests}
    for copy in find_duplicates(windows):
        yield CodeFinding(
            copy.path,
            copy.line,
            copy.end_line,
            "duplicate",
            f"lines {copy.line}-{copy.end_line} repeat {copy.first_path}:{copy.first_line}-"
            f"{copy.first_end_line} ({copy.significant_lines} statements): extract the shared "
            "code into one function",
            "low",
            "prodready",
        )


def _lint_finding(path: str, item: LintFinding) -> CodeFinding:
    if item.code == SYNTAX_ERROR:
        message = f"the file does not parse: {item.message}"
    else:
        message = f"{item.code} {item.message}"
    severity = _SEVERE.get(item.code)
    if severity is None:
        severity = "high" if item.code.startswith(("S", "PLE")) else "medium"
    return CodeFinding(path, item.line, item.end_line, item.code, message, severity, "ruff")


_RANK = {"high": 0, "medium": 1, "low": 2}


def _order(item: CodeFinding) -> tuple[int, str, int, str]:
    return (_RANK.get(item.severity, 3), item.path, item.line, item.rule)
