"""Shared plumbing of the dependency collectors: cached reads and parses,
line lookup, folder grouping."""

from __future__ import annotations

import json
import posixpath
import re
import tomllib
from typing import Any

from prodready.scan.facts.source import ParseProblem, RepoFiles

EXCLUDED_PARTS = frozenset(
    {
        "node_modules",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "site-packages",
        "vendor",
        "third_party",
        ".git",
        "dist",
        "build",
    }
)


class DepsContext:
    """What every ecosystem collector needs: the paths, cached text and
    TOML/JSON parses, and one list of problems."""

    def __init__(self, files: RepoFiles) -> None:
        self.files = files
        self.paths = sorted(files.paths())
        self.path_set = frozenset(self.paths)
        self.problems: list[ParseProblem] = []
        self._text: dict[str, str | None] = {}
        self._toml: dict[str, dict[str, Any] | None] = {}
        self._json: dict[str, Any] = {}

    def read(self, path: str) -> str | None:
        if path not in self._text:
            self._text[path] = self.files.read_text(path) if path in self.path_set else None
        return self._text[path]

    def toml(self, path: str) -> dict[str, Any] | None:
        if path not in self._toml:
            text = self.read(path)
            value: dict[str, Any] | None = None
            if text is not None:
                try:
                    value = tomllib.loads(text)
                except tomllib.TOMLDecodeError as exc:
                    message = str(exc).splitlines()[0] if str(exc) else "syntax error"
                    match = re.search(r"line (\d+)", message)
                    self.problems.append(
                        ParseProblem(
                            path, f"invalid TOML: {message}", int(match.group(1)) if match else None
                        )
                    )
                except (RecursionError, ValueError) as exc:
                    self.problems.append(ParseProblem(path, f"invalid TOML: {type(exc).__name__}"))
            self._toml[path] = value
        return self._toml[path]

    def json(self, path: str, *, lenient: bool = False) -> Any:
        if path not in self._json:
            text = self.read(path)
            value: Any = None
            if text is not None:
                try:
                    value = _loads(text, lenient)
                except json.JSONDecodeError as exc:
                    self.problems.append(ParseProblem(path, f"invalid JSON: {exc.msg}", exc.lineno))
                except (RecursionError, ValueError) as exc:
                    self.problems.append(ParseProblem(path, f"invalid JSON: {type(exc).__name__}"))
            self._json[path] = value
        return self._json[path]


def _loads(text: str, lenient: bool) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        if not lenient:
            raise
    cleaned, quoted = strip_json_comments(text)
    try:
        return json.loads(cleaned)
    except json.JSONDecodeError:
        return json.loads(quoted)


def excluded(path: str) -> bool:
    """Vendored, installed or generated trees hold other people's manifests."""
    return any(part in EXCLUDED_PARTS for part in path.split("/")[:-1])


def directory(path: str) -> str:
    return posixpath.dirname(path) or "."


def join(base: str, relative: str) -> str:
    return posixpath.normpath(posixpath.join(base, relative))


def ancestors(folder: str) -> list[str]:
    """``a/b/c`` -> ``[a/b/c, a/b, a, .]``."""
    chain = [folder]
    current = folder
    while current not in (".", ""):
        current = posixpath.dirname(current) or "."
        chain.append(current)
    return chain


def line_of_text(text: str, needle: str, start: int = 0) -> int | None:
    """1-based line of the first ``needle`` at or after ``start``."""
    position = text.find(needle, start)
    if position < 0:
        return None
    return text.count("\n", 0, position) + 1


def table_start(text: str, table: str) -> int:
    """Offset of a ``[table]`` header (0 when absent)."""
    for match in re.finditer(r"^\[([^\]\n]+)\]", text, re.MULTILINE):
        if match.group(1).replace('"', "").replace("'", "").strip() == table:
            return match.start()
    return 0


def strip_json_comments(text: str) -> tuple[str, str]:
    """JSON5-ish to JSON: (without comments and trailing commas, the same
    with bare keys quoted too). Best effort, for renovate.json5."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            chunk = text[i : j + 1]
            if c == "'":
                chunk = '"' + chunk[1:-1].replace('"', '\\"') + '"'
            out.append(chunk)
            i = j + 1
            continue
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        out.append(c)
        i += 1
    cleaned = re.sub(r",(\s*[}\]])", r"\1", "".join(out))
    return cleaned, re.sub(r"([{,]\s*)([A-Za-z_$][\w$]*)(\s*):", r'\1"\2"\3:', cleaned)
