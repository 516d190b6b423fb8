"""Deployment checks of the ``ops`` pillar: probes, resources, availability
and progressive delivery, judged on the Kubernetes workloads (plain YAML,
Helm templates resolved against their values, Kustomize overlays) that
deploy the service (``_ops_scope.deployed``). Re-exported by ``checks.ops``.
"""

from __future__ import annotations

from prodready.scan.checks._ops_scope import Deployed, deployed
from prodready.scan.checks._uses import FRONTEND, LIBRARY, app_kind, not_applicable
from prodready.scan.checks.base import CheckSpec, Example, Verdict, evidence, finding
from prodready.scan.facts._deploy_helm import PLACEHOLDER
from prodready.scan.facts.deploy import (
    Container,
    DeployFacts,
    ProgressiveDelivery,
    Resources,
    Workload,
)
from prodready.scan.facts.view import Facts
from prodready.scan.model import Evidence, Finding, Level, Severity


def _not_deployed(found: Deployed) -> Verdict:
    if found.manifests_without_workloads:
        return Verdict.not_applicable(
            "no workload (Deployment, StatefulSet, Rollout...) found in "
            f"{', '.join(found.manifests_without_workloads)}: nothing to judge",
        )
    if found.elsewhere:
        names = sorted({w.name or w.name_template or w.kind for w in found.elsewhere})
        shown = ", ".join(n.replace(PLACEHOLDER, "*") for n in names[:5])
        return Verdict.not_applicable(
            f"no Kubernetes manifest deploys this service (the repository's manifests "
            f"deploy {shown})"
        )
    return Verdict.not_applicable("no Kubernetes, Helm or Kustomize manifests")


def _label(workload: Workload, container: Container | None = None) -> str:
    name = workload.name or (workload.name_template or "").replace(PLACEHOLDER, "*")
    if name.strip("*-_.") == "":
        name = "(templated name)"
    text = f"{workload.kind} {name}"
    if container is not None and len(workload.containers) > 1:
        text += f", container {container.name}"
    return text


K8S_PROBES = CheckSpec(
    id="ops.k8s-probes",
    level=Level.GOLD,
    title="Kubernetes manifests declare liveness and readiness probes",
    passes_when=(
        "deployment manifests (k8s YAML, Helm, Kustomize) declare liveness and readiness "
        "probes (n/a without manifests)"
    ),
    why=(
        "Without a readiness probe, Kubernetes sends traffic to pods that are still "
        "starting or have lost their database; without a liveness probe, a deadlocked "
        "process is never restarted. Both turn partial failures into user-facing errors."
    ),
    how_to_fix=(
        "Give every container of the service's long-running workloads (Deployments, "
        "StatefulSets, DaemonSets, Argo Rollouts) a readinessProbe and a livenessProbe "
        "(httpGet on /readyz and /livez, or grpc), with sensible initialDelaySeconds/"
        "periodSeconds/failureThreshold. In a Helm chart, a probe templated from values "
        "counts only when values.yaml fills it in; a Kustomize overlay patch that adds "
        "probes counts for the workloads it patches. Jobs and CronJobs need none."
    ),
    references=(
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
    ),
    examples=(
        Example(
            "Both probes",
            "readinessProbe:\n  httpGet: {path: /readyz, port: http}\n  periodSeconds: 5\n"
            "livenessProbe:\n  httpGet: {path: /livez, port: http}\n  initialDelaySeconds: 10\n",
            language="yaml",
        ),
    ),
)


def judge_k8s_probes(facts: Facts) -> Verdict:
    found = deployed(facts)
    long_running = [w for w in found.workloads if w.long_running and w.containers]
    if not long_running:
        if found.workloads:
            return Verdict.not_applicable(
                "the service's manifests run only Jobs, CronJobs or bare Pods (no probes needed)"
            )
        return _not_deployed(found)
    findings: list[Finding] = []
    seen: list[Evidence] = []
    have = need = 0
    for workload in long_running:
        patched = {k for p in found.deploy.patches_for(workload) for k in p.probes}
        for container in workload.containers:
            kinds = {p.kind for p in container.probes} | patched
            missing = [k for k in ("liveness", "readiness") if k not in kinds]
            need += 2
            have += 2 - len(missing)
            if missing:
                findings.append(
                    finding(
                        f"{_label(workload, container)} declares no "
                        f"{' and no '.join(m + 'Probe' for m in missing)}"
                        + _probe_hint(container, found.deploy, workload),
                        workload.path,
                        container.line,
                        severity=Severity.HIGH if len(missing) == 2 else Severity.MEDIUM,
                    )
                )
            else:
                seen.append(
                    evidence(
                        workload.path,
                        f"{_label(workload, container)}: " + _probe_summary(container, patched),
                        container.line,
                    )
                )
    if not findings:
        return Verdict.passed(
            f"liveness and readiness probes on every container ({len(long_running)} workloads)",
            evidence=seen,
        )
    return Verdict.failed(
        f"{len(findings)} container(s) lack a liveness or readiness probe",
        score=round(10.0 * have / need, 1),
        findings=findings,
        evidence=seen,
    )


def _probe_summary(container: Container, patched: set[str]) -> str:
    parts = []
    for probe in (container.liveness, container.readiness):
        if probe is None:
            continue
        how = probe.handler or "probe"
        if probe.path:
            how += f" {probe.path}"
        if probe.source == "template":
            how += " (templated)"
        elif probe.source == "helm-values":
            how += " (from values)"
        parts.append(f"{probe.kind} {how}")
    if patched:
        parts.append(f"{', '.join(sorted(patched))} from an overlay patch")
    return "; ".join(parts)


def _probe_hint(container: Container, deploy: DeployFacts, workload: Workload) -> str:
    notes = [n for n in deploy.notes if n.startswith(workload.location) and "probe" in n]
    if notes:
        return f" ({notes[0].split(': ', 1)[-1]})"
    if not container.probes:
        return ": add readinessProbe and livenessProbe (httpGet /readyz and /livez)"
    return ""


K8S_RESOURCES = CheckSpec(
    id="ops.k8s-resources",
    level=Level.GOLD,
    title="Kubernetes manifests declare resource requests and limits",
    passes_when="manifests declare resource requests and limits (n/a without manifests)",
    why=(
        "Requests let the scheduler place pods where they fit; limits stop one leaking "
        "pod from starving its neighbours. Without them, capacity planning is guesswork "
        "and noisy neighbours cause outages that look random."
    ),
    how_to_fix=(
        "Set resources.requests (cpu, memory) and resources.limits (at least memory) for "
        "every container of the service's workloads, based on load-test measurements. In "
        "a Helm chart, `resources: {{ toYaml .Values.resources }}` counts only when "
        "values.yaml declares them (`resources: {}` declares nothing)."
    ),
    references=("https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",),
    examples=(
        Example(
            "Requests and a memory limit",
            "resources:\n  requests: {cpu: 250m, memory: 256Mi}\n  limits: {memory: 512Mi}\n",
            language="yaml",
        ),
    ),
)


def judge_k8s_resources(facts: Facts) -> Verdict:
    found = deployed(facts)
    workloads = [w for w in found.workloads if w.containers]
    if not workloads:
        return _not_deployed(found)
    findings: list[Finding] = []
    seen: list[Evidence] = []
    good = total = 0
    for workload in workloads:
        patched = any(p.resources for p in found.deploy.patches_for(workload))
        for container in workload.containers:
            total += 1
            problem = _resources_problem(container.resources, patched)
            if problem is None:
                good += 1
                seen.append(
                    evidence(
                        workload.path,
                        f"{_label(workload, container)}: {_resources_summary(container, patched)}",
                        container.resources.line if container.resources else container.line,
                    )
                )
                continue
            notes = [n for n in found.deploy.notes if n.startswith(workload.location)]
            notes = [n for n in notes if "resources" in n]
            hint = f" ({notes[0].split(': ', 1)[-1]})" if notes else ""
            findings.append(
                finding(
                    f"{_label(workload, container)}: {problem}{hint}",
                    workload.path,
                    container.resources.line if container.resources else container.line,
                )
            )
    if not findings:
        return Verdict.passed(f"requests and limits on every container ({total})", evidence=seen)
    return Verdict.failed(
        f"{len(findings)} of {total} container(s) lack resource requests or limits",
        score=round(10.0 * good / total, 1),
        findings=findings,
        evidence=seen,
    )


def _has(pairs: tuple[tuple[str, str], ...], resource: str) -> bool:
    return any(name in (resource, "*") for name, _ in pairs)


def _resources_problem(resources: Resources | None, patched: bool) -> str | None:
    if patched:
        return None
    if resources is None or not (resources.has_requests or resources.has_limits):
        return (
            "no resources.requests or resources.limits: set cpu/memory requests and a memory limit"
        )
    missing = []
    if not resources.has_requests:
        missing.append("no requests (the scheduler cannot place the pod by its needs)")
    if not resources.has_limits:
        missing.append("no limits (a leaking pod can starve its neighbours)")
    elif not _has(resources.limits, "memory"):
        missing.append("no memory limit")
    return "; ".join(missing) if missing else None


def _resources_summary(container: Container, patched: bool) -> str:
    resources = container.resources
    if resources is None:
        return "from an overlay patch" if patched else "none"

    def show(pairs: tuple[tuple[str, str], ...]) -> str:
        return ", ".join("templated" if k == "*" else f"{k} {v}" for k, v in pairs) or "none"

    text = f"requests {show(resources.requests)}; limits {show(resources.limits)}"
    return text + (" (from values)" if resources.source == "helm-values" else "")


HIGH_AVAILABILITY = CheckSpec(
    id="ops.high-availability",
    level=Level.GOLD,
    title="More than one replica, an autoscaler or a disruption budget",
    passes_when=(
        "more than one replica, an autoscaler, or a PodDisruptionBudget (n/a without manifests)"
    ),
    why=(
        "A single replica makes every node drain, deploy and crash an outage. Several "
        "replicas, an autoscaler and a PodDisruptionBudget keep the service up through "
        "the routine disruptions of a cluster."
    ),
    how_to_fix=(
        "Run replicas: 2 or more (or a HorizontalPodAutoscaler with minReplicas >= 2) and "
        "add a PodDisruptionBudget (minAvailable: 1). Replicas set by a Kustomize overlay "
        "or Helm values count. An autoscaler whose minReplicas is 1, or a "
        "PodDisruptionBudget on a single replica, passes but scores less: at low load or "
        "during a drain the service still runs on one pod."
    ),
    references=(
        "https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
        "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/",
    ),
    examples=(
        Example(
            "Replicas, an autoscaler and a disruption budget",
            "spec:\n  replicas: 3\n---\napiVersion: autoscaling/v2\n"
            "kind: HorizontalPodAutoscaler\nspec:\n  minReplicas: 3\n  maxReplicas: 12\n"
            "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nspec:\n  minAvailable: 1\n",
            language="yaml",
        ),
    ),
)

_SCALED = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})
_SCALED |= {"Rollout", "DeploymentConfig", "KnativeService"}


def judge_high_availability(facts: Facts) -> Verdict:
    found = deployed(facts)
    workloads = [w for w in found.workloads if w.long_running]
    if not workloads:
        if found.workloads:
            return Verdict.not_applicable("the service's manifests run only Jobs and CronJobs")
        return _not_deployed(found)
    findings: list[Finding] = []
    seen: list[Evidence] = []
    scores: list[float] = []
    for workload in workloads:
        score, finding_, proof = _availability(workload, found)
        scores.append(score)
        if finding_ is not None:
            findings.append(finding_)
        seen.extend(proof)
    total = round(sum(scores) / len(scores), 1)
    if all(s > 0 for s in scores):
        return Verdict.passed(
            f"{len(workloads)} workload(s) survive the loss of a pod",
            score=total,
            evidence=seen,
            findings=findings,
        )
    failing = sum(1 for s in scores if s == 0)
    return Verdict.failed(
        f"{failing} of {len(workloads)} workload(s) run a single replica with no autoscaler "
        "or disruption budget",
        score=total,
        findings=findings,
        evidence=seen,
    )


def _replicas(workload: Workload, found: Deployed) -> tuple[int, str]:
    """The most replicas any base, overlay patch or kustomization declares
    (the production overlay is usually the largest), with where."""
    count = workload.replicas if workload.replicas is not None else 1
    where = f"replicas {count}" if workload.replicas is not None else "no replicas (1)"
    for patch in found.deploy.patches_for(workload):
        if patch.replicas is not None and patch.replicas > count:
            count, where = patch.replicas, f"replicas {patch.replicas} in {patch.path}"
    for kustomization in found.deploy.kustomizations:
        for name, value in kustomization.replicas:
            if name == workload.name and value > count:
                count, where = value, f"replicas {value} in {kustomization.path}"
    return count, where


def _availability(
    workload: Workload, found: Deployed
) -> tuple[float, Finding | None, list[Evidence]]:
    label = _label(workload)
    if workload.kind == "DaemonSet":
        return 10.0, None, [evidence(workload.path, f"{label}: one pod per node", workload.line)]
    if workload.kind == "KnativeService":
        return 10.0, None, [evidence(workload.path, f"{label}: Knative autoscaling", workload.line)]
    replicas, where = _replicas(workload, found)
    scalers = found.deploy.autoscalers_for(workload)
    budgets = found.deploy.disruption_budgets_for(workload)
    floor = max((a.min_replicas or 1 for a in scalers), default=0)
    proof = [evidence(workload.path, f"{label}: {where}", workload.line)]
    proof += [
        evidence(a.path, f"{a.kind} minReplicas {a.min_replicas or '1 (default)'}", a.line)
        for a in scalers
    ]
    proof += [evidence(b.path, "PodDisruptionBudget", b.line) for b in budgets]
    if replicas >= 2 or floor >= 2:
        return 10.0, None, proof
    if scalers or budgets:
        what = (
            f"its {scalers[0].kind} keeps minReplicas {scalers[0].min_replicas or 1}"
            if scalers
            else "its PodDisruptionBudget guards a single replica (a node drain then waits "
            "or the budget protects nothing)"
        )
        return (
            7.0,
            finding(
                f"{label} runs one pod at low load: {what}; run at least 2 replicas",
                workload.path,
                workload.line,
                severity=Severity.LOW,
            ),
            proof,
        )
    return (
        0.0,
        finding(
            f"{label} runs a single replica ({where}) with no HorizontalPodAutoscaler or "
            "PodDisruptionBudget: every node drain, deploy or crash is an outage; run "
            "replicas: 2 or more (or an autoscaler with minReplicas >= 2) and add a "
            "PodDisruptionBudget",
            workload.path,
            workload.line,
            severity=Severity.HIGH,
        ),
        [],
    )


PROGRESSIVE_DELIVERY = CheckSpec(
    id="ops.progressive-delivery",
    level=Level.PLATINUM,
    title="Canary or staged rollouts",
    passes_when=(
        "canary or staged rollout (Argo Rollouts, Flagger, Spinnaker canary, Istio weighted "
        "routes, feature-flag rollouts)"
    ),
    why=(
        "Even well-tested changes fail in production. Sending a small share of traffic "
        "to the new version first, and rolling back automatically on bad metrics, limits "
        "the blast radius of a bad release to a few requests."
    ),
    how_to_fix=(
        "Use Argo Rollouts (canary steps or blue-green) or Flagger canary strategies with "
        "metric analysis, Istio/Gateway API/SMI weighted routing, or a Spinnaker/Kayenta "
        "canary. Promotion gated by automated analysis scores full marks; a staged "
        "rollout promoted by hand passes with less. Libraries and static frontends are "
        "not applicable. Feature-flag percentage rollouts are not detected yet."
    ),
    references=(
        "https://argo-rollouts.readthedocs.io/en/stable/features/canary/",
        "https://docs.flagger.app/",
        "https://sre.google/workbook/canarying-releases/",
    ),
    examples=(
        Example(
            "Argo Rollouts canary with analysis",
            "strategy:\n  canary:\n    steps:\n      - setWeight: 10\n"
            "      - analysis: {templates: [{templateName: success-rate}]}\n"
            "      - setWeight: 50\n      - pause: {duration: 10m}\n",
            language="yaml",
        ),
    ),
)


def judge_progressive_delivery(facts: Facts) -> Verdict:
    found = deployed(facts)
    staged = [p for p in found.progressive if not _instant(p)]
    instant = [p for p in found.progressive if _instant(p)]
    seen = [evidence(p.path, _delivery_summary(p), p.line) for p in staged]
    if staged:
        analysed = [p for p in staged if p.analysis or p.tool == "kayenta"]
        if analysed:
            return Verdict.passed(
                f"staged rollout with automated analysis ({_tools(analysed)})", evidence=seen
            )
        return Verdict.passed(
            f"staged rollout ({_tools(staged)}), promoted without automated analysis",
            score=8.0,
            evidence=seen,
            findings=[
                finding(
                    f"{_delivery_summary(staged[0])}: no metric analysis gates promotion; add "
                    "an AnalysisTemplate (Argo) or metrics (Flagger) so a bad release rolls "
                    "back by itself",
                    staged[0].path,
                    staged[0].line,
                    severity=Severity.LOW,
                )
            ],
        )
    kind = app_kind(facts)
    if kind in (LIBRARY, FRONTEND) and not found.workloads:
        what = "a library" if kind == LIBRARY else "a frontend application (static files)"
        return not_applicable(facts, f"{what}: nothing is rolled out to traffic")
    findings = [
        finding(
            f"{_delivery_summary(p)} promotes everything at once (no steps): add setWeight/"
            "pause steps with analysis",
            p.path,
            p.line,
        )
        for p in instant
    ]
    workloads = [w for w in found.workloads if w.long_running]
    if workloads:
        w = workloads[0]
        findings.append(
            finding(
                f"{_label(w)} is rolled out all at once (rolling update): use an Argo "
                "Rollouts or Flagger canary, or weighted routes, to expose a release to a "
                "small share of traffic first",
                w.path,
                w.line,
            )
        )
    else:
        findings.append(
            finding(
                "no canary or staged rollout definition (Argo Rollouts, Flagger, Istio "
                "weighted routes, Spinnaker canary)",
                severity=Severity.MEDIUM,
            )
        )
    return Verdict.failed("no canary or staged rollout", findings=findings)


def _instant(delivery: ProgressiveDelivery) -> bool:
    """An Argo canary without steps or traffic routing shifts everything at once."""
    return (
        delivery.tool == "argo-rollouts"
        and delivery.strategy == "canary"
        and delivery.steps == 0
        and not delivery.analysis
        and not delivery.detail
    )


def _tools(items: list[ProgressiveDelivery]) -> str:
    return ", ".join(sorted({f"{p.tool} {p.strategy}" for p in items}))


def _delivery_summary(delivery: ProgressiveDelivery) -> str:
    target = (delivery.target or "").replace(PLACEHOLDER, "*")
    text = f"{delivery.tool} {delivery.strategy}" + (f" of {target}" if target else "")
    if delivery.steps:
        text += f", {delivery.steps} steps"
    if delivery.detail:
        text += f", {delivery.detail}"
    return text
