"""Broken and hostile manifests: problems, never exceptions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodready.scan.facts.deps import deps_facts
from prodready.scan.facts.source import InMemoryFiles

MANIFESTS = [
    "pyproject.toml",
    "requirements.txt",
    "Pipfile",
    "Pipfile.lock",
    "setup.cfg",
    "setup.py",
    "uv.lock",
    "poetry.lock",
    "go.mod",
    "go.sum",
    "package.json",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "pom.xml",
    "build.gradle",
    "gradle/libs.versions.toml",
    ".github/dependabot.yml",
    "renovate.json5",
]


@pytest.mark.parametrize("path", MANIFESTS)
@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x01 binary-ish \ufffd",
        "[[[[[[",
        '{"dependencies": [1, 2], "scripts": 3, "devDependencies": {"a": 5}}',
        "project = 3\n[tool]\npoetry = 1\n",
        "<project><dependencies><dependency/></dependencies></project>",
        "require (\n\tbroken\n",
        "a" * 50_000,
        "-r " + "x/" * 2000 + "r.txt\n",
        "updates: 3\n",
    ],
)
def test_wrong_shapes_never_raise(path: str, text: str) -> None:
    result = deps_facts(InMemoryFiles({path: text}))
    for problem in result.problems:
        assert problem.path == path


def test_deeply_nested_json_and_xml() -> None:
    deep_json = '{"dependencies": ' + "[" * 5000 + "]" * 5000 + "}"
    deep_xml = "<project>" + "<a>" * 3000 + "</a>" * 3000 + "</project>"
    result = deps_facts(InMemoryFiles({"package.json": deep_json, "pom.xml": deep_xml}))
    assert isinstance(result.problems, tuple)


def test_requirement_include_chain_is_bounded() -> None:
    files = {f"r{i}.txt": f"-r r{i + 1}.txt\npkg{i}==1\n" for i in range(50)}
    files["requirements.txt"] = "-r r0.txt\n"
    result = deps_facts(InMemoryFiles(files))
    assert result.ecosystems


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet="abc-=<>~!^*.,;[]()@#/ \n\\\"'0123", max_size=150))
def test_requirements_fuzz(text: str) -> None:
    deps_facts(InMemoryFiles({"requirements.txt": text, "requirements-dev.txt": text}))
