"""Resilience checks (pillar ``res``): does the service survive its
dependencies failing, and tell the platform when it is unwell?"""

from __future__ import annotations

from prodready.scan.checks._service import source
from prodready.scan.checks.base import Check, CheckSpec, Example, Verdict, evidence, finding
from prodready.scan.facts.view import Facts
from prodready.scan.model import Level, Severity

HEALTH_ENDPOINT = CheckSpec(
    id="res.health-endpoint",
    level=Level.BRONZE,
    title="The service exposes a health endpoint",
    passes_when=(
        "the service exposes a liveness/readiness endpoint (`/health`, `/healthz`, `/livez`, "
        "`/readyz`, gRPC health service)"
    ),
    why=(
        "Load balancers, orchestrators and monitors decide whether to send traffic to an "
        "instance, or restart it, by asking it. Without a health endpoint they can only "
        "guess from a TCP connect, so a wedged process keeps receiving traffic."
    ),
    how_to_fix=(
        "Serve GET /healthz (liveness: the process is up) and /readyz (readiness: "
        "dependencies reachable) returning 200 quickly, or register the standard gRPC "
        "health service (grpc.health.v1). Libraries are not applicable."
    ),
    references=(
        "https://kubernetes.io/docs/reference/using-api/health-checks/",
        "https://github.com/grpc/grpc/blob/master/doc/health-checking.md",
        "https://microservices.io/patterns/observability/health-check-api.html",
    ),
    examples=(
        Example(
            "FastAPI",
            '@app.get("/healthz")\ndef healthz() -> dict[str, str]:\n    return {"status": "ok"}\n',
            language="python",
        ),
        Example(
            "Go net/http",
            'mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {\n'
            "\tw.WriteHeader(http.StatusOK)\n})\n",
            language="go",
        ),
    ),
)


def judge_health_endpoint(facts: Facts) -> Verdict:
    code = source(facts)
    if not code.is_service:
        return Verdict.not_applicable(
            "no server or web application in the code (a library has no health endpoint)"
        )
    strong = [r for r in code.health_routes if r.health == "strong"]
    seen = [
        evidence(r.path, f"{r.method or 'ANY'} {r.route} ({r.framework})", r.line) for r in strong
    ] + [evidence(e.path, f"{e.kind}: {e.detail}", e.line) for e in code.health_checks]
    if seen:
        what = ", ".join(sorted({r.route for r in strong} | {e.kind for e in code.health_checks}))
        return Verdict.passed(f"health endpoint served: {what}", evidence=seen)
    entry = code.server_entrypoints[0]
    weak = [r for r in code.health_routes if r.health == "weak"]
    if weak:
        return Verdict.failed(
            f"only a non-standard status route ({weak[0].route}); no /healthz, /livez or /readyz",
            score=5.0,
            findings=[
                finding(
                    f"{weak[0].route} is not a conventional health path; serve /healthz "
                    "(liveness) and /readyz (readiness)",
                    weak[0].path,
                    weak[0].line,
                    severity=Severity.LOW,
                )
            ],
            evidence=[evidence(r.path, f"{r.route} ({r.framework})", r.line) for r in weak],
        )
    return Verdict.failed(
        "the service starts a server but exposes no health endpoint",
        findings=[
            finding(
                f"server started here ({entry.detail or entry.kind}) without a /health, "
                "/healthz, /livez or /readyz route or a gRPC health service",
                entry.path,
                entry.line,
                severity=Severity.HIGH,
                snippet=entry.snippet or None,
            )
        ],
    )


TIMEOUTS = CheckSpec(
    id="res.timeouts",
    level=Level.SILVER,
    title="Every outbound call has a timeout",
    passes_when=(
        "every outbound call has a timeout: each HTTP/gRPC/DB client call site without one "
        "is a finding with file:line"
    ),
    why=(
        "A call without a timeout waits forever when the other side hangs. Threads, "
        "connections and memory pile up behind it until the caller falls over too: the "
        "classic cascading failure. Many clients (requests, Go's http.Client{}) have no "
        "timeout by default."
    ),
    how_to_fix=(
        "Pass a timeout on every call or client: requests.get(url, timeout=5), "
        "httpx.Client(timeout=...), aiohttp.ClientSession(timeout=ClientTimeout(total=5)), "
        "Go http.Client{Timeout: 5 * time.Second} or a context deadline, "
        "fetch(url, {signal: AbortSignal.timeout(5000)}). Prefer a shared client that sets it."
    ),
    references=(
        "https://sre.google/sre-book/addressing-cascading-failures/",
        "https://requests.readthedocs.io/en/latest/user/advanced/#timeouts",
        "https://blog.cloudflare.com/the-complete-guide-to-golang-net-http-timeouts/",
    ),
)

GRACEFUL_SHUTDOWN = CheckSpec(
    id="res.graceful-shutdown",
    level=Level.SILVER,
    title="SIGTERM drains in-flight work",
    passes_when=(
        "SIGTERM is handled and in-flight work drains (signal handlers, `Shutdown(ctx)`, "
        "framework lifespan hooks)"
    ),
    why=(
        "Every deploy, scale-in and node drain sends SIGTERM. A service that exits "
        "immediately drops the requests it was serving and the messages it was "
        "processing; one that drains finishes them and deploys become invisible."
    ),
    how_to_fix=(
        "Handle SIGTERM: in Go, signal.NotifyContext + server.Shutdown(ctx); in Python, "
        "the framework's lifespan/shutdown hooks (FastAPI lifespan, gunicorn graceful "
        "timeout) or signal handlers that stop accepting work and wait for in-flight work."
    ),
    references=(
        "https://pkg.go.dev/net/http#Server.Shutdown",
        "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination",
        "https://12factor.net/disposability",
    ),
)

RETRIES = CheckSpec(
    id="res.retries",
    level=Level.GOLD,
    title="Outbound calls retry with backoff",
    passes_when=(
        "outbound calls retry with backoff (tenacity, stamina, backoff, urllib3 `Retry`, "
        "heimdall retrier, gRPC retry policy, resilience4j/Polly, `prodready.http`)"
    ),
    why=(
        "Networks drop packets and instances restart; a single failed call is usually "
        "transient. Retrying idempotent calls with exponential backoff and jitter hides "
        "those blips without hammering a struggling dependency."
    ),
    how_to_fix=(
        "Wrap outbound calls with tenacity/stamina/backoff (Python), a retrying transport "
        "(urllib3 Retry, httpx-retries, heimdall), a gRPC retry policy, or prodready.http; "
        "use exponential backoff with jitter and a bounded number of attempts."
    ),
    references=(
        "https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/",
        "https://tenacity.readthedocs.io/",
    ),
)

CIRCUIT_BREAKER = CheckSpec(
    id="res.circuit-breaker",
    level=Level.GOLD,
    title="Outbound calls go through a circuit breaker",
    passes_when=(
        "outbound calls go through a circuit breaker (pybreaker, aiobreaker, hystrix-go, "
        "gobreaker, heimdall hystrix, resilience4j, Polly, Istio outlierDetection, "
        "`prodready.http`)"
    ),
    why=(
        "When a dependency is down, waiting for each call to time out wastes the caller's "
        "capacity and keeps load on the dependency. A circuit breaker fails fast while it "
        "is down and probes gently for recovery."
    ),
    how_to_fix=(
        "Put a breaker around calls to each dependency: pybreaker/aiobreaker, gobreaker or "
        "hystrix-go, resilience4j, prodready.http, or mesh-level outlier detection "
        "(Istio DestinationRule outlierDetection)."
    ),
    references=(
        "https://martinfowler.com/bliki/CircuitBreaker.html",
        "https://github.com/sony/gobreaker",
    ),
)

RATE_LIMITING = CheckSpec(
    id="res.rate-limiting",
    level=Level.GOLD,
    title="The service limits its load",
    passes_when=(
        "the service limits load (rate limiting, concurrency limits/bulkheads, load shedding)"
    ),
    why=(
        "Every service has a breaking point. Without a limit, a traffic spike or a retry "
        "storm pushes it past that point and everyone gets errors; with one, the excess "
        "is rejected quickly and the rest is served."
    ),
    how_to_fix=(
        "Add rate limiting (slowapi, limits, golang.org/x/time/rate, a gateway policy), "
        "concurrency limits/bulkheads (semaphores, worker pools) or load shedding "
        "(reject when queues are full) at the service's entry points."
    ),
    references=(
        "https://sre.google/sre-book/handling-overload/",
        "https://pkg.go.dev/golang.org/x/time/rate",
    ),
)

CHECKS: tuple[Check, ...] = (
    Check(HEALTH_ENDPOINT, judge_health_endpoint),
    Check(TIMEOUTS),
    Check(GRACEFUL_SHUTDOWN),
    Check(RETRIES),
    Check(CIRCUIT_BREAKER),
    Check(RATE_LIMITING),
)
