"""A lean HTTP/1.1 client for the generator's hot path.

Why not aiohttp here: a load generator spends its CPU on the client, and
every microsecond per request is rate it cannot offer. aiohttp's client
(a coroutine, a response object and header multidict per request) tops out
near 11k requests/s on one core of the reference machine, below a closed-
model Locust; this client (callbacks on an ``asyncio.Protocol``, requests
pre-encoded once per target, only the framing headers parsed) is several
times faster. aiohttp stays available as ``--client aiohttp``. See
docs/adr/0031-own-http1-client-for-the-hot-path.md.

What it does: keep-alive connections to one origin, one request at a time
per connection (no pipelining), TLS through asyncio, response framing per
RFC 9112 section 6.3 (no body for HEAD, 1xx, 204 and 304; chunked; Content-
Length; else read until close), ``Connection: close`` and HTTP/1.0 honoured.
It counts body bytes but never keeps bodies. It does not follow redirects,
decompress, or speak HTTP/2: a load generator measures the server's
answer, not a browser's experience.

Requests wait in a FIFO queue when every connection is busy and the pool is
at ``max_connections``; the time they wait there is part of the intended-
time latency, not of the service time (which starts when the request is
written to a connection).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ssl
import time
from collections import deque
from collections.abc import Callable
from typing import Any, cast

from prodready.load._targets import Target

_MAX_HEAD = 64 * 1024
_HEAD, _LENGTH, _CHUNKED, _UNTIL_CLOSE, _NO_BODY = range(5)
_C_SIZE, _C_DATA, _C_DATA_END, _C_TRAILER = range(4)


def _header_value(lower_head: bytes, start: int) -> bytes:
    end = lower_head.find(b"\r\n", start)
    return (lower_head[start:] if end < 0 else lower_head[start:end]).strip()


class InFlight:
    """One request from dispatch to completion. Times are ``time.monotonic()``."""

    __slots__ = ("deadline", "dispatched", "intended", "sent", "target")

    def __init__(self, target: int, intended: float, dispatched: float, deadline: float) -> None:
        self.target = target
        self.intended = intended
        self.dispatched = dispatched
        self.deadline = deadline
        self.sent = 0.0


# (request, status, reason, error, body bytes). status 0 and an error
# message for transport errors and timeouts.
Completion = Callable[[InFlight, int, str, "str | None", int], None]

# A target ready for the wire: (request bytes, is HEAD, body length).
Wire = tuple[bytes, bool, int]


def wire_format(target: Target, user_agent: str) -> Wire:
    return (encode_request(target, user_agent), target.method == "HEAD", len(target.body))


def encode_request(target: Target, user_agent: str) -> bytes:
    """The request's bytes, built once: request line, headers, body."""
    names = {name.lower() for name, _ in target.headers}
    lines = [f"{target.method} {target.path} HTTP/1.1"]
    if "host" not in names:
        lines.append(f"Host: {target.host_header}")
    if "user-agent" not in names:
        lines.append(f"User-Agent: {user_agent}")
    lines.extend(f"{name}: {value}" for name, value in target.headers)
    if "content-length" not in names and (target.body or target.method in {"POST", "PUT", "PATCH"}):
        lines.append(f"Content-Length: {len(target.body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="strict")
    return head + target.body


def describe_os_error(exc: BaseException, phase: str = "connect") -> str:
    """A short, stable error message (the Error Set groups by message)."""
    if isinstance(exc, ConnectionRefusedError):
        return f"{phase}: connection refused"
    if isinstance(exc, ConnectionResetError):
        return f"{phase}: connection reset by peer"
    if isinstance(exc, ssl.SSLError):
        return f"tls: {exc.reason or exc}"
    if isinstance(exc, TimeoutError):
        return f"{phase}: timed out"
    if isinstance(exc, OSError) and exc.errno is not None:
        name = errno.errorcode.get(exc.errno, str(exc.errno))
        return f"{phase}: {(exc.strerror or name).lower()}"
    return f"{phase}: {type(exc).__name__}: {exc}"


class _Connection(asyncio.Protocol):
    """One keep-alive connection; parses exactly one response per request."""

    __slots__ = (
        "body_bytes",
        "buf",
        "chunk_remaining",
        "chunk_state",
        "head_only",
        "keep_alive",
        "pool",
        "reason",
        "remaining",
        "request",
        "state",
        "status",
        "transport",
    )

    def __init__(self, pool: Http1Pool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.request: InFlight | None = None
        self.buf = bytearray()
        self.state = _HEAD
        self.status = 0
        self.reason = b""
        self.remaining = 0
        self.body_bytes = 0
        self.keep_alive = True
        self.head_only = False
        self.chunk_state = _C_SIZE
        self.chunk_remaining = 0

    # asyncio callbacks -------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.request is not None:
            if self.state == _UNTIL_CLOSE:
                self.keep_alive = False
                self._finish()
            elif exc is not None and not isinstance(exc, TimeoutError):
                self._fail(describe_os_error(exc, "read"))
            else:
                self._fail("read: connection closed by the server before a complete response")
        self.pool._lost(self)

    def eof_received(self) -> bool | None:
        return False

    def data_received(self, data: bytes) -> None:
        if self.request is None:
            # Bytes nobody asked for: the connection is out of step.
            self._close()
            return
        state = self.state
        if state == _HEAD:
            if self.buf:
                self.buf += data
                data = bytes(self.buf)
                self.buf.clear()
            self._on_head_data(data)
        elif state == _LENGTH:
            size = len(data)
            if size >= self.remaining:
                self.body_bytes += self.remaining
                extra = size > self.remaining
                self.remaining = 0
                self._finish(extra)
            else:
                self.body_bytes += size
                self.remaining -= size
        elif state == _CHUNKED:
            self.buf += data
            self._feed_chunked()
        else:  # _UNTIL_CLOSE
            self.body_bytes += len(data)

    # parsing -----------------------------------------------------------
    def _on_head_data(self, data: bytes) -> None:
        while True:
            end = data.find(b"\r\n\r\n")
            if end < 0:
                if len(data) > _MAX_HEAD:
                    self._fail("read: response header larger than 64 KiB")
                else:
                    self.buf += data
                return
            if not self._parse_head(data[:end]):
                return
            rest = data[end + 4 :]
            if 100 <= self.status < 200 and self.status != 101:
                data = rest  # an interim response: the final one follows
                continue
            break
        if self.state == _LENGTH:
            if len(rest) >= self.remaining:
                self.body_bytes = self.remaining
                extra = len(rest) > self.remaining
                self.remaining = 0
                self._finish(extra)
            else:
                self.body_bytes = len(rest)
                self.remaining -= len(rest)
        elif self.state == _CHUNKED:
            self.buf += rest
            self._feed_chunked()
        elif self.state == _UNTIL_CLOSE:
            self.body_bytes = len(rest)
        else:  # no body
            self._finish(bool(rest))

    def _parse_head(self, head: bytes) -> bool:
        # Only the status and the three framing headers matter; finding them
        # in the lower-cased head is far cheaper than splitting every line.
        eol = head.find(b"\r\n")
        status_line = head if eol < 0 else head[:eol]
        parts = status_line.split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            self._fail("read: malformed HTTP response (bad status line)")
            return False
        status = int(parts[1])
        self.status = status
        self.reason = parts[2] if len(parts) > 2 else b""
        keep_alive = parts[0] != b"HTTP/1.0"
        lower = head.lower()
        length = -1
        at = lower.find(b"\r\ncontent-length:")
        if at >= 0:
            value = _header_value(lower, at + 17)
            if not value.isdigit():
                self._fail("read: malformed HTTP response (bad Content-Length)")
                return False
            length = int(value)
        at = lower.find(b"\r\ntransfer-encoding:")
        chunked = at >= 0 and b"chunked" in _header_value(lower, at + 20)
        at = lower.find(b"\r\nconnection:")
        if at >= 0:
            token = _header_value(lower, at + 13)
            if b"close" in token:
                keep_alive = False
            elif b"keep-alive" in token:
                keep_alive = True
        self.keep_alive = keep_alive and status != 101
        self.body_bytes = 0
        if status < 200 and status != 101:
            self.state = _HEAD  # interim: _on_head_data reads the final response
        elif self.head_only or status < 200 or status in (204, 304):
            self.state = _NO_BODY
        elif chunked:
            self.state = _CHUNKED
            self.chunk_state = _C_SIZE
        elif length >= 0:
            self.state = _LENGTH
            self.remaining = length
        else:
            self.state = _UNTIL_CLOSE
            self.keep_alive = False
        return True

    def _feed_chunked(self) -> None:
        buf = self.buf
        pos = 0
        while True:
            if self.chunk_state == _C_SIZE:
                eol = buf.find(b"\r\n", pos)
                if eol < 0:
                    break
                size_text = bytes(buf[pos:eol]).split(b";", 1)[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    self._fail("read: malformed chunked encoding")
                    return
                pos = eol + 2
                if size == 0:
                    self.chunk_state = _C_TRAILER
                else:
                    self.chunk_remaining = size
                    self.chunk_state = _C_DATA
            elif self.chunk_state == _C_DATA:
                take = min(self.chunk_remaining, len(buf) - pos)
                self.body_bytes += take
                self.chunk_remaining -= take
                pos += take
                if self.chunk_remaining:
                    break
                self.chunk_state = _C_DATA_END
            elif self.chunk_state == _C_DATA_END:
                if len(buf) - pos < 2:
                    break
                if buf[pos : pos + 2] != b"\r\n":
                    self._fail("read: malformed chunked encoding")
                    return
                pos += 2
                self.chunk_state = _C_SIZE
            else:  # trailer section ends with an empty line
                eol = buf.find(b"\r\n", pos)
                if eol < 0:
                    break
                if eol == pos:
                    extra = len(buf) > eol + 2
                    buf.clear()
                    self._finish(extra)
                    return
                pos = eol + 2
        del buf[:pos]

    # outcomes ----------------------------------------------------------
    def start(self, request: InFlight, wire: Wire) -> None:
        self.request = request
        self.head_only = wire[1]
        self.state = _HEAD
        self.body_bytes = 0
        request.sent = time.monotonic()
        assert self.transport is not None
        self.transport.write(wire[0])
        self.pool.bytes_out += wire[2]

    def _finish(self, extra: bool = False) -> None:
        """The response is complete. ``extra``: bytes beyond it arrived, so the
        connection is out of step and is closed."""
        request = self.request
        if request is None:
            return
        self.request = None
        self.buf.clear()
        if extra or not self.keep_alive:
            self._close()
        self.pool._complete(self, request, self.status, self.reason, None, self.body_bytes)

    def _fail(self, message: str) -> None:
        request = self.request
        self.request = None
        self.keep_alive = False
        self._close()
        if request is not None:
            self.pool._complete(self, request, 0, b"", message, 0)

    def _close(self) -> None:
        self.keep_alive = False
        if self.transport is not None:
            self.transport.abort()


class Http1Pool:
    """Keep-alive connections to one origin, at most ``max_connections``."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        scheme: str,
        host: str,
        port: int,
        wires: dict[int, Wire],
        max_connections: int,
        on_complete: Completion,
        timeout_label: str,
        insecure: bool = False,
    ) -> None:
        self._loop = loop
        self._host = host
        self._port = port
        self._wires = wires
        self._max = max_connections
        self._on_complete = on_complete
        self._timeout_label = timeout_label
        self._ssl: ssl.SSLContext | None = None
        if scheme == "https":
            self._ssl = ssl.create_default_context()
            if insecure:
                self._ssl.check_hostname = False
                self._ssl.verify_mode = ssl.CERT_NONE
        self._idle: deque[_Connection] = deque()
        self._busy: set[_Connection] = set()
        self._pending: deque[InFlight] = deque()
        self._connecting = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False
        self.bytes_out = 0
        self.connections_opened = 0

    @property
    def in_flight(self) -> int:
        return len(self._busy) + len(self._pending)

    def submit(self, request: InFlight) -> None:
        idle = self._idle
        while idle:
            conn = idle.pop()
            if conn.transport is not None:
                self._busy.add(conn)
                conn.start(request, self._wires[request.target])
                return
        self._pending.append(request)
        if len(self._busy) + self._connecting < self._max:
            self._connect()

    def _connect(self) -> None:
        self._connecting += 1
        task = self._loop.create_task(self._open())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _open(self) -> None:
        try:
            _, conn = await self._loop.create_connection(
                lambda: _Connection(self),
                self._host,
                self._port,
                ssl=self._ssl,
                server_hostname=self._host if self._ssl else None,
            )
        except (OSError, ssl.SSLError) as exc:
            self._connecting -= 1
            self._connect_failed(describe_os_error(exc))
            return
        self._connecting -= 1
        self.connections_opened += 1
        if self._closed:
            conn._close()
            return
        self._ready(conn)

    def _connect_failed(self, message: str) -> None:
        if self._pending:
            self._on_complete(self._pending.popleft(), 0, "", message, 0)
        if self._pending and not self._busy and not self._connecting and not self._closed:
            self._connect()

    def _ready(self, conn: _Connection) -> None:
        if self._pending and conn.transport is not None:
            request = self._pending.popleft()
            self._busy.add(conn)
            conn.start(request, self._wires[request.target])
        elif conn.transport is not None:
            self._idle.append(conn)

    def _complete(
        self,
        conn: _Connection,
        request: InFlight,
        status: int,
        reason: bytes,
        error: str | None,
        body_bytes: int,
    ) -> None:
        self._busy.discard(conn)
        text = reason.decode("latin-1", errors="replace") if status and reason else ""
        self._on_complete(request, status, text, error, body_bytes)
        if conn.transport is not None and conn.keep_alive and not self._closed:
            self._ready(conn)
        # A closed connection is replaced in _lost, once the transport is gone.

    def _lost(self, conn: _Connection) -> None:
        self._busy.discard(conn)
        with contextlib.suppress(ValueError):
            self._idle.remove(conn)
        if self._pending and not self._closed and len(self._busy) + self._connecting < self._max:
            self._connect()

    def sweep(self, now: float) -> None:
        """Fail requests past their deadline (queued ones, then sent ones)."""
        pending = self._pending
        while pending and pending[0].deadline <= now:
            self._on_complete(
                pending.popleft(),
                0,
                "",
                f"timeout: no free connection within {self._timeout_label}",
                0,
            )
        for conn in [c for c in self._busy if c.request is not None and c.request.deadline <= now]:
            conn._fail(f"timeout: no response within {self._timeout_label}")

    def cancel_all(self, message: str) -> None:
        """Fail everything still queued or in flight (the run is over)."""
        self._closed = True
        while self._pending:
            self._on_complete(self._pending.popleft(), 0, "", message, 0)
        for conn in list(self._busy):
            conn._fail(message)

    async def aclose(self) -> None:
        self._closed = True
        for conn in list(self._idle) + list(self._busy):
            conn._close()
        self._idle.clear()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
