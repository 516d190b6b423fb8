"""Operational assets that live next to the deployment: alerting, dashboards,
SLOs, and the test assets that prove readiness (chaos experiments, load
tests, contract files, Gherkin features and their step definitions).

Each reader recognises a format by its *structure* (a Prometheus rule file is
``groups[].rules[].alert``, a Grafana dashboard has ``panels`` and a
``title``, a Pact file names a consumer, a provider and interactions), not by
a word appearing somewhere. Source files (locustfiles, k6 scripts, Gatling
simulations, step definitions) are recognised by their imports.

The public dataclasses are re-exported by ``prodready.scan.facts.deploy``.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from prodready.scan.facts._yamltree import (
    as_str,
    line_of,
    load_json,
    load_yaml_documents,
    walk_path,
)
from prodready.scan.facts.artefacts import parse_python

# --------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class AlertRule:
    path: str
    line: int
    name: str
    source: str
    """"prometheus", "prometheus-operator", "grafana", "datadog", "cloudwatch",
    "gcp-monitoring", "newrelic" (terraform or JSON/YAML definitions)."""
    expr: str | None = None
    for_: str | None = None
    severity: str | None = None
    runbook_url: str | None = None


@dataclass(frozen=True, slots=True)
class AlertRouting:
    """Where alerts go: Alertmanager config, Grafana contact points/policies."""

    path: str
    line: int
    tool: str
    receivers: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    path: str
    line: int
    tool: str
    """"grafana", "grafana-operator", "grafonnet", "grafanalib", "datadog",
    "newrelic", "cloudwatch", "gcp-monitoring" (also via terraform)."""
    title: str | None
    panels: int = 0


@dataclass(frozen=True, slots=True)
class DashboardProvisioning:
    """Grafana provisioning of dashboards from files (the dashboards themselves
    are separate files)."""

    path: str
    line: int
    providers: int


@dataclass(frozen=True, slots=True)
class SloDefinition:
    path: str
    line: int
    tool: str
    """"sloth", "openslo", "pyrra", "slo-generator", "nobl9", "datadog", "gcp-monitoring"."""
    name: str | None
    objective: str | None = None


@dataclass(frozen=True, slots=True)
class ChaosExperiment:
    path: str
    line: int
    tool: str
    """"chaostoolkit", "litmus", "chaos-mesh", "toxiproxy", "aws-fis", "prodready"."""
    name: str | None
    steady_state: bool = False
    """Declares a steady-state hypothesis checked around the fault."""
    faults: int = 0
    detail: str = ""


@dataclass(frozen=True, slots=True)
class LoadTest:
    path: str
    line: int
    tool: str
    """"locust", "k6", "vegeta", "gatling", "jmeter", "artillery", "wrk", "hey",
    "prodready"."""
    has_thresholds: bool = False
    """Pass/fail criteria are declared (k6 thresholds, artillery ensure, SLOs)."""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class PactFile:
    path: str
    line: int
    consumer: str
    provider: str
    interactions: int
    specification: str | None


@dataclass(frozen=True, slots=True)
class ContractDefinition:
    """Spring Cloud Contract definitions (``contracts/**.groovy|yml``)."""

    path: str
    line: int
    tool: str


@dataclass(frozen=True, slots=True)
class FeatureFile:
    path: str
    line: int
    name: str | None
    scenarios: int
    steps: int
    language: str = "en"


@dataclass(frozen=True, slots=True)
class StepDefinitions:
    path: str
    framework: str
    """"behave", "pytest-bdd", "godog", "cucumber-js", "cucumber-jvm",
    "cucumber-ruby" or "unknown" (found by location only)."""
    steps: int
    line: int = 1
    """The framework import, else the first step definition."""


@dataclass(slots=True)
class Assets:
    """Mutable accumulator for one file."""

    alerts: list[AlertRule]
    routing: list[AlertRouting]
    dashboards: list[Dashboard]
    provisioning: list[DashboardProvisioning]
    slos: list[SloDefinition]
    chaos: list[ChaosExperiment]
    load: list[LoadTest]
    pacts: list[PactFile]
    contracts: list[ContractDefinition]
    features: list[FeatureFile]
    steps: list[StepDefinitions]

    @classmethod
    def empty(cls) -> Assets:
        return cls([], [], [], [], [], [], [], [], [], [], [])


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# --------------------------------------------------------------------------- alerting


def prometheus_groups(path: str, groups: Any, source: str, out: Assets, offset: int = 0) -> bool:
    """``groups[].rules[]``: alerting rules (recording rules are skipped)."""
    if not isinstance(groups, list):
        return False
    found = False
    for group in groups:
        rules = _map(group).get("rules")
        if not isinstance(rules, list):
            continue
        found = True
        for index, rule in enumerate(rules):
            if not isinstance(rule, dict) or "alert" not in rule:
                continue
            labels, annotations = _map(rule.get("labels")), _map(rule.get("annotations"))
            out.alerts.append(
                AlertRule(
                    path,
                    (line_of(rules, index) or 1) + offset,
                    as_str(rule.get("alert")) or "",
                    source,
                    expr=as_str(rule.get("expr")),
                    for_=as_str(rule.get("for")),
                    severity=as_str(labels.get("severity")),
                    runbook_url=as_str(annotations.get("runbook_url"))
                    or as_str(annotations.get("runbook")),
                )
            )
    return found


def _grafana_alert_groups(path: str, doc: dict[str, Any], out: Assets) -> bool:
    """Grafana alerting provisioning: ``apiVersion: 1``, ``groups[].rules[]``
    with ``title`` and ``condition``; contact points and policies."""
    found = False
    for group in _list(doc.get("groups")):
        rules = _map(group).get("rules")
        for index, rule in enumerate(_list(rules)):
            if (
                isinstance(rule, dict)
                and "title" in rule
                and ("condition" in rule or "data" in rule)
            ):
                labels = _map(rule.get("labels"))
                out.alerts.append(
                    AlertRule(
                        path,
                        line_of(rules, index) or 1,
                        as_str(rule.get("title")) or "",
                        "grafana",
                        for_=as_str(rule.get("for")),
                        severity=as_str(labels.get("severity")),
                        runbook_url=as_str(_map(rule.get("annotations")).get("runbook_url")),
                    )
                )
                found = True
    points = doc.get("contactPoints")
    if isinstance(points, list) and points:
        receivers = sum(len(_list(_map(p).get("receivers"))) or 1 for p in points)
        out.routing.append(
            AlertRouting(path, line_of(doc, "contactPoints") or 1, "grafana", receivers)
        )
        found = True
    return found


def _alertmanager(path: str, doc: dict[str, Any], line: int, out: Assets) -> bool:
    route, receivers = doc.get("route"), doc.get("receivers")
    if isinstance(route, dict) and isinstance(receivers, list):
        out.routing.append(AlertRouting(path, line, "alertmanager", len(receivers)))
        return True
    return False


def _embedded(path: str, data: Any, out: Assets) -> None:
    """Rules and dashboards embedded as strings in a ConfigMap's ``data``."""
    for key, value in _map(data).items():
        if not isinstance(value, str):
            continue
        offset = line_of(data, key) or 1
        if key.endswith(".json") and '"panels"' in value:
            parsed, error, _ = load_json(value)
            if error is None:
                _dashboard_json(path, parsed, out, line=offset)
        elif key.endswith((".yml", ".yaml", ".rules")) and "groups" in value:
            docs, _ = load_yaml_documents(value)
            for doc in docs:
                prometheus_groups(path, _map(doc.value).get("groups"), "prometheus", out, offset)


# --------------------------------------------------------------------------- dashboards


def _panel_count(dashboard: dict[str, Any]) -> int:
    panels = _list(dashboard.get("panels"))
    count = len(panels)
    for panel in panels:
        count += len(_list(_map(panel).get("panels")))  # collapsed rows
    for row in _list(dashboard.get("rows")):
        count += len(_list(_map(row).get("panels")))
    return count


def _dashboard_json(path: str, data: Any, out: Assets, line: int = 1) -> bool:
    if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
        data = data["dashboard"]
    if not isinstance(data, dict):
        return False
    title = as_str(data.get("title"))
    grafana_like = isinstance(data.get("panels"), list) or isinstance(data.get("rows"), list)
    if grafana_like and "title" in data:
        out.dashboards.append(Dashboard(path, line, "grafana", title, _panel_count(data)))
        return True
    if isinstance(data.get("widgets"), list) and "layout_type" in data and "title" in data:
        widgets = len(data["widgets"])
        out.dashboards.append(Dashboard(path, line, "datadog", title, widgets))
        return True
    pages = data.get("pages")
    if isinstance(pages, list) and "name" in data and any("widgets" in _map(p) for p in pages):
        widgets = sum(len(_list(_map(p).get("widgets"))) for p in pages)
        out.dashboards.append(Dashboard(path, line, "newrelic", as_str(data.get("name")), widgets))
        return True
    return False


_DD_MONITOR_TYPES = frozenset(
    {
        "metric alert",
        "query alert",
        "service check",
        "event alert",
        "event-v2 alert",
        "log alert",
        "process alert",
        "rum alert",
        "trace-analytics alert",
        "slo alert",
        "composite",
        "synthetics alert",
        "audit alert",
        "ci-pipelines alert",
        "error-tracking alert",
    }
)


def _datadog_monitors(path: str, data: Any, out: Assets) -> bool:
    items = data if isinstance(data, list) else [data]
    found = False
    for item in items:
        if (
            isinstance(item, dict)
            and as_str(item.get("type")) in _DD_MONITOR_TYPES
            and "query" in item
            and "name" in item
        ):
            out.alerts.append(
                AlertRule(
                    path,
                    line_of(item) or 1,
                    as_str(item.get("name")) or "",
                    "datadog",
                    expr=as_str(item.get("query")),
                )
            )
            found = True
    return found


# --------------------------------------------------------------------------- SLOs

_SLO_API = (
    ("sloth", "PrometheusServiceLevel"),
    ("openslo", "SLO"),
    ("pyrra.dev", "ServiceLevelObjective"),
    ("sre.google.com", "ServiceLevelObjective"),
    ("n9/", "SLO"),
)
_SLO_TOOLS = {
    "sloth": "sloth",
    "openslo": "openslo",
    "pyrra.dev": "pyrra",
    "sre.google.com": "slo-generator",
    "n9/": "nobl9",
}


def _slo(path: str, doc: dict[str, Any], api: str, kind: str, out: Assets) -> bool:
    for prefix, wanted in _SLO_API:
        if not api.startswith(prefix) or kind != wanted:
            continue
        tool = _SLO_TOOLS[prefix]
        name = as_str(walk_path(doc, "metadata", "name"))
        spec = _map(doc.get("spec"))
        if tool == "sloth":
            slos = _list(spec.get("slos")) or _list(doc.get("slos"))
            for index, slo in enumerate(slos):
                out.slos.append(
                    SloDefinition(
                        path,
                        line_of(slos, index) or 1,
                        tool,
                        as_str(_map(slo).get("name")),
                        as_str(_map(slo).get("objective")),
                    )
                )
            if slos:
                return True
        objective = (
            as_str(spec.get("target"))
            or as_str(walk_path(spec, "objectives", 0, "target"))
            or as_str(spec.get("goal"))
        )
        out.slos.append(SloDefinition(path, line_of(doc) or 1, tool, name, objective))
        return True
    if api.startswith("sloth") and "slos" in doc:  # sloth's plain "prometheus/v1" spec
        return _slo(path, doc, "sloth", "PrometheusServiceLevel", out)
    return False


# --------------------------------------------------------------------------- chaos


def _chaos_toolkit(path: str, doc: dict[str, Any], out: Assets) -> bool:
    method = doc.get("method")
    if not isinstance(method, list) or not ("title" in doc or "steady-state-hypothesis" in doc):
        return False
    hypothesis = _map(doc.get("steady-state-hypothesis"))
    faults = sum(1 for m in method if _map(m).get("type") == "action")
    out.chaos.append(
        ChaosExperiment(
            path,
            line_of(doc) or 1,
            "chaostoolkit",
            as_str(doc.get("title")),
            steady_state=bool(_list(hypothesis.get("probes"))),
            faults=faults,
        )
    )
    return True


def _chaos_kind(path: str, doc: dict[str, Any], api: str, kind: str, out: Assets) -> bool:
    name = as_str(walk_path(doc, "metadata", "name"))
    line = line_of(doc) or 1
    if api.startswith("litmuschaos.io") and kind in (
        "ChaosEngine",
        "ChaosSchedule",
        "ChaosExperiment",
    ):
        experiments = _list(walk_path(doc, "spec", "experiments"))
        probes = any(
            _list(walk_path(e, "spec", "probe")) for e in experiments if isinstance(e, dict)
        )
        out.chaos.append(
            ChaosExperiment(path, line, "litmus", name, probes, len(experiments) or 1, kind)
        )
        return True
    if api.startswith("chaos-mesh.org"):
        out.chaos.append(ChaosExperiment(path, line, "chaos-mesh", name, False, 1, kind))
        return True
    if kind == "prodready/chaos" or (api.startswith("prodready") and "chaos" in kind.lower()):
        spec = _map(doc.get("spec")) or doc
        faults = _list(spec.get("faults")) or _list(spec.get("method"))
        steady = "steady_state" in spec or "steady-state" in spec or "hypothesis" in spec
        detail = "format not final (prodready chaos is TBD)"
        out.chaos.append(
            ChaosExperiment(
                path,
                line,
                "prodready",
                as_str(doc.get("name")) or name,
                steady,
                len(faults),
                detail,
            )
        )
        return True
    return False


def _aws_fis_json(path: str, data: Any, out: Assets) -> bool:
    if (
        isinstance(data, dict)
        and "stopConditions" in data
        and isinstance(data.get("actions"), dict)
        and "targets" in data
    ):
        out.chaos.append(
            ChaosExperiment(
                path,
                line_of(data) or 1,
                "aws-fis",
                as_str(data.get("description")),
                steady_state=bool(data.get("stopConditions")),
                faults=len(data["actions"]),
            )
        )
        return True
    return False


def _toxiproxy_config(path: str, data: Any, out: Assets) -> bool:
    if (
        isinstance(data, list)
        and data
        and all(isinstance(p, dict) and {"name", "listen", "upstream"} <= set(p) for p in data)
    ):
        out.chaos.append(
            ChaosExperiment(path, 1, "toxiproxy", None, False, 0, f"{len(data)} proxies")
        )
        return True
    return False


# --------------------------------------------------------------------------- load


def _artillery(path: str, doc: dict[str, Any], out: Assets) -> bool:
    config = doc.get("config")
    if not isinstance(config, dict) or not ("target" in config or "phases" in config):
        return False
    if not isinstance(doc.get("scenarios"), list) and "phases" not in config:
        return False
    ensure = "ensure" in config or "ensure" in _map(config.get("plugins"))
    out.load.append(LoadTest(path, line_of(doc) or 1, "artillery", ensure))
    return True


def _prodready_load(path: str, doc: dict[str, Any], out: Assets) -> bool:
    kind = as_str(doc.get("kind")) or ""
    explicit = kind == "prodready/load"
    # The plan schema (``prodready.load``): a load shape (stages, a profile, or a
    # constant rate for a duration) and where to send it.
    shape = "stages" in doc or "profile" in doc or ("rate" in doc and "duration" in doc)
    shaped = shape and any(k in doc for k in ("target", "targets", "targets_file"))
    if not (explicit or shaped) or "scenarios" in doc or "jobs" in doc:
        return False
    if shaped and not explicit and isinstance(doc.get("stages"), list):
        # GitLab CI / Spinnaker also have ``stages``: require load-ish stage entries.
        entries = [s for s in doc["stages"] if isinstance(s, dict)]
        if doc["stages"] and not entries:
            return False
    thresholds = any(k in doc for k in ("slo", "slos", "thresholds", "objectives"))
    out.load.append(LoadTest(path, line_of(doc) or 1, "prodready", thresholds))
    return True


_LOCUST = re.compile(r"^[ \t]*(?:from\s+locust(?:\.[\w.]+)?\s+import\b|import\s+locust\b)", re.M)
_K6 = re.compile(r"""(?:from\s+|require\s*\(\s*)['"]k6(?:/[\w/-]+)?['"]""")
_K6_THRESHOLDS = re.compile(r"\bthresholds\s*:")
_GATLING = re.compile(r"^[ \t]*import\s+(?:static\s+)?io\.gatling\.", re.M)
_VEGETA_TARGET = re.compile(r"^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+https?://\S+", re.M)
_LOAD_COMMANDS = (
    ("vegeta", re.compile(r"\bvegeta\s+attack\b")),
    ("wrk", re.compile(r"(?:^|[\s;&|(])wrk\s+(?:-[tcdsHL]|--(?:threads|connections|duration))")),
    ("hey", re.compile(r"(?:^|[\s;&|(])hey\s+(?:-[nzcqm]\s)")),
    ("k6", re.compile(r"(?:^|[\s;&|(])k6\s+run\b")),
    ("locust", re.compile(r"(?:^|[\s;&|(])locust\s+(?:-f|--headless|--host)")),
)


def _first_line(pattern: re.Pattern[str], text: str) -> int | None:
    match = pattern.search(text)
    if match is None:
        return None
    lead = len(match.group(0)) - len(match.group(0).lstrip())
    return text.count("\n", 0, match.start() + lead) + 1


def load_scripts(path: str, text: str, out: Assets) -> None:
    """locustfiles, k6 scripts and Gatling simulations, by their imports."""
    ext = posixpath.splitext(path)[1].lower()
    if ext == ".py" and "locust" in text:
        line = _first_line(_LOCUST, text) and _locust_import_line(path, text)
        if line is not None:
            # A locustfile sets its pass/fail verdict through the exit code
            # (``environment.process_exit_code = 1`` in a quitting listener).
            thresholds = "process_exit_code" in text
            out.load.append(LoadTest(path, line, "locust", thresholds))
    elif ext in (".js", ".mjs", ".cjs", ".ts") and "k6" in text:
        line = _first_line(_K6, text)
        if line is not None:
            thresholds = _K6_THRESHOLDS.search(text) is not None
            out.load.append(LoadTest(path, line, "k6", thresholds))
    elif ext in (".scala", ".java", ".kt") and "gatling" in text:
        line = _first_line(_GATLING, text)
        if line is not None and "Simulation" in text:
            out.load.append(LoadTest(path, line, "gatling", "assertions" in text))


def _locust_import_line(path: str, text: str) -> int | None:
    """The line of a real ``import locust`` statement: parsed, so a locustfile
    held in a string (a benchmark writing one to disk) is not one."""
    tree = parse_python(path, text).value
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "locust":
            return node.lineno
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == "locust" for a in node.names
        ):
            return node.lineno
    return None


def load_commands(path: str, text: str, out: Assets) -> None:
    """Load tools invoked from scripts and Makefiles (``vegeta attack``, ``wrk``)."""
    for tool, pattern in _LOAD_COMMANDS:
        line = _first_line(pattern, text)
        if line is not None:
            out.load.append(LoadTest(path, line, tool, detail="invoked from a script"))


def vegeta_targets(path: str, text: str, out: Assets) -> None:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not lines:
        return
    requests = len(_VEGETA_TARGET.findall(text))
    if requests and requests >= max(
        1, len([ln for ln in lines if not ln.startswith((" ", "\t"))]) // 2
    ):
        out.load.append(LoadTest(path, 1, "vegeta", detail=f"{requests} targets"))


def jmeter(path: str, text: str, out: Assets) -> None:
    if "<jmeterTestPlan" in text:
        line = text.count("\n", 0, text.index("<jmeterTestPlan")) + 1
        assertions = "Assertion" in text
        out.load.append(LoadTest(path, line, "jmeter", assertions))


# --------------------------------------------------------------------------- contracts


def _pact(path: str, data: Any, out: Assets) -> bool:
    if not isinstance(data, dict):
        return False
    consumer = as_str(_map(data.get("consumer")).get("name"))
    provider = as_str(_map(data.get("provider")).get("name"))
    interactions = data.get("interactions", data.get("messages"))
    if not consumer or not provider or not isinstance(interactions, list):
        return False
    metadata = _map(data.get("metadata"))
    spec = (
        _map(metadata.get("pactSpecification")).get("version")
        or _map(metadata.get("pact-specification")).get("version")
        or _map(metadata.get("pactSpecificationVersion"))
    )
    out.pacts.append(
        PactFile(path, line_of(data) or 1, consumer, provider, len(interactions), as_str(spec))
    )
    return True


def _in_contracts_dir(path: str) -> bool:
    return "contracts" in path.lower().split("/")[:-1]


def spring_contract_groovy(path: str, text: str, out: Assets) -> None:
    if _in_contracts_dir(path) and ("Contract.make" in text or "cloud.contract.spec" in text):
        line = text.count("\n", 0, max(text.find("Contract.make"), 0)) + 1
        out.contracts.append(ContractDefinition(path, line, "spring-cloud-contract"))


def _spring_contract_yaml(path: str, doc: dict[str, Any], out: Assets) -> bool:
    if (
        _in_contracts_dir(path)
        and isinstance(doc.get("request"), dict)
        and isinstance(doc.get("response"), dict)
    ):
        out.contracts.append(ContractDefinition(path, line_of(doc) or 1, "spring-cloud-contract"))
        return True
    return False


# --------------------------------------------------------------------------- BDD

_GHERKIN_SCENARIO = re.compile(r"^[ \t]*(Scenario(?: Outline| Template)?|Example)\s*:", re.M)
_GHERKIN_FEATURE = re.compile(r"^[ \t]*(?:Feature|Business Need|Ability)\s*:\s*(.*)$", re.M)
_GHERKIN_STEP = re.compile(r"^[ \t]*(?:Given|When|Then|And|But|\*)\s+\S", re.M)
_GHERKIN_LANGUAGE = re.compile(r"^[ \t]*#\s*language\s*:\s*([\w-]+)", re.M)


def gherkin(path: str, text: str, out: Assets) -> None:
    language_match = _GHERKIN_LANGUAGE.search(text)
    language = language_match.group(1) if language_match else "en"
    feature = _GHERKIN_FEATURE.search(text)
    scenarios = len(_GHERKIN_SCENARIO.findall(text))
    steps = len(_GHERKIN_STEP.findall(text))
    if feature is None and language == "en":
        return
    line = text.count("\n", 0, feature.start()) + 1 if feature else 1
    name = feature.group(1).strip() or None if feature else None
    out.features.append(FeatureFile(path, line, name, scenarios, steps, language))


_PY, _GO, _JS = (".py",), (".go",), (".js", ".mjs", ".cjs", ".ts")
_JVM, _RB = (".java", ".kt", ".scala", ".groovy"), (".rb",)
_STEP_FRAMEWORKS = (
    ("behave", _PY, re.compile(r"^[ \t]*from\s+behave\s+import\b|^[ \t]*import\s+behave\b", re.M)),
    (
        "pytest-bdd",
        _PY,
        re.compile(r"^[ \t]*from\s+pytest_bdd\s+import\b|^[ \t]*import\s+pytest_bdd\b", re.M),
    ),
    (
        "godog",
        _GO,
        re.compile(r"^\s*(?:import\s+)?(?:\w+\s+)?\"github\.com/cucumber/godog\"", re.M),
    ),
    (
        "cucumber-js",
        _JS,
        re.compile(
            r"""(?:from\s+|require\s*\(\s*)['"]@cucumber/cucumber['"]|['"]cucumber['"]\s*\)"""
        ),
    ),
    ("cucumber-jvm", _JVM, re.compile(r"^[ \t]*import\s+io\.cucumber\.", re.M)),
    ("cucumber-ruby", _RB, re.compile(r"^[ \t]*(?:Given|When|Then)\s*\(?\s*/", re.M)),
)
_STEP_CALLS = re.compile(
    r"(?:@(?:given|when|then|step|Given|When|Then)\s*\(|\b(?:Given|When|Then)\s*\(|"
    r"\.Step\s*\(|ctx\.(?:Given|When|Then|Step)\s*\()"
)
_STEP_PATH = re.compile(
    r"(?:^|/)(?:steps|step_definitions|stepdefs)/|_steps?\.(?:go|py|rb)$|\.steps\.[jt]s$|"
    r"Steps\.(?:java|kt)$|StepDef(?:inition)?s\.(?:java|kt)$",
    re.IGNORECASE,
)


def step_definitions(path: str, text: str, out: Assets) -> None:
    framework = None
    line: int | None = None
    for name, extensions, pattern in _STEP_FRAMEWORKS:
        if path.endswith(extensions):
            line = _first_line(pattern, text)
            if line is not None:
                framework = name
                break
    if framework is None and not _STEP_PATH.search(path):
        return
    steps = len(_STEP_CALLS.findall(text))
    if framework is None:
        if not steps:
            return
        framework = "unknown"
        line = _first_line(_STEP_CALLS, text)
    if framework == "cucumber-js" and not steps:
        return
    out.steps.append(StepDefinitions(path, framework, steps, line or 1))


_TOXIPROXY_USE = re.compile(
    r"github\.com/Shopify/toxiproxy|^[ \t]*(?:from\s+toxiproxy|import\s+toxiproxy)\b|"
    r"ToxiproxyContainer|eu\.rekawek\.toxiproxy|toxiproxy-node-client",
    re.M,
)


def toxiproxy_usage(path: str, text: str, out: Assets) -> None:
    if "toxiproxy" not in text.lower():
        return
    line = _first_line(_TOXIPROXY_USE, text)
    if line is not None:
        out.chaos.append(ChaosExperiment(path, line, "toxiproxy", None, False, 0, "used by tests"))


# --------------------------------------------------------------------------- terraform

_TF_RESOURCE = re.compile(r'^[ \t]*resource\s+"([a-z0-9_]+)"\s+"([^"]+)"', re.M)
_TF_KINDS: dict[str, tuple[str, str]] = {
    "datadog_monitor": ("alert", "datadog"),
    "datadog_dashboard": ("dashboard", "datadog"),
    "datadog_dashboard_json": ("dashboard", "datadog"),
    "datadog_service_level_objective": ("slo", "datadog"),
    "grafana_dashboard": ("dashboard", "grafana"),
    "grafana_rule_group": ("alert", "grafana"),
    "grafana_contact_point": ("routing", "grafana"),
    "grafana_slo": ("slo", "grafana"),
    "aws_cloudwatch_metric_alarm": ("alert", "cloudwatch"),
    "aws_cloudwatch_composite_alarm": ("alert", "cloudwatch"),
    "aws_cloudwatch_dashboard": ("dashboard", "cloudwatch"),
    "google_monitoring_alert_policy": ("alert", "gcp-monitoring"),
    "google_monitoring_dashboard": ("dashboard", "gcp-monitoring"),
    "google_monitoring_slo": ("slo", "gcp-monitoring"),
    "newrelic_alert_condition": ("alert", "newrelic"),
    "newrelic_nrql_alert_condition": ("alert", "newrelic"),
    "newrelic_one_dashboard": ("dashboard", "newrelic"),
    "pagerduty_service": ("routing", "pagerduty"),
    "opsgenie_team_routing_rule": ("routing", "opsgenie"),
    "aws_fis_experiment_template": ("chaos", "aws-fis"),
}


def terraform(path: str, text: str, out: Assets) -> None:
    for match in _TF_RESOURCE.finditer(text):
        entry = _TF_KINDS.get(match.group(1))
        if entry is None:
            continue
        what, tool = entry
        line = text.count("\n", 0, match.start()) + 1
        name = match.group(2)
        if what == "alert":
            out.alerts.append(AlertRule(path, line, name, tool))
        elif what == "dashboard":
            out.dashboards.append(Dashboard(path, line, tool, name))
        elif what == "slo":
            out.slos.append(SloDefinition(path, line, tool, name))
        elif what == "routing":
            out.routing.append(AlertRouting(path, line, tool, 1))
        else:
            out.chaos.append(ChaosExperiment(path, line, tool, name, True, 0, "terraform"))


_CFN_TYPES: dict[str, tuple[str, str]] = {
    "AWS::CloudWatch::Alarm": ("alert", "cloudwatch"),
    "AWS::CloudWatch::CompositeAlarm": ("alert", "cloudwatch"),
    "AWS::CloudWatch::Dashboard": ("dashboard", "cloudwatch"),
    "AWS::FIS::ExperimentTemplate": ("chaos", "aws-fis"),
}


def _cloudformation(path: str, doc: dict[str, Any], out: Assets) -> bool:
    resources = doc.get("Resources")
    if not isinstance(resources, dict):
        return False
    found = False
    for name, resource in resources.items():
        entry = _CFN_TYPES.get(as_str(_map(resource).get("Type")) or "")
        if entry is None:
            continue
        line = line_of(resources, name) or 1
        what, tool = entry
        if what == "alert":
            out.alerts.append(AlertRule(path, line, name, tool))
        elif what == "dashboard":
            out.dashboards.append(Dashboard(path, line, tool, name))
        else:
            out.chaos.append(ChaosExperiment(path, line, tool, name, True, 0, "cloudformation"))
        found = True
    return found


# --------------------------------------------------------------------------- jsonnet / python

_GRAFONNET = re.compile(
    r"""import\s+['"][^'"]*(?:grafonnet|grafana-builder|grafana\.libsonnet|mixin)[^'"]*['"]"""
    r"""|\bdashboard\.new\s*\(|\bg\.dashboard\.new\s*\(""",
)
_GRAFANALIB = re.compile(
    r"^[ \t]*(?:from\s+grafanalib(?:\.\w+)*\s+import|import\s+grafanalib)\b", re.M
)


def jsonnet(path: str, text: str, out: Assets) -> None:
    line = _first_line(_GRAFONNET, text)
    if line is not None:
        out.dashboards.append(Dashboard(path, line, "grafonnet", posixpath.basename(path)))
    if "prometheusAlerts" in text or re.search(r"\balert\s*:\s*['\"]", text):
        alert_line = _first_line(re.compile(r"prometheusAlerts|\balert\s*:\s*['\"]"), text)
        out.alerts.append(
            AlertRule(path, alert_line or 1, posixpath.basename(path), "prometheus-jsonnet")
        )


def grafanalib(path: str, text: str, out: Assets) -> None:
    if "grafanalib" in text:
        line = _first_line(_GRAFANALIB, text)
        if line is not None:
            out.dashboards.append(Dashboard(path, line, "grafanalib", posixpath.basename(path)))


# --------------------------------------------------------------------------- documents


def _kayenta_spinnaker(path: str, data: dict[str, Any]) -> Iterator[tuple[int, str, str]]:
    """(line, tool, detail) for Spinnaker canary stages / Kayenta configs."""
    if {"judge", "metrics", "classifier"} <= set(data) or (
        "metrics" in data and "judge" in data and "configVersion" in data
    ):
        yield line_of(data) or 1, "kayenta", "canary config"
    for index, stage in enumerate(_list(data.get("stages"))):
        stage_type = as_str(_map(stage).get("type")) or ""
        if stage_type in ("kayentaCanary", "canary", "acaTask"):
            yield line_of(data["stages"], index) or 1, "spinnaker", stage_type


def structured_document(path: str, doc: Any, out: Assets) -> list[tuple[int, str, str]]:
    """Recognise a parsed YAML/JSON document; returns Spinnaker/Kayenta canary
    hits (line, tool, detail) for the caller to record as progressive delivery."""
    canaries: list[tuple[int, str, str]] = []
    if isinstance(doc, list):
        if not _toxiproxy_config(path, doc, out):
            _datadog_monitors(path, doc, out)
        return canaries
    if not isinstance(doc, dict):
        return canaries
    kind = as_str(doc.get("kind")) or ""
    api = as_str(doc.get("apiVersion")) or ""
    if kind == "PrometheusRule":
        prometheus_groups(path, walk_path(doc, "spec", "groups"), "prometheus-operator", out)
        return canaries
    if kind == "ConfigMap":
        _embedded(path, doc.get("data"), out)
        return canaries
    if kind == "GrafanaDashboard":
        title = as_str(walk_path(doc, "metadata", "name"))
        out.dashboards.append(Dashboard(path, line_of(doc) or 1, "grafana-operator", title))
        return canaries
    if kind == "AlertmanagerConfig":
        receivers = _list(walk_path(doc, "spec", "receivers"))
        out.routing.append(AlertRouting(path, line_of(doc) or 1, "alertmanager", len(receivers)))
        return canaries
    if kind and (_slo(path, doc, api, kind, out) or _chaos_kind(path, doc, api, kind, out)):
        return canaries
    if not api and "slos" in doc and "service" in doc:
        _slo(path, doc, "sloth", "PrometheusServiceLevel", out)
        return canaries
    if as_str(doc.get("apiVersion")) == "1":
        # Grafana provisioning: alert rules, contact points, dashboard providers.
        providers = doc.get("providers")
        if isinstance(providers, list) and providers:
            out.provisioning.append(
                DashboardProvisioning(path, line_of(doc, "providers") or 1, len(providers))
            )
        _grafana_alert_groups(path, doc, out)
        return canaries
    if "groups" in doc and prometheus_groups(path, doc.get("groups"), "prometheus", out):
        return canaries
    if (
        _alertmanager(path, doc, line_of(doc) or 1, out)
        or _chaos_toolkit(path, doc, out)
        or _artillery(path, doc, out)
        or _pact(path, doc, out)
        or _spring_contract_yaml(path, doc, out)
        or _dashboard_json(path, doc, out, line=line_of(doc) or 1)
        or _datadog_monitors(path, doc, out)
        or _aws_fis_json(path, doc, out)
        or _cloudformation(path, doc, out)
    ):
        return canaries
    canaries.extend(_kayenta_spinnaker(path, doc))
    if not canaries:
        _prodready_load(path, doc, out)
    return canaries
