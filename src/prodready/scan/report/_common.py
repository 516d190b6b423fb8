"""Small helpers shared by the report renderers."""

from __future__ import annotations

from collections.abc import Iterator

from prodready.scan.model import CheckResult, Finding, Level, Outcome, Pillar, ServiceResult

OUTCOME_ORDER = {
    Outcome.ERROR: 0,
    Outcome.FAIL: 1,
    Outcome.EXEMPT: 2,
    Outcome.PASS: 3,
    Outcome.NOT_APPLICABLE: 4,
}
OUTCOME_LABEL = {
    Outcome.PASS: "pass",
    Outcome.FAIL: "FAIL",
    Outcome.NOT_APPLICABLE: "n/a",
    Outcome.ERROR: "ERROR",
    Outcome.EXEMPT: "exempt",
}
OUTCOME_ICON = {
    Outcome.PASS: "✓",
    Outcome.FAIL: "✗",
    Outcome.NOT_APPLICABLE: "·",
    Outcome.ERROR: "!",
    Outcome.EXEMPT: "~",
}
TOP_FINDINGS = 3


def level_name(level: Level | None) -> str:
    return level.value.capitalize() if level is not None else "none"


def score_text(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.1f}"


def location(item: Finding) -> str:
    if not item.path:
        return ""
    return f"{item.path}:{item.line}" if item.line else item.path


def by_pillar(service: ServiceResult) -> Iterator[tuple[Pillar, list[CheckResult]]]:
    """Checks grouped by pillar, pillars in model order, checks in catalogue order."""
    for pillar in Pillar:
        checks = [c for c in service.checks if c.pillar is pillar]
        if checks:
            yield pillar, checks


def needs_attention(check: CheckResult) -> bool:
    return check.outcome in (Outcome.FAIL, Outcome.ERROR)


def planned_ids(policy: dict[str, object]) -> list[str]:
    planned = policy.get("planned", [])
    return [str(p) for p in planned] if isinstance(planned, list) else []
