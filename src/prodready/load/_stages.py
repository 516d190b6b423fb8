"""The profiles users write, validated, and expanded into segments.

Profiles compose like k6 ``stages``: a run is a list of stages played one
after the other, each one of

- ``constant``  rate for a duration
- ``linear``    (alias ``ramp``) from one rate to another over a duration
- ``step``      stairs: ``start``, ``start+step``, ... each held ``every``
- ``spike``     a ``base`` rate with a burst to ``peak`` at ``at`` for ``length``
- ``soak``      a long constant rate with a cumulative snapshot every ``snapshot_every``
- ``sine``      ``mean`` +/- ``amplitude`` with a ``period``

On the command line a stage is ``kind:key=value,...`` (``--profile``) and
k6-style ramps are ``duration:target,...`` (``--stage``). In a plan file a
stage is a mapping with ``type`` and the same keys. Both go through the same
pydantic models, so both give the same error messages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic import model_validator as _model_validator

from prodready.load._errors import ConfigError
from prodready.load._profiles import (
    ConstantSegment,
    LinearSegment,
    Profile,
    Segment,
    SineSegment,
)
from prodready.load._result import StageInfo
from prodready.load._units import format_duration, format_rate, parse_duration, parse_rate
from prodready.load._validation import describe_errors

Rate = Annotated[float, BeforeValidator(parse_rate), Field(ge=0)]
PositiveRate = Annotated[float, BeforeValidator(parse_rate), Field(gt=0)]
Duration = Annotated[float, BeforeValidator(parse_duration), Field(gt=0)]
NonNegativeDuration = Annotated[float, BeforeValidator(parse_duration), Field(ge=0)]


def _signed_rate(value: object) -> float:
    if isinstance(value, str) and value.strip().startswith("-"):
        return -parse_rate(value.strip()[1:])
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return parse_rate(value)  # type: ignore[arg-type]


SignedRate = Annotated[float, BeforeValidator(_signed_rate)]


class _Stage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def segments(self) -> list[Segment]:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    @property
    def snapshot_every(self) -> float | None:
        return None


class ConstantStage(_Stage):
    """``rate`` requests per second for ``duration``."""

    type: Literal["constant"] = "constant"
    rate: Rate
    duration: Duration

    def segments(self) -> list[Segment]:
        return [ConstantSegment(self.rate, self.duration)]

    def describe(self) -> str:
        return f"constant {format_rate(self.rate)} for {format_duration(self.duration)}"


class LinearStage(_Stage):
    """A ramp from ``from`` to ``to`` requests per second over ``duration``."""

    type: Literal["linear", "ramp"] = "linear"
    from_: Rate = Field(0.0, alias="from")
    to: Rate
    duration: Duration

    def segments(self) -> list[Segment]:
        if self.from_ == self.to:
            return [ConstantSegment(self.to, self.duration)]
        return [LinearSegment(self.from_, self.to, self.duration)]

    def describe(self) -> str:
        return (
            f"linear {format_rate(self.from_)} -> {format_rate(self.to)} "
            f"over {format_duration(self.duration)}"
        )


class StepStage(_Stage):
    """Stairs: ``start``, then ``start + step`` every ``every``, for ``steps``
    steps or until ``end`` is reached (inclusive)."""

    type: Literal["step"] = "step"
    start: Rate
    step: SignedRate
    every: Duration
    steps: Annotated[int, Field(ge=1, le=10_000)] | None = None
    end: Rate | None = None

    @_model_validator(mode="after")
    def _one_of_steps_or_end(self) -> StepStage:
        if (self.steps is None) == (self.end is None):
            raise ValueError("give exactly one of 'steps' (a count) or 'end' (the last rate)")
        if self.end is not None:
            if self.step == 0 or (self.end - self.start) * self.step < 0:
                raise ValueError("'step' must move from 'start' towards 'end' (and not be 0)")
            if self.rates_count() > 10_000:
                raise ValueError("more than 10000 steps; use a larger 'step'")
        for rate in self.rates():
            if rate < 0:
                raise ValueError(f"the stairs go below zero ({rate:g}/s); check 'step'")
        return self

    def rates_count(self) -> int:
        if self.steps is not None:
            return self.steps
        assert self.end is not None
        return math.floor((self.end - self.start) / self.step + 1e-9) + 1

    def rates(self) -> list[float]:
        return [self.start + k * self.step for k in range(self.rates_count())]

    def segments(self) -> list[Segment]:
        return [ConstantSegment(rate, self.every) for rate in self.rates()]

    def describe(self) -> str:
        rates = self.rates()
        return (
            f"step {format_rate(rates[0])} -> {format_rate(rates[-1])} "
            f"({len(rates)} steps of {format_duration(self.every)})"
        )


class SpikeStage(_Stage):
    """``base`` rate for ``duration``, with a burst to ``peak`` starting at
    ``at`` and lasting ``length``."""

    type: Literal["spike"] = "spike"
    base: Rate
    peak: Rate
    duration: Duration
    at: NonNegativeDuration
    length: Duration

    @_model_validator(mode="after")
    def _spike_inside(self) -> SpikeStage:
        if self.at + self.length > self.duration + 1e-9:
            raise ValueError("the spike ('at' + 'length') must end within 'duration'")
        return self

    def segments(self) -> list[Segment]:
        parts: list[Segment] = []
        if self.at > 0:
            parts.append(ConstantSegment(self.base, self.at))
        parts.append(ConstantSegment(self.peak, self.length))
        rest = self.duration - self.at - self.length
        if rest > 1e-9:
            parts.append(ConstantSegment(self.base, rest))
        return parts

    def describe(self) -> str:
        return (
            f"spike {format_rate(self.base)} with {format_rate(self.peak)} "
            f"at {format_duration(self.at)} for {format_duration(self.length)} "
            f"(total {format_duration(self.duration)})"
        )


class SoakStage(_Stage):
    """A long constant ``rate`` with a cumulative snapshot every ``snapshot_every``."""

    type: Literal["soak"] = "soak"
    rate: PositiveRate
    duration: Duration
    snapshot_every_: Duration = Field(300.0, alias="snapshot_every")

    def segments(self) -> list[Segment]:
        return [ConstantSegment(self.rate, self.duration)]

    @property
    def snapshot_every(self) -> float | None:
        return self.snapshot_every_

    def describe(self) -> str:
        return (
            f"soak {format_rate(self.rate)} for {format_duration(self.duration)} "
            f"(snapshot every {format_duration(self.snapshot_every_)})"
        )


class SineStage(_Stage):
    """``mean + amplitude * sin(2 pi t / period)`` requests per second."""

    type: Literal["sine"] = "sine"
    mean: PositiveRate
    amplitude: Rate
    period: Duration
    duration: Duration

    @_model_validator(mode="after")
    def _never_negative(self) -> SineStage:
        if self.amplitude > self.mean:
            raise ValueError("'amplitude' must not exceed 'mean' (a rate cannot go below zero)")
        return self

    def segments(self) -> list[Segment]:
        if self.amplitude == 0:
            return [ConstantSegment(self.mean, self.duration)]
        return [SineSegment(self.mean, self.amplitude, self.period, self.duration)]

    def describe(self) -> str:
        return (
            f"sine {format_rate(self.mean)} +/- {format_rate(self.amplitude)} "
            f"(period {format_duration(self.period)}) for {format_duration(self.duration)}"
        )


StageSpec = Annotated[
    ConstantStage | LinearStage | StepStage | SpikeStage | SoakStage | SineStage,
    Field(discriminator="type"),
]
STAGE_TYPES = ("constant", "linear", "ramp", "step", "spike", "soak", "sine")

_STAGE_ADAPTER: TypeAdapter[StageSpec] = TypeAdapter(StageSpec)


class RampTo(BaseModel):
    """A k6-style stage: ramp linearly from the previous rate to ``target``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    duration: Duration
    target: Rate


def stages_from_ramps(ramps: Sequence[RampTo], start_rate: float = 0.0) -> list[_Stage]:
    """k6 ``stages`` semantics: each ramp starts where the previous one ended."""
    stages: list[_Stage] = []
    current = start_rate
    for ramp in ramps:
        stages.append(LinearStage(**{"from": current, "to": ramp.target}, duration=ramp.duration))
        current = ramp.target
    return stages


def build_profile(stages: Sequence[_Stage]) -> Profile:
    """One ``Profile`` from stages played in order."""
    if not stages:
        raise ConfigError("no load profile: give --rate and --duration, --profile or --stage")
    segments: list[Segment] = []
    for stage in stages:
        segments.extend(stage.segments())
    snapshots = [s.snapshot_every for s in stages if s.snapshot_every is not None]
    profile = Profile(
        segments=tuple(segments),
        description=", then ".join(stage.describe() for stage in stages),
        snapshot_every=min(snapshots) if snapshots else None,
    )
    if profile.planned_requests == 0:
        raise ConfigError("the load profile asks for no requests (every rate is 0)")
    return profile


def parse_profile_option(text: str) -> _Stage:
    """``"step:start=100,step=100,every=10s,steps=5"`` -> a validated stage."""
    kind, sep, rest = text.strip().partition(":")
    kind = kind.strip().lower()
    if kind not in STAGE_TYPES:
        raise ConfigError(
            f"--profile {text!r}: unknown profile {kind!r}; "
            f"expected one of {', '.join(STAGE_TYPES)} (e.g. constant:rate=100,duration=30s)"
        )
    data: dict[str, object] = {"type": kind}
    if sep:
        for item in rest.split(","):
            if not item.strip():
                continue
            key, eq, value = item.partition("=")
            if not eq or not key.strip():
                raise ConfigError(
                    f"--profile {text!r}: {item.strip()!r} is not key=value "
                    f"(e.g. {kind}:rate=100,duration=30s)"
                )
            data[key.strip().replace("-", "_")] = value.strip()
    try:
        return _STAGE_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc, f"--profile {text!r}")) from None


def parse_stage_option(text: str) -> list[RampTo]:
    """k6's ``--stage 30s:100,1m:500`` (duration:target, comma separated)."""
    ramps = []
    for item in text.split(","):
        if not item.strip():
            continue
        duration, sep, target = item.strip().rpartition(":")
        if not sep:
            raise ConfigError(
                f"--stage {text!r}: {item.strip()!r} is not duration:target (e.g. 30s:100)"
            )
        try:
            ramps.append(RampTo.model_validate({"duration": duration, "target": target}))
        except ValidationError as exc:
            raise ConfigError(describe_errors(exc, f"--stage {item.strip()!r}")) from None
    return ramps


def validate_stage(data: object, where: str) -> _Stage:
    """A stage from a mapping (plan files), with errors located at ``where``."""
    try:
        return _STAGE_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc, where)) from None


Stage = _Stage


def stage_info(stage: _Stage) -> StageInfo:
    """What the results file records about a stage."""
    params: dict[str, float | int | None] = {}
    for key, value in stage.model_dump(by_alias=True, exclude={"type"}).items():
        if isinstance(value, int | float) or value is None:
            params[key] = value
    return StageInfo(
        type=str(getattr(stage, "type", "stage")),
        duration_s=sum(segment.duration for segment in stage.segments()),
        description=stage.describe(),
        params=params,
    )
