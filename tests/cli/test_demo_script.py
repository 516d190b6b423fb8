"""`make demo`'s script scans this repository and the example service."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.scan.conftest import validate_document


def test_demo_script_writes_valid_reports(repo_root: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PRODREADY": str(Path(sys.executable).parent / "prodready"),
        "DEMO_OUT": str(tmp_path),
    }
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
    for name in ("prodready", "orders-service"):
        document = json.loads((tmp_path / f"{name}.json").read_text())
        validate_document(document)
        assert (tmp_path / f"{name}.html").read_text().startswith("<!doctype html>")
    example = json.loads((tmp_path / "orders-service.json").read_text())
    assert example["services"][0]["name"] == "orders"
    assert example["services"][0]["level"] == "bronze"
