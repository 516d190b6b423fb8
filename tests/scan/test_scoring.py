"""Scoring: weighted means, levels, top fixes, blockers, the repository as a whole."""

from __future__ import annotations

import pytest

from prodready.scan.model import CheckResult, Level, Outcome, Pillar, ServiceResult
from prodready.scan.scoring import (
    Planned,
    levels,
    pillar_scores,
    score_repository,
    score_service,
    top_fixes,
)


def result(
    check_id: str,
    outcome: Outcome,
    score: float | None = None,
    *,
    level: Level = Level.BRONZE,
    weight: float = 1.0,
) -> CheckResult:
    if score is None and outcome in (Outcome.PASS, Outcome.FAIL):
        score = 10.0 if outcome is Outcome.PASS else 0.0
    return CheckResult(
        id=check_id,
        pillar=Pillar(check_id.split(".")[0]),
        level=level,
        title=check_id,
        outcome=outcome,
        score=score,
        weight=weight,
        how_to_fix=f"fix {check_id}",
    )


def test_pillar_score_is_the_weighted_mean_times_ten() -> None:
    results = [
        result("test.unit", Outcome.PASS, 10, weight=3),
        result("test.in-ci", Outcome.FAIL, 2, weight=1),
        result("test.load", Outcome.NOT_APPLICABLE, level=Level.GOLD),
        result("test.bdd", Outcome.ERROR, level=Level.GOLD),
        result("test.contract", Outcome.EXEMPT, level=Level.GOLD),
    ]
    [pillar] = pillar_scores(results)
    assert pillar.score == pytest.approx((10 * 3 + 2 * 1) / 4 * 10)
    assert (pillar.passed, pillar.failed, pillar.applicable) == (1, 2, 3)


def test_a_pillar_with_nothing_scored_has_no_score_and_is_left_out_of_the_mean() -> None:
    results = [
        result("doc.readme", Outcome.PASS, 8),
        result("res.health-endpoint", Outcome.NOT_APPLICABLE),
    ]
    scored = score_service(results)
    by_pillar = {p.pillar: p.score for p in scored.pillars}
    assert by_pillar == {Pillar.RESILIENCE: None, Pillar.DOCUMENTATION: 80.0}
    assert scored.score == 80.0


def test_service_score_uses_pillar_weights() -> None:
    results = [
        result("doc.readme", Outcome.PASS, 10),
        result("sec.no-hardcoded-secrets", Outcome.FAIL, 0),
    ]
    assert score_service(results).score == 50.0
    assert score_service(results, {Pillar.SECURITY: 3.0}).score == 25.0
    assert score_service(results, {Pillar.SECURITY: 0.0}).score == 100.0


def test_zero_weights_everywhere_means_no_score() -> None:
    assert score_service([result("doc.readme", Outcome.PASS, weight=0)]).score is None


def test_levels_need_every_check_at_and_below_to_pass_or_be_exempt() -> None:
    results = [
        result("doc.readme", Outcome.PASS),
        result("sec.no-hardcoded-secrets", Outcome.EXEMPT),
        result("res.health-endpoint", Outcome.NOT_APPLICABLE),
        result("obs.metrics", Outcome.PASS, level=Level.SILVER),
        result("obs.tracing", Outcome.FAIL, 3, level=Level.GOLD),
        result("test.chaos", Outcome.PASS, level=Level.PLATINUM),
    ]
    assert levels(results) == (Level.SILVER, Level.GOLD, ["obs.tracing"])


def test_errors_and_planned_checks_block_levels() -> None:
    results = [result("doc.readme", Outcome.ERROR)]
    assert levels(results) == (None, Level.BRONZE, ["doc.readme"])
    passing = [result("doc.readme", Outcome.PASS)]
    planned = [Planned("obs.metrics", Level.SILVER)]
    assert levels(passing, planned) == (Level.BRONZE, Level.SILVER, ["obs.metrics"])
    every_level = [result("doc.readme", Outcome.PASS, level=lvl) for lvl in Level]
    assert levels(every_level) == (Level.PLATINUM, None, [])


def test_top_fixes_rank_by_gain() -> None:
    results = [
        result("doc.readme", Outcome.FAIL, 0),
        result("doc.adr", Outcome.FAIL, 8, level=Level.GOLD),
        result("sec.no-hardcoded-secrets", Outcome.FAIL, 2),
        result("test.unit", Outcome.PASS, 10),
        result("test.in-ci", Outcome.ERROR),
    ]
    fixes = top_fixes(results)
    assert [f.check for f in fixes] == ["sec.no-hardcoded-secrets", "doc.readme", "doc.adr"]
    # fixing sec takes its pillar 20 -> 100: the mean of three pillars rises by 26.7
    assert [f.gain for f in fixes] == pytest.approx([26.7, 16.7, 3.3])
    assert fixes[0].how_to_fix == "fix sec.no-hardcoded-secrets"
    assert len(top_fixes(results, limit=1)) == 1


def service(name: str, results: list[CheckResult]) -> ServiceResult:
    scored = score_service(results)
    return ServiceResult(
        name=name,
        path=name,
        score=scored.score,
        level=scored.level,
        next_level=scored.next_level,
        blockers=scored.blockers,
        pillars=scored.pillars,
        checks=results,
    )


def test_the_repository_is_the_mean_of_its_services_and_the_lowest_level() -> None:
    good = service(
        "a",
        [
            result("doc.readme", Outcome.PASS),
            result("obs.metrics", Outcome.PASS, level=Level.SILVER),
        ],
    )
    weak = service(
        "b",
        [
            result("doc.readme", Outcome.PASS, 6),
            result("obs.metrics", Outcome.FAIL, 2, level=Level.SILVER),
        ],
    )
    repo = score_repository([good, weak])
    assert repo.score == pytest.approx((100 + 40) / 2)
    assert repo.level is Level.BRONZE
    assert repo.next_level is Level.SILVER
    assert repo.blockers == ["obs.metrics"]
    documentation = next(p for p in repo.pillars if p.pillar is Pillar.DOCUMENTATION)
    assert documentation.score == 80.0
    assert documentation.passed == 2


def test_one_service_is_the_repository() -> None:
    only = service("a", [result("doc.readme", Outcome.FAIL, 4)])
    repo = score_repository([only])
    assert (repo.score, repo.level, repo.next_level, repo.blockers) == (
        40.0,
        None,
        Level.BRONZE,
        ["doc.readme"],
    )


def test_a_repository_with_an_unlevelled_service_has_no_level() -> None:
    a = service("a", [result("doc.readme", Outcome.PASS)])
    b = service("b", [result("doc.readme", Outcome.FAIL)])
    repo = score_repository([a, b])
    assert repo.level is None
    assert repo.next_level is Level.BRONZE
    assert repo.blockers == ["doc.readme"]
