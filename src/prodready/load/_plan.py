"""Plan files: a load test as a reviewable YAML document.

A plan holds what a command line would: targets, the profile, thresholds,
limits and engine settings, so a load test lives in the repository next to
the service (and the scanner's ``test.load`` check can find it). Every key
is validated; errors name the file, the key path and what was expected.
Paths inside a plan (``targets_file``, ``body_file``, ``output``, ``html``)
are relative to the plan file. The reference is docs/load.md ("Plan files").

Example::

    name: drivers-api
    target: http://127.0.0.1:8080/drivers
    profile:
      - {type: linear, from: 0, to: 500, duration: 30s}
      - {type: constant, rate: 500, duration: 2m}
    thresholds: [p99<300ms, success>=99.5%]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from prodready.load._errors import ConfigError
from prodready.load._stages import (
    ConstantStage,
    Duration,
    PositiveRate,
    RampTo,
    Rate,
    Stage,
    StageSpec,
    stages_from_ramps,
)
from prodready.load._targets import MAX_WEIGHT, Target, load_targets_file, parse_header
from prodready.load._thresholds import Threshold, parse_threshold
from prodready.load._units import parse_duration
from prodready.load._validation import describe_errors

MAX_PLAN_BYTES = 1024 * 1024


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PlanTarget(_Strict):
    url: str
    method: str = "GET"
    headers: dict[str, str | list[str]] = Field(default_factory=dict)
    body: str | None = None
    body_file: str | None = None
    weight: Annotated[int, Field(ge=1, le=MAX_WEIGHT)] = 1

    @model_validator(mode="after")
    def _one_body(self) -> PlanTarget:
        if self.body is not None and self.body_file is not None:
            raise ValueError("give 'body' or 'body_file', not both")
        return self


class PlanThreshold(_Strict):
    expression: str = Field(alias="threshold")
    abort_on_fail: bool = False
    delay: Annotated[float, Field(ge=0)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _delay_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("delay"), str):
            data = {**data, "delay": parse_duration(data["delay"])}
        return data


class PlanLimits(_Strict):
    max_requests: Annotated[int, Field(ge=1)] | None = None
    max_duration: Duration | None = None
    max_in_flight: Annotated[int, Field(ge=1)] | None = None
    connections: Annotated[int, Field(ge=1)] | None = None
    timeout: Duration | None = None
    max_lag: Duration | None = None


class PlanEngine(_Strict):
    workers: Annotated[int, Field(ge=1, le=256)] | Literal["auto"] | None = None
    client: Literal["fast", "aiohttp"] | None = None
    event_loop: Literal["auto", "uvloop", "asyncio"] | None = None
    insecure: bool | None = None


class LoadPlan(_Strict):
    """The plan file's schema (version 1)."""

    version: Literal[1] = 1
    name: str | None = None
    target: str | None = None
    targets: list[PlanTarget] | None = None
    targets_file: str | None = None
    targets_format: Literal["auto", "http", "json"] = "auto"
    headers: dict[str, str | list[str]] = Field(default_factory=dict)
    allow_hosts: list[str] = Field(default_factory=list)
    rate: PositiveRate | None = None
    duration: Duration | None = None
    profile: list[StageSpec] | None = None
    stages: list[RampTo] | None = None
    start_rate: Rate = 0.0
    thresholds: list[str | PlanThreshold] = Field(default_factory=list)
    abort_on_fail: bool = False
    limits: PlanLimits = Field(default_factory=PlanLimits)
    engine: PlanEngine = Field(default_factory=PlanEngine)
    watch_pid: Annotated[int, Field(ge=1)] | None = None
    output: str | None = None
    html: str | None = None

    @model_validator(mode="after")
    def _exclusive(self) -> LoadPlan:
        given = [k for k in ("target", "targets", "targets_file") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of target, targets or targets_file, not {given}")
        profiles = [k for k in ("profile", "stages") if getattr(self, k) is not None]
        if self.rate is not None or self.duration is not None:
            if self.rate is None or self.duration is None:
                raise ValueError("'rate' and 'duration' go together (a constant profile)")
            profiles.append("rate/duration")
        if len(profiles) > 1:
            raise ValueError(f"give one of profile, stages or rate/duration, not {profiles}")
        return self


@dataclass(frozen=True)
class ResolvedPlan:
    """A plan with files read and strings parsed, ready to merge with options."""

    path: Path
    plan: LoadPlan
    targets: tuple[Target, ...] = ()
    stages: tuple[Stage, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    output: Path | None = None
    html: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def load_plan(path: Path) -> ResolvedPlan:
    """Read, validate and resolve a plan file (``ConfigError`` on any problem)."""
    try:
        if path.stat().st_size > MAX_PLAN_BYTES:
            raise ConfigError(f"{path}: larger than 1 MiB; is this a plan file?")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the plan: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the plan is not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: YAML syntax error: {problem}") from None
    if data is None:
        raise ConfigError(f"{path}: the plan is empty")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys (name, target, profile, ...)")
    try:
        plan = LoadPlan.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc, str(path))) from None
    return _resolve(path, plan)


def _resolve(path: Path, plan: LoadPlan) -> ResolvedPlan:
    base = path.parent
    common = _headers(plan.headers, f"{path}: headers")
    targets: list[Target] = []
    try:
        if plan.target is not None:
            targets = [Target(plan.target, headers=tuple(common))]
        elif plan.targets is not None:
            for index, item in enumerate(plan.targets):
                where = f"{path}: targets[{index}]"
                body = b""
                if item.body is not None:
                    body = item.body.encode("utf-8")
                elif item.body_file is not None:
                    body = _read_body(base / item.body_file, where)
                headers = common + _headers(item.headers, f"{where}.headers")
                targets.append(Target(item.url, item.method, tuple(headers), body, item.weight))
        elif plan.targets_file is not None:
            loaded = load_targets_file(base / plan.targets_file, plan.targets_format)
            targets = [
                Target(t.url, t.method, tuple(common) + t.headers, t.body, t.weight) for t in loaded
            ]
    except ConfigError as exc:
        message = str(exc)
        located = message if message.startswith(str(path)) else f"{path}: {message}"
        raise ConfigError(located) from None
    stages: list[Stage] = []
    if plan.profile is not None:
        stages = list(plan.profile)
    elif plan.stages is not None:
        stages = stages_from_ramps(plan.stages, plan.start_rate)
    elif plan.rate is not None and plan.duration is not None:
        stages = [ConstantStage(rate=plan.rate, duration=plan.duration)]
    thresholds = []
    for index, entry in enumerate(plan.thresholds):
        try:
            if isinstance(entry, str):
                thresholds.append(parse_threshold(entry, abort_on_fail=plan.abort_on_fail))
            else:
                thresholds.append(
                    parse_threshold(
                        entry.expression,
                        abort_on_fail=entry.abort_on_fail or plan.abort_on_fail,
                        delay=entry.delay or 0.0,
                    )
                )
        except ConfigError as exc:
            raise ConfigError(f"{path}: thresholds[{index}]: {exc}") from None
    return ResolvedPlan(
        path=path,
        plan=plan,
        targets=tuple(targets),
        stages=tuple(stages),
        thresholds=tuple(thresholds),
        output=base / plan.output if plan.output else None,
        html=base / plan.html if plan.html else None,
    )


def _headers(raw: dict[str, str | list[str]], where: str) -> list[tuple[str, str]]:
    headers = []
    for name, values in raw.items():
        for value in values if isinstance(values, list) else [values]:
            headers.append(parse_header(f"{name}: {value}", where))
    return headers


def _read_body(path: Path, where: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{where}.body_file: cannot read {path}: {exc.strerror}") from None
