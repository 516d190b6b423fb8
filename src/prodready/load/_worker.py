"""One generator process: it sends its share of the schedule and reports.

Worker ``k`` of ``n`` owns the requests whose global index ``i`` has
``i % n == k``; together the workers play the whole schedule, each at 1/n
of the rate. A worker runs one event loop (uvloop when importable) and
never blocks it: requests are dispatched from a timer callback at their
intended times, responses are handled in protocol callbacks, and only
counters and interval HDR histograms are kept. Every ``interval`` seconds
(aligned on the common start time) it sends the parent a snapshot (deltas
and the encoded interval histograms) and resets them, so its memory does
not grow with the duration of the run.

Per request it records three latencies (microseconds):
- intended: response time - intended send time (coordinated-omission free)
- service:  response time - time the request was written to a connection
- lag:      dispatch time - intended send time (the generator's own delay)
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Protocol

from prodready.load._histogram import Recorder, encode, to_us
from prodready.load._http1 import Http1Pool, InFlight, wire_format
from prodready.load._profiles import Profile
from prodready.load._targets import Target
from prodready.load._units import format_duration

MAX_ERROR_KINDS = 100
OTHER_ERRORS = "other errors (more than 100 distinct messages)"
_BATCH = 256  # dispatches per timer callback before yielding to I/O


@dataclass(frozen=True)
class WorkerJob:
    """Everything a worker needs; pickled to the child process."""

    worker: int
    workers: int
    profile: Profile
    planned: int
    targets: tuple[Target, ...]
    cycle: tuple[int, ...]
    connections: int
    max_in_flight: int
    timeout: float
    interval: float
    dispatch_grace: float
    client: str
    event_loop: str
    insecure: bool
    user_agent: str

    def share(self) -> int:
        """How many of the planned requests this worker owns."""
        if self.planned <= self.worker:
            return 0
        return (self.planned - self.worker + self.workers - 1) // self.workers


class _Pool(Protocol):
    bytes_out: int
    connections_opened: int

    def submit(self, request: InFlight) -> None: ...

    def sweep(self, now: float) -> None: ...

    def cancel_all(self, message: str) -> None: ...

    async def aclose(self) -> None: ...


def loop_factory(choice: str) -> tuple[str, Callable[[], asyncio.AbstractEventLoop]]:
    """The event loop to use: uvloop when asked or available (``auto``)."""
    if choice in {"auto", "uvloop"}:
        try:
            import uvloop
        except ImportError:
            if choice == "uvloop":
                raise
        else:
            return "uvloop", uvloop.new_event_loop
    return "asyncio", asyncio.new_event_loop


def worker_main(conn: Connection, job: WorkerJob) -> None:
    """Process entry point. The parent coordinates Ctrl-C, so SIGINT is ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        name, factory = loop_factory(job.event_loop)
        with asyncio.Runner(loop_factory=factory) as runner:
            runner.run(_Worker(conn, job, name).run())
    except BaseException as exc:  # report, never die silently
        with contextlib.suppress(OSError, EOFError):
            conn.send(
                {
                    "type": "failed",
                    "worker": job.worker,
                    "error": f"{type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc(),
                }
            )
    finally:
        conn.close()


class _Worker:
    def __init__(self, conn: Connection, job: WorkerJob, loop_name: str) -> None:
        self.conn = conn
        self.job = job
        self.loop_name = loop_name
        self.profile = job.profile
        self.stride = job.workers
        self.cycle = job.cycle
        self.cycle_len = len(job.cycle)
        self.timeout = job.timeout
        self.max_in_flight = job.max_in_flight
        self.planned = job.planned
        self.start = 0.0
        self.next_i = job.worker
        self.next_time = 0.0
        self.dispatch_deadline = 0.0
        self.dispatching = False
        self.draining = False
        self.finished = False
        self.stopped = False
        self.timer: asyncio.TimerHandle | asyncio.Handle | None = None
        # One handle per recurring job, so nothing accumulates over a long run.
        self.handles: dict[str, asyncio.TimerHandle] = {}
        self.pools: list[_Pool] = []
        self.pool_of: list[_Pool] = []
        # cumulative
        self.in_flight = 0
        self.unsent = 0
        self.first_dispatch: float | None = None
        self.last_dispatch: float | None = None
        self.first_intended: float | None = None
        self.last_intended: float | None = None
        self.last_completion: float | None = None
        self.error_kinds = 0
        # interval (reset at every snapshot)
        self.seq = 0
        self.h_intended = Recorder()
        self.h_service = Recorder()
        self.h_lag = Recorder()
        self._reset_counters()
        self.bytes_out_reported = 0
        self.cpu_mark = 0.0
        self.wall_mark = 0.0

    def _reset_counters(self) -> None:
        self.sent = 0
        self.completed = 0
        self.succeeded = 0
        self.failed = 0
        self.timeouts = 0
        self.dropped = 0
        self.bytes_in = 0
        self.status: dict[int, int] = {}
        self.errors: dict[str, int] = {}
        self.in_flight_max = self.in_flight

    # lifecycle ---------------------------------------------------------
    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        self.loop = loop
        self.done: asyncio.Future[None] = loop.create_future()
        loop.set_exception_handler(self._on_loop_error)
        self._build_pools()
        # Everything allocated so far lives for the whole run: keep it out of
        # the collector's way so full collections stay short.
        gc.freeze()
        loop.add_reader(self.conn.fileno(), self._on_command)
        self.conn.send({"type": "ready", "worker": self.job.worker, "event_loop": self.loop_name})
        try:
            await self.done
        finally:
            loop.remove_reader(self.conn.fileno())
            for pool in self.pools:
                await pool.aclose()

    def _on_loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """An exception escaped a callback: a bug in the generator. Fail the
        worker once, with the traceback, instead of logging it per request."""
        if self.done.done():
            return
        exc = context.get("exception")
        error = exc if isinstance(exc, BaseException) else RuntimeError(context.get("message"))
        self.finished = True
        self._cancel_timers()
        self.done.set_exception(error)

    def _build_pools(self) -> None:
        job = self.job
        label = format_duration(job.timeout)
        if job.client == "aiohttp":
            # Imported here: aiohttp costs start-up time and only this client needs it.
            from prodready.load._aiohttp_pool import AiohttpPool

            pool: _Pool = AiohttpPool(
                self.loop,
                targets=job.targets,
                max_connections=job.connections,
                on_complete=self._complete,
                timeout_label=label,
                user_agent=job.user_agent,
                insecure=job.insecure,
            )
            self.pools = [pool]
            self.pool_of = [pool] * len(job.targets)
            return
        by_origin: dict[tuple[str, str, int], Http1Pool] = {}
        wires = {i: wire_format(t, job.user_agent) for i, t in enumerate(job.targets)}
        for target in job.targets:
            if target.origin not in by_origin:
                by_origin[target.origin] = Http1Pool(
                    self.loop,
                    scheme=target.scheme,
                    host=target.host,
                    port=target.port,
                    wires=wires,
                    max_connections=job.connections,
                    on_complete=self._complete,
                    timeout_label=label,
                    insecure=job.insecure,
                )
        self.pools = list(by_origin.values())
        self.pool_of = [by_origin[t.origin] for t in job.targets]

    def _on_command(self) -> None:
        try:
            message = self.conn.recv()
        except (EOFError, OSError):
            # The parent is gone: stop at once, nobody will read our results.
            self.stopped = True
            self._cancel_timers()
            if not self.done.done():
                self.done.set_result(None)
            return
        kind = message[0]
        if kind == "start":
            self._begin(float(message[1]))
        elif kind == "stop":
            self._stop()

    def _begin(self, start: float) -> None:
        self.start = start
        self.dispatch_deadline = start + self.profile.duration + self.job.dispatch_grace
        self.cpu_mark = time.process_time()
        self.wall_mark = time.monotonic()
        self._schedule_snapshot()
        sweep_every = min(max(self.timeout / 20, 0.01), 0.1)
        self.handles["sweep"] = self.loop.call_later(sweep_every, self._sweep, sweep_every)
        if self.next_i < self.planned:
            self.dispatching = True
            self.next_time = start + self.profile.intended_offset(self.next_i)
            self.timer = self.loop.call_later(max(self.next_time - time.monotonic(), 0), self._tick)
        else:
            self._dispatch_finished()

    # the schedule -------------------------------------------------------
    def _tick(self) -> None:
        self.timer = None
        now = time.monotonic()
        budget = _BATCH
        profile = self.profile
        while True:
            intended = self.next_time
            if intended > now:
                break
            if now > self.dispatch_deadline:
                # Hopelessly behind: what is left was never sent.
                self.unsent += (self.planned - self.next_i + self.stride - 1) // self.stride
                self._dispatch_finished()
                return
            self._dispatch(self.next_i, intended, now)
            self.next_i += self.stride
            if self.next_i >= self.planned:
                self._dispatch_finished()
                return
            self.next_time = self.start + profile.intended_offset(self.next_i)
            budget -= 1
            if budget == 0:
                self.timer = self.loop.call_soon(self._tick)
                return
            now = time.monotonic()
        # Event-loop timers have millisecond resolution (uvloop rounds shorter
        # delays to zero, which would spin): sleep whole milliseconds, never
        # less than one. Requests due meanwhile go out in the next batch.
        delay_ms = max(math.ceil((self.next_time - now) * 1000), 1)
        self.timer = self.loop.call_later(delay_ms / 1000, self._tick)

    def _dispatch(self, i: int, intended: float, now: float) -> None:
        self.h_lag.record(to_us(now - intended))
        if self.in_flight >= self.max_in_flight:
            self.dropped += 1
            return
        target = self.cycle[i % self.cycle_len]
        request = InFlight(target, intended, now, now + self.timeout)
        self.in_flight += 1
        if self.in_flight > self.in_flight_max:
            self.in_flight_max = self.in_flight
        self.sent += 1
        if self.first_dispatch is None:
            self.first_dispatch = now
            self.first_intended = intended
        self.last_dispatch = now
        self.last_intended = intended
        self.pool_of[target].submit(request)

    def _complete(
        self, request: InFlight, status: int, reason: str, error: str | None, size: int
    ) -> None:
        now = time.monotonic()
        self.in_flight -= 1
        self.completed += 1
        self.last_completion = now
        self.h_intended.record(to_us(now - request.intended))
        if request.sent:
            self.h_service.record(to_us(now - request.sent))
        self.bytes_in += size
        self.status[status] = self.status.get(status, 0) + 1
        if error is not None:
            self.failed += 1
            if error.startswith("timeout"):
                self.timeouts += 1
            self._error(error)
        elif 200 <= status < 400:
            self.succeeded += 1
        else:
            self.failed += 1
            self._error(f"{status} {reason}".rstrip())
        if self.draining and self.in_flight == 0:
            self._finish()

    def _error(self, message: str) -> None:
        errors = self.errors
        if message in errors:
            errors[message] += 1
        elif self.error_kinds < MAX_ERROR_KINDS or message == OTHER_ERRORS:
            self.error_kinds += 1
            errors[message] = 1
        else:
            errors[OTHER_ERRORS] = errors.get(OTHER_ERRORS, 0) + 1

    def _dispatch_finished(self) -> None:
        self.dispatching = False
        self.draining = True
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.in_flight == 0:
            self._finish()
            return
        # Deadlines end every request within the timeout; this is the backstop.
        self.handles["backstop"] = self.loop.call_later(self.timeout + 1.0, self._cancel_in_flight)

    def _stop(self) -> None:
        if self.finished or self.stopped:
            return
        self.stopped = True
        if self.dispatching:
            remaining = (self.planned - self.next_i + self.stride - 1) // self.stride
            self.unsent += max(remaining, 0)
        self._dispatch_finished()
        if not self.finished:
            previous = self.handles.pop("backstop", None)
            if previous is not None:
                previous.cancel()
            self.handles["backstop"] = self.loop.call_later(
                min(self.timeout, 2.0), self._cancel_in_flight
            )

    def _cancel_in_flight(self) -> None:
        for pool in self.pools:
            pool.cancel_all("cancelled: the run was stopped")
        if not self.finished:
            # The fast client completes cancelled requests at once; aiohttp's
            # tasks record theirs when they next run.
            self.handles["finish"] = self.loop.call_later(0.1, self._finish)

    def _sweep(self, every: float) -> None:
        now = time.monotonic()
        for pool in self.pools:
            pool.sweep(now)
        if not self.finished:
            self.handles["sweep"] = self.loop.call_later(every, self._sweep, every)

    # reporting ---------------------------------------------------------
    def _schedule_snapshot(self) -> None:
        due = self.start + (self.seq + 1) * self.job.interval
        self.handles["snapshot"] = self.loop.call_later(
            max(due - time.monotonic(), 0), self._snapshot_timer
        )

    def _snapshot_timer(self) -> None:
        if self.finished:
            return
        self._send_snapshot()
        self._schedule_snapshot()

    def _send_snapshot(self) -> None:
        now = time.monotonic()
        cpu = time.process_time()
        bytes_out = sum(pool.bytes_out for pool in self.pools)
        message: dict[str, Any] = {
            "type": "snapshot",
            "worker": self.job.worker,
            "seq": self.seq,
            "t_end": now - self.start,
            "sent": self.sent,
            "completed": self.completed,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "timeouts": self.timeouts,
            "dropped": self.dropped,
            "bytes_in": self.bytes_in,
            "bytes_out": bytes_out - self.bytes_out_reported,
            "status": self.status,
            "errors": self.errors,
            "in_flight": self.in_flight,
            "in_flight_max": self.in_flight_max,
            "dispatching": self.dispatching,
            "cpu": cpu - self.cpu_mark,
            "wall": now - self.wall_mark,
            "intended": _encoded(self.h_intended),
            "service": _encoded(self.h_service),
            "lag": _encoded(self.h_lag),
        }
        # Fresh recorders are cheaper than clearing (this runs on the event loop).
        if self.h_intended.total:
            self.h_intended = Recorder()
        if self.h_service.total:
            self.h_service = Recorder()
        if self.h_lag.total:
            self.h_lag = Recorder()
        self.seq += 1
        self.bytes_out_reported = bytes_out
        self.cpu_mark, self.wall_mark = cpu, now
        self._reset_counters()
        self.conn.send(message)

    def _finish(self) -> None:
        if self.finished:
            return
        self.finished = True
        self._cancel_timers()
        self._send_snapshot()

        def relative(value: float | None) -> float | None:
            return None if value is None else value - self.start

        self.conn.send(
            {
                "type": "done",
                "worker": self.job.worker,
                "unsent": self.unsent,
                "stopped": self.stopped,
                "first_dispatch": relative(self.first_dispatch),
                "last_dispatch": relative(self.last_dispatch),
                "first_intended": relative(self.first_intended),
                "last_intended": relative(self.last_intended),
                "last_completion": relative(self.last_completion),
                "connections_opened": sum(p.connections_opened for p in self.pools),
            }
        )
        if not self.done.done():
            self.done.set_result(None)

    def _cancel_timers(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        for handle in self.handles.values():
            handle.cancel()
        self.handles.clear()


def _encoded(recorder: Recorder) -> str | None:
    return encode(recorder.histogram()) if recorder.total else None
