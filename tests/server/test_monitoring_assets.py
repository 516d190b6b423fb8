"""The alert rules and dashboard in deploy/monitoring/ query metrics the server
really exports: a renamed metric must break this test, not the on-call's night."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.conftest import REPO_ROOT
from tests.server.conftest import Api
from tests.server.documents import one

pytestmark = pytest.mark.anyio

MONITORING = REPO_ROOT / "deploy" / "monitoring"
METRIC = re.compile(r"\b(prodready_[a-z_]+)")
SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")


def _rule_expressions() -> list[str]:
    rules = yaml.safe_load((MONITORING / "prometheus-rules.yaml").read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def _dashboard_expressions() -> list[str]:
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def _exported_families(body: str) -> set[str]:
    names = set()
    for line in body.splitlines():
        if line.startswith("# TYPE "):
            names.add(line.split()[2])
    return names


def _family(sample_name: str, families: set[str]) -> str | None:
    if sample_name in families:
        return sample_name
    for suffix in SUFFIXES:
        if sample_name.endswith(suffix) and sample_name[: -len(suffix)] in families:
            return sample_name[: -len(suffix)]
    return None


def test_every_rule_has_a_runbook_link_and_a_severity() -> None:
    rules = yaml.safe_load((MONITORING / "prometheus-rules.yaml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert rule["labels"]["severity"] in {"page", "ticket"}, rule["alert"]
            assert rule["annotations"]["runbook_url"].startswith("docs/runbook.md"), rule["alert"]
            assert rule["alert"] in (REPO_ROOT / "docs" / "runbook.md").read_text()


@pytest.mark.parametrize("source", ["rules", "dashboard"])
async def test_monitoring_queries_use_exported_metrics(api: Api, source: str) -> None:
    assert (await api.push(one("payments-api", team="pay", score=70.0))).status_code == 201
    families = _exported_families((await api.get("/metrics")).text)
    expressions = _rule_expressions() if source == "rules" else _dashboard_expressions()
    referenced = {name for expr in expressions for name in METRIC.findall(expr)}
    assert referenced, "no prodready metric referenced at all"
    unknown = sorted(name for name in referenced if _family(name, families) is None)
    assert unknown == [], f"{source} query metrics the server does not export: {unknown}"
