"""A deliberately naive reference model of the circuit breaker.

It keeps every recorded outcome in a list and counts the window by filtering
that list, takes no shortcuts (no fast paths, no ring buffer, no running
sums) and is written straight from the documented semantics in
``prodready.http._breaker``. The real breaker must agree with it on every
observable: admission, probes, ``retry_after``, state and window counts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from prodready.http import Mode, State

SUCCESS, FAILURE, IGNORED = 0, 1, 2


@dataclass
class ModelTicket:
    epoch: int
    probe: bool = False
    shadow: bool = False


@dataclass
class Model:
    error_threshold: float
    volume_threshold: int
    window: float
    buckets: int
    sleep_window: float
    slow_call_duration: float | None = None
    slow_call_threshold: float = 0.5
    state: State = State.CLOSED
    mode: Mode = Mode.NORMAL
    epoch: int = 0
    open_until: float = 0.0
    probe_until: float = 0.0
    events: list[tuple[int, bool, bool]] = field(default_factory=list)  # (bucket, failed, slow)

    def clone(self) -> Model:
        return dataclasses.replace(self, events=list(self.events))

    def key(self) -> tuple[object, ...]:
        """Everything that determines future behaviour, hashable (for memoised search)."""
        return (
            self.state,
            self.mode,
            self.epoch,
            self.open_until,
            self.probe_until,
            tuple(self.events),
        )

    # -- window ----------------------------------------------------------------

    def _bucket(self, now: float) -> int:
        return int(now / (self.window / self.buckets))

    def counts(self, now: float) -> tuple[int, int, int]:
        head = self._bucket(now)
        inside = [e for e in self.events if e[0] > head - self.buckets]
        return len(inside), sum(e[1] for e in inside), sum(e[2] for e in inside)

    # -- transitions -----------------------------------------------------------

    def _go(self, new: State, now: float) -> None:
        self.epoch += 1
        self.state = new
        if new is State.OPEN:
            self.open_until = now + self.sleep_window
            self.probe_until = 0.0
        elif new is State.CLOSED:
            self.events = []
            self.probe_until = 0.0

    # -- operations --------------------------------------------------------------

    def admit(self, now: float) -> ModelTicket | float | None:
        """A ticket, or the ``retry_after`` of a rejection (``None``: forced open)."""
        if self.mode is Mode.FORCED_OPEN:
            return None
        if self.mode is Mode.FORCED_CLOSED or self.state is State.CLOSED:
            return ModelTicket(self.epoch)
        due = self.open_until if self.state is State.OPEN else self.probe_until
        if now >= due:
            if self.state is State.OPEN:
                self._go(State.HALF_OPEN, now)
            self.probe_until = now + self.sleep_window
            return ModelTicket(self.epoch, probe=True)
        if self.mode is Mode.METRICS_ONLY:
            return ModelTicket(self.epoch, shadow=True)
        wait = due - now
        return wait if wait > 0 else self.sleep_window

    def record(self, ticket: ModelTicket, outcome: int, duration: float, now: float) -> None:
        if ticket.epoch != self.epoch or ticket.shadow:
            return
        slow = (
            self.slow_call_duration is not None
            and duration >= self.slow_call_duration
            and outcome != IGNORED
        )
        if self.state is State.CLOSED:
            if outcome == IGNORED:
                return
            self.events.append((self._bucket(now), outcome == FAILURE, slow))
            if self.mode is Mode.FORCED_CLOSED:
                return
            total, fails, slows = self.counts(now)
            if total >= self.volume_threshold and (
                fails >= self.error_threshold * total
                or (
                    self.slow_call_duration is not None
                    and slows >= self.slow_call_threshold * total
                )
            ):
                self._go(State.OPEN, now)
        elif self.state is State.HALF_OPEN and ticket.probe:
            if outcome == IGNORED:
                self.probe_until = 0.0
            elif outcome == FAILURE or slow:
                self._go(State.OPEN, now)
            else:
                self._go(State.CLOSED, now)

    def set_mode(self, mode: Mode, now: float) -> None:
        self.mode = mode
        if mode is Mode.FORCED_CLOSED and self.state is not State.CLOSED:
            self._go(State.CLOSED, now)
        else:
            self.epoch += 1

    def reset(self, now: float) -> None:
        self.mode = Mode.NORMAL
        if self.state is not State.CLOSED:
            self._go(State.CLOSED, now)
        else:
            self.epoch += 1
            self.events = []

    def retry_after(self, now: float) -> float | None:
        if self.mode is Mode.FORCED_OPEN:
            return None
        if self.state is State.OPEN:
            return max(self.open_until - now, 0.0)
        if self.state is State.HALF_OPEN:
            return max(self.probe_until - now, 0.0)
        return None
