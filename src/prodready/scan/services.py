"""Service discovery: which folders of a repository are services to score.

A folder is a service when it holds its own manifest (``pyproject.toml``,
``setup.cfg``, ``setup.py``, ``requirements.txt``, ``go.mod``,
``package.json``, ``pom.xml``, ``build.gradle[.kts]``) or, outside any other
service, a ``Dockerfile``/``Containerfile``. Folders that are tests,
fixtures, examples, docs, vendored or generated code never count, nor do
hidden folders.

Each file belongs to the deepest service that contains it; root files and
CI folders are shared by all (see ``view.REPO_WIDE_DIRS``). A repository
without any nested service is one service at path ``"."``. The policy may
list service folders explicitly (``services = [...]``) to override this.

Names come from the policy (root ``service`` for ``"."``, or the service's
own policy file), then the manifest (project name, Go module, package name,
Maven artifactId), then the folder name.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from prodready.scan.facts._paths import name_of
from prodready.scan.facts.files import FileIndex
from prodready.scan.facts.view import ServiceScope

MANIFESTS = (
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "requirements.txt",
    "go.mod",
    "package.json",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
)
CONTAINER_FILES = ("Dockerfile", "Containerfile")
_GO_MODULE = re.compile(r"^\s*module\s+\"?([^\s\"]+)", re.MULTILINE)
_POM_PARENT = re.compile(r"<parent>.*?</parent>", re.DOTALL)
_POM_ARTIFACT = re.compile(r"<artifactId>\s*([^<\s]+)\s*</artifactId>")
_SETUP_CFG_NAME = re.compile(r"^\[metadata\][^\[]*?^name\s*=\s*(\S+)", re.MULTILINE | re.DOTALL)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._/@-]+")


@dataclass(frozen=True, slots=True)
class DiscoveredService:
    scope: ServiceScope
    manifest_name: str | None


def _eligible(index: FileIndex, path: str) -> bool:
    info = index.info(path)
    if info is None:
        return False
    parts = PurePosixPath(path).parts[:-1]
    if any(part.startswith(".") for part in parts):
        return False
    return not (
        info.is_test or info.is_example or info.is_vendored or info.is_generated or info.is_docs
    )


_PACKAGING_MODULES = ("setuptools", "distutils", "skbuild", "numpy.distutils")


def _packaging_module(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in _PACKAGING_MODULES)


def _is_packaging_script(index: FileIndex, path: str) -> bool:
    """A ``setup.py`` that packages a project: it calls ``setup(...)`` or
    imports setuptools/distutils. A module of an application that happens to
    be named ``setup.py`` (a settings package's ``setup.py`` of helper
    classes) is no manifest and makes no service. One that does not parse
    is given the benefit of its name. The parse is the index's (once per
    scan, shared with the checks; the scanned code's warnings silenced)."""
    parsed = index.parsed("python", path)
    if parsed.value is None:
        return parsed.problem is not None
    for node in ast.walk(parsed.value):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called == "setup":
                return True
        elif isinstance(node, ast.Import):
            if any(_packaging_module(alias.name) for alias in node.names):
                return True
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and _packaging_module(node.module)
        ):
            return True
    return False


def _folder(path: str) -> str:
    parent = str(PurePosixPath(path).parent)
    return "." if parent in ("", ".") else parent


def _inside(child: str, parent: str) -> bool:
    return parent == "." or child.startswith(parent.rstrip("/") + "/")


def discover(index: FileIndex, explicit: tuple[str, ...] | None = None) -> list[DiscoveredService]:
    """Services of the repository, root first, then by path."""
    markers: dict[str, list[str]] = {}
    containers: dict[str, list[str]] = {}
    for path in index.paths():
        name = name_of(path)
        if name in MANIFESTS and _eligible(index, path):
            if name == "setup.py" and not _is_packaging_script(index, path):
                continue
            markers.setdefault(_folder(path), []).append(path)
        elif (
            name in CONTAINER_FILES or name.startswith(("Dockerfile.", "Containerfile."))
        ) and _eligible(index, path):
            containers.setdefault(_folder(path), []).append(path)
    if explicit is not None:
        folders = sorted({_normalise(p) for p in explicit} or {"."})
    else:
        folders = sorted(markers)
        for folder in sorted(containers):
            if folder not in markers and not any(
                _inside(folder, other) and other != folder for other in markers
            ):
                folders.append(folder)
        # No manifest anywhere: the repository itself is the one service. A lone
        # service in a subfolder keeps its path; the root's files are shared.
        folders = sorted(set(folders)) or ["."]
    services = []
    for folder in folders:
        nested = tuple(f for f in folders if f != folder and _inside(f, folder))
        found = tuple(sorted(markers.get(folder, []) + containers.get(folder, [])))
        services.append(
            DiscoveredService(
                scope=ServiceScope(name=folder, path=folder, nested=nested, markers=found),
                manifest_name=_manifest_name(index, found),
            )
        )
    return services


def _normalise(path: str) -> str:
    cleaned = path.strip().strip("/")
    return "." if cleaned in ("", ".") else PurePosixPath(cleaned).as_posix()


def _manifest_name(index: FileIndex, markers: tuple[str, ...]) -> str | None:
    for path in markers:
        name = PurePosixPath(path).name
        if name == "pyproject.toml":
            data = index.parsed("toml", path).value or {}
            project = data.get("project") if isinstance(data, dict) else None
            poetry = data.get("tool", {}).get("poetry") if isinstance(data, dict) else None
            for table in (project, poetry):
                if isinstance(table, dict) and isinstance(table.get("name"), str):
                    return _clean(table["name"])
        elif name == "package.json":
            data = index.parsed("json", path).value
            if isinstance(data, dict) and isinstance(data.get("name"), str):
                return _clean(data["name"])
        elif name == "go.mod":
            match = _GO_MODULE.search(index.read_text(path) or "")
            if match:
                parts = [p for p in match.group(1).split("/") if p]
                if len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]):
                    parts.pop()  # a major-version suffix is not the name
                return _clean(parts[-1]) if parts else None
        elif name == "setup.cfg":
            match = _SETUP_CFG_NAME.search(index.read_text(path) or "")
            if match:
                return _clean(match.group(1))
        elif name == "pom.xml":
            text = _POM_PARENT.sub("", index.read_text(path) or "")
            match = _POM_ARTIFACT.search(text)
            if match:
                return _clean(match.group(1))
    return None


def _clean(name: str) -> str | None:
    cleaned = _SAFE_NAME.sub("-", name).strip("-")[:100]
    return cleaned or None


def unique_names(names: list[str], paths: list[str]) -> list[str]:
    """Make service names unique by suffixing the folder of later duplicates."""
    seen: dict[str, int] = {}
    result = []
    for name, path in zip(names, paths, strict=True):
        if name in seen:
            name = f"{name} ({path})"
        seen[name] = 1
        result.append(name)
    return result
