"""The test.* checks on small in-memory repositories: unit tests and their ratio,
tests in CI, coverage (configs, commands, committed reports), integration, BDD,
contract, load and chaos tests."""

from __future__ import annotations

import json

import pytest

from prodready.scan.checks.base import Verdict
from prodready.scan.checks.testing import (
    judge_bdd,
    judge_chaos,
    judge_contract,
    judge_coverage,
    judge_in_ci,
    judge_integration,
    judge_load,
    judge_unit,
)
from prodready.scan.facts.testsuite import collect_tests, is_integration_path
from prodready.scan.facts.view import Facts, ServiceScope, Thresholds
from prodready.scan.model import Outcome, Severity
from tests.scan.conftest import folder_facts, load_result, recent, threshold

CODE = "def f(x):\n    return x\n" * 50  # 100 lines
GO_CODE = "package shop\n\nfunc F() int { return 1 }\n" * 20  # 60 lines


def unit_tests(lines: int) -> str:
    body = "def test_f():\n    assert f(1) == 1\n"
    return "from app import f\n\n" + body * max(1, (lines - 2) // 2)


def test_no_code_is_not_applicable() -> None:
    verdict = judge_unit(Facts.from_files({"README.md": "# x\n"}))
    assert verdict.outcome is Outcome.NOT_APPLICABLE


def test_no_tests_fails_at_zero() -> None:
    verdict = judge_unit(Facts.from_files({"app.py": CODE}))
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 0.0)


def test_score_grows_with_the_ratio_up_to_the_target() -> None:
    scores = []
    for lines in (6, 22, 50, 80):
        verdict = judge_unit(
            Facts.from_files({"app.py": CODE, "tests/test_app.py": unit_tests(lines)})
        )
        scores.append((verdict.outcome, verdict.score))
    assert scores == [
        (Outcome.FAIL, 1.2),  # ratio 0.06 < 0.1
        (Outcome.PASS, 4.4),
        (Outcome.PASS, 10.0),
        (Outcome.PASS, 10.0),  # capped at the target ratio 0.5
    ]


def test_policy_thresholds_are_used() -> None:
    files = {"app.py": CODE, "tests/test_app.py": unit_tests(22)}
    strict = Thresholds(test_ratio_target=1.0, test_ratio_min=0.5)
    verdict = judge_unit(Facts.from_files(files, params=strict))
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 2.2)


def test_go_tests_count_and_fixture_data_does_not() -> None:
    files = {
        "shop/shop.go": GO_CODE,
        "shop/shop_test.go": 'package shop\n\nimport "testing"\n\nfunc TestF(t *testing.T) {\n'
        "\tif F() != 1 {\n\t\tt.Fatal()\n\t}\n}\n" * 3,
        "testdata/sample/main.go": GO_CODE,
        "tests/fixtures/repo/app.py": CODE,
    }
    inventory = collect_tests(Facts.from_files(files))
    assert inventory.code_lines == 60
    assert [f.path for f in inventory.files] == ["shop/shop_test.go"]
    assert inventory.unit_tests == 3
    assert judge_unit(Facts.from_files(files)).outcome is Outcome.PASS


def test_integration_tests_are_not_unit_tests() -> None:
    files = {
        "app.py": CODE,
        "tests/integration/test_db.py": unit_tests(60),
        "store_integration_test.go": "//go:build integration\n\npackage x\n",
        "e2e/test_flow.py": unit_tests(10),
    }
    inventory = collect_tests(Facts.from_files(files))
    assert len(inventory.integration) == 3
    assert inventory.unit == ()
    assert judge_unit(Facts.from_files(files)).outcome is Outcome.FAIL
    assert is_integration_path("tests/test_integration_api.py")
    assert not is_integration_path("tests/unit/test_system_clock.py")


def test_a_service_counts_only_its_own_folder() -> None:
    files = {"svc/a/app.py": CODE, "svc/b/tests/test_b.py": unit_tests(60), "svc/b/b.py": CODE}
    facts = Facts.from_files(files)
    view = Facts(facts.index, ServiceScope("a", "svc/a"))
    assert judge_unit(view).outcome is Outcome.FAIL


CI = (
    "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - uses: actions/checkout@v4\n      - run: {command}\n"
)


def in_ci(files: dict[str, str], service: str = ".") -> tuple[Outcome, float | None, str]:
    verdict = judge_in_ci(folder_facts(files, service))
    return verdict.outcome, verdict.score, verdict.summary


def test_in_ci_passes_when_a_pipeline_runs_tests_that_can_fail() -> None:
    files = {"app.py": CODE, ".github/workflows/ci.yml": CI.format(command="pytest -q")}
    assert in_ci(files)[:2] == (Outcome.PASS, 10.0)


def test_in_ci_follows_make_targets() -> None:
    files = {
        "app.py": CODE,
        "Makefile": "test:\n\tgo test ./...\n",
        ".github/workflows/ci.yml": CI.format(command="make test"),
    }
    assert in_ci(files)[0] is Outcome.PASS


def test_tests_that_can_never_fail_do_not_count() -> None:
    files = {"app.py": CODE, ".github/workflows/ci.yml": CI.format(command="pytest || true")}
    outcome, score, summary = in_ci(files)
    assert (outcome, score) == (Outcome.FAIL, 3.0)
    assert "can never fail" in summary


def test_no_pipeline_or_no_tests_in_it() -> None:
    assert in_ci({"app.py": CODE})[:2] == (Outcome.FAIL, 0.0)
    files = {"app.py": CODE, ".github/workflows/ci.yml": CI.format(command="echo hello")}
    assert in_ci(files)[2] == "the CI pipeline runs no tests"
    assert in_ci({"README.md": "# docs only\n"})[0] is Outcome.NOT_APPLICABLE


def test_monorepo_tests_must_concern_the_service() -> None:
    files = {
        "svc/api/app.py": CODE,
        "svc/web/main.go": GO_CODE,
        "Makefile": "test:\n\tcd svc/api && pytest\n",
        ".github/workflows/ci.yml": CI.format(command="make test"),
    }
    assert in_ci(files, "svc/api")[0] is Outcome.PASS
    assert in_ci(files, "svc/web")[0] is Outcome.FAIL


def test_load_and_chaos_tests_are_neither_code_nor_unit_tests() -> None:
    files = {
        "app.py": CODE,
        "loadtest/checkout.js": "import http from 'k6/http';\nexport default function () {}\n" * 20,
        "benchmarks/bench_app.py": "def test_speed():\n    pass\n" * 30,
    }
    facts = Facts.from_files(files)
    assert facts.languages() == {"python": 100}
    inventory = collect_tests(facts)
    assert inventory.code_lines == 100
    assert inventory.unit == ()


def test_a_maven_wrapper_is_the_build_tool_not_a_script_to_follow() -> None:
    files = {
        "src/main/java/App.java": "class App {}\n" * 20,
        "mvnw": '#!/bin/sh\nexec "$MAVEN_HOME/bin/mvn" "$@"\n',
        ".github/workflows/ci.yml": CI.format(command="./mvnw -B verify"),
    }
    assert in_ci(files)[:2] == (Outcome.PASS, 10.0)
    files[".github/workflows/ci.yml"] = CI.format(command="./mvnw -B verify -DskipTests")
    assert in_ci(files)[0] is Outcome.FAIL


# --------------------------------------------------------------------------- test.coverage


def coverage(
    files: dict[str, str], service: str = ".", params: Thresholds | None = None
) -> Verdict:
    return judge_coverage(folder_facts(files, service, params))


def cobertura(rate: float) -> str:
    return f'<?xml version="1.0" ?>\n<coverage line-rate="{rate}" branch-rate="0" version="7">\n'


def test_coverage_not_measured_points_at_the_test_command() -> None:
    files = {"app.py": CODE, ".github/workflows/ci.yml": CI.format(command="pytest -q")}
    verdict = coverage(files)
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 0.0)
    (problem,) = verdict.findings
    assert (problem.path, problem.line) == (".github/workflows/ci.yml", 7)
    assert "--cov" in problem.message
    assert coverage({"README.md": "# x\n"}).outcome is Outcome.NOT_APPLICABLE


def test_coverage_measured_with_a_minimum_at_or_above_the_policy() -> None:
    files = {
        "app.py": CODE,
        "pyproject.toml": "[tool.coverage.report]\nfail_under = 85\n",
        ".github/workflows/ci.yml": CI.format(command="pytest --cov=app"),
    }
    verdict = coverage(files)
    assert (verdict.outcome, verdict.score, verdict.findings) == (Outcome.PASS, 10.0, ())
    assert "minimum of 85%" in verdict.summary


def test_coverage_measured_without_a_minimum_passes_with_less() -> None:
    files = {
        "main.go": GO_CODE,
        ".github/workflows/ci.yml": CI.format(command="go test -cover ./..."),
    }
    verdict = coverage(files)
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 8.0)
    assert "go test has no minimum of its own" in verdict.findings[0].message


def test_a_minimum_below_the_policy_threshold_is_a_finding() -> None:
    files = {"app.py": CODE, ".coveragerc": "[run]\nbranch = true\n[report]\nfail_under = 60\n"}
    verdict = coverage(files)
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 7.5)
    (note,) = verdict.findings
    assert (note.path, note.line) == (".coveragerc", 1)
    assert "accepts 60% coverage, below the policy threshold 80%" in note.message


def test_a_minimum_that_can_never_fail_does_not_count() -> None:
    files = {
        "app.py": CODE,
        ".github/workflows/ci.yml": CI.format(
            command="pytest --cov=app --cov-fail-under=90 || true"
        ),
    }
    verdict = coverage(files)
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 8.0)
    assert "cannot fail the build" in verdict.findings[0].message


def test_a_committed_report_is_judged_against_the_policy_threshold() -> None:
    files = {
        "app.py": CODE,
        "setup.cfg": "[coverage:report]\nfail_under = 80\n",
        "coverage.xml": cobertura(0.62),
    }
    verdict = coverage(files)
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 7.8)
    assert [(f.path, f.severity) for f in verdict.findings] == [("coverage.xml", Severity.HIGH)]
    assert "62.0% of lines covered" in verdict.findings[0].message
    files["coverage.xml"] = cobertura(0.91)
    assert coverage(files).outcome is Outcome.PASS
    assert coverage(files, params=Thresholds(coverage=95)).outcome is Outcome.FAIL


def test_lcov_and_go_profiles_count_and_the_lowest_report_decides() -> None:
    files = {
        "main.go": GO_CODE,
        "web/app.js": "export const x = 1;\n" * 30,
        "coverage.out": "mode: set\nx/a.go:1.1,2.2 3 1\nx/a.go:3.1,4.2 1 0\n",  # 75%
        "web/lcov.info": "SF:app.js\nLF:10\nLH:9\nend_of_record\n",
    }
    verdict = coverage(files)
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 9.4)
    assert [f.path for f in verdict.findings] == ["coverage.out"]


def test_reports_in_fixtures_and_other_services_do_not_count() -> None:
    files = {
        "svc/api/app.py": CODE,
        "svc/api/pyproject.toml": "[tool.coverage.report]\nfail_under = 90\n",
        "svc/worker/main.go": GO_CODE,
        "svc/worker/coverage.xml": cobertura(0.1),
        "svc/api/tests/fixtures/repo/coverage.xml": cobertura(0.1),
    }
    assert coverage(files, "svc/api").outcome is Outcome.PASS
    worker = coverage(files, "svc/worker")
    assert worker.outcome is Outcome.FAIL
    assert [f.path for f in worker.findings] == ["svc/worker/coverage.xml"]


def test_coverage_commands_belong_to_the_service_they_run_for() -> None:
    files = {
        "svc/api/app.py": CODE,
        "svc/worker/main.go": GO_CODE,
        ".github/workflows/ci.yml": CI.format(command="cd svc/api && pytest --cov=app"),
    }
    assert coverage(files, "svc/api").outcome is Outcome.PASS
    assert coverage(files, "svc/worker").outcome is Outcome.FAIL


# --------------------------------------------------------------------------- test.integration

IN_PROCESS_TEST = (
    "from fastapi.testclient import TestClient\nfrom app import app\n\n"
    "def test_health():\n    assert TestClient(app).get('/healthz').status_code == 200\n"
)


def integration(files: dict[str, str]) -> Verdict:
    return judge_integration(Facts.from_files(files))


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("tests/integration/test_db.py", "def test_insert():\n    pass\n"),
        (
            "tests/test_db.py",
            "import pytest\npytestmark = pytest.mark.integration\ndef test_a(): pass\n",
        ),
        (
            "tests/test_db.py",
            "from testcontainers.postgres import PostgresContainer\ndef test_a(): pass\n",
        ),
        ("tests/test_api.py", "def test_a(live_server):\n    pass\n"),
        (
            "store_test.go",
            '//go:build integration\n\npackage x\n\nimport "testing"\n\n'
            "func TestA(t *testing.T) {}\n",
        ),
        ("src/test/java/x/OrderIT.java", "class OrderIT {\n  @Test void a() {}\n}\n"),
        (
            "e2e/checkout.spec.ts",
            'import { test } from "@playwright/test";\ntest("buys", async () => {});\n',
        ),
    ],
)
def test_integration_suites_are_recognised(path: str, text: str) -> None:
    verdict = integration({"app.py": CODE, path: text, "tests/test_unit.py": IN_PROCESS_TEST})
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    assert verdict.evidence[0].path == path


def test_in_process_tests_are_unit_tests() -> None:
    files = {
        "app.py": CODE,
        "tests/test_api.py": IN_PROCESS_TEST,
        "handler_test.go": 'package x\n\nimport (\n\t"net/http/httptest"\n\t"testing"\n)\n\n'
        "func TestA(t *testing.T) { _ = httptest.NewRecorder() }\n",
    }
    verdict = integration(files)
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 0.0)
    messages = [f.message for f in verdict.findings]
    assert "the 2 test files hold unit tests only" in messages[0]
    assert "in-process test client or server" in messages[1]


def test_individually_marked_tests_count() -> None:
    marked = (
        "import pytest\n\ndef test_unit(): pass\n\n"
        "@pytest.mark.integration\ndef test_against_db(): pass\n"
    )
    verdict = integration({"app.py": CODE, "tests/test_store.py": marked})
    assert verdict.outcome is Outcome.PASS
    assert verdict.summary == "1 integration/end-to-end test in 1 file"


def test_an_empty_suite_load_tests_and_an_unused_environment_do_not_count() -> None:
    files = {
        "app.py": CODE,
        "tests/test_api.py": IN_PROCESS_TEST,
        "tests/integration/__init__.py": "",
        "tests/integration/conftest.py": "import pytest\n",
        "loadtests/locustfile.py": LOCUST,
        "docker-compose.test.yml": "services:\n  db:\n    image: postgres:16\n",
    }
    verdict = integration(files)
    assert verdict.outcome is Outcome.FAIL
    messages = " | ".join(f.message for f in verdict.findings)
    assert "tests/integration/__init__.py is in an integration suite but holds no tests" in messages
    assert "docker-compose.test.yml looks like a test environment" in messages
    assert integration({"README.md": "# x\n"}).outcome is Outcome.NOT_APPLICABLE


def test_bdd_scenarios_with_a_runner_are_acceptance_tests() -> None:
    files = {
        "app.py": CODE,
        "features/cart.feature": FEATURE,
        "features/steps/cart_steps.py": BEHAVE_STEPS,
    }
    verdict = integration(files)
    assert verdict.outcome is Outcome.PASS
    assert "2 BDD scenarios" in verdict.summary


# --------------------------------------------------------------------------- test.bdd

FEATURE = (
    "Feature: Cart\n\n  Scenario: add an item\n    Given an empty cart\n"
    "    When I add a book\n    Then the cart holds 1 item\n\n"
    "  Scenario: remove an item\n    Given a cart with a book\n    When I remove it\n"
    "    Then the cart is empty\n"
)
BEHAVE_STEPS = (
    "from behave import given, when, then\n\n@given('an empty cart')\ndef step(context):\n"
    "    context.cart = []\n"
)


def bdd(files: dict[str, str]) -> Verdict:
    return judge_bdd(Facts.from_files(files))


def test_features_with_a_runner_pass() -> None:
    verdict = bdd(
        {"app.py": CODE, "features/cart.feature": FEATURE, "features/steps/s.py": BEHAVE_STEPS}
    )
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    assert verdict.summary == "2 Gherkin scenarios in 1 feature file, run by behave"


def test_a_runner_declared_as_a_dependency_or_run_in_ci_counts() -> None:
    base = {"app.py": CODE, "tests/features/cart.feature": FEATURE}
    declared = {**base, "requirements-dev.txt": "pytest-bdd==8.1.0\n"}
    assert bdd(declared).outcome is Outcome.PASS
    in_ci = {**base, ".github/workflows/ci.yml": CI.format(command="behave tests/features")}
    assert bdd(in_ci).outcome is Outcome.PASS


def test_features_without_a_runner_say_so() -> None:
    verdict = bdd({"app.py": CODE, "docs/features/cart.feature": FEATURE})
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 3.0)
    (problem,) = verdict.findings
    assert (problem.path, problem.line) == ("docs/features/cart.feature", 1)
    assert "nothing runs it" in problem.message


def test_no_features_fixture_features_and_empty_features() -> None:
    files = {
        "app.py": CODE,
        "tests/fixtures/repo/features/cart.feature": FEATURE,
        "features/empty.feature": "Feature: nothing yet\n",
        "features/steps/s.py": BEHAVE_STEPS,
    }
    verdict = bdd(files)
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 0.0)
    messages = [f.message for f in verdict.findings]
    assert messages[1:] == [
        "feature file without any scenario",
        "a BDD runner is set up (behave) but there are no scenarios for it",
    ]
    assert bdd({"README.md": "# x\n"}).outcome is Outcome.NOT_APPLICABLE


# --------------------------------------------------------------------------- test.contract

SERVICE = (
    "from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get('/orders')\n"
    "def orders():\n    return []\n"
) * 5
LIBRARY = "def quote(weight):\n    return weight * 2\n" * 20
PACT_FILE = json.dumps(
    {
        "consumer": {"name": "web"},
        "provider": {"name": "orders"},
        "interactions": [{"description": "list orders"}],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }
)


def contract(files: dict[str, str], service: str = ".") -> Verdict:
    return judge_contract(folder_facts(files, service))


def test_pact_files_or_pact_tests_pass() -> None:
    assert contract({"app.py": SERVICE, "pacts/web-orders.json": PACT_FILE}).outcome is Outcome.PASS
    test = "from pact import Verifier\n\ndef test_provider():\n    Verifier(provider='orders')\n"
    verdict = contract({"app.py": SERVICE, "tests/contract/test_pact.py": test})
    assert verdict.outcome is Outcome.PASS
    assert verdict.evidence[0].path == "tests/contract/test_pact.py"
    groovy = "import org.springframework.cloud.contract.spec.Contract\nContract.make {\n}\n"
    spring = {
        "App.java": "class App {}\n" * 10,
        "src/test/resources/contracts/orders.groovy": groovy,
    }
    assert contract(spring).outcome is Outcome.PASS


def test_a_service_without_contracts_fails_and_a_declared_library_is_named() -> None:
    assert contract({"app.py": SERVICE}).outcome is Outcome.FAIL
    verdict = contract({"app.py": SERVICE, "requirements-dev.txt": "pact-python==2.2.0\n"})
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 2.0)
    assert verdict.findings[0].path == "requirements-dev.txt"


def test_contracts_are_not_applicable_to_a_library_and_are_per_service() -> None:
    assert contract({"quote.py": LIBRARY}).outcome is Outcome.NOT_APPLICABLE
    files = {
        "svc/web/app.py": SERVICE,
        "svc/web/pacts/web-orders.json": PACT_FILE,
        "svc/orders/app.py": SERVICE,
        "tests/fixtures/pacts/x.json": PACT_FILE,
    }
    assert contract(files, "svc/web").outcome is Outcome.PASS
    assert contract(files, "svc/orders").outcome is Outcome.FAIL


# --------------------------------------------------------------------------- test.load

K6 = (
    'import http from "k6/http";\n\nexport const options = {\n'
    '  thresholds: { http_req_duration: ["p(99)<300"] },\n};\n\n'
    'export default function () {\n  http.get("http://orders.staging/v1/orders");\n}\n'
)
LOCUST = (
    "from locust import HttpUser, task\n\nclass Shopper(HttpUser):\n    @task\n"
    "    def browse(self):\n        self.client.get('/')\n"
)
LOCUST_SLO = LOCUST + (
    "\n\n@events.quitting.add_listener\ndef slo(environment, **_):\n"
    "    if environment.stats.total.fail_ratio > 0.01:\n        environment.process_exit_code = 1\n"
)


def load_run(name: str = "orders", passed: bool = True, when: str | None = None) -> str:
    """A recorded run whose p99 threshold passes (120 ms) or fails (900 ms)."""
    p99 = 120.0 if passed else 900.0
    return load_result(
        name=name,
        finished_at=when or recent(),
        latency={"intended": {"p99_ms": p99}},
        thresholds=[
            threshold("p99<300ms", "ms", passed, p99),
            threshold("success>=99.5%", "ratio", True, 0.999),
        ],
        passed=passed,
    )


def load(files: dict[str, str], params: Thresholds | None = None) -> Verdict:
    return judge_load(Facts.from_files(files, params=params))


def test_load_scripts_with_thresholds_pass() -> None:
    verdict = load({"app.py": SERVICE, "loadtest/orders.js": K6})
    assert (verdict.outcome, verdict.score, verdict.findings) == (Outcome.PASS, 10.0, ())
    assert verdict.summary == "1 load test (k6)"


def test_load_tests_without_thresholds_pass_with_less() -> None:
    verdict = load({"app.py": SERVICE, "loadtests/locustfile.py": LOCUST})
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 8.0)
    assert "declare no pass/fail thresholds" in verdict.findings[0].message
    slo = load({"app.py": SERVICE, "loadtests/locustfile.py": LOCUST_SLO})
    assert (slo.outcome, slo.score) == (Outcome.PASS, 10.0)


def test_a_recorded_result_that_missed_its_thresholds_fails() -> None:
    files = {
        "app.py": SERVICE,
        "loadtest/orders.plan.yaml": "name: orders\ntarget: http://orders.staging/\n"
        "profile:\n  - {type: constant, rate: 50, duration: 1m}\nthresholds: [p99<300ms]\n",
        "loadtest/results/orders.json": load_run(passed=False),
    }
    verdict = load(files)
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 4.0)
    (missed,) = verdict.findings
    assert missed.path == "loadtest/results/orders.json"
    assert missed.message == "orders: threshold p99<300ms missed (actual 900.0 ms)"
    assert [e.path for e in verdict.evidence] == [
        "loadtest/orders.plan.yaml",
        "loadtest/results/orders.json",
    ]


def test_the_latest_run_of_each_plan_decides() -> None:
    files = {
        "app.py": SERVICE,
        "perf/orders-1.json": load_run(passed=False, when=recent(10)),
        "perf/orders-2.json": load_run(passed=True, when=recent(1)),
    }
    verdict = load(files)
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    files["perf/search.json"] = load_run(name="search", passed=False)
    verdict = load(files)
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 7.0)


def test_a_stale_result_is_noted_and_costs_points() -> None:
    files = {"app.py": SERVICE, "loadtest/results/orders.json": load_run(when=recent(120))}
    verdict = load(files)
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 8.0)
    assert "is stale: recorded 120 days ago" in verdict.findings[0].message
    lenient = load(files, params=Thresholds(result_max_age_days=365))
    assert (lenient.score, lenient.findings) == (10.0, ())


def test_load_is_not_applicable_to_a_library_and_fails_a_service_without_tests() -> None:
    assert load({"quote.py": LIBRARY}).outcome is Outcome.NOT_APPLICABLE
    assert load({"app.py": SERVICE}).outcome is Outcome.FAIL
    fixture = {"app.py": SERVICE, "tests/fixtures/repo/loadtest/orders.js": K6}
    assert load(fixture).outcome is Outcome.FAIL


# --------------------------------------------------------------------------- test.chaos

CHAOS_TOOLKIT = json.dumps(
    {
        "title": "Orders survive a slow payments API",
        "steady-state-hypothesis": {"title": "ok", "probes": [{"type": "probe", "name": "p"}]},
        "method": [{"type": "action", "name": "add latency"}],
    }
)
CHAOS_MESH = (
    "apiVersion: chaos-mesh.org/v1alpha1\nkind: NetworkChaos\nmetadata:\n  name: payments-delay\n"
    "spec:\n  action: delay\n  delay:\n    latency: 2s\n"
)


def chaos(files: dict[str, str]) -> Verdict:
    return judge_chaos(Facts.from_files(files))


def test_chaos_experiments_with_and_without_a_steady_state() -> None:
    verdict = chaos({"app.py": SERVICE, "chaos/payments.json": CHAOS_TOOLKIT})
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    mesh = chaos({"app.py": SERVICE, "chaos/payments.yaml": CHAOS_MESH})
    assert (mesh.outcome, mesh.score) == (Outcome.PASS, 8.0)
    assert "no steady-state hypothesis" in mesh.findings[0].message


def test_toxiproxy_in_tests_counts() -> None:
    test = "from toxiproxy import Toxiproxy\n\ndef test_slow_db():\n    Toxiproxy()\n"
    verdict = chaos({"app.py": SERVICE, "tests/test_resilience.py": test})
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)


def test_no_chaos_and_libraries() -> None:
    assert chaos({"app.py": SERVICE}).outcome is Outcome.FAIL
    assert chaos({"quote.py": LIBRARY}).outcome is Outcome.NOT_APPLICABLE
    assert chaos({"app.py": SERVICE, "tests/fixtures/x/chaos.json": CHAOS_TOOLKIT}).outcome is (
        Outcome.FAIL
    )


def test_arguments_forwarded_to_an_npm_script_measure_coverage() -> None:
    package = json.dumps({"scripts": {"test": "tsc && jest"}})
    files = {
        "src/app.js": "export const x = 1;\n" * 30,
        "package.json": package,
        ".github/workflows/ci.yml": CI.format(command="npm test -- --coverage"),
    }
    verdict = coverage(files)
    assert verdict.outcome is Outcome.PASS
    assert verdict.evidence[0].detail == "coverage measured by jest"
    files[".github/workflows/ci.yml"] = CI.format(command="yarn test --coverage")
    assert coverage(files).outcome is Outcome.PASS
    files[".github/workflows/ci.yml"] = CI.format(command="npm test")
    assert coverage(files).outcome is Outcome.FAIL


def test_a_locustfile_held_in_a_string_is_not_a_load_test() -> None:
    bench = (
        f'import pathlib\n\nLOCUSTFILE = """\n{LOCUST}"""\n\n'
        'pathlib.Path("locustfile.py").write_text(LOCUSTFILE)\n'
    )
    assert load({"app.py": SERVICE, "benchmarks/compare.py": bench}).outcome is Outcome.FAIL
    assert load({"app.py": SERVICE, "benchmarks/locustfile.py": LOCUST}).outcome is Outcome.PASS


def test_a_conftest_that_starts_real_dependencies_makes_its_folder_an_integration_suite() -> None:
    conftest = (
        "import pytest\nfrom testcontainers.redis import RedisContainer\n\n"
        "@pytest.fixture(scope='session')\ndef redis():\n    with RedisContainer() as r:\n"
        "        yield r\n"
    )
    files = {
        "app.py": CODE,
        "tests/queue/conftest.py": conftest,
        "tests/queue/test_jobs.py": "def test_enqueue(redis):\n    assert redis\n",
        "tests/test_api.py": IN_PROCESS_TEST,
    }
    verdict = integration(files)
    assert verdict.outcome is Outcome.PASS
    assert verdict.summary == "1 integration/end-to-end test in 1 file"
    assert verdict.evidence[0].path == "tests/queue/conftest.py"
    files["tests/queue/conftest.py"] = (
        "import pytest\n\n@pytest.fixture\ndef redis():\n    return {}\n"
    )
    assert integration(files).outcome is Outcome.FAIL


def test_fixtures_that_start_real_things_make_integration_tests() -> None:
    test = "def test_orders(docker_services):\n    assert docker_services\n"
    assert integration({"app.py": CODE, "tests/test_orders.py": test}).outcome is Outcome.PASS


def test_kotlin_kover_is_a_coverage_config_with_its_bound() -> None:
    gradle = (
        'plugins {\n    id("org.jetbrains.kotlinx.kover") version "0.8.3"\n}\n\n'
        "kover {\n    reports { verify { rule { minBound(70) } } }\n}\n"
    )
    files = {"src/main/kotlin/App.kt": "fun main() {}\n" * 30, "build.gradle.kts": gradle}
    verdict = coverage(files)
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 8.8)
    assert "kover accepts 70% coverage" in verdict.findings[0].message
