"""The JSON API under ``/api/v1`` (and the operational ``/healthz``,
``/readyz``, ``/metrics``).

Handlers are thin: parse, authorise (one dependency each), call ``_queries``
or the ingestor, shape the answer. Errors are ``ApiError`` and become
``{error, detail}`` with a 4xx status in ``_errors``.
"""

from __future__ import annotations

import time
import zlib
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import column, func, select, table

from prodready.scan.model import ScanResult
from prodready.server import _queries as queries
from prodready.server import _schemas as s
from prodready.server._auth import TokenError, create_token, list_tokens, revoke_token
from prodready.server._context import Admin, ApiError, Ctx, Pusher, Reader
from prodready.server._ingest import (
    IngestError,
    IngestResult,
    ParsedDocument,
    parse_document,
    validate_document,
)
from prodready.server._migrate import VERSION_TABLE
from prodready.server._models import CheckCatalog, Notification, Scan, Token

API_PREFIX = "/api/v1"
router = APIRouter(prefix=API_PREFIX)
ops_router = APIRouter()

_E = {"model": s.ErrorBody}
R_READ: dict[int | str, dict[str, Any]] = {401: _E, 403: _E, 422: _E}
R_ONE: dict[int | str, dict[str, Any]] = {**R_READ, 404: _E}

Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")]
Days = Annotated[int, Query(ge=1, le=3650, description="Days of trend to return.")]
ServiceName = Annotated[str, Path(min_length=1, max_length=200, description="Service name.")]
TeamName = Annotated[str, Path(min_length=1, max_length=200, description="Team name.")]
CheckId = Annotated[
    str, Path(min_length=1, max_length=100, description="Check id, e.g. res.timeouts.")
]
ScanId = Annotated[int, Path(ge=1, le=2**62, description="Scan id (as returned by POST /scans).")]


def _not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} does not exist")


# --- ingest --------------------------------------------------------------------------------------


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, at most ``limit`` bytes after gzip decoding (413 beyond)."""
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if content_type.lower() not in {"application/json", ""}:
        raise ApiError(
            415, "unsupported_media_type", f"send application/json, not {content_type!r}"
        )
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in {"identity", "gzip"}:
        raise ApiError(
            415, "unsupported_media_type", f"Content-Encoding {encoding!r}: use gzip or none"
        )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(
            413,
            "payload_too_large",
            f"the body is {declared} bytes; the limit is {limit} (server setting max_body_bytes)",
        )
    chunks: list[bytes] = []
    size = 0
    inflater = zlib.decompressobj(wbits=31) if encoding == "gzip" else None
    try:
        async for chunk in request.stream():
            if inflater is not None:
                chunk = inflater.decompress(chunk, limit + 1 - size)
                if inflater.unconsumed_tail:
                    size = limit + 1
            size += len(chunk)
            if size > limit:
                raise ApiError(
                    413,
                    "payload_too_large",
                    f"the document is larger than {limit} bytes (server setting max_body_bytes)",
                )
            chunks.append(chunk)
        if inflater is not None:
            tail = inflater.flush()
            if size + len(tail) > limit:
                raise ApiError(413, "payload_too_large", f"the document is larger than {limit}")
            if not inflater.eof:
                raise ApiError(400, "invalid_gzip", "the gzip body is truncated")
            chunks.append(tail)
    except zlib.error as exc:
        raise ApiError(400, "invalid_gzip", f"the body is not valid gzip ({exc})") from None
    return b"".join(chunks)


def _created(result: IngestResult) -> s.ScanCreated:
    return s.ScanCreated(
        id=result.scan_id,
        created=result.created,
        services=[
            s.ScanServiceRef(
                name=item.name,
                is_latest=item.is_latest,
                url=f"{API_PREFIX}/services/{queries.q(item.name)}/scans/{result.scan_id}",
            )
            for item in result.services
        ],
        url=f"{API_PREFIX}/scans/{result.scan_id}",
    )


@router.post(
    "/scans",
    status_code=201,
    tags=["scans"],
    summary="Push a scan result",
    response_model=s.ScanCreated,
    responses={
        200: {"model": s.ScanCreated, "description": "Already stored: the same id (a replay)."},
        400: _E,
        401: _E,
        403: _E,
        413: _E,
        415: _E,
        422: _E,
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A scan result document (`prodready scan --format json`), "
            "optionally gzip-encoded (`Content-Encoding: gzip`).",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ScanResult"}}
            },
        }
    },
)
async def push_scan(request: Request, response: Response, ctx: Ctx, who: Pusher) -> s.ScanCreated:
    """Validate and store a scan document in one transaction. Answers **201**
    with the scan id only after the commit; pushing the same document again
    (same services, commit, tool version and content) answers **200** with the
    same id, so clients can retry safely."""
    started = time.perf_counter()
    try:
        body = await _read_body(request, ctx.settings.max_body_bytes)

        def store() -> tuple[ParsedDocument, IngestResult]:
            parsed = parse_document(body, max_bytes=ctx.settings.max_body_bytes)
            return parsed, ctx.ingestor.ingest(parsed, who)

        doc, result = await run_in_threadpool(store)
    except (ApiError, IngestError):
        ctx.metrics.ingest.labels("rejected").inc()
        raise
    ctx.metrics.ingest_duration.observe(time.perf_counter() - started)
    if result.created:
        ctx.metrics.ingest.labels("created").inc()
        ctx.metrics.ingest_services.inc(len(result.services))
        ctx.metrics.ingest_bytes.inc(len(doc.canonical))
    else:
        ctx.metrics.ingest.labels("replayed").inc()
        response.status_code = 200
    response.headers["Location"] = f"{API_PREFIX}/scans/{result.scan_id}"
    return _created(result)


@router.get(
    "/scans/{scan_id}",
    tags=["scans"],
    summary="The stored scan document",
    response_model=ScanResult,
    responses={**R_ONE, 410: _E},
)
def get_scan(scan_id: ScanId, ctx: Ctx, who: Reader) -> Any:
    """The document as it was pushed (all its services)."""
    with ctx.db.read() as session:
        if session.get(Scan, scan_id) is None:
            raise _not_found(f"scan {scan_id}")
        document = queries.load_document(session, scan_id)
    if document is None:
        raise ApiError(410, "gone", f"the document of scan {scan_id} was pruned")
    return validate_document(document)


# --- services ------------------------------------------------------------------------------------


@router.get(
    "/services",
    tags=["services"],
    summary="List services",
    response_model=s.Page[s.ServiceSummary],
    responses=R_READ,
)
def get_services(
    ctx: Ctx,
    who: Reader,
    team: Annotated[str | None, Query(max_length=200, description="Only this team.")] = None,
    level: Annotated[s.LevelName | None, Query(description="Only services at this level.")] = None,
    tier: Annotated[int | None, Query(ge=0, le=100, description="Only this tier.")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Search name, team, owner.")] = None,
    sort: Annotated[s.ServiceSort, Query(description="Sort key; '-' for descending.")] = "name",
    limit: Limit = 50,
    offset: Offset = 0,
) -> s.Page[s.ServiceSummary]:
    with ctx.db.read() as session:
        return queries.list_services(
            session,
            team=team,
            level=level,
            tier=tier,
            search=q,
            sort=sort,
            limit=limit,
            offset=offset,
        )


@router.get(
    "/services/{name}",
    tags=["services"],
    summary="One service, latest state",
    response_model=s.ServiceDetail,
    responses=R_ONE,
)
def get_service(name: ServiceName, ctx: Ctx, who: Reader) -> s.ServiceDetail:
    with ctx.db.read() as session:
        service = queries.get_service(session, name)
        if service is None:
            raise _not_found(f"service {name!r}")
        return queries.service_detail(session, service)


@router.get(
    "/services/{name}/scans",
    tags=["services"],
    summary="A service's scan history (newest first)",
    response_model=s.Page[s.ScanSummary],
    responses=R_ONE,
)
def get_service_scans(
    name: ServiceName, ctx: Ctx, who: Reader, limit: Limit = 50, offset: Offset = 0
) -> s.Page[s.ScanSummary]:
    with ctx.db.read() as session:
        service = queries.get_service(session, name)
        if service is None:
            raise _not_found(f"service {name!r}")
        return queries.service_scans(session, service, limit=limit, offset=offset)


@router.get(
    "/services/{name}/scans/{scan_id}",
    tags=["services"],
    summary="One scan of a service, with its full result",
    response_model=s.ServiceScanDetail,
    responses=R_ONE,
)
def get_service_scan(
    name: ServiceName, scan_id: ScanId, ctx: Ctx, who: Reader
) -> s.ServiceScanDetail:
    with ctx.db.read() as session:
        service = queries.get_service(session, name)
        if service is None:
            raise _not_found(f"service {name!r}")
        detail = queries.service_scan(session, service, scan_id)
        if detail is None:
            raise _not_found(f"scan {scan_id} of service {name!r}")
        return detail


@router.get(
    "/services/{name}/diff",
    tags=["services"],
    summary="Which checks changed between two scans",
    response_model=s.ScanDiff,
    responses=R_ONE,
)
def get_service_diff(
    name: ServiceName,
    ctx: Ctx,
    who: Reader,
    base: Annotated[
        int | None,
        Query(ge=1, le=2**62, description="Older scan id (default: the one before head)."),
    ] = None,
    head: Annotated[
        int | None, Query(ge=1, le=2**62, description="Newer scan id (default: the latest).")
    ] = None,
) -> s.ScanDiff:
    with ctx.db.read() as session:
        service = queries.get_service(session, name)
        if service is None:
            raise _not_found(f"service {name!r}")
        if head is None or base is None:
            recent = queries.service_scans(session, service, limit=2).items
            if head is None:
                head = recent[0].id if recent else None
            if base is None:
                base = recent[1].id if len(recent) > 1 else head
        if head is None or base is None:
            raise _not_found(f"a scan of service {name!r}")
        diff = queries.scan_diff(session, service, base, head)
        if diff is None:
            raise _not_found(f"scan {base} or {head} of service {name!r}")
        return diff


# --- checks, teams, overview ---------------------------------------------------------------------


@router.get(
    "/checks",
    tags=["checks"],
    summary="Every check seen, most failed first",
    response_model=list[s.CheckSummary],
    responses=R_READ,
)
def get_checks(ctx: Ctx, who: Reader) -> list[s.CheckSummary]:
    with ctx.db.read() as session:
        return queries.list_checks(session)


@router.get(
    "/checks/{check_id}",
    tags=["checks"],
    summary="A check campaign: counts by team and progress",
    response_model=s.CheckDetail,
    responses=R_ONE,
)
def get_check(check_id: CheckId, ctx: Ctx, who: Reader, days: Days = 365) -> s.CheckDetail:
    with ctx.db.read() as session:
        detail = queries.check_detail(session, check_id, days=days)
    if detail is None:
        raise _not_found(f"check {check_id!r}")
    return detail


@router.get(
    "/checks/{check_id}/services",
    tags=["checks"],
    summary="Services by their outcome on a check (default: failing)",
    response_model=s.Page[s.CheckServiceItem],
    responses=R_ONE,
)
def get_check_services(
    check_id: CheckId,
    ctx: Ctx,
    who: Reader,
    outcome: Annotated[
        Literal["failing", "any", "pass", "fail", "error", "exempt", "not_applicable"],
        Query(description="failing = fail or error."),
    ] = "failing",
    team: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> s.Page[s.CheckServiceItem]:
    with ctx.db.read() as session:
        if session.get(CheckCatalog, check_id) is None:
            raise _not_found(f"check {check_id!r}")
        return queries.check_services(
            session,
            check_id,
            outcome=outcome,
            teams=None if team is None else [team],
            limit=limit,
            offset=offset,
        )


@router.get(
    "/teams",
    tags=["teams"],
    summary="Teams, best average score first",
    response_model=list[s.TeamSummary],
    responses=R_READ,
)
def get_teams(ctx: Ctx, who: Reader) -> list[s.TeamSummary]:
    with ctx.db.read() as session:
        return queries.list_teams(session)


@router.get(
    "/teams/{team}",
    tags=["teams"],
    summary="A team: its services and trend",
    response_model=s.TeamDetail,
    responses=R_ONE,
)
def get_team(team: TeamName, ctx: Ctx, who: Reader, days: Days = 365) -> s.TeamDetail:
    with ctx.db.read() as session:
        detail = queries.team_detail(session, team, days=days)
    if detail is None:
        raise _not_found(f"team {team!r}")
    return detail


@router.get(
    "/overview",
    tags=["overview"],
    summary="Fleet overview (what the dashboard home shows)",
    response_model=s.Overview,
    responses=R_READ,
)
def get_overview(ctx: Ctx, who: Reader, days: Days = 365) -> s.Overview:
    with ctx.db.read() as session:
        return queries.overview(
            session, days=days, regression_window_days=ctx.settings.regression_window_days
        )


@router.get(
    "/notifications",
    tags=["notifications"],
    summary="Webhook deliveries, newest first",
    response_model=s.Page[s.NotificationInfo],
    responses=R_READ,
)
def get_notifications(
    ctx: Ctx,
    who: Reader,
    status: Annotated[
        Literal["pending", "delivering", "delivered", "failed", "dropped"] | None, Query()
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> s.Page[s.NotificationInfo]:
    with ctx.db.read() as session:
        return notifications_page(session, status=status, limit=limit, offset=offset)


def notifications_page(
    session: Any, *, status: str | None, limit: int, offset: int
) -> s.Page[s.NotificationInfo]:
    stmt = select(Notification)
    count = select(func.count()).select_from(Notification)
    if status is not None:
        stmt = stmt.where(Notification.status == status)
        count = count.where(Notification.status == status)
    rows = session.scalars(stmt.order_by(Notification.id.desc()).limit(limit).offset(offset)).all()
    return s.Page[s.NotificationInfo](
        items=[
            s.NotificationInfo(
                id=n.id,
                created_at=n.created_at,
                target=n.target,
                service=n.service,
                scan_id=n.scan_id,
                kinds=n.kinds.split(","),
                status=n.status,
                attempts=n.attempts,
                next_attempt_at=n.next_attempt_at,
                last_error=n.last_error,
                delivered_at=n.delivered_at,
            )
            for n in rows
        ],
        total=int(session.scalar(count) or 0),
        limit=limit,
        offset=offset,
    )


# --- tokens (admin) ------------------------------------------------------------------------------


def token_info(token: Token) -> s.TokenInfo:
    return s.TokenInfo(
        id=token.id,
        name=token.name,
        prefix=token.prefix,
        scopes=token.scopes.split(),
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


@router.get(
    "/tokens",
    tags=["tokens"],
    summary="List tokens (never their secrets)",
    response_model=list[s.TokenInfo],
    responses=R_READ,
)
def get_tokens(ctx: Ctx, who: Admin) -> list[s.TokenInfo]:
    with ctx.db.read() as session:
        return [token_info(t) for t in list_tokens(session)]


@router.post(
    "/tokens",
    status_code=201,
    tags=["tokens"],
    summary="Create a token (its secret is shown once)",
    response_model=s.TokenCreated,
    responses={**R_READ, 400: _E, 409: _E},
)
def post_token(body: s.TokenCreate, ctx: Ctx, who: Admin) -> s.TokenCreated:
    now = datetime.now(UTC)
    expires = now + timedelta(days=body.expires_in_days) if body.expires_in_days else None
    try:
        with ctx.db.write() as session:
            token, secret = create_token(
                session, name=body.name, scopes=body.scopes, expires_at=expires, now=now
            )
            info = token_info(token)
    except TokenError as exc:
        status = 409 if "already exists" in str(exc) else 422
        raise ApiError(
            status, "conflict" if status == 409 else "invalid_token_request", str(exc)
        ) from None
    except ValueError as exc:
        raise ApiError(422, "invalid_token_request", str(exc)) from None
    return s.TokenCreated(**info.model_dump(), secret=secret)


@router.delete(
    "/tokens/{token_name}",
    tags=["tokens"],
    summary="Revoke a token (at once)",
    response_model=s.TokenInfo,
    responses=R_ONE,
)
def delete_token(
    token_name: Annotated[str, Path(min_length=1, max_length=100)], ctx: Ctx, who: Admin
) -> s.TokenInfo:
    try:
        with ctx.db.write() as session:
            return token_info(revoke_token(session, token_name))
    except TokenError as exc:
        raise ApiError(404, "not_found", str(exc)) from None


# --- operations ----------------------------------------------------------------------------------


@ops_router.get("/healthz", tags=["operations"], summary="Liveness", response_model=s.Health)
def healthz() -> s.Health:
    """The process is up and serving (does not touch the database)."""
    return s.Health(status="ok")


@ops_router.get(
    "/readyz",
    tags=["operations"],
    summary="Readiness: database reachable and schema current",
    response_model=s.Health,
    responses={503: {"model": s.Health}},
)
def readyz(ctx: Ctx, response: Response) -> s.Health:
    try:
        with ctx.db.read() as session:
            version = table(VERSION_TABLE, column("version_num"))
            revisions = {str(row[0]) for row in session.execute(select(version.c.version_num))}
    except Exception as exc:
        response.status_code = 503
        return s.Health(status="unavailable", database="unreachable", detail=type(exc).__name__)
    current = ",".join(sorted(revisions)) or None
    if revisions != set(ctx.schema_heads):
        response.status_code = 503
        return s.Health(
            status="unavailable",
            database="ok",
            schema_revision=current,
            detail="schema not at head: run `prodready db upgrade`",
        )
    return s.Health(status="ok", database="ok", schema_revision=current)


@ops_router.get(
    "/metrics",
    tags=["operations"],
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}, 401: _E, 403: _E},
)
def metrics(ctx: Ctx, who: Reader) -> Response:
    return Response(generate_latest(ctx.metrics.registry), media_type=CONTENT_TYPE_LATEST)
