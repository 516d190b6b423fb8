"""prodready.http: a resilient HTTP client for Python, built on httpx.

Timeouts per phase, retries with composable backoff and a retry budget, a
Hystrix-style circuit breaker shared by name, a bulkhead, fallbacks, and
metrics/logging plugins, for sync and async code alike::

    from prodready.http import Client, Retry, CircuitBreaker, Timeout, backoff

    client = Client(
        timeout=Timeout(1.0, connect=0.2),
        retry=Retry(attempts=4, backoff=backoff.exponential(0.01, max=1.0) + backoff.jitter(0.005)),
        breaker=CircuitBreaker("payments", error_threshold=0.5, volume_threshold=20),
    )

This package imports nothing else from prodready. Everything public is
listed in ``__all__``; modules whose names start with ``_`` are private.
The user guide is docs/http.md.
"""

from httpx import USE_CLIENT_DEFAULT, Timeout

from prodready.http import backoff
from prodready.http._breaker import (
    BreakerMetrics,
    BreakerRegistry,
    CircuitBreaker,
    Mode,
    Outcome,
    State,
    StateChange,
    default_registry,
)
from prodready.http._bulkhead import Bulkhead
from prodready.http._client import DEFAULT_TIMEOUT, AsyncClient, Client
from prodready.http._clock import SYSTEM_CLOCK, Clock, ManualClock, SystemClock
from prodready.http._exceptions import (
    BulkheadFullError,
    CircuitOpenError,
    CloseError,
    ConnectError,
    ConnectTimeout,
    DeadlineExceeded,
    FailureResponse,
    HTTPError,
    LocalProtocolError,
    NetworkError,
    PoolTimeout,
    ProtocolError,
    ProxyError,
    ReadError,
    ReadTimeout,
    RejectedError,
    RemoteProtocolError,
    TimeoutException,
    TransportError,
    UnsupportedProtocol,
    WriteError,
    WriteTimeout,
)
from prodready.http._plugins import (
    ErrorEvent,
    FallbackEvent,
    Plugin,
    PrometheusMetrics,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
    StatsDMetrics,
    StructuredLogging,
)
from prodready.http._redis import RedisStateStore
from prodready.http._retry import (
    DEFAULT_STATUSES,
    IDEMPOTENT_METHODS,
    RETRYABLE_ERRORS,
    Retry,
    RetryBudget,
)
from prodready.http._store import StateStore
from prodready.http._transport import AsyncResilientTransport, ResilientTransport

__all__ = [
    "DEFAULT_STATUSES",
    "DEFAULT_TIMEOUT",
    "IDEMPOTENT_METHODS",
    "RETRYABLE_ERRORS",
    "SYSTEM_CLOCK",
    "USE_CLIENT_DEFAULT",
    "AsyncClient",
    "AsyncResilientTransport",
    "BreakerMetrics",
    "BreakerRegistry",
    "Bulkhead",
    "BulkheadFullError",
    "CircuitBreaker",
    "CircuitOpenError",
    "Client",
    "Clock",
    "CloseError",
    "ConnectError",
    "ConnectTimeout",
    "DeadlineExceeded",
    "ErrorEvent",
    "FailureResponse",
    "FallbackEvent",
    "HTTPError",
    "LocalProtocolError",
    "ManualClock",
    "Mode",
    "NetworkError",
    "Outcome",
    "Plugin",
    "PoolTimeout",
    "PrometheusMetrics",
    "ProtocolError",
    "ProxyError",
    "ReadError",
    "ReadTimeout",
    "RedisStateStore",
    "RejectedError",
    "RemoteProtocolError",
    "RequestEvent",
    "ResilientTransport",
    "ResponseEvent",
    "Retry",
    "RetryBudget",
    "RetryEvent",
    "State",
    "StateChange",
    "StateStore",
    "StatsDMetrics",
    "StructuredLogging",
    "SystemClock",
    "Timeout",
    "TimeoutException",
    "TransportError",
    "UnsupportedProtocol",
    "WriteError",
    "WriteTimeout",
    "backoff",
    "default_registry",
]
