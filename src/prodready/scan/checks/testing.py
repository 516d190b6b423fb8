"""Testing checks (pillar ``test``): is the service's behaviour verified, at
every scale from a function to a fleet under fault?"""

from __future__ import annotations

from prodready.scan.checks._service import service_pipelines, service_runs
from prodready.scan.checks.base import Check, CheckSpec, Verdict, evidence, finding
from prodready.scan.facts.ci_model import Trigger
from prodready.scan.facts.tests import TestInventory, collect_tests
from prodready.scan.facts.view import Facts
from prodready.scan.model import Level, Severity

UNIT = CheckSpec(
    id="test.unit",
    level=Level.BRONZE,
    title="Unit tests exist, in proportion to the code",
    passes_when="unit tests exist, in proportion to the code (score grows with test-to-code ratio)",
    why=(
        "Unit tests are the cheapest safety net: they run in seconds, pin down behaviour "
        "before a refactor, and document intent. A service with little test code compared "
        "with its production code changes by hope."
    ),
    how_to_fix=(
        "Add tests next to the code's conventions (tests/test_*.py with pytest, "
        "*_test.go with `go test`, *.test.ts with vitest/jest). Start with the code that "
        "changes most and the bugs you have fixed; the score grows with the ratio of test "
        "lines to production lines up to the policy's target (default 0.5)."
    ),
    references=(
        "https://martinfowler.com/articles/practical-test-pyramid.html",
        "https://docs.pytest.org/en/stable/getting-started.html",
        "https://go.dev/doc/tutorial/add-a-test",
    ),
)


def judge_unit(facts: Facts) -> Verdict:
    inventory: TestInventory = facts.derived("prodready.tests", collect_tests)
    if inventory.code_lines == 0:
        return Verdict.not_applicable("no production code to test")
    target = facts.params.test_ratio_target
    minimum = facts.params.test_ratio_min
    ratio = inventory.ratio
    unit = inventory.unit
    tests = inventory.unit_tests
    figures = (
        f"{inventory.unit_lines:,} lines of unit tests ({len(unit)} files, {tests} tests) for "
        f"{inventory.code_lines:,} lines of code: ratio {ratio:.2f}"
    )
    seen = [evidence(f.path, f"{f.tests} tests, {f.lines} lines") for f in unit[:10]]
    if not unit or tests == 0:
        where = facts.scope.path
        return Verdict.failed(
            f"no unit tests found for {inventory.code_lines:,} lines of code",
            findings=[
                finding(
                    f"no unit tests in {where!r} ({inventory.code_files} source files, "
                    f"{inventory.code_lines:,} lines)",
                    severity=Severity.HIGH,
                )
            ],
            evidence=seen,
        )
    score = round(10 * min(1.0, ratio / target), 1)
    if ratio < minimum:
        return Verdict.failed(
            f"{figures}, below the minimum {minimum:.2f}",
            score=score,
            findings=[
                finding(
                    f"test-to-code ratio {ratio:.2f} is below the policy minimum {minimum:.2f} "
                    f"(full marks at {target:.2f})"
                )
            ],
            evidence=seen,
        )
    return Verdict.passed(f"{figures} (full marks at {target:.2f})", score=score, evidence=seen)


IN_CI = CheckSpec(
    id="test.in-ci",
    level=Level.BRONZE,
    title="The CI pipeline runs the tests",
    passes_when="the CI pipeline runs the tests",
    why=(
        "Tests that only run on a developer's machine protect nothing: the change that "
        "breaks them merges anyway. Running them in CI, as a step that can fail the "
        "build, is what makes them a gate."
    ),
    how_to_fix=(
        "Make a CI job run the test command (`make test`, `pytest`, `go test ./...`, "
        "`npm test`), without `|| true` or `continue-on-error: true`, on every push and "
        "pull request."
    ),
    references=(
        "https://docs.github.com/en/actions/use-cases-and-examples/building-and-testing/building-and-testing-python",
        "https://martinfowler.com/articles/continuousIntegration.html#MakeYourBuildSelf-testing",
    ),
)


def judge_in_ci(facts: Facts) -> Verdict:
    inventory: TestInventory = facts.derived("prodready.tests", collect_tests)
    if inventory.code_lines == 0:
        return Verdict.not_applicable("no production code to test")
    pipelines = service_pipelines(facts)
    if not pipelines:
        return Verdict.failed(
            "no CI pipeline, so no tests run in CI",
            findings=[finding("no CI pipeline definition found", severity=Severity.HIGH)],
        )
    runs = service_runs(facts, "test", [Trigger.CI])
    gating = [r for r in runs if r.can_fail]
    if gating:
        return Verdict.passed(
            f"CI runs the tests ({', '.join(sorted({r.tool.id for r in gating if r.tool}))})",
            evidence=[
                evidence(r.location.path, f"{r.command} ({r.chain})", r.location.line)
                for r in gating[:10]
            ],
        )
    if runs:
        return Verdict.failed(
            "CI runs tests, but they can never fail the build",
            score=3.0,
            findings=[
                finding(
                    f"{r.command}: {r.why_not or 'cannot fail'}",
                    r.location.path,
                    r.location.line,
                )
                for r in runs
            ],
        )
    return Verdict.failed(
        "the CI pipeline runs no tests",
        findings=[
            finding(
                "no test command (pytest, go test, npm test, make test...) in this pipeline", p.path
            )
            for p in pipelines
        ],
    )


COVERAGE = CheckSpec(
    id="test.coverage",
    level=Level.SILVER,
    title="Test coverage is measured and meets the threshold",
    passes_when=(
        "coverage is measured (and, where a report is present, meets the policy threshold, "
        "default 80%)"
    ),
    why=(
        "Coverage does not prove tests are good, but low coverage proves code is "
        "untested. Measuring it in CI shows which parts of the service change without any "
        "test noticing."
    ),
    how_to_fix=(
        "Measure coverage in the test command (pytest --cov with a [tool.coverage] "
        "fail_under, `go test -coverprofile`, jest --coverage with coverageThreshold) and "
        "raise it to the policy threshold (thresholds.coverage)."
    ),
    references=(
        "https://coverage.readthedocs.io/",
        "https://go.dev/blog/cover",
        "https://testing.googleblog.com/2020/08/code-coverage-best-practices.html",
    ),
)

INTEGRATION = CheckSpec(
    id="test.integration",
    level=Level.GOLD,
    title="Integration or end-to-end tests exist",
    passes_when=(
        "integration / end-to-end tests exist (separate suite, markers, compose-based test "
        "env, BDD, black-box HTTP tests against a running service)"
    ),
    why=(
        "Most production failures happen between components: a query the real database "
        "rejects, a serialisation mismatch, a timeout. Integration tests against real "
        "dependencies catch what unit tests with mocks cannot."
    ),
    how_to_fix=(
        "Add a separate integration suite (tests/integration, a pytest marker, Go build "
        "tag `integration`, testcontainers or a compose file for dependencies) that talks "
        "to real dependencies, and run it in CI."
    ),
    references=(
        "https://martinfowler.com/bliki/IntegrationTest.html",
        "https://testcontainers.com/",
    ),
)

BDD = CheckSpec(
    id="test.bdd",
    level=Level.GOLD,
    title="Behaviour specifications",
    passes_when=(
        "behaviour specs: Gherkin `.feature` files with a runner (behave, pytest-bdd, godog, "
        "cucumber)"
    ),
    why=(
        "Behaviour specs written in the domain's language are tests product owners can "
        "read and agree with. They catch the gap between what was asked for and what "
        "was built, before users do."
    ),
    how_to_fix=(
        "Write Gherkin .feature files for the key user journeys and run them with behave "
        "or pytest-bdd (Python), godog (Go) or cucumber (JS/Java) in CI."
    ),
    references=(
        "https://cucumber.io/docs/gherkin/reference/",
        "https://behave.readthedocs.io/",
        "https://github.com/cucumber/godog",
    ),
)

CONTRACT = CheckSpec(
    id="test.contract",
    level=Level.GOLD,
    title="Consumer-driven contract tests",
    passes_when=("consumer-driven contract tests (Pact files or libraries, Spring Cloud Contract)"),
    why=(
        "In a microservice fleet, the riskiest change is one that breaks a consumer you "
        "do not test with. Contract tests let consumers state what they rely on and "
        "fail the provider's build before the breaking change ships."
    ),
    how_to_fix=(
        "Adopt Pact (pact-python, pact-go, pact-js) or Spring Cloud Contract: consumers "
        "publish pacts, the provider verifies them in CI."
    ),
    references=(
        "https://docs.pact.io/",
        "https://martinfowler.com/articles/consumerDrivenContracts.html",
    ),
)

LOAD = CheckSpec(
    id="test.load",
    level=Level.GOLD,
    title="Load tests exist and meet their thresholds",
    passes_when=(
        "load tests exist (locust, k6, vegeta, gatling, jmeter, artillery, `prodready load` "
        "plans); with a results file, they meet their thresholds"
    ),
    why=(
        "Capacity is a feature. Without load tests, the first time the service sees peak "
        "traffic is in production, and its latency cliff, connection-pool limit or memory "
        "leak is discovered by users."
    ),
    how_to_fix=(
        "Write a load test (a `prodready load` plan, k6 script or locustfile) with "
        "latency and error-rate thresholds, run it against a staging deployment, and "
        "keep the results file in the repository or CI artefacts."
    ),
    references=(
        "https://k6.io/docs/using-k6/thresholds/",
        "https://docs.locust.io/",
        "https://sre.google/sre-book/handling-overload/",
    ),
)

CHAOS = CheckSpec(
    id="test.chaos",
    level=Level.PLATINUM,
    title="Chaos / fault-injection experiments",
    passes_when=(
        "chaos/fault-injection experiments exist (Chaos Toolkit, toxiproxy, Litmus, Chaos "
        "Mesh, `prodready chaos` experiments)"
    ),
    why=(
        "Timeouts, retries and circuit breakers are only proven when their failure modes "
        "are exercised. Chaos experiments inject the faults (latency, errors, dead "
        "dependencies) on purpose, while someone is watching."
    ),
    how_to_fix=(
        "Write experiments (Chaos Toolkit JSON/YAML, toxiproxy-based tests, Litmus or "
        "Chaos Mesh manifests) with a steady-state hypothesis, and run them regularly."
    ),
    references=(
        "https://principlesofchaos.org/",
        "https://chaostoolkit.org/",
        "https://github.com/Shopify/toxiproxy",
    ),
)

CHECKS: tuple[Check, ...] = (
    Check(UNIT, judge_unit),
    Check(IN_CI, judge_in_ci),
    Check(COVERAGE),
    Check(INTEGRATION),
    Check(BDD),
    Check(CONTRACT),
    Check(LOAD),
    Check(CHAOS),
)
