"""The library -> capability table (``libraries``)."""

from __future__ import annotations

from collections import Counter

import pytest

from prodready.scan.facts.libraries import (
    RULES,
    Capability,
    Family,
    match_symbol,
    normalise_go_path,
    string_rules_in,
)


def capabilities(language: str, symbol: str, keys: tuple[str, ...] = ()) -> set[str]:
    return {r.capability.value for r in match_symbol(language, symbol, keys)}


@pytest.mark.parametrize(
    ("language", "symbol", "expected"),
    [
        ("python", "tenacity.retry", {"retry"}),
        ("python", "tenacity", set()),
        ("python", "prometheus_client.Counter", {"metrics"}),
        ("python", "prometheus_client.exposition.make_asgi_app", {"metrics"}),
        ("python", "opentelemetry.trace.get_tracer", {"tracing"}),
        ("python", "opentelemetry.metrics.get_meter", {"metrics"}),
        ("python", "pybreaker.CircuitBreaker", {"circuit-breaker"}),
        ("python", "loguru.logger.add", set()),
        ("python", "os.path.join", set()),
        ("go", "github.com/sony/gobreaker.NewCircuitBreaker", {"circuit-breaker"}),
        ("go", "github.com/prometheus/client_golang/prometheus/promauto.NewCounter", {"metrics"}),
        ("go", "go.opentelemetry.io/otel.Tracer", {"tracing"}),
        ("go", "go.opentelemetry.io/otel/metric.Int64Counter", {"metrics"}),
        ("go", "go.opentelemetry.io/otel.Handle", set()),
        ("go", "log/slog.NewJSONHandler", {"structured-logging"}),
        ("go", "log/slog.NewTextHandler", set()),
        ("go", "github.com/gojek/heimdall/hystrix.NewClient", {"circuit-breaker"}),
        ("javascript", "axios-retry", {"retry"}),
        ("typescript", "prom-client:Counter", {"metrics"}),
        ("javascript", "winston:format.json", {"structured-logging"}),
        ("javascript", "winston:format.simple", set()),
        ("javascript", "@opentelemetry/instrumentation-http:HttpInstrumentation", {"tracing"}),
        ("java", "io.github.resilience4j.retry.annotation.Retry", {"retry"}),
        ("java", "io.micrometer.core.instrument.Counter.builder", {"metrics"}),
    ],
)
def test_match_symbol(language: str, symbol: str, expected: set[str]) -> None:
    assert capabilities(language, symbol) == expected


def test_required_keywords() -> None:
    assert capabilities("python", "loguru.logger.add", ("serialize",)) == {"structured-logging"}
    assert capabilities("python", "sentry_sdk.init") == {"error-tracking"}
    assert capabilities("python", "sentry_sdk.init", ("dsn", "traces_sample_rate")) == {
        "error-tracking",
        "tracing",
    }
    assert capabilities("python", "uvicorn.run", ("limit_concurrency",)) == {"rate-limit"}
    assert capabilities("go", "github.com/getsentry/sentry-go.ClientOptions", ("Dsn",)) == {
        "error-tracking"
    }


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("github.com/sony/gobreaker/v2", "github.com/sony/gobreaker"),
        ("github.com/go-chi/chi/v5/middleware", "github.com/go-chi/chi/middleware"),
        (
            "gopkg.in/DataDog/dd-trace-go.v1/ddtrace/tracer",
            "gopkg.in/DataDog/dd-trace-go/ddtrace/tracer",
        ),
        ("net/http", "net/http"),
        ("github.com/vmihailenco/msgpack/v5", "github.com/vmihailenco/msgpack"),
    ],
)
def test_normalise_go_path(raw: str, normalised: str) -> None:
    assert normalise_go_path(raw) == normalised


def test_string_rules_need_dotted_identifiers() -> None:
    assert string_rules_in("django_prometheus.middleware.PrometheusBeforeMiddleware") == [
        (Capability.METRICS, "django-prometheus")
    ]
    assert string_rules_in("we use django_prometheus here") == []
    assert string_rules_in("not_django_prometheus_really") == []


def test_table_is_consistent() -> None:
    duplicates = [
        k
        for k, n in Counter((r.family, r.symbol, r.capability, r.requires) for r in RULES).items()
        if n > 1
    ]
    assert duplicates == []
    for rule in RULES:
        assert rule.library
        assert rule.symbol
        assert isinstance(rule.capability, Capability)
        if rule.family is Family.GO:
            assert "/" in rule.symbol or "." in rule.symbol
    # every capability a check relies on has rules in both first-class languages
    for capability in (
        Capability.RETRY,
        Capability.CIRCUIT_BREAKER,
        Capability.RATE_LIMIT,
        Capability.METRICS,
        Capability.STRUCTURED_LOGGING,
        Capability.TRACING,
        Capability.ERROR_TRACKING,
    ):
        families = {r.family for r in RULES if r.capability is capability}
        assert {Family.PYTHON, Family.GO} <= families, capability
