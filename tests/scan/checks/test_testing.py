"""test.unit (ratio of test code to production code) and test.in-ci."""

from __future__ import annotations

from prodready.scan.checks.testing import judge_in_ci, judge_unit
from prodready.scan.facts.testsuite import collect_tests, is_integration_path
from prodready.scan.facts.view import Facts, ServiceScope, Thresholds
from prodready.scan.model import Outcome

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
    facts = Facts.from_files(files)
    view = Facts(facts.index, ServiceScope("svc", service))
    verdict = judge_in_ci(view)
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
