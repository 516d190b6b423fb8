"""Just enough Markdown / reStructuredText / AsciiDoc structure for the docs
collectors: headings with levels and lines, the body of each section, code
blocks (fenced, indented, ``.. code-block::``, ``::`` literal blocks,
AsciiDoc ``----`` listings), inline code spans and links.

Not a renderer: the point is to tell prose from code and to know which
heading a line sits under, so "how to run" means a command under a Usage
heading, not the word "run" somewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+:.])\1{2,}[ \t]*$")
_ADOC_HEADING = re.compile(r"^(={1,6})[ \t]+(\S.*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_RST_DIRECTIVE = re.compile(r"^\.\.\s+(?:code-block|code|sourcecode)::\s*(\S*)", re.IGNORECASE)
_INLINE_CODE = re.compile(r"(`{1,2})([^`\n]+?)\1(?!_)")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_MD_REF_LINK = re.compile(r"!?\[([^\]]+)\]\[[^\]]*\]")
_MD_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+")
_RST_LINK = re.compile(r"`([^`<]*)<([^>]+)>`_{1,2}")
_ADOC_LINK = re.compile(r"(?:https?://\S+|link:\S+)\[([^\]]*)\]")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_URL = re.compile(r"https?://[^\s)>\]]+")
_HTML_TAG = re.compile(r"<[^>\n]+>")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


@dataclass(frozen=True, slots=True)
class Heading:
    line: int
    level: int
    text: str


@dataclass(frozen=True, slots=True)
class CodeBlock:
    line: int
    language: str
    lines: tuple[tuple[int, str], ...]
    """(1-based line, text) of each line of the block's content."""


@dataclass(slots=True)
class Section:
    """A heading (None for the text before the first one) and its content."""

    heading: Heading | None
    prose: list[tuple[int, str]] = field(default_factory=list)
    code: list[CodeBlock] = field(default_factory=list)


@dataclass(slots=True)
class Document:
    format: str
    sections: list[Section]
    links: int
    link_lines: int
    content_lines: int
    prose_words: int
    """Words of prose that are not link text, badges, headings or code."""
    words: int

    @property
    def headings(self) -> list[Heading]:
        return [s.heading for s in self.sections if s.heading is not None]

    @property
    def code_blocks(self) -> list[CodeBlock]:
        return [block for s in self.sections for block in s.code]


def detect_format(path: str) -> str:
    lower = path.lower()
    if lower.endswith(".rst"):
        return "rst"
    if lower.endswith((".adoc", ".asciidoc")):
        return "asciidoc"
    if lower.endswith(".txt"):
        return "text"
    return "markdown"


def inline_code(text: str) -> list[str]:
    return [m.group(2).strip() for m in _INLINE_CODE.finditer(text)]


def _strip_links(text: str) -> tuple[str, int]:
    """Text with links and badges removed, and how many links there were."""
    count = 0

    def gone(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return " "

    for pattern in (_MD_LINK, _MD_REF_LINK, _RST_LINK, _ADOC_LINK, _AUTOLINK, _URL):
        text = pattern.sub(gone, text)
    return text, count


def _words(text: str) -> int:
    return len(_WORD.findall(text))


class _Parser:
    def __init__(self, text: str, fmt: str) -> None:
        self.lines = text.splitlines()
        self.fmt = fmt
        self.sections = [Section(None)]
        self.index = 0

    def heading_at(self, index: int) -> tuple[Heading, int] | None:
        """A heading starting at ``index`` and how many lines it uses."""
        line = self.lines[index]
        following = self.lines[index + 1] if index + 1 < len(self.lines) else ""
        if self.fmt == "asciidoc":
            match = _ADOC_HEADING.match(line)
            if match:
                return Heading(index + 1, len(match.group(1)), match.group(2).strip()), 1
        if self.fmt in ("markdown", "text", "asciidoc"):
            match = _ATX.match(line)
            if match and self.fmt != "asciidoc":
                return Heading(index + 1, len(match.group(1)), match.group(2).strip()), 1
            if (
                line.strip()
                and _SETEXT.match(following)
                and not _FENCE.match(line)
                and (len(following.strip()) >= 2 or self.fmt == "markdown")
            ):
                level = 1 if following.strip().startswith("=") else 2
                return Heading(index + 1, level, line.strip()), 2
        if self.fmt in ("rst", "text"):
            # overline + title + underline, or title + underline
            if _RST_UNDERLINE.match(line) and index + 2 < len(self.lines):
                title, under = self.lines[index + 1], self.lines[index + 2]
                if title.strip() and _RST_UNDERLINE.match(under) and under[0] == line[0]:
                    return Heading(index + 2, 1, title.strip()), 3
            if (
                line.strip()
                and _RST_UNDERLINE.match(following)
                and len(following.strip()) >= len(line.strip()) - 2
            ):
                level = {"=": 1, "-": 2, "~": 3, "^": 4}.get(following.strip()[0], 2)
                return Heading(index + 1, level, line.strip()), 2
        return None

    def fenced(self, index: int) -> int | None:
        match = _FENCE.match(self.lines[index])
        if not match:
            return None
        fence, info = match.group(1), match.group(2).strip()
        body: list[tuple[int, str]] = []
        cursor = index + 1
        while cursor < len(self.lines):
            line = self.lines[cursor]
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                break
            body.append((cursor + 1, line))
            cursor += 1
        language = info.split()[0] if info else ""
        self.sections[-1].code.append(CodeBlock(index + 1, language.strip("{}."), tuple(body)))
        return cursor + 1

    def indented(self, index: int, min_indent: int, language: str) -> int:
        """A block of lines indented by at least ``min_indent`` (blank lines allowed)."""
        body: list[tuple[int, str]] = []
        cursor = index
        while cursor < len(self.lines):
            line = self.lines[cursor].expandtabs(4)  # a tab indents to the next 4th column
            if line.strip() and len(line) - len(line.lstrip()) < min_indent:
                break
            body.append((cursor + 1, line.strip()))
            cursor += 1
        while body and not body[-1][1]:
            body.pop()
        if body:
            self.sections[-1].code.append(CodeBlock(index + 1, language, tuple(body)))
        return max(cursor, index + 1)  # always make progress, whatever the input

    def parse(self) -> list[Section]:
        previous_blank = True
        literal_next = False
        while self.index < len(self.lines):
            line = self.lines[self.index]
            end = self.fenced(self.index) if self.fmt in ("markdown", "text") else None
            if end is not None:
                self.index, previous_blank = end, True
                continue
            if self.fmt == "asciidoc" and line.strip() in ("----", "...."):
                self.index = self._delimited(self.index, line.strip())
                continue
            if self.fmt == "rst" and _RST_DIRECTIVE.match(line.strip()):
                language = _RST_DIRECTIVE.match(line.strip()).group(1)  # type: ignore[union-attr]
                cursor = self.index + 1
                while cursor < len(self.lines) and (
                    not self.lines[cursor].strip() or self.lines[cursor].strip().startswith(":")
                ):
                    cursor += 1
                self.index = self.indented(cursor, 2, language)
                continue
            if literal_next and line.strip() and line.startswith((" ", "\t")):
                self.index = self.indented(self.index, 2, "")
                literal_next = False
                continue
            if (
                self.fmt == "markdown"
                and previous_blank
                and line.startswith(("    ", "\t"))
                and line.strip()
                and not line.lstrip().startswith(("-", "*", "+"))
                and not re.match(r"\s*\d+[.)]\s", line)
            ):
                self.index = self.indented(self.index, 4, "")
                continue
            heading = self.heading_at(self.index)
            if heading is not None:
                self.sections.append(Section(heading[0]))
                self.index += heading[1]
                previous_blank = True
                continue
            if line.strip():
                self.sections[-1].prose.append((self.index + 1, line))
                if self.fmt == "rst" and line.rstrip().endswith("::"):
                    literal_next = True
                elif not line.startswith((" ", "\t")):
                    literal_next = False
            previous_blank = not line.strip()
            self.index += 1
        return self.sections

    def _delimited(self, index: int, delimiter: str) -> int:
        body: list[tuple[int, str]] = []
        cursor = index + 1
        while cursor < len(self.lines) and self.lines[cursor].strip() != delimiter:
            body.append((cursor + 1, self.lines[cursor]))
            cursor += 1
        language = ""
        if index > 0:
            attributes = re.match(r"^\[source,\s*([\w-]+)", self.lines[index - 1].strip())
            language = attributes.group(1) if attributes else ""
        self.sections[-1].code.append(CodeBlock(index + 1, language, tuple(body)))
        return cursor + 1


def parse_document(text: str, fmt: str) -> Document:
    sections = _Parser(text, fmt).parse()
    links = link_lines = content_lines = prose_words = 0
    for section in sections:
        for _, line in section.prose:
            stripped = line.strip()
            if _MD_REF_DEF.match(line):
                links += 1
                link_lines += 1
                content_lines += 1
                continue
            if stripped.startswith(("<!--", "-->", ".. |", ".. image::", ".. _")):
                continue
            without, count = _strip_links(stripped)
            without = _HTML_TAG.sub(" ", without)
            links += count
            content_lines += 1
            words = _words(without.strip("-*+>|#: "))
            if count and words <= 3:
                link_lines += 1
            prose_words += words
    total = sum(_words(line) for s in sections for _, line in s.prose)
    total += sum(_words(s.heading.text) for s in sections if s.heading is not None)
    return Document(fmt, sections, links, link_lines, content_lines, prose_words, total)
