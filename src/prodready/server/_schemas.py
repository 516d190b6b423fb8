"""Response and request bodies of the ``/api/v1`` API (the OpenAPI contract).

These are the server's own shapes; the stored scan document keeps the scan
model's shape (``prodready.scan.model``) and is returned as such.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from prodready.scan.model import Level, Outcome, ServiceResult

T = TypeVar("T")

LevelName = Literal["none", "bronze", "silver", "gold", "platinum"]
ServiceSort = Literal[
    "name", "-name", "score", "-score", "level", "-level", "team", "-team",
    "tier", "-tier", "last_scan_at", "-last_scan_at", "score_change", "-score_change",
]  # fmt: skip


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class ErrorItem(_Out):
    loc: list[str]
    msg: str
    type: str


class ErrorBody(_Out):
    """Every error answer: a stable machine-readable ``error`` code and a
    human ``detail`` sentence; validation errors list their ``errors``."""

    error: str
    detail: str
    errors: list[ErrorItem] | None = None
    request_id: str | None = None


class Page(_Out, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class ServiceSummary(_Out):
    name: str
    team: str | None
    owner: str | None
    tier: int | None
    score: float | None
    level: Level | None
    next_level: Level | None
    previous_score: float | None
    score_change: float | None
    """Latest score minus the one before it (None until there are two scans)."""
    failing_checks: int
    scans_count: int
    last_scan_at: datetime | None
    latest_scan_id: int | None
    url: str
    html_url: str


class PillarState(_Out):
    pillar: str
    title: str
    score: float | None


class CheckState(_Out):
    id: str
    title: str
    pillar: str
    level: Level | None
    outcome: Outcome
    score: float | None
    findings_total: int


class ServiceDetail(ServiceSummary):
    path: str | None
    languages: list[str]
    blockers: list[str]
    pillars: list[PillarState]
    checks: list[CheckState]


class ScanSummary(_Out):
    id: int
    scanned_at: datetime
    received_at: datetime
    commit: str | None
    branch: str | None
    tool_version: str
    score: float | None
    level: Level | None
    failing_checks: int
    is_latest: bool
    url: str


class ServiceScanDetail(ScanSummary):
    service: str
    document_available: bool
    """False when the stored document was pruned (the summary row stays)."""
    result: ServiceResult | None


class ScanServiceRef(_Out):
    name: str
    is_latest: bool
    url: str


class ScanCreated(_Out):
    id: int
    created: bool
    """False when this exact document was pushed before (idempotent replay)."""
    services: list[ScanServiceRef]
    url: str


class CheckOutcomeDiff(_Out):
    outcome: Outcome
    score: float | None


class CheckChange(_Out):
    id: str
    title: str
    before: CheckOutcomeDiff | None
    after: CheckOutcomeDiff | None
    change: Literal["fixed", "broken", "changed", "added", "removed"]


class ScanDiff(_Out):
    service: str
    base: ScanSummary
    head: ScanSummary
    score_change: float | None
    changes: list[CheckChange]


class CheckSummary(_Out):
    id: str
    title: str
    pillar: str
    level: Level | None
    failing: int
    applicable: int
    url: str
    html_url: str


class ProgressPoint(_Out):
    day: date
    failing: int
    applicable: int


class TeamCheckCount(_Out):
    team: str | None
    failing: int
    applicable: int


class CheckDetail(CheckSummary):
    how_to_fix: str
    progress: list[ProgressPoint]
    teams: list[TeamCheckCount]


class CheckServiceItem(_Out):
    service: str
    team: str | None
    tier: int | None
    service_level: Level | None
    outcome: Outcome
    score: float | None
    findings_total: int
    html_url: str


class LevelCounts(_Out):
    none: int = 0
    bronze: int = 0
    silver: int = 0
    gold: int = 0
    platinum: int = 0


class TrendPoint(_Out):
    day: date
    services: int
    average_score: float | None
    levels: LevelCounts


class TeamSummary(_Out):
    team: str | None
    services: int
    average_score: float | None
    levels: LevelCounts
    failing_checks: int
    url: str | None
    html_url: str | None


class TeamDetail(TeamSummary):
    trend: list[TrendPoint]
    members: list[ServiceSummary]


class PillarAverage(_Out):
    pillar: str
    title: str
    average_score: float | None
    services: int


class Overview(_Out):
    services: int
    average_score: float | None
    levels: LevelCounts
    trend: list[TrendPoint]
    weakest_pillars: list[PillarAverage]
    regressions: list[ServiceSummary]
    teams: list[TeamSummary]


class TokenInfo(_Out):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenInfo):
    secret: str
    """Shown once; only its hash is stored."""


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    ]
    scopes: Annotated[list[str], Field(min_length=1, max_length=20)]
    expires_in_days: Annotated[int, Field(ge=1, le=3650)] | None = None


class NotificationInfo(_Out):
    id: int
    created_at: datetime
    target: str
    service: str
    scan_id: int
    kinds: list[str]
    status: Literal["pending", "delivering", "delivered", "failed", "dropped"]
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    delivered_at: datetime | None


class Health(_Out):
    status: Literal["ok", "unavailable"]
    database: str | None = None
    schema_revision: str | None = None
    detail: str | None = None
