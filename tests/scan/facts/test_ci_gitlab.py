"""GitLab CI through ``ci_facts``: includes, extends, anchors, !reference."""

from __future__ import annotations

from prodready.scan.facts.ci import CiFacts, CiKind, CommandRun, ci_facts
from prodready.scan.facts.source import InMemoryFiles


def facts(files: dict[str, str]) -> CiFacts:
    return ci_facts(InMemoryFiles(files))


def only(result: CiFacts, kind: str) -> CommandRun:
    runs = result.runs(kind)
    assert len(runs) == 1, [r.chain for r in runs]
    return runs[0]


MAIN = """\
include:
  - local: ci/templates.yml
  - project: platform/ci-templates
    file: /python.yml
  - template: Security/SAST.gitlab-ci.yml
  - remote: https://example.com/ci.yml

stages: [lint, test]

default:
  before_script:
    - pip install -r requirements.txt

.py: &py
  image: python:3.12

lint:
  <<: *py
  stage: lint
  extends: .lint-template
  script:
    - ruff check .
    - !reference [.typing, script]

test:
  stage: test
  script:
    - |
      pytest --cov=app
      coverage report --fail-under=80
  after_script:
    - bandit -r src

audit:
  stage: test
  script: pip-audit
  allow_failure: true

deploy:
  stage: test
  script: ./deploy.sh
  when: manual

format:
  stage: lint
  inherit:
    default: false
  script:
    - black --check .
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
      when: never
"""
TEMPLATES = """\
.lint-template:
  tags: [docker]
  variables:
    X: "1"
.typing:
  script:
    - mypy src
"""


def test_jobs_scripts_and_includes() -> None:
    result = facts({".gitlab-ci.yml": MAIN, "ci/templates.yml": TEMPLATES})
    (pipeline,) = result.pipelines
    assert pipeline.kind is CiKind.GITLAB_CI
    assert pipeline.jobs == ("lint", "test", "audit", "deploy", "format")
    assert "include not read: project platform/ci-templates /python.yml" in pipeline.notes
    assert "include not read: remote https://example.com/ci.yml" in pipeline.notes
    ruff = only(result, "ruff-check")
    assert ruff.can_fail
    assert (ruff.location.path, ruff.location.line) == (".gitlab-ci.yml", 22)
    mypy = only(result, "mypy")
    assert mypy.can_fail
    assert (mypy.location.path, mypy.location.line) == ("ci/templates.yml", 7), (
        "!reference resolved"
    )
    (coverage,) = [r for r in result.runs("coverage") if r.tool and r.tool.family == "coverage"]
    assert coverage.can_fail
    assert coverage.location.line == 30
    assert only(result, "pytest").location.line == 29
    assert result.coverage.fail_under == 80.0


def test_default_before_script_is_inherited_unless_disabled() -> None:
    result = facts({".gitlab-ci.yml": MAIN, "ci/templates.yml": TEMPLATES})
    installs = [r for r in result.commands if r.argv[:2] == ("pip", "install")]
    jobs = sorted({r.location.label for r in installs})
    assert jobs == ["job audit", "job deploy", "job lint", "job test"]


def test_jobs_that_cannot_fail() -> None:
    result = facts({".gitlab-ci.yml": MAIN, "ci/templates.yml": TEMPLATES})
    bandit = only(result, "bandit")
    assert not bandit.can_fail
    assert "after_script" in (bandit.why_not or "")
    audit = only(result, "pip-audit")
    assert not audit.can_fail
    assert "allow_failure" in (audit.why_not or "")
    black = only(result, "black")
    assert not black.can_fail
    assert "never" in (black.why_not or "")
    sast = only(result, "gitlab-sast")
    assert not sast.can_fail
    assert "allow failure" in (sast.why_not or "")


def test_sast_template_gates_when_overridden() -> None:
    text = "include:\n  - template: Jobs/SAST.gitlab-ci.yml\nsast:\n  allow_failure: false\n"
    assert only(facts({".gitlab-ci.yml": text}), "gitlab-sast").can_fail


def test_include_cycles_and_missing_files_are_problems() -> None:
    files = {
        ".gitlab-ci.yml": (
            "include:\n  - local: a.yml\n  - local: missing.yml\njob:\n  script: [pytest]\n"
        ),
        "a.yml": "include: .gitlab-ci.yml\n",
    }
    result = facts(files)
    messages = [p.message for p in result.problems]
    assert any("included file missing.yml not found" in m for m in messages)
    assert any("include cycle" in m for m in messages)
    assert only(result, "pytest").can_fail


def test_wildcard_includes_and_child_pipelines() -> None:
    files = {
        ".gitlab-ci.yml": (
            "include: 'ci/*.yml'\ntrigger-child:\n  trigger:\n    include: child/.gitlab-ci.yml\n"
        ),
        "ci/lint.yml": "lint:\n  script: golangci-lint run\n",
        "ci/test.yml": "test:\n  script: go test ./...\n",
        "child/.gitlab-ci.yml": "child-job:\n  script: [npm test]\n",
    }
    result = facts(files)
    assert only(result, "golangci-lint").location.path == "ci/lint.yml"
    assert only(result, "go-test").location.path == "ci/test.yml"
    assert only(result, "npm-test").location.path == "child/.gitlab-ci.yml"
    assert len(result.pipelines) == 2


def test_malformed_gitlab_config() -> None:
    result = facts({".gitlab-ci.yml": "job:\n  script:\n    - echo 'x\n  - bad"})
    assert result.problems
    assert result.problems[0].path == ".gitlab-ci.yml"
    assert result.problems[0].line is not None
