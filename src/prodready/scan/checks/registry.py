"""The one registry of checks: built-ins and plugins through the same door.

Built-in checks are listed explicitly in ``BUILTIN_CHECKS`` (no registration
by import side effects). Third-party packages publish checks through the
``prodready.checks`` entry point group; each entry point names either

- a ``Check``,
- an iterable of ``Check``, or
- a callable taking no argument and returning either of the above.

Both go through ``_accept``, which validates them the same way. A plugin that
fails to load, or offers an id that is already taken, is reported as a
problem (a scan warning) and skipped; it never stops a scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from prodready.scan.checks.base import Check
from prodready.scan.model import Level, Pillar

ENTRY_POINT_GROUP = "prodready.checks"

_PILLAR_ORDER = {pillar: index for index, pillar in enumerate(Pillar)}


def catalogue_order(check: Check) -> tuple[int, int, str]:
    """Sort key: level, then pillar, then id."""
    return (check.spec.level.rank, _PILLAR_ORDER[check.spec.pillar], check.id)


@dataclass(frozen=True)
class Registry:
    """The checks a scan can run, by id, in catalogue order."""

    checks: tuple[Check, ...]
    problems: tuple[str, ...] = ()
    _by_id: dict[str, Check] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {c.id: c for c in self.checks})

    def __iter__(self) -> Any:
        return iter(self.checks)

    def __len__(self) -> int:
        return len(self.checks)

    def __contains__(self, check_id: object) -> bool:
        return check_id in self._by_id

    def get(self, check_id: str) -> Check | None:
        return self._by_id.get(check_id)

    def ids(self) -> list[str]:
        return [c.id for c in self.checks]

    def at_or_below(self, level: Level) -> list[Check]:
        return [c for c in self.checks if c.spec.level.rank <= level.rank]


def _as_checks(obj: Any) -> list[Check]:
    if isinstance(obj, Check):
        return [obj]
    if callable(obj) and not isinstance(obj, type):
        return _as_checks(obj())
    if isinstance(obj, Iterable) and not isinstance(obj, str | bytes):
        items = list(obj)
        bad = [type(item).__name__ for item in items if not isinstance(item, Check)]
        if bad:
            raise TypeError(f"expected Check objects, got {', '.join(sorted(set(bad)))}")
        return items
    raise TypeError(f"expected a Check, an iterable of Check or a factory, got {type(obj)}")


def _accept(source: str, obj: Any, taken: dict[str, Check], problems: list[str]) -> list[Check]:
    """Validate and tag checks from one source; ids already taken are refused."""
    accepted: list[Check] = []
    for check in _as_checks(obj):
        if check.id in taken:
            owner = taken[check.id].source
            problems.append(f"{source}: check id {check.id} is already provided by {owner}")
            continue
        tagged = check if check.source == source else Check(check.spec, check.judge, source)
        taken[check.id] = tagged
        accepted.append(tagged)
    return accepted


def load_registry(
    builtins: Sequence[Check] | None = None,
    *,
    include_plugins: bool = True,
    entry_points: Iterable[metadata.EntryPoint] | None = None,
) -> Registry:
    """Built-in checks plus, unless disabled, every ``prodready.checks`` plugin."""
    if builtins is None:
        from prodready.scan.checks import BUILTIN_CHECKS

        builtins = BUILTIN_CHECKS
    taken: dict[str, Check] = {}
    problems: list[str] = []
    checks = _accept("prodready", builtins, taken, problems)
    if problems:  # a duplicate among built-ins is a programming error
        raise ValueError("; ".join(problems))
    if include_plugins:
        points = (
            entry_points
            if entry_points is not None
            else metadata.entry_points(group=ENTRY_POINT_GROUP)
        )
        for point in sorted(points, key=lambda p: p.name):
            source = _source_name(point)
            try:
                checks.extend(_accept(source, point.load(), taken, problems))
            except Exception as exc:  # a broken plugin must not break the scan
                problems.append(
                    f"plugin {source} ({point.value}) failed to load: {type(exc).__name__}: {exc}"
                )
    return Registry(tuple(sorted(checks, key=catalogue_order)), tuple(problems))


def _source_name(point: metadata.EntryPoint) -> str:
    dist = getattr(point, "dist", None)
    name = getattr(dist, "name", None) if dist is not None else None
    return f"{name}:{point.name}" if name else point.name
