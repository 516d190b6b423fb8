"""Request ids, JSON logs, Prometheus metrics, health and readiness."""

from __future__ import annotations

import io
import json
import logging

import pytest
from sqlalchemy import text

from prodready.server import Database
from prodready.server._observability import JsonFormatter, configure_logging, request_id_var
from tests.server.conftest import Api
from tests.server.documents import one

pytestmark = pytest.mark.anyio


async def test_request_ids_are_echoed_or_generated(api: Api) -> None:
    given = await api.get("/healthz", headers={"x-request-id": "ci-run-42.step_3"})
    assert given.headers["x-request-id"] == "ci-run-42.step_3"
    generated = await api.get("/healthz", headers={"x-request-id": "bad id with spaces\n"})
    assert generated.headers["x-request-id"] != "bad id with spaces\n"
    assert len(generated.headers["x-request-id"]) == 32


async def test_access_log_lines_are_json_with_the_request_id(api: Api) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("prodready.server.access")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        await api.get("/api/v1/services/x", headers={"x-request-id": "trace-1"})
    finally:
        logger.removeHandler(handler)
    entry = json.loads(stream.getvalue().splitlines()[-1])
    assert entry["request_id"] == "trace-1"
    assert entry["status"] == 404
    assert entry["route"] == "/api/v1/services/{name}"
    assert entry["level"] == "info"
    assert entry["duration_ms"] >= 0


def test_formatter_keeps_extras_and_exceptions() -> None:
    token = request_id_var.set("abc")
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            record = logging.getLogger("t").makeRecord(
                "t", logging.ERROR, __file__, 1, "failed %s", ("x",), None, extra={"n": 1}
            )
            import sys

            record.exc_info = sys.exc_info()
        entry = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert entry["message"] == "failed x"
    assert entry["request_id"] == "abc"
    assert entry["n"] == 1
    assert "ValueError: boom" in entry["exception"]


def test_configure_logging_routes_uvicorn_to_json() -> None:
    stream = io.StringIO()
    configure_logging("info", stream=stream)
    try:
        logging.getLogger("uvicorn.error").info("hello")
        assert json.loads(stream.getvalue())["message"] == "hello"
    finally:
        for name in ("prodready", "uvicorn", "uvicorn.error"):
            logging.getLogger(name).handlers.clear()
            logging.getLogger(name).propagate = True


async def test_metrics_expose_red_ingest_and_fleet_gauges(api: Api) -> None:
    assert (await api.push(one("payments-api", team="pay", score=81.5))).status_code == 201
    assert (await api.push(one("payments-api", team="pay", score=81.5))).status_code == 200
    assert (await api.client.post("/api/v1/scans", content=b"{")).status_code == 401
    await api.get("/api/v1/services/payments-api")
    response = await api.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    body = response.text
    assert (
        'prodready_http_requests_total{method="GET",route="/api/v1/services/{name}",status="200"}'
        " 1.0" in body
    )
    assert 'prodready_ingest_scans_total{result="created"} 1.0' in body
    assert 'prodready_ingest_scans_total{result="replayed"} 1.0' in body
    assert 'prodready_service_score{service="payments-api",team="pay"} 81.5' in body
    assert 'prodready_service_level{service="payments-api",team="pay"} 1.0' in body
    assert 'prodready_services{level="bronze"} 1.0' in body
    assert "prodready_http_request_duration_seconds_bucket" in body


async def test_readyz_reports_database_and_schema(api: Api) -> None:
    ready = await api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "database": "ok",
        "schema_revision": "0001",
        "detail": None,
    }
    db = Database(api.settings.database_url)
    try:
        with db.write() as session:
            session.execute(text("UPDATE prodready_schema_version SET version_num = 'old'"))
    finally:
        db.dispose()
    stale = await api.get("/readyz")
    assert stale.status_code == 503
    assert "prodready db upgrade" in stale.json()["detail"]
    assert (await api.get("/healthz")).status_code == 200


async def test_security_headers(api: Api) -> None:
    page = await api.get("/")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    json_answer = await api.get("/api/v1/services")
    assert "content-security-policy" not in json_answer.headers
