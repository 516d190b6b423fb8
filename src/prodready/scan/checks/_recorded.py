"""Judging recorded results (``prodready load/probe/chaos`` files): the wording
and rules shared by ``test.load`` and the ``live.*`` checks.

Staleness is judged against the wall clock: a result is evidence about the
service as it was when it ran, and that evidence expires. A stale result
keeps its outcome (it still happened) and costs ``STALE_PENALTY`` points.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from prodready.scan.checks.base import finding
from prodready.scan.facts.results import LoadRun, LoadThreshold, ResultProblem, age_days
from prodready.scan.facts.view import Facts
from prodready.scan.model import Finding, Severity

STALE_PENALTY = 2.0


def now() -> datetime:
    """The time results are aged against (one place, so it is easy to see
    that the ``live.*`` checks read the clock and nothing else)."""
    return datetime.now(UTC)


def stale_findings(
    facts: Facts, runs: Iterable[tuple[str, str | None, datetime | None]]
) -> list[Finding]:
    """A LOW finding per recorded result (path, name, finished_at) older than
    ``thresholds.result_max_age_days``, or whose time is unknown."""
    limit = facts.params.result_max_age_days
    moment = now()
    out = []
    for path, name, finished in runs:
        age = age_days(finished, moment)
        label = name or "the run"
        if age is None:
            out.append(
                finding(
                    f"{label}: no readable finished_at, so the age of this evidence is unknown",
                    path,
                    severity=Severity.LOW,
                )
            )
        elif age > limit:
            out.append(
                finding(
                    f"{label} is stale: recorded {age:.0f} days ago, more than the policy's "
                    f"{limit} days (thresholds.result_max_age_days); run it again",
                    path,
                    severity=Severity.LOW,
                )
            )
    return out


def with_penalty(score: float, stale: list[Finding]) -> float:
    """``score`` minus ``STALE_PENALTY`` when some evidence is stale."""
    return round(max(0.0, score - STALE_PENALTY), 1) if stale else score


def problem_findings(problems: Iterable[ResultProblem]) -> list[Finding]:
    return [
        finding(f"cannot judge this file: {p.message}", p.path, severity=Severity.LOW)
        for p in problems
    ]


def load_run_summary(run: LoadRun) -> str:
    parts = [f"{run.name or 'load run'}: {'passed' if run.passed else 'failed'}"]
    if run.p99_ms is not None:
        parts.append(f"p99 {run.p99_ms:.1f} ms")
    if run.success_ratio is not None:
        parts.append(f"success {run.success_ratio:.2%}")
    if run.finished_at is not None:
        parts.append(f"finished {run.finished_at:%Y-%m-%d}")
    return ", ".join(parts)


def load_run_failures(run: LoadRun) -> list[Finding]:
    """What made a recorded load run fail: each missed threshold, an invalid
    measurement."""
    label = run.name or "load run"
    out = [
        finding(
            f"{label}: threshold {t.expression} missed ({_actual(t)})",
            run.path,
            severity=Severity.HIGH,
        )
        for t in run.thresholds
        if not t.passed
    ]
    if not run.valid:
        reasons = "; ".join(run.invalid_reasons) or "its self-check failed"
        out.append(
            finding(
                f"{label}: the measurement is not valid ({reasons}); rerun it",
                run.path,
                severity=Severity.MEDIUM,
            )
        )
    if not out:
        out.append(finding(f"{label}: the run did not pass", run.path))
    return out


def _actual(threshold: LoadThreshold) -> str:
    value = threshold.actual
    if value is None:
        return "not measured"
    if threshold.unit == "ms":
        return f"actual {value:.1f} ms"
    if threshold.unit == "ratio":
        return f"actual {value:.2%}"
    if threshold.unit == "per_second":
        return f"actual {value:.1f}/s"
    return f"actual {value:g}"
