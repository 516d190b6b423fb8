"""The catalogue: every id of the checklist, documented, and docs in sync with code."""

from __future__ import annotations

from pathlib import Path

from prodready.devtools import gendocs
from prodready.scan.checks import BUILTIN_CHECKS, Check, CheckSpec, load_registry
from prodready.scan.checks.catalogue import missing_docs, render_catalogue
from prodready.scan.model import Level

# The public contract (CHECKLIST.md): ids never change once released.
CHECKLIST_IDS = {
    Level.BRONZE: {
        "doc.readme",
        "ops.ci-pipeline",
        "test.unit",
        "test.in-ci",
        "cq.lint",
        "ops.lockfile",
        "sec.no-hardcoded-secrets",
        "res.health-endpoint",
    },
    Level.SILVER: {
        "cq.format",
        "cq.quality-gate",
        "cq.sast",
        "cq.findings",
        "test.coverage",
        "res.timeouts",
        "res.graceful-shutdown",
        "obs.metrics",
        "obs.structured-logging",
        "doc.api-spec",
        "doc.ownership",
        "ops.container",
        "ops.container-hardening",
        "ops.dependency-updates",
        "ops.dependency-scanning",
    },
    Level.GOLD: {
        "test.integration",
        "test.bdd",
        "test.contract",
        "test.load",
        "res.retries",
        "res.circuit-breaker",
        "res.rate-limiting",
        "obs.tracing",
        "obs.error-tracking",
        "obs.alerts",
        "doc.runbook",
        "doc.adr",
        "ops.k8s-probes",
        "ops.k8s-resources",
        "ops.high-availability",
    },
    Level.PLATINUM: {
        "test.chaos",
        "obs.dashboards",
        "ops.progressive-delivery",
        "live.health",
        "live.load-slo",
        "live.chaos-steady-state",
    },
}


def test_every_checklist_id_is_in_the_catalogue_at_its_level() -> None:
    by_level = {level: {c.id for c in BUILTIN_CHECKS if c.spec.level is level} for level in Level}
    assert by_level == CHECKLIST_IDS


def test_every_check_is_documented() -> None:
    assert missing_docs(BUILTIN_CHECKS) == []


def test_missing_docs_are_detected() -> None:
    thin = CheckSpec(id="doc.thin", level=Level.GOLD, title="t", why="short", how_to_fix="also")
    problems = missing_docs([Check(thin)])
    assert problems == [
        "doc.thin: 'why it matters' is too short",
        "doc.thin: 'how to fix' is too short",
        "doc.thin: no 'passes when'",
        "doc.thin: no references",
    ]


def test_generated_docs_are_up_to_date(repo_root: Path) -> None:
    assert gendocs.stale_documents(repo_root) == [], "run `make docs`"


def test_catalogue_lists_every_check_with_its_status() -> None:
    registry = load_registry(include_plugins=False)
    text = render_catalogue(registry)
    for check in registry:
        assert f"### `{check.id}`" in text
        assert check.spec.why in text
        assert check.spec.how_to_fix in text
    assert "| planned |" in text or all(c.implemented for c in registry)


def test_gendocs_check_and_write(tmp_path: Path) -> None:
    assert gendocs.main(["--check", "--root", str(tmp_path)]) == 1
    assert gendocs.main(["--write", "--root", str(tmp_path)]) == 0
    assert gendocs.main(["--check", "--root", str(tmp_path)]) == 0
    (tmp_path / "docs" / "checks.md").write_text("stale\n")
    assert gendocs.stale_documents(tmp_path) == ["docs/checks.md"]
