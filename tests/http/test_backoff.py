"""Backoff strategies: values, composition, and caps that hold after jitter."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodready.http import backoff


def fixed(value: float):  # type: ignore[no-untyped-def]
    return lambda: value


def test_constant_and_none() -> None:
    assert backoff.constant(0.25).schedule(3) == [0.25, 0.25, 0.25]
    assert backoff.none().schedule(2) == [0.0, 0.0]


def test_linear_defaults_step_to_initial() -> None:
    assert backoff.linear(0.1).schedule(4) == pytest.approx([0.1, 0.2, 0.3, 0.4])
    assert backoff.linear(0.1, 0.05, max=0.18).schedule(4) == pytest.approx([0.1, 0.15, 0.18, 0.18])


def test_exponential_doubles_and_caps() -> None:
    assert backoff.exponential(0.01, max=0.05).schedule(5) == pytest.approx(
        [0.01, 0.02, 0.04, 0.05, 0.05]
    )
    assert backoff.exponential(1, multiplier=3).schedule(3) == [1.0, 3.0, 9.0]


def test_exponential_never_overflows() -> None:
    assert backoff.exponential(1.0).delay(100_000) > 1e300
    assert backoff.exponential(2.0, multiplier=10).delay(10_000) == math.inf
    assert backoff.exponential(2.0, multiplier=10, max=3.0).delay(10_000) == 3.0


def test_jitter_uses_the_injected_random() -> None:
    assert backoff.jitter(0.5).delay(1, 0.0, fixed(0.5)) == 0.25
    assert backoff.jitter(0.5).delay(1, 0.0, fixed(0.0)) == 0.0


def test_heimdall_constant_backoff_with_jitter() -> None:
    # heimdall.NewConstantBackoff(2ms, 5ms): 2 ms plus up to 5 ms of jitter.
    strategy = backoff.constant(0.002) + backoff.jitter(0.005)
    assert strategy.delay(1, 0.0, fixed(0.0)) == pytest.approx(0.002)
    assert strategy.delay(7, 0.0, fixed(0.999)) == pytest.approx(0.006995)


def test_cap_holds_after_jitter() -> None:
    # heimdall's exponential backoff adds jitter after its maximum; ours does not.
    strategy = backoff.exponential(0.01, max=1.0) + backoff.jitter(0.005)
    assert strategy.cap == 1.0
    assert max(strategy.schedule(20, fixed(0.999))) == 1.0


def test_capped_applies_to_the_whole_sum_and_keeps_when_added() -> None:
    strategy = (backoff.constant(1.0) + backoff.jitter(1.0)).capped(1.5)
    assert strategy.delay(1, 0.0, fixed(0.9)) == 1.5
    wider = strategy + backoff.jitter(2.0)
    # the inner cap keeps capping what it capped; the sum as a whole has it too
    assert wider.cap == 1.5
    assert repr(wider) == "(constant(1) + jitter(1)).capped(1.5) + jitter(2)"
    assert strategy.capped(1.2).cap == 1.2
    assert strategy.capped(9).cap == 1.5


def test_full_jitter_spreads_below_the_exponential() -> None:
    strategy = backoff.full_jitter(0.1, max=1.0)
    assert strategy.delay(1, 0.0, fixed(0.5)) == pytest.approx(0.05)
    assert strategy.delay(10, 0.0, fixed(0.5)) == pytest.approx(0.5)
    assert strategy.delay(10, 0.0, fixed(0.0)) == 0.0


def test_decorrelated_jitter_grows_from_the_previous_delay() -> None:
    strategy = backoff.decorrelated_jitter(0.1, max=2.0)
    assert strategy.delay(1, 0.0, fixed(0.0)) == pytest.approx(0.1)
    assert strategy.delay(2, 0.5, fixed(1.0)) == pytest.approx(1.5)
    assert strategy.delay(3, 1.5, fixed(1.0)) == 2.0
    assert strategy.schedule(6, fixed(0.5)) == pytest.approx(
        [0.2, 0.35, 0.575, 0.9125, 1.41875, 2.0]
    )


def test_repr_reads_like_the_code() -> None:
    assert repr(backoff.exponential(0.01, max=1.0) + backoff.jitter(0.005)) == (
        "exponential(0.01, max=1) + jitter(0.005)"
    )
    assert repr(backoff.linear(1, 2)) == "linear(1, step=2)"
    assert repr(backoff.full_jitter(1, 3, max=9)) == "full_jitter(1, multiplier=3, max=9)"
    assert repr(backoff.decorrelated_jitter(1)) == "decorrelated_jitter(1)"


@pytest.mark.parametrize(
    "make",
    [
        lambda: backoff.constant(-1),
        lambda: backoff.jitter(float("nan")),
        lambda: backoff.exponential(0.1, multiplier=0.5),
        lambda: backoff.full_jitter(0.1, multiplier=0.5),
        lambda: backoff.linear(0.1, max=-2),
        lambda: backoff.constant(0.1).capped(-1),
    ],
)
def test_bad_values_are_clear_errors(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=r">= (0|1)"):
        make()


def test_type_errors_name_the_parameter() -> None:
    with pytest.raises(TypeError, match="seconds must be a number"):
        backoff.constant("1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a number"):
        backoff.constant(True)


def test_retry_numbers_start_at_one() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        backoff.constant(1).delay(0)


def test_adding_a_non_strategy_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        backoff.constant(1) + 1  # type: ignore[operator]


terms = st.one_of(
    st.floats(0, 5).map(backoff.constant),
    st.floats(0, 5).map(backoff.jitter),
    st.tuples(st.floats(0, 1), st.floats(0.01, 5)).map(
        lambda t: backoff.exponential(t[0], max=t[1])
    ),
    st.tuples(st.floats(0, 1), st.floats(0.01, 5)).map(
        lambda t: backoff.full_jitter(t[0], max=t[1])
    ),
    st.tuples(st.floats(0, 1), st.floats(0.01, 5)).map(
        lambda t: backoff.decorrelated_jitter(t[0], max=t[1])
    ),
    st.floats(0, 1).map(lambda v: backoff.linear(v)),
)


@settings(deadline=None)  # no per-example deadline: a loaded CI machine must not flake
@given(
    parts=st.lists(terms, min_size=1, max_size=4),
    cap=st.none() | st.floats(0, 3),
    randoms=st.lists(st.floats(0, 1, exclude_max=True), min_size=12, max_size=12),
)
def test_property_delays_are_finite_non_negative_and_capped(parts, cap, randoms) -> None:  # type: ignore[no-untyped-def]
    strategy = parts[0]
    for part in parts[1:]:
        strategy = strategy + part
    if cap is not None:
        strategy = strategy.capped(cap)
    source = iter(randoms * 10)
    previous = 0.0
    for retry in range(1, 12):
        previous = strategy.delay(retry, previous, lambda: next(source))
        assert previous >= 0
        if strategy.cap is not None:
            assert previous <= strategy.cap
        if cap is not None:
            assert previous <= cap
