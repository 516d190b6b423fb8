"""Jenkins, CircleCI, Azure, Travis, Drone, Woodpecker, Bitbucket,
Buildkite, Tekton, Cloud Build and the detected-only systems."""

from __future__ import annotations

from prodready.scan.facts.ci import CiFacts, CiKind, CommandRun, ci_facts
from prodready.scan.facts.source import InMemoryFiles


def facts(files: dict[str, str]) -> CiFacts:
    return ci_facts(InMemoryFiles(files))


def only(result: CiFacts, kind: str) -> CommandRun:
    runs = result.runs(kind)
    assert len(runs) == 1, [r.chain for r in runs]
    return runs[0]


JENKINSFILE = """\
@Library('shared-lib') _
pipeline {
  agent any
  stages {
    stage('Lint') {
      steps {
        sh 'ruff check .'
        sh label: 'types', script: 'mypy src'
        // sh 'pylint src'
      }
    }
    stage('Test') {
      steps {
        sh '''
          python -m pytest --cov=app
          coverage xml
        '''
        catchError(buildResult: 'SUCCESS', stageResult: 'FAILURE') {
          sh "bandit -r src"
        }
        script {
          def rc = sh(script: 'pip-audit', returnStatus: true)
          try {
            sh 'go vet ./...'
          } catch (err) {
            echo "vet failed: ${err}"
          }
          try {
            sh 'golangci-lint run'
          } catch (err) {
            error("lint failed")
          }
        }
        warnError('semgrep') {
          sh 'semgrep ci'
        }
      }
    }
  }
}
"""


def test_jenkinsfile() -> None:
    result = facts({"Jenkinsfile": JENKINSFILE})
    (pipeline,) = result.pipelines
    assert pipeline.kind is CiKind.JENKINS
    assert pipeline.jobs == ("Lint", "Test")
    assert pipeline.notes == ("uses a shared library (its steps are not read)",)
    ruff = only(result, "ruff-check")
    assert ruff.can_fail
    assert ruff.location.line == 7
    assert only(result, "mypy").can_fail
    assert result.runs("pylint") == [], "commented out"
    pytest_run = only(result, "pytest")
    assert pytest_run.location.line == 15
    assert pytest_run.can_fail, "sh runs with -xe"
    assert not only(result, "bandit").can_fail
    assert "catchError" in (only(result, "bandit").why_not or "")
    assert not only(result, "pip-audit").can_fail
    assert "returnStatus" in (only(result, "pip-audit").why_not or "")
    assert not only(result, "go-vet").can_fail
    assert only(result, "golangci-lint").can_fail, "the catch block fails the build again"
    assert not only(result, "semgrep").can_fail


CIRCLE = """\
version: 2.1
orbs:
  python: circleci/python@2.1
  snyk: snyk/snyk@2.0.0
commands:
  lint:
    steps:
      - run: flake8 src
jobs:
  test:
    docker:
      - image: cimg/python:3.12
    steps:
      - checkout
      - lint
      - run:
          name: Tests
          command: pytest | tee out.log
      - snyk/scan
  unused:
    docker:
      - image: cimg/base:stable
    steps:
      - run: bandit -r .
workflows:
  main:
    jobs:
      - test
      - python/test:
          pkg-manager: pip
"""


def test_circleci() -> None:
    result = facts({".circleci/config.yml": CIRCLE})
    (pipeline,) = result.pipelines
    assert pipeline.kind is CiKind.CIRCLECI
    assert "orb python: circleci/python@2.1" in pipeline.notes
    assert only(result, "flake8").can_fail
    assert only(result, "pytest").can_fail, "CircleCI's bash runs with -eo pipefail"
    assert not only(result, "bandit").can_fail
    assert "not in any workflow" in (only(result, "bandit").why_not or "")
    assert only(result, "snyk").can_fail
    orb_test = only(result, "orb-test")
    assert orb_test.tool is not None
    assert orb_test.tool.languages == {"python"}


AZURE = """\
trigger: [main]
pool:
  vmImage: ubuntu-latest
stages:
  - stage: Build
    jobs:
      - job: test
        steps:
          - script: |
              pip install -r requirements.txt
              pytest
              echo done
            displayName: Tests
          - bash: ruff check .
            continueOnError: true
          - task: Maven@4
            inputs:
              goals: verify
          - task: PublishCodeCoverageResults@2
          - template: templates/lint.yml
"""


def test_azure_pipelines() -> None:
    files = {
        "azure-pipelines.yml": AZURE,
        "templates/lint.yml": "steps:\n  - script: golangci-lint run\n",
    }
    result = facts(files)
    (pipeline,) = result.pipelines
    assert pipeline.kind is CiKind.AZURE_PIPELINES
    pytest_run = only(result, "pytest")
    assert not pytest_run.can_fail, "Azure script runs bash without -e; `echo done` decides"
    assert not only(result, "ruff-check").can_fail
    assert only(result, "maven").can_fail
    assert only(result, "golangci-lint").location.path == "templates/lint.yml"
    assert only(result, "golangci-lint").can_fail


def test_travis() -> None:
    travis = """\
language: python
install:
  - pip install -r requirements.txt
script:
  - flake8
  - pytest
after_success:
  - coverage report --fail-under=90
"""
    result = facts({".travis.yml": travis})
    assert result.pipelines[0].kind is CiKind.TRAVIS
    assert only(result, "flake8").can_fail
    assert only(result, "pytest").location.line == 6
    coverage = next(r for r in result.runs("coverage") if r.tool and r.tool.family == "coverage")
    assert not coverage.can_fail


def test_drone_and_woodpecker() -> None:
    drone = """\
kind: pipeline
name: default
steps:
  - name: lint
    image: golangci/golangci-lint
    commands:
      - golangci-lint run
  - name: vuln
    image: golang
    failure: ignore
    commands:
      - govulncheck ./...
---
kind: secret
name: token
"""
    woodpecker = "steps:\n  test:\n    image: golang\n    commands:\n      - go test ./...\n"
    result = facts({".drone.yml": drone, ".woodpecker/test.yml": woodpecker})
    kinds = sorted(p.kind.value for p in result.pipelines)
    assert kinds == ["drone", "woodpecker"]
    assert only(result, "golangci-lint").can_fail
    assert not only(result, "govulncheck").can_fail
    assert only(result, "go-test").location.path == ".woodpecker/test.yml"


def test_bitbucket() -> None:
    bitbucket = """\
definitions:
  steps:
    - step: &lint
        name: Lint
        script:
          - ruff check .
pipelines:
  default:
    - step: *lint
    - parallel:
        - step:
            name: Test
            script:
              - pytest
            after-script:
              - bandit -r src
        - step:
            name: Snyk
            script:
              - pipe: snyk/snyk-scan:1.0.0
  branches:
    main:
      - step: *lint
"""
    result = facts({"bitbucket-pipelines.yml": bitbucket})
    assert result.pipelines[0].jobs == ("default", "branches:main")
    labels = sorted(r.location.label or "" for r in result.runs("ruff-check"))
    assert labels == ["pipeline branches:main, step Lint", "pipeline default, step Lint"]
    assert {r.location.line for r in result.runs("ruff-check")} == {6}, (
        "the anchored step's own line"
    )
    assert only(result, "pytest").can_fail
    assert not only(result, "bandit").can_fail
    assert only(result, "snyk").can_fail


def test_buildkite() -> None:
    pipeline = """\
steps:
  - label: ":python: lint"
    command: ruff check .
  - wait
  - group: tests
    steps:
      - label: test
        commands:
          - pytest
      - label: flaky
        command: go test ./...
        soft_fail: true
"""
    result = facts({".buildkite/pipeline.yml": pipeline})
    assert result.pipelines[0].kind is CiKind.BUILDKITE
    assert only(result, "ruff-check").can_fail
    assert only(result, "pytest").can_fail
    assert not only(result, "go-test").can_fail


def test_tekton() -> None:
    task = """\
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: lint
spec:
  steps:
    - name: ruff
      image: python:3.12
      script: |
        pip install ruff
        ruff check .
    - name: vet
      image: golang
      command: [go]
      args: [vet, ./...]
      onError: continue
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: other
"""
    result = facts({".tekton/lint.yaml": task, "k8s/deploy.yaml": "kind: Deployment\n"})
    assert [p.kind for p in result.pipelines] == [CiKind.TEKTON]
    ruff = only(result, "ruff-check")
    assert ruff.can_fail
    assert ruff.location.line == 11
    assert not only(result, "go-vet").can_fail


def test_cloud_build() -> None:
    cloudbuild = """\
steps:
  - name: golang:1.22
    entrypoint: go
    args: [test, ./...]
  - name: gcr.io/cloud-builders/go
    args: [vet, ./...]
  - name: python:3.12
    entrypoint: bash
    args: [-c, "pip install ruff && ruff check ."]
  - name: python:3.12
    script: |
      pytest
      echo done
  - name: aquasec/trivy
    args: [fs, --exit-code, "1", .]
    allowFailure: true
"""
    result = facts({"cloudbuild.yaml": cloudbuild})
    assert result.pipelines[0].kind is CiKind.CLOUD_BUILD
    assert only(result, "go-test").can_fail
    assert only(result, "go-vet").can_fail
    assert only(result, "ruff-check").can_fail
    assert not only(result, "pytest").can_fail
    assert not only(result, "trivy").can_fail


def test_detected_only_systems_and_generated_drone() -> None:
    result = facts(
        {
            "appveyor.yml": "build: off\n",
            ".drone.jsonnet": "{}",
            ".semaphore/semaphore.yml": "x: 1\n",
        }
    )
    kinds = sorted((p.kind.value, p.path) for p in result.pipelines)
    assert kinds == [
        ("drone", ".drone.jsonnet"),
        ("other", ".semaphore/semaphore.yml"),
        ("other", "appveyor.yml"),
    ]
