"""prodready serve at fleet scale: seeded history, page latency, ingest, crash.

    .venv/bin/python benchmarks/server.py                   # 5,000 services x 365 days
    .venv/bin/python benchmarks/server.py --quick           # 300 x 30, for a smoke run
    .venv/bin/python benchmarks/server.py --databases sqlite --services 1000

For each database (a durable PostgreSQL 15 started here on 127.0.0.1 with
fsync on, and a SQLite file in WAL mode with synchronous=FULL):

1. seed ``--services`` x ``--days`` daily scans with bulk inserts (COPY for
   PostgreSQL, executemany for SQLite): every history row, the latest-state
   tables and the rollups, as ingest would have left them. Stored documents
   are kept for the last ``--document-days`` days (older ones as pruned),
   because gzipping a year of 23 kB documents costs ~2.7 ms each in Python;
   then a brute-force SQL recomputation cross-checks the rollups;
2. start a real ``prodready serve`` and, from a separate client process,
   measure p50/p95 of sequential requests to the overview, service and
   campaign pages and ``GET /api/v1/services``, against ``/healthz`` (the
   framework + loopback floor) as the named baseline;
3. ingest with 20 concurrent pushers (new daily scans of existing services,
   gzip, real validation): scans/s, and rows counted = acknowledged pushes;
   baseline: 20 threads doing the bare minimum a durable ingest needs (one
   INSERT of the compressed document + COMMIT) against the same database;
4. kill -9 the server while 20 pushers run, restart it, and check that every
   push acknowledged before the kill is stored.

Targets (issue #4): page p95 <= 150 ms on PostgreSQL, ingest >= 100 scans/s,
0 pushes lost. Results also go to build/bench/server.json.
"""

from __future__ import annotations

import argparse
import atexit
import gzip
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # the PostgreSQL and serve helpers live with the tests

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402

from prodready.server import Database, create_token, upgrade_schema  # noqa: E402
from prodready.server._summary import LEVEL_RANKS  # noqa: E402
from prodready.server.sample import CATALOG, ServiceState, fleet  # noqa: E402
from tests.server.postgres import PostgresServer  # noqa: E402
from tests.server.serve import ServeProcess  # noqa: E402

PUSHERS = 20
SEED = 7


# --- seeding -------------------------------------------------------------------------------


def _ts_sqlite(moment: datetime) -> str:
    """SQLAlchemy's SQLite DATETIME storage format (naive UTC, microseconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _ts_pg(moment: datetime) -> str:
    return moment.isoformat()


class Sink:
    """Where seeded rows go: PostgreSQL (COPY) or SQLite (executemany)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.pg = db.dialect == "postgresql"
        self.ts = _ts_pg if self.pg else _ts_sqlite
        self.raw = db.engine.raw_connection()
        if not self.pg:
            cursor = self.raw.cursor()
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("BEGIN")
            cursor.close()

    def rows(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        cursor = self.raw.cursor()
        if self.pg:
            names = ", ".join(f'"{c}"' for c in columns)
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            names = ", ".join(f'"{c}"' for c in columns)
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        cursor.close()

    def update(self, table: str, columns: tuple[str, ...], key: str, rows: list[Any]) -> None:
        """``UPDATE table SET columns... WHERE key = ?`` for each row (key last)."""
        mark = "%s" if self.pg else "?"
        assignments = ", ".join(f'"{c}" = {mark}' for c in columns)
        cursor = self.raw.cursor()
        cursor.executemany(f'UPDATE {table} SET {assignments} WHERE "{key}" = {mark}', rows)
        cursor.close()

    def finish(self) -> None:
        cursor = self.raw.cursor()
        if self.pg:
            self.raw.commit()
            for table in ("scans", "services", "service_scans"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            self.raw.commit()
            self.raw.driver_connection.autocommit = True  # type: ignore[union-attr]
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("COMMIT")
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
        self.raw.close()


SCAN_COLS = (
    "id", "content_hash", "tool_name", "tool_version", "schema_version", "commit", "branch",
    "remote", "started_at", "finished_at", "received_at", "size_bytes", "services_count",
    "pushed_by",
)  # fmt: skip
SERVICE_SCAN_COLS = (
    "id", "scan_id", "service_id", "scanned_at", "team", "tier", "score", "level_rank",
    "next_level_rank", "commit", "failing_checks", "checks", "pillars",
)  # fmt: skip
SERVICE_LATEST_COLS = (
    "team", "owner", "tier", "path", "languages", "latest_scan_id",
    "latest_service_scan_id", "last_scan_at", "score", "level_rank", "next_level_rank",
    "previous_score", "previous_level_rank", "failing_checks", "scans_count", "blockers",
)  # fmt: skip
ROLLUP_COLS = (
    "day", "team", "services", "scored", "score_sum",
    "level_0", "level_1", "level_2", "level_3", "level_4",
)  # fmt: skip


def _canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def seed(sink: Sink, services: int, days: int, document_days: int) -> dict[str, Any]:
    """Simulate ``days`` days of a fleet and write every row, as ingest would have."""
    rng = random.Random(SEED)
    states = fleet(services, seed=SEED, teams=max(4, services // 100))
    first_day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=days
    )
    daily: dict[tuple[date, str], list[float]] = defaultdict(lambda: [0.0] * 8)
    check_deltas: dict[tuple[str, date, str], list[int]] = defaultdict(lambda: [0, 0])
    previous: list[dict[str, Any] | None] = [None] * services
    last_row: list[tuple[Any, ...] | None] = [None] * services
    prev_row: list[tuple[Any, ...] | None] = [None] * services
    scan_id = 0
    documents = 0
    started = time.perf_counter()
    # Services first (the history references them); their latest state is set at the end.
    sink.rows(
        "services",
        ("id", "name", "created_at", "languages", "level_rank", "failing_checks", "scans_count",
         "blockers"),
        [(i + 1, st.name, sink.ts(first_day), "[]", 0, 0, 0, "[]") for i, st in enumerate(states)],
    )  # fmt: skip
    for d in range(days):
        scans: list[tuple[Any, ...]] = []
        history: list[tuple[Any, ...]] = []
        blobs: list[tuple[Any, ...]] = []
        day = (first_day + timedelta(days=d)).date()
        for index, state in enumerate(states):
            if d:
                state.advance(rng)
            summary = state.summary()
            scan_id += 1
            at = first_day + timedelta(days=d, minutes=rng.randrange(0, 1380))
            commit = hashlib.sha1(f"{state.name}:{d}".encode(), usedforsecurity=False).hexdigest()
            if d >= days - document_days:
                document = state.document(at)
                document["repository"]["commit"] = commit
                canonical = _canonical(document)
                content_hash = hashlib.sha256(canonical).hexdigest()
                blobs.append((scan_id, "gzip", gzip.compress(canonical, 6, mtime=0)))
                size = len(canonical)
                documents += 1
            else:
                content_hash = hashlib.sha256(f"seed:{state.name}:{d}".encode()).hexdigest()
                size = 23_000
            scans.append((
                scan_id, content_hash, "prodready", "0.1.0", "1.0", commit, "main", None,
                sink.ts(at - timedelta(seconds=4)), sink.ts(at), sink.ts(at),
                size, 1, "ci",
            ))  # fmt: skip
            next_rank = LEVEL_RANKS[summary["next_level"]] if summary["next_level"] else None
            row = (
                scan_id, scan_id, index + 1, at, state.team, state.tier, summary["score"],
                summary["level_rank"], next_rank, commit, summary["failing"],
                json.dumps(summary["checks"]), json.dumps(summary["pillars"]),
            )  # fmt: skip
            history.append(row)
            _accumulate(daily, check_deltas, day, state.team, previous[index], summary)
            previous[index] = summary
            prev_row[index] = last_row[index]
            last_row[index] = row
        sink.rows("scans", SCAN_COLS, scans)
        sink.rows(
            "service_scans", SERVICE_SCAN_COLS, [(*r[:3], sink.ts(r[3]), *r[4:]) for r in history]
        )
        sink.rows("scan_documents", ("scan_id", "encoding", "body"), blobs)
        if d % 30 == 0 or d == days - 1:
            rate = scan_id / (time.perf_counter() - started)
            print(f"  seeded day {d + 1}/{days}: {scan_id:,} scans ({rate:,.0f}/s)", flush=True)
    _seed_latest(sink, states, last_row, prev_row, first_day, days)
    sink.rows(
        "rollup_daily",
        ROLLUP_COLS,
        [
            (key[0], key[1], int(v[0]), int(v[1]), v[2], *(int(x) for x in v[3:]))
            for key, v in sorted(daily.items())
        ],
    )
    sink.rows(
        "check_rollup",
        ("check_id", "day", "team", "failing", "applicable"),
        [(*key, v[0], v[1]) for key, v in sorted(check_deltas.items()) if v[0] or v[1]],
    )
    sink.finish()
    return {
        "scans": scan_id,
        "documents": documents,
        "seconds": round(time.perf_counter() - started, 1),
        "first_day": first_day.date().isoformat(),
    }


def _accumulate(
    daily: dict[tuple[date, str], list[float]],
    checks: dict[tuple[str, date, str], list[int]],
    day: date,
    team: str,
    old: dict[str, Any] | None,
    new: dict[str, Any],
) -> None:
    """The same deltas ingest writes (ADR 0011), without the zero-sum terms:
    a sample service never changes team, so unchanged checks cancel out."""
    row = daily[(day, team)]
    if old is None:
        row[0] += 1
    else:
        row[3 + old["level_rank"]] -= 1
        if old["score"] is not None:
            row[1] -= 1
            row[2] -= old["score"]
    row[3 + new["level_rank"]] += 1
    if new["score"] is not None:
        row[1] += 1
        row[2] += new["score"]
    for check_id, (code, *_rest) in new["checks"].items():
        before = old["checks"][check_id][0] if old is not None else None
        if before == code:
            continue
        delta = checks[(check_id, day, team)]
        for value, sign in ((before, -1), (code, 1)):
            if value is None:
                continue
            if value in ("f", "e"):
                delta[0] += sign
            if value in ("p", "f", "e", "x"):
                delta[1] += sign


def _seed_latest(
    sink: Sink,
    states: list[ServiceState],
    last_row: list[tuple[Any, ...] | None],
    prev_row: list[tuple[Any, ...] | None],
    first_day: datetime,
    days: int,
) -> None:
    services, checks, pillars = [], [], []
    for index, state in enumerate(states):
        row, prev = last_row[index], prev_row[index]
        assert row is not None
        summary = state.summary()
        services.append((
            state.team, f"team-{state.team}", state.tier,
            f"services/{state.name}", json.dumps(["python"] if state.seed % 3 else ["go"]),
            row[1], row[0], sink.ts(row[3]), row[6], row[7], row[8],
            prev[6] if prev else None, prev[7] if prev else None, row[10],
            days, json.dumps(summary["blockers"]), index + 1,
        ))  # fmt: skip
        for check in CATALOG:
            outcome = state.outcome(check.id)
            score = None if outcome == "not_applicable" else state.scores[check.id]
            findings = state.findings[check.id] if outcome == "fail" else 0
            checks.append((index + 1, check.id, state.team, outcome, score, findings))
        for pillar, score in summary["pillars"].items():
            pillars.append((index + 1, pillar, score))
    sink.update("services", SERVICE_LATEST_COLS, "id", services)
    sink.rows(
        "service_checks",
        ("service_id", "check_id", "team", "outcome", "score", "findings_total"),
        checks,
    )
    sink.rows("service_pillars", ("service_id", "pillar", "score"), pillars)
    sink.rows(
        "check_catalog",
        ("id", "title", "pillar", "level_rank", "how_to_fix", "updated_at"),
        [
            (c.id, c.title, c.pillar, LEVEL_RANKS[c.level], c.how_to_fix, sink.ts(first_day))
            for c in CATALOG
        ],
    )


def verify_rollups(db: Database, first_day: str, days: int) -> list[dict[str, Any]]:
    """Recompute two days of the overview by brute force and compare."""
    from prodready.server._queries import trend

    checked = []
    start = date.fromisoformat(first_day)
    for offset in (days // 3, days - 1):
        day = start + timedelta(days=offset)
        end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
        with db.read() as session:
            brute = session.execute(
                text(
                    "SELECT count(*), avg(score) FROM service_scans WHERE id IN "
                    "(SELECT max(id) FROM service_scans WHERE scanned_at < :end "
                    "GROUP BY service_id)"
                ),
                {"end": end if db.dialect == "postgresql" else _ts_sqlite(end)},
            ).one()
            points = {p.day: p for p in trend(session, days=days + 5)}
        point = points[day]
        ok = point.services == brute[0] and abs((point.average_score or 0) - brute[1]) < 0.06
        checked.append(
            {
                "day": day.isoformat(),
                "rollup": [point.services, point.average_score],
                "brute_force": [brute[0], round(float(brute[1]), 2)],
                "ok": ok,
            }
        )
        if not ok:
            raise SystemExit(f"rollups disagree with the history on {day}: {checked[-1]}")
    return checked


# --- client process (separate from the server and from this process) -------------------


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {
        "p50_ms": round(pick(0.50), 2),
        "p95_ms": round(pick(0.95), 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "n": len(ordered),
    }


def client_reads(url: str, services: int, requests: int) -> dict[str, Any]:
    rng = random.Random(11)
    names = [f"svc-{i:05d}" for i in range(services)]
    checks = [c.id for c in CATALOG]
    targets = {
        "baseline /healthz": lambda: "/healthz",
        "overview page /": lambda: "/",
        "service page /services/{name}": lambda: f"/services/{rng.choice(names)}",
        "campaign page /checks/{id}": lambda: f"/checks/{rng.choice(checks)}",
        "GET /api/v1/services": lambda: (
            f"/api/v1/services?limit=50&offset={rng.randrange(0, max(1, services - 50))}"
            f"&sort={rng.choice(['name', '-score', 'team', '-last_scan_at'])}"
        ),
    }
    results: dict[str, Any] = {}
    with httpx.Client(base_url=url, timeout=60) as client:
        for label, path in targets.items():
            for _ in range(10):  # warm-up: connections, caches
                client.get(path()).raise_for_status()
            samples = []
            size = 0
            for _ in range(requests):
                started = time.perf_counter()
                response = client.get(path())
                samples.append(time.perf_counter() - started)
                response.raise_for_status()
                size = len(response.content)
            results[label] = {**_percentiles(samples), "bytes": size}
    return results


def _documents(services: int, count: int, day_offset: int) -> list[tuple[str, bytes]]:
    rng = random.Random(day_offset)
    states = fleet(services, seed=SEED, teams=max(4, services // 100))
    picked = rng.sample(states, min(count, len(states)))
    while len(picked) < count:
        picked.append(rng.choice(states))
    base = datetime.now(UTC) + timedelta(days=day_offset)
    docs = []
    for i, state in enumerate(picked):
        state.advance(rng)
        document = state.document(base + timedelta(seconds=i))
        raw = json.dumps(document, separators=(",", ":")).encode()
        docs.append((state.name, gzip.compress(raw, 6, mtime=0)))
    return docs


def client_ingest(
    url: str, token: str, services: int, pushes: int, day_offset: int, acked_file: str | None
) -> dict[str, Any]:
    docs = _documents(services, pushes, day_offset)
    queue = list(reversed(docs))
    lock = threading.Lock()
    acked: list[int] = []
    failures: list[str] = []
    latencies: list[float] = []
    sink = open(acked_file, "a", buffering=1) if acked_file else None  # noqa: SIM115

    def worker() -> None:
        headers = {
            "authorization": f"Bearer {token}",
            "content-type": "application/json",
            "content-encoding": "gzip",
        }
        with httpx.Client(base_url=url, timeout=60) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    _name, body = queue.pop()
                started = time.perf_counter()
                try:
                    response = client.post("/api/v1/scans", content=body, headers=headers)
                except httpx.HTTPError as exc:
                    with lock:
                        failures.append(type(exc).__name__)
                    if acked_file:
                        return  # the server is gone (crash test)
                    continue
                elapsed = time.perf_counter() - started
                with lock:
                    if response.status_code == 201:
                        scan_id = response.json()["id"]
                        acked.append(scan_id)
                        latencies.append(elapsed)
                        if sink:
                            sink.write(f"{scan_id}\n")
                    else:
                        failures.append(f"HTTP {response.status_code}")

    wall = _run_pushers(worker)
    if sink:
        sink.close()
    return {
        "pushes": len(docs),
        "acknowledged": len(acked),
        "failures": len(failures),
        "failure_kinds": sorted(set(failures)),
        "seconds": round(wall, 2),
        "scans_per_second": round(len(acked) / wall, 1) if wall else 0,
        "latency": _percentiles(latencies) if latencies else {},
        "acked_ids": acked,
    }


def _run_pushers(worker: Callable[[], None]) -> float:
    """Run ``worker`` in PUSHERS threads at once; the wall-clock seconds they took."""
    threads = [threading.Thread(target=worker) for _ in range(PUSHERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def run_client(*args: str) -> dict[str, Any]:
    """This script again, in its own process, as the client."""
    completed = subprocess.run(
        [sys.executable, __file__, "--client", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"client failed:\n{completed.stdout}\n{completed.stderr}")
    result: dict[str, Any] = json.loads(completed.stdout.splitlines()[-1])
    return result


# --- baselines and checks ----------------------------------------------------------------


def raw_insert_baseline(db: Database, pushes: int) -> dict[str, Any]:
    """20 threads, each: INSERT one ~4 kB compressed document, COMMIT. The floor
    of any durable ingest on this database and disk."""
    body = gzip.compress(os.urandom(2000).hex().encode(), 6)
    with db.engine.begin() as conn:
        kind = "bytea" if db.dialect == "postgresql" else "blob"
        serial = "bigserial" if db.dialect == "postgresql" else "integer"
        conn.execute(text(f"CREATE TABLE bench_raw (id {serial} PRIMARY KEY, body {kind})"))
    remaining = [pushes]
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            with db.write() as session:
                session.execute(text("INSERT INTO bench_raw (body) VALUES (:b)"), {"b": body})

    wall = _run_pushers(worker)
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_raw"))
    return {"inserts_per_second": round(pushes / wall, 1), "seconds": round(wall, 2)}


def count(db: Database, table: str) -> int:
    with db.read() as session:
        return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def missing_ids(db: Database, ids: Iterable[int]) -> list[int]:
    wanted = sorted(set(ids))
    found: set[int] = set()
    with db.read() as session:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join(str(int(i)) for i in chunk)
            found |= {
                int(r[0])
                for r in session.execute(text(f"SELECT id FROM scans WHERE id IN ({marks})"))
            }
    return [i for i in wanted if i not in found]


def crash_test(url: str, db: Database, token: str, services: int, workdir: Path) -> dict[str, Any]:
    """kill -9 the server mid-ingest; every acknowledged push must survive."""
    acked_file = workdir / "acked.txt"
    acked_file.unlink(missing_ok=True)
    before = count(db, "scans")
    server = ServeProcess(url).start()
    client = subprocess.Popen(
        [sys.executable, __file__, "--client", "ingest", server.url, token, str(services),
         "4000", "900", str(acked_file)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if acked_file.exists() and len(acked_file.read_text().splitlines()) >= 300:
            break
        if client.poll() is not None:
            break
        time.sleep(0.02)
    server.kill()
    client.communicate(timeout=300)
    acked = [int(x) for x in acked_file.read_text().split()]
    restarted = ServeProcess(url).start()
    try:
        lost = missing_ids(db, acked)
        with httpx.Client(base_url=restarted.url, timeout=30) as http:
            sample = random.Random(1).sample(acked, min(20, len(acked)))
            via_api = sum(http.get(f"/api/v1/scans/{i}").status_code == 200 for i in sample)
    finally:
        restarted.stop()
    after = count(db, "scans")
    return {
        "acknowledged_before_kill": len(acked),
        "lost": len(lost),
        "rows_added": after - before,
        "unacknowledged_but_committed": after - before - len(acked),
        "api_spot_check": f"{via_api}/{len(sample)}",
    }


# --- orchestration -----------------------------------------------------------------------


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    if kind == "postgresql":
        with PostgresServer(durable=True, extra="-c shared_buffers=512MB") as server:
            yield server.create_database("prodready_bench")
    else:
        path = workdir / "prodready-bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        yield f"sqlite:///{path}"


def bench_database(kind: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    report: dict[str, Any] = {"database": kind}
    with database(kind, workdir) as url:
        db = Database(url)
        upgrade_schema(db.engine)
        print(f"[{kind}] seeding {args.services:,} services x {args.days} days", flush=True)
        report["seed"] = seed(Sink(db), args.services, args.days, args.document_days)
        report["seed"]["rows"] = {
            t: count(db, t)
            for t in ("scans", "service_scans", "scan_documents", "services", "service_checks",
                      "rollup_daily", "check_rollup")
        }  # fmt: skip
        report["seed"]["size_mb"] = _size_mb(db, url)
        report["rollup_check"] = verify_rollups(db, report["seed"]["first_day"], args.days)
        with db.write() as session:
            _, token = create_token(session, name="bench", scopes=["push"])
        print(f"[{kind}] reads", flush=True)
        with ServeProcess(url) as server:
            report["reads"] = run_client(
                "reads", server.url, str(args.services), str(args.requests)
            )
            print(f"[{kind}] ingest with {PUSHERS} pushers", flush=True)
            before = count(db, "scans")
            ingest = run_client(
                "ingest", server.url, token, str(args.services), str(args.pushes), "400", ""
            )
            stored = count(db, "scans") - before
            ids = ingest.pop("acked_ids")
            ingest["rows_added"] = stored
            ingest["lost"] = len(missing_ids(db, ids))
            report["ingest"] = ingest
        print(f"[{kind}] baseline: raw inserts", flush=True)
        report["raw_insert_baseline"] = raw_insert_baseline(db, args.pushes)
        print(f"[{kind}] kill -9 during ingest", flush=True)
        report["crash"] = crash_test(url, db, token, args.services, workdir)
        db.dispose()
    return report


def _size_mb(db: Database, url: str) -> float:
    if db.dialect == "postgresql":
        with db.read() as session:
            size = session.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        return round(int(size) / 2**20, 1)
    path = Path(url.removeprefix("sqlite:///"))
    return round(sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20, 1)


def print_report(report: dict[str, Any]) -> None:
    kind = report["database"]
    seed_info = report["seed"]
    print(f"\n== {kind}: {seed_info['rows']['scans']:,} scans "
          f"({seed_info['rows']['services']:,} services), {seed_info['size_mb']:,} MiB, "
          f"seeded in {seed_info['seconds']} s")  # fmt: skip
    base = report["reads"]["baseline /healthz"]["p95_ms"]
    print(f"{'request':34} {'p50 ms':>8} {'p95 ms':>8} {'p95 vs /healthz':>16} {'bytes':>9}")
    for label, figures in report["reads"].items():
        ratio = figures["p95_ms"] / base if base else 0
        print(f"{label:34} {figures['p50_ms']:8.1f} {figures['p95_ms']:8.1f} "
              f"{ratio:15.1f}x {figures['bytes']:9,}")  # fmt: skip
    ingest, raw = report["ingest"], report["raw_insert_baseline"]
    versus = ingest["scans_per_second"] / raw["inserts_per_second"]
    print(f"ingest, {PUSHERS} pushers: {ingest['scans_per_second']} scans/s "
          f"(p50 {ingest['latency'].get('p50_ms')} ms, p95 {ingest['latency'].get('p95_ms')} ms), "
          f"acknowledged {ingest['acknowledged']}/{ingest['pushes']}, rows added "
          f"{ingest['rows_added']}, lost {ingest['lost']}; raw INSERT+COMMIT baseline "
          f"{raw['inserts_per_second']}/s (ratio {versus:.2f})")  # fmt: skip
    crash = report["crash"]
    print(f"kill -9: {crash['acknowledged_before_kill']} acknowledged before the kill, "
          f"{crash['lost']} lost, {crash['unacknowledged_but_committed']} committed without "
          f"an answer, API spot check {crash['api_spot_check']}")  # fmt: skip
    pages = [v["p95_ms"] for k, v in report["reads"].items() if "page" in k]
    targets = {
        "page p95 <= 150 ms": max(pages) <= 150,
        "ingest >= 100 scans/s": ingest["scans_per_second"] >= 100,
        "0 pushes lost": ingest["lost"] == 0 and crash["lost"] == 0,
    }
    print("targets: " + ", ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in targets.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--document-days", type=int, default=7)
    parser.add_argument("--requests", type=int, default=200, help="per endpoint")
    parser.add_argument("--pushes", type=int, default=2000)
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--quick", action="store_true", help="300 services x 30 days")
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite file")
    parser.add_argument("--client", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        mode, *rest = args.client
        if mode == "reads":
            print(json.dumps(client_reads(rest[0], int(rest[1]), int(rest[2]))))
        else:
            url, token, services, pushes, offset, acked = rest
            print(
                json.dumps(
                    client_ingest(
                        url, token, int(services), int(pushes), int(offset), acked or None
                    )
                )
            )
        return 0
    if args.quick:
        args.services, args.days, args.requests, args.pushes = 300, 30, 50, 400
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="prodready-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.workdir is None and not args.keep:  # a year of SQLite history is ~4 GiB
        atexit.register(shutil.rmtree, workdir, True)
    print(f"prodready serve benchmark: {args.services:,} services x {args.days} days, "
          f"documents kept for {args.document_days} days; workdir {workdir}")  # fmt: skip
    reports = []
    for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
        report = bench_database(kind, args, workdir)
        print_report(report)
        reports.append(report)
    out = REPO_ROOT / "build" / "bench" / "server.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {"args": {k: str(v) for k, v in vars(args).items()}, "results": reports}, indent=2
        )
    )
    print(f"\nwrote {out.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
