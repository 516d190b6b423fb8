"""The obs.* checks on small in-memory repositories: real use versus a dependency
line, services versus libraries and frontend apps, Spring Boot starters and
logging configuration, and alert rules or dashboards shared by a monorepo."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from prodready.scan.checks._uses import words
from prodready.scan.checks.base import Verdict
from prodready.scan.checks.observability import (
    judge_alerts,
    judge_dashboards,
    judge_error_tracking,
    judge_metrics,
    judge_structured_logging,
    judge_tracing,
)
from prodready.scan.facts.view import Facts
from prodready.scan.model import Outcome, Severity
from tests.scan.conftest import FASTAPI_APP, SPRING_BOOT_APP, located, service_facts, verdict_of

GO_MAIN = (
    'package main\n\nimport (\n\t"net/http"\n{imports})\n\nfunc main() {{\n{body}'
    '\thttp.ListenAndServe(":8080", nil)\n}}\n'
)
LIBRARY = {"src/lib/client.py": "import httpx\n\n\ndef get(url):\n    return httpx.get(url)\n"}
PYPROJECT = (
    '[project]\nname = "svc"\nversion = "1"\ndependencies = [\n    "fastapi==0.115.0",\n{}]\n'
)


def go_main(imports: str, body: str) -> str:
    return GO_MAIN.format(imports=imports, body=body)


# --------------------------------------------------------------------------- applicability


@pytest.mark.parametrize(
    "check",
    [
        judge_metrics,
        judge_structured_logging,
        judge_tracing,
        judge_error_tracking,
        judge_alerts,
        judge_dashboards,
    ],
)
def test_libraries_are_not_applicable(check: Callable[[Facts], Verdict]) -> None:
    verdict = verdict_of(check, LIBRARY)
    assert verdict.outcome is Outcome.NOT_APPLICABLE
    assert "library" in verdict.summary


def test_a_frontend_app_is_judged_on_errors_and_traces_only() -> None:
    files = {
        "package.json": '{"name": "web", "private": true, "dependencies": '
        '{"react": "18.3.1", "react-dom": "18.3.1", "@sentry/react": "8.0.0"}}\n',
        "src/main.tsx": 'import * as Sentry from "@sentry/react";\n\n'
        'Sentry.init({ dsn: import.meta.env.VITE_SENTRY_DSN, environment: "prod" });\n',
        "index.html": '<div id="root"></div><script type="module" src="/src/main.tsx"></script>\n',
    }
    assert verdict_of(judge_error_tracking, files).outcome is Outcome.PASS
    tracing = verdict_of(judge_tracing, files)
    assert tracing.outcome is Outcome.FAIL  # Sentry without a tracing sample rate
    for check in (judge_metrics, judge_structured_logging, judge_alerts, judge_dashboards):
        assert verdict_of(check, files).outcome is Outcome.NOT_APPLICABLE
    # without a page it is a package of components, not an application
    components = {k: v for k, v in files.items() if k != "index.html"}
    assert verdict_of(judge_error_tracking, components).outcome is Outcome.NOT_APPLICABLE
    nextjs = dict(
        components, **{"package.json": files["package.json"].replace("react-dom", "next")}
    )
    assert verdict_of(judge_tracing, nextjs).outcome is Outcome.FAIL


# --------------------------------------------------------------------------- obs.metrics


def test_metrics_prometheus_client_passes_with_evidence() -> None:
    source = FASTAPI_APP + (
        "\nfrom prometheus_client import Counter, make_asgi_app\n\n"
        'REQUESTS = Counter("requests_total", "Requests")\napp.mount("/metrics", make_asgi_app())\n'
    )
    verdict = verdict_of(judge_metrics, {"main.py": source})
    assert verdict.outcome is Outcome.PASS
    assert "prometheus-client" in verdict.summary
    assert ("main.py", 12) in [(e.path, e.line) for e in verdict.evidence]


def test_metrics_declared_but_unused_fails_with_the_manifest_line() -> None:
    files = {
        "pyproject.toml": PYPROJECT.format('    "prometheus-client==0.21.0",\n'),
        "src/svc/main.py": FASTAPI_APP,
    }
    verdict = verdict_of(judge_metrics, files)
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("src/svc/main.py", 3), ("pyproject.toml", 6)]
    assert "prometheus-client" in verdict.findings[1].message
    assert verdict.findings[1].severity is Severity.LOW
    assert "declared package(s) never used" in verdict.summary


def test_metrics_go_client_golang_and_spring_boot_registry() -> None:
    go = go_main(
        '\t"github.com/prometheus/client_golang/prometheus/promhttp"\n',
        '\thttp.Handle("/metrics", promhttp.Handler())\n',
    )
    assert verdict_of(judge_metrics, {"main.go": go}).outcome is Outcome.PASS
    spring = {
        "pom.xml": "<project><dependencies>"
        "<dependency><groupId>org.springframework.boot</groupId>"
        "<artifactId>spring-boot-starter-web</artifactId></dependency>"
        "<dependency><groupId>io.micrometer</groupId>"
        "<artifactId>micrometer-registry-prometheus</artifactId></dependency>"
        "</dependencies></project>\n",
        "src/main/java/com/acme/App.java": SPRING_BOOT_APP,
    }
    verdict = verdict_of(judge_metrics, spring)
    assert verdict.outcome is Outcome.PASS
    assert "auto-configured" in (verdict.evidence[0].detail or "")
    plain_pom = spring["pom.xml"].replace("org.springframework.boot", "com.acme")
    without_boot = dict(spring, **{"pom.xml": plain_pom})
    assert verdict_of(judge_metrics, without_boot).outcome is Outcome.FAIL


# --------------------------------------------------------------------------- obs.structured-logging


def test_structured_logging_structlog_and_loguru_serialize() -> None:
    structlog = FASTAPI_APP + (
        "\nimport structlog\n\n"
        "structlog.configure(processors=[structlog.processors.JSONRenderer()])\n"
    )
    assert verdict_of(judge_structured_logging, {"main.py": structlog}).outcome is Outcome.PASS
    loguru = FASTAPI_APP + "\nimport sys\n\nfrom loguru import logger\n\n"
    serialized = loguru + "logger.add(sys.stdout, serialize=True)\n"
    assert verdict_of(judge_structured_logging, {"main.py": serialized}).outcome is Outcome.PASS
    plain = loguru + "logger.add(sys.stdout)\n"
    assert verdict_of(judge_structured_logging, {"main.py": plain}).outcome is Outcome.FAIL


def test_structured_logging_go_logrus_text_formatter_is_not_structured() -> None:
    text = go_main(
        '\tlog "github.com/sirupsen/logrus"\n', "\tlog.SetFormatter(&log.TextFormatter{})\n"
    )
    verdict = verdict_of(judge_structured_logging, {"main.go": text})
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("main.go", 10)]  # the server it starts
    json_formatter = text.replace("TextFormatter", "JSONFormatter")
    assert verdict_of(judge_structured_logging, {"main.go": json_formatter}).outcome is (
        Outcome.PASS
    )
    slog = go_main(
        '\t"log/slog"\n\t"os"\n',
        "\tslog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))\n",
    )
    assert verdict_of(judge_structured_logging, {"main.go": slog}).outcome is Outcome.PASS


def test_structured_logging_from_logback_configuration_not_comments() -> None:
    java = {
        "src/main/java/com/acme/App.java": SPRING_BOOT_APP,
    }
    encoder = '<encoder class="net.logstash.logback.encoder.LogstashEncoder"/>'
    logback = "<configuration>\n  <appender name='JSON'>\n    {}\n  </appender>\n</configuration>\n"
    configured = dict(java, **{"src/main/resources/logback-spring.xml": logback.format(encoder)})
    verdict = verdict_of(judge_structured_logging, configured)
    assert verdict.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in verdict.evidence] == [
        ("src/main/resources/logback-spring.xml", 3)
    ]
    commented = dict(
        java, **{"src/main/resources/logback-spring.xml": logback.format(f"<!-- {encoder} -->")}
    )
    assert verdict_of(judge_structured_logging, commented).outcome is Outcome.FAIL
    in_tests = dict(java, **{"src/test/resources/logback.xml": logback.format(encoder)})
    assert verdict_of(judge_structured_logging, in_tests).outcome is Outcome.FAIL


# --------------------------------------------------------------------------- obs.tracing


def test_tracing_opentelemetry_and_sentry_performance() -> None:
    otel = FASTAPI_APP + (
        "\nfrom opentelemetry.instrumentation.fastapi import FastAPIInstrumentor\n\n"
        "FastAPIInstrumentor.instrument_app(app)\n"
    )
    assert verdict_of(judge_tracing, {"main.py": otel}).outcome is Outcome.PASS
    sentry = FASTAPI_APP + '\nimport sentry_sdk\n\nsentry_sdk.init(dsn="", OPTION)\n'
    with_rate = sentry.replace("OPTION", "traces_sample_rate=0.2")
    assert verdict_of(judge_tracing, {"main.py": with_rate}).outcome is Outcome.PASS
    errors_only = sentry.replace("OPTION", 'environment="prod"')
    assert verdict_of(judge_tracing, {"main.py": errors_only}).outcome is Outcome.FAIL
    assert verdict_of(judge_error_tracking, {"main.py": errors_only}).outcome is Outcome.PASS


def test_tracing_by_an_agent_in_the_image_entry_point() -> None:
    files = {
        "main.py": FASTAPI_APP,
        "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n"
        'CMD ["opentelemetry-instrument", "uvicorn", "main:app"]\n',
    }
    verdict = verdict_of(judge_tracing, files)
    assert verdict.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in verdict.evidence] == [("Dockerfile", 3)]
    plain = dict(files, Dockerfile=files["Dockerfile"].replace('"opentelemetry-instrument", ', ""))
    assert verdict_of(judge_tracing, plain).outcome is Outcome.FAIL


def test_tracing_declared_sdk_without_use() -> None:
    files = {
        "pyproject.toml": PYPROJECT.format('    "opentelemetry-sdk==1.27.0",\n'),
        "src/svc/main.py": FASTAPI_APP,
    }
    verdict = verdict_of(judge_tracing, files)
    assert verdict.outcome is Outcome.FAIL
    assert "opentelemetry-sdk" in verdict.findings[-1].message


# --------------------------------------------------------------------------- obs.error-tracking


def test_error_tracking_go_sentry_and_python_rollbar() -> None:
    go = go_main(
        '\t"github.com/getsentry/sentry-go"\n',
        '\tsentry.Init(sentry.ClientOptions{Dsn: ""})\n',
    )
    assert verdict_of(judge_error_tracking, {"main.go": go}).outcome is Outcome.PASS
    rollbar = FASTAPI_APP + '\nimport rollbar\n\nrollbar.init("token", "production")\n'
    assert verdict_of(judge_error_tracking, {"main.py": rollbar}).outcome is Outcome.PASS
    verdict = verdict_of(judge_error_tracking, {"main.py": FASTAPI_APP})
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("main.py", 3)]


def test_error_tracking_in_tests_only_does_not_count() -> None:
    files = {
        "main.py": FASTAPI_APP,
        "tests/conftest.py": 'import sentry_sdk\n\nsentry_sdk.init(dsn="")\n',
    }
    assert verdict_of(judge_error_tracking, files).outcome is Outcome.FAIL


# --------------------------------------------------------------------------- obs.alerts

PROMETHEUS_RULE = (
    "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: shop\n"
    "spec:\n  groups:\n    - name: {group}\n      rules:\n        - alert: {alert}\n"
    "          expr: {expr}\n          for: 5m\n"
)


def test_alerts_prometheus_rule_passes_and_fixture_rules_do_not_count() -> None:
    rule = PROMETHEUS_RULE.format(
        group="api", alert="HighErrorRate", expr="rate(http_errors_total[5m]) > 0.1"
    )
    verdict = verdict_of(judge_alerts, {"main.py": FASTAPI_APP, "monitoring/rules.yaml": rule})
    assert verdict.outcome is Outcome.PASS
    assert {e.path for e in verdict.evidence} == {"monitoring/rules.yaml"}
    fixture = {"main.py": FASTAPI_APP, "tests/fixtures/repo/monitoring/rules.yaml": rule}
    assert verdict_of(judge_alerts, fixture).outcome is Outcome.FAIL


def test_alerts_slo_definition_and_routing_only() -> None:
    sloth = (
        "version: prometheus/v1\nservice: reviews\nslos:\n  - name: requests-availability\n"
        "    objective: 99.9\n    sli:\n      events:\n"
        "        error_query: sum(rate(http_requests_total{code=~'5..'}[{{.window}}]))\n"
        "        total_query: sum(rate(http_requests_total[{{.window}}]))\n"
        "    alerting:\n      name: ReviewsAvailability\n"
    )
    assert verdict_of(judge_alerts, {"main.py": FASTAPI_APP, "slo/sloth.yaml": sloth}).outcome is (
        Outcome.PASS
    )
    alertmanager = (
        "route:\n  receiver: team\nreceivers:\n  - name: team\n"
        "    slack_configs:\n      - channel: '#alerts'\n"
    )
    verdict = verdict_of(
        judge_alerts, {"main.py": FASTAPI_APP, "monitoring/alertmanager.yml": alertmanager}
    )
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 7.0)
    assert located(verdict) == [("monitoring/alertmanager.yml", 1)]


MONOREPO = {
    "services/api/pyproject.toml": '[project]\nname = "shop-api"\nversion = "1"\n',
    "services/api/main.py": FASTAPI_APP,
    "services/worker/go.mod": "module github.com/acme/shop/worker\n\ngo 1.22\n",
    "services/worker/main.go": go_main("", ""),
    "services/billing/pyproject.toml": '[project]\nname = "billing"\nversion = "1"\n',
    "services/billing/main.py": FASTAPI_APP,
}


def test_alerts_and_dashboards_shared_by_a_monorepo_are_attributed_by_name() -> None:
    rules = PROMETHEUS_RULE.format(
        group="shop-api", alert="ShopApiHighErrorRate", expr='rate(x{job="shop-api"}[5m]) > 1'
    ) + (
        "    - name: shop-worker\n      rules:\n        - alert: ShopWorkerQueueBacklog\n"
        "          expr: shop_worker_queue_depth > 500\n"
    )
    dashboard = (
        '{"title": "Shop", "panels": [{"type": "timeseries", "title": "API request rate",'
        ' "targets": [{"expr": "rate(http_requests_total{job=\\"shop-api\\"}[1m])"}]}]}\n'
    )
    files = dict(
        MONOREPO,
        **{"monitoring/alerts/shop.yaml": rules, "monitoring/dashboards/shop.json": dashboard},
    )
    api = service_facts(files, "services/api", "shop-api")
    worker = service_facts(files, "services/worker", "worker")
    billing = service_facts(files, "services/billing", "billing")
    assert judge_alerts(api).outcome is Outcome.PASS
    assert judge_alerts(worker).outcome is Outcome.PASS
    assert judge_alerts(billing).outcome is Outcome.FAIL
    assert judge_dashboards(api).outcome is Outcome.PASS
    assert judge_dashboards(worker).outcome is Outcome.FAIL  # no worker panel
    assert judge_dashboards(billing).outcome is Outcome.FAIL


def test_another_services_alerts_are_not_this_services() -> None:
    rule = PROMETHEUS_RULE.format(group="billing", alert="BillingErrors", expr="up == 0")
    files = dict(MONOREPO, **{"services/billing/monitoring/rules.yaml": rule})
    api = service_facts(files, "services/api", "shop-api")
    billing = service_facts(files, "services/billing", "billing")
    assert judge_alerts(api).outcome is Outcome.FAIL
    assert judge_alerts(billing).outcome is Outcome.PASS


# --------------------------------------------------------------------------- obs.dashboards

GRAFANA = '{{"title": "Reviews", "uid": "reviews", "panels": [{panels}]}}\n'


def test_dashboards_grafana_json_passes_and_an_empty_one_does_not() -> None:
    panel = '{"type": "timeseries", "title": "p99", "targets": [{"expr": "up"}]}'
    full = {"main.py": FASTAPI_APP, "monitoring/reviews.json": GRAFANA.format(panels=panel)}
    verdict = verdict_of(judge_dashboards, full)
    assert verdict.outcome is Outcome.PASS
    assert "grafana" in verdict.summary
    empty = {"main.py": FASTAPI_APP, "monitoring/reviews.json": GRAFANA.format(panels="")}
    verdict = verdict_of(judge_dashboards, empty)
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("monitoring/reviews.json", 1)]
    assert "no panels" in verdict.findings[0].message


def test_dashboards_missing() -> None:
    verdict = verdict_of(judge_dashboards, {"main.py": FASTAPI_APP})
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 0.0)


def test_a_queue_worker_is_observed_like_a_service() -> None:
    worker = {
        "billing/tasks.py": "from celery import Celery\n\n"
        'app = Celery("billing", broker="redis://redis:6379/0")\n'
    }
    verdict = verdict_of(judge_metrics, worker)
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("billing/tasks.py", 3)]
    assert verdict_of(judge_alerts, worker).outcome is Outcome.FAIL
    instrumented = {
        "billing/tasks.py": worker["billing/tasks.py"]
        + '\nfrom prometheus_client import Counter\n\nINVOICES = Counter("invoices_total", "x")\n'
    }
    assert verdict_of(judge_metrics, instrumented).outcome is Outcome.PASS


def test_a_service_in_a_language_prodready_does_not_read_is_not_called_a_library() -> None:
    csharp = "".join(f"public class C{i} {{ public int M() => {i}; }}\n" for i in range(30))
    verdict = verdict_of(judge_metrics, {"src/Cart/Service.cs": csharp})
    assert verdict.outcome is Outcome.NOT_APPLICABLE
    assert "csharp" in verdict.summary
    assert "library" not in verdict.summary


def test_structured_logging_a_stdlib_json_format_string_counts_a_text_one_does_not() -> None:
    base = FASTAPI_APP + "\nimport logging\n\nlogging.basicConfig(level=logging.INFO, format=FMT)\n"
    json_format = base.replace(
        "FMT", """'{"time": "%(asctime)s", "level": "%(levelname)s", "msg": "%(message)s"}'"""
    )
    assert verdict_of(judge_structured_logging, {"main.py": json_format}).outcome is Outcome.PASS
    text_format = base.replace("FMT", "'%(asctime)s %(levelname)s %(message)s'")
    assert verdict_of(judge_structured_logging, {"main.py": text_format}).outcome is Outcome.FAIL


def test_words_split_identifiers_the_way_names_are_written() -> None:
    assert words("ShopApiHighErrorRate") == ["shop", "api", "high", "error", "rate"]
    assert words('HTTPServer job="shop-api" shop_worker') == [
        "http",
        "server",
        "job",
        "shop",
        "api",
        "shop",
        "worker",
    ]
