"""The test inventory (facts.testsuite) and what it reads in each test file
(facts._test_code): kinds of tests, imported technologies, markers."""

from __future__ import annotations

import ast

import pytest

from prodready.scan.facts._test_code import (
    BROWSER,
    DESCRIPTIONS,
    IN_PROCESS,
    PACT,
    REAL_DEPENDENCY,
    REAL_SERVER,
    TESTCONTAINERS,
    analyze_test_file,
)
from prodready.scan.facts.testsuite import (
    TestKind,
    collect_tests,
    is_bdd_steps_path,
    is_integration_path,
)
from prodready.scan.facts.view import Facts


def python(text: str) -> tuple[int, dict[str, int], str | None, int]:
    facts = analyze_test_file("tests/test_x.py", "python", text, ast.parse(text))
    return facts.tests, facts.uses, facts.integration_marker, facts.marked_tests


def test_python_imports_become_technologies() -> None:
    tests, uses, marker, _ = python(
        "import testcontainers.postgres as pg\n"
        "from fastapi.testclient import TestClient\n"
        "from pact import Consumer\n\n"
        "def test_a():\n    pass\n"
    )
    assert tests == 1
    assert uses == {TESTCONTAINERS: 1, IN_PROCESS: 2, PACT: 3}
    assert marker is None


def test_python_markers_module_level_and_per_test() -> None:
    assert python("import pytest\npytestmark = pytest.mark.integration\ndef test_a(): pass\n")[
        2
    ] == ("pytest marker integration")
    listed = "import pytest\npytestmark = [pytest.mark.slow, pytest.mark.e2e]\ndef test_a(): pass\n"
    assert python(listed)[2] == "pytest marker e2e"
    assert python("import pytest\npytestmark = pytest.mark.slow\ndef test_a(): pass\n")[2] is None
    some = (
        "import pytest\n@pytest.mark.integration\ndef test_a(): pass\n"
        "def test_b(): pass\n"
        "@pytest.mark.integration\nclass TestC:\n    def test_c(self): pass\n"
    )
    assert python(some)[2:] == (None, 2)
    every = (
        "from pytest import mark\n@mark.e2e\ndef test_a(): pass\n@mark.e2e()\ndef test_b(): pass\n"
    )
    assert python(every)[2:] == ("every test is marked integration", 0)


@pytest.mark.parametrize(
    "text",
    [
        "import subprocess, sys\ndef test_a():\n"
        "    subprocess.Popen([sys.executable, '-m', 'uvicorn', 'app:app'])\n",
        "import subprocess\ndef test_a():\n    subprocess.run(['gunicorn', 'app:app'])\n",
        "import uvicorn\ndef test_a():\n    pass\n",
        "from django.test import LiveServerTestCase\nclass T(LiveServerTestCase):\n"
        "    def test_a(self): pass\n",
        "def test_a(live_server):\n    assert live_server.url\n",
    ],
)
def test_python_tests_that_start_the_real_service(text: str) -> None:
    assert REAL_SERVER in python(text)[1]


def test_python_in_process_clients_are_not_real_servers() -> None:
    for text in (
        "from django.test import TestCase, Client\ndef test_a(): pass\n",
        "import subprocess\ndef test_a():\n    subprocess.run(['git', 'status'])\n",
        "from http.server import ThreadingHTTPServer\ndef test_a(): pass\n",
    ):
        assert REAL_SERVER not in python(text)[1]
    assert python("from django.test import TestCase\n")[1] == {IN_PROCESS: 1}
    assert python("from pytest_postgresql import factories\n")[1] == {REAL_DEPENDENCY: 1}


def test_go_build_tags_and_imports() -> None:
    text = (
        '//go:build integration\n\npackage store\n\nimport (\n\t"testing"\n'
        '\ttc "github.com/testcontainers/testcontainers-go/modules/redis"\n'
        '\t"net/http/httptest"\n)\n\nfunc TestA(t *testing.T) {}\nfunc TestB(t *testing.T) {}\n'
        "func helper() {}\n"
    )
    facts = analyze_test_file("store/store_integration_test.go", "go", text)
    assert facts.tests == 2
    assert facts.integration_marker == "build tag integration"
    assert facts.uses == {TESTCONTAINERS: 7, IN_PROCESS: 8}
    negated = analyze_test_file("a_test.go", "go", "//go:build !integration\n\npackage a\n")
    assert negated.integration_marker is None


def test_java_annotations_and_imports() -> None:
    spring = (
        "package x;\nimport org.testcontainers.containers.PostgreSQLContainer;\n"
        "@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)\n"
        "class ApiTest {\n  @Test void a() {}\n  @Test void b() {}\n}\n"
    )
    facts = analyze_test_file("ApiTest.java", "java", spring)
    assert (facts.tests, facts.integration_marker) == (2, "@SpringBootTest on a real port")
    assert facts.uses == {TESTCONTAINERS: 2, REAL_SERVER: 3}
    mock = "package x;\n@SpringBootTest\nclass ApiTest {\n  @Test void a() {}\n}\n"
    assert analyze_test_file("ApiTest.java", "java", mock).integration_marker is None
    tagged = 'class A {\n  @Test @Tag("integration") void a() {}\n  @Test void b() {}\n}\n'
    assert analyze_test_file("A.java", "java", tagged).marked_tests == 1
    class_tag = '@Tag("e2e")\nclass A {\n  @Test void a() {}\n}\n'
    assert analyze_test_file("A.java", "java", class_tag).integration_marker == '@Tag("e2e")'


def test_js_imports_and_requires() -> None:
    text = (
        'import request from "supertest";\nconst { Pact } = require("@pact-foundation/pact");\n'
        'const pw = await import("@playwright/test");\nconst x = other("cypress");\n'
        'test("a", () => {});\nit.each([1])("b", () => {});\n'
    )
    facts = analyze_test_file("a.test.ts", "typescript", text)
    assert facts.tests == 2
    assert facts.uses == {IN_PROCESS: 1, PACT: 2, BROWSER: 3}


def test_paths() -> None:
    assert is_integration_path("tests/integration/test_db.py")
    assert is_integration_path("src/test/java/x/OrderControllerIT.java")
    assert is_integration_path("src/test/java/x/ITOrders.java")
    assert not is_integration_path("src/test/java/x/ITEMTest.java")
    assert not is_integration_path("tests/unit/test_system_clock.py")
    assert is_bdd_steps_path("features/steps/checkout_steps.py")
    assert is_bdd_steps_path("acceptance/features/step_definitions/cart.js")
    assert not is_bdd_steps_path("src/steps/pipeline.py")
    assert is_bdd_steps_path("features/environment.py")
    assert not is_bdd_steps_path("app/environment.py")
    assert not is_bdd_steps_path("features/auth/environment.py")


CODE = "def f(x):\n    return x\n" * 20


def test_inventory_kinds_and_reasons() -> None:
    files = {
        "app/main.py": CODE,
        "tests/unit/test_main.py": "from fastapi.testclient import TestClient\n"
        "def test_a(): pass\n",
        "tests/test_db.py": "from testcontainers.redis import RedisContainer\ndef test_b(): pass\n",
        "tests/test_marked.py": "import pytest\npytestmark = pytest.mark.e2e\ndef test_c(): pass\n",
        "loadtests/locustfile.py": "from locust import HttpUser\n",
        "tests/perf_test.py": "from locust import HttpUser\ndef test_d(): pass\n",
        "features/steps/cart_steps.py": "from behave import given\n"
        "@given('x')\ndef step(c): pass\n",
        "tests/fixtures/repo/tests/test_x.py": "def test_e(): pass\n",
        "examples/demo/tests/test_demo.py": "def test_f(): pass\n",
    }
    inventory = collect_tests(Facts.from_files(files))
    kinds = {f.path: (f.kind, f.reason) for f in inventory.files}
    assert kinds == {
        "tests/unit/test_main.py": (TestKind.UNIT, ""),
        "tests/test_db.py": (TestKind.INTEGRATION, DESCRIPTIONS[TESTCONTAINERS]),
        "tests/test_marked.py": (TestKind.INTEGRATION, "pytest marker e2e"),
        "loadtests/locustfile.py": (TestKind.PERFORMANCE, "in the loadtests/ folder"),
        "tests/perf_test.py": (TestKind.PERFORMANCE, "a Locust script"),
        "features/steps/cart_steps.py": (TestKind.INTEGRATION, "BDD steps (behave)"),
    }
    assert inventory.code_lines == 40  # step definitions are not production code
