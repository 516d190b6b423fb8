"""RED metrics and breaker state for Prometheus (prometheus-client).

Per dependency: **R**ate and **E**rrors from ``requests_total`` (every
attempt, labelled with its status code or error class), **D**uration from
``request_duration_seconds``; plus retries, local rejections, fallbacks and
the breaker's state. With the default namespace::

    prodready_http_client_requests_total{dependency,method,status}
    prodready_http_client_request_duration_seconds{dependency,method}   histogram
    prodready_http_client_retries_total{dependency,reason}
    prodready_http_client_rejections_total{dependency,reason}           circuit_open | bulkhead_full
    prodready_http_client_fallbacks_total{dependency}
    prodready_http_client_circuit_state{dependency,state}               1 for the current state
    prodready_http_client_circuit_transitions_total{dependency,state}   transitions into state

Metrics are created once per registry and namespace, so any number of
clients (and plugin instances) can report into one registry.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

from prodready.http._breaker import State, StateChange
from prodready.http._exceptions import BulkheadFullError, CircuitOpenError, RejectedError
from prodready.http._plugins._base import (
    ErrorEvent,
    FallbackEvent,
    Plugin,
    ResponseEvent,
    RetryEvent,
)

__all__ = ["DEFAULT_BUCKETS", "PrometheusMetrics"]

DEFAULT_BUCKETS: tuple[float, ...] = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)  # fmt: skip
"""Latency buckets in seconds: loopback to slow dependency."""


class _Metrics:
    def __init__(
        self, registry: CollectorRegistry, namespace: str, buckets: Sequence[float]
    ) -> None:
        prefix = f"{namespace}_http_client" if namespace else "http_client"
        self.requests = Counter(
            f"{prefix}_requests",
            "Attempts sent to a dependency, by status code or error class.",
            ["dependency", "method", "status"],
            registry=registry,
        )
        self.duration = Histogram(
            f"{prefix}_request_duration_seconds",
            "Duration of each attempt, to the end of the body.",
            ["dependency", "method"],
            buckets=buckets,
            registry=registry,
        )
        self.retries = Counter(
            f"{prefix}_retries",
            "Retries scheduled, by reason.",
            ["dependency", "reason"],
            registry=registry,
        )
        self.rejections = Counter(
            f"{prefix}_rejections",
            "Calls refused locally before anything was sent.",
            ["dependency", "reason"],
            registry=registry,
        )
        self.fallbacks = Counter(
            f"{prefix}_fallbacks",
            "Calls answered by the fallback.",
            ["dependency"],
            registry=registry,
        )
        self.state = Gauge(
            f"{prefix}_circuit_state",
            "Circuit breaker state: 1 for the current state, 0 for the others.",
            ["dependency", "state"],
            registry=registry,
        )
        self.transitions = Counter(
            f"{prefix}_circuit_transitions",
            "Circuit breaker transitions, by the state entered.",
            ["dependency", "state"],
            registry=registry,
        )


_cache_lock = threading.Lock()
_cache: weakref.WeakKeyDictionary[CollectorRegistry, dict[str, _Metrics]] = (
    weakref.WeakKeyDictionary()
)


def _metrics_for(registry: CollectorRegistry, namespace: str, buckets: Sequence[float]) -> _Metrics:
    with _cache_lock:
        per_registry = _cache.setdefault(registry, {})
        metrics = per_registry.get(namespace)
        if metrics is None:
            metrics = per_registry[namespace] = _Metrics(registry, namespace, buckets)
        return metrics


def _reason(error: RejectedError) -> str:
    if isinstance(error, CircuitOpenError):
        return "circuit_open"
    if isinstance(error, BulkheadFullError):
        return "bulkhead_full"
    return type(error).__name__


class PrometheusMetrics(Plugin):
    """Export RED metrics, retries, rejections, fallbacks and breaker state.

    ``registry`` defaults to prometheus-client's global ``REGISTRY`` (what
    ``start_http_server``/``make_asgi_app`` expose).
    """

    def __init__(
        self,
        registry: CollectorRegistry | None = None,
        *,
        namespace: str = "prodready",
        buckets: Sequence[float] = DEFAULT_BUCKETS,
    ) -> None:
        self._m = _metrics_for(registry if registry is not None else REGISTRY, namespace, buckets)

    def on_response(self, event: ResponseEvent) -> None:
        m = self._m
        method = event.request.method
        m.requests.labels(event.dependency, method, str(event.response.status_code)).inc()
        m.duration.labels(event.dependency, method).observe(event.elapsed)

    def on_error(self, event: ErrorEvent) -> None:
        m = self._m
        error = event.error
        if isinstance(error, RejectedError):
            m.rejections.labels(event.dependency, _reason(error)).inc()
            return
        method = event.request.method
        m.requests.labels(event.dependency, method, type(error).__name__).inc()
        m.duration.labels(event.dependency, method).observe(event.elapsed)

    def on_retry(self, event: RetryEvent) -> None:
        self._m.retries.labels(event.dependency, event.reason).inc()

    def on_fallback(self, event: FallbackEvent) -> None:
        self._m.fallbacks.labels(event.dependency).inc()

    def on_state_change(self, change: StateChange) -> None:
        m = self._m
        for state in State:
            m.state.labels(change.name, state.value).set(1.0 if state is change.new else 0.0)
        if change.old is not change.new:
            m.transitions.labels(change.name, change.new.value).inc()
