"""Analyser configuration and coverage facts.

``cq.lint`` asks "is a linter configured for each main language", which a
CI command answers only in part: a ``[tool.ruff]`` table, a
``.golangci.yml``, an ``eslint.config.js`` or a checkstyle plugin in a
``pom.xml`` is configuration too. ``test.coverage`` asks whether coverage is
measured and meets a threshold: thresholds live in coverage configs
(``fail_under``, ``--cov-fail-under``, Jest ``coverageThreshold``, JaCoCo
rules, codecov targets) and committed reports say what was measured
(Cobertura ``line-rate``, JaCoCo counters, lcov ``LF``/``LH``, Go cover
profiles, coverage.py JSON, Istanbul summaries, Clover).

Everything is read as text, TOML, INI, YAML or JSON; XML reports are read
with bounded string scans (no XML parser, so no entity expansion).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable
from typing import Any

from prodready.scan.facts.ci_ini import IniFile, parse_ini
from prodready.scan.facts.ci_model import (
    CommandRun,
    CoverageConfig,
    CoverageReport,
    ToolCategory,
    ToolConfig,
)
from prodready.scan.facts.ci_runners import load_toml
from prodready.scan.facts.ci_tools import (
    DEPSCAN,
    FORMAT,
    GO,
    JAVA,
    JS,
    LINT,
    PY,
    SAST,
    SECRETS,
    TYPECHECK,
)
from prodready.scan.facts.ci_yaml import as_dict, load_yaml, text_of
from prodready.scan.facts.source import ParseProblem, RepoFiles

_PYPROJECT_TOOLS: dict[str, tuple[str, frozenset[ToolCategory], frozenset[str]]] = {
    "black": ("black", frozenset({FORMAT}), PY),
    "isort": ("isort", frozenset({FORMAT}), PY),
    "pylint": ("pylint", frozenset({LINT}), PY),
    "flake8": ("flake8", frozenset({LINT}), PY),
    "mypy": ("mypy", frozenset({TYPECHECK}), PY),
    "pyright": ("pyright", frozenset({TYPECHECK}), PY),
    "basedpyright": ("pyright", frozenset({TYPECHECK}), PY),
    "bandit": ("bandit", frozenset({SAST}), PY),
    "yapf": ("yapf", frozenset({FORMAT}), PY),
    "autopep8": ("autopep8", frozenset({FORMAT}), PY),
    "pydocstyle": ("pydocstyle", frozenset({LINT}), PY),
    "vulture": ("vulture", frozenset({LINT}), PY),
    "pyre": ("pyre", frozenset({TYPECHECK}), PY),
}
_INI_SECTIONS: dict[str, tuple[str, frozenset[ToolCategory], frozenset[str]]] = {
    "flake8": ("flake8", frozenset({LINT}), PY),
    "isort": ("isort", frozenset({FORMAT}), PY),
    "mypy": ("mypy", frozenset({TYPECHECK}), PY),
    "pycodestyle": ("pycodestyle", frozenset({LINT}), PY),
    "pydocstyle": ("pydocstyle", frozenset({LINT}), PY),
    "pylint": ("pylint", frozenset({LINT}), PY),
    "pylint.main": ("pylint", frozenset({LINT}), PY),
    "pylint.messages control": ("pylint", frozenset({LINT}), PY),
    "bandit": ("bandit", frozenset({SAST}), PY),
    "yapf": ("yapf", frozenset({FORMAT}), PY),
}
_FILES: dict[str, tuple[str, frozenset[ToolCategory], frozenset[str]]] = {
    ".flake8": ("flake8", frozenset({LINT}), PY),
    ".pylintrc": ("pylint", frozenset({LINT}), PY),
    "pylintrc": ("pylint", frozenset({LINT}), PY),
    ".isort.cfg": ("isort", frozenset({FORMAT}), PY),
    "mypy.ini": ("mypy", frozenset({TYPECHECK}), PY),
    ".mypy.ini": ("mypy", frozenset({TYPECHECK}), PY),
    "pyrightconfig.json": ("pyright", frozenset({TYPECHECK}), PY),
    ".bandit": ("bandit", frozenset({SAST}), PY),
    "bandit.yaml": ("bandit", frozenset({SAST}), PY),
    "bandit.yml": ("bandit", frozenset({SAST}), PY),
    ".bandit.yml": ("bandit", frozenset({SAST}), PY),
    ".style.yapf": ("yapf", frozenset({FORMAT}), PY),
    "staticcheck.conf": ("staticcheck", frozenset({LINT}), GO),
    "revive.toml": ("revive", frozenset({LINT}), GO),
    ".revive.toml": ("revive", frozenset({LINT}), GO),
    "biome.json": ("biome", frozenset({LINT, FORMAT}), JS),
    "biome.jsonc": ("biome", frozenset({LINT, FORMAT}), JS),
    ".oxlintrc.json": ("oxlint", frozenset({LINT}), JS),
    ".jshintrc": ("jshint", frozenset({LINT}), JS),
    "tslint.json": ("tslint", frozenset({LINT}), JS),
    "dprint.json": ("dprint", frozenset({FORMAT}), JS),
    ".dprint.json": ("dprint", frozenset({FORMAT}), JS),
    "checkstyle.xml": ("checkstyle", frozenset({LINT}), JAVA),
    "spotbugs-exclude.xml": ("spotbugs", frozenset({LINT}), JAVA),
    "detekt.yml": ("detekt", frozenset({LINT}), frozenset({"kotlin"})),
    ".editorconfig-checker.json": ("editorconfig-checker", frozenset({LINT}), frozenset()),
    ".semgrep.yml": ("semgrep", frozenset({SAST}), frozenset()),
    ".semgrep.yaml": ("semgrep", frozenset({SAST}), frozenset()),
    "semgrep.yml": ("semgrep", frozenset({SAST}), frozenset()),
    "semgrep.yaml": ("semgrep", frozenset({SAST}), frozenset()),
    "sonar-project.properties": ("sonar", frozenset({SAST}), frozenset()),
    "codeql-config.yml": ("codeql", frozenset({SAST}), frozenset()),
    ".snyk": ("snyk", frozenset({DEPSCAN}), frozenset()),
    "trivy.yaml": ("trivy", frozenset({DEPSCAN}), frozenset()),
    ".trivyignore": ("trivy", frozenset({DEPSCAN}), frozenset()),
    "osv-scanner.toml": ("osv-scanner", frozenset({DEPSCAN}), frozenset()),
    ".gitleaks.toml": ("gitleaks", frozenset({SECRETS}), frozenset()),
    ".secrets.baseline": ("detect-secrets", frozenset({SECRETS}), frozenset()),
    ".shellcheckrc": ("shellcheck", frozenset({LINT}), frozenset({"shell"})),
    ".hadolint.yaml": ("hadolint", frozenset({LINT}), frozenset({"dockerfile"})),
    ".hadolint.yml": ("hadolint", frozenset({LINT}), frozenset({"dockerfile"})),
    ".yamllint": ("yamllint", frozenset({LINT}), frozenset({"yaml"})),
    ".yamllint.yml": ("yamllint", frozenset({LINT}), frozenset({"yaml"})),
    ".yamllint.yaml": ("yamllint", frozenset({LINT}), frozenset({"yaml"})),
}
_PREFIXED: tuple[tuple[str, tuple[str, frozenset[ToolCategory], frozenset[str]]], ...] = (
    (".eslintrc", ("eslint", frozenset({LINT}), JS)),
    ("eslint.config.", ("eslint", frozenset({LINT}), JS)),
    (".prettierrc", ("prettier", frozenset({FORMAT}), JS)),
    ("prettier.config.", ("prettier", frozenset({FORMAT}), JS)),
    (".stylelintrc", ("stylelint", frozenset({LINT}), frozenset({"css"}))),
    ("stylelint.config.", ("stylelint", frozenset({LINT}), frozenset({"css"}))),
    (".golangci.", ("golangci-lint", frozenset({LINT}), GO)),
    (".markdownlint", ("markdownlint", frozenset({LINT}), frozenset({"markdown"}))),
)
_MAVEN_PLUGINS: dict[str, tuple[str, frozenset[ToolCategory]]] = {
    "maven-checkstyle-plugin": ("checkstyle", frozenset({LINT})),
    "spotbugs-maven-plugin": ("spotbugs", frozenset({LINT})),
    "maven-pmd-plugin": ("pmd", frozenset({LINT})),
    "spotless-maven-plugin": ("spotless", frozenset({FORMAT})),
    "fmt-maven-plugin": ("google-java-format", frozenset({FORMAT})),
    "dependency-check-maven": ("dependency-check", frozenset({DEPSCAN})),
    "sonar-maven-plugin": ("sonar", frozenset({SAST})),
    "error_prone_core": ("error-prone", frozenset({LINT})),
    "findsecbugs-plugin": ("find-sec-bugs", frozenset({SAST})),
}
_GRADLE_PLUGINS: dict[str, tuple[str, frozenset[ToolCategory]]] = {
    "checkstyle": ("checkstyle", frozenset({LINT})),
    "pmd": ("pmd", frozenset({LINT})),
    "com.github.spotbugs": ("spotbugs", frozenset({LINT})),
    "com.diffplug.spotless": ("spotless", frozenset({FORMAT})),
    "org.owasp.dependencycheck": ("dependency-check", frozenset({DEPSCAN})),
    "io.gitlab.arturbosch.detekt": ("detekt", frozenset({LINT})),
    "org.jlleitschuh.gradle.ktlint": ("ktlint", frozenset({LINT})),
    "org.sonarqube": ("sonar", frozenset({SAST})),
    "net.ltgt.errorprone": ("error-prone", frozenset({LINT})),
}


def _header_line(text: str, table: str) -> int | None:
    """Line of the first ``[table]`` or ``[table.sub]`` header."""
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            name = stripped.strip("[]").replace('"', "").replace("'", "").strip()
            if name == table or name.startswith(table + "."):
                return number
    return None


def _rules(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, str))
    if isinstance(value, str):
        return tuple(v.strip() for v in re.split(r"[,\s]+", value) if v.strip())
    return ()


def _ruff_config(path: str, config: dict[str, Any], line: int | None) -> ToolConfig:
    lint = as_dict(config.get("lint"))
    rules = _rules(lint.get("select", config.get("select"))) + _rules(
        lint.get("extend-select", config.get("extend-select"))
    )
    categories = {LINT}
    if any(
        r.upper() == "S" or re.fullmatch(r"S\d+", r.upper()) or r.upper() == "ALL" for r in rules
    ):
        categories.add(SAST)
    if isinstance(config.get("format"), dict):
        categories.add(FORMAT)
    return ToolConfig("ruff", path, line, frozenset(categories), PY, rules)


def tool_configs(files: RepoFiles, problems: list[ParseProblem]) -> list[ToolConfig]:  # noqa: C901
    """Every analyser configuration found in the files."""
    found: list[ToolConfig] = []
    for path in files.paths():
        base = posixpath.basename(path)
        if "node_modules/" in path:
            continue
        known = _FILES.get(base)
        if known is not None:
            found.append(ToolConfig(known[0], path, 1, known[1], known[2]))
            continue
        prefixed = next((v for prefix, v in _PREFIXED if base.startswith(prefix)), None)
        if prefixed is not None:
            rules: tuple[str, ...] = ()
            categories = prefixed[1]
            if prefixed[0] == "golangci-lint":
                rules, categories = _golangci(path, files.read_text(path) or "")
            found.append(ToolConfig(prefixed[0], path, 1, categories, prefixed[2], rules))
            continue
        if base in ("ruff.toml", ".ruff.toml"):
            text = files.read_text(path) or ""
            data, problem = load_toml(path, text)
            if problem is not None:
                problems.append(problem)
            found.append(_ruff_config(path, data or {}, 1))
        elif base == "pyproject.toml":
            found.extend(_pyproject_tools(path, files.read_text(path) or "", problems))
        elif base in ("setup.cfg", "tox.ini"):
            found.extend(_ini_tools(path, parse_ini(files.read_text(path) or "")))
        elif base == "package.json":
            found.extend(_package_json_tools(path, files.read_text(path) or ""))
        elif base == "pom.xml":
            found.extend(_pom_tools(path, files.read_text(path) or ""))
        elif base in ("build.gradle", "build.gradle.kts"):
            found.extend(_gradle_tools(path, files.read_text(path) or ""))
        elif base in ("deno.json", "deno.jsonc"):
            text = files.read_text(path) or ""
            if '"lint"' in text:
                found.append(
                    ToolConfig("deno-lint", path, _text_line(text, '"lint"'), frozenset({LINT}), JS)
                )
            if '"fmt"' in text:
                found.append(
                    ToolConfig("deno-fmt", path, _text_line(text, '"fmt"'), frozenset({FORMAT}), JS)
                )
        elif base == "tsconfig.json":
            found.append(
                ToolConfig("tsc", path, 1, frozenset({TYPECHECK}), frozenset({"typescript"}))
            )
        elif path.startswith(".semgrep/") or ("/checkstyle/" in path and base.endswith(".xml")):
            tool = "semgrep" if path.startswith(".semgrep/") else "checkstyle"
            found.append(
                ToolConfig(
                    tool,
                    path,
                    1,
                    frozenset({SAST if tool == "semgrep" else LINT}),
                    frozenset() if tool == "semgrep" else JAVA,
                )
            )
    return found


def _golangci(path: str, text: str) -> tuple[tuple[str, ...], frozenset[ToolCategory]]:
    categories = {LINT}
    rules: tuple[str, ...] = ()
    if path.endswith((".yml", ".yaml")):
        documents, _ = load_yaml(path, text)
        doc = documents[0] if documents else None
        if isinstance(doc, dict):
            linters = doc.get("linters")
            if isinstance(linters, dict):
                rules = _rules(linters.get("enable"))
                default = text_of(linters.get("default")) or ""
                if default == "all" or linters.get("enable-all") is True:
                    rules = (*rules, "all")
            formatters = doc.get("formatters")
            if isinstance(formatters, dict) and _rules(formatters.get("enable")):
                categories.add(FORMAT)
                rules = (*rules, *_rules(formatters.get("enable")))
    if any(r in ("gosec", "all") for r in rules):
        categories.add(SAST)
    if any(r in ("gofmt", "gofumpt", "goimports") for r in rules):
        categories.add(FORMAT)
    return rules, frozenset(categories)


def _pyproject_tools(path: str, text: str, problems: list[ParseProblem]) -> list[ToolConfig]:
    data, problem = load_toml(path, text)
    if problem is not None:
        problems.append(problem)
        return []
    tool = data.get("tool") if data and isinstance(data.get("tool"), dict) else {}
    found: list[ToolConfig] = []
    assert isinstance(tool, dict)
    if isinstance(tool.get("ruff"), dict):
        found.append(_ruff_config(path, tool["ruff"], _header_line(text, "tool.ruff")))
    for key, (name, categories, languages) in _PYPROJECT_TOOLS.items():
        if isinstance(tool.get(key), dict):
            found.append(
                ToolConfig(name, path, _header_line(text, f"tool.{key}"), categories, languages)
            )
    hatch = as_dict(tool.get("hatch"))
    if (
        isinstance(hatch, dict)
        and isinstance(hatch.get("envs"), dict)
        and isinstance(hatch["envs"].get("hatch-static-analysis"), dict)
    ):
        found.append(
            ToolConfig(
                "ruff",
                path,
                _header_line(text, "tool.hatch.envs.hatch-static-analysis"),
                frozenset({LINT, FORMAT}),
                PY,
            )
        )
    return found


def _ini_tools(path: str, ini: IniFile) -> list[ToolConfig]:
    found: list[ToolConfig] = []
    for section, (name, categories, languages) in _INI_SECTIONS.items():
        if section in ini.sections or any(
            s.startswith(section + ".") or s.startswith(section + "-") for s in ini.sections
        ):
            line = ini.section_lines.get(section)
            rules: tuple[str, ...] = ()
            if name == "flake8":
                value = ini.get("flake8", "select") or ini.get("flake8", "extend-select")
                rules = _rules(value.text) if value is not None else ()
            found.append(ToolConfig(name, path, line, categories, languages, rules))
    return found


def _package_json_tools(path: str, text: str) -> list[ToolConfig]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError):
        return []
    if not isinstance(data, dict):
        return []
    found: list[ToolConfig] = []
    for key, name, categories in (
        ("eslintConfig", "eslint", frozenset({LINT})),
        ("prettier", "prettier", frozenset({FORMAT})),
        ("xo", "xo", frozenset({LINT})),
        ("standard", "standard", frozenset({LINT})),
        ("stylelint", "stylelint", frozenset({LINT})),
    ):
        if key in data:
            found.append(ToolConfig(name, path, _text_line(text, f'"{key}"'), categories, JS))
    return found


def _text_line(text: str, needle: str) -> int | None:
    position = text.find(needle)
    return None if position < 0 else text.count("\n", 0, position) + 1


def _pom_tools(path: str, text: str) -> list[ToolConfig]:
    found: list[ToolConfig] = []
    for artifact, (name, categories) in _MAVEN_PLUGINS.items():
        needle = f"<artifactId>{artifact}</artifactId>"
        if needle in text:
            found.append(ToolConfig(name, path, _text_line(text, needle), categories, JAVA))
    return found


def _gradle_tools(path: str, text: str) -> list[ToolConfig]:
    found: list[ToolConfig] = []
    for plugin, (name, categories) in _GRADLE_PLUGINS.items():
        patterns: tuple[str, ...] = (
            f"id '{plugin}'",
            f'id "{plugin}"',
            f'id("{plugin}")',
            f"apply plugin: '{plugin}'",
            f'apply plugin: "{plugin}"',
            f"`{plugin}`",
        )
        if plugin in ("checkstyle", "pmd"):
            patterns = (*patterns, f"\n    {plugin}\n", f"\n\t{plugin}\n", f"\n{plugin} {{")
        line = next(
            (text.count("\n", 0, text.find(p) + p.find(plugin)) + 1 for p in patterns if p in text),
            None,
        )
        if line is not None:
            found.append(ToolConfig(name, path, line, categories, JAVA))
    return found


# ------------------------------------------------------------------- coverage

_COV_FAIL = re.compile(r"--cov-fail-under[= ](\d+(?:\.\d+)?)")
_FAIL_UNDER = re.compile(r"--fail-under[= ](\d+(?:\.\d+)?)")


def coverage_configs(files: RepoFiles, runs: Iterable[CommandRun]) -> list[CoverageConfig]:  # noqa: C901
    """Coverage configuration and thresholds, from config files and from the
    commands that run (``--cov-fail-under``, ``coverage report --fail-under``,
    ``go test -coverprofile``)."""
    found: list[CoverageConfig] = []
    for path in files.paths():
        base = posixpath.basename(path)
        if "node_modules/" in path:
            continue
        if base == "pyproject.toml":
            text = files.read_text(path) or ""
            data, _ = load_toml(path, text)
            tool = data.get("tool", {}) if data else {}
            coverage = tool.get("coverage") if isinstance(tool, dict) else None
            if isinstance(coverage, dict):
                report = as_dict(coverage.get("report"))
                fail = _number(report.get("fail_under"))
                found.append(
                    CoverageConfig("coverage.py", path, _header_line(text, "tool.coverage"), fail)
                )
            pytest = (
                tool.get("pytest", {}).get("ini_options")
                if isinstance(tool, dict) and isinstance(tool.get("pytest"), dict)
                else None
            )
            if isinstance(pytest, dict):
                addopts = pytest.get("addopts")
                opts = " ".join(addopts) if isinstance(addopts, list) else str(addopts or "")
                if "--cov" in opts:
                    match = _COV_FAIL.search(opts)
                    found.append(
                        CoverageConfig(
                            "pytest-cov",
                            path,
                            _header_line(text, "tool.pytest"),
                            float(match.group(1)) if match else None,
                        )
                    )
        elif base in (".coveragerc", "setup.cfg", "tox.ini", "pytest.ini"):
            ini = parse_ini(files.read_text(path) or "")
            prefix = "" if base == ".coveragerc" else "coverage:"
            threshold = ini.get(f"{prefix}report", "fail_under")
            if f"{prefix}run" in ini.sections or f"{prefix}report" in ini.sections:
                line = ini.section_lines.get(f"{prefix}run") or ini.section_lines.get(
                    f"{prefix}report"
                )
                found.append(
                    CoverageConfig(
                        "coverage.py", path, line, _number(threshold.text) if threshold else None
                    )
                )
            for section in ("tool:pytest", "pytest"):
                addopts = ini.get(section, "addopts")
                if addopts is not None and "--cov" in addopts.text:
                    match = _COV_FAIL.search(addopts.text)
                    found.append(
                        CoverageConfig(
                            "pytest-cov",
                            path,
                            addopts.line,
                            float(match.group(1)) if match else None,
                        )
                    )
        elif base in ("codecov.yml", ".codecov.yml", "codecov.yaml"):
            found.extend(_codecov(path, files.read_text(path) or ""))
        elif base.startswith(("jest.config.", "vitest.config.", "vite.config.")) or base in (
            ".nycrc",
            ".nycrc.json",
            ".c8rc.json",
            ".c8rc",
        ):
            text = files.read_text(path) or ""
            fail = _js_threshold(text)
            if "coverage" in text.lower() or base.startswith((".nyc", ".c8")):
                tool = base.split(".")[0].lstrip(".").replace("rc", "") or "jest"
                found.append(CoverageConfig(tool, path, _text_line(text, "overage") or 1, fail))
        elif base == "package.json":
            text = files.read_text(path) or ""
            if '"coverageThreshold"' in text:
                found.append(
                    CoverageConfig(
                        "jest", path, _text_line(text, '"coverageThreshold"'), _js_threshold(text)
                    )
                )
        elif base == "pom.xml":
            text = files.read_text(path) or ""
            if "<artifactId>jacoco-maven-plugin</artifactId>" in text:
                minimum = re.search(
                    r"<counter>LINE</counter>\s*<value>COVEREDRATIO</value>\s*<minimum>([\d.]+)</minimum>",
                    text,
                )
                fail = (
                    float(minimum.group(1)) * 100
                    if minimum and float(minimum.group(1)) <= 1
                    else None
                )
                found.append(
                    CoverageConfig("jacoco", path, _text_line(text, "jacoco-maven-plugin"), fail)
                )
        elif base in ("build.gradle", "build.gradle.kts"):
            text = files.read_text(path) or ""
            if "jacoco" in text:
                minimum = re.search(r"minimum\s*=\s*(?:BigDecimal\(\s*)?[\"']?([\d.]+)", text)
                fail = (
                    float(minimum.group(1)) * 100
                    if minimum and float(minimum.group(1)) <= 1
                    else None
                )
                found.append(CoverageConfig("jacoco", path, _text_line(text, "jacoco"), fail))
            if "kotlinx.kover" in text or re.search(r"^\s*kover\s*\{", text, re.MULTILINE):
                # Kotlin's Kover plugin; a minBound(80) rule is its threshold.
                bound = re.search(r"minBound\(\s*(\d+(?:\.\d+)?)", text)
                found.append(
                    CoverageConfig(
                        "kover",
                        path,
                        _text_line(text, "kover"),
                        float(bound.group(1)) if bound else None,
                    )
                )
        elif base in (".testcoverage.yml", ".testcoverage.yaml"):
            text = files.read_text(path) or ""
            match = re.search(r"total:\s*(\d+(?:\.\d+)?)", text)
            found.append(
                CoverageConfig(
                    "go-test-coverage", path, 1, float(match.group(1)) if match else None
                )
            )
    for run in runs:
        if run.tool is None or ToolCategory.COVERAGE not in run.tool.categories:
            continue
        text = run.command
        match = _COV_FAIL.search(text) or (
            _FAIL_UNDER.search(text) if run.tool.family == "coverage" else None
        )
        tool = {"go": "go", "pytest": "pytest-cov", "coverage": "coverage.py"}.get(
            run.tool.family, run.tool.family
        )
        found.append(
            CoverageConfig(
                tool, run.location.path, run.location.line, float(match.group(1)) if match else None
            )
        )
    return found


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None and str(value).strip() else None
    except (TypeError, ValueError):
        return None


def _js_threshold(text: str) -> float | None:
    match = re.search(r"[\"']?lines[\"']?\s*:\s*(\d+(?:\.\d+)?)", text)
    return float(match.group(1)) if match else None


def _codecov(path: str, text: str) -> list[CoverageConfig]:
    documents, _ = load_yaml(path, text)
    doc = documents[0] if documents else None
    target: float | None = None
    if isinstance(doc, dict):
        status = (
            doc.get("coverage", {}).get("status") if isinstance(doc.get("coverage"), dict) else None
        )
        project = status.get("project") if isinstance(status, dict) else None
        if isinstance(project, dict):
            for value in project.values():
                if isinstance(value, dict) and text_of(value.get("target")):
                    raw = str(text_of(value.get("target"))).rstrip("%")
                    target = _number(raw) if raw != "auto" else None
                    break
    return [CoverageConfig("codecov", path, 1, target)]


# -------------------------------------------------------------------- reports

_ATTR = re.compile(r'([\w:-]+)\s*=\s*"([^"]*)"')
_SCAN_LIMIT = 200_000


def _attributes(text: str, tag: str, start: int = 0) -> dict[str, str] | None:
    position = text.find(f"<{tag}", start)
    if position < 0:
        return None
    end = text.find(">", position, position + 5000)
    if end < 0:
        return None
    return dict(_ATTR.findall(text[position:end]))


def coverage_reports(files: RepoFiles) -> list[CoverageReport]:
    """Committed coverage reports with the line coverage they state."""
    reports: list[CoverageReport] = []
    for path in files.paths():
        base = posixpath.basename(path).lower()
        if "node_modules/" in path:
            continue
        kind = _report_kind(base)
        if kind is None:
            continue
        text = files.read_text(path)
        if text is None:
            continue
        report = _parse_report(path, kind, text)
        if report is not None:
            reports.append(report)
    return reports


def _report_kind(base: str) -> str | None:
    if base.endswith(".xml"):
        if "jacoco" in base:
            return "jacoco"
        if "clover" in base:
            return "clover"
        if "cobertura" in base or base.startswith("coverage"):
            return "xml"
        return None
    if base == "lcov.info" or base.endswith(".lcov"):
        return "lcov"
    if base in (
        "coverage.out",
        "cover.out",
        "coverage.txt",
        "c.out",
        "profile.cov",
        "coverage.cov",
    ) or base.endswith(".coverprofile"):
        return "go-cover"
    if base == "coverage.json":
        return "coverage-json"
    if base == "coverage-summary.json":
        return "istanbul-summary"
    return None


def _parse_report(path: str, kind: str, text: str) -> CoverageReport | None:  # noqa: C901
    if kind == "xml":
        head = text[:_SCAN_LIMIT]
        if "<!ENTITY" in head:
            return None
        if "<report" in head and "<counter" in text:
            kind = "jacoco"
        else:
            attrs = _attributes(head, "coverage ")
            if attrs is None:
                return None
            covered, total = _int(attrs.get("lines-covered")), _int(attrs.get("lines-valid"))
            rate = _number(attrs.get("line-rate"))
            percent = (
                covered / total * 100
                if covered is not None and total
                else (rate * 100 if rate is not None else None)
            )
            return CoverageReport(path, "cobertura", _round(percent), covered, total)
    if kind == "jacoco":
        if "<!ENTITY" in text[:_SCAN_LIMIT]:
            return None
        tail_start = max(text.rfind("</package>"), text.rfind("</group>"), 0)
        attrs = None
        position = tail_start
        while True:
            candidate = _attributes(text, "counter", position)
            if candidate is None:
                break
            if candidate.get("type") == "LINE":
                attrs = candidate
                break
            position = text.find("<counter", position) + 8
        if attrs is None:
            return None
        missed, covered = _int(attrs.get("missed")), _int(attrs.get("covered"))
        if missed is None or covered is None:
            return None
        total = missed + covered
        return CoverageReport(
            path, "jacoco", _round(covered / total * 100 if total else None), covered, total
        )
    if kind == "clover":
        project = text.find("<project")
        attrs = _attributes(text, "metrics", max(project, 0))
        if attrs is None:
            return None
        covered, total = _int(attrs.get("coveredstatements")), _int(attrs.get("statements"))
        percent = covered / total * 100 if covered is not None and total else None
        return CoverageReport(path, "clover", _round(percent), covered, total)
    if kind == "lcov":
        found = hit = 0
        for line in text.splitlines():
            if line.startswith("LF:"):
                found += _int(line[3:]) or 0
            elif line.startswith("LH:"):
                hit += _int(line[3:]) or 0
        if not found and "SF:" not in text:
            return None
        return CoverageReport(
            path, "lcov", _round(hit / found * 100 if found else None), hit, found
        )
    if kind == "go-cover":
        return _go_profile(path, text)
    if kind in ("coverage-json", "istanbul-summary"):
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        if kind == "coverage-json" and isinstance(data.get("totals"), dict):
            totals = data["totals"]
            covered, total = _int(totals.get("covered_lines")), _int(totals.get("num_statements"))
            return CoverageReport(
                path,
                "coverage-json",
                _round(_number(totals.get("percent_covered"))),
                covered,
                total,
            )
        total_block = data.get("total")
        if isinstance(total_block, dict) and isinstance(total_block.get("lines"), dict):
            lines = total_block["lines"]
            return CoverageReport(
                path,
                "istanbul-summary",
                _round(_number(lines.get("pct"))),
                _int(lines.get("covered")),
                _int(lines.get("total")),
            )
    return None


def _go_profile(path: str, text: str) -> CoverageReport | None:
    lines = text.splitlines()
    if not lines or not lines[0].startswith("mode:"):
        return None
    blocks: dict[str, tuple[int, bool]] = {}
    for line in lines[1:]:
        block, _, rest = line.rpartition(" ")
        block, _, statements = block.rpartition(" ")
        count = _int(rest)
        stmts = _int(statements)
        if not block or count is None or stmts is None:
            continue
        previous = blocks.get(block)
        blocks[block] = (stmts, count > 0 or (previous is not None and previous[1]))
    total = sum(s for s, _ in blocks.values())
    covered = sum(s for s, hit in blocks.values() if hit)
    return CoverageReport(
        path, "go-cover", _round(covered / total * 100 if total else None), covered, total
    )


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
