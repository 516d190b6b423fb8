"""Dependency facts: manifests, dependencies and locking per ecosystem,
plus Dependabot/Renovate configuration.

``deps_facts(files)`` reads Python (pyproject PEP 621/735, Poetry, PDM, uv,
requirements files with includes, Pipfile, setup.cfg, setup.py via ``ast``),
Go (go.mod, go.sum, vendor), JavaScript (package.json and npm/yarn/pnpm/bun
lockfiles), Maven (pom.xml) and Gradle (build scripts, version catalog,
lockfiles), and answers:

- ``facts.has_dependency("tenacity")`` / ``dependency_locations(...)``
  (``path:line``) for checks looking for a library;
- ``facts.unlocked``: projects whose dependencies are not locked, each
  with ``why_unlocked`` (``ops.lockfile``);
- ``facts.updates``: Dependabot/Renovate configs with the ecosystems they
  cover (``ops.dependency-updates``); a broken config is a problem.

Never runs anything (setup.py is parsed, not executed).
"""

from __future__ import annotations

from collections import defaultdict

from prodready.scan.facts.deps_common import DepsContext
from prodready.scan.facts.deps_go import collect_go
from prodready.scan.facts.deps_java import collect_gradle, collect_maven
from prodready.scan.facts.deps_js import collect_js
from prodready.scan.facts.deps_model import (
    Dependency,
    DependencyKind,
    DependencyProject,
    DepsFacts,
    Ecosystem,
    EcosystemDeps,
    Lockfile,
    UpdateConfig,
    normalize,
)
from prodready.scan.facts.deps_python import PythonCollector
from prodready.scan.facts.deps_updates import collect_updates
from prodready.scan.facts.source import RepoFiles

__all__ = [
    "Dependency",
    "DependencyKind",
    "DependencyProject",
    "DepsFacts",
    "Ecosystem",
    "EcosystemDeps",
    "Lockfile",
    "UpdateConfig",
    "deps_facts",
    "normalize",
]


def deps_facts(files: RepoFiles) -> DepsFacts:
    """Every ecosystem found in ``files`` with its projects, dependencies
    and lock state, the update-bot configs, and problems."""
    ctx = DepsContext(files)
    projects: list[DependencyProject] = []
    projects.extend(PythonCollector(ctx).collect())
    projects.extend(collect_go(ctx))
    projects.extend(collect_js(ctx))
    projects.extend(collect_maven(ctx))
    projects.extend(collect_gradle(ctx))
    by_ecosystem: dict[Ecosystem, list[DependencyProject]] = defaultdict(list)
    for project in projects:
        by_ecosystem[project.ecosystem].append(project)
    ecosystems = tuple(
        EcosystemDeps(eco, tuple(by_ecosystem[eco])) for eco in Ecosystem if by_ecosystem.get(eco)
    )
    updates = tuple(collect_updates(ctx))
    seen: set[object] = set()
    problems = []
    for problem in ctx.problems:
        if problem not in seen:
            seen.add(problem)
            problems.append(problem)
    return DepsFacts(ecosystems, updates, tuple(problems))
