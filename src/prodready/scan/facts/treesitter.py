"""Shared tree-sitter plumbing for the Go, JavaScript/TypeScript and Java analysers.

Parsers are not thread-safe, so each thread keeps its own (``parser``);
``Language`` and compiled ``Query`` objects are immutable and shared. The
grammars are the individual PyPI packages (``tree_sitter_go`` and friends),
pinned in ``pyproject.toml``; they work offline, unlike
``tree-sitter-language-pack``.

The analysers never walk every node in Python: they run one query per file
that captures just the node kinds they care about (``matches``), which keeps
the per-file cost close to the C parse itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache

import tree_sitter_go
import tree_sitter_java
import tree_sitter_javascript
import tree_sitter_typescript
from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

__all__ = [
    "GRAMMARS",
    "children_of_type",
    "field_text",
    "language",
    "line_of",
    "matches",
    "parse",
    "query",
    "text_of",
]

GRAMMARS: dict[str, Callable[[], object]] = {
    "go": tree_sitter_go.language,
    "javascript": tree_sitter_javascript.language,
    "typescript": tree_sitter_typescript.language_typescript,
    "tsx": tree_sitter_typescript.language_tsx,
    "java": tree_sitter_java.language,
}
"""Grammar name -> the grammar package's language factory."""

_local = threading.local()


@cache
def language(name: str) -> Language:
    """The tree-sitter ``Language`` for a grammar name in ``GRAMMARS``."""
    return Language(GRAMMARS[name]())


def _parser(name: str) -> Parser:
    parsers: dict[str, Parser] | None = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = {}
        _local.parsers = parsers
    parser = parsers.get(name)
    if parser is None:
        parser = Parser(language(name))
        parsers[name] = parser
    return parser


def parse(name: str, source: bytes) -> Tree:
    """Parse ``source`` with this thread's parser for grammar ``name``.

    tree-sitter never fails: syntax errors become ``ERROR`` nodes, and the
    analysers use whatever parsed."""
    return _parser(name).parse(source)


@cache
def query(name: str, source: str) -> Query:
    """A compiled query, cached per (grammar, source text)."""
    return Query(language(name), source)


def matches(compiled: Query, node: Node) -> list[tuple[int, dict[str, list[Node]]]]:
    """``(pattern index, captures)`` for every match under ``node``, in
    document order."""
    return QueryCursor(compiled).matches(node)


def text_of(node: Node | None) -> str:
    """The source text of ``node`` (empty for ``None``)."""
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def field_text(node: Node, field: str) -> str:
    """The text of ``node``'s child in ``field`` (empty when absent)."""
    return text_of(node.child_by_field_name(field))


def line_of(node: Node) -> int:
    """1-based line of the node's start."""
    return node.start_point[0] + 1


def children_of_type(node: Node, *types: str) -> list[Node]:
    """Direct named children of ``node`` whose type is one of ``types``."""
    return [child for child in node.named_children if child.type in types]
