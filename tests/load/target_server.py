"""A small aiohttp server the load tests aim at (run as a subprocess).

Usage: python target_server.py  -> prints "PORT <n>" once it listens on
127.0.0.1 (port chosen by the OS). Endpoints:

- /ok                      200 "ok"
- /delay?ms=M&every=N      every N-th request to this path sleeps M ms first
- /stall?after=S&ms=M      the first request arriving S seconds after the
                           first one sleeps M ms (a one-off stall)
- /status/<code>           responds with that status
- /chunked?size=N          a chunked response of N bytes
- /close                   responds and closes the connection
- /__stats                 JSON: requests per path so far
- /__reset                 clears the counters and the stall state
- /grow?kb=K               keeps K KiB allocated per call (a deliberate leak)
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter

from aiohttp import web

hits: Counter[str] = Counter()
state: dict[str, float | bool] = {}
leak: list[bytes] = []


async def ok(request: web.Request) -> web.Response:
    hits[request.path] += 1
    return web.Response(text="ok")


async def delay(request: web.Request) -> web.Response:
    hits[request.path] += 1
    every = int(request.query.get("every", "1"))
    if hits[request.path] % every == 0:
        await asyncio.sleep(int(request.query.get("ms", "0")) / 1000)
    return web.Response(text="ok")


async def stall(request: web.Request) -> web.Response:
    hits[request.path] += 1
    now = time.monotonic()
    first = state.setdefault("first", now)
    assert isinstance(first, float)
    if not state.get("stalled") and now - first >= float(request.query.get("after", "1")):
        state["stalled"] = True
        await asyncio.sleep(int(request.query.get("ms", "1000")) / 1000)
    return web.Response(text="ok")


async def status(request: web.Request) -> web.Response:
    hits[request.path] += 1
    return web.Response(status=int(request.match_info["code"]), text="status")


async def chunked(request: web.Request) -> web.StreamResponse:
    hits[request.path] += 1
    size = int(request.query.get("size", "1000"))
    response = web.StreamResponse()
    response.enable_chunked_encoding()
    await response.prepare(request)
    sent = 0
    while sent < size:
        piece = min(300, size - sent)
        await response.write(b"x" * piece)
        sent += piece
    await response.write_eof()
    return response


async def close(request: web.Request) -> web.Response:
    hits[request.path] += 1
    response = web.Response(text="bye")
    response.force_close()
    return response


async def grow(request: web.Request) -> web.Response:
    hits[request.path] += 1
    leak.append(bytearray(int(request.query.get("kb", "64")) * 1024))
    return web.Response(text="ok")


async def stats(request: web.Request) -> web.Response:
    return web.Response(text=json.dumps(dict(hits)), content_type="application/json")


async def reset(request: web.Request) -> web.Response:
    hits.clear()
    state.clear()
    return web.Response(text="reset")


async def main() -> None:
    app = web.Application()
    app.router.add_get("/ok", ok)
    app.router.add_route("*", "/echo", ok)
    app.router.add_get("/delay", delay)
    app.router.add_get("/stall", stall)
    app.router.add_get("/status/{code}", status)
    app.router.add_get("/chunked", chunked)
    app.router.add_get("/close", close)
    app.router.add_get("/grow", grow)
    app.router.add_get("/__stats", stats)
    app.router.add_get("/__reset", reset)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    port = runner.addresses[0][1]
    print(f"PORT {port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
