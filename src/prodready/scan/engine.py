"""The scan: collect facts once, judge every check, score, assemble the result.

``scan(root, options)`` is the whole pipeline behind ``prodready scan``:

1. load and validate the policy (``PolicyError`` -> exit 2);
2. build the file index (the only disk reader) and discover services;
3. compute the per-file facts every check will want (``perfile.plan``) in
   ``jobs`` worker processes, or take them from the fact cache (``cache``):
   a rescan re-reads and re-analyses only the files that changed;
4. run every selected check on every service, in parallel (``jobs``
   threads). A check that raises becomes an ``error`` result with its message;
   the scan goes on. Exemptions are applied here, not in checks;
5. score each service and the repository (``scoring``) and return the
   ``ScanResult``, with warnings for everything that was skipped or broken;
   store what was learnt in the cache.

The result is the same with or without the cache and whatever ``jobs`` is:
per-file facts are pure functions of a file's path and text.

Nothing here executes, imports or builds the scanned repository.
"""

from __future__ import annotations

import difflib
import functools
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from prodready import __version__
from prodready.scan.checks.base import Check, Verdict
from prodready.scan.checks.registry import Registry, load_registry
from prodready.scan.diagnostics import WarningLog, json_safe
from prodready.scan.facts.cache import FactCache
from prodready.scan.facts.files import FileIndex, IndexLimits
from prodready.scan.facts.parallel import default_workers
from prodready.scan.facts.perfile import plan
from prodready.scan.facts.view import Facts, ServiceScope
from prodready.scan.model import (
    CheckResult,
    Evidence,
    Finding,
    Outcome,
    Pillar,
    Repository,
    ScanResult,
    ServiceResult,
    Tool,
)
from prodready.scan.policy import Policy, find_policy_file, load_policy, load_policy_file
from prodready.scan.scoring import Planned, score_repository, score_service
from prodready.scan.services import discover, unique_names

MAX_FINDINGS_PER_CHECK = 50
"""Findings kept per check in the result; ``findings_total`` has the full count."""

_VALIDATED_LANGUAGES = frozenset({"toml", "json", "yaml", "python"})
_ARTEFACT_KIND = {"toml": "toml", "json": "json", "yaml": "yaml", "python": "python"}


class UsageError(Exception):
    """The request cannot be served as asked (bad path, unknown id or service): exit 2."""


class Progress(Protocol):
    """Receives progress; the CLI draws a bar from it on a terminal."""

    def phase(self, name: str, total: int | None) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


@dataclass(frozen=True, slots=True)
class ScanOptions:
    config: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    service: str | None = None
    jobs: int | None = None
    """Worker processes for per-file analysis and threads for checks (default:
    the CPUs this process may use)."""
    cache: bool = True
    """Keep per-file facts between scans (``facts.cache``)."""
    cache_dir: Path | None = None
    """Where (default: ``$PRODREADY_CACHE_DIR`` or the user cache directory)."""
    include_plugins: bool = True
    today: date | None = None
    """The date exemptions expire against (default: today, UTC)."""


@dataclass(frozen=True, slots=True)
class _Service:
    scope: ServiceScope
    policy: Policy
    facts: Facts


def scan(
    root: Path,
    options: ScanOptions | None = None,
    *,
    registry: Registry | None = None,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ScanResult:
    """Scan the repository at ``root``. Raises ``UsageError`` or ``PolicyError``
    for problems with the request; anything about the repository's content
    becomes a finding or a warning."""
    options = options or ScanOptions()
    started, start_clock = clock(), time.perf_counter()
    root = _check_root(root)
    registry = registry or load_registry(include_plugins=options.include_plugins)
    policy = load_policy(root, options.config, known_checks=registry.ids())
    selected = select_checks(registry, options.select, options.ignore, policy.disable)
    today = options.today or started.date()
    log = WarningLog()
    for problem in registry.problems:
        log.add("plugin", problem)

    if progress is not None:
        progress.phase("indexing files", None)
    limits = IndexLimits(max_file_size=policy.max_file_size, exclude=policy.exclude)
    cache = _open_cache(options, log)
    index = FileIndex.build(root, limits, log, cache=cache)
    services = _services(root, index, policy, registry, options.service)
    jobs = max(1, options.jobs or default_workers())

    runnable = [c for c in selected if c.implemented]
    analysed = 0
    if runnable:
        wanted = plan(service.facts for service in services)
        if progress is None:
            analysed = index.prefetch(wanted, jobs)
        else:
            announce = functools.partial(progress.phase, "analysing files")
            analysed = index.prefetch(wanted, jobs, progress.advance, announce=announce)
    tasks = [(service, check) for service in services for check in runnable]
    if progress is not None:
        progress.phase("running checks", len(tasks))

    def run(task: tuple[_Service, Check]) -> CheckResult:
        service, check = task
        try:
            return judge(check, service.facts, service.policy, today, log)
        finally:
            if progress is not None:
                progress.advance()

    # Threads pay while a check waits for an external analyser (ruff on the
    # files that changed). When no file needed analysing (a warm rescan), the
    # checks are pure Python over facts in memory and threads would only take
    # turns at the GIL (~50 ms of a 0.85 s rescan of 8 services): one thread.
    if jobs == 1 or len(tasks) <= 1 or analysed == 0:
        results = [run(task) for task in tasks]
    else:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="prodready-check") as pool:
            results = list(pool.map(run, tasks))

    planned = [Planned(c.id, c.spec.level) for c in selected if not c.implemented]
    service_results = []
    for position, service in enumerate(services):
        mine = results[position * len(runnable) : (position + 1) * len(runnable)]
        service_results.append(_service_result(service, mine, planned))
    _report_parse_problems(index, log)
    _save_cache(index, cache)
    for rule in policy.exemptions:
        if rule.expired(today):
            log.add(
                "exemption-expired",
                f"the exemption for {rule.check} expired on {rule.expires}; it is judged again",
                rule.source or None,
            )
    repo = score_repository(service_results)
    finished = clock()
    summary = policy.summary()
    summary["select"] = list(options.select)
    summary["ignore"] = list(options.ignore)
    summary["planned"] = [p.id for p in planned]
    return ScanResult(
        tool=Tool(version=__version__),
        repository=Repository(
            root=json_safe(str(root)),
            commit=index.git.commit if index.git else None,
            branch=json_safe(index.git.branch) if index.git and index.git.branch else None,
            remote=json_safe(index.git.remote) if index.git and index.git.remote else None,
            files_scanned=len(index),
            files_skipped=len(index.skipped),
        ),
        started_at=started,
        finished_at=max(finished, started),
        duration_seconds=round(time.perf_counter() - start_clock, 3),
        score=repo.score,
        level=repo.level,
        next_level=repo.next_level,
        blockers=repo.blockers,
        pillars=repo.pillars,
        services=service_results,
        warnings=log.warnings(),
        policy=summary,
    )


def _open_cache(options: ScanOptions, log: WarningLog) -> FactCache | None:
    if not options.cache:
        return None
    try:
        return FactCache(options.cache_dir, on_error=lambda message: log.add("cache", message))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _save_cache(index: FileIndex, cache: FactCache | None) -> None:
    """Store what the scan learnt; a cache that grew is trimmed to its bound."""
    if cache is None:
        return
    index.save_cache()
    if cache.written_bytes:
        cache.trim()


def _check_root(root: Path) -> Path:
    try:
        resolved = root.resolve()
    except (OSError, RuntimeError) as exc:
        raise UsageError(f"{root}: cannot resolve the path ({exc})") from None
    if not resolved.exists():
        raise UsageError(f"{root}: no such directory")
    if not resolved.is_dir():
        raise UsageError(f"{root}: not a directory (give the repository's folder)")
    return resolved


def select_checks(
    registry: Registry,
    select: Sequence[str],
    ignore: Sequence[str],
    disabled: frozenset[str] = frozenset(),
) -> list[Check]:
    """The checks to run: ``select`` (ids or pillars; all when empty) minus
    ``ignore`` and the policy's disabled ids, in catalogue order."""
    chosen = _expand(registry, select, "--select") if select else set(registry.ids())
    chosen -= _expand(registry, ignore, "--ignore")
    chosen -= disabled
    return [c for c in registry.checks if c.id in chosen]


def _expand(registry: Registry, tokens: Sequence[str], option: str) -> set[str]:
    ids: set[str] = set()
    pillars = {p.value for p in Pillar}
    for raw in tokens:
        for token in (t.strip() for t in raw.split(",")):
            if not token:
                continue
            name = token.removesuffix(".*")
            if token in registry:
                ids.add(token)
            elif name in pillars:
                ids.update(c.id for c in registry.checks if c.spec.pillar.value == name)
            else:
                close = difflib.get_close_matches(token, registry.ids() + sorted(pillars), n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise UsageError(
                    f"{option}: unknown check id or pillar {token!r}{hint}; "
                    "`prodready checks` lists them"
                )
    return ids


def _services(
    root: Path, index: FileIndex, policy: Policy, registry: Registry, wanted: str | None
) -> list[_Service]:
    found = discover(index, policy.services)
    policies: list[Policy] = []
    names: list[str] = []
    for item in found:
        scope = item.scope
        own = _service_policy(root, scope, registry) if scope.path != "." else None
        policies.append(policy.for_service(own, scope.prefix))
        if scope.path == ".":
            names.append(policy.service or item.manifest_name or root.name or "repository")
        else:
            names.append((own.service if own else None) or item.manifest_name or scope.path)
    names = unique_names(names, [item.scope.path for item in found])
    result = []
    for name, item, effective in zip(names, found, policies, strict=True):
        scope = ServiceScope(name, item.scope.path, item.scope.nested, item.scope.markers)
        hidden = tuple(p for p in effective.exclude if p not in policy.exclude)
        facts = Facts(index, scope, effective.thresholds, hidden=hidden)
        result.append(_Service(scope, effective, facts))
    if wanted is None:
        return result
    for service in result:
        if wanted in (service.scope.name, service.scope.path, service.scope.path.rstrip("/")):
            return [service]
    available = ", ".join(f"{s.scope.name} ({s.scope.path})" for s in result)
    raise UsageError(f"--service: no service named {wanted!r}; found: {available}")


def _service_policy(root: Path, scope: ServiceScope, registry: Registry) -> Policy | None:
    """A service folder's own policy file, if it has one (inside the repository)."""
    path = find_policy_file(root / scope.path, within=root)
    if path is None:
        return None
    return load_policy_file(path, f"{scope.prefix}{path.name}", known_checks=registry.ids())


def judge(
    check: Check, facts: Facts, policy: Policy, today: date, log: WarningLog | None = None
) -> CheckResult:
    """Run one check on one service's facts, applying the policy's exemption."""
    spec = check.spec
    rule = policy.exemption_for(spec.id)
    active = rule is not None and not rule.expired(today)
    view = facts.without(rule.paths) if rule is not None and active and rule.paths else facts
    error: str | None = None
    verdict: Verdict | None = None
    try:
        assert check.judge is not None
        produced: object = check.judge(view)
        if not isinstance(produced, Verdict):
            raise TypeError(f"judge returned {type(produced).__name__}, not a Verdict")
        verdict = produced
    except Exception as exc:  # a broken check never aborts the scan
        error = f"{type(exc).__name__}: {exc}".strip()[:2000]
    outcome = verdict.outcome if verdict is not None else Outcome.ERROR
    score = verdict.score if verdict is not None else None
    summary = verdict.summary if verdict is not None else f"the check crashed: {error}"
    if rule is not None and active and not rule.paths:
        if outcome in (Outcome.FAIL, Outcome.ERROR):
            summary = f"exempt ({rule.reason}); judged: {summary}"
            outcome, score = Outcome.EXEMPT, None
        elif outcome is Outcome.PASS and log is not None:
            log.add(
                "exemption-unneeded",
                f"{spec.id} passes on service {facts.scope.name!r}; its exemption can go",
                rule.source or None,
            )
    findings = list(verdict.findings) if verdict is not None else []
    base = {
        "id": spec.id,
        "pillar": spec.pillar,
        "level": spec.level,
        "title": spec.title,
        "weight": policy.check_weight(spec.id, spec.weight),
        "how_to_fix": spec.how_to_fix,
        "exemption": rule.as_model(today) if rule is not None else None,
    }
    try:
        return CheckResult(
            **base,
            outcome=outcome,
            score=None if score is None else round(float(score), 2),
            summary=json_safe(summary),
            findings=[_safe_finding(f) for f in findings[:MAX_FINDINGS_PER_CHECK]],
            findings_total=len(findings),
            evidence=[_safe_evidence(e) for e in (verdict.evidence if verdict else ())][:50],
            error=json_safe(error) if error else None,
        )
    except (ValidationError, TypeError, ValueError, AttributeError) as exc:
        # A verdict whose findings or evidence are not the model's types (a
        # plugin's bug): an error result, never a crashed scan.
        message = f"invalid verdict: {type(exc).__name__}: {exc}".strip()[:2000]
        return CheckResult(
            **base, outcome=Outcome.ERROR, summary=json_safe(message), error=json_safe(message)
        )


def _safe_finding(item: Finding) -> Finding:
    if item.path is None and item.snippet is None:
        return item
    path = json_safe(item.path) if item.path else item.path
    snippet = json_safe(item.snippet) if item.snippet else item.snippet
    message = json_safe(item.message)
    if path is item.path and snippet is item.snippet and message is item.message:
        return item  # nothing to escape (almost always): no copy
    return item.model_copy(update={"path": path, "snippet": snippet, "message": message})


def _safe_evidence(item: Evidence) -> Evidence:
    path = json_safe(item.path)
    detail = json_safe(item.detail) if item.detail else item.detail
    if path is item.path and detail is item.detail:
        return item  # nothing to escape (almost always): no copy
    return item.model_copy(update={"path": path, "detail": detail})


def _service_result(
    service: _Service, results: list[CheckResult], planned: list[Planned]
) -> ServiceResult:
    scored = score_service(results, service.policy.pillar_weights, planned)
    return ServiceResult(
        name=json_safe(service.scope.name),
        path=json_safe(service.scope.path),
        owner=service.policy.owner,
        team=service.policy.team,
        tier=service.policy.tier,
        languages=list(service.facts.languages()),
        score=scored.score,
        level=scored.level,
        next_level=scored.next_level,
        blockers=scored.blockers,
        top_fixes=scored.top_fixes,
        pillars=scored.pillars,
        checks=results,
    )


def _report_parse_problems(index: FileIndex, log: WarningLog) -> None:
    """Check that every first-party config and Python file parses (known
    already when a check parsed it, or from the per-file facts computed ahead
    and cached) and report the ones that are broken."""
    for info in index.infos():
        if info.language in _VALIDATED_LANGUAGES and info.is_first_party and not info.is_test:
            index.parse_problem(_ARTEFACT_KIND[info.language], info.path)
    for problem in index.parse_problems():
        log.add("parse-error", problem.message, problem.path, problem.line)
