"""Histogram buckets, as ``vegeta report -type='hist[0,2ms,4ms]'`` prints them.

Computed from the stored HDR histogram, so any bucket boundaries can be
asked for after the run. Without boundaries, 1-2-5 steps spanning the
observed range are chosen.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from prodready.load._errors import ConfigError, ResultFormatError
from prodready.load._histogram import decode
from prodready.load._result import LoadResult
from prodready.load._units import format_duration, parse_duration

_BAR = 75


def parse_buckets(text: str) -> list[float]:
    """``"0,2ms,4ms"`` or vegeta's ``"[0,2ms,4ms]"`` -> seconds, increasing."""
    body = text.strip().removeprefix("hist").strip().removeprefix("[").removesuffix("]")
    try:
        values = [parse_duration(part) for part in body.split(",") if part.strip()]
    except ValueError as exc:
        raise ConfigError(f"--buckets {text!r}: {exc}") from None
    if not values or any(b <= a for a, b in itertools.pairwise(values)):
        raise ConfigError(f"--buckets {text!r}: expected increasing durations such as 0,2ms,4ms")
    return values


def default_buckets(low_s: float, high_s: float) -> list[float]:
    """0 and 1-2-5 steps from about the minimum to just past the maximum."""
    low = max(low_s, 1e-6)
    high = max(high_s, low * 2)
    bounds = [0.0]
    exponent = math.floor(math.log10(low))
    while True:
        for mantissa in (1, 2, 5):
            value = mantissa * 10.0**exponent
            if value > low * 0.999 and value > bounds[-1]:
                bounds.append(value)
            if value > high:
                return _thin(bounds)
        exponent += 1


def _thin(bounds: list[float], limit: int = 14) -> list[float]:
    while len(bounds) > limit:
        bounds = [bounds[0], *bounds[1::2]] if len(bounds) % 2 else [bounds[0], *bounds[2::2]]
    return bounds


def render_hist(
    result: LoadResult, buckets: Sequence[float] | None = None, latency: str = "intended"
) -> str:
    stored = result.histograms
    text = getattr(stored, latency, None) if stored is not None else None
    if not text:
        raise ResultFormatError(
            "this result has no HDR histogram (imported results keep only percentiles); "
            "use --format text or json"
        )
    histogram = decode(text)
    total = histogram.get_total_count()
    if buckets is None:
        buckets = default_buckets(histogram.get_min_value() / 1e6, histogram.get_max_value() / 1e6)
    counts = [0] * len(buckets)
    for item in histogram.get_recorded_iterator():
        seconds = item.value_iterated_to / 1e6
        index = 0
        for i, bound in enumerate(buckets):
            if seconds >= bound:
                index = i
        counts[index] += item.count_added_in_this_iter_step
    cells = []
    for i, count in enumerate(counts):
        low = format_duration(buckets[i]) + ","
        high = format_duration(buckets[i + 1]) if i + 1 < len(buckets) else "+Inf"
        ratio = count / total if total else 0.0
        cells.append((low, high, str(count), f"{ratio * 100:.2f}%", "#" * int(ratio * _BAR)))
    w_low = max(len(c[0]) for c in cells)
    w_high = max(len(c[1]) for c in cells)
    w_count = max(len(c[2]) for c in [*cells, ("", "", "#", "", "")])
    w_bucket = w_low + w_high + 3
    lines = [f"{'Bucket':<{w_bucket}}  {'#':<{w_count}}  {'%':<7}  Histogram"]
    for low, high, number, percent, bar in cells:
        bucket = f"[{low:<{w_low}} {high:<{w_high}}]"
        lines.append(f"{bucket:<{w_bucket}}  {number:<{w_count}}  {percent:<7}  {bar}".rstrip())
    return "\n".join(lines) + "\n"
