"""Proven-live checks (pillar ``live``): evidence from the running service,
read from result files that ``prodready probe/load/chaos`` produce."""

from __future__ import annotations

from prodready.scan.checks.base import Check, CheckSpec
from prodready.scan.model import Level

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
        "Run `prodready probe <url>` against the deployed service and commit (or publish "
        "to the server) its result file; fix whichever endpoint did not answer."
    ),
    references=("https://kubernetes.io/docs/reference/using-api/health-checks/",),
)

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
        "Run `prodready load` with the service's SLO thresholds against a production-like "
        "environment and keep the result file; fix the bottleneck if it misses."
    ),
    references=(
        "https://sre.google/sre-book/service-level-objectives/",
        "https://www.scylladb.com/2021/04/22/on-coordinated-omission/",
    ),
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
        "run a `prodready chaos` experiment that injects dependency latency and errors, "
        "and keep its result file."
    ),
    references=("https://principlesofchaos.org/",),
)

CHECKS: tuple[Check, ...] = (
    Check(HEALTH),
    Check(LOAD_SLO),
    Check(CHAOS_STEADY_STATE),
)
