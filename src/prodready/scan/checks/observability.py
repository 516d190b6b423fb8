"""Observability checks (pillar ``obs``): can operators see what the service
is doing, and are they told when it goes wrong?"""

from __future__ import annotations

from collections.abc import Sequence

from prodready.scan.checks._service import deployment, source
from prodready.scan.checks._uses import (
    FRONTEND,
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
from prodready.scan.facts.code_model import LibraryUse
from prodready.scan.facts.libraries import Capability
from prodready.scan.facts.view import Facts
from prodready.scan.model import Finding, Level, Severity

_EVIDENCE_CAP = 30
_KIND_NOUN = {
    SERVICE: "service",
    WORKER: "worker",
    FRONTEND: "frontend application",
}


def _judge_uses(
    facts: Facts,
    capability: Capability,
    *,
    kinds: frozenset[str],
    what: str,
    noun: str,
    missing: str,
    fix: str,
    extra: Sequence[LibraryUse] = (),
) -> Verdict:
    """Pass when the capability is used in production code (or auto-configured);
    not applicable to programs whose kind is not in ``kinds``."""
    kind = app_kind(facts)
    if kind not in kinds:
        return not_applicable(
            facts,
            f"a {_KIND_NOUN.get(kind, kind)} with no server of its own: this is the "
            "business of the service that runs it",
        )
    code = source(facts)
    uses = [*code.uses(capability), *autoconfigured(facts, capability), *extra]
    if uses:
        return Verdict.passed(f"{what} ({library_names(uses)})", evidence=use_evidence(uses))
    entry = entry_point(facts)
    findings: list[Finding] = [
        finding(
            f"{missing}; {fix}",
            entry.path if entry is not None else None,
            entry.line if entry is not None else None,
            severity=Severity.MEDIUM,
            snippet=(entry.snippet or None) if entry is not None else None,
        )
    ]
    findings += unused_declarations(facts, capability, noun)
    unused = len(findings) - 1
    summary = missing + (f" ({unused} declared package(s) never used)" if unused else "")
    return Verdict.failed(summary, findings=findings)


METRICS = CheckSpec(
    id="obs.metrics",
    level=Level.SILVER,
    title="Metrics are instrumented",
    passes_when=(
        "metrics are instrumented (Prometheus client, StatsD, OpenTelemetry metrics, "
        "Micrometer, Datadog)"
    ),
    why=(
        "Request rate, errors and duration (RED) and resource saturation are how you know "
        "a service is healthy before users complain, and how you size it. Without metrics, "
        "alerts and SLOs have nothing to measure."
    ),
    how_to_fix=(
        "Instrument with prometheus-client / OpenTelemetry metrics (Python), "
        "prometheus/client_golang or OTel (Go), prom-client (Node), Micrometer (Java; a "
        "micrometer-registry-* starter in a Spring Boot app counts): at least request count, "
        "error count and latency histograms, exposed on /metrics or exported via OTLP. Only "
        "use in production code counts; a metrics package in the manifest that no code uses "
        "is a finding. Services and queue workers are judged; libraries and frontend apps "
        "are not applicable."
    ),
    references=(
        "https://prometheus.io/docs/practices/instrumentation/",
        "https://opentelemetry.io/docs/concepts/signals/metrics/",
        "https://sre.google/sre-book/monitoring-distributed-systems/",
    ),
    examples=(
        Example(
            "prometheus-client on FastAPI",
            "from prometheus_client import Counter, Histogram, make_asgi_app\n\n"
            "REQUESTS = Counter('http_requests_total', 'Requests', ['route', 'status'])\n"
            "LATENCY = Histogram('http_request_duration_seconds', 'Latency', ['route'])\n"
            "app.mount('/metrics', make_asgi_app())\n",
            language="python",
        ),
        Example(
            "Go client_golang",
            "var requests = promauto.NewCounterVec(prometheus.CounterOpts{\n"
            '\tName: "http_requests_total"}, []string{"code"})\n\n'
            'mux.Handle("/metrics", promhttp.Handler())\n',
            language="go",
        ),
    ),
)


_SERVICES = RUNNING
_APPLICATIONS = RUNNING | {FRONTEND}


def judge_metrics(facts: Facts) -> Verdict:
    return _judge_uses(
        facts,
        Capability.METRICS,
        kinds=_SERVICES,
        what="metrics are instrumented",
        noun="metrics",
        missing="no metrics are instrumented (no Prometheus client, StatsD, OpenTelemetry "
        "metrics, Micrometer or Datadog use in the code)",
        fix="count requests and errors, time them with a histogram, and expose /metrics "
        "or export via OTLP",
    )


STRUCTURED_LOGGING = CheckSpec(
    id="obs.structured-logging",
    level=Level.SILVER,
    title="Logs are structured",
    passes_when=(
        "logs are structured/JSON (structlog, python-json-logger, loguru serialize, zap, "
        "zerolog, slog JSON, logrus JSON formatter)"
    ),
    why=(
        "Free-text logs can be read but not queried. Structured (JSON) logs with fields "
        "such as request id, user and latency can be filtered, aggregated and joined "
        "with traces during an incident."
    ),
    how_to_fix=(
        "Log JSON: structlog, python-json-logger (also as a dictConfig formatter) or loguru "
        "with serialize=True (Python), log/slog with a JSONHandler, zap, zerolog or logrus "
        "with JSONFormatter (Go), pino or winston's json format (Node), a Logstash/ECS encoder "
        "or JSON layout in logback/log4j2 configuration or Spring Boot's "
        "logging.structured.format (Java). Include a request/trace id. logrus with its "
        "TextFormatter or stdlib logging with a text format is not structured. Services and "
        "queue workers are judged; libraries and frontend apps are not applicable."
    ),
    references=(
        "https://www.structlog.org/",
        "https://pkg.go.dev/log/slog",
        "https://12factor.net/logs",
    ),
    examples=(
        Example(
            "structlog rendering JSON",
            "structlog.configure(processors=[\n"
            "    structlog.contextvars.merge_contextvars,\n"
            "    structlog.processors.TimeStamper(fmt='iso'),\n"
            "    structlog.processors.JSONRenderer(),\n])\n",
            language="python",
        ),
        Example(
            "Go slog",
            "slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))\n",
            language="go",
        ),
        Example(
            "logrus text output is not structured",
            "log.SetFormatter(&log.TextFormatter{})\n",
            passes=False,
            language="go",
        ),
    ),
)


def judge_structured_logging(facts: Facts) -> Verdict:
    return _judge_uses(
        facts,
        Capability.STRUCTURED_LOGGING,
        kinds=_SERVICES,
        what="logs are structured",
        noun="structured logging",
        missing="logs are plain text: no structured (JSON) logger or formatter is used",
        fix="log JSON with structlog, python-json-logger or loguru serialize=True (Python), "
        "slog.NewJSONHandler, zap or zerolog (Go), pino (Node), a Logstash/ECS encoder (Java)",
    )


TRACING = CheckSpec(
    id="obs.tracing",
    level=Level.GOLD,
    title="Distributed tracing",
    passes_when=(
        "distributed tracing (OpenTelemetry, OpenCensus, Jaeger, Zipkin, Datadog APM, Sentry "
        "performance)"
    ),
    why=(
        "In a microservice architecture one user request crosses many services. Traces "
        "show where the time went and which hop failed, which metrics and logs alone "
        "cannot."
    ),
    how_to_fix=(
        "Instrument with OpenTelemetry (SDK plus the framework's instrumentation, e.g. "
        "opentelemetry-instrumentation-fastapi, otelhttp for Go, @opentelemetry/sdk-node) "
        "and export to a tracing backend; propagate context on outbound calls. An agent in "
        "the image's entry point counts (opentelemetry-instrument, ddtrace-run, the "
        "OpenTelemetry or Datadog Java agent), as do Micrometer Tracing in a Spring Boot app "
        "and Sentry with a traces sample rate; Sentry for errors only does not. Services, "
        "queue workers and frontend apps are judged; libraries are not applicable."
    ),
    references=(
        "https://opentelemetry.io/docs/concepts/signals/traces/",
        "https://research.google/pubs/dapper-a-large-scale-distributed-systems-tracing-infrastructure/",
    ),
    examples=(
        Example(
            "OpenTelemetry on FastAPI",
            "trace.set_tracer_provider(TracerProvider())\n"
            "trace.get_tracer_provider().add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))\n"
            "FastAPIInstrumentor.instrument_app(app)\nHTTPXClientInstrumentor().instrument()\n",
            language="python",
        ),
        Example(
            "auto-instrumentation in the image",
            'CMD ["opentelemetry-instrument", "uvicorn", "app.main:app"]\n',
            language="dockerfile",
        ),
    ),
)


_AGENTS = (
    ("opentelemetry-instrument", "OpenTelemetry auto-instrumentation"),
    ("ddtrace-run", "Datadog APM (ddtrace-run)"),
    ("newrelic-admin", "New Relic agent"),
    ("opentelemetry-javaagent", "OpenTelemetry Java agent"),
    ("dd-java-agent", "Datadog Java agent"),
    ("elastic-apm-agent", "Elastic APM Java agent"),
    (
        "@opentelemetry/auto-instrumentations-node/register",
        "OpenTelemetry Node auto-instrumentation",
    ),
    ("dd-trace/init", "Datadog APM (dd-trace)"),
)
"""Command-line wrappers and agents that trace a process without a line of
code: the image's entry point or JAVA_TOOL_OPTIONS/NODE_OPTIONS names them."""


def _tracing_agents(facts: Facts) -> list[LibraryUse]:
    found: list[LibraryUse] = []
    for dockerfile in containers(facts).service_dockerfiles:
        stage = dockerfile.final_stage
        if stage is None or not concerns_asset(facts, dockerfile.path):
            continue
        texts = [
            (command.line, " ".join(command.argv) or command.raw)
            for command in (stage.entrypoint, stage.cmd)
            if command is not None
        ]
        texts += [(env.line, env.value or "") for env in stage.env if env.value]
        for line, text in texts:
            for needle, library in _AGENTS:
                if needle in text:
                    found.append(
                        LibraryUse(
                            path=dockerfile.path,
                            line=line,
                            language="dockerfile",
                            capability=str(Capability.TRACING),
                            library=library,
                            symbol=needle,
                            kind="command",
                            snippet=text[:160],
                        )
                    )
    return found


def judge_tracing(facts: Facts) -> Verdict:
    return _judge_uses(
        facts,
        Capability.TRACING,
        kinds=_APPLICATIONS,
        what="requests are traced",
        noun="tracing",
        missing="no distributed tracing (no OpenTelemetry, OpenCensus, Jaeger, Zipkin, "
        "Datadog APM or Sentry performance in the code or the image's entry point)",
        fix="set up the OpenTelemetry SDK with the framework's instrumentation and export "
        "spans (OTLP); propagate context on outbound calls",
        extra=_tracing_agents(facts) if app_kind(facts) in _APPLICATIONS else (),
    )


ERROR_TRACKING = CheckSpec(
    id="obs.error-tracking",
    level=Level.GOLD,
    title="Exceptions are tracked",
    passes_when="exceptions are tracked (Sentry, Rollbar, Bugsnag, Honeybadger)",
    why=(
        "An unhandled exception logged among millions of lines is easy to miss. Error "
        "trackers group them, count them, attach context and tell you when a deploy "
        "introduced a new one."
    ),
    how_to_fix=(
        "Initialise an error tracker SDK at startup (sentry_sdk.init / sentry.Init in Go / "
        "Sentry.init in JavaScript / Rollbar / Bugsnag / Honeybadger; in Spring Boot the "
        "Sentry starter) with the release and environment set. An SDK in the manifest that "
        "is never initialised is a finding. Services, queue workers and frontend apps are "
        "judged; libraries are not applicable (the application initialises the tracker)."
    ),
    references=(
        "https://docs.sentry.io/platforms/python/",
        "https://docs.sentry.io/platforms/go/",
    ),
    examples=(
        Example(
            "Sentry in Python",
            "sentry_sdk.init(dsn=os.environ['SENTRY_DSN'], release=VERSION, "
            "environment=ENVIRONMENT)\n",
            language="python",
        ),
    ),
)


def judge_error_tracking(facts: Facts) -> Verdict:
    return _judge_uses(
        facts,
        Capability.ERROR_TRACKING,
        kinds=_APPLICATIONS,
        what="exceptions are tracked",
        noun="error tracking",
        missing="no error tracker is initialised (Sentry, Rollbar, Bugsnag, Honeybadger)",
        fix="initialise the SDK at start-up (sentry_sdk.init, sentry.Init, Sentry.init) "
        "with the release and environment",
    )


ALERTS = CheckSpec(
    id="obs.alerts",
    level=Level.GOLD,
    title="Alert rules live in the repository",
    passes_when=(
        "alert rules live in the repo (Prometheus rules, Alertmanager, Datadog/Grafana "
        "alerts, SLO definitions)"
    ),
    why=(
        "Alerts defined by hand in a UI drift from the code and vanish with it. Alert "
        "rules and SLOs versioned with the service are reviewed, reproducible and "
        "change together with the metrics they use."
    ),
    how_to_fix=(
        "Commit Prometheus alerting rules (PrometheusRule), Grafana/Datadog alert "
        "definitions (also as Terraform) or SLO specs (OpenSLO, Sloth, Pyrra) next to the "
        "service, and alert on symptoms (error rate, latency SLO burn) rather than causes. "
        "In a monorepo, rules in a shared folder count for the services they name (or the "
        "Helm chart that deploys them names); rules in test fixtures or examples do not. "
        "Alertmanager routing without rules is only half the job. Services and queue workers "
        "are judged; libraries and frontend apps are not applicable."
    ),
    references=(
        "https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/",
        "https://sre.google/workbook/alerting-on-slos/",
        "https://openslo.com/",
    ),
    examples=(
        Example(
            "PrometheusRule on the error rate",
            "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n  groups:\n"
            "    - name: checkout\n      rules:\n        - alert: CheckoutHighErrorRate\n"
            '          expr: sum(rate(http_requests_total{job="checkout",code=~"5.."}[5m]))\n'
            '            / sum(rate(http_requests_total{job="checkout"}[5m])) > 0.02\n'
            "          for: 5m\n",
            language="yaml",
        ),
    ),
)


def judge_alerts(facts: Facts) -> Verdict:
    kind = app_kind(facts)
    if kind not in RUNNING:
        return not_applicable(
            facts, f"a {_KIND_NOUN.get(kind, kind)}: alerts belong to the service that runs it"
        )
    found = deployment(facts)
    rules = [r for r in found.alert_rules if concerns_asset(facts, r.path)]
    slos = [s for s in found.slos if concerns_asset(facts, s.path)]
    routing = [r for r in found.alert_routing if concerns_asset(facts, r.path)]
    seen = (
        [
            evidence(
                r.path,
                f"{r.source} alert {r.name}" + (f": {r.expr[:80]}" if r.expr else ""),
                r.line,
            )
            for r in rules[:_EVIDENCE_CAP]
        ]
        + [evidence(s.path, f"{s.tool} SLO {s.name or ''}".rstrip(), s.line) for s in slos]
        + [
            evidence(r.path, f"{r.tool} routing, {r.receivers} receiver(s)", r.line)
            for r in routing
        ]
    )
    if rules or slos:
        parts = []
        if rules:
            parts.append(
                f"{len(rules)} alert rule(s) ({', '.join(sorted({r.source for r in rules}))})"
            )
        if slos:
            parts.append(
                f"{len(slos)} SLO definition(s) ({', '.join(sorted({s.tool for s in slos}))})"
            )
        return Verdict.passed(" and ".join(parts) + " in the repository", evidence=seen)
    if routing:
        return Verdict.passed(
            "alert routing is in the repository, but no alert rules",
            score=7.0,
            evidence=seen,
            findings=[
                finding(
                    f"{routing[0].tool} routes alerts, but the rules that fire them are not "
                    "in the repository; commit them (PrometheusRule, Grafana/Datadog alerts, "
                    "SLOs)",
                    routing[0].path,
                    routing[0].line,
                    severity=Severity.LOW,
                )
            ],
        )
    return Verdict.failed(
        "no alert rules or SLO definitions for this service in the repository",
        findings=[
            finding(
                "no alert rules (Prometheus rules/PrometheusRule, Grafana or Datadog alerts, "
                "CloudWatch alarms) or SLO definitions (Sloth, OpenSLO, Pyrra) concern this "
                "service; commit alerts on its error rate and latency",
                severity=Severity.MEDIUM,
            )
        ],
    )


DASHBOARDS = CheckSpec(
    id="obs.dashboards",
    level=Level.PLATINUM,
    title="Dashboards live in the repository",
    passes_when="dashboards live in the repo (Grafana JSON, jsonnet, Datadog dashboards)",
    why=(
        "A dashboard made by hand is lost with the Grafana instance and never matches the "
        "current metrics. Dashboards as code are reviewed with the change that adds a "
        "metric, and rebuilt anywhere."
    ),
    how_to_fix=(
        "Export dashboards to JSON (or generate them with grafonnet/jsonnet, grafanalib, "
        "Grafana Foundation SDK, Datadog or New Relic dashboard JSON, a GrafanaDashboard "
        "resource) and commit them with the service. A dashboard without panels does not "
        "count. In a monorepo, dashboards in a shared folder count for the services they "
        "name. Services and queue workers are judged; libraries and frontend apps are not "
        "applicable."
    ),
    references=(
        "https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/import-dashboards/",
        "https://grafana.github.io/grafonnet/",
    ),
)


_COUNTED_PANELS = frozenset({"grafana", "datadog", "newrelic"})
"""Dashboard tools whose panel count the collector reads (0 means empty)."""


def judge_dashboards(facts: Facts) -> Verdict:
    kind = app_kind(facts)
    if kind not in RUNNING:
        return not_applicable(
            facts, f"a {_KIND_NOUN.get(kind, kind)}: dashboards belong to the service that runs it"
        )
    found = [d for d in deployment(facts).dashboards if concerns_asset(facts, d.path)]
    empty = [d for d in found if d.tool in _COUNTED_PANELS and d.panels == 0]
    real = [d for d in found if d not in empty]
    seen = [
        evidence(
            d.path,
            f"{d.tool} dashboard {d.title or ''}".rstrip()
            + (f" ({d.panels} panels)" if d.panels else ""),
            d.line,
        )
        for d in real[:_EVIDENCE_CAP]
    ]
    empties = [
        finding(
            f"dashboard {d.title or d.path} has no panels",
            d.path,
            d.line,
            severity=Severity.LOW,
        )
        for d in empty
    ]
    if real:
        tools = ", ".join(sorted({d.tool for d in real}))
        return Verdict.passed(
            f"{len(real)} dashboard(s) in the repository ({tools})",
            evidence=seen,
            findings=empties,
        )
    return Verdict.failed(
        "no dashboards for this service in the repository",
        findings=empties
        or [
            finding(
                "no dashboard (Grafana JSON, grafonnet/jsonnet, grafanalib, Datadog or New "
                "Relic dashboard, GrafanaDashboard resource) concerns this service; export "
                "its dashboard and commit it",
                severity=Severity.MEDIUM,
            )
        ],
    )


CHECKS: tuple[Check, ...] = (
    Check(METRICS, judge_metrics),
    Check(STRUCTURED_LOGGING, judge_structured_logging),
    Check(TRACING, judge_tracing),
    Check(ERROR_TRACKING, judge_error_tracking),
    Check(ALERTS, judge_alerts),
    Check(DASHBOARDS, judge_dashboards),
)
