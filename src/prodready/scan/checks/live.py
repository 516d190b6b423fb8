"""Proven-live checks (pillar ``live``): evidence from the running service,
read from the result files that ``prodready load`` (and, once built,
``prodready probe`` and ``prodready chaos``) write.

These checks never reach the network and never run anything: they judge the
files the team committed (see ``facts.results`` for where they are looked
for and the fields read). No result file means not applicable: the evidence
was not gathered, which the lower levels' checks already cover.

``live.health`` and ``live.chaos-steady-state`` judge the documented result
formats of ``prodready probe`` and ``prodready chaos``; those commands are
not built yet, so today these checks only pass on files written to that
format by other means.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prodready.scan.checks._recorded import (
    load_run_failures,
    load_run_summary,
    problem_findings,
    stale_findings,
    with_penalty,
)
from prodready.scan.checks.base import (
    Check,
    CheckSpec,
    Example,
    Lifecycle,
    Verdict,
    evidence,
    finding,
)
from prodready.scan.facts.results import (
    PROBE_ROLES,
    ProbeRun,
    RecordedResults,
    recorded_results,
)
from prodready.scan.facts.view import Facts
from prodready.scan.model import Level, Severity

_EPOCH = datetime.min.replace(tzinfo=UTC)
_WHERE = (
    "Result files are looked for in the service's folder: *.json files (at most 16 MiB) "
    "in a .prodready/, results/, load/, loadtest(s)/, perf/, performance/, chaos/ or "
    "probe(s)/ folder, or whose name contains result, load, perf, slo, probe or chaos; "
    "they are recognised by content (schema_version 1.x and the producer's marker), "
    "never by name alone."
)

HEALTH = CheckSpec(
    id="live.health",
    level=Level.PLATINUM,
    title="A live probe found health, metrics and API endpoints answering",
    passes_when=(
        "a live probe of the running service finds health, metrics and API-spec endpoints "
        "answering (from `prodready probe`)"
    ),
    why=(
        "Declared endpoints can be misrouted, blocked or broken in the real deployment. "
        "A probe of the running service proves the health, metrics and API-spec endpoints "
        "actually answer where the platform expects them."
    ),
    how_to_fix=(
        "Probe the deployed service and commit the result file; fix whichever endpoint "
        "did not answer. `prodready probe` is not built yet: the check reads its planned "
        'result format, a JSON document with schema_version "1.0", kind '
        '"prodready/probe-result", target.url, finished_at and endpoints[] (role: health, '
        "liveness, readiness, metrics or api-spec; url; status; ok: boolean). It passes "
        "when the latest probe has health, metrics and api-spec endpoints answering (the "
        "score is the share of the three), and is not applicable without a probe result. " + _WHERE
    ),
    references=(
        "https://kubernetes.io/docs/reference/using-api/health-checks/",
        "https://prometheus.io/docs/instrumenting/exposition_formats/",
    ),
    lifecycle=Lifecycle.EXPERIMENTAL,
    examples=(
        Example(
            "A probe result (.prodready/results/probe-staging.json)",
            '{"schema_version": "1.0", "kind": "prodready/probe-result",\n'
            ' "target": {"url": "https://orders.staging.internal"},\n'
            ' "finished_at": "2026-11-20T10:00:00Z",\n'
            ' "endpoints": [\n'
            '   {"role": "health", "url": "/healthz", "status": 200, "ok": true},\n'
            '   {"role": "metrics", "url": "/metrics", "status": 200, "ok": true},\n'
            '   {"role": "api-spec", "url": "/openapi.json", "status": 200, "ok": true}]}\n',
            language="json",
        ),
    ),
)


def judge_health(facts: Facts) -> Verdict:
    results = recorded_results(facts)
    if not results.probes:
        return _absent("probe", results)
    latest = _latest_probes(results.probes)
    stale = stale_findings(facts, [(p.path, p.target, p.finished_at) for p in latest])
    findings = []
    answered = 0
    expected = 0
    seen = []
    for probe in latest:
        for role in PROBE_ROLES:
            expected += 1
            ok = probe.answering(role)
            if ok:
                answered += 1
                seen.append(
                    evidence(probe.path, f"{role}: {ok[0].url or '?'} answered ({ok[0].status})")
                )
                continue
            probed = probe.probed(role)
            target = probe.target or "the service"
            if probed:
                status = probed[0].status
                findings.append(
                    finding(
                        f"{role} endpoint {probed[0].url or '?'} of {target} did not answer "
                        f"as expected (status {status if status is not None else 'none'})",
                        probe.path,
                        severity=Severity.HIGH if role == "health" else Severity.MEDIUM,
                    )
                )
            else:
                findings.append(
                    finding(
                        f"the probe of {target} found no {role} endpoint",
                        probe.path,
                        severity=Severity.HIGH if role == "health" else Severity.MEDIUM,
                    )
                )
    findings += problem_findings(results.problems_of("probe"))
    score = with_penalty(round(10 * answered / expected, 1), stale)
    if answered < expected:
        return Verdict.failed(
            f"{answered} of {expected} probed endpoint roles (health, metrics, api-spec) answered",
            score=score,
            findings=findings + stale,
            evidence=seen,
        )
    return Verdict.passed(
        f"the live probe found health, metrics and API-spec endpoints answering "
        f"({len(latest)} targets)",
        score=score,
        findings=findings + stale,
        evidence=seen,
    )


def _latest_probes(probes: tuple[ProbeRun, ...]) -> list[ProbeRun]:
    latest: dict[str, ProbeRun] = {}
    for probe in probes:
        key = probe.target or probe.path
        current = latest.get(key)
        if current is None or (probe.finished_at or _EPOCH) > (current.finished_at or _EPOCH):
            latest[key] = probe
    return sorted(latest.values(), key=lambda p: p.path)


LOAD_SLO = CheckSpec(
    id="live.load-slo",
    level=Level.PLATINUM,
    title="A recorded load run met the latency and success SLOs",
    passes_when="a recorded `prodready load` run met the service's latency and success SLOs",
    why=(
        "An SLO is only a promise until the service has been measured keeping it under "
        "realistic load. A recorded run that met it is evidence; one that missed it is "
        "an early warning."
    ),
    how_to_fix=(
        "Run `prodready load` with the service's SLO thresholds (a latency percentile and a "
        "success ratio, e.g. -t 'p99<300ms' -t 'success>=99.9%') against a production-like "
        "environment and keep the result (`--output loadtest/results/<name>.json`); fix the "
        "bottleneck if it misses. The latest run of each plan (by name, else target) is "
        "judged by its `passed` field (valid and every threshold met, docs/load.md); a run "
        "without thresholds proves no SLO and fails; a run with only a latency or only a "
        "success threshold passes with less. Results older than "
        "thresholds.result_max_age_days (default 90) are reported as stale. Not applicable "
        "without a prodready load result. " + _WHERE
    ),
    references=(
        "https://sre.google/sre-book/service-level-objectives/",
        "https://www.scylladb.com/2021/04/22/on-coordinated-omission/",
    ),
)


def judge_load_slo(facts: Facts) -> Verdict:
    results = recorded_results(facts)
    if not results.load:
        return _absent("load", results)
    latest = RecordedResults.latest_load(results.load)
    stale = stale_findings(facts, [(r.path, r.name, r.finished_at) for r in latest])
    notes = problem_findings(results.problems_of("load"))
    seen = [evidence(r.path, load_run_summary(r)) for r in latest[:10]]
    failed = [r for r in latest if not r.passed]
    unproven = [r for r in latest if r.passed and not r.thresholds]
    partial = [
        r
        for r in latest
        if r.passed and r.thresholds and not (r.latency_thresholds and r.success_thresholds)
    ]
    met = len(latest) - len(failed) - len(unproven)
    score = with_penalty(round(10 * (met - 0.2 * len(partial)) / len(latest), 1), stale)
    if failed or unproven:
        findings = [f for r in failed for f in load_run_failures(r)]
        findings += [
            finding(
                f"{r.name or 'load run'}: the run declares no thresholds, so it proves no SLO; "
                "rerun with -t 'p99<...ms' -t 'success>=...%'",
                r.path,
            )
            for r in unproven
        ]
        what = "missed their SLOs" if failed else "declare no SLO thresholds"
        return Verdict.failed(
            f"{len(failed) + len(unproven)} of {len(latest)} recorded load runs {what}",
            score=score,
            findings=findings + notes + stale,
            evidence=seen,
        )
    findings = [
        finding(
            f"{r.name or 'load run'}: met its thresholds, but declares no "
            f"{'success-ratio' if r.latency_thresholds else 'latency'} threshold",
            r.path,
            severity=Severity.LOW,
        )
        for r in partial
    ]
    return Verdict.passed(
        f"{len(latest)} recorded load runs met their SLOs",
        score=score,
        findings=findings + notes + stale,
        evidence=seen,
    )


CHAOS_STEADY_STATE = CheckSpec(
    id="live.chaos-steady-state",
    level=Level.PLATINUM,
    title="A recorded chaos experiment held its steady state",
    passes_when=(
        "a recorded `prodready chaos` experiment held its steady-state hypothesis under "
        "injected faults"
    ),
    why=(
        "Resilience patterns are claims until faults are injected into the running "
        "system. A chaos experiment whose steady state held is proof that timeouts, "
        "retries and breakers work together as designed."
    ),
    how_to_fix=(
        "Define a steady-state hypothesis (e.g. 99% of requests succeed under 300 ms), "
        "run an experiment that injects dependency latency and errors, and keep its result "
        "file. `prodready chaos` is not built yet: the check reads its planned result "
        'format, a JSON document with schema_version "1.0", kind "prodready/chaos-result", '
        "name, finished_at, faults[] (name, injected: boolean) and steady_state with before, "
        "during and after (booleans; during may be absent). The latest run of each "
        "experiment must have injected at least one fault and held its hypothesis before, "
        "during (when checked) and after. Chaos Toolkit journals are not read. Not "
        "applicable without a chaos result. " + _WHERE
    ),
    references=(
        "https://principlesofchaos.org/",
        "https://chaostoolkit.org/reference/api/experiment/#steady-state-hypothesis",
    ),
    lifecycle=Lifecycle.EXPERIMENTAL,
    examples=(
        Example(
            "A chaos result (.prodready/results/carrier-latency.json)",
            '{"schema_version": "1.0", "kind": "prodready/chaos-result",\n'
            ' "name": "carrier-latency", "finished_at": "2026-11-20T10:00:00Z",\n'
            ' "faults": [{"name": "carrier +2s latency", "injected": true}],\n'
            ' "steady_state": {"before": true, "during": true, "after": true}}\n',
            language="json",
        ),
    ),
)


def judge_chaos_steady_state(facts: Facts) -> Verdict:
    results = recorded_results(facts)
    if not results.chaos:
        return _absent("chaos", results)
    latest = RecordedResults.latest_chaos(results.chaos)
    stale = stale_findings(facts, [(r.path, r.name, r.finished_at) for r in latest])
    notes = problem_findings(results.problems_of("chaos"))
    seen = []
    findings = []
    for run in latest:
        label = run.name or "experiment"
        if run.injected == 0:
            findings.append(
                finding(
                    f"{label}: no fault was injected, so the experiment proves nothing",
                    run.path,
                )
            )
        elif not run.held:
            phases = [
                phase
                for phase, met in (
                    ("before", run.before),
                    ("during", run.during),
                    ("after", run.after),
                )
                if met is not True and not (phase == "during" and met is None)
            ]
            findings.append(
                finding(
                    f"{label}: the steady-state hypothesis did not hold under "
                    f"{run.injected} injected faults (not met: {', '.join(phases)})",
                    run.path,
                    severity=Severity.HIGH,
                )
            )
        else:
            seen.append(evidence(run.path, f"{label}: held under {run.injected} injected faults"))
    held = len(latest) - len(findings)
    score = with_penalty(round(10 * held / len(latest), 1), stale)
    if findings:
        return Verdict.failed(
            f"{len(findings)} of {len(latest)} recorded chaos experiments did not hold their "
            "steady state",
            score=score,
            findings=findings + notes + stale,
            evidence=seen,
        )
    return Verdict.passed(
        f"{len(latest)} recorded chaos experiments held their steady state",
        score=score,
        findings=notes + stale,
        evidence=seen,
    )


def _absent(kind: str, results: RecordedResults) -> Verdict:
    problems = results.problems_of(kind)
    return Verdict.not_applicable(
        f"no readable prodready {kind} result in the service's folder",
        evidence=[evidence(p.path, f"ignored: {p.message}") for p in problems],
    )


CHECKS: tuple[Check, ...] = (
    Check(HEALTH, judge_health),
    Check(LOAD_SLO, judge_load_slo),
    Check(CHAOS_STEADY_STATE, judge_chaos_steady_state),
)
