"""The fact cache: per-file facts kept between scans, by content hash.

A rescan of a repository where little changed should cost little. The cache
keeps two things on disk (ADR 0045):

- **entries**: for one file content (its repository path and the SHA-256 of
  its text), every per-file fact computed so far (``perfile.KINDS``: source
  facts, secrets, deployment facts, parse problems...), as one bundle;
- **stat indexes**: for one repository root, each file's ``(device, inode,
  size, mtime_ns, ctime_ns)`` with the content hash and index record seen
  then, so a rescan need not even read a file whose stat is unchanged (a
  changed stat means "read and hash it", not "re-analyse it": same hash, same
  facts).

Where: ``$PRODREADY_CACHE_DIR``, else the platform's user cache directory
(``platformdirs.user_cache_dir("prodready")``), in a folder named after the
*version key*: prodready's version plus a hash of the analysers' source, the
Python version and the versions of the parsers they use (ruff, tree-sitter
and its grammars, PyYAML). A different prodready, or an edited analyser,
never reads facts another one wrote.

Safety and robustness:

- Writes are atomic: a temporary file in the same folder, then
  ``os.replace``; concurrent scans may write the same entry, the last one
  wins and both are complete. Readers never see half a file.
- Every file carries a magic header, the version key, the entry's own key and
  a BLAKE2b checksum of its payload. Anything that does not match (a
  truncated file, another tool's bytes, a stale format) is ignored as a miss
  and rewritten; reading the cache never crashes a scan.
- Payloads are pickles read by an unpickler that only rebuilds prodready's
  own fact dataclasses and enums, a few builtin containers and ``datetime``
  values: a planted cache file cannot make the scan import or call anything
  else. Folders are created private to the user (0700).
- Size is bounded (``DEFAULT_MAX_BYTES``, or ``$PRODREADY_CACHE_MAX_MB``):
  when a ledger of the estimated size (``trim``) says the bound is passed,
  the oldest files (by modification time; a hit refreshes it at most once a
  day) are removed until the cache is under 80 % of the bound. Folders of
  other version keys age out the same way.
- The cache only ever holds facts derived from files the index admitted;
  it never decides which files a scan reads or where they are.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import importlib
import io
import os
import pickle
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import platformdirs

from prodready import __version__

__all__ = [
    "CACHE_DIR_ENV",
    "CACHE_MAX_ENV",
    "DEFAULT_MAX_BYTES",
    "FactCache",
    "decode_facts",
    "default_cache_dir",
    "encode_facts",
    "entry_key",
    "version_key",
]

CACHE_DIR_ENV = "PRODREADY_CACHE_DIR"
CACHE_MAX_ENV = "PRODREADY_CACHE_MAX_MB"
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
"""The cache's size bound (512 MiB): a large monorepo's facts take tens of MB."""

_MAGIC = b"PRDYFC2\n"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by prodready.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_EVICT_TO = 0.8
_TOUCH_AFTER_S = 24 * 3600
_STALE_TEMP_S = 3600
_PARSER_PACKAGES = (
    "ruff",
    "tree-sitter",
    "tree-sitter-go",
    "tree-sitter-javascript",
    "tree-sitter-typescript",
    "tree-sitter-java",
    "pyyaml",
)
_OWN_MODULE = re.compile(r"^prodready\.scan(\.[A-Za-z_][A-Za-z0-9_]*)+$")
_SAFE_GLOBALS = {
    ("builtins", "frozenset"),
    ("builtins", "set"),
    ("builtins", "complex"),
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "time"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
}


def default_cache_dir() -> Path:
    """``$PRODREADY_CACHE_DIR`` when set, else the user cache directory."""
    configured = os.environ.get(CACHE_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_cache_dir("prodready", appauthor=False))


_version_key: str | None = None
_version_lock = threading.Lock()


def version_key() -> str:
    """prodready's version plus a hash of everything per-file facts depend on
    (computed once per process)."""
    global _version_key
    with _version_lock:
        if _version_key is None:
            digest = hashlib.sha256()
            digest.update(f"{sys.implementation.name} {sys.version_info[:3]}\n".encode())
            for package in _PARSER_PACKAGES:
                try:
                    found = metadata.version(package)
                except metadata.PackageNotFoundError:
                    found = "-"
                digest.update(f"{package}={found}\n".encode())
            facts = Path(__file__).resolve().parent
            for source in sorted(facts.rglob("*.py")):
                digest.update(source.relative_to(facts).as_posix().encode() + b"\0")
                digest.update(source.read_bytes())
            _version_key = f"{__version__}-{digest.hexdigest()[:16]}"
        return _version_key


def entry_key(path: str, digest: str) -> str:
    """The key of one file content's bundle: its path and content hash."""
    raw = path.encode("utf-8", "surrogateescape") + b"\0" + digest.encode("ascii")
    return hashlib.sha256(raw).hexdigest()


_allowed: dict[tuple[str, str], Any] = {}


def _allowed_global(module: str, name: str) -> Any:
    """What a cache file may name: prodready's own dataclasses and enums, a
    few safe builtins; anything else raises ``UnpicklingError``."""
    found = _allowed.get((module, name))
    if found is not None:
        return found
    if (module, name) in _SAFE_GLOBALS:
        found = getattr(importlib.import_module(module), name)
    elif _OWN_MODULE.match(module) and "." not in name:
        found = getattr(importlib.import_module(module), name, None)
        if not (
            isinstance(found, type)
            and (dataclasses.is_dataclass(found) or issubclass(found, enum.Enum))
        ):
            found = None
    if found is None:
        raise pickle.UnpicklingError(f"refusing {module}.{name} in a cache file")
    _allowed[(module, name)] = found
    return found


class _FactUnpickler(pickle.Unpickler):
    """Rebuilds only prodready's own dataclasses and enums (plus a few safe
    builtins): a cache file cannot name any other callable."""

    def find_class(self, module: str, name: str) -> Any:
        return _allowed_global(module, name)


def _loads(payload: bytes) -> Any:
    return _FactUnpickler(io.BytesIO(payload)).load()


_plain: dict[type, tuple[str, ...] | None] = {}


def _plain_fields(cls: type) -> tuple[str, ...] | None:
    """The fields of a dataclass that ``cls(*values)`` rebuilds exactly (all
    in ``__init__``, no ``__post_init__``), or None."""
    if cls not in _plain:
        names: tuple[str, ...] | None = None
        if dataclasses.is_dataclass(cls) and not hasattr(cls, "__post_init__"):
            fields = dataclasses.fields(cls)
            if all(f.init for f in fields) and _OWN_MODULE.match(cls.__module__):
                names = tuple(f.name for f in fields)
        _plain[cls] = names
    return _plain[cls]


class _FactPickler(pickle.Pickler):
    """Pickles a fact dataclass as ``cls(*values)``: rebuilding it is then one
    call of its ``__init__``, several times faster than the generic slots
    ``__setstate__`` (a warm scan loads tens of thousands of them)."""

    def reducer_override(self, obj: Any) -> Any:
        names = _plain_fields(type(obj)) if dataclasses.is_dataclass(obj) else None
        if names is None:
            return NotImplemented
        return type(obj), tuple(getattr(obj, name) for name in names)


def encode_facts(value: Any) -> bytes:
    """Facts as a cache payload (also how worker processes send them back)."""
    buffer = io.BytesIO()
    _FactPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def decode_facts(payload: bytes) -> Any:
    """The inverse of ``encode_facts``, refusing anything but fact classes."""
    return _loads(payload)


class FactCache:
    """One cache directory, for one version key. Thread-safe.

    Raises ``ValueError`` when ``$PRODREADY_CACHE_MAX_MB`` is not a positive
    number (and no ``max_bytes`` is given). Every failure to read is a miss;
    the first failure to write turns writing off for the rest of the session
    and is reported once through ``on_error`` (the engine makes it a scan
    warning)."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        max_bytes: int | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.root = directory if directory is not None else default_cache_dir()
        self.version = version_key()
        self.base = self.root / "facts" / self.version
        self.max_bytes = max_bytes if max_bytes is not None else _max_bytes_from_env()
        self._on_error = on_error
        self._writable = True
        self._tagged = False
        self._written = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    # ------------------------------------------------------------------ entries
    def load_entry(self, path: str, digest: str) -> dict[str, bytes] | None:
        """The facts stored for ``path`` with content ``digest`` (kind key ->
        ``encode_facts`` bytes, decoded by whoever needs one), or None."""
        key = entry_key(path, digest)
        value = self._read(self._entry_file(key), key)
        valid = isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, bytes) for k, v in value.items()
        )
        with self._lock:
            if valid:
                self.hits += 1
            else:
                self.misses += 1
        return value if valid else None

    def save_entry(self, path: str, digest: str, encoded: dict[str, bytes]) -> None:
        """Store the facts of one file content (kind key -> ``encode_facts`` bytes)."""
        key = entry_key(path, digest)
        self._write_payload(self._entry_file(key), key, pickle.dumps(encoded, protocol=5))

    # ------------------------------------------------------------------ stat indexes
    def load_stat_index(self, root: str) -> Any:
        """What ``save_stat_index`` stored for this repository root, or None."""
        key = _root_key(root)
        return self._read(self.base / "roots" / key, key)

    def save_stat_index(self, root: str, value: Any) -> None:
        key = _root_key(root)
        self._write(self.base / "roots" / key, key, value)

    # ------------------------------------------------------------------ housekeeping
    @property
    def written_bytes(self) -> int:
        return self._written

    def trim(self) -> int:
        """Keep the cache under its bound without measuring it after every
        scan: a ledger holds its estimated size, grown by what each scan
        wrote; when the estimate passes the bound (or there is no ledger yet)
        the cache is measured and trimmed for real (``evict``). Concurrent
        scans may lose each other's additions to the ledger: the bound is then
        enforced a little late, never skipped. Returns the files removed."""
        ledger = self.root / "facts" / "usage"
        try:
            known: int | None = int(ledger.read_text(encoding="ascii"))
        except (OSError, ValueError):
            known = None
        estimate = (known or 0) + self._written
        removed = 0
        if known is None or estimate > self.max_bytes:
            removed, estimate = self._evict()
        self._write_raw(ledger, str(estimate).encode("ascii"))
        return removed

    def evict(self) -> int:
        """Remove the oldest files until the cache is under 80 % of its bound
        (only when over it). Returns the number of files removed."""
        return self._evict()[0]

    def _evict(self) -> tuple[int, int]:
        top = self.root / "facts"
        files: list[tuple[float, int, Path]] = []
        total = 0
        now = time.time()
        for folder, _dirs, names in os.walk(top):
            for name in names:
                item = Path(folder) / name
                try:
                    st = item.stat()
                except OSError:
                    continue
                if name.startswith(".tmp-") and now - st.st_mtime < _STALE_TEMP_S:
                    continue  # another scan is writing it
                if name == "usage" and folder == str(top):
                    continue
                files.append((st.st_mtime, st.st_size, item))
                total += st.st_size
        if total <= self.max_bytes:
            return 0, total
        removed = 0
        target = self.max_bytes * _EVICT_TO
        for _mtime, size, item in sorted(files, key=lambda f: f[0]):
            if total <= target:
                break
            with contextlib.suppress(OSError):
                item.unlink()
                total -= size
                removed += 1
        for folder, dirs, names in os.walk(top, topdown=False):
            if not dirs and not names and Path(folder) != top:
                with contextlib.suppress(OSError):
                    Path(folder).rmdir()
        return removed, total

    # ------------------------------------------------------------------ files
    def _entry_file(self, key: str) -> Path:
        # One path object from one string, not three joins: this runs for
        # every file of every scan.
        return Path(f"{self.base}/entries/{key[:2]}/{key[2:]}")

    def _header(self, key: str, payload: bytes) -> bytes:
        check = hashlib.blake2b(payload, digest_size=16).hexdigest()
        return _MAGIC + f"{self.version} {key} {check}\n".encode("ascii")

    def _read(self, file: Path, key: str) -> Any:
        try:
            with open(file, "rb") as handle:
                data = handle.read()
                mtime = os.fstat(handle.fileno()).st_mtime
        except OSError:
            return None
        if not data.startswith(_MAGIC):
            return None
        end = data.find(b"\n", len(_MAGIC))
        if end < 0:
            return None
        payload = data[end + 1 :]
        if data[: end + 1] != self._header(key, payload):
            return None  # another version, another key, or damaged
        try:
            value = _loads(payload)
        except Exception:  # a damaged or planted payload is a miss, never a crash
            return None
        if time.time() - mtime > _TOUCH_AFTER_S:
            with contextlib.suppress(OSError):
                os.utime(file)  # keep what is used away from eviction
        return value

    def _write(self, file: Path, key: str, value: Any) -> None:
        if not self._writable:
            return
        try:
            payload = encode_facts(value)
        except Exception as exc:  # a fact that does not pickle is a bug: not cached
            self._fail(f"a fact could not be stored ({type(exc).__name__}: {exc})")
            return
        self._write_payload(file, key, payload)

    def _write_payload(self, file: Path, key: str, payload: bytes) -> None:
        data = self._header(key, payload) + payload
        if self._write_raw(file, data):
            with self._lock:
                self._written += len(data)

    def _write_raw(self, file: Path, data: bytes) -> bool:
        """Write ``data`` to ``file`` atomically; False (and writing off, one
        warning) when the cache cannot be written."""
        if not self._writable:
            return False
        try:
            if not self._tagged:
                self._tag()
            try:
                self._replace(file, data)
            except FileNotFoundError:  # its folder is new, or another scan's trim removed it
                file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                self._replace(file, data)
        except OSError as exc:
            self._writable = False
            self._fail(
                f"cannot write the cache in {self.root} ({exc.strerror or exc}); "
                "the scan goes on without storing facts"
            )
            return False
        return True

    @staticmethod
    def _replace(file: Path, data: bytes) -> None:
        fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=file.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, file)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise

    def _tag(self) -> None:
        """Create the cache folder (private to the user) with a CACHEDIR.TAG,
        so backup tools leave it out."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        tag = self.root / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(_CACHEDIR_TAG, encoding="ascii")
        self._tagged = True

    def report(self, message: str) -> None:
        """Pass a problem with what is being cached to ``on_error``."""
        self._fail(message)

    def _fail(self, message: str) -> None:
        if self._on_error is not None:
            self._on_error(message)


def _root_key(root: str) -> str:
    return hashlib.sha256(root.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _max_bytes_from_env() -> int:
    raw = os.environ.get(CACHE_MAX_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = -1.0
    if not megabytes > 0 or megabytes == float("inf"):
        raise ValueError(
            f"${CACHE_MAX_ENV}={raw!r}: expected the cache's size bound in megabytes, "
            "a positive number such as 512"
        )
    return max(1, int(megabytes * 1024 * 1024))
