"""Scan engine: the file index against a bare walk, and `--jobs` parallelism.

Usage: python benchmarks/scan_engine.py [PATH] [--repeat N]

Measures, on PATH (default: this repository), in one run:

- baseline: `os.walk` + reading every file's bytes (the least any scanner
  does), against `FileIndex.build` (gitignore, limits, binary sniffing,
  UTF-8 decoding, classification, languages);
- a full scan (every check that is implemented) with `--jobs 1` and with
  `--jobs <cpu count>`, as ratios to the single-threaded scan.

Each figure is the median of --repeat runs (default 5). Nothing is cached
between scans (each builds its own index), so every scan is a cold scan.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from prodready.scan.engine import ScanOptions, scan
from prodready.scan.facts.files import ALWAYS_SKIPPED_DIRS, FileIndex


def bare_walk(root: Path) -> int:
    total = 0
    for directory, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in ALWAYS_SKIPPED_DIRS]
        for name in files:
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                with open(path, "rb") as handle:
                    total += len(handle.read())
    return total


def timed(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("path", nargs="?", type=Path, default=Path(__file__).parents[1])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    root = args.path.resolve()
    cpus = os.cpu_count() or 1
    index = FileIndex.build(root)
    lines = sum(info.lines for info in index.infos())
    print(f"repository: {root} ({len(index):,} text files, {lines:,} lines)")

    walk = timed(lambda: bare_walk(root), args.repeat)
    build = timed(lambda: FileIndex.build(root), args.repeat)
    print(f"baseline os.walk + read      {walk * 1000:8.1f} ms   x1.00")
    print(f"FileIndex.build              {build * 1000:8.1f} ms   x{build / walk:.2f}")

    def full(jobs: int) -> Callable[[], object]:
        return lambda: scan(root, ScanOptions(jobs=jobs, include_plugins=False))

    single = timed(full(1), args.repeat)
    print(f"scan --jobs 1                {single * 1000:8.1f} ms   x1.00")
    if cpus > 1:
        parallel = timed(full(cpus), args.repeat)
        label = f"scan --jobs {cpus}"
        print(f"{label:<29}{parallel * 1000:8.1f} ms   x{parallel / single:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
