"""Following what CI calls: from a CI step down to the commands that run.

A CI step says ``make lint``; the Makefile's ``lint`` target depends on
``fmt-check`` and runs ``ruff check .``; ``fmt-check`` runs
``test -z "$(gofmt -l .)"``. The checks need the leaves (``ruff check``,
``gofmt -l``), each with its chain of locations and one honest answer to
"does the CI step fail when this tool finds something?".

The engine expands a shell script into its commands (``ci_shell``), and each
command that invokes something readable into that thing's commands: Make
targets, tox environments, nox sessions, npm/yarn/pnpm scripts (with
``pre``/``post`` hooks), just recipes, Taskfile tasks, hatch/pdm/poe/rye/pixi
scripts, pre-commit hooks, shell script files and ``bash -c``. At every hop
the failure effect of a leaf (fails / prints / rewrites files) is pushed
through the caller's shell semantics, so a ``-`` Make prefix, a tox ``-``
command, ``|| true`` around ``make lint``, or ``gofmt -l`` not wrapped in a
test all come out as "cannot fail", with the reason and where.

Bounded: at most ``MAX_DEPTH`` hops, cycles are cut (and reported), parsed
files and expanded units are cached for the whole collection.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from prodready.scan.facts.ci_ini import parse_ini
from prodready.scan.facts.ci_model import Location
from prodready.scan.facts.ci_precommit import CONFIG_NAMES, PreCommitConfig, parse_precommit
from prodready.scan.facts.ci_runners import (
    RunnerFile,
    RunnerUnit,
    load_toml,
    parse_justfile,
    parse_makefile,
    parse_noxfile,
    parse_package_scripts,
    parse_pyproject_scripts,
    parse_taskfile,
    parse_tox_ini,
    parse_tox_toml,
)
from prodready.scan.facts.ci_shell import (
    FAILS,
    Effect,
    Outcome,
    Script,
    ShellCommand,
    ShellScript,
    join_dir,
    parse_safely,
)
from prodready.scan.facts.ci_tools import Classified, classify, program, split, unwrap
from prodready.scan.facts.source import ParseProblem, RepoFiles

MAX_DEPTH = 12
"""Hops followed from a CI step (make -> script -> npm -> ...)."""
BUILD_WRAPPERS = frozenset({"mvnw", "gradlew"})
"""Build-tool wrapper scripts: classified as the tool, never followed as scripts."""

MAX_UNIT_NESTING = 48
"""Units (targets, envs, scripts) nested inside each other before giving up."""

MAX_LEAVES = 20_000
"""Commands collected per root before the rest is dropped (and reported)."""

MAKEFILE_NAMES = ("GNUmakefile", "makefile", "Makefile")
JUSTFILE_NAMES = ("justfile", "Justfile", ".justfile")
TASKFILE_NAMES = (
    "Taskfile.yml",
    "Taskfile.yaml",
    "taskfile.yml",
    "taskfile.yaml",
    "Taskfile.dist.yml",
)
_SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "ash"})
_TRIVIAL = frozenset(
    [
        "echo",
        "printf",
        "cd",
        "pushd",
        "popd",
        "export",
        "set",
        "unset",
        "shift",
        "local",
        "declare",
        "readonly",
        "true",
        "false",
        ":",
        "exit",
        "return",
        "test",
        "[",
        "[[",
        "((",
        "sleep",
        "mkdir",
        "rm",
        "cp",
        "mv",
        "ln",
        "touch",
        "chmod",
        "chown",
        "ls",
        "pwd",
        "cat",
        "tee",
        "env",
        "printenv",
        "which",
        "type",
        "hash",
        "trap",
        "wait",
        "read",
        "eval",
        "exec",
        "alias",
        "ulimit",
        "umask",
        "date",
        "whoami",
        "id",
        "uname",
        "grep",
        "sed",
        "awk",
        "sort",
        "head",
        "tail",
        "wc",
        "cut",
        "tr",
        "xargs",
        "find",
        "tar",
        "unzip",
        "gzip",
        "curl",
        "wget",
        "base64",
        "jq",
        "yq",
        "dirname",
        "basename",
        "realpath",
        "readlink",
        "mktemp",
        "seq",
        "tput",
        "column",
        "apt",
        "apt-get",
        "yum",
        "dnf",
        "apk",
        "brew",
        "choco",
        "sudo",
    ]
)


@dataclass(frozen=True, slots=True)
class Leaf:
    """A command reached from some root, and how it affects that root."""

    argv: tuple[str, ...]
    classified: Classified
    origin: tuple[Location, ...]
    cwd: str | None
    fails: bool
    output: bool
    dirty: bool
    why_not: str | None
    notes: tuple[str, ...] = ()
    followed: bool = False
    """An invocation whose commands were followed (``make lint`` itself)."""


@dataclass(frozen=True, slots=True)
class StepSpec:
    """One step of a CI job as the CI readers hand it over.

    Either ``script`` (shell text; ``script_line`` is the file line of its
    first line and ``literal`` says whether each further line is the next
    file line) or ``classified`` (an action/plugin recognised directly)."""

    path: str
    line: int | None
    label: str
    script: str | None = None
    script_line: int | None = None
    literal: bool = True
    errexit: bool = True
    pipefail: bool = False
    cwd: str | None = "."
    classified: Classified | None = None
    line_map: tuple[tuple[str | None, int | None], ...] = ()
    """When set, (path, line) of each line of ``script`` (GitLab lists,
    which may pull lines from included files); path None = ``path``."""
    mask: str | None = None
    """Why nothing in this step can fail the pipeline (``continue-on-error``,
    ``allow_failure``, a job that never runs...)."""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class JobSpec:
    """Steps that run in order in one workspace (a later ``git diff
    --exit-code`` sees what an earlier formatter rewrote)."""

    key: str
    steps: tuple[StepSpec, ...]


def _mask(leaf: Leaf, reason: str) -> Leaf:
    if not leaf.fails:
        return leaf
    return replace(leaf, fails=False, why_not=reason)


def chain_of(head: tuple[Location, ...], tail: tuple[Location, ...]) -> tuple[Location, ...]:
    """``head + tail``, written once where they meet on the same line (an npm
    script's entry is both the unit and the line that runs)."""
    if head and tail and head[-1].path == tail[0].path and head[-1].line == tail[0].line:
        merged = Location(head[-1].path, head[-1].line, head[-1].label or tail[0].label)
        return (*head[:-1], merged, *tail[1:])
    return (*head, *tail)


def _prefix(location: Location, leaf: Leaf) -> Leaf:
    return replace(leaf, origin=chain_of((location,), leaf.origin))


def _is_trivial(argv: tuple[str, ...]) -> bool:
    """A builtin or a coreutil; ``scripts/test`` or ``./build/echo`` is a script to follow."""
    words, _, _ = unwrap(argv)
    if not words:
        return True
    first = words[0]
    if "/" in first and not first.startswith(("/bin/", "/usr/bin/")):
        return False
    return program(first) in _TRIVIAL


class Follower:
    """Expands CI steps and task-runner units into ``Leaf`` commands."""

    def __init__(self, files: RepoFiles) -> None:
        self.files = files
        self.paths = frozenset(files.paths())
        self.problems: list[ParseProblem] = []
        self._text: dict[str, str | None] = {}
        self._runner_files: dict[tuple[str, str], RunnerFile | None] = {}
        self._pyproject_runners: dict[str, list[RunnerFile]] = {}
        self._precommit: dict[str, PreCommitConfig | None] = {}
        self._units: dict[tuple[str, str, str], list[Leaf]] = {}
        self._scripts: dict[tuple[str, bool, bool, str | None, str | None], ShellScript] = {}
        self._reported: set[str] = set()
        self._cuts = 0
        self._trees: dict[str, Script] = {}

    # files ----------------------------------------------------------------
    def read(self, path: str) -> str | None:
        if path not in self._text:
            self._text[path] = self.files.read_text(path) if path in self.paths else None
        return self._text[path]

    def _problem(self, problem: ParseProblem) -> None:
        key = f"{problem.path}:{problem.line}:{problem.message}"
        if key not in self._reported:
            self._reported.add(key)
            self.problems.append(problem)

    def runner_file(self, runner: str, path: str) -> RunnerFile | None:
        """The parsed runner file at ``path`` (cached), or None."""
        key = (runner, path)
        if key in self._runner_files:
            return self._runner_files[key]
        text = self.read(path)
        result: RunnerFile | None = None
        if text is not None:
            result = self._parse_runner(runner, path, text)
            if result is not None:
                for problem in result.problems:
                    self._problem(problem)
        self._runner_files[key] = result
        return result

    def _parse_runner(self, runner: str, path: str, text: str) -> RunnerFile | None:
        base = posixpath.basename(path)
        if runner == "make":
            return parse_makefile(path, text, self.read)
        if runner == "tox":
            if base == "tox.ini":
                return parse_tox_ini(path, parse_ini(text))
            if base == "setup.cfg":
                ini = parse_ini(text)
                return (
                    parse_tox_ini(path, ini, prefix="tox:") if "tox:tox" in ini.sections else None
                )
            data, problem = load_toml(path, text)
            if problem is not None:
                self._problem(problem)
                return None
            assert data is not None
            if base == "tox.toml":
                return parse_tox_toml(path, data, text)
            tox = data.get("tool", {}).get("tox") if isinstance(data.get("tool"), dict) else None
            if isinstance(tox, dict):
                legacy = tox.get("legacy_tox_ini")
                if isinstance(legacy, str):
                    return parse_tox_ini(path, parse_ini(legacy))
                return parse_tox_toml(path, tox, text)
            return None
        if runner == "nox":
            return parse_noxfile(path, text)
        if runner == "npm":
            return parse_package_scripts(path, text)
        if runner == "just":
            return parse_justfile(path, text)
        if runner == "task":
            return parse_taskfile(path, text)
        for parsed in self._pyproject_scripts(path, text):
            if parsed.runner == runner:
                return parsed
        return None

    def _pyproject_scripts(self, path: str, text: str) -> list[RunnerFile]:
        """Every runner's scripts in one pyproject.toml, parsed once: hatch,
        pdm, poe, rye and pixi all ask for the same file."""
        found = self._pyproject_runners.get(path)
        if found is None:
            data, _problem = load_toml(path, text)
            found = [] if data is None else parse_pyproject_scripts(path, data, text)
            self._pyproject_runners[path] = found
        return found

    def precommit(self, path: str) -> PreCommitConfig | None:
        if path not in self._precommit:
            text = self.read(path)
            config = parse_precommit(path, text) if text is not None else None
            if config is not None:
                for problem in config.problems:
                    self._problem(problem)
            self._precommit[path] = config
        return self._precommit[path]

    def _find_up(self, directory: str, names: Iterable[str]) -> str | None:
        current = directory
        for _ in range(30):
            for name in names:
                candidate = name if current == "." else f"{current}/{name}"
                if candidate in self.paths:
                    return candidate
            if current == ".":
                return None
            current = posixpath.dirname(current) or "."
        return None

    def _find_here(self, directory: str, names: Iterable[str]) -> str | None:
        for name in names:
            candidate = name if directory == "." else f"{directory}/{name}"
            if candidate in self.paths:
                return candidate
        return None

    # shell ------------------------------------------------------------------
    def script(
        self, text: str, errexit: bool, pipefail: bool, cwd: str | None, script_dir: str | None
    ) -> ShellScript:
        key = (text, errexit, pipefail, cwd, script_dir)
        cached = self._scripts.get(key)
        if cached is None:
            tree = self._trees.get(text)
            if tree is None:
                tree = parse_safely(text)
                if len(self._trees) < 5000:
                    self._trees[text] = tree
            cached = ShellScript(
                text, errexit=errexit, pipefail=pipefail, cwd=cwd, script_dir=script_dir, tree=tree
            )
            if len(self._scripts) < 5000:
                self._scripts[key] = cached
        return cached

    def shell(
        self,
        text: str,
        *,
        errexit: bool,
        pipefail: bool,
        cwd: str | None,
        locate: Callable[[int], Location],
        depth: int,
        visiting: frozenset[tuple[str, str, str]],
        script_dir: str | None = None,
    ) -> list[Leaf]:
        """The leaves of a shell script, composed through its semantics."""
        sh = self.script(
            text, errexit, pipefail, cwd, script_dir if script_dir is not None else cwd
        )
        outcomes: dict[tuple[int, Effect], Outcome] = {}

        def outcome(command: ShellCommand, effect: Effect) -> Outcome:
            key = (id(command.node), effect)
            if key not in outcomes:
                outcomes[key] = sh.outcome(command, effect)
            return outcomes[key]

        leaves: list[Leaf] = []
        for command in sh.commands:
            if _is_trivial(command.argv):
                continue
            location = locate(command.line)
            env = dict(command.env)
            classified = classify(command.argv, env)
            where = command.cwd if command.cwd is not None else (cwd or ".")
            children = self.follow(command.argv, where, depth, visiting, location)
            if children is None:
                result = outcome(command, classified.effect)
                why = None
                if not result.fails:
                    why = (
                        _located(result.why_not, location)
                        or classified.why_not
                        or _fallback(command, location)
                    )
                leaves.append(
                    Leaf(
                        command.argv,
                        classified,
                        (location,),
                        command.cwd,
                        result.fails,
                        result.output,
                        result.dirty,
                        why,
                        classified.notes,
                    )
                )
                continue
            result = outcome(command, FAILS)
            own = classified if not children else Classified(None, classified.argv)
            why = (
                None
                if result.fails
                else _located(result.why_not, location) or _fallback(command, location)
            )
            notes = (
                classified.notes if children else (*classified.notes, "nothing to follow was found")
            )
            leaves.append(
                Leaf(
                    command.argv,
                    own,
                    (location,),
                    command.cwd,
                    result.fails,
                    False,
                    False,
                    why,
                    notes,
                    True,
                )
            )
            for child in children:
                leaves.append(self._compose(command, location, child, outcome))
            if len(leaves) > MAX_LEAVES:
                self._problem(
                    ParseProblem(
                        location.path,
                        "too many commands to follow; the rest is skipped",
                        location.line,
                    )
                )
                break
        return leaves

    def _compose(
        self,
        command: ShellCommand,
        location: Location,
        child: Leaf,
        outcome: Callable[[ShellCommand, Effect], Outcome],
    ) -> Leaf:
        if not (child.fails or child.output or child.dirty):
            return _prefix(location, child)
        result = outcome(command, Effect(child.fails, child.output, child.dirty))
        why = None
        if not result.fails:
            why = (
                _located(result.why_not, location) or child.why_not or _fallback(command, location)
            )
        return replace(
            child,
            origin=chain_of((location,), child.origin),
            fails=result.fails,
            output=result.output,
            dirty=result.dirty,
            why_not=why,
        )

    # following ----------------------------------------------------------------
    def follow(  # noqa: C901 - one branch per runner
        self,
        argv: tuple[str, ...],
        cwd: str,
        depth: int,
        visiting: frozenset[tuple[str, str, str]],
        here: Location | None = None,
    ) -> list[Leaf] | None:
        """The leaves of what ``argv`` invokes, or None when it invokes
        nothing readable (a plain tool, an unknown program)."""
        if depth >= MAX_DEPTH or not argv:
            return None
        raw = list(argv)
        while raw and "=" in raw[0] and raw[0].split("=")[0].isidentifier():
            raw.pop(0)
        if not raw:
            return None
        first = program(raw[0])
        if first in ("hatch", "pdm", "rye", "pixi", "poe") or (
            first == "poetry" and raw[1:2] == ["poe"]
        ):
            found = self._follow_pyscripts(raw, cwd, depth, visiting)
            if found is not None:
                return found
        words, _, _ = unwrap(raw)
        if not words:
            return None
        name = program(words[0])
        args = list(words[1:])
        if name in ("make", "gmake", "mingw32-make"):
            return self._follow_make(args, cwd, depth, visiting)
        if name == "tox":
            return self._follow_tox(args, cwd, depth, visiting)
        if name == "nox":
            return self._follow_nox(args, cwd, depth, visiting)
        if name in ("npm", "yarn", "pnpm", "bun"):
            return self._follow_npm(name, args, cwd, depth, visiting)
        if name in ("npm-run-all", "run-s", "run-p", "npm-run-all2"):
            return self._follow_run_all(args, cwd, depth, visiting)
        if name == "just":
            return self._follow_simple_runner(
                "just", JUSTFILE_NAMES, args, cwd, depth, visiting, up=True
            )
        if name in ("task", "go-task"):
            return self._follow_simple_runner(
                "task", TASKFILE_NAMES, args, cwd, depth, visiting, up=False
            )
        if name in ("pre-commit", "prek"):
            return self._follow_precommit(args, cwd, depth)
        if name in _SHELLS:
            return self._follow_shell(args, cwd, depth, visiting, here)
        if name in ("source", "."):
            return self._follow_script_file(args[:1], cwd, depth, visiting, errexit=False)
        if name in BUILD_WRAPPERS:
            # ``./mvnw verify``: the wrapper fetches and runs the build tool with
            # its arguments; what runs is classified from them, not from the
            # wrapper script's ``exec "$MAVEN_HOME/bin/mvn" "$@"``.
            return None
        if "/" in words[0] or words[0].endswith(".sh"):
            return self._follow_script_file([words[0], *args], cwd, depth, visiting, errexit=False)
        return None

    def unit_leaves(
        self, file: RunnerFile, name: str, depth: int, visiting: frozenset[tuple[str, str, str]]
    ) -> list[Leaf]:
        """Leaves of one unit (a target, env, script...) and of the units it
        depends on, each dependency once (as make builds each target once per
        run), with the chain of units it was reached through. Cached."""
        unit = file.units.get(name)
        if unit is None:
            return []
        key = (file.runner, file.path, name)
        if key in visiting:
            self._cuts += 1
            self._problem(
                ParseProblem(file.path, f"{file.runner} cycle through `{name}`", unit.line)
            )
            return []
        cached = self._units.get(key)
        if cached is not None:
            return cached
        cuts_before = self._cuts
        leaves: list[Leaf] = []
        for chain in self._dependency_order(file, name, len(visiting)):
            units = [file.units[n] for n in chain]
            locations = tuple(Location(u.path, u.line, u.label) for u in units)
            inner = visiting | {(file.runner, file.path, n) for n in chain}
            for leaf in self._own_leaves(file, units[-1], depth + len(chain), inner):
                leaves.append(replace(leaf, origin=chain_of(locations, leaf.origin)))
                if len(leaves) > MAX_LEAVES:
                    break
            if len(leaves) > MAX_LEAVES:
                message = f"`{name}` reaches more than {MAX_LEAVES} commands; the rest is skipped"
                self._problem(ParseProblem(file.path, message, unit.line))
                leaves = leaves[:MAX_LEAVES]
                break
        if self._cuts == cuts_before:
            self._units[key] = leaves
        return leaves

    def _dependency_order(self, file: RunnerFile, name: str, nesting: int) -> list[tuple[str, ...]]:
        """Units to run for ``name``, dependencies first, each once: the
        chain from ``name`` to it (depth-first, cycles and depth cut)."""
        order: list[tuple[str, ...]] = []
        done: set[str] = set()
        stack: list[tuple[tuple[str, ...], int]] = [((name,), 0)]
        while stack:
            chain, next_dep = stack.pop()
            unit = file.units[chain[-1]]
            if next_dep < len(unit.deps):
                stack.append((chain, next_dep + 1))
                dep = unit.deps[next_dep]
                if dep in done or dep not in file.units:
                    continue
                if dep in chain:
                    self._cuts += 1
                    self._problem(
                        ParseProblem(file.path, f"{file.runner} cycle through `{dep}`", unit.line)
                    )
                    continue
                if nesting + len(chain) >= MAX_UNIT_NESTING:
                    self._cuts += 1
                    message = (
                        f"{file.runner} nesting deeper than {MAX_UNIT_NESTING} at `{dep}`; "
                        "not followed"
                    )
                    self._problem(ParseProblem(file.path, message, unit.line))
                    continue
                stack.append(((*chain, dep), 0))
                continue
            if chain[-1] not in done:
                done.add(chain[-1])
                order.append(chain)
        return order

    def _own_leaves(
        self,
        file: RunnerFile,
        unit: RunnerUnit,
        depth: int,
        visiting: frozenset[tuple[str, str, str]],
    ) -> list[Leaf]:
        """Leaves of a unit's own steps (not its dependencies), cached."""
        key = ("own", file.path, f"{file.runner}:{unit.name}")
        cached = self._units.get(key)
        if cached is not None:
            return cached
        cuts_before = self._cuts
        leaves: list[Leaf] = []
        for step in unit.steps:
            if step.ref is not None:
                sub = self.unit_leaves(file, step.ref, depth + 1, visiting)
            elif step.classified is not None:
                where = Location(unit.path, step.line, None)
                sub = [_classified_leaf(step.classified, where, unit.cwd, step.dirty_fails)]
            elif step.text is not None:
                sub = self.shell(
                    step.text,
                    errexit=step.errexit,
                    pipefail=step.pipefail,
                    cwd=unit.cwd,
                    locate=_line_locator(unit.path, step.line, step.literal),
                    depth=depth + 1,
                    visiting=visiting,
                )
            else:
                sub = []
            if step.ignore_errors is not None:
                reason = _located(step.ignore_errors, Location(unit.path, step.line))
                assert reason is not None
                sub = [_mask(leaf, reason) for leaf in sub]
            leaves.extend(sub)
        if unit.mask is not None:
            reason = _located(unit.mask, Location(unit.path, unit.line, unit.label))
            assert reason is not None
            leaves = [_mask(leaf, reason) for leaf in leaves]
        if self._cuts == cuts_before:
            self._units[key] = leaves
        return leaves

    def _units_of(
        self,
        file: RunnerFile | None,
        names: Iterable[str],
        depth: int,
        visiting: frozenset[tuple[str, str, str]],
    ) -> list[Leaf] | None:
        if file is None:
            return None
        leaves: list[Leaf] = []
        for name in names:
            leaves.extend(self.unit_leaves(file, name, depth + 1, visiting))
        return leaves

    def _follow_make(
        self, args: list[str], cwd: str, depth: int, visiting: frozenset[tuple[str, str, str]]
    ) -> list[Leaf] | None:
        directory, makefile, targets, ignore = cwd, None, [], False
        index = 0
        while index < len(args):
            arg = args[index]
            if arg in ("-C", "--directory") and index + 1 < len(args):
                directory = join_dir(directory, args[index + 1]) or directory
                index += 2
                continue
            if arg.startswith("-C") and len(arg) > 2:
                directory = join_dir(directory, arg[2:]) or directory
            elif arg in ("-f", "--file", "--makefile") and index + 1 < len(args):
                makefile = args[index + 1]
                index += 2
                continue
            elif arg == "--ignore-errors" or (
                arg[:1] == "-" and arg[1:2] != "-" and arg[1:].isalpha() and "i" in arg[1:]
            ):
                ignore = True
            elif (
                arg in ("-j", "--jobs", "-l", "-o", "-W", "-I")
                and index + 1 < len(args)
                and args[index + 1].isdigit()
            ):
                index += 2
                continue
            elif not arg.startswith("-") and "=" not in arg:
                targets.append(arg)
            index += 1
        if makefile is not None:
            path = join_dir(directory, makefile)
        else:
            path = self._find_here(directory, MAKEFILE_NAMES)
        if path is None:
            return None
        file = self.runner_file("make", path)
        if file is None:
            return None
        leaves = self._units_of(file, targets or list(file.default), depth, visiting)
        if leaves is not None:
            leaves = _once_per_run(leaves)
        if leaves is not None and ignore:
            leaves = [_mask(leaf, "`make -i` ignores every error") for leaf in leaves]
        return leaves

    def _follow_tox(
        self, args: list[str], cwd: str, depth: int, visiting: frozenset[tuple[str, str, str]]
    ) -> list[Leaf] | None:
        if args[:1] and args[0] in ("exec", "x"):
            return None
        envs: list[str] = []
        config: str | None = None
        for index, arg in enumerate(args):
            if arg == "--":
                break
            if arg in ("-e", "--env") and index + 1 < len(args):
                envs.extend(e for e in args[index + 1].split(",") if e)
            elif arg.startswith("-e") and len(arg) > 2 and not arg.startswith("--"):
                envs.extend(e for e in arg[2:].split(",") if e)
            elif arg.startswith("--env="):
                envs.extend(e for e in arg[6:].split(",") if e)
            elif arg in ("-c", "--conf") and index + 1 < len(args):
                config = join_dir(cwd, args[index + 1])
        file = None
        if config is not None:
            file = self.runner_file("tox", config)
        else:
            for candidate in ("tox.ini", "tox.toml", "pyproject.toml", "setup.cfg"):
                found = self._find_here(cwd, (candidate,))
                file = self.runner_file("tox", found) if found is not None else None
                if file is not None:
                    break
        if file is None:
            return None
        if not envs or "ALL" in envs:
            envs = list(file.default if envs == [] else file.units)
        return self._units_of(file, envs, depth, visiting)

    def _follow_nox(
        self, args: list[str], cwd: str, depth: int, visiting: frozenset[tuple[str, str, str]]
    ) -> list[Leaf] | None:
        sessions: list[str] = []
        noxfile = "noxfile.py"
        index = 0
        while index < len(args):
            arg = args[index]
            if arg == "--":
                break
            if arg in ("-s", "--session", "--sessions", "-e"):
                index += 1
                while index < len(args) and not args[index].startswith("-"):
                    sessions.append(args[index])
                    index += 1
                continue
            if arg in ("-f", "--noxfile") and index + 1 < len(args):
                noxfile = args[index + 1]
                index += 1
            index += 1
        path = join_dir(cwd, noxfile)
        if path is None or path not in self.paths:
            return None
        file = self.runner_file("nox", path)
        if file is None:
            return None
        names: list[str] = []
        for session in sessions or list(file.default):
            names.extend(
                n
                for n in file.units
                if n == session or n.startswith(session + "(") or n.startswith(session + "-")
            )
        return self._units_of(file, names, depth, visiting)

    _NPM_BUILTINS = frozenset(
        [
            "install",
            "i",
            "ci",
            "add",
            "remove",
            "rm",
            "uninstall",
            "un",
            "update",
            "up",
            "upgrade",
            "outdated",
            "audit",
            "publish",
            "pack",
            "link",
            "unlink",
            "init",
            "create",
            "login",
            "logout",
            "whoami",
            "config",
            "cache",
            "version",
            "view",
            "info",
            "why",
            "explain",
            "list",
            "ls",
            "dedupe",
            "prune",
            "rebuild",
            "root",
            "bin",
            "exec",
            "dlx",
            "x",
            "fund",
            "doctor",
            "set",
            "plugin",
            "import",
            "workspaces",
            "constraints",
            "global",
            "store",
            "patch",
            "deploy",
            "env",
            "setup",
            "licenses",
            "fetch",
            "npm",
            "node",
            "help",
            "search",
            "stars",
            "star",
            "owner",
            "team",
            "token",
        ]
    )

    def _follow_npm(
        self,
        name: str,
        args: list[str],
        cwd: str,
        depth: int,
        visiting: frozenset[tuple[str, str, str]],
    ) -> list[Leaf] | None:
        directory = cwd
        rest: list[str] = []
        forwarded: list[str] = []
        index = 0
        while index < len(args):
            arg = args[index]
            if arg in ("--prefix", "-C", "--dir", "--cwd") and index + 1 < len(args):
                directory = join_dir(cwd, args[index + 1]) or cwd
                index += 2
                continue
            if arg.startswith(("--prefix=", "--cwd=", "--dir=")):
                directory = join_dir(cwd, arg.split("=", 1)[1]) or cwd
            elif arg == "--":
                forwarded = args[index + 1 :]
                break
            elif not arg.startswith("-") or rest:
                rest.append(arg)
            index += 1
        if not rest:
            return None
        sub = rest[0]
        if name == "yarn" and sub == "workspace" and len(rest) > 2:
            return None
        if sub in ("run", "run-script", "rum", "urn") and len(rest) > 1:
            script, after = rest[1], rest[2:]
        elif sub in ("test", "t", "tst", "start", "stop", "restart"):
            script, after = {"t": "test", "tst": "test"}.get(sub, sub), rest[1:]
        elif name in ("yarn", "pnpm", "bun") and sub not in self._NPM_BUILTINS:
            script, after = sub, rest[1:]
        else:
            return None
        if name in ("yarn", "pnpm"):
            forwarded = [*after, *forwarded]  # they pass extra arguments to the script
        path = self._find_here(directory, ("package.json",))
        if path is None:
            return None
        file = self.runner_file("npm", path)
        if file is None or script not in file.units:
            return None if file is None else []
        leaves = self._units_of(file, [script], depth, visiting)
        return _forward(leaves, forwarded, path) if leaves and forwarded else leaves

    def _follow_run_all(
        self, args: list[str], cwd: str, depth: int, visiting: frozenset[tuple[str, str, str]]
    ) -> list[Leaf] | None:
        path = self._find_here(cwd, ("package.json",))
        if path is None:
            return None
        file = self.runner_file("npm", path)
        if file is None:
            return None
        names: list[str] = []
        for arg in args:
            if arg.startswith("-"):
                continue
            if arg.endswith(":*"):
                names.extend(
                    n for n in file.units if n.startswith(arg[:-1]) and ":" not in n[len(arg) - 1 :]
                )
            elif arg.endswith(":**"):
                names.extend(n for n in file.units if n.startswith(arg[:-2]))
            elif arg in file.units:
                names.append(arg)
        return self._units_of(file, names, depth, visiting)

    def _follow_simple_runner(
        self,
        runner: str,
        names: tuple[str, ...],
        args: list[str],
        cwd: str,
        depth: int,
        visiting: frozenset[tuple[str, str, str]],
        *,
        up: bool,
    ) -> list[Leaf] | None:
        path: str | None = None
        directory = cwd
        wanted: list[str] = []
        index = 0
        while index < len(args):
            arg = args[index]
            if arg in ("-f", "--justfile", "-t", "--taskfile") and index + 1 < len(args):
                path = join_dir(cwd, args[index + 1])
                index += 2
                continue
            if arg in ("-d", "--dir", "--working-directory") and index + 1 < len(args):
                directory = join_dir(cwd, args[index + 1]) or cwd
                index += 2
                continue
            if arg == "--":
                break
            if not arg.startswith("-") and "=" not in arg:
                wanted.append(arg)
            index += 1
        if path is None:
            path = self._find_up(directory, names) if up else self._find_here(directory, names)
        if path is None:
            return None
        file = self.runner_file(runner, path)
        if file is None:
            return None
        if runner == "just":
            wanted = wanted[:1]
        targets = [w for w in wanted if w in file.units] or ([] if wanted else list(file.default))
        return self._units_of(file, targets, depth, visiting)

    def _follow_pyscripts(
        self, raw: list[str], cwd: str, depth: int, visiting: frozenset[tuple[str, str, str]]
    ) -> list[Leaf] | None:
        first = program(raw[0])
        runner = "poe" if first in ("poe", "poetry") else first
        rest = raw[2:] if first == "poetry" else raw[1:]
        if runner in ("hatch", "pdm", "rye", "pixi") and rest[:1] == ["run"]:
            rest = rest[1:]
        elif runner in ("hatch", "rye", "pixi"):
            return None
        index = 0
        while index < len(rest) and rest[index].startswith("-"):
            index += 2 if rest[index] in ("-e", "--env", "-p", "--project") else 1
        if index >= len(rest):
            return None
        name = rest[index]
        path = self._find_up(
            cwd, ("pixi.toml", "pyproject.toml") if runner == "pixi" else ("pyproject.toml",)
        )
        if path is None:
            return None
        file = self.runner_file(runner, path)
        if file is None:
            return None
        if runner == "hatch" and name not in file.units and f"default:{name}" in file.units:
            name = f"default:{name}"
        if name not in file.units:
            return None
        return self._units_of(file, [name], depth, visiting)

    def _follow_precommit(self, args: list[str], cwd: str, depth: int) -> list[Leaf] | None:
        if args[:1] != ["run"]:
            return None
        config_path: str | None = None
        stage = "pre-commit"
        hook_ids: list[str] = []
        index = 1
        while index < len(args):
            arg = args[index]
            if arg in ("-c", "--config") and index + 1 < len(args):
                config_path = join_dir(cwd, args[index + 1])
                index += 2
                continue
            if arg == "--hook-stage" and index + 1 < len(args):
                stage = {"commit": "pre-commit", "push": "pre-push"}.get(
                    args[index + 1], args[index + 1]
                )
                index += 2
                continue
            if arg.startswith("--hook-stage="):
                stage = arg.split("=", 1)[1]
            elif arg in ("--files", "--from-ref", "--to-ref", "--source", "--origin", "-s", "-o"):
                index += 2
                continue
            elif not arg.startswith("-"):
                hook_ids.append(arg)
            index += 1
        path = config_path or self._find_up(cwd, CONFIG_NAMES)
        if path is None:
            return None
        config = self.precommit(path)
        if config is None:
            return None
        return list(precommit_leaves(config, stage, hook_ids, cwd))

    def _follow_shell(
        self,
        args: list[str],
        cwd: str,
        depth: int,
        visiting: frozenset[tuple[str, str, str]],
        here: Location | None,
    ) -> list[Leaf] | None:
        errexit = False
        pipefail = False
        index = 0
        while index < len(args) and args[index].startswith(("-", "+")) and args[index] != "-c":
            arg = args[index]
            if arg in ("-o", "+o") and index + 1 < len(args):
                if args[index + 1] == "errexit":
                    errexit = arg == "-o"
                if args[index + 1] == "pipefail":
                    pipefail = arg == "-o"
                index += 2
                continue
            if arg.startswith("-") and "e" in arg[1:] and not arg.startswith("--"):
                errexit = True
            if "c" in arg[1:] and not arg.startswith("--"):
                break
            index += 1
        if index < len(args) and (
            args[index] == "-c" or (args[index].startswith("-") and "c" in args[index][1:])
        ):
            if index + 1 >= len(args):
                return None
            text = args[index + 1]
            inline = Location(
                here.path if here else "<inline>", here.line if here else None, "inline script"
            )
            return self.shell(
                text,
                errexit=errexit,
                pipefail=pipefail,
                cwd=cwd,
                locate=lambda _offset: inline,
                depth=depth + 1,
                visiting=visiting,
            )
        return self._follow_script_file(args[index:], cwd, depth, visiting, errexit=errexit)

    def _follow_script_file(
        self,
        args: list[str],
        cwd: str,
        depth: int,
        visiting: frozenset[tuple[str, str, str]],
        *,
        errexit: bool,
    ) -> list[Leaf] | None:
        if not args:
            return None
        path = join_dir(cwd, args[0])
        if path is None or path not in self.paths:
            path = join_dir(".", args[0]) if not args[0].startswith("/") else None
            if path is None or path not in self.paths:
                return None
        text = self.read(path)
        if text is None or not _is_shell_script(path, text):
            return None
        key = ("sh", path, "")
        if key in visiting:
            self._cuts += 1
            self._problem(ParseProblem(path, "shell script calls itself (cycle)", 1))
            return []
        cache_key = ("sh-file", path, f"{cwd}|{errexit}")
        cached = self._units.get(cache_key)
        if cached is not None:
            return cached
        cuts_before = self._cuts
        shebang = text.split("\n", 1)[0] if text.startswith("#!") else ""
        if shebang and any(
            f in shebang.split()[1:] for f in ("-e", "-ex", "-xe", "-eu", "-eux", "-euo", "-eo")
        ):
            errexit = True
        script_dir = posixpath.dirname(path) or "."
        leaves = self.shell(
            text,
            errexit=errexit,
            pipefail=False,
            cwd=cwd,
            script_dir=script_dir,
            locate=lambda offset: Location(path, offset + 1),
            depth=depth + 1,
            visiting=visiting | {key},
        )
        if self._cuts == cuts_before:
            self._units[cache_key] = leaves
        return leaves

    # roots ----------------------------------------------------------------------
    def step_leaves(self, step: StepSpec) -> list[Leaf]:
        """Leaves of one CI step (before the step's own mask is applied)."""
        if step.classified is not None:
            return [
                _classified_leaf(
                    step.classified, Location(step.path, step.line, step.label), step.cwd, False
                )
            ]
        if step.script is None:
            return []
        first = step.script_line if step.script_line is not None else step.line
        literal = step.literal

        line_map = step.line_map

        def locate(offset: int) -> Location:
            if line_map:
                source, line = line_map[min(offset, len(line_map) - 1)]
                return Location(source or step.path, line, step.label)
            line = first + offset if (first is not None and literal) else first
            return Location(step.path, line, step.label)

        return self.shell(
            step.script,
            errexit=step.errexit,
            pipefail=step.pipefail,
            cwd=step.cwd,
            locate=locate,
            depth=0,
            visiting=frozenset(),
        )

    def local_roots(self) -> Iterator[tuple[RunnerFile, str]]:
        """Every unit of every task runner in the files, for local-only runs."""
        for path in sorted(self.paths):
            base = posixpath.basename(path)
            if "node_modules/" in path or path.startswith("node_modules"):
                continue
            runners: list[str] = []
            if base in MAKEFILE_NAMES:
                runners.append("make")
            elif base in ("tox.ini", "tox.toml"):
                runners.append("tox")
            elif base == "noxfile.py":
                runners.append("nox")
            elif base == "package.json":
                runners.append("npm")
            elif base in JUSTFILE_NAMES:
                runners.append("just")
            elif base in TASKFILE_NAMES:
                runners.append("task")
            elif base == "pyproject.toml":
                runners.extend(("tox", "hatch", "pdm", "poe", "rye", "pixi"))
            elif base == "pixi.toml":
                runners.append("pixi")
            for runner in runners:
                file = self.runner_file(runner, path)
                if file is None:
                    continue
                for name in file.units:
                    yield file, name


def precommit_leaves(
    config: PreCommitConfig, stage: str, hook_ids: list[str], cwd: str | None
) -> Iterator[Leaf]:
    """Leaves of the hooks ``pre-commit run [ids] --hook-stage stage`` runs."""
    root = Location(config.path, None, "pre-commit")
    for hook in config.hooks:
        if hook_ids and hook.id not in hook_ids and hook.alias not in hook_ids:
            continue
        if not hook.runs_in(stage):
            continue
        location = Location(config.path, hook.line, f"hook {hook.id}")
        yield _prefix(root, _classified_leaf(hook.classified, location, cwd, dirty_fails=True))


def _forward(leaves: list[Leaf], extra: list[str], script_file: str) -> list[Leaf]:
    """``npm test -- --coverage``: the package manager appends ``extra`` to the
    script's command line, so its last command runs with them (and is
    classified again: ``jest`` becomes ``jest --coverage``)."""
    for position in range(len(leaves) - 1, -1, -1):
        leaf = leaves[position]
        if leaf.origin and leaf.origin[-1].path == script_file and leaf.argv:
            argv = (*leaf.argv, *extra)
            forwarded = replace(leaf, argv=argv, classified=classify(argv))
            return [*leaves[:position], forwarded, *leaves[position + 1 :]]
    return leaves


def _once_per_run(leaves: list[Leaf]) -> list[Leaf]:
    """Make builds each target once per run: a recipe line reached through
    several prerequisites runs once (the first path is kept)."""
    seen: set[tuple[str, int | None, tuple[str, ...]]] = set()
    kept: list[Leaf] = []
    for leaf in leaves:
        where = leaf.origin[-1]
        key = (where.path, where.line, leaf.argv)
        if key not in seen:
            seen.add(key)
            kept.append(leaf)
    return kept


def _classified_leaf(
    classified: Classified, location: Location, cwd: str | None, dirty_fails: bool
) -> Leaf:
    effect = classified.effect
    fails = effect.fail or (dirty_fails and effect.dirty)
    return Leaf(
        classified.argv,
        classified,
        (location,),
        cwd,
        fails,
        effect.output and not dirty_fails,
        effect.dirty and not dirty_fails,
        None if fails else classified.why_not,
        classified.notes,
    )


def _line_locator(path: str, line: int | None, literal: bool) -> Callable[[int], Location]:
    def locate(offset: int) -> Location:
        return Location(path, line + offset if (line is not None and literal) else line)

    return locate


def _located(reason: str | None, location: Location) -> str | None:
    if not reason:
        return None
    where = location.path if location.line is None else f"{location.path}:{location.line}"
    return f"{reason} ({where})"


def _fallback(command: ShellCommand, location: Location) -> str:
    return _located("its exit status does not reach the pipeline", location) or ""


def _is_shell_script(path: str, text: str) -> bool:
    if path.endswith((".sh", ".bash", ".ksh", ".zsh")):
        return True
    if text.startswith("#!"):
        first = text.split("\n", 1)[0]
        return any(shell in first for shell in ("sh", "bash", "zsh", "dash", "ksh"))
    return False


def argv_script(argv: Iterable[str]) -> str:
    """A shell line that runs exactly ``argv`` (for exec-style CI steps)."""
    return shlex.join(list(argv))


__all__ = ["Follower", "JobSpec", "Leaf", "StepSpec", "argv_script", "precommit_leaves", "split"]
