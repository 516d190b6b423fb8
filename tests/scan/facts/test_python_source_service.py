"""Routes, health endpoints, entry points, shutdown hooks, OpenAPI apps and
library uses in Python code (``analyze_python``)."""

from __future__ import annotations

import textwrap

from prodready.scan.facts.code_model import PythonFileFacts
from prodready.scan.facts.python_source import analyze_python


def facts(source: str, path: str = "svc/app.py") -> PythonFileFacts:
    result = analyze_python(path, textwrap.dedent(source))
    assert result.problems == ()
    return result


def uses(source: str) -> list[tuple[int, str, str, bool]]:
    return [
        (u.line, u.capability, u.library, u.startup_only)
        for u in facts(source).library_uses
        if u.capability not in ("http-client", "web-framework", "grpc")
    ]


# --------------------------------------------------------------------------- routes


def test_fastapi_routes_and_prefixes() -> None:
    result = facts(
        """\
        from fastapi import APIRouter, FastAPI

        app = FastAPI()
        router = APIRouter(prefix="/internal")

        @app.get("/healthz")
        def health():
            return {}

        @router.api_route("/ready", methods=["GET", "HEAD"])
        def ready():
            return {}

        @app.post("/items/{item_id}")
        def create(item_id: int):
            return {}

        app.include_router(router, prefix="/ops")
        """
    )
    routes = [(r.line, r.framework, r.method, r.route, r.health) for r in result.routes]
    assert routes == [
        (4, "fastapi", None, "/internal", None),
        (6, "fastapi", "GET", "/healthz", "strong"),
        (10, "fastapi", "GET,HEAD", "/ready", "strong"),
        (14, "fastapi", "POST", "/items/{item_id}", None),
        (18, "fastapi", None, "/ops", None),
    ]


def test_flask_django_starlette_aiohttp_routes() -> None:
    result = facts(
        """\
        from aiohttp import web
        from django.urls import path, re_path
        from flask import Blueprint, Flask
        from starlette.routing import Route

        app = Flask(__name__)
        bp = Blueprint("ops", __name__, url_prefix="/ops")

        @app.route("/ping", methods=["GET"])
        def ping():
            return "pong"

        @bp.route("/livez")
        def livez():
            return "ok"

        urlpatterns = [path("health/", None), re_path(r"^api/v1/status$", None)]
        routes = [Route("/readyz", None)]
        aio = web.Application()
        aio.router.add_get("/healthcheck", None)
        table = web.RouteTableDef()

        @table.get("/metrics")
        async def metrics(request):
            return web.Response()
        """
    )
    routes = {(r.route, r.framework, r.health) for r in result.routes}
    assert routes == {
        ("/ops", "flask", None),
        ("/ping", "flask", "weak"),
        ("/livez", "flask", "strong"),
        ("health/", "django", "strong"),
        ("^api/v1/status$", "django", "weak"),
        ("/readyz", "starlette", "strong"),
        ("/healthcheck", "aiohttp", "strong"),
        ("/metrics", "aiohttp", None),
    }


def test_router_imported_from_elsewhere_is_unknown_framework() -> None:
    result = facts(
        """\
        from .api import router

        @router.get("/health")
        def health():
            return {}
        """
    )
    assert [(r.framework, r.route, r.health) for r in result.routes] == [
        ("unknown", "/health", "strong")
    ]


def test_client_calls_with_paths_are_not_routes() -> None:
    result = facts(
        """\
        import httpx

        client = httpx.Client(base_url="http://svc")
        client.get("/health")
        """
    )
    assert result.routes == ()
    assert len(result.outbound_calls) == 1


def test_grpc_health_service_registration() -> None:
    result = facts(
        """\
        import grpc
        from grpc_health.v1 import health, health_pb2_grpc

        server = grpc.server(None)
        health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)
        """
    )
    assert {h.kind for h in result.health_checks} == {"grpc-health"}
    assert [e.kind for e in result.server_entrypoints] == ["server-run"]


# --------------------------------------------------------------------------- service shape


def test_entry_points() -> None:
    result = facts(
        """\
        import uvicorn
        from fastapi import FastAPI
        from flask import Flask

        api = FastAPI()
        web = Flask(__name__)

        if __name__ == "__main__":
            uvicorn.run(api, host="0.0.0.0")
            web.run()
        """
    )
    kinds = [(e.line, e.kind, e.detail) for e in result.server_entrypoints]
    assert kinds == [
        (5, "app", "fastapi.FastAPI"),
        (6, "app", "flask.Flask"),
        (9, "server-run", "uvicorn.run"),
        (10, "server-run", "Flask.run"),
    ]
    assert result.has_main_guard


def test_django_manage_py_is_a_server_entry_point() -> None:
    result = facts(
        """\
        import sys
        from django.core.management import execute_from_command_line

        def main():
            execute_from_command_line(sys.argv)
        """,
        path="manage.py",
    )
    assert [e.kind for e in result.server_entrypoints] == ["server-run"]


def test_library_code_has_no_entry_points() -> None:
    result = facts(
        """\
        import requests

        def fetch(url):
            return requests.get(url, timeout=5).json()
        """
    )
    assert result.server_entrypoints == ()


def test_graceful_shutdown_evidence() -> None:
    result = facts(
        """\
        import asyncio
        import signal
        from contextlib import asynccontextmanager

        import uvicorn
        from fastapi import FastAPI

        @asynccontextmanager
        async def lifespan(app):
            yield

        app = FastAPI(lifespan=lifespan)

        @app.on_event("shutdown")
        async def close():
            pass

        def install(loop):
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop)
            signal.signal(signal.SIGTERM, lambda *_: None)

        uvicorn.run(app, timeout_graceful_shutdown=20)
        """
    )
    kinds = sorted((h.kind, h.line) for h in result.shutdown_hooks)
    assert kinds == [
        ("graceful-config", 23),
        ("lifespan", 12),
        ("lifespan", 14),
        ("server-default", 23),
        ("signal-handler", 20),
        ("signal-handler", 21),
    ]


def test_sigint_only_is_not_sigterm() -> None:
    result = facts(
        """\
        import signal

        signal.signal(signal.SIGINT, lambda *_: None)
        """
    )
    assert result.shutdown_hooks == ()


def test_openapi_apps() -> None:
    result = facts(
        """\
        import os
        from fastapi import FastAPI

        public = FastAPI(title="x")
        hidden = FastAPI(openapi_url=None)
        computed = FastAPI(openapi_url=os.environ.get("OPENAPI_URL"))
        custom = FastAPI(openapi_url="/api/openapi.json")
        """
    )
    apps = [(a.line, a.serves_openapi, a.openapi_url) for a in result.openapi_apps]
    assert apps == [
        (4, True, "/openapi.json"),
        (5, False, None),
        (6, None, None),
        (7, True, "/api/openapi.json"),
    ]


# --------------------------------------------------------------------------- library uses


def test_retry_uses_and_startup_only() -> None:
    found = uses(
        """\
        import backoff
        import stamina
        import tenacity
        from tenacity import retry, stop_after_attempt

        @retry(stop=stop_after_attempt(5))
        def wait_for_db():
            pass

        @tenacity.retry
        def fetch_user(user_id):
            pass

        @stamina.retry(on=Exception)
        def charge():
            pass

        @backoff.on_exception(backoff.expo, Exception)
        def notify():
            pass

        async def lifespan(app):
            for attempt in tenacity.Retrying(stop=stop_after_attempt(3)):
                with attempt:
                    pass

        if __name__ == "__main__":
            for attempt in tenacity.Retrying():
                pass
        """
    )
    assert found == [
        (6, "retry", "tenacity", True),
        (10, "retry", "tenacity", False),
        (14, "retry", "stamina", False),
        (18, "retry", "backoff", False),
        (23, "retry", "tenacity", True),
        (28, "retry", "tenacity", True),
    ]


def test_import_alone_is_not_use() -> None:
    assert uses("import tenacity\nimport pybreaker\nimport prometheus_client\n") == []


def test_circuit_breakers_and_rate_limits() -> None:
    found = uses(
        """\
        import asyncio
        import httpx
        import pybreaker
        from circuitbreaker import circuit
        from slowapi import Limiter
        from slowapi.util import get_remote_address

        breaker = pybreaker.CircuitBreaker(fail_max=5)
        limiter = Limiter(key_func=get_remote_address)

        @circuit(failure_threshold=3)
        def call():
            pass

        class Fanout:
            def __init__(self):
                self.sem = asyncio.Semaphore(10)
                self.client = httpx.AsyncClient()
                self.cpu = asyncio.Semaphore(2)
                self.never_used = asyncio.Semaphore(3)

            async def one(self, url):
                async with self.sem:
                    return await self.client.get(url)

            async def other(self):
                async with self.cpu:
                    return 1
        """
    )
    assert found == [
        (8, "circuit-breaker", "pybreaker", False),
        (9, "rate-limit", "slowapi", False),
        (11, "circuit-breaker", "circuitbreaker", False),
        (23, "rate-limit", "asyncio.Semaphore", False),
        (27, "rate-limit", "asyncio.Semaphore", False),
    ]


def test_urllib3_retry_and_prodready_policies() -> None:
    found = uses(
        """\
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry
        from prodready.http import Bulkhead, CircuitBreaker, Client, Retry as PRetry

        adapter = HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5))
        client = Client(retry=PRetry(3), breaker=CircuitBreaker("x"), bulkhead=Bulkhead(10))
        """
    )
    assert found == [
        (5, "retry", "urllib3", False),
        (6, "circuit-breaker", "prodready.http", False),
        (6, "rate-limit", "prodready.http", False),
        (6, "retry", "prodready.http", False),
    ]


def test_observability_uses() -> None:
    found = uses(
        """\
        import logging
        import json
        import sentry_sdk
        import structlog
        from loguru import logger
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from prometheus_client import Counter, make_asgi_app

        REQUESTS = Counter("requests_total", "Requests")
        structlog.configure(processors=[])
        logger.add("app.log", serialize=True)
        logger.add("plain.log")
        sentry_sdk.init(dsn="https://k@o1.ingest.sentry.io/1", traces_sample_rate=0.2)
        FastAPIInstrumentor.instrument_app(app)
        logging.config.dictConfig({"json": {"()": "pythonjsonlogger.jsonlogger.JsonFormatter"}})

        class JsonFormatter(logging.Formatter):
            def format(self, record):
                return json.dumps({"message": record.getMessage()})
        """
    )
    assert found == [
        (9, "metrics", "prometheus-client", False),
        (10, "structured-logging", "structlog", False),
        (11, "structured-logging", "loguru", False),
        (13, "error-tracking", "sentry-sdk", False),
        (13, "tracing", "sentry-sdk", False),
        (14, "tracing", "opentelemetry", False),
        (15, "structured-logging", "python-json-logger", False),
        (19, "structured-logging", "logging (JSON formatter)", False),
    ]


def test_sentry_without_tracing_is_error_tracking_only() -> None:
    found = uses('import sentry_sdk\nsentry_sdk.init(dsn="x")\n')
    assert found == [(2, "error-tracking", "sentry-sdk", False)]


def test_django_settings_strings() -> None:
    found = uses(
        """\
        INSTALLED_APPS = ["django.contrib.admin", "django_prometheus"]
        MIDDLEWARE = ["django_prometheus.middleware.PrometheusBeforeMiddleware"]
        REST_FRAMEWORK = {"THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"]}
        DOC = "We use django_prometheus for metrics and more words here."
        """
    )
    assert found == [
        (1, "metrics", "django-prometheus", False),
        (2, "metrics", "django-prometheus", False),
        (3, "rate-limit", "django-rest-framework throttling", False),
    ]


def test_library_symbol_passed_as_argument_counts() -> None:
    found = uses(
        """\
        from fastapi import FastAPI
        from slowapi.middleware import SlowAPIMiddleware
        from starlette_exporter import PrometheusMiddleware, handle_metrics

        app = FastAPI()
        app.add_middleware(SlowAPIMiddleware)
        app.add_middleware(PrometheusMiddleware)
        app.add_route("/metrics", handle_metrics)
        """
    )
    assert found == [
        (6, "rate-limit", "slowapi", False),
        (7, "metrics", "starlette-exporter", False),
        (8, "metrics", "starlette-exporter", False),
    ]


def test_imports_are_listed() -> None:
    result = facts("import os.path\nfrom httpx import Client\nfrom . import sibling\n")
    assert result.imports == ("httpx", "os.path")


def test_library_strings_outside_settings_prove_nothing() -> None:
    found = uses(
        """\
        RULES = (("django_prometheus", "metrics"), ("ddtrace", "tracing"))
        HELP = "set MIDDLEWARE to django_prometheus.middleware.PrometheusBeforeMiddleware"
        """
    )
    assert found == []


def test_grpc_retry_policy_in_python_service_config() -> None:
    found = uses(
        """\
        import json

        CONFIG = json.dumps({"methodConfig": [{"retryPolicy": {"maxAttempts": 4}}]})
        OTHER = {"retryPolicy": "see docs"}
        """
    )
    assert found == [(3, "retry", "grpc service config", False)]


def test_semaphore_acquire_release_is_a_bulkhead() -> None:
    result = facts(
        """\
        import asyncio

        class Consumer:
            def __init__(self, limit):
                self._slots = asyncio.Semaphore(limit)

            async def run(self):
                await self._slots.acquire()
                asyncio.create_task(self.deliver())
        """
    )
    assert [(u.line, u.capability, u.detail) for u in result.library_uses] == [
        (8, "rate-limit", "bounds concurrency (acquire/release)")
    ]


def test_hand_written_retry_loops() -> None:
    found = uses(
        """\
        import time
        import requests

        def fetch(url):
            delay = 0.1
            for attempt in range(5):
                try:
                    return requests.get(url, timeout=2)
                except requests.RequestException:
                    time.sleep(delay)
                    delay *= 2

        def wait_for_db(connect):
            for attempt in range(10):
                try:
                    return connect()
                except OSError:
                    time.sleep(0.5 * 2 ** attempt)

        def poll(check):
            while not check():
                time.sleep(1)
        """
    )
    assert found == [
        (6, "retry", "hand-written backoff loop", False),
        (14, "retry", "hand-written backoff loop", True),
    ]
