"""What the ``ops.*`` checks judge for one service: the images it builds and
the Kubernetes workloads and rollout definitions that deploy it.

A service owns everything in its folder. In a monorepo, Dockerfiles and
manifests often live outside every service folder (``docker/api.Dockerfile``,
a ``deploy/`` Helm chart that deploys every service): those are read from the
whole repository (``_service.repository_derived``) and attributed per item:

- a Dockerfile whose ``COPY``/``ADD`` sources lie in the service's folder
  belongs to it;
- otherwise an item belongs to the service whose name or folder name best
  matches the item's names (a workload's name, name template
  ``{{ .Release.Name }}-api``, app labels, container names and image names;
  a Dockerfile's file and folder names); a tie gives it to each tied service,
  no match to none;
- a repository with a single service owns everything that is not a test
  fixture, example or vendored copy.

So in a chart that deploys ``api`` and ``worker``, the ``api`` service is
judged on the api Deployment, its HPA and its Flagger canary only.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass

from prodready.scan.checks._service import (
    ci,
    concerns,
    deployment,
    first_party,
    inside,
    repository_derived,
)
from prodready.scan.checks._uses import containers, discovered_services, service_identifiers
from prodready.scan.facts._deploy_helm import PLACEHOLDER
from prodready.scan.facts.ci_model import CommandRun
from prodready.scan.facts.containers import (
    ContainerFacts,
    Dockerfile,
    DockerIgnore,
    ImageBuilder,
    container_facts,
    split_image_reference,
)
from prodready.scan.facts.deploy import DeployFacts, ProgressiveDelivery, Workload
from prodready.scan.facts.view import Facts

__all__ = [
    "Deployed",
    "Images",
    "deployed",
    "images",
    "tokens",
]


_PARTS = re.compile(r"[a-z0-9]+")


def tokens(text: str | None) -> set[str]:
    """Names in ``text``: the whole (lower-cased) name and, for a templated
    one (``__TPL__-api``), the literal pieces around its actions."""
    if not text:
        return set()
    value = text.replace(PLACEHOLDER, " ").lower()
    whole = value.strip(" -_.")
    found = {whole} if whole and " " not in whole else set()
    found |= {w.strip(" -_.") for w in value.split() if w.strip(" -_.")}
    return found


def _match(service: tuple[str, ...], names: set[str]) -> int:
    """How well a service's identifiers (name, folder) match an item's names:
    3 the same name, 2 a word of a name (``api`` in ``shop-api``) or the other
    way round, 0 not at all."""
    best = 0
    for ident in service:
        ident_parts = set(_PARTS.findall(ident))
        for name in names:
            if name == ident:
                return 3
            if ident in _PARTS.findall(name) or (name in ident_parts and len(name) > 2):
                best = 2
    return best


# --------------------------------------------------------------------------- ownership


@dataclass(frozen=True, slots=True)
class _Owner:
    """Decides whether a repository item is this service's (module docstring)."""

    facts: Facts
    mine: tuple[str, ...]
    others: tuple[tuple[str, tuple[str, ...]], ...]
    """(folder, identifiers) of the other services (not this one, not above it)."""
    single: bool

    @classmethod
    def of(cls, facts: Facts) -> _Owner:
        services = _services(facts)
        idents = service_identifiers(facts)
        for path, names in services:
            if path == facts.scope.path:
                idents.update(names)
        others = tuple(
            (path, names)
            for path, names in services
            if path not in (facts.scope.path, ".") and not inside(facts.scope.path, path)
        )
        return cls(facts, tuple(sorted(i for i in idents if i)), others, len(services) <= 1)

    def in_other_service(self, path: str) -> bool:
        return any(inside(path, folder) for folder, _ in self.others)

    def best_match(self, names: set[str]) -> bool:
        """This service matches ``names`` at least as well as any other does."""
        if self.single:
            return True
        score = _match(self.mine, names)
        return score > 0 and all(_match(idents, names) <= score for _, idents in self.others)

    def owns(self, path: str, names: set[str]) -> bool:
        if not first_party(self.facts, path):
            return False
        if self.facts.scope.owns(path):
            return True
        return not self.in_other_service(path) and self.best_match(names)


def _services(facts: Facts) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(folder, identifiers: folder name and manifest name) of every service."""

    def compute(_view: Facts) -> tuple[tuple[str, tuple[str, ...]], ...]:
        out = []
        for found in discovered_services(facts):
            path = found.scope.path
            idents = {posixpath.basename(path).lower()} if path != "." else set()
            if found.manifest_name:
                idents.add(found.manifest_name.lower())
            out.append((path, tuple(sorted(i for i in idents if i))))
        return tuple(out)

    return repository_derived(facts, "prodready.ops.services", compute)


# --------------------------------------------------------------------------- images

_DEV_VARIANT = re.compile(
    r"(?:^|[.\-_])(?:dev|devel|develop|local|test|tests|ci|debug|e2e)(?:$|[.\-_])"
)
_IMAGE_BUILD_COMMANDS = (
    ("ko", ("build", "publish", "resolve", "apply", "create")),
    ("pack", ("build",)),
    ("nixpacks", ("build",)),
)
_IMAGE_BUILD_TASKS = frozenset(
    {
        "bootBuildImage",
        "spring-boot:build-image",
        "jib",
        "jibDockerBuild",
        "jibBuildTar",
        "jib:build",
        "jib:dockerBuild",
        "jib:buildTar",
        "quarkus:image-build",
        "quarkus:build",
    }
)


@dataclass(frozen=True, slots=True)
class Images:
    """The images this service builds."""

    dockerfiles: tuple[Dockerfile, ...]
    """Its Dockerfiles/Containerfiles that parse (not devcontainers, test or
    example ones)."""
    builders: tuple[ImageBuilder, ...]
    """Jib, ko and buildpacks configurations."""
    broken: tuple[Dockerfile, ...]
    """Dockerfiles with no FROM: not a Dockerfile that builds anything."""
    ignores: tuple[tuple[str, DockerIgnore | None], ...]
    """The ``.dockerignore`` that applies to each Dockerfile."""
    built_in_ci: tuple[CommandRun, ...] = ()
    """CI commands that build an image without a config file (``ko build``,
    ``pack build``, ``gradle bootBuildImage``, ``mvn jib:build``...)."""

    @property
    def any(self) -> bool:
        return bool(self.dockerfiles or self.builders or self.built_in_ci)

    @property
    def shipped(self) -> tuple[Dockerfile, ...]:
        """The Dockerfiles of production images: development or test variants
        (``Dockerfile.dev``, ``test.Dockerfile``) are left out when another
        Dockerfile exists."""
        production = tuple(d for d in self.dockerfiles if not dev_variant(d.path))
        return production or self.dockerfiles

    def dockerignore_for(self, path: str) -> DockerIgnore | None:
        return dict(self.ignores).get(path)


def dev_variant(path: str) -> bool:
    """``Dockerfile.dev``, ``dev.Dockerfile``, ``Dockerfile-test``..."""
    name = posixpath.basename(path).lower()
    for stem in ("dockerfile", "containerfile"):
        name = name.replace(stem, "")
    return bool(_DEV_VARIANT.search(name))


def images(facts: Facts) -> Images:
    """The images of this service (computed once per view)."""
    return facts.derived("prodready.ops.images", _compute_images)


def _compute_images(facts: Facts) -> Images:
    own = containers(facts)
    found: list[tuple[Dockerfile, ContainerFacts]] = [
        (d, own)
        for d in own.service_dockerfiles
        if facts.scope.owns(d.path) and first_party(facts, d.path)
    ]
    builders = [
        b for b in own.image_builders if facts.scope.owns(b.path) and first_party(facts, b.path)
    ]
    if not (facts.scope.path == "." and not facts.scope.nested):
        everything = repository_derived(facts, "containers", container_facts)
        owner = _Owner.of(facts)
        for dockerfile in everything.service_dockerfiles:
            path = dockerfile.path
            if facts.scope.owns(path) or not first_party(facts, path):
                continue  # already counted, or a fixture
            if owner.in_other_service(path):
                continue
            if _copies_from(dockerfile, facts.scope.path) or owner.best_match(
                _dockerfile_names(path)
            ):
                found.append((dockerfile, everything))
    return Images(
        dockerfiles=tuple(d for d, _ in found if d.stages),
        builders=tuple(builders),
        broken=tuple(d for d, _ in found if not d.stages),
        ignores=tuple((d.path, where.dockerignore_for(d.path)) for d, where in found),
        built_in_ci=tuple(_ci_image_builds(facts)),
    )


def _dockerfile_names(path: str) -> set[str]:
    """Names a Dockerfile outside the service folders goes by: its folder and
    the rest of its file name (``docker/api.Dockerfile`` -> docker, api)."""
    directory, name = posixpath.split(path.lower())
    for stem in ("dockerfile", "containerfile"):
        name = name.replace(stem, " ")
    names = {p for p in re.split(r"[\s.\-_]+", name) if p}
    names |= {p for p in directory.split("/")[-2:] if p}
    return names


def _copies_from(dockerfile: Dockerfile, folder: str) -> bool:
    """A COPY/ADD (not ``--from`` a stage) takes sources from ``folder``
    (relative to the repository root, the usual build context)."""
    if folder in ("", "."):
        return False
    for stage in dockerfile.stages:
        for instruction in stage.instructions:
            if instruction.keyword not in ("COPY", "ADD"):
                continue
            for source in _sources(instruction.args):
                if inside(source.removeprefix("./").rstrip("/"), folder):
                    return True
    return False


def _sources(args: str) -> list[str]:
    words = args.split()
    if any(w.startswith("--from") for w in words):
        return []
    plain = [w for w in words if not w.startswith("--")]
    text = " ".join(plain)
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            return []
        plain = [str(p) for p in parsed] if isinstance(parsed, list) else []
    return plain[:-1]


def _ci_image_builds(facts: Facts) -> list[CommandRun]:
    found = []
    for run in ci(facts).commands:
        argv = [a for a in run.argv if a]
        if not argv or not concerns(facts, run):
            continue
        program = posixpath.basename(argv[0])
        builds = any(
            program == tool and len(argv) > 1 and argv[1] in verbs
            for tool, verbs in _IMAGE_BUILD_COMMANDS
        )
        if builds or any(arg in _IMAGE_BUILD_TASKS for arg in argv[1:]):
            found.append(run)
    return found


# --------------------------------------------------------------------------- workloads

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


_FILE_WORDS = frozenset(
    {
        "deployment",
        "deploy",
        "statefulset",
        "daemonset",
        "rollout",
        "service",
        "services",
        "svc",
        "k8s",
        "kube",
        "kubernetes",
        "manifest",
        "manifests",
        "resources",
        "template",
        "templates",
        "base",
        "prod",
        "production",
        "staging",
        "dev",
        "yaml",
        "yml",
    }
)
"""Words of manifest file names that say what a file is, not whom it deploys."""


@dataclass(frozen=True, slots=True)
class Deployed:
    """The Kubernetes workloads (and rollout definitions) that deploy this
    service, out of everything the deploy collector found in the repository."""

    deploy: DeployFacts
    workloads: tuple[Workload, ...]
    progressive: tuple[ProgressiveDelivery, ...]
    elsewhere: tuple[Workload, ...]
    """First-party workloads of the repository that deploy other services."""
    manifests_without_workloads: tuple[str, ...]
    """Charts/kustomizations of this service in which no workload was found."""


def workload_names(workload: Workload) -> set[str]:
    """What a workload is called: its name, labels, containers and images,
    and the words of its file name (``api-deployment.yaml``)."""
    names: set[str] = set()
    names |= tokens(workload.name) | tokens(workload.name_template)
    for key, value in workload.pod_labels:
        if key in _NAME_LABELS:
            names |= tokens(value)
    for container in workload.containers:
        if container.name and not container.name.startswith(("#", "(")):
            names |= tokens(container.name)
        if container.image and PLACEHOLDER not in container.image:
            _, repository, _, _ = split_image_reference(container.image)
            names |= tokens(repository.rsplit("/", 1)[-1])
    stem = posixpath.splitext(posixpath.basename(workload.path))[0].lower()
    names |= {p for p in re.split(r"[-_.]", stem) if p and p not in _FILE_WORDS}
    return names


def deployed(facts: Facts) -> Deployed:
    """The workloads and rollouts of this service (computed once per view)."""
    return facts.derived("prodready.ops.deployed", _compute_deployed)


def _compute_deployed(facts: Facts) -> Deployed:
    found = deployment(facts)
    owner = _Owner.of(facts)
    workloads: list[Workload] = []
    elsewhere: list[Workload] = []
    for workload in found.workloads:
        if owner.owns(workload.path, workload_names(workload)):
            workloads.append(workload)
        elif first_party(facts, workload.path):
            elsewhere.append(workload)
    targets = {n for w in workloads for n in (w.name, w.name_template) if n}
    progressive = [
        p
        for p in found.progressive_delivery
        if first_party(facts, p.path)
        and (
            facts.scope.owns(p.path)
            or (p.target is not None and p.target in targets)
            or owner.owns(p.path, tokens(p.target))
        )
    ]
    roots = [c.path for c in found.helm_charts if facts.scope.owns(c.path)]
    roots += [k.path for k in found.kustomizations if facts.scope.owns(k.path)]
    empty = tuple(
        path
        for path in roots
        if first_party(facts, path)
        and not any(inside(w.path, posixpath.dirname(path)) for w in workloads)
    )
    return Deployed(found, tuple(workloads), tuple(progressive), tuple(elsewhere), empty)
