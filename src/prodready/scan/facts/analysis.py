"""Run ruff, the one analyser the scanner executes, with a fixed rule set of our own.

``cq.findings`` measures whether Python code is clean by running a real
analyser rather than trusting configuration. The analyser is ruff, a pinned
dependency of prodready, so every machine gives the same answer for the same
prodready version. How it is run, and why (ADR 0040):

- **Our rules, not the repository's.** ``RUFF_SELECT`` minus ``RUFF_IGNORE``
  (pyflakes, bugbear, bandit, McCabe complexity, pylint errors, syntax and
  bug-prone comparisons), plus the complexity limit the policy sets. Every
  repository is measured with the same yardstick, so scores compare.
- **Nothing from the scanned repository is loaded.** ruff never sees the
  repository: the texts the file index admitted are copied into a fresh
  temporary folder (one numbered sub-folder per file, keeping only its
  name), no configuration file is written there, and ruff runs with
  ``--isolated`` (no ``pyproject.toml``/``ruff.toml``, not even the user's),
  ``--no-cache``, and an environment stripped of ``RUFF_*`` variables. ruff
  has no plugins; it parses files and never imports or runs them.
- **Suppressions are ours to judge.** ruff runs with ``--ignore-noqa``; a
  finding is then suppressed only by a comment on its line that names its
  code (``# noqa: S105``, ``# ruff: ignore[S105]``). A bare ``# noqa`` or a
  file-wide ``# ruff: noqa`` cannot hide a whole file's findings. Suppressed
  findings are counted and reported as such.
- **Failures are errors, never a pass.** A missing binary, a crash, a
  timeout or unreadable output raises ``RuffError`` with a message that says
  what to do; the engine turns it into an ``error`` outcome.

Per-file results are a pure function of (file name, text, settings): the
batch runner ``lint_python`` exists only to amortise process start-up, so a
cache keyed by ``(settings_key(...), name, sha256(text))`` is exact.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

__all__ = [
    "RUFF_IGNORE",
    "RUFF_SELECT",
    "SYNTAX_ERROR",
    "FileLint",
    "LintFinding",
    "RuffError",
    "lint_python",
    "lint_python_file",
    "ruff_binary",
    "ruff_command",
    "settings_key",
]

RUFF_SELECT: tuple[str, ...] = (
    "F",  # pyflakes: undefined names, unused imports and variables, redefinitions
    "E9",  # files that cannot be read or parsed
    "E711",  # comparison to None with ==
    "E712",  # comparison to True/False with ==
    "E713",  # `not x in y`
    "E714",  # `not x is y`
    "E721",  # type(x) == T
    "E722",  # bare except (swallows KeyboardInterrupt and SystemExit)
    "B",  # bugbear: likely bugs and design problems
    "S",  # bandit: security
    "C901",  # McCabe cyclomatic complexity over the limit
    "PLE",  # pylint errors: code that fails at runtime
)
"""The rule families every repository is measured with."""

RUFF_IGNORE: tuple[str, ...] = (
    "F405",  # each use of a star-imported name: F403 reports the star import once
    "S101",  # assert: idiomatic for invariants and type narrowing; tests are excluded anyway
    "S104",  # binding 0.0.0.0 is how a containerised service listens
    "S311",  # random for jitter and sampling is not cryptography
    "S603",  # every subprocess call without a shell; shell=True (S602) stays
    "S607",  # a program found on PATH
    "B904",  # `raise ... from` inside except: traceback style, not a defect
    "B905",  # zip() without strict=: a style choice
)
"""Rules left out: high false-positive rates in service code, or style rather
than defects. Kept narrow so a finding means something."""

IMMUTABLE_CALLS: tuple[str, ...] = tuple(
    f"fastapi.{name}"
    for name in ("Depends", "Query", "Path", "Body", "Header", "Cookie", "Form", "File", "Security")
)
"""FastAPI's parameter markers are meant to be called in defaults (B008)."""

TARGET_VERSION = "py314"
"""Parse with the newest grammar ruff knows, so modern syntax is never a
"syntax error"; no selected rule changes with the target version otherwise."""

SYNTAX_ERROR = "syntax-error"
"""The code given to a file ruff cannot parse (ruff's own is ``invalid-syntax``)."""

DEFAULT_TIMEOUT = 120.0
"""Seconds one ruff process may take before the analysis is an error."""
PER_FILE_TIMEOUT = 0.05
"""Extra seconds allowed per file on top of the default."""
BATCH_SIZE = 2000
"""Files per ruff process: keeps the command line far below ARG_MAX."""

_NOQA = re.compile(r"#\s*noqa\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)", re.IGNORECASE)
_RUFF_IGNORE = re.compile(r"#\s*ruff\s*:\s*ignore\s*\[(?P<codes>[^\]]*)\]", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]+[0-9]+")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")


class RuffError(RuntimeError):
    """ruff could not analyse the files; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class LintFinding:
    """One ruff diagnostic, located in the original file."""

    code: str
    """Rule code (``S105``, ``C901``) or ``SYNTAX_ERROR``."""
    name: str
    """Rule name (``hardcoded-password-string``)."""
    message: str
    line: int
    end_line: int
    column: int = 1
    url: str | None = None


@dataclass(frozen=True, slots=True)
class FileLint:
    """ruff's verdict on one file: findings, and those a comment suppressed."""

    findings: tuple[LintFinding, ...] = ()
    suppressed: tuple[LintFinding, ...] = ()


def ruff_binary() -> Path:
    """The ruff executable that ships with prodready (the pinned wheel's), or
    ``RuffError`` when it is missing. Never a ruff found elsewhere on PATH: a
    different version would give different answers."""
    candidates: list[Path] = []
    try:
        from ruff.__main__ import (  # type: ignore[import-untyped]  # lazily: may be missing
            find_ruff_bin,
        )

        candidates.append(Path(find_ruff_bin()))
    except (ImportError, FileNotFoundError, OSError):
        pass
    scripts = Path(sys.executable).parent
    candidates += [scripts / "ruff", scripts / "ruff.exe"]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise RuffError(
        "ruff is not installed next to prodready (looked for the `ruff` wheel's binary and "
        f"{scripts / 'ruff'}); reinstall prodready (`pip install --force-reinstall prodready`)"
    )


def ruff_command(binary: Path | str, max_complexity: int) -> list[str]:
    """The fixed ruff command line (without the files)."""
    immutable = ", ".join(f'"{name}"' for name in IMMUTABLE_CALLS)
    return [
        str(binary),
        "check",
        "--isolated",
        "--no-cache",
        "--ignore-noqa",
        "--no-fix",
        "--no-preview",
        "--output-format",
        "json",
        "--target-version",
        TARGET_VERSION,
        "--select",
        ",".join(RUFF_SELECT),
        "--ignore",
        ",".join(RUFF_IGNORE),
        "--config",
        f"lint.mccabe.max-complexity = {int(max_complexity)}",
        "--config",
        f"lint.flake8-bugbear.extend-immutable-calls = [{immutable}]",
        "--exit-zero",
    ]


def settings_key(max_complexity: int) -> str:
    """What, besides a file's name and text, its result depends on: for a
    cache key. Includes prodready's ruff pin through the package version."""
    return json.dumps(
        {
            "ruff": _ruff_version(),
            "select": RUFF_SELECT,
            "ignore": RUFF_IGNORE,
            "immutable": IMMUTABLE_CALLS,
            "target": TARGET_VERSION,
            "max_complexity": int(max_complexity),
        },
        sort_keys=True,
    )


def _ruff_version() -> str:
    try:
        from importlib.metadata import version

        return version("ruff")
    except Exception:  # metadata missing: the key only loses precision
        return "unknown"


def lint_python_file(path: str, text: str, *, max_complexity: int) -> FileLint:
    """ruff's verdict on one file (one process; prefer ``lint_python`` for many)."""
    return lint_python({path: text}, max_complexity=max_complexity)[path]


def lint_python(
    files: Mapping[str, str],
    *,
    max_complexity: int,
    binary: Path | None = None,
    timeout: float | None = None,
) -> dict[str, FileLint]:
    """ruff's verdict on every file of ``files`` (repository path -> text).

    Raises ``RuffError`` when ruff is missing or fails; a file ruff cannot
    parse is a ``SYNTAX_ERROR`` finding, not an error."""
    if not files:
        return {}
    exe = binary if binary is not None else ruff_binary()
    items = sorted(files.items())
    results: dict[str, FileLint] = {}
    with tempfile.TemporaryDirectory(prefix="prodready-ruff-") as tmp:
        base = Path(tmp)
        work = base / "files"
        work.mkdir()
        for start in range(0, len(items), BATCH_SIZE):
            batch = items[start : start + BATCH_SIZE]
            copies = _write_copies(work, start, batch)
            diagnostics = _run(exe, base, list(copies), max_complexity, timeout)
            by_copy: dict[str, list[dict[str, Any]]] = {}
            for item in diagnostics:
                by_copy.setdefault(str(item.get("filename", "")), []).append(item)
            for copy, (path, text) in copies.items():
                results[path] = _file_result(by_copy.get(copy, []), text)
    return results


def _write_copies(
    work: Path, start: int, batch: list[tuple[str, str]]
) -> dict[str, tuple[str, str]]:
    """Copy each text to ``work/<n>/<name>``: ruff sees the file name (rules
    such as unused imports in ``__init__.py`` depend on it), never the
    repository's folders."""
    copies: dict[str, tuple[str, str]] = {}
    for offset, (path, text) in enumerate(batch):
        name = _SAFE_NAME.sub("_", PurePosixPath(path).name) or "module.py"
        if not name.endswith(".py"):
            name += ".py"
        folder = work / str(start + offset)
        folder.mkdir()
        target = folder / name
        target.write_text(text, encoding="utf-8", errors="surrogateescape")
        copies[str(target.resolve())] = (path, text)
    return copies


def _environment(home: Path) -> dict[str, str]:
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home), "LANG": "C.UTF-8", "NO_COLOR": "1"}
    for name in ("PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _run(
    exe: Path, base: Path, paths: list[str], max_complexity: int, timeout: float | None
) -> list[dict[str, Any]]:
    limit = timeout if timeout is not None else DEFAULT_TIMEOUT + PER_FILE_TIMEOUT * len(paths)
    command = [*ruff_command(exe, max_complexity), "--", *paths]
    try:
        done = subprocess.run(  # noqa: S603 - our pinned binary, fixed arguments, no shell
            command,
            cwd=base,
            env=_environment(base),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=limit,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RuffError(f"ruff did not finish within {limit:.0f} s on {len(paths)} files") from None
    except OSError as exc:
        raise RuffError(f"ruff could not be started ({exe}): {exc.strerror or exc}") from None
    if done.returncode != 0:
        detail = _tail(done.stderr) or _tail(done.stdout) or "no output"
        raise RuffError(f"ruff exited with status {done.returncode}: {detail}")
    try:
        data = json.loads(done.stdout.decode("utf-8", "replace") or "[]")
    except ValueError as exc:
        raise RuffError(f"ruff's output is not the JSON expected: {exc}") from None
    if not isinstance(data, list):
        raise RuffError("ruff's output is not a list of diagnostics")
    return [item for item in data if isinstance(item, dict)]


def _tail(output: bytes, limit: int = 400) -> str:
    text = output.decode("utf-8", "replace").strip()
    return text[-limit:]


def _file_result(items: list[dict[str, Any]], text: str) -> FileLint:
    lines: list[str] | None = None
    findings: list[LintFinding] = []
    suppressed: list[LintFinding] = []
    syntax_seen = False
    for item in sorted(items, key=_position):
        found = _finding(item)
        if found.code == SYNTAX_ERROR:
            if syntax_seen:
                continue  # one finding per unparsable file: the first error
            syntax_seen = True
            findings.append(found)
            continue
        noqa_row = item.get("noqa_row")
        if isinstance(noqa_row, int) and noqa_row > 0:
            if lines is None:
                lines = text.splitlines()
            if noqa_row <= len(lines) and found.code in _suppressed_codes(lines[noqa_row - 1]):
                suppressed.append(found)
                continue
        findings.append(found)
    return FileLint(tuple(findings), tuple(suppressed))


def _position(item: dict[str, Any]) -> tuple[int, int, str]:
    location = item.get("location") or {}
    return (_int(location.get("row")), _int(location.get("column")), str(item.get("code")))


def _int(value: object, default: int = 1) -> int:
    return value if isinstance(value, int) and value > 0 else default


def _finding(item: dict[str, Any]) -> LintFinding:
    code = item.get("code")
    name = str(item.get("name") or "")
    if not isinstance(code, str) or not code or code == "invalid-syntax" or code.startswith("E9"):
        code, name = SYNTAX_ERROR, name or "invalid-syntax"
    location = item.get("location") or {}
    end = item.get("end_location") or {}
    line = _int(location.get("row"))
    url = item.get("url")
    return LintFinding(
        code=code,
        name=name,
        message=str(item.get("message") or name),
        line=line,
        end_line=max(line, _int(end.get("row"), line)),
        column=_int(location.get("column")),
        url=url if isinstance(url, str) else None,
    )


def _suppressed_codes(line: str) -> frozenset[str]:
    """Codes a comment on ``line`` names explicitly."""
    if "#" not in line:
        return frozenset()
    codes: set[str] = set()
    for pattern in (_NOQA, _RUFF_IGNORE):
        for match in pattern.finditer(line):
            codes.update(code.upper() for code in _CODE.findall(match.group("codes").upper()))
    return frozenset(codes)
