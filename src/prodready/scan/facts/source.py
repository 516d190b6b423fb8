"""The narrow interface every fact collector reads the repository through.

Collectors (CI pipelines, dependency manifests, source analysis, secrets...)
are pure: they take a ``RepoFiles`` and return plain frozen dataclasses. They
never touch the filesystem themselves, so they cannot follow a symlink out of
the tree, read a binary or a huge file, or execute anything: the engine's file
index is the only thing that reads disk, and it has already applied those
limits. Tests give collectors an in-memory ``RepoFiles``.

Problems with the input (a YAML file that does not parse, a manifest with a
wrong type) are returned as ``ParseProblem`` values, never raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol


class RepoFiles(Protocol):
    """Read-only view of the files of one scan (or one service inside it)."""

    def paths(self) -> Iterable[str]:
        """Relative POSIX paths of the readable text files, sorted."""
        ...

    def read_text(self, path: str) -> str | None:
        """The decoded text of ``path``, or None when it is absent, binary,
        too large or unreadable."""
        ...


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """A located problem with a scanned file: reported, never raised."""

    path: str
    message: str
    line: int | None = None


class InMemoryFiles:
    """A ``RepoFiles`` over a dict; for tests and for derived views."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self._files = dict(files)

    def paths(self) -> Iterable[str]:
        return sorted(self._files)

    def read_text(self, path: str) -> str | None:
        return self._files.get(path)
