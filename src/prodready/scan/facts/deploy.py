"""Deployment and operations facts: how the service is deployed, rolled out,
watched and proven.

Feeds ``ops.k8s-probes``, ``ops.k8s-resources``, ``ops.high-availability``,
``ops.progressive-delivery``, ``ops.container-hardening`` (manifests that set
``runAsNonRoot``), ``res.circuit-breaker`` (Istio ``outlierDetection``),
``obs.alerts``, ``obs.dashboards``, ``test.integration`` (compose-based test
environments), ``test.bdd``, ``test.contract``, ``test.load`` and
``test.chaos``.

Two layers, so the engine can cache the expensive one by content hash:

- ``parse_deploy_file(path, text)`` reads one file and returns everything it
  declares (``DeployFileFacts``): Kubernetes objects with the line of every
  workload, probe and alert; a kustomization; a Helm ``Chart.yaml`` or
  values file; a compose file; alert rules, dashboards, SLOs; chaos, load,
  contract and BDD assets; and mentions of compose files by tests/CI.
- ``deploy_facts(files)`` combines the files: Helm templates are resolved
  against their chart's values (``resources: {{ toYaml .Values.resources }}``
  with ``resources: {}`` in values.yaml declares nothing; an HPA behind
  ``{{ if .Values.autoscaling.enabled }}`` is off when values say false),
  Kustomize overlay patches are matched to the workloads they patch, and a
  compose file mentioned by tests becomes a test environment.

Helm templates are read as text, never rendered: see ``_deploy_helm``.
Problems are ``ParseProblem`` values, never exceptions; a template that is not
YAML is expected and is never reported as malformed.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from prodready.scan.facts._deploy_assets import (
    AlertRouting,
    AlertRule,
    Assets,
    ChaosExperiment,
    ContractDefinition,
    Dashboard,
    DashboardProvisioning,
    FeatureFile,
    LoadTest,
    PactFile,
    SloDefinition,
    StepDefinitions,
    gherkin,
    grafanalib,
    jmeter,
    jsonnet,
    load_commands,
    load_scripts,
    spring_contract_groovy,
    step_definitions,
    structured_document,
    terraform,
    toxiproxy_usage,
    vegeta_targets,
)
from prodready.scan.facts._deploy_helm import (
    Neutralised,
    ValuesEntry,
    flatten_values,
    neutralise,
    scan_text_keys,
)
from prodready.scan.facts._deploy_k8s import (
    PROBE_KEYS,
    Autoscaler,
    Container,
    DisruptionBudget,
    K8sObjects,
    OutlierDetection,
    Probe,
    ProgressiveDelivery,
    Resources,
    SecurityContext,
    Workload,
    collect_objects,
    envoy_clusters,
    text_level_objects,
)
from prodready.scan.facts._yamltree import (
    YamlDocument,
    as_str,
    line_of,
    load_json,
    load_yaml_documents,
    split_documents,
)
from prodready.scan.facts.perfile import file_fact
from prodready.scan.facts.source import ParseProblem, RepoFiles

__all__ = [
    "AlertRouting",
    "AlertRule",
    "Autoscaler",
    "ChaosExperiment",
    "ComposeFile",
    "ComposeMention",
    "ComposeService",
    "Container",
    "ContractDefinition",
    "Dashboard",
    "DashboardProvisioning",
    "DeployFacts",
    "DeployFileFacts",
    "DisruptionBudget",
    "FeatureFile",
    "HelmChart",
    "Kustomization",
    "KustomizePatch",
    "LoadTest",
    "OutlierDetection",
    "PactFile",
    "Probe",
    "ProgressiveDelivery",
    "Resources",
    "SecurityContext",
    "SloDefinition",
    "StepDefinitions",
    "ValuesEntry",
    "Workload",
    "combine_deploy_files",
    "deploy_facts",
    "is_compose_path",
    "is_deploy_candidate",
    "parse_deploy_file",
]

# --------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class ComposeService:
    name: str
    line: int
    image: str | None
    build: bool
    healthcheck: bool | None
    """True: a healthcheck test is defined; False: explicitly disabled; None: none."""
    healthcheck_line: int | None
    user: str | None
    depends_on: tuple[str, ...]
    waits_for_healthy: bool
    """Some ``depends_on`` entry uses ``condition: service_healthy``."""
    command: str | None


@dataclass(frozen=True, slots=True)
class ComposeMention:
    """A compose file named (or implied) by a test, Makefile or CI file."""

    path: str
    line: int
    file: str | None
    """The compose file as written (``docker-compose.test.yml``), None for the
    default file (``docker compose up`` without ``-f``)."""
    context: str
    """"test" (test code, a Makefile test target, tox/nox), or "ci" (CI config)."""


@dataclass(frozen=True, slots=True)
class ComposeFile:
    path: str
    services: tuple[ComposeService, ...]
    test_reasons: tuple[str, ...] = ()
    """Why it looks like a test environment: "name", "location", "runs tests",
    "used by <path>:<line>"."""

    @property
    def is_test_env(self) -> bool:
        return bool(self.test_reasons)


@dataclass(frozen=True, slots=True)
class KustomizePatch:
    """What an overlay patch adds to which workloads (best effort)."""

    path: str
    """The file holding the patch (a patch file, or the kustomization for inline ones)."""
    line: int
    kustomization: str
    target_kind: str | None
    target_name: str | None
    probes: tuple[str, ...] = ()
    """Probe kinds the patch declares ("liveness", "readiness", "startup")."""
    resources: bool = False
    """The patch declares requests or limits."""
    non_root: bool | None = None
    replicas: int | None = None
    patched: tuple[str, ...] = ()
    """``path:line`` of each workload the patch was matched to."""


@dataclass(frozen=True, slots=True)
class Kustomization:
    path: str
    resources: tuple[str, ...]
    """Resources, bases and components as written."""
    remote_resources: tuple[str, ...]
    patch_files: tuple[str, ...]
    """Repo paths of the patch files it applies."""
    patch_targets: tuple[tuple[str, str | None, str | None], ...] = ()
    """(patch file, target kind, target name) when the entry names a target."""
    replicas: tuple[tuple[str, int], ...] = ()
    """The ``replicas:`` field: (workload name, count)."""
    helm_charts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HelmChart:
    path: str
    """The ``Chart.yaml``."""
    name: str | None
    version: str | None
    chart_type: str
    """"application" or "library"."""
    dependencies: tuple[str, ...]
    values_files: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()
    replica_count: int | None = None
    """``replicaCount`` in the values files (the ``helm create`` convention)."""
    autoscaling_enabled: bool | None = None
    """``autoscaling.enabled`` in the values files."""
    values_resources: bool | None = None
    """Top-level ``resources`` in values declares requests or limits (None: no such key)."""

    @property
    def directory(self) -> str:
        return posixpath.dirname(self.path)


@dataclass(frozen=True, slots=True)
class DeployFileFacts:
    """Everything one file declares. Cacheable: depends only on (path, text)."""

    path: str
    workloads: tuple[Workload, ...] = ()
    autoscalers: tuple[Autoscaler, ...] = ()
    disruption_budgets: tuple[DisruptionBudget, ...] = ()
    progressive_delivery: tuple[ProgressiveDelivery, ...] = ()
    outlier_detection: tuple[OutlierDetection, ...] = ()
    kustomization: Kustomization | None = None
    kustomize_inline_patches: tuple[KustomizePatch, ...] = ()
    chart: HelmChart | None = None
    values: tuple[ValuesEntry, ...] | None = None
    """Flattened values tree, for ``values*.yaml`` files."""
    compose: ComposeFile | None = None
    compose_mentions: tuple[ComposeMention, ...] = ()
    alert_rules: tuple[AlertRule, ...] = ()
    alert_routing: tuple[AlertRouting, ...] = ()
    dashboards: tuple[Dashboard, ...] = ()
    dashboard_provisioning: tuple[DashboardProvisioning, ...] = ()
    slos: tuple[SloDefinition, ...] = ()
    chaos_experiments: tuple[ChaosExperiment, ...] = ()
    load_tests: tuple[LoadTest, ...] = ()
    pact_files: tuple[PactFile, ...] = ()
    contracts: tuple[ContractDefinition, ...] = ()
    feature_files: tuple[FeatureFile, ...] = ()
    step_definitions: tuple[StepDefinitions, ...] = ()
    templated: bool = False
    problems: tuple[ParseProblem, ...] = ()
    patch_documents: tuple[KustomizePatch, ...] = ()
    """JSON6902 operation lists in this file (a kustomization may apply it as a
    patch; strategic-merge patches are read from ``workloads``)."""


@dataclass(frozen=True, slots=True)
class DeployFacts:
    workloads: tuple[Workload, ...] = ()
    """Workloads after Helm values resolution; kustomize patch files excluded."""
    autoscalers: tuple[Autoscaler, ...] = ()
    disruption_budgets: tuple[DisruptionBudget, ...] = ()
    kustomizations: tuple[Kustomization, ...] = ()
    kustomize_patches: tuple[KustomizePatch, ...] = ()
    helm_charts: tuple[HelmChart, ...] = ()
    compose_files: tuple[ComposeFile, ...] = ()
    progressive_delivery: tuple[ProgressiveDelivery, ...] = ()
    outlier_detection: tuple[OutlierDetection, ...] = ()
    alert_rules: tuple[AlertRule, ...] = ()
    alert_routing: tuple[AlertRouting, ...] = ()
    dashboards: tuple[Dashboard, ...] = ()
    dashboard_provisioning: tuple[DashboardProvisioning, ...] = ()
    slos: tuple[SloDefinition, ...] = ()
    chaos_experiments: tuple[ChaosExperiment, ...] = ()
    load_tests: tuple[LoadTest, ...] = ()
    pact_files: tuple[PactFile, ...] = ()
    contracts: tuple[ContractDefinition, ...] = ()
    feature_files: tuple[FeatureFile, ...] = ()
    step_definitions: tuple[StepDefinitions, ...] = ()
    problems: tuple[ParseProblem, ...] = ()
    notes: tuple[str, ...] = ()
    """Resolution decisions worth showing in a finding (e.g. a Helm probe
    dropped because its values entry is empty)."""

    @property
    def has_manifests(self) -> bool:
        """Kubernetes/Helm/Kustomize deployment manifests exist (the ops.k8s-*
        checks are not applicable without them)."""
        return bool(self.workloads or self.helm_charts or self.kustomizations)

    @property
    def test_compose_files(self) -> tuple[ComposeFile, ...]:
        return tuple(c for c in self.compose_files if c.is_test_env)

    def autoscalers_for(self, workload: Workload) -> tuple[Autoscaler, ...]:
        """HPAs/ScaledObjects whose target is this workload (by kind and name;
        in a Helm chart, a templated target means the chart's workload)."""
        return tuple(
            a
            for a in self.autoscalers
            if (a.target_kind is None or a.target_kind == workload.kind)
            and (
                (a.target_name is not None and a.target_name == workload.name)
                or (
                    a.target_name is None
                    and a.templated
                    and _same_chart(a.path, workload)
                    and _same_template(a.target_template, workload.name_template)
                )
            )
        )

    def disruption_budgets_for(self, workload: Workload) -> tuple[DisruptionBudget, ...]:
        """PDBs whose ``matchLabels`` select this workload's pods (in a Helm
        chart, templated selector labels select the chart's workloads)."""
        labels = dict(workload.pod_labels)
        return tuple(
            b
            for b in self.disruption_budgets
            if (b.match_labels and all(labels.get(k) == v for k, v in b.match_labels))
            or (not b.match_labels and b.templated and _same_chart(b.path, workload))
        )

    def patches_for(self, workload: Workload) -> tuple[KustomizePatch, ...]:
        return tuple(p for p in self.kustomize_patches if workload.location in p.patched)


def _same_chart(path: str, workload: Workload) -> bool:
    """Both templates of the same chart (same ``templates/`` folder)."""
    return workload.templated and posixpath.dirname(path) == posixpath.dirname(workload.path)


def _same_template(target: str | None, name: str | None) -> bool:
    """A templated target selects a templated workload name when both are
    known and equal (``__TPL__-api``); when either is unknown (a fully
    templated name), any workload of the chart may be the target."""
    return target is None or name is None or target == name


# --------------------------------------------------------------------------- paths

_COMPOSE_NAME = re.compile(r"^(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$", re.IGNORECASE)
_KUSTOMIZATION_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
_TEST_DIRS = frozenset(
    {"test", "tests", "testing", "e2e", "it", "integration", "acceptance", "functional", "spec"}
)
_TEST_TOKENS = frozenset(
    {"test", "tests", "testing", "ci", "e2e", "it", "integration", "acceptance", "functional"}
)
_SKIP_YAML = frozenset(
    {
        "pnpm-lock.yaml",
        ".pre-commit-config.yaml",
        ".pre-commit-hooks.yaml",
        "mkdocs.yml",
        ".golangci.yml",
        ".golangci.yaml",
        "codecov.yml",
        ".codecov.yml",
        "dependabot.yml",
        ".yamllint",
        ".yamllint.yml",
        "pubspec.lock",
        "conda-lock.yml",
    }
)
_SOURCE_EXTS = frozenset(
    {".py", ".js", ".mjs", ".cjs", ".ts", ".go", ".java", ".kt", ".scala", ".rb", ".groovy"}
)
_SCRIPT_NAMES = frozenset({"Makefile", "makefile", "GNUmakefile", "justfile", "Justfile"})
_CI_FILES = frozenset(
    {
        ".gitlab-ci.yml",
        "Jenkinsfile",
        ".travis.yml",
        "azure-pipelines.yml",
        "bitbucket-pipelines.yml",
        ".drone.yml",
        "cloudbuild.yaml",
        "cloudbuild.yml",
    }
)
_YAML_HINTS = (
    "kind:",
    "apiVersion:",
    "op:",
    "groups:",
    "route:",
    "receivers:",
    "steady-state-hypothesis",
    "method:",
    "scenarios:",
    "stages:",
    "profile:",
    "request:",
    "static_resources",
    "providers:",
    "contactPoints:",
    "Resources:",
    "slos:",
    "config:",
    "target:",
    "targets:",
    "targets_file:",
)
_JSON_HINTS = (
    '"panels"',
    '"rows"',
    '"widgets"',
    '"interactions"',
    '"messages"',
    '"steady-state-hypothesis"',
    '"kind"',
    '"stages"',
    '"upstream"',
    '"stopConditions"',
    '"query"',
    '"judge"',
    '"Resources"',
    '"pages"',
)


def is_compose_path(path: str) -> bool:
    return bool(_COMPOSE_NAME.match(posixpath.basename(path)))


def _ext(path: str) -> str:
    return posixpath.splitext(path)[1].lower()


def _is_test_path(path: str) -> bool:
    parts = path.lower().split("/")
    name = parts[-1]
    if any(p in _TEST_DIRS for p in parts[:-1]):
        return True
    stem = posixpath.splitext(name)[0]
    return (
        name.startswith("test_")
        or stem.endswith(("_test", ".test", ".spec", "_spec"))
        or name == "conftest.py"
        or (stem.endswith(("test", "tests", "it")) and _ext(name) in (".java", ".kt", ".scala"))
    )


def _is_ci_path(path: str) -> bool:
    name = posixpath.basename(path)
    if name in _CI_FILES:
        return True
    return path.startswith((".github/workflows/", ".circleci/", ".buildkite/", ".tekton/"))


def is_deploy_candidate(path: str) -> bool:
    """Whether ``parse_deploy_file`` may find anything in this file (a cheap
    filter by name, so the engine need not read everything)."""
    name = posixpath.basename(path)
    ext = _ext(path)
    if ext in (".yaml", ".yml"):
        return name not in _SKIP_YAML
    if ext in (".json", ".jsonnet", ".libsonnet", ".tf", ".feature", ".jmx", ".sh", ".bash"):
        return not name.endswith(("package-lock.json", "composer.lock")) and name not in (
            "package.json",
            "tsconfig.json",
        )
    if ext in _SOURCE_EXTS or ext == ".mk" or name in _SCRIPT_NAMES:
        return True
    if name in _CI_FILES or name in ("tox.ini", "Kustomization"):
        return True
    return "vegeta" in name.lower() or (name.startswith("targets") and ext in ("", ".txt"))


# --------------------------------------------------------------------------- compose


def _compose_service(name: str, value: Any, line: int) -> ComposeService:
    service = value if isinstance(value, dict) else {}
    health = service.get("healthcheck")
    healthcheck: bool | None = None
    if isinstance(health, dict):
        test = health.get("test")
        disabled = health.get("disable") is True or (
            test == "NONE" or (isinstance(test, list) and test[:1] == ["NONE"])
        )
        healthcheck = not disabled and test is not None
    depends = service.get("depends_on")
    depends_on: tuple[str, ...] = ()
    healthy = False
    if isinstance(depends, list):
        depends_on = tuple(str(d) for d in depends)
    elif isinstance(depends, dict):
        depends_on = tuple(depends)
        healthy = any(
            isinstance(v, dict) and v.get("condition") == "service_healthy"
            for v in depends.values()
        )
    command = service.get("command") or service.get("entrypoint")
    if isinstance(command, list):
        command = " ".join(str(c) for c in command)
    return ComposeService(
        name=name,
        line=line,
        image=as_str(service.get("image")),
        build="build" in service,
        healthcheck=healthcheck,
        healthcheck_line=line_of(service, "healthcheck") if "healthcheck" in service else None,
        user=as_str(service.get("user")),
        depends_on=depends_on,
        waits_for_healthy=healthy,
        command=as_str(command),
    )


_RUNS_TESTS = re.compile(
    r"\b(?:pytest|py\.test|go\s+test|npm\s+(?:run\s+)?test|yarn\s+test|mvn\w*\s+(?:\S+\s+)*verify|"
    r"gradlew?\s+(?:\S+\s+)*test|behave|cucumber|newman|make\s+(?:test|e2e|integration)\w*|tox|"
    r"godog|jest|playwright\s+test)\b"
)


def _compose_test_reasons(path: str, services: Iterable[ComposeService]) -> list[str]:
    reasons: list[str] = []
    tokens = set(re.split(r"[.\-_]", posixpath.basename(path).lower()))
    if tokens & _TEST_TOKENS:
        reasons.append("name")
    if any(p in _TEST_DIRS for p in path.lower().split("/")[:-1]):
        reasons.append("location")
    if any(s.command and _RUNS_TESTS.search(s.command) for s in services):
        reasons.append("runs tests")
    return reasons


def parse_compose(path: str, doc: Any) -> ComposeFile:
    services_map = doc.get("services") if isinstance(doc, dict) else None
    if not isinstance(services_map, dict) and isinstance(doc, dict):
        # Compose v1: services at top level
        services_map = {
            k: v for k, v in doc.items() if isinstance(v, dict) and ("image" in v or "build" in v)
        }
    services = tuple(
        _compose_service(str(name), value, line_of(services_map, name) or 1)
        for name, value in (services_map or {}).items()
    )
    return ComposeFile(path, services, tuple(_compose_test_reasons(path, services)))


_COMPOSE_FILE_REF = re.compile(r"[\w./${}-]*(?:docker-)?compose[\w.-]*\.ya?ml")
_COMPOSE_UP = re.compile(r"\b(?:docker|podman)[- ]compose\b(?P<rest>[^\n]*)")
_MAKE_TARGET = re.compile(r"^([A-Za-z0-9_./-]+)\s*:(?!=)")
_TESTY_TARGET = re.compile(r"test|e2e|integration|acceptance|check|\bit\b", re.IGNORECASE)


def compose_mentions(path: str, text: str) -> tuple[ComposeMention, ...]:
    """Mentions of compose files by tests, Makefile test targets, tox/nox and CI."""
    name = posixpath.basename(path)
    is_make = name in _SCRIPT_NAMES or path.endswith(".mk")
    if _is_ci_path(path):
        context = "ci"
    elif (
        _is_test_path(path)
        or name in ("tox.ini", "noxfile.py")
        or (_ext(path) in (".sh", ".bash") and _TESTY_TARGET.search(name))
    ):
        context = "test"
    elif is_make:
        context = "make"
    else:
        return ()
    if "compose" not in text:
        return ()
    out: list[ComposeMention] = []
    target: str | None = None
    for index, line in enumerate(text.splitlines(), start=1):
        if is_make:
            header = _MAKE_TARGET.match(line)
            if header and not line.startswith("\t"):
                target = header.group(1)
        if "compose" not in line:
            continue
        if is_make and not (target and _TESTY_TARGET.search(target)):
            continue
        refs = [r for r in _COMPOSE_FILE_REF.findall(line) if "${" not in r]
        where = "test" if context in ("test", "make") else "ci"
        if refs:
            out.extend(ComposeMention(path, index, ref.lstrip("./") or ref, where) for ref in refs)
            continue
        up = _COMPOSE_UP.search(line)
        if up and re.search(r"\b(?:up|run)\b", up.group("rest")):
            out.append(ComposeMention(path, index, None, where))
    return tuple(out)


# --------------------------------------------------------------------------- kustomize


def _str_list(value: Any) -> list[str]:
    return [str(v) for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _is_remote(ref: str) -> bool:
    return "://" in ref or ref.startswith(("github.com/", "git@", "gitlab.com/", "bitbucket.org/"))


def _join(directory: str, ref: str) -> str:
    joined = (
        posixpath.normpath(posixpath.join(directory, ref)) if directory else posixpath.normpath(ref)
    )
    return "" if joined == "." else joined


def _workload_patch(workload: Workload, kustomization: str) -> KustomizePatch:
    """What a strategic-merge patch (read as a partial workload) declares."""
    probes: set[str] = set()
    resources = False
    non_root: bool | None = None
    for container in workload.containers:
        probes.update(p.kind for p in container.probes)
        res = container.resources
        resources = resources or bool(res and (res.has_requests or res.has_limits))
        decided = workload.non_root(container)
        non_root = decided if decided is not None else non_root
    if non_root is None and workload.pod_security is not None:
        non_root = workload.pod_security.non_root
    return KustomizePatch(
        workload.path,
        workload.line,
        kustomization,
        workload.kind,
        workload.name,
        tuple(sorted(probes)),
        resources,
        non_root,
        workload.replicas,
    )


def _is_json6902(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(op, dict) and "op" in op and "path" in op for op in value)
    )


def _ops_patch(path: str, line: int, ops: list[Any]) -> KustomizePatch:
    """What a JSON6902 operation list adds (targets come from the kustomization)."""
    probes: set[str] = set()
    resources = False
    non_root: bool | None = None
    replicas: int | None = None
    for op in ops:
        if op.get("op") not in ("add", "replace"):
            continue
        text = f"{op.get('path', '')} {op.get('value', '')}"
        probes.update(kind for key, kind in PROBE_KEYS.items() if key in text)
        resources = resources or "requests" in text or "limits" in text
        value = op.get("value")
        if str(op.get("path", "")).endswith("/replicas") and isinstance(value, int):
            replicas = value
        if str(op.get("path", "")).endswith("/runAsNonRoot") and isinstance(value, bool):
            non_root = value
        elif "'runAsNonRoot': True" in text:
            non_root = True
    return KustomizePatch(
        path, line, "", None, None, tuple(sorted(probes)), resources, non_root, replicas
    )


def _inline_patches(path: str, line: int, text: str, target: Any) -> list[KustomizePatch]:
    docs, _ = load_yaml_documents(text)
    out: list[KustomizePatch] = []
    for doc in docs:
        if _is_json6902(doc.value):
            out.append(_ops_patch(path, line, doc.value))
            continue
        objects = K8sObjects.empty()
        collect_objects(path, doc.value, objects)
        out.extend(_workload_patch(w, path) for w in objects.workloads)
    kind = as_str(target.get("kind")) if isinstance(target, dict) else None
    name = as_str(target.get("name")) if isinstance(target, dict) else None
    return [
        dataclasses.replace(
            p,
            line=line,
            kustomization=path,
            target_kind=kind or p.target_kind,
            target_name=name or p.target_name,
        )
        for p in out
    ]


def parse_kustomization(path: str, doc: Any) -> tuple[Kustomization, list[KustomizePatch]]:
    """The kustomization and its *inline* patches (file patches are resolved
    by ``deploy_facts``, which can read the files)."""
    data = doc if isinstance(doc, dict) else {}
    directory = posixpath.dirname(path)
    refs = _str_list(data.get("resources")) + _str_list(data.get("bases"))
    refs += _str_list(data.get("components"))
    patch_files: list[str] = []
    targets: list[tuple[str, str | None, str | None]] = []
    inline: list[KustomizePatch] = []
    entries: list[tuple[Any, int]] = []
    for key in ("patches", "patchesStrategicMerge", "patchesJson6902"):
        items = data.get(key)
        if isinstance(items, list):
            entries.extend((item, line_of(items, i) or 1) for i, item in enumerate(items))
    for item, line in entries:
        if isinstance(item, str):
            if "\n" in item or item.lstrip().startswith(("apiVersion", "kind")):
                inline.extend(_inline_patches(path, line, item, None))
            else:
                patch_files.append(_join(directory, item))
        elif isinstance(item, dict):
            target = item.get("target") if isinstance(item.get("target"), dict) else None
            if isinstance(item.get("path"), str):
                patch_files.append(_join(directory, item["path"]))
                if target:
                    kind, name = as_str(target.get("kind")), as_str(target.get("name"))
                    targets.append((patch_files[-1], kind, name))
            elif isinstance(item.get("patch"), str):
                inline.extend(_inline_patches(path, line, item["patch"], target))
    replicas = tuple(
        (str(r["name"]), int(r["count"]))
        for r in data.get("replicas") or []
        if isinstance(r, dict) and isinstance(r.get("count"), int) and "name" in r
    )
    charts = tuple(
        as_str(c.get("name")) or "" for c in data.get("helmCharts") or [] if isinstance(c, dict)
    )
    kustomization = Kustomization(
        path,
        tuple(refs),
        tuple(r for r in refs if _is_remote(r)),
        tuple(patch_files),
        tuple(targets),
        replicas,
        charts,
    )
    return kustomization, inline


# --------------------------------------------------------------------------- helm


def parse_chart(path: str, doc: Any) -> HelmChart:
    data = doc if isinstance(doc, dict) else {}
    dependencies = tuple(
        as_str(d.get("name")) or "" for d in data.get("dependencies") or [] if isinstance(d, dict)
    )
    return HelmChart(
        path,
        as_str(data.get("name")),
        as_str(data.get("version")),
        as_str(data.get("type")) or "application",
        dependencies,
    )


def _is_values_file(name: str) -> bool:
    return name.startswith("values") and name.endswith((".yaml", ".yml"))


def _in_templates_dir(path: str) -> bool:
    return "templates" in path.split("/")[:-1]


# --------------------------------------------------------------------------- per file


class _Collector:
    def __init__(self, path: str) -> None:
        self.path = path
        self.objects = K8sObjects.empty()
        self.assets = Assets.empty()
        self.problems: list[ParseProblem] = []
        self.patch_documents: list[KustomizePatch] = []

    def document(self, doc: YamlDocument, template: Neutralised | None, guard: str | None) -> None:
        value = doc.value
        if _is_json6902(value):
            self.patch_documents.append(_ops_patch(self.path, doc.line, value))
            return
        recognised = collect_objects(self.path, value, self.objects, template, guard)
        if recognised:
            return
        if isinstance(value, dict):
            self.objects.outliers.extend(envoy_clusters(self.path, value))
        for line, tool, detail in structured_document(self.path, value, self.assets):
            self.objects.progressive.append(
                ProgressiveDelivery(
                    self.path, line, tool, "canary", None, 0, tool == "kayenta", detail
                )
            )

    def result(self, **extra: Any) -> DeployFileFacts:
        a, o = self.assets, self.objects
        return DeployFileFacts(
            path=self.path,
            workloads=tuple(o.workloads),
            autoscalers=tuple(o.autoscalers),
            disruption_budgets=tuple(o.budgets),
            progressive_delivery=tuple(o.progressive),
            outlier_detection=tuple(o.outliers),
            alert_rules=tuple(a.alerts),
            alert_routing=tuple(a.routing),
            dashboards=tuple(a.dashboards),
            dashboard_provisioning=tuple(a.provisioning),
            slos=tuple(a.slos),
            chaos_experiments=tuple(a.chaos),
            load_tests=tuple(a.load),
            pact_files=tuple(a.pacts),
            contracts=tuple(a.contracts),
            feature_files=tuple(a.features),
            step_definitions=tuple(a.steps),
            problems=tuple(self.problems),
            patch_documents=tuple(self.patch_documents),
            **extra,
        )


def _guard_for(template: Neutralised | None, start: int, end: int) -> str | None:
    if template is None:
        return None
    for line in sorted(template.guards):
        if start <= line <= end:
            return template.guards[line]
    return None


def _yaml_file(path: str, text: str) -> DeployFileFacts | None:
    name = posixpath.basename(path)
    collector = _Collector(path)
    template: Neutralised | None = None
    source = text
    if "{{" in text and (_in_templates_dir(path) or "{{-" in text or ".Values" in text):
        template = neutralise(text)
        source = template.text
    docs, errors = load_yaml_documents(source)
    if errors and template is None and "{{" in text:
        # Some other templating (Jinja, gomplate...): retry neutralised, quietly.
        template = neutralise(text)
        source = template.text
        docs, errors = load_yaml_documents(source)
    if template is None:
        collector.problems.extend(ParseProblem(path, e.message, e.line) for e in errors)
    elif errors:
        chunks = split_documents(source)
        for error in errors:
            if error.index < len(chunks):
                start, chunk = chunks[error.index]
                keys = scan_text_keys(chunk, start + 1)
                if keys:
                    guard = _guard_for(template, start + 1, keys[0].line)
                    text_level_objects(path, keys, template, guard, collector.objects)
    extra: dict[str, Any] = {"templated": template is not None}
    if name in _KUSTOMIZATION_NAMES and docs:
        kustomization, inline = parse_kustomization(path, docs[0].value)
        return collector.result(kustomization=kustomization, kustomize_inline_patches=tuple(inline))
    if name == "Chart.yaml" and docs:
        return collector.result(chart=parse_chart(path, docs[0].value))
    if is_compose_path(path):
        if docs:
            return collector.result(compose=parse_compose(path, docs[0].value))
        return collector.result()
    if _is_values_file(name) and not _in_templates_dir(path):
        values = flatten_values(docs[0].value) if docs else ()
        extra["values"] = values
    starts = [start for start, _ in split_documents(source)] if template is not None else []
    for doc in docs:
        chunk_start = starts[doc.index] + 1 if doc.index < len(starts) else doc.line
        guard = _guard_for(template, chunk_start, doc.line)
        collector.document(doc, template, guard)
    return collector.result(**extra)


def _json_file(path: str, text: str) -> DeployFileFacts | None:
    if not any(hint in text for hint in _JSON_HINTS):
        return None
    collector = _Collector(path)
    docs: list[YamlDocument] = []
    if len(text) < 1_000_000:
        docs, errors = load_yaml_documents(text)  # JSON is YAML: keeps line numbers
        if errors:
            docs = []
    if not docs:
        value, error, line = load_json(text)
        if error is not None:
            collector.problems.append(ParseProblem(path, error, line))
            return collector.result()
        docs = [YamlDocument(0, 1, value)]
    for doc in docs:
        collector.document(doc, None, None)
    return collector.result()


def _other_file(path: str, text: str) -> DeployFileFacts:
    """Non-YAML/JSON files: Gherkin, jsonnet, terraform, JMeter, source, scripts."""
    name = posixpath.basename(path)
    ext = _ext(path)
    assets = Assets.empty()
    if ext == ".feature":
        gherkin(path, text, assets)
    elif ext in (".jsonnet", ".libsonnet"):
        jsonnet(path, text, assets)
    elif ext == ".tf":
        terraform(path, text, assets)
    elif ext == ".jmx":
        jmeter(path, text, assets)
    elif ext in _SOURCE_EXTS:
        load_scripts(path, text, assets)
        step_definitions(path, text, assets)
        if _is_test_path(path):
            toxiproxy_usage(path, text, assets)
        if ext == ".py":
            grafanalib(path, text, assets)
        if ext == ".groovy":
            spring_contract_groovy(path, text, assets)
    elif ext in (".sh", ".bash") or name in _SCRIPT_NAMES or ext == ".mk":
        load_commands(path, text, assets)
    elif "vegeta" in name.lower() or name.startswith("targets"):
        vegeta_targets(path, text, assets)
    collector = _Collector(path)
    collector.assets = assets
    return collector.result()


def parse_deploy_file(path: str, text: str) -> DeployFileFacts | None:
    """Everything ``path`` declares; None when it declares nothing of interest."""
    name = posixpath.basename(path)
    ext = _ext(path)
    result: DeployFileFacts | None = None
    if _is_ci_path(path):
        pass  # CI pipelines belong to the CI collector; only compose mentions below
    elif ext in (".yaml", ".yml") and name not in _SKIP_YAML:
        if (
            any(hint in text for hint in _YAML_HINTS)
            or is_compose_path(path)
            or name in _KUSTOMIZATION_NAMES
            or _is_values_file(name)
        ):
            result = _yaml_file(path, text)
    elif name == "Kustomization":
        result = _yaml_file(path, text)
    elif ext == ".json":
        result = _json_file(path, text)
    else:
        result = _other_file(path, text)
    mentions = compose_mentions(path, text)
    if mentions:
        result = dataclasses.replace(result or DeployFileFacts(path), compose_mentions=mentions)
    if result is None or _is_empty(result):
        return None
    return result


def _is_empty(result: DeployFileFacts) -> bool:
    for item in dataclasses.fields(result):
        if item.name in ("path", "templated"):
            continue
        value = getattr(result, item.name)
        if value:
            return False
    return True


# --------------------------------------------------------------------------- combine


class _Values:
    """The values files of one chart, primary (``values.yaml``) first."""

    def __init__(self, files: list[tuple[str, tuple[ValuesEntry, ...]]]) -> None:
        files.sort(
            key=lambda f: (posixpath.basename(f[0]) not in ("values.yaml", "values.yml"), f[0])
        )
        self.files = files
        self.maps = [{e.path: e for e in entries} for _, entries in files]

    def lookup(self, ref: str) -> ValuesEntry | None:
        """The first non-empty entry for ``ref`` across the values files, else
        the (empty) primary one, else None."""
        found: ValuesEntry | None = None
        for entries in self.maps:
            entry = entries.get(ref)
            if entry is not None and not entry.empty:
                return entry
            found = found or entry
        return found

    def children(self, ref: str) -> tuple[tuple[str, str], ...]:
        for entries in self.maps:
            entry = entries.get(ref)
            if entry is not None and not entry.empty:
                return tuple(
                    (key, str(child.scalar))
                    for key in entry.keys
                    if (child := entries.get(f"{ref}.{key}")) is not None
                    and child.scalar is not None
                )
        return ()

    def truthy(self, ref: str) -> bool | None:
        entry = self.lookup(ref)
        if entry is None:
            return False if self.files else None
        return not entry.empty


def _resolve_probe(
    probe: Probe | None, values: _Values, notes: list[str], where: str
) -> Probe | None:
    if probe is None or probe.source != "template" or probe.values_ref is None:
        return probe
    entry = values.lookup(probe.values_ref)
    if entry is None or entry.empty:
        notes.append(
            f"{where}: {probe.kind} probe is templated from .Values.{probe.values_ref}, "
            "which is empty or absent in the chart's values"
        )
        return None
    handler = next((h for h in ("httpGet", "tcpSocket", "exec", "grpc") if h in entry.keys), None)
    path = port = None
    if handler is not None:
        path_entry = values.lookup(f"{probe.values_ref}.{handler}.path")
        port_entry = values.lookup(f"{probe.values_ref}.{handler}.port")
        path = as_str(path_entry.scalar) if path_entry is not None else None
        port = as_str(port_entry.scalar) if port_entry is not None else None
    return dataclasses.replace(probe, handler=handler, path=path, port=port, source="helm-values")


def _resolve_resources(
    resources: Resources | None, values: _Values, notes: list[str], where: str
) -> Resources | None:
    if resources is None or resources.source != "template" or resources.values_ref is None:
        return resources
    ref = resources.values_ref
    entry = values.lookup(ref)
    if entry is not None and not entry.empty and not ({"requests", "limits"} & set(entry.keys)):
        # ``resources: {{ toYaml .Values.resources.requests }}``-style refs
        parent = ref.rsplit(".", 1)[0] if "." in ref else ref
        if ref.endswith((".requests", ".limits")):
            ref, entry = parent, values.lookup(parent)
    requests = values.children(f"{ref}.requests")
    limits = values.children(f"{ref}.limits")
    if not requests and not limits:
        notes.append(
            f"{where}: resources are templated from .Values.{resources.values_ref}, "
            "which declares no requests or limits in the chart's values"
        )
    return dataclasses.replace(resources, requests=requests, limits=limits, source="helm-values")


def _resolve_security(security: SecurityContext | None, values: _Values) -> SecurityContext | None:
    if security is None or security.source != "template" or security.values_ref is None:
        return security
    ref = security.values_ref
    entry = values.lookup(ref)
    if entry is None or entry.empty:
        return None
    non_root_entry = values.lookup(f"{ref}.runAsNonRoot")
    user_entry = values.lookup(f"{ref}.runAsUser")
    non_root = non_root_entry.scalar if non_root_entry is not None else None
    user = user_entry.scalar if user_entry is not None else None
    return dataclasses.replace(
        security,
        run_as_non_root=non_root if isinstance(non_root, bool) else None,
        run_as_user=user if isinstance(user, int) and not isinstance(user, bool) else None,
        source="helm-values",
    )


def _resolve_container(
    container: Container, values: _Values, notes: list[str], where: str
) -> Container:
    return dataclasses.replace(
        container,
        liveness=_resolve_probe(container.liveness, values, notes, where),
        readiness=_resolve_probe(container.readiness, values, notes, where),
        startup=_resolve_probe(container.startup, values, notes, where),
        resources=_resolve_resources(container.resources, values, notes, where),
        security=_resolve_security(container.security, values),
    )


def _resolve_workload(workload: Workload, values: _Values, notes: list[str]) -> Workload | None:
    if workload.helm_condition and values.truthy(workload.helm_condition) is False:
        notes.append(
            f"{workload.location}: {workload.kind} is disabled by "
            f".Values.{workload.helm_condition} in the chart's values"
        )
        return None
    where = workload.location
    replicas = workload.replicas
    if replicas is None and workload.replicas_values_ref:
        entry = values.lookup(workload.replicas_values_ref)
        if (
            entry is not None
            and isinstance(entry.scalar, int)
            and not isinstance(entry.scalar, bool)
        ):
            replicas = entry.scalar
    return dataclasses.replace(
        workload,
        replicas=replicas,
        containers=tuple(_resolve_container(c, values, notes, where) for c in workload.containers),
        init_containers=tuple(
            _resolve_container(c, values, notes, where) for c in workload.init_containers
        ),
        pod_security=_resolve_security(workload.pod_security, values),
    )


def _resolve_autoscaler(scaler: Autoscaler, values: _Values) -> Autoscaler:
    """``minReplicas: {{ .Values.autoscaling.minReplicas }}`` read from values."""
    if scaler.min_replicas is not None or scaler.min_replicas_values_ref is None:
        return scaler
    entry = values.lookup(scaler.min_replicas_values_ref)
    if entry is None or not isinstance(entry.scalar, int) or isinstance(entry.scalar, bool):
        return scaler
    return dataclasses.replace(scaler, min_replicas=entry.scalar)


def _chart_summary(chart: HelmChart, values: _Values, templates: tuple[str, ...]) -> HelmChart:
    replicas = values.lookup("replicaCount")
    autoscaling = values.lookup("autoscaling.enabled")
    resources = values.lookup("resources")
    return dataclasses.replace(
        chart,
        values_files=tuple(p for p, _ in values.files),
        templates=templates,
        replica_count=replicas.scalar
        if replicas is not None
        and isinstance(replicas.scalar, int)
        and not isinstance(replicas.scalar, bool)
        else None,
        autoscaling_enabled=autoscaling.scalar
        if autoscaling is not None and isinstance(autoscaling.scalar, bool)
        else None,
        values_resources=None
        if resources is None
        else bool(values.children("resources.requests") or values.children("resources.limits")),
    )


def _chart_for(path: str, chart_dirs: list[str]) -> str | None:
    """The chart whose ``templates/`` holds ``path`` (the deepest one)."""
    best: str | None = None
    for directory in chart_dirs:
        prefix = f"{directory}/templates/" if directory else "templates/"
        if path.startswith(prefix) and (best is None or len(directory) > len(best)):
            best = directory
    return best


def _kustomize_dirs(kustomizations: dict[str, Kustomization]) -> dict[str, str]:
    return {posixpath.dirname(path): path for path in kustomizations}


def _reachable_files(
    kustomization: Kustomization,
    by_dir: dict[str, str],
    kustomizations: dict[str, Kustomization],
    seen: set[str] | None = None,
) -> set[str]:
    seen = seen if seen is not None else set()
    if kustomization.path in seen:
        return set()
    seen.add(kustomization.path)
    directory = posixpath.dirname(kustomization.path)
    files: set[str] = set()
    for ref in kustomization.resources:
        if _is_remote(ref):
            continue
        target = _join(directory, ref)
        if target in by_dir:
            files |= _reachable_files(kustomizations[by_dir[target]], by_dir, kustomizations, seen)
        else:
            files.add(target)
    return files


def _match_patches(
    patches: list[KustomizePatch],
    kustomizations: dict[str, Kustomization],
    workloads: list[Workload],
) -> list[KustomizePatch]:
    by_dir = _kustomize_dirs(kustomizations)
    out = []
    for patch in patches:
        owner = kustomizations.get(patch.kustomization)
        reach = _reachable_files(owner, by_dir, kustomizations) if owner else set()
        candidates = [w for w in workloads if w.path in reach] or workloads
        matched = tuple(
            w.location
            for w in candidates
            if (patch.target_name is None or w.name == patch.target_name)
            and (patch.target_kind is None or w.kind == patch.target_kind)
        )
        out.append(dataclasses.replace(patch, patched=matched))
    return out


def _compose_usage(
    composes: list[ComposeFile], mentions: list[ComposeMention]
) -> list[ComposeFile]:
    out = []
    for compose in composes:
        reasons = list(compose.test_reasons)
        base = posixpath.basename(compose.path)
        directory = posixpath.dirname(compose.path)
        for mention in mentions:
            if mention.file is not None:
                hit = (
                    compose.path.endswith(mention.file) or posixpath.basename(mention.file) == base
                )
            else:
                mention_dir = posixpath.dirname(mention.path)
                hit = base in (
                    "compose.yaml",
                    "compose.yml",
                    "docker-compose.yaml",
                    "docker-compose.yml",
                ) and (
                    directory in ("", mention_dir) or (mention.context == "ci" and directory == "")
                )
            if hit:
                reasons.append(f"used by {mention.path}:{mention.line}")
        out.append(dataclasses.replace(compose, test_reasons=tuple(dict.fromkeys(reasons))))
    return out


def deploy_facts(files: RepoFiles) -> DeployFacts:
    """Read every candidate file once and combine them (see module docstring)."""
    parsed: dict[str, DeployFileFacts] = {}
    for path in files.paths():
        if not is_deploy_candidate(path):
            continue
        result: DeployFileFacts | None = file_fact(files, "deploy", path, parse_deploy_file)
        if result is not None:
            parsed[path] = result
    return combine_deploy_files(parsed.values())


def combine_deploy_files(results: Iterable[DeployFileFacts]) -> DeployFacts:
    """Combine per-file facts (cached or fresh) into the repository view."""
    by_path = {r.path: r for r in results}
    notes: list[str] = []
    charts = {r.path: r.chart for r in by_path.values() if r.chart is not None}
    chart_dirs = [posixpath.dirname(p) for p in charts]
    kustomizations = {
        r.path: r.kustomization for r in by_path.values() if r.kustomization is not None
    }
    patch_files = {p for k in kustomizations.values() for p in k.patch_files}
    values_by_chart: dict[str, list[tuple[str, tuple[ValuesEntry, ...]]]] = {}
    templates_by_chart: dict[str, list[str]] = {}
    for result in by_path.values():
        directory = posixpath.dirname(result.path)
        if result.values is not None and directory in chart_dirs:
            values_by_chart.setdefault(directory, []).append((result.path, result.values))
        chart_dir = _chart_for(result.path, chart_dirs)
        if chart_dir is not None:
            templates_by_chart.setdefault(chart_dir, []).append(result.path)
    resolvers = {d: _Values(values_by_chart.get(d, [])) for d in chart_dirs}

    workloads: list[Workload] = []
    autoscalers: list[Autoscaler] = []
    budgets: list[DisruptionBudget] = []
    patches: list[KustomizePatch] = []
    for result in by_path.values():
        chart_dir = _chart_for(result.path, chart_dirs) if result.templated else None
        values = resolvers.get(chart_dir) if chart_dir is not None else None
        if result.path in patch_files:
            patches.extend(_file_patches(result, kustomizations))
            continue
        patches.extend(result.kustomize_inline_patches)
        for workload in result.workloads:
            resolved = _resolve_workload(workload, values, notes) if values else workload
            if resolved is not None:
                workloads.append(resolved)
        for scaler in result.autoscalers:
            if values and scaler.helm_condition and values.truthy(scaler.helm_condition) is False:
                notes.append(
                    f"{scaler.path}:{scaler.line}: {scaler.kind} is disabled by "
                    f".Values.{scaler.helm_condition}"
                )
                continue
            autoscalers.append(_resolve_autoscaler(scaler, values) if values else scaler)
        for budget in result.disruption_budgets:
            if values and budget.helm_condition and values.truthy(budget.helm_condition) is False:
                notes.append(
                    f"{budget.path}:{budget.line}: PodDisruptionBudget is disabled by "
                    f".Values.{budget.helm_condition}"
                )
                continue
            budgets.append(budget)

    compose = [r.compose for r in by_path.values() if r.compose is not None]
    mentions = [m for r in by_path.values() for m in r.compose_mentions]
    helm_charts = tuple(
        _chart_summary(
            chart,
            resolvers[posixpath.dirname(path)],
            tuple(sorted(templates_by_chart.get(posixpath.dirname(path), []))),
        )
        for path, chart in sorted(charts.items())
    )

    def gather(field: str) -> tuple[Any, ...]:
        return tuple(item for r in by_path.values() for item in getattr(r, field))

    return DeployFacts(
        workloads=tuple(workloads),
        autoscalers=tuple(autoscalers),
        disruption_budgets=tuple(budgets),
        kustomizations=tuple(kustomizations[k] for k in sorted(kustomizations)),
        kustomize_patches=tuple(_match_patches(patches, kustomizations, workloads)),
        helm_charts=helm_charts,
        compose_files=tuple(_compose_usage(compose, mentions)),
        progressive_delivery=gather("progressive_delivery"),
        outlier_detection=gather("outlier_detection"),
        alert_rules=gather("alert_rules"),
        alert_routing=gather("alert_routing"),
        dashboards=gather("dashboards"),
        dashboard_provisioning=gather("dashboard_provisioning"),
        slos=gather("slos"),
        chaos_experiments=gather("chaos_experiments"),
        load_tests=gather("load_tests"),
        pact_files=gather("pact_files"),
        contracts=gather("contracts"),
        feature_files=gather("feature_files"),
        step_definitions=gather("step_definitions"),
        problems=gather("problems"),
        notes=tuple(notes),
    )


def _file_patches(
    result: DeployFileFacts, kustomizations: dict[str, Kustomization]
) -> list[KustomizePatch]:
    """The patches a patch file contributes, once per kustomization using it."""
    out: list[KustomizePatch] = []
    for owner in kustomizations.values():
        if result.path not in owner.patch_files:
            continue
        targets = [(k, n) for f, k, n in owner.patch_targets if f == result.path]
        kind, name = targets[0] if targets else (None, None)
        found = [_workload_patch(w, owner.path) for w in result.workloads]
        found += list(result.patch_documents)
        out.extend(
            dataclasses.replace(
                p,
                kustomization=owner.path,
                target_kind=kind or p.target_kind,
                target_name=name or p.target_name,
            )
            for p in found
        )
    return out
