"""The fast HTTP/1.1 client (and the aiohttp one behind the same interface),
against a real aiohttp server and hand-written servers for the odd cases."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from prodready.load import Target
from prodready.load._aiohttp_pool import AiohttpPool
from prodready.load._http1 import Http1Pool, InFlight, wire_format

from .conftest import LocalServer


@dataclass
class Outcome:
    target: int
    status: int
    reason: str
    error: str | None
    size: int
    sent: bool


async def send(
    targets: list[Target],
    count: int,
    *,
    connections: int = 2,
    timeout: float = 5.0,
    client: str = "fast",
) -> tuple[list[Outcome], Any]:
    loop = asyncio.get_running_loop()
    outcomes: list[Outcome] = []
    done: asyncio.Future[None] = loop.create_future()

    def on_complete(req: InFlight, status: int, reason: str, error: str | None, size: int) -> None:
        outcomes.append(Outcome(req.target, status, reason, error, size, req.sent > 0))
        if len(outcomes) == count and not done.done():
            done.set_result(None)

    pool: Any
    if client == "fast":
        first = targets[0]
        pool = Http1Pool(
            loop,
            scheme=first.scheme,
            host=first.host,
            port=first.port,
            wires={i: wire_format(t, "prodready-test") for i, t in enumerate(targets)},
            max_connections=connections,
            on_complete=on_complete,
            timeout_label=f"{timeout:g}s",
        )
    else:
        pool = AiohttpPool(
            loop,
            targets=targets,
            max_connections=connections,
            on_complete=on_complete,
            timeout_label=f"{timeout:g}s",
            user_agent="prodready-test",
        )
    for i in range(count):
        now = time.monotonic()
        pool.submit(InFlight(i % len(targets), now, now, now + timeout))

    async def sweep() -> None:
        while not done.done():
            await asyncio.sleep(0.01)
            pool.sweep(time.monotonic())

    sweeper = asyncio.create_task(sweep())
    try:
        await asyncio.wait_for(asyncio.shield(done), timeout + 10)
    finally:
        sweeper.cancel()
        await pool.aclose()
    return outcomes, pool


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


@pytest.fixture(params=["fast", "aiohttp"])
def client(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_content_length_keep_alive(target: LocalServer, client: str) -> None:
    outcomes, pool = run(send([Target(target.url("/ok"))], 50, connections=2, client=client))
    assert [o.status for o in outcomes] == [200] * 50
    assert all(o.size == 2 and o.error is None for o in outcomes)
    if client == "fast":
        assert pool.connections_opened <= 2  # reused, not one per request


def test_chunked_body(target: LocalServer, client: str) -> None:
    outcomes, _ = run(send([Target(target.url("/chunked?size=5000"))], 10, client=client))
    assert {(o.status, o.size, o.error) for o in outcomes} == {(200, 5000, None)}


def test_connection_close_is_honoured(target: LocalServer, client: str) -> None:
    outcomes, pool = run(send([Target(target.url("/close"))], 20, connections=1, client=client))
    assert {(o.status, o.size, o.error) for o in outcomes} == {(200, 3, None)}
    if client == "fast":
        assert pool.connections_opened == 20


def test_head_204_and_errors(target: LocalServer, client: str) -> None:
    targets = [
        Target(target.url("/ok"), "HEAD"),
        Target(target.url("/status/204")),
        Target(target.url("/status/503")),
        Target(target.url("/echo"), "POST", body=b"x" * 10_000),
    ]
    outcomes, _ = run(send(targets, 40, client=client))
    by_target = {o.target: (o.status, o.size, o.reason) for o in outcomes}
    assert by_target[0] == (200, 0, "OK")
    assert by_target[1][:2] == (204, 0)
    assert by_target[2] == (503, 6, "Service Unavailable")
    assert by_target[3][:2] == (200, 2)


def test_timeout_closes_and_reports(target: LocalServer, client: str) -> None:
    slow = Target(target.url("/delay?ms=2000&every=1"))
    outcomes, _ = run(send([slow], 3, connections=1, timeout=0.3, client=client))
    assert all(o.status == 0 for o in outcomes)
    errors = sorted(o.error or "" for o in outcomes)
    assert all(e.startswith("timeout:") for e in errors)
    # One was sent and got no answer; the others waited for the only connection.
    assert any("no response within" in e for e in errors)
    if client == "fast":
        assert any("no free connection" in e for e in errors)


def test_connection_refused(client: str) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcomes, _ = run(send([Target(f"http://127.0.0.1:{port}/")], 5, client=client))
    assert len(outcomes) == 5
    assert {o.status for o in outcomes} == {0}
    assert {o.error for o in outcomes} == {"connect: connection refused"}


# Hand-written servers for what well-behaved servers rarely do ---------------------


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def with_server(handler: Handler, test: Callable[[int], Awaitable[Any]]) -> Any:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        return await test(port)
    finally:
        server.close()
        await server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> bool:
    try:
        await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return False
    return True


def serve(responses: list[bytes], *, drip: bool = False, close_after: bool = False) -> Handler:
    """Answer each request on a connection with the next canned response."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for response in responses:
            if not await read_request(reader):
                break
            if drip:
                for i in range(len(response)):
                    writer.write(response[i : i + 1])
                    await writer.drain()
            else:
                writer.write(response)
                await writer.drain()
            if close_after:
                break
        writer.close()

    return handler


def fetch(port: int, count: int = 1, timeout: float = 3.0) -> Awaitable[Any]:
    return send([Target(f"http://127.0.0.1:{port}/")], count, connections=1, timeout=timeout)


def test_http10_body_until_close() -> None:
    response = b"HTTP/1.0 200 OK\r\nServer: old\r\n\r\n" + b"y" * 1234

    async def test(port: int) -> Any:
        return await fetch(port)

    outcomes, _ = run(with_server(serve([response], close_after=True), test))
    assert (outcomes[0].status, outcomes[0].size, outcomes[0].error) == (200, 1234, None)


def test_byte_by_byte_response_and_interim_100() -> None:
    body = b"hello world"
    response = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 201 Created\r\ncontent-length: 11\r\nX-Y: z\r\n\r\n" + body
    )

    async def test(port: int) -> Any:
        return await fetch(port, count=3)

    outcomes, _ = run(with_server(serve([response] * 3, drip=True), test))
    assert [(o.status, o.size, o.error) for o in outcomes] == [(201, 11, None)] * 3


def test_chunked_with_extensions_and_trailers_byte_by_byte() -> None:
    response = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n"
    )

    async def test(port: int) -> Any:
        return await fetch(port, count=2)

    outcomes, _ = run(with_server(serve([response] * 2, drip=True), test))
    assert [(o.status, o.size, o.error) for o in outcomes] == [(200, 11, None)] * 2


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (b"SPDY/3 200 OK\r\n\r\n", "bad status line"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n", "bad Content-Length"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunked"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", "before a complete response"),
    ],
)
def test_malformed_responses_are_errors(response: bytes, error: str) -> None:
    async def test(port: int) -> Any:
        return await fetch(port)

    outcomes, _ = run(with_server(serve([response], close_after=True), test))
    assert outcomes[0].status == 0
    assert error in (outcomes[0].error or "")


def test_extra_bytes_close_the_connection() -> None:
    response = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA"

    async def test(port: int) -> Any:
        return await fetch(port, count=2)

    outcomes, pool = run(with_server(serve([response] * 2), test))
    assert [(o.status, o.size) for o in outcomes] == [(200, 2), (200, 2)]
    assert pool.connections_opened == 2  # the out-of-step connection was not reused


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_tls(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    response = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure"

    async def scenario() -> tuple[list[Outcome], list[Outcome]]:
        server = await asyncio.start_server(serve([response] * 5), "127.0.0.1", 0, ssl=context)
        port = server.sockets[0].getsockname()[1]
        try:
            trusted = await send_tls(port, insecure=True)
            verified = await send_tls(port, insecure=False)
        finally:
            server.close()
            await server.wait_closed()
        return trusted, verified

    trusted, verified = run(scenario())
    assert [(o.status, o.size, o.error) for o in trusted] == [(200, 6, None)] * 3
    assert {o.status for o in verified} == {0}
    assert all("CERTIFICATE_VERIFY_FAILED" in (o.error or "") for o in verified)


async def send_tls(port: int, *, insecure: bool) -> list[Outcome]:
    loop = asyncio.get_running_loop()
    outcomes: list[Outcome] = []
    done: asyncio.Future[None] = loop.create_future()
    target = Target(f"https://127.0.0.1:{port}/")

    def on_complete(req: InFlight, status: int, reason: str, error: str | None, size: int) -> None:
        outcomes.append(Outcome(req.target, status, reason, error, size, req.sent > 0))
        if len(outcomes) == 3:
            done.set_result(None)

    pool = Http1Pool(
        loop,
        scheme="https",
        host="127.0.0.1",
        port=port,
        wires={0: wire_format(target, "t")},
        max_connections=1,
        on_complete=on_complete,
        timeout_label="5s",
        insecure=insecure,
    )
    for _ in range(3):
        now = time.monotonic()
        pool.submit(InFlight(0, now, now, now + 5))
    await asyncio.wait_for(done, 10)
    await pool.aclose()
    return outcomes
