"""The text report: vegeta's layout first, then what vegeta cannot say.

The first lines match ``vegeta report`` (labels, order, Go duration
formatting) so people and scripts used to it read ours the same way;
"Latencies" is the intended-time latency (vegeta's own numbers when the
result was imported from vegeta). The lines after them are prodready's:
service time, scheduling lag, the profile, thresholds and the self-check.
"""

from __future__ import annotations

from prodready.load._result import LoadResult, Percentiles, ThresholdResult
from prodready.load._units import format_duration, format_ms

_LABEL = 14
_FIELDS = 34


def _line(label: str, fields: str, values: str) -> str:
    return f"{label:<{_LABEL}}{fields:<{_FIELDS}}{values}".rstrip()


def _latencies(p: Percentiles) -> str:
    values = (p.min_ms, p.mean_ms, p.p50_ms, p.p90_ms, p.p95_ms, p.p99_ms, p.max_ms)
    return ", ".join(format_ms(v) for v in values)


def _threshold_line(outcome: ThresholdResult) -> str:
    verdict = "PASS" if outcome.passed else "FAIL"
    actual = _format_actual(outcome)
    text = f"{outcome.expression}: {verdict} (actual {actual})"
    if outcome.note:
        text += f" - {outcome.note}"
    return text


def _format_actual(outcome: ThresholdResult) -> str:
    value = outcome.actual
    if value is None:
        return "n/a"
    if outcome.unit == "ms":
        return format_ms(value)
    if outcome.unit == "ratio":
        return f"{value * 100:.2f}%"
    if outcome.unit == "per_second":
        return f"{value:.2f}/s"
    return f"{value:.0f}"


def render_text(result: LoadResult) -> str:
    """The report as printed by ``prodready load`` and ``load report``."""
    r = result.requests
    d = result.duration
    lines = [
        _line(
            "Requests",
            "[total, rate, throughput]",
            f"{r.completed}, {r.rate:.2f}, {r.throughput:.2f}",
        ),
        _line(
            "Duration",
            "[total, attack, wait]",
            ", ".join(format_duration(v) for v in (d.total_s, d.attack_s, d.wait_s)),
        ),
    ]
    headline = result.latency.intended or result.latency.service
    if headline is not None:
        lines.append(_line("Latencies", "[min, mean, 50, 90, 95, 99, max]", _latencies(headline)))
    b = result.bytes
    lines.append(_line("Bytes In", "[total, mean]", f"{b.in_total}, {b.in_mean:.2f}"))
    lines.append(_line("Bytes Out", "[total, mean]", f"{b.out_total}, {b.out_mean:.2f}"))
    success = result.success_ratio
    lines.append(
        _line("Success", "[ratio]", f"{success * 100:.2f}%" if success is not None else "n/a")
    )
    codes = "  ".join(f"{code}:{count}" for code, count in result.status_codes.items())
    lines.append(_line("Status Codes", "[code:count]", codes))
    lines.append("Error Set:")
    lines.extend(f"{e.message}" + (f" (x{e.count})" if e.count > 1 else "") for e in result.errors)

    extra: list[str] = []
    if result.latency.intended is not None and result.latency.service is not None:
        extra.append(
            _line(
                "Service time",
                "[min, mean, 50, 90, 95, 99, max]",
                _latencies(result.latency.service),
            )
        )
    lag = result.latency.scheduling_lag
    if lag is not None and lag.count:
        extra.append(
            _line(
                "Sched. lag",
                "[50, 99, max]",
                ", ".join(format_ms(v) for v in (lag.p50_ms, lag.p99_ms, lag.max_ms)),
            )
        )
    if result.profile is not None:
        extra.append(_line("Profile", "", result.profile.description))
        extra.append(
            _line(
                "Schedule",
                "[planned, sent, dropped, unsent]",
                f"{r.planned}, {r.sent}, {r.dropped}, {r.unsent}"
                + (f" (asked {r.asked_rate:.2f}/s)" if r.asked_rate else ""),
            )
        )
    if result.source.format != "prodready":
        extra.append(
            _line(
                "Source",
                "",
                f"imported from {result.source.format}"
                + (f" ({result.source.path})" if result.source.path else ""),
            )
        )
        extra.extend(_line("", "", note) for note in result.source.notes)
    for index, outcome in enumerate(result.thresholds):
        extra.append(_line("Thresholds" if index == 0 else "", "", _threshold_line(outcome)))
    if result.target_process is not None and result.target_process.note:
        extra.append(_line("Target RSS", "", result.target_process.note))
    if result.aborted is not None:
        extra.append(_line("Stopped", "", f"at {result.aborted.at_s:g}s: {result.aborted.detail}"))
    extra.append(_line("Validity", "", _validity(result)))
    extra.extend(_line("", "", f"- {reason}") for reason in result.invalid_reasons)
    extra.extend(_line("", "", f"warning: {warning}") for warning in result.warnings)
    extra.append(_line("Result", "", "PASSED" if result.passed else "FAILED"))
    return "\n".join([*lines, "", *extra]) + "\n"


def _validity(result: LoadResult) -> str:
    check = result.self_check
    if check is None:
        return "VALID" if result.valid else "INVALID"
    lag = check.lag_p99_ms
    detail = (
        f"lag p99 {format_ms(lag)} (limit {format_ms(check.max_lag_ms)}), "
        f"CPU {check.cpu_mean_percent:.0f}% of a core, "
        f"in flight max {check.in_flight_max} (cap {check.in_flight_cap})"
    )
    return f"{'VALID' if result.valid else 'INVALID'} ({detail})"
