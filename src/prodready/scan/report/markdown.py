"""Markdown for a pull-request comment: compact, the failing checks first.

Everything that comes from the scanned repository is escaped: code hosts
render HTML inside Markdown, so a finding must not be able to inject markup
(``<``, ``>``, ``&``) or break a table (``|``).
"""

from __future__ import annotations

from prodready.scan.model import CheckResult, Outcome, ScanResult, ServiceResult
from prodready.scan.report._common import (
    OUTCOME_ORDER,
    TOP_FINDINGS,
    level_name,
    location,
    needs_attention,
    planned_ids,
    score_text,
)

_ICON = {
    Outcome.PASS: "✅",
    Outcome.FAIL: "❌",
    Outcome.ERROR: "⚠️",
    Outcome.EXEMPT: "🔕",
    Outcome.NOT_APPLICABLE: "⚪",
}


def escape(text: str) -> str:
    """Neutralise Markdown/HTML-significant characters of untrusted text."""
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = out.replace("|", "\\|").replace("`", "'").replace("\r", " ").replace("\n", " ")
    for char in "*_[]#":
        out = out.replace(char, "\\" + char)
    return out


def trusted(text: str) -> str:
    """Check metadata (ours or a plugin's) may use Markdown, never raw HTML."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code(text: str) -> str:
    """Inline code for untrusted text (backticks cannot be escaped inside, so
    they are replaced)."""
    cleaned = text.replace("`", "'").replace("\n", " ").replace("|", "\\|")
    return f"`{cleaned}`"


def render(result: ScanResult) -> str:
    lines = [
        f"## prodready: {score_text(result.score)}/100 · level {level_name(result.level)}",
        "",
    ]
    if result.next_level is not None and result.blockers:
        blockers = ", ".join(code(b) for b in result.blockers)
        lines += [f"**Blocking {level_name(result.next_level)}:** {blockers}", ""]
    if len(result.services) > 1:
        lines += ["| Service | Path | Score | Level |", "|---|---|---:|---|"]
        for service in result.services:
            lines.append(
                f"| {escape(service.name)} | {code(service.path)} | "
                f"{score_text(service.score)} | {level_name(service.level)} |"
            )
        lines.append("")
    for service in result.services:
        lines += _service(service, heading=len(result.services) > 1)
    planned = planned_ids(result.policy)
    if planned:
        lines += [
            f"<sub>{len(planned)} checks are planned and not assessed by prodready "
            f"{escape(result.tool.version)}.</sub>",
            "",
        ]
    if result.warnings:
        lines.append(
            f"<sub>{len(result.warnings)} scan warnings (files skipped or not parsed).</sub>"
        )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _service(service: ServiceResult, *, heading: bool) -> list[str]:
    lines: list[str] = []
    if heading:
        lines += [
            f"### {escape(service.name)} ({code(service.path)}): "
            f"{score_text(service.score)}/100 · {level_name(service.level)}",
            "",
        ]
    lines += ["| Pillar | Score | Passed |", "|---|---:|---:|"]
    for pillar in service.pillars:
        lines.append(
            f"| {pillar.title} | {score_text(pillar.score)} | {pillar.passed}/{pillar.applicable} |"
        )
    lines.append("")
    failing = sorted(
        (c for c in service.checks if needs_attention(c)),
        key=lambda c: (OUTCOME_ORDER[c.outcome], c.level.rank, c.id),
    )
    if failing:
        lines += [f"**Failing checks ({len(failing)})**", ""]
        for check in failing:
            lines += _check(check)
        lines.append("")
    if service.top_fixes:
        lines += ["**Top fixes**", ""]
        for rank, fix in enumerate(service.top_fixes, 1):
            lines.append(f"{rank}. {code(fix.check)} (+{fix.gain:.1f}): {trusted(fix.how_to_fix)}")
        lines.append("")
    others = [c for c in service.checks if not needs_attention(c)]
    if others:
        lines += [
            f"<details><summary>{len(others)} other checks</summary>",
            "",
            "| | Check | Score | Summary |",
            "|---|---|---:|---|",
        ]
        for check in others:
            lines.append(
                f"| {_ICON[check.outcome]} | {code(check.id)} | {score_text(check.score)} | "
                f"{escape(check.summary)} |"
            )
        lines += ["", "</details>", ""]
    return lines


def _check(check: CheckResult) -> list[str]:
    score = f" ({score_text(check.score)}/10)" if check.score is not None else ""
    lines = [
        f"- {_ICON[check.outcome]} {code(check.id)} **{trusted(check.title)}**{score}: "
        f"{escape(check.summary)}"
    ]
    for item in check.findings[:TOP_FINDINGS]:
        where = location(item)
        prefix = f"{code(where)} " if where else ""
        lines.append(f"  - {prefix}{escape(item.message)}")
    if check.findings_total > TOP_FINDINGS:
        lines.append(f"  - … and {check.findings_total - TOP_FINDINGS} more")
    return lines
