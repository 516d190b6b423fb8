"""The generator judging its own run: valid, or invalid and why.

An open-model result is only worth something if the asked load was really
applied. A generator that is CPU-starved sends late; one that hits its
in-flight cap stops sending; both then under-report latency exactly the way
closed-model tools do. Rather than print numbers that lie, the run is
marked invalid with the reasons, and ``prodready load`` exits 1.

Rules (see docs/load.md, "Self-check"):

- scheduling lag p99 above ``max_lag`` (default 10 ms)
- a worker CPU-saturated (>= 95% of a core while dispatching)
- requests dropped at the in-flight cap, or never sent (fell > 1 s behind)
- achieved rate more than 1% below the asked rate
- no request reached the target (every one failed at the transport level)
- the run was interrupted (Ctrl-C) or stopped by its duration guard
"""

from __future__ import annotations

from dataclasses import dataclass

from prodready.load._aggregate import Aggregator
from prodready.load._result import SelfCheck, WorkerCheck
from prodready.load._units import format_rate

CPU_SATURATED_PERCENT = 95.0
CPU_WARNING_PERCENT = 85.0
RATE_TOLERANCE = 0.01
MIN_REQUESTS_FOR_RATE_CHECK = 100


@dataclass(frozen=True)
class Verdict:
    check: SelfCheck
    valid: bool
    reasons: list[str]
    warnings: list[str]


def judge(
    agg: Aggregator,
    *,
    max_lag_ms: float,
    in_flight_cap: int,
    unsent: int,
    rate: float,
    asked_rate: float | None,
    stopped_early: str | None,
) -> Verdict:
    reasons: list[str] = []
    warnings: list[str] = []
    lag_p99 = agg.latency_ms("scheduling_lag", 99.0)
    lag_max = agg.latency_ms("scheduling_lag", "max")
    workers = [
        WorkerCheck(
            worker=w.index,
            cpu_mean_percent=round(w.cpu_mean_percent, 1),
            cpu_max_percent=round(w.cpu_max_percent, 1),
            lag_p99_ms=(w.lag.get_value_at_percentile(99) / 1000.0)
            if w.lag.get_total_count()
            else None,
            in_flight_max=w.in_flight_max,
        )
        for w in agg.workers
    ]
    check = SelfCheck(
        max_lag_ms=max_lag_ms,
        lag_p99_ms=lag_p99,
        lag_max_ms=lag_max,
        cpu_mean_percent=max((w.cpu_mean_percent for w in workers), default=0.0),
        cpu_max_percent=max((w.cpu_max_percent for w in workers), default=0.0),
        in_flight_cap=in_flight_cap,
        in_flight_max=sum(w.in_flight_max for w in agg.workers),
        dropped=agg.dropped,
        unsent=unsent,
        workers=workers,
    )
    if lag_p99 is not None and lag_p99 > max_lag_ms:
        reasons.append(
            f"scheduling lag p99 {lag_p99:.2f}ms exceeds the limit {max_lag_ms:g}ms: the "
            "generator could not send on time (CPU-starved or too few workers), so the asked "
            "load was not applied"
        )
    for worker in workers:
        if worker.cpu_mean_percent >= CPU_SATURATED_PERCENT:
            reasons.append(
                f"worker {worker.worker} was CPU-saturated ({worker.cpu_mean_percent:.0f}% of a "
                "core while sending): use more workers or a lower rate"
            )
        elif worker.cpu_mean_percent >= CPU_WARNING_PERCENT:
            warnings.append(
                f"worker {worker.worker} used {worker.cpu_mean_percent:.0f}% of a core while "
                "sending; close to saturation"
            )
    if agg.dropped:
        reasons.append(
            f"{agg.dropped} requests were dropped because {in_flight_cap} were already in "
            "flight (--max-in-flight): the target answers slower than the rate needs; raise "
            "the cap or lower the rate"
        )
    if unsent and stopped_early is None:
        reasons.append(
            f"{unsent} planned requests were never sent: the generator fell more than 1s "
            "behind the schedule"
        )
    if (
        stopped_early is None
        and asked_rate
        and agg.sent >= MIN_REQUESTS_FOR_RATE_CHECK
        and rate < asked_rate * (1 - RATE_TOLERANCE)
    ):
        shortfall = 100 * (1 - rate / asked_rate)
        reasons.append(
            f"achieved rate {format_rate(round(rate, 2))} is {shortfall:.1f}% below the asked "
            f"{format_rate(round(asked_rate, 2))}"
        )
    transport_errors = agg.status.get(0, 0)
    if agg.completed and transport_errors == agg.completed:
        reasons.append(
            "no request reached the target: every one failed before a response (see the error set)"
        )
    if stopped_early == "interrupted":
        reasons.append("the run was interrupted before the end of its profile")
    elif stopped_early == "max_duration":
        reasons.append("the run was stopped by its duration guard before it finished")
    if agg.completed and agg.succeeded == 0 and transport_errors != agg.completed:
        warnings.append("no request succeeded (no 2xx/3xx response)")
    return Verdict(check=check, valid=not reasons, reasons=reasons, warnings=warnings)
