"""The check catalogue as a Markdown document (``docs/checks.md``).

Generated from the checks' metadata by ``make docs`` and checked for drift
by ``make docs-check``: the documentation of a check is its ``CheckSpec``,
so the two cannot disagree. ``missing_docs`` lists checks whose metadata is
too thin to document (the docs test fails on any).
"""

from __future__ import annotations

from collections.abc import Iterable

from prodready.scan.checks.base import Check
from prodready.scan.model import Level

MIN_TEXT = 40
"""Characters below which a "why" or "how to fix" is not an explanation."""


def missing_docs(checks: Iterable[Check]) -> list[str]:
    """``id: what is missing`` for every check that is not fully documented."""
    problems = []
    for check in checks:
        spec = check.spec
        if len(spec.why) < MIN_TEXT:
            problems.append(f"{spec.id}: 'why it matters' is too short")
        if len(spec.how_to_fix) < MIN_TEXT:
            problems.append(f"{spec.id}: 'how to fix' is too short")
        if not spec.passes_when:
            problems.append(f"{spec.id}: no 'passes when'")
        if not spec.references:
            problems.append(f"{spec.id}: no references")
    return problems


def _status(check: Check) -> str:
    return check.spec.lifecycle.value if check.implemented else "planned"


def render_catalogue(checks: Iterable[Check]) -> str:
    ordered = list(checks)
    lines = [
        "# Check catalogue",
        "",
        "<!-- Generated from the check metadata by `make docs`; do not edit by hand. -->",
        "",
        "Every check has a stable id (`<pillar>.<name>`), a level, and a pure function",
        "that judges a repository from the facts the scanner collected. A service",
        "**reaches** a level when every applicable check at that level and below passes",
        "(or is exempted with a reason). Each check scores 0-10; a pillar scores the",
        "weighted mean x10 and the service the weighted mean of its pillars (0-100), see",
        "[scan.md](scan.md#scoring). `prodready explain ID` prints any entry below.",
        "",
        "Status: **stable**/**experimental**/**deprecated** is the check's lifecycle;",
        "**planned** means this version publishes the check's metadata but does not judge",
        "it yet: a planned check is never scored or shown as passing, and a level that",
        "contains one cannot be reached.",
        "",
        "| id | level | title | status |",
        "|---|---|---|---|",
    ]
    for check in ordered:
        anchor = check.id.replace(".", "")
        lines.append(
            f"| [`{check.id}`](#{anchor}) | {check.spec.level.value} | {check.spec.title} | "
            f"{_status(check)} |"
        )
    for level in Level:
        at_level = [c for c in ordered if c.spec.level is level]
        if not at_level:
            continue
        lines += ["", f"## {level.value.capitalize()}", ""]
        for check in at_level:
            lines += _entry(check)
    return "\n".join(lines).rstrip() + "\n"


def _entry(check: Check) -> list[str]:
    spec = check.spec
    lines = [
        f"### `{spec.id}`",
        "",
        f"**{spec.title}** · pillar {spec.pillar.label} · level {spec.level.value} · "
        f"{_status(check)} · weight {spec.weight:g}",
        "",
    ]
    if spec.passes_when:
        lines += [f"*Passes when:* {spec.passes_when}.", ""]
    lines += [f"*Why it matters.* {spec.why}", "", f"*How to fix.* {spec.how_to_fix}", ""]
    for example in spec.examples:
        verdict = "passes" if example.passes else "fails"
        lines += [
            f"Example ({verdict}): {example.title}",
            "",
            f"```{example.language}",
            example.body.rstrip("\n"),
            "```",
            "",
        ]
    if spec.references:
        lines += ["References: " + ", ".join(f"<{r}>" for r in spec.references), ""]
    return lines
