"""Deployment facts: Kubernetes manifests, Helm charts, Kustomize, compose,
progressive delivery and mesh circuit breaking."""

from __future__ import annotations

import pickle
import time

from prodready.scan.facts.deploy import (
    DeployFacts,
    Workload,
    deploy_facts,
    is_compose_path,
    is_deploy_candidate,
    parse_deploy_file,
)
from prodready.scan.facts.source import InMemoryFiles

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels: {app: orders}
  template:
    metadata:
      labels:
        app: orders
        tier: backend
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
      initContainers:
        - name: migrate
          image: ghcr.io/acme/orders:1.4.2
          securityContext:
            runAsUser: 0
      containers:
        - name: orders
          image: ghcr.io/acme/orders:1.4.2
          ports:
            - containerPort: 8080
          livenessProbe:
            httpGet:
              path: /healthz
              port: 8080
          readinessProbe:
            grpc:
              port: 9090
          startupProbe:
            tcpSocket: {port: 8080}
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
        - name: sidecar
          image: envoyproxy/envoy:v1.31.0
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: orders
spec:
  minAvailable: 2
  selector:
    matchLabels:
      app: orders
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: orders
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: orders}
  minReplicas: 3
  maxReplicas: 12
"""

BARE_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: legacy
spec:
  template:
    spec:
      containers:
        - name: legacy
          image: legacy:latest
          resources: {}
"""


def _only(facts: DeployFacts, name: str) -> Workload:
    found = [w for w in facts.workloads if w.name == name]
    assert len(found) == 1, [w.name for w in facts.workloads]
    return found[0]


def test_deployment_with_probes_resources_and_security() -> None:
    facts = deploy_facts(InMemoryFiles({"k8s/orders.yaml": DEPLOYMENT}))
    orders = _only(facts, "orders")
    assert orders.kind == "Deployment"
    assert orders.line == 1
    assert orders.namespace == "shop"
    assert orders.replicas == 3
    assert orders.pod_labels == (("app", "orders"), ("tier", "backend"))
    main, sidecar = orders.containers
    assert main.liveness is not None
    assert (main.liveness.line, main.liveness.handler, main.liveness.path) == (
        29,
        "httpGet",
        "/healthz",
    )
    assert main.liveness.port == "8080"
    assert main.readiness is not None
    assert main.readiness.handler == "grpc"
    assert main.startup is not None
    assert main.startup.handler == "tcpSocket"
    assert main.resources is not None
    assert main.resources.line == 38
    assert main.resources.requests == (("cpu", "100m"), ("memory", "128Mi"))
    assert main.resources.limits == (("memory", "256Mi"),)
    assert main.ports == ("8080",)
    assert sidecar.probes == ()
    assert sidecar.resources is None
    # pod-level runAsNonRoot covers the containers; the init container overrides it.
    assert orders.non_root(main) is True
    (migrate,) = orders.init_containers
    assert migrate.init
    assert orders.non_root(migrate) is False
    assert facts.has_manifests


def test_autoscaler_and_pdb_are_matched_to_their_workload() -> None:
    facts = deploy_facts(
        InMemoryFiles({"k8s/orders.yaml": DEPLOYMENT, "k8s/legacy.yaml": BARE_DEPLOYMENT})
    )
    orders, legacy = _only(facts, "orders"), _only(facts, "legacy")
    (hpa,) = facts.autoscalers_for(orders)
    assert (hpa.line, hpa.min_replicas, hpa.max_replicas) == (57, 3, 12)
    (pdb,) = facts.disruption_budgets_for(orders)
    assert pdb.min_available == "2"
    assert pdb.line == 47
    assert facts.autoscalers_for(legacy) == ()
    assert facts.disruption_budgets_for(legacy) == ()


def test_deployment_without_probes_and_with_empty_resources() -> None:
    facts = deploy_facts(InMemoryFiles({"k8s/legacy.yaml": BARE_DEPLOYMENT}))
    legacy = _only(facts, "legacy")
    (container,) = legacy.containers
    assert container.probes == ()
    assert container.resources is not None
    assert not container.resources.has_requests
    assert not container.resources.has_limits
    assert legacy.replicas is None
    assert legacy.non_root(container) is None


def test_multi_document_with_a_bad_document_keeps_the_good_ones() -> None:
    text = BARE_DEPLOYMENT + "---\nkind: [unclosed\n---\n" + DEPLOYMENT
    result = parse_deploy_file("k8s/all.yaml", text)
    assert result is not None
    assert [w.name for w in result.workloads] == ["legacy", "orders"]
    (problem,) = result.problems
    assert problem.path == "k8s/all.yaml"
    assert problem.line is not None
    assert 12 <= problem.line <= 14
    orders = result.workloads[1]
    assert orders.line == 15  # located in the file, not in its document


def test_list_kind_and_all_workload_kinds() -> None:
    text = """\
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db}
    spec:
      replicas: 2
      template:
        spec:
          containers: [{name: db, image: postgres:16}]
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly}
    spec:
      jobTemplate:
        spec:
          template:
            spec:
              containers:
                - name: job
                  image: job:1
                  resources: {limits: {cpu: "1"}}
---
apiVersion: v1
kind: Pod
metadata: {name: debug}
spec:
  containers: [{name: sh, image: busybox:1.36}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  template:
    spec:
      containers: [{name: agent, image: agent:2}]
"""
    facts = deploy_facts(InMemoryFiles({"manifests/list.yaml": text}))
    kinds = {w.name: w.kind for w in facts.workloads}
    assert kinds == {
        "db": "StatefulSet",
        "nightly": "CronJob",
        "debug": "Pod",
        "agent": "DaemonSet",
    }
    nightly = _only(facts, "nightly")
    assert nightly.containers[0].resources is not None
    assert nightly.containers[0].resources.limits == (("cpu", "1"),)
    assert _only(facts, "db").line == 4


def test_json_manifest_and_non_k8s_yaml_are_handled() -> None:
    json_text = (
        '{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "j"},\n'
        ' "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i:1",\n'
        '   "readinessProbe": {"httpGet": {"path": "/ready", "port": 80}}}]}}}}\n'
    )
    facts = deploy_facts(
        InMemoryFiles(
            {
                "deploy/app.json": json_text,
                "mkdocs.yml": "site_name: x\nnav: [a]\n",
                "config/app.yaml": "kind: not-a-workload\nvalue: 1\n",
            }
        )
    )
    (workload,) = facts.workloads
    assert workload.containers[0].readiness is not None
    assert workload.containers[0].readiness.line == 3
    assert facts.problems == ()


HELM_VALUES = """\
replicaCount: 2
image:
  repository: ghcr.io/acme/web
  tag: ""
autoscaling:
  enabled: false
  minReplicas: 2
podDisruptionBudget:
  enabled: true
resources: {}
  # limits:
  #   cpu: 100m
livenessProbe:
  httpGet:
    path: /livez
    port: http
podSecurityContext:
  runAsNonRoot: true
"""

HELM_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "web.fullname" . }}
  labels:
    {{- include "web.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "web.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "web.selectorLabels" . | nindent 8 }}
    spec:
      securityContext:
        {{- toYaml .Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default "x" }}"
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}
          {{- with .Values.livenessProbe }}
          livenessProbe:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with .Values.readinessProbe }}
          readinessProbe:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
"""

HELM_HPA = """\
{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "web.fullname" . }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "web.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
{{- end }}
"""

HELM_PDB = """\
{{- if .Values.podDisruptionBudget.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "web.fullname" . }}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      {{- include "web.selectorLabels" . | nindent 6 }}
{{- end }}
"""

# Not YAML even with actions blanked: a range that emits list items at a
# different indentation, and a conditional key without a value.
HELM_WORKER = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  template:
    spec:
      containers:
      {{- range .Values.workers }}
      - name: {{ .name }}
        readinessProbe:
          exec: {command: [cat, /tmp/ready]}
  {{- end }}
        resources:
            limits: {cpu: 1}
       bad: indentation
"""


def _chart_files() -> dict[str, str]:
    return {
        "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.2.0\ntype: application\n",
        "charts/web/values.yaml": HELM_VALUES,
        "charts/web/values-prod.yaml": "readinessProbe:\n  httpGet: {path: /readyz, port: http}\n",
        "charts/web/templates/deployment.yaml": HELM_DEPLOYMENT,
        "charts/web/templates/hpa.yaml": HELM_HPA,
        "charts/web/templates/pdb.yaml": HELM_PDB,
        "charts/web/templates/worker.yaml": HELM_WORKER,
        "charts/web/templates/_helpers.tpl": '{{- define "web.fullname" -}}web{{- end }}\n',
        "charts/web/templates/NOTES.txt": "Get the URL: {{ .Values.x }}\n",
    }


def test_helm_chart_templated_probes_resolved_against_values() -> None:
    facts = deploy_facts(InMemoryFiles(_chart_files()))
    (chart,) = facts.helm_charts
    assert chart.name == "web"
    assert chart.version == "1.2.0"
    assert chart.values_files == ("charts/web/values.yaml", "charts/web/values-prod.yaml")
    assert chart.replica_count == 2
    assert chart.autoscaling_enabled is False
    assert chart.values_resources is False
    assert "charts/web/templates/deployment.yaml" in chart.templates
    web = next(w for w in facts.workloads if w.path.endswith("deployment.yaml"))
    assert web.templated
    assert web.replicas == 2  # {{ .Values.replicaCount }}
    (container,) = web.containers
    assert container.name == "(templated)"
    assert container.liveness is not None
    assert container.liveness.source == "helm-values"
    assert container.liveness.values_ref == "livenessProbe"
    assert container.liveness.path == "/livez"
    assert container.liveness.line == 28
    # readinessProbe only set in values-prod.yaml: still declared.
    assert container.readiness is not None
    assert container.readiness.handler == "httpGet"
    # resources: {} in values.yaml -> nothing requested, and a note says why.
    assert container.resources is not None
    assert not container.resources.has_requests
    assert not container.resources.has_limits
    assert any(".Values.resources" in note for note in facts.notes)
    assert web.pod_security is not None
    assert web.pod_security.run_as_non_root is True
    assert web.non_root(container) is True
    # No "malformed YAML" for templates, not even for the one that is not YAML.
    assert facts.problems == ()


def test_helm_conditional_objects_follow_values() -> None:
    facts = deploy_facts(InMemoryFiles(_chart_files()))
    assert facts.autoscalers == ()  # autoscaling.enabled: false
    assert any("autoscaling.enabled" in note for note in facts.notes)
    (pdb,) = facts.disruption_budgets
    assert pdb.helm_condition == "podDisruptionBudget.enabled"
    enabled = _chart_files()
    enabled["charts/web/values.yaml"] = HELM_VALUES.replace(
        "autoscaling:\n  enabled: false", "autoscaling:\n  enabled: true"
    )
    facts = deploy_facts(InMemoryFiles(enabled))
    (hpa,) = facts.autoscalers
    assert hpa.line == 2
    assert hpa.helm_condition == "autoscaling.enabled"


def test_helm_template_that_is_not_yaml_is_read_line_by_line() -> None:
    facts = deploy_facts(InMemoryFiles(_chart_files()))
    worker = next(w for w in facts.workloads if w.path.endswith("worker.yaml"))
    assert worker.text_level
    assert worker.name == "worker"
    (container,) = worker.containers
    assert container.readiness is not None
    assert container.readiness.line == 11
    assert container.liveness is None
    assert container.resources is not None


def test_helm_with_probe_missing_from_values_is_not_declared() -> None:
    files = _chart_files()
    files["charts/web/values.yaml"] = HELM_VALUES.replace(
        "livenessProbe:\n  httpGet:\n    path: /livez\n    port: http\n", ""
    )
    facts = deploy_facts(InMemoryFiles(files))
    web = next(w for w in facts.workloads if w.path.endswith("deployment.yaml"))
    assert web.containers[0].liveness is None
    assert any("liveness probe is templated" in note for note in facts.notes)


def test_helm_literal_probes_and_resolved_resources() -> None:
    files = {
        "deploy/chart/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\n",
        "deploy/chart/values.yaml": "resources:\n  requests:\n    cpu: 50m\n    memory: 64Mi\n",
        "deploy/chart/templates/deploy.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-api
spec:
  replicas: {{ .Values.replicas | default 1 }}
  template:
    spec:
      containers:
        - name: api
          image: {{ .Values.image }}
          livenessProbe:
            httpGet:
              path: /healthz
              port: 8080
          readinessProbe: {{- include "api.readiness" . | nindent 12 }}
          resources: {{- toYaml .Values.resources | nindent 12 }}
""",
    }
    facts = deploy_facts(InMemoryFiles(files))
    (api,) = facts.workloads
    (container,) = api.containers
    assert container.liveness is not None
    assert container.liveness.source == "literal"
    assert container.readiness is not None
    assert container.readiness.source == "template"  # a named template: assumed present
    assert container.resources is not None
    assert container.resources.requests == (("cpu", "50m"), ("memory", "64Mi"))
    assert api.replicas is None  # values has no "replicas": unknown, not invented


KUSTOMIZE = {
    "deploy/base/kustomization.yaml": "resources:\n  - deployment.yaml\n  - service.yaml\n",
    "deploy/base/deployment.yaml": BARE_DEPLOYMENT,
    "deploy/base/service.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: legacy}\n",
    "deploy/overlays/prod/kustomization.yaml": """\
resources:
  - ../../base
  - https://github.com/acme/shared//monitoring?ref=v1.0.0
patches:
  - path: probes.yaml
  - target:
      kind: Deployment
      name: legacy
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/readinessProbe
        value: {httpGet: {path: /ready, port: 8080}}
patchesStrategicMerge:
  - |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: legacy
    spec:
      template:
        spec:
          securityContext:
            runAsNonRoot: true
replicas:
  - name: legacy
    count: 3
""",
    "deploy/overlays/prod/probes.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: legacy
spec:
  template:
    spec:
      containers:
        - name: legacy
          livenessProbe:
            httpGet: {path: /live, port: 8080}
          resources:
            requests: {cpu: 200m}
            limits: {memory: 512Mi}
""",
    "deploy/overlays/prod/ops.yaml": "- op: replace\n  path: /spec/replicas\n  value: 4\n",
}


def test_kustomize_overlay_patches_are_matched_to_base_workloads() -> None:
    files = dict(KUSTOMIZE)
    files["deploy/overlays/prod/kustomization.yaml"] += (
        "patchesJson6902:\n  - target: {kind: Deployment, name: legacy}\n    path: ops.yaml\n"
    )
    facts = deploy_facts(InMemoryFiles(files))
    # The patch file is not a second workload.
    (legacy,) = facts.workloads
    assert legacy.path == "deploy/base/deployment.yaml"
    overlay = next(k for k in facts.kustomizations if "prod" in k.path)
    assert overlay.remote_resources == ("https://github.com/acme/shared//monitoring?ref=v1.0.0",)
    assert overlay.replicas == (("legacy", 3),)
    assert set(overlay.patch_files) == {
        "deploy/overlays/prod/probes.yaml",
        "deploy/overlays/prod/ops.yaml",
    }
    patches = facts.patches_for(legacy)
    by_path = {(p.path, p.line): p for p in patches}
    file_patch = by_path[("deploy/overlays/prod/probes.yaml", 1)]
    assert file_patch.probes == ("liveness",)
    assert file_patch.resources
    inline_ops = next(p for p in patches if p.probes == ("readiness",))
    assert inline_ops.path == "deploy/overlays/prod/kustomization.yaml"
    assert inline_ops.line == 6
    strategic = next(p for p in patches if p.non_root is True)
    assert strategic.target_name == "legacy"
    replicas_patch = next(p for p in patches if p.replicas == 4)
    assert replicas_patch.path == "deploy/overlays/prod/ops.yaml"
    assert all(p.patched == (legacy.location,) for p in patches)
    assert len(patches) == 4


def test_compose_files_and_test_environments() -> None:
    files = {
        "docker-compose.yml": """\
services:
  api:
    build: .
    user: "10001"
    depends_on:
      db:
        condition: service_healthy
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8080/healthz"]
  db:
    image: postgres:16
    healthcheck:
      disable: true
""",
        "docker-compose.test.yml": "services:\n  sut:\n    build: .\n    command: pytest -q\n",
        "deploy/compose.ci.yaml": "services:\n  api:\n    image: api:1\n",
        "local/compose.yaml": "services:\n  web:\n    image: nginx:1.27\n",
        "tests/integration/conftest.py": (
            "import subprocess\n\n"
            "def pytest_sessionstart():\n"
            '    subprocess.run(["docker", "compose", "-f", "local/compose.yaml", "up", "-d"])\n'
        ),
    }
    facts = deploy_facts(InMemoryFiles(files))
    compose = {c.path: c for c in facts.compose_files}
    main = compose["docker-compose.yml"]
    api, db = main.services
    assert (api.name, api.line, api.build, api.healthcheck, api.user) == (
        "api",
        2,
        True,
        True,
        "10001",
    )
    assert api.waits_for_healthy
    assert api.depends_on == ("db",)
    assert db.healthcheck is False
    assert db.image == "postgres:16"
    assert not main.is_test_env
    assert compose["docker-compose.test.yml"].test_reasons == ("name", "runs tests")
    assert compose["deploy/compose.ci.yaml"].test_reasons == ("name",)
    used = compose["local/compose.yaml"]
    assert used.test_reasons == ("used by tests/integration/conftest.py:4",)
    assert {c.path for c in facts.test_compose_files} == {
        "docker-compose.test.yml",
        "deploy/compose.ci.yaml",
        "local/compose.yaml",
    }


def test_compose_default_file_used_by_makefile_test_target_and_ci() -> None:
    makefile = (
        "build:\n\tdocker compose build\n\n"
        "integration-test:\n\tdocker compose up -d\n\tpytest tests/integration\n"
    )
    facts = deploy_facts(
        InMemoryFiles(
            {"compose.yaml": "services:\n  api:\n    image: api:1\n", "Makefile": makefile}
        )
    )
    (compose,) = facts.compose_files
    assert compose.test_reasons == ("used by Makefile:5",)
    only_build = deploy_facts(
        InMemoryFiles(
            {
                "compose.yaml": "services:\n  api:\n    image: api:1\n",
                "Makefile": "build:\n\tdocker compose build\nrelease:\n\tdocker compose up\n",
            }
        )
    )
    assert not only_build.compose_files[0].is_test_env
    ci = deploy_facts(
        InMemoryFiles(
            {
                "docker-compose.yml": "services:\n  api:\n    image: api:1\n",
                ".github/workflows/e2e.yml": "jobs:\n  e2e:\n    steps:\n"
                "      - run: docker-compose up -d\n      - run: npm run e2e\n",
            }
        )
    )
    assert ci.compose_files[0].test_reasons == ("used by .github/workflows/e2e.yml:4",)


def test_progressive_delivery_argo_flagger_istio() -> None:
    rollout = """\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: checkout
spec:
  replicas: 5
  strategy:
    canary:
      canaryService: checkout-canary
      trafficRouting:
        istio:
          virtualService: {name: checkout}
      steps:
        - setWeight: 10
        - pause: {duration: 5m}
        - analysis:
            templates: [{templateName: success-rate}]
        - setWeight: 50
        - pause: {}
  template:
    spec:
      containers:
        - name: checkout
          image: checkout:2.0.1
          readinessProbe: {httpGet: {path: /ready, port: 8080}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: search}
spec:
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: search}
  strategy:
    blueGreen:
      activeService: search
      previewService: search-preview
      autoPromotionEnabled: false
"""
    flagger = """\
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: podinfo}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  analysis:
    interval: 1m
    threshold: 5
    maxWeight: 50
    stepWeight: 10
    metrics:
      - name: request-success-rate
        thresholdRange: {min: 99}
"""
    istio = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
    - route:
        - destination: {host: reviews, subset: v1}
          weight: 90
        - destination: {host: reviews, subset: v2}
          weight: 10
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: plain}
spec:
  http:
    - route:
        - destination: {host: plain}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews.prod.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 100}
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 30s
      baseEjectionTime: 60s
  subsets:
    - name: v2
      labels: {version: v2}
      trafficPolicy:
        outlierDetection: {consecutiveGatewayErrors: 3}
"""
    facts = deploy_facts(
        InMemoryFiles(
            {"k8s/rollout.yaml": rollout, "k8s/canary.yaml": flagger, "mesh/istio.yaml": istio}
        )
    )
    by_target = {(p.tool, p.target): p for p in facts.progressive_delivery}
    canary = by_target[("argo-rollouts", "checkout")]
    assert (canary.strategy, canary.steps, canary.analysis, canary.line) == ("canary", 5, True, 8)
    assert "istio" in canary.detail
    blue_green = by_target[("argo-rollouts", "search")]
    assert blue_green.strategy == "blueGreen"
    assert blue_green.detail == "manual promotion"
    flagged = by_target[("flagger", "podinfo")]
    assert (flagged.strategy, flagged.steps, flagged.analysis) == ("canary", 5, True)
    weighted = by_target[("istio", "reviews")]
    assert weighted.strategy == "weighted"
    assert weighted.detail == "weights 90/10"
    assert weighted.line == 7
    assert ("istio", "plain") not in by_target
    rollouts = {w.name: w for w in facts.workloads if w.kind == "Rollout"}
    assert rollouts["checkout"].replicas == 5
    assert rollouts["search"].workload_ref == "search"
    outliers = facts.outlier_detection
    assert [(o.line, o.consecutive_errors, o.connection_pool) for o in outliers] == [
        (29, 5, True),
        (37, 3, False),
    ]
    assert outliers[0].host == "reviews.prod.svc.cluster.local"
    assert outliers[0].detail == "base ejection 60s"


def test_other_traffic_splitters_and_spinnaker() -> None:
    httproute = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: store}
spec:
  rules:
    - backendRefs:
        - {name: store-v1, port: 8080, weight: 95}
        - {name: store-v2, port: 8080, weight: 5}
"""
    spinnaker = (
        '{"application": "orders", "stages": [{"type": "deploy"},'
        ' {"type": "kayentaCanary", "name": "Canary Analysis"}]}'
    )
    envoy = """\
static_resources:
  clusters:
    - name: backend
      circuit_breakers:
        thresholds: [{max_connections: 100}]
      outlier_detection:
        consecutive_5xx: 5
"""
    facts = deploy_facts(
        InMemoryFiles(
            {
                "k8s/route.yaml": httproute,
                ".spinnaker/pipeline.json": spinnaker,
                "envoy.yaml": envoy,
            }
        )
    )
    tools = sorted((p.tool, p.strategy) for p in facts.progressive_delivery)
    assert tools == [("gateway-api", "weighted"), ("spinnaker", "canary")]
    (envoy_cb,) = facts.outlier_detection
    assert (envoy_cb.tool, envoy_cb.host, envoy_cb.consecutive_errors) == ("envoy", "backend", 5)


def test_yaml_bomb_is_bounded_and_reported() -> None:
    lol = '["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
    lines = [f"a0: &a0 {lol}"]
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    bomb = "kind: Deployment\n" + "\n".join(lines) + "\n"
    started = time.perf_counter()
    result = parse_deploy_file("k8s/bomb.yaml", bomb)
    elapsed = time.perf_counter() - started
    assert result is not None
    assert any("too many YAML nodes" in p.message for p in result.problems)
    assert elapsed < 30  # generous: the point is that it returns at all
    recursive = parse_deploy_file("k8s/rec.yaml", "kind: Pod\nspec: &s\n  x: *s\n")
    assert recursive is not None


def test_per_file_results_are_picklable_and_candidates_filtered() -> None:
    result = parse_deploy_file("k8s/orders.yaml", DEPLOYMENT)
    assert result is not None
    assert pickle.loads(pickle.dumps(result)) == result
    facts = deploy_facts(InMemoryFiles({"k8s/orders.yaml": DEPLOYMENT}))
    assert pickle.loads(pickle.dumps(facts)) == facts
    assert is_deploy_candidate("deploy/app.yaml")
    assert not is_deploy_candidate("pnpm-lock.yaml")
    assert not is_deploy_candidate("README.md")
    assert is_compose_path("docker-compose.override.yml")
    assert is_compose_path("compose.ci.yaml")
    assert not is_compose_path("composer.json")
    assert parse_deploy_file("docs/notes.yaml", "title: nothing here\n") is None


def test_no_manifests() -> None:
    facts = deploy_facts(InMemoryFiles({"main.go": "package main\n"}))
    assert not facts.has_manifests
    assert facts.workloads == ()


def test_helm_literal_empty_value_before_end_is_not_templated() -> None:
    files = {
        "c/Chart.yaml": "apiVersion: v2\nname: c\nversion: 1.0.0\n",
        "c/values.yaml": "resources:\n  limits: {cpu: 1}\n",
        "c/templates/d.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
        - name: d
          image: d:1
          {{- if .Values.debug }}
          resources: {}
          {{- end }}
""",
    }
    (workload,) = deploy_facts(InMemoryFiles(files)).workloads
    resources = workload.containers[0].resources
    assert resources is not None
    assert resources.source == "literal"
    assert not resources.has_limits


def test_helm_hpa_and_pdb_with_templated_targets_match_the_chart_workload() -> None:
    files = _chart_files()
    files["charts/web/values.yaml"] = HELM_VALUES.replace(
        "autoscaling:\n  enabled: false", "autoscaling:\n  enabled: true"
    )
    facts = deploy_facts(InMemoryFiles(files))
    web = next(w for w in facts.workloads if w.path.endswith("deployment.yaml"))
    assert web.long_running
    (hpa,) = facts.autoscalers_for(web)
    assert hpa.target_name is None
    assert hpa.templated
    (pdb,) = facts.disruption_budgets_for(web)
    assert pdb.path == "charts/web/templates/pdb.yaml"
    plain = deploy_facts(InMemoryFiles({"k8s/orders.yaml": BARE_DEPLOYMENT, **files}))
    legacy = _only(plain, "legacy")
    assert plain.autoscalers_for(legacy) == ()
    assert plain.disruption_budgets_for(legacy) == ()


def test_helm_guard_inside_one_document_does_not_disable_the_next() -> None:
    files = {
        "c/Chart.yaml": "apiVersion: v2\nname: c\nversion: 1.0.0\n",
        "c/values.yaml": "podAnnotations: {}\nautoscaling:\n  enabled: true\n",
        "c/templates/app.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    metadata:
      {{- if .Values.podAnnotations }}
      annotations:
        {{- toYaml .Values.podAnnotations | nindent 8 }}
      {{- end }}
    spec:
      containers: [{name: app, image: app:1}]
---
{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: app
spec:
  scaleTargetRef: {kind: Deployment, name: app}
{{- end }}
""",
    }
    facts = deploy_facts(InMemoryFiles(files))
    (hpa,) = facts.autoscalers
    assert hpa.helm_condition == "autoscaling.enabled"
    (workload,) = facts.workloads
    assert workload.helm_condition is None


def test_ci_pipelines_are_left_to_the_ci_collector() -> None:
    broken_workflow = "jobs:\n  test:\n    steps: [\n      - run: docker compose up -d\n"
    result = parse_deploy_file(".github/workflows/ci.yml", broken_workflow)
    assert result is not None
    assert result.problems == ()
    assert [(m.line, m.file, m.context) for m in result.compose_mentions] == [(4, None, "ci")]
