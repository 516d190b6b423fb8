"""SLO thresholds, k6-style: ``p99<300ms``, ``success>=99.5%``, ``rate>=490/s``.

Grammar: ``METRIC OP VALUE`` with OP one of ``<``, ``<=``, ``>``, ``>=``.

==================  =============================================  ==================
metric              meaning                                        value
==================  =============================================  ==================
``p50`` ... ``p99.9``  latency percentile (also k6's ``p(95)``, ``med``)  duration; a bare
``mean`` ``min`` ``max``  latency statistics (``avg`` = ``mean``)          number is ms (k6)
``success``         share of requests with a 2xx/3xx response      ``99.5%`` or 0.995
``error_rate``      1 - success (``errors`` is an alias)           ``0.5%`` or 0.005
``rate``            achieved request rate                          ``490/s``, ``490``
``throughput``      successful responses per second                ``490/s``
``requests``        completed requests                             a count
==================  =============================================  ==================

Latency metrics use the intended-time latency (corrected for coordinated
omission) unless prefixed: ``service.p99`` (from the actual send),
``lag.p99`` (the generator's scheduling lag), ``intended.p99`` (explicit).
When a result has no intended-time latency (imports of vegeta or k6), the
service time is used and the threshold says so in its ``note``. A metric
that is not in the result fails its threshold: an SLO nobody measured is
not met.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, cast

from prodready.load._errors import ConfigError
from prodready.load._result import ThresholdResult
from prodready.load._units import parse_duration, parse_percent, parse_rate

Comparator = Literal["<", "<=", ">", ">="]
Unit = Literal["ms", "ratio", "per_second", "count"]
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_EXPRESSION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.()]*)\s*(<=|>=|<|>)\s*(\S.*?)\s*$")
_PERCENTILE = re.compile(r"^p\(?(\d{1,2}(?:\.\d+)?|100)\)?$")
_LATENCY_SOURCES = {
    "intended": "intended",
    "latency": "intended",
    "service": "service",
    "lag": "scheduling_lag",
}
_STATS: dict[str, float | str] = {"mean": "mean", "avg": "mean", "min": "min", "max": "max"}
_STATS["med"] = 50.0
_RATIOS = {"success": "success", "success_rate": "success", "error_rate": "error_rate"}
_RATIOS["errors"] = "error_rate"
_RATES = {"rate": "rate", "throughput": "throughput"}


class Metrics(Protocol):
    """What a threshold can be evaluated against (a result, or a live run)."""

    def latency_ms(self, source: str, stat: float | str) -> float | None:
        """A percentile (float, 0-100) or ``mean``/``min``/``max`` of ``source``
        (``intended``, ``service`` or ``scheduling_lag``), in ms."""
        ...

    @property
    def success_ratio(self) -> float | None: ...

    @property
    def rate(self) -> float | None: ...

    @property
    def throughput(self) -> float | None: ...

    @property
    def completed(self) -> int: ...


@dataclass(frozen=True)
class Threshold:
    """A parsed threshold. ``delay`` postpones abort evaluation (warm-up)."""

    expression: str
    metric: str
    comparator: Comparator
    limit: float
    unit: Unit
    abort_on_fail: bool = False
    delay: float = 0.0
    latency_source: str | None = None
    latency_stat: float | str | None = None

    def measure(self, metrics: Metrics) -> tuple[float | None, str | None]:
        """The metric's value in ``unit`` and a note about how it was measured."""
        if self.unit == "ms":
            assert self.latency_source is not None
            assert self.latency_stat is not None
            value = metrics.latency_ms(self.latency_source, self.latency_stat)
            if value is None and self.latency_source == "intended":
                value = metrics.latency_ms("service", self.latency_stat)
                if value is not None:
                    return value, "no intended-time latency in this result; used service time"
            return value, None
        if self.metric in {"success", "error_rate"}:
            ratio = metrics.success_ratio
            if ratio is None:
                return None, None
            return (ratio if self.metric == "success" else 1 - ratio), None
        if self.metric == "rate":
            return metrics.rate, None
        if self.metric == "throughput":
            return metrics.throughput, None
        return float(metrics.completed), None

    def evaluate(self, metrics: Metrics) -> ThresholdResult:
        actual, note = self.measure(metrics)
        if actual is None or math.isnan(actual):
            passed = False
            note = "metric not available in this result (an unmeasured SLO is not met)"
            actual = None
        else:
            passed = _OPS[self.comparator](actual, self.limit)
        return ThresholdResult(
            expression=self.expression,
            metric=self.metric,
            comparator=self.comparator,
            limit=self.limit,
            unit=self.unit,
            actual=actual,
            passed=passed,
            abort_on_fail=self.abort_on_fail,
            note=note,
        )


def parse_threshold(text: str, *, abort_on_fail: bool = False, delay: float = 0.0) -> Threshold:
    """``"p99<300ms"`` -> ``Threshold``; ``ConfigError`` naming what is wrong."""
    match = _EXPRESSION.match(text)
    if match is None:
        raise ConfigError(
            f"threshold {text!r}: expected METRIC OP VALUE such as p99<300ms, "
            "success>=99.5% or rate>=490/s"
        )
    name, value_text = match.group(1).lower(), match.group(3)
    comparator = cast(Comparator, match.group(2))
    expression = text.strip()

    def make(metric: str, limit: float, unit: Unit, **latency: Any) -> Threshold:
        return Threshold(
            expression=expression,
            metric=metric,
            comparator=comparator,
            limit=limit,
            unit=unit,
            abort_on_fail=abort_on_fail,
            delay=delay,
            **latency,
        )

    try:
        if name in _RATIOS:
            return make(_RATIOS[name], parse_percent(value_text), "ratio")
        if name in _RATES:
            return make(name, parse_rate(value_text), "per_second")
        if name == "requests":
            if not value_text.isdigit():
                raise ValueError(f"expected a whole number of requests, got {value_text!r}")
            return make(name, float(value_text), "count")
        source, stat = _latency_metric(name, text)
        return make(
            name,
            _latency_limit_ms(value_text),
            "ms",
            latency_source=source,
            latency_stat=stat,
        )
    except ValueError as exc:
        raise ConfigError(f"threshold {text!r}: {exc}") from None


def _latency_metric(name: str, text: str) -> tuple[str, float | str]:
    head, dot, rest = name.partition(".")
    source, stat_name = "intended", name
    if dot and head in _LATENCY_SOURCES:
        source, stat_name = _LATENCY_SOURCES[head], rest
    elif dot and not _PERCENTILE.match(name):
        raise ConfigError(
            f"threshold {text!r}: unknown latency {head!r}; "
            "expected intended, service or lag (e.g. service.p99<100ms)"
        )
    if stat_name in _STATS:
        return source, _STATS[stat_name]
    percentile = _PERCENTILE.match(stat_name)
    if percentile is not None:
        value = float(percentile.group(1))
        if 0 <= value <= 100:
            return source, value
    raise ConfigError(
        f"threshold {text!r}: unknown metric {name!r}; expected a latency (p50, p95, p99, "
        "p99.9, mean, max), success, error_rate, rate, throughput or requests"
    )


def _latency_limit_ms(value_text: str) -> float:
    text = value_text.strip()
    try:
        return float(text)  # k6: a bare number is milliseconds
    except ValueError:
        pass
    seconds = parse_duration(text)
    if seconds < 0:
        raise ValueError(f"expected a positive duration, got {value_text!r}")
    return seconds * 1000


def evaluate_all(thresholds: Sequence[Threshold], metrics: Metrics) -> list[ThresholdResult]:
    return [threshold.evaluate(metrics) for threshold in thresholds]
