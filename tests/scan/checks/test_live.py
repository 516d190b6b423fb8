"""The live.* checks on recorded result files: prodready load results (real ones
from the fixture corpus and small written ones), and the documented probe and
chaos result formats (their producers are not built yet)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prodready.scan.checks.base import Verdict
from prodready.scan.checks.live import (
    judge_chaos_steady_state,
    judge_health,
    judge_load_slo,
)
from prodready.scan.facts.view import Facts, ServiceScope, Thresholds
from prodready.scan.model import Outcome, Severity
from tests.scan.conftest import load_result, recent, threshold

REPOS = Path(__file__).resolve().parents[2] / "fixtures" / "repos"
FAILED_RUN = REPOS / "acc-go-heimdall-client" / "loadtest" / "results" / "fares-staging.json"
PASSED_RUN = REPOS / "acc-platinum-service" / "load" / "results" / "quotes-staging.json"


def fresh(path: Path) -> str:
    """A real recorded result, re-dated to yesterday so it is never stale."""
    doc = json.loads(path.read_text())
    doc["finished_at"] = recent()
    return json.dumps(doc)


def slo(files: dict[str, str], params: Thresholds | None = None) -> Verdict:
    return judge_load_slo(Facts.from_files(files, params=params))


# --------------------------------------------------------------------------- live.load-slo


def test_real_recorded_runs_pass_and_fail() -> None:
    passed = slo({"load/results/quotes-staging.json": fresh(PASSED_RUN)})
    assert (passed.outcome, passed.score, passed.findings) == (Outcome.PASS, 10.0, ())
    assert "quotes-staging: passed, p99 4.8 ms, success 100.00%" in (
        passed.evidence[0].detail or ""
    )
    failed = slo({"loadtest/results/fares-staging.json": fresh(FAILED_RUN)})
    assert (failed.outcome, failed.score) == (Outcome.FAIL, 0.0)
    assert [f.message for f in failed.findings] == [
        "fares-staging: threshold p99<50ms missed (actual 135.9 ms)",
        "fares-staging: threshold success>=99.5% missed (actual 95.40%)",
    ]
    assert {f.severity for f in failed.findings} == {Severity.HIGH}


def test_no_result_is_not_applicable() -> None:
    verdict = slo({"app.py": "print(1)\n", "results/other.json": '{"schema_version": "1"}'})
    assert verdict.outcome is Outcome.NOT_APPLICABLE


def test_unreadable_results_are_shown_not_judged() -> None:
    verdict = slo({"results/run.json": load_result(schema_version="2.0")})
    assert verdict.outcome is Outcome.NOT_APPLICABLE
    assert "schema_version '2.0' is not supported" in (verdict.evidence[0].detail or "")
    both = slo({"results/a.json": load_result(), "results/b.json": load_result()[:150]})
    assert both.outcome is Outcome.PASS
    assert [f.path for f in both.findings] == ["results/b.json"]
    assert both.findings[0].message.startswith("cannot judge this file: load result: invalid JSON")


def test_a_run_without_thresholds_proves_no_slo() -> None:
    verdict = slo({"results/run.json": load_result(thresholds=[])})
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 0.0)
    assert "declares no thresholds, so it proves no SLO" in verdict.findings[0].message


def test_a_run_with_only_a_latency_threshold_passes_with_less() -> None:
    only_latency = [threshold("p99<300ms", "ms", True, 120.0)]
    verdict = slo({"results/run.json": load_result(thresholds=only_latency)})
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 8.0)
    assert "declares no success-ratio threshold" in verdict.findings[0].message


def test_an_invalid_measurement_fails_with_its_reasons() -> None:
    verdict = slo(
        {
            "results/run.json": load_result(
                valid=False, passed=False, invalid_reasons=["the generator fell behind"]
            )
        }
    )
    assert verdict.outcome is Outcome.FAIL
    assert "not valid (the generator fell behind)" in verdict.findings[0].message


def test_the_latest_run_of_each_plan_is_judged() -> None:
    files = {
        "perf/orders-1.json": load_result(passed=False, finished_at=recent(5)),
        "perf/orders-2.json": load_result(finished_at=recent(1)),
    }
    assert slo(files).outcome is Outcome.PASS
    files["perf/orders-3.json"] = load_result(passed=False, finished_at=recent(0.5))
    assert slo(files).outcome is Outcome.FAIL


def test_stale_results_are_noted_and_cost_points() -> None:
    files = {"results/run.json": load_result(finished_at="2020-01-01T00:00:00Z")}
    verdict = slo(files)
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 8.0)
    assert "is stale" in verdict.findings[0].message
    assert verdict.findings[0].severity is Severity.LOW
    unknown = slo({"results/run.json": load_result(finished_at="yesterday")})
    assert "the age of this evidence is unknown" in unknown.findings[0].message
    assert unknown.score == 8.0
    assert slo(files, params=Thresholds(result_max_age_days=100_000)).findings == ()


def test_results_of_other_services_and_fixtures_are_not_read() -> None:
    facts = Facts.from_files(
        {
            "svc/a/app.py": "x = 1\n",
            "svc/b/results/run.json": load_result(passed=False),
            "svc/a/tests/fixtures/results/run.json": load_result(passed=False),
        }
    )
    view = Facts(facts.index, ServiceScope("a", "svc/a"))
    assert judge_load_slo(view).outcome is Outcome.NOT_APPLICABLE


# --------------------------------------------------------------------------- live.health


def probe(*endpoints: tuple[str, str, int | None, bool], **overrides: Any) -> str:
    doc: dict[str, Any] = {
        "schema_version": "1.0",
        "kind": "prodready/probe-result",
        "target": {"url": "https://orders.staging"},
        "finished_at": recent(),
        "endpoints": [
            {"role": role, "url": url, "status": status, "ok": ok}
            for role, url, status, ok in endpoints
        ],
    }
    doc.update(overrides)
    return json.dumps(doc)


HEALTHY = (
    ("readiness", "/readyz", 200, True),
    ("metrics", "/metrics", 200, True),
    ("api-spec", "/openapi.json", 200, True),
)


def health(files: dict[str, str]) -> Verdict:
    return judge_health(Facts.from_files(files))


def test_health_passes_when_every_role_answers() -> None:
    verdict = health({".prodready/results/probe.json": probe(*HEALTHY)})
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    assert len(verdict.evidence) == 3


def test_health_fails_for_each_role_not_answering() -> None:
    endpoints = (
        ("health", "/healthz", 200, True),
        ("metrics", "/metrics", 404, False),
    )
    verdict = health({".prodready/results/probe.json": probe(*endpoints)})
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 3.3)
    assert [f.message for f in verdict.findings] == [
        "metrics endpoint /metrics of https://orders.staging did not answer as expected "
        "(status 404)",
        "the probe of https://orders.staging found no api-spec endpoint",
    ]


def test_health_reads_the_latest_probe_and_is_not_applicable_without_one() -> None:
    files = {
        ".prodready/results/probe-old.json": probe(*HEALTHY[:1], finished_at=recent(3)),
        ".prodready/results/probe-new.json": probe(*HEALTHY, finished_at=recent(1)),
    }
    assert health(files).outcome is Outcome.PASS
    assert health({"app.py": "x = 1\n"}).outcome is Outcome.NOT_APPLICABLE
    broken = health({"probe/run.json": probe(*HEALTHY, endpoints="all good")})
    assert broken.outcome is Outcome.NOT_APPLICABLE
    assert "`endpoints` must be a list" in (broken.evidence[0].detail or "")


# ----------------------------------------------------------------- live.chaos-steady-state


def chaos_result(
    before: bool | None,
    during: bool | None,
    after: bool | None,
    injected: bool = True,
    **extra: Any,
) -> str:
    phases = {"before": before, "during": during, "after": after}
    doc: dict[str, Any] = {
        "schema_version": "1.0",
        "kind": "prodready/chaos-result",
        "name": "payments-latency",
        "finished_at": recent(),
        "faults": [{"name": "payments +2s", "injected": injected}],
        "steady_state": {k: v for k, v in phases.items() if v is not None},
    }
    doc.update(extra)
    return json.dumps(doc)


def steady(files: dict[str, str]) -> Verdict:
    return judge_chaos_steady_state(Facts.from_files(files))


def test_a_held_steady_state_passes() -> None:
    verdict = steady({"chaos/results/run.json": chaos_result(True, True, True)})
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    around_only = steady({"chaos/results/run.json": chaos_result(True, None, True)})
    assert around_only.outcome is Outcome.PASS


def test_a_broken_steady_state_fails_and_says_when() -> None:
    verdict = steady({"chaos/results/run.json": chaos_result(True, False, True)})
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 0.0)
    assert verdict.findings[0].message == (
        "payments-latency: the steady-state hypothesis did not hold under 1 injected faults "
        "(not met: during)"
    )


def test_an_experiment_that_injected_nothing_proves_nothing() -> None:
    verdict = steady({"chaos/results/run.json": chaos_result(True, True, True, injected=False)})
    assert verdict.outcome is Outcome.FAIL
    assert "no fault was injected" in verdict.findings[0].message


def test_chaos_results_are_optional() -> None:
    assert steady({"app.py": "x = 1\n"}).outcome is Outcome.NOT_APPLICABLE
    toolkit_journal = json.dumps({"chaoslib-version": "1.42", "status": "completed"})
    assert steady({"chaos/journal.json": toolkit_journal}).outcome is Outcome.NOT_APPLICABLE
