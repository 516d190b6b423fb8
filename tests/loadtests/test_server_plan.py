"""The committed load test of prodready's own server, and its recorded result.

``loadtests/server-read.yaml`` is run by ``scripts/loadtest-server.sh``
(``make loadtest-server``), which writes ``loadtests/results/server-read.json``:
the evidence the self-scan's ``test.load`` and ``live.load-slo`` checks read.
These tests start no server; they catch a plan that no longer loads, a result
file that no longer matches the schema, and a result that is stale with
respect to the plan (thresholds tightened, targets or profile changed, without
running the load test again).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from prodready.load import (
    LoadResult,
    ResolvedPlan,
    apply_thresholds,
    build_profile,
    load_plan,
    load_result_json_schema,
    read_result,
)
from prodready.server.sample import CATALOG, fleet

PLAN = "loadtests/server-read.yaml"
RESULT = "loadtests/results/server-read.json"
SCRIPT = "scripts/loadtest-server.sh"


@pytest.fixture(scope="module")
def plan(repo_root: Path) -> ResolvedPlan:
    return load_plan(repo_root / PLAN)


@pytest.fixture(scope="module")
def result(repo_root: Path) -> LoadResult:
    return read_result(repo_root / RESULT)


def _path_and_weight(url: str, weight: int) -> tuple[str, int]:
    """A target without its port: the script rewrites the plan's port."""
    return urlsplit(url).path, weight


def test_the_plan_is_a_bounded_read_mix_against_loopback(plan: ResolvedPlan) -> None:
    assert plan.plan.name == "prodready-serve-read"
    assert plan.targets, "the plan has no targets"
    for target in plan.targets:
        assert target.method == "GET", target.url
        # The script rewrites exactly this origin to the server it started.
        assert target.url.startswith("http://127.0.0.1:8000/"), target.url
    profile = build_profile(plan.stages)
    assert 0 < profile.duration <= 120
    assert profile.peak_rate <= 100, "the 2-core CI machine also runs the server"
    metrics = {t.metric for t in plan.thresholds}
    assert any(re.fullmatch(r"p\d+(\.\d+)?", m) for m in metrics), metrics
    assert "success" in metrics, metrics


def test_the_pages_the_plan_reads_exist_in_the_seeded_fleet(
    plan: ResolvedPlan, repo_root: Path
) -> None:
    """The script seeds ``LOADTEST_SERVICES`` services (``fleet``'s names) and
    the sample catalogue's checks: every service or check the plan requests
    must be among them, else the run measures 404s."""
    script = (repo_root / SCRIPT).read_text(encoding="utf-8")
    seeded = re.search(r"LOADTEST_SERVICES:-(\d+)", script)
    assert seeded is not None, f"{SCRIPT} no longer sets a default fleet size"
    names = {state.name for state in fleet(int(seeded.group(1)), teams=1)}
    checks = {check.id for check in CATALOG}
    for target in plan.targets:
        path = urlsplit(target.url).path
        if service := re.fullmatch(r"(?:/api/v1)?/services/([^/]+)", path):
            assert service.group(1) in names, path
        if check := re.fullmatch(r"(?:/api/v1)?/checks/([^/]+)", path):
            assert check.group(1) in checks, path


def test_the_result_validates_against_the_published_schema(repo_root: Path) -> None:
    document = json.loads((repo_root / RESULT).read_text(encoding="utf-8"))
    jsonschema.validate(document, load_result_json_schema())
    assert document["schema_version"].startswith("1.")
    assert document["source"]["format"] == "prodready", "measured by prodready, not imported"


def test_the_result_is_a_run_of_this_plan(plan: ResolvedPlan, result: LoadResult) -> None:
    assert result.name == plan.plan.name
    assert result.profile is not None
    assert result.profile.planned_requests == build_profile(plan.stages).planned_requests
    recorded = sorted(_path_and_weight(t.url, t.weight) for t in result.target.targets)
    planned = sorted(_path_and_weight(t.url, t.weight) for t in plan.targets)
    assert recorded == planned, "the plan's targets changed: run `make loadtest-server`"
    assert {urlsplit(t.url).hostname for t in result.target.targets} == {"127.0.0.1"}
    assert [t.expression for t in result.thresholds] == [t.expression for t in plan.thresholds]


def test_the_result_meets_the_plans_thresholds(plan: ResolvedPlan, result: LoadResult) -> None:
    assert result.valid, result.invalid_reasons
    assert result.requests.completed == result.requests.planned
    # Re-evaluated from the stored histograms, not taken from the file's verdict.
    judged = apply_thresholds(result, plan.thresholds)
    failed = [f"{t.expression} (actual {t.actual})" for t in judged.thresholds if not t.passed]
    assert not failed, f"the recorded run misses the plan's thresholds: {failed}"
    assert judged.passed
    assert result.passed
