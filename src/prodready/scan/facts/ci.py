"""CI facts: the pipelines of a repository and every command they really run.

``ci_facts(files)`` reads every CI system it knows (GitHub Actions, GitLab
CI, Jenkinsfile, CircleCI, Azure Pipelines, Travis, Drone/Woodpecker,
Bitbucket, Buildkite, Tekton, Cloud Build, pre-commit.ci), follows what the
steps call (Make targets and their prerequisites, tox, nox, npm/yarn/pnpm
scripts, just, Task, hatch/pdm/poe/rye/pixi scripts, pre-commit hooks, shell
scripts), and returns one flat list of ``CommandRun``: the command, the tool
it runs, the chain of file:line it was reached through, when it runs
(``Trigger``: CI, pre-commit hook, or a local task nothing in CI calls) and
whether it can fail its pipeline (``can_fail``/``why_not``).

Commands defined in task runners or pre-commit but not reached from CI are
still reported (trigger ``LOCAL``/``PRE_COMMIT``) because ``cq.quality-gate``
accepts a Makefile target or a pre-commit hook as a gate.

Typical use in a check::

    facts = ci_facts(files)
    gates = facts.gating("lint")                     # in CI and can fail
    masked = [r for r in facts.runs("lint") if not r.can_fail]
    for run in masked:
        print(run.chain, run.why_not)

Pure: reads only through ``RepoFiles``, never runs anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from prodready.scan.facts.ci_common import CiRead
from prodready.scan.facts.ci_config import coverage_configs, coverage_reports, tool_configs
from prodready.scan.facts.ci_follow import Follower, JobSpec, Leaf, StepSpec, precommit_leaves
from prodready.scan.facts.ci_github import read_github
from prodready.scan.facts.ci_gitlab import read_gitlab
from prodready.scan.facts.ci_model import (
    CiFacts,
    CiKind,
    CommandRun,
    CoverageConfig,
    CoverageFacts,
    CoverageReport,
    Location,
    Pipeline,
    Tool,
    ToolCategory,
    ToolConfig,
    Trigger,
)
from prodready.scan.facts.ci_others import (
    read_azure,
    read_bitbucket,
    read_buildkite,
    read_circleci,
    read_cloudbuild,
    read_drone,
    read_jenkins,
    read_other,
    read_tekton,
    read_travis,
)
from prodready.scan.facts.ci_precommit import CONFIG_NAMES
from prodready.scan.facts.source import ParseProblem, RepoFiles

__all__ = [
    "CiFacts",
    "CiKind",
    "CommandRun",
    "CoverageConfig",
    "CoverageFacts",
    "CoverageReport",
    "Location",
    "Pipeline",
    "Tool",
    "ToolCategory",
    "ToolConfig",
    "Trigger",
    "ci_facts",
]

MAX_COMMANDS = 50_000
"""Commands reported per collection; beyond this a problem says so."""

_READERS: tuple[Callable[[Follower], CiRead], ...] = (
    read_github,
    read_gitlab,
    read_jenkins,
    read_circleci,
    read_azure,
    read_travis,
    read_drone,
    read_bitbucket,
    read_buildkite,
    read_tekton,
    read_cloudbuild,
    read_other,
)


def ci_facts(files: RepoFiles) -> CiFacts:
    """Pipelines, commands (CI, pre-commit and local), analyser configs,
    coverage configs and reports, and problems, for ``files``."""
    follower = Follower(files)
    read = CiRead()
    for reader in _READERS:
        read.extend(reader(follower))
    collector = _Collector()
    for job in read.jobs:
        collector.add_job(follower, job)
    _precommit(follower, read, collector)
    _local(follower, collector)
    problems = [*read.problems, *follower.problems]
    if collector.truncated:
        problems.append(
            ParseProblem(".", f"more than {MAX_COMMANDS} commands; the rest is not reported")
        )
    configs = tool_configs(files, problems)
    commands = tuple(collector.runs)
    coverage = CoverageFacts(
        tuple(coverage_configs(files, commands)), tuple(coverage_reports(files))
    )
    return CiFacts(
        tuple(read.pipelines), commands, tuple(configs), coverage, tuple(_unique(problems))
    )


class _Collector:
    def __init__(self) -> None:
        self.runs: list[CommandRun] = []
        self.seen: set[tuple[str, tuple[Location, ...], tuple[str, ...], bool]] = set()
        self.ci_leaves: set[tuple[str, int | None, tuple[str, ...]]] = set()
        self.local_leaves: set[tuple[str, int | None, tuple[str, ...]]] = set()
        self.truncated = False

    def add(self, leaf: Leaf, trigger: Trigger) -> None:
        if len(self.runs) >= MAX_COMMANDS:
            self.truncated = True
            return
        key = (trigger.value, leaf.origin, leaf.argv, leaf.fails)
        if key in self.seen:
            return
        self.seen.add(key)
        where = leaf.origin[-1]
        leaf_key = (where.path, where.line, leaf.argv)
        if trigger is Trigger.CI:
            self.ci_leaves.add(leaf_key)
        else:
            if leaf_key in self.ci_leaves or leaf_key in self.local_leaves:
                return
            self.local_leaves.add(leaf_key)
        argv = leaf.argv or leaf.classified.argv
        self.runs.append(
            CommandRun(
                command=" ".join(argv),
                argv=argv,
                tool=leaf.classified.tool,
                origin=leaf.origin,
                trigger=trigger,
                can_fail=leaf.fails,
                why_not=None if leaf.fails else leaf.why_not,
                cwd=leaf.cwd,
                notes=leaf.notes,
            )
        )

    def add_job(self, follower: Follower, job: JobSpec) -> None:
        per_step = [(step, follower.step_leaves(step)) for step in job.steps]
        for index, (step, leaves) in enumerate(per_step):
            where = f"{step.path}:{step.line}" if step.line is not None else step.path
            for leaf in leaves:
                if not leaf.fails and leaf.dirty:
                    leaf = _checked_later(follower, leaf, per_step[index + 1 :])
                notes = (*leaf.notes, *step.notes)
                if step.mask is not None and leaf.fails:
                    why = f"{step.mask} ({where})"
                    self.add(replace(leaf, fails=False, why_not=why, notes=notes), Trigger.CI)
                else:
                    self.add(replace(leaf, notes=notes), Trigger.CI)


def _checked_later(
    follower: Follower, leaf: Leaf, later: Iterable[tuple[StepSpec, list[Leaf]]]
) -> Leaf:
    """A formatter that rewrote files gates after all when a later step of
    the same job fails on a dirty tree (``git diff --exit-code``)."""
    for step, _ in later:
        if step.script is None or step.mask is not None:
            continue
        shell = follower.script(step.script, step.errexit, step.pipefail, step.cwd, step.cwd)
        if shell.fails_when_dirty():
            where = f"{step.path}:{step.line}"
            note = f"a later step fails on changed files ({where})"
            return replace(leaf, fails=True, why_not=None, notes=(*leaf.notes, note))
    return leaf


def _precommit(follower: Follower, read: CiRead, collector: _Collector) -> None:
    for name in CONFIG_NAMES:
        if name not in follower.paths:
            continue
        config = follower.precommit(name)
        if config is None:
            continue
        if config.ci:
            read.pipelines.append(
                Pipeline(CiKind.PRE_COMMIT_CI, name, tuple(h.id for h in config.hooks))
            )
            root = Location(name, config.ci_line, "pre-commit.ci")
            for leaf in precommit_leaves(config, "pre-commit", [], "."):
                hook_id = leaf.origin[-1].label or ""
                if hook_id.removeprefix("hook ") in config.ci_skip:
                    continue
                collector.add(
                    Leaf(
                        leaf.argv,
                        leaf.classified,
                        (root, *leaf.origin[1:]),
                        leaf.cwd,
                        leaf.fails,
                        leaf.output,
                        leaf.dirty,
                        leaf.why_not,
                        leaf.notes,
                    ),
                    Trigger.CI,
                )
        for leaf in precommit_leaves(config, "pre-commit", [], "."):
            collector.add(leaf, Trigger.PRE_COMMIT)
        for leaf in precommit_leaves(config, "manual", [], "."):
            collector.add(leaf, Trigger.LOCAL)


def _local(follower: Follower, collector: _Collector) -> None:
    for file, name in follower.local_roots():
        for leaf in follower.unit_leaves(file, name, 0, frozenset()):
            collector.add(leaf, Trigger.LOCAL)


def _unique(problems: Iterable[ParseProblem]) -> list[ParseProblem]:
    seen: set[ParseProblem] = set()
    result: list[ParseProblem] = []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            result.append(problem)
    return result
