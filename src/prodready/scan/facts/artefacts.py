"""Parsing a file's text into an artefact: one pure function per kind.

Every parsed artefact (TOML, YAML documents, JSON, a Python syntax tree) is
produced by exactly one function here, ``text -> Parsed``. Keeping parsing
behind one function per kind is what lets the engine cache it: per scan
today (``Facts`` memoises by path), and per content hash across scans later,
without any collector changing.

Parsers never raise for bad input: a broken file becomes a ``Parsed`` whose
``problem`` says where and why, and the engine reports it as a warning.
"""

from __future__ import annotations

import ast
import json
import threading
import tomllib
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import yaml

from prodready.scan.facts.source import ParseProblem

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Parsed(Generic[T]):
    """A parse result: ``value`` when it parsed, else ``problem``."""

    value: T | None
    problem: ParseProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def parse_toml(path: str, text: str) -> Parsed[dict[str, Any]]:
    try:
        return Parsed(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        return Parsed(None, ParseProblem(path, f"invalid TOML: {_first_line(exc)}", line))
    except (RecursionError, ValueError) as exc:
        return Parsed(None, ParseProblem(path, f"invalid TOML: {_first_line(exc)}"))


def parse_json(path: str, text: str) -> Parsed[Any]:
    try:
        return Parsed(json.loads(text))
    except json.JSONDecodeError as exc:
        return Parsed(None, ParseProblem(path, f"invalid JSON: {exc.msg}", exc.lineno))
    except (RecursionError, ValueError) as exc:
        return Parsed(None, ParseProblem(path, f"invalid JSON: {_first_line(exc)}"))


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that accepts application tags (GitLab's ``!reference``,
    CloudFormation's ``!Ref``) as plain values instead of failing the file."""


def _construct_unknown(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_TolerantLoader.add_multi_constructor("!", _construct_unknown)
_TolerantLoader.add_multi_constructor("tag:", _construct_unknown)


def parse_yaml_documents(path: str, text: str) -> Parsed[list[Any]]:
    """All documents of a (possibly multi-document) YAML file."""
    try:
        documents = list(yaml.load_all(text, Loader=_TolerantLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or exc.context or "syntax error"
        return Parsed(None, ParseProblem(path, f"invalid YAML: {reason}", line))
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        return Parsed(None, ParseProblem(path, f"invalid YAML: {_first_line(exc)}"))
    return Parsed(documents)


_AST_LOCK = threading.Lock()


def parse_python(path: str, text: str) -> Parsed[ast.Module]:
    """The syntax tree of a Python file. Never imports or runs it.

    ``ast.parse`` warns about things like invalid escape sequences; those are
    the scanned code's business, not ours, so they are silenced (under a lock,
    because the warnings filter is process-global).
    """
    try:
        with _AST_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Parsed(ast.parse(text, filename=path))
    except SyntaxError as exc:
        message = f"Python syntax error: {exc.msg}"
        return Parsed(None, ParseProblem(path, message, exc.lineno or None))
    except (RecursionError, ValueError, MemoryError) as exc:
        return Parsed(None, ParseProblem(path, f"Python file not parsable: {_first_line(exc)}"))


PARSERS: dict[str, Callable[[str, str], Parsed[Any]]] = {
    "toml": parse_toml,
    "json": parse_json,
    "yaml": parse_yaml_documents,
    "python": parse_python,
}
"""Artefact kind -> parser. The cache key of an artefact is (kind, path)."""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _line_from_message(message: str) -> int | None:
    marker = "line "
    if marker not in message:
        return None
    digits = ""
    for char in message.split(marker, 1)[1]:
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits else None
