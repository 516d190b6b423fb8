"""Hostile and broken inputs: the CI collector reports, never raises, and
stays bounded."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodready.scan.facts.ci import ci_facts
from prodready.scan.facts.ci_yaml import YRef, YStr, load_yaml
from prodready.scan.facts.source import InMemoryFiles

BILLION_LAUGHS = """\
a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
jobs:
  x:
    script: *i
"""


def test_yaml_loader_keeps_lines_tags_and_shares_aliases() -> None:
    text = (
        "job:\n  script:\n    - !reference [.a, script]\n    - |\n      one\n      two\n"
        "  flag: yes\n"
    )
    (doc,), problems = load_yaml("x.yml", text)
    assert problems == []
    script = doc["job"]["script"]
    assert isinstance(script[0], YRef)
    assert list(script[0]) == [".a", "script"]
    assert isinstance(script[1], YStr)
    assert (script[1].line, script[1].literal, script[1].path) == (5, True, "x.yml")
    assert doc["job"]["flag"] is True
    assert doc.line_of("job") == 1


def test_billion_laughs_is_bounded() -> None:
    result = ci_facts(InMemoryFiles({".gitlab-ci.yml": BILLION_LAUGHS}))
    assert len(result.commands) < 100


def test_recursive_alias_does_not_hang() -> None:
    documents, _ = load_yaml("x.yml", "a: &a\n  b: *a\n")
    assert documents


@pytest.mark.parametrize(
    "path",
    [
        ".github/workflows/x.yml",
        ".gitlab-ci.yml",
        ".circleci/config.yml",
        "azure-pipelines.yml",
        ".travis.yml",
        ".drone.yml",
        "bitbucket-pipelines.yml",
        ".buildkite/pipeline.yml",
        "cloudbuild.yaml",
        ".pre-commit-config.yaml",
        "Taskfile.yml",
    ],
)
@pytest.mark.parametrize(
    "text",
    [
        "",
        "42",
        "[1, 2, 3]",
        "jobs: [1, 2]\nsteps: 3\nscript: {a: b}\n",
        "on: push\njobs:\n  a:\n    steps:\n      - run: [1, 2]\n      - uses: 3\n      - 7\n",
        "key: [unclosed\n",
        "\t\tbad: indentation\n  x",
        "a: !!python/object/apply:os.system ['echo pwned']\n",
        "pipelines:\n  default:\n    - step:\n        script: {x: 1}\n",
        "steps:\n  - command: 5\n  - commands: [null, 3]\n",
        "x: " + "[" * 500 + "]" * 500 + "\n",
    ],
)
def test_wrong_shapes_never_raise(path: str, text: str) -> None:
    result = ci_facts(InMemoryFiles({path: text}))
    for problem in result.problems:
        assert problem.path == path


def test_jenkinsfile_garbage_never_raises() -> None:
    texts = [
        "sh '''unterminated",
        'sh "',
        "sh(",
        "}}}}{{{{",
        "stage('x') { sh 'a' " * 200,
        "/* open",
    ]
    for text in texts:
        ci_facts(InMemoryFiles({"Jenkinsfile": text}))


def test_huge_lines_are_handled_quickly() -> None:
    run = "echo " + "x" * 200_000 + " && ruff check ."
    workflow = f"on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: {run}\n"
    result = ci_facts(InMemoryFiles({".github/workflows/x.yml": workflow}))
    assert result.runs("ruff-check")[0].can_fail


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(alphabet="abc-_:/ \n\t\\$()|&;'\"#=%@", max_size=200),
    st.sampled_from(
        ["Makefile", "justfile", "tox.ini", "scripts/ci.sh", "package.json", "noxfile.py"]
    ),
)
def test_runner_files_fuzz(text: str, name: str) -> None:
    calls = {
        "Makefile": "make a",
        "justfile": "just a",
        "tox.ini": "tox -e a",
        "scripts/ci.sh": "./scripts/ci.sh",
        "package.json": "npm run a",
        "noxfile.py": "nox -s a",
    }
    workflow = f"on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: {calls[name]}\n"
    ci_facts(InMemoryFiles({".github/workflows/x.yml": workflow, name: text}))
