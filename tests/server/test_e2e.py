"""End to end: the real ``prodready`` CLI and ``prodready serve`` subprocess
on 127.0.0.1, SQLite and PostgreSQL. Push with ``prodready push``, read back
through the API and the pages, crash the server with kill -9, restart it."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from prodready.cli.app import app
from prodready.cli.push import PushError, push_document
from tests.server.documents import one
from tests.server.postgres import PostgresServer
from tests.server.serve import ServeProcess, clean_env, run_cli

pytestmark = pytest.mark.slow


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def cli(*args: str, env: dict[str, str] | None = None) -> Ran:
    """The CLI in-process (subprocess start-up costs seconds; ``serve`` and one
    ``push`` below still go through the real console script)."""
    result = CliRunner().invoke(app, list(args), env=env or {}, catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


def _token(db_url: str, *scopes: str, name: str = "ci") -> str:
    args = ["token", "create", "--name", name, "--db", db_url]
    for scope in scopes:
        args += ["--scope", scope]
    created = cli(*args)
    assert created.returncode == 0, created.stderr
    assert "cannot be shown again" in created.stderr
    return created.stdout.strip()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no schema at all."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.fresh_database()


def test_serve_refuses_an_unmigrated_database_unless_told_to_migrate(empty_database: str) -> None:
    refused = run_cli("serve", "--db", empty_database, "--port", "0")
    assert refused.returncode == 2
    assert "prodready db upgrade" in refused.stderr
    assert "--migrate" in refused.stderr
    assert "Traceback" not in refused.stderr
    current = cli("db", "current", "--db", empty_database, "--check")
    assert current.returncode == 1
    assert "needs upgrade" in current.stdout
    token = cli("token", "create", "--name", "x", "--scope", "read", "--db", empty_database)
    assert token.returncode == 2
    assert "prodready db upgrade" in token.stderr
    with ServeProcess(empty_database, "--migrate") as server:
        assert httpx.get(server.url + "/readyz", timeout=10).json()["schema_revision"] == "0001"
    assert cli("db", "current", "--db", empty_database, "--check").returncode == 0


def test_push_with_the_cli_and_read_back(tmp_path: Path) -> None:
    """SQLite only: PostgreSQL runs every API test in-process, and the kill -9
    and migration tests below run this same server on it."""
    empty_database = f"sqlite:///{tmp_path / 'cli.db'}"
    upgraded = cli("db", "upgrade", "--db", empty_database)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "upgraded (empty) -> 0001" in upgraded.stdout
    assert "already at 0001" in cli("db", "upgrade", "--db", empty_database).stdout
    assert cli("db", "current", "--db", empty_database, "--check").returncode == 0
    secret = _token(empty_database, "push:team:payments")
    result = tmp_path / "result.json"
    result.write_text(json.dumps(one("payments-api", team="payments", at=datetime.now(UTC))))
    with ServeProcess(empty_database) as server:
        env = clean_env(PRODREADY_SERVER=server.url, PRODREADY_TOKEN=secret)
        pushed = run_cli("push", str(result), env=env)
        assert pushed.returncode == 0, pushed.stderr
        assert "stored (payments-api)" in pushed.stdout
        again = cli("push", str(result), env=env)
        assert "already stored" in again.stdout
        with httpx.Client(base_url=server.url, timeout=10) as client:
            detail = client.get("/api/v1/services/payments-api").json()
            assert detail["team"] == "payments"
            assert detail["scans_count"] == 1
            page = client.get("/services/payments-api")
            assert page.status_code == 200
            assert "res.timeouts" in page.text
            assert "app/main.py:12" in page.text
            badge = client.get("/badge/payments-api.svg")
            assert badge.headers["content-type"] == "image/svg+xml"
            assert "80 · bronze" in badge.text
        bad = tmp_path / "bad.json"
        bad.write_text("{nope")
        refused = cli("push", str(bad), str(tmp_path / "missing.json"), env=env)
        assert refused.returncode == 2
        assert "not a JSON document" in refused.stderr
        assert "cannot read" in refused.stderr
        wrong_team = tmp_path / "search.json"
        wrong_team.write_text(json.dumps(one("search-api", team="search")))
        forbidden = cli("push", str(wrong_team), env=env)
        assert forbidden.returncode == 2
        assert "HTTP 403" in forbidden.stderr
        listed = cli("token", "list", "--db", empty_database, "--json")
        assert json.loads(listed.stdout)[0]["last_used_at"] is not None
        assert cli("token", "revoke", "ci", "--db", empty_database).returncode == 0
        revoked = cli("push", str(result), env=env)
        assert "HTTP 401" in revoked.stderr
        stopped = server.terminate()
    assert stopped == 0
    logs = [json.loads(line) for line in server.stderr if line.startswith("{")]
    assert any(entry["message"] == "prodready server stopped" for entry in logs)
    assert any(entry.get("route") == "/api/v1/scans" for entry in logs)


def test_kill_9_during_ingest_loses_no_acknowledged_push(database_url: str) -> None:
    """Every push answered 2xx before the crash is there after a restart."""
    secret = _token(database_url, "push")
    acknowledged: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()
    base = datetime.now(UTC) - timedelta(days=1)

    with ServeProcess(database_url) as server:

        def pusher(worker: int) -> None:
            for i in range(10_000):
                if stop.is_set():
                    return
                name = f"svc-{worker}-{i}"
                doc = one(name, at=base + timedelta(seconds=i), commit=f"{worker}-{i}")
                try:
                    result = push_document(doc, server.url, secret, attempts=1)
                except PushError:
                    return  # the server died under us: this one was never acknowledged
                with lock:
                    acknowledged[name] = result.scan_id

        threads = [threading.Thread(target=pusher, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        while True:
            with lock:
                if len(acknowledged) >= 30:
                    break
            threading.Event().wait(0.01)
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert len(acknowledged) >= 30
    with (
        ServeProcess(database_url) as restarted,
        httpx.Client(base_url=restarted.url, timeout=30) as client,
    ):
        for name, scan_id in acknowledged.items():
            detail = client.get(f"/api/v1/services/{name}")
            assert detail.status_code == 200, name
            assert detail.json()["latest_scan_id"] == scan_id
        total = client.get("/api/v1/services", params={"limit": 1}).json()["total"]
        # At most the in-flight pushes (one per pusher) committed without an answer.
        assert len(acknowledged) <= total <= len(acknowledged) + len(threads)


def test_scan_and_push_in_one_step(tmp_path: Path) -> None:
    """``prodready scan PATH --push URL``: the reports are written, the result
    lands on the server, and a failed push is exit 2 with the reports kept."""
    database = f"sqlite:///{tmp_path / 'scan-push.db'}"
    assert cli("db", "upgrade", "--db", database).returncode == 0
    secret = _token(database, "push")
    example = Path(__file__).resolve().parents[2] / "examples" / "orders-service"
    report = tmp_path / "orders.json"
    with ServeProcess(database) as server:
        env = clean_env(PRODREADY_TOKEN=secret)
        scanned = cli(
            "scan", str(example), "--no-progress", "-f", "json", "-o", str(report),
            "--push", server.url, env=env,
        )  # fmt: skip
        assert scanned.returncode == 0, scanned.stderr
        assert "scan 1 stored" in scanned.stderr
        name = json.loads(report.read_text())["services"][0]["name"]
        with httpx.Client(base_url=server.url, timeout=10) as client:
            detail = client.get(f"/api/v1/services/{name}").json()
        assert detail["scans_count"] == 1
        assert detail["score"] == json.loads(report.read_text())["services"][0]["score"]
        again = str(tmp_path / "again.json")
        refused = cli(
            "scan", str(example), "--no-progress", "-f", "json", "-o", again,
            "--push", server.url, "--token", "prt_wrong",
        )  # fmt: skip
        assert refused.returncode == 2
        assert "HTTP 401" in refused.stderr
        assert (tmp_path / "again.json").exists()
    bad_url = cli("scan", str(example), "--push", "localhost:8000")
    assert bad_url.returncode == 2
    assert "--push" in bad_url.stderr
    assert "http://" in bad_url.stderr
