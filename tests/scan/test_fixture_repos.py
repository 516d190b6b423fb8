"""Every fixture repository scores as its expected.json says.

``expected.json`` lists, per service folder, the outcome of every Bronze
check (and optionally the service name and level). Outcomes are compared for
the checks this version judges; a Bronze check missing from an expectation
is an error, so expectations cannot silently fall behind the catalogue.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prodready.scan.checks import load_registry
from prodready.scan.model import Level
from tests.conftest import FIXTURE_REPOS
from tests.scan.conftest import run_scan

# acc-* cases are the accuracy corpus of issue #3, measured by benchmarks/accuracy.py
# (precision/recall), not asserted here; see tests/scan/test_accuracy_corpus.py.
CASES = sorted(
    p.parent.name
    for p in FIXTURE_REPOS.glob("*/expected.json")
    if not p.parent.name.startswith("acc-")
)
REGISTRY = load_registry(include_plugins=False)
BRONZE = [c for c in REGISTRY if c.spec.level is Level.BRONZE]


def test_there_are_python_and_go_cases() -> None:
    assert len(CASES) >= 5
    assert any("python" in c for c in CASES)
    assert any("go" in c for c in CASES)


@pytest.mark.parametrize("case", CASES)
def test_fixture_repository_outcomes(case: str) -> None:
    expected = json.loads((FIXTURE_REPOS / case / "expected.json").read_text())
    result = run_scan(FIXTURE_REPOS / case)
    services = {s.path: s for s in result.services}
    assert sorted(services) == sorted(expected["services"])
    for path, want in expected["services"].items():
        service = services[path]
        missing = [c.id for c in BRONZE if c.id not in want["outcomes"]]
        assert not missing, f"{case}/{path}: expected.json lacks {missing}"
        got = {c.id: c.outcome.value for c in service.checks}
        judged = {i: o for i, o in want["outcomes"].items() if REGISTRY.get(i).implemented}  # type: ignore[union-attr]
        assert {i: got[i] for i in judged} == judged, f"{case}/{path}"
        for check in service.checks:
            assert check.error is None, f"{case}/{path}: {check.id} crashed: {check.error}"
        if "name" in want:
            assert service.name == want["name"]
        if "level" in want and all(c.implemented for c in BRONZE):
            level = service.level.value if service.level else None
            assert level == want["level"], f"{case}/{path}: blockers {service.blockers}"


def test_every_bronze_check_is_implemented() -> None:
    """The Bronze level is the engine's contract: all its checks must be judged."""
    planned = [c.id for c in BRONZE if not c.implemented]
    assert planned == [], f"Bronze checks not implemented yet: {planned}"


def test_fixture_paths_are_relative_and_posix() -> None:
    for case in CASES:
        result = run_scan(FIXTURE_REPOS / case)
        for service in result.services:
            for check in service.checks:
                for item in [*check.findings, *check.evidence]:
                    if item.path is not None:
                        assert not Path(item.path).is_absolute()
                        assert "\\" not in item.path
