"""The synthetic fleet used by demos and the benchmark: valid documents whose
quick summary agrees with what the server derives from the full document."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from prodready.scan.model import ScanResult
from prodready.server._summary import compact_checks, compact_pillars, level_rank
from prodready.server.sample import CATALOG, daily_scans, fleet


def test_documents_validate_and_summaries_agree() -> None:
    rng = random.Random(1)
    states = fleet(40, seed=9)
    levels = set()
    for _day in range(20):
        for state in states:
            state.advance(rng)
    for state in states:
        summary = state.summary()
        result = ScanResult.model_validate(state.document(datetime(2026, 1, 1, tzinfo=UTC)))
        service = result.services[0]
        assert len(service.checks) == len(CATALOG) >= 35
        assert compact_checks(service) == summary["checks"]
        assert compact_pillars(service) == summary["pillars"]
        assert service.score == summary["score"]
        assert level_rank(service.level) == summary["level_rank"]
        failing = [c for c in service.checks if c.outcome.value == "fail"]
        assert all(1 <= len(c.findings) <= 5 for c in failing)
        levels.add(summary["level"])
    assert len(levels) >= 3  # a varied fleet, not all one level


def test_daily_scans_push_one_scan_per_service_per_day_in_order() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    plain = list(daily_scans(fleet(3), days=2, start=start, rng=random.Random(1)))
    assert [(d["services"][0]["name"], d["finished_at"]) for d in plain] == [
        (f"svc-{i:05d}", (start + timedelta(days=day)).isoformat())
        for day in range(2)
        for i in range(3)
    ]
    spread = daily_scans(fleet(3), days=2, start=start, rng=random.Random(1), spread_minutes=600)
    for day, document in zip((0, 0, 0, 1, 1, 1), spread, strict=True):
        at = datetime.fromisoformat(document["finished_at"]) - (start + timedelta(days=day))
        assert timedelta(0) <= at <= timedelta(minutes=600)
