"""Shared fixtures. Part-specific fixtures live in the conftest of each test folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_REPOS = REPO_ROOT / "tests" / "fixtures" / "repos"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def fixture_repos() -> Path:
    return FIXTURE_REPOS


@pytest.fixture(scope="session", autouse=True)
def _isolated_fact_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Scans in tests cache per-file facts in a temp dir, never in the user's cache."""
    previous = os.environ.get("PRODREADY_CACHE_DIR")
    os.environ["PRODREADY_CACHE_DIR"] = str(tmp_path_factory.mktemp("prodready-cache"))
    yield
    if previous is None:
        os.environ.pop("PRODREADY_CACHE_DIR", None)
    else:
        os.environ["PRODREADY_CACHE_DIR"] = previous
