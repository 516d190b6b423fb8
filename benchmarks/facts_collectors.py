"""Speed of the container, deployment and docs fact collectors.

One command: ``.venv/bin/python benchmarks/facts_collectors.py [--scale N]``

Builds an in-memory repository (Python and Go sources, Kubernetes manifests,
Helm charts, kustomize overlays, compose files, Dockerfiles, alert rules,
dashboards, an OpenAPI spec, docs) and times, in the same run:

- ``container_facts``, ``deploy_facts`` and ``docs_facts`` (cold: every file
  parsed), with peak traced memory;
- the baseline they are compared to: ``yaml.safe_load_all`` (C loader when
  available) over the same YAML files plus ``json.loads`` over the JSON
  files, i.e. the least a parser-based collector must do. The ratio says
  what line tracking, bounded loading, template neutralising and the
  per-file recognisers cost on top of plain parsing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import yaml

from prodready.scan.facts.containers import container_facts
from prodready.scan.facts.deploy import deploy_facts
from prodready.scan.facts.docs import docs_facts
from prodready.scan.facts.source import InMemoryFiles

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc{i}
spec:
  replicas: 2
  template:
    metadata:
      labels: {{app: svc{i}}}
    spec:
      securityContext: {{runAsNonRoot: true}}
      containers:
        - name: app
          image: ghcr.io/acme/svc{i}:1.{i}.0
          livenessProbe: {{httpGet: {{path: /healthz, port: 8080}}}}
          readinessProbe: {{httpGet: {{path: /readyz, port: 8080}}}}
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{memory: 256Mi}}
---
apiVersion: v1
kind: Service
metadata: {{name: svc{i}}}
spec:
  ports: [{{port: 80, targetPort: 8080}}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: svc{i}}}
spec:
  scaleTargetRef: {{kind: Deployment, name: svc{i}}}
  minReplicas: 2
  maxReplicas: 10
"""

HELM_TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "c.fullname" . }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          {{- with .Values.livenessProbe }}
          livenessProbe:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
"""

PY_FILE = '''"""Module {i}."""
import requests


def handler_{i}(x):
    """Do the thing."""
    if x > {i}:
        return requests.get("http://svc/{i}", timeout=5).json()
    return None
'''

GO_FILE = """package svc{i}

import "net/http"

func Handler{i}(w http.ResponseWriter, r *http.Request) {{
\tw.WriteHeader(http.StatusOK)
}}
"""


def build_repo(scale: int) -> dict[str, str]:
    files: dict[str, str] = {}
    for i in range(80 * scale):
        files[f"src/app/mod{i}.py"] = PY_FILE.format(i=i) * 5
        files[f"go/svc{i}/handler.go"] = GO_FILE.format(i=i) * 5
    for i in range(20 * scale):
        files[f"deploy/k8s/svc{i}.yaml"] = DEPLOYMENT.format(i=i)
        files[f"services/svc{i}/Dockerfile"] = (
            "FROM python:3.12-slim AS build\nRUN pip wheel .\n"
            "FROM gcr.io/distroless/python3:nonroot\nCOPY --from=build /w /w\nUSER 65532\n"
        )
    for i in range(5 * scale):
        chart = f"charts/c{i}"
        files[f"{chart}/Chart.yaml"] = f"apiVersion: v2\nname: c{i}\nversion: 1.0.{i}\n"
        files[f"{chart}/values.yaml"] = "replicaCount: 2\nresources: {}\nlivenessProbe: {}\n"
        files[f"{chart}/templates/deployment.yaml"] = HELM_TEMPLATE
    files["deploy/overlays/prod/kustomization.yaml"] = (
        "resources: [../../k8s]\npatches:\n  - path: patch.yaml\n"
    )
    files["deploy/overlays/prod/patch.yaml"] = DEPLOYMENT.format(i=0).split("---")[0]
    files["monitoring/rules.yml"] = "groups:\n" + "".join(
        f"  - name: g{i}\n    rules:\n      - alert: A{i}\n        expr: up == 0\n"
        for i in range(50 * scale)
    )
    files["dashboards/main.json"] = json.dumps(
        {"title": "Main", "panels": [{"type": "graph", "title": f"p{i}"} for i in range(100)]}
    )
    files["docker-compose.test.yml"] = "services:\n  sut:\n    build: .\n    command: pytest\n"
    spec: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "A", "version": "1"}}
    spec["paths"] = {
        f"/r{i}": {"get": {"responses": {"200": {"description": "ok"}}}} for i in range(100)
    }
    files["api/openapi.yaml"] = yaml.safe_dump(spec)
    files["README.md"] = (
        "# svc\n\n## Usage\n\n```\nmake run\n```\n\n## Tests\n\n```\nmake test\n```\n"
    )
    files["CODEOWNERS"] = "* @acme/team\n"
    for i in range(30):
        files[f"docs/adr/{i:04d}-decision.md"] = (
            f"# {i}. Decision\n\n## Status\n\nAccepted\n\n## Context\n\nx\n\n## Decision\n\ny\n"
        )
    return files


def naive_baseline(files: dict[str, str]) -> None:
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path, text in files.items():
        if path.endswith((".yaml", ".yml")) and "{{" not in text:
            list(yaml.load_all(text, Loader=loader))
        elif path.endswith(".json"):
            json.loads(text)


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(median seconds, peak traced MiB of the first run)."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=5, help="repository size multiplier")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    files = build_repo(args.scale)
    repo = InMemoryFiles(files)
    lines = sum(text.count("\n") for text in files.values())
    yaml_files = sum(1 for p in files if p.endswith((".yaml", ".yml")))
    print(f"repository: {len(files)} files, {lines} lines, {yaml_files} YAML files")
    results = {
        "baseline: yaml.safe_load_all + json.loads": timed(
            lambda: naive_baseline(files), args.repeats
        ),
        "container_facts": timed(lambda: container_facts(repo), args.repeats),
        "deploy_facts": timed(lambda: deploy_facts(repo), args.repeats),
        "docs_facts": timed(lambda: docs_facts(repo), args.repeats),
    }
    base = results["baseline: yaml.safe_load_all + json.loads"][0]
    for name, (seconds, peak) in results.items():
        print(f"{name:45s} {seconds * 1000:8.1f} ms  x{seconds / base:5.2f}  peak {peak:6.1f} MiB")


if __name__ == "__main__":
    main()
