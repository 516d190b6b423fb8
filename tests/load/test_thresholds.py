"""Thresholds: the k6-style grammar and its evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from prodready.load import ConfigError, parse_threshold


@dataclass
class FakeMetrics:
    """A metrics view with known numbers (the thing under test is the threshold)."""

    latencies: dict[tuple[str, float | str], float] = field(default_factory=dict)
    success_ratio: float | None = 0.999
    rate: float | None = 495.0
    throughput: float | None = 494.0
    completed: int = 30_000

    def latency_ms(self, source: str, stat: float | str) -> float | None:
        return self.latencies.get((source, stat))


METRICS = FakeMetrics(
    latencies={
        ("intended", 99.0): 250.0,
        ("intended", 95.0): 120.0,
        ("intended", 50.0): 12.0,
        ("intended", "mean"): 20.0,
        ("intended", "max"): 900.0,
        ("service", 99.0): 80.0,
        ("scheduling_lag", 99.0): 0.8,
    }
)


@pytest.mark.parametrize(
    ("expression", "passed", "actual"),
    [
        ("p99<300ms", True, 250.0),
        ("p99<200ms", False, 250.0),
        ("p(95)<=120", True, 120.0),  # k6 form; a bare number is ms
        ("p95 < 0.1s", False, 120.0),
        ("med<15ms", True, 12.0),
        ("avg<25ms", True, 20.0),
        ("max<1s", True, 900.0),
        ("service.p99<100ms", True, 80.0),
        ("lag.p99<1ms", True, 0.8),
        ("success>=99.5%", True, 0.999),
        ("success>=0.9995", False, 0.999),
        ("error_rate<0.5%", True, pytest.approx(0.001)),
        ("errors<0.05%", False, pytest.approx(0.001)),
        ("rate>=490/s", True, 495.0),
        ("throughput>500", False, 494.0),
        ("requests>=30000", True, 30000.0),
    ],
)
def test_threshold_evaluation(expression: str, passed: bool, actual: object) -> None:
    outcome = parse_threshold(expression).evaluate(METRICS)
    assert outcome.passed is passed
    assert outcome.actual == actual
    assert outcome.expression == expression.strip()


def test_units_are_recorded() -> None:
    assert parse_threshold("p99<300ms").unit == "ms"
    assert parse_threshold("p99<300ms").limit == 300.0
    assert parse_threshold("success>=99.5%").limit == pytest.approx(0.995)
    assert parse_threshold("rate>=30000/m").limit == pytest.approx(500)


def test_missing_metric_fails_the_threshold() -> None:
    outcome = parse_threshold("p99.99<1s").evaluate(METRICS)
    assert not outcome.passed
    assert outcome.actual is None
    assert "not available" in (outcome.note or "")
    empty = FakeMetrics(success_ratio=None)
    assert not parse_threshold("success>99%").evaluate(empty).passed


def test_service_time_stands_in_for_missing_intended_latency() -> None:
    imported = FakeMetrics(latencies={("service", 99.0): 42.0})
    outcome = parse_threshold("p99<50ms").evaluate(imported)
    assert outcome.passed
    assert "service time" in (outcome.note or "")


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("p99", "expected METRIC OP VALUE"),
        ("p99=300ms", "expected METRIC OP VALUE"),
        ("latency<1s", "unknown metric"),
        ("p101<1s", "unknown metric"),
        ("tail.p99<1s", "unknown latency 'tail'"),
        ("p99<fast", "expected a duration"),
        ("success>lots", "percentage"),
        ("rate>quick", "expected a rate"),
        ("requests>1.5", "whole number"),
    ],
)
def test_threshold_errors(expression: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_threshold(expression)
