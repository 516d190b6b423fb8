"""One engine for sync and async calls (tenacity's model).

Everything that decides lives here: admission, outcome classification,
whether and when to retry, the budget, the deadline, fallbacks, hooks. The
two drivers in ``_transport`` only do what differs between threads and
tasks: call the wrapped transport, read the body, wait for a bulkhead slot,
and sleep. So the retry and breaker rules cannot drift apart between
``Client`` and ``AsyncClient``.

Per call the order of policies is, outermost first::

    fallback( retry( breaker( bulkhead( timeout( attempt ) ) ) ) )

Retry is outside the breaker so that every attempt is judged by the breaker
and a breaker that opens stops the retries; the breaker is outside the
bulkhead so that an open breaker fails fast without taking a slot. See
docs/adr/0021.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

import httpx

from prodready.http._breaker import CircuitBreaker, Outcome, StateChange, _Ticket
from prodready.http._bulkhead import Bulkhead
from prodready.http._clock import SYSTEM_CLOCK, Clock
from prodready.http._exceptions import (
    BulkheadFullError,
    CircuitOpenError,
    DeadlineExceeded,
    FailureResponse,
    HTTPError,
    RejectedError,
    TransportError,
    translate,
)
from prodready.http._plugins._base import (
    ErrorEvent,
    FallbackEvent,
    Hooks,
    Plugin,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
)
from prodready.http._retry import Retry, is_retryable_error, parse_retry_after, request_not_sent

__all__ = ["STREAM_EXTENSION", "Call", "Engine", "Fallback"]

Fallback = Callable[[httpx.Request, BaseException], Any]
"""``fallback(request, error)``: return an ``httpx.Response`` or raise.

For ``AsyncClient`` it may also be a coroutine function.
"""

STREAM_EXTENSION: Final = "prodready.stream"
"""Request extension: ``True`` ends the attempt at the headers (see ``Client.stream``)."""

FALLBACK_EXTENSION: Final = "prodready.fallback"
"""Response extension set to ``True`` on responses a fallback produced."""

_SERVER_ERRORS: Final = frozenset(range(500, 600))
_SUCCESS, _FAILURE = Outcome.SUCCESS, Outcome.FAILURE  # plain ints, looked up once
_UNSET: Final[Any] = object()


class Call:
    """The state of one logical call across its attempts.

    Defaults live on the class: a call that succeeds at once (the common
    case, and the one whose overhead matters) sets three attributes.
    """

    attempt: int = 0
    deadline: float | None = None
    prev_delay: float = 0.0
    last_error: BaseException | None = None
    last_response: httpx.Response | None = None
    stop_reason: str = ""
    timeouts: Any = _UNSET
    replayable: bool = False

    def __init__(self, request: httpx.Request, name: str | None, stream: bool) -> None:
        self.request = request
        self.name = name
        self.stream = stream

    @property
    def dependency(self) -> str:
        """The label for metrics, logs and errors (computed only when one is needed)."""
        return self.name or self.request.url.host or "unknown"


class Engine:
    """The policies of one transport, and the decisions they make."""

    __slots__ = (
        "_core",
        "_now",
        "_pass_now",
        "breaker",
        "bulkhead",
        "clock",
        "failure_statuses",
        "fallback",
        "hooks",
        "lean",
        "name",
        "retry",
    )

    def __init__(
        self,
        *,
        retry: Retry | None,
        breaker: CircuitBreaker | None,
        bulkhead: Bulkhead | None,
        fallback: Fallback | None,
        plugins: Sequence[Plugin],
        name: str | None,
        clock: Clock | None,
    ) -> None:
        if retry is not None and not isinstance(retry, Retry):
            raise TypeError(f"retry must be a prodready.http.Retry, got {type(retry).__name__}")
        if breaker is not None and not isinstance(breaker, CircuitBreaker):
            raise TypeError(
                f"breaker must be a prodready.http.CircuitBreaker, got {type(breaker).__name__}"
            )
        if bulkhead is not None and not isinstance(bulkhead, Bulkhead):
            raise TypeError(
                f"bulkhead must be a prodready.http.Bulkhead, got {type(bulkhead).__name__}"
            )
        if fallback is not None and not callable(fallback):
            raise TypeError("fallback must be callable as fallback(request, error)")
        self.retry = retry
        self.breaker = breaker
        self.bulkhead = bulkhead
        self.fallback = fallback
        self.hooks = Hooks(list(plugins))
        # Nobody listens to attempts: a driver may run the first attempt
        # without a Call object or events (see ResilientTransport).
        self.lean = not self.hooks.on_request and not self.hooks.on_response
        self.name = name if name is not None else (breaker.name if breaker is not None else None)
        self.clock = clock or SYSTEM_CLOCK
        self._now = self.clock.monotonic
        self.failure_statuses = breaker.failure_statuses if breaker is not None else _SERVER_ERRORS
        self._core = breaker._core if breaker is not None else None
        # The breaker may run on another clock than ours; share readings only
        # when it is the same clock.
        self._pass_now = self._core is not None and self._core.clock is self.clock
        if breaker is not None and self.hooks.on_state_change:
            for listener in self.hooks.on_state_change:
                breaker.add_listener(listener)
            # Tell the new listeners where the breaker stands, so a state
            # gauge exists before the first transition (old == new here).
            state = breaker.state
            now = breaker._core.clock.monotonic()
            Hooks.emit(
                self.hooks.on_state_change,
                StateChange(breaker.name, state, state, now, "client attached"),
            )

    def close(self) -> None:
        """Detach this transport's plugins from its (shared, long-lived) breaker."""
        if self.breaker is not None:
            for listener in self.hooks.on_state_change:
                self.breaker.remove_listener(listener)

    # -- the call ------------------------------------------------------------

    def begin(self, request: httpx.Request) -> Call:
        extensions = request.extensions
        call = Call(request, self.name, bool(extensions.get(STREAM_EXTENSION, False)))
        retry = self.retry
        if retry is not None:
            # Decided before the first attempt: a transport may buffer the
            # body while sending it, which must not make a stream "replayable".
            call.replayable = hasattr(request, "_content")  # what request.content checks
            budget = retry.budget
            if budget is not None:
                budget._calls += 1  # RetryBudget.deposit(), inlined: it runs on every call
            if retry.deadline is not None:
                call.deadline = self._now() + retry.deadline
                call.timeouts = extensions.get("timeout", _UNSET)
        return call

    def admit(self) -> _Ticket | CircuitOpenError | None:
        """The breaker's ticket, ``None`` without a breaker, or the refusal (not raised)."""
        core = self._core
        if core is None:
            return None
        ticket = core._closed_ticket
        if ticket is not None and core.store is None:
            return ticket  # closed: no decision to make, no lock to take
        return core.try_admit()

    def bulkhead_error(self, call: Call) -> BulkheadFullError:
        bulkhead = self.bulkhead
        assert bulkhead is not None
        return BulkheadFullError(
            f"bulkhead for {call.dependency!r} is full ({bulkhead.max_concurrent} calls in flight)",
            dependency=call.dependency,
            max_concurrent=bulkhead.max_concurrent,
            request=call.request,
        )

    def release(self, ticket: _Ticket | None) -> None:
        """An admitted call did not happen (bulkhead full, cancelled): no outcome."""
        if ticket is not None and self._core is not None:
            self._core.record(ticket, Outcome.IGNORED, 0.0)

    def before_attempt(self, call: Call) -> float:
        """Start an attempt; returns the attempt's start time."""
        call.attempt += 1
        now = self._now()
        if call.deadline is not None:
            self._cap_timeouts(call, now)
        if self.hooks.on_request:
            Hooks.emit(
                self.hooks.on_request, RequestEvent(call.dependency, call.request, call.attempt)
            )
        return now

    def remaining(self, call: Call) -> float | None:
        if call.deadline is None:
            return None
        return max(call.deadline - self._now(), 0.0)

    def _cap_timeouts(self, call: Call, now: float) -> None:
        assert call.deadline is not None
        remaining = max(call.deadline - now, 0.001)
        original = call.timeouts
        base: dict[str, float | None] = (
            original
            if isinstance(original, dict)
            else dict.fromkeys(("connect", "read", "write", "pool"))
        )
        call.request.extensions["timeout"] = {
            key: remaining if value is None or value > remaining else value
            for key, value in base.items()
        }

    def error_for(self, call: Call, exc: httpx.TransportError) -> TransportError:
        """Translate an httpx error, recognising a spent deadline."""
        if (
            call.deadline is not None
            and isinstance(exc, httpx.TimeoutException)
            and self._now() >= call.deadline - 0.001
        ):
            error: TransportError = DeadlineExceeded(
                f"deadline of {self._deadline_text()} exceeded during attempt {call.attempt} "
                f"({type(exc).__name__}: {exc})",
                request=call.request,
            )
        else:
            error = translate(exc, call.request)
        error.__cause__ = exc
        return error

    def _deadline_text(self) -> str:
        deadline = self.retry.deadline if self.retry is not None else None
        return "?" if deadline is None else f"{deadline:g} s"

    def after_response(
        self, call: Call, ticket: _Ticket | None, response: httpx.Response, started: float
    ) -> float | None:
        """Judge a response: seconds to wait before retrying, or ``None`` to stop."""
        now = self._now()
        status = response.status_code
        failure = status in self.failure_statuses
        if ticket is not None:
            core = self._core
            assert core is not None
            outcome = _FAILURE if failure else _SUCCESS
            core.record(ticket, outcome, now - started, now if self._pass_now else None)
        hooks = self.hooks
        if hooks.on_response:
            event = ResponseEvent(
                call.dependency, call.request, call.attempt, response, now - started, failure
            )
            Hooks.emit(hooks.on_response, event)
        return self.retry_after_response(call, response, now)

    def retry_after_response(
        self, call: Call, response: httpx.Response, now: float
    ) -> float | None:
        """Retry after ``response`` (recorded and reported already)? The delay, or ``None``."""
        retry = self.retry
        status = response.status_code
        if retry is None or status not in retry.statuses:
            return None
        if not retry.allows_method(call.request):
            call.stop_reason = f"{call.request.method} is not retried without an idempotency key"
            return None
        minimum: float | None = None
        if retry.respect_retry_after:
            minimum = parse_retry_after(response.headers.get("retry-after"), self.clock.wall())
            if minimum is not None and minimum > retry.max_retry_after:
                call.stop_reason = (
                    f"Retry-After of {minimum:g} s exceeds "
                    f"max_retry_after={retry.max_retry_after:g}"
                )
                return None
        return self._next_delay(call, now, f"status {status}", minimum)

    def after_error(
        self, call: Call, ticket: _Ticket | None, error: BaseException, started: float
    ) -> float | None:
        """Judge a failed attempt: seconds to wait before retrying, or ``None`` to stop."""
        now = self._now()
        elapsed = now - started
        if ticket is not None:
            core = self._core
            assert core is not None
            core.record(ticket, _FAILURE, elapsed, now if self._pass_now else None)
        hooks = self.hooks
        if hooks.on_error:
            event = ErrorEvent(call.dependency, call.request, call.attempt, error, elapsed)
            Hooks.emit(hooks.on_error, event)
        retry = self.retry
        if retry is None or not is_retryable_error(retry, error):
            return None
        if not retry.allows_method(call.request) and not request_not_sent(error):
            call.stop_reason = (
                f"{call.request.method} is not retried without an idempotency key "
                "once the request may have reached the server"
            )
            return None
        return self._next_delay(call, now, type(error).__name__, None)

    def _next_delay(
        self, call: Call, now: float, reason: str, minimum: float | None
    ) -> float | None:
        retry = self.retry
        assert retry is not None
        if call.attempt >= retry.attempts:
            call.stop_reason = f"all {retry.attempts} attempts used"
            return None
        if not call.replayable:
            call.stop_reason = "the request body is a stream that cannot be replayed"
            return None
        delay = retry.delay(call.attempt, call.prev_delay)
        if minimum is not None and minimum > delay:
            delay = minimum
        if call.deadline is not None and now + delay >= call.deadline:
            call.stop_reason = (
                f"the next attempt could not start before the {self._deadline_text()} deadline"
            )
            return None
        core = self._core
        if core is not None:
            open_for = core._reject_until - core.clock.monotonic()
            if open_for > delay:
                call.stop_reason = f"circuit breaker {core.name!r} is open for {open_for:.3f} s"
                return None
        if retry.budget is not None and not retry.budget.try_withdraw(now):
            call.stop_reason = "the retry budget is spent (retries are capped at a share of calls)"
            return None
        call.prev_delay = delay
        if self.hooks.on_retry:
            event = RetryEvent(call.dependency, call.request, call.attempt, delay, reason)
            Hooks.emit(self.hooks.on_retry, event)
        return delay

    # -- endings ---------------------------------------------------------------

    def finish(self, call: Call) -> None:
        """Undo what the call changed on the request (the capped timeouts, set with a deadline)."""
        if call.timeouts is not _UNSET:
            call.request.extensions["timeout"] = call.timeouts
        elif call.deadline is not None:
            call.request.extensions.pop("timeout", None)

    def respond(self, call: Call, response: httpx.Response) -> Any:
        """The call ends with ``response``; a failure status goes to the fallback, if any."""
        if call.deadline is not None:
            self.finish(call)
        if self.fallback is None or response.status_code not in self.failure_statuses:
            return response
        return self._fall_back(call, FailureResponse(response, call.request))

    def fail(self, call: Call, error: BaseException) -> Any:
        """The call ends with ``error``: the fallback's answer, or raise it."""
        self.finish(call)
        if call.attempt > 1 and isinstance(error, HTTPError):
            error.add_note(
                f"prodready.http: {call.dependency}: gave up after {call.attempt} attempts"
                + (f"; {call.stop_reason}" if call.stop_reason else "")
            )
        elif call.stop_reason and isinstance(error, HTTPError):
            error.add_note(f"prodready.http: {call.dependency}: not retried: {call.stop_reason}")
        if self.fallback is None:
            raise error
        return self._fall_back(call, error)

    def refused(self, call: Call, error: RejectedError) -> Any:
        """A call or a later attempt was refused locally: end with the last real outcome, if any."""
        error._request = call.request
        if self.hooks.on_error:
            event = ErrorEvent(call.dependency, call.request, call.attempt + 1, error, 0.0)
            Hooks.emit(self.hooks.on_error, event)
        if call.last_response is not None:
            call.stop_reason = str(error)
            return self.respond(call, call.last_response)
        if call.last_error is not None:
            call.stop_reason = f"refused: {error}"
            return self.fail(call, call.last_error)
        return self.fail(call, error)

    def _fall_back(self, call: Call, error: BaseException) -> Any:
        fallback = self.fallback
        assert fallback is not None
        if self.hooks.on_fallback:
            Hooks.emit(self.hooks.on_fallback, FallbackEvent(call.dependency, call.request, error))
        return fallback(call.request, error)

    @staticmethod
    def check_fallback(call: Call, result: Any) -> httpx.Response:
        if not isinstance(result, httpx.Response):
            raise TypeError(
                "a fallback must return an httpx.Response or raise, "
                f"got {type(result).__name__} for {call.request.method} {call.request.url}"
            )
        result.extensions[FALLBACK_EXTENSION] = True
        return result
