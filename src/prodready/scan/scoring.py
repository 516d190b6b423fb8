"""From check results to scores and levels: policy, kept apart from the checks.

- A **check** scores 0-10 (None when not applicable, errored or exempt).
- A **pillar** scores the weighted mean of its scored checks x 10 (0-100);
  None when none of its checks is scored.
- A **service** scores the weighted mean of its scored pillars (0-100).
- A **level** is reached when every check at that level and below passes,
  is not applicable or is exempt. A failing or erroring check blocks it, and
  so does a *planned* check (known to the catalogue but not judged by this
  version): a level cannot be claimed on checks nobody ran.
- **Top fixes**: the failing checks whose passing would raise the service
  score most, with the gain in points.
- **Blockers**: the checks that stop the next level.
- The **repository** as a whole: the mean of its services' scores and pillar
  scores, the lowest of their levels, and the union of their blockers.

See docs/adr/0004-scoring-model.md for why it is a weighted mean, and why
errors and exemptions leave the mean rather than counting as 0 or 10.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from prodready.scan.model import (
    CheckResult,
    Fix,
    Level,
    Outcome,
    Pillar,
    PillarScore,
    ServiceResult,
)

TOP_FIXES = 5
_BLOCKING = (Outcome.FAIL, Outcome.ERROR)


@dataclass(frozen=True, slots=True)
class ServiceScore:
    score: float | None
    level: Level | None
    next_level: Level | None
    blockers: list[str]
    top_fixes: list[Fix]
    pillars: list[PillarScore]


@dataclass(frozen=True, slots=True)
class Planned:
    """A catalogue check this version does not judge yet."""

    id: str
    level: Level


@dataclass(frozen=True, slots=True)
class RepositoryScore:
    score: float | None
    level: Level | None
    next_level: Level | None
    blockers: list[str] = field(default_factory=list)
    pillars: list[PillarScore] = field(default_factory=list)


def _weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    total = weights = 0.0
    for value, weight in pairs:
        total += value * weight
        weights += weight
    return total / weights if weights > 0 else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(min(100.0, max(0.0, value)), 1)


def pillar_scores(
    results: Sequence[CheckResult], pillar_weights: Mapping[Pillar, float] | None = None
) -> list[PillarScore]:
    """One ``PillarScore`` per pillar that has at least one result, in pillar order."""
    weights = pillar_weights or {}
    scores = []
    for pillar in Pillar:
        mine = [r for r in results if r.pillar is pillar]
        if not mine:
            continue
        scored = [(r.score, r.weight) for r in mine if r.score is not None]
        mean = _weighted_mean(scored)
        scores.append(
            PillarScore(
                pillar=pillar,
                title=pillar.label,
                score=_round(mean * 10 if mean is not None else None),
                weight=weights.get(pillar, 1.0),
                passed=sum(1 for r in mine if r.outcome is Outcome.PASS),
                failed=sum(1 for r in mine if r.outcome in _BLOCKING),
                applicable=sum(1 for r in mine if r.outcome in (Outcome.PASS, *_BLOCKING)),
            )
        )
    return scores


def _service_mean(pillars: Sequence[PillarScore]) -> float | None:
    return _weighted_mean((p.score, p.weight) for p in pillars if p.score is not None)


def levels(
    results: Sequence[CheckResult], planned: Sequence[Planned] = ()
) -> tuple[Level | None, Level | None, list[str]]:
    """(level reached, next level, ids blocking the next level)."""
    reached: Level | None = None
    for level in Level:
        blocking = sorted(
            {r.id for r in results if r.level is level and r.outcome in _BLOCKING}
            | {p.id for p in planned if p.level is level}
        )
        if blocking:
            return reached, level, blocking
        reached = level
    return reached, None, []


def top_fixes(
    results: Sequence[CheckResult],
    pillar_weights: Mapping[Pillar, float] | None = None,
    limit: int = TOP_FIXES,
) -> list[Fix]:
    """The failing checks whose passing would raise the service score most."""
    current = _service_mean(pillar_scores(results, pillar_weights))
    fixes = []
    for index, result in enumerate(results):
        if result.outcome is not Outcome.FAIL or result.score is None or result.score >= 10:
            continue
        improved = list(results)
        improved[index] = result.model_copy(update={"score": 10.0, "outcome": Outcome.PASS})
        better = _service_mean(pillar_scores(improved, pillar_weights))
        gain = (better or 0.0) - (current or 0.0)
        if gain > 0.05:
            fixes.append(
                (
                    -round(gain, 1),
                    result.level.rank,
                    result.id,
                    Fix(
                        check=result.id,
                        title=result.title,
                        gain=round(gain, 1),
                        how_to_fix=result.how_to_fix,
                    ),
                )
            )
    fixes.sort(key=lambda item: item[:3])
    return [item[3] for item in fixes[:limit]]


def score_service(
    results: Sequence[CheckResult],
    pillar_weights: Mapping[Pillar, float] | None = None,
    planned: Sequence[Planned] = (),
) -> ServiceScore:
    pillars = pillar_scores(results, pillar_weights)
    level, next_level, blockers = levels(results, planned)
    return ServiceScore(
        score=_round(_service_mean(pillars)),
        level=level,
        next_level=next_level,
        blockers=blockers,
        top_fixes=top_fixes(results, pillar_weights),
        pillars=pillars,
    )


def score_repository(services: Sequence[ServiceResult]) -> RepositoryScore:
    """The repository as a whole, from its services (each counts equally)."""
    if len(services) == 1:
        only = services[0]
        return RepositoryScore(
            only.score, only.level, only.next_level, list(only.blockers), list(only.pillars)
        )
    scored = [s.score for s in services if s.score is not None]
    score = _round(sum(scored) / len(scored)) if scored else None
    reached = [s.level for s in services]
    level: Level | None = None
    if reached and all(lvl is not None for lvl in reached):
        level = min((lvl for lvl in reached if lvl is not None), key=lambda lvl: lvl.rank)
    order = list(Level)
    next_level = (
        order[0] if level is None else (order[level.rank] if level.rank < len(order) else None)
    )
    blockers: set[str] = set()
    if next_level is not None:
        for service in services:
            for check in service.checks:
                if check.level.rank <= next_level.rank and check.outcome in _BLOCKING:
                    blockers.add(check.id)
            if service.next_level is not None and service.next_level.rank <= next_level.rank:
                blockers.update(service.blockers)
    pillars = []
    for pillar in Pillar:
        mine = [p for s in services for p in s.pillars if p.pillar is pillar]
        if not mine:
            continue
        values = [p.score for p in mine if p.score is not None]
        pillars.append(
            PillarScore(
                pillar=pillar,
                title=pillar.label,
                score=_round(sum(values) / len(values)) if values else None,
                weight=mine[0].weight,
                passed=sum(p.passed for p in mine),
                failed=sum(p.failed for p in mine),
                applicable=sum(p.applicable for p in mine),
            )
        )
    return RepositoryScore(score, level, next_level, sorted(blockers), pillars)
