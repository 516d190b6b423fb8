from __future__ import annotations

from datetime import UTC, datetime

import jsonschema
import pytest
from pydantic import ValidationError

from prodready.scan.model import (
    SCHEMA_VERSION,
    CheckResult,
    Level,
    Outcome,
    Pillar,
    Repository,
    ScanResult,
    ServiceResult,
    Tool,
    scan_result_json_schema,
)


def _minimal() -> ScanResult:
    now = datetime(2026, 11, 27, tzinfo=UTC)
    check = CheckResult(
        id="doc.readme",
        pillar=Pillar.DOCUMENTATION,
        level=Level.BRONZE,
        title="README",
        outcome=Outcome.PASS,
        score=10,
    )
    return ScanResult(
        tool=Tool(version="0.1.0"),
        repository=Repository(root="/tmp/x"),
        started_at=now,
        finished_at=now,
        duration_seconds=0.0,
        services=[ServiceResult(name="x", checks=[check])],
    )


def test_result_round_trips_and_validates_against_published_schema() -> None:
    result = _minimal()
    document = result.model_dump(mode="json")
    jsonschema.validate(document, scan_result_json_schema())
    assert ScanResult.model_validate(document) == result
    assert document["schema_version"] == SCHEMA_VERSION


def test_scores_out_of_range_are_rejected() -> None:
    with pytest.raises(ValidationError):
        CheckResult(
            id="doc.readme",
            pillar=Pillar.DOCUMENTATION,
            level=Level.BRONZE,
            title="README",
            outcome=Outcome.PASS,
            score=11,
        )


def test_unknown_fields_are_rejected_so_typos_cannot_pass_silently() -> None:
    document = _minimal().model_dump(mode="json")
    document["servcies"] = []
    with pytest.raises(ValidationError):
        ScanResult.model_validate(document)


def test_level_rank_orders_levels() -> None:
    assert [lvl.rank for lvl in Level] == [1, 2, 3, 4]
