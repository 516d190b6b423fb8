"""The database schema (SQLAlchemy 2 typed ORM). Migrations in
``prodready/server/migrations`` create exactly this; a test compares them.

Shape (see ADR 0011 for why it is denormalised like this)::

    scans            one row per push (a scan document), idempotency key
    scan_documents   the document itself, gzip-compressed, 1:1 with scans
    services         one row per tracked service, with its LATEST state copied in
    service_scans    one row per (scan, service): the service's score history
    service_checks   the latest outcome of each check per service (campaigns)
    service_pillars  the latest pillar scores per service (weakest pillars)
    check_catalog    title/pillar/level/how-to-fix of each check id seen
    rollup_daily     per (day, team) deltas of service counts, score sums, levels
    check_rollup     per (check, day, team) deltas of failing/applicable counts
    notifications    the webhook outbox (delivered in the background)
    tokens           API tokens (hash only)
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only makes INTEGER PRIMARY KEY an alias of its rowid (auto-increment).
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on both databases (SQLite keeps naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Scan(Base):
    """One accepted push: a whole scan document, possibly several services."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """sha256 of the canonical document: the idempotency key (ADR 0012)."""
    tool_name: Mapped[str] = mapped_column(String(100))
    tool_version: Mapped[str] = mapped_column(String(100))
    schema_version: Mapped[str] = mapped_column(String(20))
    commit: Mapped[str | None] = mapped_column(String(100))
    branch: Mapped[str | None] = mapped_column(String(255))
    remote: Mapped[str | None] = mapped_column(String(500))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    size_bytes: Mapped[int] = mapped_column(Integer)
    services_count: Mapped[int] = mapped_column(SmallInteger)
    pushed_by: Mapped[str | None] = mapped_column(String(100))
    """Name of the token that pushed it (None when pushed locally)."""


class ScanDocument(Base):
    """The stored document, kept apart so history scans never read blobs."""

    __tablename__ = "scan_documents"

    scan_id: Mapped[int] = mapped_column(
        Id, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True
    )
    encoding: Mapped[str] = mapped_column(String(20))
    body: Mapped[bytes] = mapped_column(LargeBinary)


class Service(Base):
    __tablename__ = "services"
    __table_args__ = (
        Index("ix_services_team_name", "team", "name"),
        Index("ix_services_level_rank", "level_rank"),
        Index("ix_services_score", "score"),
        Index("ix_services_last_scan_at", "last_scan_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    team: Mapped[str | None] = mapped_column(String(200))
    owner: Mapped[str | None] = mapped_column(String(200))
    tier: Mapped[int | None] = mapped_column(SmallInteger)
    path: Mapped[str | None] = mapped_column(String(500))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The latest scan (by scan time), copied here so lists never join history.
    latest_scan_id: Mapped[int | None] = mapped_column(Id)
    latest_service_scan_id: Mapped[int | None] = mapped_column(Id)
    last_scan_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Float)
    level_rank: Mapped[int] = mapped_column(SmallInteger, default=0)
    next_level_rank: Mapped[int | None] = mapped_column(SmallInteger)
    previous_score: Mapped[float | None] = mapped_column(Float)
    previous_level_rank: Mapped[int | None] = mapped_column(SmallInteger)
    failing_checks: Mapped[int] = mapped_column(Integer, default=0)
    scans_count: Mapped[int] = mapped_column(Integer, default=0)
    blockers: Mapped[list[str]] = mapped_column(JSON, default=list)


class ServiceScan(Base):
    """A service as one scan saw it. ``checks`` is ``{id: [outcome code, score]}``
    (codes in ``_summary.OUTCOME_CODES``) so diffs and rollups never open documents."""

    __tablename__ = "service_scans"
    __table_args__ = (
        UniqueConstraint("service_id", "scan_id"),
        Index("ix_service_scans_service_time", "service_id", "scanned_at", "id"),
        Index("ix_service_scans_scan_id", "scan_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    scan_id: Mapped[int] = mapped_column(Id, ForeignKey("scans.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(Id, ForeignKey("services.id", ondelete="CASCADE"))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    team: Mapped[str | None] = mapped_column(String(200))
    tier: Mapped[int | None] = mapped_column(SmallInteger)
    score: Mapped[float | None] = mapped_column(Float)
    level_rank: Mapped[int] = mapped_column(SmallInteger)
    next_level_rank: Mapped[int | None] = mapped_column(SmallInteger)
    commit: Mapped[str | None] = mapped_column(String(100))
    failing_checks: Mapped[int] = mapped_column(Integer)
    checks: Mapped[dict[str, Any]] = mapped_column(JSON)
    pillars: Mapped[dict[str, Any]] = mapped_column(JSON)


class ServiceCheck(Base):
    """The latest outcome of each check per service. ``team`` is the service's,
    copied so a campaign counts per team from one index range (ADR 0011)."""

    __tablename__ = "service_checks"
    __table_args__ = (
        # Covers campaigns: counts by team and outcome, and the failing list.
        Index(
            "ix_service_checks_campaign",
            "check_id", "outcome", "team", "service_id", "score", "findings_total",
        ),
        {"sqlite_with_rowid": False},
    )  # fmt: skip

    service_id: Mapped[int] = mapped_column(
        Id, ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    check_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    team: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float)
    findings_total: Mapped[int] = mapped_column(Integer)


class ServicePillar(Base):
    __tablename__ = "service_pillars"
    __table_args__ = (
        Index("ix_service_pillars_pillar_score", "pillar", "score"),
        {"sqlite_with_rowid": False},
    )

    service_id: Mapped[int] = mapped_column(
        Id, ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    pillar: Mapped[str] = mapped_column(String(20), primary_key=True)
    score: Mapped[float | None] = mapped_column(Float)


class CheckCatalog(Base):
    __tablename__ = "check_catalog"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    pillar: Mapped[str] = mapped_column(String(20))
    level_rank: Mapped[int] = mapped_column(SmallInteger)
    how_to_fix: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RollupDaily(Base):
    """Deltas, not totals: the value on day D is the sum of all rows up to D
    (ADR 0011). ``team`` is '' for services without one."""

    __tablename__ = "rollup_daily"
    # Clustered by (day, team) on SQLite: trends read it in key order.
    __table_args__ = ({"sqlite_with_rowid": False},)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    team: Mapped[str] = mapped_column(String(200), primary_key=True)
    services: Mapped[int] = mapped_column(Integer, default=0)
    scored: Mapped[int] = mapped_column(Integer, default=0)
    score_sum: Mapped[float] = mapped_column(Float, default=0.0)
    level_0: Mapped[int] = mapped_column(Integer, default=0)
    level_1: Mapped[int] = mapped_column(Integer, default=0)
    level_2: Mapped[int] = mapped_column(Integer, default=0)
    level_3: Mapped[int] = mapped_column(Integer, default=0)
    level_4: Mapped[int] = mapped_column(Integer, default=0)


class CheckRollup(Base):
    __tablename__ = "check_rollup"
    __table_args__ = ({"sqlite_with_rowid": False},)

    check_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    team: Mapped[str] = mapped_column(String(200), primary_key=True)
    failing: Mapped[int] = mapped_column(Integer, default=0)
    applicable: Mapped[int] = mapped_column(Integer, default=0)


class Notification(Base):
    """The outbox: written in the ingest transaction, delivered after it."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_status_due", "status", "next_attempt_at"),
        Index("ix_notifications_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    target: Mapped[str] = mapped_column(String(100))
    service: Mapped[str] = mapped_column(String(200))
    scan_id: Mapped[int] = mapped_column(Id)
    kinds: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    """pending, delivering, delivered, failed, dropped (target removed from settings)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Token(Base):
    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    prefix: Mapped[str] = mapped_column(String(20))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
