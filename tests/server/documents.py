"""Small, hand-shaped scan documents for tests (built with the scan model, so
they are valid by construction unless a test breaks them on purpose)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from prodready.scan.model import (
    CheckResult,
    Finding,
    Level,
    Outcome,
    Pillar,
    PillarScore,
    Repository,
    ScanResult,
    ServiceResult,
    Tool,
)

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

_CHECKS: list[tuple[str, Pillar, Level, str]] = [
    ("doc.readme", Pillar.DOCUMENTATION, Level.BRONZE, "README says how to run and test"),
    ("test.unit", Pillar.TESTING, Level.BRONZE, "Unit tests"),
    ("res.timeouts", Pillar.RESILIENCE, Level.SILVER, "Every outbound call has a timeout"),
    ("obs.metrics", Pillar.OBSERVABILITY, Level.SILVER, "Metrics instrumented"),
    ("res.retries", Pillar.RESILIENCE, Level.GOLD, "Retries with backoff"),
]


def service(
    name: str,
    *,
    team: str | None = "payments",
    score: float | None = 80.0,
    level: Level | None = Level.BRONZE,
    failing: tuple[str, ...] = ("res.timeouts",),
    tier: int | None = 1,
) -> ServiceResult:
    checks = []
    for check_id, pillar, check_level, title in _CHECKS:
        fails = check_id in failing
        checks.append(
            CheckResult(
                id=check_id,
                pillar=pillar,
                level=check_level,
                title=title,
                outcome=Outcome.FAIL if fails else Outcome.PASS,
                score=2.0 if fails else 10.0,
                how_to_fix=f"Fix {check_id}.",
                findings=(
                    [Finding(message=f"{check_id} missing", path="app/main.py", line=12)]
                    if fails
                    else []
                ),
                findings_total=1 if fails else 0,
            )
        )
    pillars = [
        PillarScore(pillar=Pillar.RESILIENCE, title="Resilience", score=score),
        PillarScore(pillar=Pillar.DOCUMENTATION, title="Documentation", score=100.0),
    ]
    return ServiceResult(
        name=name,
        team=team,
        owner=f"team-{team}" if team else None,
        tier=tier,
        score=score,
        level=level,
        next_level=Level.SILVER if level == Level.BRONZE else None,
        blockers=[c for c in failing if c in {"res.timeouts", "obs.metrics"}],
        pillars=pillars,
        checks=checks,
    )


def document(
    *services: ServiceResult,
    at: datetime = T0,
    commit: str = "abc123",
    version: str = "0.1.0",
) -> dict[str, Any]:
    result = ScanResult(
        tool=Tool(version=version),
        repository=Repository(root="/src", commit=commit, branch="main"),
        started_at=at - timedelta(seconds=3),
        finished_at=at,
        duration_seconds=3.0,
        score=services[0].score,
        level=services[0].level,
        services=list(services),
    )
    return result.model_dump(mode="json")


def one(name: str = "payments-api", *, at: datetime = T0, **kwargs: Any) -> dict[str, Any]:
    """A one-service document; ``kwargs`` go to ``service``."""
    commit = kwargs.pop("commit", "abc123")
    return document(service(name, **kwargs), at=at, commit=commit)
