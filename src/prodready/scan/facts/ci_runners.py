"""Task runners CI calls into, as one shape: units of steps.

A Makefile target, a tox environment, a nox session, an npm script, a just
recipe, a Taskfile task, a hatch/pdm/poe/rye/pixi script and a pre-commit
hook are all "a named unit that runs some commands, maybe after other
units". Reading each into ``RunnerUnit`` lets one engine (``ci_follow``)
follow ``make lint`` or ``tox -e lint`` or ``npm run lint`` the same way,
with one notion of "this failure is ignored" (Make's ``-`` prefix, tox's
``-`` and ``ignore_outcome``, just's ``-``, Task's ``ignore_error``, nox's
``success_codes``).

Parsers here read text only: ``noxfile.py`` through ``ast`` (never
imported), Makefiles line by line with simple variable expansion.
"""

from __future__ import annotations

import ast
import json
import posixpath
import re
import shlex
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from prodready.scan.facts.ci_ini import IniFile
from prodready.scan.facts.ci_tools import Classified
from prodready.scan.facts.ci_yaml import as_dict, line_of, load_yaml
from prodready.scan.facts.source import ParseProblem

Reader = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class RunnerStep:
    """One thing a unit does: run shell text, run a pre-classified tool, or
    run another unit of the same file (``ref``)."""

    line: int | None
    text: str | None = None
    ref: str | None = None
    classified: Classified | None = None
    literal: bool = True
    """Each line of ``text`` is a line of the file (from ``line`` on)."""
    ignore_errors: str | None = None
    """Why a failure of this step does not fail the unit (``-`` prefix...)."""
    errexit: bool = False
    pipefail: bool = False
    dirty_fails: bool = False
    """Modified files fail the unit (pre-commit)."""


@dataclass(frozen=True, slots=True)
class RunnerUnit:
    runner: str
    name: str
    path: str
    line: int | None
    cwd: str
    label: str
    deps: tuple[str, ...] = ()
    steps: tuple[RunnerStep, ...] = ()
    mask: str | None = None
    """Why the unit as a whole never fails (tox ``ignore_outcome``)."""


@dataclass(slots=True)
class RunnerFile:
    runner: str
    path: str
    units: dict[str, RunnerUnit] = field(default_factory=dict)
    default: tuple[str, ...] = ()
    problems: list[ParseProblem] = field(default_factory=list)


def _dir(path: str) -> str:
    return posixpath.dirname(path) or "."


# -------------------------------------------------------------------- Make

_MAKE_FUNCTIONS = frozenset(
    [
        "shell",
        "wildcard",
        "patsubst",
        "subst",
        "foreach",
        "call",
        "if",
        "or",
        "and",
        "filter",
        "filter-out",
        "notdir",
        "dir",
        "basename",
        "suffix",
        "addprefix",
        "addsuffix",
        "abspath",
        "realpath",
        "strip",
        "word",
        "words",
        "wordlist",
        "firstword",
        "lastword",
        "sort",
        "eval",
        "origin",
        "value",
        "info",
        "warning",
        "error",
        "join",
        "findstring",
        "flavor",
        "file",
        "let",
        "intcmp",
        "guile",
    ]
)
_ASSIGN = re.compile(
    r"^(?:(?:export|override|private)\s+)*([A-Za-z0-9_.\-/]+)\s*(::?=|:::=|\?=|\+=|!=|=)(.*)$"
)
_MAX_EXPANSION = 20_000


def make_expand(
    text: str, variables: dict[str, str], auto: dict[str, str] | None = None, depth: int = 0
) -> str:
    """Expand ``$(VAR)``, ``${VAR}``, ``$@``, ``$(MAKE)`` and ``$$`` the way
    make would for simple variables; functions (``$(shell ...)``) expand to
    nothing, unknown variables to nothing (as make does)."""
    if "$" not in text or depth > 8:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    auto = auto or {}
    while i < n:
        c = text[i]
        if c != "$" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
            continue
        if nxt in "({":
            close = ")" if nxt == "(" else "}"
            level, j = 0, i + 1
            while j < n:
                if text[j] == nxt:
                    level += 1
                elif text[j] == close:
                    level -= 1
                    if level == 0:
                        break
                j += 1
            inner = text[i + 2 : j]
            i = j + 1
            head = inner.split(None, 1)[0] if inner.strip() else ""
            if head in _MAKE_FUNCTIONS and (" " in inner or "\t" in inner):
                continue
            name = make_expand(inner, variables, auto, depth + 1).split(":", 1)[0].strip()
            out.append(_make_var(name, variables, auto, depth))
        else:
            out.append(_make_var(nxt, variables, auto, depth))
            i += 2
        if sum(len(part) for part in out) > _MAX_EXPANSION:
            break
    return "".join(out)


def _make_var(name: str, variables: dict[str, str], auto: dict[str, str], depth: int) -> str:
    if name in auto:
        return auto[name]
    if name in ("MAKE", "MAKE_COMMAND"):
        return "make"
    if name == "CURDIR":
        return "."
    value = variables.get(name)
    if value is None:
        return ""
    return make_expand(value, variables, auto, depth + 1)


def _logical_lines(text: str) -> Iterable[tuple[int, str, bool]]:
    """(first line, text, is_recipe) with backslash continuations joined
    (recipes keep them, as make passes them to the shell)."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        start = index
        raw = lines[index]
        recipe = raw.startswith("\t")
        parts = [raw]
        while parts[-1].endswith("\\") and index + 1 < len(lines):
            index += 1
            parts.append(lines[index])
        index += 1
        if recipe:
            yield start + 1, "\n".join(parts), True
        else:
            joined = " ".join(p[:-1] if p.endswith("\\") else p for p in parts)
            yield start + 1, joined, False


def parse_makefile(path: str, text: str, read: Reader) -> RunnerFile:
    """Targets, their prerequisites and recipe lines, with includes."""
    result = RunnerFile("make", path)
    variables: dict[str, str] = {}
    rules: dict[str, tuple[str, int, list[str], list[tuple[int, str]]]] = {}
    order: list[str] = []
    specials: dict[str, list[str]] = {}
    _read_make(path, text, read, variables, rules, order, specials, result.problems, depth=0)
    flags = make_expand(variables.get(".SHELLFLAGS", "-c"), variables)
    flag_words = flags.split()
    errexit = ".POSIX" in specials or any(
        w.startswith("-") and not w.startswith("--") and "e" in w[1:] and w != "-o"
        for w in flag_words
    )
    pipefail = "pipefail" in flag_words
    ignore_all = ".IGNORE" in specials and not specials[".IGNORE"]
    ignored = set(specials.get(".IGNORE", ()))
    oneshell = ".ONESHELL" in specials
    cwd = _dir(path)
    stems = _pattern_targets(rules, order)
    for name in [*order, *stems]:
        rule_path, line, prereqs, recipe = rules[name]
        auto = {
            "@": name,
            "<": prereqs[0] if prereqs else "",
            "^": " ".join(prereqs),
            "+": " ".join(prereqs),
        }
        auto["*"] = stems.get(name, "")
        steps: list[RunnerStep] = []
        mask = (
            "make ignores errors of this target (`.IGNORE`)"
            if ignore_all or name in ignored
            else None
        )
        if oneshell and recipe:
            body = "\n".join(_strip_prefix(make_expand(t, variables, auto))[0] for _, t in recipe)
            steps.append(RunnerStep(recipe[0][0], body, errexit=errexit, pipefail=pipefail))
        else:
            for number, raw in recipe:
                expanded, ignore = _strip_prefix(make_expand(raw, variables, auto))
                why = "make ignores errors of this line (`-` prefix)" if ignore else None
                steps.append(
                    RunnerStep(
                        number, expanded, ignore_errors=why, errexit=errexit, pipefail=pipefail
                    )
                )
        deps = tuple(p for p in prereqs if p in rules)
        result.units[name] = RunnerUnit(
            "make", name, rule_path, line, cwd, f"target {name}", deps, tuple(steps), mask
        )
    goal = make_expand(variables.get(".DEFAULT_GOAL", ""), variables).strip()
    if not goal:
        goal = next((t for t in order if not t.startswith(".")), "")
    result.default = (goal,) if goal else ()
    return result


def _pattern_match(pattern: str, name: str) -> str | None:
    """The stem ``%`` stands for when ``name`` matches ``pattern``, else None."""
    prefix, _, suffix = pattern.partition("%")
    if len(name) > len(prefix) + len(suffix) and name.startswith(prefix) and name.endswith(suffix):
        return name[len(prefix) : len(name) - len(suffix)]
    return None


def _pattern_targets(
    rules: dict[str, tuple[str, int, list[str], list[tuple[int, str]]]], order: list[str]
) -> dict[str, str]:
    """Targets that only a pattern rule makes, added to ``rules``; name -> stem.

    The forwarding idiom of shared Makefiles (``%: common-% ;``, so that
    ``make style`` runs ``common-style`` unless the including Makefile
    defines ``style`` itself) is a pattern rule whose prerequisites are
    other targets. A name gets such a rule when every prerequisite the
    pattern gives it is a target of the file: the names asked for as
    prerequisites of real targets, and those the prerequisite patterns
    reach back from existing targets (what CI may call by name). A pattern
    whose prerequisites are files (``%.o: %.c``) makes no target here.
    """
    patterns = [(k, v) for k, v in rules.items() if "%" in k]
    explicit = set(order)
    asked = [p for name in order for p in rules[name][2] if p not in explicit]
    stems: dict[str, str] = {}
    for pattern, (rule_path, line, prereqs, recipe) in patterns:
        if not prereqs:
            continue
        candidates = list(asked)
        if "%" in prereqs[0]:
            candidates.extend(
                pattern.replace("%", stem, 1)
                for name in order
                if (stem := _pattern_match(prereqs[0], name)) is not None
            )
        for name in candidates:
            stem = _pattern_match(pattern, name)
            if stem is None or name in explicit or name in stems:
                continue
            made = [p.replace("%", stem, 1) for p in prereqs]
            if all(p in explicit for p in made):
                rules[name] = (rule_path, line, made, recipe)
                stems[name] = stem
    return stems


def _strip_prefix(line: str) -> tuple[str, bool]:
    text = line.lstrip("\t")
    ignore = False
    while text[:1] in ("@", "-", "+", " "):
        if text[0] == "-":
            ignore = True
        text = text[1:]
    return text, ignore


def _read_make(  # noqa: C901 - one branch per Makefile construct
    path: str,
    text: str,
    read: Reader,
    variables: dict[str, str],
    rules: dict[str, tuple[str, int, list[str], list[tuple[int, str]]]],
    order: list[str],
    specials: dict[str, list[str]],
    problems: list[ParseProblem],
    depth: int,
) -> None:
    current: list[str] = []
    define: str | None = None
    define_lines: list[str] = []
    for number, line, is_recipe in _logical_lines(text):
        if define is not None:
            if line.strip() == "endef":
                variables[define] = "\n".join(define_lines)
                define = None
            else:
                define_lines.append(line)
            continue
        if is_recipe:
            if current and line.strip() and not line.strip().startswith("#"):
                for target in current:
                    rules[target][3].append((number, line))
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        stripped = _strip_comment(stripped)
        word = stripped.split(None, 1)[0]
        if word in ("ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "vpath", "unexport"):
            continue
        if word == "define" or stripped.startswith("override define"):
            define = stripped.removeprefix("override").split(None, 1)[-1].split("=")[0].strip()
            define_lines = []
            current = []
            continue
        if word in ("include", "-include", "sinclude"):
            current = []
            if depth >= 4:
                continue
            for name in make_expand(
                stripped.split(None, 1)[1] if " " in stripped else "", variables
            ).split():
                included = posixpath.normpath(posixpath.join(_dir(path), name))
                body = read(included)
                if body is None:
                    continue
                _read_make(
                    included, body, read, variables, rules, order, specials, problems, depth + 1
                )
            continue
        assign = _ASSIGN.match(stripped)
        if assign and not _is_rule_with_assignment(stripped):
            name, op, value = assign.group(1), assign.group(2), assign.group(3).strip()
            if op == "?=":
                variables.setdefault(name, value)
            elif op == "+=":
                variables[name] = (variables.get(name, "") + " " + value).strip()
            elif op == "!=":
                variables[name] = ""
            elif op in (":=", "::=", ":::="):
                variables[name] = make_expand(value, variables)
            else:
                variables[name] = value
            current = []
            continue
        if ":" not in stripped:
            current = []
            continue
        head, _, tail = stripped.partition(":")
        tail = tail[1:] if tail.startswith(":") else tail
        inline = None
        if ";" in tail:
            tail, _, inline = tail.partition(";")
        if _ASSIGN.match(tail.strip()) and "=" in tail:
            current = []
            continue
        targets = [t for t in make_expand(head, variables).split() if t]
        prereqs = [p for p in make_expand(tail, variables).replace("|", " ").split() if p]
        current = []
        for target in targets:
            if (target.startswith(".") and target.isupper()) or target in (".PHONY", ".SUFFIXES"):
                specials.setdefault(target, []).extend(prereqs)
                continue
            if target not in rules:
                rules[target] = (path, number, [], [])
                if "%" not in target:
                    order.append(target)
            rules[target][2].extend(p for p in prereqs if p not in rules[target][2])
            current.append(target)
        if inline is not None and inline.strip():
            for target in current:
                rules[target][3].append((number, inline.strip()))


def _is_rule_with_assignment(line: str) -> bool:
    """``target: VAR = value`` (target-specific variable) is not a plain
    assignment of a variable named ``target: VAR``."""
    match = _ASSIGN.match(line)
    return bool(match) and ":" in match.group(1)  # type: ignore[union-attr]


def _strip_comment(line: str) -> str:
    index = line.find("#")
    while index > 0 and line[index - 1] == "\\":
        index = line.find("#", index + 1)
    return line if index < 0 else line[:index].rstrip()


# --------------------------------------------------------------------- tox

_FACTOR_PREFIX = re.compile(r"^[\w.{},!-]+:\s+")


def _split_envs(text: str) -> list[str]:
    """Split an env list on commas and whitespace outside ``{...}``."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        if depth == 0 and (char == "," or char.isspace()):
            if current:
                items.append("".join(current))
                current = []
            continue
        current.append(char)
    if current:
        items.append("".join(current))
    return items


def _expand_braces(name: str) -> list[str]:
    match = re.search(r"\{([^{}]*)\}", name)
    if match is None:
        return [name]
    head, tail = name[: match.start()], name[match.end() :]
    results: list[str] = []
    for option in match.group(1).split(","):
        results.extend(_expand_braces(head + option.strip() + tail))
        if len(results) > 200:
            break
    return results


def _tox_subst(text: str) -> str:
    text = re.sub(r"\{posargs(?::([^{}]*))?\}", lambda m: m.group(1) or "", text)
    for key, value in (("{toxinidir}", "."), ("{tox_root}", "."), ("{envpython}", "python")):
        text = text.replace(key, value)
    text = (
        text.replace("{env_python}", "python")
        .replace("{envbindir}/", "")
        .replace("{env_bin_dir}/", "")
    )
    return text


def _tox_command_steps(parts: list[tuple[str, int]]) -> list[RunnerStep]:
    steps: list[RunnerStep] = []
    pending: tuple[str, int] | None = None
    for text, number in parts:
        if pending is not None:
            text, number = pending[0] + " " + text, pending[1]
            pending = None
        if text.endswith("\\"):
            pending = (text[:-1], number)
            continue
        text = (
            _FACTOR_PREFIX.sub("", text, count=1)
            if _FACTOR_PREFIX.match(text) and " " in text
            else text
        )
        ignore = None
        if text.startswith("-"):
            text = text[1:].lstrip()
            ignore = "tox ignores the exit code of a command prefixed with `-`"
        text = _tox_subst(text).strip()
        if text:
            steps.append(RunnerStep(number, text, ignore_errors=ignore, errexit=True))
    return steps


def parse_tox_ini(path: str, ini: IniFile, prefix: str = "") -> RunnerFile:
    """tox.ini (or setup.cfg's ``[tox:tox]``) environments and their commands."""
    result = RunnerFile("tox", path)
    main = "tox:tox" if prefix else "tox"
    envlist_value = ini.get(main, "env_list") or ini.get(main, "envlist")
    names: list[str] = []
    if envlist_value is not None:
        for item in _split_envs(envlist_value.text):
            names.extend(_expand_braces(item))
    base = ini.sections.get("testenv", {})
    for section in ini.sections:
        if section.startswith("testenv:"):
            for name in _expand_braces(section.split(":", 1)[1].strip()):
                if name not in names:
                    names.append(name)
    cwd = _dir(path)
    for name in names:
        section_name = f"testenv:{name}" if f"testenv:{name}" in ini.sections else "testenv"
        values = dict(base)
        values.update(ini.sections.get(section_name, {}))
        if section_name == "testenv":
            for section in ini.sections:
                if section.startswith("testenv:") and name in _expand_braces(
                    section.split(":", 1)[1].strip()
                ):
                    values.update(ini.sections[section])
                    section_name = section
        steps: list[RunnerStep] = []
        for key in ("commands_pre", "commands", "commands_post"):
            value = values.get(key)
            if value is not None:
                steps.extend(_tox_command_steps(value.parts))
        outcome = values.get("ignore_outcome")
        mask = None
        if outcome is not None and outcome.text.strip().lower() == "true":
            mask = f"tox env `{name}` sets `ignore_outcome = true`"
        line = ini.section_lines.get(section_name)
        deps_value = values.get("depends")
        deps = (
            tuple(d for d in re.split(r"[,\s]+", deps_value.text) if d)
            if deps_value is not None
            else ()
        )
        result.units[name] = RunnerUnit(
            "tox",
            name,
            path,
            line,
            cwd,
            f"tox env {name}",
            tuple(d for d in deps if d in names),
            tuple(steps),
            mask,
        )
    result.default = (
        tuple(_expand_braces_list(envlist_value.text))
        if envlist_value is not None
        else tuple(names)
    )
    return result


def _expand_braces_list(text: str) -> list[str]:
    names: list[str] = []
    for item in _split_envs(text):
        names.extend(_expand_braces(item))
    return names


def parse_tox_toml(path: str, table: dict[str, Any], text: str) -> RunnerFile:
    """tox 4 native TOML (``tox.toml`` or ``[tool.tox]`` in pyproject)."""
    result = RunnerFile("tox", path)
    env_list = table.get("env_list") or table.get("envlist") or []
    envs = table.get("env", {}) if isinstance(table.get("env"), dict) else {}
    base = table.get("env_run_base", {}) if isinstance(table.get("env_run_base"), dict) else {}
    names = [str(n) for n in env_list if isinstance(n, str)] if isinstance(env_list, list) else []
    names += [n for n in envs if n not in names]
    cwd = _dir(path)
    for name in names:
        config = dict(base)
        if isinstance(envs.get(name), dict):
            config.update(envs[name])
        line = _toml_line(text, f"env.{name}") or _toml_line(text, "env_run_base")
        steps: list[RunnerStep] = []
        for key in ("commands_pre", "commands", "commands_post"):
            commands = config.get(key)
            if not isinstance(commands, list):
                continue
            for command in commands:
                if isinstance(command, list) and all(isinstance(w, str | dict) for w in command):
                    words = [w for w in command if isinstance(w, str)]
                    ignore = None
                    if words and words[0] == "-":
                        words = words[1:]
                        ignore = "tox ignores the exit code of a command prefixed with `-`"
                    if words:
                        steps.append(
                            RunnerStep(line, shlex.join(words), ignore_errors=ignore, errexit=True)
                        )
        mask = (
            f"tox env `{name}` sets `ignore_outcome = true`"
            if config.get("ignore_outcome") is True
            else None
        )
        result.units[name] = RunnerUnit(
            "tox", name, path, line, cwd, f"tox env {name}", (), tuple(steps), mask
        )
    result.default = tuple(
        names if not env_list else [str(n) for n in env_list if isinstance(n, str)]
    )
    return result


def _toml_line(text: str, dotted: str) -> int | None:
    """Line of a ``[...dotted]`` table header (best effort)."""
    suffix = dotted.replace('"', "")
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("[") and stripped.rstrip("]").replace('"', "").endswith(suffix):
            return number
    return None


def toml_key_line(text: str, table: str, key: str) -> int | None:
    """Line of ``key = ...`` inside ``[table]`` (best effort, quotes ignored)."""
    current = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("["):
            current = stripped.strip("[]").replace('"', "").replace("'", "").strip()
            continue
        if current == table:
            name = stripped.split("=", 1)[0].strip().strip("\"'")
            if "=" in stripped and name == key:
                return number
    return None


# --------------------------------------------------------------------- nox


def parse_noxfile(path: str, text: str) -> RunnerFile:
    """Sessions of a noxfile and the commands they run, read with ``ast``."""
    result = RunnerFile("nox", path)
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        result.problems.append(
            ParseProblem(path, f"noxfile does not parse: {type(exc).__name__}", line)
        )
        return result
    defaults: list[str] = []
    tagged: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            _attr_name(t) == "nox.options.sessions" for t in node.targets
        ):
            defaults = list(_literal_strings(node.value))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            unit = _nox_session(path, node, tagged)
            if unit is not None:
                result.units[unit.name] = unit
    result.default = tuple(defaults) if defaults else tuple(result.units)
    return result


def _attr_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_attr_name(node.value)}.{node.attr}"
    return ""


def _literal_strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.List | ast.Tuple):
        return [
            e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
    return []


def _nox_session(  # noqa: C901 - one branch per file construct
    path: str, node: ast.FunctionDef | ast.AsyncFunctionDef, tagged: dict[str, list[str]]
) -> RunnerUnit | None:
    name: str | None = None
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if _attr_name(target) not in (
            "nox.session",
            "session",
            "nox_poetry.session",
            "nox_uv.session",
        ):
            continue
        name = node.name
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    name = str(keyword.value.value)
                if keyword.arg == "tags":
                    for tag in _literal_strings(keyword.value):
                        tagged.setdefault(tag, []).append(name)
    if name is None:
        return None
    param = node.args.args[0].arg if node.args.args else "session"
    steps: list[RunnerStep] = []
    for call in ast.walk(node):
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            continue
        if _attr_name(call.func.value) != param:
            continue
        method = call.func.attr
        if method in ("run", "run_always", "run_install"):
            words: list[str] = []
            for arg in call.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    words.append(arg.value)
                else:
                    break
            if not words:
                continue
            ignore = None
            for keyword in call.keywords:
                if keyword.arg == "success_codes" and isinstance(
                    keyword.value, ast.List | ast.Tuple | ast.Set
                ):
                    codes = [e.value for e in keyword.value.elts if isinstance(e, ast.Constant)]
                    if any(code != 0 for code in codes):
                        ignore = f"nox accepts exit codes {codes} (`success_codes`)"
            steps.append(
                RunnerStep(call.lineno, shlex.join(words), ignore_errors=ignore, errexit=True)
            )
        elif method == "notify" and call.args and isinstance(call.args[0], ast.Constant):
            steps.append(RunnerStep(call.lineno, ref=str(call.args[0].value)))
    cwd = _dir(path)
    return RunnerUnit("nox", name, path, node.lineno, cwd, f"nox session {name}", (), tuple(steps))


# --------------------------------------------------------------------- npm


def parse_package_scripts(path: str, text: str) -> RunnerFile:
    """``scripts`` of a package.json, with npm's ``pre``/``post`` hooks."""
    result = RunnerFile("npm", path)
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        result.problems.append(
            ParseProblem(path, f"invalid JSON: {getattr(exc, 'msg', type(exc).__name__)}", line)
        )
        return result
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return result
    lines = _json_key_lines(text, "scripts", scripts)
    cwd = _dir(path)
    for name, body in scripts.items():
        if not isinstance(body, str):
            continue
        line = lines.get(name)
        steps: list[RunnerStep] = []
        if f"pre{name}" in scripts:
            steps.append(RunnerStep(lines.get(f"pre{name}"), ref=f"pre{name}"))
        steps.append(RunnerStep(line, body, literal=False))
        if f"post{name}" in scripts:
            steps.append(RunnerStep(lines.get(f"post{name}"), ref=f"post{name}"))
        result.units[name] = RunnerUnit(
            "npm", name, path, line, cwd, f"npm script {name}", (), tuple(steps)
        )
    return result


def _json_key_lines(text: str, section: str, keys: Iterable[str]) -> dict[str, int]:
    """Lines of the keys of a top-level JSON object (best effort)."""
    start = text.find(f'"{section}"')
    result: dict[str, int] = {}
    if start < 0:
        return result
    for key in keys:
        position = text.find(json.dumps(key) + ":", start)
        if position < 0:
            position = text.find(json.dumps(key), start)
        if position >= 0:
            result[key] = text.count("\n", 0, position) + 1
    return result


# -------------------------------------------------------------------- just


def _just_header(raw: str) -> tuple[str, tuple[str, ...]] | None:
    """``name params: deps`` -> (name, deps); None for other lines."""
    text = raw.lstrip("@")
    end = 0
    while end < len(text) and (text[end].isalnum() or text[end] in "_-"):
        end += 1
    colon = text.find(":", end)
    if end == 0 or colon < 0 or text[colon + 1 : colon + 2] == "=":
        return None
    if text[end:colon].strip() and not text[end : end + 1].isspace():
        return None
    deps: list[str] = []
    for group, word in re.findall(r"\(([^)]*)\)|([A-Za-z_][\w-]*)", text[colon + 1 :]):
        name = group.split()[0] if group.strip() else word
        if name:
            deps.append(name)
    return text[:end], tuple(deps)


def parse_justfile(path: str, text: str) -> RunnerFile:  # noqa: C901 - one branch per file construct
    """Recipes of a justfile: dependencies and body lines (``-`` ignores
    errors; shebang recipes run as one script)."""
    result = RunnerFile("just", path)
    lines = text.splitlines()
    aliases: dict[str, str] = {}
    index = 0
    cwd = _dir(path)
    first: str | None = None
    while index < len(lines):
        raw = lines[index]
        index += 1
        if not raw or raw[0] in " \t#" or raw.startswith(("set ", "export ", "import ", "mod ")):
            continue
        if raw.startswith("alias "):
            name, _, target = raw[6:].partition(":=")
            aliases[name.strip()] = target.strip()
            continue
        if raw.startswith("["):
            continue
        header = _just_header(raw)
        if header is None:
            continue
        name, deps = header
        number = index
        body: list[tuple[int, str]] = []
        while index < len(lines) and (
            lines[index].startswith((" ", "\t")) or not lines[index].strip()
        ):
            if lines[index].strip():
                body.append((index + 1, lines[index].strip()))
            index += 1
        steps: list[RunnerStep] = []
        if body and body[0][1].startswith("#!"):
            shebang = body[0][1]
            script = "\n".join(t for _, t in body[1:])
            steps.append(
                RunnerStep(
                    body[1][0] if len(body) > 1 else body[0][0],
                    script,
                    errexit=" -e" in shebang or "-eu" in shebang,
                )
            )
        else:
            for number_, line in body:
                if line.startswith("#"):
                    continue
                ignore = None
                text_ = line
                while text_[:1] in ("@", "-"):
                    if text_[0] == "-":
                        ignore = "just ignores errors of a line prefixed with `-`"
                    text_ = text_[1:]
                text_ = re.sub(r"\{\{[^}]*\}\}", "", text_)
                steps.append(RunnerStep(number_, text_, ignore_errors=ignore))
        result.units[name] = RunnerUnit(
            "just", name, path, number, cwd, f"just recipe {name}", deps, tuple(steps)
        )
        if first is None:
            first = name
    for alias, target in aliases.items():
        if target in result.units and alias not in result.units:
            result.units[alias] = result.units[target]
    if "default" in result.units:
        result.default = ("default",)
    elif first is not None:
        result.default = (first,)
    return result


# -------------------------------------------------------------------- Task


def parse_taskfile(path: str, text: str) -> RunnerFile:
    """Tasks of a Taskfile.yml: ``cmds`` (strings, ``cmd:``, ``task:``), deps
    and ``ignore_error``."""
    result = RunnerFile("task", path)
    documents, problems = load_yaml(path, text)
    result.problems.extend(problems)
    doc = documents[0] if documents else None
    tasks = doc.get("tasks") if isinstance(doc, dict) else None
    if not isinstance(tasks, dict):
        return result
    cwd = _dir(path)
    for name, spec in tasks.items():
        line = line_of(tasks, name)
        steps: list[RunnerStep] = []
        deps: list[str] = []
        mask = None
        cmds: Any = spec
        if isinstance(spec, dict):
            cmds = spec.get("cmds", [spec["cmd"]] if "cmd" in spec else [])
            raw_deps = spec.get("deps", [])
            if isinstance(raw_deps, list):
                deps = [
                    d if isinstance(d, str) else str(d.get("task", ""))
                    for d in raw_deps
                    if isinstance(d, str | dict)
                ]
            if spec.get("ignore_error") is True:
                mask = f"task `{name}` sets `ignore_error: true`"
        if isinstance(cmds, str):
            cmds = [cmds]
        if not isinstance(cmds, list):
            cmds = []
        for position, cmd in enumerate(cmds):
            cmd_line = line_of(cmds, position)
            if isinstance(cmd, str):
                steps.append(
                    RunnerStep(
                        cmd_line, _strip_templates(cmd), literal=getattr(cmd, "literal", True)
                    )
                )
            elif isinstance(cmd, dict):
                if "task" in cmd:
                    steps.append(RunnerStep(cmd_line, ref=str(cmd["task"])))
                elif isinstance(cmd.get("cmd"), str) and not cmd.get("defer"):
                    ignore = (
                        "Task ignores its error (`ignore_error: true`)"
                        if cmd.get("ignore_error") is True
                        else None
                    )
                    steps.append(
                        RunnerStep(cmd_line, _strip_templates(cmd["cmd"]), ignore_errors=ignore)
                    )
        result.units[str(name)] = RunnerUnit(
            "task",
            str(name),
            path,
            line,
            cwd,
            f"task {name}",
            tuple(d for d in deps if d),
            tuple(steps),
            mask,
        )
    result.default = ("default",) if "default" in result.units else ()
    return result


def _strip_templates(text: str) -> str:
    return re.sub(r"\{\{[^}]*\}\}", "", text)


# ---------------------------------------------------- pyproject script runners

PYPROJECT_RUNNERS = ("hatch", "pdm", "poe", "rye", "pixi")


def parse_pyproject_scripts(path: str, data: dict[str, Any], text: str) -> list[RunnerFile]:
    """hatch, pdm, poe, rye and pixi scripts declared in a pyproject.toml."""
    tool = as_dict(data.get("tool"))
    assert isinstance(tool, dict)
    files: list[RunnerFile] = []
    hatch = tool.get("hatch", {}).get("envs", {}) if isinstance(tool.get("hatch"), dict) else {}
    if isinstance(hatch, dict):
        result = RunnerFile("hatch", path)
        for env, config in hatch.items():
            scripts = config.get("scripts") if isinstance(config, dict) else None
            if isinstance(scripts, dict):
                table = f"tool.hatch.envs.{env}.scripts"
                for name, value in scripts.items():
                    key = name if env == "default" else f"{env}:{name}"
                    unit = _script_unit("hatch", key, path, text, table, name, value, scripts, env)
                    if unit is not None:
                        result.units[key] = unit
        files.append(result)
    for runner, table, tasks in (
        (
            "pdm",
            "tool.pdm.scripts",
            (tool.get("pdm") or {}).get("scripts") if isinstance(tool.get("pdm"), dict) else None,
        ),
        (
            "poe",
            "tool.poe.tasks",
            (tool.get("poe") or {}).get("tasks") if isinstance(tool.get("poe"), dict) else None,
        ),
        (
            "rye",
            "tool.rye.scripts",
            (tool.get("rye") or {}).get("scripts") if isinstance(tool.get("rye"), dict) else None,
        ),
        (
            "pixi",
            "tool.pixi.tasks",
            (tool.get("pixi") or {}).get("tasks") if isinstance(tool.get("pixi"), dict) else None,
        ),
    ):
        if not isinstance(tasks, dict):
            continue
        result = RunnerFile(runner, path)
        for name, value in tasks.items():
            if name.startswith("_") and runner == "pdm":
                continue
            unit = _script_unit(runner, name, path, text, table, name, value, tasks, None)
            if unit is not None:
                result.units[name] = unit
        files.append(result)
    return files


def _script_unit(  # noqa: C901 - one branch per file construct
    runner: str,
    key: str,
    path: str,
    text: str,
    table: str,
    name: str,
    value: Any,
    siblings: dict[str, Any],
    env: str | None,
) -> RunnerUnit | None:
    line = toml_key_line(text, table, name) or _toml_line(text, f"{table}.{name}")
    steps: list[RunnerStep] = []
    deps: list[str] = []

    def add_command(command: str) -> None:
        first = command.split(None, 1)[0] if command.strip() else ""
        if runner == "hatch" and first in siblings and first != name:
            ref = first if env in (None, "default") else f"{env}:{first}"
            steps.append(RunnerStep(line, ref=ref))
        else:
            steps.append(RunnerStep(line, command, literal=False))

    if isinstance(value, str):
        add_command(value)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                if runner in ("poe", "pixi") and item in siblings:
                    steps.append(RunnerStep(line, ref=item))
                else:
                    add_command(item)
            elif isinstance(item, dict) and isinstance(item.get("ref"), str):
                steps.append(RunnerStep(line, ref=item["ref"]))
    elif isinstance(value, dict):
        for field_name in ("cmd", "shell", "script"):
            body = value.get(field_name)
            if isinstance(body, str):
                add_command(body)
            elif isinstance(body, list) and all(isinstance(w, str) for w in body):
                add_command(shlex.join(body))
        for field_name in ("composite", "sequence"):
            items = value.get(field_name)
            if isinstance(items, list):
                for item in items:
                    if isinstance(item, str):
                        head = item.split(None, 1)[0] if item.strip() else ""
                        if head in siblings:
                            steps.append(RunnerStep(line, ref=head))
                        else:
                            add_command(item)
                    elif isinstance(item, dict) and isinstance(item.get("ref"), str):
                        steps.append(RunnerStep(line, ref=item["ref"]))
        if isinstance(value.get("ref"), str):
            steps.append(RunnerStep(line, ref=value["ref"]))
        raw_deps = value.get("depends-on") or value.get("depends_on") or value.get("deps")
        if isinstance(raw_deps, list):
            deps = [d for d in raw_deps if isinstance(d, str)]
    else:
        return None
    label = {
        "hatch": "hatch script",
        "pdm": "pdm script",
        "poe": "poe task",
        "rye": "rye script",
    }.get(runner, "pixi task")
    return RunnerUnit(
        runner, key, path, line, _dir(path), f"{label} {key}", tuple(deps), tuple(steps)
    )


def load_toml(path: str, text: str) -> tuple[dict[str, Any] | None, ParseProblem | None]:
    """A TOML document, or None and a located problem."""
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc).splitlines()[0] if str(exc) else "syntax error"
        match = re.search(r"line (\d+)", message)
        return None, ParseProblem(
            path, f"invalid TOML: {message}", int(match.group(1)) if match else None
        )
    except (RecursionError, ValueError) as exc:
        return None, ParseProblem(path, f"invalid TOML: {type(exc).__name__}")
