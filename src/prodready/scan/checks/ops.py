"""Delivery and operations checks (pillar ``ops``): is the service built,
packaged, deployed and kept up to date the way production needs?

This module holds the build and supply-chain checks (CI, lockfiles, images,
dependency updates and scanning) and the family's ``CHECKS``; the deployment
checks (probes, resources, availability, progressive delivery) live in
``_ops_deploy``, and ``_ops_scope`` decides which images, workloads and
rollouts are the service's own (monorepos share Dockerfiles and charts).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from prodready.scan.checks._ops_deploy import (
    HIGH_AVAILABILITY,
    K8S_PROBES,
    K8S_RESOURCES,
    PROGRESSIVE_DELIVERY,
    judge_high_availability,
    judge_k8s_probes,
    judge_k8s_resources,
    judge_progressive_delivery,
)
from prodready.scan.checks._ops_scope import deployed, images
from prodready.scan.checks._service import (
    ci,
    deployment,
    own_project,
    service_pipelines,
    service_runs,
)
from prodready.scan.checks._uses import (
    FRONTEND,
    LIBRARY,
    app_kind,
    deps,
    entry_point,
    not_applicable,
)
from prodready.scan.checks.base import Check, CheckSpec, Example, Verdict, evidence, finding
from prodready.scan.facts.ci_model import CommandRun, ToolCategory, Trigger
from prodready.scan.facts.containers import (
    FLOATING_TAGS,
    Dockerfile,
    DockerIgnore,
    FromInstruction,
    ImageBuilder,
    split_image_reference,
)
from prodready.scan.facts.deploy import (
    ComposeFile,
)
from prodready.scan.facts.deps import DependencyProject, Ecosystem
from prodready.scan.facts.deps_updates import (
    DEPENDABOT_ECOSYSTEMS,
    DEPENDABOT_PATHS,
    OSV_ALERTS,
    RENOVATE_PATHS,
    SECURITY_ONLY,
)
from prodready.scan.facts.view import Facts
from prodready.scan.model import Evidence, Finding, Level, Severity

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
        "Gradle/Maven dependency locking. Test fixtures, examples, vendored copies and a "
        "documentation build's requirements (docs/requirements.txt) are not judged."
    ),
    references=(
        "https://packaging.python.org/en/latest/specifications/pylock-toml/",
        "https://go.dev/ref/mod#go-sum-files",
        "https://docs.npmjs.com/cli/configuring-npm/package-lock-json",
    ),
)


def judge_lockfile(facts: Facts) -> Verdict:
    projects = [(project.ecosystem.value, project) for project in _own_projects(facts)]
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
        "or Cloud Native Buildpacks (project.toml), and build it in CI; a CI step that "
        "builds an image from defaults (ko build, pack build, gradle bootBuildImage, mvn "
        "jib:build) counts too. Dockerfiles of devcontainers, tests and examples do not. "
        "In a monorepo, a Dockerfile outside the service folders counts for the service "
        "whose folder it COPYs from or whose name it bears. Libraries and static frontends "
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
    found = images(facts)
    broken = [
        finding(
            f"{d.path} does not build an image: "
            f"{d.problems[0].message if d.problems else 'no FROM instruction'}",
            d.path,
            (d.problems[0].line if d.problems else None) or 1,
        )
        for d in found.broken
    ]
    if found.any:
        seen = [
            evidence(d.path, _dockerfile_summary(d), d.final_stage.line if d.final_stage else None)
            for d in found.dockerfiles
        ]
        seen += [evidence(b.path, f"{b.tool} builds the image", b.line) for b in found.builders]
        seen += [
            evidence(r.location.path, f"CI builds the image: {r.command}", r.location.line)
            for r in found.built_in_ci
        ]
        tools = {"Dockerfile" for _ in found.dockerfiles} | {b.tool for b in found.builders}
        tools |= {posixpath.basename(r.argv[0]) for r in found.built_in_ci}
        return Verdict.passed(
            f"the service builds an image ({', '.join(sorted(tools))})",
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
        "Containerfile, Jib, ko or buildpacks configuration in its folder, and no CI step "
        "that builds one (ko build, pack build, bootBuildImage...)"
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
        ".git, tests, local environments and credentials. Development and test variants "
        "(Dockerfile.dev, test.Dockerfile) are not judged when a production Dockerfile "
        "exists. Not applicable when the service builds no image."
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


def judge_container_hardening(facts: Facts) -> Verdict:
    found = images(facts)
    if not (found.dockerfiles or found.builders):
        if found.built_in_ci:
            return Verdict.not_applicable(
                "the image is built by a CI step from defaults "
                f"({found.built_in_ci[0].command}): no Dockerfile or builder configuration "
                "to judge"
            )
        return Verdict.not_applicable("the service builds no container image")
    manifests = _manifest_user(facts)
    results: list[tuple[str, _Result]] = []
    for dockerfile in found.shipped:
        ignore = found.dockerignore_for(dockerfile.path)
        results += [
            ("runs as root", _non_root(dockerfile, manifests)),
            ("unpinned base image", _pinned(dockerfile)),
            ("no usable .dockerignore", _ignored(dockerfile, ignore)),
        ]
    for builder in found.builders:
        results += [
            ("runs as root", _builder_non_root(builder, manifests)),
            ("unpinned base image", _builder_pinned(builder)),
        ]
    findings = [f for _, (_, items, _) in results for f in items]
    seen = [e for _, (_, _, proof) in results for e in proof]
    met = sum(1 for _, (ok, _, _) in results if ok)
    skipped = [d.path for d in found.dockerfiles if d not in found.shipped]
    if skipped:
        seen.append(evidence(skipped[0], "development/test image: not judged"))
    count = len(found.shipped) + len(found.builders)
    problems = sorted({kind for kind, (ok, _, _) in results if not ok})
    if not problems:
        return Verdict.passed(
            f"{count} image{'s' if count != 1 else ''}: non-root, pinned base"
            + (", .dockerignore" if found.shipped else ""),
            score=10.0 if not findings else 9.0,
            evidence=seen,
            findings=findings,
        )
    return Verdict.failed(
        f"images are not hardened: {', '.join(problems)}",
        score=round(10.0 * met / len(results), 1),
        findings=findings,
        evidence=seen,
    )


_Result = tuple[bool, list[Finding], list[Evidence]]


@dataclass(frozen=True, slots=True)
class _ManifestUser:
    """What the service's Kubernetes manifests say about the user its
    containers run as: every main container decides non-root (and whether a
    uid is given, or only ``runAsNonRoot: true``)."""

    all_non_root: bool
    with_uid: bool
    where: tuple[str, int] | None


def _manifest_user(facts: Facts) -> _ManifestUser:
    found = deployed(facts)
    decisions: list[tuple[bool | None, bool, tuple[str, int]]] = []
    for workload in found.workloads:
        patches = found.deploy.patches_for(workload)
        patched = next((p.non_root for p in patches if p.non_root is not None), None)
        for container in workload.containers:
            security = container.security
            pod = workload.pod_security
            decided = workload.non_root(container)
            if decided is None:
                decided = patched
            uid = any(s is not None and s.run_as_user not in (None, 0) for s in (security, pod))
            decisions.append((decided, uid, (workload.path, container.line)))
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
        path, line = manifests.where
        return True, notes, [evidence(path, "runAsNonRoot/runAsUser in the manifests", line)]
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
        f"({base.registry + '/' if base.registry else ''}{base.repository}:<version>"
        "@sha256:...)",
        path,
        base.line,
        severity=Severity.MEDIUM,
    )


def _ignored(dockerfile: Dockerfile, ignore: DockerIgnore | None) -> _Result:
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
        path, line = manifests.where
        return True, [], [evidence(path, "runAsNonRoot/runAsUser in the manifests", line)]
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


def _own_projects(facts: Facts) -> list[DependencyProject]:
    """The service's dependency projects; a documentation build's
    requirements (``docs/requirements.txt``) are not the service's."""
    return [
        project
        for ecosystem in deps(facts).ecosystems
        for project in ecosystem.projects
        if own_project(facts, project.root, project.manifests) and not _docs_only(facts, project)
    ]


def _docs_only(facts: Facts, project: DependencyProject) -> bool:
    infos = [facts.index.info(m) for m in project.manifests]
    return bool(infos) and all(i is not None and i.is_docs for i in infos)


def _primary(facts: Facts, project: DependencyProject) -> bool:
    """A project at the service's root (or holding a manifest that made the
    folder a service), as opposed to a tooling folder inside it."""
    root = project.root.strip("/") or "."
    return root == facts.scope.path or bool(set(project.manifests) & set(facts.scope.markers))


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
        "a manifest of the service (Dependabot looks only in the `directory`/`directories` "
        "it is given; a tooling folder inside the service is covered by its ecosystem's "
        "entry), "
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
    found = deps(facts)
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
        # The service's own project must be in a directory the bot looks at;
        # a tooling folder inside the service is covered by its ecosystem.
        by = [
            c
            for c in working
            if c.covers_project(project.ecosystem, project.root)
            or (not _primary(facts, project) and c.enabled and project.ecosystem in c.covers)
        ]
        if by:
            covered += 1
            seen.append(evidence(by[0].path, f"{by[0].tool} updates {manifest or project.root}"))
            continue
        if not working:
            continue
        near = [c for c in working if project.ecosystem in c.covers]
        if near:
            bare = project.root.strip("/").removeprefix(".")
            folder = "/" + bare if bare else "/"
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
        "no pipeline calls, does not count. GitLab's Dependency-Scanning template counts "
        "(its findings go to the vulnerability report), and so do update bots that fix "
        "vulnerable dependencies by themselves: a Dependabot entry with "
        "`open-pull-requests-limit: 0` (security updates only) for its ecosystem, Renovate "
        "with `osvVulnerabilityAlerts: true`."
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
    scanners = [r for r in runs if r.gating or _tracked(r)]
    updates = _security_updates(facts)
    ecosystems = sorted({p.ecosystem for p in projects}, key=lambda e: e.value)
    seen: list[Evidence] = []
    missing: list[Ecosystem] = []
    for ecosystem in ecosystems:
        scanner = next((r for r in scanners if _scans(r, ecosystem)), None)
        if scanner is not None:
            location = scanner.location
            how = " (findings go to GitLab's vulnerability report)" if _tracked(scanner) else ""
            detail = f"{ecosystem.value}: {scanner.command}{how} ({scanner.chain})"
            seen.append(evidence(location.path, detail, location.line))
        elif ecosystem in updates:
            path, what = updates[ecosystem]
            seen.append(evidence(path, f"{ecosystem.value}: {what}"))
        else:
            missing.append(ecosystem)
    findings = [_non_gating_finding(r) for r in runs if r not in scanners]
    if not missing:
        names = ", ".join(e.value for e in ecosystems)
        return Verdict.passed(
            f"dependencies are scanned for vulnerabilities ({names})",
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


def _tracked(run: CommandRun) -> bool:
    """GitLab's Dependency-Scanning (or Container-Scanning) template: its jobs
    allow failure by design, because findings land in the vulnerability report
    and merge-request approval policies gate on them. Counted unless disabled."""
    tool = run.tool
    return (
        run.trigger is Trigger.CI
        and tool is not None
        and tool.id in ("gitlab-dependency-scanning", "gitlab-container-scanning")
        and "DISABLED" not in (run.why_not or "")
    )


def _security_updates(facts: Facts) -> dict[Ecosystem, tuple[str, str]]:
    """Ecosystems whose vulnerable dependencies an update bot fixes by itself:
    Dependabot entries kept for security updates only (open-pull-requests-limit
    0), Renovate with osvVulnerabilityAlerts."""
    found: dict[Ecosystem, tuple[str, str]] = {}
    for config in deps(facts).updates:
        if not config.enabled:
            continue
        if config.tool == "renovate" and OSV_ALERTS in config.notes:
            for ecosystem in config.covers:
                found.setdefault(ecosystem, (config.path, "Renovate osvVulnerabilityAlerts"))
        for note in config.notes:
            if config.tool != "dependabot" or SECURITY_ONLY not in note:
                continue
            name = note.split("`")[1] if note.count("`") >= 2 else ""
            mapped = DEPENDABOT_ECOSYSTEMS.get(name)
            if mapped is not None:
                found.setdefault(mapped, (config.path, "Dependabot security updates"))
    return found


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
