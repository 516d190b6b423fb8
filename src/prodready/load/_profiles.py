"""Arrival-rate profiles and the schedule they define.

A profile is a sequence of segments, each a rate function of time over a
fixed duration: constant, linear (a ramp) or sine. Every named profile a
user writes (step, spike, soak, k6-style stages...) is expanded into these
three primitives by ``prodready.load._stages``.

The schedule is the open model: with ``N(t)`` the cumulative number of
requests the profile asks for by time ``t``, request ``i`` is intended at the
first ``t`` with ``N(t) = i``, whatever happened to earlier requests. Each
segment inverts its own ``N`` in closed form (constant, linear) or by a
safeguarded Newton iteration (sine), so a worker can compute the intended
time of any request index in O(log segments) without walking the schedule.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from typing import Protocol

_EPSILON = 1e-9


class Segment(Protocol):
    """A rate function over ``[0, duration)`` with its integral and inverse."""

    @property
    def duration(self) -> float: ...

    def rate_at(self, t: float) -> float: ...

    def count_at(self, t: float) -> float: ...

    def time_for(self, n: float) -> float: ...


@dataclass(frozen=True, slots=True)
class ConstantSegment:
    rate: float
    duration: float

    def rate_at(self, t: float) -> float:
        return self.rate

    def count_at(self, t: float) -> float:
        return self.rate * t

    def time_for(self, n: float) -> float:
        return n / self.rate if self.rate > 0 else 0.0


@dataclass(frozen=True, slots=True)
class LinearSegment:
    start: float
    end: float
    duration: float

    @property
    def slope(self) -> float:
        return (self.end - self.start) / self.duration

    def rate_at(self, t: float) -> float:
        return self.start + self.slope * t

    def count_at(self, t: float) -> float:
        return self.start * t + self.slope * t * t / 2

    def time_for(self, n: float) -> float:
        # Root of slope/2 t^2 + start t - n = 0, in the form that stays exact
        # when the slope is tiny and when the ramp starts at zero.
        if n <= 0:
            return 0.0
        disc = self.start * self.start + 2 * self.slope * n
        root = math.sqrt(max(disc, 0.0))
        denominator = self.start + root
        if denominator <= 0:
            return self.duration
        return 2 * n / denominator


@dataclass(frozen=True, slots=True)
class SineSegment:
    mean: float
    amplitude: float
    period: float
    duration: float

    def rate_at(self, t: float) -> float:
        return self.mean + self.amplitude * math.sin(2 * math.pi * t / self.period)

    def count_at(self, t: float) -> float:
        omega = 2 * math.pi / self.period
        return self.mean * t + self.amplitude / omega * (1 - math.cos(omega * t))

    def time_for(self, n: float) -> float:
        # N is non-decreasing (amplitude <= mean), so Newton's method guarded
        # by a bisection bracket always converges.
        if n <= 0:
            return 0.0
        low, high = 0.0, self.duration
        t = min(max(n / self.mean, low), high) if self.mean > 0 else high / 2
        for _ in range(100):
            error = self.count_at(t) - n
            if abs(error) < 1e-9:
                return t
            if error > 0:
                high = t
            else:
                low = t
            rate = self.rate_at(t)
            candidate = t - error / rate if rate > 1e-12 else -1.0
            t = candidate if low < candidate < high else (low + high) / 2
            if high - low < 1e-12:
                break
        return t


@dataclass(frozen=True)
class Profile:
    """A finite sequence of segments and the open-model schedule it defines.

    ``snapshot_every`` (set by soak stages) asks the engine to record a
    cumulative snapshot at that period, for long runs.
    """

    segments: tuple[Segment, ...]
    description: str = ""
    snapshot_every: float | None = None
    _starts: list[float] = field(init=False, repr=False, compare=False)
    _counts: list[float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.segments:
            raise ValueError("a profile needs at least one stage")
        starts, counts = [], []
        t = n = 0.0
        for segment in self.segments:
            if segment.duration <= 0:
                raise ValueError("every stage needs a positive duration")
            starts.append(t)
            counts.append(n)
            t += segment.duration
            n += segment.count_at(segment.duration)
        object.__setattr__(self, "_starts", starts)
        object.__setattr__(self, "_counts", counts)

    @property
    def duration(self) -> float:
        """Seconds from the first intended request to the end of the last stage."""
        last = self.segments[-1]
        return self._starts[-1] + last.duration

    @property
    def expected_count(self) -> float:
        """``N(duration)``: the integral of the rate over the whole profile."""
        last = self.segments[-1]
        return self._counts[-1] + last.count_at(last.duration)

    @property
    def planned_requests(self) -> int:
        """Requests whose intended time falls inside the profile."""
        return max(0, math.ceil(self.expected_count - _EPSILON))

    @property
    def mean_rate(self) -> float:
        return self.expected_count / self.duration

    @property
    def peak_rate(self) -> float:
        peak = 0.0
        for segment in self.segments:
            if isinstance(segment, SineSegment):
                peak = max(peak, segment.mean + segment.amplitude)
            else:
                peak = max(peak, segment.rate_at(0), segment.rate_at(segment.duration))
        return peak

    def rate_at(self, t: float) -> float:
        """The asked rate at ``t`` seconds (0 outside the profile)."""
        if t < 0 or t >= self.duration:
            return 0.0
        index = bisect.bisect_right(self._starts, t) - 1
        return self.segments[index].rate_at(t - self._starts[index])

    def count_at(self, t: float) -> float:
        """``N(t)``: requests asked for by ``t`` seconds."""
        if t <= 0:
            return 0.0
        if t >= self.duration:
            return self.expected_count
        index = bisect.bisect_right(self._starts, t) - 1
        return self._counts[index] + self.segments[index].count_at(t - self._starts[index])

    def intended_offset(self, i: int) -> float:
        """Seconds after the start at which request ``i`` (0-based) is intended."""
        # The last segment starting at or before request i: bisect_right also
        # skips zero-rate pauses, which start at the same count as the next.
        index = bisect.bisect_right(self._counts, i + _EPSILON) - 1
        segment = self.segments[index]
        offset = self._starts[index] + segment.time_for(i - self._counts[index])
        return min(offset, self.duration)
