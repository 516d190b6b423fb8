"""Observability checks (pillar ``obs``): can operators see what the service
is doing, and are they told when it goes wrong?"""

from __future__ import annotations

from prodready.scan.checks.base import Check, CheckSpec
from prodready.scan.model import Level

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
        "prometheus/client_golang or OTel (Go), Micrometer (Java): at least request count, "
        "error count and latency histograms, exposed on /metrics or exported via OTLP."
    ),
    references=(
        "https://prometheus.io/docs/practices/instrumentation/",
        "https://opentelemetry.io/docs/concepts/signals/metrics/",
        "https://sre.google/sre-book/monitoring-distributed-systems/",
    ),
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
        "Log JSON: structlog or python-json-logger (Python), log/slog with a JSONHandler, "
        "zap or zerolog (Go), logstash-logback-encoder (Java). Include a request/trace id."
    ),
    references=(
        "https://www.structlog.org/",
        "https://pkg.go.dev/log/slog",
        "https://12factor.net/logs",
    ),
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
        "opentelemetry-instrumentation-fastapi, otelhttp for Go) and export to a tracing "
        "backend; propagate context on outbound calls."
    ),
    references=(
        "https://opentelemetry.io/docs/concepts/signals/traces/",
        "https://research.google/pubs/dapper-a-large-scale-distributed-systems-tracing-infrastructure/",
    ),
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
        "Initialise an error tracker SDK at startup (sentry_sdk.init / sentry-go / "
        "Rollbar / Bugsnag / Honeybadger) with the release and environment set."
    ),
    references=("https://docs.sentry.io/platforms/python/",),
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
        "definitions or SLO specs (OpenSLO, Sloth) next to the service, and alert on "
        "symptoms (error rate, latency SLO burn) rather than causes."
    ),
    references=(
        "https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/",
        "https://sre.google/workbook/alerting-on-slos/",
        "https://openslo.com/",
    ),
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
        "Export dashboards to JSON (or generate them with grafonnet/jsonnet, Grafana "
        "Foundation SDK, Datadog dashboard JSON) and commit them with the service."
    ),
    references=(
        "https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/import-dashboards/",
        "https://grafana.github.io/grafonnet/",
    ),
)

CHECKS: tuple[Check, ...] = (
    Check(METRICS),
    Check(STRUCTURED_LOGGING),
    Check(TRACING),
    Check(ERROR_TRACKING),
    Check(ALERTS),
    Check(DASHBOARDS),
)
