"""The aiohttp client, behind the same pool interface as the fast client.

Chosen with ``--client aiohttp``: slower (a coroutine and a response object
per request) but it is a full HTTP client, e.g. it honours
``HTTP(S)_PROXY`` from the environment. Request semantics match the fast
client: no redirects, no decompression (body bytes are counted as sent by
the server), one request per connection at a time, at most
``max_connections`` connections, and time waiting for a connection counts
toward the request's deadline but not its service time (a queued request
past its deadline fails when it reaches a connection, not before).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import aiohttp

from prodready.load._http1 import Completion, InFlight, describe_os_error
from prodready.load._targets import Target


class AiohttpPool:
    """Sends requests with one ``aiohttp.ClientSession`` per worker."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        targets: Sequence[Target],
        max_connections: int,
        on_complete: Completion,
        timeout_label: str,
        user_agent: str,
        insecure: bool = False,
    ) -> None:
        self._loop = loop
        self._targets = targets
        self._on_complete = on_complete
        self._timeout_label = timeout_label
        self._user_agent = user_agent
        self._slots = asyncio.Semaphore(max_connections)
        connector = aiohttp.TCPConnector(limit=max_connections, limit_per_host=0, ssl=not insecure)
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            trust_env=True,
            timeout=aiohttp.ClientTimeout(total=None),
        )
        self._tasks: set[asyncio.Task[Any]] = set()
        self._in_flight = 0
        self._closed = False
        self.bytes_out = 0
        self.connections_opened = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def submit(self, request: InFlight) -> None:
        self._in_flight += 1
        task = self._loop.create_task(self._send(request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, request: InFlight) -> None:
        target = self._targets[request.target]
        status, reason, error, size = 0, "", None, 0
        try:
            # No wait_for here: a task and a timer per queued request would
            # collapse the client under exactly the load it is queued for. A
            # request that got its connection after its deadline fails then.
            await self._slots.acquire()
            if time.monotonic() >= request.deadline:
                self._slots.release()
                error = f"timeout: no free connection within {self._timeout_label}"
                return
            try:
                request.sent = time.monotonic()
                headers = {"User-Agent": self._user_agent}
                headers.update(target.headers)
                timeout = aiohttp.ClientTimeout(total=max(request.deadline - request.sent, 0.001))
                async with self._session.request(
                    target.method,
                    target.url,
                    headers=headers,
                    data=target.body or None,
                    allow_redirects=False,
                    timeout=timeout,
                ) as response:
                    self.bytes_out += len(target.body)
                    status, reason = response.status, response.reason or ""
                    async for chunk in response.content.iter_any():
                        size += len(chunk)
            finally:
                self._slots.release()
        except TimeoutError:
            status, error = 0, f"timeout: no response within {self._timeout_label}"
        except aiohttp.ClientConnectorError as exc:
            status, error = 0, describe_os_error(exc.os_error)
        except aiohttp.ServerDisconnectedError:
            status, error = 0, "read: connection closed by the server before a complete response"
        except aiohttp.ClientError as exc:
            status, error = 0, f"read: {type(exc).__name__}: {exc}"
        except OSError as exc:
            status, error = 0, describe_os_error(exc, "read")
        except asyncio.CancelledError:
            status, error = 0, "cancelled: the run was stopped"
        finally:
            self._in_flight -= 1
            self._on_complete(request, status, reason, error, size)

    def sweep(self, now: float) -> None:
        """Deadlines are enforced by the per-request timeouts."""

    def cancel_all(self, message: str) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()

    async def aclose(self) -> None:
        self.cancel_all("cancelled: the run was stopped")
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._session.close()
