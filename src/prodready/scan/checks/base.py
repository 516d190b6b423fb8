"""What a check is: metadata as data (``CheckSpec``) beside a pure function
(``Judge``: ``Facts -> Verdict``).

A check never reads the disk, never runs anything, keeps no state: it looks
at ``Facts`` and says what it saw. Scoring (weights, levels) is not its
business; the policy and ``scoring`` do that. Its verdict carries

- an outcome: pass, fail or not applicable (error and exempt are decided by
  the engine, never by a check);
- a score 0-10 (None when not applicable);
- findings (what is wrong, with file:line) and evidence (what was seen that
  supports the outcome), plus a one-line summary.

A ``Check`` whose ``judge`` is None is *planned*: its metadata is published
(``prodready checks`` / ``explain`` / docs) but it is never run, never scored
and never shown as passing; levels that include it cannot be reached yet.

Third-party checks are the same ``Check`` objects, published through the
``prodready.checks`` entry point (see ``registry``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from prodready.scan.facts.view import Facts
from prodready.scan.model import Evidence, Finding, Level, Outcome, Pillar, Severity

CHECK_ID = re.compile(r"^(?P<pillar>[a-z]+)\.(?P<name>[a-z0-9]+(?:-[a-z0-9]+)*)$")


class Lifecycle(StrEnum):
    """How settled a check is. Experimental checks may change their judging;
    deprecated ones are kept (ids are a public contract) but will go away."""

    EXPERIMENTAL = "experimental"
    STABLE = "stable"
    DEPRECATED = "deprecated"


@dataclass(frozen=True, slots=True)
class Example:
    """A short illustration for ``prodready explain`` and the docs."""

    title: str
    body: str
    passes: bool = True
    language: str = ""


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """Everything about a check except how it judges."""

    id: str
    level: Level
    title: str
    why: str
    how_to_fix: str
    references: tuple[str, ...] = ()
    lifecycle: Lifecycle = Lifecycle.STABLE
    weight: float = 1.0
    examples: tuple[Example, ...] = ()
    passes_when: str = ""
    """One sentence: the condition for a pass (the CHECKLIST.md row)."""

    def __post_init__(self) -> None:
        # Plugins may pass plain strings ("gold", "stable"); coerce or refuse here,
        # at registration, rather than fail later in sorting or scoring.
        object.__setattr__(self, "level", Level(self.level))
        object.__setattr__(self, "lifecycle", Lifecycle(self.lifecycle))
        object.__setattr__(self, "references", tuple(self.references))
        object.__setattr__(self, "examples", tuple(self.examples))
        match = CHECK_ID.match(str(self.id))
        if not match:
            raise ValueError(f"check id {self.id!r} is not '<pillar>.<name>' in lower-kebab-case")
        try:
            Pillar(match.group("pillar"))
        except ValueError:
            known = ", ".join(p.value for p in Pillar)
            raise ValueError(f"check id {self.id!r}: unknown pillar (one of {known})") from None
        if self.weight < 0:
            raise ValueError(f"check {self.id}: weight must be >= 0")
        for name in ("title", "why", "how_to_fix"):
            if not getattr(self, name).strip():
                raise ValueError(f"check {self.id}: {name} must not be empty")

    @property
    def pillar(self) -> Pillar:
        return Pillar(self.id.split(".", 1)[0])


@dataclass(frozen=True, slots=True)
class Verdict:
    """A check's judgement. Build one with ``passed``, ``failed`` or
    ``not_applicable``; the constructor validates the combination."""

    outcome: Outcome
    score: float | None
    summary: str
    findings: tuple[Finding, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    def __post_init__(self) -> None:
        if self.outcome not in (Outcome.PASS, Outcome.FAIL, Outcome.NOT_APPLICABLE):
            raise ValueError("a check returns pass, fail or not_applicable; the engine decides")
        if self.outcome is Outcome.NOT_APPLICABLE:
            if self.score is not None:
                raise ValueError("a not-applicable verdict has no score")
        elif self.score is None or not 0 <= self.score <= 10:
            raise ValueError(f"a {self.outcome.value} verdict needs a score in 0..10")

    @classmethod
    def passed(
        cls,
        summary: str,
        *,
        score: float = 10.0,
        evidence: Iterable[Evidence] = (),
        findings: Iterable[Finding] = (),
    ) -> Verdict:
        return cls(Outcome.PASS, score, summary, tuple(findings), tuple(evidence))

    @classmethod
    def failed(
        cls,
        summary: str,
        *,
        score: float = 0.0,
        findings: Iterable[Finding] = (),
        evidence: Iterable[Evidence] = (),
    ) -> Verdict:
        return cls(Outcome.FAIL, score, summary, tuple(findings), tuple(evidence))

    @classmethod
    def not_applicable(cls, summary: str, *, evidence: Iterable[Evidence] = ()) -> Verdict:
        return cls(Outcome.NOT_APPLICABLE, None, summary, (), tuple(evidence))


Judge = Callable[[Facts], Verdict]


@dataclass(frozen=True, slots=True)
class Check:
    """A check: its metadata and, when implemented, its judge."""

    spec: CheckSpec
    judge: Judge | None = field(default=None, compare=False)
    source: str = "prodready"
    """Who provides it: ``prodready`` for built-ins, the distribution name for plugins."""

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def implemented(self) -> bool:
        return self.judge is not None


def finding(
    message: str,
    path: str | None = None,
    line: int | None = None,
    *,
    severity: Severity = Severity.MEDIUM,
    end_line: int | None = None,
    snippet: str | None = None,
) -> Finding:
    """Shorthand for a located ``Finding``."""
    return Finding(
        message=message,
        path=path,
        line=line if line and line > 0 else None,
        end_line=end_line if end_line and end_line > 0 else None,
        severity=severity,
        snippet=snippet,
    )


def evidence(path: str, detail: str | None = None, line: int | None = None) -> Evidence:
    """Shorthand for ``Evidence``."""
    return Evidence(path=path, line=line if line and line > 0 else None, detail=detail)
