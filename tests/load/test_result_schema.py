"""The results file is a public, versioned contract."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from prodready.load import (
    SCHEMA_VERSION,
    LoadResult,
    ResultFormatError,
    load_result_json_schema,
    read_result,
)

FIXTURES = Path(__file__).parent / "fixtures"
STORED = FIXTURES / "prodready-result.json"


def test_published_schema_matches_the_model(repo_root: Path) -> None:
    published = json.loads((repo_root / "docs/schema/load-result.schema.json").read_text())
    assert published == json.loads(json.dumps(load_result_json_schema(), sort_keys=True))


def test_a_stored_1_0_document_still_loads_and_validates() -> None:
    # Written by a real run (tests/load/fixtures/README.md); it must keep
    # loading as long as the major version is 1.
    document = json.loads(STORED.read_text())
    jsonschema.validate(document, load_result_json_schema())
    result = read_result(STORED)
    assert result.schema_version.split(".")[0] == SCHEMA_VERSION.split(".")[0]
    assert result.requests.completed == 600
    assert result.histograms is not None
    assert result.histograms.intended


def test_field_contract_for_the_live_load_slo_check() -> None:
    """The fields docs/load.md promises to the scanner's live.load-slo check."""
    document = json.loads(STORED.read_text())
    for key in (
        "schema_version",
        "target",
        "profile",
        "started_at",
        "finished_at",
        "requests",
        "latency",
        "status_codes",
        "errors",
        "thresholds",
        "passed",
        "valid",
        "invalid_reasons",
        "success_ratio",
    ):
        assert key in document, key
    assert {"intended", "service", "scheduling_lag"} <= set(document["latency"])
    assert {"p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms"} <= set(
        document["latency"]["intended"]
    )
    for threshold in document["thresholds"]:
        assert {"expression", "passed", "actual", "limit", "unit"} <= set(threshold)
    assert document["passed"] == (
        document["valid"] and all(t["passed"] for t in document["thresholds"])
    )


def test_a_later_minor_version_is_accepted(tmp_path: Path) -> None:
    document = json.loads(STORED.read_text())
    document["schema_version"] = "1.7"
    document["a_field_from_the_future"] = {"x": 1}
    document["requests"]["another_new_count"] = 3
    path = tmp_path / "future.json"
    path.write_text(json.dumps(document))
    assert read_result(path).requests.completed == 600


def test_another_major_version_is_refused(tmp_path: Path) -> None:
    document = json.loads(STORED.read_text())
    document["schema_version"] = "2.0"
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ResultFormatError, match=r"schema 2\.0 is not supported"):
        read_result(path)


def test_invalid_document_names_the_field(tmp_path: Path) -> None:
    document = json.loads(STORED.read_text())
    document["requests"]["sent"] = -1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ResultFormatError, match=r"bad.json: requests.sent: .*greater than"):
        read_result(path)


def test_model_round_trip() -> None:
    result = read_result(STORED)
    assert LoadResult.model_validate_json(result.model_dump_json()) == result
