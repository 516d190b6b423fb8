"""Read side: every question the API and the pages ask, as one function each.

Lists read the denormalised latest state (``services``, ``service_checks``,
``service_pillars``); trends read the rollup deltas; only a service page or a
scan detail opens a stored document. No read scans the history table without
a ``service_id`` (ADR 0011), which is what keeps pages flat as history grows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from prodready.scan.model import Level, Outcome, Pillar, ServiceResult
from prodready.server import _schemas as s
from prodready.server._ingest import decode_document, validate_document
from prodready.server._models import (
    CheckCatalog,
    CheckRollup,
    RollupDaily,
    Scan,
    ScanDocument,
    Service,
    ServiceCheck,
    ServicePillar,
    ServiceScan,
)
from prodready.server._summary import (
    CODE_OUTCOMES,
    FAILING_CODES,
    LEVEL_NAMES,
    LEVEL_RANKS,
    ROLLUP_FIELDS,
    running_totals,
)

API = "/api/v1"
FAILING_OUTCOMES = (Outcome.FAIL.value, Outcome.ERROR.value)
APPLICABLE_OUTCOMES = (Outcome.PASS.value, Outcome.FAIL.value, Outcome.ERROR.value, "exempt")


def q(value: str) -> str:
    """Quote a name for a URL path segment."""
    return quote(value, safe="")


def level_of(rank: int | None) -> Level | None:
    if not rank:
        return None
    return Level(LEVEL_NAMES[rank])


def pillar_title(pillar: str) -> str:
    try:
        return Pillar(pillar).label
    except ValueError:
        return pillar


def _rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


# --- services ------------------------------------------------------------------------------------


def service_summary(row: Service) -> s.ServiceSummary:
    change = (
        round(row.score - row.previous_score, 1)
        if row.score is not None and row.previous_score is not None
        else None
    )
    return s.ServiceSummary(
        name=row.name,
        team=row.team,
        owner=row.owner,
        tier=row.tier,
        score=_rounded(row.score),
        level=level_of(row.level_rank),
        next_level=level_of(row.next_level_rank),
        previous_score=_rounded(row.previous_score),
        score_change=change,
        failing_checks=row.failing_checks,
        scans_count=row.scans_count,
        last_scan_at=row.last_scan_at,
        latest_scan_id=row.latest_scan_id,
        url=f"{API}/services/{q(row.name)}",
        html_url=f"/services/{q(row.name)}",
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _service_filters(
    stmt: Select[Any],
    *,
    team: str | None,
    level: str | None,
    tier: int | None,
    search: str | None,
) -> Select[Any]:
    if team is not None:
        stmt = stmt.where(Service.team == team)
    if level is not None:
        stmt = stmt.where(Service.level_rank == LEVEL_RANKS[level])
    if tier is not None:
        stmt = stmt.where(Service.tier == tier)
    if search:
        pattern = _like(search.strip())
        stmt = stmt.where(
            or_(
                Service.name.ilike(pattern, escape="\\"),
                Service.team.ilike(pattern, escape="\\"),
                Service.owner.ilike(pattern, escape="\\"),
            )
        )
    return stmt


_SORT_COLUMNS: dict[str, Any] = {
    "name": Service.name,
    "score": Service.score,
    "level": Service.level_rank,
    "team": Service.team,
    "tier": Service.tier,
    "last_scan_at": Service.last_scan_at,
    "score_change": Service.score - Service.previous_score,
}


def list_services(
    session: Session,
    *,
    team: str | None = None,
    level: str | None = None,
    tier: int | None = None,
    search: str | None = None,
    sort: str = "name",
    limit: int = 50,
    offset: int = 0,
) -> s.Page[s.ServiceSummary]:
    filtered = _service_filters(select(Service), team=team, level=level, tier=tier, search=search)
    total = session.scalar(
        _service_filters(
            select(func.count()).select_from(Service),
            team=team,
            level=level,
            tier=tier,
            search=search,
        )
    )
    column = _SORT_COLUMNS[sort.lstrip("-")]
    order = column.desc() if sort.startswith("-") else column.asc()
    rows = session.scalars(
        filtered.order_by(order.nulls_last(), Service.name).limit(limit).offset(offset)
    ).all()
    return s.Page[s.ServiceSummary](
        items=[service_summary(r) for r in rows], total=int(total or 0), limit=limit, offset=offset
    )


def get_service(session: Session, name: str) -> Service | None:
    return session.scalar(select(Service).where(Service.name == name))


def service_detail(session: Session, service: Service) -> s.ServiceDetail:
    checks = session.execute(
        select(ServiceCheck, CheckCatalog)
        .outerjoin(CheckCatalog, CheckCatalog.id == ServiceCheck.check_id)
        .where(ServiceCheck.service_id == service.id)
        .order_by(ServiceCheck.check_id)
    ).all()
    pillars = session.scalars(
        select(ServicePillar)
        .where(ServicePillar.service_id == service.id)
        .order_by(ServicePillar.pillar)
    ).all()
    base = service_summary(service).model_dump()
    return s.ServiceDetail(
        **base,
        path=service.path,
        languages=list(service.languages or []),
        blockers=list(service.blockers or []),
        pillars=[
            s.PillarState(pillar=p.pillar, title=pillar_title(p.pillar), score=_rounded(p.score))
            for p in pillars
        ],
        checks=[
            s.CheckState(
                id=c.check_id,
                title=cat.title if cat else c.check_id,
                pillar=cat.pillar if cat else c.check_id.split(".", 1)[0],
                level=level_of(cat.level_rank) if cat else None,
                outcome=Outcome(c.outcome),
                score=_rounded(c.score),
                findings_total=c.findings_total,
            )
            for c, cat in checks
        ],
    )


def _scan_summary(service: Service, row: ServiceScan, scan: Scan) -> s.ScanSummary:
    return s.ScanSummary(
        id=scan.id,
        scanned_at=row.scanned_at,
        received_at=scan.received_at,
        commit=scan.commit,
        branch=scan.branch,
        tool_version=scan.tool_version,
        score=_rounded(row.score),
        level=level_of(row.level_rank),
        failing_checks=row.failing_checks,
        is_latest=service.latest_service_scan_id == row.id,
        url=f"{API}/services/{q(service.name)}/scans/{scan.id}",
    )


def service_scans(
    session: Session, service: Service, *, limit: int = 50, offset: int = 0
) -> s.Page[s.ScanSummary]:
    rows = session.execute(
        select(ServiceScan, Scan)
        .join(Scan, Scan.id == ServiceScan.scan_id)
        .where(ServiceScan.service_id == service.id)
        .order_by(ServiceScan.scanned_at.desc(), ServiceScan.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return s.Page[s.ScanSummary](
        items=[_scan_summary(service, row, scan) for row, scan in rows],
        total=service.scans_count,
        limit=limit,
        offset=offset,
    )


def _service_scan_row(
    session: Session, service: Service, scan_id: int
) -> tuple[ServiceScan, Scan] | None:
    found = session.execute(
        select(ServiceScan, Scan)
        .join(Scan, Scan.id == ServiceScan.scan_id)
        .where(ServiceScan.service_id == service.id, ServiceScan.scan_id == scan_id)
    ).first()
    return None if found is None else (found[0], found[1])


def load_document(session: Session, scan_id: int) -> dict[str, Any] | None:
    doc = session.get(ScanDocument, scan_id)
    return None if doc is None else decode_document(doc.encoding, doc.body)


def service_result_of(document: dict[str, Any], name: str) -> ServiceResult | None:
    """The typed result of one service inside a stored document."""
    result = validate_document(document)
    return next((svc for svc in result.services if svc.name == name), None)


def service_scan(session: Session, service: Service, scan_id: int) -> s.ServiceScanDetail | None:
    found = _service_scan_row(session, service, scan_id)
    if found is None:
        return None
    row, scan = found
    document = load_document(session, scan_id)
    result = service_result_of(document, service.name) if document is not None else None
    return s.ServiceScanDetail(
        **_scan_summary(service, row, scan).model_dump(),
        service=service.name,
        document_available=document is not None,
        result=result,
    )


def score_history(
    session: Session, service_id: int, *, since: datetime | None = None
) -> list[tuple[datetime, float | None, int]]:
    stmt = (
        select(ServiceScan.scanned_at, ServiceScan.score, ServiceScan.level_rank)
        .where(ServiceScan.service_id == service_id)
        .order_by(ServiceScan.scanned_at, ServiceScan.id)
    )
    if since is not None:
        stmt = stmt.where(ServiceScan.scanned_at >= since)
    return [(a, b, c) for a, b, c in session.execute(stmt).all()]


def scan_diff(session: Session, service: Service, base_id: int, head_id: int) -> s.ScanDiff | None:
    base = _service_scan_row(session, service, base_id)
    head = _service_scan_row(session, service, head_id)
    if base is None or head is None:
        return None
    titles = dict(session.execute(select(CheckCatalog.id, CheckCatalog.title)).all())
    before: dict[str, list[Any]] = base[0].checks
    after: dict[str, list[Any]] = head[0].checks
    changes = []
    for check_id in sorted(set(before) | set(after)):
        old, new = before.get(check_id), after.get(check_id)
        if old is not None and new is not None and old[:2] == new[:2]:
            continue  # same outcome and score (the findings count is not diffed)
        changes.append(
            s.CheckChange(
                id=check_id,
                title=titles.get(check_id, check_id),
                before=_diff_side(old),
                after=_diff_side(new),
                change=_change_kind(old, new),
            )
        )
    order = {"broken": 0, "fixed": 1, "changed": 2, "added": 3, "removed": 4}
    changes.sort(key=lambda c: (order[c.change], c.id))
    score_change = (
        round(head[0].score - base[0].score, 1)
        if head[0].score is not None and base[0].score is not None
        else None
    )
    return s.ScanDiff(
        service=service.name,
        base=_scan_summary(service, *base),
        head=_scan_summary(service, *head),
        score_change=score_change,
        changes=changes,
    )


def _diff_side(value: list[Any] | None) -> s.CheckOutcomeDiff | None:
    if value is None:
        return None
    return s.CheckOutcomeDiff(outcome=CODE_OUTCOMES[value[0]], score=_rounded(value[1]))


def _change_kind(old: list[Any] | None, new: list[Any] | None) -> Any:
    if old is None:
        return "added"
    if new is None:
        return "removed"
    was_failing, is_failing = old[0] in FAILING_CODES, new[0] in FAILING_CODES
    if was_failing and not is_failing:
        return "fixed"
    if is_failing and not was_failing:
        return "broken"
    return "changed"


# --- trends --------------------------------------------------------------------------------------


def _level_counts(values: dict[str, float]) -> s.LevelCounts:
    # model_construct: these numbers come from our own tables, and a year of
    # trend is 365 of them per page view (validation would double the cost).
    get = values.get
    return s.LevelCounts.model_construct(
        none=round(get("level_0", 0)),
        bronze=round(get("level_1", 0)),
        silver=round(get("level_2", 0)),
        gold=round(get("level_3", 0)),
        platinum=round(get("level_4", 0)),
    )


def trend(
    session: Session, *, team: str | None = None, days: int = 365, today: date | None = None
) -> list[s.TrendPoint]:
    """One point per day for the last ``days`` days (carried forward)."""
    columns = [func.sum(getattr(RollupDaily, f)).label(f) for f in ROLLUP_FIELDS]
    stmt = select(RollupDaily.day, *columns).group_by(RollupDaily.day).order_by(RollupDaily.day)
    if team is not None:
        stmt = stmt.where(RollupDaily.team == team)
    rows = [(row.day, row._asdict()) for row in session.execute(stmt)]
    return _daily_points(rows, days=days, today=today)


def _daily_points(
    rows: Sequence[tuple[date, dict[str, Any]]], *, days: int, today: date | None
) -> list[s.TrendPoint]:
    end = today or datetime.now(UTC).date()
    if rows:
        end = max(end, rows[-1][0])
    start = end - timedelta(days=days - 1)
    totals = running_totals(rows, ROLLUP_FIELDS)
    points: list[s.TrendPoint] = []
    index = 0
    current: dict[str, float] = dict.fromkeys(ROLLUP_FIELDS, 0.0)
    day = start
    while index < len(totals) and totals[index][0] < start:
        current = totals[index][1]
        index += 1
    while day <= end:
        while index < len(totals) and totals[index][0] <= day:
            current = totals[index][1]
            index += 1
        services = round(current["services"])
        scored = current["scored"]
        if services > 0:
            points.append(
                s.TrendPoint.model_construct(
                    day=day,
                    services=services,
                    average_score=round(current["score_sum"] / scored, 1) if scored >= 1 else None,
                    levels=_level_counts(current),
                )
            )
        day += timedelta(days=1)
    return points


def check_progress(
    session: Session,
    check_id: str,
    *,
    team: str | None = None,
    days: int = 365,
    today: date | None = None,
) -> list[s.ProgressPoint]:
    stmt = (
        select(
            CheckRollup.day,
            func.sum(CheckRollup.failing).label("failing"),
            func.sum(CheckRollup.applicable).label("applicable"),
        )
        .where(CheckRollup.check_id == check_id)
        .group_by(CheckRollup.day)
        .order_by(CheckRollup.day)
    )
    if team is not None:
        stmt = stmt.where(CheckRollup.team == team)
    rows = [
        (r.day, {"failing": r.failing, "applicable": r.applicable}) for r in session.execute(stmt)
    ]
    totals = running_totals(rows, ("failing", "applicable"))
    end = today or datetime.now(UTC).date()
    if totals:
        end = max(end, totals[-1][0])
    start = end - timedelta(days=days - 1)
    points = []
    current = {"failing": 0.0, "applicable": 0.0}
    index = 0
    day = start
    while index < len(totals) and totals[index][0] < start:
        current = totals[index][1]
        index += 1
    while day <= end:
        while index < len(totals) and totals[index][0] <= day:
            current = totals[index][1]
            index += 1
        if current["applicable"] > 0 or current["failing"] > 0:
            points.append(
                s.ProgressPoint.model_construct(
                    day=day,
                    failing=round(current["failing"]),
                    applicable=round(current["applicable"]),
                )
            )
        day += timedelta(days=1)
    return points


# --- checks (campaigns) --------------------------------------------------------------------------


def _check_summary(cat: CheckCatalog, failing: int, applicable: int) -> s.CheckSummary:
    return s.CheckSummary(
        id=cat.id,
        title=cat.title,
        pillar=cat.pillar,
        level=level_of(cat.level_rank),
        failing=failing,
        applicable=applicable,
        url=f"{API}/checks/{q(cat.id)}",
        html_url=f"/checks/{q(cat.id)}",
    )


def _check_counts(session: Session, check_id: str | None = None) -> dict[str, tuple[int, int]]:
    failing = func.sum(case((ServiceCheck.outcome.in_(FAILING_OUTCOMES), 1), else_=0))
    applicable = func.sum(case((ServiceCheck.outcome.in_(APPLICABLE_OUTCOMES), 1), else_=0))
    stmt = select(ServiceCheck.check_id, failing, applicable).group_by(ServiceCheck.check_id)
    if check_id is not None:
        stmt = stmt.where(ServiceCheck.check_id == check_id)
    return {cid: (int(f or 0), int(a or 0)) for cid, f, a in session.execute(stmt)}


def list_checks(session: Session) -> list[s.CheckSummary]:
    counts = _check_counts(session)
    catalog = session.scalars(select(CheckCatalog).order_by(CheckCatalog.id)).all()
    items = [_check_summary(c, *counts.get(c.id, (0, 0))) for c in catalog]
    items.sort(key=lambda c: (-c.failing, c.id))
    return items


def check_detail(session: Session, check_id: str, *, days: int = 365) -> s.CheckDetail | None:
    cat = session.get(CheckCatalog, check_id)
    if cat is None:
        return None
    counts: dict[str | None, list[int]] = {}
    for team, outcome, n in session.execute(
        select(ServiceCheck.team, ServiceCheck.outcome, func.count())
        .where(ServiceCheck.check_id == check_id)
        .group_by(ServiceCheck.team, ServiceCheck.outcome)
    ):
        row = counts.setdefault(team, [0, 0])
        if outcome in FAILING_OUTCOMES:
            row[0] += n
        if outcome in APPLICABLE_OUTCOMES:
            row[1] += n
    team_counts = sorted(
        (s.TeamCheckCount(team=t, failing=f, applicable=a) for t, (f, a) in counts.items()),
        key=lambda t: (-t.failing, t.team or ""),
    )
    total_failing = sum(t.failing for t in team_counts)
    total_applicable = sum(t.applicable for t in team_counts)
    return s.CheckDetail(
        **_check_summary(cat, total_failing, total_applicable).model_dump(),
        how_to_fix=cat.how_to_fix,
        progress=check_progress(session, check_id, days=days),
        teams=team_counts,
    )


def check_services(
    session: Session,
    check_id: str,
    *,
    outcome: str = "failing",
    teams: Sequence[str | None] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> s.Page[s.CheckServiceItem]:
    """Services by their outcome on a check; ``teams`` restricts them to these
    teams (None in it means services without a team)."""
    conditions = [ServiceCheck.check_id == check_id]
    if teams is not None:
        named = [t for t in teams if t is not None]
        either = [ServiceCheck.team.in_(named)]
        if None in teams:
            either.append(ServiceCheck.team.is_(None))
        conditions.append(or_(*either))
    if outcome == "failing":
        conditions.append(ServiceCheck.outcome.in_(FAILING_OUTCOMES))
    elif outcome != "any":
        conditions.append(ServiceCheck.outcome == outcome)
    columns = (
        Service.name,
        Service.team,
        Service.tier,
        Service.level_rank,
        ServiceCheck.outcome,
        ServiceCheck.score,
        ServiceCheck.findings_total,
    )
    base = (
        select(*columns)
        .join(Service, Service.id == ServiceCheck.service_id)
        .where(and_(*conditions))
    )
    rows = session.execute(
        base.order_by(ServiceCheck.team.nulls_last(), Service.name).limit(limit).offset(offset)
    ).all()
    if offset == 0 and len(rows) < limit:
        total = len(rows)  # the whole answer is here: no second query
    else:
        total = int(
            session.scalar(
                select(func.count())
                .select_from(ServiceCheck)
                .join(Service, Service.id == ServiceCheck.service_id)
                .where(and_(*conditions))
            )
            or 0
        )
    items = [
        s.CheckServiceItem.model_construct(
            service=name,
            team=team_name,
            tier=tier,
            service_level=level_of(rank),
            outcome=Outcome(outcome_value),
            score=_rounded(score),
            findings_total=findings,
            html_url=f"/services/{q(name)}",
        )
        for name, team_name, tier, rank, outcome_value, score, findings in rows
    ]
    return s.Page[s.CheckServiceItem](items=items, total=total, limit=limit, offset=offset)


# --- teams and overview --------------------------------------------------------------------------


def _team_rows(session: Session, team: str | None = None, *, one: bool = False) -> list[Any]:
    level_cols = [
        func.sum(case((Service.level_rank == rank, 1), else_=0)).label(f"level_{rank}")
        for rank in LEVEL_NAMES
    ]
    stmt = select(
        Service.team,
        func.count().label("services"),
        func.avg(Service.score).label("average"),
        func.sum(Service.failing_checks).label("failing"),
        *level_cols,
    ).group_by(Service.team)
    if one:
        stmt = stmt.where(Service.team == team)
    return list(session.execute(stmt).all())


def _team_summary(row: Any) -> s.TeamSummary:
    values = row._asdict()
    team = values["team"]
    return s.TeamSummary(
        team=team,
        services=int(values["services"]),
        average_score=_rounded(values["average"]),
        levels=_level_counts(
            {k: float(v or 0) for k, v in values.items() if k.startswith("level_")}
        ),
        failing_checks=int(values["failing"] or 0),
        url=f"{API}/teams/{q(team)}" if team else None,
        html_url=f"/teams/{q(team)}" if team else None,
    )


def list_teams(session: Session) -> list[s.TeamSummary]:
    teams = [_team_summary(r) for r in _team_rows(session)]
    teams.sort(key=lambda t: (-(t.average_score or -1), t.team or "\uffff"))
    return teams


def team_detail(session: Session, team: str, *, days: int = 365) -> s.TeamDetail | None:
    rows = _team_rows(session, team, one=True)
    if not rows:
        return None
    members = session.scalars(
        select(Service).where(Service.team == team).order_by(Service.score.desc().nulls_last())
    ).all()
    return s.TeamDetail(
        **_team_summary(rows[0]).model_dump(),
        trend=trend(session, team=team, days=days),
        members=[service_summary(m) for m in members],
    )


def weakest_pillars(session: Session) -> list[s.PillarAverage]:
    rows = session.execute(
        select(
            ServicePillar.pillar, func.avg(ServicePillar.score), func.count(ServicePillar.score)
        ).group_by(ServicePillar.pillar)
    ).all()
    items = [
        s.PillarAverage(
            pillar=p, title=pillar_title(p), average_score=_rounded(avg), services=int(n)
        )
        for p, avg, n in rows
    ]
    items.sort(key=lambda p: (p.average_score if p.average_score is not None else 101, p.pillar))
    return items


def regressions(
    session: Session, *, window_days: int, limit: int = 10, now: datetime | None = None
) -> list[s.ServiceSummary]:
    since = (now or datetime.now(UTC)) - timedelta(days=window_days)
    drop = Service.previous_score - Service.score
    rows = session.scalars(
        select(Service)
        .where(
            Service.last_scan_at >= since,
            or_(drop > 0, Service.level_rank < Service.previous_level_rank),
        )
        .order_by(drop.desc().nulls_last(), Service.name)
        .limit(limit)
    ).all()
    return [service_summary(r) for r in rows]


def overview(session: Session, *, days: int = 365, regression_window_days: int = 14) -> s.Overview:
    totals = session.execute(
        select(
            func.count(),
            func.avg(Service.score),
            *[
                func.sum(case((Service.level_rank == rank, 1), else_=0)).label(f"level_{rank}")
                for rank in LEVEL_NAMES
            ],
        )
    ).one()
    values = totals._asdict()
    return s.Overview(
        services=int(totals[0] or 0),
        average_score=_rounded(totals[1]),
        levels=_level_counts(
            {k: float(v or 0) for k, v in values.items() if k.startswith("level_")}
        ),
        trend=trend(session, days=days),
        weakest_pillars=weakest_pillars(session),
        regressions=regressions(session, window_days=regression_window_days),
        teams=list_teams(session),
    )
