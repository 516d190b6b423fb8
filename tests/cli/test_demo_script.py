"""`make demo`'s script: scans this repository and example services, pushes
them to a fresh local server and leaves it running at the printed URL."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.scan.conftest import validate_document

pytestmark = pytest.mark.slow


def test_demo_script_scans_pushes_and_serves(repo_root: Path, tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "BIN": str(bin_dir),
        "PRODREADY": str(bin_dir / "prodready"),
        "DEMO_OUT": str(tmp_path),
        "DEMO_PORT": "0",  # a free port: never the user's 8000
        "DEMO_FLEET_SERVICES": "3",
        "DEMO_FLEET_DAYS": "2",
    }
    env.pop("PRODREADY_DATABASE_URL", None)
    env.pop("PRODREADY_TOKEN", None)
    try:
        done = subprocess.run(
            [str(repo_root / "scripts" / "demo.sh")],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "==== prodready scan examples/orders-service" in done.stdout
        assert "Service orders" in done.stdout
        for name in ("prodready", "orders-service", "payments-api", "pricing-go", "legacy-bare"):
            document = json.loads((tmp_path / f"{name}.json").read_text())
            validate_document(document)
            assert (tmp_path / f"{name}.html").read_text().startswith("<!doctype html>")
        example = json.loads((tmp_path / "orders-service.json").read_text())
        assert example["services"][0]["name"] == "orders"
        assert example["services"][0]["team"] == "orders"
        assert example["services"][0]["level"] == "bronze"
        assert "pushed 6 synthetic scans (3 services x 2 days)" in done.stdout
        found = re.search(r"Dashboard:\s+(http://127\.0\.0\.1:\d+)/", done.stdout)
        assert found, done.stdout
        with httpx.Client(base_url=found.group(1), timeout=10) as client:
            listed = client.get("/api/v1/services", params={"limit": 100}).json()
            names = {service["name"] for service in listed["items"]}
            assert {"prodready", "orders", "payments", "pricing", "svc-00000"} <= names
            assert client.get("/").status_code == 200
        assert (tmp_path / "prodready.db").is_file()  # in DEMO_OUT, not under the repo
    finally:
        pidfile = tmp_path / "serve.pid"
        if pidfile.exists():
            os.kill(int(pidfile.read_text()), signal.SIGTERM)
