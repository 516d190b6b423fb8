"""A Redis-backed breaker state store: one breaker state across processes.

Install with the extra: ``pip install 'prodready[redis]'``. Then::

    store = RedisStateStore(url="redis://redis.internal:6379/0")
    breaker = CircuitBreaker("payments", store=store)

What it shares (see ``_store`` and docs/adr/0024): whether the breaker is
open and until when, and which single process holds the half-open probe.
Each process still counts its own outcomes. Redis is consulted only on a
transition, a probe, and at most once per ``refresh_interval`` per breaker,
never on the ordinary call path, and all timing uses the Redis server's
clock (``TIME``), so the hosts' clocks need not agree.

If Redis is unreachable the breaker keeps working on its own state (a
warning is logged at most every 30 s): losing the store loses sharing, never
calls. The calls to Redis are synchronous with short socket timeouts
(50 ms by default); in an asyncio program they briefly block the event loop,
at most once per refresh interval.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

from prodready.http._breaker import State, StateChange

if TYPE_CHECKING:
    from prodready.http._breaker import _BreakerCore

__all__ = ["RedisStateStore"]

_log = logging.getLogger("prodready.http")

_NOW_MS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

_OPEN = (
    _NOW_MS
    + """
local gen = redis.call('HINCRBY', KEYS[1], 'gen', 1)
redis.call('HSET', KEYS[1], 'state', 'open', 'until', now + tonumber(ARGV[1]))
return gen
"""
)

_CLOSE = """
local gen = redis.call('HINCRBY', KEYS[1], 'gen', 1)
redis.call('HSET', KEYS[1], 'state', 'closed', 'until', 0)
redis.call('DEL', KEYS[2])
return gen
"""

_READ = (
    _NOW_MS
    + """
local v = redis.call('HMGET', KEYS[1], 'state', 'gen', 'until')
local remaining = tonumber(v[3] or '0') - now
if remaining < 0 then remaining = 0 end
return {v[1] or '', tonumber(v[2] or '0'), remaining}
"""
)

_CLAIM = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return -1
end
return redis.call('PTTL', KEYS[1])
"""

_WARN_EVERY = 30.0


class RedisStateStore:
    """Share breaker state through Redis. Give it a ``redis.Redis`` or a URL."""

    def __init__(
        self,
        client: Any = None,
        *,
        url: str | None = None,
        prefix: str = "prodready:breaker:",
        refresh_interval: float = 0.5,
        socket_timeout: float = 0.05,
    ) -> None:
        try:
            import redis
        except ImportError as exc:  # pragma: no cover - the dev extra installs it
            raise ImportError(
                "RedisStateStore needs the redis package: pip install 'prodready[redis]'"
            ) from exc
        if client is not None and url is not None:
            raise ValueError("give RedisStateStore a client or a url, not both")
        self._owns_client = client is None
        if client is None:
            client = redis.Redis.from_url(
                url or "redis://127.0.0.1:6379/0",
                socket_timeout=socket_timeout,
                socket_connect_timeout=socket_timeout,
            )
        if not refresh_interval > 0:
            raise ValueError(f"refresh_interval must be > 0 seconds, got {refresh_interval!r}")
        self._redis = client
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._prefix = prefix
        self.refresh_interval = float(refresh_interval)
        self._open = client.register_script(_OPEN)
        self._close = client.register_script(_CLOSE)
        self._read = client.register_script(_READ)
        self._claim = client.register_script(_CLAIM)
        self._token = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._seen: dict[str, int] = {}
        self._next_sync: dict[str, float] = {}
        self._sync_lock = threading.Lock()
        self._last_warning = -_WARN_EVERY

    def _keys(self, name: str) -> tuple[str, str]:
        base = f"{self._prefix}{name}"
        return base, f"{base}:probe"

    def _warn(self, action: str, name: str, error: BaseException) -> None:
        now = time.monotonic()
        if now - self._last_warning >= _WARN_EVERY:
            self._last_warning = now
            _log.warning(
                "circuit breaker %r: Redis state store unavailable during %s (%s: %s); "
                "using this process's state only",
                name,
                action,
                type(error).__name__,
                error,
            )

    # -- the StateStore protocol ---------------------------------------------

    def attach(self, core: _BreakerCore) -> None:
        self._next_sync.setdefault(core.name, 0.0)

    def sync(self, core: _BreakerCore, now: float) -> None:
        name = core.name
        if now < self._next_sync.get(name, 0.0):
            return
        if not self._sync_lock.acquire(blocking=False):
            return  # another thread is syncing; this call goes on with local state
        try:
            self._next_sync[name] = now + self.refresh_interval
            state_key, _ = self._keys(name)
            try:
                raw_state, gen, remaining_ms = self._read(keys=[state_key])
            except self._errors as error:
                self._warn("refresh", name, error)
                return
            state = raw_state.decode() if isinstance(raw_state, bytes) else str(raw_state)
            if int(gen) == self._seen.get(name):
                return
            self._seen[name] = int(gen)
            if state == "open":
                # An open whose sleep window already ended still means "half
                # open": this process must win the probe slot before calling.
                core.apply_remote(
                    State.OPEN, now, int(remaining_ms) / 1000, "opened by another process"
                )
            elif state == "closed":
                core.apply_remote(State.CLOSED, now, 0.0, "closed by another process")
        finally:
            self._sync_lock.release()

    def claim_probe(self, core: _BreakerCore) -> tuple[bool, float]:
        _, probe_key = self._keys(core.name)
        px = max(int(core.config.sleep_window * 1000), 1)
        try:
            result = int(self._claim(keys=[probe_key], args=[self._token, px]))
        except self._errors as error:
            self._warn("probe", core.name, error)
            return True, 0.0
        if result == -1:
            return True, 0.0
        return False, max(result, 0) / 1000

    def publish(self, core: _BreakerCore, change: StateChange) -> None:
        state_key, probe_key = self._keys(core.name)
        try:
            if change.new is State.OPEN:
                sleep_ms = max(int(core.config.sleep_window * 1000), 1)
                self._seen[core.name] = int(self._open(keys=[state_key], args=[sleep_ms]))
            elif change.new is State.CLOSED:
                self._seen[core.name] = int(self._close(keys=[state_key, probe_key]))
        except self._errors as error:
            self._warn("publish", core.name, error)

    def close(self) -> None:
        """Close the Redis connections this store opened (not a client you gave it)."""
        if self._owns_client:
            self._redis.close()

    def clear(self, name: str) -> None:
        """Delete the shared state of breaker ``name`` (tests, decommissioning)."""
        self._redis.delete(*self._keys(name))

    def __repr__(self) -> str:
        return (
            f"RedisStateStore(prefix={self._prefix!r}, refresh_interval={self.refresh_interval:g})"
        )
