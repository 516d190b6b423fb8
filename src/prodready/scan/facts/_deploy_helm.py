"""Reading Helm templates (and other ``{{ }}``-templated YAML) without rendering.

We never run ``helm template``: that would execute the chart's template code
and needs every value file. Instead the template text is *neutralised* so it
still parses as YAML where it can:

- a line that holds only template actions (``{{- if ... }}``, ``{{- end }}``,
  ``{{- toYaml .Values.resources | nindent 12 }}``) becomes a blank line, so
  line numbers do not move;
- an action inside a line (``replicas: {{ .Values.replicaCount }}``) becomes
  the placeholder ``__TPL__``;
- for every line we remember the ``.Values.x.y`` paths its actions read, so
  a ``resources:`` key whose body was ``toYaml .Values.resources`` can later
  be resolved against ``values.yaml`` (``resources: {}`` means "none").

When the neutralised text is still not YAML (``range`` loops over lists,
conditional indentation), ``scan_text_keys`` finds the interesting keys line by
line instead. Either way a template never produces a "malformed YAML"
problem: not being YAML is what templates are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

PLACEHOLDER = "__TPL__"
_ACTION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_VALUES_REF = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)")
_IF_VALUES = re.compile(r"^\{\{-?\s*if\s+(?:and\s+)?\(?\s*\.Values((?:\.[A-Za-z_][\w-]*)+)")
_WITH_VALUES = re.compile(r"^\{\{-?\s*with\s+\.Values((?:\.[A-Za-z_][\w-]*)+)")


@dataclass(frozen=True, slots=True)
class Neutralised:
    """Template text made YAML-parsable, with what each line's actions read."""

    text: str
    action_lines: frozenset[int]
    """1-based lines that held a template action."""
    blank_lines: frozenset[int]
    """1-based lines that held nothing but template actions (now blank)."""
    values_refs: dict[int, tuple[str, ...]]
    """1-based line -> ``.Values`` paths (dotted, without ``.Values.``) read there."""
    with_refs: dict[int, str]
    """1-based line -> the ``.Values`` path a ``{{ with .Values.x }}`` binds."""
    guards: dict[int, str]
    """1-based line -> the ``.Values`` path an ``{{ if .Values.x }}`` tests."""

    def ref_near(self, line: int) -> str | None:
        """The values path that fills the key at ``line``: read on that line,
        on the line after (``toYaml ... | nindent``), or bound by a ``with``
        on the line before."""
        refs = self.values_refs.get(line)
        if refs:
            return refs[0]
        if line + 1 in self.blank_lines:
            refs = self.values_refs.get(line + 1)
            if refs:
                return refs[0]
            return self._nearest_with(line)
        return None

    def _nearest_with(self, line: int) -> str | None:
        for back in (1, 2, 3):
            ref = self.with_refs.get(line - back)
            if ref is not None:
                return ref
        return None

    def templated(self, line: int) -> bool:
        """The key at ``line`` gets (part of) its value from a template action."""
        return line in self.action_lines or (line + 1) in self.blank_lines


def neutralise(text: str) -> Neutralised:
    """Blank action-only lines, replace inline actions by a placeholder."""
    action_lines: set[int] = set()
    refs: dict[int, tuple[str, ...]] = {}
    with_refs: dict[int, str] = {}
    guards: dict[int, str] = {}

    def record(match: re.Match[str]) -> str:
        body = match.group(0)
        first_line = text.count("\n", 0, match.start()) + 1
        newlines = body.count("\n")
        for offset in range(newlines + 1):
            action_lines.add(first_line + offset)
        found = tuple(m.group(1).lstrip(".") for m in _VALUES_REF.finditer(body))
        if found:
            refs[first_line] = refs.get(first_line, ()) + found
        with_match = _WITH_VALUES.match(body)
        if with_match:
            with_refs[first_line] = with_match.group(1).lstrip(".")
        if_match = _IF_VALUES.match(body)
        if if_match and " not " not in f" {body} ":
            guards[first_line] = if_match.group(1).lstrip(".")
        # Keep line count: a multi-line action collapses to its newlines.
        return "\x00" + "\n" * newlines if newlines else "\x00"

    marked = _ACTION.sub(record, text)
    out_lines = []
    blank: set[int] = set()
    for number, line in enumerate(marked.split("\n"), start=1):
        if "\x00" in line:
            rest = line.replace("\x00", "")
            if rest.strip():
                line = line.replace("\x00", PLACEHOLDER)
            else:
                line = ""
                blank.add(number)
        elif number in action_lines and not line.strip():
            blank.add(number)  # inside a multi-line action
        out_lines.append(line)
    return Neutralised(
        "\n".join(out_lines), frozenset(action_lines), frozenset(blank), refs, with_refs, guards
    )


def is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and PLACEHOLDER in value


# --------------------------------------------------------------------------- text fallback

_KEY_LINE = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z][\w.-]*)\s*:(.*)$")
TEXT_KEYS = frozenset(
    {
        "kind",
        "name",
        "replicas",
        "containers",
        "initContainers",
        "livenessProbe",
        "readinessProbe",
        "startupProbe",
        "resources",
        "requests",
        "limits",
        "runAsNonRoot",
        "runAsUser",
    }
)


@dataclass(frozen=True, slots=True)
class TextKey:
    """An interesting ``key:`` found line by line: (line, indent, key, value)."""

    line: int
    indent: int
    key: str
    value: str


def scan_text_keys(text: str, first_line: int = 1) -> list[TextKey]:
    """The interesting keys of YAML-ish text that did not parse."""
    found: list[TextKey] = []
    for index, raw in enumerate(text.split("\n")):
        match = _KEY_LINE.match(raw)
        if not match or match.group(2) not in TEXT_KEYS:
            continue
        value = match.group(3).split(" #", 1)[0].strip().strip("\"'")
        indent = len(match.group(1)) + (2 if raw.lstrip().startswith("- ") else 0)
        found.append(TextKey(first_line + index, indent, match.group(2), value))
    return found


# --------------------------------------------------------------------------- values.yaml


@dataclass(frozen=True, slots=True)
class ValuesEntry:
    """One node of a values file: where it is and whether it holds anything."""

    path: str
    line: int
    empty: bool
    """None, ``{}``, ``[]``, ``""`` or ``false``: configures nothing."""
    keys: tuple[str, ...]
    scalar: str | int | float | bool | None


MAX_VALUES_ENTRIES = 20_000
MAX_VALUES_DEPTH = 8


def flatten_values(value: Any, line: int = 1) -> tuple[ValuesEntry, ...]:
    """Every mapping node and scalar of a values tree, by dotted path."""
    out: list[ValuesEntry] = []

    def visit(node: Any, path: str, node_line: int, depth: int) -> None:
        if len(out) >= MAX_VALUES_ENTRIES or depth > MAX_VALUES_DEPTH:
            return
        if isinstance(node, dict):
            out.append(ValuesEntry(path, node_line, not node, tuple(str(k) for k in node), None))
            key_lines = getattr(node, "key_lines", {})
            for key, child in node.items():
                child_path = f"{path}.{key}" if path else str(key)
                visit(child, child_path, key_lines.get(key, node_line), depth + 1)
        elif isinstance(node, list):
            out.append(ValuesEntry(path, node_line, not node, (), None))
        else:
            scalar = node if isinstance(node, str | int | float | bool) else None
            empty = node is None or node == "" or node is False
            out.append(ValuesEntry(path, node_line, empty, (), scalar))

    visit(value, "", line, 0)
    return tuple(e for e in out if e.path)
