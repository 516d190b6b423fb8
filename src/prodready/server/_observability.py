"""Request ids, JSON logs and Prometheus metrics.

One pure-ASGI middleware does the per-request work (BaseHTTPMiddleware would
buffer and cost a task per request): it assigns the request id (taken from a
well-formed ``X-Request-ID`` or generated), echoes it in the response, times
the request, counts it under its *route template* (``/api/v1/services/{name}``,
not the raw path, so label cardinality stays bounded) and writes one JSON
access-log line.

Metrics live in a registry per app, so tests can build many apps in one
process. Fleet gauges (score and level per service) are read from the
database at scrape time by a collector: they are right whichever instance
ingested the scan.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from prodready.server._db import Database
from prodready.server._models import Notification, Service
from prodready.server._summary import LEVEL_NAMES

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "prodready_request_id", default=None
)
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("prodready.server.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, extras."""

    _RESERVED = frozenset(
        vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
        | {"message", "asctime", "color_message"}  # uvicorn's ANSI-coloured duplicate
    )

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in self._RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: str = "info", stream: Any = None) -> None:
    """Route prodready's and uvicorn's loggers to JSON lines on stderr.
    Called by ``prodready serve``; the app factory never touches global logging."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("prodready", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
    logging.getLogger("uvicorn.access").handlers[:] = []
    logging.getLogger("uvicorn.access").propagate = False


class Metrics:
    """Every metric the server exports, registered in its own registry."""

    def __init__(self, db: Database) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "prodready_http_requests",
            "HTTP requests by method, route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "prodready_http_request_duration_seconds",
            "HTTP request duration by method and route template.",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "prodready_http_requests_in_flight",
            "Requests being served now.",
            registry=self.registry,
        )
        self.ingest = Counter(
            "prodready_ingest_scans",
            "Pushed scan documents by result (created, replayed, rejected).",
            ["result"],
            registry=self.registry,
        )
        self.ingest_services = Counter(
            "prodready_ingest_service_scans",
            "Service results stored (a document may hold several).",
            registry=self.registry,
        )
        self.ingest_bytes = Counter(
            "prodready_ingest_bytes",
            "Bytes of accepted scan documents (uncompressed).",
            registry=self.registry,
        )
        self.ingest_duration = Histogram(
            "prodready_ingest_duration_seconds",
            "Time to validate and commit one pushed document.",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.notifications = Counter(
            "prodready_notifications",
            "Webhook delivery attempts by target and result (delivered, retry, failed).",
            ["target", "result"],
            registry=self.registry,
        )
        self.registry.register(FleetCollector(db))


class FleetCollector(Collector):
    """Per-service score and level, and the notification backlog, from the database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def describe(self) -> list[Any]:
        return []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        score = GaugeMetricFamily(
            "prodready_service_score", "Latest readiness score (0-100).", labels=["service", "team"]
        )
        level = GaugeMetricFamily(
            "prodready_service_level",
            "Latest level rank: 0 none, 1 bronze, 2 silver, 3 gold, 4 platinum.",
            labels=["service", "team"],
        )
        services = GaugeMetricFamily(
            "prodready_services", "Tracked services by level.", labels=["level"]
        )
        pending = GaugeMetricFamily(
            "prodready_notifications_backlog",
            "Notifications by status (pending and failed need attention).",
            labels=["status"],
        )
        counts = dict.fromkeys(LEVEL_NAMES.values(), 0)
        try:
            with self.db.read() as session:
                for name, team, value, rank in session.execute(
                    select(Service.name, Service.team, Service.score, Service.level_rank)
                ):
                    if value is not None:
                        score.add_metric([name, team or ""], float(value))
                    level.add_metric([name, team or ""], float(rank))
                    counts[LEVEL_NAMES[rank]] += 1
                statuses = dict(
                    session.execute(
                        select(Notification.status, func.count()).group_by(Notification.status)
                    ).all()
                )
        except Exception:  # a scrape must not fail because the database is down
            logging.getLogger("prodready.server").exception("metrics: cannot read the database")
            return
        for name, count in counts.items():
            services.add_metric([name], float(count))
        for status in ("pending", "delivering", "delivered", "failed", "dropped"):
            pending.add_metric([status], float(statuses.get(status, 0)))
        yield score
        yield level
        yield services
        yield pending


class RequestContextMiddleware:
    """Request id, timing, RED metrics and the access log, for every request."""

    def __init__(
        self, app: ASGIApp, metrics: Metrics, clock: Callable[[], float] = time.perf_counter
    ):
        self.app = app
        self.metrics = metrics
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = (
            incoming if incoming and _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        )
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        status = 500
        start = self.clock()
        self.metrics.in_flight.inc()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = self.clock() - start
            self.metrics.in_flight.dec()
            route = scope.get("route")
            template = getattr(route, "path", None) or "(unmatched)"
            method = scope.get("method", "GET")
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.duration.labels(method, template).observe(elapsed)
            access_log.info(
                "%s %s %s",
                method,
                scope.get("path", ""),
                status,
                extra={
                    "method": method,
                    "path": scope.get("path", ""),
                    "route": template,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "client": (scope.get("client") or ("", 0))[0],
                },
            )
            request_id_var.reset(token)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            try:
                decoded: str = value.decode("latin-1")
            except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes everything
                return None
            return decoded
    return None
