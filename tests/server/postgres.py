"""A real PostgreSQL for tests and benchmarks: Debian's binaries, a temp data
dir, 127.0.0.1 on a free port, stopped (and deleted) at the end.

``initdb`` refuses to run as root, so as root the data dir is handed to the
``postgres`` user and the server runs through ``runuser -u postgres --``.
Nothing is skipped: if the server cannot start, ``start`` raises with the
server's log, and the run fails.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg


def pg_bin() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    for candidate in reversed(candidates):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError(
        "PostgreSQL binaries not found (/usr/lib/postgresql/*/bin): run "
        "`make system-deps` or `apt-get install -y postgresql`"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """One throwaway cluster. ``fresh_database()`` clones a migrated template."""

    def __init__(self, *, durable: bool = False, extra: str = "") -> None:
        """``durable=False`` (tests) turns fsync off; benchmarks keep the
        production defaults so their numbers mean something."""
        self.durable = durable
        self.extra = extra
        self.bin = pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="prodready-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = 0
        self._as_root = os.geteuid() == 0
        self._counter = 0

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> PostgresServer:
        if self._as_root:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self.root.chmod(0o700)
        init = self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C", *([] if self.durable else ["--no-sync"]),
        )  # fmt: skip
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        last_error = ""
        for _ in range(3):
            self.port = _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
                "-c max_connections=200 "
            )
            if not self.durable:
                options += "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                options += "-c shared_buffers=64MB "
            options += self.extra
            started = self._run(
                "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w",
                "-t", "60", "start",
            )  # fmt: skip
            if started.returncode == 0:
                break
            last_error = started.stdout + started.stderr + self._log_tail()
        else:
            raise RuntimeError(f"PostgreSQL did not start:\n{last_error}")
        self._wait_ready()
        return self

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text()[-4000:]
        return ""

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self.dsn("postgres"), connect_timeout=3):
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    tail = self._log_tail()
                    raise RuntimeError(f"PostgreSQL is not accepting connections:\n{tail}") from exc
                time.sleep(0.1)

    def dsn(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{suffix}')
        return self.url(name)

    def fresh_database(self, template: str | None = None) -> str:
        self._counter += 1
        return self.create_database(f"t{os.getpid()}_{self._counter}", template)

    def stop(self) -> None:
        if self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()
