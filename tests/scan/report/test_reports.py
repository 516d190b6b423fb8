"""Golden tests for every report format, plus validity and escaping checks.

The golden input is a hand-built ``ScanResult`` (two services, every outcome,
an exemption, an error, a finding with hostile characters, warnings) so the
files change only when a renderer does. Regenerate them after an intended
change with ``PRODREADY_UPDATE_GOLDEN=1 pytest tests/scan/report``.
Real scans of every fixture repository are rendered too, and validated.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from prodready.scan.checks import load_registry
from prodready.scan.model import (
    CheckResult,
    Evidence,
    Exemption,
    Finding,
    Outcome,
    Pillar,
    Repository,
    ScanResult,
    ScanWarning,
    ServiceResult,
    Severity,
    Tool,
)
from prodready.scan.report import ReportFormat, render
from prodready.scan.report.sarif import to_sarif
from prodready.scan.scoring import score_repository, score_service
from tests.conftest import FIXTURE_REPOS
from tests.scan.conftest import run_scan, validate_document

GOLDEN = Path(__file__).parent / "golden"
SARIF_SCHEMA = json.loads((FIXTURE_REPOS.parent / "sarif" / "sarif-schema-2.1.0.json").read_text())
SPECS = {c.id: c.spec for c in load_registry(include_plugins=False)}
EXTENSION = {
    ReportFormat.TEXT: "txt",
    ReportFormat.JSON: "json",
    ReportFormat.SARIF: "sarif",
    ReportFormat.MARKDOWN: "md",
    ReportFormat.HTML: "html",
}
HOSTILE = '<script>alert("x")</script> | [bold]not markup[/bold] `tick` & *stars*'


def check(
    check_id: str,
    outcome: Outcome,
    score: float | None,
    summary: str,
    **extra: object,
) -> CheckResult:
    spec = SPECS[check_id]
    return CheckResult(
        id=check_id,
        pillar=spec.pillar,
        level=spec.level,
        title=spec.title,
        outcome=outcome,
        score=score,
        summary=summary,
        how_to_fix=spec.how_to_fix,
        **extra,  # type: ignore[arg-type]
    )


def golden_result() -> ScanResult:
    api = [
        check(
            "doc.readme",
            Outcome.PASS,
            10,
            "README explains how to run and how to test",
            evidence=[
                Evidence(path="services/api/README.md", line=5, detail="how to run: make run")
            ],
        ),
        check(
            "test.unit",
            Outcome.FAIL,
            3.2,
            "120 lines of unit tests for 1,870 lines of code: ratio 0.06",
            findings=[Finding(message="test-to-code ratio 0.06 is below 0.10")],
            findings_total=1,
        ),
        check(
            "sec.no-hardcoded-secrets",
            Outcome.FAIL,
            6,
            "2 distinct secrets",
            findings=[
                Finding(
                    message=f"AWS access key in code {HOSTILE}",
                    path="services/api/settings.py",
                    line=12,
                    severity=Severity.CRITICAL,
                    snippet='AWS_KEY = "AKIA****************"',
                ),
                Finding(
                    message="Stripe key",
                    path="services/api/billing.py",
                    line=3,
                    end_line=4,
                    severity=Severity.HIGH,
                ),
                Finding(message="Slack token", path="deploy/env", line=1),
                Finding(message="one more", path="deploy/env", line=9),
            ],
            findings_total=6,
        ),
        check(
            "res.health-endpoint",
            Outcome.EXEMPT,
            None,
            "exempt (a batch job); judged: no health route",
            exemption=Exemption(
                check="res.health-endpoint",
                reason="a batch job, probed by exit code",
                expires="2027-06-30",
            ),
        ),
        check("ops.lockfile", Outcome.ERROR, None, "the check crashed", error="ValueError: boom"),
        check("obs.metrics", Outcome.NOT_APPLICABLE, None, "nothing to instrument"),
    ]
    worker = [
        check("doc.readme", Outcome.PASS, 10, "README explains how to run and how to test"),
        check("test.unit", Outcome.PASS, 8, "ratio 0.40"),
        check("sec.no-hardcoded-secrets", Outcome.PASS, 10, "no secrets"),
    ]
    services = []
    for name, path, results in (
        ("api", "services/api", api),
        ("worker", "services/worker", worker),
    ):
        scored = score_service(results, {Pillar.SECURITY: 2.0})
        services.append(
            ServiceResult(
                name=name,
                path=path,
                owner="team-shop",
                tier=1,
                languages=["python", "go"],
                score=scored.score,
                level=scored.level,
                next_level=scored.next_level,
                blockers=scored.blockers,
                top_fixes=scored.top_fixes,
                pillars=scored.pillars,
                checks=results,
            )
        )
    repo = score_repository(services)
    when = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    return ScanResult(
        tool=Tool(version="0.1.0"),
        repository=Repository(
            root="/src/shop",
            commit="0123456789abcdef0123456789abcdef01234567",
            branch="main",
            remote="https://github.com/acme/shop.git",
            files_scanned=42,
            files_skipped=3,
        ),
        started_at=when,
        finished_at=when,
        duration_seconds=0.25,
        score=repo.score,
        level=repo.level,
        next_level=repo.next_level,
        blockers=repo.blockers,
        pillars=repo.pillars,
        services=services,
        warnings=[
            ScanWarning(code="binary", message="binary file (NUL byte)", path="logo.png"),
            ScanWarning(code="parse-error", message="invalid YAML: x", path="ci.yml", line=3),
        ],
        policy={"planned": ["obs.tracing"], "select": [], "ignore": []},
    )


def rendered(result: ScanResult, report_format: ReportFormat) -> str:
    if report_format is ReportFormat.SARIF:
        return json.dumps(to_sarif(result, SPECS), indent=2, ensure_ascii=False) + "\n"
    return render(result, report_format)


@pytest.mark.parametrize("report_format", list(ReportFormat))
def test_golden(report_format: ReportFormat) -> None:
    text = rendered(golden_result(), report_format)
    path = GOLDEN / f"report.{EXTENSION[report_format]}"
    if os.environ.get("PRODREADY_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing {path}; run with PRODREADY_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_golden_json_and_sarif_validate() -> None:
    result = golden_result()
    validate_document(json.loads(render(result, ReportFormat.JSON)))
    jsonschema.validate(to_sarif(result, SPECS), SARIF_SCHEMA)


def test_sarif_has_one_rule_per_check_and_results_for_failures_only() -> None:
    sarif = to_sarif(golden_result(), SPECS)
    run = sarif["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules)) == 6
    readme = run["tool"]["driver"]["rules"][rules.index("doc.readme")]
    assert readme["help"]["text"].startswith("Why it matters: ")
    assert "How to fix: " in readme["help"]["text"]
    results = run["results"]
    assert {r["ruleId"] for r in results} == {
        "test.unit",
        "sec.no-hardcoded-secrets",
        "ops.lockfile",
    }
    secret = next(r for r in results if r["ruleId"] == "sec.no-hardcoded-secrets")
    location = secret["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "services/api/settings.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert location["region"]["startLine"] == 12
    assert secret["level"] == "error"
    assert run["versionControlProvenance"][0]["revisionId"].startswith("0123")
    for result in results:
        assert rules[result["ruleIndex"]] == result["ruleId"]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("#"):
                self.external.append(value)


def test_html_is_self_contained_and_escapes_repository_content() -> None:
    html = render(golden_result(), ReportFormat.HTML)
    parser = _Collector()
    parser.feed(html)
    assert "script" not in parser.tags
    assert parser.external == []
    assert "&lt;script&gt;" in html
    assert "Content-Security-Policy" in html


def test_markdown_escapes_repository_content() -> None:
    markdown = render(golden_result(), ReportFormat.MARKDOWN)
    assert "<script>" not in markdown
    assert "&lt;script&gt;" in markdown
    assert "\\| \\[bold\\]" in markdown


def test_text_prints_markup_literally() -> None:
    text = render(golden_result(), ReportFormat.TEXT)
    assert "[bold]not" in text
    assert "markup[/bold]" in text


@pytest.mark.parametrize("case", sorted(p.name for p in FIXTURE_REPOS.iterdir() if p.is_dir()))
def test_every_format_renders_every_fixture(case: str) -> None:
    result = run_scan(FIXTURE_REPOS / case)
    for report_format in ReportFormat:
        text = rendered(result, report_format)
        assert text.endswith("\n")
        if report_format is ReportFormat.JSON:
            validate_document(json.loads(text))
        if report_format is ReportFormat.SARIF:
            jsonschema.validate(json.loads(text), SARIF_SCHEMA)
