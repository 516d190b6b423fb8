"""Computing per-file facts ahead of the checks, in worker processes.

Checks run in threads, and threads barely help with parsing: the GIL lets
one of them run Python at a time (``--jobs 2`` measured 0.88x of ``--jobs 1``
before this module). So the engine computes the per-file facts every check
will want (``perfile.KINDS``) *before* the checks start, in a pool of worker
processes, and only ships back their small results: syntax trees stay in the
worker that parsed them (they do not pickle cheaply), and each Python file is
parsed once for all the kinds that need its tree.

Workers are forked on Linux (they inherit the imported analysers, so they
start in milliseconds; see ``_context`` for when they are not) and spawned
elsewhere. They receive ``(path, text,
keys)`` batches and never touch the disk: the file index has already read
and vetted every text. A pool that cannot start or dies (a worker killed by
the OOM killer) is not fatal: what is left is computed in this process.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from prodready.scan.facts.cache import encode_facts
from prodready.scan.facts.perfile import compute_facts

__all__ = ["MIN_PARALLEL_BYTES", "FileResult", "Job", "compute_all", "default_workers"]

Job = tuple[str, str, tuple[str, ...]]
"""``(path, text, keys)``: the analyses to run on one file."""

MIN_PARALLEL_BYTES = 256 * 1024
"""Below this much text to analyse, starting processes costs more than it saves."""

_BATCH_BYTES = 64 * 1024
_BATCH_FILES = 64


@dataclass(frozen=True, slots=True)
class FileResult:
    """The facts of one file: computed in this process (``values``) or by a
    worker and still encoded (``encoded``, ``cache.encode_facts`` bytes per
    kind key: the cache stores them as they are, and a collector decodes only
    what it asks for)."""

    path: str
    values: dict[str, Any] = field(default_factory=dict)
    encoded: dict[str, bytes] = field(default_factory=dict)


def compute_all(
    jobs: Sequence[Job],
    workers: int,
    *,
    min_parallel_bytes: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[FileResult]:
    """The facts of every job, computed by up to ``workers`` processes (in
    this one when ``workers`` is 1 or there is little to do), in completion
    order."""
    threshold = MIN_PARALLEL_BYTES if min_parallel_bytes is None else min_parallel_bytes
    size = sum(len(text) for _path, text, _keys in jobs)
    if workers <= 1 or len(jobs) < 2 or size < threshold:
        yield from _serial(jobs, progress)
        return
    # Imported here: a warm rescan analyses nothing and never needs them.
    from concurrent.futures import Future, ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    batches = _batches(jobs, workers)
    done: set[int] = set()
    # Forked workers inherit this process's heap: frozen, the garbage collector
    # neither scans it in them nor copies its pages by touching object headers.
    gc.freeze()
    try:
        pool = ProcessPoolExecutor(max_workers=min(workers, len(batches)), mp_context=_context())
    except (OSError, ValueError, NotImplementedError):
        gc.unfreeze()
        yield from _serial(jobs, progress)
        return
    try:
        futures: dict[Future[list[tuple[str, dict[str, bytes]]]], int] = {
            pool.submit(_run_batch, batch): number for number, batch in enumerate(batches)
        }
        for future in as_completed(futures):
            number = futures[future]
            results = future.result()
            done.add(number)
            for path, encoded in results:
                yield FileResult(path, encoded=encoded)
            if progress is not None:
                progress(len(results))
    except (BrokenProcessPool, OSError):
        remaining = [
            job for number, batch in enumerate(batches) if number not in done for job in batch
        ]
        yield from _serial(remaining, progress)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()


def _serial(jobs: Sequence[Job], progress: Callable[[int], None] | None) -> Iterator[FileResult]:
    for path, text, keys in jobs:
        yield FileResult(path, values=compute_facts(path, text, keys))
        if progress is not None:
            progress(1)


def _run_batch(batch: Sequence[Job]) -> list[tuple[str, dict[str, bytes]]]:
    """In a worker: the facts of every file of ``batch``, each encoded (smaller
    and faster to send back than the pool's own pickling of dataclasses, and
    what the cache stores)."""
    results = []
    for path, text, keys in batch:
        facts = compute_facts(path, text, keys)
        results.append((path, {key: encode_facts(value) for key, value in facts.items()}))
    return results


def _batches(jobs: Sequence[Job], workers: int) -> list[list[Job]]:
    """Batches of similar size, largest files first so the tail is short."""
    ordered = sorted(jobs, key=lambda job: -len(job[1]))
    total = sum(len(text) for _path, text, _keys in ordered)
    limit = max(4096, min(_BATCH_BYTES, total // (workers * 8) + 1))
    batches: list[list[Job]] = []
    current: list[Job] = []
    size = 0
    for job in ordered:
        current.append(job)
        size += len(job[1])
        if size >= limit or len(current) >= _BATCH_FILES:
            batches.append(current)
            current, size = [], 0
    if current:
        batches.append(current)
    return batches


def _context() -> Any:
    """fork on Linux: workers inherit the imported analysers and start at once.
    Python 3.12+ deprecates forking a process that runs other threads (a
    progress bar's refresher, a test runner's): then forkserver, preloaded
    with the analysers. Elsewhere spawn, the platform default."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods:
        if sys.version_info < (3, 12) or threading.active_count() == 1:
            return multiprocessing.get_context("fork")
        if "forkserver" in methods:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            return context
    return multiprocessing.get_context("spawn")


def default_workers() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
