"""The breaker against a naive reference model: sequentially, under threads, under asyncio.

Sequential: a hypothesis state machine drives the real breaker and the model
with the same operations and checks every observable after every step.

Concurrent: the real breaker is hit by several threads (or asyncio tasks) at
once, each admitting a call and recording its outcome, while time stands
still. The result must be *linearizable*: some order of those operations,
applied to the model one at a time, must explain what every caller observed
(admitted or rejected, probe or not, the retry_after it was told) and the
final state and counts. The search tries every order.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
)

from prodready.http import (
    BreakerRegistry,
    CircuitBreaker,
    CircuitOpenError,
    ManualClock,
    Mode,
    Outcome,
)
from tests.http.breaker_model import FAILURE, IGNORED, SUCCESS, Model, ModelTicket

configs = st.fixed_dictionaries(
    {
        "error_threshold": st.sampled_from([0.2, 0.5, 1.0]),
        "volume_threshold": st.integers(1, 5),
        "window": st.sampled_from([1.0, 2.0, 10.0]),
        "buckets": st.sampled_from([1, 2, 5, 10]),
        "sleep_window": st.sampled_from([0.5, 1.0, 5.0]),
        "slow_call_duration": st.none() | st.just(0.5),
        "slow_call_threshold": st.sampled_from([0.5, 1.0]),
    }
)
outcomes = st.sampled_from([SUCCESS, FAILURE, IGNORED])
steps = st.sampled_from([0.0, 0.01, 0.1, 0.25, 0.5, 1.0, 2.5, 6.0, 11.0])

assert (SUCCESS, FAILURE, IGNORED) == (Outcome.SUCCESS, Outcome.FAILURE, Outcome.IGNORED)


def build(cfg: dict[str, Any]) -> tuple[ManualClock, CircuitBreaker, Model]:
    clock = ManualClock(start=1000.0)
    breaker = CircuitBreaker("model", registry=BreakerRegistry(), clock=clock, **cfg)
    return clock, breaker, Model(**cfg)


def agree(breaker: CircuitBreaker, model: Model, now: float) -> None:
    metrics = breaker.metrics()
    assert metrics.state is model.state
    assert metrics.mode is model.mode
    assert (metrics.requests, metrics.failures, metrics.slow) == model.counts(now)
    expected = model.retry_after(now)
    if expected is None:
        assert metrics.retry_after is None
    else:
        assert metrics.retry_after == pytest.approx(expected, abs=1e-9)


class BreakerMachine(RuleBasedStateMachine):
    tickets = Bundle("tickets")

    @initialize(cfg=configs)
    def setup(self, cfg: dict[str, Any]) -> None:
        self.clock, self.breaker, self.model = build(cfg)

    @rule(dt=steps)
    def advance(self, dt: float) -> None:
        self.clock.advance(dt)

    @rule(target=tickets)
    def admit(self) -> Any:
        expected = self.model.admit(self.clock.monotonic())
        try:
            real = self.breaker.admit()
        except CircuitOpenError as error:
            told = error.retry_after
            assert not isinstance(expected, ModelTicket), "the breaker rejected, the model admitted"
            if expected is None:
                assert told is None
            else:
                assert told == pytest.approx(expected, abs=1e-9)
            return multiple()
        assert isinstance(expected, ModelTicket), "the breaker admitted, the model rejected"
        assert (real.probe, real.shadow) == (expected.probe, expected.shadow)
        return (real, expected)

    @rule(outcome=outcomes, duration=st.sampled_from([0.0, 0.1, 1.0]))
    def call(self, outcome: int, duration: float) -> None:
        """Admit and record at once: the common case, and the quickest way to trip."""
        ticket = self.admit()
        if isinstance(ticket, tuple):
            self.record(ticket, outcome, duration)

    @rule(pair=consumes(tickets), outcome=outcomes, duration=st.sampled_from([0.0, 0.1, 1.0]))
    def record(self, pair: Any, outcome: int, duration: float) -> None:
        real, modelled = pair
        self.breaker.record(real, outcome, duration)
        self.model.record(modelled, outcome, duration, self.clock.monotonic())

    @rule(mode=st.sampled_from([Mode.FORCED_OPEN, Mode.FORCED_CLOSED, Mode.METRICS_ONLY]))
    def operator_mode(self, mode: Mode) -> None:
        {
            Mode.FORCED_OPEN: self.breaker.force_open,
            Mode.FORCED_CLOSED: self.breaker.force_closed,
            Mode.METRICS_ONLY: self.breaker.metrics_only,
        }[mode]()
        self.model.set_mode(mode, self.clock.monotonic())

    @rule()
    def operator_reset(self) -> None:
        self.breaker.reset()
        self.model.reset(self.clock.monotonic())

    @invariant()
    def same_observables(self) -> None:
        if hasattr(self, "breaker"):
            agree(self.breaker, self.model, self.clock.monotonic())


TestBreakerAgainstModel = BreakerMachine.TestCase
TestBreakerAgainstModel.settings = settings(
    max_examples=100,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# -- concurrency -----------------------------------------------------------------

Observation = tuple[str, bool, bool] | tuple[str, float | None]


def observe_admit(model: Model, now: float) -> tuple[Observation, ModelTicket | None]:
    result = model.admit(now)
    if isinstance(result, ModelTicket):
        return ("admitted", result.probe, result.shadow), result
    return ("rejected", result), None


def same(observed: Observation, expected: Observation) -> bool:
    if observed[0] != expected[0]:
        return False
    if observed[0] == "rejected":
        a, b = observed[1], expected[1]
        return (a is None and b is None) or (
            a is not None and b is not None and abs(float(a) - float(b)) < 1e-9
        )
    return observed == expected


def linearizable(
    model: Model,
    observed: list[Observation],
    outcome_of: list[int],
    now: float,
    final: tuple[Any, ...],
) -> bool:
    """Does some order of everyone's admit-then-record explain what we saw?"""
    n = len(observed)
    dead_ends: set[tuple[object, ...]] = set()

    def search(
        m: Model, admitted: tuple[bool, ...], recorded: tuple[bool, ...], tickets: tuple[Any, ...]
    ) -> bool:
        key = (
            m.key(),
            admitted,
            recorded,
            tuple(None if t is None else (t.epoch, t.probe, t.shadow) for t in tickets),
        )
        if key in dead_ends:
            return False
        if not _search(m, admitted, recorded, tickets):
            dead_ends.add(key)
            return False
        return True

    def _search(
        m: Model, admitted: tuple[bool, ...], recorded: tuple[bool, ...], tickets: tuple[Any, ...]
    ) -> bool:
        if all(recorded):
            return final == (m.state, m.mode, m.counts(now))
        for i in range(n):
            if not admitted[i]:
                trial = m.clone()
                expected, ticket = observe_admit(trial, now)
                if not same(observed[i], expected):
                    continue
                done = ticket is None  # a rejected caller records nothing
                if search(
                    trial,
                    (*admitted[:i], True, *admitted[i + 1 :]),
                    (*recorded[:i], done, *recorded[i + 1 :]),
                    (*tickets[:i], ticket, *tickets[i + 1 :]),
                ):
                    return True
            elif not recorded[i]:
                trial = m.clone()
                trial.record(tickets[i], outcome_of[i], 0.0, now)
                if search(trial, admitted, (*recorded[:i], True, *recorded[i + 1 :]), tickets):
                    return True
        return False

    return search(model, (False,) * n, (False,) * n, (None,) * n)


def prelude(
    clock: ManualClock, breaker: CircuitBreaker, model: Model, ops: list[tuple[float, int]]
) -> None:
    """Sequential history that takes both to some state (closed, open, half-open...)."""
    for dt, outcome in ops:
        clock.advance(dt)
        now = clock.monotonic()
        expected = model.admit(now)
        try:
            ticket = breaker.admit()
        except CircuitOpenError:
            assert not isinstance(expected, ModelTicket)
            continue
        assert isinstance(expected, ModelTicket)
        breaker.record(ticket, outcome, 0.0)
        model.record(expected, outcome, 0.0, now)


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Make the interpreter switch threads as often as it can, to provoke races."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


concurrent_cases = {
    "cfg": configs,
    # failures dominate the history so that the callers often meet an open or
    # half-open breaker, where the races that matter are
    "history": st.lists(
        st.tuples(steps, st.sampled_from([FAILURE, FAILURE, FAILURE, SUCCESS, IGNORED])),
        max_size=12,
    ),
    "pause": st.sampled_from([0.0, 0.1, 0.5, 1.0, 5.0, 6.0, 11.0]),
    "callers": st.lists(outcomes, min_size=2, max_size=4),
}


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(**concurrent_cases, hold=st.booleans())
def test_threads_are_linearizable(fast_switching: None, cfg, history, pause, callers, hold) -> None:  # type: ignore[no-untyped-def]
    clock, breaker, model = build(cfg)
    prelude(clock, breaker, model, history)
    clock.advance(pause)
    before = model.clone()
    observed: list[Observation | None] = [None] * len(callers)
    start = threading.Barrier(len(callers))
    # hold: every caller is admitted (or not) before anyone records, as when
    # calls overlap in time; otherwise admissions and records race freely
    admitted = threading.Barrier(len(callers)) if hold else None

    def caller(i: int) -> None:
        start.wait()
        try:
            ticket = breaker.admit()
        except CircuitOpenError as error:
            observed[i] = ("rejected", error.retry_after)
            if admitted is not None:
                admitted.wait()
            return
        observed[i] = ("admitted", ticket.probe, ticket.shadow)
        if admitted is not None:
            admitted.wait()
        breaker.record(ticket, callers[i], 0.0)

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(len(callers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    now = clock.monotonic()
    m = breaker.metrics()
    final = (m.state, m.mode, (m.requests, m.failures, m.slow))
    assert all(o is not None for o in observed)
    assert linearizable(before, observed, callers, now, final), (observed, final)  # type: ignore[arg-type]


@settings(max_examples=120, deadline=None)
@given(**concurrent_cases, yields=st.lists(st.integers(0, 3), min_size=8, max_size=8))
def test_asyncio_tasks_are_linearizable(cfg, history, pause, callers, yields) -> None:  # type: ignore[no-untyped-def]
    clock, breaker, model = build(cfg)
    prelude(clock, breaker, model, history)
    clock.advance(pause)
    before = model.clone()
    observed: list[Observation | None] = [None] * len(callers)

    async def caller(i: int) -> None:
        for _ in range(yields[2 * i]):
            await asyncio.sleep(0)
        try:
            ticket = breaker.admit()
        except CircuitOpenError as error:
            observed[i] = ("rejected", error.retry_after)
            return
        observed[i] = ("admitted", ticket.probe, ticket.shadow)
        for _ in range(yields[2 * i + 1]):
            await asyncio.sleep(0)
        breaker.record(ticket, callers[i], 0.0)

    async def main() -> None:
        await asyncio.gather(*(caller(i) for i in range(len(callers))))

    asyncio.run(main())
    now = clock.monotonic()
    m = breaker.metrics()
    final = (m.state, m.mode, (m.requests, m.failures, m.slow))
    assert linearizable(before, observed, callers, now, final), (observed, final)  # type: ignore[arg-type]


def test_the_checker_rejects_an_impossible_history() -> None:
    # Guard against a checker that accepts anything: two probes in one
    # half-open period cannot be explained by any order.
    cfg = {
        "error_threshold": 0.5,
        "volume_threshold": 1,
        "window": 10.0,
        "buckets": 10,
        "sleep_window": 1.0,
    }
    model = Model(**cfg)
    model.record(ModelTicket(0), FAILURE, 0.0, 1000.0)
    assert model.state.value == "open"
    impossible: list[Observation] = [("admitted", True, False), ("admitted", True, False)]
    assert not linearizable(model, impossible, [SUCCESS, SUCCESS], 1001.0, (None,))
    possible: list[Observation] = [("admitted", True, False), ("rejected", 1.0)]
    closed = model.clone()
    closed._go(closed.state.__class__("closed"), 1001.0)
    assert linearizable(
        model, possible, [SUCCESS, SUCCESS], 1001.0, (closed.state, closed.mode, (0, 0, 0))
    )
