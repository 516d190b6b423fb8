"""Garbage-collector settings for one-shot batch commands such as ``scan``.

A warm scan unpickles and builds a few hundred thousand small objects (cached
facts, findings, results) that live until the command ends, and makes almost
no cyclic garbage. With the default thresholds (a collection every 700 net
allocations) the collector keeps walking them, about 50 ms of a 0.9 s warm
scan. Long-running commands (``serve``) keep the defaults.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_BATCH_THRESHOLD = (100_000, 20, 20)
"""Generation 0 every 100,000 net allocations; older generations as usual
relative to it (the values mypy and similar batch tools use, give or take)."""


@contextmanager
def batch_collection() -> Iterator[None]:
    """Collect rarely while the block runs; restore the previous thresholds."""
    previous = gc.get_threshold()
    gc.set_threshold(*_BATCH_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
