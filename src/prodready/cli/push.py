"""Push a scan result to a prodready server, retrying safely.

The server's ``POST /api/v1/scans`` is idempotent (a document pushed twice
gets the same id, ADR 0012), so every failure where we cannot know whether
the server stored the document — connection reset, timeout, 5xx, 429 — is
retried with exponential backoff and jitter, honouring ``Retry-After``.
A 4xx other than 408/429 is final: the document or the token is wrong and
retrying cannot help. ``scan --push URL`` calls ``push_scan``.
"""

from __future__ import annotations

import gzip
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from prodready import __version__

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
DEFAULT_ATTEMPTS = 5
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
MAX_RETRY_AFTER_SECONDS = 30.0


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


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return min(MAX_RETRY_AFTER_SECONDS, max(0.0, seconds))


def _backoff(attempt: int, base: float, rng: random.Random) -> float:
    delay = min(20.0, base * 2.0 ** (attempt - 1))
    return delay / 2 + rng.uniform(0, delay / 2)


def push_document(
    document: dict[str, Any],
    server: str,
    token: str | None,
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    backoff: float = 0.5,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    sleep: Callable[[float], None] = time.sleep,
    transport: httpx.BaseTransport | None = None,
) -> PushResult:
    """POST ``document`` (gzip-encoded JSON); retry what may be retried."""
    url = api_url(server)
    body = gzip.compress(json.dumps(document, separators=(",", ":")).encode("utf-8"), mtime=0)
    headers = {
        "content-type": "application/json",
        "content-encoding": "gzip",
        "user-agent": f"prodready/{__version__}",
        "accept": "application/json",
    }
    if token:
        headers["authorization"] = f"Bearer {token}"
    rng = random.Random()  # noqa: S311 (jitter, not cryptography)
    last_problem = "no attempt made"
    with httpx.Client(timeout=timeout, transport=transport, follow_redirects=False) as client:
        for attempt in range(1, max(1, attempts) + 1):
            wait: float | None = None
            try:
                response = client.post(url, content=body, headers=headers)
            except httpx.TransportError as exc:
                last_problem = f"cannot reach {url}: {type(exc).__name__}: {exc}".rstrip(": ")
            else:
                if response.status_code in (200, 201):
                    data = response.json()
                    return PushResult(
                        scan_id=int(data["id"]),
                        created=bool(data.get("created", response.status_code == 201)),
                        services=list(data.get("services", [])),
                        url=str(data.get("url", "")),
                        attempts=attempt,
                    )
                problem = _explain(response)
                if response.status_code not in RETRY_STATUSES:
                    raise PushError(
                        f"the server refused the push (HTTP {response.status_code}): {problem}",
                        response.status_code,
                    )
                last_problem = f"HTTP {response.status_code}: {problem}"
                wait = _retry_after(response)
            if attempt < attempts:
                sleep(wait if wait is not None else _backoff(attempt, backoff, rng))
    raise PushError(f"push failed after {attempts} attempt(s); last error: {last_problem}")


def push_scan(document: dict[str, Any], server: str, token: str | None) -> str:
    """Push one scan document to ``server``; returns the scan id the server assigned.

    Safe to call again with the same document (the server answers with the
    same id). Raises ``PushError`` with a message fit for the user.
    """
    return str(push_document(document, server, token).scan_id)
