"""The service's test suite: which files are tests, which kind, and how much code they cover.

Test *code* is a test file in a programming language that is not test
*data*: files under ``fixtures/``, ``testdata/`` and the like are inputs to
tests (our own fixture repositories are full of Python and Go), not tests;
the tests of an example project are the example's, not the service's.
BDD step definitions under ``features/steps/`` (behave, cucumber-js) are test
code even though that folder name says nothing about tests.

Every test file has a kind:

- **integration** (integration/end-to-end) when a folder or its name says so
  (``integration``, ``e2e``, ``acceptance``, ``functional``, ``system``,
  ``smoke``; Java's failsafe ``*IT.java``), when it declares itself one
  (``pytestmark = pytest.mark.integration``, every test marked, a Go
  ``integration``/``e2e`` build tag, ``@SpringBootTest`` on a real port), or
  when what it imports starts real dependencies or drives the service from
  outside (Testcontainers, dockertest, a compose fixture, a browser, the
  service launched with uvicorn/gunicorn). BDD step definitions are
  acceptance tests, so integration too;
- **performance** for load, performance, benchmark and chaos tests
  (``loadtest``, ``perf``, ``benchmarks``, ``chaos`` folders; locustfiles, k6
  scripts, Gatling simulations);
- **unit** otherwise, including tests that run the app in process
  (FastAPI/Starlette ``TestClient``, Django's test client, ``httptest``,
  ``supertest``, MockMvc): they exercise much of the app, but no network,
  process or real dependency boundary.

What each file imports and marks is read with parsers (see ``_test_code``).
Production code is first-party code that is not a test, example, doc,
vendored or generated file; shell scripts are left out of both sides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

from prodready.scan.facts._test_code import (
    BDD_RUNNERS,
    DESCRIPTIONS,
    INTEGRATION_TECHNOLOGIES,
    PERFORMANCE_TECHNOLOGIES,
    TestCodeFacts,
    analyze_test_file,
)
from prodready.scan.facts.classify import is_bdd_code_path
from prodready.scan.facts.files import FileInfo
from prodready.scan.facts.view import Facts

__all__ = [
    "TestFile",
    "TestInventory",
    "TestKind",
    "collect_tests",
    "is_bdd_steps_path",
    "is_integration_path",
    "is_test_data",
]

_DATA_DIRS = frozenset({"fixtures", "fixture", "testdata", "test-data", "test_data", "data"})
_INTEGRATION_DIRS = frozenset(
    {
        "integration",
        "integration_tests",
        "integration-tests",
        "integrationtests",
        "integ",
        "e2e",
        "e2e-tests",
        "e2e_tests",
        "end2end",
        "end-to-end",
        "end_to_end",
        "acceptance",
        "functional",
        "system",
        "smoke",
        "it",
    }
)
_PERFORMANCE_DIRS = frozenset(
    {
        "loadtest",
        "loadtests",
        "load-tests",
        "load_tests",
        "load-test",
        "load_test",
        "perf",
        "perftest",
        "perftests",
        "performance",
        "benchmark",
        "benchmarks",
        "chaos",
    }
)
_INTEGRATION_NAME = re.compile(r"(^|[_.-])(integration|e2e|acceptance)([_.-]|$)", re.IGNORECASE)
_FAILSAFE_NAME = re.compile(r"^(IT[A-Z][a-z]\w*|\w+IT|\w+ITCase)$")
"""Maven failsafe's default integration-test class names."""
UNCOUNTED_LANGUAGES = frozenset({"shell"})


class TestKind(StrEnum):
    __test__ = False  # not a pytest test class
    UNIT = "unit"
    INTEGRATION = "integration"
    PERFORMANCE = "performance"


@dataclass(frozen=True, slots=True)
class TestFile:
    __test__ = False
    path: str
    language: str
    lines: int
    tests: int
    kind: TestKind = TestKind.UNIT
    reason: str = ""
    """Why the file is not a unit test (``folder integration``, ``build tag
    integration``, ``Testcontainers ...``); empty for unit tests."""
    reason_line: int | None = None
    uses: tuple[tuple[str, int], ...] = ()
    """(technology id, first line) for the test technologies it imports
    (``_test_code`` ids: ``testcontainers``, ``pact``, ``pytest-bdd``...)."""
    marked_tests: int = 0
    """Tests marked integration inside a file that is otherwise unit tests."""

    @property
    def integration(self) -> bool:
        return self.kind is TestKind.INTEGRATION

    def uses_any(self, technologies: frozenset[str]) -> tuple[str, int] | None:
        """The first of ``technologies`` the file uses, with its line."""
        return next(((t, line) for t, line in self.uses if t in technologies), None)


@dataclass(frozen=True, slots=True)
class TestInventory:
    __test__ = False
    files: tuple[TestFile, ...]
    code_lines: int
    """Lines of production code (see module docstring)."""
    code_files: int

    @property
    def unit(self) -> tuple[TestFile, ...]:
        return tuple(f for f in self.files if f.kind is TestKind.UNIT)

    @property
    def integration(self) -> tuple[TestFile, ...]:
        return tuple(f for f in self.files if f.kind is TestKind.INTEGRATION)

    @property
    def performance(self) -> tuple[TestFile, ...]:
        return tuple(f for f in self.files if f.kind is TestKind.PERFORMANCE)

    @property
    def unit_lines(self) -> int:
        return sum(f.lines for f in self.unit)

    @property
    def unit_tests(self) -> int:
        return sum(f.tests for f in self.unit)

    @property
    def ratio(self) -> float:
        return self.unit_lines / self.code_lines if self.code_lines else 0.0

    def using(self, technologies: frozenset[str]) -> list[tuple[TestFile, str, int]]:
        """(file, technology, line) for each test file using one of ``technologies``."""
        found = []
        for test in self.files:
            for technology, line in test.uses:
                if technology in technologies:
                    found.append((test, technology, line))
                    break
        return found


def is_test_data(path: str) -> bool:
    return any(part.lower() in _DATA_DIRS for part in PurePosixPath(path).parts[:-1])


def is_integration_path(path: str) -> bool:
    pure = PurePosixPath(path)
    if any(part.lower() in _INTEGRATION_DIRS for part in pure.parts[:-1]):
        return True
    stem = pure.name.split(".", 1)[0]
    if pure.suffix in (".java", ".kt", ".groovy", ".scala") and _FAILSAFE_NAME.match(stem):
        return True
    return bool(_INTEGRATION_NAME.search(stem))


def is_bdd_steps_path(path: str) -> bool:
    """``features/steps/x.py`` (behave), ``features/step_definitions/x.js``
    (cucumber-js), behave's ``features/environment.py`` hooks: BDD code,
    wherever the ``features`` folder is."""
    return is_bdd_code_path(path)


def collect_tests(facts: Facts) -> TestInventory:
    """Inventory of the service's own test files and production code."""
    files = []
    code_lines = code_files = 0
    for info in facts.own_files():
        if not info.is_code or info.language in UNCOUNTED_LANGUAGES or not info.is_first_party:
            continue
        if info.is_test or is_bdd_steps_path(info.path):
            if is_test_data(info.path) or info.is_example:
                continue  # inputs to tests, and the tests of sample projects
            files.append(_test_file(facts, info))
        elif not (info.is_example or info.is_docs):
            code_lines += info.lines
            code_files += 1
    return TestInventory(tuple(files), code_lines, code_files)


def _test_file(facts: Facts, info: FileInfo) -> TestFile:
    language = info.language or ""
    # A per-file fact: computed ahead (each Python test parsed once) and cached.
    code: TestCodeFacts | None = facts.file_fact("testcode", info.path)
    if code is None:  # not readable: nothing to read in it
        code = analyze_test_file(info.path, language, "", None)
    kind, reason, line = _kind(info.path, code)
    return TestFile(
        info.path,
        language,
        info.lines,
        code.tests,
        kind,
        reason,
        line,
        tuple(sorted(code.uses.items(), key=lambda item: (item[1], item[0]))),
        code.marked_tests,
    )


def _kind(path: str, code: TestCodeFacts) -> tuple[TestKind, str, int | None]:
    folders = [part.lower() for part in PurePosixPath(path).parts[:-1]]
    performance = next((f for f in folders if f in _PERFORMANCE_DIRS), None)
    if performance is not None:
        return TestKind.PERFORMANCE, f"in the {performance}/ folder", None
    folder = next((f for f in folders if f in _INTEGRATION_DIRS), None)
    if folder is not None:
        return TestKind.INTEGRATION, f"in the {folder}/ folder", None
    if is_integration_path(path):
        return TestKind.INTEGRATION, "named as an integration test", None
    if code.integration_marker is not None:
        return TestKind.INTEGRATION, code.integration_marker, code.marker_line
    for technology, line in sorted(code.uses.items(), key=lambda item: item[1]):
        if technology in INTEGRATION_TECHNOLOGIES:
            return TestKind.INTEGRATION, DESCRIPTIONS[technology], line
    for technology, line in sorted(code.uses.items(), key=lambda item: item[1]):
        if technology in BDD_RUNNERS:
            return TestKind.INTEGRATION, f"BDD steps ({DESCRIPTIONS[technology]})", line
    if is_bdd_steps_path(path):
        return TestKind.INTEGRATION, "BDD step definitions or hooks", None
    for technology, line in code.uses.items():
        if technology in PERFORMANCE_TECHNOLOGIES:
            return TestKind.PERFORMANCE, f"a {DESCRIPTIONS[technology]} script", line
    return TestKind.UNIT, "", None
