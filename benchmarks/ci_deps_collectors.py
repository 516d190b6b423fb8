"""Speed of the CI and dependency fact collectors.

One command: ``.venv/bin/python benchmarks/ci_deps_collectors.py [--scale N] [--repeat R]``

Builds an in-memory repository of ``N`` services (each: a Makefile with
prerequisites, package.json scripts, pyproject with a uv.lock, go.mod/go.sum,
pinned requirements with hashes, tox.ini, a 200-line CI shell script) plus
root CI definitions (GitHub workflows calling the Makefiles and scripts, a
GitLab pipeline, a Jenkinsfile, pre-commit), and times, in the same run:

- ``ci_facts`` (shell parsing and simulation, following make/tox/npm/scripts)
  and ``deps_facts`` (every manifest and lockfile), cold, with peak traced
  memory;
- the baseline they are compared to: loading every YAML (C loader when
  available), TOML and JSON file and ``shlex.split``-ing every shell line,
  i.e. the least a parser-based collector must do before any analysis.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import time
import tomllib
import tracemalloc
from collections.abc import Callable
from typing import Any

import yaml

from prodready.scan.facts.ci import ci_facts
from prodready.scan.facts.deps import deps_facts
from prodready.scan.facts.source import InMemoryFiles

MAKEFILE = """\
PYTHON ?= python3
BIN := .venv/bin
.PHONY: install lint fmt-check typecheck test cover ci audit
install:
\t$(PYTHON) -m venv .venv
\t$(BIN)/pip install -r requirements.txt
lint: install fmt-check
\t$(BIN)/ruff check .
\t-$(BIN)/pylint src
fmt-check:
\t@test -z "$$(gofmt -l .)"
\t$(BIN)/ruff format --check .
typecheck: install
\t$(BIN)/mypy src
test: install
\t$(BIN)/python -m pytest --cov=src -q | tee pytest.log
cover: test
\t$(BIN)/coverage report --fail-under=80
audit:
\t$(BIN)/pip-audit -r requirements.txt || true
ci: lint typecheck test cover audit
\tgo vet ./...
\tgo test -race ./...
"""
TOX = """\
[tox]
envlist = py{311,312}, lint
[testenv]
commands = pytest {posargs}
[testenv:lint]
commands =
    ruff check .
    - mypy src
"""


def service_files(index: int) -> dict[str, str]:
    root = f"services/svc{index}"
    deps = [f"pkg{index}-{j}" for j in range(30)]
    requires = "".join(f'    "{d}>=1",\n' for d in deps)
    pyproject = (
        f'[project]\nname = "svc{index}"\ndependencies = [\n{requires}]\n'
        '[dependency-groups]\ndev = ["pytest>=8"]\n'
    )
    lock = "version = 1\n" + "".join(
        f'[[package]]\nname = "{name}"\nversion = "1.{n}.0"\n\n'
        for n, name in enumerate([*deps, "pytest", *[f"t{k}" for k in range(120)]])
    )
    modules = "".join(f"\tgithub.com/org/mod{j} v1.{j}.0\n" for j in range(40))
    go_mod = f"module example.com/svc{index}\n\ngo 1.22\n\nrequire (\n{modules})\n"
    go_sum = "".join(
        f"github.com/org/mod{j} v1.{j}.0 h1:x=\ngithub.com/org/mod{j} v1.{j}.0/go.mod h1:y=\n"
        for j in range(40)
    )
    requirements = "".join(f"dep{j}=={j}.0.0 \\\n    --hash=sha256:{'a' * 64}\n" for j in range(40))
    package = {
        "name": f"web{index}",
        "scripts": {
            "prelint": "prettier --check .",
            "lint": "eslint . --max-warnings 0",
            "test": "jest --coverage",
            "typecheck": "tsc --noEmit",
            "ci": "npm run lint && npm run typecheck && npm test",
        },
        "dependencies": {f"lib{j}": f"^{j}.0.0" for j in range(20)},
        "devDependencies": {"jest": "29.7.0", "eslint": "9.5.0"},
    }
    script_lines = ["#!/usr/bin/env bash", "set -euo pipefail", 'cd "$(dirname "$0")/.."']
    for j in range(60):
        script_lines += [
            f"echo step {j}",
            f"ruff check pkg{j} || echo 'lint {j} failed'",
            f"go test ./pkg{j}/...",
        ]
    return {
        f"{root}/Makefile": MAKEFILE,
        f"{root}/tox.ini": TOX,
        f"{root}/pyproject.toml": pyproject,
        f"{root}/uv.lock": lock,
        f"{root}/go.mod": go_mod,
        f"{root}/go.sum": go_sum,
        f"{root}/requirements.txt": requirements,
        f"{root}/web/package.json": json.dumps(package, indent=2),
        f"{root}/scripts/ci.sh": "\n".join(script_lines) + "\n",
    }


def workflow(index: int, services: int) -> str:
    jobs = []
    for job in range(4):
        svc = (index * 4 + job) % services
        steps = [
            "      - uses: actions/checkout@v4",
            "      - uses: astral-sh/setup-uv@v3",
            f"      - run: make -C services/svc{svc} ci",
            f"      - run: ./services/svc{svc}/scripts/ci.sh",
            f"      - run: cd services/svc{svc}/web && npm ci && npm run ci",
            f"      - run: cd services/svc{svc} && tox -e lint",
            "      - run: |\n          black .\n          git diff --exit-code\n"
            "          trivy fs . || true",
            "      - uses: golangci/golangci-lint-action@v6\n"
            "        with:\n          args: --timeout 5m",
        ]
        jobs.append(f"  job{job}:\n    runs-on: ubuntu-latest\n    steps:\n" + "\n".join(steps))
    return "on: [push, pull_request]\njobs:\n" + "\n".join(jobs) + "\n"


def build_repo(scale: int) -> dict[str, str]:
    files: dict[str, str] = {}
    for index in range(scale):
        files.update(service_files(index))
    for index in range(max(scale // 2, 1)):
        files[f".github/workflows/wf{index}.yml"] = workflow(index, scale)
    gitlab_jobs = "".join(
        f"job{j}:\n  extends: .base\n  script:\n"
        f"    - make -C services/svc{j % scale} lint\n    - pytest || true\n"
        for j in range(scale * 3)
    )
    files[".gitlab-ci.yml"] = (
        ".base:\n  image: python:3.12\n  before_script:\n    - pip install uv\n" + gitlab_jobs
    )
    files["Jenkinsfile"] = (
        "pipeline {\n  stages {\n"
        + "".join(
            f"    stage('s{j}') {{ steps {{ sh 'make -C services/svc{j % scale} test' }} }}\n"
            for j in range(scale)
        )
        + "  }\n}\n"
    )
    files[".pre-commit-config.yaml"] = (
        "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.6.9\n"
        "    hooks:\n      - id: ruff\n      - id: ruff-format\n"
    )
    return files


def baseline(files: dict[str, str]) -> int:
    """Parse every YAML/TOML/JSON file and split every shell line."""
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    count = 0
    for path, text in files.items():
        if path.endswith((".yml", ".yaml")):
            count += len(list(yaml.load_all(text, Loader=loader)))
        elif path.endswith((".toml", ".lock")):
            count += len(tomllib.loads(text))
        elif path.endswith(".json"):
            count += len(json.loads(text))
        else:
            for line in text.splitlines():
                try:
                    count += len(shlex.split(line, comments=True))
                except ValueError:
                    count += 1
    return count


def measure(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(median seconds, peak MiB of the first run, result)."""
    times: list[float] = []
    result: Any = None
    peak = 0.0
    for attempt in range(repeat):
        if attempt == 0:
            tracemalloc.start()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        if attempt == 0:
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
    return statistics.median(times), peak, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=int, default=40, help="services in the generated repository"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per measurement (median reported)"
    )
    args = parser.parse_args()
    files = build_repo(args.scale)
    repo = InMemoryFiles(files)
    lines = sum(text.count("\n") for text in files.values())
    print(f"generated repository: {len(files)} files, {lines} lines, {args.scale} services")
    base_time, base_peak, _ = measure(lambda: baseline(files), args.repeat)
    ci_time, ci_peak, ci = measure(lambda: ci_facts(repo), args.repeat)
    deps_time, deps_peak, deps = measure(lambda: deps_facts(repo), args.repeat)
    gating = sum(1 for run in ci.commands if run.gating)
    print(f"baseline parse+split   {base_time * 1000:8.1f} ms   peak {base_peak:6.1f} MiB")
    print(
        f"ci_facts               {ci_time * 1000:8.1f} ms   peak {ci_peak:6.1f} MiB   "
        f"{len(ci.pipelines)} pipelines, {len(ci.commands)} commands ({gating} gating)"
    )
    print(
        f"deps_facts             {deps_time * 1000:8.1f} ms   peak {deps_peak:6.1f} MiB   "
        f"{sum(len(e.projects) for e in deps.ecosystems)} projects, "
        f"{sum(len(e.dependencies) for e in deps.ecosystems)} dependencies"
    )
    print(f"ratio ci_facts / baseline     {ci_time / base_time:6.2f}x")
    print(f"ratio deps_facts / baseline   {deps_time / base_time:6.2f}x")


if __name__ == "__main__":
    main()
