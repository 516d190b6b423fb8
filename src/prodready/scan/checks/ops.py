"""Delivery and operations checks (pillar ``ops``): is the service built,
packaged, deployed and kept up to date the way production needs?"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from prodready.scan.checks._service import (
    ci,
    deployment,
    own_project,
    repository_derived,
    service_pipelines,
    service_runs,
)
from prodready.scan.checks._uses import FRONTEND, LIBRARY, app_kind, entry_point, not_applicable
from prodready.scan.checks.base import Check, CheckSpec, Example, Verdict, evidence, finding
from prodready.scan.facts._deploy_helm import PLACEHOLDER
from prodready.scan.facts.ci_model import CommandRun, ToolCategory, Trigger
from prodready.scan.facts.containers import (
    FLOATING_TAGS,
    ContainerFacts,
    Dockerfile,
    FromInstruction,
    ImageBuilder,
    container_facts,
    split_image_reference,
)
from prodready.scan.facts.deploy import (
    ComposeFile,
    Container,
    DeployFacts,
    ProgressiveDelivery,
    Resources,
    Workload,
)
from prodready.scan.facts.deps import DependencyProject, DepsFacts, Ecosystem, deps_facts
from prodready.scan.facts.deps_updates import DEPENDABOT_PATHS, RENOVATE_PATHS
from prodready.scan.facts.view import Facts
from prodready.scan.model import Evidence, Finding, Level, Severity
from prodready.scan.services import discover

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


# ---------------------------------------------------------------- container images


@dataclass(frozen=True, slots=True)
class _Images:
    """The images this service builds: its own Dockerfiles (not devcontainers,
    test or example ones), Jib/ko/buildpacks configs, and Dockerfiles that do
    not parse (no FROM)."""

    dockerfiles: tuple[Dockerfile, ...]
    builders: tuple[ImageBuilder, ...]
    broken: tuple[Dockerfile, ...]
    containers: ContainerFacts

    @property
    def any(self) -> bool:
        return bool(self.dockerfiles or self.builders)


def _images(facts: Facts) -> _Images:
    def compute(view: Facts) -> _Images:
        found = view.derived("containers", container_facts)
        own = [
            d
            for d in found.service_dockerfiles
            if view.scope.owns(d.path) and _first_party(view, d.path)
        ]
        builders = tuple(
            b
            for b in found.image_builders
            if view.scope.owns(b.path) and _first_party(view, b.path)
        )
        return _Images(
            tuple(d for d in own if d.stages),
            builders,
            tuple(d for d in own if not d.stages),
            found,
        )

    return facts.derived("prodready.ops.images", compute)


def _first_party(facts: Facts, path: str) -> bool:
    """Not a test fixture, example or vendored copy (generated files are the
    project's own: a rendered manifest is still what gets deployed)."""
    info = facts.index.info(path)
    return info is None or not (info.is_test or info.is_example or info.is_vendored)


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
        "or Cloud Native Buildpacks (project.toml), and build it in CI. Dockerfiles of "
        "devcontainers, tests and examples do not count. Libraries and static frontends "
        "that ship no image are not applicable."
    ),
    references=(
        "https://docs.docker.com/build/building/best-practices/",
        "https://ko.build/",
        "https://buildpacks.io/docs/",
    ),
    examples=(
        Example(
            "A multi-stage Dockerfile",
            "FROM python:3.12.7-slim AS build\nWORKDIR /app\nCOPY . .\n"
            "RUN pip install --no-cache-dir --prefix=/install .\n\n"
            "FROM python:3.12.7-slim\nCOPY --from=build /install /usr/local\n"
            'USER 10001\nCMD ["uvicorn", "orders.main:app", "--host", "0.0.0.0"]\n',
            language="dockerfile",
        ),
    ),
)


def judge_container(facts: Facts) -> Verdict:
    images = _images(facts)
    broken = [
        finding(
            f"{d.path} is not a Dockerfile that builds anything: "
            f"{d.problems[0].message if d.problems else 'no FROM instruction'}",
            d.path,
            d.problems[0].line if d.problems else 1,
        )
        for d in images.broken
    ]
    if images.any:
        seen = [
            evidence(d.path, _dockerfile_summary(d), d.final_stage.line if d.final_stage else None)
            for d in images.dockerfiles
        ] + [evidence(b.path, f"{b.tool} builds the image", b.line) for b in images.builders]
        tools = sorted(
            {"Dockerfile" for _ in images.dockerfiles} | {b.tool for b in images.builders}
        )
        return Verdict.passed(
            f"the service builds an image ({', '.join(tools)})",
            evidence=seen,
            findings=broken,
        )
    kind = app_kind(facts)
    if kind in (LIBRARY, FRONTEND) and not broken:
        what = "a library" if kind == LIBRARY else "a frontend application (static files)"
        return not_applicable(facts, f"{what} ships no container image")
    entry = entry_point(facts)
    anchor = (entry.path, entry.line) if entry else (None, None)
    message = (
        "the service runs as a process but nothing builds its image: no Dockerfile/"
        "Containerfile, Jib, ko or buildpacks configuration in its folder"
    )
    compose = _compose_builds(facts)
    if compose:
        message += f"; {compose[0].path} builds `{compose[1]}` from a Dockerfile that is not here"
    return Verdict.failed(
        "no container image is built for the service",
        findings=[*broken, finding(message, *anchor, severity=Severity.MEDIUM)],
    )


def _dockerfile_summary(dockerfile: Dockerfile) -> str:
    base = dockerfile.final_base
    stages = len(dockerfile.stages)
    shown = base.image if base is not None and base.is_base_image else "scratch"
    return f"{stages} stage{'s' if stages != 1 else ''}, final image from {shown}"


def _compose_builds(facts: Facts) -> tuple[ComposeFile, str] | None:
    """A compose file of this service with a service built from source (``build:``)."""
    for compose in deployment(facts).compose_files:
        if compose.is_test_env or not facts.scope.owns(compose.path):
            continue
        for service in compose.services:
            if service.build:
                return compose, service.name
    return None


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
        "Add `USER 10001` (a non-root uid) in the final stage after installing packages, "
        "or set securityContext.runAsNonRoot/runAsUser in every workload that runs the "
        "image; pin every base image (each FROM) to a version tag or a digest "
        "(python:3.12.7-slim@sha256:...), never `latest`, no tag, or a moving tag such as "
        "`stable`; add a non-empty .dockerignore beside the build context that excludes "
        ".git, tests, local environments and credentials. Not applicable when the "
        "service builds no image."
    ),
    references=(
        "https://docs.docker.com/build/building/best-practices/#user",
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html",
    ),
    examples=(
        Example(
            "Pinned base, non-root user",
            "FROM golang:1.22.8 AS build\nWORKDIR /src\nCOPY . .\n"
            "RUN CGO_ENABLED=0 go build -o /app ./cmd/app\n\n"
            "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /app /app\n"
            'USER 65532:65532\nENTRYPOINT ["/app"]\n',
            language="dockerfile",
        ),
        Example(
            "Floating base image, runs as root (fails)",
            "FROM python:latest\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n"
            'CMD ["python", "/app/main.py"]\n',
            passes=False,
            language="dockerfile",
        ),
    ),
)

_CRITERIA_PER_DOCKERFILE = 3


def judge_container_hardening(facts: Facts) -> Verdict:
    images = _images(facts)
    if not images.any:
        return Verdict.not_applicable("the service builds no container image")
    manifests = _manifest_user(facts)
    findings: list[Finding] = []
    seen: list[Evidence] = []
    met = total = 0
    for dockerfile in images.dockerfiles:
        checks = (
            _non_root(dockerfile, manifests),
            _pinned(dockerfile),
            _ignored(dockerfile, images.containers),
        )
        for ok, found, proof in checks:
            total += 1
            met += ok
            findings.extend(found)
            seen.extend(proof)
    for builder in images.builders:
        for ok, found, proof in (_builder_non_root(builder, manifests), _builder_pinned(builder)):
            total += 1
            met += ok
            findings.extend(found)
            seen.extend(proof)
    count = len(images.dockerfiles) + len(images.builders)
    failing = [f for f in findings if f.severity is not Severity.LOW]
    if not failing:
        return Verdict.passed(
            f"{count} image{'s' if count != 1 else ''}: non-root, pinned base"
            + (", .dockerignore" if images.dockerfiles else ""),
            score=10.0 if not findings else 9.0,
            evidence=seen,
            findings=findings,
        )
    problems = sorted({_problem_kind(f.message) for f in failing})
    return Verdict.failed(
        f"images are not hardened: {', '.join(problems)}",
        score=round(10.0 * met / total, 1) if total else 0.0,
        findings=findings,
        evidence=seen,
    )


_Result = tuple[bool, list[Finding], list[Evidence]]


def _problem_kind(message: str) -> str:
    if "root" in message:
        return "runs as root"
    if ".dockerignore" in message:
        return "no .dockerignore"
    return "unpinned base image"


@dataclass(frozen=True, slots=True)
class _ManifestUser:
    """What the service's Kubernetes manifests say about the user its
    containers run as: every main container decides non-root (and whether a
    uid is given, or only ``runAsNonRoot: true``)."""

    all_non_root: bool
    with_uid: bool
    where: str | None


def _manifest_user(facts: Facts) -> _ManifestUser:
    deployed = _deployed(facts)
    decisions: list[tuple[bool | None, bool, str]] = []
    for workload in deployed.workloads:
        patches = deployed.deploy.patches_for(workload)
        patched = next((p.non_root for p in patches if p.non_root is not None), None)
        for container in workload.containers:
            security = container.security
            pod = workload.pod_security
            decided = workload.non_root(container)
            if decided is None:
                decided = patched
            uid = any(s is not None and s.run_as_user not in (None, 0) for s in (security, pod))
            decisions.append((decided, uid, f"{workload.path}:{container.line}"))
    if not decisions:
        return _ManifestUser(False, False, None)
    return _ManifestUser(
        all(d is True for d, _, _ in decisions),
        all(uid for _, uid, _ in decisions),
        decisions[0][2],
    )


def _non_root(dockerfile: Dockerfile, manifests: _ManifestUser) -> _Result:
    user = dockerfile.final_user
    stage = dockerfile.final_stage
    decided = dockerfile.runs_as_non_root
    if decided is True:
        detail = (
            f"USER {user.raw}"
            if user is not None
            else f"{dockerfile.final_base.image if dockerfile.final_base else 'base'} "
            "runs as a non-root user by default"
        )
        return True, [], [evidence(dockerfile.path, detail, user.line if user else None)]
    if decided is None and user is not None:
        return (
            True,
            [
                finding(
                    f"USER {user.raw} comes from a build argument without a default; "
                    "make sure it is never root",
                    dockerfile.path,
                    user.line,
                    severity=Severity.LOW,
                )
            ],
            [evidence(dockerfile.path, f"USER {user.raw}", user.line)],
        )
    if manifests.all_non_root and manifests.where is not None:
        notes = []
        if not manifests.with_uid and user is None:
            notes.append(
                finding(
                    "the image has no USER and the manifests set runAsNonRoot without "
                    "runAsUser: the kubelet refuses to start a container whose image "
                    "runs as root; add USER <uid> to the image or runAsUser to the manifests",
                    dockerfile.path,
                    stage.line if stage else 1,
                    severity=Severity.LOW,
                )
            )
        where_path, _, where_line = manifests.where.rpartition(":")
        return (
            True,
            notes,
            [evidence(where_path, "runAsNonRoot/runAsUser in the manifests", int(where_line))],
        )
    if user is not None and user.is_root:
        message = (
            f"the final image runs as root (USER {user.raw}): switch to a non-root user "
            "(USER 10001) after the steps that need root"
        )
        line = user.line
    else:
        base = dockerfile.final_base
        image = base.image if base is not None and base.is_base_image else "scratch"
        message = (
            f"the final stage sets no USER, so the image runs as root ({image} defaults to "
            "root): add USER <non-root uid> after installing packages, or set "
            "runAsNonRoot/runAsUser in the manifests that run it"
        )
        line = stage.line if stage else 1
    return False, [finding(message, dockerfile.path, line, severity=Severity.HIGH)], []


def _pinned(dockerfile: Dockerfile) -> _Result:
    unpinned = dockerfile.unpinned_base_images
    if not unpinned:
        pins = ", ".join(sorted({f.image for f in dockerfile.base_images})) or "scratch"
        return True, [], [evidence(dockerfile.path, f"pinned base images: {pins}")]
    return False, [_unpinned_finding(dockerfile.path, f) for f in unpinned], []


def _unpinned_finding(path: str, base: FromInstruction) -> Finding:
    if base.unresolved_args:
        why = (
            f"its reference comes from build argument(s) {', '.join(base.unresolved_args)} "
            "without a default, so the tag cannot be known"
        )
    elif base.tag is None:
        why = "it has no tag, which means `latest`"
    elif base.tag.lower() == "latest":
        why = "`latest` moves with every release"
    else:
        why = f"`{base.tag}` is a moving tag"
    return finding(
        f"FROM {base.raw} is not pinned: {why}; pin a version tag or a digest "
        f"({base.repository}:<version>@sha256:...)",
        path,
        base.line,
        severity=Severity.MEDIUM,
    )


def _ignored(dockerfile: Dockerfile, containers: ContainerFacts) -> _Result:
    ignore = containers.dockerignore_for(dockerfile.path)
    if ignore is None:
        return (
            False,
            [
                finding(
                    "no .dockerignore beside the build context: .git, local environments "
                    "and credentials are sent to the builder and can end up in the image; "
                    "add one that excludes them",
                    dockerfile.path,
                    1,
                    severity=Severity.MEDIUM,
                )
            ],
            [],
        )
    if ignore.empty:
        return (
            False,
            [
                finding(
                    f"{ignore.path} excludes nothing: list .git, tests, local environments "
                    "and credentials in it",
                    ignore.path,
                    1,
                    severity=Severity.MEDIUM,
                )
            ],
            [],
        )
    return True, [], [evidence(ignore.path, f".dockerignore with {len(ignore.patterns)} rules")]


def _builder_non_root(builder: ImageBuilder, manifests: _ManifestUser) -> _Result:
    if builder.user is not None:
        user = builder.user.split(":", 1)[0]
        if user.lower() != "root" and user != "0":
            return True, [], [evidence(builder.path, f"{builder.tool} user {builder.user}")]
    elif builder.non_root_by_default:
        return True, [], [evidence(builder.path, f"{builder.tool} images run as non-root")]
    if manifests.all_non_root and manifests.where is not None:
        where_path, _, where_line = manifests.where.rpartition(":")
        return True, [], [evidence(where_path, "runAsNonRoot/runAsUser", int(where_line))]
    return (
        False,
        [
            finding(
                f"the {builder.tool} image runs as root: set the runtime user "
                "(Jib container.user, a non-root base image) or runAsNonRoot/runAsUser in "
                "the manifests",
                builder.path,
                builder.line,
                severity=Severity.HIGH,
            )
        ],
        [],
    )


def _builder_pinned(builder: ImageBuilder) -> _Result:
    if builder.base_image is None:
        return True, [], [evidence(builder.path, f"{builder.tool} default base image")]
    _, repository, tag, digest = split_image_reference(builder.base_image)
    if digest or (tag is not None and tag.lower() not in FLOATING_TAGS):
        return True, [], [evidence(builder.path, f"base image {builder.base_image}")]
    return (
        False,
        [
            finding(
                f"{builder.tool} base image {builder.base_image} is not pinned; pin a "
                f"version tag or a digest ({repository}:<version>@sha256:...)",
                builder.path,
                builder.line,
            )
        ],
        [],
    )


# ---------------------------------------------------------------- dependencies


def _deps(facts: Facts) -> DepsFacts:
    return facts.derived("deps", deps_facts)


def _own_projects(facts: Facts) -> list[DependencyProject]:
    return [
        project
        for ecosystem in _deps(facts).ecosystems
        for project in ecosystem.projects
        if own_project(facts, project.root, project.manifests)
    ]


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
        "Add .github/dependabot.yml with an entry per ecosystem and per folder that holds "
        "a manifest (Dependabot looks only in the `directory`/`directories` it is given), "
        "or a renovate.json (or .github/renovate.json5) configuration, which finds every "
        "manifest. A configuration that does not validate updates nothing: fix every "
        "error it reports. Not applicable when the service declares no dependencies."
    ),
    references=(
        "https://docs.github.com/en/code-security/dependabot/working-with-dependabot/dependabot-options-reference",
        "https://docs.renovatebot.com/",
    ),
    examples=(
        Example(
            "Dependabot for a Python service and its GitHub Actions",
            "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"
            "    schedule:\n      interval: weekly\n  - package-ecosystem: github-actions\n"
            "    directory: /\n    schedule:\n      interval: weekly\n",
            language="yaml",
        ),
    ),
)

_UPDATE_PATHS = frozenset((*DEPENDABOT_PATHS, *RENOVATE_PATHS))


def judge_dependency_updates(facts: Facts) -> Verdict:
    projects = _own_projects(facts)
    if not projects:
        return Verdict.not_applicable("the service declares no dependencies to update")
    found = _deps(facts)
    configs = [c for c in found.updates if c.path in _UPDATE_PATHS or facts.scope.owns(c.path)]
    broken = [p for p in found.problems if p.path in _UPDATE_PATHS]
    findings = [
        finding(
            f"{'Dependabot' if 'dependabot' in p.path else 'Renovate'} configuration is "
            f"invalid, so it updates nothing until fixed: {p.message}",
            p.path,
            p.line,
            severity=Severity.HIGH,
        )
        for p in broken
    ]
    broken_paths = {p.path for p in broken}
    working = [c for c in configs if c.enabled and c.path not in broken_paths]
    for config in configs:
        if not config.enabled and config.path not in broken_paths:
            findings.append(
                finding(
                    f"{config.tool} is configured but switched off ({', '.join(config.notes)})",
                    config.path,
                    config.line,
                    severity=Severity.HIGH,
                )
            )
    seen: list[Evidence] = []
    covered = 0
    for project in projects:
        manifest = project.manifests[0] if project.manifests else None
        by = [c for c in working if c.covers_project(project.ecosystem, project.root)]
        if by:
            covered += 1
            seen.append(evidence(by[0].path, f"{by[0].tool} updates {manifest or project.root}"))
            continue
        if not working:
            continue
        near = [c for c in working if project.ecosystem in c.covers]
        if near:
            folder = "/" + project.root.strip("/") if project.root.strip("/") else "/"
            message = (
                f"{near[0].tool} has a {project.ecosystem.value} entry but none for "
                f"directory {folder}, where {manifest} lives: Dependabot looks only in the "
                "directories it is given"
            )
        else:
            names = ", ".join(sorted({e for c in working for e in c.ecosystems})) or "none"
            message = (
                f"{project.ecosystem.value} dependencies ({manifest}) are not covered: the "
                f"update configuration lists {names}"
            )
        findings.append(finding(message, working[0].path, working[0].line))
    if not configs and not broken:
        return Verdict.failed(
            "no Dependabot or Renovate configuration",
            findings=[
                finding(
                    "no automated dependency updates: add .github/dependabot.yml (one entry "
                    "per ecosystem and folder) or renovate.json",
                    severity=Severity.MEDIUM,
                )
            ],
        )
    if covered == len(projects) and not broken:
        tools = ", ".join(sorted({c.tool for c in working}))
        return Verdict.passed(
            f"{tools} updates every dependency project of the service ({covered})",
            evidence=seen,
            findings=findings,
        )
    return Verdict.failed(
        f"automated updates cover {covered} of {len(projects)} dependency projects"
        + (" (the configuration is invalid)" if broken else ""),
        score=0.0 if broken else round(10.0 * covered / len(projects), 1),
        findings=findings,
        evidence=seen,
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
        "Run a scanner for each ecosystem of the service in CI, where a finding fails the "
        "job: pip-audit or safety (Python), govulncheck (Go), npm audit --audit-level=high "
        "(JavaScript), OWASP dependency-check (Java), or osv-scanner / trivy fs / snyk test "
        "/ GitHub's dependency-review-action for all of them. A scanner behind `|| true`, "
        "`continue-on-error: true` or `--exit-code 0`, or one only in a Makefile target "
        "no pipeline calls, does not count. A Dependabot entry with "
        "`open-pull-requests-limit: 0` (security updates only) counts for its ecosystem."
    ),
    references=(
        "https://github.com/pypa/pip-audit",
        "https://go.dev/doc/security/vuln/",
        "https://google.github.io/osv-scanner/",
    ),
    examples=(
        Example(
            "pip-audit as a failing CI step",
            "- name: Audit dependencies\n  run: pip-audit -r requirements.txt --strict\n",
            language="yaml",
        ),
    ),
)

_ECOSYSTEM_LANGUAGES: dict[Ecosystem, frozenset[str]] = {
    Ecosystem.PYTHON: frozenset({"python"}),
    Ecosystem.GO: frozenset({"go"}),
    Ecosystem.JAVASCRIPT: frozenset({"javascript", "typescript"}),
    Ecosystem.MAVEN: frozenset({"java", "kotlin", "scala"}),
    Ecosystem.GRADLE: frozenset({"java", "kotlin", "scala"}),
}


def _scans(run: CommandRun, ecosystem: Ecosystem) -> bool:
    languages = run.tool.languages if run.tool is not None else frozenset()
    return not languages or bool(languages & _ECOSYSTEM_LANGUAGES[ecosystem])


def judge_dependency_scanning(facts: Facts) -> Verdict:
    projects = _own_projects(facts)
    if not projects:
        return Verdict.not_applicable("the service declares no dependencies to scan")
    runs = service_runs(facts, ToolCategory.DEPENDENCY_SCAN.value)
    gating = [r for r in runs if r.gating]
    security_only = [
        c
        for c in _deps(facts).updates
        if c.tool == "dependabot" and any("security updates only" in n for n in c.notes)
    ]
    ecosystems = sorted({p.ecosystem for p in projects}, key=lambda e: e.value)
    seen: list[Evidence] = []
    missing: list[Ecosystem] = []
    for ecosystem in ecosystems:
        scanner = next((r for r in gating if _scans(r, ecosystem)), None)
        if scanner is not None:
            location = scanner.location
            seen.append(
                evidence(
                    location.path,
                    f"{ecosystem.value}: {scanner.command} ({scanner.chain})",
                    location.line,
                )
            )
        elif any(ecosystem in c.covers for c in security_only):
            seen.append(
                evidence(security_only[0].path, f"{ecosystem.value}: Dependabot security updates")
            )
        else:
            missing.append(ecosystem)
    findings = [_non_gating_finding(r) for r in runs if not r.gating]
    if not missing:
        names = ", ".join(e.value for e in ecosystems)
        return Verdict.passed(
            f"dependencies are scanned for vulnerabilities in CI ({names})",
            evidence=seen,
            findings=[_with_severity(f, Severity.LOW) for f in findings],
        )
    names = ", ".join(e.value for e in missing)
    if not findings or len(ecosystems) > len(missing):
        findings.append(
            finding(
                f"no vulnerability scanner for the {names} dependencies runs in CI "
                "(pip-audit, govulncheck, npm audit, osv-scanner, trivy, snyk...)",
                severity=Severity.MEDIUM,
            )
        )
    return Verdict.failed(
        f"{names} dependencies are not scanned by a CI step that can fail",
        score=round(10.0 * (len(ecosystems) - len(missing)) / len(ecosystems), 1),
        findings=findings,
        evidence=seen,
    )


def _non_gating_finding(run: CommandRun) -> Finding:
    location = run.location
    if run.trigger is Trigger.CI:
        why = run.why_not or "it cannot fail the pipeline"
        message = f"`{run.command}` runs in CI but can never fail it: {why}"
    elif run.trigger is Trigger.PRE_COMMIT:
        message = f"`{run.command}` is only a pre-commit hook: no CI pipeline runs it"
    else:
        message = f"`{run.command}` ({run.chain}) is defined but no CI pipeline runs it"
    return finding(message, location.path, location.line, severity=Severity.MEDIUM)


def _with_severity(item: Finding, severity: Severity) -> Finding:
    return item.model_copy(update={"severity": severity})


# ---------------------------------------------------------------- deployment manifests


@dataclass(frozen=True, slots=True)
class _Deployed:
    """The Kubernetes workloads (and rollout definitions) that deploy this
    service, out of everything the deploy collector found in the repository."""

    deploy: DeployFacts
    workloads: tuple[Workload, ...]
    progressive: tuple[ProgressiveDelivery, ...]
    elsewhere: tuple[Workload, ...]
    """First-party workloads of the repository that deploy other services."""
    manifests_without_workloads: tuple[str, ...]
    """Charts/kustomizations of this service in which no workload was found."""


_NAME_LABELS = frozenset(
    {
        "app",
        "app.kubernetes.io/name",
        "app.kubernetes.io/instance",
        "app.kubernetes.io/component",
        "k8s-app",
        "name",
        "component",
        "service",
    }
)
_PARTS = re.compile(r"[a-z0-9]+")


def _tokens(text: str | None) -> set[str]:
    if not text:
        return set()
    value = text.replace(PLACEHOLDER, " ").lower()
    whole = value.strip(" -_.")
    found = {whole} if whole and " " not in whole else set()
    return found | {w for w in re.split(r"\s+", value) if w}


def _workload_names(workload: Workload) -> set[str]:
    """What a workload is called: its name, labels, containers and images."""
    names: set[str] = set()
    names |= _tokens(workload.name) | _tokens(workload.name_template)
    for key, value in workload.pod_labels:
        if key in _NAME_LABELS:
            names |= _tokens(value)
    for container in workload.containers:
        if container.name and not container.name.startswith(("#", "(")):
            names |= _tokens(container.name)
        if container.image and PLACEHOLDER not in container.image:
            _, repository, _, _ = split_image_reference(container.image)
            names |= _tokens(repository.rsplit("/", 1)[-1])
    stem = posixpath.splitext(posixpath.basename(workload.path))[0].lower()
    names |= {p for p in re.split(r"[-_.]", stem) if p}
    return {n.strip(" -_.") for n in names if n.strip(" -_.")}


def _match(service: tuple[str, ...], names: set[str]) -> int:
    """How well a service's identifiers (name, folder) match a workload's
    names: 3 the same name, 2 a word of a name (``api`` in ``shop-api``) or
    the other way round, 0 not at all."""
    best = 0
    for ident in service:
        ident_parts = set(_PARTS.findall(ident))
        for name in names:
            if name == ident:
                return 3
            parts = set(_PARTS.findall(name))
            if ident in parts or (name in ident_parts and len(name) > 2):
                best = max(best, 2)
    return best


def _services(facts: Facts) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(folder, identifiers) of every service of the repository."""

    def compute(view: Facts) -> tuple[tuple[str, tuple[str, ...]], ...]:
        out = []
        for found in discover(view.index):
            path = found.scope.path
            idents = {posixpath.basename(path).lower()} if path != "." else set()
            if found.manifest_name:
                idents.add(found.manifest_name.lower())
            out.append((path, tuple(sorted(i for i in idents if i))))
        return tuple(out)

    return repository_derived(facts, "prodready.ops.services", compute)


def _identifiers(facts: Facts) -> tuple[str, ...]:
    idents = {facts.scope.name.lower()}
    if facts.scope.path != ".":
        idents.add(posixpath.basename(facts.scope.path).lower())
    for path, names in _services(facts):
        if path == facts.scope.path:
            idents.update(names)
    return tuple(sorted(i for i in idents if i))


def _inside(path: str, folder: str) -> bool:
    return folder in ("", ".") or path.startswith(folder.rstrip("/") + "/")


def _deployed(facts: Facts) -> _Deployed:
    return facts.derived("prodready.ops.deployed", _compute_deployed)


def _compute_deployed(facts: Facts) -> _Deployed:
    found = deployment(facts)
    services = _services(facts)
    mine = _identifiers(facts)
    others = [
        (path, names)
        for path, names in services
        if path not in (facts.scope.path, ".") and not _inside(facts.scope.path, path)
    ]
    single = len(services) <= 1

    def owner_score(path: str, names: set[str]) -> bool:
        """Whether a file/workload outside every service folder is this service's."""
        if single:
            return True
        score = _match(mine, names)
        if score == 0:
            return False
        return all(_match(idents, names) <= score for _, idents in others)

    def belongs(path: str, names: set[str]) -> bool:
        if not _first_party(facts, path):
            return False
        if facts.scope.owns(path):
            return True
        if any(_inside(path, folder) for folder, _ in others):
            return False
        return owner_score(path, names)

    workloads: list[Workload] = []
    elsewhere: list[Workload] = []
    for workload in found.workloads:
        if belongs(workload.path, _workload_names(workload)):
            workloads.append(workload)
        elif _first_party(facts, workload.path):
            elsewhere.append(workload)
    targets = set()
    for workload in workloads:
        targets |= {n for n in (workload.name, workload.name_template) if n}
    progressive = [
        p
        for p in found.progressive_delivery
        if _first_party(facts, p.path)
        and (
            facts.scope.owns(p.path)
            or (p.target is not None and p.target in targets)
            or (
                not any(_inside(p.path, folder) for folder, _ in others)
                and belongs(p.path, _tokens(p.target))
            )
        )
    ]
    charts = [c.path for c in found.helm_charts if facts.scope.owns(c.path)]
    charts += [k.path for k in found.kustomizations if facts.scope.owns(k.path)]
    empty = tuple(
        path
        for path in charts
        if not any(_inside(w.path, posixpath.dirname(path)) for w in workloads)
        and _first_party(facts, path)
    )
    return _Deployed(found, tuple(workloads), tuple(progressive), tuple(elsewhere), empty)


def _not_deployed(facts: Facts, deployed: _Deployed) -> Verdict:
    if deployed.manifests_without_workloads:
        return Verdict.not_applicable(
            "no workload (Deployment, StatefulSet, Rollout...) found in "
            f"{', '.join(deployed.manifests_without_workloads)}: nothing to judge",
        )
    if deployed.elsewhere:
        names = sorted({w.name or w.name_template or w.kind for w in deployed.elsewhere})
        shown = ", ".join(n.replace(PLACEHOLDER, "*") for n in names[:5])
        return Verdict.not_applicable(
            f"no Kubernetes manifest deploys this service (the repository's deploy {shown})"
        )
    return Verdict.not_applicable("no Kubernetes, Helm or Kustomize manifests")


def _label(workload: Workload, container: Container | None = None) -> str:
    name = workload.name or (workload.name_template or "").replace(PLACEHOLDER, "*") or "?"
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
    deployed = _deployed(facts)
    long_running = [w for w in deployed.workloads if w.long_running and w.containers]
    if not long_running:
        if deployed.workloads:
            return Verdict.not_applicable(
                "the service's manifests run only Jobs, CronJobs or bare Pods (no probes needed)"
            )
        return _not_deployed(facts, deployed)
    findings: list[Finding] = []
    seen: list[Evidence] = []
    have = need = 0
    for workload in long_running:
        patched = {k for p in deployed.deploy.patches_for(workload) for k in p.probes}
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
                        + _probe_hint(container, deployed.deploy, workload),
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
    deployed = _deployed(facts)
    workloads = [w for w in deployed.workloads if w.containers]
    if not workloads:
        return _not_deployed(facts, deployed)
    findings: list[Finding] = []
    seen: list[Evidence] = []
    good = total = 0
    for workload in workloads:
        patched = any(p.resources for p in deployed.deploy.patches_for(workload))
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
            notes = [n for n in deployed.deploy.notes if n.startswith(workload.location)]
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
    deployed = _deployed(facts)
    workloads = [w for w in deployed.workloads if w.long_running]
    if not workloads:
        if deployed.workloads:
            return Verdict.not_applicable("the service's manifests run only Jobs and CronJobs")
        return _not_deployed(facts, deployed)
    findings: list[Finding] = []
    seen: list[Evidence] = []
    scores: list[float] = []
    for workload in workloads:
        score, finding_, proof = _availability(workload, deployed)
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


def _replicas(workload: Workload, deployed: _Deployed) -> tuple[int, str]:
    """The most replicas any base, overlay patch or kustomization declares
    (the production overlay is usually the largest), with where."""
    count = workload.replicas if workload.replicas is not None else 1
    where = f"replicas {count}" if workload.replicas is not None else "no replicas (1)"
    for patch in deployed.deploy.patches_for(workload):
        if patch.replicas is not None and patch.replicas > count:
            count, where = patch.replicas, f"replicas {patch.replicas} in {patch.path}"
    for kustomization in deployed.deploy.kustomizations:
        for name, value in kustomization.replicas:
            if name == workload.name and value > count:
                count, where = value, f"replicas {value} in {kustomization.path}"
    return count, where


def _availability(
    workload: Workload, deployed: _Deployed
) -> tuple[float, Finding | None, list[Evidence]]:
    label = _label(workload)
    if workload.kind == "DaemonSet":
        return 10.0, None, [evidence(workload.path, f"{label}: one pod per node", workload.line)]
    if workload.kind == "KnativeService":
        return 10.0, None, [evidence(workload.path, f"{label}: Knative autoscaling", workload.line)]
    replicas, where = _replicas(workload, deployed)
    scalers = deployed.deploy.autoscalers_for(workload)
    budgets = deployed.deploy.disruption_budgets_for(workload)
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
    deployed = _deployed(facts)
    staged = [p for p in deployed.progressive if not _instant(p)]
    instant = [p for p in deployed.progressive if _instant(p)]
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
    if kind in (LIBRARY, FRONTEND) and not deployed.workloads:
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
    workloads = [w for w in deployed.workloads if w.long_running]
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


CHECKS: tuple[Check, ...] = (
    Check(CI_PIPELINE, judge_ci_pipeline),
    Check(LOCKFILE, judge_lockfile),
    Check(CONTAINER, judge_container),
    Check(CONTAINER_HARDENING, judge_container_hardening),
    Check(DEPENDENCY_UPDATES, judge_dependency_updates),
    Check(DEPENDENCY_SCANNING, judge_dependency_scanning),
    Check(K8S_PROBES, judge_k8s_probes),
    Check(K8S_RESOURCES, judge_k8s_resources),
    Check(HIGH_AVAILABILITY, judge_high_availability),
    Check(PROGRESSIVE_DELIVERY, judge_progressive_delivery),
)
