"""The bulkhead: a cap on calls in flight to one dependency.

When a dependency slows down, calls to it pile up and take every thread,
task and connection the service has, and the service goes down with its
dependency. A bulkhead caps the calls in flight (Hystrix's
``MaxConcurrentRequests``, a semaphore isolation); the call beyond the cap
is rejected at once with :class:`BulkheadFullError`, or after waiting at
most ``max_wait`` seconds for a slot.

One bulkhead object serves threads and asyncio tasks together (share it
between a ``Client`` and an ``AsyncClient`` and it caps both). Waiters are
served first come, first served; a released slot is handed to the oldest
waiter directly, so a newcomer cannot barge past it.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque

__all__ = ["Bulkhead"]


class _ThreadWaiter:
    __slots__ = ("event", "granted")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.granted = False

    def grant(self) -> bool:
        self.granted = True
        self.event.set()
        return True


class _TaskWaiter:
    __slots__ = ("future", "granted", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.future: asyncio.Future[None] = loop.create_future()
        self.granted = False

    def grant(self) -> bool:
        if self.future.done():
            return False  # gave up already; hand the slot to the next waiter
        self.granted = True
        try:
            self.loop.call_soon_threadsafe(_wake, self.future)
        except RuntimeError:  # the waiter's loop is closed
            self.granted = False
            return False
        return True


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class Bulkhead:
    """At most ``max_concurrent`` calls in flight; wait at most ``max_wait`` seconds for a slot.

    ``max_wait=0`` (the default) rejects at once: when a dependency is slow,
    queueing for it only moves the pile-up into the queue.
    """

    # Free slots are tokens in a deque. ``deque.pop()``/``append()`` are
    # single atomic operations, so the common case (a free slot, nobody
    # waiting) takes and returns a slot without the lock: a bulkhead sits on
    # every call, and two lock round trips per call were most of its cost.
    # The lock guards the waiters. A waiter queues itself, then claims any
    # token freed meanwhile; a release that sees a waiter after returning
    # its token hands tokens over under the lock. Between them no token is
    # left unclaimed while someone waits.
    __slots__ = ("_lock", "_rejected", "_tokens", "_waiters", "max_concurrent", "max_wait")

    def __init__(self, max_concurrent: int, *, max_wait: float = 0.0) -> None:
        if isinstance(max_concurrent, bool) or not isinstance(max_concurrent, int):
            raise TypeError(f"max_concurrent must be an int, got {max_concurrent!r}")
        if max_concurrent < 1:
            raise ValueError(f"max_concurrent must be >= 1, got {max_concurrent}")
        if not max_wait >= 0:
            raise ValueError(f"max_wait must be >= 0 seconds, got {max_wait!r}")
        self.max_concurrent = max_concurrent
        self.max_wait = float(max_wait)
        self._lock = threading.Lock()
        self._tokens: deque[None] = deque([None] * max_concurrent)
        self._waiters: deque[_ThreadWaiter | _TaskWaiter] = deque()
        self._rejected = 0

    @property
    def in_flight(self) -> int:
        """Calls holding a slot now."""
        return self.max_concurrent - len(self._tokens)

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    @property
    def rejected_total(self) -> int:
        """Calls rejected since creation."""
        return self._rejected

    def _hand_over_locked(self) -> None:
        """Give free slots to the oldest waiters (lock held)."""
        waiters, tokens = self._waiters, self._tokens
        while waiters:
            try:
                tokens.pop()
            except IndexError:
                return
            while waiters:
                if waiters.popleft().grant():
                    break
            else:
                tokens.append(None)  # every waiter had given up: the slot stays free
                return

    def _take_free(self) -> bool:
        """A free slot without the lock, when nobody queues (deque ops are atomic)."""
        if self._waiters:
            return False
        try:
            self._tokens.pop()
        except IndexError:
            return False
        return True

    def acquire(self, max_wait: float | None = None) -> bool:
        """Take a slot, blocking at most ``max_wait`` seconds; ``False`` means rejected.

        ``max_wait`` defaults to the bulkhead's own.
        """
        if self._take_free():  # the common case: no lock
            return True
        with self._lock:
            if self._take_free():  # again, under the lock that guards the waiters
                return True
            wait = self.max_wait if max_wait is None else max_wait
            if wait <= 0:
                self._rejected += 1
                return False
            waiter = _ThreadWaiter()
            self._waiters.append(waiter)
            self._hand_over_locked()  # a slot freed since we looked is ours if we are first
        if waiter.event.wait(wait):
            return True
        with self._lock:
            if waiter.granted:  # granted between the timeout and the lock
                return True
            self._waiters.remove(waiter)
            self._rejected += 1
            return False

    async def acquire_async(self, max_wait: float | None = None) -> bool:
        """The asyncio twin of :meth:`acquire`; never blocks the event loop."""
        if self._take_free():
            return True
        wait = self.max_wait if max_wait is None else max_wait
        with self._lock:
            if self._take_free():  # again, under the lock that guards the waiters
                return True
            if wait <= 0:
                self._rejected += 1
                return False
            waiter = _TaskWaiter(asyncio.get_running_loop())
            self._waiters.append(waiter)
            self._hand_over_locked()
        try:
            await asyncio.wait_for(waiter.future, wait)
            return True
        except TimeoutError:
            with self._lock:
                if waiter.granted:
                    return True
                self._waiters.remove(waiter)
                self._rejected += 1
                return False
        except BaseException:  # cancelled while waiting: leave no slot behind
            with self._lock:
                granted = waiter.granted
                if not granted:
                    self._waiters.remove(waiter)
            if granted:
                self.release()
            raise

    def release(self) -> None:
        """Give a slot back (to the oldest waiter, if any)."""
        tokens = self._tokens
        if len(tokens) >= self.max_concurrent:
            raise RuntimeError("Bulkhead.release() called more times than acquire()")
        tokens.append(None)
        if self._waiters:  # someone waits, or queued while we returned the slot
            self._hand_over()

    def _hand_over(self) -> None:
        """After returning a slot while someone waits (ResilientTransport calls it too)."""
        with self._lock:
            self._hand_over_locked()

    def __repr__(self) -> str:
        return (
            f"Bulkhead(max_concurrent={self.max_concurrent}, max_wait={self.max_wait:g}, "
            f"in_flight={self.in_flight})"
        )
