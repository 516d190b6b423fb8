"""YAML for CI definitions: values that remember their lines, tags kept.

CI collectors must point at the line that runs a command, and inside a
``run: |`` block at the line of the command itself, so this loader builds
plain ``dict``/``list``/``str`` values (subclasses) that carry lines:

- ``YMap.key_lines[key]``: the 1-based line of each key;
- ``YList.item_lines[i]``: the line of each item;
- ``YStr.line``: the line where the string's *content* starts (the line after
  ``|``/``>`` for block scalars), and ``YStr.literal`` when each line of the
  value is a line of the file (so ``line + i`` is the line of its i-th line).

GitLab's ``!reference [.job, script]`` becomes a ``YRef`` (a list of keys);
any other application tag (``!Ref``, ``!Sub``) is read as the plain value.
Aliases share one built value (as PyYAML does), recursive aliases become
empty values, and a node budget bounds the work on hostile input. Problems
come back as ``ParseProblem``; nothing here raises for bad input.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from prodready.scan.facts.source import ParseProblem

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_TEXT_CHARS = 4_000_000
"""CI files longer than this are not parsed (no real pipeline is that big)."""

MAX_NODES = 400_000
"""Values built per file."""

MAX_DEPTH = 120

_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_TRUE = frozenset({"true", "yes", "on", "y"})


class YMap(dict[str, Any]):
    """A mapping with its own line and the line of each key."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class YList(list[Any]):
    """A sequence with its own line and the line of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_at(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


class YRef(YList):
    """GitLab ``!reference [.job, key, ...]``: resolved by the GitLab reader."""


class YStr(str):
    """A string scalar that knows the line its content starts on."""

    line: int
    literal: bool
    path: str

    def __new__(cls, value: str, line: int, literal: bool, path: str = "") -> YStr:
        obj = super().__new__(cls, value)
        obj.line = line
        obj.literal = literal
        obj.path = path
        return obj


class _TooBig(Exception):
    pass


class _Builder:
    def __init__(self, budget: int, path: str) -> None:
        self.path = path
        self.left = budget
        self.memo: dict[int, Any] = {}
        self.stack: set[int] = set()

    def build(self, node: Node, depth: int) -> Any:
        self.left -= 1
        if self.left < 0:
            raise _TooBig("YAML too large (too many values or alias expansions)")
        if depth > MAX_DEPTH:
            raise _TooBig(f"YAML nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, ScalarNode):
            return _scalar(node, self.path)
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        if key in self.stack:
            return YMap(node.start_mark.line + 1) if isinstance(node, MappingNode) else None
        self.stack.add(key)
        try:
            if isinstance(node, SequenceNode):
                value: Any = self._sequence(node, depth)
            elif isinstance(node, MappingNode):
                value = self._mapping(node, depth)
            else:
                value = None
        finally:
            self.stack.discard(key)
        self.memo[key] = value
        return value

    def _sequence(self, node: SequenceNode, depth: int) -> YList:
        seq: YList = (YRef if node.tag == "!reference" else YList)(node.start_mark.line + 1)
        for item in node.value:
            seq.append(self.build(item, depth + 1))
            seq.item_lines.append(item.start_mark.line + 1)
        return seq

    def _mapping(self, node: MappingNode, depth: int) -> YMap:
        result = YMap(node.start_mark.line + 1)
        merged: list[YMap] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG or (
                isinstance(key_node, ScalarNode) and key_node.value == "<<" and not key_node.style
            ):
                value = self.build(value_node, depth + 1)
                if isinstance(value, YMap):
                    merged.append(value)
                elif isinstance(value, list):
                    merged.extend(v for v in value if isinstance(v, YMap))
                continue
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else "<complex key>"
            result[key] = self.build(value_node, depth + 1)
            result.key_lines[key] = key_node.start_mark.line + 1
        for source in merged:
            for key, value in source.items():
                if key not in result:
                    result[key] = value
                    result.key_lines[key] = source.line_of(key)
        return result


def _scalar(node: ScalarNode, path: str) -> Any:
    tag = node.tag
    text = node.value
    if not node.style:
        if tag == _NULL_TAG:
            return None
        if tag == _BOOL_TAG:
            return text.lower() in _TRUE
        if tag == _INT_TAG:
            try:
                return int(text.replace("_", ""), 0)
            except ValueError:
                return text
        if tag == _FLOAT_TAG:
            try:
                return float(text.replace("_", ""))
            except ValueError:
                return text
    block = node.style in ("|", ">")
    line = node.start_mark.line + (2 if block else 1)
    return YStr(text, line, literal=node.style == "|" or "\n" not in text, path=path)


def load_yaml(path: str, text: str) -> tuple[list[Any], list[ParseProblem]]:
    """Every document of ``text`` up to the first broken one, plus problems.

    Returns ``(documents, problems)``; empty documents are dropped. A broken
    document yields a ``ParseProblem`` with its line and stops the file (the
    documents before it are kept)."""
    if len(text) > MAX_TEXT_CHARS:
        return [], [ParseProblem(path, "file too large to parse as YAML")]
    documents: list[Any] = []
    builder = _Builder(MAX_NODES, path)
    try:
        for node in yaml.compose_all(text, Loader=_Loader):
            if node is None:
                continue
            value = builder.build(node, 0)
            if value is not None:
                documents.append(value)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or exc.context or "syntax error"
        return documents, [ParseProblem(path, f"invalid YAML: {reason}", line)]
    except _TooBig as exc:
        return documents, [ParseProblem(path, str(exc))]
    except (yaml.YAMLError, RecursionError, ValueError, TypeError, MemoryError) as exc:
        first = (str(exc).strip() or type(exc).__name__).splitlines()[0]
        return documents, [ParseProblem(path, f"invalid YAML: {first}")]
    return documents, []


def load_json(path: str, text: str) -> tuple[Any, ParseProblem | None]:
    """A JSON value, or None and a located problem."""
    if len(text) > MAX_TEXT_CHARS:
        return None, ParseProblem(path, "file too large to parse as JSON")
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, ParseProblem(path, f"invalid JSON: {exc.msg}", exc.lineno)
    except (RecursionError, ValueError) as exc:
        return None, ParseProblem(path, f"invalid JSON: {type(exc).__name__}")


def line_of(container: Any, key: str | int | None = None) -> int | None:
    """The 1-based line of ``container[key]`` (or of the container) if known."""
    if isinstance(container, YMap):
        return container.line_of(key) if isinstance(key, str) else container.line
    if isinstance(container, YList):
        return container.line_at(key) if isinstance(key, int) else container.line
    if isinstance(container, YStr):
        return container.line
    return None


def text_of(value: Any) -> str | None:
    """Scalars as text (``true`` -> ``"true"``, ``3`` -> ``"3"``); None for
    absent values and containers."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def truthy(value: Any) -> bool | None:
    """YAML/CI booleans: True/False, ``"true"``/``"false"`` strings, or None
    when the value is absent or an expression we cannot evaluate."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered.startswith("${{") and lowered.endswith("}}"):
            lowered = lowered[3:-2].strip()
        if lowered in ("true", "yes", "on"):
            return True
        if lowered in ("false", "no", "off"):
            return False
    return None


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one (wrong-typed YAML
    is treated as absent; the readers report what they need to)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` when it is a sequence, else an empty list."""
    return value if isinstance(value, list) else []
