"""Webhook notifications, delivered from an outbox in the background.

Ingest only inserts ``notifications`` rows in its own transaction (so a
notification exists iff the scan that caused it was committed) and pokes the
notifier; it never waits for a webhook (ADR 0016). The notifier, an asyncio
task in the server's lifespan:

1. claims due rows with a conditional UPDATE (status/lease check), so several
   server instances on one PostgreSQL never deliver a row twice at once; a
   lease that expires (the instance died mid-delivery) makes the row due again;
2. POSTs the event (Slack-compatible or generic JSON);
3. records delivered, or schedules a retry with exponential backoff and
   jitter, or gives up after ``webhook_max_attempts`` and marks it failed.

Statuses and errors are visible on the ``/status`` page and in
``/api/v1/notifications``. Error texts never contain the target URL (it is a
secret for Slack).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, or_, select, update

from prodready.server._db import Database
from prodready.server._models import Notification
from prodready.server._observability import Metrics
from prodready.server._settings import Settings, WebhookTarget

log = logging.getLogger("prodready.server.notify")

LEASE = timedelta(seconds=120)
MAX_BACKOFF_SECONDS = 900.0
IDLE_POLL_SECONDS = 30.0
BATCH = 10


@dataclass(frozen=True)
class _Claimed:
    id: int
    target: str
    payload: dict[str, Any]
    attempts: int


def backoff_seconds(attempt: int, base: float, rng: random.Random | None = None) -> float:
    """Delay before retry number ``attempt`` (1-based): base * 2^(attempt-1), capped,
    with "equal jitter" (half fixed, half random) so retries spread out."""
    delay = min(MAX_BACKOFF_SECONDS, base * (2.0 ** max(0, attempt - 1)))
    jitter: float = (rng or random).uniform(0, delay / 2)
    return delay / 2 + jitter


def slack_body(payload: dict[str, Any]) -> dict[str, Any]:
    """Slack incoming-webhook JSON (``text`` plus one mrkdwn section)."""

    def esc(value: object) -> str:
        return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    before, after = payload["before"], payload["after"]
    reasons = {"score_drop": "score dropped", "level_lost": "lost a level"}
    why = " and ".join(reasons.get(k, k) for k in payload["kinds"])
    service = esc(payload["service"])
    name = f"<{esc(payload['url'])}|{service}>" if payload.get("url") else f"*{service}*"
    text = (
        f"{name} {why}: score {before['score']} → {after['score']}, "
        f"level {before['level']} → {after['level']}"
    )
    if payload.get("team"):
        text += f" (team {esc(payload['team'])})"
    if payload.get("commit"):
        text += f", commit `{esc(str(payload['commit'])[:12])}`"
    plain = f"prodready: {payload['service']} {why}"
    return {
        "text": plain,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def _sanitise(message: str, target: WebhookTarget) -> str:
    return message.replace(target.url, "<webhook url>")[:500]


class Notifier:
    """Delivers the outbox. ``wake()`` may be called from any thread."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        metrics: Metrics | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.metrics = metrics
        self.clock = clock
        self.targets = {t.name: t for t in settings.webhooks}
        self._transport = transport
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._rng = random.Random()  # noqa: S311 (jitter, not cryptography)

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="prodready-notifier")

    def wake(self) -> None:
        loop, event = self._loop, self._event
        if loop is not None and event is not None and not loop.is_closed():
            loop.call_soon_threadsafe(event.set)

    async def stop(self, timeout: float = 10.0) -> None:
        """Let the current batch finish (bounded), then stop. Rows not
        delivered stay pending and are picked up on the next start."""
        self._stopping = True
        if self._event is not None:
            self._event.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout)
            except TimeoutError:
                self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        assert self._event is not None
        async with httpx.AsyncClient(
            timeout=self.settings.webhook_timeout_seconds,
            transport=self._transport,
            follow_redirects=False,
            headers={"user-agent": "prodready-webhook"},
        ) as client:
            while not self._stopping:
                # Clear first: a wake() or stop() during the pass below keeps
                # the event set, so the wait at the end returns at once.
                self._event.clear()
                try:
                    done = await self.deliver_due(client)
                    if done:
                        continue
                    delay = await asyncio.to_thread(self._seconds_until_next_due)
                except Exception:
                    log.exception("notifier: pass failed; retrying shortly")
                    delay = 5.0
                if self._stopping:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._event.wait(), timeout=delay)

    # --- one pass ----------------------------------------------------------------------

    def _seconds_until_next_due(self) -> float:
        with self.db.read() as session:
            due = session.scalar(
                select(func.min(Notification.next_attempt_at)).where(
                    Notification.status == "pending"
                )
            )
            lease = session.scalar(
                select(func.min(Notification.lease_until)).where(
                    Notification.status == "delivering"
                )
            )
        moments = [m for m in (due, lease) if m is not None]
        if not moments:
            return IDLE_POLL_SECONDS
        wait = (min(moments) - self.clock()).total_seconds()
        return max(0.05, min(IDLE_POLL_SECONDS, wait))

    def _claim(self) -> list[_Claimed]:
        now = self.clock()
        due = or_(
            (Notification.status == "pending") & (Notification.next_attempt_at <= now),
            (Notification.status == "delivering") & (Notification.lease_until < now),
        )
        claimed: list[_Claimed] = []
        with self.db.write() as session:
            rows = session.execute(
                select(Notification.id, Notification.target, Notification.attempts)
                .where(due)
                .order_by(Notification.next_attempt_at, Notification.id)
                .limit(BATCH)
            ).all()
            for row_id, target, attempts in rows:
                result = session.execute(
                    update(Notification)
                    .where(Notification.id == row_id, Notification.attempts == attempts, due)
                    .values(status="delivering", lease_until=now + LEASE, attempts=attempts + 1)
                )
                if getattr(result, "rowcount", 0) == 1:
                    payload = session.scalar(
                        select(Notification.payload).where(Notification.id == row_id)
                    )
                    claimed.append(_Claimed(row_id, target, payload or {}, attempts + 1))
        return claimed

    def _record(self, item: _Claimed, error: str | None) -> str:
        now = self.clock()
        values: dict[str, Any]
        if error is None:
            values = {"status": "delivered", "delivered_at": now, "last_error": None}
            outcome = "delivered"
        elif item.target not in self.targets:
            values = {"status": "dropped", "last_error": error}
            outcome = "dropped"
        elif item.attempts >= self.settings.webhook_max_attempts:
            values = {"status": "failed", "last_error": error}
            outcome = "failed"
        else:
            delay = backoff_seconds(item.attempts, self.settings.webhook_backoff_seconds, self._rng)
            values = {
                "status": "pending",
                "last_error": error,
                "next_attempt_at": now + timedelta(seconds=delay),
            }
            outcome = "retry"
        values["lease_until"] = None
        with self.db.write() as session:
            session.execute(update(Notification).where(Notification.id == item.id).values(**values))
        return outcome

    async def _deliver(self, client: httpx.AsyncClient, item: _Claimed) -> str:
        target = self.targets.get(item.target)
        if target is None:
            error: str | None = "target no longer configured"
        else:
            body = slack_body(item.payload) if target.format == "slack" else item.payload
            try:
                response = await client.post(target.url, json=body, headers=target.headers)
                if 200 <= response.status_code < 300:
                    error = None
                else:
                    error = f"HTTP {response.status_code}: {response.text[:200]}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            if error is not None:
                error = _sanitise(error, target)
        outcome = await asyncio.to_thread(self._record, item, error)
        if self.metrics is not None:
            self.metrics.notifications.labels(item.target, outcome).inc()
        level = logging.INFO if outcome == "delivered" else logging.WARNING
        if outcome == "failed":
            level = logging.ERROR
        log.log(
            level,
            "notification %s to %s: %s",
            item.id,
            item.target,
            outcome,
            extra={
                "notification_id": item.id,
                "target": item.target,
                "attempt": item.attempts,
                "outcome": outcome,
                "error": error,
            },
        )
        return outcome

    async def deliver_due(self, client: httpx.AsyncClient) -> int:
        """Claim and deliver one batch of due notifications; returns how many."""
        claimed = await asyncio.to_thread(self._claim)
        if claimed:
            await asyncio.gather(*(self._deliver(client, item) for item in claimed))
        return len(claimed)
