"""Testing checks (pillar ``test``): is the service's behaviour verified, at
every scale from a function to a fleet under fault?"""

from __future__ import annotations

from prodready.scan.checks._recorded import (
    load_run_failures,
    load_run_summary,
    problem_findings,
    stale_findings,
    with_penalty,
)
from prodready.scan.checks._service import (
    deployment,
    service_pipelines,
    service_runs,
    source,
)
from prodready.scan.checks._test_facts import (
    Measured,
    bdd_facts,
    conftest_suites,
    count,
    coverage_measurements,
    coverage_reports,
    own_asset,
    own_dependencies,
    test_inventory,
)
from prodready.scan.checks.base import Check, CheckSpec, Example, Verdict, evidence, finding
from prodready.scan.facts._test_code import CONTRACT_TECHNOLOGIES, IN_PROCESS
from prodready.scan.facts.ci_model import Trigger
from prodready.scan.facts.results import RecordedResults, recorded_results
from prodready.scan.facts.view import Facts
from prodready.scan.model import Finding, Level, Severity

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
    inventory = test_inventory(facts)
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
    inventory = test_inventory(facts)
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
        "test noticing, and a minimum stops it from eroding one pull request at a time."
    ),
    how_to_fix=(
        "Measure coverage in the test command (pytest --cov with a [tool.coverage.report] "
        "fail_under, `go test -coverprofile`, jest --coverage with coverageThreshold, the "
        "JaCoCo plugin with a check rule) and raise it to the policy threshold "
        "(thresholds.coverage, default 80). A committed report (coverage.xml, lcov.info, a "
        "Go cover profile, jacoco.xml) is judged against the threshold: the score is the "
        "measured percentage over the threshold. A fail_under below the policy threshold is "
        "reported, and so is a threshold in a CI step that can never fail."
    ),
    references=(
        "https://coverage.readthedocs.io/",
        "https://go.dev/blog/cover",
        "https://testing.googleblog.com/2020/08/code-coverage-best-practices.html",
    ),
    examples=(
        Example(
            "coverage.py with a minimum, measured in CI",
            "[tool.coverage.report]\nfail_under = 80\n\n# CI: pytest --cov=myservice\n",
            language="toml",
        ),
        Example(
            "Go: a cover profile in CI",
            "go test -race -coverprofile=coverage.out ./...\n",
            language="sh",
        ),
        Example(
            "A committed report below the threshold",
            '<coverage line-rate="0.62" lines-covered="88" lines-valid="142">\n',
            passes=False,
            language="xml",
        ),
    ),
)


def judge_coverage(facts: Facts) -> Verdict:
    inventory = test_inventory(facts)
    if inventory.code_lines == 0:
        return Verdict.not_applicable("no production code to test")
    threshold = facts.params.coverage
    measured = coverage_measurements(facts)
    reports = [r for r in coverage_reports(facts) if r.percent is not None]
    seen = [evidence(m.path, f"coverage measured by {m.tool}", m.line) for m in measured[:10]]
    seen += [
        evidence(r.path, f"{r.format} report: {r.percent:.1f}% of lines covered")
        for r in reports[:10]
    ]
    if not measured and not reports:
        return Verdict.failed(
            "coverage is not measured",
            findings=_not_measured(facts),
        )
    notes = _threshold_notes(measured, threshold)
    if reports:
        lowest = min(reports, key=lambda r: r.percent or 0.0)
        percent = lowest.percent or 0.0
        score = round(min(10.0, 10 * percent / threshold if threshold else 10.0), 1)
        below = [r for r in reports if (r.percent or 0.0) < threshold]
        if below:
            return Verdict.failed(
                f"line coverage {percent:.1f}% ({lowest.path}) is below the policy threshold "
                f"{threshold:g}%",
                score=score,
                findings=[
                    finding(
                        f"{r.format} report: {r.percent:.1f}% of lines covered"
                        + (f" ({r.covered}/{r.total})" if r.total else "")
                        + f", below the policy threshold {threshold:g}%; add tests for the "
                        "uncovered code",
                        r.path,
                        severity=Severity.HIGH,
                    )
                    for r in below
                ]
                + notes,
                evidence=seen,
            )
        return Verdict.passed(
            f"line coverage {percent:.1f}% meets the policy threshold {threshold:g}%",
            score=score,
            findings=notes,
            evidence=seen,
        )
    gates = [m.fail_under for m in measured if m.fail_under is not None and m.enforced]
    gate = max(gates) if gates else None
    tools = ", ".join(sorted({m.tool for m in measured}))
    if gate is None:
        return Verdict.passed(
            f"coverage is measured ({tools}), with no minimum enforced and no committed report",
            score=8.0,
            findings=notes
            or [
                finding(
                    f"coverage is measured but no minimum is set, so it can drop unnoticed: "
                    f"{_minimum_hint(measured[0].tool, threshold)}",
                    measured[0].path,
                    measured[0].line,
                    severity=Severity.LOW,
                )
            ],
            evidence=seen,
        )
    score = round(min(10.0, 10 * gate / threshold if threshold else 10.0), 1)
    return Verdict.passed(
        f"coverage is measured ({tools}) with a minimum of {gate:g}%",
        score=score,
        findings=notes,
        evidence=seen,
    )


def _threshold_notes(measured: list[Measured], threshold: float) -> list[Finding]:
    notes = []
    for m in measured:
        if m.fail_under is None:
            continue
        if not m.enforced:
            notes.append(
                finding(
                    f"the coverage minimum {m.fail_under:g}% cannot fail the build: "
                    f"{m.why_not or 'the step can never fail'}",
                    m.path,
                    m.line,
                    severity=Severity.MEDIUM,
                )
            )
        elif m.fail_under < threshold:
            notes.append(
                finding(
                    f"{m.tool} accepts {m.fail_under:g}% coverage, below the policy threshold "
                    f"{threshold:g}%: raise the minimum to {threshold:g}",
                    m.path,
                    m.line,
                    severity=Severity.MEDIUM,
                )
            )
    return notes


def _not_measured(facts: Facts) -> list[Finding]:
    runs = service_runs(facts, "test", [Trigger.CI])
    if runs:
        return [
            finding(
                f"`{r.command}` runs the tests without measuring coverage; add "
                f"{_coverage_hint(r.tool.family if r.tool else '')}",
                r.location.path,
                r.location.line,
                severity=Severity.MEDIUM,
            )
            for r in runs[:5]
        ]
    return [
        finding(
            "no coverage configuration, coverage flag or coverage report: measure it "
            "(pytest --cov, go test -coverprofile, jest --coverage, JaCoCo)",
            severity=Severity.MEDIUM,
        )
    ]


def _minimum_hint(tool: str, threshold: float) -> str:
    if tool in ("go", "go-test-coverage"):
        return (
            "go test has no minimum of its own; fail the build on the total (go-test-coverage, "
            f"or `go tool cover -func` compared with {threshold:g})"
        )
    if tool in ("coverage.py", "pytest-cov"):
        return f"set [tool.coverage.report] fail_under = {threshold:g} (or --cov-fail-under)"
    if tool in ("jest", "vitest", "vite", "nyc", "c8", "mocha", "node"):
        return (
            f"set a lines threshold of {threshold:g} (jest coverageThreshold, vitest "
            "thresholds, nyc/c8 check-coverage)"
        )
    if tool in ("jacoco", "kover", "maven", "gradle"):
        return f"add a JaCoCo check rule (LINE COVEREDRATIO minimum {threshold / 100:.2f})"
    return f"set a minimum of {threshold:g}%"


def _coverage_hint(family: str) -> str:
    return {
        "pytest": "--cov=<package> (pytest-cov) and a fail_under",
        "go": "-coverprofile=coverage.out",
        "npm": "--coverage with a coverageThreshold",
        "jest": "--coverage with a coverageThreshold",
        "vitest": "--coverage with thresholds",
        "maven": "the JaCoCo plugin with a check rule",
        "gradle": "the jacoco plugin and jacocoTestCoverageVerification",
    }.get(family, "a coverage flag and a minimum")


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
        "dependencies catch what unit tests with mocks cannot. Tests that run the app in "
        "process (FastAPI's TestClient, Go's httptest, supertest, MockMvc) are unit tests: "
        "fast and valuable, but no network, process or real dependency is crossed."
    ),
    how_to_fix=(
        "Add a separate integration suite that talks to real dependencies or to the running "
        "service: a tests/integration (or e2e) folder, a pytest marker "
        "(pytestmark = pytest.mark.integration), a Go build tag `integration`, failsafe "
        "*IT.java classes, Testcontainers, dockertest or a docker-compose test environment "
        "(also from a conftest.py fixture or pytest-docker's docker_services), tests that "
        "start the service (uvicorn in a subprocess, pytest-django's live_server, "
        "@SpringBootTest on a random port), browser tests, or BDD scenarios with a runner; "
        "run it in CI."
    ),
    references=(
        "https://martinfowler.com/bliki/IntegrationTest.html",
        "https://testcontainers.com/",
        "https://docs.pytest.org/en/stable/example/markers.html",
    ),
    examples=(
        Example(
            "pytest: an integration suite against a real PostgreSQL",
            "# tests/integration/test_store.py\nimport pytest\n"
            "from testcontainers.postgres import PostgresContainer\n\n"
            "pytestmark = pytest.mark.integration\n",
            language="python",
        ),
        Example(
            "Go: a build-tagged integration test",
            "//go:build integration\n\npackage store\n",
            language="go",
        ),
        Example(
            "Not integration: the app in process",
            "from fastapi.testclient import TestClient\n\nclient = TestClient(app)\n",
            passes=False,
            language="python",
        ),
    ),
)


def judge_integration(facts: Facts) -> Verdict:
    inventory = test_inventory(facts)
    if inventory.code_lines == 0:
        return Verdict.not_applicable("no production code to test")
    suites = [f for f in inventory.integration if f.tests > 0]
    provided = conftest_suites(inventory)
    suites += [f for f, _ in provided]
    marked = [f for f in inventory.unit if f.marked_tests > 0 and f not in suites]
    bdd = bdd_facts(facts)
    seen = [
        evidence(f.path, f"{f.tests} tests: {f.reason}", f.reason_line)
        for f in suites[:10]
        if f.reason
    ]
    seen += [
        evidence(conftest.path, f"{conftest.reason}, for {test.path}", conftest.reason_line)
        for test, conftest in provided[:5]
    ]
    seen += [evidence(f.path, f"{f.marked_tests} tests marked integration/e2e") for f in marked[:5]]
    if bdd.runnable:
        seen.append(
            evidence(
                bdd.runnable[0].path,
                f"BDD scenarios run by {', '.join(sorted(bdd.runners)) or 'a runner'}",
            )
        )
    environments = [c for c in deployment(facts).test_compose_files if own_asset(facts, c.path)]
    seen += [
        evidence(c.path, f"test environment ({', '.join(c.test_reasons)})")
        for c in environments[:3]
    ]
    total = sum(f.tests for f in suites) + sum(f.marked_tests for f in marked)
    if total or bdd.runnable:
        parts = []
        if total:
            parts.append(
                f"{count(total, 'integration/end-to-end test')} in "
                f"{count(len(suites) + len(marked), 'file')}"
            )
        if bdd.runnable:
            parts.append(count(sum(f.scenarios for f in bdd.runnable), "BDD scenario"))
        return Verdict.passed(", ".join(parts), evidence=seen)
    unit = [f for f in inventory.unit if f.tests > 0]
    found = (
        f"the {count(len(unit), 'test file')} hold unit tests only"
        if unit
        else "there are no tests at all"
    )
    findings = [
        finding(
            f"no integration or end-to-end tests: {found}; add a suite that talks to real "
            "dependencies or to the running service (tests/integration, an integration marker "
            "or build tag, Testcontainers, a compose test environment)",
            severity=Severity.MEDIUM,
        )
    ]
    in_process = inventory.using(frozenset({IN_PROCESS}))
    if in_process:
        test, _, line = in_process[0]
        others = f" and {count(len(in_process) - 1, 'other')}" if len(in_process) > 1 else ""
        findings.append(
            finding(
                f"{test.path}{others} use an in-process test client or server (TestClient, "
                "httptest, supertest, MockMvc...): unit tests, crossing no network, process or "
                "real dependency",
                test.path,
                line,
                severity=Severity.INFO,
            )
        )
    empty = [f for f in inventory.integration if f.tests == 0 and f.reason]
    if empty:
        findings.append(
            finding(
                f"{empty[0].path} is in an integration suite but holds no tests",
                empty[0].path,
                severity=Severity.LOW,
            )
        )
    if environments:
        findings.append(
            finding(
                f"{environments[0].path} looks like a test environment, but no test uses it "
                "as an integration suite",
                environments[0].path,
                severity=Severity.LOW,
            )
        )
    if bdd.features and not bdd.runnable:
        findings.append(
            finding(
                "Gherkin features exist but nothing runs them (see test.bdd)",
                bdd.features[0].path,
                bdd.features[0].line,
                severity=Severity.LOW,
            )
        )
    return Verdict.failed("no integration or end-to-end tests", findings=findings, evidence=seen)


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
        "was built, before users do. A .feature file that no runner executes is "
        "documentation that silently goes stale."
    ),
    how_to_fix=(
        "Write Gherkin .feature files for the key user journeys and run them with behave "
        "or pytest-bdd (Python), godog (Go) or cucumber (JS/Java) in CI: step definitions "
        "that import the runner (or the runner as a dependency) are what makes them tests."
    ),
    references=(
        "https://cucumber.io/docs/gherkin/reference/",
        "https://behave.readthedocs.io/",
        "https://pytest-bdd.readthedocs.io/",
        "https://github.com/cucumber/godog",
    ),
    examples=(
        Example(
            "A feature with pytest-bdd scenarios",
            "# tests/features/test_checkout.py\nfrom pytest_bdd import scenarios, given\n\n"
            'scenarios("checkout.feature")\n',
            language="python",
        ),
    ),
)


def judge_bdd(facts: Facts) -> Verdict:
    if test_inventory(facts).code_lines == 0:
        return Verdict.not_applicable("no production code to test")
    bdd = bdd_facts(facts)
    scenarios = sum(f.scenarios for f in bdd.features)
    seen = [
        evidence(
            f.path, f"feature {f.name or ''!s}: {f.scenarios} scenarios".replace("  ", " "), f.line
        )
        for f in bdd.features[:10]
    ] + list(bdd.runner_evidence[:5])
    if bdd.runnable:
        return Verdict.passed(
            f"{count(scenarios, 'Gherkin scenario')} in "
            f"{count(len(bdd.features), 'feature file')}, run by "
            f"{', '.join(sorted(bdd.runners))}",
            evidence=seen,
        )
    if bdd.features:
        return Verdict.failed(
            f"{count(len(bdd.features), 'feature file')} but no runner executes them",
            score=3.0,
            findings=[
                finding(
                    f"Gherkin feature with {f.scenarios} scenarios, but nothing runs it: no "
                    "behave/pytest-bdd/godog/cucumber step definitions, dependency or CI "
                    "command",
                    f.path,
                    f.line,
                )
                for f in bdd.features[:10]
            ],
            evidence=seen,
        )
    findings = [
        finding(
            "no Gherkin .feature files: describe the key user journeys as scenarios and run "
            "them with behave, pytest-bdd, godog or cucumber",
            severity=Severity.LOW,
        )
    ]
    findings += [
        finding("feature file without any scenario", f.path, f.line, severity=Severity.LOW)
        for f in bdd.empty[:5]
    ]
    if bdd.runners:
        findings.append(
            finding(
                f"a BDD runner is set up ({', '.join(sorted(bdd.runners))}) but there are no "
                "scenarios for it",
                bdd.runner_evidence[0].path,
                bdd.runner_evidence[0].line,
                severity=Severity.LOW,
            )
        )
    return Verdict.failed("no behaviour specifications", findings=findings, evidence=seen)


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
        "Adopt Pact (pact-python, pact-go, pact-js, pact-jvm) or Spring Cloud Contract: "
        "consumers write pacts from their tests, the provider verifies them in CI. A Pact "
        "dependency that no test uses does not count. Not applicable to a library or front "
        "end without contracts (no server of its own)."
    ),
    references=(
        "https://docs.pact.io/",
        "https://martinfowler.com/articles/consumerDrivenContracts.html",
        "https://spring.io/projects/spring-cloud-contract",
    ),
)

_CONTRACT_PACKAGES = frozenset(
    {
        "pact-python",
        "github.com/pact-foundation/pact-go",
        "@pact-foundation/pact",
        "org.springframework.cloud:spring-cloud-contract-verifier",
        "org.springframework.cloud:spring-cloud-starter-contract-verifier",
        "org.springframework.cloud:spring-cloud-starter-contract-stub-runner",
    }
)
_CONTRACT_GROUPS = ("au.com.dius.pact",)


def judge_contract(facts: Facts) -> Verdict:
    inventory = test_inventory(facts)
    if inventory.code_lines == 0:
        return Verdict.not_applicable("no production code to test")
    found = deployment(facts)
    pacts = [p for p in found.pact_files if own_asset(facts, p.path)]
    contracts = [c for c in found.contracts if own_asset(facts, c.path)]
    users = inventory.using(CONTRACT_TECHNOLOGIES)
    seen = [
        evidence(
            p.path, f"pact {p.consumer} -> {p.provider}: {p.interactions} interactions", p.line
        )
        for p in pacts[:10]
    ]
    seen += [evidence(c.path, c.tool, c.line) for c in contracts[:10]]
    seen += [
        evidence(t.path, f"{technology} used by tests", line) for t, technology, line in users[:10]
    ]
    if pacts or contracts or users:
        what = []
        if pacts:
            what.append(count(len(pacts), "pact file"))
        if contracts:
            what.append(count(len(contracts), "Spring Cloud Contract definition"))
        if users:
            what.append(count(len(users), "contract test file"))
        return Verdict.passed(f"consumer-driven contracts: {', '.join(what)}", evidence=seen)
    if not source(facts).is_service:
        return Verdict.not_applicable(
            "no server in the code and no contracts: consumer-driven contracts are between services"
        )
    declared = own_dependencies(facts, _CONTRACT_PACKAGES, _CONTRACT_GROUPS)
    if declared:
        return Verdict.failed(
            "a contract-testing library is declared but no test uses it",
            score=2.0,
            findings=[
                finding(
                    f"{d.name} is a dependency, but no test imports it and no pact file or "
                    "contract exists",
                    d.path,
                    d.line,
                )
                for d in declared[:5]
            ],
        )
    return Verdict.failed(
        "no consumer-driven contract tests",
        findings=[
            finding(
                "no Pact files, Pact tests or Spring Cloud Contract definitions: have consumers "
                "publish pacts and verify them in this service's CI",
                severity=Severity.LOW,
            )
        ],
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
        "keep the results file (`prodready load --output`, e.g. loadtest/results/*.json). "
        "A committed prodready load result is judged: the latest run of each plan must have "
        "passed its thresholds. A result older than thresholds.result_max_age_days (default "
        "90) is reported as stale. Not applicable to a library or front end (no server to "
        "load)."
    ),
    references=(
        "https://k6.io/docs/using-k6/thresholds/",
        "https://docs.locust.io/",
        "https://sre.google/sre-book/handling-overload/",
    ),
)


def judge_load(facts: Facts) -> Verdict:
    if test_inventory(facts).code_lines == 0:
        return Verdict.not_applicable("no production code to load")
    results = recorded_results(facts)
    result_paths = {r.path for r in results.load} | {p.path for p in results.problems}
    plans = [
        t
        for t in deployment(facts).load_tests
        if own_asset(facts, t.path) and t.path not in result_paths
    ]
    if not plans and not results.load:
        if not source(facts).is_service:
            return Verdict.not_applicable("no server in the code: nothing to load")
        return Verdict.failed(
            "no load tests",
            findings=[
                finding(
                    "no load test (prodready load plan, k6, locust, vegeta, gatling, jmeter, "
                    "artillery): write one with latency and error-rate thresholds",
                    severity=Severity.MEDIUM,
                )
            ],
        )
    seen = [
        evidence(
            t.path,
            f"{t.tool} load test" + (" with thresholds" if t.has_thresholds else ""),
            t.line,
        )
        for t in plans[:10]
    ]
    latest = RecordedResults.latest_load(results.load)
    seen += [evidence(r.path, load_run_summary(r)) for r in latest[:10]]
    stale = stale_findings(facts, [(r.path, r.name, r.finished_at) for r in latest])
    notes = stale + problem_findings(results.problems_of("load"))
    failed = [r for r in latest if not r.passed]
    if failed:
        share = 1 - len(failed) / len(latest)
        return Verdict.failed(
            f"{len(failed)} of {count(len(latest), 'recorded load run')} (the latest of each "
            "plan) missed their thresholds",
            score=with_penalty(round(4.0 + 6.0 * share, 1), stale),
            findings=[f for r in failed for f in load_run_failures(r)] + notes,
            evidence=seen,
        )
    score = 10.0
    if not latest and not any(t.has_thresholds for t in plans):
        score = 8.0
        notes.append(
            finding(
                "the load tests declare no pass/fail thresholds (k6 thresholds, prodready "
                "plan thresholds, artillery ensure, a locust exit code): they measure but "
                "never fail",
                plans[0].path,
                plans[0].line,
                severity=Severity.LOW,
            )
        )
    score = with_penalty(score, stale)
    what = (
        [f"{count(len(plans), 'load test')} ({', '.join(sorted({t.tool for t in plans}))})"]
        if plans
        else []
    )
    if latest:
        what.append(f"the latest recorded run of each plan passed ({count(len(latest), 'run')})")
    return Verdict.passed(", ".join(what), score=score, findings=notes, evidence=seen)


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
        "Chaos Mesh manifests, AWS FIS templates) with a steady-state hypothesis, and run "
        "them regularly. Full marks need a steady-state hypothesis (Chaos Toolkit "
        "steady-state-hypothesis, Litmus probes, FIS stop conditions); toxiproxy used by "
        "tests counts, as the tests assert the behaviour. Not applicable to a library or "
        "front end (no server of its own)."
    ),
    references=(
        "https://principlesofchaos.org/",
        "https://chaostoolkit.org/",
        "https://github.com/Shopify/toxiproxy",
    ),
)


def judge_chaos(facts: Facts) -> Verdict:
    if test_inventory(facts).code_lines == 0:
        return Verdict.not_applicable("no production code")
    experiments = [e for e in deployment(facts).chaos_experiments if own_asset(facts, e.path)]
    runs = recorded_results(facts).chaos
    if not experiments and not runs:
        if not source(facts).is_service:
            return Verdict.not_applicable("no server in the code: no fault to inject")
        return Verdict.failed(
            "no chaos or fault-injection experiments",
            findings=[
                finding(
                    "no chaos experiment (Chaos Toolkit, toxiproxy, Litmus, Chaos Mesh, AWS "
                    "FIS, prodready chaos): inject dependency latency and errors with a "
                    "steady-state hypothesis",
                    severity=Severity.LOW,
                )
            ],
        )
    seen = [
        evidence(
            e.path,
            f"{e.tool} experiment {e.name or ''}".rstrip()
            + (" with a steady-state hypothesis" if e.steady_state else ""),
            e.line,
        )
        for e in experiments[:10]
    ]
    seen += [evidence(r.path, f"prodready chaos run {r.name or ''}".rstrip()) for r in runs[:5]]
    tools = sorted({e.tool for e in experiments} | ({"prodready"} if runs else set()))
    proven = runs or any(e.steady_state or e.tool == "toxiproxy" for e in experiments)
    if proven:
        return Verdict.passed(
            f"{count(len(experiments) + len(runs), 'chaos experiment')} ({', '.join(tools)})",
            evidence=seen,
        )
    first = experiments[0]
    return Verdict.passed(
        f"{count(len(experiments), 'chaos experiment')} ({', '.join(tools)}), none with a "
        "steady-state "
        "hypothesis",
        score=8.0,
        findings=[
            finding(
                "the experiment injects faults but states no steady-state hypothesis to check "
                "around them (Chaos Toolkit steady-state-hypothesis, Litmus probes)",
                first.path,
                first.line,
                severity=Severity.LOW,
            )
        ],
        evidence=seen,
    )


# ----------------------------------------------------------------- shared helpers

CHECKS: tuple[Check, ...] = (
    Check(UNIT, judge_unit),
    Check(IN_CI, judge_in_ci),
    Check(COVERAGE, judge_coverage),
    Check(INTEGRATION, judge_integration),
    Check(BDD, judge_bdd),
    Check(CONTRACT, judge_contract),
    Check(LOAD, judge_load),
    Check(CHAOS, judge_chaos),
)
