"""GitHub Actions workflows through ``ci_facts``."""

from __future__ import annotations

from prodready.scan.facts.ci import CiFacts, CiKind, CommandRun, Trigger, ci_facts
from prodready.scan.facts.source import InMemoryFiles


def facts(files: dict[str, str]) -> CiFacts:
    return ci_facts(InMemoryFiles(files))


def only(result: CiFacts, kind: str) -> CommandRun:
    runs = result.runs(kind)
    assert len(runs) == 1, [r.chain for r in runs]
    return runs[0]


WORKFLOW = """\
name: CI
on:
  push:
    branches: [main]
  pull_request:
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: astral-sh/setup-uv@v3
      - name: Ruff
        run: uv run ruff check .
      - name: Format
        run: |
          uv run ruff format --check .
          uv run mypy src || true
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python: ["3.11", "3.12"]
    steps:
      - uses: actions/checkout@v4
      - name: Tests
        run: uv run pytest --cov=app --cov-fail-under=85 | tee pytest.log
  experimental:
    runs-on: ubuntu-latest
    continue-on-error: true
    steps:
      - run: bandit -r src
  disabled:
    if: false
    runs-on: ubuntu-latest
    steps:
      - run: pip-audit
"""


def test_pipeline_jobs_events_and_lines() -> None:
    result = facts({".github/workflows/ci.yml": WORKFLOW})
    assert result.has_ci
    (pipeline,) = result.pipelines
    assert pipeline.kind is CiKind.GITHUB_ACTIONS
    assert pipeline.jobs == ("lint", "test", "experimental", "disabled")
    assert pipeline.events == ("push", "pull_request")
    ruff = only(result, "ruff-check")
    assert ruff.can_fail
    assert ruff.trigger is Trigger.CI
    assert str(ruff.location) == ".github/workflows/ci.yml:13 (job lint, step Ruff)"
    fmt = only(result, "ruff-format")
    assert fmt.location.line == 16
    assert fmt.can_fail


def test_masked_commands_say_why() -> None:
    result = facts({".github/workflows/ci.yml": WORKFLOW})
    mypy = only(result, "mypy")
    assert not mypy.can_fail
    assert mypy.why_not is not None
    assert "|| true" in mypy.why_not
    assert mypy.location.line == 17
    pytest_run = only(result, "pytest")
    assert not pytest_run.can_fail, "default bash on GitHub has no pipefail"
    assert "tee" in (pytest_run.why_not or "")
    bandit = only(result, "bandit")
    assert not bandit.can_fail
    assert "continue-on-error" in (bandit.why_not or "")
    audit = only(result, "pip-audit")
    assert not audit.can_fail
    assert "if: false" in (audit.why_not or "")
    assert result.gating("sast") == []
    assert [r.tool.id for r in result.gating("lint") if r.tool] == ["ruff-check"]


def test_explicit_bash_shell_has_pipefail() -> None:
    workflow = """\
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    defaults:
      run:
        shell: bash
    steps:
      - run: pytest | tee log
"""
    assert only(facts({".github/workflows/t.yml": workflow}), "pytest").can_fail


def test_windows_runner_only_last_command_counts() -> None:
    workflow = """\
on: push
jobs:
  test:
    runs-on: windows-latest
    steps:
      - run: |
          pytest
          echo done
"""
    assert not only(facts({".github/workflows/t.yml": workflow}), "pytest").can_fail


def test_actions_with_inputs() -> None:
    workflow = """\
on: [pull_request]
jobs:
  checks:
    runs-on: ubuntu-latest
    steps:
      - uses: golangci/golangci-lint-action@v6
        with:
          version: v1.59
          args: --timeout=5m
      - uses: github/codeql-action/init@v3
        with:
          languages: go
      - uses: github/codeql-action/analyze@v3
      - uses: pypa/gh-action-pip-audit@v1.1.0
      - uses: astral-sh/ruff-action@v3
        with:
          args: format --check
      - uses: psf/black@stable
      - uses: aquasecurity/trivy-action@0.24.0
        with:
          scan-type: fs
      - uses: reviewdog/action-eslint@v1
      - uses: reviewdog/action-staticcheck@v1
        with:
          fail_on_error: true
      - uses: codecov/codecov-action@v4
      - uses: actions/dependency-review-action@v4
"""
    result = facts({".github/workflows/checks.yml": workflow})
    assert only(result, "golangci-lint").can_fail
    assert only(result, "golangci-lint").argv[:3] == ("golangci-lint", "run", "--timeout=5m")
    assert only(result, "codeql").can_fail
    assert only(result, "pip-audit").can_fail
    assert only(result, "ruff-format").can_fail
    black = only(result, "black")
    assert black.can_fail, "psf/black runs --check by default"
    trivy = only(result, "trivy")
    assert not trivy.can_fail
    assert "--exit-code" in (trivy.why_not or "")
    eslint = only(result, "eslint")
    assert not eslint.can_fail
    assert "reviewdog" in (eslint.why_not or "")
    assert only(result, "staticcheck").can_fail
    assert only(result, "coverage").tool is not None
    assert {r.tool.id for r in result.gating("dependency-scan") if r.tool} == {
        "pip-audit",
        "dependency-review",
    }


def test_formatter_then_git_diff_in_a_later_step_gates() -> None:
    workflow = """\
on: push
jobs:
  fmt:
    runs-on: ubuntu-latest
    steps:
      - run: gofmt -w .
      - run: go vet ./...
      - name: Check formatting
        run: git diff --exit-code
  fmt2:
    runs-on: ubuntu-latest
    steps:
      - run: black .
"""
    result = facts({".github/workflows/fmt.yml": workflow})
    gofmt = only(result, "gofmt")
    assert gofmt.can_fail
    assert any("later step" in note for note in gofmt.notes)
    black = only(result, "black")
    assert not black.can_fail
    assert "rewrites files" in (black.why_not or "")


def test_working_directory_and_make() -> None:
    workflow = """\
on: push
jobs:
  svc:
    runs-on: ubuntu-latest
    defaults:
      run:
        working-directory: services/api
    steps:
      - run: make lint
"""
    makefile = "lint:\n\tgolangci-lint run ./...\n"
    result = facts({".github/workflows/svc.yml": workflow, "services/api/Makefile": makefile})
    lint = only(result, "golangci-lint")
    assert lint.can_fail
    assert lint.chain == (
        '.github/workflows/svc.yml:9 (job svc, step "make lint") -> '
        "services/api/Makefile:1 (target lint) -> services/api/Makefile:2"
    )
    assert lint.cwd == "services/api"


def test_composite_action_and_reusable_workflow() -> None:
    files = {
        ".github/workflows/ci.yml": """\
on: push
jobs:
  lint:
    uses: ./.github/workflows/lint.yml
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/test
""",
        ".github/workflows/lint.yml": """\
on:
  workflow_call:
jobs:
  ruff:
    runs-on: ubuntu-latest
    steps:
      - run: ruff check .
""",
        ".github/actions/test/action.yml": """\
name: test
runs:
  using: composite
  steps:
    - run: go test ./...
      shell: bash
""",
    }
    result = facts(files)
    ruff = only(result, "ruff-check")
    assert ruff.can_fail
    assert ruff.location.path == ".github/workflows/lint.yml"
    assert "lint > ruff" in (ruff.location.label or "")
    go_test = only(result, "go-test")
    assert go_test.location.path == ".github/actions/test/action.yml"
    assert go_test.location.line == 5
    reusable = next(p for p in result.pipelines if p.path.endswith("lint.yml"))
    assert reusable.notes == ("reusable workflow (workflow_call)",)


def test_pre_commit_action_runs_hooks_in_ci() -> None:
    files = {
        ".github/workflows/pre-commit.yml": """\
on: [pull_request]
jobs:
  pre-commit:
    runs-on: ubuntu-latest
    steps:
      - uses: pre-commit/action@v3.0.1
""",
        ".pre-commit-config.yaml": """\
repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.6.9
    hooks:
      - id: ruff
        args: [--fix]
      - id: ruff-format
""",
    }
    result = facts(files)
    formats = result.runs("ruff-format", [Trigger.CI])
    assert len(formats) == 1
    assert formats[0].can_fail, "a formatter hook fails pre-commit when it changes files"
    assert formats[0].chain.startswith(".github/workflows/pre-commit.yml:6")
    assert result.runs("ruff-format", [Trigger.PRE_COMMIT]) == []


def test_malformed_and_odd_workflows_are_problems() -> None:
    result = facts(
        {
            ".github/workflows/broken.yml": "on: push\njobs:\n  a:\n    steps: [\n",
            ".github/workflows/empty.yml": "",
            ".github/workflows/nojobs.yml": "on: push\n",
            ".github/workflows/list.yml": "- a\n- b\n",
            ".github/workflows/badjob.yml": "on: push\njobs:\n  a: 3\n  b:\n    runs-on: x\n",
        }
    )
    messages = {(p.path, p.message.split(":")[0]) for p in result.problems}
    assert (".github/workflows/broken.yml", "invalid YAML") in messages
    assert any(p.path == ".github/workflows/broken.yml" and p.line for p in result.problems)
    assert (".github/workflows/empty.yml", "empty workflow file") in messages
    assert (".github/workflows/nojobs.yml", "workflow has no `jobs` mapping") in messages
    assert (".github/workflows/list.yml", "workflow is not a mapping") in messages
    assert (".github/workflows/badjob.yml", "job `a` is not a mapping") in messages
    assert (".github/workflows/badjob.yml", "job `b` has no `steps` list") in messages


def test_workflows_outside_the_workflows_folder_are_ignored() -> None:
    result = facts({".github/workflows/sub/x.yml": "on: push\njobs: {}\n", "ci.yml": "on: push\n"})
    assert not result.has_ci


def test_scheduled_only_workflows_are_noted() -> None:
    workflow = """\
on:
  schedule:
    - cron: "0 3 * * *"
  workflow_dispatch:
jobs:
  audit:
    runs-on: ubuntu-latest
    steps:
      - run: pip-audit
"""
    audit = only(facts({".github/workflows/nightly.yml": workflow}), "pip-audit")
    assert audit.can_fail
    assert audit.notes == (
        "the workflow runs on schedule, workflow_dispatch only, not on pushes or pull requests",
    )
