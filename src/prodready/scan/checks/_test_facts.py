"""What the ``test.*`` checks share: the service's test inventory, which assets
are its own, the dependencies it declares, where coverage is measured for it,
and its BDD features and runners.

Everything here reads collectors (``facts.testsuite``, ``facts.ci``,
``facts.deploy``, ``facts.deps``) through the service's view; nothing parses
a file a collector already parsed.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from prodready.scan.checks._service import (
    ci,
    concerns,
    deployment,
    inside,
    own_project,
    service_runs,
)
from prodready.scan.checks._uses import deps
from prodready.scan.checks.base import evidence
from prodready.scan.facts._test_code import BDD_RUNNERS, INTEGRATION_TECHNOLOGIES
from prodready.scan.facts.ci_model import CoverageReport
from prodready.scan.facts.ci_tools import program
from prodready.scan.facts.deploy import FeatureFile
from prodready.scan.facts.deps import Dependency
from prodready.scan.facts.testsuite import TestFile, TestInventory, collect_tests, is_test_data
from prodready.scan.facts.view import Facts
from prodready.scan.model import Evidence


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``1 test file`` / ``3 test files``."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def test_inventory(facts: Facts) -> TestInventory:
    """The service's test inventory, computed once per view."""
    return facts.derived("prodready.tests", collect_tests)


def conftest_suites(inventory: TestInventory) -> list[tuple[TestFile, TestFile]]:
    """(test file, conftest.py) for unit-kind test files below a ``conftest.py``
    that starts real dependencies or the service (Testcontainers, a compose
    fixture, uvicorn in a subprocess): pytest hands those fixtures to every
    test under that folder, so that suite runs against real things."""
    providers = [
        f
        for f in inventory.files
        if posixpath.basename(f.path) == "conftest.py"
        and f.uses_any(INTEGRATION_TECHNOLOGIES) is not None
    ]
    found = []
    for test in inventory.unit:
        if test.tests == 0:
            continue
        for conftest in providers:
            folder = posixpath.dirname(conftest.path)
            if inside(test.path, folder):
                found.append((test, conftest))
                break
    return found


def own_dependencies(
    facts: Facts, names: frozenset[str], groups: tuple[str, ...] = ()
) -> list[Dependency]:
    """Dependencies declared by this service's own projects that are one of
    ``names`` (a Go module also with its ``/vN`` suffix) or, for Java, in one
    of the Maven ``groups``."""
    found = deps(facts)
    out = []
    for ecosystem in found.ecosystems:
        for project in ecosystem.projects:
            if not own_project(facts, project.root, project.manifests):
                continue
            for dependency in project.dependencies:
                name = dependency.name
                base = name.rsplit("/v", 1)[0] if "/v" in name else name
                if name in names or base in names or name.startswith(groups or ("\0",)):
                    out.append(dependency)
    return out


_JS = frozenset({"javascript", "typescript"})
_JVM = frozenset({"java", "kotlin", "scala", "groovy"})
_COVERAGE_LANGUAGES: dict[str, frozenset[str]] = {
    "coverage.py": frozenset({"python"}),
    "pytest-cov": frozenset({"python"}),
    "go": frozenset({"go"}),
    "go-test-coverage": frozenset({"go"}),
    "jest": _JS,
    "nyc": _JS,
    "c8": _JS,
    "vitest": _JS,
    "vite": _JS,
    "mocha": _JS,
    "node": _JS,
    "jacoco": _JVM,
    "kover": _JVM,
    "maven": _JVM,
    "gradle": _JVM,
}
"""Languages a coverage tool measures; a config above the service folder
counts for the service only when it measures one of the service's languages."""


@dataclass(frozen=True, slots=True)
class Measured:
    """One place that measures coverage for the service."""

    tool: str
    path: str
    line: int | None
    fail_under: float | None
    enforced: bool
    """The threshold can fail the build (False for a CI step that can never fail)."""
    why_not: str | None = None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


def coverage_measurements(facts: Facts) -> list[Measured]:
    """Coverage configs and coverage-measuring commands that concern this service."""
    facts_ci = ci(facts)
    run_sites = {(r.location.path, r.location.line) for r in facts_ci.runs("coverage")}
    mine = {(r.location.path, r.location.line): r for r in service_runs(facts, "coverage")}
    languages = set(facts.languages())
    found: list[Measured] = []
    for config in facts_ci.coverage.configs:
        site = (config.path, config.line)
        if site in run_sites:
            run = mine.get(site)
            if run is None:
                continue  # a command for another service
            found.append(
                Measured(
                    config.tool,
                    config.path,
                    config.line,
                    config.fail_under,
                    run.can_fail,
                    run.why_not,
                )
            )
        elif _config_applies(facts, config.path, config.tool, languages):
            found.append(Measured(config.tool, config.path, config.line, config.fail_under, True))
    return found


def _config_applies(facts: Facts, path: str, tool: str, languages: set[str]) -> bool:
    if not own_asset(facts, path, allow_above=True):
        return False
    folder = posixpath.dirname(path)
    if facts.scope.owns(path) and inside(folder, facts.scope.path):
        return True
    measured = _COVERAGE_LANGUAGES.get(tool)
    if measured is None:
        # A language-agnostic config above the service (a root codecov.yml in a
        # monorepo) says nothing about whether *this* service is measured.
        return facts.scope.path == "."
    return bool(measured & languages)


def own_asset(facts: Facts, path: str, *, allow_above: bool = False) -> bool:
    """A file of this service (or, with ``allow_above``, of a folder above it:
    a root config), not a test fixture, vendored copy or example."""
    if is_test_data(path):
        return False
    info = facts.index.info(path)
    if info is not None and (info.is_vendored or info.is_example):
        return False
    if facts.scope.owns(path):
        return True
    return allow_above and inside(facts.scope.path, posixpath.dirname(path) or ".")


def coverage_reports(facts: Facts) -> list[CoverageReport]:
    return [
        r
        for r in ci(facts).coverage.reports
        if facts.scope.owns(r.path) and own_asset(facts, r.path)
    ]


_BDD_PACKAGES = frozenset(
    {
        "behave",
        "pytest-bdd",
        "github.com/cucumber/godog",
        "github.com/DATA-DOG/godog",
        "@cucumber/cucumber",
        "cucumber",
        "io.cucumber:cucumber-java",
        "io.cucumber:cucumber-java8",
        "io.cucumber:cucumber-junit-platform-engine",
        "io.cucumber:cucumber-junit",
    }
)
_BDD_COMMANDS = frozenset({"behave", "godog", "cucumber", "cucumber-js"})


@dataclass(frozen=True, slots=True)
class Bdd:
    features: tuple[FeatureFile, ...]
    """Own feature files with at least one scenario."""
    empty: tuple[FeatureFile, ...]
    runners: frozenset[str]
    runner_evidence: tuple[Evidence, ...]

    @property
    def runnable(self) -> tuple[FeatureFile, ...]:
        return self.features if self.runners else ()


def bdd_facts(facts: Facts) -> Bdd:
    def compute(view: Facts) -> Bdd:
        found = deployment(view)
        features = [f for f in found.feature_files if own_asset(view, f.path)]
        runners: set[str] = set()
        seen: list[Evidence] = []
        steps = [s for s in found.step_definitions if own_asset(view, s.path)]
        for step in steps:
            if step.framework != "unknown":
                runners.add(runner_name(step.framework))
                seen.append(evidence(step.path, f"{step.framework} step definitions", step.line))
        for test, technology, line in test_inventory(view).using(BDD_RUNNERS):
            runners.add(runner_name(technology))
            seen.append(evidence(test.path, f"uses {technology}", line))
        for dependency in own_dependencies(view, _BDD_PACKAGES):
            runners.add(runner_name(dependency.name))
            seen.append(evidence(dependency.path, f"depends on {dependency.name}", dependency.line))
        for run in ci(view).commands:
            if run.argv and program(run.argv[0]) in _BDD_COMMANDS and concerns(view, run):
                runners.add(runner_name(program(run.argv[0])))
                seen.append(evidence(run.location.path, f"runs {run.command}", run.location.line))
        return Bdd(
            tuple(f for f in features if f.scenarios > 0),
            tuple(f for f in features if f.scenarios == 0),
            frozenset(runners),
            tuple(seen),
        )

    return facts.derived("prodready.tests.bdd", compute)


def runner_name(name: str) -> str:
    """One name per runner, however it was seen (package, framework, command)."""
    lowered = name.lower()
    for runner in ("pytest-bdd", "behave", "godog"):
        if runner in lowered:
            return runner
    return "cucumber" if "cucumber" in lowered else name
