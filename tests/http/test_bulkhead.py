"""Bulkhead: a cap on calls in flight, shared by threads and asyncio tasks."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest

from prodready.http import AsyncClient, Bulkhead, BulkheadFullError, Client


def test_rejects_beyond_the_cap_at_once() -> None:
    bulkhead = Bulkhead(2)
    assert bulkhead.acquire()
    assert bulkhead.acquire()
    assert not bulkhead.acquire()
    assert bulkhead.rejected_total == 1
    assert bulkhead.in_flight == 2
    bulkhead.release()
    assert bulkhead.acquire()


def test_waits_for_a_slot_up_to_max_wait() -> None:
    bulkhead = Bulkhead(1, max_wait=5.0)
    assert bulkhead.acquire()
    got: list[bool] = []
    waiter = threading.Thread(target=lambda: got.append(bulkhead.acquire()))
    waiter.start()
    while bulkhead.waiting == 0:
        time.sleep(0.001)
    bulkhead.release()  # handed straight to the waiter
    waiter.join(5)
    assert got == [True]
    assert bulkhead.in_flight == 1


def test_a_wait_that_times_out_is_a_rejection() -> None:
    bulkhead = Bulkhead(1)
    assert bulkhead.acquire()
    assert not bulkhead.acquire(max_wait=0.01)
    assert bulkhead.waiting == 0
    assert bulkhead.rejected_total == 1


def test_waiters_are_served_in_arrival_order() -> None:
    bulkhead = Bulkhead(1, max_wait=5.0)
    assert bulkhead.acquire()
    order: list[int] = []

    def wait(i: int) -> None:
        assert bulkhead.acquire()
        order.append(i)
        bulkhead.release()

    threads = []
    for i in range(5):
        thread = threading.Thread(target=wait, args=(i,))
        thread.start()
        threads.append(thread)
        while bulkhead.waiting < i + 1:
            time.sleep(0.001)
    bulkhead.release()
    for thread in threads:
        thread.join(5)
    assert order == [0, 1, 2, 3, 4]
    assert bulkhead.in_flight == 0


def test_newcomers_cannot_barge_past_waiters() -> None:
    bulkhead = Bulkhead(1, max_wait=5.0)
    assert bulkhead.acquire()
    waiter = threading.Thread(target=bulkhead.acquire)
    waiter.start()
    while bulkhead.waiting == 0:
        time.sleep(0.001)
    bulkhead.release()
    assert not bulkhead.acquire(max_wait=0)  # the slot went to the waiter
    waiter.join(5)


def test_async_wait_and_handoff() -> None:
    bulkhead = Bulkhead(1, max_wait=5.0)

    async def main() -> list[bool]:
        assert await bulkhead.acquire_async()
        waiting = asyncio.create_task(bulkhead.acquire_async())
        await asyncio.sleep(0.01)
        assert bulkhead.waiting == 1
        bulkhead.release()
        first = await waiting
        timed_out = await bulkhead.acquire_async(max_wait=0.01)
        bulkhead.release()
        return [first, timed_out]

    assert asyncio.run(main()) == [True, False]
    assert bulkhead.in_flight == 0
    assert bulkhead.rejected_total == 1


def test_cancelled_async_waiter_leaves_no_slot_behind() -> None:
    bulkhead = Bulkhead(1, max_wait=5.0)

    async def main() -> None:
        assert await bulkhead.acquire_async()
        waiting = asyncio.create_task(bulkhead.acquire_async())
        await asyncio.sleep(0.01)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert bulkhead.waiting == 0
        bulkhead.release()

    asyncio.run(main())
    assert bulkhead.in_flight == 0
    assert bulkhead.acquire()


def test_threads_and_tasks_share_one_bulkhead() -> None:
    bulkhead = Bulkhead(1, max_wait=5.0)
    assert bulkhead.acquire()  # a thread holds the slot

    async def main() -> bool:
        task = asyncio.create_task(bulkhead.acquire_async())
        await asyncio.sleep(0.01)
        threading.Thread(target=bulkhead.release).start()  # released from another thread
        return await task

    assert asyncio.run(main()) is True
    assert bulkhead.in_flight == 1


def test_never_more_than_the_cap_in_flight_under_threads() -> None:
    bulkhead = Bulkhead(3, max_wait=5.0)
    lock = threading.Lock()
    current = peak = 0

    def work() -> None:
        nonlocal current, peak
        for _ in range(50):
            assert bulkhead.acquire()
            with lock:
                current += 1
                peak = max(peak, current)
            time.sleep(0)
            with lock:
                current -= 1
            bulkhead.release()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert peak == 3
    assert bulkhead.in_flight == 0


def test_release_without_acquire_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="more times than acquire"):
        Bulkhead(1).release()


@pytest.mark.parametrize(
    ("args", "error"),
    [((0,), ValueError), ((1.5,), TypeError), ((True,), TypeError)],
)
def test_invalid_settings(args: tuple[object, ...], error: type[Exception]) -> None:
    with pytest.raises(error, match="max_concurrent"):
        Bulkhead(*args)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_wait"):
        Bulkhead(1, max_wait=-1)


def test_client_rejects_calls_beyond_the_cap_and_frees_slots() -> None:
    inside = threading.Event()
    leave = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        inside.set()
        leave.wait(5)
        return httpx.Response(200)

    bulkhead = Bulkhead(1)
    client = Client(transport=httpx.MockTransport(handler), bulkhead=bulkhead, name="drivers")
    holder = threading.Thread(target=client.get, args=("http://svc.test/",))
    holder.start()
    inside.wait(5)
    with pytest.raises(BulkheadFullError) as caught:
        client.get("http://svc.test/")
    assert caught.value.dependency == "drivers"
    assert caught.value.max_concurrent == 1
    assert caught.value.request.url == "http://svc.test/"
    leave.set()
    holder.join(5)
    assert bulkhead.in_flight == 0
    assert client.get("http://svc.test/").status_code == 200


def test_async_client_rejects_beyond_the_cap() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.05)
        return httpx.Response(200)

    bulkhead = Bulkhead(2)

    async def main() -> list[object]:
        async with AsyncClient(transport=httpx.MockTransport(handler), bulkhead=bulkhead) as c:
            return await asyncio.gather(
                *(c.get("http://svc.test/") for _ in range(5)), return_exceptions=True
            )

    results = asyncio.run(main())
    assert sum(isinstance(r, httpx.Response) for r in results) == 2
    assert sum(isinstance(r, BulkheadFullError) for r in results) == 3
    assert bulkhead.in_flight == 0
