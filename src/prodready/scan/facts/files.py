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
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pathspec

from prodready.scan.diagnostics import WarningLog
from prodready.scan.facts.artefacts import PARSERS, Parsed
from prodready.scan.facts.classify import classify
from prodready.scan.facts.gitmeta import GitMeta, read_git_meta
from prodready.scan.facts.languages import is_programming_language, language_of
from prodready.scan.facts.source import ParseProblem

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
"""Files larger than this are skipped (2 MiB): real source files are far
smaller, and large files are data, bundles or dumps."""

BINARY_SNIFF_BYTES = 8192

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
    ) -> FileIndex:
        """Walk ``root`` applying ``limits``; problems become warnings."""
        log = warnings if warnings is not None else WarningLog()
        walker = _Walker(root, limits or IndexLimits(), log, progress)
        texts, infos, skipped = walker.walk()
        return cls(
            root,
            texts,
            infos,
            skipped=skipped,
            git=read_git_meta(root) if walker.is_git else None,
            warnings=log,
        )

    # RepoFiles
    def paths(self) -> list[str]:
        return list(self._paths)

    def read_text(self, path: str) -> str | None:
        return self._texts.get(path)

    # Beyond RepoFiles
    def info(self, path: str) -> FileInfo | None:
        return self._infos.get(path)

    def infos(self) -> Iterator[FileInfo]:
        return iter(self._infos.values())

    def __contains__(self, path: object) -> bool:
        return path in self._infos

    def __len__(self) -> int:
        return len(self._infos)

    def parsed(self, kind: str, path: str) -> Parsed[Any]:
        """The ``kind`` artefact of ``path`` (see ``artefacts.PARSERS``), parsed
        once per scan. Absent files give a Parsed with value None and no problem."""
        parser = PARSERS[kind]

        def compute() -> Parsed[Any]:
            text = self._texts.get(path)
            if text is None:
                return Parsed(None)
            return parser(path, text)

        result: Parsed[Any] = self._artefacts.get((kind, path), compute)
        return result

    def parse_problems(self) -> list[ParseProblem]:
        """Every problem met while parsing artefacts so far, sorted by path."""
        problems = [p.problem for p in self._artefacts.values() if p.problem is not None]
        return sorted(problems, key=lambda p: (p.path, p.line or 0, p.message))


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
        if not os.path.realpath(path).startswith(self.root_real.rstrip(os.sep) + os.sep):
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
        self._read_file(entry.path, rel)
        return None

    def _enter_dir(
        self, entry: os.DirEntry[str], rel: str, ignores: _Ignores, st: os.stat_result, link: bool
    ) -> str | None:
        if entry.name in ALWAYS_SKIPPED_DIRS:
            return None
        if ignores.ignored(rel, is_dir=True) or self._excluded(rel, is_dir=True):
            return None
        if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
            return None  # a virtualenv: installed packages, not the repository's code
        key = (st.st_dev, st.st_ino)
        if key in self.visited:
            if link:
                self._skip(rel, "symlink-loop", "symlink to a directory already scanned")
            return None
        self.visited.add(key)
        return entry.path

    def _read_file(self, path: str, rel: str) -> None:
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
            self._skip(rel, "binary", "binary file (NUL byte)")
            return
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self._skip(rel, "binary", f"not valid UTF-8 text (byte {exc.start})")
            return
        self.texts[rel] = text
        self.infos[rel] = _info_for(rel, text, size=len(data))
        if self.progress is not None:
            self.progress(len(self.infos))

    def _skip(self, rel: str, code: str, message: str) -> None:
        self.skipped[rel] = code
        self.log.add(code, message, rel)


def read_regular_file(path: str, limit: int) -> bytes | None:
    """Up to ``limit`` bytes of a regular file; None for special files (a FIFO
    is opened non-blocking and refused, never waited on) and unreadable ones."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read(limit)
    except OSError:
        return None


def _within(root_real: str, target: str) -> bool:
    return target == root_real or target.startswith(root_real.rstrip(os.sep) + os.sep)
