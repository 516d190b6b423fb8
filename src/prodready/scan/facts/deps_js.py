"""JavaScript/TypeScript: ``package.json`` dependencies and the lockfile
that pins them (package-lock.json, npm-shrinkwrap.json, yarn.lock classic
and berry, pnpm-lock.yaml, bun.lock), including a workspace root's lockfile
for member packages.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from prodready.scan.facts.ci_yaml import load_yaml
from prodready.scan.facts.deps_common import (
    DepsContext,
    ancestors,
    directory,
    excluded,
    line_of_text,
)
from prodready.scan.facts.deps_model import (
    Dependency,
    DependencyKind,
    DependencyProject,
    Ecosystem,
    Lockfile,
)

JS = Ecosystem.JAVASCRIPT
LOCKS = (
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "bun.lockb",
)
_SECTIONS = (
    ("dependencies", DependencyKind.RUNTIME),
    ("devDependencies", DependencyKind.DEV),
    ("optionalDependencies", DependencyKind.OPTIONAL),
    ("peerDependencies", DependencyKind.PEER),
)
_EXACT = re.compile(r"^=?v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")


def collect_js(ctx: DepsContext) -> list[DependencyProject]:
    projects: list[DependencyProject] = []
    lock_cache: dict[str, Lockfile] = {}
    for path in ctx.paths:
        if posixpath.basename(path) != "package.json" or excluded(path):
            continue
        data = ctx.json(path)
        if not isinstance(data, dict):
            continue
        text = ctx.read(path) or ""
        dependencies = _dependencies(path, text, data)
        root = directory(path)
        lockfiles = _lockfiles(ctx, root, lock_cache)
        own = str(data.get("name", "")).lower()
        registry = [
            d
            for d in dependencies
            if d.source is None and d.name != own and d.kind is not DependencyKind.PEER
        ]
        locked, evidence, why = _judge(path, registry, lockfiles)
        projects.append(
            DependencyProject(
                JS, root, (path,), tuple(dependencies), tuple(lockfiles), locked, evidence, why
            )
        )
    return projects


def _dependencies(path: str, text: str, data: dict[str, Any]) -> list[Dependency]:
    found: list[Dependency] = []
    for section, kind in _SECTIONS:
        values = data.get(section)
        if not isinstance(values, dict):
            continue
        start = text.find(f'"{section}"')
        for name, spec in values.items():
            spec_text = str(spec) if isinstance(spec, str) else ""
            source = None
            if spec_text.startswith(
                ("file:", "link:", "workspace:", "portal:", "git", "github:", "http:", "https:")
            ) or ("/" in spec_text and not spec_text.startswith("npm:")):
                source = spec_text
            line = line_of_text(text, f'"{name}"', max(start, 0))
            found.append(
                Dependency(
                    name.lower(),
                    JS,
                    spec_text,
                    kind,
                    path,
                    line,
                    section,
                    bool(_EXACT.match(spec_text)),
                    name,
                    None,
                    source,
                )
            )
    return found


def _lockfiles(ctx: DepsContext, root: str, cache: dict[str, Lockfile]) -> list[Lockfile]:
    for index, folder in enumerate(ancestors(root)):
        prefix = "" if folder == "." else folder + "/"
        found: list[Lockfile] = []
        for name in LOCKS:
            path = prefix + name
            if path not in ctx.path_set:
                continue
            if index > 0 and not _is_workspace_root(ctx, folder):
                continue
            if path not in cache:
                cache[path] = Lockfile(path, name, frozenset(_locked_names(ctx, path, name)))
            found.append(cache[path])
        if found:
            return found
    return []


def _is_workspace_root(ctx: DepsContext, folder: str) -> bool:
    prefix = "" if folder == "." else folder + "/"
    if f"{prefix}pnpm-workspace.yaml" in ctx.path_set or f"{prefix}lerna.json" in ctx.path_set:
        return True
    data = ctx.json(f"{prefix}package.json") if f"{prefix}package.json" in ctx.path_set else None
    return isinstance(data, dict) and "workspaces" in data


def _locked_names(ctx: DepsContext, path: str, kind: str) -> set[str]:  # noqa: C901 - one branch per lockfile format
    names: set[str] = set()
    if kind in ("package-lock.json", "npm-shrinkwrap.json"):
        data = ctx.json(path)
        if isinstance(data, dict):
            packages = data.get("packages")
            if isinstance(packages, dict):
                for key in packages:
                    if "node_modules/" in key:
                        names.add(key.rsplit("node_modules/", 1)[1].lower())
            deps = data.get("dependencies")
            if isinstance(deps, dict):
                names.update(k.lower() for k in deps)
    elif kind == "yarn.lock":
        for line in (ctx.read(path) or "").splitlines():
            if (
                line
                and not line[0].isspace()
                and not line.startswith("#")
                and line.rstrip().endswith(":")
            ):
                for entry in line.rstrip(":").split(","):
                    spec = entry.strip().strip('"')
                    name = spec[: spec.index("@", 1)] if "@" in spec[1:] else spec
                    if name and name != "__metadata":
                        names.add(name.lower())
    elif kind == "pnpm-lock.yaml":
        documents, problems = load_yaml(path, ctx.read(path) or "")
        ctx.problems.extend(problems)
        doc = documents[0] if documents else None
        if isinstance(doc, dict):
            for section in ("dependencies", "devDependencies", "optionalDependencies"):
                if isinstance(doc.get(section), dict):
                    names.update(k.lower() for k in doc[section])
            importers = doc.get("importers")
            if isinstance(importers, dict):
                for importer in importers.values():
                    if isinstance(importer, dict):
                        for section in ("dependencies", "devDependencies", "optionalDependencies"):
                            if isinstance(importer.get(section), dict):
                                names.update(k.lower() for k in importer[section])
            packages = doc.get("packages")
            if isinstance(packages, dict):
                for key in packages:
                    spec = str(key).lstrip("/")
                    names.add(
                        (
                            spec[: spec.index("@", 1)] if "@" in spec[1:] else spec.split("/", 1)[0]
                        ).lower()
                    )
    elif kind == "bun.lock":
        data = ctx.json(path, lenient=True)
        if isinstance(data, dict) and isinstance(data.get("packages"), dict):
            names.update(k.lower() for k in data["packages"])
    return names


def _judge(
    path: str, registry: list[Dependency], lockfiles: list[Lockfile]
) -> tuple[bool, str | None, str | None]:
    if not registry:
        return True, "no third-party dependencies", None
    if lockfiles:
        lock = lockfiles[0]
        if lock.packages:
            missing = sorted({d.name for d in registry} - lock.packages)
            if missing:
                shown = ", ".join(missing[:5]) + (
                    f" and {len(missing) - 5} more" if len(missing) > 5 else ""
                )
                return (
                    False,
                    None,
                    f"{lock.path} does not list {shown}: the lockfile is out of date",
                )
        return True, lock.path, None
    if all(d.pinned for d in registry):
        return (
            True,
            f"{path}: all {len(registry)} dependencies pinned to exact versions (no lockfile)",
            None,
        )
    first = next(d for d in registry if not d.pinned)
    return (
        False,
        None,
        f"no lockfile for {path}, and `{first.raw_name}: {first.spec}` "
        f"({first.location}) is a range",
    )
