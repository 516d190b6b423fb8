"""Scanning never executes the scanned repository.

The canary repository's ``setup.py``, ``conftest.py``, ``pkg/__init__.py``,
``Makefile``, npm scripts and ``go:generate`` line each write an
``EXECUTED-*`` marker when run. The positive control proves the canary
really fires when executed; the scan, run as the real console script with
every report format, must leave the tree exactly as it found it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_REPOS

CANARY = FIXTURE_REPOS / "canary"
PRODREADY = str(Path(sys.executable).parent / "prodready")


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    target = tmp_path / "canary"
    shutil.copytree(CANARY, target)
    return target


def test_the_canary_fires_when_executed(canary: Path) -> None:
    subprocess.run(
        [sys.executable, "-c", "import runpy; runpy.run_path('setup.py')", "--version"],
        cwd=canary,
        capture_output=True,
        timeout=60,
        check=False,
    )
    subprocess.run(
        [sys.executable, "-c", "import pkg, conftest"], cwd=canary, check=True, timeout=60
    )
    if shutil.which("make"):
        subprocess.run(["make", "-s"], cwd=canary, check=True, timeout=60)
    fired = sorted(p.name for p in canary.glob("**/EXECUTED-*"))
    assert {"EXECUTED-setup.py", "EXECUTED-conftest.py", "EXECUTED-init.py"} <= set(fired)


def test_scanning_leaves_no_marker_and_changes_nothing(canary: Path, tmp_path: Path) -> None:
    before = snapshot(canary)
    reports = tmp_path / "reports"
    done = subprocess.run(
        [
            PRODREADY,
            "scan",
            str(canary),
            "--no-progress",
            "-j",
            "2",
            "-f",
            "text",
            "-f",
            "json",
            "-f",
            "sarif",
            "-f",
            "markdown",
            "-f",
            "html",
            f"--output=json={reports / 'r.json'}",
            f"--output=sarif={reports / 'r.sarif'}",
            f"--output=markdown={reports / 'r.md'}",
            f"--output=html={reports / 'r.html'}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert list(canary.glob("**/EXECUTED-*")) == []
    assert snapshot(canary) == before
    assert not list(Path.cwd().glob("EXECUTED-*"))
