"""Resilience checks (pillar ``res``): does the service survive its
dependencies failing, and tell the platform when it is unwell?"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from prodready.scan.checks._service import deployment, source
from prodready.scan.checks._uses import (
    RUNNING,
    SERVICE,
    WORKER,
    app_kind,
    autoconfigured,
    concerns_asset,
    containers,
    entry_point,
    library_names,
    not_applicable,
    unused_declarations,
    use_evidence,
)
from prodready.scan.checks.base import Check, CheckSpec, Example, Verdict, evidence, finding
from prodready.scan.facts.code_facts import SourceFacts
from prodready.scan.facts.code_model import Evidence as CodeEvidence
from prodready.scan.facts.code_model import OutboundCall
from prodready.scan.facts.libraries import Capability
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
        "is a finding with file:line (Python requests/httpx/aiohttp/urllib3, Go net/http "
        "`http.Get`/`http.DefaultClient`/`http.Client{}` without `Timeout`, JS fetch/axios, "
        "Java clients)"
    ),
    why=(
        "A call without a timeout waits forever when the other side hangs. Threads, "
        "connections and memory pile up behind it until the caller falls over too: the "
        "classic cascading failure. Many clients (requests, urllib, Go's http.Get and "
        "http.Client{}, axios, fetch, RestTemplate) have no timeout by default."
    ),
    how_to_fix=(
        "Pass a timeout on every call or, better, create one shared client that sets it: "
        "requests.get(url, timeout=5), httpx.Client(timeout=...) (never timeout=None), "
        "aiohttp.ClientSession(timeout=ClientTimeout(total=5)), Go "
        "&http.Client{Timeout: 5 * time.Second} or a context.WithTimeout deadline on the "
        "request, fetch(url, {signal: AbortSignal.timeout(5000)}), axios.create({timeout: "
        "5000}), RestTemplateBuilder.setConnectTimeout/setReadTimeout. Calls through a "
        "client or helper that sets a timeout (heimdall, a wrapper passing timeout=, "
        "prodready.http) count as bounded. The score is the share of call sites with a "
        "timeout; test, vendored, generated, example and tooling code is not judged, and a "
        "codebase without outbound calls is not applicable. Not read yet: mesh-level "
        "timeouts (an Istio VirtualService timeout); if that is how you bound calls, exempt "
        "the check in the policy with that reason."
    ),
    references=(
        "https://sre.google/sre-book/addressing-cascading-failures/",
        "https://requests.readthedocs.io/en/latest/user/advanced/#timeouts",
        "https://blog.cloudflare.com/the-complete-guide-to-golang-net-http-timeouts/",
    ),
    examples=(
        Example(
            "requests: a timeout on every call",
            "resp = requests.post(url, json=body, timeout=(3.05, 10))\n",
            language="python",
        ),
        Example(
            "requests without a timeout waits forever",
            "resp = requests.post(url, json=body)\n",
            passes=False,
            language="python",
        ),
        Example(
            "Go: one client with a timeout, shared",
            "var client = &http.Client{Timeout: 5 * time.Second}\n",
            language="go",
        ),
        Example(
            "Go: http.Get uses http.DefaultClient, which never times out",
            "resp, err := http.Get(url)\n",
            passes=False,
            language="go",
        ),
    ),
)


def _timeout_fix(call: OutboundCall) -> str:
    library = call.library
    if call.kind == "grpc":
        return (
            "give every RPC a deadline (context.WithTimeout, timeout=) or add a timeout interceptor"
        )
    if call.language == "go":
        if "Client{}" in call.api or "new(" in call.api:
            return "set Timeout on the http.Client (one finding per client)"
        return "use an http.Client with Timeout, or give the request a context deadline"
    if library == "requests":
        return "pass timeout=(connect, read), e.g. timeout=(3.05, 10)"
    if library in ("httpx", "prodready.http"):
        return "drop timeout=None or give a finite httpx.Timeout"
    if library == "aiohttp":
        return "pass timeout=aiohttp.ClientTimeout(total=...) to the session or the call"
    if library in ("urllib", "http.client", "urllib3"):
        return "pass timeout= (seconds)"
    if library == "fetch":
        return "pass {signal: AbortSignal.timeout(ms)}"
    if library == "axios":
        return "create the instance with {timeout: ms} or set axios.defaults.timeout"
    if call.kind == "db":
        return "set a connect/socket timeout on the client"
    return "configure connect and read timeouts on the client"


def _call_message(call: OutboundCall) -> str:
    what = (
        call.api
        if call.library in call.api or call.language != "python"
        else (f"{call.api} ({call.library})")
    )
    text = (
        f"{what}: database client without a timeout"
        if call.kind == "db"
        else (f"{what} without a timeout")
    )
    note = call.note.strip()
    if note and note.lower() not in text.lower():
        text += f" ({note})"
    defined = call.via_client_defined_at
    if defined is not None and (defined[0], defined[1]) != (call.path, call.line):
        where = defined[1] if defined[0] == call.path else f"{defined[0]}:{defined[1]}"
        text += f", client created at {where}"
    fix = _timeout_fix(call)
    if not any(word in note.lower() for word in ("set ", "pass ", "drop ")):
        text += f"; {fix}"
    return text


def judge_timeouts(facts: Facts) -> Verdict:
    code = source(facts)
    calls = code.outbound_calls
    if not calls:
        return not_applicable(
            facts,
            "no outbound HTTP, gRPC or database calls in production code" + _excluded_note(code),
        )
    missing = [c for c in calls if c.has_timeout is False]
    bounded = [c for c in calls if c.has_timeout is True]
    unknown = [c for c in calls if c.has_timeout is None]
    decided = len(missing) + len(bounded)
    score = 10.0 * len(bounded) / decided if decided else 10.0
    seen = [
        evidence(c.path, f"{c.api}: timeout from the {c.timeout_source or 'call'}", c.line)
        for c in bounded
    ] + [
        evidence(
            c.path,
            f"{c.api}: timeout not determinable statically" + (f" ({c.note})" if c.note else ""),
            c.line,
        )
        for c in unknown
    ]
    if decided:
        tally = f"{len(bounded)} of {decided} outbound call sites have a timeout"
        if unknown:
            tally += f" ({len(unknown)} more could not be judged statically)"
    else:
        tally = (
            f"no call site provably lacks a timeout ({len(unknown)} outbound call site(s) "
            "whose timeout comes from a client built elsewhere or forwarded options)"
        )
    if not missing:
        return Verdict.passed(f"{tally}{_excluded_note(code)}", score=10.0, evidence=seen)
    ordered = sorted(missing, key=lambda c: (c.kind == "db", c.path, c.line))
    findings = [
        finding(
            _call_message(c),
            c.path,
            c.line,
            end_line=c.end_line if c.end_line > c.line else None,
            severity=Severity.LOW if c.severity == "low" else Severity.HIGH,
            snippet=c.snippet or None,
        )
        for c in ordered
    ]
    libraries = ", ".join(sorted({c.library for c in missing}))
    return Verdict.failed(
        f"{len(missing)} outbound call site(s) without a timeout ({libraries}); {tally}",
        score=round(score, 1),
        findings=findings,
        evidence=seen,
    )


def _excluded_note(code: SourceFacts) -> str:
    excluded = code.excluded_counts
    if not excluded:
        return ""
    parts = ", ".join(f"{count} {role}" for role, count in excluded.items())
    return f" (not judged: {parts} file(s))"


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
        "Handle SIGTERM and drain: in Go, signal.NotifyContext + server.Shutdown(ctx) "
        "(GracefulStop for gRPC); in Python, the framework's shutdown hooks (FastAPI/"
        "Starlette lifespan, aiohttp on_shutdown, gunicorn graceful_timeout, uvicorn "
        "--timeout-graceful-shutdown); in Node, process.on('SIGTERM') -> server.close(); in "
        "Spring Boot, server.shutdown=graceful. A SIGTERM handler next to a server that is "
        "never shut down is half the job; a server or worker that drains by default "
        "(uvicorn.run, aiohttp run_app, Celery, rq, asynq) scores a little less than an "
        "explicit hook. Services and queue workers are judged; libraries are not applicable."
    ),
    references=(
        "https://pkg.go.dev/net/http#Server.Shutdown",
        "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination",
        "https://12factor.net/disposability",
    ),
    examples=(
        Example(
            "Go: stop on SIGTERM, then drain",
            "ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)\n"
            "defer stop()\ngo srv.ListenAndServe()\n<-ctx.Done()\n"
            "shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)\n"
            "defer cancel()\nsrv.Shutdown(shutdownCtx)\n",
            language="go",
        ),
        Example(
            "FastAPI lifespan",
            "@asynccontextmanager\nasync def lifespan(app):\n    client = httpx.AsyncClient()\n"
            "    yield\n    await client.aclose()\n\napp = FastAPI(lifespan=lifespan)\n",
            language="python",
        ),
    ),
)

_DRAINS = {
    "drain": "drains",
    "lifespan": "shutdown hook",
    "graceful-config": "graceful shutdown configured",
    "server-default": "server drains by default",
}


_WORKERS_DRAIN = {
    "celery": "a Celery worker finishes its running tasks on SIGTERM (warm shutdown)",
    "dramatiq": "a dramatiq worker finishes its running messages on SIGTERM",
    "rq": "an rq worker finishes its current job on SIGTERM (warm shutdown)",
    "arq": "an arq worker finishes its running jobs on SIGTERM",
    "faust": "a Faust worker stops its agents gracefully on SIGTERM",
    "asynq": "asynq's Server.Run waits for active tasks on SIGTERM",
}
"""Worker frameworks that drain by themselves on SIGTERM."""


def _server_commands(facts: Facts) -> list[CodeEvidence]:
    """Graceful shutdown decided by how the image starts the server: gunicorn
    drains its workers on SIGTERM (``graceful_timeout``, 30 s by default);
    uvicorn and hypercorn bound the drain with a flag."""
    found: list[CodeEvidence] = []
    for dockerfile in containers(facts).service_dockerfiles:
        stage = dockerfile.final_stage
        if stage is None or not concerns_asset(facts, dockerfile.path):
            continue
        for command in (stage.entrypoint, stage.cmd):
            if command is None:
                continue
            words = [w for part in command.argv or (command.raw,) for w in part.split()]
            names = {w.rsplit("/", 1)[-1] for w in words}
            text = " ".join(words)[:160]
            if "gunicorn" in names:
                configured = any(w.startswith("--graceful-timeout") for w in words)
                kind = "graceful-config" if configured else "server-default"
                detail = (
                    "gunicorn --graceful-timeout"
                    if configured
                    else "gunicorn drains its workers on SIGTERM (graceful_timeout 30 s)"
                )
                found.append(CodeEvidence(dockerfile.path, command.line, "", kind, detail, text))
            for server, flag in (
                ("uvicorn", "--timeout-graceful-shutdown"),
                ("hypercorn", "--graceful-timeout"),
            ):
                if server in names and any(w.startswith(flag) for w in words):
                    found.append(
                        CodeEvidence(
                            dockerfile.path,
                            command.line,
                            "",
                            "graceful-config",
                            f"{server} {flag}",
                            text,
                        )
                    )
    return found


def judge_graceful_shutdown(facts: Facts) -> Verdict:
    if app_kind(facts) not in RUNNING:
        return not_applicable(
            facts,
            "no server, worker or web application in the code (a library has nothing to drain)",
        )
    code = source(facts)
    hooks = [*code.shutdown_hooks, *_server_commands(facts)]
    seen = [evidence(h.path, f"{_DRAINS.get(h.kind, h.kind)}: {h.detail}", h.line) for h in hooks]
    explicit = [h for h in hooks if h.kind in ("drain", "lifespan", "graceful-config")]
    defaults = [(h.path, h.line, h.detail) for h in hooks if h.kind == "server-default"]
    defaults += [
        (u.path, u.line, _WORKERS_DRAIN[u.library])
        for u in code.uses(Capability.WORKER)
        if u.library in _WORKERS_DRAIN
    ]
    signals = [h for h in hooks if h.kind == "signal-handler"]
    if explicit:
        kinds = ", ".join(sorted({_DRAINS[h.kind] for h in explicit}))
        return Verdict.passed(f"shutdown is handled ({kinds})", evidence=seen)
    if defaults:
        path, line, detail = defaults[0]
        return Verdict.passed(
            f"in-flight work drains on SIGTERM by default ({detail})",
            score=8.0,
            evidence=[*seen, *(evidence(p, d, n) for p, n, d in defaults)],
            findings=[
                finding(
                    "shutdown relies on the server's or worker's default; add a shutdown hook "
                    "(lifespan, on_shutdown, a signal handler) that closes clients and flushes "
                    "telemetry",
                    path,
                    line,
                    severity=Severity.INFO,
                )
            ],
        )
    servers = [e for e in code.server_entrypoints if e.kind == "server-run"]
    if signals and not servers:
        return Verdict.passed(
            "SIGTERM is handled (no server of its own to shut down)",
            score=8.0,
            evidence=seen,
        )
    if signals:
        server = servers[0]
        return Verdict.failed(
            "SIGTERM is handled but the server is never shut down gracefully",
            score=5.0,
            evidence=seen,
            findings=[
                finding(
                    f"server started here ({server.detail or server.kind}) is not drained on "
                    f"SIGTERM (handled at {signals[0].path}:{signals[0].line}): call "
                    "Shutdown(ctx)/GracefulStop()/server.close() and wait for in-flight work",
                    server.path,
                    server.line,
                    severity=Severity.MEDIUM,
                    snippet=server.snippet or None,
                )
            ],
        )
    entry = servers[0] if servers else None
    start = entry_point(facts)
    where = (
        (entry.path, entry.line, entry.detail, entry.snippet)
        if entry
        else (
            (start.path, start.line, start.detail, start.snippet) if start else (None, None, "", "")
        )
    )
    return Verdict.failed(
        "nothing handles SIGTERM or drains in-flight work",
        findings=[
            finding(
                f"{where[2] or 'the program'} starts here: no SIGTERM handler, server Shutdown, "
                "lifespan/shutdown hook or graceful-shutdown setting was found, so a deploy "
                "drops in-flight work",
                where[0],
                where[1],
                severity=Severity.HIGH,
                snippet=where[3] or None,
            )
        ],
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
        "(urllib3 Retry mounted on a Session, httpx-retries, heimdall, go-retryablehttp), a "
        "gRPC retry policy, resilience4j @Retry, axios-retry, or prodready.http Retry; use "
        "exponential backoff with jitter and a bounded number of attempts. Only real use "
        "counts: a retry library in the manifest that no code calls is a finding. Retries "
        "that only guard start-up (waiting for the database) count, and the check says so. "
        "Not applicable when the code makes no outbound calls. Not read yet: mesh-level "
        "retries (an Istio VirtualService retries block); exempt the check with that reason."
    ),
    references=(
        "https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/",
        "https://tenacity.readthedocs.io/",
    ),
    examples=(
        Example(
            "tenacity",
            "@retry(stop=stop_after_attempt(3), wait=wait_exponential_jitter(0.1, 2))\n"
            "def fetch_rates() -> dict:\n    return client.get('/rates').json()\n",
            language="python",
        ),
        Example(
            "prodready.http",
            "from prodready.http import Client, Retry\n\n"
            "client = Client(retry=Retry(attempts=3))\n",
            language="python",
        ),
    ),
)


def _calls_by_file(calls: Sequence[OutboundCall]) -> dict[str, list[OutboundCall]]:
    grouped: dict[str, list[OutboundCall]] = defaultdict(list)
    for call in calls:
        grouped[call.path].append(call)
    return dict(sorted(grouped.items()))


def _unguarded(
    facts: Facts,
    calls: Sequence[OutboundCall],
    capability: Capability,
    *,
    guard: str,
    what: str,
    fix: str,
    declared: str,
) -> Verdict:
    """The failed verdict for outbound calls nothing guards: one finding per file
    that makes them, plus any declared-but-unused library."""
    by_file = _calls_by_file(calls)
    findings = []
    for path, in_file in by_file.items():
        first = min(in_file, key=lambda c: c.line)
        sites = ", ".join(f"{c.api} at :{c.line}" for c in in_file[:5])
        more = f" and {len(in_file) - 5} more" if len(in_file) > 5 else ""
        findings.append(
            finding(
                f"outbound calls here are not {what} ({sites}{more}); {fix}",
                path,
                first.line,
                severity=Severity.MEDIUM,
                snippet=first.snippet or None,
            )
        )
    findings += unused_declarations(facts, capability, declared)
    return Verdict.failed(
        f"no {guard} around {len(calls)} outbound call site(s) in {len(by_file)} file(s)",
        findings=findings,
    )


def judge_retries(facts: Facts) -> Verdict:
    code = source(facts)
    uses = list(code.uses(Capability.RETRY))
    uses += autoconfigured(facts, Capability.RETRY)
    calls = code.outbound_calls
    if not uses and not calls:
        return not_applicable(facts, "no outbound calls in production code: nothing to retry")
    if uses:
        runtime = [u for u in uses if not u.startup_only]
        if runtime:
            return Verdict.passed(
                f"outbound calls retry ({library_names(runtime)})", evidence=use_evidence(uses)
            )
        first = uses[0]
        return Verdict.passed(
            f"retries only guard start-up ({library_names(uses)}): they count, but runtime "
            "calls are not retried",
            score=7.0,
            evidence=use_evidence(uses),
            findings=[
                finding(
                    f"retries ({first.symbol} here) only guard start-up (e.g. waiting for a "
                    "database); retry runtime calls to other services too",
                    first.path,
                    first.line,
                    severity=Severity.LOW,
                    snippet=first.snippet or None,
                )
            ],
        )
    return _unguarded(
        facts,
        calls,
        Capability.RETRY,
        guard="retries",
        what="retried",
        fix="retry idempotent calls with exponential backoff and jitter "
        "(tenacity, stamina, urllib3 Retry, heimdall, prodready.http Retry)",
        declared="a retry",
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
        "Put a breaker around calls to each dependency: pybreaker/aiobreaker/circuitbreaker, "
        "gobreaker, hystrix-go or heimdall's hystrix client, resilience4j @CircuitBreaker, "
        "opossum, prodready.http CircuitBreaker, or mesh-level outlier detection (an Istio "
        "DestinationRule with outlierDetection in the manifests that deploy the service). "
        "A breaker library in the manifest that no code uses is a finding. Not applicable "
        "when the code makes no outbound calls."
    ),
    references=(
        "https://martinfowler.com/bliki/CircuitBreaker.html",
        "https://github.com/sony/gobreaker",
        "https://istio.io/latest/docs/tasks/traffic-management/circuit-breaking/",
    ),
    examples=(
        Example(
            "pybreaker",
            "breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)\n\n"
            "@breaker\ndef charge(order):\n    return client.post('/charges', json=order)\n",
            language="python",
        ),
        Example(
            "Istio outlier detection",
            "apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\n"
            "spec:\n  host: payments\n  trafficPolicy:\n    outlierDetection:\n"
            "      consecutive5xxErrors: 5\n      baseEjectionTime: 60s\n",
            language="yaml",
        ),
    ),
)


def judge_circuit_breaker(facts: Facts) -> Verdict:
    code = source(facts)
    uses = list(code.uses(Capability.CIRCUIT_BREAKER))
    mesh = [o for o in deployment(facts).outlier_detection if concerns_asset(facts, o.path)]
    calls = code.outbound_calls
    if not uses and not mesh and not calls:
        return not_applicable(
            facts, "no outbound calls in production code: nothing to break the circuit of"
        )
    seen = use_evidence(uses) + [
        evidence(
            o.path,
            f"{o.tool} outlierDetection"
            + (f" for {o.host}" if o.host else "")
            + (f"; {o.detail}" if o.detail else ""),
            o.line,
        )
        for o in mesh
    ]
    if uses or mesh:
        where = [library_names(uses)] if uses else []
        where += sorted({f"{o.tool} outlierDetection" for o in mesh})
        return Verdict.passed(
            f"outbound calls go through a circuit breaker ({', '.join(where)})", evidence=seen
        )
    return _unguarded(
        facts,
        calls,
        Capability.CIRCUIT_BREAKER,
        guard="circuit breaker",
        what="behind a circuit breaker",
        fix="wrap each dependency in a breaker (pybreaker, gobreaker, resilience4j, "
        "prodready.http CircuitBreaker) or configure Istio outlierDetection",
        declared="a circuit breaker",
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
        "Add rate limiting (slowapi, flask-limiter, limits, golang.org/x/time/rate, "
        "express-rate-limit, resilience4j @RateLimiter), concurrency limits/bulkheads "
        "(a semaphore around work, uvicorn limit_concurrency, netutil.LimitListener, "
        "prodready.http Bulkhead) or load shedding (reject when queues are full) at the "
        "service's entry points. A rate-limit library in the manifest that no code uses is "
        "a finding. Libraries and queue workers (which pull work at their own pace) are not "
        "applicable. Not read yet: limits enforced outside the code (ingress annotations, an "
        "API gateway, an Envoy rate-limit filter); exempt the check with that reason."
    ),
    references=(
        "https://sre.google/sre-book/handling-overload/",
        "https://pkg.go.dev/golang.org/x/time/rate",
    ),
    examples=(
        Example(
            "slowapi on FastAPI",
            "limiter = Limiter(key_func=get_remote_address, default_limits=['600/minute'])\n"
            "app.state.limiter = limiter\n",
            language="python",
        ),
        Example(
            "Go token bucket middleware",
            "limiter := rate.NewLimiter(rate.Limit(100), 200)\n"
            'if !limiter.Allow() {\n\thttp.Error(w, "slow down", http.StatusTooManyRequests)\n}\n',
            language="go",
        ),
    ),
)


def judge_rate_limiting(facts: Facts) -> Verdict:
    kind = app_kind(facts)
    if kind == WORKER:
        return not_applicable(
            facts, "a queue or stream consumer without a server: it pulls work at its own pace"
        )
    if kind != SERVICE:
        return not_applicable(
            facts, "no server or web application in the code: only a service has load to limit"
        )
    code = source(facts)
    uses = list(code.uses(Capability.RATE_LIMIT))
    uses += autoconfigured(facts, Capability.RATE_LIMIT)
    if uses:
        return Verdict.passed(
            f"load is limited ({library_names(uses)})", evidence=use_evidence(uses)
        )
    start = entry_point(facts)
    findings = [
        finding(
            f"the service ({start.detail if start else 'server'}) accepts unbounded load: no "
            "rate limiter, concurrency limit, bulkhead or load shedding was found",
            start.path if start else None,
            start.line if start else None,
            severity=Severity.MEDIUM,
            snippet=(start.snippet or None) if start else None,
        )
    ]
    findings += unused_declarations(facts, Capability.RATE_LIMIT, "a rate limit")
    return Verdict.failed("nothing limits the load the service accepts", findings=findings)


CHECKS: tuple[Check, ...] = (
    Check(HEALTH_ENDPOINT, judge_health_endpoint),
    Check(TIMEOUTS, judge_timeouts),
    Check(GRACEFUL_SHUTDOWN, judge_graceful_shutdown),
    Check(RETRIES, judge_retries),
    Check(CIRCUIT_BREAKER, judge_circuit_breaker),
    Check(RATE_LIMITING, judge_rate_limiting),
)
