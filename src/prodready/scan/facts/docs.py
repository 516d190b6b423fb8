"""Documentation facts: README, API contracts, ADRs, runbooks and ownership.

Feeds ``doc.readme`` (does the README say how to run and how to test, or does
it only link elsewhere), ``doc.api-spec`` (an OpenAPI/Swagger file that
*validates*, ``.proto`` services, AsyncAPI), ``doc.adr``, ``doc.runbook``
(with a content check: an empty RUNBOOK.md is not a runbook) and
``doc.ownership`` (CODEOWNERS with a valid rule and owner, k8s-style OWNERS,
Backstage ``catalog-info.yaml``, service metadata files).

Per-file parsers depend only on ``(path, text)`` and return frozen,
picklable dataclasses; ``docs_facts(files, root)`` finds the files and
combines them. Problems are ``ParseProblem`` values, never exceptions.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from prodready.scan.facts._docs_api import (
    AsyncApiSpec,
    GraphqlSchema,
    OpenApiSpec,
    ProtoFile,
    ProtoService,
    SpecError,
    parse_asyncapi,
    parse_graphql_schema,
    parse_openapi,
    parse_proto,
)
from prodready.scan.facts._docs_text import (
    CodeBlock,
    Document,
    Heading,
    detect_format,
    inline_code,
    parse_document,
)
from prodready.scan.facts._yamltree import as_str, line_of, load_yaml_documents, walk_path
from prodready.scan.facts.perfile import file_fact
from prodready.scan.facts.source import ParseProblem, RepoFiles

__all__ = [
    "AdrFacts",
    "AdrRecord",
    "AsyncApiSpec",
    "CatalogEntity",
    "CodeownersFile",
    "CodeownersRule",
    "DocCommand",
    "DocsFacts",
    "Heading",
    "OpenApiSpec",
    "OwnersFile",
    "OwnershipFacts",
    "ProtoFile",
    "ProtoService",
    "ReadmeFacts",
    "Runbook",
    "ServiceMetadata",
    "SpecError",
    "docs_facts",
    "find_readme",
    "parse_adr",
    "parse_asyncapi",
    "parse_catalog_info",
    "parse_codeowners",
    "parse_openapi",
    "parse_owners_file",
    "parse_proto",
    "parse_readme",
    "parse_runbook",
    "parse_service_metadata",
]

DOC_EXTS = (".md", ".markdown", ".rst", ".txt", ".adoc", ".asciidoc")

# --------------------------------------------------------------------------- README


@dataclass(frozen=True, slots=True)
class DocCommand:
    """A run or test command shown in the README."""

    line: int
    command: str
    kind: str
    """"run", "test" or "install"."""
    in_code_block: bool
    section: str | None
    """The heading it sits under."""


@dataclass(frozen=True, slots=True)
class ReadmeFacts:
    path: str
    format: str
    lines: int
    words: int
    prose_words: int
    """Prose words that are not link text, badges, headings or code."""
    links: int
    code_blocks: int
    headings: tuple[Heading, ...]
    run_commands: tuple[DocCommand, ...]
    test_commands: tuple[DocCommand, ...]
    run_sections: tuple[Heading, ...]
    """Headings such as Usage, Running, Getting started, Quickstart, Development."""
    test_sections: tuple[Heading, ...]
    run_section_has_code: bool
    test_section_has_code: bool
    links_only: bool
    """Short, mostly links, no commands: it points elsewhere instead of saying."""
    install_commands: tuple[DocCommand, ...] = ()
    """``pip install X``, ``go get X``, ``npm install X``...: how a library is obtained."""
    usage_code: bool = False
    """A Usage / Example / Quickstart / Installation section shows code (any language)."""

    @property
    def says_how_to_use(self) -> bool:
        """For a library, what "how to run" means: how to install it and call it."""
        return not self.links_only and (bool(self.install_commands) or self.usage_code)

    @property
    def says_how_to_run(self) -> bool:
        return not self.links_only and (bool(self.run_commands) or self.run_section_has_code)

    @property
    def says_how_to_test(self) -> bool:
        return not self.links_only and (bool(self.test_commands) or self.test_section_has_code)


README_NAMES = ("readme.md", "readme.markdown", "readme.rst", "readme.txt", "readme.adoc", "readme")

_RUN_HEADING = re.compile(
    r"\b(usage|run|running|how to run|getting[ -]started|get started|quick[ -]?start|"
    r"development|developing|local development|develop locally|local setup|start(ing)?|"
    r"launch(ing)?|build(ing)? and run(ning)?|serve|serving|demo)\b",
    re.IGNORECASE,
)
_USAGE_HEADING = re.compile(
    r"\b(usage|examples?|quick[ -]?start|getting[ -]started|get started|install(ation|ing)?|"
    r"tutorial|how to use|using)\b",
    re.IGNORECASE,
)
_INSTALL_COMMAND = re.compile(
    r"""(?x)
    ^(?:python[0-9.]*\s+-m\s+)?(?:pip3?|uv\s+pip|pipx)\s+install\s+(?!-r\b|-e\b|--)['"]?[A-Za-z]
  | ^(?:uv|poetry|pdm|rye|yarn|pnpm|bun|cargo|dotnet)\s+add\s+\S
  | ^go\s+(?:get|install)\s+\S | ^(?:npm|pnpm)\s+(?:i|install)\s+(?!-)\S
  | ^gem\s+install\s+\S | ^composer\s+require\s+\S
    """
)
_TEST_HEADING = re.compile(r"\b(test|tests|testing|how to test|running tests|run tests)\b", re.I)
_PROMPT = re.compile(r"^\s*(?:\$|>|%|PS>|\u276f)\s+")
_WRAPPERS = re.compile(r"^(?:sudo\s+|(?:uv|poetry|pipenv|pdm|hatch|rye)\s+run\s+|npx\s+|bunx\s+)")
_RUN_COMMAND = re.compile(
    r"""(?x)
    ^(?:make|just|task)\s+(?:run|start|serve|up|dev|demo|local|run-\S+|start-\S+)\b
  | ^docker(?:-|\s+)compose\b(?:\s+-f\s+\S+)*(?:\s+--?\S+)*\s+up\b
  | ^(?:docker|podman)\s+run\b
  | ^(?:uvicorn|gunicorn|hypercorn|daphne|granian|waitress-serve)\s+\S
  | ^flask\s+(?:--app\s+\S+\s+)?run\b | ^fastapi\s+(?:run|dev)\b
  | ^python[0-9.]*\s+(?:\S+/)?manage\.py\s+runserver\b
  | ^python[0-9.]*\s+(?:-m\s+(?!pytest|unittest|pip|venv|build|tox|nox)[\w.]+|[\w./-]+\.py\b)
  | ^go\s+run\b
  | ^(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?(?:start|dev|serve)\b
  | ^node\s+\S+\.[mc]?js\b | ^deno\s+run\b
  | ^(?:\./)?(?:gradlew|gradle)\s+(?:\S+\s+)*(?:bootRun|run)\b
  | ^(?:\./)?mvnw?\s+(?:\S+\s+)*(?:spring-boot:run|quarkus:dev|exec:java)\b
  | ^java\s+(?:-\S+\s+)*-jar\b | ^cargo\s+run\b | ^dotnet\s+run\b
  | ^(?:skaffold\s+(?:dev|run)|tilt\s+up|docker\s+stack\s+deploy)\b
  | ^(?:\./)?(?:bin|scripts?)/(?:run|start|serve|dev)[\w.-]*\b
    """
)
_TEST_COMMAND = re.compile(
    r"""(?x)
    ^(?:pytest|py\.test)\b | ^python[0-9.]*\s+-m\s+(?:pytest|unittest)\b
  | ^python[0-9.]*\s+(?:\S+/)?manage\.py\s+test\b
  | ^(?:tox|nox)\b | ^hatch\s+(?:run\s+)?test\b
  | ^(?:make|just|task)\s+(?:test|tests|check|unit|unittest|unit-test|test-\S+|\S+-test)\b
  | ^(?:make|just|task)\s+(?:e2e|integration|ci|verify)\b
  | ^go\s+test\b | ^(?:ginkgo|gotestsum)\b
  | ^(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?test\b | ^(?:npm|pnpm|yarn)\s+run\s+(?:test:\S+|e2e)\b
  | ^(?:jest|vitest|mocha|playwright\s+test|cypress\s+run)\b
  | ^(?:\./)?(?:gradlew|gradle)\s+(?:\S+\s+)*(?:test|check)\b
  | ^(?:\./)?mvnw?\s+(?:\S+\s+)*(?:test|verify)\b
  | ^cargo\s+test\b | ^dotnet\s+test\b | ^(?:bundle\s+exec\s+)?rspec\b
  | ^(?:behave|godog|cucumber-js)\b
  | ^(?:docker(?:-|\s+)compose\b.*\s+run\b.*\b(?:test|pytest)\b)
  | ^(?:\./)?(?:bin|scripts?)/(?:test|run[-_]tests?)[\w.-]*\b
    """
)


def _commands_in(line: str) -> list[str]:
    """The commands of one shell-ish line (``a && b; c``), prompts and
    wrappers (``uv run``, ``poetry run``, ``sudo``) stripped."""
    text = _PROMPT.sub("", line.strip())
    if not text or text.startswith("#"):
        return []
    text = re.sub(r"\s+#\s.*$", "", text)  # a trailing shell comment
    out = []
    for part in re.split(r"\s*(?:&&|\|\||;)\s*", text):
        part = part.strip().removeprefix("(").strip()
        while True:
            stripped = _WRAPPERS.sub("", part)
            if stripped == part:
                break
            part = stripped
        if part:
            out.append(part)
    return out


def _classify(command: str) -> str | None:
    if _TEST_COMMAND.search(command):
        return "test"
    if _RUN_COMMAND.search(command):
        return "run"
    return None


def _section_code_has_command(blocks: Iterable[CodeBlock], prose: Iterable[str]) -> bool:
    """A code block with a shell-ish line, or inline code in the prose."""
    for block in blocks:
        if block.language.lower() in ("json", "yaml", "yml", "toml", "python", "go", "java"):
            continue
        if any(line.strip() and not line.strip().startswith("#") for _, line in block.lines):
            return True
    return any(len(code.split()) >= 2 for text in prose for code in inline_code(text))


def parse_readme(path: str, text: str) -> ReadmeFacts:
    fmt = detect_format(path)
    # Markdown reads a tab as four columns of indentation (a tab-indented line
    # is a code block), so tabs are expanded before parsing.
    text = text.expandtabs(4)
    doc: Document = parse_document(text, fmt)
    run_commands: list[DocCommand] = []
    test_commands: list[DocCommand] = []
    run_sections: list[Heading] = []
    test_sections: list[Heading] = []
    run_code = test_code = usage_code = False
    install_commands: list[DocCommand] = []
    usage_level: int | None = None  # inside a Usage section and its subsections
    for section in doc.sections:
        heading = section.heading
        title = heading.text if heading else None
        candidates: list[tuple[int, str, bool]] = [
            (line, command, True)
            for block in section.code
            for line, raw in block.lines
            for command in _commands_in(raw)
        ]
        candidates += [
            (line, command, False)
            for line, raw in section.prose
            for code in inline_code(raw)
            for command in _commands_in(code)
        ]
        for line, command, in_block in candidates:
            if _INSTALL_COMMAND.search(command):
                install_commands.append(DocCommand(line, command, "install", in_block, title))
            kind = _classify(command)
            target = test_commands if kind == "test" else run_commands if kind else None
            if target is not None:
                target.append(DocCommand(line, command, kind or "", in_block, title))
        if heading is None:
            continue
        if usage_level is not None and heading.level <= usage_level:
            usage_level = None
        if usage_level is None and _USAGE_HEADING.search(heading.text):
            usage_level = heading.level
        if section.code and usage_level is not None:
            usage_code = True
        has_code = _section_code_has_command(section.code, (p for _, p in section.prose))
        if _TEST_HEADING.search(heading.text):
            test_sections.append(heading)
            test_code = test_code or has_code
        elif _RUN_HEADING.search(heading.text):
            run_sections.append(heading)
            run_code = run_code or has_code
    links_only = (
        doc.links >= 1
        and not run_commands
        and not test_commands
        and not doc.code_blocks
        and (doc.prose_words < 40 or doc.link_lines * 10 >= doc.content_lines * 6)
    )
    return ReadmeFacts(
        path=path,
        format=fmt,
        lines=text.count("\n") + (0 if text.endswith("\n") or not text else 1),
        words=doc.words,
        prose_words=doc.prose_words,
        links=doc.links,
        code_blocks=len(doc.code_blocks),
        headings=tuple(doc.headings),
        run_commands=tuple(sorted(run_commands, key=lambda c: c.line)),
        test_commands=tuple(sorted(test_commands, key=lambda c: c.line)),
        run_sections=tuple(run_sections),
        test_sections=tuple(test_sections),
        run_section_has_code=run_code,
        test_section_has_code=test_code,
        links_only=links_only,
        install_commands=tuple(sorted(install_commands, key=lambda c: c.line)),
        usage_code=usage_code,
    )


def find_readme(paths: Iterable[str], root: str = "") -> str | None:
    """The README directly in ``root`` (case-insensitive; Markdown preferred)."""
    prefix = root.strip("/")
    found: dict[str, str] = {}
    for path in paths:
        directory, name = posixpath.split(path)
        if directory != prefix:
            continue
        lower = name.lower()
        if lower in README_NAMES or (lower.startswith("readme.") and lower.endswith(DOC_EXTS)):
            found.setdefault(lower, path)
    for name in README_NAMES:
        if name in found:
            return found[name]
    return next(iter(sorted(found.values())), None)


# --------------------------------------------------------------------------- ADRs


FREE_FORM_ADR_WORDS = 120


@dataclass(frozen=True, slots=True)
class AdrRecord:
    path: str
    number: int | None
    title: str | None
    status: str | None
    has_context: bool
    has_decision: bool
    has_consequences: bool
    prose_words: int = 0
    """Words of prose (not headings, code or link text)."""

    @property
    def complete(self) -> bool:
        """Says what was decided and why (context and decision)."""
        return self.has_context and self.has_decision

    @property
    def free_form(self) -> bool:
        """No Context/Decision sections, but a titled record with enough prose to
        say what was decided and why (not a stub or an empty template)."""
        return not self.complete and bool(self.title) and self.prose_words >= FREE_FORM_ADR_WORDS


@dataclass(frozen=True, slots=True)
class AdrFacts:
    directories: tuple[str, ...]
    records: tuple[AdrRecord, ...]
    configured_dir: str | None = None
    """The directory named by adr-tools' ``.adr-dir``."""


_ADR_DIR_SUFFIXES = (
    ("adr",),
    ("adrs",),
    ("decisions",),
    ("decision-records",),
    ("decision_records",),
    ("architecture-decisions",),
    ("architecture-decision-records",),
    ("architecture", "decisions"),
)
_ADR_FILE = re.compile(r"^(?:adr[-_ ]?)?(\d{1,5})[-_ .]+\S.*$", re.IGNORECASE)
_ADR_ANYWHERE = re.compile(r"^adr[-_ ]?(\d{1,5})\b.*$", re.IGNORECASE)
_STATUS_LINE = re.compile(
    r"^\s*(?:[-*]\s*)?(?:\*\*|__)?status(?:\*\*|__)?\s*:?(?:\*\*|__)?\s*:?\s*(\w[\w -]*)",
    re.IGNORECASE,
)
_FRONT_STATUS = re.compile(r"^status:\s*[\"']?([\w -]+)", re.IGNORECASE | re.MULTILINE)


def _adr_dir(directory: str) -> bool:
    parts = tuple(p.lower() for p in directory.split("/") if p)
    return any(parts[-len(s) :] == s for s in _ADR_DIR_SUFFIXES if len(parts) >= len(s))


def is_adr_path(path: str, configured_dir: str | None = None) -> bool:
    """A decision record: a document in an ADR folder (``docs/adr``,
    ``docs/decisions``, ``architecture/decisions``, the ``.adr-dir`` one...),
    or a file named ``ADR-NNN-*`` anywhere. READMEs and templates are not."""
    directory, name = posixpath.split(path)
    lower = name.lower()
    if not lower.endswith(DOC_EXTS) or "template" in lower:
        return False
    if posixpath.splitext(lower)[0] in ("readme", "index", "toc", "summary"):
        return False
    parts = directory.split("/") if directory else []
    in_dir = any(_adr_dir("/".join(parts[: i + 1])) for i in range(len(parts)))
    if configured_dir and (directory + "/").startswith(configured_dir.strip("/") + "/"):
        in_dir = True
    return in_dir or bool(_ADR_ANYWHERE.match(posixpath.splitext(name)[0]))


def _has_part(headings: list[str], text: str, words: tuple[str, ...]) -> bool:
    """A section heading (not the title) or a ``Word:`` label names the part."""
    if any(word in heading for heading in headings for word in words):
        return True
    labels = "|".join(words)
    return (
        re.search(rf"(?im)^\s*(?:[-*]\s*)?(?:\*\*|__)?(?:{labels})\w*(?:\*\*|__)?\s*:", text)
        is not None
    )


def parse_adr(path: str, text: str) -> AdrRecord:
    stem = posixpath.splitext(posixpath.basename(path))[0]
    number_match = _ADR_FILE.match(stem) or _ADR_ANYWHERE.match(stem)
    number = int(number_match.group(1)) if number_match else None
    doc = parse_document(text, detect_format(path))
    headings = doc.headings
    title = headings[0].text if headings else None
    if title:
        title = re.sub(r"^(?:adr[-_ ]?)?\d+[.:)\s-]+\s*", "", title, flags=re.IGNORECASE) or title
    names = [h.text.lower() for h in headings]
    status: str | None = None
    front = _FRONT_STATUS.search(text[:2000]) if text.startswith("---") else None
    if front:
        status = front.group(1).strip()
    for section in doc.sections:
        if status:
            break
        if section.heading is not None and section.heading.text.strip().lower() == "status":
            status = next((line.strip(" *_-") for _, line in section.prose if line.strip()), None)
            continue
        for _, line in section.prose:
            match = _STATUS_LINE.match(line)
            if match:
                status = match.group(1).strip()
                break
    return AdrRecord(
        path=path,
        number=number,
        title=title,
        status=status.split()[0].capitalize() if status else None,
        has_context=_has_part(names[1:], text, ("context", "problem", "background")),
        has_decision=_has_part(names[1:], text, ("decision",)),
        has_consequences=_has_part(names[1:], text, ("consequence",)),
        prose_words=doc.prose_words,
    )


# --------------------------------------------------------------------------- runbooks


@dataclass(frozen=True, slots=True)
class Runbook:
    path: str
    kind: str
    """"runbook", "oncall", "operations" or "playbook"."""
    words: int
    headings: int
    topics: tuple[str, ...]
    """Operational topics covered: alerts, incident, rollback, restart,
    escalation, troubleshooting, monitoring, deploy, scaling, backup."""

    @property
    def substantive(self) -> bool:
        """Real operating content, not an empty or placeholder file."""
        topics = len(self.topics)
        return (topics >= 2 and self.words >= 25) or (topics >= 1 and self.words >= 80)


_RUNBOOK_TOPICS = (
    ("alerts", re.compile(r"\balert(s|ing)?\b", re.I)),
    ("incident", re.compile(r"\bincidents?\b|\boutages?\b|\bsev[ -]?[0-4]\b|\bseverity\b", re.I)),
    ("rollback", re.compile(r"\broll(ing)?[ -]?backs?\b|\brevert\b|\bdowngrade\b", re.I)),
    ("restart", re.compile(r"\brestart(s|ing)?\b|\brollout restart\b|\breboot\b", re.I)),
    ("escalation", re.compile(r"\bescalat\w*|\bpager(duty)?\b|\bon[- ]?call\b", re.I)),
    (
        "troubleshooting",
        re.compile(r"\btroubleshoot\w*|\bdiagnos\w*|\bsymptoms?\b|\bmitigat\w*", re.I),
    ),
    ("monitoring", re.compile(r"\bdashboards?\b|\bgrafana\b|\bmetrics\b|\blogs\b|\bSLOs?\b", re.I)),
    ("deploy", re.compile(r"\bdeploy(s|ment|ing)?\b|\brelease\b", re.I)),
    ("scaling", re.compile(r"\bscal(e|ing)\b|\breplicas\b|\bautoscal\w*", re.I)),
    ("backup", re.compile(r"\bbackups?\b|\brestore\b|\bdisaster recovery\b", re.I)),
)
_RUNBOOK_NAME = re.compile(
    r"^(?:run[-_ ]?books?|on[-_ ]?call|operations|operating|ops[-_ ]guide|play[-_ ]?books?|"
    r"incident[-_ ]response)(?:[-_. ].*)?$",
    re.IGNORECASE,
)
_RUNBOOK_DIRS = frozenset({"runbooks", "runbook", "playbooks", "oncall", "on-call", "operations"})


def runbook_kind(path: str) -> str | None:
    """Which kind of operating document ``path`` is by its name, or None."""
    directory, name = posixpath.split(path)
    lower = name.lower()
    stem, ext = posixpath.splitext(lower)
    if ext and ext not in DOC_EXTS:
        return None
    parts = {p.lower() for p in directory.split("/") if p}
    if not _RUNBOOK_NAME.match(stem) and not parts & _RUNBOOK_DIRS:
        return None
    key = stem + " " + " ".join(sorted(parts))
    if "call" in key:
        return "oncall"
    if "playbook" in key:
        return "playbook"
    if "runbook" in key or "run-book" in key or "run_book" in key:
        return "runbook"
    if "operat" in key or "ops" in key:
        return "operations"
    return "runbook"


def parse_runbook(path: str, text: str) -> Runbook:
    doc = parse_document(text, detect_format(path))
    body = text
    topics = tuple(name for name, pattern in _RUNBOOK_TOPICS if pattern.search(body))
    return Runbook(path, runbook_kind(path) or "runbook", doc.words, len(doc.headings), topics)


# --------------------------------------------------------------------------- ownership


@dataclass(frozen=True, slots=True)
class CodeownersRule:
    line: int
    pattern: str
    owners: tuple[str, ...]
    section: str | None = None


@dataclass(frozen=True, slots=True)
class CodeownersFile:
    path: str
    rules: tuple[CodeownersRule, ...]
    problems: tuple[ParseProblem, ...] = ()

    @property
    def owners(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(o for r in self.rules for o in r.owners))

    @property
    def has_owner(self) -> bool:
        """At least one rule assigns at least one valid owner."""
        return any(r.owners for r in self.rules)

    @property
    def covers_everything(self) -> bool:
        """A catch-all rule (``*``, ``/``, ``/**``, ``**``) with an owner."""
        return any(r.owners and r.pattern in ("*", "/", "/*", "/**", "**") for r in self.rules)


_OWNER = re.compile(r"^(?:@@?[A-Za-z0-9][\w.-]*(?:/[\w.-]+)*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)$")
_GITLAB_SECTION = re.compile(r"^\^?\[([^\]]+)\](?:\[\d+\])?\s*(.*)$")


def _split_codeowners_line(line: str) -> list[str]:
    """Split on unescaped whitespace; ``#`` after whitespace starts a comment."""
    tokens: list[str] = []
    current = ""
    escaped = False
    for char in line:
        if escaped:
            current += char
            escaped = False
        elif char == "\\":
            current += char
            escaped = True
        elif char.isspace():
            if current:
                tokens.append(current)
                current = ""
        elif char == "#" and not current:
            break
        else:
            current += char
    if current:
        tokens.append(current)
    return tokens


def parse_codeowners(path: str, text: str) -> CodeownersFile:
    rules: list[CodeownersRule] = []
    problems: list[ParseProblem] = []
    section: str | None = None
    section_owners: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        header = _GITLAB_SECTION.match(stripped)
        if header:
            section = header.group(1)
            section_owners = [o for o in header.group(2).split() if _OWNER.match(o)]
            continue
        tokens = _split_codeowners_line(stripped)
        if not tokens:
            continue
        pattern, owners = tokens[0], tokens[1:] or section_owners
        valid = []
        for owner in owners:
            if _OWNER.match(owner):
                valid.append(owner)
            else:
                problems.append(
                    ParseProblem(path, f"invalid owner {owner!r} for {pattern}", number)
                )
        rules.append(CodeownersRule(number, pattern, tuple(valid), section))
    return CodeownersFile(path, tuple(rules), tuple(problems))


@dataclass(frozen=True, slots=True)
class OwnersFile:
    path: str
    format: str
    """"kubernetes" (YAML approvers/reviewers) or "plain" (one owner per line)."""
    approvers: tuple[str, ...]
    reviewers: tuple[str, ...] = ()

    @property
    def has_owner(self) -> bool:
        return bool(self.approvers or self.reviewers)


_PLAIN_OWNER = re.compile(r"^(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+|@?[A-Za-z0-9][\w.-]*(?:/[\w.-]+)?)$")


def parse_owners_file(path: str, text: str) -> OwnersFile:
    docs, _ = load_yaml_documents(text)
    value = docs[0].value if docs else None
    if isinstance(value, dict) and ({"approvers", "reviewers", "filters"} & set(value)):
        approvers = [str(a) for a in value.get("approvers") or [] if isinstance(a, str)]
        reviewers = [str(r) for r in value.get("reviewers") or [] if isinstance(r, str)]
        for rule in (
            (value.get("filters") or {}).values() if isinstance(value.get("filters"), dict) else []
        ):
            if isinstance(rule, dict):
                approvers += [str(a) for a in rule.get("approvers") or [] if isinstance(a, str)]
                reviewers += [str(r) for r in rule.get("reviewers") or [] if isinstance(r, str)]
        return OwnersFile(
            path, "kubernetes", tuple(dict.fromkeys(approvers)), tuple(dict.fromkeys(reviewers))
        )
    owners = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith(("set ", "include ", "file:", "per-file")):
            continue
        if _PLAIN_OWNER.match(line) and ("@" in line or "/" not in line):
            owners.append(line)
    return OwnersFile(path, "plain", tuple(dict.fromkeys(owners)))


@dataclass(frozen=True, slots=True)
class CatalogEntity:
    """A Backstage catalog entity (``catalog-info.yaml``)."""

    path: str
    line: int
    kind: str
    name: str | None
    owner: str | None
    lifecycle: str | None = None
    system: str | None = None
    type: str | None = None


def parse_catalog_info(
    path: str, text: str
) -> tuple[tuple[CatalogEntity, ...], tuple[ParseProblem, ...]]:
    docs, errors = load_yaml_documents(text)
    problems = [ParseProblem(path, e.message, e.line) for e in errors]
    entities = []
    for doc in docs:
        value = doc.value
        if not isinstance(value, dict) or not isinstance(value.get("kind"), str):
            continue
        api = as_str(value.get("apiVersion")) or ""
        if api and not api.startswith("backstage.io"):
            continue
        spec = value["spec"] if isinstance(value.get("spec"), dict) else {}
        entities.append(
            CatalogEntity(
                path,
                line_of(value) or doc.line,
                str(value["kind"]),
                as_str(walk_path(value, "metadata", "name")),
                as_str(spec.get("owner")),
                as_str(spec.get("lifecycle")),
                as_str(spec.get("system")),
                as_str(spec.get("type")),
            )
        )
    return tuple(entities), tuple(problems)


@dataclass(frozen=True, slots=True)
class ServiceMetadata:
    """Owner declared in a service metadata file (best effort)."""

    path: str
    line: int
    owner: str
    source: str
    """"service.yaml", "opslevel", "cortex" or "service-metadata"."""


_SERVICE_METADATA_NAMES = {
    "service.yaml": "service.yaml",
    "service.yml": "service.yaml",
    ".service-metadata": "service-metadata",
    ".service-metadata.yaml": "service-metadata",
    ".service-metadata.yml": "service-metadata",
    "service-metadata.yaml": "service-metadata",
    "service-metadata.yml": "service-metadata",
    "opslevel.yml": "opslevel",
    "opslevel.yaml": "opslevel",
    ".opslevel.yml": "opslevel",
    ".opslevel.yaml": "opslevel",
    "cortex.yaml": "cortex",
    "cortex.yml": "cortex",
}
_OWNER_KEYS = ("owner", "owners", "team", "maintainer", "maintainers", "x-cortex-owners")


def _owner_value(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list):
        names = [_owner_value(v) for v in value]
        found = [n for n in names if n]
        return ", ".join(found) if found else None
    if isinstance(value, dict):
        for key in ("name", "email", "team", "id"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return None


def parse_service_metadata(path: str, text: str) -> ServiceMetadata | None:
    source = _SERVICE_METADATA_NAMES.get(posixpath.basename(path).lower())
    if source is None:
        return None
    docs, _ = load_yaml_documents(text)
    if not docs or not isinstance(docs[0].value, dict):
        return None
    tree = docs[0].value
    if "apiVersion" in tree and "kind" in tree:
        return None  # a Kubernetes Service manifest named service.yaml
    for container in (tree, tree.get("service"), tree.get("info")):
        if not isinstance(container, dict):
            continue
        for key in _OWNER_KEYS:
            owner = _owner_value(container.get(key))
            if owner:
                return ServiceMetadata(path, line_of(container, key) or 1, owner, source)
    return None


@dataclass(frozen=True, slots=True)
class OwnershipFacts:
    codeowners: tuple[CodeownersFile, ...] = ()
    owners_files: tuple[OwnersFile, ...] = ()
    catalog_entities: tuple[CatalogEntity, ...] = ()
    service_metadata: tuple[ServiceMetadata, ...] = ()
    maintainers_files: tuple[str, ...] = ()
    """MAINTAINERS files: a weaker signal (people, not an ownership rule)."""

    @property
    def effective_codeowners(self) -> CodeownersFile | None:
        """The file GitHub uses: ``.github/``, then the root, then ``docs/``
        (GitLab also reads ``.gitlab/``)."""
        by_path = {c.path: c for c in self.codeowners}
        for candidate in (
            ".github/CODEOWNERS",
            "CODEOWNERS",
            "docs/CODEOWNERS",
            ".gitlab/CODEOWNERS",
        ):
            if candidate in by_path:
                return by_path[candidate]
        return None

    @property
    def has_owner(self) -> bool:
        effective = self.effective_codeowners
        return (
            (effective is not None and effective.has_owner)
            or any(o.has_owner for o in self.owners_files)
            or any(e.owner for e in self.catalog_entities)
            or bool(self.service_metadata)
        )


# --------------------------------------------------------------------------- combine


@dataclass(frozen=True, slots=True)
class DocsFacts:
    readme: ReadmeFacts | None = None
    openapi_specs: tuple[OpenApiSpec, ...] = ()
    asyncapi_specs: tuple[AsyncApiSpec, ...] = ()
    proto_files: tuple[ProtoFile, ...] = ()
    graphql_schemas: tuple[GraphqlSchema, ...] = ()
    adrs: AdrFacts = AdrFacts((), ())
    runbooks: tuple[Runbook, ...] = ()
    ownership: OwnershipFacts = OwnershipFacts()
    problems: tuple[ParseProblem, ...] = ()

    @property
    def valid_openapi_specs(self) -> tuple[OpenApiSpec, ...]:
        return tuple(s for s in self.openapi_specs if s.valid)


_SKIP_SPEC_DIRS = frozenset({"node_modules", "vendor", "third_party", ".git"})


def _under(path: str, root: str) -> bool:
    prefix = root.strip("/")
    return not prefix or path == prefix or path.startswith(prefix + "/")


class _Gather:
    """Accumulates per-file results while ``docs_facts`` walks the files."""

    def __init__(self) -> None:
        self.problems: list[ParseProblem] = []
        self.openapi: list[OpenApiSpec] = []
        self.asyncapi: list[AsyncApiSpec] = []
        self.protos: list[ProtoFile] = []
        self.graphql: list[GraphqlSchema] = []
        self.adrs: list[AdrRecord] = []
        self.runbooks: list[Runbook] = []
        self.codeowners: list[CodeownersFile] = []
        self.owners: list[OwnersFile] = []
        self.entities: list[CatalogEntity] = []
        self.metadata: list[ServiceMetadata] = []

    def spec(self, found: ApiDocument) -> None:
        spec, async_spec, problem = found
        if spec is not None:
            self.openapi.append(spec)
        elif async_spec is not None:
            self.asyncapi.append(async_spec)
        if problem is not None:
            self.problems.append(problem)

    def codeowners_file(self, path: str, text: str) -> None:
        parsed = parse_codeowners(path, text)
        self.codeowners.append(parsed)
        self.problems.extend(parsed.problems)

    def catalog(self, path: str, text: str) -> None:
        found, problems = parse_catalog_info(path, text)
        self.entities.extend(found)
        self.problems.extend(problems)

    def service_metadata(self, path: str, text: str) -> None:
        meta = parse_service_metadata(path, text)
        if meta is not None:
            self.metadata.append(meta)

    def add(self, kind: str, path: str, text: str) -> None:
        """The files that are not per-file facts (``spec`` and ``adr`` are)."""
        if kind == "proto":
            self.protos.append(parse_proto(path, text))
        elif kind == "graphql":
            schema = parse_graphql_schema(path, text)
            if schema is not None:
                self.graphql.append(schema)
        elif kind == "runbook":
            self.runbooks.append(parse_runbook(path, text))
        elif kind == "codeowners":
            self.codeowners_file(path, text)
        elif kind == "owners":
            self.owners.append(parse_owners_file(path, text))
        elif kind == "catalog":
            self.catalog(path, text)
        elif kind == "service-metadata":
            self.service_metadata(path, text)


ApiDocument = tuple[OpenApiSpec | None, AsyncApiSpec | None, ParseProblem | None]
"""What a YAML or JSON file holds for ``docs_facts``: an OpenAPI/Swagger
document, else an AsyncAPI one, and the problem with it."""


def api_document(path: str, text: str) -> ApiDocument:
    """``ApiDocument`` of one file: the per-file kind ``docs.spec``, kept by the
    fact cache so a rescan neither reads nor validates unchanged specs."""
    spec, problem = parse_openapi(path, text)
    if spec is not None:
        return spec, None, problem
    async_spec, async_problem = parse_asyncapi(path, text)
    return None, async_spec, problem or async_problem


def is_spec_candidate(path: str) -> bool:
    """Whether ``docs_facts`` reads ``path`` as a possible API document."""
    return _default_doc_kind(path) == "spec"


def is_default_adr(path: str) -> bool:
    """Whether ``docs_facts`` reads ``path`` as a decision record when the
    repository names no ADR folder of its own (``.adr-dir``)."""
    return _default_doc_kind(path) == "adr"


@functools.lru_cache(maxsize=65536)
def _default_doc_kind(path: str) -> str | None:
    """``_doc_kind`` without a configured ADR folder, skipped folders
    excluded: asked for every file by the scan's plan and by every
    service's ``docs_facts``, so kept per path."""
    if set(path.split("/")[:-1]) & _SKIP_SPEC_DIRS:
        return None
    return _doc_kind(path, posixpath.basename(path).lower(), None)


def _configured_adr_dir(files: RepoFiles, paths: list[str], root: str) -> str | None:
    base = root.strip("/")
    marker = posixpath.join(base, ".adr-dir") if base else ".adr-dir"
    if marker not in paths:
        return None
    content = (files.read_text(marker) or "").strip()
    return posixpath.normpath(posixpath.join(base, content)) if content else None


def docs_facts(files: RepoFiles, root: str = "") -> DocsFacts:
    """Documentation facts for the files under ``root`` ("" = everything)."""
    paths = [p for p in files.paths() if _under(p, root)]
    readme_path = find_readme(paths, root)
    readme = None
    if readme_path is not None:
        text = files.read_text(readme_path)
        readme = parse_readme(readme_path, text) if text is not None else None
    configured = _configured_adr_dir(files, paths, root)
    gather = _Gather()
    maintainers: list[str] = []
    for path in paths:
        if configured is None:
            kind = _default_doc_kind(path)
        elif set(path.split("/")[:-1]) & _SKIP_SPEC_DIRS:
            continue
        else:
            kind = _doc_kind(path, posixpath.basename(path).lower(), configured)
        if kind == "maintainers":
            maintainers.append(path)
        elif kind == "spec":  # per-file facts: from the scan (and its cache) when known
            found = file_fact(files, "docs.spec", path, api_document)
            if found is not None:
                gather.spec(found)
        elif kind == "adr":
            record = file_fact(files, "docs.adr", path, parse_adr)
            if record is not None:
                gather.adrs.append(record)
        elif kind is not None:
            text = files.read_text(path)
            if text is not None:
                gather.add(kind, path, text)
    adr_dirs = sorted({posixpath.dirname(r.path) for r in gather.adrs})
    return DocsFacts(
        readme=readme,
        openapi_specs=tuple(gather.openapi),
        asyncapi_specs=tuple(gather.asyncapi),
        proto_files=tuple(gather.protos),
        graphql_schemas=tuple(gather.graphql),
        adrs=AdrFacts(tuple(adr_dirs), tuple(gather.adrs), configured),
        runbooks=tuple(gather.runbooks),
        ownership=OwnershipFacts(
            tuple(gather.codeowners),
            tuple(gather.owners),
            tuple(gather.entities),
            tuple(gather.metadata),
            tuple(maintainers),
        ),
        problems=tuple(gather.problems),
    )


def _doc_kind(path: str, lower: str, configured_adr_dir: str | None) -> str | None:
    """Which docs parser a file goes to, by its path alone."""
    ext = posixpath.splitext(lower)[1]
    if lower == "codeowners":
        return "codeowners"
    if lower in ("owners", "owners.yaml"):
        return "owners"
    if lower in ("catalog-info.yaml", "catalog-info.yml") or (
        "/.backstage/" in f"/{path}" and ext in (".yaml", ".yml")
    ):
        return "catalog"
    if lower in _SERVICE_METADATA_NAMES:
        return "service-metadata"
    if lower in ("maintainers", "maintainers.md", "maintainers.txt"):
        return "maintainers"
    if ext == ".proto":
        return "proto"
    if ext in (".graphql", ".graphqls", ".gql"):
        return "graphql"
    if ext in (".yaml", ".yml", ".json"):
        return "spec"
    if is_adr_path(path, configured_adr_dir):
        return "adr"
    if runbook_kind(path) is not None:
        return "runbook"
    return None
