"""Helpers for scanner tests: build repositories on disk, validate results."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from prodready.scan.engine import ScanOptions, scan
from prodready.scan.model import ScanResult, scan_result_json_schema

FIXED_TIME = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)

_VALIDATOR = jsonschema.Draft202012Validator(scan_result_json_schema())


def validate_document(document: Any) -> None:
    """Every JSON a test produces must match the published schema."""
    errors = sorted(_VALIDATOR.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def run_scan(root: Path, **options: Any) -> ScanResult:
    """Scan with a fixed clock and date; validate the JSON against the schema."""
    options.setdefault("today", TODAY)
    options.setdefault("include_plugins", False)
    options.setdefault("jobs", 2)
    result = scan(root, ScanOptions(**options), clock=lambda: FIXED_TIME)
    validate_document(json.loads(result.model_dump_json()))
    return result


def outcomes(result: ScanResult, service: int = 0) -> dict[str, str]:
    return {c.id: c.outcome.value for c in result.services[service].checks}


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[Mapping[str, str | bytes]], Path]:
    def make(files: Mapping[str, str | bytes]) -> Path:
        return write_tree(tmp_path / "repo", files)

    return make
