"""Test inventory: which files are tests, which kind, and how much code they cover.

Test *code* is a test file in a programming language that is not test
*data*: files under ``fixtures/``, ``testdata/`` and the like are inputs to
tests (our own fixture repositories are full of Python and Go), not tests.

A test file is an integration/end-to-end test when a folder or its name says
so (``integration``, ``e2e``, ``acceptance``, ``functional``, ``system``,
``smoke``) or, in Go, when it carries an ``integration``/``e2e`` build tag;
load, performance and chaos tests (``loadtest``, ``perf``, ``benchmarks``,
``chaos`` folders) are not unit tests either. Everything else is a unit test.

Test functions are counted with parsers where one is cheap and exact
(Python ``ast``: ``test*`` functions and methods), and by the language's
fixed conventions elsewhere (gofmt'd Go: ``func TestXxx(`` at the start of a
line in a ``_test.go`` file; ``@Test`` in Java/Kotlin; ``it(``/``test(`` in
JS/TS). Production code is first-party code that is not a test, example,
doc, vendored or generated file; shell scripts are left out of both sides.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from prodready.scan.facts.files import FileInfo
from prodready.scan.facts.view import Facts

_DATA_DIRS = frozenset({"fixtures", "fixture", "testdata", "test-data", "test_data", "data"})
_INTEGRATION_DIRS = frozenset(
    {
        "integration",
        "integration_tests",
        "integration-tests",
        "integ",
        "e2e",
        "end2end",
        "end-to-end",
        "end_to_end",
        "acceptance",
        "functional",
        "system",
        "smoke",
        "it",
        "loadtest",
        "loadtests",
        "load-tests",
        "load_tests",
        "perf",
        "perftest",
        "perftests",
        "benchmark",
        "benchmarks",
        "chaos",
    }
)
_INTEGRATION_NAME = re.compile(r"(^|[_.-])(integration|e2e|acceptance)([_.-]|$)", re.IGNORECASE)
_GO_BUILD_TAG = re.compile(r"^//go:build\s+.*\b(integration|e2e|acceptance)\b", re.MULTILINE)
_GO_TEST_FUNC = re.compile(r"^func\s+(Test|Fuzz)[A-Z0-9_]\w*\s*\(", re.MULTILINE)
_JAVA_TEST = re.compile(r"@(Test|ParameterizedTest|RepeatedTest|TestFactory)\b")
_JS_TEST = re.compile(r"(^|[^\w.])(it|test)(\.each\([^)]*\))?\s*\(\s*['\"`]", re.MULTILINE)
_RUBY_TEST = re.compile(r"^\s*(it|test|scenario)\s+['\"]", re.MULTILINE)
UNCOUNTED_LANGUAGES = frozenset({"shell"})


@dataclass(frozen=True, slots=True)
class TestFile:
    path: str
    language: str
    lines: int
    tests: int
    integration: bool


@dataclass(frozen=True, slots=True)
class TestInventory:
    files: tuple[TestFile, ...]
    code_lines: int
    """Lines of production code (see module docstring)."""
    code_files: int

    @property
    def unit(self) -> tuple[TestFile, ...]:
        return tuple(f for f in self.files if not f.integration)

    @property
    def integration(self) -> tuple[TestFile, ...]:
        return tuple(f for f in self.files if f.integration)

    @property
    def unit_lines(self) -> int:
        return sum(f.lines for f in self.unit)

    @property
    def unit_tests(self) -> int:
        return sum(f.tests for f in self.unit)

    @property
    def ratio(self) -> float:
        return self.unit_lines / self.code_lines if self.code_lines else 0.0


def is_test_data(path: str) -> bool:
    return any(part.lower() in _DATA_DIRS for part in PurePosixPath(path).parts[:-1])


def is_integration_path(path: str) -> bool:
    pure = PurePosixPath(path)
    if any(part.lower() in _INTEGRATION_DIRS for part in pure.parts[:-1]):
        return True
    return bool(_INTEGRATION_NAME.search(pure.name.split(".", 1)[0]))


def collect_tests(facts: Facts) -> TestInventory:
    """Inventory of the service's own test files and production code."""
    files = []
    code_lines = code_files = 0
    for info in facts.own_files():
        if not info.is_code or info.language in UNCOUNTED_LANGUAGES or not info.is_first_party:
            continue
        if info.is_test:
            if is_test_data(info.path):
                continue
            files.append(_test_file(facts, info))
        elif not (info.is_example or info.is_docs):
            code_lines += info.lines
            code_files += 1
    return TestInventory(tuple(files), code_lines, code_files)


def _test_file(facts: Facts, info: FileInfo) -> TestFile:
    text = facts.read_text(info.path) or ""
    language = info.language or ""
    integration = is_integration_path(info.path)
    if language == "go" and _GO_BUILD_TAG.search(text[:2000]):
        integration = True
    return TestFile(info.path, language, info.lines, _count_tests(facts, info, text), integration)


def _count_tests(facts: Facts, info: FileInfo, text: str) -> int:
    language = info.language
    if language == "python":
        tree = facts.python_ast(info.path)
        if tree is None:
            return 0
        return sum(
            1
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test")
        )
    if language == "go":
        return len(_GO_TEST_FUNC.findall(text)) if info.path.endswith("_test.go") else 0
    if language in ("java", "kotlin", "scala"):
        return len(_JAVA_TEST.findall(text))
    if language in ("javascript", "typescript"):
        return len(_JS_TEST.findall(text))
    if language == "ruby":
        return len(_RUBY_TEST.findall(text))
    return 1 if text.strip() else 0
