"""POST /api/v1/scans on SQLite and PostgreSQL: store, replay, reject."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

import anyio
import pytest
from sqlalchemy import func, select

from prodready.scan.model import Level
from prodready.server import Database
from prodready.server._models import Scan, ScanDocument, Service, ServiceScan
from tests.server.conftest import Api, Tokens
from tests.server.documents import T0, document, one, service

pytestmark = pytest.mark.anyio


def _count(url: str, model: type) -> int:
    db = Database(url)
    try:
        with db.read() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        db.dispose()


async def test_push_stores_and_answers_201_with_id(api: Api) -> None:
    response = await api.push(one("payments-api"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["created"] is True
    assert body["services"] == [
        {
            "name": "payments-api",
            "is_latest": True,
            "url": f"/api/v1/services/payments-api/scans/{body['id']}",
        }
    ]
    assert response.headers["location"] == f"/api/v1/scans/{body['id']}"
    # Visible to a separate connection right away: 201 came after COMMIT.
    assert _count(api.settings.database_url, Scan) == 1
    assert _count(api.settings.database_url, ScanDocument) == 1
    detail = (await api.get("/api/v1/services/payments-api")).json()
    assert detail["score"] == 80.0
    assert detail["level"] == "bronze"
    assert detail["latest_scan_id"] == body["id"]
    assert {c["id"]: c["outcome"] for c in detail["checks"]}["res.timeouts"] == "fail"
    stored = (await api.get(f"/api/v1/scans/{body['id']}")).json()
    assert stored["services"][0]["name"] == "payments-api"


async def test_retried_push_returns_the_same_id_and_stores_once(api: Api) -> None:
    doc = one("payments-api")
    first = await api.push(doc)
    # Same content, different serialisation (key order, whitespace, gzip).
    again = await api.client.post(
        "/api/v1/scans",
        content=gzip.compress(json.dumps(doc, indent=2, sort_keys=True).encode()),
        headers={**Tokens.header(api.tokens.push), "content-encoding": "gzip"},
    )
    assert first.status_code == 201
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["created"] is False
    assert _count(api.settings.database_url, Scan) == 1
    assert _count(api.settings.database_url, ServiceScan) == 1


async def test_concurrent_identical_pushes_store_one_scan(api: Api) -> None:
    doc = one("payments-api")
    results: list[int] = []
    statuses: list[int] = []

    async def push() -> None:
        response = await api.push(doc)
        statuses.append(response.status_code)
        results.append(response.json()["id"])

    async with anyio.create_task_group() as group:
        for _ in range(8):
            group.start_soon(push)
    assert sorted(statuses) == [200] * 7 + [201]
    assert len(set(results)) == 1
    assert _count(api.settings.database_url, Scan) == 1


async def test_concurrent_pushes_of_new_services_all_land(api: Api) -> None:
    docs = [one(f"svc-{i}", commit=f"c{i}", team=f"team-{i % 3}") for i in range(12)]
    codes: list[int] = []

    async def push(doc: dict[str, object]) -> None:
        codes.append((await api.push(doc)).status_code)

    async with anyio.create_task_group() as group:
        for doc in docs:
            group.start_soon(push, doc)
    assert codes == [201] * 12
    assert _count(api.settings.database_url, Service) == 12
    overview = (await api.get("/api/v1/overview?days=1")).json()
    assert overview["services"] == 12
    assert overview["trend"][-1]["services"] == 12


async def test_a_document_with_several_services_is_one_scan(api: Api) -> None:
    doc = document(service("api", team="a"), service("worker", team="b", score=60.0))
    response = await api.push(doc)
    assert response.status_code == 201
    names = sorted(s["name"] for s in response.json()["services"])
    assert names == ["api", "worker"]
    scan_id = response.json()["id"]
    for name in names:
        scans = (await api.get(f"/api/v1/services/{name}/scans")).json()
        assert [s["id"] for s in scans["items"]] == [scan_id]
    worker = (await api.get(f"/api/v1/services/worker/scans/{scan_id}")).json()
    assert worker["result"]["name"] == "worker"
    assert worker["score"] == 60.0


async def test_backfilled_older_scan_does_not_become_latest(api: Api) -> None:
    new = await api.push(one("svc", at=T0, score=90.0, commit="new"))
    old = await api.push(one("svc", at=T0 - timedelta(days=3), score=50.0, commit="old"))
    assert old.status_code == 201
    assert old.json()["services"][0]["is_latest"] is False
    detail = (await api.get("/api/v1/services/svc")).json()
    assert detail["score"] == 90.0
    assert detail["latest_scan_id"] == new.json()["id"]
    assert detail["previous_score"] == 50.0
    scans = (await api.get("/api/v1/services/svc/scans")).json()["items"]
    assert [s["score"] for s in scans] == [90.0, 50.0]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"{not json", 400, "invalid_json"),
        (b"[1, 2]", 422, "invalid_document"),
        (b'{"tool": {"version": "1"}}', 422, "invalid_document"),
        (b"\xff\xfe", 400, "invalid_json"),
    ],
)
async def test_bad_bodies_get_clear_json_errors(
    api: Api, body: bytes, status: int, error: str
) -> None:
    response = await api.client.post(
        "/api/v1/scans",
        content=body,
        headers={**Tokens.header(api.tokens.push), "content-type": "application/json"},
    )
    assert response.status_code == status, response.text
    payload = response.json()
    assert payload["error"] == error
    assert payload["detail"]
    assert _count(api.settings.database_url, Scan) == 0


async def test_validation_errors_list_locations(api: Api) -> None:
    doc = one()
    doc["services"][0]["score"] = 250
    response = await api.push(doc)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert ["services", "0", "score"] in [e["loc"] for e in errors]


async def test_service_names_that_cannot_be_urls_are_rejected(api: Api) -> None:
    response = await api.push(one("payments/api"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["services", "0", "name"]
    twice = document(service("a"), service("a"))
    assert (await api.push(twice)).status_code == 422


async def test_other_schema_major_is_refused_newer_minor_accepted(api: Api) -> None:
    doc = one()
    doc["schema_version"] = "2.0"
    refused = await api.push(doc)
    assert refused.status_code == 422
    assert refused.json()["error"] == "unsupported_schema_version"
    newer = one(commit="newer")
    newer["schema_version"] = "1.9"
    newer["services"][0]["future_field"] = {"x": 1}
    newer["future_top_level"] = True
    accepted = await api.push(newer)
    assert accepted.status_code == 201, accepted.text
    stored = (await api.get(f"/api/v1/scans/{accepted.json()['id']}")).json()
    assert stored["schema_version"] == "1.9"


async def test_size_limit_by_header_and_by_gzip_stream(api_factory) -> None:  # type: ignore[no-untyped-def]
    async with api_factory(max_body_bytes=4096) as api:
        big = one()
        big["services"][0]["checks"][0]["summary"] = "x" * 10_000
        declared = await api.push(big)
        assert declared.status_code == 413
        assert declared.json()["error"] == "payload_too_large"
        bomb = gzip.compress(b'{"a": "' + b"0" * 1_000_000 + b'"}')
        assert len(bomb) < 4096
        inflated = await api.client.post(
            "/api/v1/scans",
            content=bomb,
            headers={**Tokens.header(api.tokens.push), "content-encoding": "gzip"},
        )
        assert inflated.status_code == 413
        small = await api.push(one())
        assert small.status_code == 201


async def test_wrong_media_type_and_encoding(api: Api) -> None:
    wrong_type = await api.client.post(
        "/api/v1/scans",
        content=b"<xml/>",
        headers={**Tokens.header(api.tokens.push), "content-type": "application/xml"},
    )
    assert wrong_type.status_code == 415
    wrong_encoding = await api.client.post(
        "/api/v1/scans",
        content=b"{}",
        headers={**Tokens.header(api.tokens.push), "content-encoding": "br"},
    )
    assert wrong_encoding.status_code == 415
    broken_gzip = await api.client.post(
        "/api/v1/scans",
        content=b"\x1f\x8bnot really",
        headers={**Tokens.header(api.tokens.push), "content-encoding": "gzip"},
    )
    assert broken_gzip.status_code == 400
    assert broken_gzip.json()["error"] == "invalid_gzip"


async def test_recent_drop_shows_as_regression(api: Api) -> None:
    now = datetime.now(UTC)
    await api.push(one("old", at=now - timedelta(days=40), score=90.0, commit="x"))
    await api.push(one("old", at=now - timedelta(days=39), score=10.0, commit="y"))
    await api.push(one("svc", at=now - timedelta(hours=2), score=90.0, level=Level.SILVER))
    await api.push(one("svc", at=now - timedelta(hours=1), score=70.0, commit="b"))
    overview = (await api.get("/api/v1/overview")).json()
    assert [s["name"] for s in overview["regressions"]] == ["svc"]
    assert overview["regressions"][0]["score_change"] == -20.0


async def test_latest_state_follows_each_new_scan_row_by_row(api: Api) -> None:
    """Only changed rows are rewritten; the result must equal the new scan exactly."""
    first = one("svc", at=T0, failing=("res.timeouts",), commit="1")
    second = one("svc", at=T0 + timedelta(hours=1), failing=("obs.metrics",), commit="2")
    checks = second["services"][0]["checks"]
    checks[0]["findings_total"] = 7  # same outcome and score, more findings
    renamed = dict(checks.pop(), id="res.retries-v2")  # one check removed, one added
    checks.append(renamed)
    second["services"][0]["pillars"][0]["score"] = 42.0
    for doc in (first, second):
        assert (await api.push(doc)).status_code == 201
    detail = (await api.get("/api/v1/services/svc")).json()
    got = {c["id"]: (c["outcome"], c["score"], c["findings_total"]) for c in detail["checks"]}
    want = {
        c["id"]: (c["outcome"], c["score"], max(c["findings_total"], len(c["findings"])))
        for c in checks
    }
    assert got == want
    assert {p["pillar"]: p["score"] for p in detail["pillars"]} == {"res": 42.0, "doc": 100.0}
    assert detail["failing_checks"] == 1


async def test_a_service_that_changes_team_moves_in_campaigns(api: Api) -> None:
    await api.push(one("svc", at=T0, team="old-team", commit="1"))
    await api.push(one("svc", at=T0 + timedelta(hours=1), team="new-team", commit="2"))
    campaign = (await api.get("/api/v1/checks/res.timeouts")).json()
    assert [(t["team"], t["failing"]) for t in campaign["teams"]] == [("new-team", 1)]
    only = await api.get("/api/v1/checks/res.timeouts/services", params={"team": "new-team"})
    assert [i["service"] for i in only.json()["items"]] == ["svc"]
    teams = (await api.get("/api/v1/overview")).json()["trend"][-1]
    assert teams["services"] == 1
