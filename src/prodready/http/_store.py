"""Where a breaker's state may be shared beyond one process.

By default a breaker's state lives in its process; every client in that
process that names the same breaker shares it. A :class:`StateStore` extends
that to every process that points at the same store (the Redis store behind
the ``redis`` extra is the one we ship).

What is shared, and what is not (docs/adr/0024): the *state* is shared
(open, closed, and which single process holds the half-open probe), the
*counts* are not. Each process decides from its own rolling window when to
trip; once one process trips, all of them stop calling. Sharing counts would
put a network round trip on every call; sharing the state costs a round trip
only per transition, per probe and per ``refresh_interval``.

The breaker calls a store only outside its own lock, so a slow store delays
one caller, never every caller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from prodready.http._breaker import StateChange, _BreakerCore

__all__ = ["StateStore"]


class StateStore(Protocol):
    """The contract between a breaker and a shared store."""

    def attach(self, core: _BreakerCore) -> None:
        """A breaker starts using this store."""
        ...

    def sync(self, core: _BreakerCore, now: float) -> None:
        """Adopt remote changes through ``core.apply_remote``; cheap when nothing is due."""
        ...

    def claim_probe(self, core: _BreakerCore) -> tuple[bool, float]:
        """Try to become the one half-open probe across processes.

        Returns ``(True, 0.0)`` when granted, else ``(False, seconds)`` until
        the current holder's slot ends.
        """
        ...

    def publish(self, core: _BreakerCore, change: StateChange) -> None:
        """Share a transition this process made."""
        ...
