"""The readiness engine: collect facts, judge checks, score, report.

Public API (``from prodready.scan import scan, ScanOptions``)::

    result = scan(Path("."), ScanOptions(select=("doc", "test")))
    print(render(result, ReportFormat.MARKDOWN))

Names are imported lazily (PEP 562), so ``import prodready.scan.model`` (what
the server does) does not load the engine, the parsers and tree-sitter.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prodready.scan.checks import BUILTIN_CHECKS, Check, CheckSpec, Verdict, load_registry
    from prodready.scan.engine import ScanOptions, UsageError, scan
    from prodready.scan.facts import Facts
    from prodready.scan.model import ScanResult
    from prodready.scan.policy import Policy, PolicyError, load_policy
    from prodready.scan.report import ReportFormat, render

_EXPORTS = {
    "BUILTIN_CHECKS": "prodready.scan.checks",
    "Check": "prodready.scan.checks",
    "CheckSpec": "prodready.scan.checks",
    "Facts": "prodready.scan.facts",
    "Policy": "prodready.scan.policy",
    "PolicyError": "prodready.scan.policy",
    "ReportFormat": "prodready.scan.report",
    "ScanOptions": "prodready.scan.engine",
    "ScanResult": "prodready.scan.model",
    "UsageError": "prodready.scan.engine",
    "Verdict": "prodready.scan.checks",
    "load_policy": "prodready.scan.policy",
    "load_registry": "prodready.scan.checks",
    "render": "prodready.scan.report",
    "scan": "prodready.scan.engine",
}

__all__ = [
    "BUILTIN_CHECKS",
    "Check",
    "CheckSpec",
    "Facts",
    "Policy",
    "PolicyError",
    "ReportFormat",
    "ScanOptions",
    "ScanResult",
    "UsageError",
    "Verdict",
    "load_policy",
    "load_registry",
    "render",
    "scan",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'prodready.scan' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
