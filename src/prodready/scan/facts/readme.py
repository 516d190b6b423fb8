"""README analysis: does it tell a newcomer how to run and how to test?

A README "says how to run" when a section about running/usage/getting started
holds a command (code block or inline code), or when a recognised run
command appears in code anywhere (``make run``, ``docker compose up``,
``uvicorn app:app``, ``go run ./cmd/x``, ``npm start``...). The same for
tests (``pytest``, ``go test ./...``, ``make test``...). Prose that merely
mentions the word "test" does not count: the reader needs a command.

A README whose prose is a handful of words around links ("see the wiki") is
marked ``links_only``: it describes nothing itself.

Markdown, reStructuredText and plain text are understood well enough for
this (headings, fenced/indented/literal blocks, inline code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from prodready.scan.facts.source import RepoFiles

README_NAMES = ("readme.md", "readme.rst", "readme.txt", "readme.markdown", "readme", "readme.adoc")

_RUN_HEADING = re.compile(
    r"\b(run|running|usage|use|using|getting[ -]started|quick[ -]?start|start(ing)?|"
    r"launch|serve|serving|how to use|local(ly)?|deploy(ing|ment)?|installation|install(ing)?|"
    r"set[ -]?up|commands?|cli|two commands|demo)\b",
    re.IGNORECASE,
)
_TEST_HEADING = re.compile(r"\b(test|tests|testing|how to test|running tests|checks?)\b", re.I)
_RUN_COMMAND = re.compile(
    r"""(?x)
    \bmake\s+(run|start|dev|serve|up|demo|local|docker-run|compose-up)\b
  | \bdocker(-|\s+)compose\s+(\S+\s+)*?up\b | \bdocker\s+run\b | \bpodman\s+run\b
  | \b(uvicorn|gunicorn|hypercorn|daphne|granian)\s+\S
  | \bflask\s+run\b | \bfastapi\s+(run|dev)\b | \bmanage\.py\s+runserver\b
  | \bpython3?\s+(-m\s+[\w.]+|[\w./-]+\.py\b) | \buv\s+run\b | \bpoetry\s+run\b
  | \bgo\s+run\b | \bgo\s+install\b | \bgo\s+build\b
  | \b(npm|pnpm|yarn|bun)\s+(run\s+)?(start|dev|serve)\b | \bnode\s+\S+\.m?js\b
  | \b(\./)?gradlew?\s+(bootRun|run)\b | \bmvn\w*\s+spring-boot:run\b | \bjava\s+-jar\b
  | \bkubectl\s+apply\b | \bhelm\s+install\b | \bskaffold\s+(dev|run)\b | \btilt\s+up\b
  | \bcargo\s+run\b
    """
)
_TEST_COMMAND = re.compile(
    r"""(?x)
    \bpytest\b | \bpy\.test\b | \bpython3?\s+-m\s+(pytest|unittest)\b | \btox\b | \bnox\b
  | \bmake\s+(test|tests|check|unit|unittest|unit-test|test-unit|ci|verify)\b
  | \bgo\s+test\b | \bginkgo\b | \bgotestsum\b
  | \b(npm|pnpm|yarn|bun)\s+(run\s+)?test\b | \bnpx\s+(jest|vitest|mocha)\b | \b(jest|vitest)\b
  | \b(\./)?gradlew?\s+(test|check)\b | \bmvnw?\s+(\S+\s+)*?(test|verify)\b
  | \bcargo\s+test\b | \bhatch\s+(run\s+)?test\b | \bbehave\b | \bgodog\b
    """
)
_URL = re.compile(r"https?://\S+|www\.\S+")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)]*)\)")
_RST_LINK = re.compile(r"`([^`<]*)<[^>]+>`_+")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_UNDERLINE = re.compile(r"^(=+|-+|~+|\^+|\*+|\++|#+)\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"`([^`]+)`")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")

LINKS_ONLY_MAX_WORDS = 30


@dataclass(frozen=True, slots=True)
class Mention:
    """Where the README covers a topic, and the command or heading that shows it."""

    line: int
    text: str


@dataclass(frozen=True, slots=True)
class Heading:
    line: int
    level: int
    text: str


@dataclass(frozen=True, slots=True)
class ReadmeDoc:
    path: str
    headings: tuple[Heading, ...]
    words: int
    """Words of prose, not counting link targets and code."""
    links: int
    run: Mention | None
    test: Mention | None

    @property
    def links_only(self) -> bool:
        return self.links > 0 and self.words < LINKS_ONLY_MAX_WORDS and self.run is None


@dataclass(frozen=True, slots=True)
class ReadmeFacts:
    primary: ReadmeDoc | None
    """The service's README: in its own folder, else the repository root's."""
    all: tuple[ReadmeDoc, ...]


@dataclass(slots=True)
class _Section:
    heading: Heading | None
    code: list[tuple[int, str]]


def _is_readme(path: str) -> bool:
    return PurePosixPath(path).name.lower() in README_NAMES


def analyse_readmes(files: RepoFiles) -> ReadmeFacts:
    """Analyse every README; pick the one closest to the service's folder.

    ``files`` may carry a ``scope`` (a ``Facts``); without one the root
    README is the primary one.
    """
    prefix = getattr(getattr(files, "scope", None), "prefix", "")
    docs: list[ReadmeDoc] = []
    for path in files.paths():
        if _is_readme(path):
            text = files.read_text(path)
            if text is not None:
                docs.append(analyse_readme(path, text))
    by_dir = {str(PurePosixPath(d.path).parent): d for d in sorted(docs, key=_preference)}
    own_dir = prefix.rstrip("/") or "."
    primary = by_dir.get(own_dir) or by_dir.get(".")
    return ReadmeFacts(primary=primary, all=tuple(docs))


def _preference(doc: ReadmeDoc) -> tuple[int, str]:
    # Sorted so that, per folder, the most specific format is inserted last and wins.
    order = {"readme.md": 5, "readme.markdown": 4, "readme.rst": 3, "readme.adoc": 2}
    return (order.get(PurePosixPath(doc.path).name.lower(), 1), doc.path)


def analyse_readme(path: str, text: str) -> ReadmeDoc:
    lines = text.splitlines()
    sections = [_Section(None, [])]
    headings: list[Heading] = []
    prose: list[str] = []
    in_fence = False
    previous_blank = True
    in_indented = False
    for index, line in enumerate(lines):
        number = index + 1
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            sections[-1].code.append((number, line))
            continue
        heading = _heading(lines, index)
        if heading is not None:
            headings.append(heading)
            sections.append(_Section(heading, []))
            continue
        if _UNDERLINE.match(line) and index > 0 and lines[index - 1].strip():
            continue  # the underline of a setext/rst heading
        stripped = line.strip()
        indented = line.startswith(("    ", "\t")) and bool(stripped)
        in_indented = indented and (previous_blank or in_indented)
        if in_indented:
            sections[-1].code.append((number, stripped))
        elif stripped.startswith(("$ ", "> $ ", ">>> ")):
            sections[-1].code.append((number, stripped.lstrip("> $")))
        else:
            for code in _INLINE_CODE.findall(line):
                sections[-1].code.append((number, code))
            prose.append(_INLINE_CODE.sub(" ", line))
        previous_blank = not stripped
    prose_text = "\n".join(prose)
    links = len(_MD_LINK.findall(prose_text)) + len(_RST_LINK.findall(prose_text))
    links += len(_URL.findall(_MD_LINK.sub(" ", prose_text)))
    words_text = _URL.sub(" ", _MD_LINK.sub(lambda m: f" {m.group(1)} ", prose_text))
    words = len(_WORD.findall(words_text))
    return ReadmeDoc(
        path=path,
        headings=tuple(headings),
        words=words,
        links=links,
        run=_find(sections, _RUN_HEADING, _RUN_COMMAND),
        test=_find(sections, _TEST_HEADING, _TEST_COMMAND),
    )


def _heading(lines: list[str], index: int) -> Heading | None:
    line = lines[index]
    match = _MD_HEADING.match(line)
    if match:
        return Heading(index + 1, len(match.group(1)), match.group(2).strip())
    if line.strip() and index + 1 < len(lines):
        under = lines[index + 1]
        if _UNDERLINE.match(under) and len(under.strip()) >= max(3, len(line.strip()) // 2):
            level = 1 if under.strip()[0] in "=#" else 2
            return Heading(index + 1, level, line.strip())
    return None


def _find(
    sections: list[_Section], heading: re.Pattern[str], command: re.Pattern[str]
) -> Mention | None:
    """A recognised command anywhere in code wins; else a matching heading whose
    section shows some command."""
    for section in sections:
        for number, code in section.code:
            match = command.search(code)
            if match:
                return Mention(number, _clip(code.strip()))
    for section in sections:
        if section.heading and heading.search(section.heading.text) and section.code:
            number, code = section.code[0]
            return Mention(section.heading.line, f"{section.heading.text}: {_clip(code.strip())}")
    return None


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
