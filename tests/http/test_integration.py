"""Against a real server on 127.0.0.1 that misbehaves on command.

Timeouts must fire, retries happen only where they should, the breaker opens
and recovers, fallbacks run, metrics are exported, and connections are
reused. Waits on the server side are short (at most ~1 s) and the client's
backoff sleeps go to a manual clock, so nothing here sleeps for long.
"""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from prometheus_client import CollectorRegistry

from prodready.http import (
    AsyncClient,
    BreakerRegistry,
    Bulkhead,
    BulkheadFullError,
    CircuitBreaker,
    Client,
    DeadlineExceeded,
    ManualClock,
    PrometheusMetrics,
    ReadTimeout,
    Retry,
    State,
    Timeout,
    TimeoutException,
    TransportError,
    backoff,
)
from tests.http.servers import MisbehavingServer


def retrying(clock: ManualClock, attempts: int = 4, **options: object) -> Retry:
    settings: dict[str, object] = {"backoff": backoff.constant(0.05), "budget": None}
    settings.update(options)
    return Retry(attempts=attempts, **settings)  # type: ignore[arg-type]


def test_read_timeout_fires_on_a_slow_server(server: MisbehavingServer) -> None:
    server.plan("/slow", "slow:1.0")
    with Client(timeout=Timeout(0.2, connect=0.5)) as client, pytest.raises(ReadTimeout) as caught:
        client.get(server.url("/slow"))
    assert isinstance(caught.value, httpx.ReadTimeout)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)


def test_a_hanging_server_is_bounded_by_the_deadline(
    server: MisbehavingServer, clock: ManualClock
) -> None:
    server.plan("/hang", "hang")
    # real time for the attempts, a manual clock would not move during a hang
    with (
        Client(
            timeout=Timeout(5.0, connect=0.5),
            retry=Retry(attempts=10, deadline=0.6, backoff=backoff.constant(0.05), budget=None),
        ) as client,
        pytest.raises(TimeoutException) as caught,
    ):
        client.get(server.url("/hang"))
    assert isinstance(caught.value, DeadlineExceeded | ReadTimeout)
    assert 1 <= server.hits("/hang") <= 10


def test_a_slow_body_is_a_failed_attempt_and_is_retried(
    server: MisbehavingServer, clock: ManualClock
) -> None:
    server.plan("/drip", "drip:1.0", "200")
    with Client(timeout=Timeout(0.2), retry=retrying(clock), clock=clock) as client:
        response = client.get(server.url("/drip"))
    assert response.status_code == 200
    assert server.hits("/drip") == 2


def test_5xx_burst_is_retried_on_one_connection(
    server: MisbehavingServer, clock: ManualClock
) -> None:
    server.plan("/drivers", "503", "502", "504", "200")
    with Client(retry=retrying(clock), clock=clock) as client:
        response = client.get(server.url("/drivers"))
        assert response.json() == {"status": 200, "path": "/drivers"}
        for _ in range(10):
            client.get(server.url("/drivers"))
    assert server.hits("/drivers") == 14
    assert clock.sleeps == [0.05, 0.05, 0.05]
    assert server.connections == 1  # retries and later calls reused the pooled connection


def test_500_is_not_retried_and_post_is_not_retried(
    server: MisbehavingServer, clock: ManualClock
) -> None:
    server.plan("/a", "500", "200")
    server.plan("/b", "503", "503", "200")
    with Client(retry=retrying(clock), clock=clock) as client:
        assert client.get(server.url("/a")).status_code == 500
        assert client.post(server.url("/b"), json={"order": 1}).status_code == 503
        keyed = client.post(
            server.url("/b"), json={"order": 1}, headers={"Idempotency-Key": "order-1"}
        )
    assert keyed.status_code == 200
    assert server.hits("/a") == 1
    bodies = [body for method, path, body, _ in server.requests if path == "/b"]
    # one plain POST (not retried), then the keyed POST twice: its body replayed
    assert bodies == [b'{"order":1}'] * 3
    assert [
        headers.get("Idempotency-Key") for _, path, _, headers in server.requests if path == "/b"
    ] == [
        None,
        "order-1",
        "order-1",
    ]


def test_429_retry_after_seconds_and_date(server: MisbehavingServer) -> None:
    wall_start = time.time()
    clock = ManualClock(wall_start=wall_start)  # the server dates Retry-After by real time
    server.plan("/limited", "429:2", "503:date:4", "200")
    with Client(retry=retrying(clock), clock=clock) as client:
        assert client.get(server.url("/limited")).status_code == 200
    assert clock.sleeps[0] == 2.0
    # The date says "4 s from the server's now", floored to the second; our
    # manual wall clock moved 2 s ahead with the first (unslept) wait, and
    # stood still while real time went on by at most ``late``.
    late = time.time() - wall_start
    assert 0.99 <= clock.sleeps[1] <= 2.01 + late


def test_429_with_a_retry_after_beyond_the_cap_is_returned(
    server: MisbehavingServer, clock: ManualClock
) -> None:
    server.plan("/limited", "429:3600", "200")
    with Client(retry=retrying(clock, max_retry_after=60), clock=clock) as client:
        response = client.get(server.url("/limited"))
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3600"
    assert server.hits("/limited") == 1


@pytest.mark.parametrize("fault", ["reset", "close", "reset-body"])
def test_connection_faults_are_retried_for_get(
    server: MisbehavingServer, clock: ManualClock, fault: str
) -> None:
    server.plan("/fault", fault, "200")
    with Client(retry=retrying(clock), clock=clock) as client:
        assert client.get(server.url("/fault")).status_code == 200
    assert server.hits("/fault") == 2


def test_connection_reset_is_not_retried_for_post(
    server: MisbehavingServer, clock: ManualClock
) -> None:
    server.plan("/fault", "reset", "200")
    with (
        Client(retry=retrying(clock), clock=clock) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.post(server.url("/fault"), json={})
    assert isinstance(caught.value, httpx.TransportError)
    assert server.hits("/fault") == 1


def test_connection_refused_is_retried_even_for_post(clock: ManualClock) -> None:
    with MisbehavingServer() as gone:
        url = gone.url("/x")
    with (
        Client(retry=retrying(clock, attempts=3), clock=clock) as client,
        pytest.raises(httpx.ConnectError) as caught,
    ):
        client.post(url, json={})
    assert "gave up after 3 attempts" in caught.value.__notes__[0]


def test_breaker_opens_fails_fast_and_recovers(
    server: MisbehavingServer, clock: ManualClock, registry: BreakerRegistry
) -> None:
    server.plan("/pay", "500", "500", "500", "500", "500", "200")
    breaker = CircuitBreaker(
        "payments",
        volume_threshold=5,
        error_threshold=0.5,
        sleep_window=5.0,
        registry=registry,
        clock=clock,
    )
    fallbacks: list[str] = []

    def fallback(request: httpx.Request, error: BaseException) -> httpx.Response:
        fallbacks.append(type(error).__name__)
        return httpx.Response(503, json={"degraded": True})

    with Client(breaker=breaker, fallback=fallback, clock=clock) as client:
        for _ in range(5):
            assert client.get(server.url("/pay")).json() == {"degraded": True}
        assert breaker.state is State.OPEN
        for _ in range(20):
            client.get(server.url("/pay"))
        assert server.hits("/pay") == 5  # fast fails never reached the server
        clock.advance(5.0)
        assert client.get(server.url("/pay")).status_code == 200  # the probe
        assert breaker.state is State.CLOSED
        assert client.get(server.url("/pay")).status_code == 200
    assert fallbacks == ["FailureResponse"] * 5 + ["CircuitOpenError"] * 20
    assert server.connections == 1  # the breaker's paths kept the pool


def test_bulkhead_rejects_concurrent_calls_to_a_slow_dependency(server: MisbehavingServer) -> None:
    server.plan("/slow", "slow:0.5")
    bulkhead = Bulkhead(2)
    results: list[object] = []
    lock = threading.Lock()
    with Client(bulkhead=bulkhead, timeout=Timeout(5.0)) as client:
        start = threading.Barrier(5)

        def call() -> None:
            start.wait()
            try:
                outcome: object = client.get(server.url("/slow")).status_code
            except BulkheadFullError as error:
                outcome = error
            with lock:
                results.append(outcome)

        threads = [threading.Thread(target=call) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert results.count(200) == 2
    assert sum(isinstance(r, BulkheadFullError) for r in results) == 3
    assert server.hits("/slow") == 2


def test_metrics_are_exported_from_real_calls(
    server: MisbehavingServer, clock: ManualClock
) -> None:
    server.plan("/m", "503", "200")
    metrics = CollectorRegistry()
    with Client(
        retry=retrying(clock), plugins=[PrometheusMetrics(metrics)], clock=clock, name="drivers"
    ) as client:
        client.get(server.url("/m"))
    labels = {"dependency": "drivers", "method": "GET"}
    assert (
        metrics.get_sample_value(
            "prodready_http_client_requests_total", {**labels, "status": "503"}
        )
        == 1
    )
    assert (
        metrics.get_sample_value(
            "prodready_http_client_requests_total", {**labels, "status": "200"}
        )
        == 1
    )
    assert (
        metrics.get_sample_value("prodready_http_client_request_duration_seconds_count", labels)
        == 2
    )
    duration = metrics.get_sample_value(
        "prodready_http_client_request_duration_seconds_sum", labels
    )
    assert duration is not None
    assert duration >= 0


def test_async_client_against_a_misbehaving_server(
    server: MisbehavingServer, clock: ManualClock
) -> None:
    server.plan("/burst", "503", "reset", "200")
    server.plan("/drip", "drip:1.0")

    async def main() -> tuple[int, BaseException]:
        async with AsyncClient(
            timeout=Timeout(5.0), retry=retrying(clock, deadline=0.3), clock=clock
        ) as client:
            ok = (await client.get(server.url("/burst"))).status_code
            async with AsyncClient(
                timeout=Timeout(5.0),
                retry=Retry(attempts=1, deadline=0.3, budget=None),
            ) as real_time:
                try:
                    await real_time.get(server.url("/drip"))
                except DeadlineExceeded as error:
                    return ok, error
        raise AssertionError("the deadline did not cut the slow body")

    status, error = asyncio.run(main())
    assert status == 200
    assert server.hits("/burst") == 3
    # the read timeout was 5 s; cancellation at the deadline ended the attempt
    assert isinstance(error, httpx.TimeoutException)


def test_async_connection_reuse_across_retries(
    server: MisbehavingServer, clock: ManualClock
) -> None:
    server.plan("/r", "503", "200", "503", "200", "200")

    async def main() -> list[int]:
        async with AsyncClient(retry=retrying(clock), clock=clock) as client:
            return [(await client.get(server.url("/r"))).status_code for _ in range(3)]

    assert asyncio.run(main()) == [200, 200, 200]
    assert server.connections == 1


def test_streamed_retries_drain_and_reuse_the_connection(
    server: MisbehavingServer, clock: ManualClock
) -> None:
    server.plan("/s", "503", "200")
    with (
        Client(retry=retrying(clock), clock=clock) as client,
        client.stream("GET", server.url("/s")) as response,
    ):
        assert response.status_code == 200
        response.read()
        assert response.json() == {"status": 200, "path": "/s"}
    assert server.connections == 1
