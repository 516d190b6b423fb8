"""Webhooks from the outbox: delivered in the background, retried with
backoff, failures visible, never blocking ingest. A real receiver on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import anyio
import pytest

from prodready.scan.model import Level
from prodready.server._notify import backoff_seconds, slack_body
from tests.server.conftest import Api, Tokens
from tests.server.documents import one
from tests.server.receiver import WebhookReceiver

pytestmark = pytest.mark.anyio
SECRET_PATH = "/hooks/T000/B000/very-secret-token"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        yield running


def _webhooks(receiver: WebhookReceiver) -> list[dict[str, object]]:
    return [
        {"name": "slack", "url": receiver.base + SECRET_PATH, "format": "slack"},
        {"name": "generic", "url": receiver.base + "/json", "format": "json",
         "headers": {"authorization": "Bearer hook-secret"}},
        {"name": "search-only", "url": receiver.base + "/search", "teams": ["search"]},
    ]  # fmt: skip


async def _until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """Wait for the background notifier (bounded; not a timing assertion)."""
    try:
        with anyio.fail_after(timeout):
            while not condition():
                await anyio.sleep(0.02)
    except TimeoutError:
        pytest.fail(f"gave up waiting for {what}")


async def _regress(api: Api, name: str = "payments-api") -> None:
    now = datetime.now(UTC)
    first = await api.push(one(name, at=now - timedelta(hours=2), score=90.0, level=Level.SILVER))
    assert first.status_code == 201
    second = await api.push(one(name, at=now - timedelta(hours=1), score=80.0, commit="b2"))
    assert second.status_code == 201


async def _notifications(api: Api) -> list[dict[str, object]]:
    response = await api.get("/api/v1/notifications", headers=Tokens.header(api.tokens.read))
    items: list[dict[str, object]] = response.json()["items"]
    return items


async def test_regression_is_delivered_to_each_matching_target(
    api_factory,
    receiver: WebhookReceiver,  # type: ignore[no-untyped-def]
) -> None:
    async with api_factory(webhooks=_webhooks(receiver), webhook_backoff_seconds=0.05) as api:
        await _regress(api)
        await _until(lambda: len(receiver.received) >= 2, "two deliveries")
        slack = receiver.on(SECRET_PATH)[0].body
        assert slack["text"] == "prodready: payments-api score dropped and lost a level"
        assert "90.0 → 80.0" in slack["blocks"][0]["text"]["text"]
        generic = receiver.on("/json")[0]
        assert generic.headers["authorization"] == "Bearer hook-secret"
        assert generic.body["event"] == "prodready.regression"
        assert generic.body["kinds"] == ["score_drop", "level_lost"]
        assert generic.body["before"] == {"score": 90.0, "level": "silver"}
        assert generic.body["after"] == {"score": 80.0, "level": "bronze"}
        assert receiver.on("/search") == []  # team filter: payments-api is not search's
        notes = await _until_status(api, {"delivered"}, count=2)
        assert {n["target"] for n in notes} == {"slack", "generic"}


async def _until_status(api: Api, statuses: set[str], count: int) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    with anyio.fail_after(20):
        while True:
            found = [n for n in await _notifications(api) if n["status"] in statuses]
            if len(found) >= count:
                return found
            await anyio.sleep(0.05)


async def test_small_drops_do_not_notify(api_factory, receiver: WebhookReceiver) -> None:  # type: ignore[no-untyped-def]
    async with api_factory(webhooks=_webhooks(receiver), notify_score_drop=15) as api:
        now = datetime.now(UTC)
        await api.push(one("svc", at=now - timedelta(hours=2), score=90.0))
        await api.push(one("svc", at=now - timedelta(hours=1), score=80.0, commit="x"))
        assert await _notifications(api) == []


async def test_failed_deliveries_are_retried_then_marked_failed_and_shown(
    api_factory,
    receiver: WebhookReceiver,  # type: ignore[no-untyped-def]
) -> None:
    receiver.always[SECRET_PATH] = 500
    receiver.script["/json"].extend([503])  # one failure, then success
    async with api_factory(
        webhooks=_webhooks(receiver), webhook_backoff_seconds=0.05, webhook_max_attempts=3
    ) as api:
        await _regress(api)
        failed = await _until_status(api, {"failed"}, count=1)
        delivered = await _until_status(api, {"delivered"}, count=1)
        assert failed[0]["target"] == "slack"
        assert failed[0]["attempts"] == 3
        assert failed[0]["last_error"].startswith("HTTP 500")
        assert delivered[0]["target"] == "generic"
        assert delivered[0]["attempts"] == 2
        assert len(receiver.on(SECRET_PATH)) == 3
        page = await api.get("/status")
        assert "failed" in page.text
        assert "HTTP 500" in page.text
        for text in (page.text, str(failed)):
            assert "very-secret-token" not in text  # the URL is a credential
        metrics = (await api.get("/metrics")).text
        assert 'prodready_notifications_total{result="failed",target="slack"} 1.0' in metrics
        assert 'prodready_notifications_backlog{status="failed"} 1.0' in metrics


async def test_a_hung_receiver_does_not_block_ingest(
    api_factory,
    receiver: WebhookReceiver,  # type: ignore[no-untyped-def]
) -> None:
    receiver.hold.clear()  # every webhook request now hangs until released
    async with api_factory(webhooks=_webhooks(receiver), webhook_timeout_seconds=30) as api:
        await _regress(api)
        # The receiver is still holding the deliveries, yet more pushes are acknowledged.
        for i in range(3):
            response = await api.push(one(f"other-{i}", commit=f"o{i}"))
            assert response.status_code == 201
        assert receiver.received == []
        receiver.hold.set()
        await _until(lambda: len(receiver.received) >= 2, "deliveries after release")


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    import random

    rng = random.Random(1)
    delays = [backoff_seconds(n, 2.0, rng) for n in range(1, 6)]
    for n, delay in enumerate(delays, start=1):
        nominal = 2.0 * 2 ** (n - 1)
        assert nominal / 2 <= delay <= nominal
    assert backoff_seconds(30, 2.0, rng) <= 900


def test_slack_text_is_escaped() -> None:
    body = slack_body(
        {
            "service": "<script>&",
            "team": "a>b",
            "kinds": ["score_drop"],
            "before": {"score": 1, "level": None},
            "after": {"score": 0, "level": None},
            "url": None,
            "commit": None,
        }
    )
    text = body["blocks"][0]["text"]["text"]
    assert "&lt;script&gt;&amp;" in text
    assert "a&gt;b" in text
