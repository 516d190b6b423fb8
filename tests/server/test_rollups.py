"""The rollup deltas (ADR 0011) must give exactly what recomputing from the
full history gives, whatever order scans arrive in (backfills included)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from prodready.scan.model import Level
from prodready.server import Database, load_settings
from prodready.server._auth import LOCAL_ADMIN
from prodready.server._ingest import Ingestor, parse_document
from prodready.server._queries import check_progress, overview, trend
from tests.server.documents import T0, one

LEVELS = [None, Level.BRONZE, Level.SILVER, Level.GOLD]
CHECKS = ("doc.readme", "test.unit", "res.timeouts", "obs.metrics", "res.retries")


@dataclass(frozen=True)
class Push:
    service: str
    team: str | None
    day: int
    hour: int
    score: float
    level: Level | None
    failing: tuple[str, ...]

    @property
    def at(self) -> datetime:
        return T0 + timedelta(days=self.day, hours=self.hour)


pushes = st.lists(
    st.builds(
        Push,
        service=st.sampled_from(["a", "b", "c"]),
        team=st.sampled_from(["x", "y", None]),
        day=st.integers(0, 8),
        hour=st.integers(0, 3),
        score=st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1)),
        level=st.sampled_from(LEVELS),
        failing=st.lists(st.sampled_from(CHECKS), unique=True, max_size=3).map(tuple),
    ),
    min_size=1,
    max_size=14,
)


def _ingest(url: str, items: list[Push]) -> Database:
    db = Database(url)
    ingestor = Ingestor(db, load_settings(environ={}, database_url=url))
    for index, item in enumerate(items):
        doc = one(
            item.service,
            at=item.at,
            team=item.team,
            score=item.score,
            level=item.level,
            failing=item.failing,
            commit=f"c{index}",
        )
        ingestor.ingest(parse_document(_bytes(doc), max_bytes=10**7), LOCAL_ADMIN)
    return db


def _bytes(doc: dict[str, object]) -> bytes:
    import json

    return json.dumps(doc).encode()


def _state_on(items: list[Push], day: date) -> dict[str, Push]:
    """Brute force: each service's latest scan (by time, then arrival) up to ``day``."""
    latest: dict[str, tuple[datetime, int, Push]] = {}
    for index, item in enumerate(items):
        if item.at.date() > day:
            continue
        key = (item.at, index)
        if item.service not in latest or key >= latest[item.service][:2]:
            latest[item.service] = (item.at, index, item)
    return {name: value[2] for name, value in latest.items()}


def _check(db: Database, items: list[Push]) -> None:
    last_day = max(i.at.date() for i in items)
    with db.read() as session:
        points = {p.day: p for p in trend(session, days=12, today=last_day)}
        progress = {
            p.day: p for p in check_progress(session, "res.timeouts", days=12, today=last_day)
        }
        team_x = {p.day: p for p in trend(session, team="x", days=12, today=last_day)}
        now = overview(session, days=1)
    for offset in range(12):
        day = last_day - timedelta(days=offset)
        state = _state_on(items, day)
        if not state:
            assert day not in points
            continue
        point = points[day]
        assert point.services == len(state)
        mean = sum(p.score for p in state.values()) / len(state)
        assert point.average_score == pytest.approx(mean, abs=0.0501)  # rounded to 0.1
        for level in LEVELS:
            name = level.value if level else "none"
            assert getattr(point.levels, name) == sum(1 for p in state.values() if p.level == level)
        failing = sum(1 for p in state.values() if "res.timeouts" in p.failing)
        assert progress[day].failing == failing
        assert progress[day].applicable == len(state)
        in_x = [p for p in state.values() if p.team == "x"]
        if in_x:
            assert team_x[day].services == len(in_x)
        else:
            assert day not in team_x
    final = _state_on(items, last_day)
    assert now.services == len(final)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=pushes)
def test_rollups_match_recomputation_from_history(
    items: list[Push], tmp_path: Path, sqlite_template: Path
) -> None:
    note(f"items={items!r}")
    target = tmp_path / f"h{random.getrandbits(40)}.db"
    target.write_bytes(sqlite_template.read_bytes())
    db = _ingest(f"sqlite:///{target}", items)
    try:
        _check(db, items)
    finally:
        db.dispose()
        target.unlink()


@pytest.mark.postgres
def test_rollups_match_on_postgresql(postgres_url: str) -> None:
    rng = random.Random(4)
    items = [
        Push(
            service=rng.choice("abcd"),
            team=rng.choice(["x", "y", None]),
            day=rng.randint(0, 8),
            hour=rng.randint(0, 3),
            score=round(rng.uniform(0, 100), 1),
            level=rng.choice(LEVELS),
            failing=tuple(rng.sample(CHECKS, rng.randint(0, 3))),
        )
        for _ in range(40)
    ]
    db = _ingest(postgres_url, items)
    try:
        _check(db, items)
    finally:
        db.dispose()
