"""Every error ``prodready.http`` raises, in one tree.

::

    httpx.RequestError
    └── HTTPError                      base of everything raised here
        ├── TransportError             the attempt failed on the wire (+ httpx.TransportError)
        │   ├── TimeoutException       (+ httpx.TimeoutException)
        │   │   ├── ConnectTimeout     (+ httpx.ConnectTimeout)
        │   │   ├── ReadTimeout        (+ httpx.ReadTimeout)
        │   │   ├── WriteTimeout       (+ httpx.WriteTimeout)
        │   │   ├── PoolTimeout        (+ httpx.PoolTimeout)
        │   │   └── DeadlineExceeded   the total timeout or the retry deadline ran out
        │   ├── NetworkError           (+ httpx.NetworkError)
        │   │   ├── ConnectError       (+ httpx.ConnectError)
        │   │   ├── ReadError          (+ httpx.ReadError)
        │   │   ├── WriteError         (+ httpx.WriteError)
        │   │   └── CloseError         (+ httpx.CloseError)
        │   ├── ProtocolError          (+ httpx.ProtocolError)
        │   │   ├── LocalProtocolError (+ httpx.LocalProtocolError)
        │   │   └── RemoteProtocolError(+ httpx.RemoteProtocolError)
        │   ├── ProxyError             (+ httpx.ProxyError)
        │   └── UnsupportedProtocol    (+ httpx.UnsupportedProtocol)
        ├── RejectedError              not attempted: a local policy refused the call
        │   ├── CircuitOpenError       the breaker is open; ``retry_after`` says for how long
        │   └── BulkheadFullError      too many calls in flight to this dependency
        └── FailureResponse            a response the policies count as a failure (5xx);
                                       only ever passed to a fallback, never raised by us

Translation happens at one boundary, the resilient transport: an httpx
exception raised by the wrapped transport is re-raised as the class of the
same name here, with the original kept as ``__cause__``. Each class also
subclasses its httpx namesake, so code that already catches
``httpx.TimeoutException`` or ``httpx.TransportError`` keeps working when a
plain ``httpx.Client`` is given our transport. ``RejectedError`` is an
``httpx.RequestError`` but *not* an ``httpx.TransportError``: nothing went
on the wire.

When retries give up, the last attempt's error is raised; a PEP 678 note on
it says how many attempts were made and why retrying stopped.
"""

from __future__ import annotations

import httpx

__all__ = [
    "BulkheadFullError",
    "CircuitOpenError",
    "CloseError",
    "ConnectError",
    "ConnectTimeout",
    "DeadlineExceeded",
    "FailureResponse",
    "HTTPError",
    "LocalProtocolError",
    "NetworkError",
    "PoolTimeout",
    "ProtocolError",
    "ProxyError",
    "ReadError",
    "ReadTimeout",
    "RejectedError",
    "RemoteProtocolError",
    "TimeoutException",
    "TransportError",
    "UnsupportedProtocol",
    "WriteError",
    "WriteTimeout",
    "translate",
]


class HTTPError(httpx.RequestError):
    """Base class of every error raised by ``prodready.http``."""


class TransportError(HTTPError, httpx.TransportError):
    """An attempt failed between us and the server (connect, send, receive)."""


class TimeoutException(TransportError, httpx.TimeoutException):
    """An attempt ran out of time."""


class ConnectTimeout(TimeoutException, httpx.ConnectTimeout):
    """Timed out while connecting: the request was never sent."""


class ReadTimeout(TimeoutException, httpx.ReadTimeout):
    """Timed out waiting for the response (the request may have been processed)."""


class WriteTimeout(TimeoutException, httpx.WriteTimeout):
    """Timed out while sending the request."""


class PoolTimeout(TimeoutException, httpx.PoolTimeout):
    """Timed out waiting for a free connection in the pool: the request was never sent."""


class DeadlineExceeded(TimeoutException):
    """The per-attempt ``Timeout(total=...)`` or the ``Retry(deadline=...)`` ran out."""


class NetworkError(TransportError, httpx.NetworkError):
    """The network failed during an attempt."""


class ConnectError(NetworkError, httpx.ConnectError):
    """Could not connect (refused, unreachable, DNS): the request was never sent."""


class ReadError(NetworkError, httpx.ReadError):
    """Failed while receiving (for example the peer reset the connection)."""


class WriteError(NetworkError, httpx.WriteError):
    """Failed while sending."""


class CloseError(NetworkError, httpx.CloseError):
    """Failed while closing a connection."""


class ProtocolError(TransportError, httpx.ProtocolError):
    """The HTTP protocol was violated."""


class LocalProtocolError(ProtocolError, httpx.LocalProtocolError):
    """We sent something invalid."""


class RemoteProtocolError(ProtocolError, httpx.RemoteProtocolError):
    """The server sent something invalid, or closed the connection without a response."""


class ProxyError(TransportError, httpx.ProxyError):
    """The proxy failed."""


class UnsupportedProtocol(TransportError, httpx.UnsupportedProtocol):
    """The URL's scheme is not one the transport speaks."""


class RejectedError(HTTPError):
    """The call was refused locally before anything went on the wire.

    Never retried (retrying a local refusal only adds load) and never counted
    as a failure of the dependency.
    """

    def __init__(
        self, message: str, *, dependency: str, request: httpx.Request | None = None
    ) -> None:
        # What httpx.RequestError.__init__ amounts to (the message for
        # Exception, the request in ``_request``), without its three frames:
        # refusals are the fast-fail path, where each microsecond shows.
        Exception.__init__(self, message)
        self._request = request
        self.dependency = dependency


class CircuitOpenError(RejectedError):
    """The circuit breaker for ``dependency`` is open.

    ``retry_after`` is the number of seconds until the breaker will admit a
    probe, or ``None`` when it was forced open by an operator. The message is
    composed only when someone reads it.
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        dependency: str,
        retry_after: float | None,
        request: httpx.Request | None = None,
    ) -> None:
        Exception.__init__(self) if message is None else Exception.__init__(self, message)
        self._request = request
        self.dependency = dependency
        self.retry_after = retry_after

    def __str__(self) -> str:
        if self.args:
            return str(self.args[0])
        if self.retry_after is None:
            return f"circuit breaker {self.dependency!r} is forced open"
        return f"circuit breaker {self.dependency!r} is open; retry after {self.retry_after:.3f} s"

    def __repr__(self) -> str:
        return f"CircuitOpenError({str(self)!r})"


class BulkheadFullError(RejectedError):
    """``max_concurrent`` calls to ``dependency`` were already in flight."""

    def __init__(
        self,
        message: str,
        *,
        dependency: str,
        max_concurrent: int,
        request: httpx.Request | None = None,
    ) -> None:
        RejectedError.__init__(self, message, dependency=dependency, request=request)
        self.max_concurrent = max_concurrent


class FailureResponse(HTTPError):
    """A response that counts as a failure (5xx by default), handed to a fallback.

    The fallback receives this error with the ``response`` attached, so it can
    decide from the status code and headers. Without a fallback the response
    itself is returned to the caller, as httpx would.
    """

    def __init__(self, response: httpx.Response, request: httpx.Request) -> None:
        super().__init__(
            f"{response.status_code} {response.reason_phrase}".strip(), request=request
        )
        response.request = request
        self.response = response


# Most specific first is not needed: translate() walks the raised class's MRO,
# so a subclass of httpx.ReadTimeout defined elsewhere still maps correctly.
_BY_HTTPX_CLASS: dict[type[httpx.HTTPError], type[TransportError]] = {
    httpx.ConnectTimeout: ConnectTimeout,
    httpx.ReadTimeout: ReadTimeout,
    httpx.WriteTimeout: WriteTimeout,
    httpx.PoolTimeout: PoolTimeout,
    httpx.TimeoutException: TimeoutException,
    httpx.ConnectError: ConnectError,
    httpx.ReadError: ReadError,
    httpx.WriteError: WriteError,
    httpx.CloseError: CloseError,
    httpx.NetworkError: NetworkError,
    httpx.LocalProtocolError: LocalProtocolError,
    httpx.RemoteProtocolError: RemoteProtocolError,
    httpx.ProtocolError: ProtocolError,
    httpx.ProxyError: ProxyError,
    httpx.UnsupportedProtocol: UnsupportedProtocol,
    httpx.TransportError: TransportError,
}


def translate(exc: httpx.TransportError, request: httpx.Request) -> TransportError:
    """The ``prodready.http`` error for an httpx transport error (the caller chains it)."""
    if isinstance(exc, TransportError):
        return exc
    for klass in type(exc).__mro__:
        ours = _BY_HTTPX_CLASS.get(klass)
        if ours is not None:
            return ours(str(exc) or type(exc).__name__, request=request)
    return TransportError(str(exc) or type(exc).__name__, request=request)  # pragma: no cover
