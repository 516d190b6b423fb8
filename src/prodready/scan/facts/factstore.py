"""The per-file facts of one scan: in memory, backed by the fact cache.

``FactStore`` holds, for each file content the scan has met, the bundle of
per-file facts known so far (``perfile.KINDS`` keys -> values). A bundle is
loaded from the cache the first time its file is asked about, grows as the
scan computes more kinds, and is written back once at the end of the scan
(``save``) when it grew. Without a cache it is simply the scan's memo.
"""

from __future__ import annotations

import threading
from typing import Any, Final

from prodready.scan.facts.cache import FactCache

__all__ = ["MISSING", "FactStore"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""Returned by ``FactStore.get`` when nothing is known (None is a valid fact)."""


class FactStore:
    """Thread-safe per-file facts, keyed by (path, content digest, kind key)."""

    def __init__(self, cache: FactCache | None = None) -> None:
        self.cache = cache
        self._bundles: dict[tuple[str, str], dict[str, Any]] = {}
        self._dirty: set[tuple[str, str]] = set()
        self._encoded: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def _bundle(self, path: str, digest: str) -> dict[str, Any]:
        key = (path, digest)
        found = self._bundles.get(key)  # a dict lookup is atomic: no lock needed
        if found is not None:
            return found
        loaded = self.cache.load_entry(path, digest) if self.cache is not None else None
        with self._lock:
            return self._bundles.setdefault(key, dict(loaded or {}))

    def missing(self, path: str, digest: str, keys: tuple[str, ...]) -> tuple[str, ...]:
        """The ``keys`` not known for this content (loads its bundle)."""
        bundle = self._bundle(path, digest)
        with self._lock:
            return tuple(k for k in keys if k not in bundle)

    def get(self, path: str, digest: str, key: str) -> Any:
        """The fact, or ``MISSING``."""
        return self._bundle(path, digest).get(key, MISSING)

    def put(self, path: str, digest: str, key: str, value: Any) -> None:
        bundle = self._bundle(path, digest)
        with self._lock:
            bundle[key] = value
            self._dirty.add((path, digest))
            self._encoded.pop((path, digest), None)

    def update(
        self, path: str, digest: str, values: dict[str, Any], encoded: bytes | None = None
    ) -> None:
        """Add facts; ``encoded``: their ``cache.encode_facts`` bytes, kept to
        be written as they are when they are the whole bundle."""
        if not values:
            return
        bundle = self._bundle(path, digest)
        with self._lock:
            whole = not bundle
            bundle.update(values)
            self._dirty.add((path, digest))
            if whole and encoded is not None:
                self._encoded[(path, digest)] = encoded
            else:
                self._encoded.pop((path, digest), None)

    def save(self) -> int:
        """Write every bundle that grew to the cache; the number written."""
        if self.cache is None:
            return 0
        with self._lock:
            dirty = [
                (key, dict(self._bundles[key]), self._encoded.pop(key, None))
                for key in sorted(self._dirty)
            ]
            self._dirty.clear()
        for (path, digest), bundle, encoded in dirty:
            self.cache.save_entry(path, digest, bundle, encoded)
        return len(dirty)
