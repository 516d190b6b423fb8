"""ops.k8s-probes, ops.k8s-resources, ops.high-availability and
ops.progressive-delivery on in-memory repositories: plain manifests, Helm
charts resolved against their values, Kustomize overlays, and monorepos whose
shared chart deploys several services (each judged on its own workloads)."""

from __future__ import annotations

import pytest

from prodready.scan.checks.ops import (
    judge_high_availability,
    judge_k8s_probes,
    judge_k8s_resources,
    judge_progressive_delivery,
)
from prodready.scan.model import Outcome, Severity
from tests.scan.conftest import run_judge, service_facts

FASTAPI = 'from fastapi import FastAPI\n\napp = FastAPI(title="orders")\n'
PYPROJECT = '[project]\nname = "orders"\nversion = "1.0"\n'
BASE = {"pyproject.toml": PYPROJECT, "src/orders/main.py": FASTAPI}

PROBES = (
    "          readinessProbe:\n            httpGet: {path: /readyz, port: 8000}\n"
    "          livenessProbe:\n            httpGet: {path: /livez, port: 8000}\n"
)
RESOURCES = (
    "          resources:\n            requests: {cpu: 100m, memory: 128Mi}\n"
    "            limits: {memory: 256Mi}\n"
)


def deployment(
    name: str = "orders",
    *,
    kind: str = "Deployment",
    replicas: int | None = 2,
    container: str = PROBES + RESOURCES,
    labels: str = "",
) -> str:
    spec = f"  replicas: {replicas}\n" if replicas is not None else ""
    return (
        f"apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n{spec}"
        f"  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n"
        f"      labels: {{app: {name}{labels}}}\n    spec:\n      containers:\n"
        f"        - name: {name}\n          image: registry.example/{name}:1.0.0\n{container}"
    )


# --------------------------------------------------------------------------- ops.k8s-probes


def test_both_probes_pass() -> None:
    files = BASE | {"k8s/deployment.yaml": deployment()}
    verdict = judge_k8s_probes(service_facts(files))
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    assert verdict.evidence[0].detail == (
        "Deployment orders: liveness httpGet /livez; readiness httpGet /readyz"
    )


def test_a_missing_readiness_probe_is_located_at_its_container() -> None:
    live_only = "          livenessProbe:\n            tcpSocket: {port: 8000}\n"
    files = BASE | {"k8s/deployment.yaml": deployment(container=live_only)}
    outcome, score, findings = run_judge(judge_k8s_probes, files)
    assert (outcome, score) == (Outcome.FAIL, 5.0)
    assert findings == ["k8s/deployment.yaml:14: Deployment orders declares no readinessProbe"]


def test_every_container_needs_probes() -> None:
    sidecar = PROBES + "        - name: proxy\n          image: envoyproxy/envoy:v1.31.2\n"
    files = BASE | {"k8s/deployment.yaml": deployment(container=sidecar)}
    outcome, score, findings = run_judge(judge_k8s_probes, files)
    assert (outcome, score) == (Outcome.FAIL, 5.0)
    assert "Deployment orders, container proxy declares no livenessProbe and no " in findings[0]


def test_jobs_need_no_probes_and_no_manifests_is_not_applicable() -> None:
    job = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n"
        "  schedule: '0 3 * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
        "          containers:\n            - name: job\n              image: x:1\n"
    )
    assert run_judge(judge_k8s_probes, BASE | {"k8s/cron.yaml": job})[0] is Outcome.NOT_APPLICABLE
    assert run_judge(judge_k8s_probes, BASE)[0] is Outcome.NOT_APPLICABLE
    compose = {"docker-compose.yml": "services:\n  api:\n    image: orders:1\n"}
    assert run_judge(judge_k8s_probes, BASE | compose)[0] is Outcome.NOT_APPLICABLE


def test_manifests_of_test_fixtures_do_not_count() -> None:
    files = BASE | {"tests/fixtures/k8s/deployment.yaml": deployment(container="")}
    assert run_judge(judge_k8s_probes, files)[0] is Outcome.NOT_APPLICABLE


HELM_DEPLOYMENT = (
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "orders.fullname" . }}\n'
    "spec:\n  replicas: {{ .Values.replicaCount }}\n  template:\n    spec:\n      containers:\n"
    "        - name: orders\n"
    '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n'
    "          livenessProbe:\n            {{- toYaml .Values.livenessProbe | nindent 12 }}\n"
    "          readinessProbe:\n            {{- toYaml .Values.readinessProbe | nindent 12 }}\n"
    "          resources:\n            {{- toYaml .Values.resources | nindent 12 }}\n"
)
CHART = "apiVersion: v2\nname: orders\nversion: 0.1.0\n"


def helm(values: str) -> dict[str, str]:
    return BASE | {
        "chart/Chart.yaml": CHART,
        "chart/values.yaml": values,
        "chart/templates/deployment.yaml": HELM_DEPLOYMENT,
    }


FILLED_VALUES = (
    "replicaCount: 2\nimage: {repository: orders, tag: '1.0.0'}\n"
    "livenessProbe:\n  httpGet: {path: /livez, port: http}\n"
    "readinessProbe:\n  httpGet: {path: /readyz, port: http}\n"
    "resources:\n  requests: {cpu: 100m, memory: 128Mi}\n  limits: {memory: 256Mi}\n"
)


def test_helm_probes_count_when_values_fill_them() -> None:
    assert run_judge(judge_k8s_probes, helm(FILLED_VALUES))[:2] == (Outcome.PASS, 10.0)
    empty = "replicaCount: 1\nimage: {repository: orders, tag: '1.0.0'}\nlivenessProbe: {}\n"
    outcome, score, findings = run_judge(judge_k8s_probes, helm(empty))
    assert (outcome, score) == (Outcome.FAIL, 0.0)
    assert "(liveness probe is templated from .Values.livenessProbe, which is empty" in findings[0]


KUSTOMIZE_BASE = {
    "deploy/base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
    "deploy/overlays/prod/kustomization.yaml": (
        "resources:\n  - ../../base\npatches:\n  - path: patch.yaml\n"
    ),
}


def test_a_kustomize_overlay_patch_adds_probes_and_replicas() -> None:
    patch = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\nspec:\n"
        "  replicas: 4\n  template:\n    spec:\n      containers:\n        - name: orders\n"
        f"{PROBES}"
    )
    files = BASE | KUSTOMIZE_BASE
    files["deploy/base/deployment.yaml"] = deployment(replicas=1, container=RESOURCES)
    files["deploy/overlays/prod/patch.yaml"] = patch
    assert run_judge(judge_k8s_probes, files)[0] is Outcome.PASS
    verdict = judge_high_availability(service_facts(files))
    assert verdict.outcome is Outcome.PASS
    assert "replicas 4 in deploy/overlays/prod/patch.yaml" in verdict.evidence[0].detail


# --------------------------------------------------------------------------- monorepo


def shop() -> dict[str, str]:
    """A shared chart deploying api (probes, HPA, canary) and worker (no probes)."""
    chart = "deploy/helm/shop"
    api = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-api\n"
        "spec:\n  template:\n    metadata:\n      labels: {app: shop-api}\n    spec:\n"
        "      containers:\n        - name: api\n"
        '          image: "{{ .Values.registry }}/api:{{ .Values.tag }}"\n' + PROBES + RESOURCES
    )
    worker = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-worker\n"
        "spec:\n  replicas: 1\n  template:\n    metadata:\n      labels: {app: shop-worker}\n"
        "    spec:\n      containers:\n        - name: worker\n"
        '          image: "{{ .Values.registry }}/worker:{{ .Values.tag }}"\n'
    )
    hpa = (
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n"
        "  name: {{ .Release.Name }}-api\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n"
        "    kind: Deployment\n    name: {{ .Release.Name }}-api\n"
        "  minReplicas: {{ .Values.api.minReplicas }}\n  maxReplicas: 10\n"
    )
    canary = (
        "apiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata:\n"
        "  name: {{ .Release.Name }}-api\n"
        "spec:\n  targetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n"
        "    name: {{ .Release.Name }}-api\n  analysis:\n    interval: 1m\n    stepWeight: 10\n"
        "    maxWeight: 50\n    metrics:\n      - name: request-success-rate\n"
        "        thresholdRange: {min: 99}\n"
    )
    return {
        "services/api/pyproject.toml": '[project]\nname = "shop-api"\nversion = "1"\n',
        "services/api/src/shop_api/main.py": FASTAPI,
        "services/worker/go.mod": "module example.com/shop/worker\n\ngo 1.22\n",
        "services/worker/main.go": 'package main\n\nimport "net/http"\n\nfunc main() {\n'
        '\thttp.ListenAndServe(":9090", nil)\n}\n',
        "services/web/package.json": '{"name": "shop-web", "dependencies": {"react-dom": "18"}}',
        "services/web/index.html": "<div id=root></div>\n",
        f"{chart}/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 1.0.0\n",
        f"{chart}/values.yaml": "registry: r.example\ntag: '1'\napi:\n  minReplicas: 3\n",
        f"{chart}/templates/api-deployment.yaml": api,
        f"{chart}/templates/worker-deployment.yaml": worker,
        f"{chart}/templates/api-hpa.yaml": hpa,
        f"{chart}/templates/api-canary.yaml": canary,
    }


def test_a_shared_chart_judges_each_service_on_its_own_workloads() -> None:
    files = shop()
    assert run_judge(judge_k8s_probes, files, "services/api")[0] is Outcome.PASS
    outcome, _, findings = run_judge(judge_k8s_probes, files, "services/worker")
    assert outcome is Outcome.FAIL
    assert findings[0].startswith(
        "deploy/helm/shop/templates/worker-deployment.yaml:12: Deployment *-worker declares no "
        "livenessProbe and no readinessProbe"
    )
    verdict = judge_k8s_probes(service_facts(files, "services/web"))
    assert verdict.outcome is Outcome.NOT_APPLICABLE
    assert "no Kubernetes manifest deploys this service" in verdict.summary


def test_a_templated_hpa_scales_only_its_own_workload() -> None:
    files = shop()
    verdict = judge_high_availability(service_facts(files, "services/api"))
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    assert any(e.detail == "HorizontalPodAutoscaler minReplicas 3" for e in verdict.evidence)
    assert run_judge(judge_high_availability, files, "services/worker")[:2] == (Outcome.FAIL, 0.0)


def test_a_canary_belongs_to_the_workload_it_targets() -> None:
    files = shop()
    verdict = judge_progressive_delivery(service_facts(files, "services/api"))
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    assert verdict.evidence[0].path == "deploy/helm/shop/templates/api-canary.yaml"
    outcome, _, findings = run_judge(judge_progressive_delivery, files, "services/worker")
    assert outcome is Outcome.FAIL
    assert "Deployment *-worker is rolled out all at once" in findings[0]
    assert run_judge(judge_progressive_delivery, files, "services/web")[0] is Outcome.NOT_APPLICABLE


# --------------------------------------------------------------------------- ops.k8s-resources


@pytest.mark.parametrize(
    ("container", "problem"),
    [
        (RESOURCES, None),
        (
            "          resources:\n            requests: {cpu: 100m, memory: 128Mi}\n",
            "no limits (a leaking pod can starve its neighbours)",
        ),
        (
            "          resources:\n            requests: {cpu: 100m}\n"
            "            limits: {cpu: 1}\n",
            "no memory limit",
        ),
        (
            "          resources: {}\n",
            "no resources.requests or resources.limits: set cpu/memory requests and a memory limit",
        ),
        ("", "no resources.requests or resources.limits"),
    ],
)
def test_requests_and_a_memory_limit(container: str, problem: str | None) -> None:
    files = BASE | {"k8s/deployment.yaml": deployment(container=container)}
    outcome, score, findings = run_judge(judge_k8s_resources, files)
    if problem is None:
        assert (outcome, score) == (Outcome.PASS, 10.0)
    else:
        assert (outcome, score) == (Outcome.FAIL, 0.0)
        assert problem in findings[0]


def test_helm_resources_from_values() -> None:
    assert run_judge(judge_k8s_resources, helm(FILLED_VALUES))[0] is Outcome.PASS
    empty = "replicaCount: 2\nimage: {repository: orders, tag: '1'}\nresources: {}\n"
    outcome, _, findings = run_judge(judge_k8s_resources, helm(empty))
    assert outcome is Outcome.FAIL
    assert "which declares no requests or limits in the chart's values" in findings[0]


def test_resources_score_the_share_of_containers() -> None:
    two = RESOURCES + "        - name: proxy\n          image: envoyproxy/envoy:v1.31.2\n"
    files = BASE | {"k8s/deployment.yaml": deployment(container=two)}
    assert run_judge(judge_k8s_resources, files)[:2] == (Outcome.FAIL, 5.0)


# ------------------------------------------------------------------ ops.high-availability

HPA = (
    "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: orders\n"
    "spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: orders}\n"
    "  minReplicas: LOW\n  maxReplicas: 10\n"
)
PDB = (
    "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: orders\nspec:\n"
    "  minAvailable: 1\n  selector:\n    matchLabels: {app: orders}\n"
)


@pytest.mark.parametrize(
    ("extra", "replicas", "expected"),
    [
        ({}, 3, (Outcome.PASS, 10.0)),
        ({}, 1, (Outcome.FAIL, 0.0)),
        ({}, None, (Outcome.FAIL, 0.0)),
        ({"k8s/hpa.yaml": HPA.replace("LOW", "2")}, None, (Outcome.PASS, 10.0)),
        ({"k8s/hpa.yaml": HPA.replace("LOW", "1")}, 1, (Outcome.PASS, 7.0)),
        ({"k8s/pdb.yaml": PDB}, 1, (Outcome.PASS, 7.0)),
    ],
)
def test_replicas_autoscalers_and_budgets(
    extra: dict[str, str], replicas: int | None, expected: tuple[Outcome, float]
) -> None:
    files = BASE | {"k8s/deployment.yaml": deployment(replicas=replicas)} | extra
    outcome, score, findings = run_judge(judge_high_availability, files)
    assert (outcome, score) == expected
    if expected == (Outcome.FAIL, 0.0):
        assert "runs a single replica" in findings[0]
        assert findings[0].startswith("k8s/deployment.yaml:1: ")


def test_a_single_replica_behind_a_minimal_autoscaler_is_a_low_finding() -> None:
    files = BASE | {
        "k8s/deployment.yaml": deployment(replicas=1),
        "k8s/hpa.yaml": HPA.replace("LOW", "1"),
    }
    verdict = judge_high_availability(service_facts(files))
    assert [f.severity for f in verdict.findings] == [Severity.LOW]
    assert "its HorizontalPodAutoscaler keeps minReplicas 1" in verdict.findings[0].message


def test_a_budget_for_other_pods_does_not_count() -> None:
    other = PDB.replace("{app: orders}", "{app: billing}")
    files = BASE | {"k8s/deployment.yaml": deployment(replicas=1), "k8s/pdb.yaml": other}
    assert run_judge(judge_high_availability, files)[0] is Outcome.FAIL


def test_kustomization_replicas_and_daemonsets() -> None:
    files = BASE | KUSTOMIZE_BASE
    files["deploy/base/deployment.yaml"] = deployment(replicas=1)
    files["deploy/overlays/prod/kustomization.yaml"] = (
        "resources:\n  - ../../base\nreplicas:\n  - name: orders\n    count: 3\n"
    )
    assert run_judge(judge_high_availability, files)[0] is Outcome.PASS
    daemon = BASE | {"k8s/agent.yaml": deployment(kind="DaemonSet", replicas=None)}
    assert run_judge(judge_high_availability, daemon)[:2] == (Outcome.PASS, 10.0)


def test_a_disabled_helm_autoscaler_does_not_count() -> None:
    hpa = (
        "{{- if .Values.autoscaling.enabled }}\napiVersion: autoscaling/v2\n"
        'kind: HorizontalPodAutoscaler\nmetadata:\n  name: {{ include "orders.fullname" . }}\n'
        "spec:\n  scaleTargetRef:\n    kind: Deployment\n"
        '    name: {{ include "orders.fullname" . }}\n  minReplicas: 3\n  maxReplicas: 9\n'
        "{{- end }}\n"
    )
    values = FILLED_VALUES.replace("replicaCount: 2", "replicaCount: 1")
    files = helm(values + "autoscaling:\n  enabled: false\n") | {"chart/templates/hpa.yaml": hpa}
    assert run_judge(judge_high_availability, files)[0] is Outcome.FAIL
    files["chart/values.yaml"] = values + "autoscaling:\n  enabled: true\n"
    assert run_judge(judge_high_availability, files)[0] is Outcome.PASS


# ----------------------------------------------------------------- ops.progressive-delivery

ROLLOUT = (
    "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: orders\nspec:\n"
    "  replicas: 4\n  strategy:\n    canary:\n{steps}  template:\n    spec:\n      containers:\n"
    "        - name: orders\n          image: registry.example/orders:1.0.0\n"
)
STEPS = (
    "      steps:\n        - setWeight: 10\n"
    "        - analysis:\n            templates: [{templateName: success-rate}]\n"
    "        - setWeight: 50\n"
)


def test_an_analysed_canary_scores_full_marks() -> None:
    files = BASE | {"k8s/rollout.yaml": ROLLOUT.format(steps=STEPS)}
    verdict = judge_progressive_delivery(service_facts(files))
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    assert verdict.evidence[0].detail == "argo-rollouts canary of orders, 3 steps"


def test_a_canary_without_steps_promotes_at_once() -> None:
    files = BASE | {"k8s/rollout.yaml": ROLLOUT.format(steps="      maxSurge: 1\n")}
    outcome, _, findings = run_judge(judge_progressive_delivery, files)
    assert outcome is Outcome.FAIL
    assert "promotes everything at once (no steps)" in findings[0]


def test_weighted_routes_pass_with_a_note_on_analysis() -> None:
    virtual_service = (
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: orders\n"
        "spec:\n  hosts: [orders]\n  http:\n    - route:\n"
        "        - destination: {host: orders, subset: stable}\n          weight: 90\n"
        "        - destination: {host: orders, subset: canary}\n          weight: 10\n"
    )
    verdict = judge_progressive_delivery(service_facts(BASE | {"k8s/vs.yaml": virtual_service}))
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 8.0)
    assert verdict.findings[0].severity is Severity.LOW


def test_a_plain_deployment_or_no_manifests_fail_and_libraries_are_not_applicable() -> None:
    outcome, _, findings = run_judge(
        judge_progressive_delivery, BASE | {"k8s/d.yaml": deployment()}
    )
    assert outcome is Outcome.FAIL
    assert findings[0].startswith("k8s/d.yaml:1: Deployment orders is rolled out all at once")
    assert run_judge(judge_progressive_delivery, BASE)[0] is Outcome.FAIL
    library = {"pyproject.toml": PYPROJECT, "src/orders/__init__.py": "X = 1\n"}
    assert run_judge(judge_progressive_delivery, library)[0] is Outcome.NOT_APPLICABLE


def test_a_flagger_canary_with_templated_weights_is_still_a_canary() -> None:
    files = shop()
    canary = "deploy/helm/shop/templates/api-canary.yaml"
    files[canary] = (
        files[canary]
        .replace("stepWeight: 10", "stepWeight: {{ .Values.api.step }}")
        .replace("maxWeight: 50", "maxWeight: {{ .Values.api.max }}")
    )
    verdict = judge_progressive_delivery(service_facts(files, "services/api"))
    assert verdict.outcome is Outcome.PASS
    assert verdict.summary == "staged rollout with automated analysis (flagger canary)"


ODD_FILES = {
    "k8s/odd.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: [not, a, map]\nspec:\n"
        "  replicas: three\n  template:\n    spec:\n      containers:\n        - null\n"
        "        - name: x\n          resources: [1, 2]\n          livenessProbe: true\n"
        "---\nkind: HorizontalPodAutoscaler\nspec: {minReplicas: '{{ x }}', scaleTargetRef: 7}\n"
        "---\nkind: PodDisruptionBudget\nspec: {selector: {matchLabels: [a]}}\n"
        "---\nkind: Rollout\nspec: {strategy: {canary: {steps: 5}}}\n"
        "---\n- just\n- a list\n"
    ),
    "k8s/kustomization.yaml": "resources: 5\npatches: [{path: 7}, 'missing.yaml']\nreplicas: [x]\n",
    "chart/Chart.yaml": "name: [odd]\n",
    "chart/values.yaml": "- not\n- a map\n",
    "chart/templates/deployment.yaml": "{{ if }}\nkind: Deployment\n  bad: indent\n{{ end",
    "Dockerfile": "\x00\x01FROM\nUSER\nFROM  \nARG\nFROM ${X:-}:${Y}@\n",
    ".dockerignore": "\x00\n",
    ".github/dependabot.yml": "version: 2\nupdates: {pip: 1}\n",
    "renovate.json5": "{enabled: 'maybe', enabledManagers: 7,}",
    "CODEOWNERS": "[Section\n* @\n\\ \n",
}


def test_odd_inputs_never_crash_a_judge() -> None:
    from prodready.scan.checks import docs, ops

    files = BASE | ODD_FILES
    facts = service_facts(files)
    for check in (*ops.CHECKS, *docs.CHECKS):
        assert check.judge is not None
        verdict = check.judge(facts)
        assert verdict.outcome in (Outcome.PASS, Outcome.FAIL, Outcome.NOT_APPLICABLE), check.id


def test_odd_inputs_in_a_monorepo_never_crash_a_judge() -> None:
    from prodready.scan.checks import docs, ops

    files = {f"deploy/{path}": text for path, text in ODD_FILES.items()}
    files |= shop() | {"docker/api.Dockerfile": "FROM\nCOPY [\nADD --from=x\n", "OWNERS": ""}
    for path in ("services/api", "services/worker", "services/web"):
        facts = service_facts(files, path)
        for check in (*ops.CHECKS, *docs.CHECKS):
            assert check.judge is not None
            assert check.judge(facts).outcome in (
                Outcome.PASS,
                Outcome.FAIL,
                Outcome.NOT_APPLICABLE,
            ), (path, check.id)


def test_workloads_in_a_shared_folder_go_to_the_best_named_service() -> None:
    files: dict[str, str] = {}
    for name in ("user-service", "order-service"):
        files[f"services/{name}/pyproject.toml"] = f'[project]\nname = "{name}"\nversion = "1"\n'
        files[f"services/{name}/src/app/main.py"] = FASTAPI
    files["k8s/user-service-deployment.yaml"] = deployment("user-service", replicas=3)
    files["k8s/order-service-deployment.yaml"] = deployment("order-service", replicas=1)
    assert run_judge(judge_high_availability, files, "services/user-service")[0] is Outcome.PASS
    outcome, _, findings = run_judge(judge_high_availability, files, "services/order-service")
    assert outcome is Outcome.FAIL
    assert [f.split(":")[0] for f in findings] == ["k8s/order-service-deployment.yaml"]
