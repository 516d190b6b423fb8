"""The string shortcuts of ``_paths`` agree with ``pathlib`` on every path."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodready.scan.facts._paths import name_of, suffix_of

_EDGES = [
    "",
    ".",
    "..",
    "/",
    "//",
    "a",
    "a/",
    "a/.",
    "a/..",
    "a//b",
    "./a",
    ".env",
    "a/.env",
    "a.",
    "a..",
    "a.b.c",
    "a/b.tar.gz",
    "dir.d/file",
    "dir.d/",
    "/abs/x.py",
    "a/./b.py",
    "x/.github/workflows/ci.yml",
    "Dockerfile.prod",
]


@pytest.mark.parametrize("path", _EDGES)
def test_edge_cases_match_pathlib(path: str) -> None:
    assert name_of(path) == PurePosixPath(path).name
    assert suffix_of(path) == PurePosixPath(path).suffix


@given(st.lists(st.sampled_from(["a", "b.", ".", "..", "/", ".c", "d.e", "", "f.g.h"]), max_size=8))
def test_generated_paths_match_pathlib(pieces: list[str]) -> None:
    path = "".join(pieces)
    assert name_of(path) == PurePosixPath(path).name
    assert suffix_of(path) == PurePosixPath(path).suffix


@given(st.text(alphabet="ab./ \t-_", max_size=20))
def test_any_text_matches_pathlib(path: str) -> None:
    assert name_of(path) == PurePosixPath(path).name
    assert suffix_of(path) == PurePosixPath(path).suffix
