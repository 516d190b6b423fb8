"""Sampling the target's memory during a run (``--watch-pid``).

Soak tests exist to find leaks. When the target runs on the same machine
and its PID is known, the coordinator samples its resident set size (and
its children's, for pre-fork servers) once a second. The summary reports
the growth and a least-squares trend; ``leak_suspected`` is a hint (RSS
grows for benign reasons such as caches warming up), which is why the
trend must hold in the second half of the run too.
"""

from __future__ import annotations

import psutil

from prodready.load._errors import ConfigError
from prodready.load._result import MemorySample, TargetProcess
from prodready.load._units import format_bytes, format_duration

MAX_SAMPLES = 600
LEAK_GROWTH_PERCENT = 10.0


class RssWatcher:
    """Samples one process tree's RSS in bounded memory (samples are thinned
    to every other one when they exceed ``2 * MAX_SAMPLES``)."""

    def __init__(self, pid: int) -> None:
        try:
            self._process = psutil.Process(pid)
            self._name: str | None = self._process.name()
            self._rss()
        except psutil.NoSuchProcess:
            raise ConfigError(f"--watch-pid {pid}: no such process") from None
        except psutil.AccessDenied:
            raise ConfigError(f"--watch-pid {pid}: not allowed to read its memory") from None
        self.pid = pid
        self._samples: list[tuple[float, int]] = []
        self._max = 0
        self._gone_at: float | None = None

    def _rss(self) -> int:
        total = int(self._process.memory_info().rss)
        for child in self._process.children(recursive=True):
            try:
                total += int(child.memory_info().rss)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total

    def sample(self, t: float) -> int | None:
        if self._gone_at is not None:
            return None
        try:
            rss = self._rss()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            self._gone_at = t
            return None
        self._samples.append((t, rss))
        self._max = max(self._max, rss)
        if len(self._samples) > 2 * MAX_SAMPLES:
            self._samples = self._samples[::2]
        return rss

    def summary(self) -> TargetProcess | None:
        if not self._samples:
            return None
        samples = self._samples
        start, end = samples[0][1], samples[-1][1]
        growth = end - start
        growth_percent = 100.0 * growth / start if start else 0.0
        slope = _slope_per_minute(samples)
        second_half = samples[len(samples) // 2 :]
        late_slope = _slope_per_minute(second_half)
        suspected = (
            len(samples) >= 10
            and growth_percent >= LEAK_GROWTH_PERCENT
            and slope > 0
            and late_slope > 0
        )
        span = samples[-1][0] - samples[0][0]
        note = (
            f"RSS {format_bytes(start)} -> {format_bytes(end)} "
            f"({growth_percent:+.1f}%) over {format_duration(round(span, 1))}, "
            f"trend {format_bytes(slope)}/min"
        )
        if suspected:
            note += "; still growing in the second half: possible leak (confirm with a longer soak)"
        if self._gone_at is not None:
            note += f"; the process exited at {self._gone_at:.0f}s"
        points = samples
        if len(points) > MAX_SAMPLES:
            step = len(points) / MAX_SAMPLES
            points = [points[int(i * step)] for i in range(MAX_SAMPLES)] + [points[-1]]
        return TargetProcess(
            pid=self.pid,
            name=self._name,
            rss_start_bytes=start,
            rss_end_bytes=end,
            rss_max_bytes=self._max,
            growth_bytes=growth,
            growth_percent=round(growth_percent, 2),
            slope_bytes_per_min=round(slope, 1),
            leak_suspected=suspected,
            note=note,
            samples=[MemorySample(t_s=round(t, 3), rss_bytes=rss) for t, rss in points],
        )


def _slope_per_minute(samples: list[tuple[float, int]]) -> float:
    """Least-squares slope of RSS over time, in bytes per minute."""
    if len(samples) < 2:
        return 0.0
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_r = sum(r for _, r in samples) / n
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    if var == 0:
        return 0.0
    cov = sum((t - mean_t) * (r - mean_r) for t, r in samples)
    return 60.0 * cov / var
