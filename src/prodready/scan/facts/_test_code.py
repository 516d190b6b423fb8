"""What one test file does: how many tests it holds, which test technologies
it imports, and whether it marks its tests as integration tests.

This is what lets ``test.integration``, ``test.contract`` and ``test.bdd``
tell a unit test from an integration test by reading the test, not its name
alone:

- **technologies** come from the file's imports, read with a parser (Python
  ``ast``; tree-sitter for Go, Java/Kotlin-free Java and JS/TS): a test that
  imports Testcontainers starts real dependencies; one that imports
  ``httptest``, ``supertest``, FastAPI's ``TestClient`` or MockMvc runs the
  app in process (a unit test, however much of the app it touches);
- **markers**: ``pytestmark = pytest.mark.integration`` or the decorator on
  test functions, Spring's ``@SpringBootTest(webEnvironment = RANDOM_PORT)``
  (a real server on a port);
- **real servers**: a Python test that launches the service with
  ``uvicorn``/``gunicorn`` (imported, or run as a subprocess) talks to it
  over the network, black-box.

Pure: ``analyze_test_file(path, language, text, tree)`` depends only on its
arguments. Test counting follows each language's fixed conventions (Python
``test*`` functions from the syntax tree; gofmt'd ``func TestXxx(`` in a
``_test.go`` file; ``@Test``-family annotations; ``it(``/``test(`` calls).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from tree_sitter import Node

from prodready.scan.facts import treesitter as ts

# Technology ids (``TestCodeFacts.uses``).
TESTCONTAINERS = "testcontainers"
REAL_DEPENDENCY = "real-dependency"
DOCKERTEST = "dockertest"
COMPOSE_FIXTURE = "compose-fixture"
REAL_SERVER = "real-server"
BROWSER = "browser"
PACT = "pact"
SPRING_CONTRACT = "spring-cloud-contract"
BEHAVE = "behave"
PYTEST_BDD = "pytest-bdd"
GODOG = "godog"
CUCUMBER = "cucumber"
TOXIPROXY = "toxiproxy"
LOCUST = "locust"
K6 = "k6"
GATLING = "gatling"
IN_PROCESS = "in-process"

INTEGRATION_TECHNOLOGIES = frozenset(
    {TESTCONTAINERS, DOCKERTEST, REAL_DEPENDENCY, COMPOSE_FIXTURE, REAL_SERVER, BROWSER}
)
"""Technologies that make a test an integration / end-to-end test."""
PERFORMANCE_TECHNOLOGIES = frozenset({LOCUST, K6, GATLING})
BDD_RUNNERS = frozenset({BEHAVE, PYTEST_BDD, GODOG, CUCUMBER})
CONTRACT_TECHNOLOGIES = frozenset({PACT, SPRING_CONTRACT})

DESCRIPTIONS = {
    TESTCONTAINERS: "Testcontainers (real dependencies in containers)",
    DOCKERTEST: "dockertest (real dependencies in containers)",
    REAL_DEPENDENCY: "starts a real database or broker for the tests",
    COMPOSE_FIXTURE: "a docker-compose test fixture",
    REAL_SERVER: "starts the service on a real port and calls it over the network",
    BROWSER: "drives a browser end to end",
    PACT: "Pact",
    SPRING_CONTRACT: "Spring Cloud Contract",
    BEHAVE: "behave",
    PYTEST_BDD: "pytest-bdd",
    GODOG: "godog",
    CUCUMBER: "Cucumber",
    TOXIPROXY: "toxiproxy",
    LOCUST: "Locust",
    K6: "k6",
    GATLING: "Gatling",
    IN_PROCESS: "runs the app in process",
}

INTEGRATION_MARKERS = frozenset(
    {
        "integration",
        "integration_test",
        "integrationtest",
        "e2e",
        "end_to_end",
        "endtoend",
        "acceptance",
        "system",
        "functional",
        "live",
    }
)
"""pytest marker names that put a test in an integration/end-to-end suite."""

_PYTHON_MODULES: tuple[tuple[str, str], ...] = (
    # the specific entries first: the first matching prefix decides
    ("django.test.LiveServerTestCase", REAL_SERVER),
    ("django.test.testcases.LiveServerTestCase", REAL_SERVER),
    ("django.contrib.staticfiles.testing", REAL_SERVER),
    ("channels.testing.ChannelsLiveServerTestCase", REAL_SERVER),
    ("testcontainers", TESTCONTAINERS),
    ("pytest_postgresql", REAL_DEPENDENCY),
    ("pytest_mysql", REAL_DEPENDENCY),
    ("pytest_redis", REAL_DEPENDENCY),
    ("pytest_rabbitmq", REAL_DEPENDENCY),
    ("pytest_elasticsearch", REAL_DEPENDENCY),
    ("pytest_mongo", REAL_DEPENDENCY),
    ("pytest_docker", COMPOSE_FIXTURE),
    ("pytest_docker_compose", COMPOSE_FIXTURE),
    ("python_on_whales", COMPOSE_FIXTURE),
    ("playwright", BROWSER),
    ("pytest_playwright", BROWSER),
    ("selenium", BROWSER),
    ("splinter", BROWSER),
    ("pact", PACT),
    ("behave", BEHAVE),
    ("pytest_bdd", PYTEST_BDD),
    ("toxiproxy", TOXIPROXY),
    ("locust", LOCUST),
    ("uvicorn", REAL_SERVER),
    ("hypercorn", REAL_SERVER),
    ("fastapi.testclient", IN_PROCESS),
    ("starlette.testclient", IN_PROCESS),
    ("django.test", IN_PROCESS),
    ("rest_framework.test", IN_PROCESS),
    ("aiohttp.test_utils", IN_PROCESS),
    ("pytest_aiohttp", IN_PROCESS),
    ("werkzeug.test", IN_PROCESS),
)
_SERVER_PROGRAMS = frozenset(
    {"uvicorn", "gunicorn", "hypercorn", "daphne", "granian", "waitress-serve", "runserver"}
)
_FIXTURES = {
    "live_server": REAL_SERVER,  # pytest-django, pytest-flask: the app on a real port
    "liveserver": REAL_SERVER,
    "docker_services": COMPOSE_FIXTURE,  # pytest-docker
    "docker_compose_file": COMPOSE_FIXTURE,
    "postgresql_proc": REAL_DEPENDENCY,  # pytest-postgresql and friends
    "mysql_proc": REAL_DEPENDENCY,
    "redis_proc": REAL_DEPENDENCY,
    "rabbitmq_proc": REAL_DEPENDENCY,
    "mongo_proc": REAL_DEPENDENCY,
}
"""pytest fixtures (by parameter name) that start the service or a real
dependency; a test asking for one is an integration test."""
_SUBPROCESS_CALLS = frozenset(
    {"Popen", "run", "call", "check_call", "check_output", "create_subprocess_exec"}
)

_GO_MODULES: tuple[tuple[str, str], ...] = (
    ("github.com/testcontainers/testcontainers-go", TESTCONTAINERS),
    ("github.com/ory/dockertest", DOCKERTEST),
    ("github.com/pact-foundation/pact-go", PACT),
    ("github.com/cucumber/godog", GODOG),
    ("github.com/DATA-DOG/godog", GODOG),
    ("github.com/Shopify/toxiproxy", TOXIPROXY),
    ("github.com/chromedp/chromedp", BROWSER),
    ("github.com/playwright-community/playwright-go", BROWSER),
    ("net/http/httptest", IN_PROCESS),
)
_JAVA_PACKAGES: tuple[tuple[str, str], ...] = (
    ("org.testcontainers", TESTCONTAINERS),
    ("au.com.dius.pact", PACT),
    ("org.springframework.cloud.contract", SPRING_CONTRACT),
    ("io.cucumber", CUCUMBER),
    ("cucumber.api", CUCUMBER),
    ("eu.rekawek.toxiproxy", TOXIPROXY),
    ("org.openqa.selenium", BROWSER),
    ("com.microsoft.playwright", BROWSER),
    ("io.gatling", GATLING),
    ("org.springframework.test.web.servlet", IN_PROCESS),
    ("org.springframework.test.web.reactive.server", IN_PROCESS),
)
_JS_MODULES: tuple[tuple[str, str], ...] = (
    ("testcontainers", TESTCONTAINERS),
    ("@testcontainers/", TESTCONTAINERS),
    ("@pact-foundation/pact", PACT),
    ("@cucumber/cucumber", CUCUMBER),
    ("cucumber", CUCUMBER),
    ("@playwright/test", BROWSER),
    ("playwright", BROWSER),
    ("cypress", BROWSER),
    ("puppeteer", BROWSER),
    ("selenium-webdriver", BROWSER),
    ("webdriverio", BROWSER),
    ("toxiproxy-node-client", TOXIPROXY),
    ("k6", K6),
    ("supertest", IN_PROCESS),
)

_GO_TEST_FUNC = re.compile(r"^func\s+(Test|Fuzz)[A-Z0-9_]\w*\s*\(", re.MULTILINE)
_JAVA_TEST = re.compile(r"@(Test|ParameterizedTest|RepeatedTest|TestFactory)\b")
_JS_TEST = re.compile(r"(^|[^\w.])(it|test)(\.each\([^)]*\))?\s*\(\s*['\"`]", re.MULTILINE)
_RUBY_TEST = re.compile(r"^\s*(it|test|scenario)\s+['\"]", re.MULTILINE)
_GO_BUILD_TAG = re.compile(r"^//go:build\s+(.*)$", re.MULTILINE)
_GO_TAG_WORD = re.compile(r"\b(integration|e2e|acceptance|system|functional)\b")

_GO_IMPORTS = "(import_spec path: (_) @path)"
_JAVA_QUERY = """
(import_declaration (_) @import)
(annotation name: (identifier) @annotation arguments: (annotation_argument_list) @arguments)
(marker_annotation name: (identifier) @marker)
"""
_JAVA_INTEGRATION_ANNOTATIONS = frozenset(
    {"QuarkusIntegrationTest", "IntegrationTest", "EndToEndTest", "E2ETest", "Testcontainers"}
)
_JS_QUERY = """
(import_statement source: (string) @source)
(call_expression function: (identifier) @function arguments: (arguments (string) @source))
(call_expression function: (import) arguments: (arguments (string) @source))
"""


@dataclass(frozen=True, slots=True)
class TestCodeFacts:
    """One test file, as far as the ``test.*`` checks care."""

    __test__ = False  # not a pytest test class

    tests: int
    """Test functions/cases (see module docstring for how each language counts)."""
    uses: dict[str, int] = field(default_factory=dict)
    """Technology id -> first line where the file uses it."""
    integration_marker: str | None = None
    """Why the whole file is an integration test by its own declaration
    (``pytestmark = pytest.mark.integration``, a Go build tag, a Spring
    ``@SpringBootTest(webEnvironment = RANDOM_PORT)``), else None."""
    marker_line: int | None = None
    marked_tests: int = 0
    """Tests individually marked as integration in a file that is not."""


def analyze_test_file(
    path: str, language: str, text: str, tree: ast.Module | None = None
) -> TestCodeFacts:
    """Facts of one test file (``tree``: its Python syntax tree when parsed)."""
    if language == "python":
        return _python(tree, text) if tree is not None else TestCodeFacts(0)
    if language == "go":
        return _go(path, text)
    if language == "java":
        return _java(text)
    if language in ("kotlin", "scala", "groovy"):
        return TestCodeFacts(len(_JAVA_TEST.findall(text)))
    if language in ("javascript", "typescript"):
        return _js(path, text)
    if language == "ruby":
        return TestCodeFacts(len(_RUBY_TEST.findall(text)))
    return TestCodeFacts(1 if text.strip() else 0)


# ----------------------------------------------------------------------- python


def _module_technology(module: str, table: Iterable[tuple[str, str]]) -> str | None:
    for prefix, technology in table:
        if module == prefix or module.startswith(prefix + "."):
            return technology
    return None


def _marker_names(node: ast.expr) -> list[str]:
    """``pytest.mark.integration`` / ``mark.e2e`` / ``pytest.mark.integration(...)``
    and lists of them -> their marker names."""
    if isinstance(node, ast.List | ast.Tuple):
        return [name for item in node.elts for name in _marker_names(item)]
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        base = node.value
        if (isinstance(base, ast.Attribute) and base.attr == "mark") or (
            isinstance(base, ast.Name) and base.id == "mark"
        ):
            return [node.attr.lower()]
    return []


def _python(tree: ast.Module, text: str) -> TestCodeFacts:
    reader = _PythonReader()
    reader.module_marker(tree)
    reader.definitions(tree.body, marked=False)
    mentioned = {_HINT_TECHNOLOGY[m.group(0)] for m in _PYTHON_HINTS.finditer(text)}
    if mentioned - set(reader.uses):
        # Something the top level did not explain (an import inside a fixture, a
        # server started by a subprocess): walk the whole tree, only for them.
        for node in ast.walk(tree):
            reader.visit(node)
    return reader.facts()


_HINT_TECHNOLOGY = {
    "testcontainers": TESTCONTAINERS,
    "pytest_docker": COMPOSE_FIXTURE,
    "python_on_whales": COMPOSE_FIXTURE,
    "pytest_postgresql": REAL_DEPENDENCY,
    "pytest_mysql": REAL_DEPENDENCY,
    "pytest_redis": REAL_DEPENDENCY,
    "pytest_rabbitmq": REAL_DEPENDENCY,
    "pytest_elasticsearch": REAL_DEPENDENCY,
    "pytest_mongo": REAL_DEPENDENCY,
    "playwright": BROWSER,
    "selenium": BROWSER,
    "splinter": BROWSER,
    "pact": PACT,
    "behave": BEHAVE,
    "pytest_bdd": PYTEST_BDD,
    "toxiproxy": TOXIPROXY,
    "locust": LOCUST,
    **dict.fromkeys(
        ("uvicorn", "hypercorn", "gunicorn", "daphne", "granian", "waitress", "runserver"),
        REAL_SERVER,
    ),
}
_PYTHON_HINTS = re.compile("|".join(sorted(_HINT_TECHNOLOGY, key=len, reverse=True)))
"""Words that may reveal a technology deeper than the module's top level (an
import inside a fixture, a subprocess starting the service). A test file whose
top level already explains every word it mentions needs no full walk."""


class _PythonReader:
    def __init__(self) -> None:
        self.uses: dict[str, int] = {}
        self.tests = 0
        self.marked = 0
        self.marker: str | None = None
        self.marker_line: int | None = None

    def use(self, technology: str | None, line: int) -> None:
        if technology is not None and technology not in self.uses:
            self.uses[technology] = line

    def module_marker(self, tree: ast.Module) -> None:
        for statement in tree.body:
            if not isinstance(statement, ast.Assign) or not any(
                isinstance(t, ast.Name) and t.id == "pytestmark" for t in statement.targets
            ):
                continue
            names = [n for n in _marker_names(statement.value) if n in INTEGRATION_MARKERS]
            if names:
                self.marker, self.marker_line = f"pytest marker {names[0]}", statement.lineno
                return

    def definitions(self, body: list[ast.stmt], *, marked: bool) -> None:
        """Test functions and classes at module and class level (and inside
        ``if``/``try``/``with`` there), never inside function bodies."""
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                self.visit(node)
            elif isinstance(node, ast.ClassDef):
                self.definitions(node.body, marked=marked or _marked(node.decorator_list))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for argument in node.args.args:
                    if argument.arg in _FIXTURES:
                        self.use(_FIXTURES[argument.arg], node.lineno)
                if node.name.startswith("test"):
                    self.tests += 1
                    if marked or _marked(node.decorator_list):
                        self.marked += 1
            elif isinstance(node, ast.If | ast.Try | ast.With | ast.AsyncWith):
                for block in ("body", "orelse", "finalbody"):
                    self.definitions(getattr(node, block, []), marked=marked)
                for handler in getattr(node, "handlers", []):
                    self.definitions(handler.body, marked=marked)

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.use(_module_technology(alias.name, _PYTHON_MODULES), node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            self.use(_module_technology(node.module, _PYTHON_MODULES), node.lineno)
            for alias in node.names:
                dotted = f"{node.module}.{alias.name}"
                self.use(_module_technology(dotted, _PYTHON_MODULES), node.lineno)
        elif isinstance(node, ast.Call) and _starts_server(node):
            self.use(REAL_SERVER, node.lineno)

    def facts(self) -> TestCodeFacts:
        marker, marked = self.marker, self.marked
        if marker is None and self.tests and marked == self.tests:
            marker, marked = "every test is marked integration", 0
        return TestCodeFacts(
            self.tests, self.uses, marker, self.marker_line, 0 if marker else marked
        )


def _marked(decorators: list[ast.expr]) -> bool:
    return any(name in INTEGRATION_MARKERS for d in decorators for name in _marker_names(d))


def _starts_server(call: ast.Call) -> bool:
    """``subprocess.Popen([sys.executable, "-m", "uvicorn", ...])`` and
    friends, ``uvicorn.run(app)``: the test starts the service for real."""
    func = call.func
    name = (
        func.attr
        if isinstance(func, ast.Attribute)
        else func.id
        if isinstance(func, ast.Name)
        else ""
    )
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in ("uvicorn", "hypercorn")
        and name in ("run", "Server", "serve")
    ):
        return True
    if name not in _SUBPROCESS_CALLS:
        return False
    for argument in call.args[:1]:
        words: list[ast.expr] = (
            list(argument.elts) if isinstance(argument, ast.List | ast.Tuple) else [argument]
        )
        for word in words:
            if isinstance(word, ast.Constant) and isinstance(word.value, str):
                program = word.value.rsplit("/", 1)[-1].split()[0] if word.value.strip() else ""
                if program in _SERVER_PROGRAMS or word.value in _SERVER_PROGRAMS:
                    return True
    return False


# ----------------------------------------------------------------------- go


def _unquote(text: str) -> str:
    return text.strip().strip("\"'`")


def _go(path: str, text: str) -> TestCodeFacts:
    tests = len(_GO_TEST_FUNC.findall(text)) if path.endswith("_test.go") else 0
    marker: str | None = None
    marker_line: int | None = None
    head = text[:4000]
    for match in _GO_BUILD_TAG.finditer(head):
        tag = _GO_TAG_WORD.search(match.group(1))
        if tag is not None and "!" + tag.group(1) not in match.group(1).replace(" ", ""):
            marker = f"build tag {tag.group(1)}"
            marker_line = head.count("\n", 0, match.start()) + 1
            break
    uses: dict[str, int] = {}
    if "import" in text:
        tree = ts.parse("go", text.encode("utf-8", "replace"))
        for _, captures in ts.matches(ts.query("go", _GO_IMPORTS), tree.root_node):
            for node in captures.get("path", []):
                technology = _module_prefix(_unquote(ts.text_of(node)), _GO_MODULES)
                if technology is not None:
                    uses.setdefault(technology, ts.line_of(node))
    return TestCodeFacts(tests, uses, marker, marker_line)


def _module_prefix(module: str, table: Iterable[tuple[str, str]]) -> str | None:
    """Like ``_module_technology`` but also matching sub-paths (``/v4``)."""
    for prefix, technology in table:
        if module == prefix or module.startswith((prefix + "/", prefix + ".")):
            return technology
    return None


# ----------------------------------------------------------------------- java


_REAL_PORT = re.compile(r"\b(RANDOM_PORT|DEFINED_PORT)\b")


def _java(text: str) -> TestCodeFacts:
    tests = len(_JAVA_TEST.findall(text))
    uses: dict[str, int] = {}
    marker: str | None = None
    marker_line: int | None = None
    marked = 0
    tree = ts.parse("java", text.encode("utf-8", "replace"))
    for _, captures in ts.matches(ts.query("java", _JAVA_QUERY), tree.root_node):
        for node in captures.get("import", []):
            technology = _module_prefix(ts.text_of(node), _JAVA_PACKAGES)
            if technology is not None:
                uses.setdefault(technology, ts.line_of(node))
        for node in captures.get("annotation", []):
            name = ts.text_of(node)
            arguments = ts.text_of(captures.get("arguments", [None])[0])
            if name == "SpringBootTest" and _REAL_PORT.search(arguments):
                uses.setdefault(REAL_SERVER, ts.line_of(node))
                found = "@SpringBootTest on a real port"
            elif name == "Tag" and _unquote(arguments.strip("()")).lower() in INTEGRATION_MARKERS:
                found = f"@Tag({arguments.strip('()')})"
            else:
                continue
            if _annotates(node) == "method":
                marked += 1
            elif marker is None:
                marker, marker_line = found, ts.line_of(node)
        for node in captures.get("marker", []):
            name = ts.text_of(node)
            if (
                marker is None
                and name in _JAVA_INTEGRATION_ANNOTATIONS
                and _annotates(node) == "class"
            ):
                marker, marker_line = f"@{name}", ts.line_of(node)
    if marker is None and tests and marked >= tests:
        marker, marked = "every test is tagged integration", 0
    return TestCodeFacts(tests, uses, marker, marker_line, 0 if marker else marked)


def _annotates(name: Node) -> str:
    """What the annotation whose name is ``name`` sits on: ``class``,
    ``method`` or ``other``."""
    node = name.parent  # the annotation
    while node is not None and node.type in ("annotation", "marker_annotation", "modifiers"):
        node = node.parent
    if node is None:
        return "other"
    if node.type in ("class_declaration", "interface_declaration", "record_declaration"):
        return "class"
    return "method" if node.type == "method_declaration" else "other"


# ----------------------------------------------------------------------- js / ts


def _js(path: str, text: str) -> TestCodeFacts:
    tests = len(_JS_TEST.findall(text))
    uses: dict[str, int] = {}
    lowered = path.lower()
    grammar = (
        "tsx"
        if lowered.endswith(".tsx")
        else "typescript"
        if lowered.endswith((".ts", ".mts", ".cts"))
        else "javascript"
    )
    tree = ts.parse(grammar, text.encode("utf-8", "replace"))
    for _, captures in ts.matches(ts.query(grammar, _JS_QUERY), tree.root_node):
        function = captures.get("function")
        if function and ts.text_of(function[0]) != "require":
            continue
        for node in captures.get("source", []):
            module = _unquote(ts.text_of(node))
            technology = _js_technology(module)
            if technology is not None:
                uses.setdefault(technology, ts.line_of(node))
    return TestCodeFacts(tests, uses)


def _js_technology(module: str) -> str | None:
    for prefix, technology in _JS_MODULES:
        if prefix.endswith("/"):
            if module.startswith(prefix):
                return technology
        elif module == prefix or module.startswith(prefix + "/"):
            return technology
    return None
