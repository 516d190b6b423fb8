"""The resilient transports: httpx transports that wrap another transport.

Because they are plain httpx transports they compose with any
``httpx.Client``/``httpx.AsyncClient``::

    transport = ResilientTransport(retry=Retry(attempts=3), breaker=CircuitBreaker("payments"))
    client = httpx.Client(transport=transport, timeout=Timeout(1.0, connect=0.2))

These are the drivers of the shared :mod:`_engine`: they call the wrapped
transport, read the body, wait for a bulkhead slot and sleep; every decision
is the engine's.

**The attempt includes the body.** Unless the request is streamed
(``Client.stream()``, or the ``prodready.stream`` request extension), the
driver reads the whole response body inside the attempt. A connection reset
or a read timeout in the middle of the body is then a failed attempt like any
other: retried when safe, counted by the breaker, bounded by the deadline.
httpx would read the body anyway for a non-streamed call; reading it here
only moves it inside the policies. It also returns the connection to the pool
before any backoff sleep, so retries reuse connections (heimdall once
disabled keep-alive and cost its users 3x latency; docs/adr/0022).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, Final

import anyio
import httpx

from prodready.http._breaker import CircuitBreaker, _Ticket
from prodready.http._bulkhead import Bulkhead
from prodready.http._clock import Clock
from prodready.http._engine import _FAILURE, _SUCCESS, STREAM_EXTENSION, Call, Engine, Fallback
from prodready.http._exceptions import CircuitOpenError, TransportError, translate
from prodready.http._plugins._base import Plugin
from prodready.http._retry import Retry

__all__ = ["AsyncResilientTransport", "ResilientTransport"]

# A discarded streamed response is drained up to this many bytes so its
# connection can be reused; beyond it, closing the connection is cheaper.
_DRAIN_LIMIT: Final = 64 * 1024

_ByteStream: Final = httpx.ByteStream  # an in-memory body: nothing to buffer


class _TranslatingStream(httpx.SyncByteStream):
    """A streamed body whose httpx errors surface as ``prodready.http`` errors."""

    def __init__(self, stream: httpx.SyncByteStream, request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._stream
        except httpx.TransportError as exc:
            raise translate(exc, self._request) from exc

    def close(self) -> None:
        self._stream.close()


class _AsyncTranslatingStream(httpx.AsyncByteStream):
    def __init__(self, stream: httpx.AsyncByteStream, request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._stream:
                yield chunk
        except httpx.TransportError as exc:
            raise translate(exc, self._request) from exc

    async def aclose(self) -> None:
        await self._stream.aclose()


def _buffer(response: httpx.Response) -> None:
    stream = response.stream
    if isinstance(stream, httpx.ByteStream):
        return  # already in memory (MockTransport, or a buffered response)
    assert isinstance(stream, httpx.SyncByteStream)
    try:
        body = b"".join(stream)
    finally:
        stream.close()
    response.stream = httpx.ByteStream(body)


async def _abuffer(response: httpx.Response) -> None:
    stream = response.stream
    if isinstance(stream, httpx.ByteStream):
        return
    assert isinstance(stream, httpx.AsyncByteStream)
    try:
        body = b"".join([chunk async for chunk in stream])
    finally:
        await stream.aclose()
    response.stream = httpx.ByteStream(body)


def _discard(response: httpx.Response) -> None:
    stream = response.stream
    if isinstance(stream, httpx.ByteStream):
        return
    assert isinstance(stream, httpx.SyncByteStream)
    try:
        read = 0
        for chunk in stream:
            read += len(chunk)
            if read > _DRAIN_LIMIT:
                break
    except httpx.HTTPError:
        pass
    finally:
        stream.close()


async def _adiscard(response: httpx.Response) -> None:
    stream = response.stream
    if isinstance(stream, httpx.ByteStream):
        return
    assert isinstance(stream, httpx.AsyncByteStream)
    try:
        read = 0
        async for chunk in stream:
            read += len(chunk)
            if read > _DRAIN_LIMIT:
                break
    except httpx.HTTPError:
        pass
    finally:
        await stream.aclose()


class ResilientTransport(httpx.BaseTransport):
    """Timeouts, retries, a circuit breaker, a bulkhead and a fallback around a transport.

    ``transport`` defaults to a new ``httpx.HTTPTransport()``; pass your own
    to choose TLS, HTTP/2, limits or a proxy. ``name`` labels metrics and
    errors (default: the breaker's name, else the request's host).
    """

    def __init__(
        self,
        transport: httpx.BaseTransport | None = None,
        *,
        retry: Retry | None = None,
        breaker: CircuitBreaker | None = None,
        bulkhead: Bulkhead | None = None,
        fallback: Fallback | None = None,
        plugins: Sequence[Plugin] = (),
        name: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        if fallback is not None and inspect.iscoroutinefunction(fallback):
            raise TypeError("a sync client needs a sync fallback; use AsyncClient for async ones")
        self._inner = transport if transport is not None else httpx.HTTPTransport()
        self._engine = Engine(
            retry=retry,
            breaker=breaker,
            bulkhead=bulkhead,
            fallback=fallback,
            plugins=plugins,
            name=name,
            clock=clock,
        )

    @property
    def engine(self) -> Engine:
        return self._engine

    def handle_request(self, request: httpx.Request) -> httpx.Response:  # noqa: C901 - hot path, inlined on purpose (benchmarks/http_overhead.py)
        engine = self._engine
        core = engine._core
        ticket = None
        if core is not None:  # Engine.admit(), inlined
            ticket = core._closed_ticket
            if ticket is None or core.store is not None:
                admitted = core.try_admit()
                if isinstance(admitted, CircuitOpenError):
                    return self._refuse(request, admitted)
                ticket = admitted
        retry = engine.retry
        if (
            not engine.lean
            or (retry is not None and retry.deadline is not None)
            or STREAM_EXTENSION in request.extensions  # set (even to False): the general path
        ):
            return self._run(engine.begin(request), ticket)
        # The common case, inlined: a buffered call without a deadline whose
        # attempts no plugin watches. The first attempt runs here without a
        # Call object; anything but a final answer hands over to the general
        # loop with the same state Engine.begin() would have set.
        replayable = False
        if retry is not None:
            replayable = hasattr(request, "_content")  # before the attempt: see Engine.begin
            budget = retry.budget
            if budget is not None:
                budget._calls += 1  # RetryBudget.deposit(), inlined
        bulkhead = engine.bulkhead
        if bulkhead is not None:
            # Bulkhead.acquire()'s lock-free case, inlined: a free slot and
            # nobody waiting. Anything else takes the full method.
            tokens = bulkhead._tokens
            if bulkhead._waiters or not tokens:
                acquired = bulkhead.acquire()
            else:
                try:
                    tokens.pop()
                    acquired = True
                except IndexError:  # another thread took the last slot meanwhile
                    acquired = bulkhead.acquire()
            if not acquired:
                engine.release(ticket)
                call = self._late_call(request, replayable, 0)
                return self._settle(call, engine.refused(call, engine.bulkhead_error(call)))
        error: TransportError | None = None
        try:
            started = engine._now()
            try:
                response = self._inner.handle_request(request)
                if response.stream.__class__ is not _ByteStream:
                    _buffer(response)  # (a ByteStream subclass returns at once)
            except httpx.TransportError as exc:
                call = self._late_call(request, replayable, 1)
                error = engine.error_for(call, exc)
        except BaseException:
            engine.release(ticket)  # cancelled or interrupted: not an outcome
            raise
        finally:
            if bulkhead is not None:
                # Bulkhead.release(), inlined. Our own slot, returned once, so
                # its over-release check has nothing to catch here.
                tokens.append(None)
                if bulkhead._waiters:
                    bulkhead._hand_over()
        if error is not None:
            delay = engine.after_error(call, ticket, error, started)
            return self._continue(call, None, error, delay)
        # Engine.after_response() without the (absent) hook.
        now = engine._now()
        status = response.status_code
        failure = status in engine.failure_statuses
        if core is not None:
            assert ticket is not None
            if engine._pass_now:
                core.record_outcome(ticket, failure, now - started, now)
            else:  # the breaker runs on another clock: let it read its own
                core.record(ticket, _FAILURE if failure else _SUCCESS, now - started)
        if (retry is None or status not in retry.statuses) and (
            not failure or engine.fallback is None
        ):
            return response  # final, and no fallback wants it: Engine.respond() has nothing to do
        call = self._late_call(request, replayable, 1)
        return self._continue(
            call, response, None, engine.retry_after_response(call, response, now)
        )

    def _late_call(self, request: httpx.Request, replayable: bool, attempt: int) -> Call:
        """The Call that Engine.begin() would have built, after ``attempt`` attempts."""
        call = Call(request, self._engine.name, False)
        call.replayable = replayable
        call.attempt = attempt
        return call

    def _run(self, call: Call, ticket: _Ticket | None) -> httpx.Response:
        """The general loop: every attempt of ``call``, with every policy and event."""
        outcome = self._attempt(call, ticket)
        if isinstance(outcome, httpx.Response):
            return outcome
        return self._continue(call, *outcome)

    def _attempt(
        self, call: Call, ticket: _Ticket | None
    ) -> httpx.Response | tuple[httpx.Response | None, BaseException | None, float | None]:
        """One judged attempt: ``(response, error, delay)``, or the call's end if refused."""
        engine = self._engine
        request = call.request
        bulkhead = engine.bulkhead
        if bulkhead is not None and not bulkhead.acquire():
            engine.release(ticket)
            return self._settle(call, engine.refused(call, engine.bulkhead_error(call)))
        response: httpx.Response | None = None
        error: BaseException | None = None
        try:
            started = engine.before_attempt(call)
            try:
                response = self._inner.handle_request(request)
                if not call.stream and not isinstance(response.stream, httpx.ByteStream):
                    _buffer(response)
            except httpx.TransportError as exc:
                error = engine.error_for(call, exc)
        except BaseException:
            engine.release(ticket)  # cancelled or interrupted: not an outcome
            engine.finish(call)
            raise
        finally:
            if bulkhead is not None:
                bulkhead.release()
        # The slot is free again before any decision, fallback or sleep.
        if error is not None:
            return None, error, engine.after_error(call, ticket, error, started)
        assert response is not None
        return response, None, engine.after_response(call, ticket, response, started)

    def _continue(
        self,
        call: Call,
        response: httpx.Response | None,
        error: BaseException | None,
        delay: float | None,
    ) -> httpx.Response:
        """After a judged attempt: end the call, or wait and run the next attempts."""
        engine = self._engine
        while True:
            if error is not None:
                if delay is None:
                    return self._settle(call, engine.fail(call, error))
                call.last_error, call.last_response = error, None
            else:
                assert response is not None
                if delay is None:
                    if call.stream:
                        response.stream = _TranslatingStream(
                            response.stream,  # type: ignore[arg-type]
                            call.request,
                        )
                    result = engine.respond(call, response)
                    if result is response:
                        return response  # type: ignore[no-any-return]
                    return self._settle(call, result)
                if call.stream:
                    _discard(response)
                    call.last_error, call.last_response = None, None
                else:
                    call.last_error, call.last_response = None, response
            engine.clock.sleep(delay)
            ticket = engine.admit()
            if isinstance(ticket, CircuitOpenError):
                return self._settle(call, engine.refused(call, ticket))
            outcome = self._attempt(call, ticket)
            if isinstance(outcome, httpx.Response):
                return outcome
            response, error, delay = outcome

    def _refuse(self, request: httpx.Request, error: CircuitOpenError) -> httpx.Response:
        """An open breaker refused the first attempt: fail fast."""
        engine = self._engine
        if engine.fallback is None and not engine.hooks.on_error:
            error._request = request
            raise error  # nothing else to do: the cheapest possible refusal
        call = Call(request, engine.name, False)
        return self._settle(call, engine.refused(call, error))

    @staticmethod
    def _settle(call: Call, result: Any) -> httpx.Response:
        if inspect.isawaitable(result):
            close = getattr(result, "close", None)
            if close is not None:
                close()  # do not leak an un-awaited coroutine
            raise TypeError("a sync client needs a sync fallback; use AsyncClient for async ones")
        return Engine.check_fallback(call, result)

    def close(self) -> None:
        self._engine.close()
        self._inner.close()


class AsyncResilientTransport(httpx.AsyncBaseTransport):
    """The asyncio twin of :class:`ResilientTransport` (same engine, same options).

    The fallback may be a coroutine function. With a ``Retry(deadline=...)``
    the deadline is enforced by cancellation, so it also bounds a slow body.
    """

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        retry: Retry | None = None,
        breaker: CircuitBreaker | None = None,
        bulkhead: Bulkhead | None = None,
        fallback: Fallback | None = None,
        plugins: Sequence[Plugin] = (),
        name: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._inner = transport if transport is not None else httpx.AsyncHTTPTransport()
        self._engine = Engine(
            retry=retry,
            breaker=breaker,
            bulkhead=bulkhead,
            fallback=fallback,
            plugins=plugins,
            name=name,
            clock=clock,
        )

    @property
    def engine(self) -> Engine:
        return self._engine

    async def _attempt(self, call: Call, request: httpx.Request) -> httpx.Response:
        remaining = self._engine.remaining(call)
        if remaining is None:
            response = await self._inner.handle_async_request(request)
            if not call.stream:
                await _abuffer(response)
            return response
        try:
            with anyio.fail_after(remaining):
                response = await self._inner.handle_async_request(request)
                if not call.stream:
                    await _abuffer(response)
                return response
        except TimeoutError as exc:
            raise httpx.TimeoutException(
                "the deadline ran out during the attempt", request=request
            ) from exc

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        engine = self._engine
        ticket = engine.admit()
        if isinstance(ticket, CircuitOpenError):
            return await self._refuse(request, ticket)
        call = engine.begin(request)
        while True:
            bulkhead = engine.bulkhead
            if bulkhead is not None and not await bulkhead.acquire_async():
                engine.release(ticket)
                return await self._settle(call, engine.refused(call, engine.bulkhead_error(call)))
            response: httpx.Response | None = None
            error: BaseException | None = None
            try:
                started = engine.before_attempt(call)
                try:
                    response = await self._attempt(call, request)
                except httpx.TransportError as exc:
                    error = engine.error_for(call, exc)
            except BaseException:
                engine.release(ticket)  # cancelled: not an outcome
                engine.finish(call)
                raise
            finally:
                if bulkhead is not None:
                    bulkhead.release()
            if error is not None:
                delay = engine.after_error(call, ticket, error, started)
                if delay is None:
                    return await self._settle(call, engine.fail(call, error))
                call.last_error, call.last_response = error, None
            else:
                assert response is not None
                delay = engine.after_response(call, ticket, response, started)
                if delay is None:
                    if call.stream:
                        response.stream = _AsyncTranslatingStream(
                            response.stream,  # type: ignore[arg-type]
                            request,
                        )
                    result = engine.respond(call, response)
                    if result is response:
                        return response  # type: ignore[no-any-return]
                    return await self._settle(call, result)
                if call.stream:
                    await _adiscard(response)
                    call.last_error, call.last_response = None, None
                else:
                    call.last_error, call.last_response = None, response
            await engine.clock.asleep(delay)
            ticket = engine.admit()
            if isinstance(ticket, CircuitOpenError):
                return await self._settle(call, engine.refused(call, ticket))

    async def _refuse(self, request: httpx.Request, error: CircuitOpenError) -> httpx.Response:
        engine = self._engine
        if engine.fallback is None and not engine.hooks.on_error:
            error._request = request
            raise error
        call = Call(request, engine.name, False)
        return await self._settle(call, engine.refused(call, error))

    @staticmethod
    async def _settle(call: Call, result: Any) -> httpx.Response:
        if inspect.isawaitable(result):
            result = await result
        return Engine.check_fallback(call, result)

    async def aclose(self) -> None:
        self._engine.close()
        await self._inner.aclose()
