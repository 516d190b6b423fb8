"""The coordinator: start the workers, merge their reports, judge the run.

``run(config)`` is the whole engine behind ``prodready load``:

1. build the profile, check the safety rules and bounds (``ConfigError``);
2. spawn one worker process per share (``spawn`` start method: a clean
   interpreter, no inherited threads or sockets) and wait until each is
   ready, so no interpreter start-up falls inside the measured schedule;
3. give them one common start time on the system's monotonic clock (the
   same clock in every process on Linux) a little in the future;
4. merge snapshots as they arrive, print progress, sample ``--watch-pid``,
   take soak snapshots and evaluate abort-on-fail thresholds once a second;
5. when every worker is done, build the ``LoadResult``: percentiles from
   the merged HDR histograms, the self-check verdict, thresholds, passed.

Ctrl-C stops the workers, keeps what was measured and marks the run
invalid ("interrupted"): the results file is still written.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection, wait
from typing import Any, cast

from prodready import __version__
from prodready.load._aggregate import Aggregator
from prodready.load._errors import ConfigError, RunError
from prodready.load._gate import apply_thresholds
from prodready.load._histogram import encode, summarize
from prodready.load._profiles import Profile
from prodready.load._result import (
    Abort,
    ByteCounts,
    Counts,
    Histograms,
    Latencies,
    LoadResult,
    ProfileInfo,
    Settings,
    Snapshot,
    Source,
    TargetInfo,
    TargetSummary,
    Timeline,
    Timing,
    Tool,
)
from prodready.load._selfcheck import judge
from prodready.load._stages import Stage, build_profile, stage_info
from prodready.load._targets import Target, check_allowed, weighted_cycle
from prodready.load._thresholds import Threshold
from prodready.load._watch import RssWatcher
from prodready.load._worker import WorkerJob, loop_factory, worker_main

USER_AGENT = f"prodready-load/{__version__}"
RATE_PER_WORKER = 10_000.0
"""``--workers auto`` adds a worker per this many requests/s of peak rate (up
to one per core): well inside what one worker sustains on the reference
machine (docs/benchmarks.md), so auto never starts a saturated run."""
START_DELAY = 0.2
DISPATCH_GRACE = 1.0
READY_TIMEOUT = 60.0
MAX_SNAPSHOTS = 1000


@dataclass(frozen=True)
class RunConfig:
    """A fully resolved run: what the CLI builds from options and plan file."""

    targets: tuple[Target, ...]
    stages: tuple[Stage, ...]
    thresholds: tuple[Threshold, ...] = ()
    name: str | None = None
    workers: int | None = None
    connections: int = 128
    max_in_flight: int = 10_000
    timeout: float = 10.0
    max_requests: int = 10_000_000
    max_duration: float = 86_400.0
    max_lag: float = 0.010
    client: str = "fast"
    event_loop: str = "auto"
    interval: float = 1.0
    allow_hosts: tuple[str, ...] = ()
    watch_pid: int | None = None
    insecure: bool = False


@dataclass(frozen=True)
class Progress:
    """Once a second during a run (for the progress line on stderr)."""

    elapsed: float
    duration: float
    sent: int
    completed: int
    rate: float | None
    asked_rate: float
    success_ratio: float | None
    p50_ms: float | None
    p99_ms: float | None
    lag_p99_ms: float | None
    in_flight: int
    errors: int
    target_rss_bytes: int | None = None


@dataclass
class _RunState:
    profile: Profile
    planned: int
    workers: int
    aborted: Abort | None = None
    stopped_early: str | None = None
    stop_sent: bool = False
    snapshots: list[Snapshot] = field(default_factory=list)
    next_snapshot: float = math.inf
    last_rss: int | None = None


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover (not Linux)
        return os.cpu_count() or 1


def resolve_workers(requested: int | None, peak_rate: float) -> int:
    cores = available_cores()
    if requested is not None:
        return requested
    return max(1, min(cores, math.ceil(peak_rate / RATE_PER_WORKER)))


def plan_profile(config: RunConfig) -> Profile:
    """The profile, checked against the run's bounds."""
    profile = build_profile(config.stages)
    if profile.duration > config.max_duration:
        raise ConfigError(
            f"the profile lasts {profile.duration:g}s, longer than --max-duration "
            f"{config.max_duration:g}s; raise --max-duration or shorten the profile"
        )
    if profile.planned_requests > config.max_requests:
        raise ConfigError(
            f"the profile asks for {profile.planned_requests:,} requests, more than "
            f"--max-requests {config.max_requests:,}; raise --max-requests or lower the load"
        )
    return profile


def validate(config: RunConfig) -> Profile:
    """Every check that needs no process: safety, bounds, settings."""
    if not config.targets:
        raise ConfigError("no target: give a URL, --targets FILE or a plan with targets")
    check_allowed(config.targets, config.allow_hosts)
    for name, value in (
        ("--connections", config.connections),
        ("--max-in-flight", config.max_in_flight),
    ):
        if value < 1:
            raise ConfigError(f"{name} must be at least 1")
    if config.workers is not None and not 1 <= config.workers <= 256:
        raise ConfigError("--workers must be between 1 and 256 (or auto)")
    if config.timeout <= 0:
        raise ConfigError("--timeout must be positive")
    if config.client not in {"fast", "aiohttp"}:
        raise ConfigError(f"--client {config.client!r}: expected fast or aiohttp")
    if config.event_loop not in {"auto", "uvloop", "asyncio"}:
        raise ConfigError(f"--event-loop {config.event_loop!r}: expected auto, uvloop or asyncio")
    if config.event_loop == "uvloop":
        try:
            loop_factory("uvloop")
        except ImportError:
            raise ConfigError(
                "--event-loop uvloop: uvloop is not installed (pip install 'prodready[fast]')"
            ) from None
    return plan_profile(config)


def run(
    config: RunConfig,
    *,
    on_progress: Callable[[Progress], None] | None = None,
) -> LoadResult:
    """Run the load test described by ``config`` and return its result."""
    profile = validate(config)
    watcher = RssWatcher(config.watch_pid) if config.watch_pid is not None else None
    planned = profile.planned_requests
    workers = resolve_workers(config.workers, profile.peak_rate)
    cycle = tuple(weighted_cycle([t.weight for t in config.targets]))
    jobs = [
        WorkerJob(
            worker=k,
            workers=workers,
            profile=profile,
            planned=planned,
            targets=config.targets,
            cycle=cycle,
            connections=max(1, math.ceil(config.connections / workers)),
            max_in_flight=max(1, math.ceil(config.max_in_flight / workers)),
            timeout=config.timeout,
            interval=config.interval,
            dispatch_grace=DISPATCH_GRACE,
            client=config.client,
            event_loop=config.event_loop,
            insecure=config.insecure,
            user_agent=USER_AGENT,
        )
        for k in range(workers)
    ]
    state = _RunState(profile=profile, planned=planned, workers=workers)
    if profile.snapshot_every:
        state.next_snapshot = profile.snapshot_every
    agg = Aggregator(workers, config.interval, profile)
    context = multiprocessing.get_context("spawn")
    processes: list[Any] = []
    pipes: list[Connection] = []
    try:
        for job in jobs:
            parent_end, child_end = context.Pipe(duplex=True)
            process = context.Process(
                target=worker_main,
                args=(child_end, job),
                name=f"prodready-load-worker-{job.worker}",
                daemon=True,
            )
            process.start()
            child_end.close()
            processes.append(process)
            pipes.append(parent_end)
        _wait_ready(pipes, processes, agg)
        start_at = time.monotonic() + START_DELAY
        started_at = datetime.now(UTC) + timedelta(seconds=START_DELAY)
        for pipe in pipes:
            pipe.send(("start", start_at))
        _collect(config, state, agg, pipes, processes, start_at, watcher, on_progress)
    finally:
        for pipe in pipes:
            pipe.close()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
    finished_at = datetime.now(UTC)
    return _assemble(config, state, agg, started_at, finished_at, watcher)


def _wait_ready(pipes: Sequence[Connection], processes: Sequence[Any], agg: Aggregator) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    waiting = set(range(len(pipes)))
    while waiting:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RunError(f"workers {sorted(waiting)} did not start within {READY_TIMEOUT:g}s")
        for ready in wait([pipes[i] for i in waiting], timeout=remaining):
            index = pipes.index(cast(Connection, ready))
            message = _receive(pipes[index], index, processes[index], starting=True)
            if message["type"] == "ready":
                agg.workers[index].ready = True
                agg.workers[index].event_loop = message["event_loop"]
                waiting.discard(index)


def _receive(pipe: Connection, index: int, process: Any, starting: bool = False) -> dict[str, Any]:
    try:
        message: dict[str, Any] = pipe.recv()
    except (EOFError, OSError):
        process.join(timeout=2)
        hint = ""
        if starting:
            # The classic cause: spawn re-imports the caller's main module.
            hint = (
                "; if you call prodready.load.run() from a script, put the call under "
                "`if __name__ == '__main__':` (worker processes are spawned)"
            )
        raise RunError(
            f"worker {index} exited unexpectedly (exit code {process.exitcode}){hint}"
        ) from None
    if message["type"] == "failed":
        raise RunError(
            f"worker {index} failed: {message['error']}{_innermost(message['traceback'])}"
        )
    return message


def _innermost(traceback_text: str) -> str:
    """`` (at file.py:123)`` for a bug report, without a traceback for the user."""
    frames = re.findall(r'File "([^"]+)", line (\d+)', traceback_text)
    if not frames:
        return ""
    path, line = frames[-1]
    return f" (at {os.path.basename(path)}:{line})"


def _collect(
    config: RunConfig,
    state: _RunState,
    agg: Aggregator,
    pipes: Sequence[Connection],
    processes: Sequence[Any],
    start_at: float,
    watcher: RssWatcher | None,
    on_progress: Callable[[Progress], None] | None,
) -> None:
    guard = start_at + state.profile.duration + DISPATCH_GRACE + config.timeout + 30.0
    hard_stop = guard + config.timeout + 15.0
    next_tick = start_at + 1.0
    open_pipes = dict(enumerate(pipes))
    while open_pipes:
        try:
            ready = wait(list(open_pipes.values()), timeout=0.1)
            for item in ready:
                index = pipes.index(cast(Connection, item))
                message = _receive(pipes[index], index, processes[index])
                if message["type"] == "snapshot":
                    agg.add_snapshot(message)
                elif message["type"] == "done":
                    agg.add_done(message)
                    del open_pipes[index]
            now = time.monotonic()
            if now >= next_tick:
                next_tick = now + 1.0
                _tick(config, state, agg, now - start_at, watcher, on_progress)
                if state.aborted is not None and not state.stop_sent:
                    _stop_all(state, open_pipes.values())
            if now > hard_stop:
                raise RunError(
                    f"workers {sorted(open_pipes)} did not finish after being told to stop"
                )
            if now > guard and not state.stop_sent:
                state.stopped_early = "max_duration"
                state.aborted = Abort(
                    reason="max_duration",
                    at_s=round(now - start_at, 3),
                    detail="the run did not finish within its duration guard",
                )
                _stop_all(state, open_pipes.values())
        except KeyboardInterrupt:
            if state.stop_sent:
                raise
            state.stopped_early = "interrupted"
            state.aborted = Abort(
                reason="interrupted",
                at_s=round(time.monotonic() - start_at, 3),
                detail="interrupted by the user (Ctrl-C)",
            )
            _stop_all(state, open_pipes.values())
    agg.close()
    if watcher is not None:
        watcher.sample(agg.elapsed)


def _stop_all(state: _RunState, pipes: Any) -> None:
    state.stop_sent = True
    for pipe in pipes:
        try:
            pipe.send(("stop", state.aborted.reason if state.aborted else "stop"))
        except (OSError, BrokenPipeError):
            continue


def _tick(
    config: RunConfig,
    state: _RunState,
    agg: Aggregator,
    elapsed: float,
    watcher: RssWatcher | None,
    on_progress: Callable[[Progress], None] | None,
) -> None:
    if watcher is not None:
        state.last_rss = watcher.sample(elapsed)
    if elapsed >= state.next_snapshot and len(state.snapshots) < MAX_SNAPSHOTS:
        assert state.profile.snapshot_every is not None
        state.snapshots.append(
            Snapshot(
                t_s=round(elapsed, 3),
                completed=agg.completed,
                success_ratio=agg.success_ratio,
                rate=agg.rate or 0.0,
                p50_ms=agg.latency_ms("intended", 50.0),
                p99_ms=agg.latency_ms("intended", 99.0),
                target_rss_bytes=state.last_rss,
            )
        )
        state.next_snapshot += state.profile.snapshot_every
    if state.aborted is None and elapsed >= 1.0:
        for threshold in config.thresholds:
            if not threshold.abort_on_fail or elapsed < threshold.delay or not agg.completed:
                continue
            outcome = threshold.evaluate(agg)
            if not outcome.passed:
                state.aborted = Abort(
                    reason="threshold",
                    at_s=round(elapsed, 3),
                    detail=f"threshold {threshold.expression} failed "
                    f"(actual {outcome.actual if outcome.actual is not None else 'n/a'})",
                )
                state.stopped_early = "threshold"
                break
    if on_progress is not None:
        on_progress(
            Progress(
                elapsed=elapsed,
                duration=state.profile.duration,
                sent=agg.sent,
                completed=agg.completed,
                rate=agg.rate,
                asked_rate=state.profile.rate_at(min(elapsed, state.profile.duration - 1e-9)),
                success_ratio=agg.success_ratio,
                p50_ms=agg.latency_ms("intended", 50.0),
                p99_ms=agg.latency_ms("intended", 99.0),
                lag_p99_ms=agg.latency_ms("scheduling_lag", 99.0),
                in_flight=agg.in_flight,
                errors=agg.failed,
                target_rss_bytes=state.last_rss,
            )
        )


def _assemble(
    config: RunConfig,
    state: _RunState,
    agg: Aggregator,
    started_at: datetime,
    finished_at: datetime,
    watcher: RssWatcher | None,
) -> LoadResult:
    finals = [w.final for w in agg.workers]
    firsts = [f["first_dispatch"] for f in finals if f.get("first_dispatch") is not None]
    lasts = [f["last_dispatch"] for f in finals if f.get("last_dispatch") is not None]
    completions = [f["last_completion"] for f in finals if f.get("last_completion") is not None]
    unsent = sum(int(f.get("unsent", 0)) for f in finals)
    first = min(firsts) if firsts else 0.0
    last = max(lasts) if lasts else first
    attack = max(last - first, 0.0)
    wait_s = max((max(completions) if completions else last) - last, 0.0)
    total = attack + wait_s
    rate = _achieved_rate(agg, finals, attack)
    profile = state.profile
    asked = _asked_rate(profile, state.planned)
    verdict = judge(
        agg,
        max_lag_ms=config.max_lag * 1000,
        in_flight_cap=config.max_in_flight,
        unsent=unsent if state.stopped_early is None else 0,
        rate=rate,
        asked_rate=asked,
        stopped_early=state.stopped_early,
    )
    if state.stopped_early is not None:
        unsent_count = max(state.planned - agg.sent - agg.dropped, 0)
    else:
        unsent_count = unsent
    success = agg.succeeded / agg.completed if agg.completed else None
    settings = Settings(
        workers=state.workers,
        cores=available_cores(),
        connections=config.connections,
        max_in_flight=config.max_in_flight,
        timeout_s=config.timeout,
        max_requests=config.max_requests,
        max_duration_s=config.max_duration,
        max_lag_ms=config.max_lag * 1000,
        client=config.client,
        event_loop=agg.workers[0].event_loop or "asyncio",
    )
    hosts = sorted({t.host_header for t in config.targets})
    interim = LoadResult(
        tool=Tool(version=__version__, client=config.client, event_loop=settings.event_loop),
        source=Source(format="prodready"),
        name=config.name,
        started_at=started_at,
        finished_at=finished_at,
        target=TargetSummary(
            url=config.targets[0].url,
            hosts=hosts,
            count=len(config.targets),
            targets=[
                TargetInfo(method=t.method, url=t.url, weight=t.weight)
                for t in config.targets[:100]
            ],
        ),
        profile=ProfileInfo(
            description=profile.description,
            stages=[stage_info(stage) for stage in config.stages],
            duration_s=profile.duration,
            planned_requests=state.planned,
            mean_rate=profile.mean_rate,
            peak_rate=round(profile.peak_rate, 9),
            snapshot_every_s=profile.snapshot_every,
        ),
        settings=settings,
        duration=Timing(total_s=total, attack_s=attack, wait_s=wait_s),
        requests=Counts(
            planned=state.planned,
            sent=agg.sent,
            completed=agg.completed,
            succeeded=agg.succeeded,
            failed=agg.failed,
            timeouts=agg.timeouts,
            dropped=agg.dropped,
            unsent=unsent_count,
            rate=rate,
            asked_rate=asked,
            throughput=agg.succeeded / total if total > 0 else 0.0,
        ),
        success_ratio=success,
        latency=Latencies(
            intended=summarize(agg.intended),
            service=summarize(agg.service),
            scheduling_lag=summarize(agg.lag),
        ),
        bytes=ByteCounts(
            in_total=agg.bytes_in,
            in_mean=agg.bytes_in / agg.completed if agg.completed else 0.0,
            out_total=agg.bytes_out,
            out_mean=agg.bytes_out / agg.sent if agg.sent else 0.0,
        ),
        status_codes={str(code): count for code, count in sorted(agg.status.items())},
        errors=agg.error_list(),
        valid=verdict.valid,
        invalid_reasons=verdict.reasons,
        warnings=verdict.warnings,
        passed=False,
        self_check=verdict.check,
        timeline=Timeline(bucket_s=agg.bucket_s, points=agg.points),
        snapshots=state.snapshots,
        target_process=watcher.summary() if watcher is not None else None,
        histograms=Histograms(
            intended=encode(agg.intended) if agg.intended.get_total_count() else None,
            service=encode(agg.service) if agg.service.get_total_count() else None,
            scheduling_lag=encode(agg.lag) if agg.lag.get_total_count() else None,
        ),
        aborted=state.aborted,
    )
    return apply_thresholds(interim, config.thresholds)


def _achieved_rate(agg: Aggregator, finals: Sequence[dict[str, Any]], attack: float) -> float:
    """The achieved arrival rate, (sent - 1) / span, with a robust span.

    The span from the first to the last dispatch hangs on two single
    requests: one hiccup of 30 ms at either end of a 3 s run moves the rate by
    1%. So the span is the intended span of the requests sent, corrected by
    how much later the generator typically dispatched at the end than at the
    start (median lag of the last bucket minus that of the first). A generator
    that falls behind still shows: its late lag grows, and so does the span.
    """
    if agg.sent < 2:
        return float(agg.sent)
    starts = [f["first_intended"] for f in finals if f.get("first_intended") is not None]
    ends = [f["last_intended"] for f in finals if f.get("last_intended") is not None]
    span = attack
    if starts and ends and agg.first_lag_p50_ms is not None and agg.last_lag_p50_ms is not None:
        drift = (agg.last_lag_p50_ms - agg.first_lag_p50_ms) / 1000
        span = max(ends) - min(starts) + drift
    return (agg.sent - 1) / span if span > 0 else float(agg.sent)


def _asked_rate(profile: Profile, planned: int) -> float | None:
    """The schedule's own arrival rate, measured the way ``rate`` is."""
    if planned < 2:
        return None
    span = profile.intended_offset(planned - 1) - profile.intended_offset(0)
    return (planned - 1) / span if span > 0 else None
