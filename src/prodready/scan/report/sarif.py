"""SARIF 2.1.0: the format code-scanning UIs (GitHub, GitLab, Azure DevOps) ingest.

One rule per check that ran (help = why it matters + how to fix), one
result per finding of a failing or erroring check, located when the finding
has a path. A finding seen by several services (a shared CI file) is
reported once. Scores and levels go in the run's property bag. Paths are
relative URIs against ``%SRCROOT%`` (the scanned root).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from prodready.scan.checks.base import CheckSpec
from prodready.scan.model import CheckResult, Finding, Level, Outcome, ScanResult, Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/prodready/prodready"

_LEVEL_BY_CHECK = {
    Level.BRONZE: "error",
    Level.SILVER: "warning",
    Level.GOLD: "warning",
    Level.PLATINUM: "note",
}
_LEVEL_BY_SEVERITY = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}


def render(result: ScanResult, specs: Mapping[str, CheckSpec] | None = None) -> str:
    return json.dumps(to_sarif(result, specs), indent=2, ensure_ascii=False) + "\n"


def _uri(path: str) -> str:
    return quote(path, safe="/")


def _rule(check: CheckResult, spec: CheckSpec | None) -> dict[str, Any]:
    why = spec.why if spec else check.title
    references = list(spec.references) if spec else []
    help_text = f"Why it matters: {why}\n\nHow to fix: {check.how_to_fix}"
    help_markdown = f"**Why it matters.** {why}\n\n**How to fix.** {check.how_to_fix}"
    if references:
        help_text += "\n\nReferences:\n" + "\n".join(f"- {r}" for r in references)
        help_markdown += "\n\n**References**\n\n" + "\n".join(f"- <{r}>" for r in references)
    rule: dict[str, Any] = {
        "id": check.id,
        "name": "".join(part.capitalize() for part in check.id.replace(".", "-").split("-")),
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": why},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": _LEVEL_BY_CHECK[check.level]},
        "properties": {
            "tags": ["production-readiness", check.pillar.value, check.level.value],
            "pillar": check.pillar.value,
            "readinessLevel": check.level.value,
        },
    }
    if references:
        rule["helpUri"] = references[0]
    if check.pillar.value == "sec":
        rule["properties"]["tags"].append("security")
        rule["properties"]["security-severity"] = "8.0"
    return rule


def _result(
    check: CheckResult, rule_index: int, item: Finding | None, service: str
) -> dict[str, Any]:
    severity = item.severity if item is not None else Severity.MEDIUM
    message = item.message if item is not None else check.summary or check.title
    if check.outcome is Outcome.ERROR:
        message = f"the check could not run: {check.error}"
    text = f"{message} ({check.title})"
    result: dict[str, Any] = {
        "ruleId": check.id,
        "ruleIndex": rule_index,
        "level": "error" if check.outcome is Outcome.ERROR else _LEVEL_BY_SEVERITY[severity],
        "message": {"text": text},
        "properties": {"service": service, "checkScore": check.score},
    }
    if check.pillar.value == "sec":
        result["properties"]["security-severity"] = _SECURITY_SEVERITY[severity]
    if item is not None and item.path:
        region: dict[str, Any] = {}
        if item.line:
            region["startLine"] = item.line
            if item.end_line and item.end_line >= item.line:
                region["endLine"] = item.end_line
            if item.snippet:
                region["snippet"] = {"text": item.snippet}
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": _uri(item.path), "uriBaseId": "%SRCROOT%"}
        }
        if region:
            physical["region"] = region
        result["locations"] = [{"physicalLocation": physical}]
    return result


def to_sarif(result: ScanResult, specs: Mapping[str, CheckSpec] | None = None) -> dict[str, Any]:
    if specs is None:
        from prodready.scan.checks.registry import load_registry

        specs = {c.id: c.spec for c in load_registry(include_plugins=True)}
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    seen: set[tuple[str, str | None, int | None, str]] = set()
    for service in result.services:
        for check in service.checks:
            if check.id not in index:
                index[check.id] = len(rules)
                rules.append(_rule(check, specs.get(check.id)))
            if check.outcome not in (Outcome.FAIL, Outcome.ERROR):
                continue
            items: list[Finding | None] = list(check.findings) or [None]
            if check.outcome is Outcome.ERROR:
                items = [None]
            for item in items:
                key = (
                    check.id,
                    item.path if item else None,
                    item.line if item else None,
                    item.message if item else service.path,
                )
                if key in seen:
                    continue
                seen.add(key)
                results.append(_result(check, index[check.id], item, service.name))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": result.tool.name,
                "version": result.tool.version,
                "semanticVersion": result.tool.version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {
            "%SRCROOT%": {"uri": _root_uri(result.repository.root)},
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "startTimeUtc": _utc(result.started_at.isoformat()),
                "endTimeUtc": _utc(result.finished_at.isoformat()),
                "toolExecutionNotifications": [
                    {
                        "level": "warning",
                        "message": {"text": w.message},
                        "descriptor": {"id": w.code},
                        **(
                            {
                                "locations": [
                                    {
                                        "physicalLocation": {
                                            "artifactLocation": {
                                                "uri": _uri(w.path),
                                                "uriBaseId": "%SRCROOT%",
                                            }
                                        }
                                    }
                                ]
                            }
                            if w.path
                            else {}
                        ),
                    }
                    for w in result.warnings
                ],
            }
        ],
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "score": result.score,
            "level": result.level.value if result.level else None,
            "services": [
                {
                    "name": s.name,
                    "path": s.path,
                    "score": s.score,
                    "level": s.level.value if s.level else None,
                }
                for s in result.services
            ],
        },
    }
    if result.repository.remote:
        provenance: dict[str, Any] = {"repositoryUri": result.repository.remote}
        if result.repository.commit:
            provenance["revisionId"] = result.repository.commit
        if result.repository.branch:
            provenance["branch"] = result.repository.branch
        run["versionControlProvenance"] = [provenance]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _root_uri(root: str) -> str:
    path = root if root.endswith("/") else root + "/"
    return "file://" + quote(path if path.startswith("/") else "/" + path, safe="/:")


def _utc(iso: str) -> str:
    return iso.replace("+00:00", "Z")
