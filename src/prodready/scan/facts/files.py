"""The file index: the only part of a scan that reads the scanned repository.

It walks the tree once, applies every safety limit, and hands checks and
collectors a ``RepoFiles`` view of readable text files. Limits, and why:

- **Never run git** on the scanned repo (a hostile ``.git/config`` can make git
  execute commands). ``.gitignore`` files, nested ones too, are honoured with
  ``pathspec`` when ``.git`` exists; commit and branch come from ``gitmeta``.
- **Always skipped**: ``.git/``, ``node_modules/``, tool caches and virtualenvs
  (directories holding ``pyvenv.cfg``): never first-party source, often huge.
- **Marked, not hidden**: tests, vendored, generated, docs and example files
  (``classify``); each check decides what they mean to it.
- **Skipped with a warning**: binaries (a NUL byte in the first 8 KiB, or not
  valid UTF-8), files over the size limit (default 2 MiB), unreadable files,
  special files (FIFOs are never opened: they would block), symlinks that point
  out of the root or are dangling, and symlink loops. Warnings are aggregated
  (``WarningLog``): a count plus the first few of each kind.
- **Odd names**: names that are not valid UTF-8 are kept (Python represents
  them with lone surrogates, ``os.fsdecode``); reports show them JSON-safe.

With a fact cache (``cache.FactCache``) the index also remembers each file's
stat: a file whose ``(device, inode, size, mtime_ns, ctime_ns)`` is unchanged
since the last scan is not read at all. Its record and content hash come
from the cache, and its text is read only if some collector asks for it
(``read_text``, with the same limits and the same check that it is still
inside the repository). A file modified within ``RACY_NS`` of the scan that
recorded it is "racily clean" (as git calls it): the next scan reads and
hashes it again rather than trust a timestamp that may not have ticked.
Per-file facts (``perfile``) are asked for with ``file_fact`` and computed
ahead, in parallel, with ``prefetch``.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pathspec

from prodready.scan.diagnostics import WarningLog
from prodready.scan.facts._regular_file import read_regular_file
from prodready.scan.facts.artefacts import PARSERS, Parsed
from prodready.scan.facts.cache import FactCache
from prodready.scan.facts.classify import classify
from prodready.scan.facts.factstore import MISSING, FactStore
from prodready.scan.facts.gitmeta import GitMeta, read_git_meta
from prodready.scan.facts.languages import is_programming_language, language_of
from prodready.scan.facts.parallel import compute_all
from prodready.scan.facts.perfile import KINDS, PROBLEM_KINDS, LazyTexts, kind_key
from prodready.scan.facts.source import ParseProblem

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
"""Files larger than this are skipped (2 MiB): real source files are far
smaller, and large files are data, bundles or dumps."""

BINARY_SNIFF_BYTES = 8192

RACY_NS = 2_000_000_000
"""A file modified less than this before the scan that recorded its stat is
read again by the next scan (timestamps may be that coarse)."""

ALWAYS_SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".venv",
        ".eggs",
        ".gradle",
        ".terraform",
    }
)


@dataclass(frozen=True, slots=True)
class FileInfo:
    """One readable text file of the scan."""

    path: str
    size: int
    lines: int
    language: str | None
    is_test: bool = False
    is_vendored: bool = False
    is_generated: bool = False
    is_docs: bool = False
    is_example: bool = False

    @property
    def is_code(self) -> bool:
        """Written in a programming language (not config, docs or data)."""
        return is_programming_language(self.language)

    @property
    def is_first_party(self) -> bool:
        """Written by the repository's owners: not vendored, not generated."""
        return not (self.is_vendored or self.is_generated)

    @property
    def is_production_code(self) -> bool:
        """First-party code that ships: not a test, example, vendored or generated."""
        return self.is_code and self.is_first_party and not (self.is_test or self.is_example)


@dataclass(frozen=True, slots=True)
class IndexLimits:
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    exclude: tuple[str, ...] = ()
    """gitwildmatch patterns (relative to the root) of paths to leave out entirely."""


class Memo:
    """Compute each key's value once, even when threads ask at the same time.

    A failing computation is not cached: the exception reaches every caller
    that asked while it ran, and the next caller tries again.
    """

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}
        self._locks: dict[Any, threading.RLock] = {}
        self._guard = threading.Lock()

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        try:
            return self._values[key]
        except KeyError:
            pass
        with self._guard:
            lock = self._locks.setdefault(key, threading.RLock())
        with lock:
            if key in self._values:
                return self._values[key]
            value = compute()
            self._values[key] = value
            return value

    def values(self) -> list[Any]:
        with self._guard:
            return list(self._values.values())

    def items(self) -> list[tuple[Any, Any]]:
        with self._guard:
            return list(self._values.items())

    def peek(self, key: Any, default: Any = None) -> Any:
        """The value if it was computed, else ``default`` (never computes)."""
        return self._values.get(key, default)


@dataclass(frozen=True, slots=True)
class StatRecord:
    """What the last scan saw of one file: its stat, and its content hash and
    record (a text file) or why it was skipped (a binary one)."""

    dev: int
    ino: int
    size: int
    mtime_ns: int
    ctime_ns: int
    digest: str | None = None
    info: FileInfo | None = None
    skip: tuple[str, str] | None = None

    def same_stat(self, st: os.stat_result) -> bool:
        return (
            self.size == st.st_size
            and self.mtime_ns == st.st_mtime_ns
            and self.ino == st.st_ino
            and self.dev == st.st_dev
            and self.ctime_ns == st.st_ctime_ns
        )


@dataclass(frozen=True, slots=True)
class StatIndex:
    """The stat records of one repository root, and when they were taken."""

    recorded_ns: int
    max_file_size: int
    files: dict[str, StatRecord] = field(default_factory=dict)


def content_digest(data: bytes) -> str:
    """The content hash the cache keys per-file facts by."""
    return hashlib.sha256(data).hexdigest()


class FileIndex:
    """All readable text files of a repository, with their marks and text.

    Implements ``RepoFiles``. Build it from disk with ``FileIndex.build`` or
    from a mapping (tests, derived views) with ``FileIndex.from_files``.
    """

    def __init__(
        self,
        root: Path | None,
        texts: Mapping[str, str],
        infos: Mapping[str, FileInfo],
        *,
        skipped: Mapping[str, str] | None = None,
        git: GitMeta | None = None,
        warnings: WarningLog | None = None,
        cache: FactCache | None = None,
    ) -> None:
        self.root = root
        self._texts = dict(texts)
        self._infos = dict(sorted(infos.items()))
        self._paths = list(self._infos)
        self.skipped: dict[str, str] = dict(skipped or {})
        """Paths seen but not readable as text, with the reason code."""
        self.git = git
        self.warnings = warnings if warnings is not None else WarningLog()
        self._artefacts = Memo()
        self._facts = Memo()
        self._store = FactStore(cache)
        self._digests: dict[str, str] = {}
        self._lazy: dict[str, str] = {}
        """Paths known from the stat index but not read: path -> file on disk."""
        self._loaded = Memo()
        self._limit = DEFAULT_MAX_FILE_SIZE
        self._root_real = os.path.realpath(root) if root is not None else ""
        self._stats: StatIndex | None = None
        self._stats_changed = False
        self._lock = threading.Lock()

    @property
    def cache(self) -> FactCache | None:
        return self._store.cache

    @classmethod
    def from_files(cls, files: Mapping[str, str]) -> FileIndex:
        """An in-memory index (no disk): for tests and synthetic views."""
        infos = {path: _info_for(path, text) for path, text in files.items()}
        return cls(None, files, infos)

    @classmethod
    def build(
        cls,
        root: Path,
        limits: IndexLimits | None = None,
        warnings: WarningLog | None = None,
        progress: Callable[[int], None] | None = None,
        cache: FactCache | None = None,
    ) -> FileIndex:
        """Walk ``root`` applying ``limits``; problems become warnings. With a
        ``cache``, files whose stat is unchanged since the last scan are not
        read (see the module docstring)."""
        log = warnings if warnings is not None else WarningLog()
        limits = limits or IndexLimits()
        previous = _previous_stats(cache, root, limits) if cache is not None else None
        walker = _Walker(root, limits, log, progress, previous, cache)
        texts, infos, skipped = walker.walk()
        index = cls(
            root,
            texts,
            infos,
            skipped=skipped,
            git=read_git_meta(root) if walker.is_git else None,
            warnings=log,
            cache=cache,
        )
        index._digests = walker.digests
        index._lazy = walker.lazy
        index._limit = limits.max_file_size
        index._stats = StatIndex(walker.started_ns, limits.max_file_size, walker.records)
        index._stats_changed = previous is None or walker.racy or walker.records != previous.files
        return index

    # RepoFiles
    def paths(self) -> list[str]:
        return list(self._paths)

    def read_text(self, path: str) -> str | None:
        text = self._texts.get(path)
        if text is not None or path not in self._lazy:
            return text
        loaded: str | None = self._loaded.get(path, lambda: self._load(path))
        return loaded

    def _load(self, path: str) -> str | None:
        """Read a file the stat index let the walk skip, with the walk's limits.

        The file read must be the one the walk vetted: opened without
        following a final symlink, it is read when its device and inode are
        those the walk saw; anything else (a symlink, a replaced file) is read
        only if its real path is still inside the repository."""
        location = self._lazy[path]
        record = self._stats.files.get(path) if self._stats is not None else None
        data = None
        if record is not None:
            data = read_regular_file(location, self._limit + 1, same_as=(record.dev, record.ino))
        if data is None:
            if not _within(self._root_real, os.path.realpath(location)):
                return None
            data = read_regular_file(location, self._limit + 1)
        if data is None or len(data) > self._limit or b"\x00" in data[:BINARY_SNIFF_BYTES]:
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
        digest = content_digest(data)
        with self._lock:
            if self._digests.get(path) != digest:  # changed since the walk
                self._digests[path] = digest
                if self._stats is not None:
                    self._stats.files.pop(path, None)
                    self._stats_changed = True
        return text

    # Beyond RepoFiles
    def info(self, path: str) -> FileInfo | None:
        return self._infos.get(path)

    def infos(self) -> Iterator[FileInfo]:
        return iter(self._infos.values())

    def __contains__(self, path: object) -> bool:
        return path in self._infos

    def __len__(self) -> int:
        return len(self._infos)

    def digest(self, path: str) -> str | None:
        """The content hash of ``path`` (None when it is not in the index)."""
        with self._lock:
            found = self._digests.get(path)
        if found is not None or path not in self._infos:
            return found
        text = self._texts.get(path)
        if text is None:
            return None
        digest = content_digest(text.encode("utf-8", "surrogatepass"))
        with self._lock:
            return self._digests.setdefault(path, digest)

    def was_read(self, path: str) -> bool:
        """Whether the text of ``path`` is in memory (read by the walk or since)."""
        return path in self._texts or self._loaded.peek(path) is not None

    def parsed(self, kind: str, path: str) -> Parsed[Any]:
        """The ``kind`` artefact of ``path`` (see ``artefacts.PARSERS``), parsed
        once per scan. Absent files give a Parsed with value None and no problem."""
        parser = PARSERS[kind]

        def compute() -> Parsed[Any]:
            text = self.read_text(path)
            if text is None:
                return Parsed(None)
            return parser(path, text)

        result: Parsed[Any] = self._artefacts.get((kind, path), compute)
        return result

    def parse_problem(self, kind: str, path: str) -> ParseProblem | None:
        """Why the ``kind`` artefact of ``path`` does not parse, or None: from
        this scan's parse when there was one, else from the per-file facts
        (cached: a rescan need not parse the file again)."""
        parsed = self._artefacts.peek((kind, path))
        if isinstance(parsed, Parsed):
            return parsed.problem
        problem: ParseProblem | None = self.file_fact(PROBLEM_KINDS[kind], path)
        return problem

    def parse_problems(self) -> list[ParseProblem]:
        """Every problem met while parsing artefacts so far, sorted by path."""
        found = {p.problem for p in self._artefacts.values() if p.problem is not None}
        problem_keys = set(PROBLEM_KINDS.values())
        found.update(
            value
            for (key, _path), value in self._facts.items()
            if key in problem_keys and isinstance(value, ParseProblem)
        )
        return sorted(found, key=lambda p: (p.path, p.line or 0, p.message))

    # Per-file facts
    def file_fact(self, name: str, path: str, **params: Any) -> Any:
        """The per-file fact ``name`` (``perfile.KINDS``) of ``path``: from this
        scan's memory, else the cache, else computed now (and kept). None when
        the file is not in the index or cannot be read."""
        key = kind_key(name, params)

        def compute() -> Any:
            digest = self.digest(path)
            if digest is None:
                return None
            known = self._store.get(path, digest, key)
            if known is not MISSING:
                return known
            text = self.read_text(path)
            if text is None:
                return None
            kind = KINDS[name]
            arguments = dict(params)
            if kind.tree and path.endswith(".py"):
                arguments["tree"] = self.parsed("python", path).value
            value = kind.function()(path, text, **arguments)
            self._store.put(path, self.digest(path) or digest, key, value)
            return value

        return self._facts.get((key, path), compute)

    def batch_facts(
        self,
        name: str,
        texts: Mapping[str, str],
        run: Callable[[Mapping[str, str]], Mapping[str, Any]],
        **params: Any,
    ) -> dict[str, Any]:
        """Per-file facts ``name`` of every text in ``texts`` (path -> text),
        computed by ``run`` in one batch for those not known yet (see
        ``perfile.batch_facts``)."""
        key = kind_key(name, params)
        results: dict[str, Any] = {}
        todo: dict[str, str] = {}
        digests: dict[str, str] = {}
        lazy = isinstance(texts, LazyTexts)  # texts of this index, read only when needed
        for path in texts:
            found = self.digest(path) if lazy else None
            if found is None:
                text = texts.get(path)
                if text is None:
                    continue
                found = self._digest_of(path, text)
            digests[path] = found
            known = self._store.get(path, found, key)
            if known is not MISSING:
                results[path] = known
                continue
            text = texts.get(path)
            if text is not None:
                todo[path] = text
        if todo:
            for path, value in run(todo).items():
                if path in todo:
                    self._store.put(path, digests[path], key, value)
                results[path] = value
        return results

    def _digest_of(self, path: str, text: str) -> str:
        """The content hash of ``text``: the index's when it is the indexed text."""
        if self._texts.get(path) is text or self._loaded.peek(path) is text:
            digest = self.digest(path)
            if digest is not None:
                return digest
        return content_digest(text.encode("utf-8", "surrogatepass"))

    def prefetch(
        self,
        wanted: Mapping[str, Iterable[str]],
        workers: int = 1,
        progress: Callable[[int], None] | None = None,
        min_parallel_bytes: int | None = None,
        announce: Callable[[int], None] | None = None,
    ) -> int:
        """Compute ahead the per-file facts ``wanted`` (path -> kind keys) that
        neither memory nor the cache knows, with up to ``workers`` processes.
        ``announce`` hears how many files that is (when there are any) before
        the work starts, ``progress`` each file done. Returns the number of
        files analysed."""
        pending: list[tuple[str, str, tuple[str, ...]]] = []
        for path, keys in wanted.items():
            digest = self.digest(path)
            if digest is None:
                continue
            missing = self._store.missing(path, digest, tuple(keys))
            if missing:
                text = self.read_text(path)
                if text is not None:
                    pending.append((path, text, missing))
        digests = {path: self.digest(path) for path, _text, _keys in pending}
        if pending and announce is not None:
            announce(len(pending))
        for result in compute_all(
            pending, workers, min_parallel_bytes=min_parallel_bytes, progress=progress
        ):
            digest = digests[result.path]
            if digest is not None:
                self._store.update(result.path, digest, result.values)
                self._store.update_encoded(result.path, digest, result.encoded)
        return len(pending)

    def save_cache(self) -> None:
        """Write what this scan learnt to the cache (no-op without one)."""
        cache = self._store.cache
        if cache is None:
            return
        self._store.save()
        if self._stats is not None and self._stats_changed and self._root_real:
            cache.save_stat_index(self._root_real, self._stats)
            self._stats_changed = False


def _previous_stats(cache: FactCache, root: Path, limits: IndexLimits) -> StatIndex | None:
    found = cache.load_stat_index(os.path.realpath(root))
    if not isinstance(found, StatIndex) or found.max_file_size != limits.max_file_size:
        return None
    return found


def _info_for(path: str, text: str, size: int | None = None) -> FileInfo:
    first_line = text[:256].split("\n", 1)[0]
    marks = classify(path, text[:4096])
    return FileInfo(
        path=path,
        size=size if size is not None else len(text.encode("utf-8", "surrogateescape")),
        lines=text.count("\n") + (1 if text and not text.endswith("\n") else 0),
        language=language_of(path, first_line),
        is_test=marks.is_test,
        is_vendored=marks.is_vendored,
        is_generated=marks.is_generated,
        is_docs=marks.is_docs,
        is_example=marks.is_example,
    )


class _Ignores:
    """The stack of gitignore specs that apply to one directory."""

    def __init__(self, specs: tuple[tuple[str, pathspec.GitIgnoreSpec], ...] = ()) -> None:
        self.specs = specs

    def with_spec(self, prefix: str, spec: pathspec.GitIgnoreSpec | None) -> _Ignores:
        return self if spec is None else _Ignores((*self.specs, (prefix, spec)))

    def ignored(self, rel: str, is_dir: bool) -> bool:
        decision: bool | None = None
        candidate = rel + "/" if is_dir else rel
        for prefix, spec in self.specs:  # root first: deeper files override
            if prefix and not candidate.startswith(prefix):
                continue
            result = spec.check_file(candidate[len(prefix) :])
            if result.include is not None:
                decision = result.include
        return bool(decision)


class _Walker:
    def __init__(
        self,
        root: Path,
        limits: IndexLimits,
        log: WarningLog,
        progress: Callable[[int], None] | None,
        previous: StatIndex | None = None,
        cache: FactCache | None = None,
    ) -> None:
        self.root = root
        self.root_real = os.path.realpath(root)
        self.limits = limits
        self.log = log
        self.progress = progress
        self.is_git = (root / ".git").exists()
        self.exclude = pathspec.GitIgnoreSpec.from_lines(limits.exclude) if limits.exclude else None
        self.texts: dict[str, str] = {}
        self.infos: dict[str, FileInfo] = {}
        self.skipped: dict[str, str] = {}
        self.visited: set[tuple[int, int]] = set()
        self.started_ns = time.time_ns()
        self.records: dict[str, StatRecord] = {}
        self.digests: dict[str, str] = {}
        self.lazy: dict[str, str] = {}
        self.remember = cache is not None
        self.racy = False
        self.previous = previous.files if previous is not None else {}
        self.trusted_before = previous.recorded_ns - RACY_NS if previous is not None else 0
        self.cache_dir = _real_or_none(cache.root) if cache is not None else None

    def walk(self) -> tuple[dict[str, str], dict[str, FileInfo], dict[str, str]]:
        try:
            st = os.stat(self.root_real)
        except OSError as exc:
            self.log.add("unreadable", f"cannot read the repository root: {exc.strerror}")
            return self.texts, self.infos, self.skipped
        self.visited.add((st.st_dev, st.st_ino))
        ignores = _Ignores()
        if self.is_git:
            info_exclude = self._gitignore_spec(os.path.join(self.root_real, ".git", "info"), "")
            ignores = ignores.with_spec("", info_exclude)
        stack: list[tuple[str, str, _Ignores]] = [(self.root_real, "", ignores)]
        while stack:
            directory, prefix, ignores = stack.pop()
            stack.extend(reversed(self._visit_dir(directory, prefix, ignores)))
        return self.texts, self.infos, self.skipped

    def _gitignore_spec(self, directory: str, prefix: str) -> pathspec.GitIgnoreSpec | None:
        name = "exclude" if directory.endswith(os.sep + "info") else ".gitignore"
        path = os.path.join(directory, name)
        if not _within(self.root_real, os.path.realpath(path)):
            return None  # a .gitignore linking out of the repository is not read
        data = read_regular_file(path, self.limits.max_file_size)
        if data is None:
            return None
        lines = data.decode("utf-8", "replace").splitlines()
        try:
            return pathspec.GitIgnoreSpec.from_lines(lines)
        except (ValueError, TypeError) as exc:
            self.log.add("parse-error", f"ignored an invalid .gitignore: {exc}", prefix + name)
            return None

    def _visit_dir(
        self, directory: str, prefix: str, ignores: _Ignores
    ) -> list[tuple[str, str, _Ignores]]:
        try:
            with os.scandir(directory) as scanner:
                entries = sorted(scanner, key=lambda e: e.name)
        except OSError as exc:
            self.log.add("unreadable", f"directory not readable: {exc.strerror}", prefix or ".")
            return []
        if self.is_git and any(e.name == ".gitignore" for e in entries):
            ignores = ignores.with_spec(prefix, self._gitignore_spec(directory, prefix))
        children: list[tuple[str, str, _Ignores]] = []
        for entry in entries:
            rel = prefix + entry.name
            child = self._visit_entry(entry, rel, ignores)
            if child is not None:
                children.append((child, rel + "/", ignores))
        return children

    def _excluded(self, rel: str, is_dir: bool) -> bool:
        if self.exclude is None:
            return False
        return self.exclude.match_file(rel + "/" if is_dir else rel)

    def _visit_entry(self, entry: os.DirEntry[str], rel: str, ignores: _Ignores) -> str | None:
        """Index a file; return the real path of a directory to descend into."""
        is_link = False
        try:
            is_link = entry.is_symlink()
            if is_link:
                target = os.path.realpath(entry.path)
                if not _within(self.root_real, target):
                    self._skip(rel, "symlink-escape", "symlink points outside the repository")
                    return None
                st = os.stat(entry.path)
            else:
                st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            code = "symlink-loop" if is_link else "unreadable"
            self._skip(rel, code, f"not readable: {exc.strerror or exc}")
            return None
        if stat.S_ISDIR(st.st_mode):
            return self._enter_dir(entry, rel, ignores, st, is_link)
        if ignores.ignored(rel, is_dir=False) or self._excluded(rel, is_dir=False):
            return None
        if not stat.S_ISREG(st.st_mode):
            self._skip(rel, "special-file", "not a regular file (device, FIFO or socket)")
            return None
        if st.st_size > self.limits.max_file_size:
            limit = self.limits.max_file_size
            self._skip(rel, "too-large", f"{st.st_size:,} bytes is over the {limit:,}-byte limit")
            return None
        if not self._unchanged(entry.path, rel, st):
            self._read_file(entry.path, rel, st)
        return None

    def _unchanged(self, path: str, rel: str, st: os.stat_result) -> bool:
        """Take the file from the last scan's stat index when its stat is the
        same and was recorded safely after its last change."""
        record = self.previous.get(rel)
        if record is None or not record.same_stat(st):
            return False
        if st.st_mtime_ns >= self.trusted_before:
            self.racy = True  # read again; the new stat index, taken later, will trust it
            return False
        if record.skip is not None:
            self.records[rel] = record
            self._skip(rel, *record.skip)
            return True
        if record.info is None or record.digest is None:
            return False
        self.records[rel] = record
        self.infos[rel] = record.info
        self.digests[rel] = record.digest
        self.lazy[rel] = path
        if self.progress is not None:
            self.progress(len(self.infos))
        return True

    def _enter_dir(
        self, entry: os.DirEntry[str], rel: str, ignores: _Ignores, st: os.stat_result, link: bool
    ) -> str | None:
        if entry.name in ALWAYS_SKIPPED_DIRS:
            return None
        if ignores.ignored(rel, is_dir=True) or self._excluded(rel, is_dir=True):
            return None
        if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
            return None  # a virtualenv: installed packages, not the repository's code
        if self.cache_dir is not None and os.path.realpath(entry.path) == self.cache_dir:
            return None  # prodready's own fact cache, kept inside the repository
        key = (st.st_dev, st.st_ino)
        if key in self.visited:
            if link:
                self._skip(rel, "symlink-loop", "symlink to a directory already scanned")
            return None
        self.visited.add(key)
        return entry.path

    def _read_file(self, path: str, rel: str, st: os.stat_result | None = None) -> None:
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(path, flags)
        except OSError as exc:
            self._skip(rel, "unreadable", f"not readable: {exc.strerror or exc}")
            return
        try:
            with os.fdopen(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    self._skip(rel, "special-file", "not a regular file")
                    return
                data = handle.read(self.limits.max_file_size + 1)
        except OSError as exc:
            self._skip(rel, "unreadable", f"not readable: {exc.strerror or exc}")
            return
        if len(data) > self.limits.max_file_size:
            self._skip(rel, "too-large", "file grew over the size limit while being read")
            return
        if b"\x00" in data[:BINARY_SNIFF_BYTES]:
            self._skip_binary(rel, st, data, "binary file (NUL byte)")
            return
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self._skip_binary(rel, st, data, f"not valid UTF-8 text (byte {exc.start})")
            return
        self.texts[rel] = text
        info = _info_for(rel, text, size=len(data))
        self.infos[rel] = info
        digest = content_digest(data)
        self.digests[rel] = digest
        if self.remember and st is not None and st.st_size == len(data):
            self.records[rel] = _record(st, digest=digest, info=info)
        if self.progress is not None:
            self.progress(len(self.infos))

    def _skip_binary(self, rel: str, st: os.stat_result | None, data: bytes, message: str) -> None:
        self._skip(rel, "binary", message)
        if self.remember and st is not None and st.st_size == len(data):
            self.records[rel] = _record(st, skip=("binary", message))

    def _skip(self, rel: str, code: str, message: str) -> None:
        self.skipped[rel] = code
        self.log.add(code, message, rel)


def _record(st: os.stat_result, **known: Any) -> StatRecord:
    return StatRecord(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, **known)


def _real_or_none(path: Path) -> str | None:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return None


def _within(root_real: str, target: str) -> bool:
    return target == root_real or target.startswith(root_real.rstrip(os.sep) + os.sep)
