"""The CI facts: what runs where, and whether it can go red.

These frozen dataclasses are what the CI collector (``ci.ci_facts``) returns
and what the checks (``cq.quality-gate``, ``cq.lint``, ``cq.format``,
``cq.sast``, ``test.in-ci``, ``test.coverage``, ``ops.ci-pipeline``,
``ops.dependency-scanning``) read. Every record says where it comes from
(``Location``, a chain of them for commands reached through Make, tox,
scripts...), so a finding can always point at a file and a line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from prodready.scan.facts.source import ParseProblem


class Trigger(StrEnum):
    """When a command runs."""

    CI = "ci"
    """A CI pipeline runs it (directly or through Make, tox, scripts...)."""
    PRE_COMMIT = "pre-commit"
    """A pre-commit hook (on developers' machines) that no CI runs."""
    LOCAL = "local"
    """Defined in a task runner (Makefile target, tox env, npm script...)
    that no CI pipeline calls."""


class ToolCategory(StrEnum):
    """What a tool is for; one tool can have several (``pytest --cov``)."""

    LINT = "lint"
    FORMAT = "format"
    TYPECHECK = "typecheck"
    TEST = "test"
    COVERAGE = "coverage"
    SAST = "sast"
    DEPENDENCY_SCAN = "dependency-scan"
    SECRET_SCAN = "secret-scan"  # noqa: S105 - a category name, not a secret


class CiKind(StrEnum):
    """CI systems whose definitions are read."""

    GITHUB_ACTIONS = "github-actions"
    GITLAB_CI = "gitlab-ci"
    JENKINS = "jenkins"
    CIRCLECI = "circleci"
    AZURE_PIPELINES = "azure-pipelines"
    TRAVIS = "travis"
    DRONE = "drone"
    WOODPECKER = "woodpecker"
    BITBUCKET = "bitbucket-pipelines"
    BUILDKITE = "buildkite"
    TEKTON = "tekton"
    CLOUD_BUILD = "cloud-build"
    PRE_COMMIT_CI = "pre-commit-ci"
    OTHER = "other"
    """Recognised (AppVeyor, Semaphore, Cirrus, TeamCity...) but not read."""


@dataclass(frozen=True, slots=True)
class Location:
    """A place in the repository: ``path:line (label)``."""

    path: str
    line: int | None = None
    label: str | None = None
    """What is there, e.g. ``job lint, step "Ruff"`` or ``target lint``."""

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where} ({self.label})" if self.label else where


@dataclass(frozen=True, slots=True)
class Tool:
    """A recognised tool invocation, e.g. ``ruff format`` or ``go test``."""

    id: str
    """Specific id: ``ruff-check``, ``ruff-format``, ``black``, ``pytest``,
    ``go-test``, ``go-vet``, ``gofmt``, ``golangci-lint``, ``codeql``..."""
    family: str
    """The program: ``ruff``, ``black``, ``go``, ``npm``..."""
    categories: frozenset[ToolCategory]
    languages: frozenset[str]
    """Languages it checks (``python``, ``go``, ``javascript``, ``java``...);
    empty when language-agnostic (semgrep, trivy)."""

    def matches(self, kind: str) -> bool:
        """True for its id, family or one of its categories."""
        return kind in (self.id, self.family) or kind in self.categories


@dataclass(frozen=True, slots=True)
class CommandRun:
    """One command that runs, where it comes from, and whether it can fail.

    ``can_fail`` answers: "when this tool finds a problem, does the run that
    contains it (CI job, make target, pre-commit) fail?". A linter behind
    ``|| true``, in a ``continue-on-error`` step, a formatter without its
    check flag, ``flake8 --exit-zero``, a job that never runs: all False,
    with ``why_not`` saying why (and where)."""

    command: str
    """The command as written, words joined by single spaces."""
    argv: tuple[str, ...]
    tool: Tool | None
    origin: tuple[Location, ...]
    """From the root (a CI step, a Makefile target...) to the line itself."""
    trigger: Trigger
    can_fail: bool
    why_not: str | None = None
    cwd: str | None = "."
    """Directory it runs in, relative to the scanned root; None if unknown."""
    notes: tuple[str, ...] = ()

    @property
    def location(self) -> Location:
        """Where the command itself is written."""
        return self.origin[-1]

    @property
    def chain(self) -> str:
        """``ci.yml:23 (job lint) -> Makefile:12 (target lint)``."""
        return " -> ".join(str(loc) for loc in self.origin)

    @property
    def gating(self) -> bool:
        """Runs in CI and can fail it."""
        return self.trigger is Trigger.CI and self.can_fail


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A CI definition file that was found."""

    kind: CiKind
    path: str
    jobs: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    """What triggers it when stated (GitHub ``on:``), else empty."""
    notes: tuple[str, ...] = ()
    """Things it uses that cannot be read here (remote includes, orbs,
    shared libraries, templates)."""


@dataclass(frozen=True, slots=True)
class ToolConfig:
    """A linter/formatter/analyser configured in the repository."""

    tool: str
    """``ruff``, ``flake8``, ``pylint``, ``black``, ``isort``, ``mypy``,
    ``golangci-lint``, ``eslint``, ``prettier``, ``biome``, ``checkstyle``,
    ``spotbugs``, ``pmd``, ``bandit``, ``semgrep``, ``sonar``..."""
    path: str
    line: int | None
    categories: frozenset[ToolCategory]
    languages: frozenset[str]
    rules: tuple[str, ...] = ()
    """Selected rule codes when the config names them (ruff ``select`` and
    ``extend-select``, flake8 ``select``, golangci-lint enabled linters)."""

    @property
    def location(self) -> Location:
        return Location(self.path, self.line, f"{self.tool} configuration")


@dataclass(frozen=True, slots=True)
class CoverageConfig:
    """Where coverage is configured, and the threshold when one is set."""

    tool: str
    """``coverage.py``, ``pytest-cov``, ``go``, ``jest``, ``nyc``, ``c8``,
    ``vitest``, ``jacoco``."""
    path: str
    line: int | None
    fail_under: float | None = None


@dataclass(frozen=True, slots=True)
class CoverageReport:
    """A committed coverage report and the line coverage it states."""

    path: str
    format: str
    """``cobertura``, ``jacoco``, ``lcov``, ``go-cover``, ``coverage-json``,
    ``istanbul-summary``, ``clover``."""
    percent: float | None
    covered: int | None = None
    total: int | None = None


@dataclass(frozen=True, slots=True)
class CoverageFacts:
    configs: tuple[CoverageConfig, ...] = ()
    reports: tuple[CoverageReport, ...] = ()

    @property
    def fail_under(self) -> float | None:
        """The highest threshold any config or command sets, if any."""
        values = [c.fail_under for c in self.configs if c.fail_under is not None]
        return max(values) if values else None


@dataclass(frozen=True, slots=True)
class CiFacts:
    """Everything the CI collector learned about one ``RepoFiles``."""

    pipelines: tuple[Pipeline, ...] = ()
    commands: tuple[CommandRun, ...] = ()
    tool_configs: tuple[ToolConfig, ...] = ()
    coverage: CoverageFacts = CoverageFacts()
    problems: tuple[ParseProblem, ...] = ()

    @property
    def has_ci(self) -> bool:
        """At least one CI pipeline definition exists."""
        return bool(self.pipelines)

    def runs(self, kind: str, triggers: Iterable[Trigger] | None = None) -> list[CommandRun]:
        """Commands whose tool matches ``kind`` (a ``ToolCategory`` value, a
        tool id or family), optionally only for some triggers."""
        wanted = None if triggers is None else frozenset(triggers)
        return [
            run
            for run in self.commands
            if run.tool is not None
            and run.tool.matches(kind)
            and (wanted is None or run.trigger in wanted)
        ]

    def gating(self, kind: str, triggers: Iterable[Trigger] = (Trigger.CI,)) -> list[CommandRun]:
        """``runs(kind, triggers)`` that can fail (default: in CI only)."""
        return [run for run in self.runs(kind, triggers) if run.can_fail]

    def configs(self, kind: str) -> list[ToolConfig]:
        """Tool configurations for a tool name or a ``ToolCategory`` value."""
        return [c for c in self.tool_configs if kind == c.tool or kind in c.categories]
