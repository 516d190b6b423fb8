"""The clocks: a manual one for tests, the real one for production."""

from __future__ import annotations

import asyncio
import time

import pytest

from prodready.http import SYSTEM_CLOCK, Clock, ManualClock, SystemClock


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(start=10.0, wall_start=1_000.0)
    assert (clock.monotonic(), clock.wall()) == (10.0, 1_000.0)
    clock.advance(2.5)
    assert (clock.monotonic(), clock.wall()) == (12.5, 1_002.5)
    with pytest.raises(ValueError, match="cannot go back"):
        clock.advance(-1)


def test_manual_sleeps_are_recorded_and_instant() -> None:
    clock = ManualClock(start=0.0)
    clock.sleep(3600)

    async def main() -> None:
        await clock.asleep(1.5)

    asyncio.run(main())  # an hour and a half "slept", instantly
    assert clock.sleeps == [3600, 1.5]
    assert clock.monotonic() == 3601.5
    assert repr(clock) == "ManualClock(now=3601.5)"


def test_system_clock_is_the_real_one() -> None:
    assert isinstance(SYSTEM_CLOCK, SystemClock)
    assert isinstance(SYSTEM_CLOCK, Clock)
    assert isinstance(ManualClock(), Clock)
    assert abs(SYSTEM_CLOCK.wall() - time.time()) < 5
    before = SYSTEM_CLOCK.monotonic()
    SYSTEM_CLOCK.sleep(0)
    SYSTEM_CLOCK.sleep(-1)  # a negative delay is no delay
    asyncio.run(SYSTEM_CLOCK.asleep(0))
    assert SYSTEM_CLOCK.monotonic() >= before
    assert repr(SYSTEM_CLOCK) == "SystemClock()"
