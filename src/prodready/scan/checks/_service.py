"""What one service sees of the shared facts: CI commands, tool configs, dependency projects.

The CI collector (``facts.ci.ci_facts``) reports every command a pipeline
runs with the folder it runs in. In a repository with several services a
command concerns a service when it runs inside the service's folder, or in
a folder above it (typically the root) and either names the service's path
or runs a tool for one of the service's languages. Commands and tool
configurations that live in test, example, vendored or generated files
(fixture repositories, sample projects) are not the repository's own.

Some facts live outside every service folder: a ``deploy/`` Helm chart or
``k8s/`` manifests that deploy several services of a monorepo.
``repository_derived`` computes such a collector once over the whole
repository and shares it between the service views of the same scan;
``deployment(facts)`` is the deploy collector computed that way (checks then
attribute its workloads to their service).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath
from typing import Any, TypeVar

from prodready.scan.facts.ci import ci_facts
from prodready.scan.facts.ci_model import CiFacts, CommandRun, Pipeline, ToolConfig, Trigger
from prodready.scan.facts.code_facts import SourceFacts, source_facts
from prodready.scan.facts.deploy import DeployFacts, deploy_facts
from prodready.scan.facts.files import FileIndex, Memo
from prodready.scan.facts.view import Facts

T = TypeVar("T")

LINTED_LANGUAGES = frozenset({"python", "go", "javascript", "typescript", "java", "kotlin"})
"""Languages for which ``cq.lint`` knows the linters (see facts.ci_tools)."""


def ci(facts: Facts) -> CiFacts:
    """The CI facts of this service's view, computed once per scan."""
    return facts.derived("ci", ci_facts)


def source(facts: Facts) -> SourceFacts:
    """The source collectors' facts for this service, computed once per scan.

    Each file's analysis is a per-file fact (``Facts.file_fact``): computed
    ahead in worker processes, each Python file parsed once, and cached
    between scans by content."""

    return facts.derived("source", source_facts)


_SHARED: weakref.WeakKeyDictionary[FileIndex, Memo] = weakref.WeakKeyDictionary()
_SHARED_LOCK = threading.Lock()


def repository_derived(facts: Facts, key: str, fn: Callable[[Facts], T]) -> T:
    """``fn`` over the whole repository (seen with this view's hidden paths),
    computed once per scan and shared by every service view of it.

    For facts that live outside any service folder. A repository that is one
    service already sees everything: ``facts.derived`` is used directly."""
    if facts.scope.path == "." and not facts.scope.nested:
        return facts.derived(key, fn)
    with _SHARED_LOCK:
        memo = _SHARED.get(facts.index)
        if memo is None:
            memo = _SHARED[facts.index] = Memo()

    def compute() -> Any:
        return fn(Facts(facts.index, params=facts.params, hidden=facts.hidden))

    value: T = memo.get((key, facts.hidden, facts.params), compute)
    return value


def deployment(facts: Facts) -> DeployFacts:
    """The deploy collector's facts for the whole repository (k8s, Helm,
    Kustomize, compose, alerts...), computed once per scan. Which workloads
    deploy *this* service is the checks' business (``checks.ops``)."""
    return repository_derived(facts, "deploy", deploy_facts)


def _own_file(facts: Facts, path: str, *, generated_ok: bool = False) -> bool:
    info = facts.info(path)
    if info is None:
        return True  # not indexed as text (e.g. excluded): do not second-guess the collector
    if info.is_generated and not generated_ok:
        return False
    return not (info.is_test or info.is_example or info.is_vendored)


def first_party(facts: Facts, path: str) -> bool:
    """Not a test fixture, example or vendored copy (generated files are the
    project's own: a rendered manifest is still what gets deployed)."""
    info = facts.index.info(path)
    return info is None or not (info.is_test or info.is_example or info.is_vendored)


def inside(path: str, folder: str) -> bool:
    """``path`` is ``folder`` or in it ("." and "" are the root)."""
    folder = folder.strip("/")
    return folder in ("", ".") or path == folder or path.startswith(folder + "/")


def concerns(facts: Facts, run: CommandRun) -> bool:
    """Whether ``run`` is about this service (see the module docstring)."""
    if not all(_own_file(facts, loc.path) for loc in run.origin[:1]):
        return False
    service = facts.scope.path
    if service == ".":
        return True
    cwd = run.cwd
    if cwd is None or inside(cwd, service):
        return True
    if not inside(service, cwd):
        return False  # runs in a sibling folder
    if any(service in arg for arg in run.argv):
        return True
    languages = set(facts.languages())
    tool_languages = set(run.tool.languages) if run.tool is not None else set()
    return not tool_languages or bool(tool_languages & languages)


def service_pipelines(facts: Facts) -> list[Pipeline]:
    """CI definitions of the repository itself (not those of fixture or example
    repositories that happen to live inside it)."""
    return [p for p in ci(facts).pipelines if _own_file(facts, p.path)]


def service_runs(
    facts: Facts, kind: str, triggers: Iterable[Trigger] | None = None
) -> list[CommandRun]:
    """Commands of ``kind`` (category, tool id or family) that concern this service."""
    return [run for run in ci(facts).runs(kind, triggers) if concerns(facts, run)]


def service_configs(facts: Facts, kind: str) -> list[ToolConfig]:
    """Tool configurations of ``kind`` in the service's folder, below it or above it."""
    service = facts.scope.path
    found = []
    for config in ci(facts).configs(kind):
        folder = str(PurePosixPath(config.path).parent)
        if _own_file(facts, config.path) and (inside(service, folder) or inside(folder, service)):
            found.append(config)
    return found


def own_project(facts: Facts, root: str, manifests: Iterable[str]) -> bool:
    """A dependency project (manifest folder) that belongs to this service: in its
    folder, and not a test fixture, example or vendored copy. Generated manifests
    (a pip-compiled requirements.txt) are the project's own."""
    return inside(root or ".", facts.scope.path) and all(
        _own_file(facts, m, generated_ok=True) for m in manifests
    )
