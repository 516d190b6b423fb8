"""The engine: selection, exemptions, errors as outcomes, services, parallelism."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from prodready.scan.checks import Check, CheckSpec, Verdict, finding
from prodready.scan.checks.registry import load_registry
from prodready.scan.engine import MAX_FINDINGS_PER_CHECK, ScanOptions, UsageError, scan
from prodready.scan.facts.view import Facts
from prodready.scan.model import Level, Outcome
from prodready.scan.policy import PolicyError
from tests.scan.conftest import TODAY, outcomes, run_scan, validate_document

README = "# svc\n\n## Run\n\n```\nmake run\n```\n\n## Test\n\n```\nmake test\n```\n"


def spec(check_id: str, level: Level = Level.BRONZE) -> CheckSpec:
    return CheckSpec(id=check_id, level=level, title=check_id, why="w", how_to_fix="h")


def custom(*checks: Check) -> Callable[[], object]:
    return lambda: load_registry(list(checks), include_plugins=False)


def files_with(name: str) -> Callable[[Facts], Verdict]:
    def judge(facts: Facts) -> Verdict:
        hits = [finding(f"{name} here", p, 1) for p in facts.paths() if name in p]
        if hits:
            return Verdict.failed(f"{len(hits)} {name} files", score=3, findings=hits)
        return Verdict.passed(f"no {name} files")

    return judge


def scan_with(root: Path, *checks: Check, **options: object) -> object:
    registry = load_registry(list(checks), include_plugins=False)
    options.setdefault("today", TODAY)
    result = scan(
        root,
        ScanOptions(**options),  # type: ignore[arg-type]
        registry=registry,
        clock=lambda: datetime(2026, 11, 27, tzinfo=UTC),
    )
    validate_document(result.model_dump(mode="json"))
    return result


def test_a_crashing_check_is_an_error_and_the_scan_goes_on(make_repo) -> None:  # type: ignore[no-untyped-def]
    def boom(facts: Facts) -> Verdict:
        raise KeyError("missing")

    def wrong_type(facts: Facts) -> Verdict:
        return "pass"  # type: ignore[return-value]

    repo = make_repo({"README.md": README})
    result = scan_with(
        repo,
        Check(spec("doc.boom"), boom),
        Check(spec("doc.wrong"), wrong_type),
        Check(spec("doc.ok"), lambda f: Verdict.passed("fine")),
    )
    checks = {c.id: c for c in result.services[0].checks}  # type: ignore[attr-defined]
    assert checks["doc.boom"].outcome is Outcome.ERROR
    assert checks["doc.boom"].error == "KeyError: 'missing'"
    assert checks["doc.wrong"].error == "TypeError: judge returned str, not a Verdict"
    assert checks["doc.ok"].outcome is Outcome.PASS
    assert result.services[0].level is None  # type: ignore[attr-defined]
    assert set(result.services[0].blockers) == {"doc.boom", "doc.wrong"}  # type: ignore[attr-defined]


def test_select_ignore_and_disable(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(
        {"README.md": README, "prodready.toml": "disable = ['test.unit']\n", "app.py": "x=1\n"}
    )
    result = run_scan(repo, select=("doc", "test"), ignore=("doc.adr",))
    ran = {c.id for c in result.services[0].checks}
    planned = set(result.policy["planned"])
    wanted = {
        c.id for c in load_registry(include_plugins=False) if c.spec.pillar.value in ("doc", "test")
    } - {"doc.adr", "test.unit"}
    assert ran | planned == wanted
    assert not ran & planned
    assert {"doc.readme", "test.in-ci"} <= ran
    assert result.policy["disabled"] == ["test.unit"]
    with pytest.raises(UsageError, match=r"unknown check id or pillar 'doc.readm' \(did you mean"):
        run_scan(repo, select=("doc.readm",))


def test_planned_checks_are_never_scored_or_passed_and_block_their_level(make_repo) -> None:  # type: ignore[no-untyped-def]
    """A check without a judge (here a plugin's planned Silver check) is published,
    never run, never scored, and blocks the level it belongs to."""
    repo = make_repo({"README.md": README})
    result = scan_with(
        repo,
        Check(spec("doc.ok"), lambda f: Verdict.passed("fine")),
        Check(spec("doc.later", Level.SILVER)),
    )
    service = result.services[0]  # type: ignore[attr-defined]
    assert [c.id for c in service.checks] == ["doc.ok"]
    assert result.policy["planned"] == ["doc.later"]  # type: ignore[attr-defined]
    assert service.level is Level.BRONZE
    assert service.next_level is Level.SILVER
    assert service.blockers == ["doc.later"]


def test_whole_check_exemption_expiry_and_unneeded_exemptions(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(
        {
            "bad.txt": "x\n",
            "prodready.toml": (
                "[[exemptions]]\ncheck = 'doc.bad'\nreason = 'accepted until the rewrite'\n"
                "expires = 2026-12-31\n"
                "[[exemptions]]\ncheck = 'doc.old'\nreason = 'was temporary'\n"
                "expires = 2026-01-01\n"
                "[[exemptions]]\ncheck = 'doc.fine'\nreason = 'just in case'\n"
            ),
        }
    )
    checks = (
        Check(spec("doc.bad"), files_with("bad")),
        Check(spec("doc.old"), files_with("bad")),
        Check(spec("doc.fine"), files_with("nothing")),
    )
    result = scan_with(repo, *checks)
    by_id = {c.id: c for c in result.services[0].checks}  # type: ignore[attr-defined]
    assert by_id["doc.bad"].outcome is Outcome.EXEMPT
    assert by_id["doc.bad"].score is None
    assert by_id["doc.bad"].findings  # still reported, for information
    assert by_id["doc.bad"].exemption.reason == "accepted until the rewrite"
    assert by_id["doc.old"].outcome is Outcome.FAIL
    assert by_id["doc.old"].exemption.expired
    assert by_id["doc.fine"].outcome is Outcome.PASS
    codes = {w.code: w for w in result.warnings}  # type: ignore[attr-defined]
    assert "doc.old" in codes["exemption-expired"].message
    assert codes["exemption-expired"].path == "prodready.toml"
    assert "doc.fine" in codes["exemption-unneeded"].message
    later = scan_with(repo, *checks, today=date(2027, 1, 1))
    assert {c.id: c.outcome for c in later.services[0].checks}["doc.bad"] is Outcome.FAIL  # type: ignore[attr-defined]


def test_a_path_scoped_exemption_hides_those_files_from_the_check(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(
        {
            "legacy/bad.py": "x\n",
            "new/bad.py": "y\n",
            "prodready.toml": "[[exemptions]]\ncheck = 'doc.bad'\nreason = 'legacy'\n"
            "paths = ['legacy/**']\n",
        }
    )
    result = scan_with(repo, Check(spec("doc.bad"), files_with("bad")))
    [check] = result.services[0].checks  # type: ignore[attr-defined]
    assert check.outcome is Outcome.FAIL
    assert [f.path for f in check.findings] == ["new/bad.py"]
    assert check.exemption.paths == ["legacy/**"]


def test_findings_are_capped_but_counted(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({f"bad{i}.txt": "x\n" for i in range(MAX_FINDINGS_PER_CHECK + 7)})
    [check] = scan_with(repo, Check(spec("doc.bad"), files_with("bad"))).services[0].checks  # type: ignore[attr-defined]
    assert len(check.findings) == MAX_FINDINGS_PER_CHECK
    assert check.findings_total == MAX_FINDINGS_PER_CHECK + 7


def test_parallel_and_serial_scans_agree(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(
        {"README.md": README, "app.py": "x = 1\n", "tests/test_app.py": "def test_x(): pass\n"}
    )
    serial = run_scan(repo, jobs=1)
    parallel = run_scan(repo, jobs=8)
    assert serial.model_dump(exclude={"duration_seconds"}) == parallel.model_dump(
        exclude={"duration_seconds"}
    )


def test_bad_roots_and_bad_policies_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such directory"):
        run_scan(tmp_path / "missing")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(UsageError, match="not a directory"):
        run_scan(tmp_path / "file.txt")
    (tmp_path / "prodready.toml").write_text("tier = 'x'\n")
    with pytest.raises(PolicyError, match=r"prodready\.toml: tier: "):
        run_scan(tmp_path)


def test_monorepo_services_and_service_selection(fixture_repos: Path) -> None:
    result = run_scan(fixture_repos / "monorepo", select=("doc", "test"))
    names = [(s.name, s.path) for s in result.services]
    assert names == [("ledger", "services/ledger"), ("payments", "services/payments")]
    # the root README is shared by both services
    assert all(outcomes(result, i)["doc.readme"] == "pass" for i in range(2))
    only = run_scan(fixture_repos / "monorepo", service="payments", select=("doc",))
    assert [s.path for s in only.services] == ["services/payments"]
    by_path = run_scan(fixture_repos / "monorepo", service="services/ledger", select=("doc",))
    assert [s.name for s in by_path.services] == ["ledger"]
    with pytest.raises(UsageError, match=r"no service named 'nope'; found: ledger"):
        run_scan(fixture_repos / "monorepo", service="nope")


def test_parse_problems_become_warnings(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(
        {
            "config.yaml": "a: [1\n",
            "app.py": "def (:\n",
            "tests/fixtures/broken.json": "{",
            "README.md": README,
        }
    )
    result = run_scan(repo, select=("doc",))
    parse = sorted((w.path, w.line) for w in result.warnings if w.code == "parse-error")
    assert parse == [("app.py", 1), ("config.yaml", 2)]  # test data is not validated


def test_result_header(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"README.md": README, ".git/HEAD": "ref: refs/heads/main\n"})
    result = run_scan(repo, select=("doc",))
    assert result.repository.root == str(repo.resolve())
    assert result.repository.branch == "main"
    assert result.repository.files_scanned == 1
    assert result.tool.name == "prodready"
    assert result.started_at == datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_policy_files_that_link_out_of_the_repository_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text("tier = 'not a number'\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text(README)
    (repo / "prodready.toml").symlink_to(outside)
    result = run_scan(repo, select=("doc",))
    assert result.policy["source"] is None
    assert ("symlink-escape", "prodready.toml") in {(w.code, w.path) for w in result.warnings}


def test_a_broken_pyproject_in_a_service_is_a_warning_not_a_config_error(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(
        {
            "README.md": README,
            "services/a/pyproject.toml": "[project\nname = 'a'\n",
            "services/a/app.py": "x = 1\n",
            "services/b/go.mod": "module b\n",
            "services/b/prodready.toml": "service = 'billing'\n",
        }
    )
    result = run_scan(repo, select=("doc",))
    assert [s.name for s in result.services] == ["services/a", "billing"]
    assert ("parse-error", "services/a/pyproject.toml") in {
        (w.code, w.path) for w in result.warnings
    }


def test_a_verdict_with_malformed_findings_is_an_error_not_a_crash(make_repo) -> None:  # type: ignore[no-untyped-def]
    def sloppy(facts: Facts) -> Verdict:
        return Verdict.failed("oops", findings=["just a string"])  # type: ignore[list-item]

    repo = make_repo({"README.md": README})
    result = scan_with(repo, Check(spec("doc.sloppy"), sloppy))
    [check] = result.services[0].checks  # type: ignore[attr-defined]
    assert check.outcome is Outcome.ERROR
    assert check.error.startswith("invalid verdict: AttributeError")
