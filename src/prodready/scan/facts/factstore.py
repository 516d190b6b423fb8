"""The per-file facts of one scan: in memory, backed by the fact cache.

``FactStore`` holds, for each file content the scan has met, the per-file
facts known so far (``perfile.KINDS`` keys -> values). Each fact is kept in
one of two forms: *encoded* (``cache.encode_facts`` bytes, as the cache and
the worker processes deliver it) or *decoded* (the value). A fact is decoded
the first time a collector asks for it and encoded only if it was computed
here, so facts nobody asks for are never decoded, and writing back a file's
entry never re-encodes what came from the cache or a worker.

An entry is loaded from the cache the first time its file is asked about and
written back once at the end of the scan (``save``) when it grew. Without a
cache the store is simply the scan's memo.
"""

from __future__ import annotations

import threading
from typing import Any, Final

from prodready.scan.facts.cache import FactCache, decode_facts, encode_facts

__all__ = ["MISSING", "FactStore"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""Returned by ``FactStore.get`` when nothing is known (None is a valid fact)."""


class _Entry:
    """The facts of one file content: decoded values and encoded ones."""

    __slots__ = ("decoded", "encoded")

    def __init__(self, encoded: dict[str, bytes]) -> None:
        self.decoded: dict[str, Any] = {}
        self.encoded = encoded

    def knows(self, key: str) -> bool:
        return key in self.decoded or key in self.encoded


class FactStore:
    """Thread-safe per-file facts, keyed by (path, content digest, kind key)."""

    def __init__(self, cache: FactCache | None = None) -> None:
        self.cache = cache
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._dirty: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def _entry(self, path: str, digest: str) -> _Entry:
        key = (path, digest)
        found = self._entries.get(key)  # a dict lookup is atomic: no lock needed
        if found is not None:
            return found
        loaded = self.cache.load_entry(path, digest) if self.cache is not None else None
        with self._lock:
            return self._entries.setdefault(key, _Entry(dict(loaded or {})))

    def missing(self, path: str, digest: str, keys: tuple[str, ...]) -> tuple[str, ...]:
        """The ``keys`` not known for this content (loads its entry, decodes nothing)."""
        entry = self._entry(path, digest)
        return tuple(k for k in keys if not entry.knows(k))

    def get(self, path: str, digest: str, key: str) -> Any:
        """The fact, or ``MISSING`` (also when its encoded form does not decode:
        it is then computed again and rewritten)."""
        entry = self._entry(path, digest)
        value = entry.decoded.get(key, MISSING)
        if value is not MISSING:
            return value
        data = entry.encoded.get(key)
        if data is None:
            return MISSING
        try:
            value = decode_facts(data)
        except Exception:  # damaged or not ours: a miss, never a crash
            with self._lock:
                entry.encoded.pop(key, None)
            return MISSING
        with self._lock:
            return entry.decoded.setdefault(key, value)

    def put(self, path: str, digest: str, key: str, value: Any) -> None:
        """A fact computed in this process."""
        entry = self._entry(path, digest)
        with self._lock:
            entry.decoded[key] = value
            entry.encoded.pop(key, None)
            self._dirty.add((path, digest))

    def update(self, path: str, digest: str, values: dict[str, Any]) -> None:
        """Facts computed in this process."""
        if values:
            entry = self._entry(path, digest)
            with self._lock:
                for key, value in values.items():
                    entry.decoded[key] = value
                    entry.encoded.pop(key, None)
                self._dirty.add((path, digest))

    def update_encoded(self, path: str, digest: str, encoded: dict[str, bytes]) -> None:
        """Facts computed elsewhere (a worker process), still encoded."""
        if encoded:
            entry = self._entry(path, digest)
            with self._lock:
                for key, data in encoded.items():
                    entry.decoded.pop(key, None)
                    entry.encoded[key] = data
                self._dirty.add((path, digest))

    def save(self) -> int:
        """Write every entry that grew to the cache; the number written."""
        if self.cache is None:
            return 0
        with self._lock:
            dirty = [
                (key, dict(self._entries[key].encoded), dict(self._entries[key].decoded))
                for key in sorted(self._dirty)
            ]
            self._dirty.clear()
        written = 0
        for (path, digest), encoded, decoded in dirty:
            try:
                for kind, value in decoded.items():
                    if kind not in encoded:
                        encoded[kind] = encode_facts(value)
            except Exception as exc:  # a fact that does not pickle is a bug: not cached
                self.cache.report(f"a fact of {path} could not be stored ({type(exc).__name__})")
                continue
            self.cache.save_entry(path, digest, encoded)
            written += 1
        return written
