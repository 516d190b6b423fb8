"""Durations, rates and percentages: what users type, read one way everywhere."""

from __future__ import annotations

import pytest

from prodready.load._units import (
    format_bytes,
    format_duration,
    format_ms,
    format_rate,
    parse_duration,
    parse_percent,
    parse_rate,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30.0),
        ("1m30s", 90.0),
        ("1h2m3.5s", 3723.5),
        ("250ms", 0.25),
        ("100us", 1e-4),
        ("100µs", 1e-4),
        ("5ns", 5e-9),
        ("2d", 172800.0),
        ("90", 90.0),
        ("1.5", 1.5),
        (".5s", 0.5),
        (12, 12.0),
        (0.25, 0.25),
    ],
)
def test_parse_duration(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "abc", "10x", "1m-3s", "s", "--1s", "nan", "1e999", True])
def test_parse_duration_rejects(text: object) -> None:
    with pytest.raises(ValueError, match="expected a duration"):
        parse_duration(text)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("500", 500.0),
        ("500/s", 500.0),
        ("500/1s", 500.0),
        ("30000/m", 500.0),
        ("50/100ms", 500.0),
        ("3600/h", 1.0),
        ("250 rps", 250.0),
        ("0", 0.0),
        (12, 12.0),
    ],
)
def test_parse_rate(text: str | float, rate: float) -> None:
    assert parse_rate(text) == pytest.approx(rate)


@pytest.mark.parametrize("text", ["fast", "-5", "5/x", "5/0s", "/s", "inf", False])
def test_parse_rate_rejects(text: object) -> None:
    with pytest.raises(ValueError, match="expected a rate"):
        parse_rate(text)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "fraction"),
    [("99.5%", 0.995), ("0.995", 0.995), ("99.5", 0.995), (1, 1.0), ("100%", 1.0), ("0%", 0.0)],
)
def test_parse_percent(text: str | float, fraction: float) -> None:
    assert parse_percent(text) == pytest.approx(fraction)


@pytest.mark.parametrize("text", ["101%", "-1%", "lots", True])
def test_parse_percent_rejects(text: object) -> None:
    with pytest.raises(ValueError, match="percentage"):
        parse_percent(text)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (60.217022968, "1m0.217022968s"),
        (0.186887664, "186.887664ms"),
        (0.000032, "32µs"),
        (0, "0s"),
        (3723.5, "1h2m3.5s"),
        (2.0, "2s"),
        (5e-9, "5ns"),
        (-0.5, "-500ms"),
    ],
)
def test_format_duration_like_go(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_format_helpers() -> None:
    assert format_ms(None) == "-"
    assert format_ms(1.5) == "1.5ms"
    assert format_rate(500.0) == "500/s"
    assert format_rate(0.5) == "0.5/s"
    assert format_bytes(512) == "512B"
    assert format_bytes(1536) == "1.5KiB"
    assert format_bytes(3 * 1024**3) == "3.0GiB"


def test_fast_recorder_matches_hdrhistogram() -> None:
    import random

    from prodready.load._histogram import HIGHEST_US, Recorder, encode, new_histogram

    rng = random.Random(6)
    values = [0, 1, 2047, 2048, 2049, 4095, 4096, 123_456, HIGHEST_US, HIGHEST_US + 1]
    values += [rng.randint(0, 10 ** rng.randint(1, 9)) for _ in range(20_000)]
    recorder, reference = Recorder(), new_histogram()
    for value in values:
        recorder.record(value)
        reference.record_value(min(value, HIGHEST_US))
    histogram = recorder.histogram()
    assert encode(histogram) == encode(reference)
    assert histogram.get_total_count() == len(values)
    assert histogram.get_min_value() == reference.get_min_value()
    assert histogram.get_max_value() == reference.get_max_value()
    for percentile in (0, 50, 90, 99, 99.9, 100):
        assert histogram.get_value_at_percentile(percentile) == (
            reference.get_value_at_percentile(percentile)
        )
    assert Recorder().histogram().get_total_count() == 0
