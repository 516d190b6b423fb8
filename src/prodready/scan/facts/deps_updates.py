"""Automated dependency updates: Dependabot and Renovate configuration.

A Dependabot file with a typo'd ecosystem (``pipenv``, ``go``), no
``directory`` or no ``schedule`` is rejected by GitHub and updates nothing,
so it is validated and each mistake is a located problem. Renovate is read
from any of its config files (JSON or JSON5) or the ``renovate`` key of
package.json; ``enabled: false`` turns it off, ``enabledManagers`` limits it.
"""

from __future__ import annotations

from typing import Any

from prodready.scan.facts.ci_yaml import line_of, load_yaml, text_of
from prodready.scan.facts.deps_common import DepsContext
from prodready.scan.facts.deps_model import Ecosystem, UpdateConfig
from prodready.scan.facts.source import ParseProblem

OSV_ALERTS = "osvVulnerabilityAlerts: security updates from the OSV database"
"""The note a Renovate config gets when it raises PRs for vulnerable dependencies itself."""
SECURITY_ONLY = "security updates only"
"""Part of the note of a Dependabot entry whose version updates are off."""
DEPENDABOT_PATHS = (".github/dependabot.yml", ".github/dependabot.yaml")
RENOVATE_PATHS = (
    "renovate.json",
    "renovate.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
)
DEPENDABOT_ECOSYSTEMS: dict[str, Ecosystem | None] = {
    "pip": Ecosystem.PYTHON,
    "uv": Ecosystem.PYTHON,
    "gomod": Ecosystem.GO,
    "npm": Ecosystem.JAVASCRIPT,
    "bun": Ecosystem.JAVASCRIPT,
    "maven": Ecosystem.MAVEN,
    "gradle": Ecosystem.GRADLE,
    "bundler": None,
    "cargo": None,
    "composer": None,
    "devcontainers": None,
    "docker": None,
    "docker-compose": None,
    "dotnet-sdk": None,
    "elm": None,
    "gitsubmodule": None,
    "github-actions": None,
    "helm": None,
    "mix": None,
    "nuget": None,
    "pub": None,
    "swift": None,
    "terraform": None,
    "rust-toolchain": None,
    "conda": None,
    "pre-commit": None,
    "vcpkg": None,
}
_HINTS = {
    "pipenv": "pip",
    "poetry": "pip",
    "python": "pip",
    "go": "gomod",
    "golang": "gomod",
    "yarn": "npm",
    "pnpm": "npm",
    "javascript": "npm",
    "node": "npm",
    "github_actions": "github-actions",
    "actions": "github-actions",
}
_INTERVALS = frozenset(
    {"daily", "weekly", "monthly", "quarterly", "semiannually", "yearly", "cron"}
)
_RENOVATE_MANAGERS: dict[str, Ecosystem] = {
    "pip_requirements": Ecosystem.PYTHON,
    "pip_setup": Ecosystem.PYTHON,
    "pip-compile": Ecosystem.PYTHON,
    "pipenv": Ecosystem.PYTHON,
    "poetry": Ecosystem.PYTHON,
    "pep621": Ecosystem.PYTHON,
    "pep723": Ecosystem.PYTHON,
    "setup-cfg": Ecosystem.PYTHON,
    "gomod": Ecosystem.GO,
    "npm": Ecosystem.JAVASCRIPT,
    "bun": Ecosystem.JAVASCRIPT,
    "maven": Ecosystem.MAVEN,
    "gradle": Ecosystem.GRADLE,
}


def collect_updates(ctx: DepsContext) -> list[UpdateConfig]:
    configs: list[UpdateConfig] = []
    for path in DEPENDABOT_PATHS:
        if path in ctx.path_set:
            config = _dependabot(ctx, path)
            if config is not None:
                configs.append(config)
    for path in RENOVATE_PATHS:
        if path in ctx.path_set:
            data = ctx.json(path, lenient=path.endswith(".json5") or path == ".renovaterc")
            if isinstance(data, dict):
                configs.append(_renovate(path, 1, data))
            elif data is not None:
                ctx.problems.append(ParseProblem(path, "Renovate config is not a JSON object", 1))
    if "package.json" in ctx.path_set:
        data = ctx.json("package.json")
        if isinstance(data, dict) and isinstance(data.get("renovate"), dict):
            text = ctx.read("package.json") or ""
            position = text.find('"renovate"')
            line = text.count("\n", 0, position) + 1 if position >= 0 else None
            configs.append(_renovate("package.json", line, data["renovate"]))
    return configs


def _dependabot(ctx: DepsContext, path: str) -> UpdateConfig | None:
    text = ctx.read(path) or ""
    documents, problems = load_yaml(path, text)
    ctx.problems.extend(problems)
    doc = documents[0] if documents else None
    if not isinstance(doc, dict):
        if doc is not None or not problems:
            ctx.problems.append(ParseProblem(path, "dependabot config is not a mapping", 1))
        return None
    notes: list[str] = []
    if text_of(doc.get("version")) != "2":
        ctx.problems.append(
            ParseProblem(path, "dependabot config needs `version: 2`", line_of(doc, "version"))
        )
    updates = doc.get("updates")
    if not isinstance(updates, list) or not updates:
        ctx.problems.append(
            ParseProblem(path, "dependabot config has no `updates` list", line_of(doc, "updates"))
        )
        return UpdateConfig(
            "dependabot", path, 1, (), frozenset(), False, ("no updates configured",)
        )
    names: list[str] = []
    covers: set[Ecosystem] = set()
    directories: list[tuple[Ecosystem, str]] = []
    valid = 0
    for index, entry in enumerate(updates):
        line = line_of(updates, index)
        if not isinstance(entry, dict):
            ctx.problems.append(ParseProblem(path, "update entry is not a mapping", line))
            continue
        ecosystem = text_of(entry.get("package-ecosystem"))
        ok = True
        if ecosystem is None:
            ctx.problems.append(
                ParseProblem(path, "update entry without `package-ecosystem`", line)
            )
            ok = False
        elif ecosystem not in DEPENDABOT_ECOSYSTEMS:
            hint = _HINTS.get(ecosystem.lower())
            suggestion = f" (did you mean `{hint}`?)" if hint else ""
            ctx.problems.append(
                ParseProblem(
                    path,
                    f"unknown package-ecosystem `{ecosystem}`{suggestion}",
                    line_of(entry, "package-ecosystem"),
                )
            )
            ok = False
        if entry.get("directory") is None and entry.get("directories") is None:
            ctx.problems.append(
                ParseProblem(path, f"update entry `{ecosystem}` has no `directory`", line)
            )
            ok = False
        schedule = entry.get("schedule")
        interval = text_of(schedule.get("interval")) if isinstance(schedule, dict) else None
        if interval is None or interval not in _INTERVALS:
            ctx.problems.append(
                ParseProblem(
                    path,
                    f"update entry `{ecosystem}` needs `schedule.interval` "
                    "(daily, weekly, monthly...)",
                    line_of(entry, "schedule"),
                )
            )
            ok = False
        limit = entry.get("open-pull-requests-limit")
        if limit == 0:
            notes.append(
                f"`{ecosystem}`: open-pull-requests-limit 0 "
                "(version updates off, security updates only)"
            )
        if ecosystem is not None:
            names.append(ecosystem)
        if ok and ecosystem is not None:
            valid += 1
            mapped = DEPENDABOT_ECOSYSTEMS.get(ecosystem)
            if mapped is not None:
                covers.add(mapped)
                directories.extend((mapped, d) for d in _entry_directories(entry))
    return UpdateConfig(
        "dependabot",
        path,
        1,
        tuple(names),
        frozenset(covers),
        valid > 0,
        tuple(notes),
        directories=tuple(directories),
    )


def _entry_directories(entry: dict[str, Any]) -> list[str]:
    """``directory`` and ``directories`` (globs allowed) of an update entry."""
    found = [text_of(entry.get("directory"))]
    listed = entry.get("directories")
    if isinstance(listed, list):
        found.extend(text_of(d) for d in listed)
    return [d for d in found if d]


def _renovate(path: str, line: int | None, data: dict[str, Any]) -> UpdateConfig:
    enabled = data.get("enabled") is not False
    managers = data.get("enabledManagers")
    notes: list[str] = []
    if isinstance(managers, list) and managers:
        names = tuple(str(m) for m in managers)
        covers = frozenset(_RENOVATE_MANAGERS[m] for m in names if m in _RENOVATE_MANAGERS)
    else:
        names = ()
        covers = frozenset(Ecosystem)
    if not enabled:
        notes.append("`enabled: false`")
    extends = data.get("extends")
    if isinstance(extends, list):
        notes.extend(f"extends {e}" for e in extends if isinstance(e, str))
    if data.get("osvVulnerabilityAlerts") is True:
        notes.append(OSV_ALERTS)
    return UpdateConfig("renovate", path, line, names, covers, enabled, tuple(notes))
