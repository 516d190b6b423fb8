"""Structured logs of what the policies did, through the standard logging module.

Each record carries its fields twice: as ``extra`` attributes, which JSON
formatters (python-json-logger, structlog's stdlib bridge) emit as keys, and
as ``key=value`` pairs in the message (logfmt), so a plain formatter shows
them too. URLs are logged without query string or credentials.

Levels: each attempt and its success at DEBUG; a retry at INFO; a failed
attempt, a refusal, a fallback and a breaker opening at WARNING; any other
breaker transition at INFO.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from prodready.http._breaker import State, StateChange
from prodready.http._plugins._base import (
    ErrorEvent,
    FallbackEvent,
    Plugin,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
)

__all__ = ["StructuredLogging"]


def _url(url: httpx.URL) -> str:
    port = f":{url.port}" if url.port is not None else ""
    return f"{url.scheme}://{url.host}{port}{url.path}"


def _logfmt(fields: dict[str, Any]) -> str:
    parts = []
    for key, value in fields.items():
        text = f"{value:.3f}" if isinstance(value, float) else str(value)
        if not text or any(c in text for c in ' ="'):
            text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        parts.append(f"{key}={text}")
    return " ".join(parts)


class StructuredLogging(Plugin):
    """Log attempts, retries, refusals, fallbacks and breaker transitions.

    ``logger`` defaults to ``logging.getLogger("prodready.http")``.
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger if logger is not None else logging.getLogger("prodready.http")

    def _emit(self, level: int, event: str, fields: dict[str, Any]) -> None:
        if not self._log.isEnabledFor(level):
            return
        extra = {"http_event": event, **fields}
        self._log.log(level, "%s %s", event, _logfmt(fields), extra=extra)

    def on_request(self, event: RequestEvent) -> None:
        self._emit(
            logging.DEBUG,
            "http.request",
            {
                "dependency": event.dependency,
                "http_method": event.request.method,
                "url": _url(event.request.url),
                "attempt": event.attempt,
            },
        )

    def on_response(self, event: ResponseEvent) -> None:
        self._emit(
            logging.WARNING if event.failure else logging.DEBUG,
            "http.response",
            {
                "dependency": event.dependency,
                "http_method": event.request.method,
                "url": _url(event.request.url),
                "attempt": event.attempt,
                "status_code": event.response.status_code,
                "elapsed_ms": event.elapsed * 1000,
            },
        )

    def on_error(self, event: ErrorEvent) -> None:
        self._emit(
            logging.WARNING,
            "http.error",
            {
                "dependency": event.dependency,
                "http_method": event.request.method,
                "url": _url(event.request.url),
                "attempt": event.attempt,
                "error_type": type(event.error).__name__,
                "error": str(event.error),
                "elapsed_ms": event.elapsed * 1000,
            },
        )

    def on_retry(self, event: RetryEvent) -> None:
        self._emit(
            logging.INFO,
            "http.retry",
            {
                "dependency": event.dependency,
                "http_method": event.request.method,
                "url": _url(event.request.url),
                "attempt": event.attempt,
                "delay_ms": event.delay * 1000,
                "reason": event.reason,
            },
        )

    def on_fallback(self, event: FallbackEvent) -> None:
        self._emit(
            logging.WARNING,
            "http.fallback",
            {
                "dependency": event.dependency,
                "http_method": event.request.method,
                "url": _url(event.request.url),
                "error_type": type(event.error).__name__,
                "error": str(event.error),
            },
        )

    def on_state_change(self, change: StateChange) -> None:
        if change.old is change.new:
            level = logging.DEBUG
        elif change.new is State.OPEN:
            level = logging.WARNING
        else:
            level = logging.INFO
        self._emit(
            level,
            "http.circuit",
            {
                "dependency": change.name,
                "breaker_from": change.old.value,
                "breaker_to": change.new.value,
                "reason": change.reason,
            },
        )
