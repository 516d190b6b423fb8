"""The policy: how a team wants its services judged, from ``[tool.prodready]``
in ``pyproject.toml`` or a ``prodready.toml``.

It holds everything that is a *choice* rather than a fact: service metadata
(name, owner, team, tier), pillar and check weights, thresholds checks judge
against, disabled checks, path excludes and exemptions. Checks never read it
directly; the engine applies it (weights, exemptions, selection) and hands
thresholds to checks through ``Facts.params``.

Exemptions are time-boxed, accountable deviations: each needs a ``reason``;
``expires`` (a date) makes it stop applying on that day, and an expired
exemption is reported so it is renewed or removed deliberately. ``paths``
narrows an exemption to some files: the check then runs without seeing them.

Invalid configuration is a ``PolicyError`` naming the file, the key and what
was expected; the CLI turns it into exit code 2.

Lookup order (first found wins): ``--config FILE``; ``prodready.toml`` or
``.prodready.toml`` in the root; ``[tool.prodready]`` in ``pyproject.toml``.
A service folder may hold its own file with the same keys; its values
override the root's for that service (lists are combined).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from prodready.scan.facts.files import DEFAULT_MAX_FILE_SIZE
from prodready.scan.facts.view import Thresholds
from prodready.scan.model import Exemption, Pillar

POLICY_FILES = ("prodready.toml", ".prodready.toml")
MAX_POLICY_FILE = 1024 * 1024
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "ki": 1024}
_UNITS |= {"m": 1000**2, "mb": 1000**2, "mib": 1024**2, "mi": 1024**2}
_UNITS |= {"g": 1000**3, "gb": 1000**3, "gib": 1024**3, "gi": 1024**3}

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class PolicyError(Exception):
    """Invalid configuration: which file, which key, what was expected."""

    def __init__(self, file: str, key: str, expected: str) -> None:
        self.file = file
        self.key = key
        self.expected = expected
        super().__init__(f"{file}: {key}: {expected}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _ExemptionConfig(_Strict):
    check: NonEmpty
    reason: NonEmpty = Field(description="why the deviation is accepted (required)")
    expires: date | None = None
    paths: list[NonEmpty] = Field(default_factory=list)


class _WeightsConfig(_Strict):
    pillars: dict[Pillar, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
    checks: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)


class _ThresholdsConfig(_Strict):
    coverage: Annotated[float, Field(ge=0, le=100)] | None = None
    findings_per_kloc: Annotated[float, Field(gt=0)] | None = None
    max_complexity: Annotated[int, Field(ge=1)] | None = None
    test_ratio_target: Annotated[float, Field(gt=0)] | None = None
    test_ratio_min: Annotated[float, Field(ge=0)] | None = None
    secrets_zero_score: Annotated[int, Field(ge=1)] | None = None
    result_max_age_days: Annotated[int, Field(ge=1)] | None = None


class _PolicyConfig(_Strict):
    service: NonEmpty | None = None
    owner: NonEmpty | None = None
    team: NonEmpty | None = None
    tier: Annotated[int, Field(ge=0, le=5)] | None = None
    services: list[NonEmpty] | None = None
    exclude: list[NonEmpty] = Field(default_factory=list)
    disable: list[NonEmpty] = Field(default_factory=list)
    max_file_size: int | str | None = None
    weights: _WeightsConfig = Field(default_factory=_WeightsConfig)
    thresholds: _ThresholdsConfig = Field(default_factory=_ThresholdsConfig)
    exemptions: list[_ExemptionConfig] = Field(default_factory=list)

    @field_validator("max_file_size")
    @classmethod
    def _size(cls, value: int | str | None) -> int | str | None:
        if value is None:
            return None
        parse_size(value)
        return value


def parse_size(value: int | str) -> int:
    """``2097152``, ``"2MiB"``, ``"500 kB"`` -> bytes."""
    if isinstance(value, bool):
        raise ValueError("expected a size such as 2097152 or '2MiB'")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError("expected a positive size")
        return value
    match = _SIZE.match(value)
    if not match:
        raise ValueError(f"expected a size such as 2097152 or '2MiB', got {value!r}")
    unit = (match.group(2) or "").lower()
    size = int(float(match.group(1)) * _UNITS[unit])
    if size <= 0:
        raise ValueError("expected a positive size")
    return size


@dataclass(frozen=True, slots=True)
class ExemptionRule:
    check: str
    reason: str
    expires: date | None = None
    paths: tuple[str, ...] = ()
    source: str = ""

    def expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today

    def as_model(self, today: date) -> Exemption:
        return Exemption(
            check=self.check,
            reason=self.reason,
            expires=self.expires.isoformat() if self.expires else None,
            paths=list(self.paths),
            expired=self.expired(today),
        )


@dataclass(frozen=True, slots=True)
class Policy:
    """A validated policy. ``Policy()`` is the default (no file)."""

    source: str | None = None
    service: str | None = None
    owner: str | None = None
    team: str | None = None
    tier: int | None = None
    services: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    disable: frozenset[str] = frozenset()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    pillar_weights: dict[Pillar, float] = field(default_factory=dict)
    check_weights: dict[str, float] = field(default_factory=dict)
    thresholds: Thresholds = field(default_factory=Thresholds)
    threshold_overrides: dict[str, Any] = field(default_factory=dict)
    """The thresholds this file set explicitly (a service file overrides only these)."""
    exemptions: tuple[ExemptionRule, ...] = ()

    def pillar_weight(self, pillar: Pillar) -> float:
        return self.pillar_weights.get(pillar, 1.0)

    def check_weight(self, check_id: str, default: float) -> float:
        return self.check_weights.get(check_id, default)

    def exemption_for(self, check_id: str) -> ExemptionRule | None:
        for rule in self.exemptions:
            if rule.check == check_id:
                return rule
        return None

    def summary(self) -> dict[str, Any]:
        """What the scan result records under ``policy`` (JSON-ready)."""
        return {
            "source": self.source,
            "disabled": sorted(self.disable),
            "exclude": list(self.exclude),
            "pillar_weights": {p.value: w for p, w in sorted(self.pillar_weights.items())},
            "check_weights": dict(sorted(self.check_weights.items())),
            "thresholds": {
                name: getattr(self.thresholds, name) for name in Thresholds.__dataclass_fields__
            },
            "max_file_size": self.max_file_size,
        }

    def for_service(self, override: Policy | None, service_prefix: str) -> Policy:
        """This (root) policy with a service folder's own file applied."""
        if override is None:
            return self
        prefixed = tuple(
            replace(rule, paths=tuple(service_prefix + p for p in rule.paths))
            for rule in override.exemptions
        )
        return replace(
            self,
            source=override.source or self.source,
            service=override.service,
            owner=override.owner or self.owner,
            team=override.team or self.team,
            tier=override.tier if override.tier is not None else self.tier,
            disable=self.disable | override.disable,
            pillar_weights={**self.pillar_weights, **override.pillar_weights},
            check_weights={**self.check_weights, **override.check_weights},
            thresholds=replace(self.thresholds, **override.threshold_overrides),
            threshold_overrides={**self.threshold_overrides, **override.threshold_overrides},
            exemptions=prefixed + self.exemptions,
            exclude=self.exclude + tuple(service_prefix + p for p in override.exclude),
        )


def find_policy_file(folder: Path, *, within: Path | None = None) -> Path | None:
    """The policy file that applies to ``folder`` when none is given.

    A file that is (or links to) something outside ``within`` (default: the
    folder itself) is ignored: a scanned repository cannot make us read
    ``/etc/...`` through a symlinked ``prodready.toml``. A ``pyproject.toml``
    counts only when it has a ``[tool.prodready]`` table (a broken one is the
    scan's business, reported as a warning, not a configuration error).
    """
    boundary = (within or folder).resolve()
    for name in POLICY_FILES:
        candidate = folder / name
        if candidate.is_file() and _contained(candidate, boundary):
            return candidate
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file() and _contained(pyproject, boundary):
        table = _read_table(pyproject, _display(pyproject, boundary), quiet=True)
        if table is not None:
            return pyproject
    return None


def _contained(path: Path, boundary: Path) -> bool:
    try:
        path.resolve().relative_to(boundary)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def load_policy(
    root: Path,
    config: Path | None = None,
    *,
    known_checks: Collection[str] = (),
) -> Policy:
    """The root policy: from ``config`` when given, else found in ``root``."""
    if config is not None:
        if not config.is_file():
            raise PolicyError(str(config), "--config", "an existing TOML file")
        path: Path | None = config
    else:
        path = find_policy_file(root)
    if path is None:
        return Policy()
    return load_policy_file(path, _display(path, root), known_checks=known_checks)


def load_policy_file(path: Path, display: str, *, known_checks: Collection[str] = ()) -> Policy:
    table = _read_table(path, display)
    if table is None:
        return Policy(source=display)
    prefix = "tool.prodready." if path.name == "pyproject.toml" else ""
    try:
        config = _PolicyConfig.model_validate(table)
    except ValidationError as exc:
        raise _policy_error(display, prefix, exc) from None
    policy = _to_policy(config, display, prefix)
    if known_checks:
        _check_ids(policy, display, prefix, known_checks)
    return policy


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _read_table(path: Path, display: str, *, quiet: bool = False) -> dict[str, Any] | None:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_POLICY_FILE + 1)
    except OSError as exc:
        if quiet:
            return None
        raise PolicyError(display, "(file)", f"a readable file ({exc.strerror})") from None
    if len(data) > MAX_POLICY_FILE:
        if quiet:
            return None
        raise PolicyError(display, "(file)", f"a policy file under {MAX_POLICY_FILE:,} bytes")
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        if quiet:
            return None
        raise PolicyError(display, "(file)", f"valid TOML ({exc})") from None
    if path.name == "pyproject.toml":
        tool = document.get("tool")
        table = tool.get("prodready") if isinstance(tool, dict) else None
        if table is None:
            return None
        if not isinstance(table, dict):
            raise PolicyError(display, "tool.prodready", "a table ([tool.prodready])")
        return table
    # prodready.toml holds the keys at top level; a [tool.prodready] table is accepted too.
    tool = document.get("tool")
    nested = tool.get("prodready") if isinstance(tool, dict) else None
    return nested if isinstance(nested, dict) else document


def _policy_error(display: str, prefix: str, exc: ValidationError) -> PolicyError:
    messages = []
    first_key = ""
    for error in exc.errors():
        key = prefix + _key(error["loc"])
        first_key = first_key or key
        messages.append((key, _expected(error)))
    if len(messages) == 1:
        return PolicyError(display, *messages[0])
    detail = "; ".join(f"{key}: {expected}" for key, expected in messages[1:])
    return PolicyError(display, messages[0][0], f"{messages[0][1]} (also {detail})")


def _key(loc: Iterable[int | str]) -> str:
    key = ""
    for part in loc:
        if part == "[key]":  # pydantic marks a bad dict key this way; the key path says it
            continue
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += ("." if key else "") + str(part)
    return key or "(top level)"


def _expected(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "not a known key (see `prodready init` for the documented keys)"
    if kind == "missing":
        return "a value is required"
    if kind == "string_too_short":
        return "a non-empty string"
    given = error.get("input")
    shown = repr(given) if isinstance(given, str | int | float | bool) else type(given).__name__
    return f"{error['msg'].rstrip('.')}, got {shown}"


def _to_policy(config: _PolicyConfig, source: str, prefix: str = "") -> Policy:
    overrides = {k: v for k, v in config.thresholds.model_dump().items() if v is not None}
    thresholds = replace(Thresholds(), **overrides)
    if thresholds.test_ratio_min > thresholds.test_ratio_target:
        raise PolicyError(
            source,
            f"{prefix}thresholds.test_ratio_min",
            "a value not above thresholds.test_ratio_target",
        )
    return Policy(
        source=source,
        service=config.service,
        owner=config.owner,
        team=config.team,
        tier=config.tier,
        services=tuple(config.services) if config.services is not None else None,
        exclude=tuple(config.exclude),
        disable=frozenset(config.disable),
        max_file_size=(
            parse_size(config.max_file_size)
            if config.max_file_size is not None
            else DEFAULT_MAX_FILE_SIZE
        ),
        pillar_weights=dict(config.weights.pillars),
        check_weights=dict(config.weights.checks),
        thresholds=thresholds,
        threshold_overrides=overrides,
        exemptions=tuple(
            ExemptionRule(e.check, e.reason, e.expires, tuple(e.paths), source)
            for e in config.exemptions
        ),
    )


def _check_ids(policy: Policy, source: str, prefix: str, known: Collection[str]) -> None:
    def verify(check_id: str, key: str) -> None:
        if check_id not in known:
            close = difflib.get_close_matches(check_id, list(known), n=1)
            hint = f" (did you mean {close[0]}?)" if close else " (see `prodready checks`)"
            raise PolicyError(source, prefix + key, f"a known check id, got {check_id!r}{hint}")

    for check_id in sorted(policy.disable):
        verify(check_id, "disable")
    for check_id in policy.check_weights:
        verify(check_id, f"weights.checks.{check_id}")
    for index, rule in enumerate(policy.exemptions):
        verify(rule.check, f"exemptions[{index}].check")
