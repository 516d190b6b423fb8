"""Shared judging for the ``res.*`` and ``obs.*`` checks that ask "is this
capability really used?" (retries, breakers, rate limits, metrics, logs,
traces, error tracking), and for the observability assets that live outside
a service's folder (alert rules, dashboards, mesh policies).

Three questions come up in every one of those checks:

- *What kind of program is this?* ``app_kind``: a service (it starts a server
  or builds a web/gRPC app), a worker (it consumes a queue, a stream or a
  task scheduler: Celery, Kafka consumers, asynq, BullMQ, Spring listeners),
  a frontend application (a browser app built with React, Vue, Svelte,
  Angular...: it reports errors and traces but serves no traffic of its own)
  or a library. Service-only checks are not applicable to the others.
- *Is the capability used, not only declared?* Uses come from the source
  collectors (``SourceFacts.uses``). A package dedicated to the capability
  that a manifest declares but no code uses is a finding of its own
  (``unused_declarations``): a dependency line is not a retry. Spring Boot
  is the exception that proves the rule: its starters *are* the use, because
  auto-configuration wires them without a line of code (``autoconfigured``).
- *Which repository-wide files concern this service?* ``concerns_asset``: in
  a monorepo, alert rules, dashboards and Istio policies often live in a
  shared ``monitoring/`` or ``deploy/`` folder; a file outside the service's
  folder concerns it when the repository has only that service, or when the
  file (or the Helm chart / Kustomize folder it belongs to) names the service.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass

from prodready.scan.checks._service import inside, repository_derived, source
from prodready.scan.checks.base import Verdict, evidence, finding
from prodready.scan.facts.code_model import LibraryUse
from prodready.scan.facts.containers import ContainerFacts, container_facts
from prodready.scan.facts.deps import DependencyKind, DepsFacts, Ecosystem, deps_facts
from prodready.scan.facts.files import FileIndex
from prodready.scan.facts.libraries import Capability, dedicated_packages
from prodready.scan.facts.view import Facts
from prodready.scan.model import Evidence, Finding, Severity
from prodready.scan.services import DiscoveredService, discover

SERVICE = "service"
WORKER = "worker"
FRONTEND = "frontend"
LIBRARY = "library"
RUNNING = frozenset({SERVICE, WORKER})
"""Kinds that run as long-lived processes (deployed, operated, observed)."""

_APP_FRAMEWORKS = frozenset(
    {
        "next",
        "nuxt",
        "@sveltejs/kit",
        "astro",
        "@remix-run/react",
        "react-scripts",
        "gatsby",
        "expo",
        "react-native",
        "@angular/platform-browser-dynamic",
    }
)
"""Runtime dependencies that make a JS/TS project an application (not a library)."""
_UI_LIBRARIES = frozenset({"react-dom", "vue", "svelte", "solid-js", "preact", "@angular/core"})
"""UI libraries: an application when the project also has an ``index.html`` page."""
_PAGES = ("index.html", "public/index.html", "src/index.html")

_RUNTIME = frozenset({DependencyKind.RUNTIME, DependencyKind.OPTIONAL})


_ANALYSED = frozenset({"python", "go", "javascript", "typescript", "java"})
"""Languages whose source the collectors read (``code_facts.source_language``)."""


def unread_languages(facts: Facts) -> list[str]:
    """Main languages of the service that prodready does not read (C#, Ruby,
    Rust...): when they are all it has, "no outbound calls" or "a library"
    would be a guess, and the not-applicable summary says so instead."""
    return [lang for lang in facts.main_languages() if lang not in _ANALYSED]


def not_applicable(facts: Facts, summary: str) -> Verdict:
    """A not-applicable verdict that says when the reason may be a blind spot:
    a service written only in languages prodready does not read gets "cannot
    tell", a mixed one gets a note."""
    unread = unread_languages(facts)
    if unread and not source(facts).production_files:
        return Verdict.not_applicable(
            f"written in {', '.join(unread)}, whose source prodready does not read: "
            "nothing to judge"
        )
    if unread:
        summary += f" (its {', '.join(unread)} source is not read)"
    return Verdict.not_applicable(summary)


def deps(facts: Facts) -> DepsFacts:
    """The dependency collector's facts for this service's view."""
    return facts.derived("deps", deps_facts)


def containers(facts: Facts) -> ContainerFacts:
    """The container collector's facts (Dockerfiles...) for this service's view."""
    return facts.derived("containers", container_facts)


def app_kind(facts: Facts) -> str:
    """``service``, ``worker``, ``frontend`` or ``library`` (see the module docstring).

    A frontend application is a JS/TS project whose runtime dependencies
    include an application framework (Next.js, Nuxt, SvelteKit, Angular...),
    or a UI library (React DOM, Vue, Svelte...) next to an ``index.html``
    page; a package of components or e-mail templates is neither."""
    code = source(facts)
    if code.is_service:
        return SERVICE
    if code.uses(Capability.WORKER):
        return WORKER
    for dependency in deps(facts).dependencies(ecosystem=Ecosystem.JAVASCRIPT):
        if dependency.kind not in _RUNTIME or not _declared_here(facts, dependency.path):
            continue
        if dependency.name in _APP_FRAMEWORKS:
            return FRONTEND
        folder = posixpath.dirname(dependency.path)
        if dependency.name in _UI_LIBRARIES and any(
            facts.exists(posixpath.join(folder, page)) for page in _PAGES
        ):
            return FRONTEND
    return LIBRARY


@dataclass(frozen=True, slots=True)
class EntryPoint:
    """Where a running program starts: a server, an app object or a consumer."""

    path: str
    line: int
    detail: str
    snippet: str


def entry_point(facts: Facts) -> EntryPoint | None:
    """The first server entry point, else the first worker (consumer) use:
    where a finding about the whole program is anchored."""
    code = source(facts)
    for entry in code.server_entrypoints:
        return EntryPoint(entry.path, entry.line, entry.detail or entry.kind, entry.snippet)
    for use in code.uses(Capability.WORKER):
        return EntryPoint(use.path, use.line, f"{use.library} worker", use.snippet)
    return None


def _first_party(index: FileIndex, path: str) -> bool:
    info = index.info(path)
    if info is None:
        return False
    return not (info.is_test or info.is_example or info.is_vendored or info.is_generated)


def _declared_here(facts: Facts, path: str) -> bool:
    """A manifest in this service's own folder (not a shared root manifest of
    another project, not a fixture's)."""
    info = facts.info(path)
    return (
        info is not None
        and facts.scope.owns(path)
        and not (info.is_test or info.is_example or info.is_vendored)
    )


def _written_by_hand(facts: Facts, path: str) -> bool:
    """A manifest someone wrote: a pip-compiled requirements file lists every
    transitive package, which the project never meant to call itself."""
    info = facts.info(path)
    return info is not None and not info.is_generated


def unused_declarations(facts: Facts, capability: Capability, what: str) -> list[Finding]:
    """A low-severity finding per package dedicated to ``capability`` that a
    manifest of this service declares as a runtime dependency. Call it when no
    code uses the capability: then every such declaration is unused.

    ``what`` names the capability in the message (``retries``, ``metrics``)."""
    found: list[Finding] = []
    seen: set[str] = set()
    facts_deps = deps(facts)
    for ecosystem, name in dedicated_packages(capability):
        for dependency in facts_deps.dependencies(name, Ecosystem(ecosystem)):
            if (
                dependency.kind not in _RUNTIME
                or dependency.indirect
                or dependency.name in seen
                or not _declared_here(facts, dependency.path)
                or not _written_by_hand(facts, dependency.path)
            ):
                continue
            seen.add(dependency.name)
            shown = dependency.raw_name or dependency.name
            found.append(
                finding(
                    f"{shown} is declared as a dependency ({dependency.location}) but no "
                    f"code uses it: a dependency line is not {what}; use it or remove it",
                    dependency.path,
                    dependency.line,
                    severity=Severity.LOW,
                )
            )
    return found


_SPRING_AUTOCONFIG: tuple[tuple[Capability, str, str], ...] = (
    (Capability.METRICS, "io.micrometer:micrometer-registry-", "Micrometer registry"),
    (Capability.TRACING, "io.micrometer:micrometer-tracing-bridge-", "Micrometer Tracing"),
    (
        Capability.TRACING,
        "io.opentelemetry.instrumentation:opentelemetry-spring-boot-starter",
        "OpenTelemetry Spring Boot starter",
    ),
    (Capability.TRACING, "org.springframework.cloud:spring-cloud-starter-sleuth", "Sleuth"),
    (Capability.ERROR_TRACKING, "io.sentry:sentry-spring-boot-starter", "Sentry"),
    (Capability.ERROR_TRACKING, "com.rollbar:rollbar-spring-boot", "Rollbar"),
    (Capability.ERROR_TRACKING, "com.bugsnag:bugsnag-spring", "Bugsnag"),
    (
        Capability.RATE_LIMIT,
        "com.giffing.bucket4j.spring.boot.starter:bucket4j-spring-boot-starter",
        "bucket4j Spring Boot starter",
    ),
)


def use_evidence(uses: Iterable[LibraryUse], cap: int = 30) -> list[Evidence]:
    """Evidence lines for library uses (the first ``cap``): library, symbol,
    kind, whether it only guards start-up, and the collector's detail."""
    return [
        evidence(
            u.path,
            f"{u.library}: {u.symbol} ({u.kind})"
            + (", start-up only" if u.startup_only else "")
            + (f"; {u.detail}" if u.detail else ""),
            u.line,
        )
        for u in list(uses)[:cap]
    ]


def library_names(uses: Iterable[LibraryUse]) -> str:
    """The distinct libraries of ``uses``, sorted, comma-separated."""
    return ", ".join(sorted({u.library for u in uses}))


def autoconfigured(facts: Facts, capability: Capability) -> list[LibraryUse]:
    """Spring Boot starters in this service's Maven/Gradle dependencies that
    provide ``capability`` by auto-configuration (only in a Spring Boot
    project), as ``LibraryUse`` values of kind ``config``."""
    java = [
        d
        for d in deps(facts).dependencies()
        if d.ecosystem in (Ecosystem.MAVEN, Ecosystem.GRADLE)
        and d.kind in _RUNTIME
        and _declared_here(facts, d.path)
    ]
    if not any(d.name.startswith("org.springframework.boot:") for d in java):
        return []
    found = []
    for wanted, prefix, library in _SPRING_AUTOCONFIG:
        if wanted is not capability:
            continue
        for dependency in java:
            if dependency.name.startswith(prefix):
                found.append(
                    LibraryUse(
                        path=dependency.path,
                        line=dependency.line or 1,
                        language="java",
                        capability=str(capability),
                        library=library,
                        symbol=dependency.name,
                        kind="config",
                        snippet="",
                        detail="auto-configured by Spring Boot",
                    )
                )
    return found


# --------------------------------------------------------------------------- shared assets

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_GENERIC_NAMES = frozenset(
    {
        "api",
        "app",
        "apps",
        "backend",
        "cmd",
        "core",
        "frontend",
        "main",
        "server",
        "service",
        "services",
        "src",
        "web",
        "www",
    }
)
"""Folder names too common to attribute a shared file by mention."""


def words(text: str) -> list[str]:
    """Lower-case words of identifiers and prose: ``ShopApiHighErrorRate`` ->
    shop, api, high, error, rate; ``shop-api`` -> shop, api."""
    return [w.lower() for w in _WORD.findall(text)]


def _service_names(facts: Facts) -> list[list[str]]:
    names = []
    for candidate in (facts.scope.name, posixpath.basename(facts.scope.path.rstrip("/"))):
        tokens = words(candidate)
        if not tokens or (len(tokens) == 1 and tokens[0] in _GENERIC_NAMES):
            continue
        if tokens not in names:
            names.append(tokens)
    return names


def _contains(haystack: list[str], needle: list[str]) -> bool:
    size = len(needle)
    first = needle[0]
    return any(
        word == first and haystack[i : i + size] == needle for i, word in enumerate(haystack)
    )


def discovered_services(facts: Facts) -> tuple[DiscoveredService, ...]:
    """Every service of the repository, discovered once per scan."""
    return repository_derived(facts, "prodready.services", lambda view: tuple(discover(view.index)))


def service_identifiers(facts: Facts) -> set[str]:
    """The service's name and folder name, lower-cased (the ways files name it)."""
    names = {facts.scope.name.lower()}
    if facts.scope.path != ".":
        names.add(posixpath.basename(facts.scope.path).lower())
    return {n for n in names if n}


def service_folders(facts: Facts) -> tuple[str, ...]:
    """The folder of every service in the repository."""
    return tuple(s.scope.path for s in discovered_services(facts))


def concerns_asset(facts: Facts, path: str) -> bool:
    """Whether a repository file (an alert rule, a dashboard, a mesh policy)
    concerns this service: in its own folder; else, when it is first-party,
    not inside another service's folder, and either the repository has only
    this service or the file or its deployment unit names the service.
    Answers are memoised per service view (several checks ask)."""
    cache: dict[str, bool] = facts.derived("prodready.asset-concerns", lambda _view: {})
    answer = cache.get(path)
    if answer is None:
        answer = cache[path] = _concerns(facts, path)
    return answer


def _concerns(facts: Facts, path: str) -> bool:
    if facts.scope.owns(path):
        info = facts.info(path)
        return info is not None and not (info.is_test or info.is_example or info.is_vendored)
    if not _first_party(facts.index, path):
        return False
    folders = service_folders(facts)
    others = [f for f in folders if f not in (".", facts.scope.path)]
    if any(inside(path, f) for f in others):
        return False
    if len(folders) <= 1:
        return True
    names = _service_names(facts)
    if not names:
        return False
    if _mentions(facts.index, [path], names):
        return True
    units: dict[str, bool] = facts.derived("prodready.unit-mentions", lambda _view: {})
    unit, members = _unit(facts.index, path)
    if unit not in units:
        units[unit] = _mentions(facts.index, members, names)
    return units[unit]


def _unit(index: FileIndex, path: str) -> tuple[str, list[str]]:
    """The deployment unit ``path`` belongs to and its files: its Helm chart
    (every file below the folder holding ``templates/``), else the files of
    its folder (none for a root file)."""
    parts = path.split("/")
    if "templates" in parts[:-1]:
        prefix = "/".join(parts[: parts.index("templates")]) + "/"
        return prefix, [p for p in index.paths() if p.startswith(prefix)]
    folder = posixpath.dirname(path)
    if not folder:
        return path, []
    return folder + "/", [p for p in index.paths() if posixpath.dirname(p) == folder]


def _mentions(index: FileIndex, paths: Iterable[str], names: list[list[str]]) -> bool:
    for path in paths:
        text = index.read_text(path)
        if not text:
            continue
        tokens = words(text)
        if any(_contains(tokens, name) for name in names):
            return True
    return False
