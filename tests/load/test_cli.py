"""``prodready load``: options, plan files, exit codes, reports, on real servers."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from prodready.cli.app import app

from .conftest import LocalServer

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()
PRODREADY = [sys.executable, "-c", "from prodready.cli.app import main; main()"]


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["load", *args])
    return result.exit_code, result.stdout, result.stderr


# usage and configuration errors (exit 2): nothing is sent ---------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["http://example.com/", "--rate", "10", "--duration", "1s"], "refusing to load"),
        (["http://127.0.0.1:1/", "--rate", "fast", "--duration", "1s"], "--rate: expected a rate"),
        (["http://127.0.0.1:1/", "--rate", "10"], "--rate and --duration go together"),
        (["http://127.0.0.1:1/"], "no load profile"),
        (["--rate", "10", "--duration", "1s"], "no target"),
        (["http://127.0.0.1:1/", "--profile", "wave:rate=1"], "unknown profile 'wave'"),
        (["http://127.0.0.1:1/", "--stage", "10s"], "is not duration:target"),
        (["http://127.0.0.1:1/", "-r", "10", "-d", "1s", "-t", "p99~1s"], "METRIC OP VALUE"),
        (["http://127.0.0.1:1/", "-r", "10", "-d", "1s", "--workers", "many"], "--workers"),
        (["http://127.0.0.1:1/", "-r", "10", "-d", "1s", "--timeout", "0s"], "must be positive"),
        (["http://127.0.0.1:1/", "-r", "10", "-d", "1s", "--format", "xml"], "--format 'xml'"),
        (["http://127.0.0.1:1/", "-r", "10", "-d", "1s", "--client", "curl"], "--client 'curl'"),
        (["http://127.0.0.1:1/", "-r", "10", "-d", "1h", "--max-duration", "10m"], "longer than"),
        (["http://127.0.0.1:1/", "-r", "1000", "-d", "1h", "--max-requests", "100"], "more than"),
        (["http://127.0.0.1:1/", "-r", "1", "-d", "1s", "-o", "/nonexistent/r.json"], "does not"),
        (["http://127.0.0.1:1/", "-r", "1", "-d", "1s", "-H", "nocolon"], "is not a header"),
        (["--plan", "/nonexistent/plan.yaml"], "cannot read the plan"),
        (["http://127.0.0.1:1/", "-r", "1", "-d", "1s", "--watch-pid", "999999999"], "no such"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    code, stdout, stderr = cli(*args)
    assert code == 2, (stdout, stderr)
    assert message in stderr
    assert "Traceback" not in stderr + stdout


def test_plan_error_names_file_and_key(tmp_path: Path) -> None:
    plan = tmp_path / "loadplan.yaml"
    plan.write_text("target: http://127.0.0.1:1/\nprofile:\n  - {type: constant, rate: x}\n")
    code, _, stderr = cli("--plan", str(plan))
    assert code == 2
    assert f"{plan}: profile[0].rate: expected a rate" in stderr
    assert f"{plan}: profile[0].duration: required key is missing" in stderr


def test_dry_run_sends_nothing(tmp_path: Path) -> None:
    code, stdout, _ = cli(
        "http://127.0.0.1:1/",
        "--profile",
        "step:start=10,step=10,every=1s,steps=3",
        "-t",
        "p99<1s",
        "--dry-run",
    )
    assert code == 0
    assert "60 requests over 3s" in stdout
    assert "thresholds   p99<1s" in stdout
    assert "nothing was sent" in stdout


def test_help_explains_exit_codes() -> None:
    result = runner.invoke(app, ["load", "run", "--help"])
    assert result.exit_code == 0
    assert "Exit codes" in result.stdout
    assert "--threshold" in result.stdout


# runs (exit 0 / 1) ----------------------------------------------------------------


@pytest.mark.xdist_group("load-engine")
def test_thresholds_gate_the_exit_code(target: LocalServer, tmp_path: Path) -> None:
    common = [target.url("/ok"), "-r", "100", "-d", "1s", "--no-progress", "--max-lag", "250ms"]
    out = tmp_path / "pass.json"
    code, stdout, stderr = cli(*common, "-t", "p99<5s", "-t", "success>=99%", "-o", str(out))
    assert code == 0, stderr
    assert "Result" in stdout
    assert "PASSED" in stdout
    saved = json.loads(out.read_text())
    assert saved["passed"] is True
    assert [t["passed"] for t in saved["thresholds"]] == [True, True]

    out = tmp_path / "fail.json"
    code, stdout, _ = cli(*common, "-t", "p99<1us", "-o", str(out), "--format", "json")
    assert code == 1
    printed = json.loads(stdout)
    assert printed["passed"] is False
    assert printed["thresholds"][0]["expression"] == "p99<1us"
    assert json.loads(out.read_text()) == printed


@pytest.mark.xdist_group("load-engine")
def test_plan_run_writes_results_and_html(target: LocalServer, tmp_path: Path) -> None:
    plan = tmp_path / "loadplan.yaml"
    plan.write_text(
        f"name: cli-plan\ntarget: {target.url('/ok')}\nrate: 50\nduration: 1s\n"
        "thresholds: [p99<5s]\nlimits: {max_lag: 250ms}\n"
        "output: out/results.json\nhtml: out/report.html\n"
    )
    (tmp_path / "out").mkdir()
    code, stdout, stderr = cli("--plan", str(plan), "--no-progress", "--format", "none")
    assert code == 0, stderr
    assert stdout == ""
    results = json.loads((tmp_path / "out/results.json").read_text())
    assert results["name"] == "cli-plan"
    assert results["requests"]["completed"] == 50
    assert (tmp_path / "out/report.html").read_text().startswith("<!doctype html>")
    assert oct((tmp_path / "out/results.json").stat().st_mode & 0o777) != "0o600"


@pytest.mark.xdist_group("load-engine")
def test_invalid_run_exits_1(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, stdout, _ = cli(f"http://127.0.0.1:{port}/", "-r", "20", "-d", "1s", "--no-progress")
    assert code == 1
    assert "INVALID" in stdout
    assert "no request reached the target" in stdout


@pytest.mark.xdist_group("load-engine")
def test_ctrl_c_keeps_what_was_measured(target: LocalServer, tmp_path: Path) -> None:
    out = tmp_path / "interrupted.json"
    process = subprocess.Popen(
        [
            *PRODREADY,
            "load",
            target.url("/ok"),
            "-r",
            "50",
            "-d",
            "30s",
            "-o",
            str(out),
            "--format",
            "none",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 60
    seen = ""
    while time.monotonic() < deadline:  # wait until the run is under way
        seen = process.stderr.readline()
        if re.search(r"sent [1-9]", seen) or not seen:
            break
    assert "sent" in seen, seen
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole group
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 1, stderr
    saved = json.loads(out.read_text())
    assert saved["aborted"]["reason"] == "interrupted"
    assert saved["valid"] is False
    assert 1 <= saved["requests"]["completed"] < 1500
    assert saved["requests"]["completed"] == saved["requests"]["sent"]


# report -------------------------------------------------------------------------------


def test_report_formats(tmp_path: Path) -> None:
    stored = str(FIXTURES / "prodready-result.json")
    code, stdout, _ = cli("report", stored)
    assert code == 1  # the stored run failed its p50 threshold
    assert stdout.startswith("Requests")
    code, stdout, _ = cli("report", stored, "--format", "hist", "--buckets", "0,5ms,50ms")
    assert len(stdout.strip().splitlines()) == 4
    code, stdout, _ = cli("report", stored, "--format", "json")
    assert json.loads(stdout)["name"] == "checkout-api-smoke"
    out = tmp_path / "r.html"
    code, _, stderr = cli("report", stored, "--format", "html", "-o", str(out))
    assert out.read_text().startswith("<!doctype html>")
    assert "wrote" in stderr


def test_report_rechecks_thresholds() -> None:
    stored = str(FIXTURES / "prodready-result.json")
    code, stdout, _ = cli("report", stored, "-t", "p99<1s", "-t", "p99.9<1s")
    assert code == 0
    assert "p99.9<1s: PASS" in stdout


def test_report_converts_vegeta_to_evidence(tmp_path: Path) -> None:
    out = tmp_path / "evidence.json"
    code, _, _ = cli(
        "report",
        str(FIXTURES / "vegeta-report.json"),
        "--format",
        "json",
        "-t",
        "p99<300ms",
        "-o",
        str(out),
    )
    assert code == 0
    evidence = json.loads(out.read_text())
    assert evidence["source"]["format"] == "vegeta"
    assert evidence["schema_version"] == "1.0"
    assert evidence["passed"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "/nonexistent.json"], "cannot read"),
        (["report", str(FIXTURES / "wrk-latency.txt"), "--format", "hist"], "no HDR histogram"),
        (["report", str(FIXTURES / "wrk-latency.txt"), "--from", "gatling"], "unknown format"),
        (["report", str(FIXTURES / "wrk-latency.txt"), "--format", "pdf"], "--format 'pdf'"),
    ],
)
def test_report_errors(args: list[str], message: str) -> None:
    code, _, stderr = cli(*args)
    assert code == 2
    assert message in stderr


def test_schema_command() -> None:
    code, stdout, _ = cli("schema")
    assert code == 0
    assert json.loads(stdout)["title"] == "LoadResult"
