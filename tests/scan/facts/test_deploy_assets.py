"""Operational assets collected by ``deploy_facts``: alerts, dashboards, SLOs,
chaos experiments, load tests, contract files, Gherkin features."""

from __future__ import annotations

import json

from prodready.scan.facts.deploy import DeployFacts, deploy_facts, parse_deploy_file
from prodready.scan.facts.source import InMemoryFiles


def _facts(files: dict[str, str]) -> DeployFacts:
    return deploy_facts(InMemoryFiles(files))


PROMETHEUS_RULES = """\
groups:
  - name: orders.rules
    rules:
      - record: job:http_requests:rate5m
        expr: sum by (job) (rate(http_requests_total[5m]))
      - alert: OrdersHighErrorRate
        expr: |
          sum(rate(http_requests_total{job="orders",code=~"5.."}[5m]))
            / sum(rate(http_requests_total{job="orders"}[5m])) > 0.05
        for: 10m
        labels:
          severity: page
        annotations:
          summary: "Error rate on {{ $labels.instance }} is {{ $value | humanizePercentage }}"
          runbook_url: https://runbooks.example.com/orders/high-error-rate
      - alert: OrdersDown
        expr: up{job="orders"} == 0
"""


def test_prometheus_rules_with_alert_templates_in_annotations() -> None:
    facts = _facts({"monitoring/orders.rules.yml": PROMETHEUS_RULES})
    high, down = facts.alert_rules
    assert (high.name, high.line, high.source) == ("OrdersHighErrorRate", 6, "prometheus")
    assert high.for_ == "10m"
    assert high.severity == "page"
    assert high.runbook_url == "https://runbooks.example.com/orders/high-error-rate"
    assert high.expr is not None
    assert "http_requests_total" in high.expr
    assert (down.name, down.line, down.severity) == ("OrdersDown", 16, None)
    assert facts.problems == ()


def test_prometheus_rule_crd_and_configmap_embedded_rules() -> None:
    crd = (
        "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: x}\n"
        "spec:\n  groups:\n    - name: g\n      rules:\n        - alert: Boom\n"
        "          expr: vector(1)\n"
    )
    configmap = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: rules}\ndata:\n"
        "  alerts.yml: |\n    groups:\n      - name: g\n        rules:\n"
        "          - alert: Embedded\n            expr: vector(1)\n"
    )
    facts = _facts({"k8s/rules.yaml": crd, "k8s/cm.yaml": configmap})
    by_name = {a.name: a for a in facts.alert_rules}
    assert by_name["Boom"].source == "prometheus-operator"
    assert by_name["Boom"].line == 8
    assert by_name["Embedded"].path == "k8s/cm.yaml"


def test_alertmanager_and_grafana_alerting_provisioning() -> None:
    alertmanager = (
        "route:\n  receiver: team\n  routes:\n    - matchers: [severity=page]\n"
        "      receiver: pager\nreceivers:\n  - name: team\n  - name: pager\n"
        "    pagerduty_configs: [{routing_key: x}]\n"
    )
    grafana = """\
apiVersion: 1
groups:
  - orgId: 1
    name: api
    folder: alerts
    interval: 1m
    rules:
      - uid: latency
        title: API latency high
        condition: C
        data: []
        for: 5m
contactPoints:
  - orgId: 1
    name: oncall
    receivers:
      - uid: a
        type: slack
"""
    facts = _facts({"alertmanager/alertmanager.yml": alertmanager, "grafana/alerts.yaml": grafana})
    tools = sorted((r.tool, r.receivers) for r in facts.alert_routing)
    assert tools == [("alertmanager", 2), ("grafana", 1)]
    (rule,) = facts.alert_rules
    assert (rule.source, rule.name, rule.line, rule.for_) == (
        "grafana",
        "API latency high",
        8,
        "5m",
    )


GRAFANA_DASHBOARD = {
    "title": "Orders service",
    "uid": "orders",
    "panels": [
        {"type": "row", "title": "Traffic", "collapsed": True, "panels": [{"type": "graph"}]},
        {"type": "timeseries", "title": "Latency"},
        {"type": "stat", "title": "Errors"},
    ],
    "schemaVersion": 39,
}


def test_grafana_and_datadog_dashboards() -> None:
    api_wrapped = json.dumps({"dashboard": GRAFANA_DASHBOARD, "overwrite": True}, indent="\t")
    datadog = json.dumps(
        {"title": "Orders", "layout_type": "ordered", "widgets": [{"definition": {}}] * 4}
    )
    facts = _facts(
        {
            "dashboards/orders.json": json.dumps(GRAFANA_DASHBOARD, indent=2),
            "dashboards/api.json": api_wrapped,
            "datadog/dashboard.json": datadog,
            "package.json": '{"name": "x", "panels": []}',
            "fixtures/data.json": '{"rows": 3}',
        }
    )
    by_path = {d.path: d for d in facts.dashboards}
    assert set(by_path) == {
        "dashboards/orders.json",
        "dashboards/api.json",
        "datadog/dashboard.json",
    }
    orders = by_path["dashboards/orders.json"]
    assert (orders.tool, orders.title, orders.panels) == ("grafana", "Orders service", 4)
    assert by_path["dashboards/api.json"].title == "Orders service"
    assert (by_path["datadog/dashboard.json"].tool, by_path["datadog/dashboard.json"].panels) == (
        "datadog",
        4,
    )


def test_jsonnet_grafanalib_provisioning_and_operator_dashboards() -> None:
    jsonnet = (
        "local g = import 'github.com/grafana/grafonnet/gen/grafonnet-latest/main.libsonnet';\n"
        "g.dashboard.new('Orders')\n"
    )
    grafanalib = (
        "from grafanalib.core import Dashboard, Graph\n\ndashboard = Dashboard(title='x')\n"
    )
    provisioning = (
        "apiVersion: 1\nproviders:\n  - name: default\n    type: file\n"
        "    options:\n      path: /var/lib/grafana/dashboards\n"
    )
    operator = (
        "apiVersion: grafana.integreatly.org/v1beta1\nkind: GrafanaDashboard\n"
        "metadata: {name: orders}\nspec:\n  json: '{}'\n"
    )
    facts = _facts(
        {
            "mixin/dashboards.jsonnet": jsonnet,
            "ops/orders.dashboard.py": grafanalib,
            "grafana/provisioning/dashboards/default.yaml": provisioning,
            "k8s/dashboard.yaml": operator,
        }
    )
    assert sorted(d.tool for d in facts.dashboards) == [
        "grafana-operator",
        "grafanalib",
        "grafonnet",
    ]
    (prov,) = facts.dashboard_provisioning
    assert prov.providers == 1


def test_terraform_and_cloudformation_monitoring() -> None:
    terraform = """\
resource "datadog_monitor" "orders_errors" {
  name  = "Orders error rate"
  type  = "query alert"
  query = "avg(last_5m):sum:trace.http.request.errors{service:orders} > 5"
}

resource "datadog_dashboard_json" "orders" {
  dashboard = file("dashboard.json")
}

resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name = "cpu"
}

resource "aws_s3_bucket" "unrelated" {}
"""
    cloudformation = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  HighLatency:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Threshold: !Ref LatencyThreshold
  Bucket:
    Type: AWS::S3::Bucket
"""
    facts = _facts({"infra/monitoring.tf": terraform, "infra/template.yaml": cloudformation})
    alerts = sorted((a.source, a.name, a.line) for a in facts.alert_rules)
    assert alerts == [
        ("cloudwatch", "HighLatency", 3),
        ("cloudwatch", "cpu", 11),
        ("datadog", "orders_errors", 1),
    ]
    assert [(d.tool, d.line) for d in facts.dashboards] == [("datadog", 7)]


def test_datadog_monitor_json_and_slo_files() -> None:
    monitor = json.dumps(
        [{"name": "Orders p99", "type": "metric alert", "query": "avg(last_5m):x > 1"}]
    )
    sloth = """\
version: prometheus/v1
service: orders
slos:
  - name: requests-availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(x{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(x[{{.window}}]))
"""
    openslo = (
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: latency}\n"
        "spec:\n  objectives:\n    - target: 0.99\n"
    )
    pyrra = (
        "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\n"
        "metadata: {name: api-errors}\nspec:\n  target: '99.5'\n"
    )
    facts = _facts(
        {
            "monitors/orders.json": monitor,
            "slo/sloth.yaml": sloth,
            "slo/openslo.yaml": openslo,
            "slo/pyrra.yaml": pyrra,
        }
    )
    (monitor_rule,) = facts.alert_rules
    assert monitor_rule.source == "datadog"
    slos = sorted((s.tool, s.name, s.objective) for s in facts.slos)
    assert slos == [
        ("openslo", "latency", "0.99"),
        ("pyrra", "api-errors", "99.5"),
        ("sloth", "requests-availability", "99.9"),
    ]


CHAOS_TOOLKIT = {
    "version": "1.0.0",
    "title": "Orders survives the loss of its database replica",
    "description": "Kill one replica; orders keeps answering.",
    "steady-state-hypothesis": {
        "title": "Orders answers",
        "probes": [
            {
                "type": "probe",
                "name": "orders-is-healthy",
                "tolerance": 200,
                "provider": {"type": "http", "url": "http://localhost:8080/healthz"},
            }
        ],
    },
    "method": [
        {
            "type": "action",
            "name": "kill-replica",
            "provider": {"type": "python", "module": "chaosk8s.pod.actions", "func": "kill"},
        },
        {"type": "probe", "name": "check", "provider": {"type": "http", "url": "http://x"}},
    ],
    "rollbacks": [],
}


def test_chaos_experiments() -> None:
    litmus = (
        "apiVersion: litmuschaos.io/v1alpha1\nkind: ChaosEngine\nmetadata: {name: orders-chaos}\n"
        "spec:\n  experiments:\n    - name: pod-delete\n      spec:\n"
        "        probe:\n          - name: check\n            type: httpProbe\n"
    )
    chaos_mesh = (
        "apiVersion: chaos-mesh.org/v1alpha1\nkind: NetworkChaos\nmetadata: {name: delay}\n"
        "spec:\n  action: delay\n"
    )
    toxiproxy_config = json.dumps(
        [{"name": "redis", "listen": "0.0.0.0:26379", "upstream": "redis:6379"}]
    )
    toxiproxy_test = (
        "from toxiproxy import Toxiproxy\n\n\ndef test_latency():\n    Toxiproxy().create()\n"
    )
    prodready = "kind: prodready/chaos\nname: db-latency\nsteady_state: {}\nfaults:\n  - latency\n"
    facts = _facts(
        {
            "chaos/experiment.json": json.dumps(CHAOS_TOOLKIT, indent=2),
            "chaos/litmus.yaml": litmus,
            "chaos/mesh.yaml": chaos_mesh,
            "toxiproxy.json": toxiproxy_config,
            "tests/integration/test_resilience.py": toxiproxy_test,
            "chaos/db-latency.yaml": prodready,
            "src/app/toxiproxy_notes.py": "# we might use toxiproxy one day\n",
        }
    )
    by_tool = {c.tool + ":" + c.path: c for c in facts.chaos_experiments}
    ctk = by_tool["chaostoolkit:chaos/experiment.json"]
    assert ctk.steady_state
    assert ctk.faults == 1
    assert ctk.name == "Orders survives the loss of its database replica"
    assert by_tool["litmus:chaos/litmus.yaml"].steady_state
    assert by_tool["chaos-mesh:chaos/mesh.yaml"].detail == "NetworkChaos"
    assert "toxiproxy:toxiproxy.json" in by_tool
    assert by_tool["toxiproxy:tests/integration/test_resilience.py"].line == 1
    prodready_exp = by_tool["prodready:chaos/db-latency.yaml"]
    assert prodready_exp.steady_state
    assert "TBD" in prodready_exp.detail
    assert len(facts.chaos_experiments) == 6


JMX = '<?xml version="1.0"?>\n<jmeterTestPlan version="1.2">\n</jmeterTestPlan>\n'


def test_load_tests() -> None:
    locustfile = (
        '"""Load profile for orders."""\nfrom locust import HttpUser, task, between\n\n\n'
        "class Shopper(HttpUser):\n    wait_time = between(1, 2)\n\n"
        "    @task\n    def browse(self):\n        self.client.get('/orders')\n"
    )
    k6 = (
        "import http from 'k6/http';\nimport { check } from 'k6';\n\n"
        "export const options = {\n  thresholds: { http_req_duration: ['p(95)<300'] },\n};\n"
        "export default function () { http.get('http://localhost:8080/orders'); }\n"
    )
    gatling = (
        "package perf\n\nimport io.gatling.core.Predef._\nimport io.gatling.http.Predef._\n\n"
        "class OrdersSimulation extends Simulation {\n"
        "  setUp().assertions(global.failedRequests.percent.lt(1))\n}\n"
    )
    artillery = (
        "config:\n  target: http://localhost:8080\n"
        "  phases:\n    - duration: 60\n      arrivalRate: 10\n"
        "  ensure:\n    p99: 300\nscenarios:\n  - flow:\n      - get: {url: /orders}\n"
    )
    plan = (
        "target: http://localhost:8080\nprofile: open\nstages:\n  - {rate: 50, duration: 60s}\n"
        "slo:\n  p99_ms: 250\n"
    )
    gitlab = "stages: [build, test]\nbuild:\n  script: make\n"
    vegeta = "GET http://localhost:8080/orders\nPOST http://localhost:8080/orders\n@body.json\n"
    makefile = "load:\n\tvegeta attack -rate=50 -duration=30s < targets.txt | vegeta report\n"
    facts = _facts(
        {
            "loadtest/locustfile.py": locustfile,
            "perf/script.js": k6,
            "perf/src/test/scala/OrdersSimulation.scala": gatling,
            "perf/artillery.yml": artillery,
            "load/plan.yaml": plan,
            "load/constant.yaml": "target: http://127.0.0.1:8080/x\nrate: 50/s\nduration: 60s\n",
            "load/file.yaml": "targets_file: t.txt\nrate: 5/s\nduration: 1m\nthresholds: [p99<1s]",
            "conf/retry.yaml": "rate: 5\nduration: 10s\n",
            ".gitlab-ci.yml": gitlab,
            "perf/targets.txt": vegeta,
            "Makefile": makefile,
            "perf/plan.jmx": JMX,
            "src/app/locus.py": "import locustlike\n",
        }
    )
    found = sorted((t.tool, t.path, t.line, t.has_thresholds) for t in facts.load_tests)
    assert found == [
        ("artillery", "perf/artillery.yml", 1, True),
        ("gatling", "perf/src/test/scala/OrdersSimulation.scala", 3, True),
        ("jmeter", "perf/plan.jmx", 2, False),
        ("k6", "perf/script.js", 1, True),
        ("locust", "loadtest/locustfile.py", 2, False),
        ("prodready", "load/constant.yaml", 1, False),
        ("prodready", "load/file.yaml", 1, True),
        ("prodready", "load/plan.yaml", 1, True),
        ("vegeta", "Makefile", 2, False),
        ("vegeta", "perf/targets.txt", 1, False),
    ]


PACT = {
    "consumer": {"name": "checkout-web"},
    "provider": {"name": "orders-api"},
    "interactions": [
        {
            "description": "a request for an order",
            "providerState": "order 42 exists",
            "request": {"method": "GET", "path": "/orders/42"},
            "response": {"status": 200, "body": {"id": 42}},
        }
    ],
    "metadata": {"pactSpecification": {"version": "2.0.0"}},
}


def test_contract_files() -> None:
    groovy = (
        "package contracts\n\norg.springframework.cloud.contract.spec.Contract.make {\n"
        "  request { method 'GET'; url '/orders/42' }\n  response { status 200 }\n}\n"
    )
    scc_yaml = "request:\n  method: GET\n  url: /orders/42\nresponse:\n  status: 200\n"
    facts = _facts(
        {
            "pacts/checkout-web-orders-api.json": json.dumps(PACT, indent=2),
            "src/test/resources/contracts/orders/get.groovy": groovy,
            "src/test/resources/contracts/orders/get.yml": scc_yaml,
            "fixtures/request.yml": scc_yaml,  # same shape, not under contracts/
        }
    )
    (pact,) = facts.pact_files
    assert (pact.consumer, pact.provider, pact.interactions, pact.specification) == (
        "checkout-web",
        "orders-api",
        1,
        "2.0.0",
    )
    assert sorted(c.path for c in facts.contracts) == [
        "src/test/resources/contracts/orders/get.groovy",
        "src/test/resources/contracts/orders/get.yml",
    ]


FEATURE = """\
@orders
Feature: Placing an order
  As a shopper I want to order things.

  Background:
    Given the catalogue has "socks"

  Scenario: a valid order is accepted
    When I order 2 "socks"
    Then the order is accepted
    And I receive a confirmation

  Scenario Outline: invalid quantities are rejected
    When I order <qty> "socks"
    Then the order is rejected

    Examples:
      | qty |
      | 0   |
      | -1  |
"""


def test_gherkin_features_and_step_definitions() -> None:
    behave_steps = (
        "from behave import given, when, then\n\n"
        "@given('the catalogue has \"{item}\"')\ndef step_catalogue(context, item): ...\n\n"
        "@when('I order {qty:d} \"{item}\"')\ndef step_order(context, qty, item): ...\n"
    )
    godog_steps = (
        'package features\n\nimport "github.com/cucumber/godog"\n\n'
        "func InitializeScenario(ctx *godog.ScenarioContext) {\n"
        '\tctx.Step(`^I order (\\d+) "([^"]*)"$`, iOrder)\n}\n'
    )
    cucumber_js = (
        "const { Given, When } = require('@cucumber/cucumber');\n"
        "Given('the catalogue has {string}', function (item) {});\n"
    )
    facts = _facts(
        {
            "features/orders.feature": FEATURE,
            "features/steps/orders_steps.py": behave_steps,
            "godogs/orders_steps.go": godog_steps,
            "test/features/step_definitions/orders.steps.js": cucumber_js,
            "src/app/steps.py": "def steps():\n    return 3\n",
        }
    )
    (feature,) = facts.feature_files
    assert (feature.name, feature.line, feature.scenarios, feature.steps) == (
        "Placing an order",
        2,
        2,
        6,
    )
    frameworks = sorted((s.framework, s.steps, s.line) for s in facts.step_definitions)
    assert frameworks == [("behave", 2, 1), ("cucumber-js", 1, 1), ("godog", 1, 3)]


def test_non_english_feature_and_empty_feature() -> None:
    german = "# language: de\nFunktionalität: Bestellung\n  Szenario: ok\n    Angenommen x\n"
    facts = _facts({"features/de.feature": german, "features/empty.feature": "\n"})
    (feature,) = facts.feature_files
    assert feature.language == "de"


def test_broken_json_is_a_problem_only_when_it_looks_relevant() -> None:
    result = parse_deploy_file("dashboards/broken.json", '{"panels": [1, 2,, ]}')
    assert result is not None
    (problem,) = result.problems
    assert problem.message.startswith("invalid JSON")
    assert parse_deploy_file("data/other.json", "{not json") is None
