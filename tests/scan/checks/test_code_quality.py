"""cq.lint: a linter configured (or run) for each main language of the service."""

from __future__ import annotations

from prodready.scan.checks.code_quality import judge_lint
from prodready.scan.facts.view import Facts, ServiceScope
from prodready.scan.model import Outcome

PY = "def f(x):\n    return x\n" * 30
GO = "package main\n\nfunc main() {}\n" * 20


def lint(files: dict[str, str], service: str = ".") -> tuple[Outcome, float | None, list[str]]:
    facts = Facts.from_files(files)
    verdict = judge_lint(Facts(facts.index, ServiceScope("svc", service)))
    return verdict.outcome, verdict.score, [f.message for f in verdict.findings]


def test_configured_linters_for_every_main_language() -> None:
    files = {
        "app.py": PY,
        "main.go": GO,
        "pyproject.toml": "[tool.ruff.lint]\nselect = ['E', 'F']\n",
        ".golangci.yml": "linters:\n  enable: [errcheck]\n",
    }
    assert lint(files)[:2] == (Outcome.PASS, 10.0)


def test_a_linter_run_in_ci_or_make_counts_too() -> None:
    files = {"main.go": GO, "Makefile": "lint:\n\tgo vet ./...\n"}
    assert lint(files)[0] is Outcome.PASS
    files = {
        "app.py": PY,
        "tox.ini": "[tox]\nenvlist = lint\n[testenv:lint]\ncommands = flake8 .\n",
    }
    assert lint(files)[0] is Outcome.PASS


def test_a_language_without_a_linter_fails_in_proportion() -> None:
    files = {"app.py": PY, "main.go": GO, "setup.cfg": "[flake8]\nmax-line-length = 100\n"}
    outcome, score, messages = lint(files)
    assert (outcome, score) == (Outcome.FAIL, 5.0)
    assert messages == ["go code (60 lines) has no linter configured or run"]


def test_no_code_is_not_applicable_and_configs_in_fixtures_do_not_count() -> None:
    assert lint({"README.md": "# x\n"})[0] is Outcome.NOT_APPLICABLE
    files = {"main.go": GO, "tests/fixtures/repo/.golangci.yml": "linters: {}\n"}
    assert lint(files)[0] is Outcome.FAIL


def test_monorepo_configs_of_other_services_are_invisible() -> None:
    files = {
        "svc/a/app.py": PY,
        "svc/a/ruff.toml": "line-length = 100\n",
        "svc/b/app.py": PY,
    }
    assert lint(files, "svc/a")[0] is Outcome.PASS
    assert lint(files, "svc/b")[0] is Outcome.FAIL
