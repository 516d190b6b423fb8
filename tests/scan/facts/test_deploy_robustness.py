"""Hostile and broken input for the container, deployment and docs parsers:
they return values (with problems), never raise, and stay bounded."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodready.scan.facts.containers import parse_dockerfile
from prodready.scan.facts.deploy import parse_deploy_file
from prodready.scan.facts.docs import (
    parse_adr,
    parse_codeowners,
    parse_openapi,
    parse_proto,
    parse_readme,
    parse_runbook,
)

SAMPLES = {
    "k8s/app.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  replicas: 2\n"
        "  template:\n    spec:\n      containers:\n        - name: a\n          image: a:1\n"
        "          livenessProbe: {httpGet: {path: /h, port: 80}}\n"
        "          resources: {requests: {cpu: 1}}\n"
    ),
    "charts/c/templates/d.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: c\n"
        "          resources:\n            {{- toYaml .Values.resources | nindent 12 }}\n"
    ),
    "docker-compose.test.yml": "services:\n  a:\n    image: a\n    healthcheck: {test: [CMD, x]}\n",
    "monitoring/rules.yml": (
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n"
    ),
    "dashboards/d.json": '{"title": "d", "panels": [{"type": "graph"}]}',
    "features/a.feature": "Feature: a\n  Scenario: b\n    Given c\n",
    "deploy/kustomization.yaml": "resources: [a.yaml]\npatches:\n  - path: p.yaml\n",
}

_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)


def _cut(text: str, start: int, length: int) -> str:
    """A realistic corruption: a chunk of the file deleted."""
    start %= max(1, len(text))
    return text[:start] + text[start + length :]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.integers(min_value=0, max_value=400), length=st.integers(0, 40), noise=_text)
def test_deploy_parser_never_raises_on_corrupted_files(start: int, length: int, noise: str) -> None:
    for path, text in SAMPLES.items():
        parse_deploy_file(path, _cut(text, start, length))
        parse_deploy_file(path, _cut(text, start, length) + noise)


@settings(max_examples=60, deadline=None)
@given(noise=_text)
def test_every_parser_accepts_arbitrary_text(noise: str) -> None:
    parse_dockerfile("Dockerfile", noise)
    parse_dockerfile("Dockerfile", "FROM alpine:3\n" + noise)
    parse_deploy_file("k8s/x.yaml", "kind: Deployment\n" + noise)
    parse_deploy_file("x.json", '{"panels": ' + noise)
    parse_readme("README.md", noise)
    parse_readme("README.rst", noise)
    parse_adr("docs/adr/0001-x.md", noise)
    parse_runbook("RUNBOOK.md", noise)
    parse_codeowners("CODEOWNERS", noise)
    parse_proto("a.proto", noise)
    parse_openapi("openapi.yaml", "openapi: 3.0.0\n" + noise)


def test_deeply_nested_and_huge_inputs_are_bounded() -> None:
    deep = "kind: Deployment\nspec: " + "[" * 5000 + "]" * 5000 + "\n"
    started = time.perf_counter()
    result = parse_deploy_file("k8s/deep.yaml", deep)
    assert result is not None
    assert result.problems
    wide = "apiVersion: v1\nkind: List\nitems:\n" + (
        "  - {kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: i}]}}\n" * 3000
    )
    many = parse_deploy_file("k8s/many.yaml", wide)
    assert many is not None
    assert len(many.workloads) == 3000
    deep_readme = parse_readme("README.md", "> " * 10_000 + "x\n" + "```\n" * 5001)
    assert deep_readme.lines == 5002
    openapi_nested = "openapi: 3.0.0\ninfo: {title: t, version: v}\npaths: " + "{a: " * 300
    spec, problem = parse_openapi("openapi.yaml", openapi_nested + "}" * 300 + "\n")
    assert spec is not None or problem is not None
    assert time.perf_counter() - started < 60  # generous bound; it must simply finish


def test_binaryish_text_does_not_crash() -> None:
    junk = "\x00\x01\x02\ufffd" * 1000
    parse_dockerfile("Dockerfile", junk)
    parse_deploy_file("k8s/junk.yaml", "kind: x\n" + junk)
    parse_readme("README.md", junk)
