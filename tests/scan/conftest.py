"""Helpers for scanner tests: build repositories on disk, validate results."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from prodready.scan.checks.base import Verdict
from prodready.scan.engine import ScanOptions, scan
from prodready.scan.facts.files import FileIndex
from prodready.scan.facts.view import Facts, ServiceScope, Thresholds
from prodready.scan.model import Outcome, ScanResult, scan_result_json_schema
from prodready.scan.services import discover

FIXED_TIME = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)

FASTAPI_APP = (
    "from fastapi import FastAPI\n\napp = FastAPI()\n\n"
    '@app.get("/healthz")\ndef healthz():\n    return {}\n'
)
"""A FastAPI application with a health endpoint (line 3 creates the app)."""

SPRING_BOOT_APP = (
    "package com.acme;\n\n"
    "import org.springframework.boot.SpringApplication;\n"
    "import org.springframework.boot.autoconfigure.SpringBootApplication;\n\n"
    "@SpringBootApplication\npublic class App {\n"
    "    public static void main(String[] args) {\n"
    "        SpringApplication.run(App.class, args);\n    }\n}\n"
)
"""A Spring Boot application's main class (``src/main/java/com/acme/App.java``)."""

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


def scan_fixed(root: Path, **options: Any) -> ScanResult:
    """Scan with a fixed clock and date, without plugins unless asked."""
    options.setdefault("today", TODAY)
    options.setdefault("include_plugins", False)
    return scan(root, ScanOptions(**options), clock=lambda: FIXED_TIME)


def run_scan(root: Path, **options: Any) -> ScanResult:
    """:func:`scan_fixed` on two workers; validate the JSON against the schema."""
    options.setdefault("jobs", 2)
    result = scan_fixed(root, **options)
    validate_document(json.loads(result.model_dump_json()))
    return result


def timeless(result: ScanResult) -> dict[str, Any]:
    """The result as JSON without the fields that differ from run to run."""
    return result.model_dump(mode="json", exclude={"started_at", "finished_at", "duration_seconds"})


def outcomes(result: ScanResult, service: int = 0) -> dict[str, str]:
    return {c.id: c.outcome.value for c in result.services[service].checks}


def folder_facts(
    files: dict[str, str], folder: str = ".", params: Thresholds | None = None
) -> Facts:
    """The view of a service named ``svc`` at ``folder``, without service discovery
    (no nested services or markers): the folder alone decides what it sees."""
    return Facts(FileIndex.from_files(files), ServiceScope("svc", folder), params)


def service_facts(files: dict[str, str], path: str = ".", name: str | None = None) -> Facts:
    """The view of the service at ``path`` as the engine builds it (nested services
    and markers from service discovery), named from its manifest unless ``name``."""
    index = FileIndex.from_files(files)
    found_services = discover(index)
    for found in found_services:
        if found.scope.path == path:
            scope = found.scope
            label = name or found.manifest_name or scope.path
            return Facts(index, ServiceScope(label, scope.path, scope.nested, scope.markers))
    raise AssertionError(f"no service at {path}: {[s.scope.path for s in found_services]}")


def run_judge(
    judge: Callable[[Facts], Verdict], files: dict[str, str], path: str = "."
) -> tuple[Outcome, float | None, list[str]]:
    """A check's outcome, score and ``path:line: message`` findings for one service."""
    verdict = judge(service_facts(files, path))
    located = [f"{f.path}:{f.line}: {f.message}" for f in verdict.findings]
    return verdict.outcome, verdict.score, located


def verdict_of(check: Callable[[Facts], Verdict], files: dict[str, str]) -> Verdict:
    """A check's verdict on a whole in-memory repository (the root scope)."""
    return check(Facts.from_files(files))


def located(verdict: Verdict) -> list[tuple[str | None, int | None]]:
    return [(f.path, f.line) for f in verdict.findings]


def recent(days: float = 1.0) -> str:
    """An ISO timestamp ``days`` ago (wall clock: recorded results age in real time)."""
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def threshold(expression: str, unit: str, passed: bool, actual: float | None) -> dict[str, Any]:
    return {"expression": expression, "unit": unit, "passed": passed, "actual": actual}


def load_result(**overrides: Any) -> str:
    """A recorded ``prodready load`` result that passes, finished a day ago;
    ``overrides`` replace its top-level fields."""
    doc: dict[str, Any] = {
        "schema_version": "1.0",
        "tool": {"name": "prodready", "version": "0.1.0", "engine": "prodready"},
        "name": "orders",
        "finished_at": recent(),
        "target": {"url": "http://orders.staging/v1/orders"},
        "requests": {"sent": 500, "completed": 500},
        "latency": {"intended": {"p99_ms": 120.0}},
        "success_ratio": 0.999,
        "thresholds": [
            threshold("p99<300ms", "ms", True, 120.0),
            threshold("success>=99.5%", "ratio", True, 0.999),
        ],
        "valid": True,
        "passed": True,
    }
    doc.update(overrides)
    return json.dumps(doc)


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[Mapping[str, str | bytes]], Path]:
    def make(files: Mapping[str, str | bytes]) -> Path:
        return write_tree(tmp_path / "repo", files)

    return make
