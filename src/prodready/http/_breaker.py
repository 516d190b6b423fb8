"""The circuit breaker: Hystrix semantics, no lock held during a call.

State machine (Hystrix, with the half-open fix heimdall users asked for)::

             error rate >= threshold and
             requests >= volume threshold           sleep window elapsed
    CLOSED ─────────────────────────────────▶ OPEN ─────────────────────▶ HALF_OPEN
      ▲                                        ▲                              │
      │             probe failed (or slow)     └──────────────────────────────┤
      └───────────────────────────────────────────────────────────────────────┘
                    probe succeeded: close and reset the window

* **Rolling window.** Outcomes are counted in ``buckets`` time buckets that
  together span ``window`` seconds (10 s in 10 buckets by default); a bucket
  falls out of the window whole, as in Hystrix.
* **Tripping.** After each recorded outcome: open when the window holds at
  least ``volume_threshold`` calls and the failure rate is at least
  ``error_threshold`` (or, when ``slow_call_duration`` is set, the slow-call
  rate is at least ``slow_call_threshold``).
* **Half-open.** Exactly one probe is admitted, chosen atomically. If that
  probe hangs, the slot is re-armed after another ``sleep_window`` so a
  hung probe cannot block recovery. Its success closes the breaker (and
  clears the window); its failure, or a slow success, opens it again.
* **Failures** are transport errors and statuses in ``failure_statuses``
  (5xx by default). A 4xx is the caller's problem, never the dependency's;
  local rejections and cancellations are not outcomes at all.
* **Manual modes.** ``force_open()`` rejects everything; ``force_closed()``
  admits everything and still counts; ``metrics_only()`` runs the state
  machine and reports what it would do (``shadow_rejections``) but admits
  everything, for rolling a breaker out safely.

Concurrency. The state lives in one ``_BreakerCore`` per name per process
(the registry hands every handle with that name the same core). A short
``threading.Lock`` protects transitions and counters; it is never held while
the call runs. Admission while closed takes no lock at all: it returns the
ticket of the current closed epoch. Every transition starts a new epoch, so
an outcome from an earlier epoch (a call admitted before the breaker opened,
a probe from an earlier half-open) can never move the state. The same code
serves threads and asyncio tasks: nothing in it awaits.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from prodready.http._clock import SYSTEM_CLOCK, Clock
from prodready.http._exceptions import CircuitOpenError

if TYPE_CHECKING:
    from prodready.http._store import StateStore

__all__ = [
    "BreakerMetrics",
    "BreakerRegistry",
    "CircuitBreaker",
    "Mode",
    "Outcome",
    "State",
    "StateChange",
    "default_registry",
]

_log = logging.getLogger("prodready.http")


class State(StrEnum):
    """Where the state machine is."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class Mode(StrEnum):
    """How the state machine is used (set by an operator, not by traffic)."""

    NORMAL = "normal"
    FORCED_OPEN = "forced_open"
    FORCED_CLOSED = "forced_closed"
    METRICS_ONLY = "metrics_only"


class Outcome:
    """How an admitted call ended, as recorded by the breaker."""

    SUCCESS: Final = 0
    FAILURE: Final = 1
    IGNORED: Final = 2  # cancelled, or refused locally after admission


# Module-level aliases: an enum member lookup (``State.CLOSED``) costs ~0.2 us
# on CPython 3.11, and the breaker's hot paths make several per call.
_CLOSED, _OPEN, _HALF_OPEN = State.CLOSED, State.OPEN, State.HALF_OPEN
_NORMAL, _FORCED_OPEN, _FORCED_CLOSED, _METRICS_ONLY = (
    Mode.NORMAL,
    Mode.FORCED_OPEN,
    Mode.FORCED_CLOSED,
    Mode.METRICS_ONLY,
)
_SUCCESS, _FAILURE, _IGNORED = Outcome.SUCCESS, Outcome.FAILURE, Outcome.IGNORED


@dataclass(frozen=True, slots=True)
class StateChange:
    """Sent to listeners after every transition, in transition order."""

    name: str
    old: State
    new: State
    at: float
    """The breaker clock's monotonic reading at the transition."""
    reason: str


@dataclass(frozen=True, slots=True)
class BreakerMetrics:
    """A consistent snapshot of one breaker."""

    name: str
    state: State
    mode: Mode
    requests: int
    """Outcomes in the rolling window."""
    failures: int
    slow: int
    error_rate: float
    slow_rate: float
    retry_after: float | None
    """Seconds until a probe may be admitted; ``None`` unless open or half-open."""
    successes_total: int
    failures_total: int
    rejections_total: int
    shadow_rejections_total: int
    """Calls ``metrics_only`` mode let through that would have been rejected."""


@dataclass(frozen=True, slots=True)
class _Config:
    error_threshold: float
    volume_threshold: int
    window: float
    buckets: int
    sleep_window: float
    slow_call_duration: float | None
    slow_call_threshold: float
    failure_statuses: frozenset[int]


class _Ticket:
    """Proof of admission, returned to the breaker with the outcome."""

    __slots__ = ("epoch", "probe", "shadow")

    def __init__(self, epoch: int, *, probe: bool = False, shadow: bool = False) -> None:
        self.epoch = epoch
        self.probe = probe
        self.shadow = shadow


class _RollingWindow:
    """Counts per time bucket with running sums; O(1) amortised per record.

    A bucket's index is ``int(now / width)``; the window at time ``now``
    holds buckets ``head - n + 1 .. head`` where ``head`` is ``now``'s index.

    ``_BreakerCore.record`` adds to it directly (the hottest code in the
    package): while a reading is below ``_next_at`` (the first reading of
    the next bucket, exact) it belongs to the head bucket, whose list index
    is ``_slot``; otherwise ``advance`` moves the head.
    """

    __slots__ = (
        "_fails",
        "_head",
        "_n",
        "_next_at",
        "_slot",
        "_slows",
        "_totals",
        "_width",
        "fails",
        "slows",
        "total",
    )

    def __init__(self, window: float, buckets: int) -> None:
        self._n = buckets
        self._width = window / buckets
        self.reset()

    def reset(self) -> None:
        n = self._n
        self._totals = [0] * n
        self._fails = [0] * n
        self._slows = [0] * n
        self._head: int | None = None
        self._slot = 0
        self._next_at = -math.inf  # the next reading sets the head
        self.total = self.fails = self.slows = 0

    def _start_of(self, idx: int) -> float:
        """The smallest reading whose bucket index is ``idx`` or more.

        Exact (to the last bit), so that ``now >= _next_at`` agrees with
        ``int(now / width) > head`` for every reading.
        """
        width = self._width
        x = idx * width
        while int(x / width) < idx:
            x = math.nextafter(x, math.inf)
        while int((below := math.nextafter(x, -math.inf)) / width) >= idx:
            x = below
        return x

    def advance(self, now: float) -> None:
        """Move the head to ``now``'s bucket, dropping buckets that left.

        A reading older than the head (a thread that read the clock before
        another took the lock) counts in the head bucket.
        """
        idx = int(now / self._width)
        head = self._head
        if head is not None:
            if idx <= head:
                return
            if idx - head >= self._n:
                self.reset()
            else:
                n = self._n
                totals, fails, slows = self._totals, self._fails, self._slows
                for i in range(head + 1, idx + 1):
                    slot = i % n
                    self.total -= totals[slot]
                    self.fails -= fails[slot]
                    self.slows -= slows[slot]
                    totals[slot] = fails[slot] = slows[slot] = 0
        self._head = idx
        self._slot = idx % self._n
        self._next_at = self._start_of(idx + 1)


Listener = Callable[[StateChange], None]


class _BreakerCore:
    """The shared state of one named breaker. See the module docstring."""

    def __init__(
        self, name: str, config: _Config, clock: Clock, store: StateStore | None = None
    ) -> None:
        self.name = name
        self.config = config
        self.clock = clock
        self.store = store
        self._lock = threading.Lock()
        self._window = _RollingWindow(config.window, config.buckets)
        self._state = _CLOSED
        self._mode = _NORMAL
        self._epoch = 0
        self._open_until = 0.0  # OPEN: when the first probe may go
        self._probe_until = 0.0  # HALF_OPEN: when the probe slot re-arms (0: free)
        self._claiming = False  # a thread is asking the store for the probe slot
        # Lock-free fast paths. _closed_ticket is the ticket every call gets
        # while admission needs no decision (None otherwise); _reject_until
        # lets an open breaker fail fast without the lock (0.0 unless open).
        self._closed_ticket: _Ticket | None = _Ticket(0)
        self._reject_until = 0.0
        self._successes_total = 0
        self._failures_total = 0
        self._rejections_total = 0
        self._shadow_rejections_total = 0
        self._listeners: list[Listener] = []
        self._listener_refs: dict[Listener, int] = {}
        self._pending: deque[tuple[StateChange, bool]] = deque()
        self._notify_lock = threading.Lock()
        if store is not None:
            store.attach(self)

    # -- admission -----------------------------------------------------------

    def admit(self) -> _Ticket:
        """A ticket for one call, or raise :class:`CircuitOpenError`."""
        result = self.try_admit()
        if isinstance(result, CircuitOpenError):
            raise result
        return result

    def try_admit(self) -> _Ticket | CircuitOpenError:
        """A ticket, or the refusal to raise (returned, so the caller raises it once)."""
        ticket = self._closed_ticket
        store = self.store
        if ticket is not None and store is None:
            return ticket
        now = self.clock.monotonic()
        reject_until = self._reject_until
        if now < reject_until:
            lock = self._lock
            lock.acquire()
            self._rejections_total += 1
            lock.release()
            return CircuitOpenError(dependency=self.name, retry_after=reject_until - now)
        if store is not None:
            store.sync(self, now)
            ticket = self._closed_ticket
            if ticket is not None:
                return ticket
        with self._lock:
            ticket, retry_after, claim = self._admit_locked(now)
        if claim:
            assert store is not None
            granted, wait = store.claim_probe(self)
            with self._lock:
                ticket, retry_after = self._finish_claim(now, granted, wait)
        self._drain()
        if ticket is not None:
            return ticket
        return self._open_error(retry_after)

    def _admit_locked(self, now: float) -> tuple[_Ticket | None, float | None, bool]:
        """Decide under the lock: a ticket, a rejection, or "ask the store first"."""
        mode = self._mode
        if mode is _FORCED_OPEN:
            self._rejections_total += 1
            return None, None, False
        state = self._state
        if mode is _FORCED_CLOSED or state is _CLOSED:
            return self._closed_ticket or _Ticket(self._epoch), None, False
        due = self._open_until if state is _OPEN else self._probe_until
        if now >= due and not self._claiming:
            if self.store is not None:
                self._claiming = True
                return None, None, True
            return self._grant_probe(now), None, False
        ticket, retry_after = self._reject(max(due - now, 0.0) or self.config.sleep_window)
        return ticket, retry_after, False

    def _grant_probe(self, now: float) -> _Ticket:
        if self._state is _OPEN:
            self._transition(_HALF_OPEN, now, "sleep window elapsed")
        self._probe_until = now + self.config.sleep_window
        return _Ticket(self._epoch, probe=True)

    def _finish_claim(
        self, now: float, granted: bool, wait: float
    ) -> tuple[_Ticket | None, float | None]:
        self._claiming = False
        if self._mode is _FORCED_OPEN:
            self._rejections_total += 1
            return None, None
        if self._mode is _FORCED_CLOSED or self._state is _CLOSED:
            return self._closed_ticket or _Ticket(self._epoch), None
        if granted:
            return self._grant_probe(now), None
        # Another process holds the probe slot: wait as long as it may last.
        if self._state is _OPEN:
            self._open_until = now + wait
            self._refresh_fast_paths()
        else:
            self._probe_until = now + wait
        return self._reject(wait or self.config.sleep_window)

    def _reject(self, retry_after: float) -> tuple[_Ticket | None, float | None]:
        if self._mode is _METRICS_ONLY:
            self._shadow_rejections_total += 1
            return _Ticket(self._epoch, shadow=True), None
        self._rejections_total += 1
        return None, retry_after

    def _open_error(self, retry_after: float | None) -> CircuitOpenError:
        return CircuitOpenError(dependency=self.name, retry_after=retry_after)

    # -- outcomes ------------------------------------------------------------

    def record(
        self, ticket: _Ticket, outcome: int, duration: float, now: float | None = None
    ) -> None:
        """Report how an admitted call ended (``outcome`` is an :class:`Outcome`).

        ``now`` saves a clock reading when the caller has one from this clock.
        """
        if now is None:
            now = self.clock.monotonic()
        if outcome in (_SUCCESS, _FAILURE):
            self.record_outcome(ticket, outcome == _FAILURE, duration, now)
            return
        if outcome != _IGNORED:
            raise ValueError(f"outcome must be an Outcome (0, 1 or 2), got {outcome!r}")
        with self._lock:
            if ticket.epoch != self._epoch or ticket.shadow:
                return  # admitted under an earlier state: never decisive
            if self._state is _HALF_OPEN and ticket.probe:
                self._probe_until = 0.0  # the probe did not happen: free the slot
        if self._pending:
            self._drain()

    def record_outcome(self, ticket: _Ticket, failed: bool, duration: float, now: float) -> None:
        """:meth:`record` for a success or a failure, ``now`` read from this breaker's clock.

        The transports call it directly: it runs once per attempt.
        """
        cfg = self.config
        slow_after = cfg.slow_call_duration
        slow = slow_after is not None and duration >= slow_after
        lock = self._lock
        lock.acquire()
        try:
            if failed:
                self._failures_total += 1
            else:
                self._successes_total += 1
            if ticket.epoch != self._epoch or ticket.shadow:
                return  # admitted under an earlier state: counted, never decisive
            state = self._state
            if state is _CLOSED:
                # Add to the window (inline: this runs on every call).
                window = self._window
                if now >= window._next_at:
                    window.advance(now)
                slot = window._slot
                window._totals[slot] += 1
                window.total += 1
                if failed:
                    window._fails[slot] += 1
                    window.fails += 1
                if slow:
                    window._slows[slot] += 1
                    window.slows += 1
                # Thresholds are > 0, so a window without failures or slow calls cannot trip.
                if (window.fails or window.slows) and window.total >= cfg.volume_threshold:
                    self._trip_if_due_locked(now)
            elif state is _HALF_OPEN and ticket.probe:
                self._judge_probe_locked(failed, slow, now)
        finally:
            lock.release()
        if self._pending:
            self._drain()

    def _trip_if_due_locked(self, now: float) -> None:
        cfg, window = self.config, self._window
        total = window.total
        if self._mode is not _FORCED_CLOSED and (
            window.fails >= cfg.error_threshold * total
            or (
                cfg.slow_call_duration is not None
                and window.slows >= cfg.slow_call_threshold * total
            )
        ):
            self._transition(_OPEN, now, self._trip_reason(window))

    def _judge_probe_locked(self, failed: bool, slow: bool, now: float) -> None:
        if failed:
            self._transition(_OPEN, now, "probe failed")
        elif slow:
            self._transition(_OPEN, now, f"probe slower than {self.config.slow_call_duration:g} s")
        else:
            self._transition(_CLOSED, now, "probe succeeded")

    def _trip_reason(self, window: _RollingWindow) -> str:
        total = window.total
        if window.fails >= self.config.error_threshold * total:
            return f"{window.fails}/{total} calls failed in the window"
        return f"{window.slows}/{total} calls were slow in the window"

    # -- transitions (lock held) ---------------------------------------------

    def _transition(self, new: State, now: float, reason: str, *, publish: bool = True) -> None:
        old = self._state
        self._epoch += 1
        self._state = new
        if new is _OPEN:
            self._open_until = now + self.config.sleep_window
            self._probe_until = 0.0
        elif new is _CLOSED:
            self._window.reset()
            self._probe_until = 0.0
        self._refresh_fast_paths()
        self._pending.append((StateChange(self.name, old, new, now, reason), publish))

    def _refresh_fast_paths(self) -> None:
        mode, state = self._mode, self._state
        if mode is _FORCED_CLOSED or (mode is not _FORCED_OPEN and state is _CLOSED):
            current = self._closed_ticket
            if current is None or current.epoch != self._epoch:
                self._closed_ticket = _Ticket(self._epoch)
        else:
            self._closed_ticket = None
        self._reject_until = self._open_until if mode is _NORMAL and state is _OPEN else 0.0

    def apply_remote(self, new: State, now: float, wait: float, reason: str) -> None:
        """Adopt a state another process published (called by the store).

        ``now`` is the reading the caller's ``sync`` got; ``wait`` is how long
        a remote OPEN has left. Never re-published.
        """
        with self._lock:
            if new is _OPEN:
                if self._state is not _OPEN:
                    self._transition(_OPEN, now, reason, publish=False)
                self._open_until = now + wait
                self._refresh_fast_paths()
            elif new is _CLOSED and self._state is not _CLOSED:
                self._transition(_CLOSED, now, reason, publish=False)
        self._drain()

    # -- operator controls ---------------------------------------------------

    def set_mode(self, mode: Mode) -> None:
        now = self.clock.monotonic()
        with self._lock:
            self._mode = mode
            if mode is _FORCED_CLOSED and self._state is not _CLOSED:
                self._transition(_CLOSED, now, "forced closed by operator")
            else:
                self._epoch += 1  # outcomes in flight from before the switch do not count
                self._refresh_fast_paths()
        self._drain()

    def reset(self) -> None:
        now = self.clock.monotonic()
        with self._lock:
            self._mode = _NORMAL
            if self._state is not _CLOSED:
                self._transition(_CLOSED, now, "reset by operator")
            else:
                self._epoch += 1
                self._window.reset()
                self._refresh_fast_paths()
        self._drain()

    # -- reading -------------------------------------------------------------

    @property
    def state(self) -> State:
        return self._state

    @property
    def mode(self) -> Mode:
        return self._mode

    def metrics(self) -> BreakerMetrics:
        now = self.clock.monotonic()
        with self._lock:
            window = self._window
            window.advance(now)
            total = window.total
            retry_after: float | None = None
            if self._mode is _FORCED_OPEN:
                retry_after = None
            elif self._state is _OPEN:
                retry_after = max(self._open_until - now, 0.0)
            elif self._state is _HALF_OPEN:
                retry_after = max(self._probe_until - now, 0.0)
            return BreakerMetrics(
                name=self.name,
                state=self._state,
                mode=self._mode,
                requests=total,
                failures=window.fails,
                slow=window.slows,
                error_rate=window.fails / total if total else 0.0,
                slow_rate=window.slows / total if total else 0.0,
                retry_after=retry_after,
                successes_total=self._successes_total,
                failures_total=self._failures_total,
                rejections_total=self._rejections_total,
                shadow_rejections_total=self._shadow_rejections_total,
            )

    # -- listeners -----------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        # Counted, so that two clients sharing a plugin and this breaker get
        # one delivery each change, and closing one client keeps the other's.
        with self._lock:
            refs = self._listener_refs.get(listener, 0)
            self._listener_refs[listener] = refs + 1
            if refs == 0:
                self._listeners = [*self._listeners, listener]

    def remove_listener(self, listener: Listener) -> None:
        with self._lock:
            refs = self._listener_refs.get(listener, 0)
            if refs <= 1:
                self._listener_refs.pop(listener, None)
                self._listeners = [x for x in self._listeners if x != listener]
            else:
                self._listener_refs[listener] = refs - 1

    def _drain(self) -> None:
        # Deliver pending changes in transition order, outside the state lock.
        # Whoever holds the notify lock delivers everyone's changes; a thread
        # that finds it taken leaves its change to the holder, which checks
        # again after releasing. A listener that calls back into the breaker
        # therefore cannot deadlock.
        while self._pending:
            if not self._notify_lock.acquire(blocking=False):
                return
            try:
                while self._pending:
                    change, publish = self._pending.popleft()
                    if publish and self.store is not None:
                        self.store.publish(self, change)
                    for listener in self._listeners:
                        try:
                            listener(change)
                        except Exception:
                            _log.exception(
                                "circuit breaker %r: a state-change listener failed", self.name
                            )
            finally:
                self._notify_lock.release()


class BreakerRegistry:
    """Named breakers, one shared state per name.

    Every :class:`CircuitBreaker` built with the same name and registry shares
    one state, so all clients calling one dependency see one breaker. Building
    one with the same name but different settings is an error: two opinions
    about when a dependency is down is a bug.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cores: dict[str, _BreakerCore] = {}

    def _attach(
        self, name: str, config: _Config, clock: Clock, store: StateStore | None
    ) -> _BreakerCore:
        with self._lock:
            core = self._cores.get(name)
            if core is None:
                core = _BreakerCore(name, config, clock, store)
                self._cores[name] = core
                return core
        if core.config != config:
            raise ValueError(
                f"circuit breaker {name!r} already exists with different settings "
                f"({_describe(core.config)}); give this one another name, reuse the "
                "existing CircuitBreaker, or use a separate BreakerRegistry"
            )
        if core.clock is not clock or core.store is not store:
            raise ValueError(
                f"circuit breaker {name!r} already exists with another clock or state store"
            )
        return core

    def get(self, name: str) -> CircuitBreaker | None:
        """The breaker registered under ``name``, if any."""
        with self._lock:
            core = self._cores.get(name)
        return None if core is None else CircuitBreaker._from_core(core)

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._cores)

    def remove(self, name: str) -> None:
        """Forget ``name`` (handles already built keep the old state)."""
        with self._lock:
            self._cores.pop(name, None)

    def clear(self) -> None:
        with self._lock:
            self._cores.clear()


def _describe(config: _Config) -> str:
    return (
        f"error_threshold={config.error_threshold:g}, volume_threshold={config.volume_threshold}, "
        f"window={config.window:g}, buckets={config.buckets}, sleep_window={config.sleep_window:g}"
    )


default_registry = BreakerRegistry()
"""The process-wide registry :class:`CircuitBreaker` uses unless told otherwise."""

_SERVER_ERRORS: Final = frozenset(range(500, 600))


def _number(name: str, value: float, *, low: float, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not value >= low or (high is not None and value > high):
        bound = f">= {low:g}" if high is None else f"between {low:g} and {high:g}"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return float(value)


class CircuitBreaker:
    """A handle on the shared breaker named ``name``.

    ``error_threshold`` is a fraction (heimdall's ``ErrorPercentThreshold(20)``
    is ``0.2``); ``window`` and ``sleep_window`` are seconds (heimdall's
    ``SleepWindow`` is milliseconds). See the module docstring for semantics.
    """

    __slots__ = ("_core",)

    def __init__(
        self,
        name: str,
        *,
        error_threshold: float = 0.5,
        volume_threshold: int = 20,
        window: float = 10.0,
        buckets: int = 10,
        sleep_window: float = 5.0,
        slow_call_duration: float | None = None,
        slow_call_threshold: float = 0.5,
        failure_statuses: Collection[int] | None = None,
        clock: Clock | None = None,
        registry: BreakerRegistry | None = None,
        store: StateStore | None = None,
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ValueError("a circuit breaker needs a name: the dependency it protects")
        if isinstance(volume_threshold, bool) or not isinstance(volume_threshold, int):
            raise TypeError(f"volume_threshold must be an int, got {volume_threshold!r}")
        if volume_threshold < 1:
            raise ValueError(f"volume_threshold must be >= 1, got {volume_threshold}")
        if isinstance(buckets, bool) or not isinstance(buckets, int) or buckets < 1:
            raise ValueError(f"buckets must be an int >= 1, got {buckets!r}")
        if error_threshold > 1 and error_threshold <= 100:
            raise ValueError(
                f"error_threshold is a fraction, got {error_threshold!r}: "
                f"write {error_threshold / 100:g} for {error_threshold:g}%"
            )
        statuses = _SERVER_ERRORS if failure_statuses is None else frozenset(failure_statuses)
        if any(400 <= s < 500 for s in statuses):
            raise ValueError("a 4xx is the caller's fault, never the dependency's: not a failure")
        config = _Config(
            error_threshold=_number("error_threshold", error_threshold, low=0.0, high=1.0),
            volume_threshold=volume_threshold,
            window=_number("window", window, low=0.001),
            buckets=buckets,
            sleep_window=_number("sleep_window", sleep_window, low=0.0),
            slow_call_duration=None
            if slow_call_duration is None
            else _number("slow_call_duration", slow_call_duration, low=0.0),
            slow_call_threshold=_number(
                "slow_call_threshold", slow_call_threshold, low=0.0, high=1.0
            ),
            failure_statuses=statuses,
        )
        if config.error_threshold == 0:
            raise ValueError("error_threshold must be > 0 (0 would trip on success)")
        if config.slow_call_threshold == 0:
            raise ValueError("slow_call_threshold must be > 0 (0 would trip on fast calls)")
        self._core = (registry or default_registry)._attach(
            name, config, clock or SYSTEM_CLOCK, store
        )

    @classmethod
    def _from_core(cls, core: _BreakerCore) -> CircuitBreaker:
        handle = cls.__new__(cls)
        handle._core = core
        return handle

    @property
    def name(self) -> str:
        return self._core.name

    @property
    def state(self) -> State:
        """The current state (``CLOSED`` while forced closed or open only by mode)."""
        return self._core.state

    @property
    def mode(self) -> Mode:
        return self._core.mode

    @property
    def sleep_window(self) -> float:
        return self._core.config.sleep_window

    @property
    def failure_statuses(self) -> frozenset[int]:
        return self._core.config.failure_statuses

    def metrics(self) -> BreakerMetrics:
        """A snapshot of the window, the state and lifetime counters."""
        return self._core.metrics()

    def force_open(self) -> None:
        """Reject every call until :meth:`reset` (an operator's kill switch)."""
        self._core.set_mode(_FORCED_OPEN)

    def force_closed(self) -> None:
        """Admit every call and keep counting, never trip, until :meth:`reset`."""
        self._core.set_mode(_FORCED_CLOSED)

    def metrics_only(self) -> None:
        """Run the state machine but never reject: see what it would do."""
        self._core.set_mode(_METRICS_ONLY)

    def reset(self) -> None:
        """Back to normal mode, closed, with an empty window."""
        self._core.reset()

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(StateChange)`` after every transition (once per listener)."""
        self._core.add_listener(listener)

    def remove_listener(self, listener: Listener) -> None:
        self._core.remove_listener(listener)

    def is_failure_status(self, status_code: int) -> bool:
        return status_code in self._core.config.failure_statuses

    # The engine's interface (used by the transports; public for other callers).

    def admit(self) -> _Ticket:
        """Admit one call or raise :class:`CircuitOpenError`. Never blocks."""
        return self._core.admit()

    def record(self, ticket: _Ticket, outcome: int, duration: float = 0.0) -> None:
        """Report the :class:`Outcome` of a call admitted by :meth:`admit`."""
        self._core.record(ticket, outcome, duration)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CircuitBreaker) and other._core is self._core

    def __hash__(self) -> int:
        return id(self._core)

    def __repr__(self) -> str:
        return f"CircuitBreaker({self.name!r}, state={self.state.value}, mode={self.mode.value})"
