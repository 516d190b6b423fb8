"""Shipped plugins: Prometheus, StatsD over a real UDP socket, structured logging."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest

from prodready.http import (
    BreakerRegistry,
    Bulkhead,
    CircuitBreaker,
    Client,
    ManualClock,
    PrometheusMetrics,
    Retry,
    StatsDMetrics,
    StructuredLogging,
    backoff,
)


def flaky_client(
    plugin: object, clock: ManualClock, registry: BreakerRegistry, **extra: object
) -> Client:
    """503, ConnectError, 200, then 500 forever; breaker trips at 4 calls."""
    answers = [503, httpx.ConnectError("refused"), 200]

    def handler(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0) if answers else 500
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer)

    return Client(
        transport=httpx.MockTransport(handler),
        retry=Retry(attempts=3, backoff=backoff.constant(0.25), budget=None),
        breaker=CircuitBreaker(
            "payments", volume_threshold=4, error_threshold=0.5, registry=registry, clock=clock
        ),
        plugins=[plugin],  # type: ignore[list-item]
        clock=clock,
        **extra,  # type: ignore[arg-type]
    )


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


def test_prometheus_exports_red_retries_rejections_fallbacks_and_state(
    clock: ManualClock, registry: BreakerRegistry
) -> None:
    metrics = CollectorRegistry()
    client = flaky_client(
        PrometheusMetrics(metrics),
        clock,
        registry,
        fallback=lambda request, error: httpx.Response(200, json={"degraded": True}),
    )
    # the breaker attached: its state is exported before any transition
    assert (
        sample(
            metrics, "prodready_http_client_circuit_state", dependency="payments", state="closed"
        )
        == 1.0
    )
    client.get("http://svc.test/")  # 503 -> ConnectError -> 200
    client.get("http://svc.test/")  # 500 (trips: 3 failures of 4)
    client.get("http://svc.test/")  # rejected -> fallback

    def requests(status: str) -> float | None:
        return sample(
            metrics,
            "prodready_http_client_requests_total",
            dependency="payments",
            method="GET",
            status=status,
        )

    assert requests("503") == 1.0
    assert requests("ConnectError") == 1.0
    assert requests("200") == 1.0
    assert requests("500") == 1.0
    assert (
        sample(
            metrics,
            "prodready_http_client_request_duration_seconds_count",
            dependency="payments",
            method="GET",
        )
        == 4.0
    )
    assert (
        sample(
            metrics,
            "prodready_http_client_retries_total",
            dependency="payments",
            reason="status 503",
        )
        == 1.0
    )
    assert (
        sample(
            metrics,
            "prodready_http_client_retries_total",
            dependency="payments",
            reason="ConnectError",
        )
        == 1.0
    )
    assert (
        sample(
            metrics,
            "prodready_http_client_rejections_total",
            dependency="payments",
            reason="circuit_open",
        )
        == 1.0
    )
    assert sample(metrics, "prodready_http_client_fallbacks_total", dependency="payments") == 2.0
    assert (
        sample(metrics, "prodready_http_client_circuit_state", dependency="payments", state="open")
        == 1.0
    )
    assert (
        sample(
            metrics, "prodready_http_client_circuit_state", dependency="payments", state="closed"
        )
        == 0.0
    )
    assert (
        sample(
            metrics,
            "prodready_http_client_circuit_transitions_total",
            dependency="payments",
            state="open",
        )
        == 1.0
    )
    text = generate_latest(metrics).decode()
    assert "# HELP prodready_http_client_requests_total" in text


def test_prometheus_counts_bulkhead_rejections(clock: ManualClock) -> None:
    metrics = CollectorRegistry()
    bulkhead = Bulkhead(1)
    assert bulkhead.acquire()  # full
    client = Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(200)),
        bulkhead=bulkhead,
        plugins=[PrometheusMetrics(metrics)],
        name="drivers",
        fallback=lambda request, error: httpx.Response(503),
    )
    client.get("http://svc.test/")
    assert (
        sample(
            metrics,
            "prodready_http_client_rejections_total",
            dependency="drivers",
            reason="bulkhead_full",
        )
        == 1.0
    )


def test_many_plugin_instances_share_one_registry(clock: ManualClock) -> None:
    metrics = CollectorRegistry()
    for _ in range(3):
        Client(
            transport=httpx.MockTransport(lambda r: httpx.Response(200)),
            plugins=[PrometheusMetrics(metrics)],
            name="drivers",
        ).get("http://svc.test/")
    assert (
        sample(
            metrics,
            "prodready_http_client_requests_total",
            dependency="drivers",
            method="GET",
            status="200",
        )
        == 3.0
    )
    other = CollectorRegistry()
    PrometheusMetrics(other, namespace="shop")
    assert (
        sample(other, "shop_http_client_requests_total", dependency="x", method="GET", status="200")
        is None
    )


@pytest.fixture
def udp() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(2.0)
    try:
        yield sock
    finally:
        sock.close()


def received(sock: socket.socket, count: int) -> list[str]:
    return [sock.recv(65535).decode() for _ in range(count)]


def test_statsd_lines_arrive_over_udp(
    udp: socket.socket, clock: ManualClock, registry: BreakerRegistry
) -> None:
    plugin = StatsDMetrics("127.0.0.1", udp.getsockname()[1])
    try:
        client = flaky_client(plugin, clock, registry)
        assert received(udp, 1) == ["prodready.http.payments.circuit_state:0|g"]
        client.get("http://svc.test/")  # 503, ConnectError, 200
        lines = received(udp, 8)
    finally:
        plugin.close()
    assert lines[0] == "prodready.http.payments.requests.503:1|c"
    assert lines[1].startswith("prodready.http.payments.duration:")
    assert lines[1].endswith("|ms")
    assert lines[2] == "prodready.http.payments.retries:1|c"
    assert lines[3] == "prodready.http.payments.requests.ConnectError:1|c"
    assert lines[5] == "prodready.http.payments.retries:1|c"
    assert lines[6] == "prodready.http.payments.requests.200:1|c"
    assert plugin.dropped == 0


def test_statsd_dogstatsd_tags_and_state(
    udp: socket.socket, clock: ManualClock, registry: BreakerRegistry
) -> None:
    plugin = StatsDMetrics("127.0.0.1", udp.getsockname()[1], prefix="shop.http", tags="dogstatsd")
    try:
        breaker = CircuitBreaker("pay ments:v2", volume_threshold=1, registry=registry, clock=clock)
        client = Client(
            transport=httpx.MockTransport(lambda r: httpx.Response(500)),
            breaker=breaker,
            plugins=[plugin],
            clock=clock,
        )
        client.get("http://svc.test/")
        lines = received(udp, 4)
    finally:
        plugin.close()
    assert lines == [
        "shop.http.circuit_state:0|g|#dependency:pay_ments_v2",
        "shop.http.circuit_state:1|g|#dependency:pay_ments_v2",
        "shop.http.requests:1|c|#dependency:pay_ments_v2,status:500",
        lines[3],
    ]
    assert lines[3].startswith("shop.http.duration:")
    assert lines[3].endswith("|ms|#dependency:pay_ments_v2")


def test_statsd_never_blocks_or_raises_without_a_collector(clock: ManualClock) -> None:
    # nothing listens on this port: datagrams go nowhere, calls are unharmed
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    plugin = StatsDMetrics("127.0.0.1", port)
    try:
        client = Client(
            transport=httpx.MockTransport(lambda r: httpx.Response(200)), plugins=[plugin]
        )
        for _ in range(20):
            assert client.get("http://svc.test/").status_code == 200
    finally:
        plugin.close()


def test_statsd_rejects_unknown_tag_style() -> None:
    with pytest.raises(ValueError, match="tags"):
        StatsDMetrics(tags="influx")  # type: ignore[arg-type]


def test_structured_logging_records_fields_and_levels(
    caplog: pytest.LogCaptureFixture, clock: ManualClock, registry: BreakerRegistry
) -> None:
    with caplog.at_level(logging.DEBUG, logger="prodready.http"):
        client = flaky_client(StructuredLogging(), clock, registry)
        client.get("http://user:secret@svc.test/drivers?token=abc")
    records = [r for r in caplog.records if r.name == "prodready.http"]
    events = [(r.http_event, r.levelname) for r in records]  # type: ignore[attr-defined]
    assert events == [
        ("http.circuit", "DEBUG"),
        ("http.request", "DEBUG"),
        ("http.response", "WARNING"),
        ("http.retry", "INFO"),
        ("http.request", "DEBUG"),
        ("http.error", "WARNING"),
        ("http.retry", "INFO"),
        ("http.request", "DEBUG"),
        ("http.response", "DEBUG"),
    ]
    retry = records[3]
    assert retry.dependency == "payments"  # type: ignore[attr-defined]
    assert retry.delay_ms == 250.0  # type: ignore[attr-defined]
    assert retry.reason == "status 503"  # type: ignore[attr-defined]
    assert retry.getMessage() == (
        "http.retry dependency=payments http_method=GET url=http://svc.test/drivers "
        'attempt=1 delay_ms=250.000 reason="status 503"'
    )
    assert "secret" not in caplog.text
    assert "token" not in caplog.text


def test_structured_logging_warns_when_a_breaker_opens(
    caplog: pytest.LogCaptureFixture, clock: ManualClock, registry: BreakerRegistry
) -> None:
    logger = logging.getLogger("test.http.breaker")
    client = Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(500)),
        breaker=CircuitBreaker("payments", volume_threshold=1, registry=registry, clock=clock),
        plugins=[StructuredLogging(logger)],
        fallback=lambda request, error: httpx.Response(200),
    )
    with caplog.at_level(logging.INFO, logger="test.http.breaker"):
        client.get("http://svc.test/")
        client.get("http://svc.test/")
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any(
        m.startswith("http.circuit dependency=payments breaker_from=closed breaker_to=open")
        for m in messages
    )
    assert any(m.startswith("http.fallback") and "CircuitOpenError" in m for m in messages)


def test_statsd_counts_refusals_and_fallbacks_and_drops(
    udp: socket.socket, clock: ManualClock, registry: BreakerRegistry
) -> None:
    plugin = StatsDMetrics("127.0.0.1", udp.getsockname()[1])
    try:
        bulkhead = Bulkhead(1)
        assert bulkhead.acquire()  # full: every call is refused
        client = Client(
            transport=httpx.MockTransport(lambda r: httpx.Response(200)),
            bulkhead=bulkhead,
            plugins=[plugin],
            name="drivers",
            fallback=lambda request, error: httpx.Response(503),
        )
        client.get("http://svc.test/")
        assert received(udp, 2) == [
            "prodready.http.drivers.rejections.bulkhead_full:1|c",
            "prodready.http.drivers.fallbacks:1|c",
        ]
        # a datagram larger than UDP allows is refused by the OS: counted, never raised
        huge = Client(
            transport=httpx.MockTransport(lambda r: httpx.Response(200)),
            plugins=[plugin],
            name="x" * 70_000,
        )
        assert huge.get("http://svc.test/").status_code == 200
        assert plugin.dropped >= 1
    finally:
        plugin.close()
