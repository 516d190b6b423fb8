"""Evaluating thresholds against a result, and the one ``passed`` gate.

The same code gates a fresh run, an imported vegeta/k6/wrk2 result and a
stored result re-checked by ``prodready load report --threshold``: all of
them are a ``LoadResult`` by then. Percentiles come from the stored HDR
histograms when the result has them (any percentile, exact), else from the
stored summary (imports: only the percentiles the other tool reported).
"""

from __future__ import annotations

from collections.abc import Sequence

from hdrh.histogram import HdrHistogram

from prodready.load._histogram import decode, stat_ms
from prodready.load._result import LoadResult, Percentiles
from prodready.load._thresholds import Threshold, evaluate_all

_SUMMARY_FIELDS = {
    "mean": "mean_ms",
    "min": "min_ms",
    "max": "max_ms",
    50.0: "p50_ms",
    75.0: "p75_ms",
    90.0: "p90_ms",
    95.0: "p95_ms",
    99.0: "p99_ms",
    99.9: "p999_ms",
    99.99: "p9999_ms",
}


class ResultMetrics:
    """The ``Metrics`` protocol over a stored result."""

    def __init__(self, result: LoadResult) -> None:
        self._result = result
        self._histograms: dict[str, HdrHistogram | None] = {}

    def _histogram(self, source: str) -> HdrHistogram | None:
        if source not in self._histograms:
            stored = self._result.histograms
            text = getattr(stored, source, None) if stored is not None else None
            self._histograms[source] = decode(text) if text else None
        return self._histograms[source]

    def latency_ms(self, source: str, stat: float | str) -> float | None:
        histogram = self._histogram(source)
        if histogram is not None and histogram.get_total_count():
            return stat_ms(histogram, stat)
        summary: Percentiles | None = getattr(self._result.latency, source, None)
        if summary is None:
            return None
        name = _SUMMARY_FIELDS.get(stat)
        value = getattr(summary, name) if name else None
        return float(value) if value is not None else None

    @property
    def success_ratio(self) -> float | None:
        return self._result.success_ratio

    @property
    def rate(self) -> float | None:
        return self._result.requests.rate

    @property
    def throughput(self) -> float | None:
        return self._result.requests.throughput

    @property
    def completed(self) -> int:
        return self._result.requests.completed


def apply_thresholds(result: LoadResult, thresholds: Sequence[Threshold]) -> LoadResult:
    """``result`` with ``thresholds`` evaluated (replacing any earlier ones
    when given) and ``passed`` = valid and every threshold passed."""
    outcomes = evaluate_all(thresholds, ResultMetrics(result)) if thresholds else result.thresholds
    thresholds_passed = all(outcome.passed for outcome in outcomes)
    return result.model_copy(
        update={
            "thresholds": list(outcomes),
            "thresholds_passed": thresholds_passed,
            "passed": result.valid and thresholds_passed,
        }
    )
