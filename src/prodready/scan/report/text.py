"""The terminal report: Rich, grouped by pillar, explaining the score.

For each service: score and level, every check grouped by pillar, and for
each failing check its summary, its top findings (file:line) and how to fix
it; then the fixes that would raise the score most and what blocks the next
level. Content from the scanned repository is never interpreted as Rich
markup (it is passed as ``Text``), so a file named ``[bold]`` prints as is.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from prodready.scan.model import CheckResult, Level, Outcome, ScanResult, ServiceResult
from prodready.scan.report._common import (
    OUTCOME_ICON,
    OUTCOME_LABEL,
    TOP_FINDINGS,
    by_pillar,
    level_name,
    location,
    needs_attention,
    planned_ids,
    score_text,
)

_OUTCOME_STYLE = {
    Outcome.PASS: "green",
    Outcome.FAIL: "red",
    Outcome.ERROR: "bold red",
    Outcome.EXEMPT: "yellow",
    Outcome.NOT_APPLICABLE: "dim",
}
WIDTH = 100


def render(result: ScanResult, *, width: int = WIDTH) -> str:
    """The report as plain text (no colours): for files and golden tests."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system=None,
        force_terminal=False,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
    )
    print_report(result, console)
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def print_report(result: ScanResult, console: Console) -> None:
    repo = result.repository
    where = repo.root
    if repo.branch or repo.commit:
        where += f" ({repo.branch or 'detached'} @ {(repo.commit or 'unknown')[:12]})"
    header = Text()
    header.append(f"prodready {result.tool.version}", style="bold")
    header.append(f"  {where}")
    console.print(header)
    console.print(
        Text(
            f"{repo.files_scanned:,} files scanned, {repo.files_skipped:,} skipped, "
            f"in {result.duration_seconds:.2f} s"
        ),
        style="dim",
    )
    if len(result.services) > 1:
        console.print()
        console.print(_headline("Repository", result.score, result.level, result.next_level))
        for service in result.services:
            line = Text("  ")
            line.append(f"{service.name:<30} ", style="bold")
            line.append(f"{service.path:<30} {score_text(service.score):>6}  ")
            line.append(level_name(service.level))
            console.print(line)
    for service in result.services:
        console.print()
        _print_service(service, console)
    planned = planned_ids(result.policy)
    if planned:
        console.print()
        console.print(
            Text(
                f"Not assessed yet ({len(planned)} checks planned in prodready "
                f"{result.tool.version}; they are not scored and block the levels they "
                f"belong to): {', '.join(planned)}",
                style="dim",
            )
        )
    if result.warnings:
        console.print()
        console.print(Text(f"Warnings ({len(result.warnings)})", style="bold yellow"))
        for warning in result.warnings:
            where = f"{warning.path}:{warning.line}" if warning.path and warning.line else ""
            where = where or warning.path or ""
            line = Text(f"  [{warning.code}] ")
            line.append(f"{where}: " if where else "")
            line.append(warning.message)
            console.print(line)


def _headline(
    label: str, score: float | None, level: Level | None, next_level: Level | None
) -> Text:
    text = Text()
    text.append(f"{label}: ", style="bold")
    shown = "n/a" if score is None else f"{score:.1f}/100"
    text.append(f"score {shown}", style="bold cyan")
    text.append(f"  level {level_name(level)}  ")
    if next_level is not None:
        text.append(f"next {level_name(next_level)}")
    return text


def _print_service(service: ServiceResult, console: Console) -> None:
    title = Text()
    title.append(f"Service {service.name}", style="bold underline")
    details = [f"path {service.path}"]
    if service.languages:
        details.append(", ".join(service.languages))
    if service.owner:
        details.append(f"owner {service.owner}")
    if service.tier is not None:
        details.append(f"tier {service.tier}")
    title.append("  " + " · ".join(details), style="dim")
    console.print(title)
    console.print(_headline("Readiness", service.score, service.level, service.next_level))
    pillar_scores = {p.pillar: p for p in service.pillars}
    for pillar, checks in by_pillar(service):
        console.print()
        score = pillar_scores.get(pillar)
        head = Text()
        head.append(f"{pillar.label}", style="bold")
        if score is not None:
            shown = "n/a" if score.score is None else f"{score.score:.1f}/100"
            head.append(f"  {shown}  ({score.passed}/{score.applicable} passed)", style="cyan")
        console.print(head)
        for check in checks:
            _print_check(check, console)
    if service.top_fixes:
        console.print()
        console.print(Text("Top fixes (what would raise the score most)", style="bold"))
        for rank, fix in enumerate(service.top_fixes, 1):
            line = Text(f"  {rank}. ")
            line.append(f"+{fix.gain:.1f}", style="green")
            line.append(f"  {fix.check}  {fix.title}")
            console.print(line)
    if service.next_level is not None and service.blockers:
        console.print()
        line = Text(f"Blocking {level_name(service.next_level)}: ", style="bold")
        line.append(", ".join(service.blockers), style="")
        console.print(line)


def _detail(console: Console, text: Text) -> None:
    """A detail line under a check, wrapped lines keeping the indent."""
    console.print(Padding(text, (0, 0, 0, 6)))


def _print_check(check: CheckResult, console: Console) -> None:
    style = _OUTCOME_STYLE[check.outcome]
    row = Table.grid(padding=(0, 1))
    row.add_column(width=9, no_wrap=True)
    row.add_column(width=26, no_wrap=True)
    row.add_column(width=5, justify="right", no_wrap=True)
    row.add_column(ratio=1)
    row.add_row(
        Text(f"{OUTCOME_ICON[check.outcome]} {OUTCOME_LABEL[check.outcome]}", style=style),
        Text(check.id, style="bold" if needs_attention(check) else ""),
        Text(score_text(check.score)),
        Text(check.title),
    )
    console.print(Padding(row, (0, 0, 0, 2)))
    if check.outcome is Outcome.PASS or check.outcome is Outcome.NOT_APPLICABLE:
        if check.summary and check.outcome is Outcome.NOT_APPLICABLE:
            _detail(console, Text(check.summary, style="dim"))
        return
    if check.summary:
        _detail(console, Text(check.summary))
    if check.error and check.error not in check.summary:
        _detail(console, Text(f"error: {check.error}", style="red"))
    for item in check.findings[:TOP_FINDINGS]:
        where = location(item)
        text = Text("→ ")
        if where:
            text.append(f"{where}  ", style="cyan")
        text.append(item.message)
        _detail(console, text)
    hidden = check.findings_total - min(len(check.findings), TOP_FINDINGS)
    if hidden > 0:
        _detail(console, Text(f"… and {hidden} more findings", style="dim"))
    if check.exemption is not None:
        state = "EXPIRED " if check.exemption.expired else ""
        until = f" until {check.exemption.expires}" if check.exemption.expires else ""
        _detail(console, Text(f"{state}exemption{until}: {check.exemption.reason}", style="yellow"))
    if needs_attention(check) and check.how_to_fix:
        _detail(console, Text(f"fix: {check.how_to_fix}", style="dim"))
