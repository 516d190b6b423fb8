"""``prodready.scan`` exports a sorted, lazy public API."""

from __future__ import annotations

import subprocess
import sys

import pytest

import prodready.scan as scan_api


def test_exports_are_sorted_and_resolve() -> None:
    assert scan_api.__all__ == sorted(scan_api.__all__) == sorted(scan_api._EXPORTS)
    for name in scan_api.__all__:
        assert getattr(scan_api, name) is not None
    assert set(scan_api.__all__) <= set(dir(scan_api))
    with pytest.raises(AttributeError):
        _ = scan_api.not_a_name  # type: ignore[attr-defined]


def test_importing_the_model_does_not_load_the_engine() -> None:
    code = (
        "import sys, prodready.scan.model\n"
        "heavy = [m for m in ('prodready.scan.engine', 'tree_sitter') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
