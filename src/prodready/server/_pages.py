"""The dashboard: server-rendered pages (Jinja2, autoescaped), no build step.

Every page is a GET with its state in the URL (filters, sort, compared scans),
so every view is linkable and works without JavaScript; ``static/app.js``
only adds conveniences (filtering a long table as you type).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

import jinja2
from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy import func, select

from prodready import __version__
from prodready.scan.model import Outcome, ServiceResult
from prodready.server import _queries as queries
from prodready.server import _schemas as s
from prodready.server._api import notifications_page
from prodready.server._auth import lookup
from prodready.server._badge import service_badge, unknown_badge
from prodready.server._charts import LEVEL_COLOURS, Series, level_bar, line_chart
from prodready.server._context import COOKIE, ApiError, BadgeReader, Ctx, Public, Reader
from prodready.server._models import CheckCatalog, Scan

HERE = Path(__file__).resolve().parent
router = APIRouter(include_in_schema=False)

WINDOWS = {"30": 30, "90": 90, "365": 365, "all": 3650}
CAMPAIGN_PER_TEAM = 25
CAMPAIGN_TEAMS_INLINE = 5
"""A campaign page lists the failing services of the 5 teams with the most
(25 each); every team's full list is one click away (``?team=``), so the page
stays small at thousands of services."""


DASH = "\N{EN DASH}"


def _fmt_score(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f}"


def _fmt_time(value: datetime | None) -> str:
    return DASH if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _fmt_change(value: float | None) -> Markup:
    if value is None or abs(value) < 0.05:
        return Markup('<span class="muted">±0</span>')
    css = "up" if value > 0 else "down"
    return Markup('<span class="{}">{}</span>').format(css, f"{value:+.1f}")


def _level_tag(level: Any) -> Markup:
    name = getattr(level, "value", level) or "none"
    label = "no level" if name == "none" else name
    return Markup('<span class="level level-{}">{}</span>').format(name, label)


def _outcome_tag(outcome: Any) -> Markup:
    name = getattr(outcome, "value", outcome)
    label = {"not_applicable": "n/a"}.get(name, name)
    return Markup('<span class="outcome outcome-{}">{}</span>').format(name, label)


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        score=_fmt_score,
        when=_fmt_time,
        change=_fmt_change,
        level=_level_tag,
        outcome=_outcome_tag,
        q=queries.q,
    )
    env.globals.update(version=__version__, level_colours=LEVEL_COLOURS)
    return Jinja2Templates(env=env)


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    ctx = request.app.state.ctx
    context.setdefault("title", "prodready")
    context.setdefault("nav", "")
    context["public_reads"] = ctx.settings.public_reads
    context["signed_in"] = bool(request.cookies.get(COOKIE))
    response: HTMLResponse = templates.TemplateResponse(
        request, template, context, status_code=status
    )
    return response


def _window(value: str | None) -> tuple[str, int]:
    key = value if value in WINDOWS else "365"
    return key, WINDOWS[key]


def _trend_chart(points: list[s.TrendPoint], title: str) -> Markup:
    return line_chart(
        [Series("average score", [(p.day, p.average_score) for p in points])],
        title=title,
        y_label="average score",
        y_max=100,
    )


# --- overview ------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse, name="overview")
def overview_page(
    request: Request, ctx: Ctx, who: Reader, window: str | None = None
) -> HTMLResponse:
    key, days = _window(window)
    with ctx.db.read() as session:
        data = queries.overview(
            session, days=days, regression_window_days=ctx.settings.regression_window_days
        )
    levels = data.levels.model_dump()
    return _render(
        request,
        "overview.html",
        nav="overview",
        title="Overview · prodready",
        data=data,
        levels=levels,
        window=key,
        level_chart=level_bar(levels),
        trend_chart=_trend_chart(data.trend, "Average readiness score over time"),
        level_trend_chart=line_chart(
            [
                Series(
                    name,
                    [(p.day, float(getattr(p.levels, name))) for p in data.trend],
                    f"lv-{name}",
                )
                for name in ("none", "bronze", "silver", "gold", "platinum")
            ],
            title="Services per level over time",
            y_label="services",
        ),
    )


# --- services ------------------------------------------------------------------------------------


@router.get("/services", response_class=HTMLResponse, name="services")
def services_page(
    request: Request,
    ctx: Ctx,
    who: Reader,
    q: Annotated[str | None, Query(max_length=200)] = None,
    team: Annotated[str | None, Query(max_length=200)] = None,
    level: Annotated[str | None, Query(max_length=20)] = None,
    tier: Annotated[str | None, Query(max_length=4)] = None,
    sort: Annotated[str, Query(max_length=20)] = "name",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    per_page = 100
    level_filter = level if level in {"none", "bronze", "silver", "gold", "platinum"} else None
    tier_filter = int(tier) if tier and tier.isdigit() else None
    sort_key = sort if sort.lstrip("-") in queries._SORT_COLUMNS else "name"
    with ctx.db.read() as session:
        result = queries.list_services(
            session,
            team=team or None,
            level=level_filter,
            tier=tier_filter,
            search=q or None,
            sort=sort_key,
            limit=per_page,
            offset=(page - 1) * per_page,
        )
        teams = [t.team for t in queries.list_teams(session) if t.team]
    params = {"q": q or "", "team": team or "", "level": level_filter or "", "tier": tier or ""}
    base = {k: v for k, v in params.items() if v}
    pages = max(1, -(-result.total // per_page))
    return _render(
        request,
        "services.html",
        nav="services",
        title="Services · prodready",
        result=result,
        params=params,
        sort=sort_key,
        teams=sorted(teams),
        page=page,
        pages=pages,
        sort_link=lambda key: (
            "?" + urlencode({**base, "sort": "-" + key if sort_key == key else key})
        ),
        page_link=lambda n: "?" + urlencode({**base, "sort": sort_key, "page": n}),
    )


def _service_or_404(session: Any, name: str) -> Any:
    service = queries.get_service(session, name)
    if service is None:
        raise ApiError(404, "not_found", f"no service named {name!r} has been pushed yet")
    return service


def _check_rows(result: ServiceResult | None, outcome: str | None) -> list[Any]:
    if result is None:
        return []
    order = {Outcome.FAIL: 0, Outcome.ERROR: 1, Outcome.EXEMPT: 2, Outcome.PASS: 3}
    rows = sorted(result.checks, key=lambda c: (order.get(c.outcome, 4), c.level.rank, c.id))
    if outcome == "failing":
        rows = [c for c in rows if c.outcome in (Outcome.FAIL, Outcome.ERROR)]
    elif outcome:
        rows = [c for c in rows if c.outcome.value == outcome]
    return rows


@router.get("/services/{name}", response_class=HTMLResponse, name="service")
def service_page(
    request: Request,
    name: str,
    ctx: Ctx,
    who: Reader,
    window: str | None = None,
    outcome: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    key, days = _window(window)
    with ctx.db.read() as session:
        service = _service_or_404(session, name)
        detail = queries.service_detail(session, service)
        since = datetime.now(UTC) - timedelta(days=days)
        history = queries.score_history(session, service.id, since=since)
        scans = queries.service_scans(session, service, limit=30)
        document = (
            queries.load_document(session, service.latest_scan_id)
            if service.latest_scan_id is not None
            else None
        )
        titles = dict(session.execute(select(CheckCatalog.id, CheckCatalog.title)).all())
    result = queries.service_result_of(document, name) if document is not None else None
    chart = line_chart(
        [Series("score", [(t, v) for t, v, _ in history])],
        title=f"Readiness score of {name} over time",
        y_label="score",
        y_max=100,
    )
    return _render(
        request,
        "service.html",
        nav="services",
        title=f"{name} · prodready",
        service=detail,
        result=result,
        checks=_check_rows(result, outcome),
        outcome=outcome or "",
        chart=chart,
        scans=scans,
        titles=titles,
        window=key,
    )


@router.get("/services/{name}/scans/{scan_id}", response_class=HTMLResponse, name="service_scan")
def service_scan_page(
    request: Request, name: str, scan_id: int, ctx: Ctx, who: Reader
) -> HTMLResponse:
    with ctx.db.read() as session:
        service = _service_or_404(session, name)
        detail = queries.service_scan(session, service, scan_id)
    if detail is None:
        raise ApiError(404, "not_found", f"scan {scan_id} of {name!r} does not exist")
    return _render(
        request,
        "scan.html",
        nav="services",
        title=f"{name} scan {scan_id} · prodready",
        name=name,
        scan=detail,
        checks=_check_rows(detail.result, None),
    )


@router.get("/services/{name}/diff", response_class=HTMLResponse, name="service_diff")
def service_diff_page(
    request: Request,
    name: str,
    ctx: Ctx,
    who: Reader,
    base: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    head: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> HTMLResponse:
    with ctx.db.read() as session:
        service = _service_or_404(session, name)
        recent = queries.service_scans(session, service, limit=2).items
        head = head or (recent[0].id if recent else None)
        base = base or (recent[1].id if len(recent) > 1 else head)
        diff = queries.scan_diff(session, service, base, head) if base and head else None
    if diff is None:
        raise ApiError(404, "not_found", f"those scans of {name!r} do not exist")
    if diff.base.scanned_at > diff.head.scanned_at:
        return RedirectResponse(  # type: ignore[return-value]
            f"/services/{queries.q(name)}/diff?base={head}&head={base}", status_code=303
        )
    return _render(
        request, "diff.html", nav="services", title=f"{name} diff · prodready", name=name, diff=diff
    )


# --- checks and teams ----------------------------------------------------------------------------


@router.get("/checks", response_class=HTMLResponse, name="checks")
def checks_page(request: Request, ctx: Ctx, who: Reader) -> HTMLResponse:
    with ctx.db.read() as session:
        checks = queries.list_checks(session)
    return _render(
        request, "checks.html", nav="checks", title="Campaigns · prodready", checks=checks
    )


@router.get("/checks/{check_id}", response_class=HTMLResponse, name="check")
def check_page(
    request: Request,
    check_id: str,
    ctx: Ctx,
    who: Reader,
    window: str | None = None,
    team: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    key, days = _window(window)
    with ctx.db.read() as session:
        detail = queries.check_detail(session, check_id, days=days)
        if detail is None:
            raise ApiError(404, "not_found", f"no service has reported check {check_id!r}")
        if team:
            inline: list[str | None] = [team]
        else:  # the teams with the most failing services; the rest one click away
            inline = [t.team for t in detail.teams if t.failing][:CAMPAIGN_TEAMS_INLINE]
        failing = queries.check_services(
            session, check_id, outcome="failing", teams=inline, limit=100_000
        )
    groups: dict[str, list[s.CheckServiceItem]] = {t or "(no team)": [] for t in inline}
    for item in failing.items:
        groups[item.team or "(no team)"].append(item)
    more_teams = sum(1 for t in detail.teams if t.failing) - len(inline)
    chart = line_chart(
        [
            Series(
                "failing services",
                [(p.day, float(p.failing)) for p in detail.progress],
                "series-bad",
            ),
            Series(
                "applicable services",
                [(p.day, float(p.applicable)) for p in detail.progress],
                "series-a",
            ),
        ],
        title=f"Services failing {check_id} over time",
        y_label="services",
    )
    return _render(
        request,
        "check.html",
        nav="checks",
        title=f"{check_id} · prodready",
        check=detail,
        groups=groups,
        chart=chart,
        window=key,
        team=team or "",
        per_team=CAMPAIGN_PER_TEAM if not team else len(failing.items),
        more_teams=max(0, more_teams),
    )


@router.get("/teams", response_class=HTMLResponse, name="teams")
def teams_page(request: Request, ctx: Ctx, who: Reader) -> HTMLResponse:
    with ctx.db.read() as session:
        teams = queries.list_teams(session)
    return _render(request, "teams.html", nav="teams", title="Teams · prodready", teams=teams)


@router.get("/teams/{team}", response_class=HTMLResponse, name="team")
def team_page(
    request: Request, team: str, ctx: Ctx, who: Reader, window: str | None = None
) -> HTMLResponse:
    key, days = _window(window)
    with ctx.db.read() as session:
        detail = queries.team_detail(session, team, days=days)
    if detail is None:
        raise ApiError(404, "not_found", f"no service belongs to team {team!r}")
    return _render(
        request,
        "team.html",
        nav="teams",
        title=f"{team} · prodready",
        team=detail,
        chart=_trend_chart(detail.trend, f"Average score of team {team} over time"),
        window=key,
    )


# --- status, badges, login, API docs -------------------------------------------------------------


@router.get("/status", response_class=HTMLResponse, name="status")
def status_page(
    request: Request,
    ctx: Ctx,
    who: Reader,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    wanted = (
        status if status in {"pending", "delivering", "delivered", "failed", "dropped"} else None
    )
    with ctx.db.read() as session:
        notes = notifications_page(session, status=wanted, limit=200, offset=0)
        scans = session.scalar(select(func.count()).select_from(Scan))
        last = session.scalar(select(Scan.received_at).order_by(Scan.id.desc()).limit(1))
    return _render(
        request,
        "status.html",
        nav="status",
        title="Status · prodready",
        notes=notes,
        wanted=wanted or "",
        targets=[(t.name, t.format, list(t.teams)) for t in ctx.settings.webhooks],
        database=ctx.db.dialect,
        schema=",".join(ctx.schema_heads),
        scans=scans,
        last=last,
        threshold=ctx.settings.notify_score_drop,
    )


@router.get("/badge/{name}.svg", name="badge")
def badge(name: str, ctx: Ctx, who: BadgeReader) -> Response:
    with ctx.db.read() as session:
        service = queries.get_service(session, name)
    headers = {"Cache-Control": "max-age=300, public" if ctx.settings.badges_public else "no-store"}
    if service is None:
        return Response(
            unknown_badge(), status_code=404, media_type="image/svg+xml", headers=headers
        )
    level = queries.level_of(service.level_rank)
    svg = service_badge(service.score, level.value if level else None)
    return Response(svg, media_type="image/svg+xml", headers=headers)


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


@router.get("/login", response_class=HTMLResponse, name="login")
def login_form(request: Request, _: Public, next: str | None = None) -> HTMLResponse:
    return _render(
        request, "login.html", title="Sign in · prodready", next=_safe_next(next), error=None
    )


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, ctx: Ctx, _: Public) -> Response:
    body = await request.body()
    form = parse_qs(body.decode("utf-8", "replace")[:4096])
    secret = (form.get("token") or [""])[0].strip()
    target = _safe_next((form.get("next") or ["/"])[0])

    def check() -> bool:
        with ctx.db.engine.connect() as conn:
            found = lookup(conn, secret, datetime.now(UTC))
        return found is not None and found.principal.can_read()

    if not secret or not await run_in_threadpool(check):
        return _render(
            request,
            "login.html",
            status=401,
            title="Sign in · prodready",
            next=target,
            error="That token is unknown, revoked, expired or lacks the read scope.",
        )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        secret,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=30 * 24 * 3600,
    )
    return response


@router.post("/logout")
def logout(_: Public) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/docs", response_class=HTMLResponse, name="docs")
def api_docs(request: Request, _: Public) -> HTMLResponse:
    """The API reference, rendered from the OpenAPI document (no CDN-hosted UI)."""
    spec = request.app.openapi()
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tag": (op.get("tags") or ["other"])[0],
                    "parameters": op.get("parameters", []),
                    "responses": sorted(op.get("responses", {}).keys()),
                    "secured": bool(op.get("security")),
                }
            )
    return _render(request, "docs.html", nav="docs", title="API · prodready", operations=operations)
