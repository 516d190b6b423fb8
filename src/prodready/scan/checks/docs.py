"""Documentation checks (pillar ``doc``): can a newcomer run, test, call, own
and operate this service from what the repository says?"""

from __future__ import annotations

from prodready.scan.checks.base import Check, CheckSpec, Example, Verdict, evidence, finding
from prodready.scan.facts.docs import ReadmeFacts, find_readme, parse_readme
from prodready.scan.facts.view import Facts
from prodready.scan.model import Level, Severity

README = CheckSpec(
    id="doc.readme",
    level=Level.BRONZE,
    title="README explains how to run and test the service",
    passes_when=(
        "a README that says how to run and how to test (a README that only links "
        "elsewhere does not count)"
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
    """The README in the service's folder, else the repository root's."""
    paths = facts.paths()
    path = find_readme(paths, facts.scope.prefix) or find_readme(paths, "")
    text = facts.read_text(path) if path is not None else None
    if path is None or text is None:
        return None
    # Markdown reads a tab as four columns of indentation; expanding tabs first
    # also keeps the README parser out of a loop it enters on tab-indented lines.
    return parse_readme(path, text.expandtabs(4))


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
    for kind, says, commands, sections in (
        ("run the service", readme.says_how_to_run, readme.run_commands, readme.run_sections),
        ("run the tests", readme.says_how_to_test, readme.test_commands, readme.test_sections),
    ):
        if not says:
            findings.append(finding(f"README does not say how to {kind}", readme.path, 1))
        elif commands:
            found.append(evidence(readme.path, f"{commands[0].command}", commands[0].line))
        elif sections:
            found.append(evidence(readme.path, f"section {sections[0].text!r}", sections[0].line))
    if not findings:
        return Verdict.passed("README explains how to run and how to test", evidence=found)
    missing = " and ".join(f.message.removeprefix("README does not say ") for f in findings)
    return Verdict.failed(
        f"README does not say {missing}",
        score=5.0 if len(findings) == 1 else 2.0,
        findings=findings,
        evidence=found,
    )


API_SPEC = CheckSpec(
    id="doc.api-spec",
    level=Level.SILVER,
    title="Machine-readable API contract",
    passes_when=(
        "an OpenAPI/Swagger file that validates, a framework that serves one (FastAPI), "
        "`.proto` for gRPC, AsyncAPI"
    ),
    why=(
        "Consumers, contract tests, gateways, client generators and fuzzers (schemathesis) "
        "all need the API described in a form a machine can read. Without one, the "
        "contract is whatever the code happens to do today, and breaking changes reach "
        "consumers unannounced."
    ),
    how_to_fix=(
        "Commit an OpenAPI 3 document (openapi.yaml) that validates, or use a framework "
        "that generates and serves one (FastAPI serves /openapi.json), or describe gRPC "
        "services in .proto files and events in AsyncAPI. Validate it in CI."
    ),
    references=(
        "https://spec.openapis.org/oas/latest.html",
        "https://protobuf.dev/programming-guides/proto3/",
        "https://www.asyncapi.com/docs/reference/specification/latest",
    ),
)

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
        "Add a CODEOWNERS file (.github/CODEOWNERS or the repository root), a Backstage "
        'catalog-info.yaml with spec.owner, an OWNERS file, or `owner = "team"` under '
        "[tool.prodready]."
    ),
    references=(
        "https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners",
        "https://backstage.io/docs/features/software-catalog/descriptor-format/",
    ),
)

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
        "Write docs/runbook.md (or an operations/on-call guide) covering: architecture in "
        "a paragraph, dashboards and alerts, common failures and their fixes, how to "
        "deploy, roll back and scale, and who to escalate to."
    ),
    references=(
        "https://sre.google/sre-book/being-on-call/",
        "https://sre.google/workbook/on-call/",
    ),
)

ADR = CheckSpec(
    id="doc.adr",
    level=Level.GOLD,
    title="Architecture decision records",
    passes_when="architecture decision records",
    why=(
        "Decisions outlive the people who made them. Records of why a database, a "
        "protocol or a library was chosen stop the same debates from recurring and let "
        "maintainers change a decision knowingly instead of breaking a hidden assumption."
    ),
    how_to_fix=(
        "Create docs/adr/ and record each significant decision as "
        "NNNN-title.md with context, decision and consequences (Michael Nygard's format; "
        "adr-tools or log4brains can help)."
    ),
    references=(
        "https://cognitect.com/blog/2011/11/15/documenting-architecture-decisions",
        "https://adr.github.io/",
    ),
)

CHECKS: tuple[Check, ...] = (
    Check(README, judge_readme),
    Check(API_SPEC),
    Check(OWNERSHIP),
    Check(RUNBOOK),
    Check(ADR),
)
