"""Dependency facts: what a repository depends on, per ecosystem, and
whether each ecosystem is locked.

Returned by ``deps.deps_facts`` and read by ``ops.lockfile``,
``ops.dependency-updates`` and by every check that needs to know whether a
library is a dependency (``res.retries`` looking for tenacity, ``obs.metrics``
for prometheus-client...). Every dependency has a ``path:line``.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from enum import StrEnum

from prodready.scan.facts.source import ParseProblem


class Ecosystem(StrEnum):
    PYTHON = "python"
    GO = "go"
    JAVASCRIPT = "javascript"
    MAVEN = "maven"
    GRADLE = "gradle"


class DependencyKind(StrEnum):
    RUNTIME = "runtime"
    DEV = "dev"
    """Development, test, lint, docs (dev groups, devDependencies, test scope)."""
    OPTIONAL = "optional"
    """Extras / optionalDependencies a user opts into."""
    BUILD = "build"
    """Build backends and build plugins (``[build-system] requires``, Maven plugins)."""
    PEER = "peer"


def normalize(name: str, ecosystem: Ecosystem) -> str:
    """The comparable form of a dependency name: PEP 503 for Python,
    lower case for npm and Java coordinates, Go module paths as written."""
    if ecosystem is Ecosystem.PYTHON:
        return re.sub(r"[-_.]+", "-", name).lower()
    if ecosystem is Ecosystem.GO:
        return name
    return name.lower()


@dataclass(frozen=True, slots=True)
class Dependency:
    """One declared dependency."""

    name: str
    """Normalised (see ``normalize``); Java names are ``group:artifact``."""
    ecosystem: Ecosystem
    spec: str
    """The version constraint as written (``>=2.31,<3``, ``^1.2.0``,
    ``v1.9.1``, ``[1.0,2.0)``); empty when none."""
    kind: DependencyKind
    path: str
    line: int | None
    group: str | None = None
    """Extra, dependency group, Poetry group, Gradle configuration or Maven scope."""
    pinned: bool = False
    """The spec names exactly one version (``==1.2.3``, ``1.2.3``, a Go version)."""
    raw_name: str = ""
    marker: str | None = None
    source: str | None = None
    """Where it comes from when not a registry: a URL, VCS, local path or workspace."""
    hashed: bool = False
    indirect: bool = False
    """Go ``// indirect`` requirements."""

    @property
    def location(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Lockfile:
    path: str
    kind: str
    """``uv.lock``, ``poetry.lock``, ``Pipfile.lock``, ``pdm.lock``,
    ``pylock.toml``, ``pinned requirements``, ``go.sum``, ``vendor``,
    ``package-lock.json``, ``npm-shrinkwrap.json``, ``yarn.lock``,
    ``pnpm-lock.yaml``, ``bun.lock``, ``gradle.lockfile``."""
    packages: frozenset[str] = frozenset()
    """Normalised names it locks; empty when it could not be read."""


@dataclass(frozen=True, slots=True)
class DependencyProject:
    """One project of one ecosystem: a folder with its manifests and locks."""

    ecosystem: Ecosystem
    root: str
    manifests: tuple[str, ...]
    dependencies: tuple[Dependency, ...]
    lockfiles: tuple[Lockfile, ...]
    locked: bool
    evidence: str | None
    """Why it counts as locked: ``uv.lock``, ``requirements.txt: all 12
    requirements pinned``, ``no third-party dependencies``."""
    why_unlocked: str | None


@dataclass(frozen=True, slots=True)
class EcosystemDeps:
    ecosystem: Ecosystem
    projects: tuple[DependencyProject, ...]

    @property
    def manifests(self) -> tuple[str, ...]:
        return tuple(m for p in self.projects for m in p.manifests)

    @property
    def dependencies(self) -> tuple[Dependency, ...]:
        return tuple(d for p in self.projects for d in p.dependencies)

    @property
    def lockfiles(self) -> tuple[Lockfile, ...]:
        return tuple(lf for p in self.projects for lf in p.lockfiles)

    @property
    def locked(self) -> bool:
        """Every project of the ecosystem is locked."""
        return all(p.locked for p in self.projects)


@dataclass(frozen=True, slots=True)
class UpdateConfig:
    """Automated dependency updates (Dependabot or Renovate)."""

    tool: str
    """``dependabot`` or ``renovate``."""
    path: str
    line: int | None
    ecosystems: tuple[str, ...]
    """As named in the file (``pip``, ``gomod``, ``npm``...); Renovate lists
    its ``enabledManagers`` (empty = every manager)."""
    covers: frozenset[Ecosystem]
    enabled: bool = True
    notes: tuple[str, ...] = ()
    directories: tuple[tuple[Ecosystem, str], ...] | None = None
    """Dependabot: (ecosystem, directory or glob as written, e.g. ``/services/api``)
    of each valid update entry, since Dependabot looks for manifests only
    there. None: the tool finds manifests anywhere (Renovate)."""

    def covers_project(self, ecosystem: Ecosystem, root: str) -> bool:
        """Whether this config updates the ``ecosystem`` project in folder
        ``root`` (repository-relative; "" or "." for the root)."""
        if not self.enabled or ecosystem not in self.covers:
            return False
        if self.directories is None:
            return True
        folder = "/" + root.strip("/") if root.strip("/") not in ("", ".") else "/"
        # Maven/Gradle multi-module builds and npm/yarn/pnpm workspaces are
        # updated from their root; Python and Go projects only where named.
        from_root = ecosystem in (Ecosystem.MAVEN, Ecosystem.GRADLE, Ecosystem.JAVASCRIPT)
        for eco, directory in self.directories:
            if eco is not ecosystem:
                continue
            bare = directory.strip().removeprefix(".").strip("/")
            wanted = "/" + bare if bare else "/"
            if wanted == folder or fnmatch.fnmatchcase(folder, wanted):
                return True
            if from_root and (wanted == "/" or folder.startswith(wanted + "/")):
                return True
        return False


@dataclass(frozen=True, slots=True)
class DepsFacts:
    ecosystems: tuple[EcosystemDeps, ...] = ()
    updates: tuple[UpdateConfig, ...] = ()
    problems: tuple[ParseProblem, ...] = ()

    def ecosystem(self, ecosystem: Ecosystem) -> EcosystemDeps | None:
        return next((e for e in self.ecosystems if e.ecosystem is ecosystem), None)

    def dependencies(
        self, name: str | None = None, ecosystem: Ecosystem | None = None
    ) -> list[Dependency]:
        """All dependencies, or those matching ``name`` (normalised per
        ecosystem; a Go path also matches its ``/vN`` major versions; a Java
        name without ``:`` matches the artifact id)."""
        found: list[Dependency] = []
        for eco in self.ecosystems:
            if ecosystem is not None and eco.ecosystem is not ecosystem:
                continue
            for dependency in eco.dependencies:
                if name is None or _matches(dependency, name):
                    found.append(dependency)
        return found

    def has_dependency(self, name: str, ecosystem: Ecosystem | None = None) -> bool:
        return bool(self.dependencies(name, ecosystem))

    def dependency_locations(self, name: str, ecosystem: Ecosystem | None = None) -> list[str]:
        """``path:line`` of every declaration of ``name``."""
        return [d.location for d in self.dependencies(name, ecosystem)]

    @property
    def unlocked(self) -> tuple[DependencyProject, ...]:
        """Projects that are not locked (each says why)."""
        return tuple(p for e in self.ecosystems for p in e.projects if not p.locked)


def _matches(dependency: Dependency, name: str) -> bool:
    wanted = normalize(name, dependency.ecosystem)
    if dependency.name == wanted:
        return True
    if dependency.ecosystem is Ecosystem.GO:
        rest = dependency.name[len(wanted) :]
        return dependency.name.startswith(wanted) and re.fullmatch(r"/v\d+", rest) is not None
    if dependency.ecosystem in (Ecosystem.MAVEN, Ecosystem.GRADLE) and ":" not in wanted:
        return dependency.name.split(":")[-1] == wanted
    return False
