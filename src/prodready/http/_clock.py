"""Time, made injectable.

Every policy in ``prodready.http`` reads time and sleeps through a
:class:`Clock`, never through :mod:`time` directly. Production code uses
:data:`SYSTEM_CLOCK`; tests (ours and our users') pass a :class:`ManualClock`
so that a retry schedule of minutes runs in microseconds and a breaker's sleep
window can be crossed by a single call to :meth:`ManualClock.advance`.

Two readings are kept apart on purpose: ``monotonic()`` for every interval
(deadlines, windows, backoff), which never jumps; ``wall()`` only to turn an
HTTP date (``Retry-After: Wed, 21 Oct 2015 07:28:00 GMT``) into a delay.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable

import anyio

__all__ = ["SYSTEM_CLOCK", "Clock", "ManualClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """What the policies need from time: two readings and two ways to wait."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (intervals only)."""
        ...

    def wall(self) -> float:
        """Seconds since the Unix epoch (only for HTTP dates)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for ``seconds``."""
        ...

    async def asleep(self, seconds: float) -> None:
        """Suspend the calling task for ``seconds``."""
        ...


class SystemClock:
    """The real clock: :func:`time.monotonic`, :func:`time.time`, real sleeps."""

    __slots__ = ()

    # The C functions themselves, not wrappers: the clock is read several
    # times per call, on the hot path.
    monotonic = staticmethod(time.monotonic)
    wall = staticmethod(time.time)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        # anyio so that the async client sleeps correctly under any event loop
        # httpx itself supports.
        await anyio.sleep(max(seconds, 0.0))

    def __repr__(self) -> str:
        return "SystemClock()"


SYSTEM_CLOCK: Clock = SystemClock()
"""The process-wide real clock, the default everywhere."""


class ManualClock:
    """A clock that only moves when told to; sleeping advances it instantly.

    ``sleep``/``asleep`` record the requested delay in :attr:`sleeps` and move
    the clock forward by it, so code under test observes exactly the time it
    asked to wait, and nothing really waits. Thread-safe.
    """

    def __init__(self, start: float = 1_000.0, *, wall_start: float = 1_700_000_000.0) -> None:
        self._lock = threading.Lock()
        self._now = float(start)
        self._wall_offset = float(wall_start) - float(start)
        self.sleeps: list[float] = []
        """Every delay passed to ``sleep``/``asleep``, in call order."""

    def monotonic(self) -> float:
        return self._now

    def wall(self) -> float:
        return self._now + self._wall_offset

    def advance(self, seconds: float) -> None:
        """Move time forward (never backwards: a monotonic clock cannot)."""
        if seconds < 0:
            raise ValueError(f"a monotonic clock cannot go back ({seconds} s)")
        with self._lock:
            self._now += seconds

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(seconds, 0.0)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
        # Still a real suspension point, so concurrent tasks interleave as
        # they would with a real sleep.
        await anyio.sleep(0)

    def __repr__(self) -> str:
        return f"ManualClock(now={self._now!r})"
