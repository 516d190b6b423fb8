"""Ingest: a pushed scan document becomes rows, in one transaction.

Parsing, validation, hashing and compression happen before the transaction
(``parse_document``), so the time a writer holds locks is only the inserts.
Inside ``Ingestor.ingest`` locks are taken in one global order — service rows
by name, then catalog, rollup and check-rollup rows by key — so concurrent
pushes never deadlock. The caller answers 201 only after ``ingest`` returns,
which is after COMMIT: an acknowledged push is durable (ADR 0012).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError
from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from prodready.scan.model import SCHEMA_VERSION, ScanResult, ServiceResult
from prodready.server._auth import Principal
from prodready.server._db import Database
from prodready.server._models import (
    Scan,
    Service,
    ServiceScan,
)
from prodready.server._settings import Settings, WebhookTarget
from prodready.server._summary import (
    CODE_OUTCOMES,
    Deltas,
    Piece,
    compact_checks,
    compact_pillars,
    failing_count,
    level_name,
    level_rank,
)
from prodready.server._writes import statements

_NAME_RE = re.compile(r"^(?!\.{1,2}$)[^/\\\x00-\x1f\x7f]{1,200}$")
_MAX_ERRORS = 50


class IngestError(Exception):
    """A push that cannot be stored; ``status`` is the HTTP status to answer."""

    def __init__(
        self,
        status: int,
        error: str,
        detail: str,
        errors: Sequence[dict[str, Any]] = (),
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.errors = list(errors)


@dataclass(frozen=True)
class ParsedDocument:
    result: ScanResult
    canonical: bytes
    content_hash: str
    compressed: bytes


@dataclass(frozen=True)
class IngestedService:
    name: str
    service_id: int
    service_scan_id: int
    is_latest: bool


@dataclass(frozen=True)
class IngestResult:
    scan_id: int
    created: bool
    services: list[IngestedService] = field(default_factory=list)
    notifications: int = 0


def _schema_major(version: str) -> str:
    return version.split(".", 1)[0]


def _validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors(include_url=False, include_input=False)[:_MAX_ERRORS]:
        errors.append({"loc": [str(p) for p in err["loc"]], "msg": err["msg"], "type": err["type"]})
    return errors


def _strip_unknown(data: Any, errors: list[Any]) -> Any:
    """Drop keys that a newer minor version of the schema added (we ignore them)."""
    for err in errors:
        node = data
        *parents, last = err["loc"]
        for part in parents:
            node = node[part]
        if isinstance(node, dict):
            node.pop(last, None)
    return data


def validate_document(data: Any) -> ScanResult:
    """Validate against the scan-result model; fields added by a newer minor
    version of the same major are accepted and ignored ("consumers accept any
    minor of a major")."""
    if not isinstance(data, dict):
        raise IngestError(422, "invalid_document", "the scan document must be a JSON object")
    version = str(data.get("schema_version", SCHEMA_VERSION))
    if _schema_major(version) != _schema_major(SCHEMA_VERSION):
        raise IngestError(
            422,
            "unsupported_schema_version",
            f"schema_version {version!r} is not supported; this server accepts "
            f"{_schema_major(SCHEMA_VERSION)}.x (upgrade the server or the scanner)",
        )
    try:
        return ScanResult.model_validate(data)
    except ValidationError as exc:
        raw = exc.errors(include_url=False, include_input=False)
        if raw and all(e["type"] == "extra_forbidden" for e in raw) and version > SCHEMA_VERSION:
            stripped = _strip_unknown(json.loads(json.dumps(data)), raw)
            try:
                return ScanResult.model_validate(stripped)
            except ValidationError as again:
                exc = again
        raise IngestError(
            422,
            "invalid_document",
            f"the document is not a valid scan result ({exc.error_count()} problem(s)); "
            "see `prodready schema` for the contract",
            _validation_errors(exc),
        ) from None


def _check_names(result: ScanResult) -> None:
    seen: set[str] = set()
    problems: list[dict[str, Any]] = []
    for index, service in enumerate(result.services):
        where = ["services", str(index)]
        if not _NAME_RE.match(service.name) or service.name != service.name.strip():
            problems.append(
                {
                    "loc": [*where, "name"],
                    "msg": "a service name is 1-200 characters without '/', '\\', control "
                    "characters or surrounding spaces, and not '.' or '..'",
                    "type": "invalid_name",
                }
            )
        if service.team is not None and (
            not _NAME_RE.match(service.team) or service.team != service.team.strip()
        ):
            problems.append(
                {
                    "loc": [*where, "team"],
                    "msg": "a team name follows the same rules as a service name",
                    "type": "invalid_name",
                }
            )
        if service.name in seen:
            problems.append(
                {
                    "loc": [*where, "name"],
                    "msg": f"service {service.name!r} appears twice in one document",
                    "type": "duplicate_service",
                }
            )
        seen.add(service.name)
        ids = [c.id for c in service.checks]
        if len(ids) != len(set(ids)):
            problems.append(
                {
                    "loc": [*where, "checks"],
                    "msg": "a check id appears twice for one service",
                    "type": "duplicate_check",
                }
            )
    if problems:
        raise IngestError(
            422, "invalid_document", "the document names services or checks badly", problems
        )


def parse_document(body: bytes, *, max_bytes: int) -> ParsedDocument:
    """Bytes (already size-checked and un-gzipped) to a validated, hashed document."""
    if len(body) > max_bytes:
        raise IngestError(
            413, "payload_too_large", f"the document is {len(body)} bytes; the limit is {max_bytes}"
        )
    try:
        data = json.loads(body)
    except UnicodeDecodeError:
        raise IngestError(400, "invalid_json", "the body is not UTF-8 encoded JSON") from None
    except json.JSONDecodeError as exc:
        raise IngestError(
            400,
            "invalid_json",
            f"the body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
        ) from None
    except RecursionError:
        raise IngestError(400, "invalid_json", "the JSON is nested too deeply") from None
    result = validate_document(data)
    _check_names(result)
    canonical = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
    return ParsedDocument(
        result=result,
        canonical=canonical,
        content_hash=hashlib.sha256(canonical).hexdigest(),
        compressed=gzip.compress(canonical, compresslevel=6, mtime=0),
    )


def decode_document(encoding: str, body: bytes) -> dict[str, Any]:
    """A stored document back to JSON data."""
    raw = gzip.decompress(body) if encoding == "gzip" else body
    data: dict[str, Any] = json.loads(raw)
    return data


class _AlreadyStored(Exception):
    def __init__(self, scan_id: int) -> None:
        super().__init__(scan_id)
        self.scan_id = scan_id


def _aware(moment: datetime) -> datetime:
    """Scan times without a zone are taken as UTC (the scanner writes UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


@dataclass
class _Neighbours:
    """The service's scans just before and after the new one (rows of
    ``service_scans``); no ``next`` when the new scan is the latest."""

    prev: Any
    next: Any
    is_latest: bool


@dataclass
class _ScanRow:
    id: int
    commit: str | None
    finished_at: datetime


@dataclass
class _HistoryRow:
    id: int
    scanned_at: datetime
    team: str | None
    score: float | None
    level_rank: int
    next_level_rank: int | None
    failing_checks: int


class Ingestor:
    """Stores scans. One per app; thread-safe (state: a small check-catalog cache)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        on_notifications: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.settings = settings
        self.on_notifications = on_notifications
        self.clock = clock
        self._catalog: dict[str, tuple[str, str, int, str]] = {}
        self._catalog_lock = threading.Lock()

    def ingest(self, doc: ParsedDocument, principal: Principal) -> IngestResult:
        try:
            result, catalog = self._ingest_once(doc, principal)
        except _AlreadyStored as stored:
            return self._replay(stored.scan_id)
        except IntegrityError:
            # A concurrent push of the same document (or creating the same
            # service) won the race; ours rolled back. The document is now
            # there: answer with its id.
            with self.db.read() as session:
                existing = session.scalar(
                    select(Scan.id).where(Scan.content_hash == doc.content_hash)
                )
            if existing is not None:
                return self._replay(existing)
            try:
                result, catalog = self._ingest_once(doc, principal)
            except _AlreadyStored as stored:
                return self._replay(stored.scan_id)
        with self._catalog_lock:
            self._catalog.update(catalog)
        if result.notifications and self.on_notifications is not None:
            self.on_notifications()
        return result

    def _replay(self, scan_id: int) -> IngestResult:
        with self.db.read() as session:
            rows = session.execute(
                select(Service.name, ServiceScan.service_id, ServiceScan.id, Service.latest_scan_id)
                .join(Service, Service.id == ServiceScan.service_id)
                .where(ServiceScan.scan_id == scan_id)
                .order_by(Service.name)
            ).all()
        return IngestResult(
            scan_id=scan_id,
            created=False,
            services=[
                IngestedService(n, sid, ssid, latest == scan_id) for n, sid, ssid, latest in rows
            ],
        )

    def _authorise(self, conn: Connection, result: ScanResult, principal: Principal) -> None:
        sql = statements(conn.dialect.name)
        names = [s.name for s in result.services]
        known = {row[0]: row[1] for row in conn.execute(sql.known_teams, {"names": names})}
        for service in result.services:
            teams = (
                (service.team, known.get(service.name))
                if service.name in known
                else (service.team,)
            )
            if not principal.can_push(service.name, teams):
                who = f"token {principal.name!r}" if principal.name else "this caller"
                raise IngestError(
                    403,
                    "forbidden",
                    f"{who} may not push service {service.name!r}"
                    + (f" of team {service.team!r}" if service.team else "")
                    + "; it needs scope push, push:service:<name> or push:team:<team> "
                    "matching the service's team",
                )

    def _ingest_once(
        self, doc: ParsedDocument, principal: Principal
    ) -> tuple[IngestResult, dict[str, tuple[str, str, int, str]]]:
        now = self.clock()
        return self.db.run_write(
            lambda session: self._write(session.connection(), doc, principal, now)
        )

    def _write(
        self, conn: Connection, doc: ParsedDocument, principal: Principal, now: datetime
    ) -> tuple[IngestResult, dict[str, tuple[str, str, int, str]]]:
        sql = statements(conn.dialect.name)
        result = doc.result
        self._authorise(conn, result, principal)
        existing = conn.execute(sql.scan_by_hash, {"h": doc.content_hash}).scalar()
        if existing is not None:
            raise _AlreadyStored(existing)
        repo = result.repository
        scan = _ScanRow(
            id=0,
            commit=repo.commit[:100] if repo.commit else None,
            finished_at=_aware(result.finished_at),
        )
        scan.id = conn.execute(
            sql.insert_scan,
            {
                "content_hash": doc.content_hash,
                "tool_name": result.tool.name[:100],
                "tool_version": result.tool.version[:100],
                "schema_version": result.schema_version[:20],
                "commit": scan.commit,
                "branch": repo.branch[:255] if repo.branch else None,
                "remote": repo.remote[:500] if repo.remote else None,
                "started_at": _aware(result.started_at),
                "finished_at": scan.finished_at,
                "received_at": now,
                "size_bytes": len(doc.canonical),
                "services_count": len(result.services),
                "pushed_by": principal.name,
            },
        ).scalar_one()
        conn.execute(
            sql.insert_document, {"scan_id": scan.id, "encoding": "gzip", "body": doc.compressed}
        )
        deltas = Deltas()
        ingested: list[IngestedService] = []
        notifications: list[dict[str, Any]] = []
        for service_result in sorted(result.services, key=lambda s: s.name):
            item, notes = self._ingest_service(conn, scan, service_result, deltas, now)
            ingested.append(item)
            notifications.extend(notes)
        catalog = self._upsert_catalog(conn, result, now)
        apply_deltas(conn, deltas)
        if notifications:
            conn.execute(sql.insert_notifications, notifications)
        return (
            IngestResult(
                scan_id=scan.id, created=True, services=ingested, notifications=len(notifications)
            ),
            catalog,
        )

    def _lock_service(self, conn: Connection, name: str, now: datetime) -> Any:
        """Lock the service's row for this transaction, creating it if new
        (insert-if-absent then lock again, so two first pushes cannot race)."""
        sql = statements(conn.dialect.name)
        found = conn.execute(sql.lock_service, {"name": name}).one_or_none()
        if found is not None:
            return found
        conn.execute(
            sql.ensure_service,
            {
                "name": name,
                "created_at": now,
                "languages": [],
                "level_rank": 0,
                "failing_checks": 0,
                "scans_count": 0,
                "blockers": [],
            },
        )
        return conn.execute(sql.lock_service, {"name": name}).one()

    def _neighbours(self, conn: Connection, service: Any, at: datetime) -> _Neighbours:
        sql = statements(conn.dialect.name)
        if service.last_scan_at is None or at >= service.last_scan_at:
            prev = (
                conn.execute(
                    sql.history_by_id, {"id": service.latest_service_scan_id}
                ).one_or_none()
                if service.latest_service_scan_id is not None
                else None
            )
            return _Neighbours(prev=prev, next=None, is_latest=True)
        where = {"sid": service.id, "at": at}
        return _Neighbours(
            prev=conn.execute(sql.history_before, where).one_or_none(),
            next=conn.execute(sql.history_after, where).one_or_none(),
            is_latest=False,
        )

    def _ingest_service(
        self,
        conn: Connection,
        scan: _ScanRow,
        result: ServiceResult,
        deltas: Deltas,
        now: datetime,
    ) -> tuple[IngestedService, list[dict[str, Any]]]:
        sql = statements(conn.dialect.name)
        service = self._lock_service(conn, result.name, now)
        at = scan.finished_at
        around = self._neighbours(conn, service, at)
        checks = compact_checks(result)
        pillars = compact_pillars(result)
        rank = level_rank(result.level)
        row = _HistoryRow(
            id=0,
            scanned_at=at,
            team=result.team,
            score=result.score,
            level_rank=rank,
            next_level_rank=level_rank(result.next_level) if result.next_level else None,
            failing_checks=failing_count(checks),
        )
        row.id = conn.execute(
            sql.insert_history,
            {
                "scan_id": scan.id,
                "service_id": service.id,
                "scanned_at": at,
                "team": result.team,
                "tier": result.tier,
                "score": result.score,
                "level_rank": rank,
                "next_level_rank": row.next_level_rank,
                "commit": scan.commit,
                "failing_checks": row.failing_checks,
                "checks": checks,
                "pillars": pillars,
            },
        ).scalar_one()
        new_piece = Piece.of(result.team, result.score, rank, checks)
        prev_piece = _piece(around.prev)
        deltas.replace(_day(at), prev_piece, new_piece)
        if around.next is not None:
            deltas.replace(_day(around.next.scanned_at), new_piece, prev_piece)
        notes: list[dict[str, Any]] = []
        if around.is_latest:
            latest = self._latest_state(
                conn, service.id, scan, row, result, around.prev, checks, pillars
            )
            conn.execute(
                sql.set_latest, {"sid": service.id, **{f"v_{k}": v for k, v in latest.items()}}
            )
            if around.prev is not None:
                notes = self._notifications(result, scan, around.prev, row, now)
        elif around.next is not None and around.next.id == service.latest_service_scan_id:
            conn.execute(
                sql.set_previous,
                {
                    "sid": service.id,
                    "v_previous_score": row.score,
                    "v_previous_level_rank": row.level_rank,
                },
            )
        else:
            conn.execute(sql.count_scan, {"sid": service.id})
        return IngestedService(result.name, service.id, row.id, around.is_latest), notes

    def _latest_state(
        self,
        conn: Connection,
        service_id: int,
        scan: _ScanRow,
        row: _HistoryRow,
        result: ServiceResult,
        prev: Any,
        checks: dict[str, list[Any]],
        pillars: dict[str, float | None],
    ) -> dict[str, Any]:
        """Bring the service's latest checks and pillars up to this scan (only the
        rows that changed, when the previous scan says what they were); return
        the service's new columns."""
        sql = statements(conn.dialect.name)
        self._latest_checks(conn, sql, service_id, result.team, checks, prev)
        old_pillars: dict[str, Any] | None = prev.pillars if prev is not None else None
        if old_pillars is None or set(old_pillars) != set(pillars):
            conn.execute(sql.delete_pillars, {"sid": service_id})
            if pillars:
                conn.execute(
                    sql.insert_pillars,
                    [
                        {"service_id": service_id, "pillar": k, "score": v}
                        for k, v in sorted(pillars.items())
                    ],
                )
        else:
            changed = [
                {"sid": service_id, "p": k, "v_score": v}
                for k, v in sorted(pillars.items())
                if old_pillars[k] != v
            ]
            if changed:
                conn.execute(sql.update_pillar, changed)
        return {
            "team": result.team,
            "owner": result.owner,
            "tier": result.tier,
            "path": result.path[:500],
            "languages": list(result.languages),
            "latest_scan_id": scan.id,
            "latest_service_scan_id": row.id,
            "last_scan_at": row.scanned_at,
            "score": row.score,
            "level_rank": row.level_rank,
            "next_level_rank": row.next_level_rank,
            "previous_score": prev.score if prev is not None else None,
            "previous_level_rank": prev.level_rank if prev is not None else None,
            "failing_checks": row.failing_checks,
            "blockers": list(result.blockers),
        }

    @staticmethod
    def _latest_checks(
        conn: Connection,
        sql: Any,
        service_id: int,
        team: str | None,
        checks: dict[str, list[Any]],
        prev: Any,
    ) -> None:
        def values(check_id: str, value: list[Any]) -> dict[str, Any]:
            return {
                "outcome": CODE_OUTCOMES[value[0]].value,
                "score": value[1],
                "findings_total": value[2],
                "check_id": check_id,
                "service_id": service_id,
                "team": team,
            }

        old: dict[str, list[Any]] | None = prev.checks if prev is not None else None
        if old is None or any(len(v) < 3 for v in old.values()):
            # No usable previous state (first scan, or history from before the
            # findings count was kept): rewrite all rows.
            conn.execute(sql.delete_checks, {"sid": service_id})
            if checks:
                conn.execute(sql.insert_checks, [values(k, v) for k, v in sorted(checks.items())])
            return
        removed = sorted(set(old) - set(checks))
        if removed:
            conn.execute(sql.delete_some_checks, {"sid": service_id, "cids": removed})
        added = [values(k, v) for k, v in sorted(checks.items()) if k not in old]
        if added:
            conn.execute(sql.insert_checks, added)
        changed = [
            {
                "sid": service_id,
                "cid": k,
                "v_outcome": CODE_OUTCOMES[v[0]].value,
                "v_score": v[1],
                "v_findings": v[2],
            }
            for k, v in sorted(checks.items())
            if k in old and old[k] != v
        ]
        if changed:
            conn.execute(sql.update_check, changed)
        if prev.team != team:
            conn.execute(sql.set_checks_team, {"sid": service_id, "v_team": team})

    def _notifications(
        self,
        result: ServiceResult,
        scan: _ScanRow,
        prev: Any,
        row: _HistoryRow,
        now: datetime,
    ) -> list[dict[str, Any]]:
        if not self.settings.webhooks:
            return []
        kinds = regression_kinds(
            prev.score, row.score, prev.level_rank, row.level_rank, self.settings.notify_score_drop
        )
        if not kinds:
            return []
        payload = regression_payload(
            service=result.name,
            team=result.team,
            scan_id=scan.id,
            commit=scan.commit,
            before=(prev.score, prev.level_rank),
            after=(row.score, row.level_rank),
            kinds=kinds,
            base_url=self.settings.base_url,
        )
        return [
            {
                "created_at": now,
                "target": target.name,
                "service": result.name,
                "scan_id": scan.id,
                "kinds": ",".join(kinds),
                "payload": payload,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "lease_until": None,
                "last_error": None,
                "delivered_at": None,
            }
            for target in self.settings.webhooks
            if _target_wants(target, result.team)
        ]

    def _upsert_catalog(
        self, conn: Connection, result: ScanResult, now: datetime
    ) -> dict[str, tuple[str, str, int, str]]:
        wanted: dict[str, tuple[str, str, int, str]] = {}
        for service in result.services:
            for check in service.checks:
                wanted[check.id] = (
                    check.title[:500],
                    check.pillar.value,
                    check.level.rank,
                    check.how_to_fix,
                )
        with self._catalog_lock:
            changed = {}
            for key, value in wanted.items():
                known = self._catalog.get(key)
                if known is not None and not value[3]:
                    value = (*value[:3], known[3])  # keep a how-to-fix we already have
                if known != value:
                    changed[key] = value
        if not changed:
            return {}
        conn.execute(
            statements(conn.dialect.name).upsert_catalog,
            [
                {
                    "id": k,
                    "title": v[0],
                    "pillar": v[1],
                    "level_rank": v[2],
                    "how_to_fix": v[3],
                    "updated_at": now,
                }
                for k, v in sorted(changed.items())
            ],
        )
        return changed


def apply_deltas(conn: Connection, deltas: Deltas) -> None:
    """Add rollup deltas with upserts, in key order (the lock order)."""
    sql = statements(conn.dialect.name)
    daily = deltas.daily_rows()
    if daily:
        conn.execute(sql.upsert_rollup, daily)
    checks = deltas.check_rows()
    if checks:
        conn.execute(sql.upsert_check_rollup, checks)


def _piece(row: Any) -> Piece | None:
    if row is None:
        return None
    return Piece.of(row.team, row.score, row.level_rank, row.checks)


def _target_wants(target: WebhookTarget, team: str | None) -> bool:
    return not target.teams or (team is not None and team in target.teams)


def regression_kinds(
    before_score: float | None,
    after_score: float | None,
    before_rank: int,
    after_rank: int,
    threshold: float,
) -> list[str]:
    """Why a scan is worth telling people about (empty: it is not)."""
    kinds = []
    if (
        before_score is not None
        and after_score is not None
        and before_score - after_score >= threshold - 1e-9
    ):
        kinds.append("score_drop")
    if after_rank < before_rank:
        kinds.append("level_lost")
    return kinds


def regression_payload(
    *,
    service: str,
    team: str | None,
    scan_id: int,
    commit: str | None,
    before: tuple[float | None, int],
    after: tuple[float | None, int],
    kinds: list[str],
    base_url: str | None,
) -> dict[str, Any]:
    """The generic JSON event (Slack formatting is derived from it at delivery)."""
    url = f"{base_url.rstrip('/')}/services/{quote(service, safe='')}" if base_url else None
    return {
        "event": "prodready.regression",
        "service": service,
        "team": team,
        "scan_id": scan_id,
        "commit": commit,
        "kinds": kinds,
        "before": {"score": before[0], "level": level_name(before[1])},
        "after": {"score": after[0], "level": level_name(after[1])},
        "url": url,
    }
