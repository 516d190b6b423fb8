"""Merging what the workers report, in bounded memory.

The coordinator adds each worker's interval histograms into the run's
cumulative ones (exact: HDR histograms of the same layout add counter by
counter) and into the open timeline bucket. A bucket is closed, reduced to
a handful of numbers and its histogram dropped, as soon as every worker has
reported past its end, so at most a few histograms are alive at any time
and the timeline holds at most ``MAX_POINTS`` points: the bucket width is
chosen from the planned duration before the run starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from hdrh.histogram import HdrHistogram

from prodready.load._histogram import decode, new_histogram, stat_ms, value_at
from prodready.load._profiles import Profile
from prodready.load._result import ErrorCount, TimelinePoint

MAX_POINTS = 600
MAX_ERROR_KINDS = 100
OTHER_ERRORS = "other errors (more than 100 distinct messages)"


def bucket_width(duration: float, interval: float) -> float:
    """A whole number of intervals, so that the run fits in ``MAX_POINTS``."""
    intervals = max(1, math.ceil(duration / interval / MAX_POINTS))
    return intervals * interval


@dataclass
class _Bucket:
    sent: int = 0
    completed: int = 0
    errors: int = 0
    in_flight_max: int = 0
    histogram: HdrHistogram | None = None
    lag: HdrHistogram | None = None


@dataclass
class WorkerState:
    """What the coordinator knows about one worker."""

    index: int
    ready: bool = False
    done: bool = False
    event_loop: str | None = None
    last_seq: int = -1
    cpu: float = 0.0
    wall: float = 0.0
    attack_cpu: float = 0.0
    attack_wall: float = 0.0
    cpu_max_percent: float = 0.0
    in_flight: int = 0
    in_flight_max: int = 0
    lag: HdrHistogram = field(default_factory=new_histogram)
    final: dict[str, Any] = field(default_factory=dict)

    @property
    def cpu_mean_percent(self) -> float:
        """CPU while dispatching (the attack), as a percentage of one core."""
        if self.attack_wall > 0:
            return 100 * self.attack_cpu / self.attack_wall
        return 100 * self.cpu / self.wall if self.wall > 0 else 0.0


class Aggregator:
    """Cumulative figures of a run, fed by worker messages."""

    def __init__(self, workers: int, interval: float, profile: Profile) -> None:
        self.interval = interval
        self.profile = profile
        self.bucket_s = bucket_width(profile.duration, interval)
        self.workers = [WorkerState(k) for k in range(workers)]
        self.intended = new_histogram()
        self.service = new_histogram()
        self.lag = new_histogram()
        self.sent = 0
        self.completed = 0
        self.succeeded = 0
        self.failed = 0
        self.timeouts = 0
        self.dropped = 0
        self.bytes_in = 0
        self.bytes_out = 0
        self.status: dict[int, int] = {}
        self.errors: dict[str, int] = {}
        self.elapsed = 0.0
        self.points: list[TimelinePoint] = []
        self._buckets: dict[int, _Bucket] = {}
        # Median scheduling lag of the first and the latest bucket that sent
        # anything: the robust ends of the attack (see Aggregator.attack_span).
        self.first_lag_p50_ms: float | None = None
        self.last_lag_p50_ms: float | None = None

    # feeding -------------------------------------------------------------
    def add_snapshot(self, message: dict[str, Any]) -> None:
        worker = self.workers[message["worker"]]
        worker.last_seq = message["seq"]
        worker.cpu += message["cpu"]
        worker.wall += message["wall"]
        if message["dispatching"]:
            worker.attack_cpu += message["cpu"]
            worker.attack_wall += message["wall"]
        if message["wall"] >= 0.5 * self.interval and message["wall"] > 0:
            percent = 100 * message["cpu"] / message["wall"]
            worker.cpu_max_percent = max(worker.cpu_max_percent, percent)
        worker.in_flight = message["in_flight"]
        worker.in_flight_max = max(worker.in_flight_max, message["in_flight_max"])
        self.elapsed = max(self.elapsed, message["t_end"])
        for name in ("sent", "completed", "succeeded", "failed", "timeouts", "dropped"):
            setattr(self, name, getattr(self, name) + message[name])
        self.bytes_in += message["bytes_in"]
        self.bytes_out += message["bytes_out"]
        for code, count in message["status"].items():
            self.status[code] = self.status.get(code, 0) + count
        for text, count in message["errors"].items():
            self._add_error(text, count)

        bucket = self._buckets.setdefault(
            int(message["seq"] * self.interval // self.bucket_s), _Bucket()
        )
        bucket.sent += message["sent"]
        bucket.completed += message["completed"]
        bucket.errors += message["failed"]
        bucket.in_flight_max = max(bucket.in_flight_max, message["in_flight_max"])
        if message["intended"] is not None:
            histogram = decode(message["intended"])
            self.intended.add(histogram)
            if bucket.histogram is None:
                bucket.histogram = histogram
            else:
                bucket.histogram.add(histogram)
        if message["service"] is not None:
            self.service.add(decode(message["service"]))
        if message["lag"] is not None:
            lag = decode(message["lag"])
            self.lag.add(lag)
            worker.lag.add(lag)
            if bucket.lag is None:
                bucket.lag = decode(message["lag"])
            else:
                bucket.lag.add(lag)
        self._close_buckets()

    def add_done(self, message: dict[str, Any]) -> None:
        worker = self.workers[message["worker"]]
        worker.done = True
        worker.final = message
        self._close_buckets()

    def _add_error(self, text: str, count: int) -> None:
        if text in self.errors or len(self.errors) < MAX_ERROR_KINDS:
            self.errors[text] = self.errors.get(text, 0) + count
        else:
            self.errors[OTHER_ERRORS] = self.errors.get(OTHER_ERRORS, 0) + count

    def _close_buckets(self, force: bool = False) -> None:
        if force:
            covered = math.inf
        else:
            covered = min(
                (math.inf if w.done else (w.last_seq + 1) * self.interval) for w in self.workers
            )
        for index in sorted(self._buckets):
            if (index + 1) * self.bucket_s > covered + 1e-9:
                break
            self._emit(index, self._buckets.pop(index))

    def _emit(self, index: int, bucket: _Bucket) -> None:
        start = index * self.bucket_s
        end = start + self.bucket_s
        asked = None
        if start < self.profile.duration:
            span = min(end, self.profile.duration) - start
            asked = (self.profile.count_at(start + span) - self.profile.count_at(start)) / span
        histogram = bucket.histogram
        if bucket.lag is not None and bucket.lag.get_total_count():
            median = value_at(bucket.lag, 50)
            if self.first_lag_p50_ms is None:
                self.first_lag_p50_ms = median
            self.last_lag_p50_ms = median
        self.points.append(
            TimelinePoint(
                t_s=round(start, 6),
                asked_rate=asked,
                sent=bucket.sent,
                completed=bucket.completed,
                errors=bucket.errors,
                p50_ms=value_at(histogram, 50) if histogram else None,
                p90_ms=value_at(histogram, 90) if histogram else None,
                p99_ms=value_at(histogram, 99) if histogram else None,
                max_ms=histogram.get_max_value() / 1000.0 if histogram else None,
                lag_p99_ms=value_at(bucket.lag, 99) if bucket.lag else None,
                in_flight_max=bucket.in_flight_max,
            )
        )

    def close(self) -> None:
        """Flush every open bucket (the run is over)."""
        self._close_buckets(force=True)

    # the Metrics protocol (thresholds, progress) -------------------------
    def latency_ms(self, source: str, stat: float | str) -> float | None:
        histogram = {
            "intended": self.intended,
            "service": self.service,
            "scheduling_lag": self.lag,
        }[source]
        return stat_ms(histogram, stat)

    @property
    def success_ratio(self) -> float | None:
        return self.succeeded / self.completed if self.completed else None

    @property
    def rate(self) -> float | None:
        return self.sent / self.elapsed if self.elapsed > 0 else None

    @property
    def throughput(self) -> float | None:
        return self.succeeded / self.elapsed if self.elapsed > 0 else None

    @property
    def in_flight(self) -> int:
        return sum(w.in_flight for w in self.workers)

    def error_list(self) -> list[ErrorCount]:
        ordered = sorted(self.errors.items(), key=lambda item: (-item[1], item[0]))
        return [ErrorCount(message=text, count=count) for text, count in ordered]
