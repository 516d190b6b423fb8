"""Circuit breaker behaviour, one rule at a time, with a manual clock."""

from __future__ import annotations

import asyncio
import math
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodready.http import (
    BreakerRegistry,
    CircuitBreaker,
    CircuitOpenError,
    ManualClock,
    Mode,
    Outcome,
    State,
    StateChange,
)
from prodready.http._breaker import _RollingWindow


def breaker(clock: ManualClock, registry: BreakerRegistry, **options: object) -> CircuitBreaker:
    settings: dict[str, object] = {
        "error_threshold": 0.5,
        "volume_threshold": 4,
        "window": 10.0,
        "sleep_window": 5.0,
    }
    settings.update(options)
    return CircuitBreaker("payments", clock=clock, registry=registry, **settings)  # type: ignore[arg-type]


def call(b: CircuitBreaker, outcome: int, duration: float = 0.0) -> None:
    b.record(b.admit(), outcome, duration)


def trip(b: CircuitBreaker) -> None:
    for _ in range(4):
        call(b, Outcome.FAILURE)
    assert b.state is State.OPEN


def test_stays_closed_below_the_volume_threshold(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    b = breaker(clock, registry)
    for _ in range(3):
        call(b, Outcome.FAILURE)
    assert b.state is State.CLOSED
    assert b.metrics().error_rate == 1.0


def test_trips_at_volume_and_error_rate(clock: ManualClock, registry: BreakerRegistry) -> None:
    b = breaker(clock, registry)
    call(b, Outcome.SUCCESS)
    call(b, Outcome.SUCCESS)
    call(b, Outcome.FAILURE)
    assert b.state is State.CLOSED  # 1/3 and below volume
    call(b, Outcome.FAILURE)  # 2/4 = 50% at volume 4
    assert b.state is State.OPEN


def test_a_success_can_complete_the_volume_and_trip(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    # trip decisions do not depend on whether the last outcome was a failure
    b = breaker(clock, registry, error_threshold=0.5)
    call(b, Outcome.FAILURE)
    call(b, Outcome.FAILURE)
    call(b, Outcome.FAILURE)
    call(b, Outcome.SUCCESS)
    assert b.state is State.OPEN


def test_open_rejects_fast_with_retry_after(clock: ManualClock, registry: BreakerRegistry) -> None:
    b = breaker(clock, registry)
    trip(b)
    clock.advance(1.5)
    with pytest.raises(CircuitOpenError) as caught:
        b.admit()
    assert caught.value.retry_after == pytest.approx(3.5)
    assert caught.value.dependency == "payments"
    assert "retry after 3.500 s" in str(caught.value)
    assert b.metrics().rejections_total == 1


def test_old_outcomes_leave_the_window_bucket_by_bucket(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    b = breaker(clock, registry, window=10.0, buckets=10)
    for _ in range(3):
        call(b, Outcome.FAILURE)
    clock.advance(9.5)
    assert b.metrics().requests == 3  # still inside (bucket of t=0 is the oldest)
    clock.advance(1.0)
    assert b.metrics().requests == 0  # that bucket fell out whole
    call(b, Outcome.FAILURE)
    assert b.state is State.CLOSED  # 1 failure: the old 3 no longer count


def test_half_open_admits_exactly_one_probe(clock: ManualClock, registry: BreakerRegistry) -> None:
    b = breaker(clock, registry)
    trip(b)
    clock.advance(5.0)
    probe = b.admit()
    assert probe.probe
    assert b.state is State.HALF_OPEN
    with pytest.raises(CircuitOpenError) as caught:
        b.admit()
    assert caught.value.retry_after == pytest.approx(5.0)


def test_probe_success_closes_and_resets_the_window(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    b = breaker(clock, registry)
    trip(b)
    clock.advance(5.0)
    b.record(b.admit(), Outcome.SUCCESS)
    assert b.state is State.CLOSED
    assert b.metrics().requests == 0
    call(b, Outcome.FAILURE)
    assert b.state is State.CLOSED


def test_probe_failure_reopens_for_another_sleep_window(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    b = breaker(clock, registry)
    trip(b)
    clock.advance(5.0)
    b.record(b.admit(), Outcome.FAILURE)
    assert b.state is State.OPEN
    assert b.metrics().retry_after == pytest.approx(5.0)


def test_a_hung_probe_cannot_block_recovery(clock: ManualClock, registry: BreakerRegistry) -> None:
    b = breaker(clock, registry)
    trip(b)
    clock.advance(5.0)
    hung = b.admit()  # never returns
    clock.advance(4.9)
    with pytest.raises(CircuitOpenError):
        b.admit()
    clock.advance(0.1)
    second = b.admit()  # the slot re-armed after another sleep window
    assert second.probe
    b.record(second, Outcome.SUCCESS)
    assert b.state is State.CLOSED
    b.record(hung, Outcome.FAILURE)  # a late answer from an earlier epoch changes nothing
    assert b.state is State.CLOSED


def test_a_cancelled_probe_frees_the_slot(clock: ManualClock, registry: BreakerRegistry) -> None:
    b = breaker(clock, registry)
    trip(b)
    clock.advance(5.0)
    b.record(b.admit(), Outcome.IGNORED)
    assert b.state is State.HALF_OPEN
    assert b.admit().probe


def test_outcomes_from_before_a_trip_do_not_count_after_it(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    b = breaker(clock, registry)
    slow_call = b.admit()
    trip(b)
    clock.advance(5.0)
    b.record(b.admit(), Outcome.SUCCESS)
    b.record(slow_call, Outcome.FAILURE)
    assert b.metrics().requests == 0
    assert b.metrics().failures_total == 5


def test_slow_calls_can_trip_the_breaker(clock: ManualClock, registry: BreakerRegistry) -> None:
    b = breaker(clock, registry, slow_call_duration=1.0, slow_call_threshold=0.75)
    for duration in (2.0, 2.0, 0.1, 2.0):
        call(b, Outcome.SUCCESS, duration)
    assert b.state is State.OPEN
    assert b.metrics().slow == 3


def test_a_slow_probe_reopens(clock: ManualClock, registry: BreakerRegistry) -> None:
    b = breaker(clock, registry, slow_call_duration=1.0)
    trip(b)
    clock.advance(5.0)
    b.record(b.admit(), Outcome.SUCCESS, 3.0)
    assert b.state is State.OPEN


def test_force_open_rejects_without_retry_after(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    b = breaker(clock, registry)
    b.force_open()
    assert b.mode is Mode.FORCED_OPEN
    with pytest.raises(CircuitOpenError, match="forced open") as caught:
        b.admit()
    assert caught.value.retry_after is None
    b.reset()
    b.admit()


def test_force_closed_counts_but_never_trips(clock: ManualClock, registry: BreakerRegistry) -> None:
    b = breaker(clock, registry)
    trip(b)
    b.force_closed()
    assert b.state is State.CLOSED
    for _ in range(10):
        call(b, Outcome.FAILURE)
    assert b.state is State.CLOSED
    assert b.metrics().failures == 10


def test_metrics_only_admits_everything_but_tracks_state(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    b = breaker(clock, registry)
    b.metrics_only()
    trip(b)
    for _ in range(3):
        ticket = b.admit()
        assert ticket.shadow
        b.record(ticket, Outcome.SUCCESS)
    assert b.state is State.OPEN
    assert b.metrics().shadow_rejections_total == 3
    assert b.metrics().rejections_total == 0


def test_registry_shares_state_by_name(clock: ManualClock, registry: BreakerRegistry) -> None:
    first = breaker(clock, registry)
    second = breaker(clock, registry)
    assert first == second
    assert hash(first) == hash(second)
    trip(first)
    assert second.state is State.OPEN
    assert registry.names() == ["payments"]
    found = registry.get("payments")
    assert found is not None
    assert found.state is State.OPEN
    assert registry.get("nope") is None


def test_registry_refuses_conflicting_settings(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    breaker(clock, registry)
    with pytest.raises(ValueError, match="already exists with different settings"):
        breaker(clock, registry, volume_threshold=99)
    with pytest.raises(ValueError, match="another clock"):
        CircuitBreaker(
            "payments",
            error_threshold=0.5,
            volume_threshold=4,
            sleep_window=5.0,
            registry=registry,
        )
    registry.remove("payments")
    breaker(clock, registry, volume_threshold=99)
    registry.clear()
    assert registry.names() == []


def test_default_registry_is_process_wide() -> None:
    from prodready.http import default_registry

    name = "test-default-registry-shared"
    try:
        a = CircuitBreaker(name)
        b = CircuitBreaker(name)
        a.force_open()
        assert b.mode is Mode.FORCED_OPEN
    finally:
        default_registry.remove(name)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"error_threshold": 20}, ValueError, "write 0.2 for 20%"),
        ({"error_threshold": 0}, ValueError, "> 0"),
        ({"error_threshold": 150}, ValueError, "between 0 and 1"),
        ({"volume_threshold": 0}, ValueError, ">= 1"),
        ({"volume_threshold": 2.5}, TypeError, "int"),
        ({"buckets": 0}, ValueError, "buckets"),
        ({"window": 0}, ValueError, "window"),
        ({"sleep_window": -1}, ValueError, "sleep_window"),
        ({"failure_statuses": {404, 500}}, ValueError, "4xx"),
        ({"slow_call_threshold": 0}, ValueError, "slow_call_threshold"),
    ],
)
def test_invalid_settings_are_clear_errors(
    registry: BreakerRegistry, options: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        CircuitBreaker("x", registry=registry, **options)  # type: ignore[arg-type]


def test_a_breaker_needs_a_name(registry: BreakerRegistry) -> None:
    with pytest.raises(ValueError, match="needs a name"):
        CircuitBreaker("  ", registry=registry)


def test_listeners_see_every_transition_in_order(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    b = breaker(clock, registry)
    changes: list[StateChange] = []
    b.add_listener(changes.append)
    b.add_listener(changes.append)  # counted: delivered once
    trip(b)
    clock.advance(5.0)
    b.record(b.admit(), Outcome.SUCCESS)
    assert [(c.old, c.new) for c in changes] == [
        (State.CLOSED, State.OPEN),
        (State.OPEN, State.HALF_OPEN),
        (State.HALF_OPEN, State.CLOSED),
    ]
    assert changes[0].reason == "4/4 calls failed in the window"
    assert changes[1].at == clock.monotonic()
    b.remove_listener(changes.append)
    trip(b)
    assert len(changes) == 4  # still registered once
    b.remove_listener(changes.append)
    b.reset()
    assert len(changes) == 4


def test_a_failing_listener_is_logged_and_ignored(
    clock: ManualClock, registry: BreakerRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    b = breaker(clock, registry)

    def broken(change: StateChange) -> None:
        raise RuntimeError("listener bug")

    b.add_listener(broken)
    trip(b)
    assert "state-change listener failed" in caplog.text


def test_a_listener_may_call_back_into_the_breaker(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    b = breaker(clock, registry)
    seen: list[State] = []

    def reenter(change: StateChange) -> None:
        seen.append(change.new)
        if change.new is State.OPEN:
            b.reset()  # transitions again from inside a delivery

    b.add_listener(reenter)
    for _ in range(4):
        call(b, Outcome.FAILURE)
    assert seen == [State.OPEN, State.CLOSED]
    assert b.state is State.CLOSED


def test_exactly_one_probe_among_many_threads(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    b = breaker(clock, registry)
    for _ in range(20):
        trip(b)
        clock.advance(5.0)
        barrier = threading.Barrier(16)
        probes: list[bool] = []

        def contend(barrier: threading.Barrier = barrier, probes: list[bool] = probes) -> None:
            barrier.wait()
            try:
                probes.append(b.admit().probe)
            except CircuitOpenError:
                probes.append(False)

        threads = [threading.Thread(target=contend) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert probes.count(True) == 1
        b.reset()


def test_exactly_one_probe_among_many_tasks(clock: ManualClock, registry: BreakerRegistry) -> None:
    b = breaker(clock, registry)
    trip(b)
    clock.advance(5.0)

    async def contend() -> bool:
        await asyncio.sleep(0)
        try:
            ticket = b.admit()
        except CircuitOpenError:
            return False
        await asyncio.sleep(0)  # the probe is in flight while the others arrive
        b.record(ticket, Outcome.SUCCESS)
        return ticket.probe

    async def main() -> list[bool]:
        return await asyncio.gather(*(contend() for _ in range(64)))

    results = asyncio.run(main())
    assert results.count(True) == 1
    assert b.state is State.CLOSED


def test_no_lost_counts_under_threads(clock: ManualClock, registry: BreakerRegistry) -> None:
    b = breaker(clock, registry, volume_threshold=10**9)

    def work() -> None:
        for i in range(2000):
            call(b, Outcome.FAILURE if i % 3 == 0 else Outcome.SUCCESS)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    metrics = b.metrics()
    assert metrics.requests == 16_000
    assert metrics.failures == 8 * 667
    assert metrics.successes_total + metrics.failures_total == 16_000


def test_is_failure_status_and_repr(clock: ManualClock, registry: BreakerRegistry) -> None:
    b = breaker(clock, registry)
    assert b.is_failure_status(503)
    assert not b.is_failure_status(404)
    assert not b.is_failure_status(429)
    assert repr(b) == "CircuitBreaker('payments', state=closed, mode=normal)"
    assert b.sleep_window == 5.0


@settings(max_examples=300, deadline=None)
@given(
    window=st.floats(min_value=0.001, max_value=3600.0),
    buckets=st.integers(min_value=1, max_value=60),
    readings=st.lists(st.floats(min_value=0.0, max_value=1e7), min_size=1, max_size=20),
)
def test_rolling_window_bucket_boundary_is_exact(
    window: float, buckets: int, readings: list[float]
) -> None:
    """record() compares a reading with a precomputed boundary instead of dividing.

    The comparison must give the same bucket as ``int(now / width)`` for every
    reading, including the ones a last bit away from a boundary.
    """
    w = _RollingWindow(window, buckets)
    for now in sorted(readings):
        for probe in (math.nextafter(now, -math.inf), now, math.nextafter(now, math.inf)):
            if w._head is not None:
                assert (probe >= w._next_at) == (int(probe / w._width) > w._head)
        w.advance(now)
        assert w._head == int(now / w._width)
        assert w._slot == w._head % buckets
        boundary = w._next_at
        assert int(boundary / w._width) == w._head + 1
        assert int(math.nextafter(boundary, -math.inf) / w._width) <= w._head


def test_record_rejects_an_unknown_outcome(clock: ManualClock, registry: BreakerRegistry) -> None:
    b = breaker(clock, registry)
    with pytest.raises(ValueError, match="outcome must be an Outcome"):
        b.record(b.admit(), 7)
    assert b.metrics().requests == 0
