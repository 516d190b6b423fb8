"""Recorded results (facts.results): which files are looked at, how load, probe
and chaos results are recognised by content, and how broken ones are reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prodready.scan.facts.results import (
    collect_results,
    is_result_candidate,
)
from prodready.scan.facts.view import Facts, ServiceScope

REPOS = Path(__file__).resolve().parents[2] / "fixtures" / "repos"
HEIMDALL_RESULT = REPOS / "acc-go-heimdall-client" / "loadtest" / "results" / "fares-staging.json"
SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "schema" / "load-result.schema.json"


def load_result(**overrides: Any) -> str:
    doc: dict[str, Any] = {
        "schema_version": "1.0",
        "tool": {"name": "prodready", "version": "0.1.0", "engine": "prodready"},
        "name": "checkout",
        "finished_at": "2026-11-20T10:00:00Z",
        "target": {"url": "http://checkout.staging/v1/checkout"},
        "requests": {"sent": 100, "completed": 100},
        "latency": {"intended": {"p99_ms": 80.0}},
        "success_ratio": 1.0,
        "thresholds": [
            {"expression": "p99<300ms", "unit": "ms", "passed": True, "actual": 80.0},
        ],
        "valid": True,
        "passed": True,
    }
    doc.update(overrides)
    return json.dumps(doc)


def test_candidates_are_filtered_by_name_before_anything_is_parsed() -> None:
    assert is_result_candidate("loadtest/results/run.json")
    assert is_result_candidate(".prodready/results/probe.json")
    assert is_result_candidate("perf/checkout.json")
    assert is_result_candidate("load-result-2026-11-01.json")
    assert not is_result_candidate("src/schema.json")
    assert not is_result_candidate("package.json")
    assert not is_result_candidate("results/run.yaml")
    assert not is_result_candidate("tests/fixtures/load/results/run.json")


def test_a_real_prodready_load_result_is_read() -> None:
    facts = Facts.from_files({"loadtest/results/fares.json": HEIMDALL_RESULT.read_text()})
    (run,) = collect_results(facts).load
    assert (run.name, run.passed, run.valid) == ("fares-staging", False, True)
    assert [(t.expression, t.unit, t.passed) for t in run.thresholds] == [
        ("p99<50ms", "ms", False),
        ("success>=99.5%", "ratio", False),
    ]
    assert run.p99_ms == 135.935
    assert run.success_ratio == 0.954
    assert run.finished_at is not None
    assert run.finished_at.year == 2026
    assert run.source == "prodready"


def test_the_fields_read_exist_in_the_published_schema() -> None:
    """The collector must not drift from docs/schema/load-result.schema.json."""
    schema = json.loads(SCHEMA.read_text())
    top = schema["properties"]
    for name in (
        "schema_version",
        "tool",
        "name",
        "finished_at",
        "target",
        "requests",
        "latency",
        "success_ratio",
        "thresholds",
        "thresholds_passed",
        "valid",
        "invalid_reasons",
        "passed",
        "source",
    ):
        assert name in top, name
    definitions = schema["$defs"]
    assert {"expression", "unit", "passed", "actual"} <= set(
        definitions["ThresholdResult"]["properties"]
    )
    assert "p99_ms" in definitions["Percentiles"]["properties"]
    assert "name" in definitions["Tool"]["properties"]


def test_other_json_with_a_schema_version_is_not_a_result() -> None:
    files = {
        "results/report.json": json.dumps({"schema_version": "2.1", "tool": "sonar"}),
        "load/config.json": json.dumps({"schema_version": "1.0", "kind": "prodready/load"}),
        "results/scan.json": json.dumps({"schema_version": "1.0", "tool": {"name": "x"}}),
    }
    results = collect_results(Facts.from_files(files))
    assert results.load == results.probes == results.chaos == results.problems == ()


def test_broken_and_unsupported_results_are_problems_not_crashes() -> None:
    files = {
        "results/a.json": load_result()[:200],  # truncated
        "results/b.json": load_result(schema_version="2.0"),
        "results/c.json": load_result(passed="yes"),
        "results/d.json": json.dumps(
            {"schema_version": "1.0", "kind": "prodready/probe-result", "endpoints": {}}
        ),
        "results/e.json": json.dumps(
            {"schema_version": "1.0", "kind": "prodready/chaos-result", "steady_state": []}
        ),
        "results/f.json": load_result(thresholds=[{"expression": "p99<1ms"}]),
    }
    results = collect_results(Facts.from_files(files))
    assert results.load == ()
    messages = {p.path: p.message for p in results.problems}
    assert messages["results/a.json"].startswith("load result: invalid JSON")
    assert "schema_version '2.0' is not supported" in messages["results/b.json"]
    assert messages["results/c.json"] == "load result: `passed` must be a boolean"
    assert messages["results/d.json"] == "probe result: `endpoints` must be a list"
    assert messages["results/e.json"] == "chaos result: `steady_state` must be an object"
    assert "thresholds[0]" in messages["results/f.json"]
    assert len(results.problems_of("load")) == 4


def test_minor_versions_are_accepted_and_unknown_fields_ignored() -> None:
    facts = Facts.from_files({"results/a.json": load_result(schema_version="1.7", extra={"x": 1})})
    assert len(collect_results(facts).load) == 1


def test_size_bound_and_excluded_folders() -> None:
    files = {
        "loadtest/results/big.json": load_result(),
        "vendor/lib/results/run.json": load_result(),
        "examples/demo/results/run.json": load_result(),
        "tests/fixtures/repo/results/run.json": load_result(),
    }
    facts = Facts.from_files(files)
    assert [r.path for r in collect_results(facts).load] == ["loadtest/results/big.json"]
    assert collect_results(facts, max_bytes=100).load == ()


def test_only_the_service_folder_is_searched() -> None:
    facts = Facts.from_files(
        {"svc/a/results/run.json": load_result(), "svc/b/results/run.json": load_result()}
    )
    view = Facts(facts.index, ServiceScope("a", "svc/a"))
    assert [r.path for r in collect_results(view).load] == ["svc/a/results/run.json"]


def test_probe_and_chaos_results() -> None:
    probe = {
        "schema_version": "1.0",
        "kind": "prodready/probe-result",
        "target": {"url": "https://orders.staging"},
        "finished_at": "2026-11-20T10:00:00+01:00",
        "endpoints": [
            {"role": "liveness", "url": "/livez", "status": 200, "ok": True},
            {"role": "metrics", "url": "/metrics", "status": 404, "ok": False},
        ],
    }
    chaos = {
        "schema_version": "1.0",
        "kind": "prodready/chaos-result",
        "name": "db-latency",
        "faults": [{"name": "latency", "injected": True}],
        "steady_state": {"before": True, "after": True},
    }
    files = {".prodready/probe.json": json.dumps(probe), "chaos/run.json": json.dumps(chaos)}
    results = collect_results(Facts.from_files(files))
    (run,) = results.probes
    assert [e.url for e in run.answering("health")] == ["/livez"]
    assert run.answering("metrics") == []
    assert len(run.probed("metrics")) == 1
    assert run.finished_at is not None
    assert run.finished_at.utcoffset() is not None
    (experiment,) = results.chaos
    assert (experiment.held, experiment.injected, experiment.during) == (True, 1, None)
