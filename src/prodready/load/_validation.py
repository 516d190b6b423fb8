"""Turn pydantic validation errors into messages a user can act on.

pydantic's own text is written for developers (``Value error, ...``, type
names, documentation URLs). Users of a plan file or a command-line option
need: where (file and key path), what was expected, and what they wrote.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError


def key_path(loc: Sequence[int | str]) -> str:
    """``("profile", 1, "rate")`` -> ``profile[1].rate``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def describe_errors(exc: ValidationError, where: str) -> str:
    """One line per problem: ``where: key: what was expected (got X)``."""
    lines = []
    for error in exc.errors(include_url=False):
        loc = _without_union_tags(list(error["loc"]))
        message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; docs/load.md lists the keys)"
        elif error["type"] == "missing":
            message = "required key is missing"
        elif error["type"] == "union_tag_invalid":
            expected = error.get("ctx", {}).get("expected_tags", "")
            message = f"unknown type; expected one of {expected}"
        elif error["type"] == "union_tag_not_found":
            message = "a 'type' key is required (constant, linear, step, spike, soak or sine)"
        got = ""
        value = error.get("input")
        shows_input = error["type"] not in {"missing", "extra_forbidden"} and "got " not in message
        if shows_input and isinstance(value, str | int | float) and not isinstance(value, bool):
            got = f" (got {value!r})"
        located = f"{where}: {key_path(loc)}" if loc else where
        lines.append(f"{located}: {message}{got}")
    return "\n".join(lines)


# Discriminated unions put the tag into the error path ("profile", 1,
# "constant", "rate"); users never wrote that segment, so it is dropped.
_UNION_TAGS = frozenset({"constant", "linear", "ramp", "step", "spike", "soak", "sine"})


def _without_union_tags(loc: list[int | str]) -> list[int | str]:
    kept: list[int | str] = []
    for index, part in enumerate(loc):
        is_tag = (
            isinstance(part, str)
            and part in _UNION_TAGS
            and (index == 0 or isinstance(loc[index - 1], int))
        )
        if not is_tag:
            kept.append(part)
    return kept
