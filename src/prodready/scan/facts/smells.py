"""Code smells of one source file: what ``cq.findings`` needs beyond ruff.

The talk's four smells are cyclomatic complexity, dead code, duplicated code
and unchecked errors. Per file, from its text (and the syntax tree the scan
already parsed, for Python) this module extracts

- **definitions** that could be dead (module-level functions and plain
  classes in Python; unexported functions in Go) and the **references** the
  file makes, so ``deadcode`` can decide across modules;
- **windows** of significant lines for ``duplicates``;
- **smells** that one file proves on its own: Go functions over the
  complexity limit, Go errors that are shadowed (``smells_go``);
- Go **call sites** whose error result is dropped, resolved across the
  package once every file's error-returning functions are known.

Python complexity comes from ruff's C901 (``analysis``), not from here.

``file_smells(path, text)`` is a pure function of its arguments (plus the
complexity limit), so results can be cached by content hash and computed in
parallel. Nothing here imports or runs the code it reads.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from prodready.scan.facts.artefacts import parse_python
from prodready.scan.facts.duplicates import FileWindows, windows_of

__all__ = [
    "CallSite",
    "Definition",
    "ErrorFunction",
    "FileSmells",
    "Smell",
    "file_smells",
    "python_smells",
    "reference_words",
]

PURE_DECORATORS = frozenset(
    {
        "dataclass",
        "dataclasses.dataclass",
        "cache",
        "lru_cache",
        "cached_property",
        "functools.cache",
        "functools.lru_cache",
        "functools.cached_property",
        "functools.wraps",
        "functools.total_ordering",
        "total_ordering",
        "contextmanager",
        "asynccontextmanager",
        "contextlib.contextmanager",
        "contextlib.asynccontextmanager",
        "staticmethod",
        "classmethod",
        "property",
        "final",
        "typing.final",
        "unique",
        "enum.unique",
        "deprecated",
    }
)
"""Decorators that do not register the function anywhere: a function carrying
only these is dead when nothing names it. Any other decorator (a route, a
task, a fixture, a CLI command, a plugin hook) may be how it is used."""

PLAIN_BASES = frozenset(
    {
        "object",
        "Exception",
        "BaseException",
        "ValueError",
        "TypeError",
        "RuntimeError",
        "KeyError",
        "LookupError",
        "OSError",
        "IOError",
        "Enum",
        "IntEnum",
        "StrEnum",
        "Flag",
        "IntFlag",
        "NamedTuple",
        "TypedDict",
        "Protocol",
        "enum.Enum",
        "enum.IntEnum",
        "enum.StrEnum",
        "typing.NamedTuple",
        "typing.TypedDict",
        "typing.Protocol",
    }
)
"""Base classes that register nothing. A class deriving from anything else
(a model, a command, a plugin base with ``__init_subclass__``) may be found
by its framework without being named."""

HOOK_NAMES = frozenset(
    {
        "main",
        "app",
        "application",
        "create_app",
        "make_app",
        "get_app",
        "handler",
        "lambda_handler",
        "upgrade",  # Alembic migrations
        "downgrade",
        "setup",
        "teardown",
        "load_tests",
        # gunicorn server hooks, called by name from a config module
        "on_starting",
        "on_reload",
        "when_ready",
        "pre_fork",
        "post_fork",
        "post_worker_init",
        "worker_int",
        "worker_abort",
        "pre_exec",
        "pre_request",
        "post_request",
        "child_exit",
        "worker_exit",
        "nworkers_changed",
        "on_exit",
        "ssl_context",
    }
)
"""Module-level names frameworks call by convention, never dead."""

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TRIPLE_QUOTED = re.compile(r"(\"\"\"|''').*?\1", re.DOTALL)
_PY_STRINGS_OR_COMMENT = re.compile(
    r"""("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|\#.*$""", re.MULTILINE
)


@dataclass(frozen=True, slots=True)
class Definition:
    """A function or class that may be dead."""

    name: str
    kind: str
    """``function``, ``class`` or ``method``."""
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class Smell:
    """A problem one file proves on its own."""

    rule: str
    """``complexity``, ``shadowed-err``, ``unchecked-error``, ``dead-code``,
    ``duplicate``."""
    line: int
    end_line: int
    message: str
    severity: str = "medium"


@dataclass(frozen=True, slots=True)
class CallSite:
    """A Go call whose results are not all used (resolved across the package)."""

    callee: str
    """``foo`` (a function of this package), ``encoding/json.Unmarshal`` (an
    imported package's), or ``.Encode`` (a method)."""
    line: int
    how: str
    """``dropped`` (a statement), ``deferred``, ``go``, or ``blank`` (the
    last result assigned to ``_`` in a multi-value assignment)."""
    text: str
    """The call as written, shortened."""
    arguments: int = 0


@dataclass(frozen=True, slots=True)
class ErrorFunction:
    """A Go function or method declared here, and whether its last result is an error."""

    name: str
    method: bool
    returns_error: bool


@dataclass(frozen=True, slots=True)
class FileSmells:
    """Everything one file contributes to ``cq.findings`` (besides ruff)."""

    path: str
    language: str
    lines: int
    parsed: bool = True
    definitions: tuple[Definition, ...] = ()
    references: frozenset[str] = frozenset()
    """Names this file uses (outside their own definitions)."""
    exported: frozenset[str] = frozenset()
    """Names a Python ``__all__`` lists."""
    windows: FileWindows = field(default_factory=FileWindows)
    smells: tuple[Smell, ...] = ()
    calls: tuple[CallSite, ...] = ()
    functions: tuple[ErrorFunction, ...] = ()
    package: str = ""
    """Go: the package directory (unexported names are visible only there)."""


def file_smells(
    path: str, text: str, *, max_complexity: int, tree: ast.Module | None = None
) -> FileSmells | None:
    """Smells of one file, or None for languages not measured (Python, Go only)."""
    suffix = PurePosixPath(path).suffix.lower()
    if suffix == ".py":
        return python_smells(path, text, tree)
    if suffix == ".go":
        from prodready.scan.facts.smells_go import go_smells  # tree-sitter only when needed

        return go_smells(path, text, max_complexity=max_complexity)
    return None


def reference_words(text: str) -> frozenset[str]:
    """Every identifier-like word of a text: the conservative reference set of
    a file that is not analysed (tests, configuration, an unparsable module)."""
    return frozenset(_IDENTIFIER.findall(text))


# ----------------------------------------------------------------- Python


def python_smells(path: str, text: str, tree: ast.Module | None = None) -> FileSmells:
    """Definitions, references and duplicate windows of a Python file.

    Only statements are visited (docstrings, imports, top-level definitions);
    references are the identifiers of the code with comments and docstrings
    removed, minus each definition's own name: cheaper than walking every
    expression node, and more conservative (a name in a string, a keyword
    argument or an attribute of anything keeps a definition alive)."""
    lines = text.count("\n") + 1
    if tree is None:
        tree = parse_python(path, text).value
    if tree is None:
        # ruff reports the syntax error; every word counts as a reference.
        return FileSmells(path, "python", lines, parsed=False, references=reference_words(text))
    docstrings, imports = _statement_lines(tree)
    code = list(_code_lines(text, docstrings))
    prose = _inside_long_strings(text) if ('"""' in text or "'''" in text) else set()
    definitions = tuple(_definitions(tree))
    words = Counter(_IDENTIFIER.findall("\n".join(line for _n, line in code)))
    for definition in definitions:
        words[definition.name] -= 1  # its own `def name`/`class name` is not a use
    return FileSmells(
        path,
        "python",
        lines,
        definitions=definitions,
        references=frozenset(w for w, n in words.items() if n > 0),
        exported=frozenset(_exported(tree)),
        windows=windows_of((n, line) for n, line in code if n not in imports and n not in prose),
    )


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _expr_name(node: ast.expr) -> str:
    if isinstance(node, ast.Subscript):
        node = node.value
    return _decorator_name(node)


def _definitions(tree: ast.Module) -> Iterator[Definition]:
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        name = node.name
        if name.startswith("__") and name.endswith("__"):
            continue
        if name in HOOK_NAMES:
            continue
        if any(_decorator_name(d) not in PURE_DECORATORS for d in node.decorator_list):
            continue
        if isinstance(node, ast.ClassDef):
            if node.keywords or any(_expr_name(b) not in PLAIN_BASES for b in node.bases):
                continue
            kind = "class"
        else:
            kind = "function"
        yield Definition(name, kind, node.lineno, node.end_lineno or node.lineno)


def _docstring(node: ast.AST) -> ast.Expr | None:
    body = getattr(node, "body", None)
    if (
        isinstance(body, list)
        and body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        return body[0]
    return None


def _span(node: ast.stmt) -> range:
    return range(node.lineno, (node.end_lineno or node.lineno) + 1)


def _statement_lines(tree: ast.Module) -> tuple[set[int], set[int]]:
    """Lines of docstrings and of import statements, visiting statements only."""
    docstrings: set[int] = set()
    imports: set[int] = set()
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        doc = _docstring(node) if isinstance(node, _SCOPES) else None
        if doc is not None:
            docstrings.update(_span(doc))
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(node, name, None)
            if not isinstance(children, list):
                continue
            for child in children:
                if isinstance(child, ast.Import | ast.ImportFrom):
                    imports.update(_span(child))
                elif isinstance(child, ast.stmt | ast.excepthandler | ast.match_case):
                    pending.append(child)
    return docstrings, imports


_SCOPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _exported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets, value = [node.target], node.value
        if value is None or not any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            continue
        for item in ast.walk(value):
            if isinstance(item, ast.Constant) and isinstance(item.value, str):
                names.add(item.value)
    return names


def _inside_long_strings(text: str) -> set[int]:
    """Lines wholly inside a triple-quoted string (help texts, SQL, templates):
    text, not code, for duplicate detection."""
    inside: set[int] = set()
    for match in _TRIPLE_QUOTED.finditer(text):
        first = text.count("\n", 0, match.start()) + 1
        last = first + match.group(0).count("\n")
        inside.update(range(first + 1, last))
    return inside


def _code_lines(text: str, skipped: set[int]) -> Iterator[tuple[int, str]]:
    """``(number, code)`` of non-blank lines outside ``skipped``, comments removed."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number in skipped or not line.strip():
            continue
        if "#" in line:
            line = _PY_STRINGS_OR_COMMENT.sub(_keep_strings, line)
        yield number, line


def _keep_strings(match: re.Match[str]) -> str:
    return match.group(1) or ""
