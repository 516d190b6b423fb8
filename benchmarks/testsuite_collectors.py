"""Speed of the test-suite and recorded-results collectors behind ``test.*`` and ``live.*``.

One command: ``.venv/bin/python benchmarks/testsuite_collectors.py [--scale N] [--repeat N]``

Builds an in-memory repository of ``--scale`` services, each with production
code, unit tests (Python with FastAPI's TestClient, Go with httptest, JS with
supertest, Java with JUnit), integration tests (pytest markers and
Testcontainers, Go build tags, Java failsafe ``*IT`` classes), a BDD feature
with steps, and JSON files: a few recorded ``prodready load`` results among
many unrelated JSON documents (fixtures, API samples, configs). Times, in the
same run, each a median of ``--repeat`` cold runs (a new file index every
time, so every Python file is parsed again):

- ``collect_tests`` (the inventory: every test file's imports, markers and
  test count, read with ``ast`` and tree-sitter) against its baseline, the
  bare parse of the same files (``ast.parse`` for Python, one tree-sitter
  parse for Go/Java/JS): the least a parser-based inventory must do. Once
  cold (the file index parses the Python files), once with the Python trees
  already parsed, which is what it costs in a scan, where the index parses
  every Python file once for all checks;
- ``collect_results`` against the naive alternative it avoids,
  ``json.loads`` of every JSON file in the repository.
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from prodready.scan.facts import treesitter as ts
from prodready.scan.facts.results import collect_results
from prodready.scan.facts.testsuite import collect_tests
from prodready.scan.facts.view import Facts

APP = "from fastapi import FastAPI\n\napp = FastAPI()\n\n" + "".join(
    f"@app.get('/items/{i}')\ndef item_{i}() -> dict[str, int]:\n    return {{'id': {i}}}\n\n"
    for i in range(40)
)
UNIT_PY = "from fastapi.testclient import TestClient\n\nfrom svc.app import app\n\n" + "".join(
    f"def test_item_{i}() -> None:\n    response = TestClient(app).get('/items/{i}')\n"
    f"    assert response.json() == {{'id': {i}}}\n\n"
    for i in range(40)
)
INTEGRATION_PY = (
    "import pytest\nfrom testcontainers.postgres import PostgresContainer\n\n"
    "pytestmark = pytest.mark.integration\n\n"
    + "".join(
        f"def test_store_{i}() -> None:\n    with PostgresContainer() as db:\n"
        f"        assert db.get_connection_url()\n\n"
        for i in range(15)
    )
)
GO_CODE = "package store\n\n" + "".join(f"func F{i}() int {{ return {i} }}\n" for i in range(60))
GO_UNIT = 'package store\n\nimport (\n\t"net/http/httptest"\n\t"testing"\n)\n\n' + "".join(
    f"func TestF{i}(t *testing.T) {{\n\t_ = httptest.NewRecorder()\n\tif F{i}() != {i} {{\n"
    "\t\tt.Fatal()\n\t}\n}\n\n"
    for i in range(30)
)
GO_INTEGRATION = (
    '//go:build integration\n\npackage store\n\nimport (\n\t"testing"\n\n'
    '\t"github.com/testcontainers/testcontainers-go"\n)\n\n'
    + "".join(
        f"func TestDB{i}(t *testing.T) {{ _ = testcontainers.Container(nil) }}\n" for i in range(10)
    )
)
JAVA_IT = (
    "package com.acme;\n\nimport org.junit.jupiter.api.Test;\n"
    "import org.testcontainers.containers.PostgreSQLContainer;\n\n"
    "@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)\n"
    "class OrdersIT {\n" + "".join(f"  @Test void t{i}() {{}}\n" for i in range(20)) + "}\n"
)
JS_UNIT = 'const request = require("supertest");\nconst app = require("../src/app");\n\n' + "".join(
    f'test("item {i}", async () => {{\n  await request(app).get("/items/{i}").expect(200);\n}});\n'
    for i in range(30)
)
FEATURE = (
    "Feature: Orders\n\n  Scenario: place\n    Given a cart\n    When I pay\n    Then it ships\n"
)
STEPS = "from behave import given, when, then\n\n@given('a cart')\ndef cart(context):\n    pass\n"


def load_result(i: int) -> str:
    return json.dumps(
        {
            "schema_version": "1.0",
            "tool": {"name": "prodready", "version": "0.1.0", "engine": "prodready"},
            "name": f"plan-{i}",
            "finished_at": "2026-11-20T10:00:00Z",
            "target": {"url": f"http://svc{i}.staging/"},
            "requests": {"sent": 1000, "completed": 1000},
            "latency": {"intended": {"p99_ms": 12.5}},
            "thresholds": [{"expression": "p99<300ms", "unit": "ms", "passed": True}],
            "timeline": {"points": [{"t_s": t, "p99_ms": 12.0} for t in range(300)]},
            "valid": True,
            "passed": True,
        }
    )


def unrelated_json(i: int) -> str:
    return json.dumps({"id": i, "items": [{"sku": f"SKU-{n}", "qty": n} for n in range(200)]})


def build(scale: int) -> dict[str, str]:
    files: dict[str, str] = {}
    for s in range(scale):
        root = f"services/svc{s}"
        files[f"{root}/svc/app.py"] = APP
        files[f"{root}/internal/store/store.go"] = GO_CODE
        files[f"{root}/src/app.js"] = "module.exports = {};\n" * 40
        for t in range(4):
            files[f"{root}/tests/unit/test_items_{t}.py"] = UNIT_PY
            files[f"{root}/internal/store/store{t}_test.go"] = GO_UNIT
            files[f"{root}/test/items{t}.test.js"] = JS_UNIT
        files[f"{root}/tests/test_store_db.py"] = INTEGRATION_PY
        files[f"{root}/internal/store/db_test.go"] = GO_INTEGRATION
        files[f"{root}/src/test/java/com/acme/OrdersIT.java"] = JAVA_IT
        files[f"{root}/features/orders.feature"] = FEATURE
        files[f"{root}/features/steps/orders_steps.py"] = STEPS
        files[f"{root}/loadtest/results/plan-{s}.json"] = load_result(s)
        for j in range(20):
            files[f"{root}/tests/fixtures/api/sample_{j}.json"] = unrelated_json(j)
            files[f"{root}/config/settings_{j}.json"] = unrelated_json(j)
    return files


def interleaved(
    prepare: Callable[[], Any], fns: dict[str, Callable[[Any], Any]], repeat: int
) -> dict[str, float]:
    """Median seconds of each ``fn(prepare())``, the functions taking turns in
    every round so that a busy machine slows them alike; ``prepare`` (a fresh
    file index) is not timed."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            prepared = prepare()
            start = time.perf_counter()
            fn(prepared)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def bare_parse(facts: Facts) -> None:
    """The least a parser-based inventory does: parse each test file once."""
    for info in facts.files():
        if not info.is_test or info.language not in ("python", "go", "java", "javascript"):
            continue
        text = facts.read_text(info.path) or ""
        if info.language == "python":
            ast.parse(text)
        else:
            ts.parse(info.language, text.encode())


def naive_results(files: dict[str, str]) -> int:
    found = 0
    for path, text in files.items():
        if path.endswith(".json"):
            doc = json.loads(text)
            found += isinstance(doc, dict) and "schema_version" in doc
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=40, help="services (default 40)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    args = parser.parse_args()
    files = build(args.scale)
    lines = sum(text.count("\n") for text in files.values())
    jsons = sum(1 for p in files if p.endswith(".json"))
    inventory = collect_tests(Facts.from_files(files))
    found = collect_results(Facts.from_files(files)).load
    print(f"repository: {len(files)} files, {lines:,} lines, {jsons} JSON files")
    print(
        f"inventory: {len(inventory.unit)} unit, {len(inventory.integration)} integration "
        f"test files; {len(found)} recorded load results found"
    )

    def fresh() -> Facts:
        return Facts.from_files(files)

    def parsed() -> Facts:
        """A fresh index whose Python trees are already parsed, as in a scan
        (the index parses each Python file once for every check)."""
        facts = fresh()
        for info in facts.files():
            if info.language == "python":
                facts.python_ast(info.path)
        return facts

    inventory_times = interleaved(
        fresh, {"bare": bare_parse, "inventory": collect_tests}, args.repeat
    )
    bare, full = inventory_times["bare"], inventory_times["inventory"]
    marginal = interleaved(parsed, {"inventory": collect_tests}, args.repeat)["inventory"]
    results_times = interleaved(
        fresh,
        {"naive": lambda facts: naive_results(files), "filtered": collect_results},
        args.repeat,
    )
    naive, filtered = results_times["naive"], results_times["filtered"]
    title = f"figure (median of {args.repeat} interleaved cold runs)"
    print(f"\n{title:48} {'seconds':>9} {'ratio':>7}")
    print(f"{'baseline: parse every test file once':48} {bare:9.3f} {1.0:7.2f}")
    print(f"{'collect_tests (inventory, cold)':48} {full:9.3f} {full / bare:7.2f}")
    print(
        f"{'collect_tests, Python trees already parsed':48} {marginal:9.3f} {marginal / bare:7.2f}"
    )
    print(f"{'baseline: json.loads every JSON file':48} {naive:9.3f} {1.0:7.2f}")
    print(f"{'collect_results (name/size/head filter)':48} {filtered:9.3f} {filtered / naive:7.2f}")


if __name__ == "__main__":
    main()
