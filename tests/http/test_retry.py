"""Retry policy: what is retried, when, and how long we wait. No real sleeping."""

from __future__ import annotations

import asyncio
import email.utils
from collections.abc import Callable, Iterator

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodready.http import (
    AsyncClient,
    Client,
    ConnectError,
    DeadlineExceeded,
    LocalProtocolError,
    ManualClock,
    Plugin,
    ReadTimeout,
    Retry,
    RetryBudget,
    RetryEvent,
    backoff,
)
from prodready.http._retry import parse_retry_after

Handler = Callable[[httpx.Request], httpx.Response]


def scripted(*outcomes: int | Exception | str) -> tuple[Handler, list[httpx.Request]]:
    """A handler answering each request with the next outcome (the last repeats)."""
    seen: list[httpx.Request] = []
    queue = list(outcomes)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        outcome = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(outcome, Exception):
            raise outcome
        if isinstance(outcome, str):  # "429:<retry-after>"
            status, _, after = outcome.partition(":")
            return httpx.Response(int(status), headers={"Retry-After": after})
        return httpx.Response(outcome, json={"n": len(seen)})

    return handler, seen


def client(handler: Handler, clock: ManualClock, **retry_options: object) -> Client:
    options: dict[str, object] = {"backoff": backoff.constant(0.1), "budget": None}
    options.update(retry_options)
    return Client(
        transport=httpx.MockTransport(handler),
        retry=Retry(**options),  # type: ignore[arg-type]
        clock=clock,
    )


def test_get_is_retried_on_503_until_it_succeeds(clock: ManualClock) -> None:
    handler, seen = scripted(503, 503, 200)
    response = client(handler, clock, attempts=4).get("http://svc.test/drivers")
    assert response.status_code == 200
    assert len(seen) == 3
    assert clock.sleeps == [0.1, 0.1]


def test_backoff_schedule_is_followed(clock: ManualClock) -> None:
    handler, _ = scripted(503)
    response = client(handler, clock, attempts=5, backoff=backoff.exponential(0.01)).get(
        "http://svc.test/"
    )
    assert response.status_code == 503  # the last response, as httpx would return it
    assert clock.sleeps == pytest.approx([0.01, 0.02, 0.04, 0.08])


@pytest.mark.parametrize("status", [500, 501, 400, 404, 409, 200, 302])
def test_statuses_not_retried_by_default(clock: ManualClock, status: int) -> None:
    handler, seen = scripted(status)
    assert client(handler, clock).get("http://svc.test/").status_code == status
    assert len(seen) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_statuses_retried_by_default(clock: ManualClock, status: int) -> None:
    handler, seen = scripted(status, 200)
    assert client(handler, clock).get("http://svc.test/").status_code == 200
    assert len(seen) == 2


def test_statuses_are_configurable(clock: ManualClock) -> None:
    handler, seen = scripted(500, 200)
    assert client(handler, clock, statuses={500}).get("http://svc.test/").status_code == 200
    assert len(seen) == 2


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"])
def test_idempotent_methods_are_retried(clock: ManualClock, method: str) -> None:
    handler, seen = scripted(503, 200)
    assert client(handler, clock).request(method, "http://svc.test/").status_code == 200
    assert len(seen) == 2


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_non_idempotent_methods_are_not_retried(clock: ManualClock, method: str) -> None:
    handler, seen = scripted(503, 200)
    assert client(handler, clock).request(method, "http://svc.test/", json={}).status_code == 503
    assert len(seen) == 1


def test_post_with_an_idempotency_key_is_retried(clock: ManualClock) -> None:
    handler, seen = scripted(503, 200)
    response = client(handler, clock).post(
        "http://svc.test/orders", json={"id": 1}, headers={"Idempotency-Key": "k-1"}
    )
    assert response.status_code == 200
    assert [r.content for r in seen] == [b'{"id":1}', b'{"id":1}']  # the body is replayed


def test_post_retried_when_opted_in_by_method(clock: ManualClock) -> None:
    handler, seen = scripted(503, 200)
    c = client(handler, clock, methods={"GET", "POST"})
    assert c.post("http://svc.test/", content=b"x").status_code == 200
    assert len(seen) == 2


def test_idempotency_header_name_is_configurable_and_can_be_disabled(clock: ManualClock) -> None:
    handler, seen = scripted(503, 200)
    c = client(handler, clock, idempotency_header=None)
    assert c.post("http://svc.test/", headers={"Idempotency-Key": "k"}).status_code == 503
    handler, seen = scripted(503, 200)
    c = client(handler, clock, idempotency_header="X-Request-Id")
    assert c.post("http://svc.test/", headers={"X-Request-Id": "r"}).status_code == 200
    assert len(seen) == 2


def test_post_retried_when_the_request_was_never_sent(clock: ManualClock) -> None:
    handler, seen = scripted(httpx.ConnectError("refused"), 200)
    assert client(handler, clock).post("http://svc.test/", json={}).status_code == 200
    assert len(seen) == 2


def test_post_not_retried_after_a_read_timeout(clock: ManualClock) -> None:
    handler, seen = scripted(httpx.ReadTimeout("slow"), 200)
    with pytest.raises(ReadTimeout) as caught:
        client(handler, clock).post("http://svc.test/", json={})
    assert len(seen) == 1
    assert any("not retried" in note for note in caught.value.__notes__)


def test_errors_are_retried_and_the_last_one_raised_with_a_note(clock: ManualClock) -> None:
    handler, seen = scripted(httpx.ConnectError("refused"))
    with pytest.raises(ConnectError) as caught:
        client(handler, clock, attempts=3).get("http://svc.test/")
    assert len(seen) == 3
    error = caught.value
    assert isinstance(error, httpx.ConnectError)  # still an httpx error for old code
    assert isinstance(error.__cause__, httpx.ConnectError)
    assert not isinstance(error.__cause__, ConnectError)
    assert error.request.url == "http://svc.test/"
    assert error.__notes__ == [
        "prodready.http: svc.test: gave up after 3 attempts; all 3 attempts used"
    ]


@pytest.mark.parametrize(
    "error",
    [httpx.LocalProtocolError("bad header"), httpx.UnsupportedProtocol("ftp")],
)
def test_errors_a_retry_cannot_fix_are_not_retried(clock: ManualClock, error: Exception) -> None:
    handler, seen = scripted(error, 200)
    with pytest.raises(httpx.TransportError):
        client(handler, clock).get("http://svc.test/")
    assert len(seen) == 1


def test_local_protocol_error_is_translated() -> None:
    handler, _ = scripted(httpx.LocalProtocolError("bad"))
    with pytest.raises(LocalProtocolError):
        client(handler, ManualClock()).get("http://svc.test/")


def test_retry_after_seconds_is_honoured(clock: ManualClock) -> None:
    handler, _ = scripted("429:3", 200)
    assert client(handler, clock).get("http://svc.test/").status_code == 200
    assert clock.sleeps == [3.0]


def test_retry_after_never_shortens_the_backoff(clock: ManualClock) -> None:
    handler, _ = scripted("503:0", 200)
    assert (
        client(handler, clock, backoff=backoff.constant(0.5)).get("http://svc.test/").status_code
        == 200
    )
    assert clock.sleeps == [0.5]


def test_retry_after_http_date_is_honoured(clock: ManualClock) -> None:
    when = email.utils.formatdate(clock.wall() + 7, usegmt=True)
    handler, _ = scripted(f"503:{when}", 200)
    assert client(handler, clock).get("http://svc.test/").status_code == 200
    assert clock.sleeps == [pytest.approx(7.0, abs=1.0)]


def test_retry_after_beyond_the_cap_stops_retrying(clock: ManualClock) -> None:
    handler, seen = scripted("429:120", 200)
    response = client(handler, clock, max_retry_after=30).get("http://svc.test/")
    assert response.status_code == 429
    assert len(seen) == 1
    assert clock.sleeps == []


def test_retry_after_can_be_ignored(clock: ManualClock) -> None:
    handler, _ = scripted("429:120", 200)
    c = client(handler, clock, respect_retry_after=False)
    assert c.get("http://svc.test/").status_code == 200
    assert clock.sleeps == [0.1]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("  5 ", 5.0),
        ("0", 0.0),
        ("-3", None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past: no wait, never negative
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    now = email.utils.parsedate_to_datetime("Wed, 21 Oct 2015 07:28:00 GMT").timestamp()
    assert parse_retry_after(value, now) == expected


def test_deadline_stops_retries_that_could_not_finish(clock: ManualClock) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        clock.advance(0.4)  # each attempt takes 0.4 s
        return httpx.Response(503)

    c = client(handler, clock, attempts=10, deadline=1.0, backoff=backoff.constant(0.1))
    assert c.get("http://svc.test/").status_code == 503
    # 0.4 + 0.1 + 0.4 = 0.9; another 0.1 s sleep would reach the deadline
    assert clock.sleeps == [0.1]


def test_deadline_caps_each_phase_timeout_and_restores_them(clock: ManualClock) -> None:
    seen_timeouts: list[dict[str, float | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen_timeouts.append(dict(request.extensions["timeout"]))
        clock.advance(0.7)
        return httpx.Response(503)

    c = Client(
        transport=httpx.MockTransport(handler),
        timeout=httpx.Timeout(5.0, connect=0.2),
        retry=Retry(attempts=3, deadline=1.0, backoff=backoff.constant(0.1), budget=None),
        clock=clock,
    )
    request = c.build_request("GET", "http://svc.test/")
    c.send(request)
    assert seen_timeouts[0] == {"connect": 0.2, "read": 1.0, "write": 1.0, "pool": 1.0}
    assert seen_timeouts[1] == {
        "connect": pytest.approx(0.2),
        "read": pytest.approx(0.2),
        "write": pytest.approx(0.2),
        "pool": pytest.approx(0.2),
    }
    assert request.extensions["timeout"] == {"connect": 0.2, "read": 5.0, "write": 5.0, "pool": 5.0}


def test_timeout_at_the_deadline_is_deadline_exceeded_and_not_retried(clock: ManualClock) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        clock.advance(request.extensions["timeout"]["read"])
        raise httpx.ReadTimeout("timed out")

    c = client(handler, clock, attempts=5, deadline=0.5)
    with pytest.raises(DeadlineExceeded) as caught:
        c.get("http://svc.test/")
    assert isinstance(caught.value, httpx.TimeoutException)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert clock.sleeps == []


def test_streamed_request_body_is_never_replayed(clock: ManualClock) -> None:
    handler, seen = scripted(503, 200)

    def body() -> Iterator[bytes]:
        yield b"chunk"

    response = client(handler, clock).put("http://svc.test/", content=body())
    assert response.status_code == 503
    assert len(seen) == 1


def test_streamed_body_read_first_is_replayable(clock: ManualClock) -> None:
    handler, seen = scripted(503, 200)
    c = client(handler, clock)

    def body() -> Iterator[bytes]:
        yield b"chunk"

    request = c.build_request("PUT", "http://svc.test/", content=body())
    request.read()
    assert c.send(request).status_code == 200
    assert [r.content for r in seen] == [b"chunk", b"chunk"]


def test_budget_limits_retries_to_a_share_of_calls(clock: ManualClock) -> None:
    handler, seen = scripted(503)
    budget = RetryBudget(0.1, min_per_second=0, max_tokens=1)
    c = client(handler, clock, attempts=3, budget=budget)
    for _ in range(30):
        c.get("http://svc.test/")
    retries = len(seen) - 30
    # A full bucket (1 token) pays the first call's retry; ten calls' deposits
    # of 0.1 pay the next: retries on calls 1, 11 and 21 only, never a second
    # retry within a call. Without the budget it would be 60.
    assert retries == 3
    assert len(seen) == 33


def test_budget_refills_with_time(clock: ManualClock) -> None:
    budget = RetryBudget(0.0, min_per_second=2.0, max_tokens=2)
    assert budget.try_withdraw(clock.monotonic())
    assert budget.try_withdraw(clock.monotonic())
    assert not budget.try_withdraw(clock.monotonic())
    clock.advance(0.5)
    assert budget.try_withdraw(clock.monotonic())
    assert not budget.try_withdraw(clock.monotonic())


@settings(deadline=None)  # no per-example deadline: a loaded CI machine must not flake
@given(
    ratio=st.floats(0, 1),
    min_per_second=st.floats(0, 20),
    max_tokens=st.floats(1, 50),
    steps=st.lists(st.tuples(st.floats(0, 2), st.booleans()), max_size=200),
)
def test_property_budget_bound(ratio, min_per_second, max_tokens, steps) -> None:  # type: ignore[no-untyped-def]
    budget = RetryBudget(ratio, min_per_second=min_per_second, max_tokens=max_tokens)
    now, calls, retries = 0.0, 0, 0
    for dt, is_call in steps:
        now += dt
        if is_call:
            budget.deposit(now)
            calls += 1
        elif budget.try_withdraw(now):
            retries += 1
    assert retries <= ratio * calls + min_per_second * now + max_tokens + 1e-9


def test_on_retry_reports_delay_and_reason(clock: ManualClock) -> None:
    events: list[RetryEvent] = []

    class Recorder(Plugin):
        def on_retry(self, event: RetryEvent) -> None:
            events.append(event)

    handler, _ = scripted(httpx.ReadTimeout("slow"), "429:2", 200)
    c = Client(
        transport=httpx.MockTransport(handler),
        retry=Retry(attempts=3, backoff=backoff.constant(0.1), budget=None),
        plugins=[Recorder()],
        clock=clock,
        name="drivers",
    )
    c.get("http://svc.test/")
    assert [(e.attempt, e.delay, e.reason, e.dependency) for e in events] == [
        (1, 0.1, "ReadTimeout", "drivers"),
        (2, 2.0, "status 429", "drivers"),
    ]


def test_async_client_follows_the_same_rules(clock: ManualClock) -> None:
    handler, seen = scripted(503, httpx.ConnectError("refused"), "429:1", 200)

    async def main() -> int:
        async with AsyncClient(
            transport=httpx.MockTransport(handler),
            retry=Retry(attempts=4, backoff=backoff.constant(0.1), budget=None),
            clock=clock,
        ) as c:
            post = await c.post("http://svc.test/", json={})
            assert post.status_code == 503  # POST is not retried on a status
            response = await c.get("http://svc.test/")
            return response.status_code

    assert asyncio.run(main()) == 200
    assert len(seen) == 4
    assert clock.sleeps == [0.1, 1.0]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"attempts": 0}, "attempts"),
        ({"attempts": True}, "attempts"),
        ({"statuses": {99}}, "status code"),
        ({"deadline": 0}, "deadline"),
        ({"max_retry_after": -1}, "max_retry_after"),
        ({"methods": ["GET", "no such"]}, "HTTP method"),
    ],
)
def test_invalid_retry_options_are_clear_errors(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Retry(**options)  # type: ignore[arg-type]


def test_invalid_retry_types_are_clear_errors() -> None:
    with pytest.raises(TypeError, match="backoff strategy"):
        Retry(backoff=0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="exception classes"):
        Retry(errors=("ReadTimeout",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ratio"):
        RetryBudget(-1)


def test_repr_shows_the_policy() -> None:
    text = repr(Retry(attempts=4, backoff=backoff.constant(0.002) + backoff.jitter(0.005)))
    assert text.startswith("Retry(attempts=4, backoff=constant(0.002) + jitter(0.005)")
