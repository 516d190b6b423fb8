"""The scan result: the public JSON contract between the scanner, the server
and every integration.

Everything a scan produces is described here and nowhere else. The server
stores these documents, CI systems archive them, dashboards read them, so the
shape is versioned (``SCHEMA_VERSION``) and published as JSON Schema
(``prodready schema``). Adding an optional field is a minor version; removing
or changing the meaning of one is a major version and needs an ADR.

Shape::

    ScanResult
      tool, repository, started_at, finished_at, duration_seconds
      score, level, next_level, blockers      (the repository as a whole)
      pillars[]                               (repository-level pillar scores)
      services[] -> ServiceResult
                      name, path, owner, team, tier, score, level, next_level,
                      blockers, top_fixes[], pillars[], checks[] -> CheckResult
                                                                    findings[]
                                                                    evidence[]
      warnings[]                              (files skipped, config problems)
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"
"""Major.minor of the result document. Consumers accept any minor of a major."""


class Pillar(StrEnum):
    """The prefix of a check id names its pillar."""

    CODE_QUALITY = "cq"
    TESTING = "test"
    RESILIENCE = "res"
    OBSERVABILITY = "obs"
    DOCUMENTATION = "doc"
    SECURITY = "sec"
    OPERATIONS = "ops"
    LIVE = "live"

    @property
    def label(self) -> str:
        """Human title, e.g. "Code quality" (``str.title`` is taken)."""
        return _PILLAR_TITLES[self]


_PILLAR_TITLES = {
    Pillar.CODE_QUALITY: "Code quality",
    Pillar.TESTING: "Testing",
    Pillar.RESILIENCE: "Resilience",
    Pillar.OBSERVABILITY: "Observability",
    Pillar.DOCUMENTATION: "Documentation",
    Pillar.SECURITY: "Security",
    Pillar.OPERATIONS: "Delivery and operations",
    Pillar.LIVE: "Proven live",
}


class Level(StrEnum):
    """Maturity levels, lowest first. A service reaches a level when every
    applicable check at that level and below passes or is exempt."""

    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"

    @property
    def rank(self) -> int:
        return list(Level).index(self) + 1


class Outcome(StrEnum):
    """The closed set of check outcomes."""

    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"
    EXEMPT = "exempt"


class Severity(StrEnum):
    """How much a single finding matters; SARIF maps these to note/warning/error."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


Score10 = Annotated[float, Field(ge=0, le=10)]
Score100 = Annotated[float, Field(ge=0, le=100)]


class Finding(_Model):
    """One concrete problem, located as precisely as the analysis allows.

    ``path`` is relative to the repository root, with forward slashes.
    ``snippet`` is the offending source line(s); secrets are masked before
    they get here.
    """

    message: str
    path: str | None = None
    line: Annotated[int, Field(ge=1)] | None = None
    end_line: Annotated[int, Field(ge=1)] | None = None
    severity: Severity = Severity.MEDIUM
    snippet: str | None = None


class Evidence(_Model):
    """Something the check saw that supports its outcome (a passing check has
    evidence, a failing one has findings)."""

    path: str
    line: Annotated[int, Field(ge=1)] | None = None
    detail: str | None = None


class Exemption(_Model):
    """An accepted, time-boxed deviation from a check, from the policy file."""

    check: str
    reason: str
    expires: str | None = None
    paths: list[str] = Field(default_factory=list)
    expired: bool = False


class CheckResult(_Model):
    """The judgement of one check on one service."""

    id: str
    pillar: Pillar
    level: Level
    title: str
    outcome: Outcome
    score: Score10 | None = None
    weight: Annotated[float, Field(ge=0)] = 1.0
    summary: str = ""
    how_to_fix: str = ""
    findings: list[Finding] = Field(default_factory=list)
    findings_total: Annotated[int, Field(ge=0)] = 0
    evidence: list[Evidence] = Field(default_factory=list)
    error: str | None = None
    exemption: Exemption | None = None


class PillarScore(_Model):
    pillar: Pillar
    title: str
    score: Score100 | None = None
    weight: Annotated[float, Field(ge=0)] = 1.0
    passed: Annotated[int, Field(ge=0)] = 0
    failed: Annotated[int, Field(ge=0)] = 0
    applicable: Annotated[int, Field(ge=0)] = 0


class Fix(_Model):
    """A suggested next step: fixing ``check`` would raise the score by ``gain``."""

    check: str
    title: str
    gain: Annotated[float, Field(ge=0)]
    how_to_fix: str = ""


class ServiceResult(_Model):
    """One scored unit: a service folder, or the whole repository."""

    name: str
    path: str = "."
    owner: str | None = None
    team: str | None = None
    tier: int | None = None
    languages: list[str] = Field(default_factory=list)
    score: Score100 | None = None
    level: Level | None = None
    next_level: Level | None = None
    blockers: list[str] = Field(default_factory=list)
    top_fixes: list[Fix] = Field(default_factory=list)
    pillars: list[PillarScore] = Field(default_factory=list)
    checks: list[CheckResult] = Field(default_factory=list)


class Tool(_Model):
    name: str = "prodready"
    version: str


class Repository(_Model):
    root: str
    commit: str | None = None
    branch: str | None = None
    remote: str | None = None
    files_scanned: Annotated[int, Field(ge=0)] = 0
    files_skipped: Annotated[int, Field(ge=0)] = 0


class ScanWarning(_Model):
    """A problem with the input that did not stop the scan (a file skipped,
    a config value ignored). Located when possible."""

    message: str
    path: str | None = None
    line: Annotated[int, Field(ge=1)] | None = None
    code: str = "warning"


class ScanResult(_Model):
    """The whole document, as emitted by ``prodready scan --format json``."""

    schema_version: str = SCHEMA_VERSION
    tool: Tool
    repository: Repository
    started_at: datetime
    finished_at: datetime
    duration_seconds: Annotated[float, Field(ge=0)]
    score: Score100 | None = None
    level: Level | None = None
    next_level: Level | None = None
    blockers: list[str] = Field(default_factory=list)
    pillars: list[PillarScore] = Field(default_factory=list)
    services: list[ServiceResult] = Field(min_length=1)
    warnings: list[ScanWarning] = Field(default_factory=list)
    policy: dict[str, Any] = Field(default_factory=dict)


def scan_result_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``ScanResult``, as published by ``prodready schema``."""
    schema = ScanResult.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://prodready.dev/schema/scan-result/{SCHEMA_VERSION}.json"
    return schema
