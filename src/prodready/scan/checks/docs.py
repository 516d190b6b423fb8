"""Documentation checks (pillar ``doc``): can a newcomer run, test, call, own
and operate this service from what the repository says?"""

from __future__ import annotations

import functools
import posixpath
import re
from typing import Any

import pathspec

from prodready.scan.checks._service import first_party, source
from prodready.scan.checks._uses import (
    FRONTEND,
    LIBRARY,
    WORKER,
    app_kind,
    deps,
    not_applicable,
    service_folders,
    service_identifiers,
)
from prodready.scan.checks.base import Check, CheckSpec, Example, Verdict, evidence, finding
from prodready.scan.facts.docs import (
    AdrRecord,
    CodeownersFile,
    CodeownersRule,
    DocsFacts,
    OwnershipFacts,
    ReadmeFacts,
    SpecError,
    docs_facts,
    find_readme,
    parse_readme,
)
from prodready.scan.facts.view import Facts
from prodready.scan.model import Evidence, Finding, Level, Severity

README = CheckSpec(
    id="doc.readme",
    level=Level.BRONZE,
    title="README explains how to run and test the service",
    passes_when=(
        "a README that says how to run and how to test (a README that only links "
        "elsewhere does not count); for a library, how to install and use it stands for "
        "how to run it, and a CONTRIBUTING or development guide may say how to test"
    ),
    why=(
        "The README is the front door of a service. The engineer paged at 3 a.m., the "
        "newcomer and the reviewer all start there; if it does not say how to start the "
        "service and how to run its tests, every one of them reverse-engineers the build "
        "instead, and gets it subtly wrong. A README that only links to a wiki rots "
        "silently, because the wiki is not reviewed with the code."
    ),
    how_to_fix=(
        "Add a README.md at the service root with at least a 'Run' (or 'Usage', "
        "'Getting started') section and a 'Test' section, each with the exact commands "
        "in a code block (for example `make run` / `docker compose up` and `make test` / "
        "`pytest` / `go test ./...`). Keep links for depth, not instead of the basics."
    ),
    references=(
        "https://www.makeareadme.com/",
        "https://github.com/hackergrrl/art-of-readme",
        "https://12factor.net/dev-prod-parity",
    ),
    examples=(
        Example(
            "A README that passes",
            "# orders\n\n## Run\n\n```sh\nmake run\n```\n\n## Test\n\n```sh\nmake test\n```\n",
            passes=True,
            language="markdown",
        ),
        Example(
            "A README that only links elsewhere (fails)",
            "# orders\n\nSee https://wiki.example.com/orders for everything.\n",
            passes=False,
            language="markdown",
        ),
    ),
)


def service_readme(facts: Facts) -> ReadmeFacts | None:
    """The README in the service's folder, else the repository root's (the
    docs collector's, parsed once per view)."""
    paths = facts.paths()
    path = find_readme(paths, facts.scope.prefix) or find_readme(paths, "")
    if path is None:
        return None
    shared = _docs(facts).readme
    if shared is not None and shared.path == path:
        return shared
    text = facts.read_text(path)
    return parse_readme(path, text) if text is not None else None


def judge_readme(facts: Facts) -> Verdict:
    readme = facts.derived("prodready.readme", service_readme)
    if readme is None:
        return Verdict.failed(
            f"no README in {facts.scope.path!r} or at the repository root",
            findings=[finding("no README file", severity=Severity.HIGH)],
        )
    found = [evidence(readme.path, f"{len(readme.headings)} headings, {readme.prose_words} words")]
    if readme.links_only:
        return Verdict.failed(
            "the README only points elsewhere; it does not explain the service itself",
            score=1.0,
            findings=[
                finding(
                    f"README is mostly links ({readme.links} links, {readme.prose_words} words "
                    "of prose, no commands)",
                    readme.path,
                    1,
                )
            ],
            evidence=found,
        )
    findings = []
    library = not readme.says_how_to_run and app_kind(facts) == LIBRARY
    if library and readme.says_how_to_use:
        # A library is not run: its README says how to install it and call it.
        shown = readme.install_commands[0] if readme.install_commands else None
        found.append(
            evidence(readme.path, shown.command, shown.line)
            if shown
            else evidence(readme.path, "a usage section with code")
        )
    elif not readme.says_how_to_run:
        kind = "use the library" if library else "run the service"
        findings.append(finding(f"README does not say how to {kind}", readme.path, 1))
    else:
        _cite(found, readme.path, readme.run_commands, readme.run_sections)
    guide = None if readme.says_how_to_test else _test_guide(facts)
    if readme.says_how_to_test:
        _cite(found, readme.path, readme.test_commands, readme.test_sections)
    elif guide is not None:  # CONTRIBUTING.md and the like: where many projects say it
        _cite(found, guide.path, guide.test_commands, guide.test_sections)
    else:
        findings.append(finding("README does not say how to run the tests", readme.path, 1))
    if not findings:
        return Verdict.passed(
            f"README explains how to {'use' if library else 'run'} and how to test"
            + (f" (tests: {guide.path})" if guide is not None else ""),
            evidence=found,
        )
    missing = " and ".join(f.message.removeprefix("README does not say ") for f in findings)
    return Verdict.failed(
        f"README does not say {missing}",
        score=5.0 if len(findings) == 1 else 2.0,
        findings=findings,
        evidence=found,
    )


def _cite(found: list[Evidence], path: str, commands: Any, sections: Any) -> None:
    if commands:
        found.append(evidence(path, f"{commands[0].command}", commands[0].line))
    elif sections:
        found.append(evidence(path, f"section {sections[0].text!r}", sections[0].line))


_TEST_GUIDES = (
    "CONTRIBUTING.md",
    "CONTRIBUTING.rst",
    "CONTRIBUTING.adoc",
    ".github/CONTRIBUTING.md",
    "docs/CONTRIBUTING.md",
    "docs/contributing.md",
    "docs/contributing.rst",
    "DEVELOPMENT.md",
    "docs/development.md",
    "HACKING.md",
)


def _test_guide(facts: Facts) -> ReadmeFacts | None:
    """A contributing / development guide (service folder, then root) that
    says how to run the tests."""
    prefixes = dict.fromkeys([facts.scope.prefix, ""])
    for prefix in prefixes:
        for name in _TEST_GUIDES:
            path = posixpath.join(prefix, name) if prefix else name
            text = facts.read_text(path) if facts.index.info(path) is not None else None
            if text is None:
                continue
            guide = parse_readme(path, text)
            if guide.says_how_to_test:
                return guide
    return None


def _docs(facts: Facts) -> DocsFacts:
    """The docs collector over this service's view (its folder plus the
    repository-wide files: root README and CODEOWNERS, ``docs/``...)."""
    return facts.derived("docs", docs_facts)


_WORD = re.compile(r"[a-z0-9]+")


def _concerns(facts: Facts, path: str, *texts: str | None) -> bool:
    """A contract or document visible to this service is its own: in its
    folder, or repository-wide when the repository has one service or the
    file (path or title) names the service."""
    if not first_party(facts, path):
        return False
    if facts.scope.owns(path) or (not facts.scope.nested and facts.scope.path == "."):
        return True
    if not _services_elsewhere(facts):
        return True
    words = set(_WORD.findall(" ".join([path.lower(), *(t.lower() for t in texts if t)])))
    return any(set(_WORD.findall(name)) <= words for name in service_identifiers(facts))


def _services_elsewhere(facts: Facts) -> bool:
    """Whether the repository holds other services besides this one."""
    return any(folder != facts.scope.path for folder in service_folders(facts))


# --------------------------------------------------------------------------- doc.api-spec

API_SPEC = CheckSpec(
    id="doc.api-spec",
    level=Level.SILVER,
    title="Machine-readable API contract",
    passes_when=(
        "an OpenAPI/Swagger file that validates, a framework that serves one (FastAPI), "
        "`.proto` for gRPC, AsyncAPI, a GraphQL schema (SDL)"
    ),
    why=(
        "Consumers, contract tests, gateways, client generators and fuzzers (schemathesis) "
        "all need the API described in a form a machine can read. Without one, the "
        "contract is whatever the code happens to do today, and breaking changes reach "
        "consumers unannounced."
    ),
    how_to_fix=(
        "Commit an OpenAPI 3 document (openapi.yaml) that validates, or use a framework "
        "that generates and serves one (FastAPI unless `openapi_url=None`, django-ninja, "
        "drf-spectacular, flask-smorest, springdoc-openapi, @nestjs/swagger, swaggo), or "
        "describe gRPC services in .proto files and events in AsyncAPI. Validate the "
        "document in CI: each validation error is reported with its JSON path and line. "
        "Libraries, frontends and programs that serve only health and metrics endpoints "
        "are not applicable."
    ),
    references=(
        "https://spec.openapis.org/oas/latest.html",
        "https://protobuf.dev/programming-guides/proto3/",
        "https://www.asyncapi.com/docs/reference/specification/latest",
    ),
    examples=(
        Example(
            "FastAPI serves /openapi.json",
            'app = FastAPI(title="orders", version="1.4.0")\n',
            language="python",
        ),
        Example(
            "An OpenAPI document that does not validate (fails)",
            "openapi: 3.0.3\ninfo:\n  title: orders\npaths:\n  /orders/{id}:\n    get:\n"
            "      parameters:\n        - {name: id, in: path, schema: {type: string}}\n"
            "      responses:\n        '200': {}\n",
            passes=False,
            language="yaml",
        ),
    ),
)

_SPEC_GENERATORS = (
    # Spring Boot, Quarkus, Micronaut: the dependency alone makes the app serve a spec.
    "springdoc-openapi-starter-webmvc-ui",
    "springdoc-openapi-starter-webmvc-api",
    "springdoc-openapi-starter-webflux-ui",
    "springdoc-openapi-starter-webflux-api",
    "springdoc-openapi-ui",
    "springdoc-openapi-webflux-ui",
    "springfox-boot-starter",
    "quarkus-smallrye-openapi",
    "micronaut-openapi",
    # Node and Go generators serving a spec built from the code.
    "@nestjs/swagger",
    "@fastify/swagger",
    "fastify-swagger",
    "hapi-swagger",
    "tsoa",
    "github.com/swaggo/swag",
    "github.com/swaggo/http-swagger",
    "github.com/swaggo/gin-swagger",
    "github.com/swaggo/echo-swagger",
    "github.com/danielgtaylor/huma/v2",
)
"""Dependencies that generate and serve an OpenAPI document from the code."""
_OPERATIONAL = re.compile(
    r"^/?(?:metrics|debug|pprof|version|info|favicon\.ico|robots\.txt|status|ping|"
    r"health\w*|live\w*|ready\w*|actuator|_\w+)(?:/|$)",
    re.IGNORECASE,
)


def judge_api_spec(facts: Facts) -> Verdict:
    findings: list[Finding] = []
    seen: list[Evidence] = []
    _committed_contracts(facts, seen, findings)
    _served_contracts(facts, seen, findings)
    if seen:
        if not findings:
            return Verdict.passed(_contract_summary(seen), evidence=seen)
        return Verdict.passed(
            _contract_summary(seen) + f"; {len(findings)} problem(s) in other contract files",
            score=7.0,
            evidence=seen,
            findings=findings,
        )
    if findings:
        return Verdict.failed("the API contract does not validate", score=3.0, findings=findings)
    return _no_contract(facts)


def _committed_contracts(facts: Facts, seen: list[Evidence], findings: list[Finding]) -> None:
    """OpenAPI/Swagger and AsyncAPI documents (validated), .proto services and
    GraphQL schemas (SDL with root operation types)."""
    docs = _docs(facts)
    for spec in docs.openapi_specs:
        if not _concerns(facts, spec.path, spec.title):
            continue
        if spec.valid:
            what = f"{spec.kind} {spec.version}: {spec.operations} operations"
            if not spec.full_validation:
                what += " (structure validated; external $refs not followed)"
            seen.append(evidence(spec.path, what, spec.line))
        else:
            findings.extend(_spec_findings(spec.path, spec.kind, spec.errors))
    for asyncapi in docs.asyncapi_specs:
        if not _concerns(facts, asyncapi.path, asyncapi.title):
            continue
        if asyncapi.valid:
            detail = f"asyncapi {asyncapi.version}: {asyncapi.channels} channels"
            seen.append(evidence(asyncapi.path, detail, asyncapi.line))
        else:
            findings.extend(_spec_findings(asyncapi.path, "asyncapi", asyncapi.errors))
    for proto in docs.proto_files:
        services = [s for s in proto.services if not _health_service(proto.package, s.name)]
        if services and _concerns(facts, proto.path, proto.package):
            names = ", ".join(s.name for s in services)
            seen.append(evidence(proto.path, f"gRPC services {names}", services[0].line))
    for schema in docs.graphql_schemas:
        if _concerns(facts, schema.path):
            roots = ", ".join(schema.roots)
            seen.append(evidence(schema.path, f"GraphQL schema ({roots})", schema.line))


def _served_contracts(facts: Facts, seen: list[Evidence], findings: list[Finding]) -> None:
    """Frameworks that serve a document generated from the code."""
    for app in source(facts).openapi_apps:
        if app.serves_openapi is False:
            findings.append(
                finding(
                    f"{app.framework} could serve an OpenAPI document but it is switched off "
                    f"here ({app.snippet.strip()}): remove openapi_url=None or commit a spec",
                    app.path,
                    app.line,
                    severity=Severity.MEDIUM,
                )
            )
            continue
        served = f" at {app.openapi_url}" if app.openapi_url else ""
        seen.append(
            evidence(app.path, f"{app.framework} serves its OpenAPI document{served}", app.line)
        )
    for name in _SPEC_GENERATORS:
        for dependency in deps(facts).dependencies(name):
            if facts.scope.owns(dependency.path) and first_party(facts, dependency.path):
                detail = f"{dependency.raw_name or name} generates and serves an OpenAPI document"
                seen.append(evidence(dependency.path, detail, dependency.line))


def _no_contract(facts: Facts) -> Verdict:
    """No contract at all: not applicable without an API, else a failure
    pointing at the first API route or the gRPC server."""
    kind = app_kind(facts)
    if kind in (LIBRARY, FRONTEND, WORKER):
        label = {LIBRARY: "a library", FRONTEND: "a frontend application", WORKER: "a worker"}
        return not_applicable(facts, f"{label[kind]} serves no API of its own")
    code = source(facts)
    api = [r for r in code.routes if r.health is None and not _OPERATIONAL.match(r.route)]
    grpc = [e for e in code.server_entrypoints if "grpc" in e.detail.lower()]
    if not api and not grpc:
        return not_applicable(
            facts, "the program serves only operational endpoints (health, metrics): no API"
        )
    if api:
        route = api[0]
        where: tuple[str, int] = (route.path, route.line)
        what = (
            f"the service serves {len(api)} API route(s) ({route.method or 'ANY'} "
            f"{route.route} with {route.framework}) but no machine-readable contract: commit "
            "an OpenAPI document or serve one from the framework"
        )
    else:
        where = (grpc[0].path, grpc[0].line)
        what = "a gRPC server is started but no .proto file describes its services"
    return Verdict.failed(
        "no machine-readable API contract",
        findings=[finding(what, *where, severity=Severity.MEDIUM)],
    )


def _health_service(package: str | None, name: str) -> bool:
    return package == "grpc.health.v1" and name == "Health"


def _spec_findings(path: str, kind: str, errors: tuple[SpecError, ...]) -> list[Finding]:
    if not errors:
        return [finding(f"{kind} document does not validate", path, 1)]
    return [
        finding(
            f"{kind} document does not validate at {error.json_path}: {error.message}",
            path,
            error.line,
            severity=Severity.MEDIUM,
        )
        for error in errors
    ]


def _contract_summary(seen: list[Evidence]) -> str:
    first = seen[0]
    more = f" (+{len(seen) - 1} more)" if len(seen) > 1 else ""
    return f"machine-readable API contract: {first.detail} in {first.path}{more}"


# --------------------------------------------------------------------------- doc.ownership

OWNERSHIP = CheckSpec(
    id="doc.ownership",
    level=Level.SILVER,
    title="An owner is declared",
    passes_when=(
        "an owner is declared (CODEOWNERS, catalog-info.yaml, OWNERS, service metadata in "
        "the policy file)"
    ),
    why=(
        "When the service misbehaves in production, the first question is who owns it. "
        "Ownership written in the repository routes reviews, pages and security reports "
        "to a team that exists, and survives reorganisations better than a wiki page."
    ),
    how_to_fix=(
        "Add a CODEOWNERS file (.github/CODEOWNERS, the repository root or docs/) whose "
        "rules give the service's files an owner (in a monorepo, a rule for the service's "
        "folder, such as `/services/orders/ @acme/orders`; the last matching rule wins), "
        "a Backstage catalog-info.yaml with spec.owner, a Kubernetes-style OWNERS file, a "
        'service metadata file, or `owner = "team"` under [tool.prodready]. Owners that '
        "are not @user, @org/team or an e-mail address are reported."
    ),
    references=(
        "https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners",
        "https://backstage.io/docs/features/software-catalog/descriptor-format/",
    ),
    examples=(
        Example(
            "CODEOWNERS for a monorepo",
            "* @acme/platform\n/services/orders/ @acme/orders\n/services/web/ @acme/storefront\n",
            language="text",
        ),
    ),
)

_CATCH_ALL = frozenset({"*", "/", "/*", "/**", "**"})
_POLICY_FILES = ("prodready.toml", ".prodready.toml", "pyproject.toml")


def judge_ownership(facts: Facts) -> Verdict:
    ownership = _docs(facts).ownership
    findings: list[Finding] = []
    seen: list[Evidence] = []
    _codeowners(facts, ownership, seen, findings)
    for owners in ownership.owners_files:
        if owners.has_owner and first_party(facts, owners.path):
            people = ", ".join((owners.approvers or owners.reviewers)[:3])
            seen.append(evidence(owners.path, f"OWNERS: {people}", 1))
    per_file: dict[str, int] = {}
    for entity in ownership.catalog_entities:
        per_file[entity.path] = per_file.get(entity.path, 0) + 1
    for entity in ownership.catalog_entities:
        alone = per_file[entity.path] == 1 and first_party(facts, entity.path)
        if entity.owner and (alone or _concerns(facts, entity.path, entity.name)):
            detail = f"{entity.kind} {entity.name or ''} owned by {entity.owner}"
            seen.append(evidence(entity.path, detail, entity.line))
        elif not entity.owner and _concerns(facts, entity.path, entity.name):
            findings.append(
                finding(
                    f"catalog entity {entity.kind} {entity.name or ''} has no spec.owner",
                    entity.path,
                    entity.line,
                )
            )
    for meta in ownership.service_metadata:
        if first_party(facts, meta.path):
            seen.append(evidence(meta.path, f"{meta.source} owner {meta.owner}", meta.line))
    policy = _policy_owner(facts)
    if policy is not None:
        seen.append(policy)
    if seen:
        sources = sorted({_source_name(e.path) for e in seen})
        return Verdict.passed(
            f"owner declared ({', '.join(sources)})",
            evidence=seen,
            findings=[_as_low(f) for f in findings],
        )
    if ownership.maintainers_files:
        findings.append(
            finding(
                f"{ownership.maintainers_files[0]} lists people, but no ownership rule "
                "routes reviews or pages to a team: add CODEOWNERS or catalog-info.yaml",
                ownership.maintainers_files[0],
                1,
                severity=Severity.LOW,
            )
        )
    if not findings:
        findings.append(
            finding(
                "no owner declared: no CODEOWNERS, catalog-info.yaml, OWNERS, service "
                "metadata or [tool.prodready] owner",
                severity=Severity.MEDIUM,
            )
        )
    return Verdict.failed("no owner is declared for the service", findings=findings)


def _codeowners(
    facts: Facts, ownership: OwnershipFacts, seen: list[Evidence], findings: list[Finding]
) -> None:
    """The CODEOWNERS rule that applies to the service (GitHub's file: .github/,
    root, docs/), and the file's invalid owners."""
    effective = ownership.effective_codeowners
    if effective is not None:
        findings.extend(
            finding(f"CODEOWNERS: {p.message}", p.path, p.line, severity=Severity.LOW)
            for p in effective.problems
        )
        rule = _codeowners_rule(facts, effective)
        if rule is not None and rule.owners:
            seen.append(
                evidence(effective.path, f"{rule.pattern} {' '.join(rule.owners)}", rule.line)
            )
        elif rule is not None:
            findings.append(
                finding(
                    f"the last CODEOWNERS rule matching the service ({rule.pattern}) assigns "
                    "no valid owner",
                    effective.path,
                    rule.line,
                )
            )
        else:
            findings.append(
                finding(
                    "no CODEOWNERS rule with a valid owner matches the service's files: add "
                    f"one for {'/' + facts.scope.prefix if facts.scope.prefix else '*'}",
                    effective.path,
                    1,
                )
            )


def _as_low(item: Finding) -> Finding:
    return item.model_copy(update={"severity": Severity.LOW})


def _source_name(path: str) -> str:
    name = posixpath.basename(path).lower()
    if name in _POLICY_FILES:
        return "policy file"
    return posixpath.basename(path)


def _codeowners_rule(facts: Facts, file: CodeownersFile) -> CodeownersRule | None:
    """The rule GitHub/GitLab applies to the service: the last rule matching
    one of its files (its manifests and a sample of its production code),
    preferring a rule with an owner. A file whose rules only cover, say,
    ``*.md`` gives the service's code no owner."""
    own = [i for i in facts.own_files() if first_party(facts, i.path)]
    probes = [m for m in facts.scope.markers if facts.scope.owns(m)]
    probes += [i.path for i in own if i.is_production_code][:20]
    if not probes:
        probes = [i.path for i in own[:20]]
    if not probes:
        catch_all = [r for r in file.rules if r.pattern in _CATCH_ALL]
        return catch_all[-1] if catch_all else None
    best: CodeownersRule | None = None
    for path in probes:
        rule = _last_match(file.rules, path)
        if rule is not None and (best is None or (rule.owners and not best.owners)):
            best = rule
    return best


def _last_match(rules: tuple[CodeownersRule, ...], path: str) -> CodeownersRule | None:
    for rule in reversed(rules):
        if rule.pattern in _CATCH_ALL or _matches(rule.pattern, path):
            return rule
    return None


def _matches(pattern: str, path: str) -> bool:
    """gitignore-style matching, as GitHub and GitLab read CODEOWNERS patterns;
    a pattern git cannot read matches nothing (GitHub ignores it too)."""
    compiled = _compiled(pattern)
    return compiled is not None and compiled.match_file(path)


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> pathspec.GitIgnoreSpec | None:
    try:
        return pathspec.GitIgnoreSpec.from_lines([pattern])
    except ValueError:
        return None


def _policy_owner(facts: Facts) -> Evidence | None:
    """``owner``/``team`` in the service's policy file, else the root's."""
    folders = [facts.scope.prefix, ""] if facts.scope.prefix else [""]
    for folder in folders:
        for name in _POLICY_FILES:
            path = folder + name
            data = facts.toml(path)
            if not isinstance(data, dict):
                continue
            table: Any = data
            if name == "pyproject.toml" or "tool" in data:
                tool = data.get("tool")
                table = tool.get("prodready") if isinstance(tool, dict) else None
            if not isinstance(table, dict):
                continue
            for key in ("owner", "team"):
                value = table.get(key)
                if isinstance(value, str) and value.strip():
                    return evidence(path, f"[tool.prodready] {key} = {value.strip()!r}")
    return None


# --------------------------------------------------------------------------- doc.runbook

RUNBOOK = CheckSpec(
    id="doc.runbook",
    level=Level.GOLD,
    title="Runbook for operating the service",
    passes_when="runbooks / on-call / operations guide",
    why=(
        "Incidents are handled by whoever is on call, often not the author. A runbook "
        "(what alerts mean, how to check health, how to roll back, scale and restore) "
        "turns a long, stressful investigation into a checklist and shortens outages."
    ),
    how_to_fix=(
        "Write docs/runbook.md (or RUNBOOK.md, docs/operations.md, an on-call guide or a "
        "runbooks/ folder) covering: architecture in a paragraph, dashboards and alerts, "
        "common failures and their fixes, how to deploy, roll back and scale, and who to "
        "escalate to. A file that is a stub (a title and a TODO) does not count: it must "
        "cover at least two operational topics in some 25 words, or one in 80. Libraries "
        "are not applicable."
    ),
    references=(
        "https://sre.google/sre-book/being-on-call/",
        "https://sre.google/workbook/on-call/",
    ),
    examples=(
        Example(
            "A runbook's outline",
            "# orders runbook\n\n## Alerts\n### OrdersHighErrorRate\nCheck the dashboard, "
            "then the payments dependency...\n\n## Roll back\n`kubectl argo rollouts undo "
            "orders`\n\n## Escalation\n#orders-oncall, then the payments team.\n",
            language="markdown",
        ),
    ),
)


def judge_runbook(facts: Facts) -> Verdict:
    # A runbook in the service's folder or a repository-wide one (docs/): an
    # operations guide usually covers every service of a repository.
    runbooks = [r for r in _docs(facts).runbooks if first_party(facts, r.path)]
    real = [r for r in runbooks if r.substantive]
    if real:
        seen = [
            evidence(r.path, f"{r.kind}: {r.words} words on {', '.join(r.topics)}") for r in real
        ]
        return Verdict.passed(f"runbook: {real[0].path}", evidence=seen)
    stubs = [
        finding(
            f"{r.path} is a stub, not a runbook ({r.words} words"
            + (f", only about {', '.join(r.topics)}" if r.topics else ", no operational topic")
            + "): write what alerts mean, how to check health, roll back, scale and escalate",
            r.path,
            1,
        )
        for r in runbooks
    ]
    if app_kind(facts) == LIBRARY:
        return not_applicable(facts, "a library has nothing to operate")
    if stubs:
        return Verdict.failed("the runbook is only a stub", score=2.0, findings=stubs)
    return Verdict.failed(
        "no runbook, on-call or operations guide",
        findings=[
            finding(
                "no runbook: add docs/runbook.md (alerts, health, rollback, scaling, escalation)",
                severity=Severity.MEDIUM,
            )
        ],
    )


# --------------------------------------------------------------------------- doc.adr

ADR = CheckSpec(
    id="doc.adr",
    level=Level.GOLD,
    title="Architecture decision records",
    passes_when=(
        "architecture decision records that say their context and the decision (a titled "
        "record that explains a decision in prose, without those sections, scores 8)"
    ),
    why=(
        "Decisions outlive the people who made them. Records of why a database, a "
        "protocol or a library was chosen stop the same debates from recurring and let "
        "maintainers change a decision knowingly instead of breaking a hidden assumption."
    ),
    how_to_fix=(
        "Create docs/adr/ (or docs/decisions/, doc/architecture/decisions/ as adr-tools "
        "does) and record each significant decision as NNNN-title.md with context, "
        "decision and consequences (Michael Nygard's format or MADR; adr-tools or "
        "log4brains can help). Templates and READMEs in the folder are not records; at "
        "least one record must say what was decided and why."
    ),
    references=(
        "https://cognitect.com/blog/2011/11/15/documenting-architecture-decisions",
        "https://adr.github.io/",
    ),
    examples=(
        Example(
            "A decision record",
            "# 3. Use PostgreSQL for orders\n\n## Status\nAccepted\n\n## Context\n...\n\n"
            "## Decision\n...\n\n## Consequences\n...\n",
            language="markdown",
        ),
    ),
)


def judge_adr(facts: Facts) -> Verdict:
    adrs = _docs(facts).adrs
    records = [r for r in adrs.records if first_party(facts, r.path)]
    complete = [r for r in records if r.complete]
    if complete:
        folders = sorted({posixpath.dirname(r.path) for r in complete})
        seen = [
            evidence(r.path, f"ADR {r.number or ''} {r.title or ''}".strip() + _status(r))
            for r in complete[:10]
        ]
        return Verdict.passed(
            f"{len(complete)} decision record(s) in {', '.join(folders)}", evidence=seen
        )
    free_form = [r for r in records if r.free_form]
    if free_form:
        # Decisions recorded in prose (no Context/Decision headings): kept, and
        # worth most of the credit; the structure is what is missing.
        folders = sorted({posixpath.dirname(r.path) for r in free_form})
        return Verdict.passed(
            f"{len(free_form)} free-form decision record(s) in {', '.join(folders)} "
            "(no Context and Decision sections)",
            score=8.0,
            evidence=[
                evidence(r.path, f"ADR {r.number or ''} {r.title or ''}".strip() + _status(r))
                for r in free_form[:10]
            ],
            findings=[
                finding(
                    f"{r.path}: a decision in prose; Context and Decision sections make the "
                    "why and the what findable",
                    r.path,
                    1,
                    severity=Severity.LOW,
                )
                for r in free_form[:3]
            ],
        )
    if records:
        return Verdict.failed(
            f"{len(records)} decision record(s), none with both a context and a decision",
            score=5.0,
            findings=[
                finding(
                    f"{r.path} does not say "
                    + " and ".join(
                        part
                        for part, has in (
                            ("its context", r.has_context),
                            ("the decision", r.has_decision),
                        )
                        if not has
                    )
                    + ": add Context and Decision sections",
                    r.path,
                    1,
                    severity=Severity.LOW,
                )
                for r in records[:10]
            ],
        )
    where = adrs.configured_dir or "docs/adr/"
    return Verdict.failed(
        "no architecture decision records",
        findings=[
            finding(
                f"no decision records: record significant decisions in {where} "
                "(NNNN-title.md with context, decision, consequences)",
                severity=Severity.LOW,
            )
        ],
    )


def _status(record: AdrRecord) -> str:
    return f" ({record.status})" if record.status else ""


CHECKS: tuple[Check, ...] = (
    Check(README, judge_readme),
    Check(API_SPEC, judge_api_spec),
    Check(OWNERSHIP, judge_ownership),
    Check(RUNBOOK, judge_runbook),
    Check(ADR, judge_adr),
)
