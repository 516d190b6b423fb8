"""The application factory.

``create_app(settings)`` builds everything a server needs (database, ingestor,
notifier, metrics, templates) and wires the lifespan: on startup it refuses
an unmigrated database and starts the notifier; on shutdown (SIGTERM: uvicorn
first stops accepting and drains in-flight requests) it stops the notifier
and closes the pool.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import make_url
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from prodready import __version__
from prodready.server import _errors
from prodready.server._api import ops_router
from prodready.server._api import router as api_router
from prodready.server._context import ServerContext
from prodready.server._db import Database
from prodready.server._error_tracking import init_error_tracking
from prodready.server._ingest import Ingestor
from prodready.server._migrate import head_revisions, schema_status, unmigrated_message
from prodready.server._notify import Notifier
from prodready.server._observability import Metrics, RequestContextMiddleware
from prodready.server._pages import HERE, make_templates
from prodready.server._pages import router as pages_router
from prodready.server._settings import Settings

log = logging.getLogger("prodready.server")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class UnmigratedDatabaseError(RuntimeError):
    """The database is not at the schema this version of prodready needs."""


class SecurityHeadersMiddleware:
    """Conservative headers on every answer; a strict CSP on HTML pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                ]
                content_type = dict(headers).get(b"content-type", b"")
                if content_type.startswith((b"text/html", b"image/svg")):
                    extra.append((b"content-security-policy", CSP.encode()))
                headers.extend(h for h in extra if h[0] not in names)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_wrapper)


def check_schema(db: Database) -> None:
    status = schema_status(db.engine)
    if not status.is_current:
        raise UnmigratedDatabaseError(unmigrated_message(status, _redact(db.url)))


def _redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # pragma: no cover - defensive: never fail while reporting
        return "(database)"


def create_app(
    settings: Settings,
    *,
    db: Database | None = None,
    start_notifier: bool = True,
    check_migrations: bool = True,
) -> FastAPI:
    """Build the ASGI app. ``db`` lets tests share one database between apps."""
    database = db or Database(
        settings.database_url,
        pool_size=settings.pool_size,
        sqlite_synchronous=settings.sqlite_synchronous,
    )
    metrics = Metrics(database)
    notifier = Notifier(database, settings, metrics)
    ingestor = Ingestor(database, settings, on_notifications=notifier.wake)
    ctx = ServerContext(
        settings=settings,
        db=database,
        ingestor=ingestor,
        notifier=notifier,
        metrics=metrics,
        schema_heads=head_revisions(),
    )
    owns_db = db is None
    init_error_tracking(settings)  # before the app exists: the SDK instruments Starlette

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if check_migrations:
            check_schema(database)
        if start_notifier:
            notifier.start()
        log.info(
            "prodready server started",
            extra={"database": _redact(database.url), "version": __version__},
        )
        try:
            yield
        finally:
            await notifier.stop()
            if owns_db:
                database.dispose()
            log.info("prodready server stopped")

    app = FastAPI(
        title="prodready",
        version=__version__,
        summary="Production-readiness history, dashboard and API for a fleet of services.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        separate_input_output_schemas=False,
    )
    app.state.ctx = ctx
    app.state.templates = make_templates()
    app.include_router(api_router)
    app.include_router(ops_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _errors.install(app)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware, metrics=metrics)

    def custom_openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = custom_openapi  # type: ignore[method-assign]
    return app


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with the scan-result schema the push endpoint takes."""
    from prodready.scan.model import ScanResult

    spec = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=(
            "Push scan results from CI and read readiness history. Authenticate with "
            "`Authorization: Bearer <token>` (`prodready token create`). Errors are "
            '`{"error": code, "detail": sentence}`.'
        ),
        routes=app.routes,
        separate_input_output_schemas=False,
    )
    components = spec.setdefault("components", {}).setdefault("schemas", {})
    if "ScanResult" not in components:
        schema = ScanResult.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components["ScanResult"] = schema
    return spec
