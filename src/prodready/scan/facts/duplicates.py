"""Duplicated code: the same block of statements in several places.

Each file is reduced to its *significant lines*: comments, blank lines,
docstrings and import blocks dropped, whitespace normalised around
punctuation (so re-indenting or re-spacing a copy does not hide it), and
lines with fewer than two words (``}``, ``else:``, ``return``) or without any
identifier (rows of data tables: ``(0x1F, 0x7F, 0),``) skipped. A
*window* is ``WINDOW`` consecutive significant lines; its digest is a stable
hash (BLAKE2b, not Python's salted ``hash``) so per-file results can be
cached by content.

``find_duplicates`` groups equal digests across files (and within a file,
when the copies do not overlap), extends matching windows into maximal
blocks, and reports each copy after the first occurrence: a block must span
at least ``WINDOW`` significant lines and ``MIN_WORDS`` words, so repeated
boilerplate such as ``if err != nil { return err }`` is not a duplicate.
Linear in the number of windows: every copy is paired with the first
occurrence only.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "MIN_WORDS",
    "WINDOW",
    "Duplicate",
    "FileWindows",
    "find_duplicates",
    "normalise_line",
    "windows_of",
]

WINDOW = 6
"""Significant lines per window: the shortest block reported."""
MIN_WORDS = 40
"""Words (identifiers, keywords, literals) a block needs to be worth reporting."""

_SPACES = re.compile(r"[^\S\n]+")
_AROUND_PUNCTUATION = re.compile(r"(?<=[^\w ]) | (?=[^\w ])")
_STRING = re.compile(r""""(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`[^`\n]*`""")
_IDENTIFIER = re.compile(r"\b[A-Za-z_]")
_TOKEN = re.compile(r"\b\w+")


@dataclass(frozen=True, slots=True)
class FileWindows:
    """One file's significant lines and window digests (a pure function of its text)."""

    lines: tuple[int, ...] = ()
    """1-based line number of each significant line."""
    words: tuple[int, ...] = ()
    """Words on each significant line."""
    digests: tuple[int, ...] = ()
    """Digest of the window starting at each significant line (``len(lines) -
    WINDOW + 1`` of them, none for short files)."""


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A block in ``path`` that repeats the block at ``first_path``."""

    path: str
    line: int
    end_line: int
    first_path: str
    first_line: int
    first_end_line: int
    significant_lines: int
    words: int


def normalise_line(code: str) -> str:
    """A line's code (comments already removed) with whitespace normalised:
    ``x  =  f( a,b )`` and ``x = f(a, b)`` are the same line."""
    return _normalise(code.replace("\n", " ")).strip()


def _normalise(text: str) -> str:
    """``normalise_line`` for every line of ``text`` at once (two regex passes
    over the whole text instead of two per line)."""
    return _AROUND_PUNCTUATION.sub("", _SPACES.sub(" ", text))


def windows_of(lines: Iterable[tuple[int, str]]) -> FileWindows:
    """Windows over ``(line number, code without comments)`` pairs."""
    pairs = [(number, code.replace("\n", " ")) for number, code in lines]
    normals = _normalise("\n".join(code for _n, code in pairs)).split("\n") if pairs else []
    numbers: list[int] = []
    words: list[int] = []
    texts: list[str] = []
    for (number, _code), spaced in zip(pairs, normals, strict=True):
        normal = spaced.strip()
        count = _words(normal)
        if count < 2:
            continue
        numbers.append(number)
        words.append(count)
        texts.append(normal)
    digests = tuple(
        int.from_bytes(
            hashlib.blake2b(
                "\n".join(texts[i : i + WINDOW]).encode("utf-8", "surrogatepass"), digest_size=8
            ).digest(),
            "big",
        )
        for i in range(len(texts) - WINDOW + 1)
    )
    return FileWindows(tuple(numbers), tuple(words), digests)


def _words(line: str) -> int:
    """Identifiers and keywords, plus one per literal; 0 for a line with no
    identifier (a row of a data table is not code)."""
    literals = 0
    if "'" in line or '"' in line or "`" in line:
        line, literals = _STRING.subn(" ", line)
    if _IDENTIFIER.search(line) is None:
        return 0
    return len(_TOKEN.findall(line)) + literals


def find_duplicates(files: Mapping[str, FileWindows]) -> list[Duplicate]:
    """Every copied block, reported at the copy and pointing at the first
    occurrence (files in path order, then position)."""
    first: dict[int, tuple[str, int]] = {}
    pairs: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for path in sorted(files):
        digests = files[path].digests
        for index, digest in enumerate(digests):
            origin = first.get(digest)
            if origin is None:
                first[digest] = (path, index)
                continue
            origin_path, origin_index = origin
            if origin_path == path and index - origin_index < WINDOW:
                continue  # overlapping windows of one repetitive stretch
            pairs[(origin_path, path, index - origin_index)].append(origin_index)
    found: list[Duplicate] = []
    for (origin_path, path, offset), starts in pairs.items():
        for run_start, run_end in _runs(sorted(set(starts))):
            duplicate = _block(files, origin_path, path, offset, run_start, run_end)
            if duplicate is not None:
                found.append(duplicate)
    return sorted(_distinct(found), key=lambda d: (d.path, d.line, d.first_path, d.first_line))


def _runs(starts: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive window indexes grouped: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for index in starts:
        if runs and index == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def _block(
    files: Mapping[str, FileWindows],
    origin_path: str,
    path: str,
    offset: int,
    run_start: int,
    run_end: int,
) -> Duplicate | None:
    origin = files[origin_path]
    copy = files[path]
    last = run_end + WINDOW - 1  # last significant line of the block in the origin
    if origin_path == path and run_start + offset <= last:
        last = run_start + offset - 1  # a copy that follows its original directly
        if last - run_start + 1 < WINDOW:
            return None
    words = sum(origin.words[run_start : last + 1])
    if words < MIN_WORDS:
        return None
    return Duplicate(
        path=path,
        line=copy.lines[run_start + offset],
        end_line=copy.lines[last + offset],
        first_path=origin_path,
        first_line=origin.lines[run_start],
        first_end_line=origin.lines[last],
        significant_lines=last - run_start + 1,
        words=words,
    )


def _distinct(found: list[Duplicate]) -> list[Duplicate]:
    """One report per copied region: a copy matched against the same origin
    through several offsets (repetitive code) is kept once, longest first."""
    kept: list[Duplicate] = []
    taken: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for duplicate in sorted(found, key=lambda d: (-d.significant_lines, d.path, d.line)):
        spans = taken[duplicate.path]
        if any(duplicate.line <= end and start <= duplicate.end_line for start, end in spans):
            continue
        spans.append((duplicate.line, duplicate.end_line))
        kept.append(duplicate)
    return kept
