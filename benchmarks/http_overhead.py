"""prodready.http overhead and throughput, against named baselines in the same run.

    .venv/bin/python benchmarks/http_overhead.py            # full run, ~2 minutes
    .venv/bin/python benchmarks/http_overhead.py --quick    # smaller samples, ~30 s

Five measurements, each interleaved (every round runs every variant, in a
rotating order) so that drift in machine load hits all variants alike;
figures are medians over rounds. Tight loops are timed in process CPU time
(the time our code ran, whatever else the machine does); runs against the
server report wall time and the client process's CPU time per request:

1. policy overhead on a no-op call path: a transport whose ``handle_request``
   returns a prepared response, wrapped by prodready.http, tenacity, stamina
   and pybreaker; overhead = wrapped - bare, in microseconds per call;
2. through ``httpx.Client`` with ``httpx.MockTransport``: raw httpx,
   httpx-retries' ``RetryTransport``, prodready.http's ``Client``;
3. sequential GETs to a loopback server in a separate process (keep-alive,
   TCP_NODELAY): raw httpx vs prodready.http, as a ratio;
4. open-circuit fast fails per second (and pybreaker's, for scale);
5. throughput with 8 threads sharing one client and 64 asyncio tasks sharing
   one async client against the loopback server, vs raw httpx: a lock held
   during calls would show here as lost throughput.

Targets (issue #5): <= 5 us overhead on (1) and (2); within 5% of raw httpx
on (3) and (5); >= 200k fast fails/s on (4). Each is reported as met or not.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import os
import platform
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import httpx_retries
import pybreaker
import stamina
import tenacity

from prodready.http import (
    AsyncClient,
    BreakerRegistry,
    Bulkhead,
    CircuitBreaker,
    CircuitOpenError,
    Client,
    ResilientTransport,
    Retry,
    backoff,
)

# -- helpers -------------------------------------------------------------------


def interleaved(
    variants: dict[str, Callable[[int], float]], rounds: int, n: int
) -> dict[str, list[float]]:
    """Run every variant ``rounds`` times in rotating order; seconds per call, per round."""
    names = list(variants)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            gc.collect()
            samples[name].append(variants[name](n) / n)
    return samples


def timed_loop(call: Callable[[], Any]) -> Callable[[int], float]:
    """CPU seconds for ``n`` calls: in a single-threaded loop, time this code ran.

    CPU time rather than wall time, so that other work on a shared machine
    (which preempts us) does not inflate one variant's figure.
    """

    def run(n: int) -> float:
        start = time.process_time()
        for _ in range(n):
            call()
        return time.process_time() - start

    return run


def med(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    q = statistics.quantiles(values, n=4) if len(values) >= 4 else [min(values), 0, max(values)]
    return f"IQR {q[0] * 1e6:.2f}-{q[2] * 1e6:.2f} us"


class NoopTransport(httpx.BaseTransport):
    """Answers at once with a prepared in-memory response."""

    def __init__(self) -> None:
        self.response = httpx.Response(200, content=b"ok")

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.response


def full_policies(registry: BreakerRegistry, name: str) -> dict[str, Any]:
    return {
        "retry": Retry(
            attempts=3, backoff=backoff.exponential(0.01, max=1.0) + backoff.jitter(0.005)
        ),
        "breaker": CircuitBreaker(name, registry=registry),
        "bulkhead": Bulkhead(max_concurrent=100),
    }


# -- 1: policy overhead on a no-op call path ----------------------------------


def bench_noop(rounds: int, n: int) -> dict[str, Any]:
    inner = NoopTransport()
    request = httpx.Request("GET", "http://svc.test/drivers")
    registry = BreakerRegistry()

    ours_full = ResilientTransport(inner, **full_policies(registry, "noop-full"))
    ours_retry = ResilientTransport(inner, retry=Retry(attempts=3))
    ours_breaker = ResilientTransport(inner, breaker=CircuitBreaker("noop-cb", registry=registry))

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(3),
        wait=tenacity.wait_exponential(multiplier=0.01, max=1.0) + tenacity.wait_random(0, 0.005),
        retry=tenacity.retry_if_exception_type(httpx.TransportError),
        reraise=True,
    )

    @stamina.retry(on=httpx.TransportError, attempts=3)
    def stamina_call() -> httpx.Response:
        return inner.handle_request(request)

    breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=60)

    variants = {
        "bare call": timed_loop(lambda: inner.handle_request(request)),
        "prodready.http retry+breaker+bulkhead": timed_loop(
            lambda: ours_full.handle_request(request)
        ),
        "prodready.http retry only": timed_loop(lambda: ours_retry.handle_request(request)),
        "prodready.http breaker only": timed_loop(lambda: ours_breaker.handle_request(request)),
        "tenacity Retrying": timed_loop(lambda: retrying(inner.handle_request, request)),
        "stamina @retry": timed_loop(stamina_call),
        "pybreaker CircuitBreaker.call": timed_loop(
            lambda: breaker.call(inner.handle_request, request)
        ),
    }
    samples = interleaved(variants, rounds, n)
    bare = med(samples["bare call"])
    rows = {
        name: {"per_call_us": med(s) * 1e6, "overhead_us": (med(s) - bare) * 1e6}
        for name, s in samples.items()
    }
    print(
        "\n(1) policy overhead on a no-op call path (us per call; overhead = minus the bare call)"
    )
    for name, row in rows.items():
        extra = "" if name == "bare call" else f"  overhead {row['overhead_us']:6.2f} us"
        print(f"    {name:42s} {row['per_call_us']:7.2f} us{extra}   ({spread(samples[name])})")
    ours = rows["prodready.http retry+breaker+bulkhead"]["overhead_us"]
    for base in ("tenacity Retrying", "stamina @retry", "pybreaker CircuitBreaker.call"):
        print(
            f"    prodready.http full stack / {base}: "
            f"{ours / rows[base]['overhead_us']:.2f}x the overhead"
        )
    return rows


# -- 2: through httpx.Client with MockTransport --------------------------------


def bench_mock(rounds: int, n: int) -> dict[str, Any]:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"ok")

    registry = BreakerRegistry()
    raw = httpx.Client(transport=httpx.MockTransport(handler))
    ours = Client(transport=httpx.MockTransport(handler), **full_policies(registry, "mock"))
    retries = httpx.Client(
        transport=httpx_retries.RetryTransport(
            transport=httpx.MockTransport(handler), retry=httpx_retries.Retry(total=3)
        )
    )
    url = "http://svc.test/drivers"
    variants = {
        "raw httpx.Client": timed_loop(lambda: raw.get(url)),
        "httpx-retries RetryTransport": timed_loop(lambda: retries.get(url)),
        "prodready.http Client (full stack)": timed_loop(lambda: ours.get(url)),
    }
    samples = interleaved(variants, rounds, n)
    base = med(samples["raw httpx.Client"])
    rows = {
        name: {
            "per_call_us": med(s) * 1e6,
            "overhead_us": (med(s) - base) * 1e6,
            "ratio": med(s) / base,
        }
        for name, s in samples.items()
    }
    print("\n(2) httpx.Client + MockTransport (us per call)")
    for name, row in rows.items():
        print(
            f"    {name:42s} {row['per_call_us']:7.2f} us  overhead {row['overhead_us']:6.2f} us"
            f"  ({row['ratio']:.3f}x raw)"
        )
    for client in (raw, ours, retries):
        client.close()
    return rows


# -- the loopback server (a separate process) -----------------------------------

_RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"


class _Protocol(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        count = self.buffer.count(b"\r\n\r\n")
        if count:
            self.buffer = self.buffer[self.buffer.rfind(b"\r\n\r\n") + 4 :]
            self.transport.write(_RESPONSE * count)  # type: ignore[attr-defined]


def _serve(ready: Any) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_Protocol, "127.0.0.1", 0, backlog=1024)
        ready.put(server.sockets[0].getsockname()[1])
        await asyncio.Event().wait()

    asyncio.run(main())


class LoopbackServer:
    def __enter__(self) -> LoopbackServer:
        context = multiprocessing.get_context("spawn")
        ready = context.Queue()
        self.process = context.Process(target=_serve, args=(ready,), daemon=True)
        self.process.start()
        self.port = ready.get(timeout=30)
        self.url = f"http://127.0.0.1:{self.port}/drivers"
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.join(10)


# -- 3: sequential calls over loopback ------------------------------------------


def _sequential(client: httpx.Client, url: str, n: int) -> tuple[float, float]:
    """Wall seconds and client-process CPU seconds per call."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        client.get(url)
    return (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n


def bench_loopback(server: LoopbackServer, rounds: int, n: int) -> dict[str, Any]:
    registry = BreakerRegistry()
    clients = {
        "raw httpx.Client": httpx.Client(),
        "prodready.http Client": Client(**full_policies(registry, "loopback")),
    }
    for client in clients.values():  # open the pooled connection before timing
        client.get(server.url)
    wall: dict[str, list[float]] = {name: [] for name in clients}
    cpu: dict[str, list[float]] = {name: [] for name in clients}
    names = list(clients)
    for r in range(rounds):
        for name in names[r % 2 :] + names[: r % 2]:
            gc.collect()
            w, c = _sequential(clients[name], server.url, n)
            wall[name].append(w)
            cpu[name].append(c)
    base, mine = med(wall["raw httpx.Client"]), med(wall["prodready.http Client"])
    base_cpu, mine_cpu = med(cpu["raw httpx.Client"]), med(cpu["prodready.http Client"])
    print("\n(3) sequential GETs to a loopback server in another process (keep-alive, TCP_NODELAY)")
    print("    (wall time per call, and this process's CPU time per call: the less noisy figure")
    print("     when the machine is shared)")
    for name, w, c in (
        ("raw httpx.Client", base, base_cpu),
        ("prodready.http Client", mine, mine_cpu),
    ):
        print(f"    {name:22s} {w * 1e6:7.1f} us wall  {1 / w:7.0f} req/s   {c * 1e6:6.1f} us CPU")
    print(f"    ratio prodready/raw: wall {mine / base:.3f}, CPU {mine_cpu / base_cpu:.3f}")
    for client in clients.values():
        client.close()
    return {
        "raw_us": base * 1e6,
        "ours_us": mine * 1e6,
        "ratio": mine / base,
        "raw_cpu_us": base_cpu * 1e6,
        "ours_cpu_us": mine_cpu * 1e6,
        "cpu_ratio": mine_cpu / base_cpu,
    }


# -- 4: open-circuit fast fails -------------------------------------------------


def bench_fast_fail(rounds: int, n: int) -> dict[str, Any]:
    registry = BreakerRegistry()
    breaker = CircuitBreaker("down", volume_threshold=1, sleep_window=3600, registry=registry)
    transport = ResilientTransport(NoopTransport(), breaker=breaker, retry=Retry(attempts=3))
    breaker.record(breaker.admit(), 1)  # trip it
    request = httpx.Request("GET", "http://svc.test/drivers")
    client = Client(transport=NoopTransport(), breaker=breaker)

    def transport_call() -> None:
        try:  # noqa: SIM105 - contextlib.suppress would add its own cost to the figure
            transport.handle_request(request)
        except CircuitOpenError:
            pass

    def client_call() -> None:
        try:  # noqa: SIM105 - contextlib.suppress would add its own cost to the figure
            client.get("http://svc.test/drivers")
        except CircuitOpenError:
            pass

    def admit_call() -> None:
        try:  # noqa: SIM105 - contextlib.suppress would add its own cost to the figure
            breaker.admit()
        except CircuitOpenError:
            pass

    py = pybreaker.CircuitBreaker(fail_max=1, reset_timeout=3600)
    py.open()

    def pybreaker_call() -> None:
        try:  # noqa: SIM105 - contextlib.suppress would add its own cost to the figure
            py.call(request.read)
        except pybreaker.CircuitBreakerError:
            pass

    variants = {
        "CircuitBreaker.admit()": timed_loop(admit_call),
        "ResilientTransport.handle_request": timed_loop(transport_call),
        "prodready.http Client.get": timed_loop(client_call),
        "pybreaker (open) .call": timed_loop(pybreaker_call),
    }
    samples = interleaved(variants, rounds, n)
    rows = {name: 1 / med(s) for name, s in samples.items()}
    print("\n(4) open-circuit fast fails per second")
    for name, rate in rows.items():
        print(f"    {name:42s} {rate:12,.0f} /s")
    client.close()
    return rows


# -- 5: concurrency: 8 threads, 64 tasks -----------------------------------------


def _thread_rps(
    client: httpx.Client, url: str, threads: int, per_thread: int
) -> tuple[float, float]:
    """Requests per second (wall) and client-process CPU seconds per request."""
    barrier = threading.Barrier(threads + 1)

    def work() -> None:
        barrier.wait()
        for _ in range(per_thread):
            client.get(url)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    start, cpu = time.perf_counter(), time.process_time()
    for worker in workers:
        worker.join()
    total = threads * per_thread
    return total / (time.perf_counter() - start), (time.process_time() - cpu) / total


async def _task_rps(
    client: httpx.AsyncClient, url: str, tasks: int, per_task: int
) -> tuple[float, float]:
    async def work() -> None:
        for _ in range(per_task):
            await client.get(url)

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(work() for _ in range(tasks)))
    total = tasks * per_task
    return total / (time.perf_counter() - start), (time.process_time() - cpu) / total


def bench_concurrency(server: LoopbackServer, rounds: int, per_worker: int) -> dict[str, Any]:
    registry = BreakerRegistry()
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    raw = httpx.Client(limits=limits)
    ours = Client(limits=limits, **full_policies(registry, "threads"))
    for client in (raw, ours):
        _thread_rps(client, server.url, 8, 20)  # warm the pool
    thread_samples: dict[str, list[tuple[float, float]]] = {"raw": [], "ours": []}
    for r in range(rounds):
        order = [("raw", raw), ("ours", ours)] if r % 2 == 0 else [("ours", ours), ("raw", raw)]
        for name, client in order:
            thread_samples[name].append(_thread_rps(client, server.url, 8, per_worker))
    raw.close()
    ours.close()

    async def tasks() -> dict[str, list[tuple[float, float]]]:
        samples: dict[str, list[tuple[float, float]]] = {"raw": [], "ours": []}
        raw_a = httpx.AsyncClient(limits=limits)
        ours_a = AsyncClient(limits=limits, **full_policies(registry, "tasks"))
        for client in (raw_a, ours_a):
            await _task_rps(client, server.url, 64, 2)
        for r in range(rounds):
            order = (
                [("raw", raw_a), ("ours", ours_a)]
                if r % 2 == 0
                else [("ours", ours_a), ("raw", raw_a)]
            )
            for name, client in order:
                samples[name].append(await _task_rps(client, server.url, 64, 2))
        await raw_a.aclose()
        await ours_a.aclose()
        return samples

    task_samples = asyncio.run(tasks())
    out = {}
    print("\n(5) throughput against the loopback server (median of rounds; CPU = this process's")
    print("    CPU time per request, which bounds throughput when the client is the bottleneck)")
    for label, samples in (
        ("8 threads, one Client", thread_samples),
        ("64 asyncio tasks, one AsyncClient", task_samples),
    ):
        raw_rps = med([s[0] for s in samples["raw"]])
        ours_rps = med([s[0] for s in samples["ours"]])
        raw_cpu = med([s[1] for s in samples["raw"]])
        ours_cpu = med([s[1] for s in samples["ours"]])
        ratio, cpu_ratio = ours_rps / raw_rps, ours_cpu / raw_cpu
        out[label] = {
            "raw_rps": raw_rps,
            "ours_rps": ours_rps,
            "ratio": ratio,
            "raw_cpu_us": raw_cpu * 1e6,
            "ours_cpu_us": ours_cpu * 1e6,
            "cpu_ratio": cpu_ratio,
        }
        print(
            f"    {label:34s} req/s raw {raw_rps:6.0f} prodready {ours_rps:6.0f} "
            f"(x{ratio:.3f});  CPU us/req raw {raw_cpu * 1e6:6.1f} prodready "
            f"{ours_cpu * 1e6:6.1f} (x{cpu_ratio:.3f})"
        )
    return out


# -- main ------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller samples (about 30 s)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    scale = 0.2 if args.quick else 1.0
    rounds = 5 if args.quick else 15

    print("prodready.http overhead benchmark")
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"httpx {httpx.__version__}, tenacity {_version('tenacity')}, "
        f"stamina {_version('stamina')}, "
        f"pybreaker {_version('pybreaker')}, httpx-retries {_version('httpx-retries')}"
    )
    print(f"rounds: {rounds}, interleaved; figures are medians over rounds")

    results: dict[str, Any] = {}
    results["noop"] = bench_noop(rounds, int(20_000 * scale))
    results["mock"] = bench_mock(rounds, int(5_000 * scale))
    results["fast_fail"] = bench_fast_fail(rounds, int(50_000 * scale))
    with LoopbackServer() as server:
        results["loopback"] = bench_loopback(server, rounds, int(1_000 * scale))
        results["concurrency"] = bench_concurrency(server, rounds, int(100 * scale))

    checks = [
        (
            "(1) full-stack overhead <= 5 us",
            results["noop"]["prodready.http retry+breaker+bulkhead"]["overhead_us"] <= 5,
        ),
        (
            "(2) overhead vs raw httpx <= 5 us",
            results["mock"]["prodready.http Client (full stack)"]["overhead_us"] <= 5,
        ),
        ("(3) loopback within 5% of raw httpx (wall)", results["loopback"]["ratio"] <= 1.05),
        ("(3) loopback within 5% of raw httpx (CPU)", results["loopback"]["cpu_ratio"] <= 1.05),
        (
            "(4) >= 200k fast fails/s (transport)",
            results["fast_fail"]["ResilientTransport.handle_request"] >= 200_000,
        ),
    ]
    for label in ("8 threads, one Client", "64 asyncio tasks, one AsyncClient"):
        row = results["concurrency"][label]
        checks.append((f"(5) {label}: req/s within 5% of raw", row["ratio"] >= 0.95))
        checks.append((f"(5) {label}: CPU/req within 5% of raw", row["cpu_ratio"] <= 1.05))
    print("\ntargets (issue #5)")
    for label, met in checks:
        print(f"    {'met ' if met else 'MISS'}  {label}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2, default=str)
    return 0


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


if __name__ == "__main__":
    sys.exit(main())
