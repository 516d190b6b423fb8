"""The resilient transport: fallbacks, breaker accounting, streaming, hooks, composition."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from prodready.http import (
    AsyncClient,
    AsyncResilientTransport,
    BreakerRegistry,
    Bulkhead,
    CircuitBreaker,
    CircuitOpenError,
    Client,
    ConnectError,
    ErrorEvent,
    FailureResponse,
    FallbackEvent,
    ManualClock,
    Plugin,
    ReadError,
    RequestEvent,
    ResilientTransport,
    ResponseEvent,
    Retry,
    RetryEvent,
    State,
    StateChange,
    backoff,
)


def always(outcome: int | Exception) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(outcome, Exception):
            raise outcome
        return httpx.Response(outcome, json={"status": outcome})

    return httpx.MockTransport(handler)


def degraded(request: httpx.Request, error: BaseException) -> httpx.Response:
    return httpx.Response(200, json={"degraded": True, "because": type(error).__name__})


def test_fallback_answers_a_failed_call(clock: ManualClock) -> None:
    client = Client(transport=always(httpx.ConnectError("refused")), fallback=degraded, clock=clock)
    response = client.get("http://svc.test/drivers")
    assert response.json() == {"degraded": True, "because": "ConnectError"}
    assert response.extensions["prodready.fallback"] is True
    assert response.request.url == "http://svc.test/drivers"


def test_fallback_sees_a_failure_status_with_the_response(clock: ManualClock) -> None:
    seen: list[BaseException] = []

    def fallback(request: httpx.Request, error: BaseException) -> httpx.Response:
        seen.append(error)
        return httpx.Response(503, json={"degraded": True})

    client = Client(transport=always(500), fallback=fallback, clock=clock)
    assert client.get("http://svc.test/").json() == {"degraded": True}
    assert isinstance(seen[0], FailureResponse)
    assert seen[0].response.status_code == 500
    assert str(seen[0]) == "500 Internal Server Error"


@pytest.mark.parametrize("status", [200, 404, 429])
def test_fallback_not_used_for_non_failures(clock: ManualClock, status: int) -> None:
    client = Client(transport=always(status), fallback=degraded, clock=clock)
    response = client.get("http://svc.test/")
    assert response.status_code == status
    assert "prodready.fallback" not in response.extensions


def test_fallback_may_raise(clock: ManualClock) -> None:
    def fallback(request: httpx.Request, error: BaseException) -> httpx.Response:
        raise LookupError("no cached copy") from error

    client = Client(transport=always(httpx.ConnectError("refused")), fallback=fallback, clock=clock)
    with pytest.raises(LookupError, match="no cached copy") as caught:
        client.get("http://svc.test/")
    assert isinstance(caught.value.__cause__, ConnectError)


def test_fallback_must_return_a_response(clock: ManualClock) -> None:
    client = Client(
        transport=always(httpx.ConnectError("x")),
        fallback=lambda request, error: {"degraded": True},
        clock=clock,
    )
    with pytest.raises(TypeError, match=r"must return an httpx\.Response"):
        client.get("http://svc.test/")


def test_sync_client_refuses_an_async_fallback() -> None:
    async def fallback(request: httpx.Request, error: BaseException) -> httpx.Response:
        return httpx.Response(200)

    with pytest.raises(TypeError, match="sync fallback"):
        Client(fallback=fallback)


def test_async_client_accepts_an_async_fallback(clock: ManualClock) -> None:
    async def fallback(request: httpx.Request, error: BaseException) -> httpx.Response:
        await asyncio.sleep(0)
        return httpx.Response(200, json={"cached": True})

    async def main() -> httpx.Response:
        async with AsyncClient(
            transport=always(httpx.ReadTimeout("slow")), fallback=fallback, clock=clock
        ) as c:
            return await c.get("http://svc.test/")

    response = asyncio.run(main())
    assert response.json() == {"cached": True}
    assert response.extensions["prodready.fallback"] is True


def test_open_breaker_fails_fast_into_the_fallback(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503)

    breaker = CircuitBreaker("drivers", volume_threshold=3, registry=registry, clock=clock)
    client = Client(
        transport=httpx.MockTransport(handler), breaker=breaker, fallback=degraded, clock=clock
    )
    for _ in range(3):
        assert client.get("http://svc.test/").json()["because"] == "FailureResponse"
    assert breaker.state is State.OPEN
    response = client.get("http://svc.test/")
    assert response.json()["because"] == "CircuitOpenError"
    assert len(calls) == 3  # the fourth call never left


def test_4xx_never_counts_against_the_breaker(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    breaker = CircuitBreaker("drivers", volume_threshold=2, registry=registry, clock=clock)
    client = Client(transport=always(404), breaker=breaker, clock=clock)
    for _ in range(10):
        client.get("http://svc.test/")
    assert breaker.state is State.CLOSED
    assert breaker.metrics().failures == 0
    assert breaker.metrics().requests == 10


def test_every_attempt_is_judged_by_the_breaker(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    breaker = CircuitBreaker("drivers", volume_threshold=100, registry=registry, clock=clock)
    client = Client(
        transport=always(503),
        retry=Retry(attempts=3, backoff=backoff.constant(0.01), budget=None),
        breaker=breaker,
        clock=clock,
    )
    client.get("http://svc.test/")
    assert breaker.metrics().failures == 3


def test_retries_stop_when_the_breaker_opens(clock: ManualClock, registry: BreakerRegistry) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503)

    breaker = CircuitBreaker("drivers", volume_threshold=2, registry=registry, clock=clock)
    client = Client(
        transport=httpx.MockTransport(handler),
        retry=Retry(attempts=10, backoff=backoff.constant(0.01), budget=None),
        breaker=breaker,
        clock=clock,
    )
    response = client.get("http://svc.test/")
    assert response.status_code == 503  # the last real answer, not a refusal
    assert len(calls) == 2
    assert clock.sleeps == [0.01]


def test_a_refusal_after_an_error_raises_that_error(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    breaker = CircuitBreaker(
        "drivers", volume_threshold=5, sleep_window=0.001, registry=registry, clock=clock
    )

    def handler(request: httpx.Request) -> httpx.Response:
        breaker.force_open()  # an operator pulls the switch while we wait to retry
        raise httpx.ConnectError("refused")

    client = Client(
        transport=httpx.MockTransport(handler),
        retry=Retry(attempts=3, backoff=backoff.constant(0.01), budget=None),
        breaker=breaker,
        clock=clock,
    )
    with pytest.raises(ConnectError) as caught:
        client.get("http://svc.test/")
    assert any(
        "refused: circuit breaker 'drivers' is forced open" in n for n in caught.value.__notes__
    )


def test_circuit_open_error_carries_request_and_retry_after(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    breaker = CircuitBreaker("drivers", volume_threshold=1, registry=registry, clock=clock)
    client = Client(transport=always(500), breaker=breaker, clock=clock)
    client.get("http://svc.test/")
    with pytest.raises(CircuitOpenError) as caught:
        client.get("http://svc.test/x")
    assert caught.value.retry_after == pytest.approx(5.0)
    assert caught.value.request.url == "http://svc.test/x"
    assert isinstance(caught.value, httpx.RequestError)


def body_that_fails_halfway() -> Iterator[bytes]:
    yield b"partial"
    raise httpx.ReadError("connection reset by peer")


def test_a_body_that_fails_mid_read_is_a_failed_attempt(clock: ManualClock) -> None:
    answers = iter(
        [
            httpx.Response(200, content=body_that_fails_halfway()),
            httpx.Response(200, content=b"whole"),
        ]
    )
    client = Client(
        transport=httpx.MockTransport(lambda request: next(answers)),
        retry=Retry(attempts=2, backoff=backoff.constant(0.01), budget=None),
        clock=clock,
    )
    assert client.get("http://svc.test/").content == b"whole"


def test_a_streamed_response_ends_the_attempt_at_the_headers(clock: ManualClock) -> None:
    client = Client(
        transport=httpx.MockTransport(
            lambda request: httpx.Response(200, content=body_that_fails_halfway())
        ),
        retry=Retry(attempts=3, budget=None),
        clock=clock,
    )
    with client.stream("GET", "http://svc.test/") as response:
        assert response.status_code == 200
        with pytest.raises(ReadError) as caught:
            response.read()
    assert isinstance(caught.value.__cause__, httpx.ReadError)
    assert clock.sleeps == []


def test_composes_with_a_plain_httpx_client(clock: ManualClock) -> None:
    answers = iter([503, 200])
    transport = ResilientTransport(
        httpx.MockTransport(lambda request: httpx.Response(next(answers))),
        retry=Retry(attempts=2, backoff=backoff.constant(0.01), budget=None),
        clock=clock,
    )
    with httpx.Client(transport=transport) as client:
        assert client.get("http://svc.test/").status_code == 200
        with pytest.raises(httpx.ConnectError):  # our ConnectError is an httpx.ConnectError
            ResilientTransport(always(httpx.ConnectError("x")), clock=clock).handle_request(
                client.build_request("GET", "http://svc.test/")
            )


def test_async_transport_composes_with_a_plain_httpx_async_client(clock: ManualClock) -> None:
    answers = iter([502, 200])

    async def main() -> int:
        transport = AsyncResilientTransport(
            httpx.MockTransport(lambda request: httpx.Response(next(answers))),
            retry=Retry(attempts=2, backoff=backoff.constant(0.01), budget=None),
            clock=clock,
        )
        async with httpx.AsyncClient(transport=transport) as client:
            return (await client.get("http://svc.test/")).status_code

    assert asyncio.run(main()) == 200


class Recorder(Plugin):
    def __init__(self) -> None:
        self.events: list[str] = []

    def on_request(self, event: RequestEvent) -> None:
        self.events.append(f"request {event.attempt}")

    def on_response(self, event: ResponseEvent) -> None:
        self.events.append(f"response {event.attempt} {event.response.status_code} {event.failure}")

    def on_error(self, event: ErrorEvent) -> None:
        self.events.append(f"error {event.attempt} {type(event.error).__name__}")

    def on_retry(self, event: RetryEvent) -> None:
        self.events.append(f"retry {event.attempt} {event.delay:g}")

    def on_fallback(self, event: FallbackEvent) -> None:
        self.events.append(f"fallback {type(event.error).__name__}")

    def on_state_change(self, change: StateChange) -> None:
        self.events.append(f"state {change.old.value}->{change.new.value}")


def test_hooks_fire_in_order(clock: ManualClock, registry: BreakerRegistry) -> None:
    answers = iter([httpx.ConnectError("refused"), 503, 503])

    def handler(request: httpx.Request) -> httpx.Response:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer)

    recorder = Recorder()
    breaker = CircuitBreaker("drivers", volume_threshold=3, registry=registry, clock=clock)
    client = Client(
        transport=httpx.MockTransport(handler),
        retry=Retry(attempts=3, backoff=backoff.constant(0.5), budget=None),
        breaker=breaker,
        fallback=degraded,
        plugins=[recorder],
        clock=clock,
    )
    client.get("http://svc.test/")
    client.get("http://svc.test/")
    assert recorder.events == [
        "state closed->closed",  # where the breaker stood when the client attached
        "request 1",
        "error 1 ConnectError",
        "retry 1 0.5",
        "request 2",
        "response 2 503 True",
        "retry 2 0.5",
        "request 3",
        "state closed->open",
        "response 3 503 True",
        "fallback FailureResponse",
        "error 1 CircuitOpenError",
        "fallback CircuitOpenError",
    ]


def test_a_failing_plugin_never_breaks_the_call(
    clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(Plugin):
        def on_response(self, event: ResponseEvent) -> None:
            raise RuntimeError("plugin bug")

    client = Client(transport=always(200), plugins=[Broken()], clock=clock)
    with caplog.at_level(logging.ERROR, logger="prodready.http"):
        assert client.get("http://svc.test/").status_code == 200
    assert "Broken.on_response failed" in caplog.text


def test_plugins_must_be_plugins() -> None:
    with pytest.raises(TypeError, match="Plugin instances"):
        Client(plugins=[object()])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"retry": 3}, "prodready.http.Retry"),
        ({"breaker": "payments"}, "CircuitBreaker"),
        ({"bulkhead": 10}, "Bulkhead"),
        ({"fallback": "cached"}, "callable"),
    ],
)
def test_wrong_policy_types_are_clear_errors(options: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Client(**options)  # type: ignore[arg-type]


def test_dependency_name_defaults(clock: ManualClock, registry: BreakerRegistry) -> None:
    seen: list[str] = []

    class Names(Plugin):
        def on_request(self, event: RequestEvent) -> None:
            seen.append(event.dependency)

    Client(transport=always(200), plugins=[Names()], clock=clock).get("http://host.test/")
    Client(transport=always(200), plugins=[Names()], name="drivers").get("http://host.test/")
    breaker = CircuitBreaker("payments", registry=registry, clock=clock)
    Client(transport=always(200), plugins=[Names()], breaker=breaker).get("http://host.test/")
    assert seen == ["host.test", "drivers", "payments"]


def test_interrupted_attempt_is_not_an_outcome(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    breaker = CircuitBreaker("drivers", volume_threshold=1, registry=registry, clock=clock)
    bulkhead = Bulkhead(1)
    breaker.record(breaker.admit(), 1)  # trip
    clock.advance(5.0)

    def handler(request: httpx.Request) -> httpx.Response:
        raise KeyboardInterrupt

    client = Client(
        transport=httpx.MockTransport(handler),
        breaker=breaker,
        bulkhead=bulkhead,
        retry=Retry(deadline=10),
        clock=clock,
    )
    request = client.build_request("GET", "http://svc.test/")
    with pytest.raises(KeyboardInterrupt):
        client.send(request)
    assert bulkhead.in_flight == 0
    assert breaker.state is State.HALF_OPEN
    assert breaker.admit().probe  # the interrupted probe freed its slot
    assert request.extensions["timeout"] == {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0}


def test_cancelled_async_call_frees_its_slot_and_probe(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    breaker = CircuitBreaker("drivers", volume_threshold=1, registry=registry, clock=clock)
    bulkhead = Bulkhead(1)
    breaker.record(breaker.admit(), 1)
    clock.advance(5.0)

    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200)

    async def main() -> None:
        async with AsyncClient(
            transport=httpx.MockTransport(handler), breaker=breaker, bulkhead=bulkhead, clock=clock
        ) as c:
            task = asyncio.create_task(c.get("http://svc.test/"))
            await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(main())
    assert bulkhead.in_flight == 0
    assert breaker.admit().probe


def test_closing_a_client_detaches_its_plugins(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    breaker = CircuitBreaker("drivers", volume_threshold=1, registry=registry, clock=clock)
    recorder = Recorder()
    first = Client(transport=always(200), breaker=breaker, plugins=[recorder])
    second = Client(transport=always(200), breaker=breaker, plugins=[recorder])
    first.close()
    breaker.force_closed()
    breaker.record(breaker.admit(), 1)
    breaker.reset()
    breaker.record(breaker.admit(), 1)
    assert recorder.events.count("state closed->open") == 1  # once, via the second client
    second.close()
    breaker.reset()
    breaker.record(breaker.admit(), 1)
    assert recorder.events.count("state closed->open") == 1


def test_client_exposes_its_policies_and_wraps_mounts(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    retry = Retry(budget=None)
    breaker = CircuitBreaker("drivers", registry=registry, clock=clock)
    bulkhead = Bulkhead(3)
    answers = iter([503, 200])
    client = Client(
        retry=retry,
        breaker=breaker,
        bulkhead=bulkhead,
        clock=clock,
        mounts={"http://other.test": httpx.MockTransport(lambda r: httpx.Response(next(answers)))},
    )
    assert (client.retry, client.breaker, client.bulkhead) == (retry, breaker, bulkhead)
    assert client.get("http://other.test/").status_code == 200  # retried: the mount is wrapped
    client.close()


def test_async_streamed_response_errors_are_translated(clock: ManualClock) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"partial"
        raise httpx.ReadError("connection reset by peer")

    async def main() -> BaseException:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body()))
        async with (
            AsyncClient(transport=transport, clock=clock) as client,
            client.stream("GET", "http://svc.test/") as response,
        ):
            try:
                await response.aread()
            except ReadError as error:
                return error
        raise AssertionError("no error surfaced")

    error = asyncio.run(main())
    assert isinstance(error.__cause__, httpx.ReadError)


def big_body(served: list[int]) -> Iterator[bytes]:
    for _ in range(200):  # 200 KiB, well past the 64 KiB drain limit
        served.append(1)
        yield b"x" * 1024


def test_a_retried_streamed_response_is_drained_only_up_to_a_limit(clock: ManualClock) -> None:
    served: list[int] = []
    answers = iter(
        [httpx.Response(503, content=big_body(served)), httpx.Response(200, content=b"ok")]
    )
    client = Client(
        transport=httpx.MockTransport(lambda request: next(answers)),
        retry=Retry(attempts=2, backoff=backoff.constant(0.01), budget=None),
        clock=clock,
    )
    with client.stream("GET", "http://svc.test/") as response:
        assert response.read() == b"ok"
    assert 64 <= len(served) <= 66


def test_async_retried_streamed_response_is_drained(clock: ManualClock) -> None:
    served: list[int] = []

    async def async_big_body() -> AsyncIterator[bytes]:
        for chunk in big_body(served):
            yield chunk

    answers = iter(
        [httpx.Response(503, content=async_big_body()), httpx.Response(200, content=b"ok")]
    )

    async def main() -> bytes:
        async with (
            AsyncClient(
                transport=httpx.MockTransport(lambda request: next(answers)),
                retry=Retry(attempts=2, backoff=backoff.constant(0.01), budget=None),
                clock=clock,
            ) as client,
            client.stream("GET", "http://svc.test/") as response,
        ):
            return await response.aread()

    assert asyncio.run(main()) == b"ok"
    assert 64 <= len(served) <= 66
    assert clock.sleeps == [0.01]


def test_client_send_honours_a_subclass_mro() -> None:
    """Client.send skips super() only when httpx's send is next; a class in between still runs."""
    seen: list[bool] = []

    class Recording(httpx.Client):
        def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
            seen.append(bool(request.extensions.get("prodready.stream")))
            return super().send(request, **kwargs)

    class Mine(Client, Recording):
        pass

    assert Client._next_send_is_httpx
    assert not Mine._next_send_is_httpx
    with Mine(transport=always(200), retry=Retry(attempts=2)) as client:
        assert client.get("http://svc.test/").status_code == 200
        with client.stream("GET", "http://svc.test/") as response:
            assert response.read() == b'{"status":200}'
    assert seen == [False, True]
