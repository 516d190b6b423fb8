"""cq.lint: a linter configured (or run) for each main language of the service."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from prodready.scan.checks.base import Check, Verdict
from prodready.scan.checks.code_quality import (
    FINDINGS,
    judge_findings,
    judge_format,
    judge_lint,
    judge_quality_gate,
    judge_sast,
)
from prodready.scan.engine import judge
from prodready.scan.facts.view import Facts, Thresholds
from prodready.scan.model import Outcome
from prodready.scan.policy import Policy
from tests.scan.conftest import TODAY, folder_facts

FINDINGS_CHECK = Check(FINDINGS, judge_findings)

PY = "def f(x):\n    return x\n" * 30
GO = "package main\n\nfunc main() {}\n" * 20


def lint(files: dict[str, str], service: str = ".") -> tuple[Outcome, float | None, list[str]]:
    verdict = judge_lint(folder_facts(files, service))
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


# ---------------------------------------------------------------- cq.format


def gha(*steps: str, job_extra: str = "") -> str:
    """A GitHub Actions workflow with one job running ``steps``."""
    lines = ["name: ci", "on: [push]", "jobs:", "  check:", "    runs-on: ubuntu-latest"]
    if job_extra:
        lines.append(f"    {job_extra}")
    lines.append("    steps:")
    lines.append("      - uses: actions/checkout@v4")
    lines += [f"      - run: {step}" for step in steps]
    return "\n".join(lines) + "\n"


def judged(judge: Callable[[Facts], Verdict], files: dict[str, str], service: str = ".") -> Verdict:
    return judge(folder_facts(files, service))


def test_format_enforced_in_ci_passes() -> None:
    verdict = judged(
        judge_format, {"app.py": PY, ".github/workflows/ci.yml": gha("ruff format --check .")}
    )
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    assert any("ruff format --check" in (e.detail or "") for e in verdict.evidence)


def test_a_formatter_without_its_check_flag_does_not_count() -> None:
    verdict = judged(judge_format, {"app.py": PY, ".github/workflows/ci.yml": gha("black .")})
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 0.0)
    messages = [f.message for f in verdict.findings]
    assert any("`black .`" in m and "without its check flag" in m for m in messages)


def test_gofmt_l_only_counts_when_its_output_fails_the_step() -> None:
    listed = {"main.go": GO, ".github/workflows/ci.yml": gha("gofmt -l .")}
    assert judged(judge_format, listed).outcome is Outcome.FAIL
    tested = {"main.go": GO, ".github/workflows/ci.yml": gha('test -z "$(gofmt -l .)"')}
    assert judged(judge_format, tested).outcome is Outcome.PASS


def test_a_formatter_in_a_continue_on_error_job_does_not_count() -> None:
    files = {
        "main.go": GO,
        ".github/workflows/ci.yml": gha(
            'test -z "$(gofmt -l .)"', job_extra="continue-on-error: true"
        ),
    }
    verdict = judged(judge_format, files)
    assert verdict.outcome is Outcome.FAIL
    assert any("continue-on-error" in f.message for f in verdict.findings)


def test_a_pre_commit_hook_passes_with_a_lower_score_and_a_local_target_fails() -> None:
    hook = {
        "app.py": PY,
        ".pre-commit-config.yaml": (
            "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n"
            "    rev: v0.6.9\n    hooks:\n      - id: ruff-format\n"
        ),
    }
    verdict = judged(judge_format, hook)
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 8.0)
    local = {"app.py": PY, "Makefile": "fmt-check:\n\truff format --check .\n"}
    verdict = judged(judge_format, local)
    assert verdict.outcome is Outcome.FAIL
    assert any("by hand" in f.message for f in verdict.findings)


def test_format_is_judged_per_main_language_and_not_applicable_without_code() -> None:
    files = {"app.py": PY, "main.go": GO, ".github/workflows/ci.yml": gha("ruff format --check .")}
    verdict = judged(judge_format, files)
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 5.0)
    assert verdict.summary == "no enforced formatter for go"
    assert judged(judge_format, {"README.md": "# x\n"}).outcome is Outcome.NOT_APPLICABLE


def test_a_configured_formatter_nobody_runs_is_named() -> None:
    files = {"app.py": PY, "pyproject.toml": "[tool.black]\nline-length = 100\n"}
    verdict = judged(judge_format, files)
    assert verdict.outcome is Outcome.FAIL
    assert (
        "black is configured in pyproject.toml but nothing enforces it"
        in verdict.findings[0].message
    )


# ---------------------------------------------------------- cq.quality-gate


def test_a_linter_that_can_fail_in_ci_is_a_gate() -> None:
    files = {"app.py": PY, ".github/workflows/ci.yml": gha("flake8 .")}
    verdict = judged(judge_quality_gate, files)
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)


def test_or_true_and_a_local_only_target_are_no_gate() -> None:
    files = {
        "app.py": PY,
        ".github/workflows/ci.yml": gha("flake8 app || true", "black app"),
        "Makefile": "lint:\n\tflake8 app\n",
    }
    verdict = judged(judge_quality_gate, files)
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 0.0)
    messages = "\n".join(f.message for f in verdict.findings)
    assert "`flake8 app` does not enforce a lint gate: `|| true`" in messages
    assert "`black app` does not enforce a format gate" in messages
    assert "by hand" in messages  # the Makefile target no CI calls


def test_a_make_target_that_ci_calls_is_a_gate() -> None:
    files = {
        "app.py": PY,
        ".github/workflows/ci.yml": gha("make lint"),
        "Makefile": "lint:\n\truff check .\n\truff format --check .\n",
    }
    verdict = judged(judge_quality_gate, files)
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    assert any("Makefile" in (e.detail or "") for e in verdict.evidence)


def test_set_plus_e_and_exit_zero_mask_the_gate() -> None:
    files = {
        "app.py": PY,
        ".github/workflows/ci.yml": gha("ruff check --exit-zero ."),
    }
    verdict = judged(judge_quality_gate, files)
    assert verdict.outcome is Outcome.FAIL
    assert any("--exit-zero" in f.message for f in verdict.findings)
    script = {
        "app.py": PY,
        ".github/workflows/ci.yml": gha("./ci/lint.sh"),
        "ci/lint.sh": "#!/bin/sh\nset +e\nflake8 .\necho done\n",
    }
    assert judged(judge_quality_gate, script).outcome is Outcome.FAIL


def test_partial_gates_pass_with_partial_score() -> None:
    files = {
        "app.py": PY,
        ".github/workflows/ci.yml": gha("ruff check .", "black ."),
    }
    verdict = judged(judge_quality_gate, files)
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 5.0)
    assert "not gating: format" in verdict.summary


def test_nothing_runs_fails_and_no_code_is_not_applicable() -> None:
    verdict = judged(judge_quality_gate, {"app.py": PY})
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 0.0)
    assert judged(judge_quality_gate, {"README.md": "# x\n"}).outcome is Outcome.NOT_APPLICABLE


def test_build_plugins_run_by_the_build_are_gates() -> None:
    pom = (
        "<project><build><plugins><plugin>"
        "<artifactId>maven-checkstyle-plugin</artifactId>"
        "</plugin></plugins></build></project>\n"
    )
    java = "class App {\n" + "  void f() {}\n" * 30 + "}\n"
    files = {
        "src/main/java/App.java": java,
        "pom.xml": pom,
        ".github/workflows/ci.yml": gha("mvn -B verify"),
    }
    verdict = judged(judge_quality_gate, files)
    assert verdict.outcome is Outcome.PASS
    assert any("checkstyle plugin" in (e.detail or "") for e in verdict.evidence)
    files[".github/workflows/ci.yml"] = gha("mvn -B compile")
    assert judged(judge_quality_gate, files).outcome is Outcome.FAIL


# ----------------------------------------------------------------- cq.sast

RUFF_S = "[tool.ruff.lint]\nselect = ['E', 'F', 'S']\n"


def test_ruff_s_rules_in_the_config_and_ruff_running_are_sast() -> None:
    files = {
        "app.py": PY,
        "pyproject.toml": RUFF_S,
        ".github/workflows/ci.yml": gha("ruff check ."),
    }
    assert judged(judge_sast, files).outcome is Outcome.PASS
    without = {**files, "pyproject.toml": "[tool.ruff.lint]\nselect = ['E', 'F']\n"}
    verdict = judged(judge_sast, without)
    assert verdict.outcome is Outcome.FAIL
    assert "no security static analysis" in verdict.findings[0].message


def test_s_rules_configured_but_ruff_never_running_is_not_sast() -> None:
    files = {"app.py": PY, "pyproject.toml": RUFF_S}
    assert judged(judge_sast, files).outcome is Outcome.FAIL


def test_gosec_through_golangci_lint_counts_even_when_the_job_cannot_fail() -> None:
    files = {
        "main.go": GO,
        ".golangci.yml": "linters:\n  enable: [gosec, errcheck]\n",
        ".github/workflows/ci.yml": gha("golangci-lint run", job_extra="continue-on-error: true"),
    }
    verdict = judged(judge_sast, files)
    assert verdict.outcome is Outcome.PASS
    assert any("cannot fail the build" in (e.detail or "") for e in verdict.evidence)
    files[".golangci.yml"] = "linters:\n  enable: [errcheck]\n"
    assert judged(judge_sast, files).outcome is Outcome.FAIL


def test_go_vet_is_not_sast_but_bandit_and_codeql_are() -> None:
    assert (
        judged(
            judge_sast,
            {"main.go": GO, "Makefile": "x:\n", ".github/workflows/ci.yml": gha("go vet ./...")},
        ).outcome
        is Outcome.FAIL
    )
    bandit = {"app.py": PY, ".github/workflows/ci.yml": gha("bandit -r app")}
    assert judged(judge_sast, bandit).outcome is Outcome.PASS
    codeql = (
        "name: codeql\non: [push]\njobs:\n  analyze:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: github/codeql-action/init@v3\n        with: {languages: go}\n"
        "      - uses: github/codeql-action/analyze@v3\n"
    )
    assert (
        judged(judge_sast, {"main.go": GO, ".github/workflows/codeql.yml": codeql}).outcome
        is Outcome.PASS
    )


def test_a_sast_job_that_never_runs_does_not_count() -> None:
    files = {"app.py": PY, ".github/workflows/ci.yml": gha("bandit -r app", job_extra="if: false")}
    verdict = judged(judge_sast, files)
    assert verdict.outcome is Outcome.FAIL
    assert "never runs" in verdict.findings[0].message


def test_sast_is_not_applicable_without_code() -> None:
    assert judged(judge_sast, {"README.md": "# x\n"}).outcome is Outcome.NOT_APPLICABLE


# ------------------------------------------------------------- cq.findings

CLEAN = (
    '"""Orders."""\n\nimport os\n\n\ndef total(items):\n'
    '    return sum(i["price"] for i in items)\n\n\n'
    "def main():\n    print(total([]), os.getcwd())\n"
)
DIRTY = (
    "import os, sys\ndef run(cmd):\n    try:\n        return eval(cmd)\n    except:\n        pass\n"
)


def findings_of(files: dict[str, str], **params: float) -> Verdict:
    facts = Facts.from_files(files, params=Thresholds(**params))  # type: ignore[arg-type]
    return judge_findings(facts)


def test_clean_code_passes_with_full_marks() -> None:
    verdict = findings_of({"app/main.py": CLEAN, "app/__init__.py": ""})
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    assert verdict.summary.startswith("0 findings in 11 lines of Python")
    assert any("--isolated" in (e.detail or "") for e in verdict.evidence)


def test_findings_are_located_and_scored_by_density() -> None:
    files = {"app/main.py": CLEAN + "\n" * 200, "app/run.py": DIRTY}
    verdict = findings_of(files)
    located = sorted((f.path, f.line, f.message.split()[0]) for f in verdict.findings)
    assert ("app/run.py", 1, "F401") in located
    assert ("app/run.py", 4, "S307") in located
    assert ("app/run.py", 5, "E722") in located
    count = len(verdict.findings)
    lines = 11 + 200 + 6
    assert verdict.summary.startswith(f"{count} findings in {lines} lines")
    density = 1000 * count / lines
    assert verdict.outcome is (Outcome.PASS if density < 10 else Outcome.FAIL)
    # the policy's threshold decides
    relaxed = findings_of(files, findings_per_kloc=100.0)
    assert relaxed.outcome is Outcome.PASS
    assert relaxed.score == round(10 * (1 - density / 100), 1)


def test_tests_vendored_generated_and_examples_are_not_measured() -> None:
    files = {
        "app/main.py": CLEAN,
        "tests/test_main.py": DIRTY,
        "vendor/lib/bad.py": DIRTY,
        "app/_vendor/bad.py": DIRTY,
        "app/generated/client.py": DIRTY,
        "examples/demo.py": DIRTY,
    }
    verdict = findings_of(files)
    assert (verdict.outcome, verdict.findings) == (Outcome.PASS, ())


def test_a_hostile_ruff_config_in_the_scanned_repo_changes_nothing() -> None:
    hostile = {
        "ruff.toml": "[lint]\nselect = []\nignore = ['ALL']\n",
        "pyproject.toml": "[tool.ruff.lint.per-file-ignores]\n'*' = ['ALL']\n",
    }
    plain = findings_of({"app/run.py": DIRTY})
    with_config = findings_of({"app/run.py": DIRTY, **hostile})
    assert [f.message for f in with_config.findings] == [f.message for f in plain.findings]
    assert any("S307" in f.message for f in with_config.findings)


def test_only_suppressions_naming_the_code_count() -> None:
    files = {"app/run.py": "import os  # noqa: F401\nimport sys  # noqa\n"}
    verdict = findings_of(files)
    assert [f.message.split()[0] for f in verdict.findings] == ["F401"]
    assert any("1 ruff findings suppressed" in (e.detail or "") for e in verdict.evidence)


def test_complexity_limit_comes_from_the_policy() -> None:
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(12))
    files = {"app/logic.py": f"def decide(x):\n{branches}    return -1\n"}
    assert any("C901" in f.message for f in findings_of(files, max_complexity=10).findings)
    assert not findings_of(files, max_complexity=15).findings


def test_dead_code_and_duplicates_are_findings_with_locations() -> None:
    block = "".join(f"    total += compute(alpha, beta, gamma, {i})\n" for i in range(8))
    body = f"(compute, alpha, beta, gamma):\n    total = 0\n{block}    return total\n"
    files = {
        "app/main.py": "from app.a import one\nfrom app.b import two\n\n\ndef main():\n"
        "    one()\n    two()\n",
        "app/a.py": f"def one{body}\n\ndef forgotten():\n    return 1\n",
        "app/b.py": f"def two{body}",
        "app/server.py": "import uvicorn\n\nuvicorn.run('app.main:main')\n",
    }
    verdict = findings_of(files)
    messages = {(f.path, f.line, f.message) for f in verdict.findings}
    assert messages == {
        ("app/a.py", 14, "function `forgotten` is never used in this service: delete it"),
        (
            "app/b.py",
            2,
            "lines 2-11 repeat app/a.py:2-11 (10 statements): extract the shared code into "
            "one function",
        ),
    }


def test_public_functions_of_a_library_are_its_api() -> None:
    files = {"lib/api.py": "def public():\n    return 1\n\n\ndef _helper():\n    return 2\n"}
    verdict = findings_of(files)  # starts no server: a library
    assert [f.message for f in verdict.findings] == [
        "function `_helper` is never used in this service: delete it"
    ]


GO_SHADOW = """package store

func load() (int, error) { return 0, nil }

func Read() error {
	var err error
	for i := 0; i < 3; i++ {
		n, err := load()
		if err != nil {
			break
		}
		_ = n
	}
	return err
}
"""


def test_go_code_is_measured_with_tree_sitter_and_the_summary_says_why() -> None:
    verdict = findings_of({"internal/store/store.go": GO_SHADOW, "go.mod": "module x\n"})
    assert [(f.path, f.line) for f in verdict.findings] == [("internal/store/store.go", 8)]
    assert "shadows the `err` of line 6" in verdict.findings[0].message
    assert "lines of Go" in verdict.summary
    on_path = [n for n in ("go", "gosec", "golangci-lint") if shutil.which(n)]
    expected = "found on PATH but not run" if on_path else "are not on PATH"
    assert expected in verdict.summary


def test_other_languages_are_not_applicable_and_say_so() -> None:
    verdict = findings_of({"web/app.js": "export const f = () => 1;\n" * 40})
    assert verdict.outcome is Outcome.NOT_APPLICABLE
    assert "javascript is not measured" in verdict.summary


def test_a_missing_ruff_is_an_error_result_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken install (the ruff binary gone) makes the check an error with
    a message saying so; the scan goes on."""
    from prodready.scan.facts import analysis

    monkeypatch.setattr(analysis, "ruff_binary", lambda: Path("/nonexistent/ruff"))
    facts = Facts.from_files({"app/run.py": DIRTY})
    result = judge(FINDINGS_CHECK, facts, Policy(), TODAY)
    assert result.outcome is Outcome.ERROR
    assert "RuffError: ruff could not be started" in (result.error or "")


def test_rust_formatting_and_gates_are_judged_too() -> None:
    rust = 'fn main() {\n    println!("x");\n}\n' * 10
    files = {
        "src/main.rs": rust,
        ".github/workflows/ci.yml": gha("cargo fmt --check", "cargo clippy"),
    }
    assert judged(judge_format, files).outcome is Outcome.PASS
    assert judged(judge_quality_gate, files).outcome is Outcome.PASS
    files[".github/workflows/ci.yml"] = gha("cargo fmt")
    verdict = judged(judge_format, files)
    assert verdict.outcome is Outcome.FAIL
    assert any("`cargo fmt`" in f.message for f in verdict.findings)


def test_infrastructure_scanners_are_not_code_sast() -> None:
    files = {
        "app.py": PY,
        ".github/workflows/ci.yml": gha("trivy config --exit-code 1 .", "checkov -d deploy"),
    }
    assert judged(judge_sast, files).outcome is Outcome.FAIL
    files[".github/workflows/ci.yml"] = gha("semgrep ci")
    assert judged(judge_sast, files).outcome is Outcome.PASS
