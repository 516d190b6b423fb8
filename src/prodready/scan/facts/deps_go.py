"""Go modules: ``go.mod`` (require blocks, ``// indirect``, replace, tool)
and the ``go.sum`` (or ``vendor/modules.txt``) that locks them.

Go versions in go.mod are exact (minimal version selection), so a module is
locked when its go.sum lists every required module; a missing go.sum, or one
that lacks a requirement, means builds resolve checksums at build time.
"""

from __future__ import annotations

from prodready.scan.facts.deps_common import DepsContext, directory, excluded
from prodready.scan.facts.deps_model import (
    Dependency,
    DependencyKind,
    DependencyProject,
    Ecosystem,
    Lockfile,
)

GO = Ecosystem.GO


def collect_go(ctx: DepsContext) -> list[DependencyProject]:
    projects: list[DependencyProject] = []
    for path in ctx.paths:
        if not path.endswith("go.mod") or path.rsplit("/", 1)[-1] != "go.mod" or excluded(path):
            continue
        text = ctx.read(path)
        if text is None:
            continue
        dependencies, replaced = parse_go_mod(path, text)
        root = directory(path)
        prefix = "" if root == "." else root + "/"
        lockfiles: list[Lockfile] = []
        sum_path = f"{prefix}go.sum"
        if sum_path in ctx.path_set:
            lockfiles.append(
                Lockfile(sum_path, "go.sum", frozenset(_sum_modules(ctx.read(sum_path) or "")))
            )
        vendor = f"{prefix}vendor/modules.txt"
        if vendor in ctx.path_set:
            lockfiles.append(
                Lockfile(vendor, "vendor", frozenset(_vendor_modules(ctx.read(vendor) or "")))
            )
        registry = [d for d in dependencies if d.name not in replaced]
        locked, evidence, why = _judge(path, registry, lockfiles)
        projects.append(
            DependencyProject(
                GO, root, (path,), tuple(dependencies), tuple(lockfiles), locked, evidence, why
            )
        )
    return projects


def parse_go_mod(path: str, text: str) -> tuple[list[Dependency], set[str]]:
    """Requirements of a go.mod, and the modules replaced by local paths."""
    dependencies: list[Dependency] = []
    replaced: set[str] = set()
    tools: set[str] = set()
    block: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line, _, comment = raw.partition("//")
        line = line.strip()
        if not line:
            continue
        if block is not None:
            if line == ")":
                block = None
                continue
            _directive(block, line, comment, path, number, dependencies, replaced, tools)
            continue
        keyword, _, rest = line.partition(" ")
        rest = rest.strip()
        if keyword in ("require", "replace", "tool", "exclude", "retract") and rest == "(":
            block = keyword
            continue
        _directive(keyword, rest, comment, path, number, dependencies, replaced, tools)
    if tools:
        dependencies = [
            Dependency(
                d.name,
                d.ecosystem,
                d.spec,
                DependencyKind.DEV,
                d.path,
                d.line,
                "tool",
                d.pinned,
                d.raw_name,
                None,
                d.source,
                False,
                d.indirect,
            )
            if any(t == d.name or t.startswith(d.name + "/") for t in tools)
            else d
            for d in dependencies
        ]
    return dependencies, replaced


def _directive(
    keyword: str,
    rest: str,
    comment: str,
    path: str,
    number: int,
    dependencies: list[Dependency],
    replaced: set[str],
    tools: set[str],
) -> None:
    words = rest.split()
    if keyword == "require" and len(words) >= 2:
        module, version = words[0].strip('"'), words[1]
        indirect = "indirect" in comment
        dependencies.append(
            Dependency(
                module,
                GO,
                version,
                DependencyKind.RUNTIME,
                path,
                number,
                None,
                True,
                module,
                None,
                None,
                False,
                indirect,
            )
        )
    elif keyword == "replace" and "=>" in rest:
        left, _, right = rest.partition("=>")
        target = right.split()
        if target and target[0].startswith((".", "/")):
            replaced.add(left.split()[0])
    elif keyword == "tool" and words:
        tools.add(words[0])


def _sum_modules(text: str) -> set[str]:
    modules: set[str] = set()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            modules.add(f"{parts[0]}@{parts[1].removesuffix('/go.mod')}")
    return modules


def _vendor_modules(text: str) -> set[str]:
    modules: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# "):
            parts = line[2:].split()
            if len(parts) >= 2 and not parts[0].startswith("="):
                modules.add(f"{parts[0]}@{parts[1]}")
    return modules


def _judge(
    path: str, registry: list[Dependency], lockfiles: list[Lockfile]
) -> tuple[bool, str | None, str | None]:
    if not registry:
        return True, "no third-party dependencies", None
    if not lockfiles:
        return False, None, f"{path} requires {len(registry)} modules but there is no go.sum"
    lock = lockfiles[0]
    missing = [d for d in registry if f"{d.name}@{d.spec}" not in lock.packages]
    if missing and lock.kind == "go.sum":
        shown = ", ".join(f"{d.name}@{d.spec}" for d in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        return False, None, f"{lock.path} lacks {shown}{more} (run `go mod tidy`)"
    return True, lock.path, None
