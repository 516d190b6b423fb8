"""Repository-level source facts: every source file analysed once, combined.

``source_facts(files)`` is what checks ask for (through
``facts.derived("source", source_facts)``): it classifies every source file
(``code_model.role_of``), analyses production code with the per-language
analyser (``analyze_file``), adds the few facts that live in configuration
rather than code (gRPC service-config retry policies, Spring's
``server.shutdown=graceful`` and ``logging.structured.format``, actuator
health settings, gunicorn's ``graceful_timeout``, JSON encoders/layouts in
logback and log4j2 configuration) and applies repository-wide effects
(``axios.defaults.timeout`` set in one module bounds axios calls in all).

Test, vendored, generated and example code is classified and counted but
not analysed: a retry in a test proves nothing about the service, a missing
timeout in ``vendor/`` is not the team's to fix.

The per-file step is pure and keyed by ``(path, text)`` only, so an engine
can cache it by content hash and run it in parallel: pass your own
``analyze`` callable, or call ``analyze_file`` yourself and ``combine`` the
results.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from xml.parsers import expat

import yaml

from prodready.scan.facts._paths import name_of, suffix_of
from prodready.scan.facts.code_model import (
    CodeFileFacts,
    Evidence,
    FileRole,
    JsFileFacts,
    LibraryUse,
    OpenApiApp,
    OutboundCall,
    Route,
    role_of,
)
from prodready.scan.facts.libraries import Capability
from prodready.scan.facts.perfile import file_fact
from prodready.scan.facts.source import ParseProblem, RepoFiles

__all__ = [
    "Analyzer",
    "ConfigFacts",
    "SourceClass",
    "SourceFacts",
    "SourceFile",
    "analyze_file",
    "classify_source",
    "combine",
    "config_facts",
    "is_config_candidate",
    "make_analyzer",
    "source_facts",
    "source_language",
]

Analyzer = Callable[[str, str], CodeFileFacts | None]
"""``(path, text) -> facts`` for one file; ``analyze_file`` is the default."""

_EXTENSIONS = {
    ".py": "python",
    ".go": "go",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "typescript",
    ".java": "java",
}
_MINIFIED_LINE = 3000
"""A JS line longer than this marks a bundle or minified file (not source)."""


def source_language(path: str) -> str | None:
    """The analysable language of ``path`` by its name, or None. Type stubs
    (``.pyi``, ``.d.ts``) and minified bundles (``.min.js``) are not code."""
    name = name_of(path).lower()
    if name.endswith((".d.ts", ".min.js", ".min.mjs", ".bundle.js")):
        return None
    return _EXTENSIONS.get(suffix_of(name))


def analyze_file(path: str, text: str, tree: ast.Module | None = None) -> CodeFileFacts | None:
    """Facts of one source file, or None when its language is not analysed.
    ``tree`` is an already-parsed syntax tree of a Python ``text``.

    The analysers are imported when first needed: a rescan takes these facts
    from the cache and never runs them (they and tree-sitter cost ~17 ms of
    every start)."""
    language = source_language(path)
    if language == "python":
        from prodready.scan.facts.python_source import analyze_python

        return analyze_python(path, text, tree)
    if language == "go":
        from prodready.scan.facts.go_source import analyze_go

        return analyze_go(path, text)
    if language in ("javascript", "typescript"):
        from prodready.scan.facts.js_source import analyze_js

        return analyze_js(path, text)
    if language == "java":
        from prodready.scan.facts.java_source import analyze_java

        return analyze_java(path, text)
    return None


def make_analyzer(python_ast: Callable[[str], ast.Module | None]) -> Analyzer:
    """An ``Analyzer`` that reuses syntax trees the scan already parsed, e.g.
    ``source_facts(facts, make_analyzer(facts.python_ast))``: each Python
    file is then parsed once per scan whoever asks first."""

    def analyze(path: str, text: str) -> CodeFileFacts | None:
        tree = python_ast(path) if source_language(path) == "python" else None
        return analyze_file(path, text, tree)

    return analyze


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A source file of the repository and how it was classified."""

    path: str
    language: str
    role: FileRole
    lines: int
    analysed: bool


@dataclass(frozen=True, slots=True)
class SourceFacts:
    """Everything the source collectors found in a repository (or one
    service's view of it). All located facts come from production code only.
    """

    files: tuple[SourceFile, ...]
    outbound_calls: tuple[OutboundCall, ...]
    library_uses: tuple[LibraryUse, ...]
    routes: tuple[Route, ...]
    health_checks: tuple[Evidence, ...]
    """gRPC health services, health libraries and health configuration
    (``grpc-health``, ``health-library``, ``health-config``)."""
    server_entrypoints: tuple[Evidence, ...]
    shutdown_hooks: tuple[Evidence, ...]
    openapi_apps: tuple[OpenApiApp, ...]
    context_deadlines: tuple[Evidence, ...]
    problems: tuple[ParseProblem, ...]

    # ------------------------------------------------------------- views
    @property
    def production_files(self) -> tuple[SourceFile, ...]:
        return tuple(f for f in self.files if f.role is FileRole.PRODUCTION)

    @property
    def excluded_counts(self) -> dict[str, int]:
        """Role -> number of source files left out of ``res.*``/``obs.*`` facts."""
        counts = Counter(f.role.value for f in self.files if f.role is not FileRole.PRODUCTION)
        return dict(sorted(counts.items()))

    @property
    def missing_timeouts(self) -> tuple[OutboundCall, ...]:
        """Outbound calls that can wait forever (``has_timeout is False``)."""
        return tuple(c for c in self.outbound_calls if c.has_timeout is False)

    @property
    def has_outbound_calls(self) -> bool:
        """Whether ``res.timeouts`` applies (a repo that calls nothing needs none)."""
        return bool(self.outbound_calls)

    def uses(self, capability: Capability | str) -> tuple[LibraryUse, ...]:
        """Library uses proving ``capability`` (e.g. ``Capability.RETRY``)."""
        wanted = str(capability)
        return tuple(u for u in self.library_uses if u.capability == wanted)

    @property
    def health_routes(self) -> tuple[Route, ...]:
        """HTTP routes that look like health endpoints (strong first)."""
        routes = [r for r in self.routes if r.health is not None]
        return tuple(sorted(routes, key=lambda r: (r.health != "strong", r.path, r.line)))

    @property
    def is_service(self) -> bool:
        """The code starts a server or builds a web/gRPC app object; a library
        does neither (``res.health-endpoint`` is then not applicable)."""
        return bool(self.server_entrypoints)


def source_facts(
    files: RepoFiles,
    analyze: Analyzer = analyze_file,
    roles: frozenset[FileRole] = frozenset({FileRole.PRODUCTION}),
) -> SourceFacts:
    """Classify every source file, analyse those whose role is in ``roles``
    (production code by default) with ``analyze``, and combine.

    Each step is a per-file fact (``perfile.file_fact``): in a scan they are
    computed ahead and cached by content, so an unchanged file is not read."""
    analysed: list[tuple[CodeFileFacts, FileRole]] = []
    others: list[SourceFile] = []
    config: list[ConfigFacts] = []
    paths = list(files.paths())
    node_roots = _node_roots(paths)
    for path in paths:
        language = source_language(path)
        if language is None:
            if is_config_candidate(path) and role_of(path) is FileRole.PRODUCTION:
                found: ConfigFacts | None = file_fact(files, "source.config", path, config_facts)
                if found is not None:
                    config.append(found)
            continue
        kind: SourceClass | None = file_fact(files, "source.class", path, classify_source)
        if kind is None:
            continue
        if kind.config is not None:
            config.append(kind.config)
        if (
            language in _JS_LANGUAGES
            and kind.role is FileRole.PRODUCTION
            and not _under_node_root(path, node_roots)
        ):
            kind = replace(kind, role=FileRole.BROWSER)
        if kind.role not in roles:
            others.append(SourceFile(path, language, kind.role, kind.lines, False))
            continue
        facts: CodeFileFacts | None = file_fact(files, "source", path, analyze)
        if facts is None:
            continue
        analysed.append((facts, kind.role))
    return combine(analysed, others, config)


_JS_LANGUAGES = frozenset({"javascript", "typescript"})
_NODE_MANIFESTS = frozenset({"package.json", "deno.json", "deno.jsonc"})


def _node_roots(paths: Iterable[str]) -> frozenset[str]:
    """Folders holding a Node/Deno manifest ("" is the repository root)."""
    roots = set()
    for path in paths:
        folder, _, name = path.rpartition("/")
        if name in _NODE_MANIFESTS:
            roots.add(folder)
    return frozenset(roots)


def _under_node_root(path: str, roots: frozenset[str]) -> bool:
    if "" in roots:
        return True
    folder = path.rpartition("/")[0]
    while folder:
        if folder in roots:
            return True
        folder = folder.rpartition("/")[0]
    return False


@dataclass(frozen=True, slots=True)
class SourceClass:
    """How ``source_facts`` classifies one source file (a per-file fact)."""

    role: FileRole
    lines: int
    config: ConfigFacts | None = None
    """Settings a production gunicorn config file holds (``graceful_timeout``)."""


def classify_source(path: str, text: str) -> SourceClass | None:
    """The role and line count of a source file (None when not source code)."""
    language = source_language(path)
    if language is None:
        return None
    role = _role(path, text, language)
    config = None
    if (
        language == "python"
        and PurePosixPath(path).name.startswith("gunicorn")
        and role is FileRole.PRODUCTION
    ):
        config = _gunicorn_facts(path, text)
    return SourceClass(role, text.count("\n") + 1, config)


@dataclass(frozen=True, slots=True)
class ConfigFacts:
    """Facts read from configuration files rather than code."""

    uses: tuple[LibraryUse, ...] = ()
    shutdown: tuple[Evidence, ...] = ()
    health: tuple[Evidence, ...] = ()
    problems: tuple[ParseProblem, ...] = ()


def combine(
    analysed: Iterable[tuple[CodeFileFacts, FileRole]],
    others: Iterable[SourceFile] = (),
    config: Iterable[ConfigFacts] = (),
) -> SourceFacts:
    """Merge per-file facts into ``SourceFacts``. Only files whose role is
    ``PRODUCTION`` contribute located facts; the rest are listed in ``files``."""
    items = list(analysed)
    files = [SourceFile(f.path, f.language, role, f.lines, True) for f, role in items] + list(
        others
    )
    production = [f for f, role in items if role is FileRole.PRODUCTION]
    axios_default = any(
        isinstance(f, JsFileFacts) and f.sets_axios_default_timeout for f in production
    )
    outbound: list[OutboundCall] = []
    uses: list[LibraryUse] = []
    routes: list[Route] = []
    health: list[Evidence] = []
    entry: list[Evidence] = []
    shutdown: list[Evidence] = []
    openapi: list[OpenApiApp] = []
    deadlines: list[Evidence] = []
    problems: list[ParseProblem] = []
    for facts in production:
        calls = facts.outbound_calls
        if axios_default:
            calls = tuple(_axios_default(c) for c in calls)
        outbound.extend(calls)
        uses.extend(facts.library_uses)
        routes.extend(facts.routes)
        health.extend(facts.health_checks)
        entry.extend(facts.server_entrypoints)
        shutdown.extend(facts.shutdown_hooks)
        openapi.extend(facts.openapi_apps)
        deadlines.extend(getattr(facts, "context_deadlines", ()))
    for facts, _role in items:
        problems.extend(facts.problems)
    for extra in config:
        uses.extend(extra.uses)
        shutdown.extend(extra.shutdown)
        health.extend(extra.health)
        problems.extend(extra.problems)
    return SourceFacts(
        files=tuple(sorted(files, key=lambda f: f.path)),
        outbound_calls=tuple(outbound),
        library_uses=tuple(uses),
        routes=tuple(routes),
        health_checks=tuple(health),
        server_entrypoints=tuple(entry),
        shutdown_hooks=tuple(shutdown),
        openapi_apps=tuple(openapi),
        context_deadlines=tuple(deadlines),
        problems=tuple(problems),
    )


def _role(path: str, text: str, language: str) -> FileRole:
    role = role_of(path, text)
    if role is FileRole.PRODUCTION and language in ("javascript", "typescript"):
        newline = text.find("\n", 0, _MINIFIED_LINE + 1)
        if len(text) > _MINIFIED_LINE and (newline == -1 or _long_line(text)):
            return FileRole.GENERATED
    return role


def _long_line(text: str) -> bool:
    return any(len(line) > _MINIFIED_LINE for line in text[:200_000].splitlines()[:50])


def _axios_default(call: OutboundCall) -> OutboundCall:
    if (
        call.library == "axios"
        and call.has_timeout is False
        and call.via_client_defined_at is None
        and call.api.startswith("axios")
        and not call.api.startswith("axios instance")
    ):
        return replace(
            call,
            has_timeout=True,
            timeout_source="default",
            note="axios.defaults.timeout is set in this repository",
        )
    return call


# --------------------------------------------------------------------------- config files

_PROPERTY = re.compile(r"([^=:\s]+)\s*[=:]\s*(.*)$")
_SPRING_CONFIG = re.compile(r"^(bootstrap|application)(-[\w.-]+)?\.(properties|ya?ml)$")


_LOG_CONFIG = re.compile(r"^(logback|logback-spring|log4j2|log4j2-spring)(-[\w.-]+)?\.xml$")


def is_config_candidate(path: str) -> bool:
    name = name_of(path).lower()
    if _SPRING_CONFIG.match(name) or (_LOG_CONFIG.match(name) and "-test" not in name):
        return True
    return name.endswith(".json") and ("service" in name or "grpc" in name or "config" in name)


def config_facts(path: str, text: str) -> ConfigFacts:
    """Facts of a configuration file ``source_facts`` reads (Spring
    ``application.yml``/``.properties``, logback/log4j2 XML, gRPC service
    config JSON)."""
    name = PurePosixPath(path).name.lower()
    if name.endswith(".json"):
        return _service_config(path, text)
    if name.endswith(".xml"):
        return _log_config(path, text)
    return _spring_config(path, text)


_JSON_ENCODERS = (
    ("net.logstash.logback.", "logstash-logback-encoder"),
    ("co.elastic.logging.", "ecs-logging-java"),
    ("ch.qos.logback.contrib.json.", "logback-json"),
    ("ch.qos.logback.classic.encoder.JsonEncoder", "logback JsonEncoder"),
)
_JSON_LAYOUTS = {
    "jsontemplatelayout": "log4j2 JsonTemplateLayout",
    "jsonlayout": "log4j2 JsonLayout",
    "ecslayout": "ecs-logging-java",
    "gelflayout": "log4j2 GelfLayout",
}


def _log_config(path: str, text: str) -> ConfigFacts:
    """A logback or log4j2 configuration that logs JSON (an encoder or layout
    class such as ``net.logstash.logback.encoder.LogstashEncoder``, a log4j2
    ``<JsonTemplateLayout>``). Comments do not count: the XML is parsed (with
    expat; a file that declares entities is not read)."""
    if "<!ENTITY" in text:
        return ConfigFacts(problems=(ParseProblem(path, "XML declares entities; not read"),))
    parser = expat.ParserCreate()
    elements: list[tuple[str, dict[str, str], int]] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        elements.append((tag.rsplit("}", 1)[-1].split(":")[-1], attrs, parser.CurrentLineNumber))

    parser.StartElementHandler = start
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        message = f"invalid XML: {expat.ErrorString(exc.code)}"
        return ConfigFacts(problems=(ParseProblem(path, message, exc.lineno),))
    except (RecursionError, ValueError) as exc:
        return ConfigFacts(problems=(ParseProblem(path, f"invalid XML: {type(exc).__name__}"),))
    for tag, attrs, line in elements:
        library = _JSON_LAYOUTS.get(tag.lower())
        value = attrs.get("class", "")
        if library is None:
            library = next((lib for prefix, lib in _JSON_ENCODERS if prefix in value), None)
        if library is None:
            continue
        use = LibraryUse(
            path=path,
            line=line,
            language="xml",
            capability=Capability.STRUCTURED_LOGGING.value,
            library=library,
            symbol=value or tag,
            kind="config",
            snippet=_line(text, line),
        )
        return ConfigFacts(uses=(use,))
    return ConfigFacts()


def _service_config(path: str, text: str) -> ConfigFacts:
    """A gRPC service config with a ``retryPolicy`` (``methodConfig`` entries)."""
    if '"retryPolicy"' not in text or "methodConfig" not in text:
        return ConfigFacts()
    line = text[: text.index('"retryPolicy"')].count("\n") + 1
    use = LibraryUse(
        path=path,
        line=line,
        language="json",
        capability=Capability.RETRY.value,
        library="grpc service config",
        symbol="retryPolicy",
        kind="config",
        snippet=_line(text, line),
    )
    return ConfigFacts(uses=(use,))


def _spring_config(path: str, text: str) -> ConfigFacts:
    """``server.shutdown=graceful`` and actuator health settings."""
    flat: dict[str, tuple[str, int]] = {}
    problems: list[ParseProblem] = []
    if path.lower().endswith(".properties"):
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith(("#", "!")):
                continue
            match = _PROPERTY.match(line)
            if match is not None:
                flat[match.group(1)] = (match.group(2).strip(), number)
    else:
        try:
            for document in yaml.safe_load_all(text):
                _flatten(document, "", flat, text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line_no = mark.line + 1 if mark is not None else None
            problems.append(ParseProblem(path, f"invalid YAML: {type(exc).__name__}", line_no))
    shutdown: list[Evidence] = []
    health: list[Evidence] = []
    uses: list[LibraryUse] = []
    for key, (value, number) in flat.items():
        lowered = key.lower()
        if lowered.startswith("logging.structured.format.") and value.strip():
            uses.append(
                LibraryUse(
                    path=path,
                    line=number,
                    language="config",
                    capability=Capability.STRUCTURED_LOGGING.value,
                    library="spring-boot structured logging",
                    symbol=f"{key}={value.strip()}",
                    kind="config",
                    snippet=_line(text, number),
                )
            )
        elif lowered == "server.shutdown" and value.lower() == "graceful":
            shutdown.append(
                Evidence(
                    path,
                    number,
                    "config",
                    "graceful-config",
                    "server.shutdown=graceful",
                    _line(text, number),
                )
            )
        elif lowered.startswith(("management.endpoint.health", "management.health.")) or (
            lowered == "management.endpoints.web.exposure.include" and "health" in value.lower()
        ):
            health.append(
                Evidence(path, number, "config", "health-config", key, _line(text, number))
            )
    return ConfigFacts(
        uses=tuple(uses[:1]),
        shutdown=tuple(shutdown),
        health=tuple(health[:1]),
        problems=tuple(problems),
    )


def _flatten(node: object, prefix: str, out: dict[str, tuple[str, int]], text: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), out, text)
    elif node is not None and not isinstance(node, list):
        leaf = prefix.rsplit(".", 1)[-1]
        match = re.search(rf"(?m)^\s*{re.escape(leaf)}\s*:", text)
        line = text[: match.start()].count("\n") + 1 if match else 1
        out[prefix] = (str(node), line)
    elif isinstance(node, list):
        out[prefix] = (",".join(str(v) for v in node), 1)


def _gunicorn_facts(path: str, text: str) -> ConfigFacts:
    match = re.search(r"(?m)^graceful_timeout\s*=", text)
    if match is None:
        return ConfigFacts()
    line = text[: match.start()].count("\n") + 1
    evidence = Evidence(
        path, line, "python", "graceful-config", "gunicorn graceful_timeout", _line(text, line)
    )
    return ConfigFacts(shutdown=(evidence,))


def _line(text: str, number: int) -> str:
    lines = text.splitlines()
    return lines[number - 1].strip()[:160] if 0 < number <= len(lines) else ""
