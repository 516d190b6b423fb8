"""Recorded results of ``prodready load``, ``prodready probe`` and ``prodready chaos``.

The ``live.*`` checks (and ``test.load``) judge what a tool *measured* against
the running service, from the result files it wrote and the team committed.
This collector finds those files and reads the few fields the checks need.
It never imports ``prodready.load``: parts stay independent, and a scanner
must read results written by another prodready version. Every field is read
defensively; a file that is not what it claims becomes a ``problem``.

Where results are looked for
----------------------------
In the service's own folder, ``*.json`` files of at most ``MAX_RESULT_BYTES``
whose path says they may be results: a folder named ``.prodready``,
``results``, ``load``, ``loadtest(s)``, ``load-tests``, ``perf``,
``performance``, ``chaos``, ``probe(s)``, or a file name containing
``result``, ``load``, ``perf``, ``slo``, ``probe`` or ``chaos``. Test
fixtures, vendored and example folders are skipped. Only files whose first
2 KiB hold a ``"schema_version"`` key are parsed, so a large repository's
JSON is never parsed wholesale.

What makes a result (content, not the name)
-------------------------------------------
- **load** (``prodready load --output``; format: ``docs/load.md``, "For the
  live.load-slo check", schema ``docs/schema/load-result.schema.json``):
  ``schema_version`` ``1.x``, ``tool.name == "prodready"``, ``passed`` and
  ``requests``. Read: ``passed``, ``valid``, ``invalid_reasons``,
  ``thresholds[]`` (``expression``, ``unit``, ``passed``, ``actual``),
  ``thresholds_passed``, ``latency.intended.p99_ms`` (else
  ``latency.service.p99_ms``), ``success_ratio``, ``finished_at``,
  ``target.url``, ``name``, ``source.format``.
- **probe** (``prodready probe``, not built yet): ``schema_version`` ``1.x``,
  ``kind == "prodready/probe-result"``; ``target.url``, ``finished_at`` and
  ``endpoints[]``, each with ``role`` (``health``, ``liveness``,
  ``readiness``, ``metrics``, ``api-spec``), ``url``, ``ok`` (boolean: it
  answered as expected) and ``status`` (HTTP status or null).
- **chaos** (``prodready chaos``, not built yet): ``schema_version``
  ``1.x``, ``kind == "prodready/chaos-result"``; ``name``, ``finished_at``,
  ``faults[]`` (``name``, ``injected`` boolean) and ``steady_state`` with
  ``before``, ``during`` and ``after`` (booleans: the hypothesis held in that
  phase; ``during`` may be absent when only checked around the fault).

A consumer accepts any minor version of the major it knows (``1.x``) and
ignores unknown fields; another major is reported, not guessed at.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from prodready.scan.facts._paths import name_of, suffix_of
from prodready.scan.facts.testsuite import is_test_data
from prodready.scan.facts.view import Facts

__all__ = [
    "MAX_RESULT_BYTES",
    "PROBE_ROLES",
    "ChaosRun",
    "LoadRun",
    "LoadThreshold",
    "ProbeEndpoint",
    "ProbeRun",
    "RecordedResults",
    "ResultProblem",
    "age_days",
    "collect_results",
    "is_result_candidate",
    "recorded_results",
]

MAX_RESULT_BYTES = 16 * 1024 * 1024
"""Larger JSON files are never parsed as results."""
SUPPORTED_MAJOR = "1"
PROBE_KIND = "prodready/probe-result"
CHAOS_KIND = "prodready/chaos-result"
PROBE_ROLES = ("health", "metrics", "api-spec")
"""The endpoint roles ``live.health`` wants answering (``liveness`` and
``readiness`` count as ``health``)."""
_HEALTH_ROLES = frozenset({"health", "liveness", "readiness", "healthz", "livez", "readyz"})

_RESULT_DIRS = frozenset(
    {
        ".prodready",
        "results",
        "load",
        "loadtest",
        "loadtests",
        "load-tests",
        "load_tests",
        "perf",
        "performance",
        "chaos",
        "probe",
        "probes",
    }
)
_RESULT_NAME = re.compile(r"result|load|perf|slo|probe|chaos", re.IGNORECASE)
_SKIPPED_NAMES = frozenset({"package.json", "package-lock.json", "tsconfig.json", "composer.json"})
_HEAD = 2048


@dataclass(frozen=True, slots=True)
class ResultProblem:
    """A file that looks like a recorded result but cannot be judged."""

    path: str
    message: str


@dataclass(frozen=True, slots=True)
class LoadThreshold:
    expression: str
    unit: str | None
    passed: bool
    actual: float | None


@dataclass(frozen=True, slots=True)
class LoadRun:
    path: str
    name: str | None
    target: str | None
    finished_at: datetime | None
    passed: bool
    valid: bool
    invalid_reasons: tuple[str, ...]
    thresholds: tuple[LoadThreshold, ...]
    p99_ms: float | None
    success_ratio: float | None
    source: str | None
    """``prodready`` when prodready measured the run, else the imported tool."""

    @property
    def key(self) -> str:
        """Runs of the same plan share a key: the latest one is the verdict."""
        return self.name or self.target or self.path

    @property
    def latency_thresholds(self) -> tuple[LoadThreshold, ...]:
        return tuple(t for t in self.thresholds if t.unit == "ms")

    @property
    def success_thresholds(self) -> tuple[LoadThreshold, ...]:
        return tuple(t for t in self.thresholds if t.unit == "ratio")


@dataclass(frozen=True, slots=True)
class ProbeEndpoint:
    role: str
    url: str | None
    ok: bool
    status: int | None


@dataclass(frozen=True, slots=True)
class ProbeRun:
    path: str
    target: str | None
    finished_at: datetime | None
    endpoints: tuple[ProbeEndpoint, ...]

    def answering(self, role: str) -> list[ProbeEndpoint]:
        """Endpoints of ``role`` (``health`` includes liveness/readiness) that answered."""
        return [e for e in self.endpoints if _role(e.role) == role and e.ok]

    def probed(self, role: str) -> list[ProbeEndpoint]:
        return [e for e in self.endpoints if _role(e.role) == role]


@dataclass(frozen=True, slots=True)
class ChaosRun:
    path: str
    name: str | None
    finished_at: datetime | None
    faults: tuple[tuple[str, bool], ...]
    """(fault name, injected)."""
    before: bool | None
    during: bool | None
    after: bool | None

    @property
    def key(self) -> str:
        return self.name or self.path

    @property
    def injected(self) -> int:
        return sum(1 for _, injected in self.faults if injected)

    @property
    def held(self) -> bool:
        """The hypothesis held before and after the fault, and during it when
        that was checked."""
        return self.before is True and self.after is True and self.during is not False


@dataclass(frozen=True, slots=True)
class RecordedResults:
    load: tuple[LoadRun, ...] = ()
    probes: tuple[ProbeRun, ...] = ()
    chaos: tuple[ChaosRun, ...] = ()
    problems: tuple[ResultProblem, ...] = ()
    """Files that claim to be results but cannot be judged (broken JSON, an
    unknown major version, a missing or mistyped field)."""

    def problems_of(self, kind: str) -> tuple[ResultProblem, ...]:
        return tuple(p for p in self.problems if p.message.startswith(f"{kind} result"))

    @staticmethod
    def latest_load(runs: tuple[LoadRun, ...]) -> list[LoadRun]:
        """The most recent run of each plan (name, else target, else file)."""
        return _latest(runs, lambda run: run.key)

    @staticmethod
    def latest_chaos(runs: tuple[ChaosRun, ...]) -> list[ChaosRun]:
        return _latest(runs, lambda run: run.key)


def _latest(runs: Any, key: Any) -> list[Any]:
    best: dict[str, Any] = {}
    for run in runs:
        current = best.get(key(run))
        if current is None or _when(run) > _when(current):
            best[key(run)] = run
    return sorted(best.values(), key=lambda run: run.path)


def _when(run: Any) -> datetime:
    value: datetime | None = run.finished_at
    return value if value is not None else datetime.min.replace(tzinfo=UTC)


def _role(role: str) -> str:
    lowered = role.lower()
    if lowered in _HEALTH_ROLES:
        return "health"
    if lowered in ("openapi", "swagger", "api", "api-spec", "spec"):
        return "api-spec"
    return lowered


def is_result_candidate(path: str) -> bool:
    """Whether ``path`` may hold a recorded result (by name only; see module docstring)."""
    if suffix_of(path).lower() != ".json" or name_of(path) in _SKIPPED_NAMES:
        return False
    if is_test_data(path):
        return False
    pure = PurePosixPath(path)
    folders = {part.lower() for part in pure.parts[:-1]}
    return bool(folders & _RESULT_DIRS) or bool(_RESULT_NAME.search(pure.stem))


def collect_results(facts: Facts, max_bytes: int = MAX_RESULT_BYTES) -> RecordedResults:
    """The recorded results in the service's own folder (files larger than
    ``max_bytes`` are never parsed)."""
    load: list[LoadRun] = []
    probes: list[ProbeRun] = []
    chaos: list[ChaosRun] = []
    problems: list[ResultProblem] = []
    for info in facts.own_files():
        if info.is_vendored or info.is_example or info.size > max_bytes:
            continue
        if not is_result_candidate(info.path):
            continue
        text = facts.read_text(info.path)
        if text is None or '"schema_version"' not in text[:_HEAD]:
            continue
        parsed = facts.index.parsed("json", info.path)
        if parsed.problem is not None or not isinstance(parsed.value, dict):
            if _looks_like_result(text[:_HEAD]):
                reason = parsed.problem.message if parsed.problem else "not a JSON object"
                problems.append(ResultProblem(info.path, f"{_kind_hint(text)} result: {reason}"))
            continue
        try:
            read = _read(info.path, parsed.value)
        except _Invalid as exc:
            problems.append(ResultProblem(info.path, str(exc)))
            continue
        if isinstance(read, LoadRun):
            load.append(read)
        elif isinstance(read, ProbeRun):
            probes.append(read)
        elif isinstance(read, ChaosRun):
            chaos.append(read)
    return RecordedResults(tuple(load), tuple(probes), tuple(chaos), tuple(problems))


def _looks_like_result(head: str) -> bool:
    return '"prodready' in head


def _kind_hint(text: str) -> str:
    head = text[:_HEAD]
    if PROBE_KIND in head:
        return "probe"
    if CHAOS_KIND in head:
        return "chaos"
    return "load"


class _Invalid(ValueError):
    """A file that claims to be a result and is not a valid one."""


def _read(path: str, doc: dict[str, Any]) -> LoadRun | ProbeRun | ChaosRun | None:
    kind = doc.get("kind")
    tool = doc.get("tool")
    if kind == PROBE_KIND:
        label = "probe"
    elif kind == CHAOS_KIND:
        label = "chaos"
    elif (
        kind is None
        and isinstance(tool, dict)
        and tool.get("name") == "prodready"
        and "passed" in doc
        and "requests" in doc
    ):
        label = "load"
    else:
        return None  # someone else's JSON with a schema_version
    version = doc.get("schema_version")
    if not isinstance(version, str) or version.split(".", 1)[0] != SUPPORTED_MAJOR:
        raise _Invalid(
            f"{label} result: schema_version {version!r} is not supported "
            f"(this prodready reads {SUPPORTED_MAJOR}.x); upgrade prodready"
        )
    if label == "load":
        return _load(path, doc)
    if label == "probe":
        return _probe(path, doc)
    return _chaos(path, doc)


def _load(path: str, doc: dict[str, Any]) -> LoadRun:
    passed = _required_bool(doc, "passed", "load")
    valid = doc.get("valid")
    thresholds = []
    for index, item in enumerate(_list(doc.get("thresholds"))):
        if not isinstance(item, dict) or not isinstance(item.get("passed"), bool):
            raise _Invalid(f"load result: thresholds[{index}] has no boolean `passed`")
        expression = item.get("expression")
        unit = item.get("unit")
        thresholds.append(
            LoadThreshold(
                str(expression) if expression is not None else f"threshold {index + 1}",
                unit if isinstance(unit, str) else None,
                item["passed"],
                _number(item.get("actual")),
            )
        )
    latency = doc.get("latency") if isinstance(doc.get("latency"), dict) else {}
    p99 = None
    for kind in ("intended", "service"):
        block = latency.get(kind) if isinstance(latency, dict) else None
        if isinstance(block, dict) and _number(block.get("p99_ms")) is not None:
            p99 = _number(block.get("p99_ms"))
            break
    reasons = [str(r) for r in _list(doc.get("invalid_reasons")) if isinstance(r, str)]
    source_block = doc.get("source")
    source = _string(source_block.get("format")) if isinstance(source_block, dict) else None
    return LoadRun(
        path=path,
        name=_string(doc.get("name")),
        target=_target(doc),
        finished_at=_timestamp(doc.get("finished_at")),
        passed=passed,
        valid=valid if isinstance(valid, bool) else passed,
        invalid_reasons=tuple(reasons),
        thresholds=tuple(thresholds),
        p99_ms=p99,
        success_ratio=_number(doc.get("success_ratio")),
        source=source,
    )


def _probe(path: str, doc: dict[str, Any]) -> ProbeRun:
    raw = doc.get("endpoints")
    if not isinstance(raw, list):
        raise _Invalid("probe result: `endpoints` must be a list")
    endpoints = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("role"), str):
            raise _Invalid(f"probe result: endpoints[{index}] has no `role`")
        ok = item.get("ok")
        if not isinstance(ok, bool):
            raise _Invalid(f"probe result: endpoints[{index}] has no boolean `ok`")
        status = item.get("status")
        endpoints.append(
            ProbeEndpoint(
                item["role"],
                _string(item.get("url")),
                ok,
                status if isinstance(status, int) and not isinstance(status, bool) else None,
            )
        )
    return ProbeRun(path, _target(doc), _timestamp(doc.get("finished_at")), tuple(endpoints))


def _chaos(path: str, doc: dict[str, Any]) -> ChaosRun:
    steady = doc.get("steady_state")
    if not isinstance(steady, dict):
        raise _Invalid("chaos result: `steady_state` must be an object")
    phases: dict[str, bool | None] = {}
    for phase in ("before", "during", "after"):
        value = steady.get(phase)
        if value is not None and not isinstance(value, bool):
            raise _Invalid(f"chaos result: steady_state.{phase} must be a boolean")
        phases[phase] = value
    faults = []
    for index, item in enumerate(_list(doc.get("faults"))):
        if not isinstance(item, dict) or not isinstance(item.get("injected"), bool):
            raise _Invalid(f"chaos result: faults[{index}] has no boolean `injected`")
        faults.append((_string(item.get("name")) or f"fault {index + 1}", item["injected"]))
    return ChaosRun(
        path,
        _string(doc.get("name")),
        _timestamp(doc.get("finished_at")),
        tuple(faults),
        phases["before"],
        phases["during"],
        phases["after"],
    )


def _required_bool(doc: dict[str, Any], key: str, label: str) -> bool:
    value = doc.get(key)
    if not isinstance(value, bool):
        raise _Invalid(f"{label} result: `{key}` must be a boolean")
    return value


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _target(doc: dict[str, Any]) -> str | None:
    target = doc.get("target")
    if isinstance(target, dict):
        return _string(target.get("url"))
    return _string(target)


def _timestamp(value: Any) -> datetime | None:
    """An RFC 3339 timestamp (``Z`` or an offset), as an aware datetime."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def recorded_results(facts: Facts) -> RecordedResults:
    """``collect_results`` for this service's view, computed once per scan."""
    return facts.derived("prodready.results", lambda view: collect_results(view))


def age_days(when: datetime | None, now: datetime) -> float | None:
    """Days between ``when`` and ``now`` (None when the time is unknown; 0 for
    a time in the future, e.g. clock skew between machines)."""
    if when is None:
        return None
    return max(0.0, (now - when).total_seconds() / 86400)
