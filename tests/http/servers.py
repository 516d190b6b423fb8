"""A real HTTP/1.1 server on 127.0.0.1 that misbehaves on command.

Each path has a *plan*: a list of behaviours consumed one per request (the
last one repeats). Behaviours::

    "200", "503", ...          that status, small JSON body
    "429:2"                    429 with ``Retry-After: 2``
    "503:date:3"               503 with ``Retry-After`` as an HTTP date 3 s ahead
    "slow:0.3"                 wait 0.3 s, then 200
    "drip:0.2"                 headers at once, the body 0.2 s later
    "hang"                     read the request, never answer (until the server stops)
    "reset"                    read the request, reset the connection (TCP RST)
    "reset-body"               send headers and half the body, then reset
    "close"                    read the request, close without a response

The server counts connections accepted (to prove keep-alive reuse) and
requests per path. Keep-alive is on (HTTP/1.1 with Content-Length).
"""

from __future__ import annotations

import email.utils
import json
import socket
import socketserver
import struct
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.lock:
            self.server.connections += 1

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        body = self._body()
        path = self.path.split("?", 1)[0]
        behaviour = self.server.next_behaviour(path, self.command, body, dict(self.headers))
        kind, _, arg = behaviour.partition(":")
        if kind == "hang":
            self.server.stop.wait(30)
            self.close_connection = True
            return
        if kind == "reset":
            self._reset()
            return
        if kind == "close":
            self.close_connection = True
            return
        if kind == "slow":
            if self.server.stop.wait(float(arg)):
                return
            self._send(200, {"slow": float(arg)})
            return
        if kind == "drip":
            payload = json.dumps({"drip": True, "pad": "x" * 100}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.flush()
            if self.server.stop.wait(float(arg)):
                return
            self.wfile.write(payload)
            return
        if kind == "reset-body":
            payload = b"x" * 2000
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[:1000])
            self.wfile.flush()
            time.sleep(0.01)
            self._reset()
            return
        status = int(kind)
        headers: dict[str, str] = {}
        if arg.startswith("date:"):
            when = time.time() + float(arg.split(":", 1)[1])
            headers["Retry-After"] = email.utils.formatdate(when, usegmt=True)
        elif arg:
            headers["Retry-After"] = arg
        self._send(status, {"status": status, "path": path}, headers)

    def _send(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.connections = 0
        self.plans: dict[str, list[str]] = {}
        self.hits: dict[str, int] = defaultdict(int)
        self.requests: list[tuple[str, str, bytes, dict[str, str]]] = []

    def next_behaviour(self, path: str, method: str, body: bytes, headers: dict[str, str]) -> str:
        with self.lock:
            self.hits[path] += 1
            self.requests.append((method, path, body, headers))
            plan = self.plans.get(path, ["200"])
            return plan.pop(0) if len(plan) > 1 else plan[0]


class MisbehavingServer:
    """Start with ``with MisbehavingServer() as server:``; ``server.url(path)``."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    def __enter__(self) -> MisbehavingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._server.stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def plan(self, path: str, *behaviours: str) -> None:
        with self._server.lock:
            self._server.plans[path] = list(behaviours)

    def hits(self, path: str) -> int:
        with self._server.lock:
            return self._server.hits[path]

    @property
    def connections(self) -> int:
        with self._server.lock:
            return self._server.connections

    @property
    def requests(self) -> list[tuple[str, str, bytes, dict[str, str]]]:
        with self._server.lock:
            return list(self._server.requests)
