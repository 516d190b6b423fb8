"""Hooks: what a plugin sees, and the dispatcher that keeps plugins harmless.

A plugin subclasses :class:`Plugin` and overrides the hooks it needs. Each
hook receives one small frozen event. Hooks run inline on the calling thread
or task, so they must be quick and must not block (a metrics increment, a log
line). A hook that raises is logged and ignored: observing a call must never
break it.

Events, per call::

    on_request(attempt 1) -> on_response | on_error
    on_retry(delay, reason)
    on_request(attempt 2) -> on_response | on_error
    ...
    on_fallback            when a fallback answered instead
    on_state_change        whenever the client's breaker changes state

A call refused before it went out (circuit open, bulkhead full) produces an
``on_error`` with a :class:`~prodready.http.RejectedError` and no
``on_request``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from prodready.http._breaker import StateChange

__all__ = [
    "ErrorEvent",
    "FallbackEvent",
    "Plugin",
    "RequestEvent",
    "ResponseEvent",
    "RetryEvent",
]

_log = logging.getLogger("prodready.http")


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """An attempt is about to be sent."""

    dependency: str
    request: httpx.Request
    attempt: int


@dataclass(frozen=True, slots=True)
class ResponseEvent:
    """An attempt got a response (any status)."""

    dependency: str
    request: httpx.Request
    attempt: int
    response: httpx.Response
    elapsed: float
    """Seconds from sending to the end of the body (or the headers, when streaming)."""
    failure: bool
    """Whether the status counts as a failure of the dependency (5xx by default)."""


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """An attempt failed, or was refused before it went out."""

    dependency: str
    request: httpx.Request
    attempt: int
    error: BaseException
    elapsed: float
    """Seconds the attempt took (0.0 for a refusal)."""


@dataclass(frozen=True, slots=True)
class RetryEvent:
    """Attempt ``attempt`` failed and another follows after ``delay`` seconds."""

    dependency: str
    request: httpx.Request
    attempt: int
    delay: float
    reason: str
    """Why: ``"status 503"``, ``"ReadTimeout"``..."""


@dataclass(frozen=True, slots=True)
class FallbackEvent:
    """The fallback answered the call instead of the dependency."""

    dependency: str
    request: httpx.Request
    error: BaseException


class Plugin:
    """Base class for plugins: override the hooks you need; the rest cost nothing."""

    def on_request(self, event: RequestEvent) -> None:
        """An attempt is about to go out."""

    def on_response(self, event: ResponseEvent) -> None:
        """An attempt got a response."""

    def on_error(self, event: ErrorEvent) -> None:
        """An attempt failed or was refused."""

    def on_retry(self, event: RetryEvent) -> None:
        """The call will be retried."""

    def on_fallback(self, event: FallbackEvent) -> None:
        """A fallback answered the call."""

    def on_state_change(self, change: StateChange) -> None:
        """The breaker of the client this plugin is attached to changed state."""


_HOOKS = ("on_request", "on_response", "on_error", "on_retry", "on_fallback", "on_state_change")


class Hooks:
    """The plugins of one client, with only the overridden hooks kept.

    Each attribute is a tuple of bound methods (empty when no plugin
    overrides that hook), so the hot path checks a tuple's truth and skips
    building an event nobody listens to.
    """

    __slots__ = _HOOKS

    on_request: tuple[Callable[[RequestEvent], None], ...]
    on_response: tuple[Callable[[ResponseEvent], None], ...]
    on_error: tuple[Callable[[ErrorEvent], None], ...]
    on_retry: tuple[Callable[[RetryEvent], None], ...]
    on_fallback: tuple[Callable[[FallbackEvent], None], ...]
    on_state_change: tuple[Callable[[StateChange], None], ...]

    def __init__(self, plugins: Sequence[Plugin]) -> None:
        for plugin in plugins:
            if not isinstance(plugin, Plugin):
                raise TypeError(
                    f"plugins must be prodready.http.Plugin instances, got {type(plugin).__name__}"
                )
        for hook in _HOOKS:
            methods = tuple(
                getattr(plugin, hook)
                for plugin in plugins
                if getattr(type(plugin), hook) is not getattr(Plugin, hook)
            )
            setattr(self, hook, methods)

    @staticmethod
    def emit(methods: tuple[Callable[[Any], None], ...], event: object) -> None:
        for method in methods:
            try:
                method(event)
            except Exception:
                _log.exception("prodready.http plugin hook %s failed", _name(method))


def _name(method: Callable[..., Any]) -> str:
    owner = getattr(method, "__self__", None)
    return f"{type(owner).__name__}.{getattr(method, '__name__', '?')}"
