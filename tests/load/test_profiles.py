"""Profiles and the open-model schedule they define."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodready.load import (
    ConfigError,
    build_profile,
    parse_profile_option,
    parse_stage_option,
    stages_from_ramps,
)
from prodready.load._profiles import ConstantSegment, LinearSegment, Profile, SineSegment
from prodready.load._stages import stage_info, validate_stage


def schedule(profile: Profile) -> list[float]:
    return [profile.intended_offset(i) for i in range(profile.planned_requests)]


def test_constant_is_evenly_spaced() -> None:
    profile = build_profile([parse_profile_option("constant:rate=200,duration=3s")])
    times = schedule(profile)
    assert len(times) == 600
    assert times[0] == 0.0
    assert times[-1] == pytest.approx(2.995)
    gaps = {round(b - a, 9) for a, b in itertools.pairwise(times)}
    assert gaps == {0.005}


def test_linear_ramp_counts_the_integral() -> None:
    profile = build_profile([parse_profile_option("linear:from=0,to=100,duration=10s")])
    assert profile.planned_requests == 500  # (0 + 100) / 2 * 10
    times = schedule(profile)
    # The ramp sends more often as it goes: gaps shrink.
    first_gap, last_gap = times[1] - times[0], times[-1] - times[-2]
    assert first_gap > 10 * last_gap
    assert profile.rate_at(5.0) == pytest.approx(50.0)


def test_step_profile_expands_to_stairs() -> None:
    stage = parse_profile_option("step:start=100,step=100,every=2s,end=300")
    profile = build_profile([stage])
    assert [profile.rate_at(t) for t in (0.5, 2.5, 4.5)] == [100, 200, 300]
    assert profile.duration == 6.0
    assert profile.planned_requests == 1200
    down = parse_profile_option("step:start=300,step=-100,every=1s,end=100")
    assert build_profile([down]).planned_requests == 600


def test_spike_profile() -> None:
    stage = parse_profile_option("spike:base=10,peak=100,duration=10s,at=4s,length=2s")
    profile = build_profile([stage])
    assert profile.rate_at(3.9) == 10
    assert profile.rate_at(4.1) == 100
    assert profile.rate_at(6.1) == 10
    assert profile.planned_requests == 10 * 8 + 100 * 2
    assert profile.peak_rate == 100


def test_soak_sets_snapshot_period() -> None:
    profile = build_profile([parse_profile_option("soak:rate=5,duration=2h,snapshot_every=10m")])
    assert profile.snapshot_every == 600
    assert profile.planned_requests == 36000


def test_sine_profile_inverts_its_integral() -> None:
    stage = parse_profile_option("sine:mean=100,amplitude=80,period=4s,duration=8s")
    profile = build_profile([stage])
    assert profile.planned_requests == 800
    assert profile.peak_rate == 180
    for i in range(0, 800, 37):
        assert profile.count_at(profile.intended_offset(i)) == pytest.approx(i, abs=1e-6)


def test_stages_compose_in_order() -> None:
    stages = [
        parse_profile_option("linear:from=0,to=100,duration=2s"),
        parse_profile_option("constant:rate=100,duration=2s"),
    ]
    profile = build_profile(stages)
    assert profile.duration == 4.0
    assert profile.planned_requests == 100 + 200
    assert "then" in profile.description


def test_k6_style_ramps() -> None:
    ramps = parse_stage_option("2s:100,2s:100,2s:0")
    profile = build_profile(stages_from_ramps(ramps, start_rate=0))
    assert profile.planned_requests == 100 + 200 + 100
    assert profile.rate_at(3.0) == 100


def test_zero_rate_pause_is_skipped() -> None:
    profile = build_profile(
        [
            parse_profile_option("constant:rate=10,duration=1s"),
            parse_profile_option("constant:rate=0,duration=5s"),
            parse_profile_option("constant:rate=10,duration=1s"),
        ]
    )
    times = schedule(profile)
    assert len(times) == 20
    assert times[9] < 1.0
    assert times[10] == pytest.approx(6.0)


def test_all_zero_profile_is_refused() -> None:
    with pytest.raises(ConfigError, match="asks for no requests"):
        build_profile([parse_profile_option("constant:rate=0,duration=5s")])


def test_stage_info_records_parameters() -> None:
    info = stage_info(parse_profile_option("spike:base=10,peak=100,duration=10s,at=4s,length=2s"))
    assert info.type == "spike"
    assert info.duration_s == 10
    assert info.params["peak"] == 100


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nope:rate=1", "unknown profile 'nope'"),
        ("constant:rate=fast,duration=1s", "rate: expected a rate"),
        ("constant:rate=1", "duration: required key is missing"),
        ("constant:rate=1,duration=1s,colour=red", "colour: unknown key"),
        ("constant:rate", "is not key=value"),
        ("step:start=1,step=1,every=1s", "exactly one of 'steps'"),
        ("step:start=5,step=1,every=1s,end=1", "towards 'end'"),
        ("step:start=5,step=-2,every=1s,steps=4", "below zero"),
        ("spike:base=1,peak=2,duration=10s,at=9s,length=2s", "must end within"),
        ("sine:mean=1,amplitude=2,period=1s,duration=1s", "must not exceed"),
        ("soak:rate=0,duration=1h", "rate:"),
    ],
)
def test_profile_errors_name_the_key(spec: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        parse_profile_option(spec)
    assert str(caught.value).startswith(f"--profile {spec!r}")


def test_stage_option_errors() -> None:
    with pytest.raises(ConfigError, match="is not duration:target"):
        parse_stage_option("30s")
    with pytest.raises(ConfigError, match="target: expected a rate"):
        parse_stage_option("30s:lots")


def test_plan_stage_errors_are_located() -> None:
    with pytest.raises(ConfigError, match=r"plan.yaml: profile\[2\]: unknown type"):
        validate_stage({"type": "wave"}, "plan.yaml: profile[2]")


segments = st.one_of(
    st.builds(
        ConstantSegment,
        rate=st.floats(0.5, 5000),
        duration=st.floats(0.05, 50),
    ),
    st.builds(
        LinearSegment,
        start=st.floats(0, 5000),
        end=st.floats(0, 5000),
        duration=st.floats(0.05, 50),
    ),
    st.builds(
        lambda mean, ratio, period, duration: SineSegment(mean, mean * ratio, period, duration),
        mean=st.floats(1, 5000),
        ratio=st.floats(0, 1),
        period=st.floats(0.1, 60),
        duration=st.floats(0.05, 50),
    ),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(segments, min_size=1, max_size=4))
def test_schedule_is_the_inverse_of_the_integral(parts: list[object]) -> None:
    profile = Profile(segments=tuple(parts))  # type: ignore[arg-type]
    total = profile.planned_requests
    assert total == math.ceil(profile.expected_count - 1e-9)
    previous = -1.0
    for i in range(0, total, max(1, total // 50)):
        t = profile.intended_offset(i)
        assert 0 <= t <= profile.duration
        assert t >= previous - 1e-9  # never goes back in time
        previous = t
        assert profile.count_at(t) == pytest.approx(i, abs=1e-5 * max(1, i))
