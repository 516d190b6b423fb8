"""Shared fixtures. Part-specific fixtures live in the conftest of each test folder."""

from __future__ import annotations

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
