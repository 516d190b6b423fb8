"""Java: Maven ``pom.xml`` and Gradle build scripts and version catalogs.

Maven has no lockfile: a pom is "locked" when every dependency and plugin
version is fixed (no ranges, no ``LATEST``/``RELEASE``, no ``-SNAPSHOT``;
versions left to ``dependencyManagement``, a parent or a BOM count as fixed).
Gradle is locked by ``gradle.lockfile``/``dependency-locks`` or, without
one, when every declared version is fixed (no ``+``, ``latest.*`` or ranges).

The pom is read with expat (line numbers, no DTD or entity expansion: a
document declaring entities is refused); Gradle scripts are read as text.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from prodready.scan.facts.ci_yaml import as_dict
from prodready.scan.facts.deps_common import (
    DepsContext,
    directory,
    excluded,
    line_of_text,
    table_start,
)
from prodready.scan.facts.deps_model import (
    Dependency,
    DependencyKind,
    DependencyProject,
    Ecosystem,
    Lockfile,
)
from prodready.scan.facts.source import ParseProblem

MAVEN = Ecosystem.MAVEN
GRADLE = Ecosystem.GRADLE
_PROPERTY = re.compile(r"\$\{([^}]+)\}")
_GRADLE_CONFIGS = (
    "implementation|api|compile|compileOnly|runtimeOnly|runtime|testImplementation|testCompile|testRuntimeOnly|"
    "testCompileOnly|annotationProcessor|kapt|ksp|developmentOnly|classpath|integrationTestImplementation|"
    "androidTestImplementation|testFixturesImplementation|compileClasspath|providedCompile"
)
_GRADLE_STRING = re.compile(
    r"^\s*(" + _GRADLE_CONFIGS + r")\s*\(?\s*(?:(?:platform|enforcedPlatform)\s*\(\s*)?"
    r"[\"']([^\"'\s:]+):([^\"'\s:]+)(?::([^\"'\s@]+))?(?:@\w+)?[\"']"
)
_GRADLE_MAP = re.compile(
    r"^\s*("
    + _GRADLE_CONFIGS
    + r")\s*\(?\s*group\s*[:=]\s*[\"']([^\"']+)[\"']\s*,\s*name\s*[:=]\s*"
    r"[\"']([^\"']+)[\"'](?:\s*,\s*version\s*[:=]\s*[\"']([^\"']+)[\"'])?"
)


@dataclass(slots=True)
class _Node:
    tag: str
    line: int
    text: str = ""
    children: list[_Node] = field(default_factory=list)

    def child(self, tag: str) -> _Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def value(self, tag: str) -> str:
        node = self.child(tag)
        return node.text.strip() if node is not None else ""


def parse_xml(path: str, text: str) -> tuple[_Node | None, ParseProblem | None]:
    """A small element tree with line numbers (namespaces dropped)."""
    if "<!ENTITY" in text:
        return None, ParseProblem(path, "XML declares entities; not read")
    parser = expat.ParserCreate()
    root: list[_Node] = []
    stack: list[_Node] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = _Node(tag.rsplit("}", 1)[-1].split(":")[-1], parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(node)
        else:
            root.append(node)
        stack.append(node)

    def end(tag: str) -> None:
        if stack:
            stack.pop()

    def data(chunk: str) -> None:
        if stack:
            stack[-1].text += chunk

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        return None, ParseProblem(path, f"invalid XML: {expat.ErrorString(exc.code)}", exc.lineno)
    except (RecursionError, ValueError) as exc:
        return None, ParseProblem(path, f"invalid XML: {type(exc).__name__}")
    return (root[0] if root else None), None


def _fixed(version: str) -> bool:
    if not version:
        return True
    upper = version.upper()
    return not (
        version[:1] in "[("
        or "," in version
        or upper in ("LATEST", "RELEASE")
        or upper.endswith("-SNAPSHOT")
        or "+" in version
        or version.startswith("latest.")
    )


def collect_maven(ctx: DepsContext) -> list[DependencyProject]:
    projects: list[DependencyProject] = []
    for path in ctx.paths:
        if posixpath.basename(path) != "pom.xml" or excluded(path):
            continue
        text = ctx.read(path)
        if text is None:
            continue
        root, problem = parse_xml(path, text)
        if problem is not None:
            ctx.problems.append(problem)
        if root is None or root.tag != "project":
            continue
        dependencies = _pom_dependencies(path, root)
        unfixed = [d for d in dependencies if not d.pinned]
        if not dependencies:
            locked, evidence, why = True, "no third-party dependencies", None
        elif unfixed:
            first = unfixed[0]
            locked, evidence = False, None
            why = f"{first.location} `{first.name}` version `{first.spec}` is not fixed"
            if len(unfixed) > 1:
                why += f" (and {len(unfixed) - 1} more)"
        else:
            locked, evidence, why = (
                True,
                f"{path}: every dependency and plugin version is fixed",
                None,
            )
        projects.append(
            DependencyProject(
                MAVEN, directory(path), (path,), tuple(dependencies), (), locked, evidence, why
            )
        )
    return projects


def _pom_dependencies(path: str, root: _Node) -> list[Dependency]:
    properties: dict[str, str] = {}
    props = root.child("properties")
    if props is not None:
        properties = {c.tag: c.text.strip() for c in props.children}
    parent = root.child("parent")
    properties["project.version"] = root.value("version") or (
        parent.value("version") if parent else ""
    )
    found: list[Dependency] = []
    containers: list[_Node] = [root]
    profiles = root.child("profiles")
    if profiles is not None:
        containers.extend(profiles.children)
    for container in containers:
        deps = container.child("dependencies")
        for node in deps.children if deps is not None else []:
            if node.tag == "dependency":
                _pom_add(found, path, node, DependencyKind.RUNTIME, None, properties)
        build = container.child("build")
        plugins = build.child("plugins") if build is not None else None
        for node in plugins.children if plugins is not None else []:
            if node.tag == "plugin":
                _pom_add(found, path, node, DependencyKind.BUILD, "plugin", properties)
    return found


def _resolve(value: str, properties: dict[str, str]) -> str:
    for _ in range(5):
        if "${" not in value:
            break
        value = _PROPERTY.sub(lambda m: properties.get(m.group(1), m.group(0)), value)
    return value


def _pom_add(
    found: list[Dependency],
    path: str,
    node: _Node,
    kind: DependencyKind,
    group: str | None,
    properties: dict[str, str],
) -> None:
    group_id = node.value("groupId") or "org.apache.maven.plugins"
    artifact = node.value("artifactId")
    if not artifact:
        return
    version = _resolve(node.value("version"), properties)
    scope = node.value("scope") or group
    dep_kind = DependencyKind.DEV if scope == "test" else kind
    if node.value("optional") == "true":
        dep_kind = DependencyKind.OPTIONAL
    pinned = _fixed(version) or "${" in version
    name = f"{group_id}:{artifact}"
    found.append(
        Dependency(name.lower(), MAVEN, version, dep_kind, path, node.line, scope, pinned, name)
    )


def collect_gradle(ctx: DepsContext) -> list[DependencyProject]:
    projects: list[DependencyProject] = []
    catalog = _catalog(ctx)
    for path in ctx.paths:
        base = posixpath.basename(path)
        if base not in ("build.gradle", "build.gradle.kts") or excluded(path):
            continue
        text = ctx.read(path) or ""
        dependencies = _gradle_dependencies(path, text)
        root = directory(path)
        manifests = [path]
        if root == "." and catalog:
            dependencies.extend(catalog)
            manifests.append(catalog[0].path)
        prefix = "" if root == "." else root + "/"
        lockfiles = [
            Lockfile(p, "gradle.lockfile")
            for p in ctx.paths
            if p.startswith(prefix)
            and (
                p == f"{prefix}gradle.lockfile"
                or (p.startswith(f"{prefix}gradle/dependency-locks/") and p.endswith(".lockfile"))
            )
        ]
        unfixed = [d for d in dependencies if not d.pinned and d.source is None]
        if lockfiles:
            locked, evidence, why = True, lockfiles[0].path, None
        elif not dependencies:
            locked, evidence, why = True, "no third-party dependencies", None
        elif unfixed:
            first = unfixed[0]
            locked, evidence = False, None
            why = (
                f"{first.location} `{first.raw_name}` version `{first.spec or '(none)'}` "
                "is not fixed and there is no gradle.lockfile"
            )
        else:
            locked, evidence, why = True, f"{path}: every declared version is fixed", None
        projects.append(
            DependencyProject(
                GRADLE,
                root,
                tuple(manifests),
                tuple(dependencies),
                tuple(lockfiles),
                locked,
                evidence,
                why,
            )
        )
    return projects


def _gradle_dependencies(path: str, text: str) -> list[Dependency]:
    found: list[Dependency] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _GRADLE_STRING.match(line) or _GRADLE_MAP.match(line)
        if match is None:
            continue
        config, group, artifact, version = (
            match.group(1),
            match.group(2),
            match.group(3),
            match.group(4) or "",
        )
        kind = (
            DependencyKind.DEV
            if config.startswith(("test", "androidTest", "integrationTest"))
            else DependencyKind.RUNTIME
        )
        if config == "classpath":
            kind = DependencyKind.BUILD
        pinned = (_fixed(version) and "$" not in version) or ("$" in version)
        name = f"{group}:{artifact}"
        found.append(
            Dependency(name.lower(), GRADLE, version, kind, path, number, config, pinned, name)
        )
    return found


def _catalog(ctx: DepsContext) -> list[Dependency]:
    path = "gradle/libs.versions.toml"
    data = ctx.toml(path) if path in ctx.path_set else None
    if not isinstance(data, dict):
        return []
    text = ctx.read(path) or ""
    versions = as_dict(data.get("versions"))
    libraries = as_dict(data.get("libraries"))
    found: list[Dependency] = []
    for alias, spec in libraries.items():
        module, version = _catalog_entry(spec, versions)
        if module is None:
            continue
        start = table_start(text, "libraries")
        line = line_of_text(text, f"\n{alias} ", start) or line_of_text(text, f"\n{alias}=", start)
        line = line + 1 if line is not None else None
        found.append(
            Dependency(
                module.lower(),
                GRADLE,
                version,
                DependencyKind.RUNTIME,
                path,
                line,
                "catalog",
                _fixed(version),
                module,
            )
        )
    return found


def _catalog_entry(spec: Any, versions: dict[str, Any]) -> tuple[str | None, str]:
    if isinstance(spec, str):
        parts = spec.split(":")
        return (
            (":".join(parts[:2]), parts[2] if len(parts) > 2 else "")
            if len(parts) >= 2
            else (None, "")
        )
    if not isinstance(spec, dict):
        return None, ""
    module = spec.get("module") or (
        f"{spec.get('group')}:{spec.get('name')}" if spec.get("group") else None
    )
    version = spec.get("version", "")
    if isinstance(version, dict):
        ref = version.get("ref")
        version = (
            versions.get(ref, "")
            if isinstance(ref, str)
            else version.get("strictly", version.get("require", ""))
        )
    if isinstance(version, dict):
        version = version.get("strictly", version.get("require", ""))
    return (str(module) if module else None), str(version or "")
