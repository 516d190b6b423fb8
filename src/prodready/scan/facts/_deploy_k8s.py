"""Kubernetes objects read from parsed YAML documents.

Workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod,
Argo Rollout, OpenShift DeploymentConfig, Knative Service) with their
containers and init containers, probes, resources and security contexts;
autoscalers (HPA, KEDA ScaledObject), PodDisruptionBudgets; progressive
delivery (Argo Rollouts strategies, Flagger Canary, Istio/Gateway API/SMI/
Knative weighted routes); mesh circuit breaking (Istio DestinationRule
``outlierDetection``, Envoy ``outlier_detection``/``circuit_breakers``).

The public dataclasses are re-exported by ``prodready.scan.facts.deploy``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from prodready.scan.facts._deploy_helm import PLACEHOLDER, Neutralised, TextKey, is_placeholder
from prodready.scan.facts._yamltree import as_str, line_of, walk_path

WORKLOAD_KINDS = frozenset(
    {
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "ReplicationController",
        "Job",
        "CronJob",
        "Pod",
        "Rollout",
        "DeploymentConfig",
    }
)
PROBE_KEYS = {"livenessProbe": "liveness", "readinessProbe": "readiness", "startupProbe": "startup"}
_HANDLERS = ("httpGet", "tcpSocket", "exec", "grpc")


@dataclass(frozen=True, slots=True)
class Probe:
    """A declared probe. ``source`` says how sure we are:
    "literal" (written in the manifest), "helm-values" (a template filled
    from a non-empty values entry), "template" (templated, not resolvable:
    assumed present)."""

    kind: str
    line: int
    handler: str | None
    path: str | None = None
    port: str | None = None
    source: str = "literal"
    values_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Resources:
    """Declared requests and limits as (resource, quantity) pairs."""

    line: int
    requests: tuple[tuple[str, str], ...] = ()
    limits: tuple[tuple[str, str], ...] = ()
    source: str = "literal"
    values_ref: str | None = None

    @property
    def has_requests(self) -> bool:
        return bool(self.requests)

    @property
    def has_limits(self) -> bool:
        return bool(self.limits)


@dataclass(frozen=True, slots=True)
class SecurityContext:
    line: int
    run_as_non_root: bool | None = None
    run_as_user: int | None = None
    source: str = "literal"
    values_ref: str | None = None

    @property
    def non_root(self) -> bool | None:
        """True/False when this context decides it, None when it does not say."""
        if self.run_as_user is not None:
            return self.run_as_user != 0
        return self.run_as_non_root


@dataclass(frozen=True, slots=True)
class Container:
    name: str
    line: int
    image: str | None
    init: bool
    liveness: Probe | None = None
    readiness: Probe | None = None
    startup: Probe | None = None
    resources: Resources | None = None
    security: SecurityContext | None = None
    ports: tuple[str, ...] = ()

    @property
    def probes(self) -> tuple[Probe, ...]:
        return tuple(p for p in (self.liveness, self.readiness, self.startup) if p is not None)


@dataclass(frozen=True, slots=True)
class Workload:
    path: str
    line: int
    kind: str
    name: str | None
    namespace: str | None
    api_version: str | None
    replicas: int | None
    """Declared ``spec.replicas`` (resolved from values for Helm); None when absent."""
    containers: tuple[Container, ...]
    init_containers: tuple[Container, ...] = ()
    pod_security: SecurityContext | None = None
    pod_labels: tuple[tuple[str, str], ...] = ()
    templated: bool = False
    """Read from a Helm (or other ``{{ }}``) template."""
    text_level: bool = False
    """The template did not parse even neutralised: keys were found line by line."""
    helm_condition: str | None = None
    """``.Values`` path of an ``{{ if }}`` guarding the whole object."""
    workload_ref: str | None = None
    """Argo Rollout ``spec.workloadRef``: the Deployment whose pod template it uses."""
    replicas_values_ref: str | None = None
    """Helm: the ``.Values`` path ``replicas`` is templated from (before resolution)."""
    notes: tuple[str, ...] = ()
    name_template: str | None = None
    """A templated ``metadata.name`` with its actions as placeholders
    (``__TPL__-api`` for ``{{ .Release.Name }}-api``); ``name`` is then None."""

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def long_running(self) -> bool:
        """Serves continuously (probes and replicas matter), unlike Jobs,
        CronJobs and bare Pods."""
        return self.kind not in ("Job", "CronJob", "Pod")

    def non_root(self, container: Container) -> bool | None:
        """Whether ``container`` runs as non-root: its own securityContext
        decides first, then the pod's; None when neither says."""
        if container.security is not None and container.security.non_root is not None:
            return container.security.non_root
        if self.pod_security is not None:
            return self.pod_security.non_root
        return None


@dataclass(frozen=True, slots=True)
class Autoscaler:
    path: str
    line: int
    kind: str
    """"HorizontalPodAutoscaler" or "ScaledObject" (KEDA)."""
    name: str | None
    target_kind: str | None
    target_name: str | None
    min_replicas: int | None
    max_replicas: int | None
    helm_condition: str | None = None
    templated: bool = False
    """From a Helm template: a templated target (None) means "this chart's workload"."""
    target_template: str | None = None
    """A templated target name with placeholders (``__TPL__-api``); it selects
    the chart's workload whose ``name_template`` is the same."""
    min_replicas_values_ref: str | None = None
    """Helm: the ``.Values`` path ``minReplicas`` is templated from (before resolution)."""


@dataclass(frozen=True, slots=True)
class DisruptionBudget:
    path: str
    line: int
    name: str | None
    match_labels: tuple[tuple[str, str], ...]
    min_available: str | None
    max_unavailable: str | None
    helm_condition: str | None = None
    templated: bool = False
    """From a Helm template: templated labels (none left) select this chart's pods."""


@dataclass(frozen=True, slots=True)
class ProgressiveDelivery:
    """A canary, blue/green or weighted rollout definition."""

    path: str
    line: int
    tool: str
    """"argo-rollouts", "flagger", "istio", "gateway-api", "smi", "knative",
    "spinnaker" or "kayenta"."""
    strategy: str
    """"canary", "blueGreen", "ab", "weighted"."""
    target: str | None
    steps: int = 0
    analysis: bool = False
    """Automated analysis gates the promotion (metrics, AnalysisTemplate, Kayenta)."""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class OutlierDetection:
    """Mesh-level circuit breaking (``res.circuit-breaker``)."""

    path: str
    line: int
    tool: str
    """"istio" (DestinationRule) or "envoy"."""
    host: str | None
    consecutive_errors: int | None
    detail: str = ""
    connection_pool: bool = False


@dataclass(slots=True)
class K8sObjects:
    """Mutable accumulator for one file (converted to tuples by the caller)."""

    workloads: list[Workload]
    autoscalers: list[Autoscaler]
    budgets: list[DisruptionBudget]
    progressive: list[ProgressiveDelivery]
    outliers: list[OutlierDetection]

    @classmethod
    def empty(cls) -> K8sObjects:
        return cls([], [], [], [], [])


# --------------------------------------------------------------------------- helpers


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        return ()
    return tuple((str(k), as_str(v) or "") for k, v in value.items() if v is not None and v != "")


class Context:
    """Where objects come from: the file, and the template info when templated."""

    def __init__(self, path: str, template: Neutralised | None, guard: str | None) -> None:
        self.path = path
        self.template = template
        self.guard = guard

    def templated_at(self, line: int) -> str | None:
        """None when the key at ``line`` is literal, else its values ref or ""."""
        if self.template is None or not self.template.templated(line):
            return None
        return self.template.ref_near(line) or ""


TEMPLATED = (("*", "templated"),)
"""Stands for requests/limits that a template fills in and we could not resolve."""


def _probe(ctx: Context, parent: dict[str, Any], key: str) -> Probe | None:
    if key not in parent:
        return None
    value = parent.get(key)
    line = line_of(parent, key) or 1
    kind = PROBE_KEYS[key]
    if isinstance(value, dict) and value and not all(is_placeholder(v) for v in value.values()):
        handler = next((h for h in _HANDLERS if h in value), None)
        body = value.get(handler) if handler else None
        body = body if isinstance(body, dict) else {}
        path = as_str(body.get("path")) if handler == "httpGet" else None
        return Probe(kind, line, handler, path=path, port=as_str(body.get("port")))
    # Only an empty value can have been filled by a template (``resources: {}``
    # is literal, even right before an ``{{- end }}``).
    ref = ctx.templated_at(line) if value is None or is_placeholder(value) else None
    if ref is not None or is_placeholder(value):
        return Probe(kind, line, None, source="template", values_ref=ref or None)
    return None  # ``livenessProbe:`` with nothing under it declares nothing


def _templated_part(ctx: Context, mapping: dict[str, Any], key: str) -> str | None:
    """None when ``mapping[key]`` is literal (or absent), else its values ref or ""."""
    if key not in mapping or _pairs(mapping.get(key)):
        return None
    if is_placeholder(mapping.get(key)):
        return ctx.templated_at(line_of(mapping, key) or 1) or ""
    if mapping.get(key) is not None:
        return None
    return ctx.templated_at(line_of(mapping, key) or 1)


def _resources(ctx: Context, parent: dict[str, Any]) -> Resources | None:
    if "resources" not in parent:
        return None
    value = parent.get("resources")
    line = line_of(parent, "resources") or 1
    if isinstance(value, dict) and value:
        requests, limits = _pairs(value.get("requests")), _pairs(value.get("limits"))
        req_ref = _templated_part(ctx, value, "requests")
        lim_ref = _templated_part(ctx, value, "limits")
        if req_ref is None and lim_ref is None:
            return Resources(line, requests, limits)
        return Resources(
            line,
            requests or (TEMPLATED if req_ref is not None else ()),
            limits or (TEMPLATED if lim_ref is not None else ()),
            source="template",
            values_ref=req_ref or lim_ref or None,
        )
    # Only an empty value can have been filled by a template (``resources: {}``
    # is literal, even right before an ``{{- end }}``).
    ref = ctx.templated_at(line) if value is None or is_placeholder(value) else None
    if ref is not None or is_placeholder(value):
        return Resources(line, TEMPLATED, TEMPLATED, "template", ref or None)
    return Resources(line)  # ``resources: {}``: nothing requested, nothing limited


def _security(ctx: Context, parent: Any, key: str) -> SecurityContext | None:
    if key not in parent:
        return None
    value = parent.get(key)
    line = line_of(parent, key) or 1
    if isinstance(value, dict) and value:
        non_root = value.get("runAsNonRoot")
        user = value.get("runAsUser")
        templated_fields = is_placeholder(non_root) or is_placeholder(user)
        return SecurityContext(
            line,
            non_root if isinstance(non_root, bool) else None,
            _int(user),
            source="template" if templated_fields else "literal",
            values_ref=ctx.templated_at(line_of(value, "runAsNonRoot") or line) or None
            if templated_fields
            else None,
        )
    # Only an empty value can have been filled by a template (``resources: {}``
    # is literal, even right before an ``{{- end }}``).
    ref = ctx.templated_at(line) if value is None or is_placeholder(value) else None
    if ref is not None or is_placeholder(value):
        return SecurityContext(line, source="template", values_ref=ref or None)
    return None


def _container(ctx: Context, value: Any, index: int, init: bool) -> Container | None:
    if not isinstance(value, dict):
        return None
    ports = value.get("ports")
    port_list: tuple[str, ...] = ()
    if isinstance(ports, list):
        port_list = tuple(
            as_str(p.get("containerPort")) or "" for p in ports if isinstance(p, dict)
        )
    name = as_str(value.get("name"))
    return Container(
        name="(templated)" if is_placeholder(name) else name or f"#{index}",
        line=line_of(value) or 1,
        image=as_str(value.get("image")),
        init=init,
        liveness=_probe(ctx, value, "livenessProbe"),
        readiness=_probe(ctx, value, "readinessProbe"),
        startup=_probe(ctx, value, "startupProbe"),
        resources=_resources(ctx, value),
        security=_security(ctx, value, "securityContext"),
        ports=port_list,
    )


def _containers(ctx: Context, pod_spec: Any, key: str, init: bool) -> tuple[Container, ...]:
    items = pod_spec.get(key) if isinstance(pod_spec, dict) else None
    if not isinstance(items, list):
        return ()
    out = []
    for index, item in enumerate(items):
        container = _container(ctx, item, index, init)
        if container is not None:
            out.append(container)
    return tuple(out)


def _pod_template(kind: str, spec: Any) -> Any:
    if kind == "Pod":
        return None
    if kind == "CronJob":
        return walk_path(spec, "jobTemplate", "spec", "template")
    return walk_path(spec, "template")


def _replicas(ctx: Context, spec: Any) -> tuple[int | None, str | None]:
    """(declared replicas, values ref when templated)."""
    if not isinstance(spec, dict) or "replicas" not in spec:
        return None, None
    value = spec.get("replicas")
    number = _int(value)
    if number is not None:
        return number, None
    line = line_of(spec, "replicas") or 1
    ref = ctx.templated_at(line)
    return None, ref or None


def workload(ctx: Context, doc: dict[str, Any], kind: str) -> Workload | None:
    spec = doc.get("spec")
    metadata = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    name = as_str(metadata.get("name")) if metadata else None
    if kind == "Pod":
        pod_spec, labels = spec, metadata.get("labels") if metadata else None
    else:
        template = _pod_template(kind, spec)
        pod_spec = walk_path(template, "spec")
        labels = walk_path(template, "metadata", "labels")
    workload_ref = None
    if kind == "Rollout":
        ref = walk_path(spec, "workloadRef")
        if isinstance(ref, dict):
            workload_ref = as_str(ref.get("name"))
    if not isinstance(pod_spec, dict) and workload_ref is None and not isinstance(spec, dict):
        return None
    replicas, replicas_ref = _replicas(ctx, spec)
    return Workload(
        path=ctx.path,
        line=line_of(doc) or 1,
        kind=kind,
        name=None if is_placeholder(name) else name,
        namespace=as_str(metadata.get("namespace")) if metadata else None,
        api_version=as_str(doc.get("apiVersion")),
        replicas=replicas,
        containers=_containers(ctx, pod_spec, "containers", False),
        init_containers=_containers(ctx, pod_spec, "initContainers", True),
        pod_security=_security(ctx, pod_spec, "securityContext")
        if isinstance(pod_spec, dict)
        else None,
        pod_labels=_pairs(labels),
        templated=ctx.template is not None,
        helm_condition=ctx.guard,
        workload_ref=workload_ref,
        replicas_values_ref=replicas_ref,
        name_template=name if is_placeholder(name) else None,
    )


def _autoscaler(ctx: Context, doc: dict[str, Any], kind: str) -> Autoscaler:
    spec = _map(doc.get("spec"))
    target = spec.get("scaleTargetRef") if isinstance(spec, dict) else None
    target = target if isinstance(target, dict) else {}
    if kind == "ScaledObject":
        low, high = spec.get("minReplicaCount"), spec.get("maxReplicaCount")
        target_kind = as_str(target.get("kind")) or ("Deployment" if target else None)
    else:
        low, high = spec.get("minReplicas"), spec.get("maxReplicas")
        target_kind = as_str(target.get("kind"))
    target_name = as_str(target.get("name"))
    low_key = "minReplicaCount" if kind == "ScaledObject" else "minReplicas"
    low_ref = None
    if _int(low) is None and low is not None:
        low_ref = ctx.templated_at(line_of(spec, low_key) or 1) or None
    return Autoscaler(
        ctx.path,
        line_of(doc) or 1,
        kind,
        as_str(walk_path(doc, "metadata", "name")),
        target_kind,
        None if is_placeholder(target_name) else target_name,
        _int(low) if low is not None else (1 if kind == "HorizontalPodAutoscaler" else None),
        _int(high),
        helm_condition=ctx.guard,
        templated=ctx.template is not None,
        target_template=target_name if is_placeholder(target_name) else None,
        min_replicas_values_ref=low_ref,
    )


def _budget(ctx: Context, doc: dict[str, Any]) -> DisruptionBudget:
    spec = _map(doc.get("spec"))
    return DisruptionBudget(
        ctx.path,
        line_of(doc) or 1,
        as_str(walk_path(doc, "metadata", "name")),
        _pairs(walk_path(spec, "selector", "matchLabels")),
        as_str(spec.get("minAvailable")) if isinstance(spec, dict) else None,
        as_str(spec.get("maxUnavailable")) if isinstance(spec, dict) else None,
        helm_condition=ctx.guard,
        templated=ctx.template is not None,
    )


# --------------------------------------------------------------------------- delivery


def _rollout_strategy(ctx: Context, doc: dict[str, Any]) -> ProgressiveDelivery | None:
    strategy = walk_path(doc, "spec", "strategy")
    if not isinstance(strategy, dict):
        return None
    name = as_str(walk_path(doc, "metadata", "name"))
    canary = strategy.get("canary")
    if isinstance(canary, dict):
        steps = _list(canary.get("steps"))
        analysis = "analysis" in canary or any(
            isinstance(s, dict) and "analysis" in s for s in steps
        )
        routing = canary.get("trafficRouting")
        detail = f"traffic routing: {', '.join(routing)}" if isinstance(routing, dict) else ""
        return ProgressiveDelivery(
            ctx.path,
            line_of(strategy, "canary") or 1,
            "argo-rollouts",
            "canary",
            name,
            len(steps),
            analysis,
            detail,
        )
    blue_green = strategy.get("blueGreen")
    if isinstance(blue_green, dict):
        analysis = "prePromotionAnalysis" in blue_green or "postPromotionAnalysis" in blue_green
        auto = blue_green.get("autoPromotionEnabled")
        return ProgressiveDelivery(
            ctx.path,
            line_of(strategy, "blueGreen") or 1,
            "argo-rollouts",
            "blueGreen",
            name,
            0,
            analysis,
            "manual promotion" if auto is False else "",
        )
    return None


def _flagger(ctx: Context, doc: dict[str, Any]) -> ProgressiveDelivery:
    spec = _map(doc.get("spec"))
    analysis = _map(spec.get("analysis") or spec.get("canaryAnalysis"))
    target = as_str(walk_path(spec, "targetRef", "name"))
    step, top = _int(analysis.get("stepWeight")), _int(analysis.get("maxWeight"))
    weights = analysis.get("stepWeights")
    if isinstance(weights, list) and weights:
        strategy, steps = "canary", len(weights)
    elif step and top:
        strategy, steps = "canary", max(1, top // step)
    elif "stepWeight" in analysis or "stepWeights" in analysis:
        strategy, steps = "canary", 0  # templated weights: a canary, steps unknown
    elif analysis.get("match"):
        strategy, steps = "ab", _int(analysis.get("iterations")) or 0
    else:
        strategy, steps = "blueGreen", _int(analysis.get("iterations")) or 0
    metrics = analysis.get("metrics")
    return ProgressiveDelivery(
        ctx.path,
        line_of(doc) or 1,
        "flagger",
        strategy,
        target,
        steps,
        bool(metrics) or bool(analysis.get("webhooks")),
    )


def _weights(routes: Any, key: str) -> list[tuple[int, list[int]]]:
    """(line, weights) of each route entry that splits traffic."""
    out: list[tuple[int, list[int]]] = []
    if not isinstance(routes, list):
        return out
    for index, entry in enumerate(routes):
        destinations = entry.get(key) if isinstance(entry, dict) else None
        if not isinstance(destinations, list):
            continue
        weights = [
            w
            for d in destinations
            if isinstance(d, dict) and (w := _int(d.get("weight"))) is not None
        ]
        if len(weights) >= 2:
            out.append((line_of(routes, index) or 1, weights))
    return out


def _weighted(ctx: Context, doc: dict[str, Any], tool: str) -> Iterator[ProgressiveDelivery]:
    spec = _map(doc.get("spec"))
    name = as_str(walk_path(doc, "metadata", "name"))
    if tool == "istio":
        found = _weights(spec.get("http"), "route")
    elif tool == "gateway-api":
        found = _weights(spec.get("rules"), "backendRefs")
    elif tool == "knative":
        traffic = spec.get("traffic")
        found = (
            _weights([{"t": [{"weight": t.get("percent")} for t in traffic]}], "t")
            if isinstance(traffic, list) and all(isinstance(t, dict) for t in traffic)
            else []
        )
        found = [(line_of(spec, "traffic") or 1, w) for _, w in found]
    else:  # smi TrafficSplit
        found = _weights([{"b": spec.get("backends")}], "b")
        found = [(line_of(spec, "backends") or 1, w) for _, w in found]
    for line, weights in found:
        detail = "weights " + "/".join(str(w) for w in weights)
        yield ProgressiveDelivery(ctx.path, line, tool, "weighted", name, 0, False, detail)


# --------------------------------------------------------------------------- mesh


def _outlier(
    ctx: Context, policy: Any, host: str | None, tool: str, line: int
) -> OutlierDetection | None:
    if not isinstance(policy, dict):
        return None
    detection = policy.get("outlierDetection")
    if not isinstance(detection, dict):
        return None
    errors = (
        detection.get("consecutive5xxErrors")
        or detection.get("consecutiveGatewayErrors")
        or detection.get("consecutiveErrors")
    )
    ejection = as_str(detection.get("baseEjectionTime"))
    return OutlierDetection(
        ctx.path,
        line_of(policy, "outlierDetection") or line,
        tool,
        host,
        _int(errors),
        f"base ejection {ejection}" if ejection else "",
        connection_pool="connectionPool" in policy,
    )


def _destination_rule(ctx: Context, doc: dict[str, Any]) -> Iterator[OutlierDetection]:
    spec = _map(doc.get("spec"))
    host = as_str(spec.get("host"))
    line = line_of(doc) or 1
    policies: list[Any] = [spec.get("trafficPolicy")]
    subsets = spec.get("subsets")
    if isinstance(subsets, list):
        policies.extend(s.get("trafficPolicy") for s in subsets if isinstance(s, dict))
    for policy in list(policies):
        ports = walk_path(policy, "portLevelSettings")
        if isinstance(ports, list):
            policies.extend(ports)
    for policy in policies:
        found = _outlier(ctx, policy, host, "istio", line)
        if found is not None:
            yield found


def envoy_clusters(path: str, doc: dict[str, Any]) -> Iterator[OutlierDetection]:
    """Envoy bootstrap ``static_resources.clusters[]`` with outlier detection
    or circuit-breaker thresholds."""
    clusters = walk_path(doc, "static_resources", "clusters")
    if not isinstance(clusters, list):
        return
    for index, cluster in enumerate(clusters):
        if not isinstance(cluster, dict):
            continue
        detection = cluster.get("outlier_detection")
        breakers = cluster.get("circuit_breakers")
        if detection is None and breakers is None:
            continue
        errors = _int(detection.get("consecutive_5xx")) if isinstance(detection, dict) else None
        yield OutlierDetection(
            path,
            line_of(clusters, index) or 1,
            "envoy",
            as_str(cluster.get("name")),
            errors,
            "circuit_breakers" if breakers is not None else "",
            connection_pool=breakers is not None,
        )


# --------------------------------------------------------------------------- dispatch


def iter_objects(doc: Any) -> Iterator[dict[str, Any]]:
    """The object(s) of a document: itself, or the items of a ``List`` kind."""
    if not isinstance(doc, dict):
        return
    kind = doc.get("kind")
    items = doc.get("items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
        for item in items:
            if isinstance(item, dict):
                yield item
        return
    yield doc


def collect_objects(
    path: str,
    doc: Any,
    out: K8sObjects,
    template: Neutralised | None = None,
    guard: str | None = None,
) -> bool:
    """Add the Kubernetes-ish objects of one document to ``out``. True when
    the document was recognised as one (so other readers may skip it)."""
    ctx = Context(path, template, guard)
    recognised = False
    for obj in iter_objects(doc):
        kind = obj.get("kind")
        api = as_str(obj.get("apiVersion")) or ""
        if not isinstance(kind, str):
            continue
        if kind in WORKLOAD_KINDS or (kind == "Service" and api.startswith("serving.knative")):
            found = workload(ctx, obj, "KnativeService" if kind == "Service" else kind)
            if found is not None:
                out.workloads.append(found)
                recognised = True
            if kind == "Rollout":
                strategy = _rollout_strategy(ctx, obj)
                if strategy is not None:
                    out.progressive.append(strategy)
            if kind == "Service":
                out.progressive.extend(_weighted(ctx, obj, "knative"))
        elif kind in ("HorizontalPodAutoscaler", "ScaledObject"):
            out.autoscalers.append(_autoscaler(ctx, obj, kind))
            recognised = True
        elif kind == "PodDisruptionBudget":
            out.budgets.append(_budget(ctx, obj))
            recognised = True
        elif kind == "Canary" and api.startswith("flagger"):
            out.progressive.append(_flagger(ctx, obj))
            recognised = True
        elif kind == "VirtualService":
            out.progressive.extend(_weighted(ctx, obj, "istio"))
            recognised = True
        elif kind == "HTTPRoute":
            out.progressive.extend(_weighted(ctx, obj, "gateway-api"))
            recognised = True
        elif kind == "TrafficSplit":
            out.progressive.extend(_weighted(ctx, obj, "smi"))
            recognised = True
        elif kind == "DestinationRule":
            out.outliers.extend(_destination_rule(ctx, obj))
            recognised = True
    return recognised


# --------------------------------------------------------------------------- text level


def text_level_objects(
    path: str, keys: list[TextKey], template: Neutralised | None, guard: str | None, out: K8sObjects
) -> None:
    """Best-effort objects from a template document that did not parse even
    neutralised: the interesting keys, line by line."""
    kind = next((k.value for k in keys if k.key == "kind" and k.indent == 0), None)
    if kind is None:
        return
    ctx = Context(path, template, guard)
    first = keys[0].line
    name = next((k.value for k in keys if k.key == "name" and k.indent <= 2 and k.value), None)
    name = None if name is None or PLACEHOLDER in name else name
    if kind in ("HorizontalPodAutoscaler", "ScaledObject"):
        out.autoscalers.append(
            Autoscaler(path, first, kind, name, None, None, None, None, guard, template is not None)
        )
        return
    if kind == "PodDisruptionBudget":
        out.budgets.append(
            DisruptionBudget(path, first, name, (), None, None, guard, template is not None)
        )
        return
    if kind not in WORKLOAD_KINDS:
        return
    probes: dict[str, Probe] = {}
    resources: Resources | None = None
    non_root: bool | None = None
    user: int | None = None
    security_line: int | None = None
    replicas: int | None = None
    replicas_ref: str | None = None
    for key in keys:
        if key.key in PROBE_KEYS and PROBE_KEYS[key.key] not in probes:
            ref = ctx.templated_at(key.line)
            source = "template" if ref is not None or not key.value else "literal"
            probes[PROBE_KEYS[key.key]] = Probe(
                PROBE_KEYS[key.key], key.line, None, source=source, values_ref=ref or None
            )
        elif key.key == "resources" and resources is None:
            if key.value in ("{}", "null", "~"):
                resources = Resources(key.line)
            else:
                ref = ctx.templated_at(key.line)
                resources = Resources(key.line, TEMPLATED, TEMPLATED, "template", ref or None)
        elif key.key == "runAsNonRoot" and key.value in ("true", "false"):
            non_root, security_line = key.value == "true", security_line or key.line
        elif key.key == "runAsUser" and key.value.isdigit():
            user, security_line = int(key.value), security_line or key.line
        elif key.key == "replicas":
            if key.value.isdigit():
                replicas = int(key.value)
            else:
                replicas_ref = ctx.templated_at(key.line) or None
    security = SecurityContext(security_line, non_root, user) if security_line is not None else None
    container = Container(
        name="(template)",
        line=first,
        image=None,
        init=False,
        liveness=probes.get("liveness"),
        readiness=probes.get("readiness"),
        startup=probes.get("startup"),
        resources=resources,
        security=security,
    )
    out.workloads.append(
        Workload(
            path=path,
            line=first,
            kind=kind,
            name=name,
            namespace=None,
            api_version=None,
            replicas=replicas,
            containers=(container,),
            templated=template is not None,
            text_level=True,
            helm_condition=guard,
            replicas_values_ref=replicas_ref,
            notes=("read line by line: the template is not YAML even with actions removed",),
        )
    )
