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


def lockfile(files: dict[str, str], service: str = ".") -> tuple[Outcome, float | None, list[str]]:
    from prodready.scan.checks.ops import judge_lockfile
    from prodready.scan.facts.view import ServiceScope

    facts = Facts.from_files(files)
    verdict = judge_lockfile(Facts(facts.index, ServiceScope("svc", service)))
    return verdict.outcome, verdict.score, [f"{f.path}: {f.message}" for f in verdict.findings]


def test_lockfiles_per_ecosystem() -> None:
    files = {
        "go.mod": "module x\n\ngo 1.22\n\nrequire github.com/go-chi/chi/v5 v5.1.0\n",
        "go.sum": "github.com/go-chi/chi/v5 v5.1.0 h1:abc=\n",
        "requirements.txt": "flask==3.0.3\nrequests==2.32.3\n",
    }
    assert lockfile(files)[:2] == (Outcome.PASS, 10.0)


def test_unpinned_ecosystems_fail_in_proportion() -> None:
    files = {
        "go.mod": "module x\n\ngo 1.22\n\nrequire github.com/go-chi/chi/v5 v5.1.0\n",
        "go.sum": "github.com/go-chi/chi/v5 v5.1.0 h1:abc=\n",
        "requirements.txt": "flask\nrequests>=2\n",
    }
    outcome, score, messages = lockfile(files)
    assert (outcome, score) == (Outcome.FAIL, 5.0)
    assert messages[0].startswith("requirements.txt: python dependencies not locked: ")


def test_no_manifest_and_fixture_manifests() -> None:
    assert lockfile({"main.py": "print(1)\n"})[0] is Outcome.NOT_APPLICABLE
    fixture = {"tests/fixtures/app/requirements.txt": "flask\n"}
    assert lockfile(fixture)[0] is Outcome.NOT_APPLICABLE


def test_monorepo_projects_belong_to_their_service() -> None:
    files = {
        "svc/a/requirements.txt": "flask==3.0.3\n",
        "svc/b/requirements.txt": "flask\n",
    }
    assert lockfile(files, "svc/a")[0] is Outcome.PASS
    assert lockfile(files, "svc/b")[0] is Outcome.FAIL
