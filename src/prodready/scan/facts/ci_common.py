"""Shared pieces of the CI readers: what a reader returns, and turning YAML
script lists into one shell text with a line map."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prodready.scan.facts.ci_follow import JobSpec
from prodready.scan.facts.ci_model import Pipeline
from prodready.scan.facts.ci_yaml import YList, YStr, line_of, text_of
from prodready.scan.facts.source import ParseProblem


@dataclass(slots=True)
class CiRead:
    """What one CI reader found: pipeline files, their jobs, problems."""

    pipelines: list[Pipeline] = field(default_factory=list)
    jobs: list[JobSpec] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)

    def extend(self, other: CiRead) -> None:
        self.pipelines.extend(other.pipelines)
        self.jobs.extend(other.jobs)
        self.problems.extend(other.problems)


Where = tuple[str | None, int | None]
"""(path, line) of one script line; path None means the step's own file."""


def flatten_script(
    value: Any,
    fallback_line: int | None,
    resolve: Callable[[Any, int], Any] | None = None,
    depth: int = 0,
) -> tuple[list[str], list[Where]]:
    """Lines of a script given as a string or a (nested) list of strings,
    and where each comes from. ``resolve`` expands GitLab ``!reference``."""
    lines: list[str] = []
    numbers: list[Where] = []
    if depth > 12:
        return lines, numbers
    if resolve is not None and isinstance(value, YList) and type(value).__name__ == "YRef":
        return flatten_script(resolve(value, depth), fallback_line, resolve, depth + 1)
    if isinstance(value, list):
        for index, item in enumerate(value):
            item_line = line_of(value, index) if isinstance(value, YList) else fallback_line
            sub_lines, sub_numbers = flatten_script(item, item_line, resolve, depth + 1)
            lines.extend(sub_lines)
            numbers.extend(sub_numbers)
        return lines, numbers
    text = text_of(value)
    if text is None:
        return lines, numbers
    start = value.line if isinstance(value, YStr) else fallback_line
    literal = value.literal if isinstance(value, YStr) else False
    source = (value.path or None) if isinstance(value, YStr) else None
    for offset, line in enumerate(text.split("\n")):
        lines.append(line)
        numbers.append((source, start + offset if (start is not None and literal) else start))
    return lines, numbers


def label_of(kind: str, name: str) -> str:
    return f'{kind} "{name}"' if " " in name else f"{kind} {name}"
