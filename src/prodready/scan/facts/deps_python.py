"""Python dependencies: pyproject (PEP 621, PEP 735 groups, Poetry, PDM, uv),
requirements files (``-r``/``-c`` includes, hashes, markers, ``-e``, URLs),
Pipfile, setup.cfg and setup.py (read with ``ast``, never run), and the
lockfiles that pin them (uv.lock, poetry.lock, pdm.lock, Pipfile.lock,
pylock.toml, fully pinned or pip-compiled requirements).

A project is locked when a lockfile sits with it (or at its uv workspace
root) and lists every direct dependency, or when its requirements files pin
every requirement to one version (``==``, or through a ``-c`` constraints
file). Names are normalised per PEP 503.
"""

from __future__ import annotations

import ast
import fnmatch
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from prodready.scan.facts.ci_ini import parse_ini
from prodready.scan.facts.deps_common import (
    DepsContext,
    ancestors,
    directory,
    excluded,
    join,
    line_of_text,
    table_start,
)
from prodready.scan.facts.deps_model import (
    Dependency,
    DependencyKind,
    DependencyProject,
    Ecosystem,
    Lockfile,
    normalize,
)
from prodready.scan.facts.source import ParseProblem

PY = Ecosystem.PYTHON
MANIFESTS = ("pyproject.toml", "setup.py", "setup.cfg", "Pipfile")
LOCKS = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock")
_REQ_DIRS = ("requirements", "reqs", "requirements.d", "deps", "dependencies")
_DEV_WORDS = (
    "dev",
    "test",
    "lint",
    "doc",
    "ci",
    "typing",
    "type",
    "check",
    "style",
    "bench",
    "format",
)
_NAME = re.compile(
    r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$", re.DOTALL
)
_EXACT = re.compile(r"^\s*\(?\s*===?\s*([^\s,;*()]+)\s*\)?\s*$")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(slots=True)
class Requirement:
    name: str
    extras: str
    spec: str
    marker: str | None
    url: str | None


def parse_requirement(text: str) -> Requirement | None:
    """A PEP 508 requirement string, or None when it is not one."""
    match = _NAME.match(text)
    if match is None:
        return None
    name, extras, rest = match.group(1), match.group(2) or "", match.group(3).strip()
    marker = None
    url = None
    if rest.startswith("@"):
        body = rest[1:].strip()
        if " ;" in body or "; " in body:
            body, _, marker_text = body.partition(";")
            marker = marker_text.strip() or None
        url = body.strip()
        return Requirement(name, extras, "", marker, url)
    if ";" in rest:
        rest, _, marker_text = rest.partition(";")
        marker = marker_text.strip() or None
    spec = rest.strip().strip("()").strip()
    if spec and not re.match(r"^[<>=!~]", spec):
        return None
    return Requirement(name, extras, spec, marker, url)


def is_exact(spec: str) -> bool:
    """``==1.2.3`` / ``===1.2.3`` (one version, no wildcard)."""
    return _EXACT.match(spec) is not None and "," not in spec


def _dev_name(text: str) -> bool:
    words = re.split(r"[^a-z]+", text.lower())
    return any(w in _DEV_WORDS or w.startswith(("test", "dev", "lint", "doc")) for w in words if w)


@dataclass(slots=True)
class _ReqFile:
    path: str
    dependencies: list[Dependency] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    compiled: bool = False


@dataclass(slots=True)
class _Project:
    root: str
    manifests: list[str] = field(default_factory=list)
    requirement_files: list[str] = field(default_factory=list)
    dependencies: list[Dependency] = field(default_factory=list)
    name: str | None = None
    uv_workspace: bool = False


def is_requirements_file(path: str) -> bool:
    base = posixpath.basename(path).lower()
    parent = posixpath.basename(posixpath.dirname(path)).lower()
    if not base.endswith((".txt", ".in")):
        return False
    if base.startswith("constraints"):
        return False
    if "requirements" in base:
        return True
    return parent in _REQ_DIRS


def _requirements_root(path: str) -> str:
    folder = directory(path)
    if posixpath.basename(folder).lower() in _REQ_DIRS:
        return directory(folder)
    return folder


class PythonCollector:
    def __init__(self, ctx: DepsContext) -> None:
        self.ctx = ctx
        self.req_cache: dict[str, _ReqFile] = {}

    def collect(self) -> list[DependencyProject]:
        projects: dict[str, _Project] = {}
        for path in self.ctx.paths:
            if excluded(path):
                continue
            base = posixpath.basename(path)
            if base in MANIFESTS:
                project = projects.setdefault(directory(path), _Project(directory(path)))
                if self._read_manifest(project, path):
                    project.manifests.append(path)
            elif is_requirements_file(path):
                root = _requirements_root(path)
                projects.setdefault(root, _Project(root)).requirement_files.append(path)
        results: list[DependencyProject] = []
        for root in sorted(projects):
            project = projects[root]
            if not project.manifests and not project.requirement_files:
                continue
            results.append(self._finish(project))
        return results

    # manifests ------------------------------------------------------------
    def _read_manifest(self, project: _Project, path: str) -> bool:
        base = posixpath.basename(path)
        if base == "pyproject.toml":
            return self._pyproject(project, path)
        if base == "Pipfile":
            return self._pipfile(project, path)
        if base == "setup.cfg":
            return self._setup_cfg(project, path)
        return self._setup_py(project, path)

    def _add(
        self,
        project: _Project,
        path: str,
        text: str,
        requirement: str,
        kind: DependencyKind,
        group: str | None,
        start: int = 0,
    ) -> None:
        parsed = parse_requirement(requirement)
        if parsed is None:
            return
        line = line_of_text(text, requirement, start) or line_of_text(text, parsed.name, start)
        project.dependencies.append(_dependency(parsed, kind, path, line, group))

    def _pyproject(self, project: _Project, path: str) -> bool:
        data = self.ctx.toml(path)
        if data is None:
            return False
        text = self.ctx.read(path) or ""
        relevant = self._pep621(project, path, text, data)
        build = data.get("build-system")
        if isinstance(build, dict):
            start = table_start(text, "build-system")
            for item in _strings(build.get("requires")):
                self._add(project, path, text, item, DependencyKind.BUILD, "build-system", start)
        tool = data.get("tool")
        if isinstance(tool, dict):
            relevant = self._pyproject_tools(project, path, text, tool) or relevant
        return relevant

    def _pep621(self, project: _Project, path: str, text: str, data: dict[str, Any]) -> bool:
        relevant = False
        meta = data.get("project")
        if isinstance(meta, dict):
            relevant = True
            project.name = str(meta["name"]) if meta.get("name") else project.name
            start = table_start(text, "project")
            for item in _strings(meta.get("dependencies")):
                self._add(project, path, text, item, DependencyKind.RUNTIME, None, start)
            optional = meta.get("optional-dependencies")
            if isinstance(optional, dict):
                start = table_start(text, "project.optional-dependencies") or start
                for group, items in optional.items():
                    kind = DependencyKind.DEV if _dev_name(group) else DependencyKind.OPTIONAL
                    for item in _strings(items):
                        self._add(project, path, text, item, kind, group, start)
        groups = data.get("dependency-groups")
        if isinstance(groups, dict):
            relevant = True
            self._groups(project, path, text, groups, table_start(text, "dependency-groups"))
        return relevant

    def _groups(
        self, project: _Project, path: str, text: str, groups: dict[str, Any], start: int
    ) -> None:
        for group, items in groups.items():
            for item in _strings(items):
                self._add(project, path, text, item, DependencyKind.DEV, group, start)

    def _pyproject_tools(
        self, project: _Project, path: str, text: str, tool: dict[str, Any]
    ) -> bool:
        relevant = False
        poetry = tool.get("poetry")
        if isinstance(poetry, dict):
            relevant = True
            project.name = project.name or (str(poetry["name"]) if poetry.get("name") else None)
            self._poetry(project, path, text, poetry)
        uv = tool.get("uv")
        if isinstance(uv, dict):
            relevant = True
            project.uv_workspace = isinstance(uv.get("workspace"), dict)
            start = table_start(text, "tool.uv")
            for item in _strings(uv.get("dev-dependencies")):
                self._add(project, path, text, item, DependencyKind.DEV, "uv dev", start)
        pdm = tool.get("pdm")
        if isinstance(pdm, dict):
            relevant = True
            dev = pdm.get("dev-dependencies")
            if isinstance(dev, dict):
                self._groups(
                    project, path, text, dev, table_start(text, "tool.pdm.dev-dependencies")
                )
        return relevant

    def _poetry(self, project: _Project, path: str, text: str, poetry: dict[str, Any]) -> None:
        tables: list[tuple[str, Any, DependencyKind, str | None]] = [
            ("tool.poetry.dependencies", poetry.get("dependencies"), DependencyKind.RUNTIME, None),
            (
                "tool.poetry.dev-dependencies",
                poetry.get("dev-dependencies"),
                DependencyKind.DEV,
                "dev",
            ),
        ]
        groups = poetry.get("group")
        if isinstance(groups, dict):
            for name, group in groups.items():
                if isinstance(group, dict):
                    kind = DependencyKind.RUNTIME if name == "main" else DependencyKind.DEV
                    tables.append(
                        (
                            f"tool.poetry.group.{name}.dependencies",
                            group.get("dependencies"),
                            kind,
                            name,
                        )
                    )
        for table, deps, kind, group in tables:
            if not isinstance(deps, dict):
                continue
            start = table_start(text, table)
            for name, value in deps.items():
                if name.lower() == "python":
                    continue
                spec, source, optional = _poetry_spec(value)
                line = _key_line(text, name, start)
                dep_kind = (
                    DependencyKind.OPTIONAL if optional and kind is DependencyKind.RUNTIME else kind
                )
                pinned = (
                    bool(re.fullmatch(r"=?=?\s*\d+(\.\d+)*([a-z]+\d*)?", spec.strip()))
                    and source is None
                )
                project.dependencies.append(
                    Dependency(
                        normalize(name, PY),
                        PY,
                        spec,
                        dep_kind,
                        path,
                        line,
                        group,
                        pinned,
                        name,
                        None,
                        source,
                    )
                )

    def _pipfile(self, project: _Project, path: str) -> bool:
        data = self.ctx.toml(path)
        text = self.ctx.read(path) or ""
        if data is None:
            return False
        for table, kind in (
            ("packages", DependencyKind.RUNTIME),
            ("dev-packages", DependencyKind.DEV),
        ):
            deps = data.get(table)
            if not isinstance(deps, dict):
                continue
            start = table_start(text, table)
            for name, value in deps.items():
                spec = (
                    value
                    if isinstance(value, str)
                    else str(value.get("version", ""))
                    if isinstance(value, dict)
                    else ""
                )
                source = None
                if isinstance(value, dict):
                    source = next(
                        (str(value[k]) for k in ("git", "path", "file", "editable") if k in value),
                        None,
                    )
                spec = "" if spec == "*" else spec
                project.dependencies.append(
                    Dependency(
                        normalize(name, PY),
                        PY,
                        spec,
                        kind,
                        path,
                        _key_line(text, name, start),
                        None,
                        is_exact(spec),
                        name,
                        None,
                        source,
                    )
                )
        return True

    def _setup_cfg(self, project: _Project, path: str) -> bool:
        ini = parse_ini(self.ctx.read(path) or "")
        relevant = False
        for key, kind in (
            ("install_requires", DependencyKind.RUNTIME),
            ("tests_require", DependencyKind.DEV),
            ("setup_requires", DependencyKind.BUILD),
        ):
            value = ini.get("options", key)
            if value is None:
                continue
            relevant = True
            for text, number in value.parts:
                parsed = parse_requirement(text)
                if parsed is not None:
                    project.dependencies.append(_dependency(parsed, kind, path, number, None))
        extras = ini.sections.get("options.extras_require", {})
        for group, value in extras.items():
            relevant = True
            kind = DependencyKind.DEV if _dev_name(group) else DependencyKind.OPTIONAL
            for text, number in value.parts:
                parsed = parse_requirement(text)
                if parsed is not None:
                    project.dependencies.append(_dependency(parsed, kind, path, number, group))
        name = ini.get("metadata", "name")
        if name is not None:
            relevant = True
            project.name = project.name or name.text
        return relevant

    def _setup_py(self, project: _Project, path: str) -> bool:
        text = self.ctx.read(path)
        if text is None:
            return False
        try:
            tree = ast.parse(text, filename=path)
        except (SyntaxError, ValueError, RecursionError) as exc:
            message = f"setup.py does not parse: {type(exc).__name__}"
            self.ctx.problems.append(ParseProblem(path, message, getattr(exc, "lineno", None)))
            return True
        assignments: dict[str, ast.expr] = {}
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
                if isinstance(target, ast.Name):
                    assignments[target.id] = statement.value
        found = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node) == "setup":
                found = True
                for keyword in node.keywords:
                    self._setup_keyword(project, path, keyword, assignments)
        return found

    def _setup_keyword(
        self, project: _Project, path: str, keyword: ast.keyword, assignments: dict[str, ast.expr]
    ) -> None:
        value = keyword.value
        if isinstance(value, ast.Name) and value.id in assignments:
            value = assignments[value.id]
        if (
            keyword.arg == "name"
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            project.name = project.name or value.value
        kinds = {
            "install_requires": DependencyKind.RUNTIME,
            "tests_require": DependencyKind.DEV,
            "setup_requires": DependencyKind.BUILD,
        }
        if keyword.arg in kinds:
            self._literal_requirements(project, path, value, kinds[keyword.arg], None)
        elif keyword.arg == "extras_require" and isinstance(value, ast.Dict):
            for key, items in zip(value.keys, value.values, strict=False):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    kind = DependencyKind.DEV if _dev_name(key.value) else DependencyKind.OPTIONAL
                    if isinstance(items, ast.Name) and items.id in assignments:
                        items = assignments[items.id]
                    self._literal_requirements(project, path, items, kind, key.value)

    def _literal_requirements(
        self, project: _Project, path: str, node: ast.expr, kind: DependencyKind, group: str | None
    ) -> None:
        if not isinstance(node, ast.List | ast.Tuple):
            return
        for element in node.elts:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                parsed = parse_requirement(element.value)
                if parsed is not None:
                    project.dependencies.append(
                        _dependency(parsed, kind, path, element.lineno, group)
                    )

    # requirements -------------------------------------------------------------
    def requirements(self, path: str, seen: frozenset[str] = frozenset()) -> _ReqFile:
        """One requirements file with its ``-r`` includes (cycle-safe)."""
        cached = self.req_cache.get(path)
        if cached is not None:
            return cached
        result = _ReqFile(path)
        text = self.ctx.read(path)
        if text is None:
            return result
        self.req_cache[path] = result
        result.compiled = (
            "autogenerated by pip-compile" in text[:2000] or "uv pip compile" in text[:2000]
        )
        stem = posixpath.basename(path).rsplit(".", 1)[0]
        kind = (
            DependencyKind.DEV
            if _dev_name(stem) or stem.lower().startswith("constraints")
            else DependencyKind.RUNTIME
        )
        folder = directory(path)
        for number, line in _logical_lines(text):
            if line.startswith("-"):
                self._option(result, folder, line, number, seen | {path})
                continue
            requirement = line.partition(" --")[0]
            parsed = _requirement_line(requirement.strip())
            if parsed is not None and parsed.name != "local-path":
                result.dependencies.append(
                    _dependency(parsed, kind, path, number, None, "--hash" in line)
                )
        return result

    def _option(
        self, result: _ReqFile, folder: str, line: str, number: int, seen: frozenset[str]
    ) -> None:
        flag, _, value = line.partition(" ") if " " in line else line.partition("=")
        if "=" in flag and flag.startswith("--"):
            flag, _, value = line.partition("=")
        value = value.strip()
        if flag in ("-r", "--requirement", "-c", "--constraint"):
            target = join(folder, value)
            if target in seen or len(seen) > 10:
                if target in seen:
                    self.ctx.problems.append(
                        ParseProblem(
                            result.path, f"requirements include cycle through {target}", number
                        )
                    )
                return
            if target not in self.ctx.path_set:
                self.ctx.problems.append(
                    ParseProblem(
                        result.path, f"included requirements file {value} not found", number
                    )
                )
                return
            included = self.requirements(target, seen)
            if flag in ("-c", "--constraint"):
                result.constraints.extend(d.name for d in included.dependencies if d.pinned)
            else:
                result.dependencies.extend(included.dependencies)
                result.constraints.extend(included.constraints)
        elif flag in ("-e", "--editable"):
            parsed = _requirement_line(value)
            if parsed is not None and parsed.name != "local-path":
                parsed.url = parsed.url or value
                result.dependencies.append(
                    _dependency(parsed, DependencyKind.RUNTIME, result.path, number, "editable")
                )

    # locking ----------------------------------------------------------------------
    def _finish(self, project: _Project) -> DependencyProject:
        req_files = [self.requirements(p) for p in project.requirement_files]
        dependencies = list(project.dependencies)
        seen = {(d.path, d.line, d.name) for d in dependencies}
        for req in req_files:
            for dep in req.dependencies:
                if (dep.path, dep.line, dep.name) not in seen:
                    seen.add((dep.path, dep.line, dep.name))
                    dependencies.append(dep)
        own = normalize(project.name, PY) if project.name else None
        dependencies = [d for d in dependencies if d.name != own]
        lockfiles = self._lockfiles(project)
        locked, evidence, why = self._judge(project, dependencies, lockfiles, req_files)
        manifests = tuple(project.manifests) + tuple(project.requirement_files)
        return DependencyProject(
            PY,
            project.root,
            manifests,
            tuple(dependencies),
            tuple(lockfiles),
            locked,
            evidence,
            why,
        )

    def _lockfiles(self, project: _Project) -> list[Lockfile]:
        found: list[Lockfile] = []
        for index, folder in enumerate(ancestors(project.root)):
            for name in LOCKS:
                path = name if folder == "." else f"{folder}/{name}"
                if path not in self.ctx.path_set:
                    continue
                if index > 0 and not (
                    name == "uv.lock" and self._in_uv_workspace(folder, project.root)
                ):
                    continue
                found.append(Lockfile(path, name, frozenset(self._locked_names(path, name))))
            if index == 0:
                prefix = "" if folder == "." else folder + "/"
                for path in self.ctx.paths:
                    rest = path[len(prefix) :] if path.startswith(prefix) else None
                    if (
                        rest is not None
                        and "/" not in rest
                        and rest.startswith("pylock.")
                        and rest.endswith(".toml")
                    ):
                        found.append(
                            Lockfile(
                                path,
                                "pylock.toml",
                                frozenset(self._locked_names(path, "pylock.toml")),
                            )
                        )
            if found:
                break
        return found

    def _in_uv_workspace(self, folder: str, member: str) -> bool:
        """``member`` is listed by the uv workspace rooted at ``folder``."""
        path = "pyproject.toml" if folder == "." else f"{folder}/pyproject.toml"
        data = self.ctx.toml(path) if path in self.ctx.path_set else None
        tool = data.get("tool") if data else None
        uv = tool.get("uv") if isinstance(tool, dict) else None
        workspace = uv.get("workspace") if isinstance(uv, dict) else None
        if not isinstance(workspace, dict):
            return False
        relative = member if folder == "." else member[len(folder) + 1 :]
        members = _strings(workspace.get("members"))
        excluded_members = _strings(workspace.get("exclude"))
        return any(fnmatch.fnmatchcase(relative, m) for m in members) and not any(
            fnmatch.fnmatchcase(relative, m) for m in excluded_members
        )

    def _locked_names(self, path: str, kind: str) -> set[str]:
        names: set[str] = set()
        if kind == "Pipfile.lock":
            data = self.ctx.json(path)
            if isinstance(data, dict):
                for section in ("default", "develop"):
                    if isinstance(data.get(section), dict):
                        names.update(normalize(n, PY) for n in data[section])
            return names
        toml_data = self.ctx.toml(path)
        if toml_data is None:
            return set()
        packages = toml_data.get("package", toml_data.get("packages"))
        if not isinstance(packages, list):
            return set()
        for package in packages:
            if not isinstance(package, dict):
                continue
            if package.get("name"):
                names.add(normalize(str(package["name"]), PY))
            for key in ("dependencies", "dev-dependencies", "optional-dependencies"):
                value = package.get(key)
                entries = (
                    [e for group in value.values() if isinstance(group, list) for e in group]
                    if isinstance(value, dict)
                    else value
                )
                for entry in entries if isinstance(entries, list) else []:
                    if isinstance(entry, dict) and entry.get("name"):
                        names.add(normalize(str(entry["name"]), PY))
        return names

    def _judge(
        self,
        project: _Project,
        dependencies: list[Dependency],
        lockfiles: list[Lockfile],
        req_files: list[_ReqFile],
    ) -> tuple[bool, str | None, str | None]:
        registry = [
            d for d in dependencies if d.source is None and d.kind is not DependencyKind.BUILD
        ]
        manifest_deps = [d for d in registry if d.path.endswith(MANIFESTS)]
        all_pinned = bool(manifest_deps) and not req_files and all(d.pinned for d in manifest_deps)
        pins = (
            f"{manifest_deps[0].path}: all {len(manifest_deps)} requirements pinned with =="
            if manifest_deps
            else ""
        )
        if lockfiles:
            lock = lockfiles[0]
            direct = {
                d.name for d in registry if d.kind is DependencyKind.RUNTIME and d.marker is None
            }
            missing = sorted(direct - lock.packages) if lock.packages else []
            if missing and all_pinned:
                return True, pins, None
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
        if not registry:
            return True, "no third-party dependencies", None
        if all_pinned:
            return (
                True,
                f"{manifest_deps[0].path}: all {len(manifest_deps)} requirements pinned with ==",
                None,
            )
        compiled_stems = {r.path.rsplit(".", 1)[0] for r in req_files if r.path.endswith(".txt")}
        pinned_files = [
            r
            for r in req_files
            if r.dependencies
            and not (r.path.endswith(".in") and r.path.rsplit(".", 1)[0] in compiled_stems)
        ]
        constraints = {name for r in req_files for name in r.constraints}
        runtime_files = [
            r for r in pinned_files if any(d.kind is DependencyKind.RUNTIME for d in r.dependencies)
        ]
        if pinned_files:
            unpinned = [
                d
                for r in pinned_files
                for d in r.dependencies
                if d.source is None
                and not d.pinned
                and d.name not in constraints
                and d.group != "editable"
            ]
            if not unpinned:
                count = sum(len(r.dependencies) for r in pinned_files)
                names = ", ".join(r.path for r in pinned_files[:3])
                declared = {
                    d.name
                    for d in registry
                    if d.path.endswith(MANIFESTS) and d.kind is DependencyKind.RUNTIME
                }
                covered = {d.name for r in pinned_files for d in r.dependencies}
                if declared - covered:
                    absent = ", ".join(sorted(declared - covered)[:5])
                    return (
                        False,
                        None,
                        f"pinned requirements do not cover {absent} declared in the manifest",
                    )
                if runtime_files or not declared:
                    return True, f"{names}: all {count} requirements pinned to one version", None
            first = unpinned[0] if unpinned else None
            if first is not None:
                more = f" (and {len(unpinned) - 1} more)" if len(unpinned) > 1 else ""
                return (
                    False,
                    None,
                    f"{first.location} `{first.raw_name}{first.spec}` is not pinned{more} "
                    "and there is no lockfile",
                )
        where = project.manifests[0] if project.manifests else project.root
        return (
            False,
            None,
            "no lockfile (uv.lock, poetry.lock, pdm.lock, Pipfile.lock) "
            f"or pinned requirements for {where}",
        )


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str)]


def _key_line(text: str, key: str, start: int) -> int | None:
    for candidate in (f"\n{key} =", f"\n{key}=", f'\n"{key}" =', f"\n'{key}' ="):
        line = line_of_text(text, candidate, start)
        if line is not None:
            return line + 1
    return line_of_text(text, key, start)


def _poetry_spec(value: Any) -> tuple[str, str | None, bool]:
    if isinstance(value, str):
        return ("" if value == "*" else value), None, False
    if isinstance(value, dict):
        source = next((str(value[k]) for k in ("git", "path", "url") if k in value), None)
        version = value.get("version", "")
        return ("" if version == "*" else str(version)), source, bool(value.get("optional"))
    if isinstance(value, list):
        versions = [str(v.get("version", "")) for v in value if isinstance(v, dict)]
        return " || ".join(v for v in versions if v), None, False
    return "", None, False


def _dependency(
    parsed: Requirement,
    kind: DependencyKind,
    path: str,
    line: int | None,
    group: str | None,
    hashed: bool = False,
) -> Dependency:
    pinned = is_exact(parsed.spec) or (parsed.url is not None and hashed)
    return Dependency(
        normalize(parsed.name, PY),
        PY,
        parsed.spec,
        kind,
        path,
        line,
        group,
        pinned,
        parsed.name,
        parsed.marker,
        parsed.url,
        hashed,
    )


def _requirement_line(text: str) -> Requirement | None:
    """A requirements-file line: PEP 508, a URL with ``#egg=``, or a path."""
    if not text:
        return None
    if "://" in text.split("@")[0] or text.startswith(
        ("git+", "hg+", "svn+", "bzr+", "file:", ".", "/")
    ):
        egg = _EGG.search(text)
        base = posixpath.basename(text.split("#")[0].rstrip("/"))
        name = (
            egg.group(1)
            if egg
            else re.split(r"[-_]\d", base.removesuffix(".whl").removesuffix(".tar.gz"))[0]
        )
        if not name or name in (".", ".."):
            name = "local-path"
        return Requirement(name, "", "", None, text)
    return parse_requirement(text)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line, content) with continuations joined and comments dropped."""
    result: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw
        comment = re.search(r"(^|\s)#", line)
        if comment is not None:
            line = line[: comment.start()]
        if not pending:
            start = number
        if line.rstrip().endswith("\\"):
            pending.append(line.rstrip()[:-1])
            continue
        pending.append(line)
        joined = " ".join(p.strip() for p in pending).strip()
        pending = []
        if joined:
            result.append((start, joined))
    if pending:
        joined = " ".join(p.strip() for p in pending).strip()
        if joined:
            result.append((start, joined))
    return result
