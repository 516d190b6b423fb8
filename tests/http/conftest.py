"""Fixtures for prodready.http: a manual clock, a private breaker registry, real servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from prodready.http import BreakerRegistry, ManualClock
from tests.http.servers import MisbehavingServer


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def registry() -> BreakerRegistry:
    """A registry of this test's own, so breaker names never collide across tests."""
    return BreakerRegistry()


@pytest.fixture
def server() -> Iterator[MisbehavingServer]:
    with MisbehavingServer() as running:
        yield running
