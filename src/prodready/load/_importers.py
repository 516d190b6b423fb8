"""Reading results: ours, and those of vegeta, k6 and wrk2, as ``LoadResult``.

A team that already runs vegeta or k6 in CI should not have to switch
tools to give the scanner evidence: their results convert into the same
document, with what the other tool did not measure left empty and said so
in ``source.notes``:

- ``vegeta report -type=json``: latencies from the actual send (vegeta does
  not record intended-time latency), distinct errors without counts.
- k6 JSON summaries, either ``--summary-export`` or ``handleSummary``'s
  ``data``: ``http_req_duration`` (service time), ``http_reqs``,
  ``http_req_failed``, bytes, ``dropped_iterations`` (k6's own sign of an
  arrival rate it could not hold: the run is marked invalid), and k6's own
  threshold verdicts.
- wrk2 ``--latency`` (and ``-U``) output: the corrected distribution is
  intended-time latency, the uncorrected one service time. Plain wrk's
  ``--latency`` output is accepted too, as service time, with a warning:
  wrk is closed-model.

Formats are recognised from the content; ``fmt`` forces one.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError

from prodready import __version__
from prodready.load._errors import ResultFormatError
from prodready.load._result import (
    SCHEMA_VERSION,
    ByteCounts,
    Counts,
    ErrorCount,
    Latencies,
    LoadResult,
    Percentiles,
    Source,
    TargetSummary,
    ThresholdResult,
    Timing,
    Tool,
)
from prodready.load._thresholds import Comparator, Unit
from prodready.load._units import parse_duration
from prodready.load._validation import describe_errors

FORMATS = ("auto", "prodready", "vegeta", "k6", "wrk2")
MAX_RESULT_BYTES = 64 * 1024 * 1024
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def read_result(path: Path, fmt: str = "auto") -> LoadResult:
    """Any supported results file as a ``LoadResult``."""
    if fmt not in FORMATS:
        raise ResultFormatError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    try:
        if path.stat().st_size > MAX_RESULT_BYTES:
            raise ResultFormatError(f"{path}: larger than 64 MiB; not a results file")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ResultFormatError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ResultFormatError(f"{path}: not UTF-8 text") from None
    return parse_result(text, str(path), fmt)


def parse_result(text: str, where: str, fmt: str = "auto") -> LoadResult:
    data: Any = None
    if fmt in {"auto", "prodready", "vegeta", "k6"}:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            if fmt != "auto":
                raise ResultFormatError(
                    f"{where}: not JSON ({exc.msg} at line {exc.lineno})"
                ) from None
    if fmt == "auto":
        fmt = _detect(data, text, where)
    if fmt == "wrk2":
        return from_wrk(text, where)
    if not isinstance(data, dict):
        raise ResultFormatError(f"{where}: expected a JSON object")
    if fmt == "prodready":
        return from_prodready(data, where)
    if fmt == "vegeta":
        return from_vegeta(data, where)
    return from_k6(data, where)


def _detect(data: Any, text: str, where: str) -> str:
    if isinstance(data, dict):
        if "schema_version" in data and "requests" in data:
            return "prodready"
        if "latencies" in data and "status_codes" in data:
            return "vegeta"
        if isinstance(data.get("metrics"), dict):
            return "k6"
    elif "Requests/sec:" in text and "requests in" in text:
        return "wrk2"
    raise ResultFormatError(
        f"{where}: not a result prodready can read (expected a prodready results file, "
        "vegeta report -type=json, a k6 JSON summary or wrk2 --latency output)"
    )


def from_prodready(data: dict[str, Any], where: str) -> LoadResult:
    version = str(data.get("schema_version", ""))
    major = version.split(".", 1)[0]
    if major != SCHEMA_VERSION.split(".", 1)[0]:
        raise ResultFormatError(
            f"{where}: results schema {version or '(none)'} is not supported by this prodready "
            f"(it reads {SCHEMA_VERSION.split('.')[0]}.x); use a matching prodready version"
        )
    try:
        return LoadResult.model_validate(data)
    except ValidationError as exc:
        raise ResultFormatError(describe_errors(exc, where)) from None


# vegeta ------------------------------------------------------------------


def _ns_to_ms(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value) / 1e6
    return None


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value or value.startswith("0001-01-01"):
        return None
    text = re.sub(r"(\.\d{6})\d+", r"\1", value).replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _number(data: dict[str, Any], key: str, where: str, default: float | None = None) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ResultFormatError(f"{where}: {key!r} should be a number, got {value!r}")
    return float(value)


def from_vegeta(data: dict[str, Any], where: str) -> LoadResult:
    latencies = data.get("latencies")
    if not isinstance(latencies, dict):
        raise ResultFormatError(f"{where}: 'latencies' should be an object (vegeta -type=json)")
    requests = int(_number(data, "requests", where))
    success = _number(data, "success", where, 0.0)
    if not 0 <= success <= 1:
        raise ResultFormatError(f"{where}: 'success' should be a ratio 0-1, got {success!r}")
    attack = _number(data, "duration", where, 0) / 1e9
    wait_s = _number(data, "wait", where, 0) / 1e9
    succeeded = round(success * requests)
    service = Percentiles(
        count=requests,
        min_ms=_ns_to_ms(latencies.get("min")),
        mean_ms=_ns_to_ms(latencies.get("mean")),
        p50_ms=_ns_to_ms(latencies.get("50th")),
        p90_ms=_ns_to_ms(latencies.get("90th")),
        p95_ms=_ns_to_ms(latencies.get("95th")),
        p99_ms=_ns_to_ms(latencies.get("99th")),
        max_ms=_ns_to_ms(latencies.get("max")),
    )
    bytes_in = data.get("bytes_in") or {}
    bytes_out = data.get("bytes_out") or {}
    codes = data.get("status_codes") or {}
    if not isinstance(codes, dict):
        raise ResultFormatError(f"{where}: 'status_codes' should be an object")
    errors = [str(e) for e in data.get("errors") or [] if str(e)]
    started = _timestamp(data.get("earliest")) or _EPOCH
    finished = _timestamp(data.get("end")) or started + timedelta(seconds=attack + wait_s)
    return LoadResult(
        tool=Tool(version=__version__, engine="vegeta"),
        source=Source(
            format="vegeta",
            path=where,
            notes=[
                "vegeta measures latency from the actual send: service time only",
                "vegeta lists distinct errors without counts; each is shown once",
            ],
        ),
        started_at=started,
        finished_at=finished,
        target=TargetSummary(url="(not recorded by vegeta)"),
        duration=Timing(total_s=attack + wait_s, attack_s=attack, wait_s=wait_s),
        requests=Counts(
            planned=requests,
            sent=requests,
            completed=requests,
            succeeded=succeeded,
            failed=requests - succeeded,
            rate=_number(data, "rate", where, 0),
            throughput=_number(data, "throughput", where, 0),
        ),
        success_ratio=success if requests else None,
        latency=Latencies(service=service),
        bytes=ByteCounts(
            in_total=int(bytes_in.get("total", 0) or 0),
            in_mean=float(bytes_in.get("mean", 0) or 0),
            out_total=int(bytes_out.get("total", 0) or 0),
            out_mean=float(bytes_out.get("mean", 0) or 0),
        ),
        status_codes={str(k): int(v) for k, v in codes.items()},
        errors=[ErrorCount(message=e, count=1) for e in errors],
        valid=True,
        warnings=["imported: the generator's own scheduling lag was not recorded"],
        passed=True,
    )


# k6 ----------------------------------------------------------------------


def _k6_values(metric: Any) -> dict[str, Any]:
    """Both summary shapes: ``{"avg": ..}`` (export) and ``{"values": {..}}`` (handleSummary)."""
    if not isinstance(metric, dict):
        return {}
    values = metric.get("values")
    return values if isinstance(values, dict) else metric


def _k6_ms(values: dict[str, Any], *keys: str) -> float | None:
    for key in keys:
        value = values.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def from_k6(data: dict[str, Any], where: str) -> LoadResult:
    metrics = data["metrics"]
    reqs = _k6_values(metrics.get("http_reqs"))
    if not reqs:
        raise ResultFormatError(f"{where}: k6 summary without 'http_reqs' (no HTTP requests?)")
    count = int(reqs.get("count", 0))
    rate = float(reqs.get("rate", 0.0))
    duration_values = _k6_values(metrics.get("http_req_duration"))
    service = Percentiles(
        count=count,
        min_ms=_k6_ms(duration_values, "min"),
        mean_ms=_k6_ms(duration_values, "avg"),
        p50_ms=_k6_ms(duration_values, "med", "p(50)"),
        p75_ms=_k6_ms(duration_values, "p(75)"),
        p90_ms=_k6_ms(duration_values, "p(90)"),
        p95_ms=_k6_ms(duration_values, "p(95)"),
        p99_ms=_k6_ms(duration_values, "p(99)"),
        p999_ms=_k6_ms(duration_values, "p(99.9)"),
        max_ms=_k6_ms(duration_values, "max"),
    )
    failed_values = _k6_values(metrics.get("http_req_failed"))
    failed_ratio = _k6_ms(failed_values, "rate", "value")
    if failed_ratio is None:
        success = None
        failed = 0
    else:
        success = 1.0 - failed_ratio
        failed = int(failed_values.get("passes", round(failed_ratio * count)))
    state = data.get("state") if isinstance(data.get("state"), dict) else {}
    run_ms = state.get("testRunDurationMs") if isinstance(state, dict) else None
    total = (
        float(run_ms) / 1000 if isinstance(run_ms, int | float) else (count / rate if rate else 0)
    )
    dropped = int(_k6_values(metrics.get("dropped_iterations")).get("count", 0) or 0)
    reasons = []
    if dropped:
        reasons.append(
            f"k6 dropped {dropped} iterations: it had too few VUs to hold the arrival rate "
            "(raise preAllocatedVUs/maxVUs)"
        )
    received = _k6_values(metrics.get("data_received"))
    sent = _k6_values(metrics.get("data_sent"))
    thresholds = _k6_thresholds(metrics)
    thresholds_passed = all(t.passed for t in thresholds)
    now = datetime.now(UTC)
    return LoadResult(
        tool=Tool(version=__version__, engine="k6"),
        source=Source(
            format="k6",
            path=where,
            notes=["k6's http_req_duration is measured from the actual send: service time only"],
        ),
        started_at=now - timedelta(seconds=total),
        finished_at=now,
        target=TargetSummary(url="(not recorded in the k6 summary)"),
        duration=Timing(total_s=total, attack_s=total, wait_s=0.0),
        requests=Counts(
            planned=count + dropped,
            sent=count,
            completed=count,
            succeeded=count - failed,
            failed=failed,
            dropped=dropped,
            rate=rate,
            throughput=(count - failed) / total if total else 0.0,
        ),
        success_ratio=success if count else None,
        latency=Latencies(service=service),
        bytes=ByteCounts(
            in_total=int(received.get("count", 0) or 0),
            in_mean=(received.get("count", 0) or 0) / count if count else 0.0,
            out_total=int(sent.get("count", 0) or 0),
            out_mean=(sent.get("count", 0) or 0) / count if count else 0.0,
        ),
        thresholds=thresholds,
        thresholds_passed=thresholds_passed,
        valid=not reasons,
        invalid_reasons=reasons,
        warnings=["imported: start time not in the k6 summary; times are relative to the import"],
        passed=not reasons and thresholds_passed,
    )


_K6_METRIC_KIND = {
    "http_req_duration": "latency",
    "http_req_waiting": "latency",
    "iteration_duration": "latency",
    "http_req_failed": "ratio_failed",
    "checks": "ratio",
    "http_reqs": "counter",
}
_K6_STAT = {"avg": "avg", "min": "min", "max": "max", "med": "med"}


def _k6_thresholds(metrics: dict[str, Any]) -> list[ThresholdResult]:
    outcomes: list[ThresholdResult] = []
    for name, metric in metrics.items():
        if not isinstance(metric, dict) or not isinstance(metric.get("thresholds"), dict):
            continue
        values = _k6_values(metric)
        for expression, verdict in metric["thresholds"].items():
            # --summary-export stores "failed" booleans, handleSummary {"ok": bool}
            passed = bool(verdict.get("ok")) if isinstance(verdict, dict) else not verdict
            outcomes.append(_k6_threshold(name, str(expression), values, passed))
    return outcomes


def _k6_threshold(
    metric: str, expression: str, values: dict[str, Any], passed: bool
) -> ThresholdResult:
    match = re.match(r"^\s*([a-z]+(?:\([\d.]+\))?)\s*(<=|>=|<|>)\s*([\d.eE+-]+)\s*$", expression)
    kind = _K6_METRIC_KIND.get(metric, "other")
    comparator = cast(Comparator, match.group(2) if match else "<")
    limit = float(match.group(3)) if match else math.nan
    stat = match.group(1) if match else ""
    actual = values.get(stat)
    if stat == "rate" and "rate" not in values:
        actual = values.get("value")
    units: dict[str, Unit] = {"latency": "ms", "ratio_failed": "ratio", "ratio": "ratio"}
    unit: Unit = units.get(kind, "count")
    if kind == "counter" and stat == "rate":
        unit = "per_second"
    note = "k6's own verdict"
    if not match:
        note += f" (expression not understood: {expression})"
    return ThresholdResult(
        expression=f"{metric}: {expression}",
        metric=metric,
        comparator=comparator,
        limit=limit if math.isfinite(limit) else 0.0,
        unit=unit,
        actual=float(actual) if isinstance(actual, int | float) else None,
        passed=passed,
        note=note,
    )


# wrk2 / wrk --------------------------------------------------------------

_SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


def _wrk_duration_ms(text: str) -> float:
    return parse_duration(text.strip()) * 1000


def _distribution(lines: list[str], start: int) -> tuple[dict[float, float], int]:
    """Lines like `` 50.000%    0.99ms`` (wrk2) or ``     50%  635.91us`` (wrk)."""
    values: dict[float, float] = {}
    index = start
    pattern = re.compile(r"^\s*([\d.]+)%\s+([\d.]+(?:us|ms|s|m|h))\s*$")
    while index < len(lines):
        match = pattern.match(lines[index])
        if match is None:
            if values:
                break
            index += 1
            if index - start > 2:
                break
            continue
        values[float(match.group(1))] = _wrk_duration_ms(match.group(2))
        index += 1
    return values, index


def _spectrum(lines: list[str], start: int) -> tuple[dict[str, float], list[tuple[float, float]]]:
    """The 'Detailed Percentile spectrum' block: (value ms, percentile) rows and stats."""
    rows: list[tuple[float, float]] = []
    stats: dict[str, float] = {}
    row = re.compile(r"^\s*([\d.]+)\s+([\d.]+)\s+(\d+)\s+([\d.]+|inf)?\s*$")
    for line in lines[start:]:
        match = row.match(line)
        if match:
            rows.append((float(match.group(1)), float(match.group(2))))
            continue
        if line.startswith("#["):
            for key, value in re.findall(r"(\w[\w ]*?)\s*=\s*([\d.]+)", line):
                stats[key.strip().lower()] = float(value)
            continue
        ends = line.startswith("---") or "Uncorrected" in line or "requests in" in line
        if ends and (rows or stats):
            break
    return stats, rows


def _percentiles_from(
    dist: dict[float, float], stats: dict[str, float], rows: list[tuple[float, float]], count: int
) -> Percentiles:
    def at(p: float) -> float | None:
        if p in dist:
            return dist[p]
        for value, level in rows:
            if level >= p / 100:
                return value
        return None

    return Percentiles(
        count=count,
        min_ms=rows[0][0] if rows else None,
        mean_ms=stats.get("mean"),
        stdev_ms=stats.get("stddeviation"),
        p50_ms=at(50.0),
        p75_ms=at(75.0),
        p90_ms=at(90.0),
        p95_ms=at(95.0),
        p99_ms=at(99.0),
        p999_ms=at(99.9),
        p9999_ms=at(99.99),
        max_ms=stats.get("max") or dist.get(100.0),
    )


def from_wrk(text: str, where: str) -> LoadResult:
    lines = text.splitlines()
    summary = re.search(r"(\d+) requests in ([\d.]+\w+), ([\d.]+)(B|KB|MB|GB|TB) read", text)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if summary is None or rps is None:
        raise ResultFormatError(
            f"{where}: not wrk/wrk2 output (no 'N requests in T' and 'Requests/sec:' lines)"
        )
    requests = int(summary.group(1))
    total = parse_duration(summary.group(2))
    bytes_in = int(float(summary.group(3)) * _SIZE_UNITS[summary.group(4)])
    url_match = re.search(r"test @ (\S+)", text)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    errors: list[ErrorCount] = []
    failed = 0
    if non_2xx and int(non_2xx.group(1)):
        failed += int(non_2xx.group(1))
        errors.append(ErrorCount(message="Non-2xx or 3xx responses", count=int(non_2xx.group(1))))
    if socket:
        for label, value in zip(
            ("connect", "read", "write", "timeout"), socket.groups(), strict=True
        ):
            if int(value):
                failed += int(value)
                errors.append(ErrorCount(message=f"socket errors: {label}", count=int(value)))
    failed = min(failed, requests)
    wrk2 = "Recorded Latency" in text or "Detailed Percentile spectrum" in text
    intended: Percentiles | None = None
    service: Percentiles | None = None
    notes: list[str] = []
    for index, line in enumerate(lines):
        if "Latency Distribution (HdrHistogram - Recorded Latency)" in line:
            dist, end = _distribution(lines, index + 1)
            stats, rows = _spectrum(lines, end)
            intended = _percentiles_from(dist, stats, rows, requests)
        elif "Latency Distribution (HdrHistogram - Uncorrected Latency" in line:
            dist, end = _distribution(lines, index + 1)
            stats, rows = _spectrum(lines, end)
            service = _percentiles_from(dist, stats, rows, requests)
        elif line.strip() == "Latency Distribution" and not wrk2:
            dist, _ = _distribution(lines, index + 1)
            service = _percentiles_from(dist, {}, [], requests)
    warnings = ["imported: the generator's own scheduling lag was not recorded"]
    if wrk2:
        notes.append(
            "wrk2 corrects for coordinated omission: its recorded latency is intended-time latency"
        )
        if service is None:
            notes.append("run wrk2 with -U to also record service time")
    else:
        notes.append(
            "plain wrk is closed-model: its latencies are service time and omit "
            "coordinated omission"
        )
        warnings.append("closed-model results (wrk): latency under overload is understated")
        if service is None:
            match = re.search(r"Latency\s+([\d.]+\w+)\s+([\d.]+\w+)\s+([\d.]+\w+)", text)
            service = Percentiles(
                count=requests,
                mean_ms=_wrk_duration_ms(match.group(1)) if match else None,
                max_ms=_wrk_duration_ms(match.group(3)) if match else None,
            )
    if intended is None and service is None:
        raise ResultFormatError(f"{where}: no latency distribution; run wrk2 with --latency")
    now = datetime.now(UTC)
    return LoadResult(
        tool=Tool(version=__version__, engine="wrk2" if wrk2 else "wrk"),
        source=Source(format="wrk2" if wrk2 else "wrk", path=where, notes=notes),
        started_at=now - timedelta(seconds=total),
        finished_at=now,
        target=TargetSummary(url=url_match.group(1) if url_match else "(not recorded)"),
        duration=Timing(total_s=total, attack_s=total, wait_s=0.0),
        requests=Counts(
            planned=requests,
            sent=requests,
            completed=requests,
            succeeded=requests - failed,
            failed=failed,
            rate=float(rps.group(1)),
            throughput=(requests - failed) / total if total else 0.0,
        ),
        success_ratio=(requests - failed) / requests if requests else None,
        latency=Latencies(intended=intended, service=service),
        bytes=ByteCounts(in_total=bytes_in, in_mean=bytes_in / requests if requests else 0.0),
        errors=errors,
        valid=True,
        warnings=[*warnings, "imported: start time not in the output; times are relative to now"],
        passed=True,
    )
