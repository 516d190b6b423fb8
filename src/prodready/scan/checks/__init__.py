"""The check catalogue: every check's metadata and judge, one module per pillar family.

``BUILTIN_CHECKS`` is the one explicit list of built-in checks; the registry
(``load_registry``) adds plugins from the ``prodready.checks`` entry point
through the same interface. To add a check to a family, define its
``CheckSpec`` and judge in the family module and add it to that module's
``CHECKS``; nothing registers itself by being imported.
"""

from prodready.scan.checks import (
    code_quality,
    docs,
    live,
    observability,
    ops,
    resilience,
    security,
    testing,
)
from prodready.scan.checks.base import (
    CHECK_ID,
    Check,
    CheckSpec,
    Example,
    Judge,
    Lifecycle,
    Verdict,
    evidence,
    finding,
)
from prodready.scan.checks.registry import ENTRY_POINT_GROUP, Registry, load_registry

BUILTIN_CHECKS: tuple[Check, ...] = (
    *docs.CHECKS,
    *ops.CHECKS,
    *testing.CHECKS,
    *code_quality.CHECKS,
    *security.CHECKS,
    *resilience.CHECKS,
    *observability.CHECKS,
    *live.CHECKS,
)

__all__ = [
    "BUILTIN_CHECKS",
    "CHECK_ID",
    "ENTRY_POINT_GROUP",
    "Check",
    "CheckSpec",
    "Example",
    "Judge",
    "Lifecycle",
    "Registry",
    "Verdict",
    "evidence",
    "finding",
    "load_registry",
]
