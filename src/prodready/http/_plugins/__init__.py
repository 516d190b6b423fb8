"""Plugins shipped with ``prodready.http`` and the hook interface they implement."""

from prodready.http._plugins._base import (
    ErrorEvent,
    FallbackEvent,
    Hooks,
    Plugin,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
)
from prodready.http._plugins._logging import StructuredLogging
from prodready.http._plugins._prometheus import PrometheusMetrics
from prodready.http._plugins._statsd import StatsDMetrics

__all__ = [
    "ErrorEvent",
    "FallbackEvent",
    "Hooks",
    "Plugin",
    "PrometheusMetrics",
    "RequestEvent",
    "ResponseEvent",
    "RetryEvent",
    "StatsDMetrics",
    "StructuredLogging",
]
