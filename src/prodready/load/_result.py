"""The load result: the versioned document ``prodready load --output`` writes.

It is the evidence the scanner's ``live.load-slo`` check reads, the input of
``prodready load report``, and what results of vegeta, k6 and wrk2 are
converted into, so it is a public contract: ``SCHEMA_VERSION`` is
major.minor, its JSON Schema is published in
``docs/schema/load-result.schema.json``, adding an optional field is a minor
version, and removing a field or changing its meaning is a major version
(with an ADR). Consumers accept any minor of the major they know.

Units are in the field names: ``*_ms`` milliseconds, ``*_s`` seconds,
``*_bytes`` bytes, rates per second. Latencies are percentiles of an HDR
histogram with 3 significant digits.

Shape::

    LoadResult
      schema_version, tool, source, name, started_at, finished_at
      target        url, hosts, targets[]
      profile       description, stages[], planned requests, mean and peak rate
      settings      workers, connections, caps, timeout, client, event loop
      duration      total, attack, wait
      requests      planned, sent, completed, succeeded, failed, timeouts,
                    dropped, unsent, rate, asked_rate, throughput
      success_ratio
      latency       intended (from the intended send time: coordinated-omission
                    free), service (from the actual send), scheduling_lag
      bytes, status_codes, errors[]
      thresholds[]  expression, actual, passed        -> thresholds_passed
      valid, invalid_reasons[], warnings[], self_check -> passed
      timeline      bounded series of points (at most ~600)
      snapshots[]   periodic cumulative snapshots (soak)
      target_process  RSS of --watch-pid over the run (leak hint)
      histograms    the HDR histograms, encoded, for re-reporting
      aborted       why the run stopped early, if it did
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"
"""Major.minor of the load result document."""

NonNegative = Annotated[float, Field(ge=0)]
Count = Annotated[int, Field(ge=0)]
Ratio = Annotated[float, Field(ge=0, le=1)]

SourceFormat = Literal["prodready", "vegeta", "k6", "wrk2", "wrk"]


class _Model(BaseModel):
    # "ignore", not "forbid": a reader must accept documents of a later minor
    # version, which may carry fields it does not know yet.
    model_config = ConfigDict(extra="ignore", frozen=True)


class Tool(_Model):
    """What produced the measurements (``engine``) and what wrote this file."""

    name: str = "prodready"
    version: str
    engine: SourceFormat = "prodready"
    client: str | None = Field(None, description="HTTP client of the engine: fast or aiohttp.")
    event_loop: str | None = Field(None, description="uvloop or asyncio.")


class Source(_Model):
    """Where the measurements come from: a prodready run or an imported file."""

    format: SourceFormat = "prodready"
    path: str | None = None
    notes: list[str] = Field(default_factory=list)


class TargetInfo(_Model):
    method: str = "GET"
    url: str
    weight: Annotated[int, Field(ge=1)] = 1


class TargetSummary(_Model):
    """The request mix. ``url`` is the first target (the only one, usually)."""

    url: str
    hosts: list[str] = Field(default_factory=list)
    count: Annotated[int, Field(ge=1)] = 1
    targets: list[TargetInfo] = Field(
        default_factory=list, description="The targets, at most the first 100."
    )


class StageInfo(_Model):
    type: str
    duration_s: NonNegative
    description: str
    params: dict[str, float | int | None] = Field(default_factory=dict)


class ProfileInfo(_Model):
    description: str
    stages: list[StageInfo] = Field(default_factory=list)
    duration_s: NonNegative
    planned_requests: Count
    mean_rate: NonNegative
    peak_rate: NonNegative
    snapshot_every_s: NonNegative | None = None


class Settings(_Model):
    """The engine settings the run used (after defaults were applied)."""

    workers: Annotated[int, Field(ge=1)]
    cores: Annotated[int, Field(ge=1)]
    connections: Annotated[int, Field(ge=1)]
    max_in_flight: Annotated[int, Field(ge=1)]
    timeout_s: NonNegative
    max_requests: Count
    max_duration_s: NonNegative
    max_lag_ms: NonNegative
    client: str
    event_loop: str


class Timing(_Model):
    """vegeta's Duration line: total = attack + wait.

    ``attack_s`` spans the first to the last request sent; ``wait_s`` from
    the last send to the last response.
    """

    total_s: NonNegative
    attack_s: NonNegative
    wait_s: NonNegative


class Counts(_Model):
    """What happened to the requests.

    ``planned`` the profile asked for; ``sent`` were dispatched (whether
    they then waited for a connection or not); ``completed`` ended with a
    response or an error (``succeeded`` + ``failed``, timeouts included);
    ``dropped`` were refused because the in-flight cap was reached;
    ``unsent`` were never dispatched (the generator fell behind or the run
    was stopped). ``rate`` is the achieved arrival rate, (sent - 1) / span,
    where the span is the intended span of the sent requests corrected by the
    drift of the median scheduling lag from the first to the last timeline
    bucket (robust to one late request at either end; a generator falling
    behind lengthens it); ``asked_rate`` is (planned - 1) / the schedule's
    span; ``throughput`` is succeeded / total duration.
    """

    planned: Count
    sent: Count
    completed: Count
    succeeded: Count
    failed: Count
    timeouts: Count = 0
    dropped: Count = 0
    unsent: Count = 0
    rate: NonNegative
    asked_rate: NonNegative | None = None
    throughput: NonNegative


class Percentiles(_Model):
    """A latency distribution in milliseconds. ``None``: not known (imports)."""

    count: Count
    min_ms: NonNegative | None = None
    mean_ms: NonNegative | None = None
    stdev_ms: NonNegative | None = None
    p50_ms: NonNegative | None = None
    p75_ms: NonNegative | None = None
    p90_ms: NonNegative | None = None
    p95_ms: NonNegative | None = None
    p99_ms: NonNegative | None = None
    p999_ms: NonNegative | None = None
    p9999_ms: NonNegative | None = None
    max_ms: NonNegative | None = None


class Latencies(_Model):
    """``intended``: from the time the schedule intended the request to be
    sent to its response (corrected for coordinated omission; what SLO
    thresholds use). ``service``: from the actual send. ``scheduling_lag``:
    how late the generator dispatched requests (its own health)."""

    intended: Percentiles | None = None
    service: Percentiles | None = None
    scheduling_lag: Percentiles | None = None


class ByteCounts(_Model):
    in_total: Count = 0
    in_mean: NonNegative = 0
    out_total: Count = 0
    out_mean: NonNegative = 0


class ErrorCount(_Model):
    message: str
    count: Annotated[int, Field(ge=1)]


class ThresholdResult(_Model):
    """One SLO threshold, e.g. ``p99<300ms``, and how the run measured up.

    ``limit`` and ``actual`` are in ``unit`` (ms, ratio, per_second, count).
    ``actual`` is ``None`` when the metric was not available, and then the
    threshold did not pass.
    """

    expression: str
    metric: str
    comparator: Literal["<", "<=", ">", ">="]
    limit: float
    unit: Literal["ms", "ratio", "per_second", "count"]
    actual: float | None = None
    passed: bool
    abort_on_fail: bool = False
    note: str | None = None


class WorkerCheck(_Model):
    worker: Count
    cpu_mean_percent: NonNegative
    cpu_max_percent: NonNegative
    lag_p99_ms: NonNegative | None = None
    in_flight_max: Count = 0


class SelfCheck(_Model):
    """The generator watching itself. A run is invalid when it could not
    apply the asked load; see ``invalid_reasons``."""

    max_lag_ms: NonNegative
    lag_p99_ms: NonNegative | None = None
    lag_max_ms: NonNegative | None = None
    cpu_mean_percent: NonNegative = 0
    cpu_max_percent: NonNegative = 0
    in_flight_cap: Count = 0
    in_flight_max: Count = 0
    dropped: Count = 0
    unsent: Count = 0
    workers: list[WorkerCheck] = Field(default_factory=list)


class TimelinePoint(_Model):
    """One bucket of the run, ``t_s`` seconds after the start (bucket start).
    Counts are per bucket; latencies are of the responses completed in it."""

    t_s: NonNegative
    asked_rate: NonNegative | None = None
    sent: Count = 0
    completed: Count = 0
    errors: Count = 0
    p50_ms: NonNegative | None = None
    p90_ms: NonNegative | None = None
    p99_ms: NonNegative | None = None
    max_ms: NonNegative | None = None
    lag_p99_ms: NonNegative | None = Field(
        None, description="Scheduling lag p99 of the requests dispatched in the bucket."
    )
    in_flight_max: Count = 0


class Timeline(_Model):
    bucket_s: Annotated[float, Field(gt=0)]
    points: list[TimelinePoint] = Field(default_factory=list)


class Snapshot(_Model):
    """Cumulative figures at ``t_s`` seconds (soak runs take one periodically)."""

    t_s: NonNegative
    completed: Count
    success_ratio: Ratio | None = None
    rate: NonNegative
    p50_ms: NonNegative | None = None
    p99_ms: NonNegative | None = None
    target_rss_bytes: Count | None = None


class MemorySample(_Model):
    t_s: NonNegative
    rss_bytes: Count


class TargetProcess(_Model):
    """RSS of the process given with ``--watch-pid`` (and its children).
    ``leak_suspected`` is a hint from the trend, not a proof."""

    pid: Annotated[int, Field(ge=1)]
    name: str | None = None
    rss_start_bytes: Count
    rss_end_bytes: Count
    rss_max_bytes: Count
    growth_bytes: int
    growth_percent: float
    slope_bytes_per_min: float
    leak_suspected: bool
    note: str | None = None
    samples: list[MemorySample] = Field(default_factory=list)


class Histograms(_Model):
    """The full HDR histograms (HdrHistogram V2, compressed, base64), values in
    microseconds: enough to compute any percentile again, or to merge runs."""

    encoding: Literal["hdrhistogram-v2-base64"] = "hdrhistogram-v2-base64"
    unit: Literal["us"] = "us"
    intended: str | None = None
    service: str | None = None
    scheduling_lag: str | None = None


class Abort(_Model):
    reason: Literal["threshold", "interrupted", "max_duration"]
    at_s: NonNegative
    detail: str


class LoadResult(_Model):
    """The whole document written by ``prodready load --output``.

    ``passed`` is the one gate: the run is ``valid`` and every threshold
    passed (``thresholds_passed``). A run without thresholds passes when it
    is valid.
    """

    schema_version: str = SCHEMA_VERSION
    tool: Tool
    source: Source = Field(default_factory=Source)
    name: str | None = None
    started_at: datetime
    finished_at: datetime
    target: TargetSummary
    profile: ProfileInfo | None = None
    settings: Settings | None = None
    duration: Timing
    requests: Counts
    success_ratio: Ratio | None = None
    latency: Latencies
    bytes: ByteCounts = Field(default_factory=ByteCounts)
    status_codes: dict[str, Count] = Field(
        default_factory=dict, description='Status code -> count; "0" counts transport errors.'
    )
    errors: list[ErrorCount] = Field(default_factory=list)
    thresholds: list[ThresholdResult] = Field(default_factory=list)
    thresholds_passed: bool = True
    valid: bool
    invalid_reasons: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    passed: bool
    self_check: SelfCheck | None = None
    timeline: Timeline | None = None
    snapshots: list[Snapshot] = Field(default_factory=list)
    target_process: TargetProcess | None = None
    histograms: Histograms | None = None
    aborted: Abort | None = None


def load_result_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``LoadResult`` (``docs/schema/load-result.schema.json``)."""
    schema = LoadResult.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://prodready.dev/schema/load-result/{SCHEMA_VERSION}.json"
    return schema
