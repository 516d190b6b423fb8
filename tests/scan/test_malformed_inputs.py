"""Malformed inputs give findings or warnings, never a traceback.

The committed ``malformed`` fixture has broken TOML, YAML (single and
multi-document), JSON, a Python syntax error, a Python file ast warns about,
a binary file and a Latin-1 text file. What cannot be committed is added at
test time: symlinks out of the root and in a loop, a dangling link, a 50 MB
file, a FIFO and a file name that is not valid UTF-8.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import FIXTURE_REPOS
from tests.scan.conftest import validate_document

PRODREADY = str(Path(sys.executable).parent / "prodready")
SARIF_SCHEMA = json.loads((FIXTURE_REPOS.parent / "sarif" / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture(scope="module")
def scanned(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    base = tmp_path_factory.mktemp("malformed")
    repo = base / "repo"
    shutil.copytree(FIXTURE_REPOS / "malformed", repo)
    outside = base / "outside"
    outside.mkdir()
    (outside / "passwords.txt").write_text("root:hunter2\n")
    (repo / "leak").symlink_to(outside / "passwords.txt")
    (repo / "leak-dir").symlink_to(outside)
    (repo / "app" / "loop").symlink_to(repo / "app")
    (repo / "dangling").symlink_to(repo / "nowhere")
    with (repo / "dump.sql").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    os.mkfifo(repo / "pipe")
    (repo / "tests").mkdir()
    with open(os.fsencode(repo) + b"/tests/test_r\xe9sum\xe9.py", "wb") as handle:
        handle.write(b"def test_hello():\n    assert True\n")
    reports = base / "reports"
    done = subprocess.run(
        [
            PRODREADY,
            "scan",
            str(repo),
            "--no-progress",
            "-f",
            "text",
            "-f",
            "json",
            "-f",
            "sarif",
            "-f",
            "html",
            "-f",
            "markdown",
            f"--output=json={reports / 'r.json'}",
            f"--output=sarif={reports / 'r.sarif'}",
            f"--output=html={reports / 'r.html'}",
            f"--output=markdown={reports / 'r.md'}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done, reports


def test_no_traceback_and_a_normal_exit(
    scanned: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    done, _ = scanned
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "Warnings" in done.stdout


def test_reports_are_valid_and_json_safe(
    scanned: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, reports = scanned
    document = json.loads((reports / "r.json").read_text(encoding="utf-8"))
    validate_document(document)
    jsonschema.validate(json.loads((reports / "r.sarif").read_text()), SARIF_SCHEMA)
    (reports / "r.html").read_text(encoding="utf-8")
    (reports / "r.md").read_text(encoding="utf-8")


def test_every_problem_is_a_located_warning(
    scanned: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, reports = scanned
    document = json.loads((reports / "r.json").read_text(encoding="utf-8"))
    warnings = {(w["code"], w["path"]) for w in document["warnings"]}
    lines = {w["path"]: w["line"] for w in document["warnings"]}
    for path in (
        "pyproject.toml",
        ".github/workflows/ci.yml",
        "config/settings.json",
        "config/deploy.yaml",
        "app/__main__.py",
    ):
        assert ("parse-error", path) in warnings, path
        assert lines[path] is not None, path
    assert ("binary", "logo.png") in warnings
    assert ("binary", "notes-latin1.txt") in warnings
    assert ("too-large", "dump.sql") in warnings
    assert ("special-file", "pipe") in warnings
    assert ("symlink-escape", "leak") in warnings
    assert ("symlink-escape", "leak-dir") in warnings
    assert ("symlink-loop", "app/loop") in warnings
    assert "app/deep.py" not in lines  # valid Python that only warns is fine
    assert document["repository"]["files_skipped"] >= 8
    assert "hunter2" not in json.dumps(document)


def test_the_odd_file_name_is_indexed_and_shown_escaped(
    scanned: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    done, reports = scanned
    document = json.loads((reports / "r.json").read_text(encoding="utf-8"))
    assert document["repository"]["files_scanned"] == 9
    unit = next(c for c in document["services"][0]["checks"] if c["id"] == "test.unit")
    assert [e["path"] for e in unit["evidence"]] == ["tests/test_r\\xe9sum\\xe9.py"]
    assert "tests/test_r\\xe9sum\\xe9.py" in (reports / "r.html").read_text(encoding="utf-8")
    assert "Traceback" not in done.stderr
