"""Analyser configuration, coverage configuration and committed reports."""

from __future__ import annotations

from prodready.scan.facts.ci import CiFacts, ToolCategory, ci_facts
from prodready.scan.facts.source import InMemoryFiles


def facts(files: dict[str, str]) -> CiFacts:
    return ci_facts(InMemoryFiles(files))


PYPROJECT = """\
[project]
name = "svc"

[tool.ruff]
line-length = 100

[tool.ruff.lint]
select = ["E", "F", "B"]
extend-select = ["S"]

[tool.ruff.format]
quote-style = "double"

[tool.mypy]
strict = true

[tool.black]
line-length = 100

[tool.coverage.run]
branch = true

[tool.coverage.report]
fail_under = 85

[tool.pytest.ini_options]
addopts = "--cov=svc --cov-fail-under=90"
"""


def test_python_tool_configs_with_lines_and_rules() -> None:
    result = facts({"pyproject.toml": PYPROJECT, ".flake8": "[flake8]\nmax-line-length = 100\n"})
    ruff = result.configs("ruff")[0]
    assert (ruff.path, ruff.line) == ("pyproject.toml", 4)
    assert ruff.rules == ("E", "F", "B", "S")
    assert ruff.categories == {ToolCategory.LINT, ToolCategory.SAST, ToolCategory.FORMAT}
    assert result.configs("mypy")[0].line == 14
    assert result.configs("black")[0].categories == {ToolCategory.FORMAT}
    assert [c.path for c in result.configs("flake8")] == [".flake8"]
    assert {c.tool for c in result.configs("sast")} == {"ruff"}
    assert str(ruff.location) == "pyproject.toml:4 (ruff configuration)"


def test_ini_configs_and_other_languages() -> None:
    files = {
        "setup.cfg": (
            "[metadata]\nname = x\n\n[flake8]\nselect = E,F,W\n\n[isort]\nprofile = black\n"
        ),
        "tox.ini": "[tox]\nenvlist = py\n\n[pylint.main]\njobs = 2\n",
        ".golangci.yml": (
            "linters:\n  enable:\n    - gosec\n    - errcheck\nformatters:\n  enable: [gofumpt]\n"
        ),
        "web/eslint.config.mjs": "export default [];\n",
        "web/.prettierrc.json": "{}\n",
        "web/package.json": '{"name": "web", "eslintConfig": {"extends": "x"}}',
        "api/pom.xml": (
            "<project>\n<build><plugins><plugin>\n"
            "<artifactId>maven-checkstyle-plugin</artifactId>\n</plugin></plugins></build>\n</project>\n"
        ),
        "app/build.gradle.kts": (
            'plugins {\n    id("com.github.spotbugs") version "6.0.0"\n    checkstyle\n}\n'
        ),
        "sonar-project.properties": "sonar.projectKey=x\n",
        "biome.json": "{}",
    }
    result = facts(files)
    flake8 = result.configs("flake8")[0]
    assert (flake8.path, flake8.line, flake8.rules) == ("setup.cfg", 4, ("E", "F", "W"))
    assert result.configs("isort")[0].line == 7
    assert result.configs("pylint")[0].path == "tox.ini"
    golangci = result.configs("golangci-lint")[0]
    assert golangci.rules == ("gosec", "errcheck", "gofumpt")
    assert golangci.categories == {ToolCategory.LINT, ToolCategory.SAST, ToolCategory.FORMAT}
    assert sorted(c.path for c in result.configs("eslint")) == [
        "web/eslint.config.mjs",
        "web/package.json",
    ]
    assert result.configs("prettier")[0].path == "web/.prettierrc.json"
    checkstyle = result.configs("checkstyle")
    assert {(c.path, c.line) for c in checkstyle} == {
        ("api/pom.xml", 3),
        ("app/build.gradle.kts", 3),
    }
    assert result.configs("spotbugs")[0].line == 2
    assert result.configs("sonar")[0].path == "sonar-project.properties"
    assert result.configs("biome")[0].categories == {ToolCategory.LINT, ToolCategory.FORMAT}


def test_coverage_configs_and_thresholds() -> None:
    files = {
        "pyproject.toml": PYPROJECT,
        "svc2/.coveragerc": "[run]\nbranch = True\n[report]\nfail_under = 70\n",
        "web/jest.config.js": (
            "module.exports = { coverageThreshold: { global: { lines: 75 } } };\n"
        ),
        "codecov.yml": "coverage:\n  status:\n    project:\n      default:\n        target: 82%\n",
        "java/pom.xml": (
            "<project><build><plugins><plugin><artifactId>jacoco-maven-plugin</artifactId>"
            "<rules><rule><limits><limit><counter>LINE</counter><value>COVEREDRATIO</value>"
            "<minimum>0.60</minimum></limit></limits></rule></rules></plugin></plugins></build></project>"
        ),
        ".github/workflows/ci.yml": (
            "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n"
            "      - run: go test -coverprofile=cover.out ./...\n"
            "      - run: coverage report --fail-under=95\n"
        ),
    }
    result = facts(files)
    by_tool = {(c.tool, c.path): c.fail_under for c in result.coverage.configs}
    assert by_tool[("coverage.py", "pyproject.toml")] == 85.0
    assert by_tool[("pytest-cov", "pyproject.toml")] == 90.0
    assert by_tool[("coverage.py", "svc2/.coveragerc")] == 70.0
    assert by_tool[("jest", "web/jest.config.js")] == 75.0
    assert by_tool[("codecov", "codecov.yml")] == 82.0
    assert by_tool[("jacoco", "java/pom.xml")] == 60.0
    assert by_tool[("go", ".github/workflows/ci.yml")] is None
    assert by_tool[("coverage.py", ".github/workflows/ci.yml")] == 95.0
    assert result.coverage.fail_under == 95.0


COBERTURA = """<?xml version="1.0" ?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
<coverage version="7.4" timestamp="1" lines-valid="200" lines-covered="150"
    line-rate="0.75" branch-rate="0">
  <packages/>
</coverage>
"""
JACOCO = """<?xml version="1.0"?>
<!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">
<report name="app"><package name="a"><class name="A"/>
<counter type="LINE" missed="1" covered="1"/></package>
<counter type="INSTRUCTION" missed="10" covered="90"/>
<counter type="LINE" missed="20" covered="80"/>
</report>"""
LCOV = "TN:\nSF:a.js\nLF:10\nLH:5\nend_of_record\nSF:b.js\nLF:30\nLH:30\nend_of_record\n"
GO_PROFILE = """mode: set
example.com/x/a.go:3.14,5.2 2 1
example.com/x/a.go:7.14,9.2 3 0
example.com/x/b.go:3.14,5.2 5 1
example.com/x/a.go:3.14,5.2 2 0
"""


def test_coverage_reports() -> None:
    files = {
        "coverage.xml": COBERTURA,
        "build/jacoco.xml": JACOCO,
        "web/coverage/lcov.info": LCOV,
        "cover.out": GO_PROFILE,
        "py/coverage.json": (
            '{"totals": {"covered_lines": 9, "num_statements": 10, "percent_covered": 90.0}}'
        ),
        "web/coverage/coverage-summary.json": (
            '{"total": {"lines": {"total": 4, "covered": 3, "pct": 75}}}'
        ),
        "clover.xml": (
            '<coverage><project><metrics statements="50" '
            'coveredstatements="40"/></project></coverage>'
        ),
        "notes/coverage.txt": "not a profile\n",
        "bomb/coverage.xml": (
            '<!DOCTYPE x [<!ENTITY a "aaaa">]><coverage line-rate="1">&a;</coverage>'
        ),
    }
    reports = {r.path: r for r in facts(files).coverage.reports}
    assert (reports["coverage.xml"].format, reports["coverage.xml"].percent) == ("cobertura", 75.0)
    assert (reports["coverage.xml"].covered, reports["coverage.xml"].total) == (150, 200)
    assert (reports["build/jacoco.xml"].format, reports["build/jacoco.xml"].percent) == (
        "jacoco",
        80.0,
    )
    assert reports["web/coverage/lcov.info"].percent == 87.5
    assert reports["cover.out"].percent == 70.0
    assert (reports["cover.out"].covered, reports["cover.out"].total) == (7, 10)
    assert reports["py/coverage.json"].percent == 90.0
    assert reports["web/coverage/coverage-summary.json"].percent == 75.0
    assert reports["clover.xml"].percent == 80.0
    assert "notes/coverage.txt" not in reports
    assert "bomb/coverage.xml" not in reports, "entity declarations are refused"
