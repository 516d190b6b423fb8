"""A real webhook receiver on 127.0.0.1 (a thread running http.server): it
records every POST and answers with whatever status the test scripts.

Also the stand-in for a Sentry server (test_error_tracking): bodies are
decoded from gzip or brotli first, and ``text`` keeps what is not JSON
(Sentry's envelopes are newline-delimited)."""

from __future__ import annotations

import gzip
import json
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any
    """The decoded JSON, or None when the body is not JSON."""
    text: str


@dataclass
class WebhookReceiver:
    """``script[path]`` is a queue of statuses to answer (then 200 forever);
    ``hold`` blocks every request until set; ``on_post``, when given, runs
    with each request before it is answered."""

    received: list[Received] = field(default_factory=list)
    script: dict[str, deque[int]] = field(default_factory=lambda: defaultdict(deque))
    always: dict[str, int] = field(default_factory=dict)
    hold: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    on_post: Callable[[Received], None] | None = None

    def __post_init__(self) -> None:
        self.hold.set()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = _decoded(self.rfile.read(length), self.headers.get("content-encoding"))
                owner.hold.wait(timeout=30)
                status = owner.always.get(self.path)
                queue = owner.script[self.path]
                if status is None:
                    status = queue.popleft() if queue else 200
                received = Received(
                    self.path,
                    dict(self.headers.items()),
                    _json(raw),
                    raw.decode("utf-8", "replace"),
                )
                with owner.arrived:
                    owner.received.append(received)
                    owner.arrived.notify_all()
                if owner.on_post is not None:
                    owner.on_post(received)
                self.send_response(status)
                self.send_header("content-type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"receiver says no")

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()

    def on(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]


def _decoded(raw: bytes, encoding: str | None) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(raw)
    if encoding == "br":  # the Sentry SDK prefers brotli when it is installed
        import brotli  # type: ignore[import-not-found,unused-ignore]

        return bytes(brotli.decompress(raw))
    return raw


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return None
