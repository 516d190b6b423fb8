"""The Redis state store against a real redis-server on 127.0.0.1.

Each "process" is a breaker with its own registry and its own store object,
exactly what separate processes would have; one test also uses real
processes to race for the probe.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.synchronize
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from prodready.http import (
    BreakerRegistry,
    CircuitBreaker,
    CircuitOpenError,
    ManualClock,
    Outcome,
    RedisStateStore,
    State,
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail("redis-server is not installed: run scripts/ensure-system-deps.sh")
    workdir: Path = tmp_path_factory.mktemp("redis")
    for _ in range(3):
        port = _free_port()
        proc = subprocess.Popen(
            [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.02)
        else:
            proc.kill()
            proc.wait(5)
            client.close()
            continue
        client.close()
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(10)
        return
    pytest.fail("redis-server did not start on 127.0.0.1")


@pytest.fixture
def name() -> str:
    return f"payments-{uuid.uuid4().hex[:8]}"


def process(
    redis_url: str, name: str, clock: ManualClock, **options: object
) -> tuple[CircuitBreaker, RedisStateStore]:
    """One 'process': its own registry and store, sharing Redis with the others."""
    store = RedisStateStore(url=redis_url, refresh_interval=0.5, prefix="test:breaker:")
    settings: dict[str, object] = {"volume_threshold": 2, "sleep_window": 5.0}
    settings.update(options)
    breaker = CircuitBreaker(
        name,
        clock=clock,
        registry=BreakerRegistry(),
        store=store,
        **settings,  # type: ignore[arg-type]
    )
    return breaker, store


def trip(breaker: CircuitBreaker) -> None:
    for _ in range(2):
        breaker.record(breaker.admit(), Outcome.FAILURE)
    assert breaker.state is State.OPEN


def test_one_process_trips_and_the_others_stop_calling(redis_url: str, name: str) -> None:
    clock = ManualClock()
    a, _ = process(redis_url, name, clock)
    b, _ = process(redis_url, name, clock)
    b.admit()  # b has synced once and sees a closed breaker
    trip(a)
    b.admit()  # within b's refresh interval: b still works from its own state
    clock.advance(0.5)
    with pytest.raises(CircuitOpenError) as caught:
        b.admit()
    assert b.state is State.OPEN
    # the remaining open time comes from Redis' clock: about 5 s
    assert caught.value.retry_after is not None
    assert 3.0 < caught.value.retry_after <= 5.0


def test_exactly_one_probe_across_processes_and_close_spreads(redis_url: str, name: str) -> None:
    clock = ManualClock()
    a, _ = process(redis_url, name, clock, sleep_window=0.3)
    b, _ = process(redis_url, name, clock, sleep_window=0.3)
    trip(a)
    clock.advance(0.5)
    with pytest.raises(CircuitOpenError):
        b.admit()  # b learns of the open breaker
    time.sleep(0.35)  # Redis' clock must pass the sleep window too
    clock.advance(0.5)
    probe = a.admit()
    assert probe.probe
    with pytest.raises(CircuitOpenError) as caught:
        b.admit()  # a holds the probe slot, cluster-wide
    assert caught.value.retry_after is not None
    assert 0 < caught.value.retry_after <= 0.3
    a.record(probe, Outcome.SUCCESS)
    assert a.state is State.CLOSED
    clock.advance(0.5)
    b.admit()  # b adopts the close published by a
    assert b.state is State.CLOSED


def test_a_fresh_process_sees_an_open_breaker(redis_url: str, name: str) -> None:
    clock = ManualClock()
    a, _ = process(redis_url, name, clock)
    trip(a)
    late, _ = process(redis_url, name, clock)
    with pytest.raises(CircuitOpenError):
        late.admit()


def test_redis_down_means_local_state_only(name: str, caplog: pytest.LogCaptureFixture) -> None:
    clock = ManualClock()
    store = RedisStateStore(url=f"redis://127.0.0.1:{_free_port()}/0", socket_timeout=0.05)
    breaker = CircuitBreaker(
        name,
        volume_threshold=2,
        sleep_window=1.0,
        clock=clock,
        registry=BreakerRegistry(),
        store=store,
    )
    with caplog.at_level(logging.WARNING, logger="prodready.http"):
        breaker.admit()
        trip(breaker)
        clock.advance(1.0)
        probe = breaker.admit()  # the probe is granted locally
        assert probe.probe
        breaker.record(probe, Outcome.SUCCESS)
    assert breaker.state is State.CLOSED
    assert "Redis state store unavailable" in caplog.text
    assert caplog.text.count("Redis state store unavailable") == 1  # rate-limited


def test_store_options_are_validated(redis_url: str) -> None:
    with pytest.raises(ValueError, match="not both"):
        RedisStateStore(redis.Redis.from_url(redis_url), url=redis_url)
    with pytest.raises(ValueError, match="refresh_interval"):
        RedisStateStore(url=redis_url, refresh_interval=0)


def _contend_for_probe(
    redis_url: str,
    name: str,
    start: multiprocessing.synchronize.Barrier,
    results: multiprocessing.Queue,  # type: ignore[type-arg]
) -> None:
    store = RedisStateStore(url=redis_url, prefix="test:breaker:")
    # a long sleep window here: the probe slot a child wins lasts 60 s, so no
    # slow-starting sibling may legitimately re-arm it during the test
    breaker = CircuitBreaker(name, volume_threshold=2, sleep_window=60.0, store=store)
    start.wait(60)
    try:
        results.put("probe" if breaker.admit().probe else "closed")
    except CircuitOpenError:
        results.put("rejected")


@pytest.mark.slow
def test_real_processes_race_for_one_probe(redis_url: str, name: str) -> None:
    clock = ManualClock()
    a, _ = process(redis_url, name, clock, sleep_window=0.2)
    trip(a)  # open in Redis for 0.2 s of Redis time
    time.sleep(0.3)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start = context.Barrier(4)
    children = [
        context.Process(target=_contend_for_probe, args=(redis_url, name, start, results))
        for _ in range(4)
    ]
    for child in children:
        child.start()
    outcomes = sorted(results.get(timeout=60) for _ in children)
    for child in children:
        child.join(30)
    assert outcomes == ["probe", "rejected", "rejected", "rejected"]
