"""RED metrics and breaker state over the StatsD line protocol (UDP).

The protocol is a line per metric, ``name:value|type``, sent in UDP
datagrams: fire and forget, so a missing or slow collector never slows a
call. Implemented here in a few lines rather than as a dependency.

Names, with the default prefix and a dependency called ``payments``::

    prodready.http.payments.requests.503:1|c      one per attempt, by status or error class
    prodready.http.payments.duration:12.5|ms      attempt duration
    prodready.http.payments.retries:1|c
    prodready.http.payments.rejections.circuit_open:1|c    or .bulkhead_full
    prodready.http.payments.fallbacks:1|c
    prodready.http.payments.circuit_state:1|g     0 closed, 1 open, 2 half-open

With ``tags="dogstatsd"`` the dependency and status move into tags
(``prodready.http.requests:1|c|#dependency:payments,status:503``) for
collectors that support them (DogStatsD, Telegraf, statsd_exporter).
"""

from __future__ import annotations

import re
import socket
import threading
from typing import Literal

from prodready.http._breaker import State, StateChange
from prodready.http._exceptions import BulkheadFullError, CircuitOpenError, RejectedError
from prodready.http._plugins._base import (
    ErrorEvent,
    FallbackEvent,
    Plugin,
    ResponseEvent,
    RetryEvent,
)

__all__ = ["StatsDMetrics"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_\-]+")
_STATE_VALUE = {State.CLOSED: 0, State.OPEN: 1, State.HALF_OPEN: 2}


def _safe(part: str) -> str:
    """A name segment: StatsD reserves ``.:|@#,`` and whitespace."""
    return _UNSAFE.sub("_", part).strip("_") or "unknown"


class StatsDMetrics(Plugin):
    """Send metrics to a StatsD collector at ``host:port`` over UDP."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8125,
        *,
        prefix: str = "prodready.http",
        tags: Literal["none", "dogstatsd"] = "none",
    ) -> None:
        if tags not in ("none", "dogstatsd"):
            raise ValueError(f"tags must be 'none' or 'dogstatsd', got {tags!r}")
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
        if not infos:  # pragma: no cover - getaddrinfo raises instead
            raise OSError(f"cannot resolve StatsD host {host!r}")
        family, _, _, _, address = infos[0]
        self._address = address
        self._sock = socket.socket(family, socket.SOCK_DGRAM)
        self._sock.setblocking(False)
        self._prefix = ".".join(_safe(p) for p in prefix.split(".") if p)
        self._tags = tags
        self._lock = threading.Lock()
        self.dropped = 0
        """Datagrams the OS refused (buffer full, no route): metrics lost, calls unharmed."""

    def _send(self, line: str) -> None:
        try:
            self._sock.sendto(line.encode(), self._address)
        except OSError:
            with self._lock:
                self.dropped += 1

    def _line(
        self,
        dependency: str,
        metric: str,
        value: str,
        kind: str,
        tags: dict[str, str] | None = None,
    ) -> str:
        dep = _safe(dependency)
        if self._tags == "dogstatsd":
            pairs = {"dependency": dep, **{k: _safe(v) for k, v in (tags or {}).items()}}
            tag_text = ",".join(f"{k}:{v}" for k, v in pairs.items())
            return f"{self._prefix}.{metric}:{value}|{kind}|#{tag_text}"
        suffix = "".join(f".{_safe(v)}" for v in (tags or {}).values())
        return f"{self._prefix}.{dep}.{metric}{suffix}:{value}|{kind}"

    def on_response(self, event: ResponseEvent) -> None:
        status = str(event.response.status_code)
        self._send(self._line(event.dependency, "requests", "1", "c", {"status": status}))
        self._send(self._line(event.dependency, "duration", f"{event.elapsed * 1000:.3f}", "ms"))

    def on_error(self, event: ErrorEvent) -> None:
        error = event.error
        if isinstance(error, RejectedError):
            if isinstance(error, CircuitOpenError):
                reason = "circuit_open"
            elif isinstance(error, BulkheadFullError):
                reason = "bulkhead_full"
            else:
                reason = type(error).__name__
            self._send(self._line(event.dependency, "rejections", "1", "c", {"reason": reason}))
            return
        kind = type(error).__name__
        self._send(self._line(event.dependency, "requests", "1", "c", {"status": kind}))
        self._send(self._line(event.dependency, "duration", f"{event.elapsed * 1000:.3f}", "ms"))

    def on_retry(self, event: RetryEvent) -> None:
        self._send(self._line(event.dependency, "retries", "1", "c"))

    def on_fallback(self, event: FallbackEvent) -> None:
        self._send(self._line(event.dependency, "fallbacks", "1", "c"))

    def on_state_change(self, change: StateChange) -> None:
        self._send(self._line(change.name, "circuit_state", str(_STATE_VALUE[change.new]), "g"))

    def close(self) -> None:
        self._sock.close()

    def __del__(self) -> None:
        sock = getattr(self, "_sock", None)
        if sock is not None:
            sock.close()
