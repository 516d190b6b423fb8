"""Run ``prodready serve`` as a real subprocess on 127.0.0.1 (port 0) and
find out where it listens (it prints the URL once bound)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

_LISTENING = re.compile(r"listening on (http://[^\s]+)")


def prodready_command() -> list[str]:
    script = Path(sys.executable).with_name("prodready")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from prodready.cli.app import main; main()"]


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prodready_command(), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env if env is not None else clean_env(),
        input=input,
        check=False,
    )


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRODREADY_")}
    env.update(extra)
    return env


class ServeProcess:
    """``with ServeProcess(db_url) as server: server.url``"""

    def __init__(self, database_url: str, *args: str, env: dict[str, str] | None = None) -> None:
        self.database_url = database_url
        self.args = args
        self.env = env or clean_env()
        self.url = ""
        self.process: subprocess.Popen[str] | None = None
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._found = threading.Event()

    def start(self, timeout: float = 60) -> ServeProcess:
        self.process = subprocess.Popen(
            [*prodready_command(), "serve", "--db", self.database_url, "--port", "0", *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )
        self._pumps = [
            threading.Thread(target=self._pump, args=(self.process.stdout, self.stdout, True)),
            threading.Thread(target=self._pump, args=(self.process.stderr, self.stderr, False)),
        ]
        for pump in self._pumps:
            pump.daemon = True
            pump.start()
        deadline = time.monotonic() + timeout
        while not self._found.wait(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"prodready serve did not start (exit {self.process.returncode}):\n"
                    + "".join(self.stdout)
                    + "".join(self.stderr)
                )
        with httpx.Client(base_url=self.url, timeout=5) as client:
            while True:
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        "prodready serve never became ready:\n" + "".join(self.stderr)
                    )
                time.sleep(0.05)
        return self

    def _pump(self, stream: object, sink: list[str], look: bool) -> None:
        for line in stream:  # type: ignore[attr-defined]
            sink.append(line)
            if look and not self._found.is_set():
                match = _LISTENING.search(line)
                if match:
                    self.url = match.group(1)
                    self._found.set()

    def _reap(self, timeout: float) -> int:
        assert self.process is not None
        code = self.process.wait(timeout=timeout)
        for pump in getattr(self, "_pumps", []):
            pump.join(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        return code

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flush. What a crash looks like."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self._reap(30)

    def terminate(self, timeout: float = 60) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self._reap(timeout)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
        self._reap(30)

    def __enter__(self) -> ServeProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
