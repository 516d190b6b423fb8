"""Push a scan result to a prodready server, retrying safely.

Built on ``prodready.http`` (we use what we ship): a timeout per phase, a
retry policy with equal-jitter exponential backoff that honours
``Retry-After``, and a circuit breaker shared by every push of one command,
so that pushing fifty files to a server that is down stops after a few
failures instead of spending five attempts on each.

The server's ``POST /api/v1/scans`` is idempotent (a document pushed twice
gets the same id, ADR 0012), so every failure where we cannot know whether
the server stored the document (connection reset, timeout, 5xx, 429) is
retried, and the request says so with an ``Idempotency-Key`` (the SHA-256 of
the body). A 4xx other than 408/425/429 is final: the document or the token
is wrong and retrying cannot help.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from prodready import __version__
from prodready.http import (
    SYSTEM_CLOCK,
    BreakerRegistry,
    CircuitBreaker,
    CircuitOpenError,
    Client,
    Plugin,
    Retry,
    RetryEvent,
    Timeout,
    backoff,
)

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
DEFAULT_ATTEMPTS = 5
DEFAULT_TIMEOUT = Timeout(30.0, connect=5.0)
MAX_RETRY_AFTER_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 20.0


class PushError(Exception):
    """The push failed for good; ``status`` is the HTTP status (None: no answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class PushResult:
    scan_id: int
    created: bool
    """False when the server already had this exact document."""
    services: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    attempts: int = 1


def api_url(server: str) -> str:
    """``http://host:8000`` or ``.../api/v1`` -> the scans endpoint."""
    base = server.strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise PushError(f"the server URL must start with http:// or https:// (got {server!r})")
    if base.endswith("/api/v1/scans"):
        return base
    if base.endswith("/api/v1"):
        return base + "/scans"
    return base + "/api/v1/scans"


def server_breaker(server: str) -> CircuitBreaker:
    """One breaker for the pushes of one command to one server.

    A private registry per call of this function: the breaker's memory is
    the command's, not the process's (a long-lived caller that pushes again
    an hour later should not inherit an opinion formed then).
    """
    return CircuitBreaker(
        f"prodready-server {httpx.URL(api_url(server)).netloc.decode('ascii', 'replace')}",
        error_threshold=0.5,
        volume_threshold=6,
        window=60.0,
        sleep_window=30.0,
        registry=BreakerRegistry(),
    )


class _SleepThrough:
    """The system clock with an injectable sleep (tests record the delays)."""

    def __init__(self, sleep: Callable[[float], None]) -> None:
        self._sleep = sleep
        self.monotonic = SYSTEM_CLOCK.monotonic
        self.wall = SYSTEM_CLOCK.wall

    def sleep(self, seconds: float) -> None:
        self._sleep(seconds)

    async def asleep(self, seconds: float) -> None:  # pragma: no cover - sync client only
        await SYSTEM_CLOCK.asleep(seconds)


class _CountRetries(Plugin):
    def __init__(self) -> None:
        self.retries = 0
        self.last_reason = ""

    def on_retry(self, event: RetryEvent) -> None:
        self.retries += 1
        self.last_reason = event.reason


def _explain(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if not isinstance(body, dict):
        return str(body)[:300]
    detail = str(body.get("detail") or body.get("error") or body)
    errors = body.get("errors") or []
    lines = [detail]
    for err in errors[:10]:
        loc = ".".join(str(p) for p in err.get("loc", []))
        lines.append(f"  {loc}: {err.get('msg')}")
    if len(errors) > 10:
        lines.append(f"  ... and {len(errors) - 10} more")
    return "\n".join(lines)


def _retry_policy(attempts: int, base: float) -> Retry:
    half = base / 2
    return Retry(
        attempts=max(1, attempts),
        # equal jitter: half the exponential delay for sure, the other half at random
        backoff=backoff.exponential(half, max=MAX_BACKOFF_SECONDS / 2)
        + backoff.full_jitter(half, max=MAX_BACKOFF_SECONDS / 2),
        statuses=RETRY_STATUSES,
        max_retry_after=MAX_RETRY_AFTER_SECONDS,
        budget=None,  # one caller, a handful of attempts: the attempts are the bound
    )


def push_document(
    document: dict[str, Any],
    server: str,
    token: str | None,
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    backoff: float = 0.5,
    timeout: Timeout = DEFAULT_TIMEOUT,
    sleep: Callable[[float], None] = time.sleep,
    transport: httpx.BaseTransport | None = None,
    breaker: CircuitBreaker | None = None,
    compress: bool = True,
) -> PushResult:
    """POST ``document`` (gzip-encoded JSON); retry what may be retried.

    Pass the same ``breaker`` (``server_breaker(server)``) to every push of
    one command so that a dead server is detected once. ``compress=False``
    sends plain JSON, which the server accepts as well: for a proxy or
    gateway in between that refuses or mangles compressed request bodies,
    and for tools that read the request (Pact's mock server cannot decode
    gzip, so the contract tests push plain JSON).
    """
    url = api_url(server)
    body = json.dumps(document, separators=(",", ":")).encode("utf-8")
    headers = {
        "content-type": "application/json",
        "user-agent": f"prodready/{__version__}",
        "accept": "application/json",
    }
    if compress:
        body = gzip.compress(body, mtime=0)
        headers["content-encoding"] = "gzip"
    headers["idempotency-key"] = hashlib.sha256(body).hexdigest()
    if token:
        headers["authorization"] = f"Bearer {token}"
    counter = _CountRetries()
    client = Client(
        timeout=timeout,
        retry=_retry_policy(attempts, backoff),
        breaker=breaker if breaker is not None else server_breaker(server),
        plugins=[counter],
        clock=_SleepThrough(sleep),
        transport=transport,
        follow_redirects=False,
        trust_env=False,
    )
    with client:
        try:
            response = client.post(url, content=body, headers=headers)
        except CircuitOpenError as exc:
            when = "" if exc.retry_after is None else f", retry in {exc.retry_after:.0f} s"
            raise PushError(
                f"not pushing to {url}: the last pushes failed, the server looks down "
                f"(circuit open{when})"
            ) from exc
        except httpx.TransportError as exc:
            made = counter.retries + 1
            problem = f"{type(exc).__name__}: {exc}".rstrip(": ")
            raise PushError(
                f"push failed after {made} attempt(s); last error: cannot reach {url}: {problem}"
            ) from exc
    made = counter.retries + 1
    if response.status_code in (200, 201):
        data = response.json()
        return PushResult(
            scan_id=int(data["id"]),
            created=bool(data.get("created", response.status_code == 201)),
            services=list(data.get("services", [])),
            url=str(data.get("url", "")),
            attempts=made,
        )
    problem = _explain(response)
    if response.status_code in RETRY_STATUSES:
        raise PushError(
            f"push failed after {made} attempt(s); last error: HTTP {response.status_code}: "
            f"{problem}",
            response.status_code,
        )
    raise PushError(
        f"the server refused the push (HTTP {response.status_code}): {problem}",
        response.status_code,
    )


def push_scan(
    document: dict[str, Any], server: str, token: str | None, breaker: CircuitBreaker | None = None
) -> str:
    """Push one scan document to ``server``; returns the scan id the server assigned.

    Safe to call again with the same document (the server answers with the
    same id). Raises ``PushError`` with a message fit for the user.
    """
    return str(push_document(document, server, token, breaker=breaker).scan_id)
