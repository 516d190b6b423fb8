"""Delivery and operations checks (pillar ``ops``): is the service built,
packaged, deployed and kept up to date the way production needs?"""

from __future__ import annotations

from prodready.scan.checks._service import ci, own_project, service_pipelines
from prodready.scan.checks.base import Check, CheckSpec, Example, Verdict, evidence, finding
from prodready.scan.facts.deps import DepsFacts, deps_facts
from prodready.scan.facts.view import Facts
from prodready.scan.model import Level, Severity

CI_PIPELINE = CheckSpec(
    id="ops.ci-pipeline",
    level=Level.BRONZE,
    title="A CI pipeline is defined",
    passes_when=(
        "a CI pipeline definition (GitHub Actions, GitLab CI, Jenkinsfile, CircleCI, "
        "Buildkite, Azure Pipelines, Travis, Drone, Tekton, Cloud Build...)"
    ),
    why=(
        "Continuous integration is what turns 'works on my machine' into 'works'. Without "
        "a pipeline, nothing checks a change before it merges: tests are run when someone "
        "remembers, builds break silently, and every other automated gate in this "
        "checklist has nowhere to run."
    ),
    how_to_fix=(
        "Add a pipeline definition to the repository, e.g. .github/workflows/ci.yml, "
        ".gitlab-ci.yml or a Jenkinsfile, that builds the service and runs its tests on "
        "every push and pull request. Keep the steps in one entry point (a Makefile target "
        "or script) so CI and developers run the same thing."
    ),
    references=(
        "https://martinfowler.com/articles/continuousIntegration.html",
        "https://docs.github.com/en/actions/writing-workflows/quickstart",
        "https://docs.gitlab.com/ee/ci/quick_start/",
    ),
    examples=(
        Example(
            "GitHub Actions workflow running the tests",
            "on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n",
            language="yaml",
        ),
    ),
)


def judge_ci_pipeline(facts: Facts) -> Verdict:
    found = ci(facts)
    pipelines = service_pipelines(facts)
    if pipelines:
        seen = [
            evidence(
                p.path,
                f"{p.kind.value}: {len(p.jobs)} jobs" + (f"; {p.notes[0]}" if p.notes else ""),
            )
            for p in pipelines
        ]
        kinds = ", ".join(sorted({p.kind.value for p in pipelines}))
        return Verdict.passed(f"CI pipeline defined ({kinds})", evidence=seen)
    own = {i.path for i in facts.files() if not (i.is_test or i.is_example or i.is_vendored)}
    broken = [p for p in found.problems if _looks_like_ci(p.path) and p.path in own]
    if broken:
        return Verdict.failed(
            "a CI definition exists but does not parse, so no pipeline can run it",
            findings=[
                finding(f"CI definition does not parse: {p.message}", p.path, p.line)
                for p in broken
            ],
        )
    return Verdict.failed(
        "no CI pipeline definition",
        findings=[
            finding(
                "no CI pipeline (GitHub Actions, GitLab CI, Jenkinsfile, CircleCI, Azure "
                "Pipelines, ...) found",
                severity=Severity.HIGH,
            )
        ],
    )


def _looks_like_ci(path: str) -> bool:
    lowered = path.lower()
    return lowered.startswith(
        (".github/workflows/", ".gitlab-ci", ".circleci/", "azure-pipelines", ".travis")
    ) or lowered in {"jenkinsfile", ".drone.yml", "bitbucket-pipelines.yml", "cloudbuild.yaml"}


LOCKFILE = CheckSpec(
    id="ops.lockfile",
    level=Level.BRONZE,
    title="Dependencies are locked",
    passes_when="dependencies are locked or pinned for each ecosystem in the repo",
    why=(
        "Unpinned dependencies make every build a different build: a transitive release "
        "on a Friday night changes what you ship without a commit. Lockfiles make builds "
        "reproducible, make rollbacks real, and let vulnerability scanners see exactly "
        "what runs in production."
    ),
    how_to_fix=(
        "Commit the lockfile of each ecosystem: uv.lock, poetry.lock, Pipfile.lock, "
        "pdm.lock or requirements.txt with exact pins (pip-compile --generate-hashes); "
        "go.sum next to go.mod; package-lock.json, yarn.lock or pnpm-lock.yaml; "
        "Gradle/Maven dependency locking."
    ),
    references=(
        "https://packaging.python.org/en/latest/specifications/pylock-toml/",
        "https://go.dev/ref/mod#go-sum-files",
        "https://docs.npmjs.com/cli/configuring-npm/package-lock-json",
    ),
)


def judge_lockfile(facts: Facts) -> Verdict:
    found: DepsFacts = facts.derived("deps", deps_facts)
    projects = [
        (ecosystem.ecosystem.value, project)
        for ecosystem in found.ecosystems
        for project in ecosystem.projects
        if own_project(facts, project.root, project.manifests)
    ]
    if not projects:
        return Verdict.not_applicable("no dependency manifest in this service")
    seen = [
        evidence(p.manifests[0], f"{eco}: locked ({p.evidence})")
        for eco, p in projects
        if p.locked and p.manifests
    ]
    unlocked = [(eco, p) for eco, p in projects if not p.locked]
    if not unlocked:
        ecosystems = ", ".join(sorted({eco for eco, _ in projects}))
        return Verdict.passed(f"dependencies are locked ({ecosystems})", evidence=seen)
    return Verdict.failed(
        f"{len(unlocked)} of {len(projects)} dependency projects are not locked",
        score=round(10.0 * (len(projects) - len(unlocked)) / len(projects), 1),
        findings=[
            finding(
                f"{eco} dependencies not locked: {p.why_unlocked or 'no lockfile'}",
                p.manifests[0] if p.manifests else None,
                severity=Severity.HIGH,
            )
            for eco, p in unlocked
        ],
        evidence=seen,
    )


CONTAINER = CheckSpec(
    id="ops.container",
    level=Level.SILVER,
    title="The service builds a container image",
    passes_when=(
        "the service builds an image (Dockerfile/Containerfile, Jib, ko, buildpacks config)"
    ),
    why=(
        "An image is the unit that platforms deploy, scale and roll back. Building it "
        "from the repository makes the runtime environment reviewed, versioned and "
        "identical in every environment, instead of a snowflake host."
    ),
    how_to_fix=(
        "Add a Dockerfile (multi-stage, small base image) or configure Jib (Java), ko (Go) "
        "or Cloud Native Buildpacks (project.toml), and build it in CI."
    ),
    references=(
        "https://docs.docker.com/build/building/best-practices/",
        "https://ko.build/",
        "https://buildpacks.io/docs/",
    ),
)

CONTAINER_HARDENING = CheckSpec(
    id="ops.container-hardening",
    level=Level.SILVER,
    title="Images run as non-root, pin their base and have a .dockerignore",
    passes_when=(
        "every image runs as non-root (`USER` in the image, or `runAsNonRoot`/`runAsUser` "
        "in the manifests that run it), pins its base image (no `latest`), and has a "
        "`.dockerignore`"
    ),
    why=(
        "A process running as root in a container is one kernel bug away from root on the "
        "node. A floating base tag ('latest') changes the OS under you without a commit. "
        "Without a .dockerignore, secrets, .git and local junk end up in the image and "
        "its build cache."
    ),
    how_to_fix=(
        "Add `USER 10001` (a non-root uid) after installing packages, or set "
        "securityContext.runAsNonRoot/runAsUser in the Deployment; pin the base image to "
        "a version tag or digest (python:3.11-slim@sha256:...); add a .dockerignore that "
        "excludes .git, tests, local envs and credentials."
    ),
    references=(
        "https://docs.docker.com/build/building/best-practices/#user",
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html",
    ),
)

DEPENDENCY_UPDATES = CheckSpec(
    id="ops.dependency-updates",
    level=Level.SILVER,
    title="Dependency updates are automated",
    passes_when="automated dependency updates (Dependabot, Renovate)",
    why=(
        "Dependencies that are updated by hand are updated rarely, then all at once under "
        "pressure when a CVE lands. Small automated update PRs keep the upgrade path "
        "short and tested."
    ),
    how_to_fix=(
        "Add .github/dependabot.yml with an entry per ecosystem, or a renovate.json "
        "(or .github/renovate.json5) configuration."
    ),
    references=(
        "https://docs.github.com/en/code-security/dependabot/dependabot-version-updates",
        "https://docs.renovatebot.com/",
    ),
)

DEPENDENCY_SCANNING = CheckSpec(
    id="ops.dependency-scanning",
    level=Level.SILVER,
    title="Dependencies are scanned for vulnerabilities",
    passes_when=(
        "dependency vulnerability scanning runs (pip-audit, safety, osv-scanner, govulncheck, "
        "trivy, snyk, npm audit, Dependabot security updates)"
    ),
    why=(
        "Most of the code a service runs is other people's. Known vulnerabilities in "
        "that code are published daily; a scanner in CI tells you the day one affects "
        "you instead of the day it is exploited."
    ),
    how_to_fix=(
        "Run pip-audit / osv-scanner / govulncheck / npm audit / trivy in CI (failing on "
        "high severity), or enable Dependabot security updates."
    ),
    references=(
        "https://github.com/pypa/pip-audit",
        "https://go.dev/doc/security/vuln/",
        "https://google.github.io/osv-scanner/",
    ),
)

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
        "Give every container in Deployments/StatefulSets a readinessProbe and a "
        "livenessProbe (httpGet on /readyz and /livez, or grpc), with sensible "
        "initialDelaySeconds/periodSeconds/failureThreshold."
    ),
    references=(
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
    ),
)

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
        "every container, based on load-test measurements."
    ),
    references=("https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",),
)

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
        "add a PodDisruptionBudget (minAvailable: 1)."
    ),
    references=(
        "https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
        "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/",
    ),
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
        "Use Argo Rollouts or Flagger canary strategies with metric analysis, Istio/SMI "
        "weighted routing, or feature flags with a percentage rollout."
    ),
    references=(
        "https://argo-rollouts.readthedocs.io/en/stable/features/canary/",
        "https://docs.flagger.app/",
        "https://sre.google/workbook/canarying-releases/",
    ),
)

CHECKS: tuple[Check, ...] = (
    Check(CI_PIPELINE, judge_ci_pipeline),
    Check(LOCKFILE, judge_lockfile),
    Check(CONTAINER),
    Check(CONTAINER_HARDENING),
    Check(DEPENDENCY_UPDATES),
    Check(DEPENDENCY_SCANNING),
    Check(K8S_PROBES),
    Check(K8S_RESOURCES),
    Check(HIGH_AVAILABILITY),
    Check(PROGRESSIVE_DELIVERY),
)
