"""Bounded, line-tracking YAML and JSON loading for the fact collectors.

Why not ``yaml.safe_load``: collectors must say *where* something is (a
probe, an alert, a workload) and must survive hostile input. This loader

- composes each document with PyYAML's (C, when present) safe composer, which
  keeps node marks, and builds plain ``dict``/``list`` values whose mappings
  remember the 1-based line of every key (``YamlMap.key_lines``);
- splits the text into documents *before* parsing, so one broken document of
  a multi-document file still yields the others;
- counts every node it builds, alias expansions included, and stops at a
  budget: a "billion laughs" document costs a bounded amount of time and
  memory instead of exhausting both;
- never constructs arbitrary tags: scalars become ``str``/``int``/``float``/
  ``bool``/``None`` only (timestamps and binary stay strings, as in JSON);
- turns every mapping key into a string (``200:`` becomes ``"200"``), which is
  what JSON-shaped consumers (OpenAPI validation, k8s) expect.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_TEXT_CHARS = 8_000_000
"""Texts longer than this are not parsed at all (the engine caps sizes too)."""

MAX_NODES = 300_000
"""Values built per text, alias expansions included."""

MAX_DEPTH = 200
"""Nesting deeper than this is treated as hostile."""

_DOC_MARKER = re.compile(r"^(?:---|\.\.\.)(?:[ \t]|$)", re.MULTILINE)
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlMap(dict[str, Any]):
    """A mapping that remembers where it and each of its keys are (1-based)."""

    __slots__ = ("key_lines", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        """The line of ``key``, or of the mapping itself when it is absent."""
        return self.key_lines.get(key, self.line)


class YamlList(list[Any]):
    """A sequence that remembers its line and the line of each item."""

    __slots__ = ("item_lines", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_at(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """One parsed document: its 0-based index in the file, first line, value."""

    index: int
    line: int
    value: Any


@dataclass(frozen=True, slots=True)
class YamlError:
    """A document that could not be loaded, with the best line we know."""

    index: int
    line: int | None
    message: str


class _Budget:
    __slots__ = ("left",)

    def __init__(self, nodes: int) -> None:
        self.left = nodes


class _TooBig(Exception):
    pass


_constructor = SafeConstructor()


def _scalar(node: ScalarNode) -> Any:
    tag = node.tag
    try:
        if tag == _NULL_TAG:
            return None
        if tag == _BOOL_TAG:
            return _constructor.construct_yaml_bool(node)
        if tag == _INT_TAG:
            return _constructor.construct_yaml_int(node)
        if tag == _FLOAT_TAG:
            return _constructor.construct_yaml_float(node)
    except (ValueError, TypeError, yaml.YAMLError):
        return node.value
    return node.value


def _key_text(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return str(node.value)
    return f"<{type(node).__name__}>"


def _build(node: Node, offset: int, budget: _Budget, depth: int, stack: set[int]) -> Any:
    budget.left -= 1
    if budget.left < 0:
        raise _TooBig("too many YAML nodes (alias expansion or a huge document)")
    if depth > MAX_DEPTH:
        raise _TooBig(f"YAML nested deeper than {MAX_DEPTH} levels")
    if isinstance(node, ScalarNode):
        return _scalar(node)
    line = node.start_mark.line + 1 + offset
    if id(node) in stack:
        raise _TooBig("recursive YAML alias")
    stack.add(id(node))
    try:
        if isinstance(node, SequenceNode):
            seq = YamlList(line)
            for item in node.value:
                seq.append(_build(item, offset, budget, depth + 1, stack))
                seq.item_lines.append(item.start_mark.line + 1 + offset)
            return seq
        if isinstance(node, MappingNode):
            return _build_map(node, line, offset, budget, depth, stack)
        return None
    finally:
        stack.discard(id(node))


def _build_map(
    node: MappingNode, line: int, offset: int, budget: _Budget, depth: int, stack: set[int]
) -> YamlMap:
    result = YamlMap(line)
    merged: list[YamlMap] = []
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE_TAG or (
            isinstance(key_node, ScalarNode) and key_node.value == "<<" and key_node.style is None
        ):
            value = _build(value_node, offset, budget, depth + 1, stack)
            if isinstance(value, YamlMap):
                merged.append(value)
            elif isinstance(value, list):
                merged.extend(v for v in value if isinstance(v, YamlMap))
            continue
        key = _key_text(key_node)
        result[key] = _build(value_node, offset, budget, depth + 1, stack)
        result.key_lines[key] = key_node.start_mark.line + 1 + offset
    for source in merged:
        for key, value in source.items():
            if key not in result:
                result[key] = value
                result.key_lines[key] = source.key_lines.get(key, source.line)
    return result


def split_documents(text: str) -> list[tuple[int, str]]:
    """(0-based start line, text) of each document of a YAML stream, split at
    ``---``/``...`` markers (document indexes match ``load_yaml_documents``)."""
    return list(_chunks(text))


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """(0-based start line, text) of each document, split at ``---``/``...``."""
    starts = [0]
    for match in _DOC_MARKER.finditer(text):
        if match.start() != 0:
            starts.append(match.start())
    starts.append(len(text))
    line = 0
    for begin, end in itertools.pairwise(starts):
        chunk = text[begin:end]
        yield line, chunk
        line += chunk.count("\n")


def _blank(chunk: str) -> bool:
    for raw in chunk.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#") or stripped in ("---", "..."):
            continue
        if stripped.startswith("%"):
            continue
        return False
    return True


def _error_line(exc: yaml.YAMLError, offset: int) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return offset + 1
    return int(mark.line) + 1 + offset


def _error_message(exc: BaseException) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if problem:
        return f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    return f"invalid YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"


def load_yaml_documents(
    text: str, *, max_nodes: int = MAX_NODES
) -> tuple[list[YamlDocument], list[YamlError]]:
    """Every document of ``text`` that loads, and one error per document that
    does not. Empty documents are skipped. Never raises."""
    documents: list[YamlDocument] = []
    errors: list[YamlError] = []
    if len(text) > MAX_TEXT_CHARS:
        return documents, [YamlError(0, None, "file too large to parse as YAML")]
    budget = _Budget(max_nodes)
    for index, (offset, chunk) in enumerate(_chunks(text)):
        if _blank(chunk):
            continue
        try:
            node = yaml.compose(chunk, Loader=_Loader)
        except yaml.YAMLError as exc:
            line = _error_line(exc, offset)
            last = offset + max(1, len(chunk.rstrip().splitlines()))
            errors.append(YamlError(index, min(line, last) if line else None, _error_message(exc)))
            continue
        except (RecursionError, MemoryError, ValueError) as exc:
            errors.append(YamlError(index, offset + 1, f"invalid YAML: {type(exc).__name__}"))
            continue
        if node is None:
            continue
        try:
            value = _build(node, offset, budget, 0, set())
        except _TooBig as exc:
            errors.append(YamlError(index, node.start_mark.line + 1 + offset, str(exc)))
            if budget.left < 0:
                break
            continue
        except RecursionError:
            errors.append(YamlError(index, offset + 1, "YAML nested too deeply"))
            continue
        documents.append(YamlDocument(index, node.start_mark.line + 1 + offset, value))
    return documents, errors


def load_json(text: str) -> tuple[Any, str | None, int | None]:
    """(value, error message, error line). Huge texts are refused."""
    if len(text) > MAX_TEXT_CHARS:
        return None, "file too large to parse as JSON", None
    try:
        return json.loads(text), None, None
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg}", exc.lineno
    except (RecursionError, ValueError) as exc:
        return None, f"invalid JSON: {type(exc).__name__}", None


def walk_path(value: Any, *keys: str | int) -> Any:
    """``value[k1][k2]...`` or None when any step is missing or mistyped."""
    current = value
    for key in keys:
        if isinstance(key, int):
            if not isinstance(current, list) or not -len(current) <= key < len(current):
                return None
            current = current[key]
        else:
            if not isinstance(current, dict):
                return None
            current = current.get(key)
    return current


def line_of(container: Any, key: str | int | None = None, default: int | None = None) -> int | None:
    """The line of ``container[key]`` (or of ``container``) when known."""
    if isinstance(container, YamlMap):
        return container.line_of(key) if isinstance(key, str) else container.line
    if isinstance(container, YamlList):
        return container.line_at(key) if isinstance(key, int) else container.line
    return default


def as_str(value: Any) -> str | None:
    """Scalars as text (``8080`` -> ``"8080"``); None for absent or containers."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
