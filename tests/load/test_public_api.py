"""The public surface of prodready.load, and its independence from the other parts."""

from __future__ import annotations

import subprocess
import sys

import prodready.load


def test_all_is_sorted_and_complete() -> None:
    names = prodready.load.__all__
    # ruff's RUF022 order: CONSTANTS, then Classes, then functions.
    assert names == sorted(
        names, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n)
    )
    public = {n for n in dir(prodready.load) if not n.startswith("_")}
    assert set(names) == public


def test_load_stands_alone() -> None:
    code = (
        "import sys, prodready.load; "
        "bad = sorted(m for m in sys.modules if m.startswith('prodready.') "
        "and not m.startswith('prodready.load')); print(bad)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert output == "[]"


def test_importing_does_not_pull_aiohttp() -> None:
    # Only --client aiohttp needs it; workers and the CLI start faster without.
    code = "import sys, prodready.load; print('aiohttp' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert output == "False"
