"""Backoff strategies: small, immutable values that compose with ``+``.

Public as :mod:`prodready.http.backoff`. A strategy answers one question,
"how long to wait before retry number *n*?", from three inputs: the retry
number (1 before the first retry), the previous delay it returned (for
decorrelated jitter) and a source of uniform random numbers in ``[0, 1)``
(injected, so tests are deterministic).

Caps hold *after* jitter. heimdall adds its jitter on top of the capped
exponential, so ``maximumJitterInterval`` lets a delay exceed the maximum you
asked for; here a cap declared on any term of a sum caps the whole sum::

    exponential(0.01, max=1.0) + jitter(0.005)   # never more than 1.0 s

The flip side: at the cap the jitter of such a sum is clipped away. When many
clients may sit at the cap together, prefer :func:`full_jitter` or
:func:`decorrelated_jitter`, whose spread survives the cap (see docs/http.md).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from random import random as _default_random

__all__ = [
    "Backoff",
    "constant",
    "decorrelated_jitter",
    "exponential",
    "full_jitter",
    "jitter",
    "linear",
    "none",
]

Random = Callable[[], float]
"""A source of uniform floats in ``[0, 1)``; :func:`random.random` by default."""

# 2.0 ** 1024 overflows a float; a retry schedule never gets near it, but a
# strategy must not raise OverflowError on retry 2000 either.
_MAX_EXPONENT = 1000


def _check_delay(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds, got {value!r}")
    if math.isnan(value) or value < 0:
        raise ValueError(f"{name} must be >= 0 seconds, got {value!r}")
    return float(value)


def _check_cap(value: float | None) -> float | None:
    return None if value is None else _check_delay("max", value)


def _fmt(value: float) -> str:
    return f"{value:g}"


class Backoff(ABC):
    """Base of every strategy. Subclasses are frozen dataclasses."""

    __slots__ = ()

    @property
    @abstractmethod
    def cap(self) -> float | None:
        """The largest delay this strategy may return (``None``: no cap)."""

    @abstractmethod
    def _uncapped(self, retry: int, previous: float, rand: Random) -> float: ...

    def delay(self, retry: int, previous: float = 0.0, rand: Random = _default_random) -> float:
        """Seconds to wait before retry number ``retry`` (1-based)."""
        if retry < 1:
            raise ValueError(f"retry numbers start at 1, got {retry}")
        value = self._uncapped(retry, previous, rand)
        cap = self.cap
        if cap is not None and value > cap:
            return cap
        return max(value, 0.0)

    def schedule(self, retries: int, rand: Random = _default_random) -> list[float]:
        """The first ``retries`` delays, in order: handy to check a policy by eye."""
        delays: list[float] = []
        previous = 0.0
        for n in range(1, retries + 1):
            previous = self.delay(n, previous, rand)
            delays.append(previous)
        return delays

    def __add__(self, other: object) -> Backoff:
        if not isinstance(other, Backoff):
            return NotImplemented
        return _Sum(_terms(self) + _terms(other))

    def capped(self, max: float) -> Backoff:
        """The same strategy, never waiting more than ``max`` seconds."""
        cap = _check_delay("max", max)
        if isinstance(self, _Sum):
            previous = self.explicit_cap
            return _Sum(self.terms, cap if previous is None else min(cap, previous))
        return _Sum((self,), cap)


def _terms(strategy: Backoff) -> tuple[Backoff, ...]:
    # Flatten plain sums; a sum with its own cap stays one term so that its
    # cap keeps applying to exactly what it capped.
    if isinstance(strategy, _Sum) and strategy.explicit_cap is None:
        return strategy.terms
    return (strategy,)


@dataclass(frozen=True, slots=True)
class _Constant(Backoff):
    seconds: float

    @property
    def cap(self) -> float | None:
        return None

    def _uncapped(self, retry: int, previous: float, rand: Random) -> float:
        return self.seconds

    def __repr__(self) -> str:
        return f"constant({_fmt(self.seconds)})"


@dataclass(frozen=True, slots=True)
class _Linear(Backoff):
    initial: float
    step: float
    max: float | None

    @property
    def cap(self) -> float | None:
        return self.max

    def _uncapped(self, retry: int, previous: float, rand: Random) -> float:
        return self.initial + self.step * (retry - 1)

    def __repr__(self) -> str:
        cap = "" if self.max is None else f", max={_fmt(self.max)}"
        return f"linear({_fmt(self.initial)}, step={_fmt(self.step)}{cap})"


@dataclass(frozen=True, slots=True)
class _Exponential(Backoff):
    initial: float
    multiplier: float
    max: float | None

    @property
    def cap(self) -> float | None:
        return self.max

    def _uncapped(self, retry: int, previous: float, rand: Random) -> float:
        if self.initial == 0:
            return 0.0
        try:
            return self.initial * self.multiplier ** min(retry - 1, _MAX_EXPONENT)
        except OverflowError:
            return math.inf

    def __repr__(self) -> str:
        mult = "" if self.multiplier == 2.0 else f", multiplier={_fmt(self.multiplier)}"
        cap = "" if self.max is None else f", max={_fmt(self.max)}"
        return f"exponential({_fmt(self.initial)}{mult}{cap})"


@dataclass(frozen=True, slots=True)
class _Jitter(Backoff):
    amount: float

    @property
    def cap(self) -> float | None:
        return None

    def _uncapped(self, retry: int, previous: float, rand: Random) -> float:
        return rand() * self.amount

    def __repr__(self) -> str:
        return f"jitter({_fmt(self.amount)})"


@dataclass(frozen=True, slots=True)
class _FullJitter(Backoff):
    initial: float
    multiplier: float
    max: float | None

    @property
    def cap(self) -> float | None:
        return self.max

    def _uncapped(self, retry: int, previous: float, rand: Random) -> float:
        ceiling = _Exponential(self.initial, self.multiplier, self.max).delay(retry)
        return rand() * ceiling

    def __repr__(self) -> str:
        mult = "" if self.multiplier == 2.0 else f", multiplier={_fmt(self.multiplier)}"
        cap = "" if self.max is None else f", max={_fmt(self.max)}"
        return f"full_jitter({_fmt(self.initial)}{mult}{cap})"


@dataclass(frozen=True, slots=True)
class _DecorrelatedJitter(Backoff):
    initial: float
    max: float | None

    @property
    def cap(self) -> float | None:
        return self.max

    def _uncapped(self, retry: int, previous: float, rand: Random) -> float:
        # AWS Architecture Blog, "Exponential Backoff And Jitter":
        # sleep = min(cap, uniform(base, sleep * 3)).
        low = self.initial
        high = max(previous, self.initial) * 3
        return low + rand() * (high - low)

    def __repr__(self) -> str:
        cap = "" if self.max is None else f", max={_fmt(self.max)}"
        return f"decorrelated_jitter({_fmt(self.initial)}{cap})"


@dataclass(frozen=True, slots=True)
class _Sum(Backoff):
    terms: tuple[Backoff, ...]
    explicit_cap: float | None = None

    @property
    def cap(self) -> float | None:
        caps = [t.cap for t in self.terms if t.cap is not None]
        if self.explicit_cap is not None:
            caps.append(self.explicit_cap)
        return min(caps) if caps else None

    def _uncapped(self, retry: int, previous: float, rand: Random) -> float:
        return sum(t.delay(retry, previous, rand) for t in self.terms)

    def __repr__(self) -> str:
        body = " + ".join(repr(t) for t in self.terms)
        if self.explicit_cap is None:
            return body
        inner = f"({body})" if len(self.terms) > 1 else body
        return f"{inner}.capped({_fmt(self.explicit_cap)})"


def none() -> Backoff:
    """Retry at once (no delay). Rarely right outside tests."""
    return _Constant(0.0)


def constant(seconds: float) -> Backoff:
    """The same delay before every retry (heimdall's ``NewConstantBackoff``)."""
    return _Constant(_check_delay("seconds", seconds))


def linear(initial: float, step: float | None = None, *, max: float | None = None) -> Backoff:
    """``initial``, ``initial + step``, ``initial + 2 * step``...

    ``step`` defaults to ``initial``.
    """
    initial = _check_delay("initial", initial)
    return _Linear(
        initial, initial if step is None else _check_delay("step", step), _check_cap(max)
    )


def exponential(initial: float, multiplier: float = 2.0, *, max: float | None = None) -> Backoff:
    """``initial * multiplier ** (retry - 1)``, capped at ``max``."""
    if multiplier < 1:
        raise ValueError(f"multiplier must be >= 1, got {multiplier!r}")
    return _Exponential(_check_delay("initial", initial), float(multiplier), _check_cap(max))


def jitter(max: float) -> Backoff:
    """A uniform random delay in ``[0, max)``, to add to another strategy."""
    return _Jitter(_check_delay("max", max))


def full_jitter(initial: float, multiplier: float = 2.0, *, max: float | None = None) -> Backoff:
    """Uniform in ``[0, min(max, initial * multiplier ** (retry - 1)))`` (AWS "full jitter")."""
    if multiplier < 1:
        raise ValueError(f"multiplier must be >= 1, got {multiplier!r}")
    return _FullJitter(_check_delay("initial", initial), float(multiplier), _check_cap(max))


def decorrelated_jitter(initial: float, *, max: float | None = None) -> Backoff:
    """Uniform in ``[initial, 3 * previous)``, capped (AWS "decorrelated jitter")."""
    return _DecorrelatedJitter(_check_delay("initial", initial), _check_cap(max))
