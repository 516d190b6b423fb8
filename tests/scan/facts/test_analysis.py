"""The ruff runner: our fixed rule set, nothing loaded from the scanned repo, clear errors."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from prodready.scan.facts.analysis import (
    RUFF_IGNORE,
    RUFF_SELECT,
    SYNTAX_ERROR,
    RuffError,
    lint_python,
    lint_python_file,
    ruff_binary,
    ruff_command,
    settings_key,
)

HARDCODED = 'API_TOKEN = "kU9sT2vX7qL4mN8pR3wY"\n'
UNUSED_IMPORT = "import os\n"


def codes(text: str, path: str = "app.py", max_complexity: int = 10) -> list[str]:
    return [f.code for f in lint_python_file(path, text, max_complexity=max_complexity).findings]


def test_the_binary_is_the_pinned_one_next_to_prodready() -> None:
    binary = ruff_binary()
    assert binary.is_file()
    assert os.access(binary, os.X_OK)
    assert binary.parent in (Path(sys.executable).parent, binary.parent)


def test_the_fixed_rule_set_finds_bugs_security_and_complexity() -> None:
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(12))
    text = (
        "import os\n"
        "def f(x, items=[]):\n"  # B006
        "    eval(x)\n"  # S307
        "    return undefined_name\n"  # F821
        f"def g(x):\n{branches}    return -1\n"  # C901 (13 > 10)
    )
    found = codes(text)
    assert {"F401", "B006", "S307", "F821", "C901"} <= set(found)


def test_the_complexity_limit_is_ours() -> None:
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(12))
    text = f"def g(x):\n{branches}    return -1\n"
    assert "C901" in codes(text, max_complexity=10)
    assert "C901" not in codes(text, max_complexity=15)


def test_ignored_rules_are_not_reported() -> None:
    text = "import random\nassert True\nHOST = '0.0.0.0'\nJITTER = random.random()\n"
    assert codes(text) == []
    assert "S101" in RUFF_IGNORE
    assert "S" in RUFF_SELECT


def test_fastapi_parameter_markers_are_not_b008() -> None:
    text = (
        "from fastapi import Depends, Query\n\n"
        "def db(): ...\n\n"
        "def endpoint(q: str = Query(None), session=Depends(db)):\n"
        "    return q, session\n"
    )
    assert codes(text) == []


def test_suppressions_must_name_the_code() -> None:
    text = (
        'API_TOKEN = "kU9sT2vX7qL4mN8pR3wY"  # noqa: S105\n'
        "import os  # noqa\n"
        "import sys  # noqa: E501\n"
        "import json  # ruff: ignore[F401]\n"
    )
    result = lint_python_file("app.py", text, max_complexity=10)
    assert [(f.code, f.line) for f in result.findings] == [("F401", 2), ("F401", 3)]
    assert sorted((f.code, f.line) for f in result.suppressed) == [("F401", 4), ("S105", 1)]


def test_a_file_wide_noqa_does_not_hide_the_file() -> None:
    text = "# ruff: noqa\n# flake8: noqa\n" + UNUSED_IMPORT + HARDCODED
    assert sorted(codes(text)) == ["F401", "S105"]


def test_a_file_that_does_not_parse_is_one_finding() -> None:
    result = lint_python_file("broken.py", "def f(:\n    pass\nprint 'x'\n", max_complexity=10)
    assert [f.code for f in result.findings] == [SYNTAX_ERROR]
    assert result.findings[0].line == 1


def test_hostile_configuration_in_the_scanned_repo_changes_nothing(tmp_path: Path) -> None:
    """The repository's ruff.toml/pyproject.toml would silence everything and
    load a config from elsewhere; the runner never copies, reads or uses them."""
    hostile = {
        "ruff.toml": 'extend = "/etc/passwd"\n[lint]\nselect = []\nignore = ["ALL"]\n',
        "pyproject.toml": (
            '[tool.ruff]\nextend-exclude = ["*.py"]\n'
            '[tool.ruff.lint.per-file-ignores]\n"*" = ["S", "F"]\n'
        ),
        ".ruff.toml": "[lint]\nselect = []\n",
    }
    files = {"pkg/app.py": UNUSED_IMPORT + HARDCODED, **hostile}
    python = {p: t for p, t in files.items() if p.endswith(".py")}
    result = lint_python(python, max_complexity=10)
    assert sorted(f.code for f in result["pkg/app.py"].findings) == ["F401", "S105"]


def test_isolated_ignores_a_hostile_config_even_in_place(tmp_path: Path) -> None:
    """Belt and braces: even run inside the repository, our command line
    ignores its configuration. The control run shows the config would bite."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ruff.lint.per-file-ignores]\n"*" = ["S", "F"]\n'
    )
    (tmp_path / "app.py").write_text(UNUSED_IMPORT + HARDCODED)
    ours = subprocess.run(
        [*ruff_command(ruff_binary(), 10), "app.py"],
        cwd=tmp_path,
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert sorted(d["code"] for d in json.loads(ours.stdout)) == ["F401", "S105"]
    control = [a for a in ruff_command(ruff_binary(), 10) if a != "--isolated"]
    theirs = subprocess.run(
        [*control, "app.py"], cwd=tmp_path, capture_output=True, check=True, timeout=60
    )
    assert json.loads(theirs.stdout) == []


def test_the_command_line_loads_nothing_from_anywhere() -> None:
    command = ruff_command("ruff", 15)
    assert "--isolated" in command
    assert "--no-cache" in command
    assert "--fix" not in command
    assert not any(arg.endswith((".toml", ".cfg", ".ini")) for arg in command)
    # every --config is an inline setting of ours, never a file
    values = [command[i + 1] for i, arg in enumerate(command) if arg == "--config"]
    assert values
    assert all("=" in v for v in values)


def test_ruff_environment_variables_of_the_user_do_not_leak(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RUFF_OUTPUT_FORMAT", "concise")
    monkeypatch.setenv("RUFF_NO_CACHE", "false")
    assert codes(UNUSED_IMPORT) == ["F401"]


def test_results_per_file_do_not_depend_on_the_batch() -> None:
    """The contract a content-hash cache relies on."""
    files = {
        "a/__init__.py": "from .x import y\n",
        "b/app.py": UNUSED_IMPORT + HARDCODED,
        "c/odd name (1).py": "def f(x):\n    return eval(x)\n",
        "d/ünïcode.py": "x = 1\nif x == None:\n    pass\n",
    }
    together = lint_python(files, max_complexity=10)
    for path, text in files.items():
        assert lint_python({path: text}, max_complexity=10)[path] == together[path]
    assert [f.code for f in together["d/ünïcode.py"].findings] == ["E711"]
    assert [f.code for f in together["c/odd name (1).py"].findings] == ["S307"]


def test_no_files_runs_nothing() -> None:
    assert lint_python({}, max_complexity=10, binary=Path("/nonexistent/ruff")) == {}


def test_a_missing_binary_is_a_clear_error() -> None:
    with pytest.raises(RuffError, match="could not be started"):
        lint_python({"a.py": "x = 1\n"}, max_complexity=10, binary=Path("/nonexistent/ruff"))


def _script(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake-ruff"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_a_failing_or_garbled_ruff_is_a_clear_error(tmp_path: Path) -> None:
    crash = _script(tmp_path, "echo 'ruff failed: boom' >&2\nexit 2")
    with pytest.raises(RuffError, match="exited with status 2: ruff failed: boom"):
        lint_python({"a.py": "x = 1\n"}, max_complexity=10, binary=crash)
    garbled = _script(tmp_path, "echo 'not json'")
    with pytest.raises(RuffError, match="not the JSON expected"):
        lint_python({"a.py": "x = 1\n"}, max_complexity=10, binary=garbled)


def test_a_hanging_ruff_times_out(tmp_path: Path) -> None:
    hang = _script(tmp_path, "exec sleep 30")
    with pytest.raises(RuffError, match="did not finish within"):
        lint_python({"a.py": "x = 1\n"}, max_complexity=10, binary=hang, timeout=0.5)


def test_the_settings_key_changes_with_the_limit() -> None:
    assert settings_key(10) != settings_key(15)
    assert settings_key(10) == settings_key(10)
