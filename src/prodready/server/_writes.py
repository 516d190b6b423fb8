"""The statements of the ingest path, built once per dialect.

Building a SQLAlchemy statement per push (``update(Service).values(**d)``)
and having it hash its cache key cost more CPU than executing it; ORM bulk
inserts cost more again. These are plain Core statements on the tables with
bind parameters, compiled once and reused for every push (ADR 0012).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, case, select
from sqlalchemy.dialects import postgresql, sqlite

from prodready.server._models import (
    CheckCatalog,
    CheckRollup,
    Notification,
    RollupDaily,
    Scan,
    ScanDocument,
    Service,
    ServiceCheck,
    ServicePillar,
    ServiceScan,
)
from prodready.server._summary import CHECK_ROLLUP_FIELDS, ROLLUP_FIELDS


def _t(model: Any) -> Table:
    table: Table = model.__table__
    return table


scans, documents, services = _t(Scan), _t(ScanDocument), _t(Service)
history, checks, pillars = _t(ServiceScan), _t(ServiceCheck), _t(ServicePillar)
catalog, rollup, check_rollup, notifications = (
    _t(CheckCatalog),
    _t(RollupDaily),
    _t(CheckRollup),
    _t(Notification),
)

HISTORY_COLUMNS = (
    history.c.id,
    history.c.scanned_at,
    history.c.team,
    history.c.score,
    history.c.level_rank,
    history.c.checks,
    history.c.pillars,
)
LATEST_COLUMNS = (
    "team", "owner", "tier", "path", "languages", "latest_scan_id", "latest_service_scan_id",
    "last_scan_at", "score", "level_rank", "next_level_rank", "previous_score",
    "previous_level_rank", "failing_checks", "blockers",
)  # fmt: skip


class Statements:
    """One dialect's prepared statements (attributes are the write path, in order)."""

    def __init__(self, dialect: str) -> None:
        upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.known_teams = select(services.c.name, services.c.team).where(
            services.c.name.in_(bindparam("names", expanding=True))
        )
        self.scan_by_hash = select(scans.c.id).where(scans.c.content_hash == bindparam("h"))
        self.insert_scan = scans.insert().returning(scans.c.id)
        self.insert_document = documents.insert()
        self.ensure_service = upsert(services).on_conflict_do_nothing(index_elements=["name"])
        self.lock_service = (
            select(
                services.c.id,
                services.c.team,
                services.c.last_scan_at,
                services.c.latest_service_scan_id,
            )
            .where(services.c.name == bindparam("name"))
            .with_for_update()
        )
        self.history_by_id = select(*HISTORY_COLUMNS).where(history.c.id == bindparam("id"))
        self.history_before = (
            select(*HISTORY_COLUMNS)
            .where(
                history.c.service_id == bindparam("sid"), history.c.scanned_at <= bindparam("at")
            )
            .order_by(history.c.scanned_at.desc(), history.c.id.desc())
            .limit(1)
        )
        self.history_after = (
            select(*HISTORY_COLUMNS)
            .where(history.c.service_id == bindparam("sid"))
            .where(history.c.scanned_at > bindparam("at"))
            .order_by(history.c.scanned_at, history.c.id)
            .limit(1)
        )
        self.insert_history = history.insert().returning(history.c.id)
        self.delete_checks = checks.delete().where(checks.c.service_id == bindparam("sid"))
        self.delete_pillars = pillars.delete().where(pillars.c.service_id == bindparam("sid"))
        self.insert_checks = checks.insert()
        self.insert_pillars = pillars.insert()
        self.update_check = (
            checks.update()
            .where(checks.c.service_id == bindparam("sid"))
            .where(checks.c.check_id == bindparam("cid"))
            .values(
                outcome=bindparam("v_outcome"),
                score=bindparam("v_score"),
                findings_total=bindparam("v_findings"),
            )
        )
        self.set_checks_team = (
            checks.update()
            .where(checks.c.service_id == bindparam("sid"))
            .values(team=bindparam("v_team"))
        )
        self.delete_some_checks = (
            checks.delete()
            .where(checks.c.service_id == bindparam("sid"))
            .where(checks.c.check_id.in_(bindparam("cids", expanding=True)))
        )
        self.update_pillar = (
            pillars.update()
            .where(pillars.c.service_id == bindparam("sid"))
            .where(pillars.c.pillar == bindparam("p"))
            .values(score=bindparam("v_score"))
        )
        by_id = services.c.id == bindparam("sid")
        self.count_scan = (
            services.update().where(by_id).values(scans_count=services.c.scans_count + 1)
        )
        self.set_previous = (
            services.update()
            .where(by_id)
            .values(
                scans_count=services.c.scans_count + 1,
                previous_score=bindparam("v_previous_score"),
                previous_level_rank=bindparam("v_previous_level_rank"),
            )
        )
        self.set_latest = (
            services.update()
            .where(by_id)
            .values(
                scans_count=services.c.scans_count + 1,
                **{
                    name: bindparam(f"v_{name}", type_=services.c[name].type)
                    for name in LATEST_COLUMNS
                },
            )
        )
        stmt = upsert(catalog)
        self.upsert_catalog = stmt.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "title": stmt.excluded.title,
                "pillar": stmt.excluded.pillar,
                "level_rank": stmt.excluded.level_rank,
                # An empty how-to-fix never replaces one we have.
                "how_to_fix": case(
                    (stmt.excluded.how_to_fix != "", stmt.excluded.how_to_fix),
                    else_=catalog.c.how_to_fix,
                ),
                "updated_at": stmt.excluded.updated_at,
            },
        )
        stmt = upsert(rollup)
        self.upsert_rollup = stmt.on_conflict_do_update(
            index_elements=["day", "team"],
            set_={f: rollup.c[f] + stmt.excluded[f] for f in ROLLUP_FIELDS},
        )
        stmt = upsert(check_rollup)
        self.upsert_check_rollup = stmt.on_conflict_do_update(
            index_elements=["check_id", "day", "team"],
            set_={f: check_rollup.c[f] + stmt.excluded[f] for f in CHECK_ROLLUP_FIELDS},
        )
        self.insert_notifications = notifications.insert()


@cache
def statements(dialect: str) -> Statements:
    return Statements(dialect)
