"""The push client against real local HTTP servers: retries what may be
retried (the server is idempotent), gives up on what may not."""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from prodready.cli.push import (
    DEFAULT_ATTEMPTS,
    PushError,
    api_url,
    push_document,
    push_scan,
    server_breaker,
)


class FlakyServer:
    """Answers POSTs from a script of (status, headers, body); records requests."""

    def __init__(self, script: list[tuple[int, dict[str, str], dict[str, object]]]) -> None:
        self.script = deque(script)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                owner.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                if owner.script:
                    status, headers, payload = owner.script.popleft()
                else:
                    status, headers, payload = 500, {}, {"error": "out of script"}
                if status == 0:  # drop the connection without answering
                    self.close_connection = True
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                raw = json.dumps(payload).encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FlakyServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


CREATED = (201, {}, {"id": 42, "created": True, "services": [{"name": "api"}], "url": "/x"})
DOC = {"schema_version": "1.0", "services": [{"name": "api"}]}


@pytest.fixture
def sleeps() -> list[float]:
    return []


def test_pushes_gzip_json_with_the_token() -> None:
    with FlakyServer([CREATED]) as server:
        assert push_scan(DOC, server.url, "prt_secret") == "42"
    headers, body = server.requests[0]
    assert headers["authorization"] == "Bearer prt_secret"
    assert headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(body)) == DOC


def test_retries_5xx_and_dropped_connections_then_succeeds(sleeps: list[float]) -> None:
    script = [(503, {}, {"error": "busy"}), (0, {}, {}), (502, {}, {}), CREATED]
    with FlakyServer(script) as server:
        result = push_document(DOC, server.url, None, sleep=sleeps.append, backoff=0.5)
    assert result.scan_id == 42
    assert result.attempts == 4
    assert len(sleeps) == 3
    for n, delay in enumerate(sleeps):  # equal jitter: between half and all of 0.5 * 2^n
        assert 0.25 * 2**n <= delay <= 0.5 * 2**n
    # The same bytes every time: the server's idempotency makes this safe.
    assert len({body for _headers, body in server.requests}) == 1


def test_honours_retry_after(sleeps: list[float]) -> None:
    with FlakyServer([(429, {"Retry-After": "7"}, {}), CREATED]) as server:
        push_document(DOC, server.url, None, sleep=sleeps.append)
    assert sleeps == [7.0]


def test_a_replay_is_success() -> None:
    replay = (200, {}, {"id": 42, "created": False, "services": [], "url": "/x"})
    with FlakyServer([replay]) as server:
        result = push_document(DOC, server.url, None)
    assert (result.scan_id, result.created) == (42, False)


@pytest.mark.parametrize("status", [400, 401, 403, 413, 422])
def test_client_errors_are_final_and_explained(status: int, sleeps: list[float]) -> None:
    body = {
        "error": "invalid_document",
        "detail": "the document is not a valid scan result",
        "errors": [{"loc": ["services", 0, "score"], "msg": "too big"}],
    }
    with FlakyServer([(status, {}, body)]) as server, pytest.raises(PushError) as caught:
        push_document(DOC, server.url, None, sleep=sleeps.append)
    assert caught.value.status == status
    assert f"HTTP {status}" in str(caught.value)
    assert "services.0.score: too big" in str(caught.value)
    assert sleeps == []
    assert len(server.requests) == 1


def test_gives_up_after_the_attempts(sleeps: list[float]) -> None:
    with (
        FlakyServer([(503, {}, {"detail": "down"})] * 3) as server,
        pytest.raises(PushError, match="after 3 attempt"),
    ):
        push_document(DOC, server.url, None, attempts=3, sleep=sleeps.append)
    assert len(sleeps) == 2


def test_unreachable_server_is_a_clear_error(sleeps: list[float]) -> None:
    with FlakyServer([]) as server:
        url = server.url
    with pytest.raises(PushError, match="cannot reach"):
        push_document(DOC, url, None, attempts=2, sleep=sleeps.append)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://h:8000", "http://h:8000/api/v1/scans"),
        ("http://h:8000/", "http://h:8000/api/v1/scans"),
        ("https://h/api/v1", "https://h/api/v1/scans"),
        ("https://h/api/v1/scans", "https://h/api/v1/scans"),
    ],
)
def test_server_url_forms(given: str, expected: str) -> None:
    assert api_url(given) == expected


def test_server_url_needs_a_scheme() -> None:
    with pytest.raises(PushError, match="http://"):
        api_url("localhost:8000")


def test_the_request_carries_an_idempotency_key_of_its_body() -> None:
    with FlakyServer([(503, {}, {}), CREATED]) as server:
        push_document(DOC, server.url, None, sleep=lambda _s: None)
    keys = {headers["idempotency-key"] for headers, _body in server.requests}
    bodies = {body for _headers, body in server.requests}
    assert len(server.requests) == 2
    assert keys == {hashlib.sha256(bodies.pop()).hexdigest()}


def test_a_shared_breaker_stops_pushing_to_a_server_that_is_down(sleeps: list[float]) -> None:
    """Pushing many files to a dead server: a few attempts, then fail fast."""
    with FlakyServer([(503, {}, {"detail": "down"})] * 50) as server:
        breaker = server_breaker(server.url)
        errors = []
        for _ in range(5):
            with pytest.raises(PushError) as caught:
                push_document(DOC, server.url, None, sleep=sleeps.append, breaker=breaker)
            errors.append(str(caught.value))
    assert len(server.requests) < 5 * DEFAULT_ATTEMPTS
    assert "circuit open" in errors[-1]
    assert "after 5 attempt(s)" in errors[0]
