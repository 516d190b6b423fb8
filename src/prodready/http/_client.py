"""``Client`` and ``AsyncClient``: httpx clients with the policies built in.

They are ``httpx.Client``/``httpx.AsyncClient`` subclasses, so every httpx
method, argument and habit works unchanged; the only difference is the
transport underneath, a :class:`ResilientTransport` around the transport
httpx would have built (with your ``verify``, ``cert``, ``http2``,
``limits`` and ``proxy``). Mounted transports are wrapped too, with the same
policies.

One thing httpx does that these do not: read proxy settings from the
environment (``HTTP_PROXY``...). httpx skips that whenever a transport is
given; pass ``proxy=`` explicitly.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from prodready.http._breaker import CircuitBreaker
from prodready.http._bulkhead import Bulkhead
from prodready.http._clock import Clock
from prodready.http._engine import STREAM_EXTENSION, Fallback
from prodready.http._plugins._base import Plugin
from prodready.http._retry import Retry
from prodready.http._transport import AsyncResilientTransport, ResilientTransport

if TYPE_CHECKING:
    from httpx._client import UseClientDefault
    from httpx._types import AuthTypes, CertTypes, ProxyTypes, TimeoutTypes

__all__ = ["DEFAULT_LIMITS", "DEFAULT_TIMEOUT", "AsyncClient", "Client"]

DEFAULT_TIMEOUT = httpx.Timeout(5.0)
"""5 s per phase, as httpx. Never unbounded unless you pass ``timeout=None``."""

_HTTPX_SEND = httpx.Client.send

DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
"""httpx's default pool limits."""


class Client(httpx.Client):
    """A resilient ``httpx.Client``.

    ::

        client = Client(
            timeout=Timeout(1.0, connect=0.2),
            retry=Retry(attempts=4, backoff=backoff.exponential(0.01, max=1.0)),
            breaker=CircuitBreaker("payments"),
            bulkhead=Bulkhead(max_concurrent=100),
        )

    ``name`` labels metrics, logs and errors (default: the breaker's name,
    else each request's host). ``clock`` replaces real time and sleep
    (tests). Any other keyword goes to ``httpx.Client``.
    """

    def __init__(
        self,
        *,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        retry: Retry | None = None,
        breaker: CircuitBreaker | None = None,
        bulkhead: Bulkhead | None = None,
        fallback: Fallback | None = None,
        plugins: Sequence[Plugin] = (),
        name: str | None = None,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
        mounts: Mapping[str, httpx.BaseTransport | None] | None = None,
        verify: ssl.SSLContext | str | bool = True,
        cert: CertTypes | None = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: httpx.Limits = DEFAULT_LIMITS,
        proxy: ProxyTypes | None = None,
        **kwargs: Any,
    ) -> None:
        policies: dict[str, Any] = {
            "retry": retry,
            "breaker": breaker,
            "bulkhead": bulkhead,
            "fallback": fallback,
            "plugins": tuple(plugins),
            "name": name,
            "clock": clock,
        }
        inner = transport
        if inner is None:
            inner = httpx.HTTPTransport(
                verify=verify,
                cert=cert,
                trust_env=trust_env,
                http1=http1,
                http2=http2,
                limits=limits,
                proxy=proxy,
            )
        self._resilient = ResilientTransport(inner, **policies)
        wrapped = None
        if mounts is not None:
            wrapped = {
                pattern: None if mounted is None else ResilientTransport(mounted, **policies)
                for pattern, mounted in mounts.items()
            }
        super().__init__(
            timeout=timeout,
            transport=self._resilient,
            mounts=wrapped,
            trust_env=trust_env,
            **kwargs,
        )

    @property
    def retry(self) -> Retry | None:
        return self._resilient.engine.retry

    @property
    def breaker(self) -> CircuitBreaker | None:
        return self._resilient.engine.breaker

    @property
    def bulkhead(self) -> Bulkhead | None:
        return self._resilient.engine.bulkhead

    def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: AuthTypes | UseClientDefault | None = httpx.USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        if stream:
            # A streamed response ends its attempt at the headers: the body
            # is the caller's to read, so it cannot be retried or buffered.
            request.extensions[STREAM_EXTENSION] = True
        if self._next_send_is_httpx:  # no super() object per call (benchmarks/http_overhead.py)
            return _HTTPX_SEND(
                self, request, stream=stream, auth=auth, follow_redirects=follow_redirects
            )
        return super().send(request, stream=stream, auth=auth, follow_redirects=follow_redirects)

    _next_send_is_httpx: ClassVar[bool] = True
    """Whether ``super().send`` is httpx's own (false when a subclass puts a class between)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        mro = cls.__mro__
        cls._next_send_is_httpx = mro[mro.index(Client) + 1] is httpx.Client


class AsyncClient(httpx.AsyncClient):
    """A resilient ``httpx.AsyncClient``: the same options as :class:`Client`.

    The fallback may be a coroutine function.
    """

    def __init__(
        self,
        *,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        retry: Retry | None = None,
        breaker: CircuitBreaker | None = None,
        bulkhead: Bulkhead | None = None,
        fallback: Fallback | None = None,
        plugins: Sequence[Plugin] = (),
        name: str | None = None,
        clock: Clock | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        mounts: Mapping[str, httpx.AsyncBaseTransport | None] | None = None,
        verify: ssl.SSLContext | str | bool = True,
        cert: CertTypes | None = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: httpx.Limits = DEFAULT_LIMITS,
        proxy: ProxyTypes | None = None,
        **kwargs: Any,
    ) -> None:
        policies: dict[str, Any] = {
            "retry": retry,
            "breaker": breaker,
            "bulkhead": bulkhead,
            "fallback": fallback,
            "plugins": tuple(plugins),
            "name": name,
            "clock": clock,
        }
        inner = transport
        if inner is None:
            inner = httpx.AsyncHTTPTransport(
                verify=verify,
                cert=cert,
                trust_env=trust_env,
                http1=http1,
                http2=http2,
                limits=limits,
                proxy=proxy,
            )
        self._resilient = AsyncResilientTransport(inner, **policies)
        wrapped = None
        if mounts is not None:
            wrapped = {
                pattern: None if mounted is None else AsyncResilientTransport(mounted, **policies)
                for pattern, mounted in mounts.items()
            }
        super().__init__(
            timeout=timeout,
            transport=self._resilient,
            mounts=wrapped,
            trust_env=trust_env,
            **kwargs,
        )

    @property
    def retry(self) -> Retry | None:
        return self._resilient.engine.retry

    @property
    def breaker(self) -> CircuitBreaker | None:
        return self._resilient.engine.breaker

    @property
    def bulkhead(self) -> Bulkhead | None:
        return self._resilient.engine.bulkhead

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: AuthTypes | UseClientDefault | None = httpx.USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        if stream:
            request.extensions[STREAM_EXTENSION] = True
        return await super().send(
            request, stream=stream, auth=auth, follow_redirects=follow_redirects
        )
