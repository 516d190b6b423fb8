"""What language a file is written in, from its name and, failing that, its shebang.

Checks ask "which languages does this service use?" (``cq.lint`` wants a linter
per main language) and collectors ask "which files are Go?". The answer comes
from the file name first (fast, unambiguous for nearly every file) and from a
``#!`` line for extension-less scripts. Content sniffing stops there on
purpose: guessing a language from keywords misfires on documentation and data.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

PROGRAMMING_LANGUAGES = frozenset(
    {
        "c",
        "cpp",
        "csharp",
        "go",
        "java",
        "javascript",
        "kotlin",
        "php",
        "python",
        "ruby",
        "rust",
        "scala",
        "shell",
        "swift",
        "typescript",
    }
)
"""Languages whose files count as code (lines of code, test-to-code ratio...)."""

_BY_EXTENSION = {
    ".py": "python",
    ".pyi": "python",
    ".pyw": "python",
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
    ".kt": "kotlin",
    ".kts": "kotlin",
    ".scala": "scala",
    ".rb": "ruby",
    ".rs": "rust",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".cs": "csharp",
    ".php": "php",
    ".swift": "swift",
    ".sh": "shell",
    ".bash": "shell",
    ".zsh": "shell",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".toml": "toml",
    ".json": "json",
    ".jsonnet": "jsonnet",
    ".libsonnet": "jsonnet",
    ".md": "markdown",
    ".markdown": "markdown",
    ".rst": "restructuredtext",
    ".adoc": "asciidoc",
    ".txt": "text",
    ".cfg": "ini",
    ".ini": "ini",
    ".proto": "protobuf",
    ".feature": "gherkin",
    ".tf": "terraform",
    ".groovy": "groovy",
    ".gradle": "groovy",
    ".xml": "xml",
    ".html": "html",
    ".htm": "html",
    ".css": "css",
    ".sql": "sql",
    ".mk": "make",
    ".dockerfile": "dockerfile",
}

_BY_NAME = {
    "dockerfile": "dockerfile",
    "containerfile": "dockerfile",
    "makefile": "make",
    "gnumakefile": "make",
    "jenkinsfile": "groovy",
    "pipfile": "toml",
    "go.mod": "gomod",
    "go.sum": "gosum",
    "procfile": "procfile",
}

_SHEBANG = re.compile(r"^#!\s*(?:/usr)?(?:/local)?/bin/(?:env\s+(?:-\S+\s+)*)?(\S+)")
_INTERPRETERS = (
    (re.compile(r"^python(?:[0-9.]*)$"), "python"),
    (re.compile(r"^(?:ba|z|k|da)?sh$"), "shell"),
    (re.compile(r"^(?:node|nodejs|deno|bun)$"), "javascript"),
    (re.compile(r"^(?:ts-node|tsx)$"), "typescript"),
    (re.compile(r"^ruby$"), "ruby"),
)


def language_of(path: str, first_line: str = "") -> str | None:
    """The language of ``path`` (repo-relative POSIX), or None when unknown.

    ``first_line`` is the file's first line, used for extension-less scripts.
    """
    name = PurePosixPath(path).name
    lowered = name.lower()
    if lowered in _BY_NAME:
        return _BY_NAME[lowered]
    if lowered.startswith(("dockerfile.", "containerfile.")):
        return "dockerfile"
    suffix = PurePosixPath(lowered).suffix
    if suffix in _BY_EXTENSION:
        return _BY_EXTENSION[suffix]
    if first_line.startswith("#!"):
        return _language_of_shebang(first_line)
    return None


def _language_of_shebang(line: str) -> str | None:
    match = _SHEBANG.match(line)
    if not match:
        return None
    interpreter = match.group(1)
    for pattern, language in _INTERPRETERS:
        if pattern.match(interpreter):
            return language
    return None


def is_programming_language(language: str | None) -> bool:
    return language in PROGRAMMING_LANGUAGES
