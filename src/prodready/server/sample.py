"""Synthetic, realistic scan results: for demos, tests and the server benchmark.

A fleet of services evolves day by day: each check of each service passes or
fails with a probability that grows with the service's maturity, scores drift,
services sometimes regress. ``ServiceState.document`` renders what the
scanner would push for the current state (about 36 checks, a few findings per
failing check); ``ServiceState.summary`` gives the same numbers without
building the document, so a benchmark can seed a year of history quickly.

Nothing here is used by the server at run time.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = [
    "CATALOG",
    "SampleCheck",
    "ServiceState",
    "daily_scans",
    "day_start",
    "fleet",
    "scan_document",
]

_LEVELS = ("bronze", "silver", "gold", "platinum")
_PILLAR_TITLES = {
    "cq": "Code quality",
    "test": "Testing",
    "res": "Resilience",
    "obs": "Observability",
    "doc": "Documentation",
    "sec": "Security",
    "ops": "Delivery and operations",
}


@dataclass(frozen=True)
class SampleCheck:
    id: str
    level: str
    title: str
    how_to_fix: str

    @property
    def pillar(self) -> str:
        return self.id.split(".", 1)[0]


def _c(check_id: str, level: str, title: str, fix: str) -> SampleCheck:
    return SampleCheck(check_id, level, title, fix)


CATALOG: tuple[SampleCheck, ...] = (
    _c("doc.readme", "bronze", "README says how to run and test",
       "Add a README.md with 'Run' and 'Test' sections that give the exact commands."),
    _c("ops.ci-pipeline", "bronze", "CI pipeline defined",
       "Add a CI workflow (e.g. .github/workflows/ci.yml) that builds and tests every push."),
    _c("test.unit", "bronze", "Unit tests in proportion to the code",
       "Add unit tests next to the modules with the most logic; aim for one test file "
       "per module."),
    _c("test.in-ci", "bronze", "CI runs the tests",
       "Call the test runner (pytest, go test, npm test) from the CI pipeline."),
    _c("cq.lint", "bronze", "Linter configured for each language",
       "Configure ruff (Python), golangci-lint (Go) or eslint (JS/TS) and commit its config."),
    _c("ops.lockfile", "bronze", "Dependencies locked",
       "Commit a lock file (uv.lock, poetry.lock, go.sum, package-lock.json) for each "
       "ecosystem."),
    _c("sec.no-hardcoded-secrets", "bronze", "No hard-coded secrets",
       "Move the credential to the environment or a secret manager, then rotate it: it "
       "is in git history."),
    _c("res.health-endpoint", "bronze", "Health endpoint exposed",
       "Expose /healthz (liveness) and /readyz (readiness) and wire them to the probes."),
    _c("cq.format", "silver", "Formatter enforced",
       "Run the formatter in check mode in CI (ruff format --check, gofmt -l, prettier "
       "--check)."),
    _c("cq.quality-gate", "silver", "Quality gate can fail",
       "Remove '|| true' and 'continue-on-error' from lint steps so findings fail the build."),
    _c("cq.sast", "silver", "Security static analysis",
       "Enable bandit or ruff's S rules (Python), gosec (Go) or semgrep in CI."),
    _c("cq.findings", "silver", "Code is clean",
       "Fix the reported lint, security and complexity findings, worst files first."),
    _c("test.coverage", "silver", "Coverage measured and above threshold",
       "Measure coverage in CI (pytest --cov, go test -cover) and raise it above 80%."),
    _c("res.timeouts", "silver", "Every outbound call has a timeout",
       "Pass an explicit timeout to every HTTP, gRPC and database client call."),
    _c("res.graceful-shutdown", "silver", "Graceful shutdown on SIGTERM",
       "Handle SIGTERM: stop accepting work, drain in-flight requests, then exit."),
    _c("obs.metrics", "silver", "Metrics instrumented",
       "Instrument request rate, errors and duration with a Prometheus or OpenTelemetry "
       "client."),
    _c("obs.structured-logging", "silver", "Structured logs",
       "Log JSON with a request id (structlog, zap, slog) instead of free text."),
    _c("doc.api-spec", "silver", "Machine-readable API contract",
       "Publish an OpenAPI document (or .proto) and validate it in CI."),
    _c("doc.ownership", "silver", "Owner declared",
       "Add CODEOWNERS or catalog-info.yaml naming the owning team."),
    _c("ops.container", "silver", "Container image builds",
       "Add a Dockerfile that builds the service reproducibly."),
    _c("ops.container-hardening", "silver", "Hardened container",
       "Run as a non-root USER, pin the base image by digest or version, add .dockerignore."),
    _c("ops.dependency-updates", "silver", "Automated dependency updates",
       "Enable Dependabot or Renovate for every ecosystem in the repository."),
    _c("ops.dependency-scanning", "silver", "Dependency vulnerability scanning",
       "Run pip-audit, govulncheck, osv-scanner or npm audit in CI."),
    _c("test.integration", "gold", "Integration tests",
       "Add a separate integration suite that runs against real dependencies in CI."),
    _c("test.load", "gold", "Load tests with thresholds",
       "Write a load plan (prodready load, k6, locust) with latency and error thresholds."),
    _c("res.retries", "gold", "Retries with backoff",
       "Retry idempotent outbound calls with exponential backoff and jitter."),
    _c("res.circuit-breaker", "gold", "Circuit breakers",
       "Wrap calls to each dependency in a circuit breaker (pybreaker, gobreaker, "
       "prodready.http)."),
    _c("res.rate-limiting", "gold", "Load limiting",
       "Limit concurrency or rate per client and shed load when saturated."),
    _c("obs.tracing", "gold", "Distributed tracing",
       "Add OpenTelemetry tracing and propagate the trace context on outbound calls."),
    _c("obs.error-tracking", "gold", "Error tracking",
       "Report unhandled exceptions to Sentry (or an equivalent) with release tags."),
    _c("obs.alerts", "gold", "Alert rules in the repository",
       "Commit Prometheus alert rules or SLO definitions for the service's golden signals."),
    _c("doc.runbook", "gold", "Runbook",
       "Write docs/runbook.md: how to deploy, roll back, and what each alert means."),
    _c("doc.adr", "gold", "Architecture decision records",
       "Record significant decisions in docs/adr/NNNN-title.md."),
    _c("ops.k8s-probes", "gold", "Kubernetes probes",
       "Declare livenessProbe and readinessProbe on every container in the manifests."),
    _c("ops.k8s-resources", "gold", "Kubernetes resources",
       "Set resources.requests and resources.limits for CPU and memory on every container."),
    _c("obs.dashboards", "platinum", "Dashboards as code",
       "Commit the service's Grafana dashboards as JSON or jsonnet."),
)  # fmt: skip

_FILES = (
    "app/main.py",
    "app/clients/payments.py",
    "app/api/routes.py",
    "cmd/server/main.go",
    "internal/store/postgres.go",
    "src/handlers/orders.ts",
    "deploy/k8s/deployment.yaml",
    "Dockerfile",
    ".github/workflows/ci.yml",
)
_SNIPPETS = (
    "resp = requests.get(url)",
    'http.Get("http://inventory/api/items")',
    "await fetch(`${base}/orders`)",
    'password = "s3cr3t-********"',
    "FROM python:latest",
    "run: ruff check . || true",
)
_TEAMS = (
    "payments", "checkout", "search", "identity", "platform", "growth", "logistics",
    "catalog", "notifications", "risk", "data", "mobile-backend",
)  # fmt: skip


def _level_rank(level: str | None) -> int:
    return 0 if level is None else _LEVELS.index(level) + 1


@dataclass
class ServiceState:
    """One simulated service; ``advance`` moves it one day forward."""

    name: str
    team: str
    tier: int
    maturity: float
    seed: int
    applicable: dict[str, bool] = field(default_factory=dict)
    passing: dict[str, bool] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)
    day: int = 0

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)  # noqa: S311 (simulation)
        has_k8s = rng.random() < 0.7
        for check in CATALOG:
            self.applicable[check.id] = has_k8s or not check.id.startswith("ops.k8s")
            self._roll(check, rng)

    def _roll(self, check: SampleCheck, rng: random.Random) -> None:
        # A service works towards a target level: checks up to it mostly pass,
        # the ones above it mostly do not (yet).
        target = min(4, int(self.maturity * 5))
        ok = rng.random() < (0.985 if _level_rank(check.level) <= target else 0.35)
        self.passing[check.id] = ok
        self.scores[check.id] = 10.0 if ok else round(rng.uniform(0, 7), 1)
        self.findings[check.id] = 0 if ok else rng.randint(1, 6)

    def advance(self, rng: random.Random) -> None:
        """One day: maturity creeps up; a few checks flip; rarely a bad day."""
        self.day += 1
        self.maturity = min(0.95, self.maturity + rng.uniform(0, 0.001))
        flips = 0 if rng.random() < 0.75 else rng.randint(1, 2)
        if rng.random() < 0.01:
            flips += rng.randint(3, 6)  # a regression: a refactor broke several checks
        for _ in range(flips):
            self._roll(CATALOG[rng.randrange(len(CATALOG))], rng)
        for check_id, ok in self.passing.items():
            if not ok and rng.random() < 0.05:
                self.scores[check_id] = round(
                    min(9.5, max(0.0, self.scores[check_id] + rng.uniform(-1, 1))), 1
                )

    def outcome(self, check_id: str) -> str:
        if not self.applicable[check_id]:
            return "not_applicable"
        return "pass" if self.passing[check_id] else "fail"

    def summary(self) -> dict[str, Any]:
        """Score, level, pillars and compact checks, exactly as in ``document``."""
        pillar_scores: dict[str, list[float]] = {}
        checks: dict[str, list[Any]] = {}
        code = {"pass": "p", "fail": "f", "not_applicable": "n"}
        for check in CATALOG:
            outcome = self.outcome(check.id)
            score = None if outcome == "not_applicable" else self.scores[check.id]
            findings = self.findings[check.id] if outcome == "fail" else 0
            checks[check.id] = [code[outcome], score, findings]
            if score is not None:
                pillar_scores.setdefault(check.pillar, []).append(score)
        pillars = {p: round(sum(v) / len(v) * 10, 1) for p, v in sorted(pillar_scores.items())}
        score = round(sum(pillars.values()) / len(pillars), 1) if pillars else None
        level = None
        for candidate in _LEVELS:
            upto = _level_rank(candidate)
            if all(self.outcome(c.id) != "fail" for c in CATALOG if _level_rank(c.level) <= upto):
                level = candidate
            else:
                break
        rank = _level_rank(level)
        next_level = _LEVELS[rank] if rank < len(_LEVELS) else None
        blockers = [
            c.id
            for c in CATALOG
            if next_level and c.level == next_level and self.outcome(c.id) == "fail"
        ]
        failing = sum(1 for v in checks.values() if v[0] == "f")
        return {
            "score": score,
            "level": level,
            "level_rank": rank,
            "next_level": next_level,
            "blockers": blockers,
            "pillars": pillars,
            "checks": checks,
            "failing": failing,
        }

    def service_result(self, summary: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``ServiceResult`` JSON for the current state."""
        s = summary or self.summary()
        rng = random.Random(f"{self.seed}:{self.day}")  # noqa: S311 (simulation)
        checks = []
        for check in CATALOG:
            outcome = self.outcome(check.id)
            n = self.findings[check.id] if outcome == "fail" else 0
            shown = min(n, 5)
            checks.append(
                {
                    "id": check.id,
                    "pillar": check.pillar,
                    "level": check.level,
                    "title": check.title,
                    "outcome": outcome,
                    "score": None if outcome == "not_applicable" else self.scores[check.id],
                    "weight": 1.0,
                    "summary": (
                        f"{n} problem(s) found" if n else ("not applicable" if
                        outcome == "not_applicable" else "ok")
                    ),
                    "how_to_fix": check.how_to_fix if outcome == "fail" else "",
                    "findings": [
                        {
                            "message": f"{check.title}: not satisfied here ({i + 1}/{n})",
                            "path": _FILES[(i + len(check.id)) % len(_FILES)],
                            "line": rng.randint(1, 400),
                            "severity": ("low", "medium", "high")[i % 3],
                            "snippet": _SNIPPETS[(i + len(check.id)) % len(_SNIPPETS)],
                        }
                        for i in range(shown)
                    ],
                    "findings_total": n,
                    "evidence": (
                        [{"path": _FILES[len(check.id) % len(_FILES)], "line": 1,
                          "detail": "configured"}]
                        if outcome == "pass" else []
                    ),
                }
            )  # fmt: skip
        by_id = {c.id: c for c in CATALOG}
        fixes = sorted(
            (c for c in CATALOG if self.outcome(c.id) == "fail"),
            key=lambda c: (self.scores[c.id], c.id),
        )[:3]
        return {
            "name": self.name,
            "path": f"services/{self.name}",
            "owner": f"team-{self.team}",
            "team": self.team,
            "tier": self.tier,
            "languages": ["python"] if self.seed % 3 else ["go"],
            "score": s["score"],
            "level": s["level"],
            "next_level": s["next_level"],
            "blockers": s["blockers"],
            "top_fixes": [
                {
                    "check": c.id,
                    "title": by_id[c.id].title,
                    "gain": round((10 - self.scores[c.id]) / 4, 1),
                    "how_to_fix": c.how_to_fix,
                }
                for c in fixes
            ],
            "pillars": [
                {
                    "pillar": p,
                    "title": _PILLAR_TITLES[p],
                    "score": v,
                    "passed": sum(
                        1 for c in CATALOG if c.pillar == p and self.outcome(c.id) == "pass"
                    ),
                    "failed": sum(
                        1 for c in CATALOG if c.pillar == p and self.outcome(c.id) == "fail"
                    ),
                    "applicable": sum(
                        1
                        for c in CATALOG
                        if c.pillar == p and self.outcome(c.id) != "not_applicable"
                    ),
                }
                for p, v in s["pillars"].items()
            ],
            "checks": checks,
        }

    def document(self, finished_at: datetime, *, version: str = "0.1.0") -> dict[str, Any]:
        """A whole scan document (one service) for the current state."""
        return scan_document([self.service_result()], finished_at, version=version)


def scan_document(
    services: list[dict[str, Any]], finished_at: datetime, *, version: str = "0.1.0"
) -> dict[str, Any]:
    """Wrap ``ServiceResult`` JSON into a ``ScanResult`` document."""
    key = "|".join(s["name"] for s in services) + finished_at.isoformat()
    commit = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()
    started = finished_at - timedelta(seconds=4)
    scores = [s["score"] for s in services if s["score"] is not None]
    return {
        "schema_version": "1.0",
        "tool": {"name": "prodready", "version": version},
        "repository": {
            "root": "/builds/" + services[0]["name"],
            "commit": commit,
            "branch": "main",
            "remote": f"https://git.example.com/{services[0]['team']}/{services[0]['name']}.git",
            "files_scanned": 412,
            "files_skipped": 3,
        },
        "started_at": started.isoformat(),
        "finished_at": finished_at.isoformat(),
        "duration_seconds": 4.0,
        "score": round(sum(scores) / len(scores), 1) if scores else None,
        "level": services[0]["level"],
        "next_level": services[0]["next_level"],
        "blockers": services[0]["blockers"],
        "pillars": services[0]["pillars"],
        "services": services,
        "warnings": [],
        "policy": {},
    }


def fleet(count: int, *, seed: int = 7, teams: int = 12) -> list[ServiceState]:
    """``count`` services spread over ``teams`` teams with varied maturity."""
    rng = random.Random(seed)  # noqa: S311 (simulation)
    team_names = [_TEAMS[i] if i < len(_TEAMS) else f"team-{i:03d}" for i in range(max(1, teams))]
    states = []
    for i in range(count):
        states.append(
            ServiceState(
                name=f"svc-{i:05d}",
                team=team_names[i % len(team_names)],
                tier=1 + (i % 3),
                maturity=rng.uniform(0.1, 0.9),
                seed=seed * 1_000_003 + i,
            )
        )
    return states


def daily_scans(
    services: list[ServiceState],
    *,
    days: int,
    start: datetime,
    rng: random.Random,
    spread_minutes: int = 0,
) -> Iterator[dict[str, Any]]:
    """A history to push: each day every service advances and is scanned once.

    Day ``d``'s scans are at ``start + d days``, each ``rng.randint(0,
    spread_minutes)`` minutes later when ``spread_minutes`` is given (a real
    fleet's scans do not land on the same second). One generator for the
    demo, the load test's seeding and the browser tests, so they push the
    same kind of history.
    """
    for day in range(days):
        for service in services:
            service.advance(rng)
            moment = start + timedelta(days=day)
            if spread_minutes:
                moment += timedelta(minutes=rng.randint(0, spread_minutes))
            yield service.document(moment)


def day_start(days_ago: int, *, now: datetime | None = None) -> datetime:
    """Midnight UTC ``days_ago`` days before ``now`` (for back-dated history)."""
    today = (now or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days_ago)
