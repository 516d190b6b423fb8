"""The retry policy: what may be retried, how often, how long to wait.

A :class:`Retry` is configuration plus one piece of shared state, its
:class:`RetryBudget`. Share one ``Retry`` between the clients that call one
dependency and they share its budget.

What is safe to retry (the defaults, all configurable):

* **Errors** where a retry can help: timeouts, network errors, a server that
  closed the connection without answering. Not ``LocalProtocolError`` or
  ``UnsupportedProtocol`` (retrying cannot fix our own request), not
  ``DeadlineExceeded`` (no time is left), never a local rejection (circuit
  open, bulkhead full).
* **Statuses** 429, 502, 503, 504: the server says "not now" or a proxy could
  not reach it. Never 500 by default (often a bug that a retry repeats) and
  never a 4xx other than 429.
* **Methods** that are idempotent (RFC 9110 section 9.2.2): GET, HEAD, OPTIONS,
  PUT, DELETE, TRACE. POST and PATCH only when the request carries an
  ``Idempotency-Key`` header or the method is listed in ``methods``.
  Exception: an error that proves the request never left (connect error or
  timeout, pool timeout) is retried for every method.
* **Bodies** that can be replayed: a body given as bytes/str/JSON/form is
  buffered by httpx and resent; a streamed body (a generator, a file being
  read) cannot be replayed and is never retried. ``request.read()`` first
  makes it replayable.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Collection, Iterable
from email.utils import parsedate_to_datetime
from random import random as _default_random

import httpx

from prodready.http._backoff import Backoff, Random, exponential, jitter
from prodready.http._exceptions import (
    ConnectError,
    ConnectTimeout,
    DeadlineExceeded,
    NetworkError,
    PoolTimeout,
    ReadTimeout,
    RemoteProtocolError,
    WriteTimeout,
)

__all__ = [
    "DEFAULT_STATUSES",
    "IDEMPOTENT_METHODS",
    "NOT_SENT_ERRORS",
    "RETRYABLE_ERRORS",
    "Retry",
    "RetryBudget",
    "is_retryable_error",
    "parse_retry_after",
    "request_not_sent",
]

IDEMPOTENT_METHODS: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
"""Methods RFC 9110 defines as idempotent: retried by default."""

DEFAULT_STATUSES: frozenset[int] = frozenset({429, 502, 503, 504})
"""Statuses retried by default."""

RETRYABLE_ERRORS: tuple[type[BaseException], ...] = (
    ConnectTimeout,
    ReadTimeout,
    WriteTimeout,
    PoolTimeout,
    NetworkError,
    RemoteProtocolError,
)
"""Errors retried by default (subclasses included)."""

NOT_SENT_ERRORS: tuple[type[BaseException], ...] = (ConnectError, ConnectTimeout, PoolTimeout)
"""Errors that prove the request never reached the server: safe for any method."""

# time.sleep() raises OverflowError beyond this; a delay this long is a
# misconfiguration, not a plan.
_MAX_DELAY = 86_400.0


class RetryBudget:
    """A token bucket that bounds the extra load retries may add.

    Each call deposits ``ratio`` tokens; each retry withdraws one. The bucket
    also refills at ``min_per_second`` tokens per second so that a quiet
    client can still retry, and holds at most ``max_tokens``. Over any long
    interval ``T`` with ``N`` calls, retries are at most
    ``ratio * N + min_per_second * T + max_tokens``: with the defaults, a
    failing dependency under heavy load sees at most 20% more requests, not
    ``attempts`` times more (the retry storm).

    This is the scheme of gRPC's retry throttling and botocore's retry quota,
    expressed as Finagle's ``RetryBudget`` parameters. Thread-safe.
    """

    __slots__ = ("_calls", "_last", "_lock", "_tokens", "max_tokens", "min_per_second", "ratio")

    def __init__(
        self, ratio: float = 0.2, *, min_per_second: float = 10.0, max_tokens: float | None = None
    ) -> None:
        if not 0 <= ratio <= 1000:
            raise ValueError(f"ratio must be between 0 and 1000, got {ratio!r}")
        if min_per_second < 0:
            raise ValueError(f"min_per_second must be >= 0, got {min_per_second!r}")
        self.ratio = float(ratio)
        self.min_per_second = float(min_per_second)
        self.max_tokens = float(
            max_tokens if max_tokens is not None else max(10.0, self.min_per_second)
        )
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be >= 1, got {self.max_tokens!r}")
        self._tokens = self.max_tokens
        self._last: float | None = None
        self._calls = 0
        self._lock = threading.Lock()

    def _refill(self, now: float) -> None:
        # Called with the lock held: credit the calls counted since the last
        # refill and the time that passed, within the bucket's size.
        calls, self._calls = self._calls, 0
        tokens = self._tokens + calls * self.ratio
        if self._last is not None and now > self._last:
            tokens += (now - self._last) * self.min_per_second
        self._tokens = min(self.max_tokens, tokens)
        self._last = now

    def deposit(self, now: float) -> None:
        """Record a call (its first attempt).

        Lock-free, as it runs on every call: under heavy thread contention an
        increment can be lost, which only makes the budget slightly stricter.
        """
        self._calls += 1

    def try_withdraw(self, now: float) -> bool:
        """Take the token a retry costs; ``False`` when the budget is spent."""
        with self._lock:
            self._refill(now)
            # The tolerance absorbs float drift: ten deposits of 0.1 are one token.
            if self._tokens >= 1.0 - 1e-9:
                self._tokens = max(self._tokens - 1.0, 0.0)
                return True
            return False

    @property
    def tokens(self) -> float:
        """Tokens in the bucket, counting deposits not yet credited (not time refill)."""
        return min(self.max_tokens, self._tokens + self._calls * self.ratio)

    def __repr__(self) -> str:
        return (
            f"RetryBudget({self.ratio:g}, min_per_second={self.min_per_second:g}, "
            f"max_tokens={self.max_tokens:g})"
        )


def _upper_methods(methods: Iterable[str]) -> frozenset[str]:
    out = frozenset(m.upper() for m in methods)
    for m in out:
        if not m.isalpha():
            raise ValueError(f"not an HTTP method: {m!r}")
    return out


class Retry:
    """When and how to retry. Immutable apart from its shared budget.

    ``attempts`` counts every try, the first included: ``Retry(attempts=4)``
    makes at most 3 retries (heimdall's ``WithRetryCount(4)`` is
    ``attempts=5``). ``deadline`` bounds the whole call, sleeps included:
    each attempt's phase timeouts are shortened to what is left, and no retry
    starts that could not finish in time.
    """

    __slots__ = (
        "attempts",
        "backoff",
        "budget",
        "deadline",
        "errors",
        "idempotency_header",
        "max_retry_after",
        "methods",
        "random",
        "respect_retry_after",
        "statuses",
    )

    def __init__(
        self,
        attempts: int = 3,
        *,
        backoff: Backoff | None = None,
        statuses: Collection[int] = DEFAULT_STATUSES,
        methods: Collection[str] = IDEMPOTENT_METHODS,
        errors: tuple[type[BaseException], ...] = RETRYABLE_ERRORS,
        idempotency_header: str | None = "Idempotency-Key",
        deadline: float | None = None,
        respect_retry_after: bool = True,
        max_retry_after: float = 30.0,
        budget: float | RetryBudget | None = 0.2,
        random: Random | None = None,
    ) -> None:
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise ValueError(
                f"attempts counts the first try too and must be >= 1, got {attempts!r}"
            )
        if backoff is not None and not isinstance(backoff, Backoff):
            raise TypeError(
                f"backoff must be a prodready.http.backoff strategy, got {type(backoff).__name__}"
            )
        for status in statuses:
            if not 100 <= status <= 599:
                raise ValueError(f"not an HTTP status code: {status!r}")
        if deadline is not None and not deadline > 0:
            raise ValueError(f"deadline must be > 0 seconds or None, got {deadline!r}")
        if not max_retry_after >= 0:
            raise ValueError(f"max_retry_after must be >= 0 seconds, got {max_retry_after!r}")
        for error in errors:
            if not (isinstance(error, type) and issubclass(error, BaseException)):
                raise TypeError(f"errors must be exception classes, got {error!r}")
        self.attempts = attempts
        self.backoff: Backoff = (
            backoff if backoff is not None else exponential(0.1, max=5.0) + jitter(0.1)
        )
        self.statuses: frozenset[int] = frozenset(statuses)
        self.methods: frozenset[str] = _upper_methods(methods)
        self.errors = tuple(errors)
        self.idempotency_header = idempotency_header
        self.deadline = None if deadline is None else float(deadline)
        self.respect_retry_after = respect_retry_after
        self.max_retry_after = float(max_retry_after)
        if budget is None or isinstance(budget, RetryBudget):
            self.budget: RetryBudget | None = budget
        else:
            self.budget = RetryBudget(float(budget))
        self.random: Random = random if random is not None else _default_random

    def allows_method(self, request: httpx.Request) -> bool:
        """May this request be retried after it may have reached the server?"""
        if request.method in self.methods:
            return True
        header = self.idempotency_header
        return header is not None and header in request.headers

    def delay(self, retry: int, previous: float) -> float:
        """The backoff before retry number ``retry``, bounded to something sleepable."""
        value = self.backoff.delay(retry, previous, self.random)
        if math.isnan(value) or value < 0:
            return 0.0
        return min(value, _MAX_DELAY)

    def __repr__(self) -> str:
        parts = [f"attempts={self.attempts}", f"backoff={self.backoff!r}"]
        if self.deadline is not None:
            parts.append(f"deadline={self.deadline:g}")
        if self.budget is not None:
            parts.append(f"budget={self.budget!r}")
        return f"Retry({', '.join(parts)})"


def parse_retry_after(value: str | None, wall_now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP date.

    Returns ``None`` when the header is absent or unparseable (then the
    backoff decides), and never a negative delay.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; be lenient with a missing zone
        return None
    return max(0.0, when.timestamp() - wall_now)


def is_retryable_error(retry: Retry, error: BaseException) -> bool:
    """Whether ``error`` is of a kind this policy retries (never a spent deadline)."""
    return isinstance(error, retry.errors) and not isinstance(error, DeadlineExceeded)


def request_not_sent(error: BaseException) -> bool:
    """Whether ``error`` proves the request never reached the server."""
    return isinstance(error, NOT_SENT_ERRORS)
