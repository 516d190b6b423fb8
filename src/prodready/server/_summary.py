"""Pure functions from a scanned service to the numbers the server keeps.

Ingest, the rollup rebuild and the benchmark seeder all go through these, so
"what a service contributes to the overview on a given day" is defined once.

A *piece* is a service's state between two of its scans: its team, score,
level and check outcomes. Rollups store, per day, the difference between the
pieces that start and end that day (ADR 0011): the overview on day D is the
running sum of the deltas up to D.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from prodready.scan.model import Level, Outcome, ServiceResult

OUTCOME_CODES: dict[Outcome, str] = {
    Outcome.PASS: "p",
    Outcome.FAIL: "f",
    Outcome.NOT_APPLICABLE: "n",
    Outcome.ERROR: "e",
    Outcome.EXEMPT: "x",
}
CODE_OUTCOMES: dict[str, Outcome] = {code: outcome for outcome, code in OUTCOME_CODES.items()}
FAILING_CODES = frozenset({"f", "e"})
"""A check that errored is not passing either: campaigns list both."""
APPLICABLE_CODES = frozenset({"p", "f", "e", "x"})

LEVEL_NAMES: dict[int, str] = {0: "none", **{level.rank: level.value for level in Level}}
LEVEL_RANKS: dict[str, int] = {name: rank for rank, name in LEVEL_NAMES.items()}
MAX_LEVEL_RANK = max(LEVEL_NAMES)


def level_rank(level: Level | str | None) -> int:
    """0 for "no level reached", 1 bronze ... 4 platinum."""
    if level is None:
        return 0
    return Level(level).rank


def level_name(rank: int | None) -> str | None:
    return None if rank is None else LEVEL_NAMES.get(rank)


def compact_checks(service: ServiceResult) -> dict[str, list[Any]]:
    """``{check id: [outcome code, score, findings]}``: small enough to keep per
    scan, and enough to tell which latest-state rows a new scan changes."""
    return {
        c.id: [OUTCOME_CODES[c.outcome], c.score, max(c.findings_total, len(c.findings))]
        for c in service.checks
    }


def compact_pillars(service: ServiceResult) -> dict[str, float | None]:
    return {p.pillar.value: p.score for p in service.pillars}


def failing_count(checks: Mapping[str, list[Any]]) -> int:
    return sum(1 for value in checks.values() if value[0] in FAILING_CODES)


@dataclass(frozen=True)
class Piece:
    """A service's state from one scan until its next one."""

    team: str
    score: float | None
    level_rank: int
    checks: Mapping[str, str] = field(default_factory=dict)
    """check id -> outcome code"""

    @classmethod
    def of(
        cls,
        team: str | None,
        score: float | None,
        rank: int,
        checks: Mapping[str, list[Any]] | Mapping[str, str],
    ) -> Piece:
        codes = {
            cid: (value if isinstance(value, str) else value[0]) for cid, value in checks.items()
        }
        return cls(team=team or "", score=score, level_rank=rank, checks=codes)


ROLLUP_FIELDS = (
    "services", "scored", "score_sum", "level_0", "level_1", "level_2", "level_3", "level_4",
)  # fmt: skip
CHECK_ROLLUP_FIELDS = ("failing", "applicable")


@dataclass
class Deltas:
    """Accumulated rollup deltas, keyed the way the tables are."""

    daily: dict[tuple[date, str], defaultdict[str, float]] = field(default_factory=dict)
    checks: dict[tuple[str, date, str], defaultdict[str, float]] = field(default_factory=dict)

    def add(self, day: date, piece: Piece | None, sign: int) -> None:
        """Add (sign=+1) or remove (sign=-1) a piece's contribution on ``day``."""
        if piece is None:
            return
        row = self.daily.setdefault((day, piece.team), defaultdict(float))
        row["services"] += sign
        row[f"level_{piece.level_rank}"] += sign
        if piece.score is not None:
            row["scored"] += sign
            row["score_sum"] += sign * piece.score
        for check_id, code in piece.checks.items():
            if code not in APPLICABLE_CODES:
                continue
            crow = self.checks.setdefault((check_id, day, piece.team), defaultdict(float))
            crow["applicable"] += sign
            if code in FAILING_CODES:
                crow["failing"] += sign

    def replace(self, day: date, old: Piece | None, new: Piece | None) -> None:
        """From ``day`` on, the service is ``new`` instead of ``old``."""
        self.add(day, old, -1)
        self.add(day, new, +1)

    def daily_rows(self) -> list[dict[str, Any]]:
        """Non-zero rows, sorted by key (a fixed lock order avoids deadlocks)."""
        rows = []
        for (day, team), counter in sorted(self.daily.items()):
            values: dict[str, float] = {name: counter.get(name, 0) for name in ROLLUP_FIELDS}
            for name in ROLLUP_FIELDS:
                if name != "score_sum":
                    values[name] = int(values[name])
            if any(abs(v) > 1e-9 for v in values.values()):
                rows.append({"day": day, "team": team, **values})
        return rows

    def check_rows(self) -> list[dict[str, Any]]:
        rows = []
        for (check_id, day, team), counter in sorted(self.checks.items()):
            values = {name: int(counter.get(name, 0)) for name in CHECK_ROLLUP_FIELDS}
            if any(values.values()):
                rows.append({"check_id": check_id, "day": day, "team": team, **values})
        return rows


def running_totals(
    rows: Iterable[tuple[date, Mapping[str, float]]], fields: Iterable[str]
) -> list[tuple[date, dict[str, float]]]:
    """Turn per-day deltas (sorted by day, one row per day) into totals per day."""
    names = tuple(fields)
    totals = dict.fromkeys(names, 0.0)
    series = []
    for day, delta in rows:
        for name in names:
            totals[name] += float(delta.get(name) or 0)
        series.append((day, dict(totals)))
    return series
