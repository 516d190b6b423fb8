"""Parsing and formatting of durations, rates, sizes and percentages.

One place decides what ``"1m30s"``, ``"500/s"`` or ``"99.5%"`` mean, so the
command line, the plan file and the thresholds all read them the same way.
Durations follow Go's ``time.ParseDuration`` (what vegeta and k6 users type);
a bare number is seconds. Formatting follows Go's ``Duration.String`` so the
text report reads like vegeta's.
"""

from __future__ import annotations

import math
import re

_DURATION_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def parse_duration(value: str | float | int) -> float:
    """Seconds from ``"1h2m3.5s"``, ``"250ms"``, ``"90"`` (seconds) or a number.

    Raises ``ValueError`` with a message that says what is accepted.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 30s, 1m30s or 250ms, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = value.strip()
        if not text:
            raise ValueError(_duration_message(value))
        if _NUMBER.fullmatch(text):
            seconds = float(text)
        else:
            pos = 0
            seconds = 0.0
            sign = 1.0
            if text[:1] in "+-":
                sign = -1.0 if text[0] == "-" else 1.0
                pos = 1
            if pos >= len(text):
                raise ValueError(_duration_message(value))
            while pos < len(text):
                match = _DURATION_PART.match(text, pos)
                if match is None:
                    raise ValueError(_duration_message(value))
                seconds += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
                pos = match.end()
            seconds *= sign
    if not math.isfinite(seconds):
        raise ValueError(_duration_message(value))
    return seconds


def _duration_message(value: object) -> str:
    return f"expected a duration such as 30s, 1m30s, 250ms or 2h, got {value!r}"


_RATE_PERIOD = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)?\s*(ns|us|µs|μs|ms|s|m|h|d)$")


def parse_rate(value: str | float | int) -> float:
    """Requests per second from ``"500"``, ``"500/s"``, ``"30000/m"`` or ``"50/1s"``.

    The vegeta form ``N/period`` accepts any duration as the period.
    """
    if isinstance(value, bool):
        raise ValueError(_rate_message(value))
    if isinstance(value, int | float):
        rate = float(value)
    else:
        text = value.strip().lower().removesuffix("rps").strip()
        if "/" in text:
            count_text, _, period_text = text.partition("/")
            period_text = period_text.strip()
            match = _RATE_PERIOD.match(period_text)
            if not _NUMBER.fullmatch(count_text.strip()) or match is None:
                raise ValueError(_rate_message(value))
            period = float(match.group(1) or 1) * _DURATION_UNITS[match.group(2)]
            if period <= 0:
                raise ValueError(_rate_message(value))
            rate = float(count_text) / period
        elif _NUMBER.fullmatch(text):
            rate = float(text)
        else:
            raise ValueError(_rate_message(value))
    if not math.isfinite(rate) or rate < 0:
        raise ValueError(_rate_message(value))
    return rate


def _rate_message(value: object) -> str:
    return f"expected a rate such as 500, 500/s, 30000/m or 50/1s, got {value!r}"


def parse_percent(value: str | float | int) -> float:
    """A fraction in [0, 1] from ``"99.5%"`` or a number (``0.995``; > 1 means percent)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a percentage such as 99.5% or 0.995, got {value!r}")
    if isinstance(value, int | float):
        number = float(value)
        fraction = number / 100 if number > 1 else number
    else:
        text = value.strip()
        if text.endswith("%") and _NUMBER.fullmatch(text[:-1].strip()):
            fraction = float(text[:-1]) / 100
        elif _NUMBER.fullmatch(text):
            number = float(text)
            fraction = number / 100 if number > 1 else number
        else:
            raise ValueError(f"expected a percentage such as 99.5% or 0.995, got {value!r}")
    if not 0 <= fraction <= 1:
        raise ValueError(f"expected a percentage between 0% and 100%, got {value!r}")
    return fraction


def format_duration(seconds: float) -> str:
    """Go's ``time.Duration.String``: ``1m0.217022968s``, ``186.887664ms``, ``0s``.

    Values are rounded to the nanosecond first, as Go durations are integers.
    """
    nanos = round(seconds * 1e9)
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    nanos = abs(nanos)
    if nanos < 1_000:
        return f"{sign}{nanos}ns"
    if nanos < 1_000_000:
        return f"{sign}{_trim(nanos, 1_000)}µs"
    if nanos < 1_000_000_000:
        return f"{sign}{_trim(nanos, 1_000_000)}ms"
    hours, rest = divmod(nanos, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    text = f"{_trim(rest, 1_000_000_000)}s"
    if hours:
        text = f"{hours}h{minutes}m{text}"
    elif minutes:
        text = f"{minutes}m{text}"
    return sign + text


def _trim(value: int, unit: int) -> str:
    whole, frac = divmod(value, unit)
    if not frac:
        return str(whole)
    digits = len(str(unit)) - 1
    return f"{whole}.{frac:0{digits}d}".rstrip("0")


def format_ms(milliseconds: float | None) -> str:
    """A latency in milliseconds as a short human string (``1.234ms``, ``2.5s``)."""
    if milliseconds is None:
        return "-"
    return format_duration(milliseconds / 1000)


def format_rate(rate: float) -> str:
    """``500/s`` or ``0.5/s``: rates print without trailing zeros."""
    if rate == int(rate):
        return f"{int(rate)}/s"
    return f"{rate:.3f}".rstrip("0").rstrip(".") + "/s"


def format_bytes(count: float) -> str:
    """Binary units: ``512B``, ``1.5KiB``, ``3.2MiB``."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{value:.0f}{unit}" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover
