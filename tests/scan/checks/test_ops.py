"""ops.ci-pipeline: a CI definition that parses."""

from __future__ import annotations

import pytest

from prodready.scan.checks.ops import judge_ci_pipeline
from prodready.scan.facts.view import Facts
from prodready.scan.model import Outcome


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: make\n",
        ),
        (".gitlab-ci.yml", "test:\n  script:\n    - make test\n"),
        (
            "Jenkinsfile",
            "pipeline { agent any\n stages { stage('t') { steps { sh 'make test' } } } }\n",
        ),
        (
            ".circleci/config.yml",
            "version: 2.1\njobs:\n  t:\n    docker: [{image: x}]\n    steps: [checkout]\n",
        ),
    ],
)
def test_pipelines_of_several_ci_systems(path: str, text: str) -> None:
    verdict = judge_ci_pipeline(Facts.from_files({path: text}))
    assert verdict.outcome is Outcome.PASS
    assert verdict.evidence[0].path == path


def test_no_pipeline_fails() -> None:
    verdict = judge_ci_pipeline(Facts.from_files({"app.py": "x = 1\n"}))
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 0.0)


def test_a_broken_definition_is_not_a_pipeline() -> None:
    verdict = judge_ci_pipeline(Facts.from_files({".github/workflows/ci.yml": "on: [push\n"}))
    assert verdict.outcome is Outcome.FAIL
    assert verdict.findings[0].path == ".github/workflows/ci.yml"
    assert verdict.findings[0].message.startswith("CI definition does not parse")
