"""What every request handler needs, built once per app, plus the auth dependencies.

Authentication: ``Authorization: Bearer prt_...`` (CLI, CI, Prometheus), or
the ``prodready_token`` cookie set by ``/login`` (browsers, when reads are
not public). Authorisation: each route depends on exactly one of
``require_read``, ``require_push`` or ``require_admin`` (a test walks the
routes and fails if one has none).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from prodready.server._auth import (
    ANONYMOUS,
    Principal,
    lookup,
    needs_last_used_update,
    touch_last_used,
)
from prodready.server._db import Database
from prodready.server._ingest import Ingestor
from prodready.server._notify import Notifier
from prodready.server._observability import Metrics
from prodready.server._settings import Settings

COOKIE = "prodready_token"
log = logging.getLogger("prodready.server")


@dataclass
class ServerContext:
    settings: Settings
    db: Database
    ingestor: Ingestor
    notifier: Notifier
    metrics: Metrics
    schema_heads: tuple[str, ...]


class ApiError(Exception):
    """Raised by handlers; rendered as ``{error, detail}`` JSON (or an HTML page)."""

    def __init__(
        self, status: int, error: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.headers = headers or {}


async def context(request: Request) -> ServerContext:
    ctx: ServerContext = request.app.state.ctx
    return ctx


Ctx = Annotated[ServerContext, Depends(context)]

_bearer = HTTPBearer(
    auto_error=False,
    description="An API token (`prodready token create`). Reads may be public (server setting).",
)


def _unauthorised(detail: str) -> ApiError:
    return ApiError(401, "unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


def principal(
    request: Request,
    ctx: Ctx,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Who is calling. Anonymous when no token is presented; 401 for a bad one."""
    header = request.headers.get("authorization")
    if header is not None and credentials is None:
        raise _unauthorised("use 'Authorization: Bearer <token>'")
    secret = credentials.credentials if credentials is not None else request.cookies.get(COOKIE)
    if not secret:
        return ANONYMOUS
    now = datetime.now(UTC)
    with ctx.db.engine.connect() as conn:
        found = lookup(conn, secret, now)
    if found is None:
        raise _unauthorised("the token is unknown, revoked or expired")
    if needs_last_used_update(found.last_used_at, now):
        try:
            with ctx.db.write() as session:
                touch_last_used(session, found.token_id, now)
        except Exception:  # bookkeeping only: never fail a request for it
            log.warning("could not record token use", exc_info=True)
    return found.principal


Caller = Annotated[Principal, Depends(principal)]


async def require_read(ctx: Ctx, who: Caller) -> Principal:
    if ctx.settings.public_reads or who.can_read():
        return who
    if who.name is None:
        raise _unauthorised("reading needs a token with the read scope")
    raise ApiError(403, "forbidden", f"token {who.name!r} lacks the read scope")


async def require_badge(ctx: Ctx, who: Caller) -> Principal:
    if ctx.settings.badges_public:
        return who
    return await require_read(ctx, who)


async def require_push(who: Caller) -> Principal:
    if who.can_push_any():
        return who
    if who.name is None:
        raise _unauthorised("pushing needs a token with a push scope")
    raise ApiError(403, "forbidden", f"token {who.name!r} has no push scope")


async def require_admin(who: Caller) -> Principal:
    if who.is_admin:
        return who
    if who.name is None:
        raise _unauthorised("this needs a token with the admin scope")
    raise ApiError(403, "forbidden", f"token {who.name!r} lacks the admin scope")


async def public(request: Request) -> None:
    """Marks a route as deliberately open (health checks, static files, login)."""


Reader = Annotated[Principal, Depends(require_read)]
Pusher = Annotated[Principal, Depends(require_push)]
Admin = Annotated[Principal, Depends(require_admin)]
BadgeReader = Annotated[Principal, Depends(require_badge)]
Public = Annotated[None, Depends(public)]
