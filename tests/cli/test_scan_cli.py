"""The scanner's commands, end to end: options, outputs and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from prodready.cli import app as app_module
from prodready.cli import scan_commands
from prodready.cli.app import app
from prodready.scan.model import scan_result_json_schema
from tests.scan.conftest import validate_document, write_tree

SARIF_SCHEMA = Path(__file__).parents[1] / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def fastapi(fixture_repos: Path) -> str:
    return str(fixture_repos / "python-fastapi-service")


@pytest.fixture
def legacy(fixture_repos: Path) -> str:
    return str(fixture_repos / "python-legacy-flask")


def test_help_documents_the_exit_codes() -> None:
    code, out, _ = invoke("scan", "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "0 ok; 1 a gate failed" in flat
    assert "2 usage or configuration error" in flat
    assert "3 internal error" in flat
    for option in ("--format", "--output", "--fail-under", "--min-level", "--select"):
        assert option in out
    for option in ("--ignore", "--config", "--service", "--no-progress", "--jobs"):
        assert option in out


def test_json_to_stdout_validates(fastapi: str) -> None:
    code, out, err = invoke("scan", fastapi, "--format", "json", "--no-progress")
    assert code == 0, err
    document = json.loads(out)
    validate_document(document)
    assert document["services"][0]["name"] == "orders"


def test_text_to_stdout_and_json_to_a_file(fastapi: str, tmp_path: Path) -> None:
    target = tmp_path / "out" / "scan.json"
    code, out, err = invoke(
        "scan", fastapi, "--format", "text", "--format", "json", "--output", str(target)
    )
    assert code == 0, err
    assert "Service orders" in out
    assert "Documentation" in out
    validate_document(json.loads(target.read_text()))
    assert f"wrote json report to {target}" in err


def test_every_format_to_its_own_file(fastapi: str, tmp_path: Path) -> None:
    args = ["scan", fastapi]
    for fmt, name in [
        ("sarif", "r.sarif"),
        ("markdown", "r.md"),
        ("html", "r.html"),
        ("text", "r.txt"),
        ("json", "r.json"),
    ]:
        args += ["--format", fmt, "--output", str(tmp_path / name)]
    code, out, err = invoke(*args)
    assert code == 0, err
    assert out == ""
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    assert (tmp_path / "r.md").read_text().startswith("## prodready: ")
    assert (tmp_path / "r.html").read_text().startswith("<!doctype html>")
    assert "Service orders" in (tmp_path / "r.txt").read_text()


def test_output_format_inferred_named_or_ambiguous(fastapi: str, tmp_path: Path) -> None:
    code, out, _ = invoke("scan", fastapi, "--output", str(tmp_path / "a.sarif"))
    assert code == 0
    assert out == ""
    assert json.loads((tmp_path / "a.sarif").read_text())["version"] == "2.1.0"
    code, _, _ = invoke(
        "scan", fastapi, "-f", "json", "-f", "markdown", "-o", f"markdown={tmp_path / 'x.out'}"
    )
    assert code == 0
    assert (tmp_path / "x.out").read_text().startswith("## prodready")
    code, _, err = invoke("scan", fastapi, "-f", "json", "-f", "html", "-o", str(tmp_path / "y"))
    assert code == 2
    assert "cannot tell which format" in err
    code, _, err = invoke("scan", fastapi, "-f", "json", "-f", "html")
    assert code == 2
    assert "would all go to standard output" in err


def test_gates_fail_with_exit_1(legacy: str) -> None:
    code, _, err = invoke("scan", legacy, "-f", "json", "--fail-under", "99")
    assert code == 1
    assert "gate failed: repository score" in err
    assert "under --fail-under 99" in err
    code, _, err = invoke("scan", legacy, "-f", "json", "--min-level", "bronze")
    assert code == 1
    assert "level none is below --min-level bronze (blocked by" in err
    assert "doc.readme" in err


def test_service_gate_and_unknown_service(fixture_repos: Path) -> None:
    repo = str(fixture_repos / "monorepo")
    code, out, _ = invoke("scan", repo, "-f", "json", "--service", "ledger", "--select", "doc")
    assert code == 0
    assert [s["name"] for s in json.loads(out)["services"]] == ["ledger"]
    code, _, err = invoke("scan", repo, "--service", "nope")
    assert code == 2
    assert "no service named 'nope'" in err


def test_usage_and_configuration_errors_exit_2(fastapi: str, tmp_path: Path) -> None:
    code, _, err = invoke("scan", fastapi, "--select", "doc.readm")
    assert code == 2
    assert "did you mean doc.readme" in err
    code, _, err = invoke("scan", str(tmp_path / "missing"))
    assert code == 2
    assert "no such directory" in err
    write_tree(tmp_path, {"pyproject.toml": "[tool.prodready]\ntier = 'gold'\n"})
    code, _, err = invoke("scan", str(tmp_path))
    assert code == 2
    assert "pyproject.toml: tool.prodready.tier: Input should be a valid integer" in err
    code, _, err = invoke("scan", fastapi, "--config", str(tmp_path / "nope.toml"))
    assert code == 2
    assert "--config" in err
    code, _, _ = invoke("scan", fastapi, "--fail-under", "101")
    assert code == 2
    code, _, _ = invoke("scan", fastapi, "--min-level", "diamond")
    assert code == 2


def test_output_that_cannot_be_written_is_exit_2(fastapi: str, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = invoke("scan", fastapi, "-o", str(blocker / "sub" / "r.json"))
    assert code == 2
    assert "cannot write" in err


def test_internal_errors_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug in the engine")

    monkeypatch.setattr(scan_commands, "scan", explode)
    monkeypatch.setattr(sys, "argv", ["prodready", "scan", "."])
    with pytest.raises(SystemExit) as exited:
        app_module.main()
    assert exited.value.code == 3
    assert "internal error: RuntimeError: bug in the engine" in capsys.readouterr().err


def test_checks_lists_the_catalogue() -> None:
    code, out, _ = invoke("checks", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 44
    readme = next(r for r in rows if r["id"] == "doc.readme")
    assert readme == {
        "id": "doc.readme",
        "pillar": "doc",
        "level": "bronze",
        "title": "README explains how to run and test the service",
        "status": "stable",
        "source": "prodready",
    }
    assert {r["status"] for r in rows} <= {"stable", "experimental", "deprecated", "planned"}
    code, out, _ = invoke("checks")
    assert code == 0
    assert "res.health-endpoint" in out


def test_explain() -> None:
    code, out, _ = invoke("explain", "doc.readme")
    assert code == 0
    for heading in (
        "Passes when",
        "Why it matters",
        "How to fix",
        "Example (passes)",
        "References",
    ):
        assert heading in out
    code, _, err = invoke("explain", "doc.readm")
    assert code == 2
    assert "did you mean doc.readme" in err


def test_schema_is_the_published_schema() -> None:
    code, out, _ = invoke("schema")
    assert code == 0
    assert json.loads(out) == scan_result_json_schema()


def test_init_appends_to_pyproject_and_never_clobbers(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "[project]\nname = 'my-svc'\n"})
    code, out, _ = invoke("init", str(tmp_path))
    assert code == 0
    assert "pyproject.toml" in out
    document = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    assert document["project"]["name"] == "my-svc"
    assert document["tool"]["prodready"]["service"] == "my-svc"
    before = (tmp_path / "pyproject.toml").read_text()
    code, _, err = invoke("init", str(tmp_path))
    assert code == 2
    assert "already has a [tool.prodready] section" in err
    assert (tmp_path / "pyproject.toml").read_text() == before
    code, _, err = invoke("scan", str(tmp_path), "-f", "json")
    assert code == 0, err


def test_init_writes_prodready_toml_and_refuses_broken_pyproject(tmp_path: Path) -> None:
    code, _, _ = invoke("init", str(tmp_path))
    assert code == 0
    policy = tomllib.loads((tmp_path / "prodready.toml").read_text())
    assert policy["service"] == tmp_path.name
    code, _, err = invoke("init", str(tmp_path), "--toml")
    assert code == 2
    assert "already exists" in err
    broken = tmp_path / "broken"
    write_tree(broken, {"pyproject.toml": "[project\n"})
    code, _, err = invoke("init", str(broken))
    assert code == 2
    assert "cannot read it as TOML" in err
    assert (broken / "pyproject.toml").read_text() == "[project\n"
    code, out, _ = invoke("init", str(broken), "--toml", "--stdout")
    assert code == 0
    assert out.startswith("# prodready policy")
    assert not (broken / "prodready.toml").exists()


def test_console_script_runs_as_a_real_process(fastapi: str) -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "prodready"), "scan", fastapi, "-f", "json", "-j", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    validate_document(json.loads(done.stdout))


def test_progress_reports_phases_and_every_check(fastapi: str) -> None:
    from prodready.scan.engine import ScanOptions, scan

    seen: list[tuple[str, int | None]] = []
    advanced: list[int] = []

    class Recorder:
        def phase(self, name: str, total: int | None) -> None:
            seen.append((name, total))

        def advance(self, amount: int = 1) -> None:
            advanced.append(amount)

    options = ScanOptions(include_plugins=False, cache=False)  # every file analysed
    result = scan(Path(fastapi), options, progress=Recorder())
    ran = len(result.services[0].checks)
    analysed = seen[1][1] if len(seen) == 3 else None
    phases = [("indexing files", None), ("analysing files", analysed), ("running checks", ran)]
    assert seen == phases
    assert analysed is not None
    assert analysed > 0
    assert sum(advanced) == analysed + ran


def test_rich_progress_bar_lifecycle(capsys: pytest.CaptureFixture[str]) -> None:
    with scan_commands._RichProgress() as progress:
        progress.advance()  # before any phase: ignored
        progress.phase("indexing files", None)
        progress.phase("running checks", 3)
        for _ in range(3):
            progress.advance()
    capsys.readouterr()
