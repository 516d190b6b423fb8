"""Real local targets for the load tests: an aiohttp server and nginx.

Both run as child processes on 127.0.0.1 with OS-chosen (aiohttp) or
probed-free (nginx) ports and temporary directories, so the tests are
xdist-safe. nginx is Debian's ``nginx-light`` (``scripts/ensure-system-deps.sh``
installs it in CI); locally, tests that need it are skipped only when it is
not installed and CI is not set.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@dataclass
class LocalServer:
    process: subprocess.Popen[str]
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, path: str) -> str:
        return self.base + path

    def stats(self) -> dict[str, int]:
        with urllib.request.urlopen(self.url("/__stats"), timeout=5) as response:
            return dict(json.loads(response.read()))

    def reset(self) -> None:
        with urllib.request.urlopen(self.url("/__reset"), timeout=5) as response:
            response.read()


def _start_aiohttp() -> LocalServer:
    process = subprocess.Popen(
        [sys.executable, str(HERE / "target_server.py")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("PORT "):
        process.kill()
        raise RuntimeError(f"target server did not start: {line!r}")
    return LocalServer(process, int(line.split()[1]))


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()


@pytest.fixture(scope="module")
def target() -> Iterator[LocalServer]:
    """A fresh aiohttp target per test module (its counters are per module)."""
    server = _start_aiohttp()
    try:
        yield server
    finally:
        _stop(server.process)


@pytest.fixture
def fresh_target() -> Iterator[LocalServer]:
    """A target for one test only (stall state, leak, PID)."""
    server = _start_aiohttp()
    try:
        yield server
    finally:
        _stop(server.process)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


NGINX_CONF = """
worker_processes 1;
daemon off;
{user}
pid {root}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {root}/tmp;
  proxy_temp_path {root}/tmp;
  fastcgi_temp_path {root}/tmp;
  uwsgi_temp_path {root}/tmp;
  scgi_temp_path {root}/tmp;
  keepalive_requests {keepalive_requests};
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location = /ok {{ return 200 "ok\\n"; }}
    location = /created {{ return 201 "created\\n"; }}
    location = /missing {{ return 404 "missing\\n"; }}
    location /static/ {{ alias {root}/static/; }}
  }}
}}
"""


def start_nginx(root: Path, keepalive_requests: int = 100) -> tuple[subprocess.Popen[str], int]:
    """nginx in the foreground (a child we can stop), on a free port."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    (root / "static").mkdir(exist_ok=True)
    (root / "static" / "64k.bin").write_bytes(b"z" * 65536)
    os.chmod(root, 0o755)
    last_error = ""
    for _ in range(5):
        port = _free_port()
        conf = root / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                root=root,
                port=port,
                keepalive_requests=keepalive_requests,
                user="user root;" if os.geteuid() == 0 else "",
            )
        )
        log = root / "stderr.log"
        with log.open("w") as stderr:
            process = subprocess.Popen(
                [binary, "-p", str(root), "-c", str(conf)], stderr=stderr, text=True
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return process, port
            except OSError:
                time.sleep(0.05)
        if process.poll() is None:
            _stop(process)
        last_error = log.read_text()
    raise RuntimeError(f"nginx did not start: {last_error}")


def nginx_available() -> bool:
    return bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists())


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    if not nginx_available():
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (scripts/ensure-system-deps.sh installs it)")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    process, port = start_nginx(tmp_path_factory.mktemp("nginx"))
    try:
        yield LocalServer(process, port)
    finally:
        _stop(process)
