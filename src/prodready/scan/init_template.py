"""``prodready init``: a commented policy to start from, written without clobbering.

With a ``pyproject.toml`` (and no ``--toml``), a ``[tool.prodready]`` section
is appended to it; otherwise a ``prodready.toml`` is created. Nothing is
written when settings already exist (a ``prodready.toml``, or a
``[tool.prodready]`` table), when the ``pyproject.toml`` is not valid TOML,
or when the result would not validate as a policy.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from prodready.scan.policy import PolicyError, load_policy_file

_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class InitError(Exception):
    """The policy cannot be written (it would overwrite or corrupt something)."""


def template(service: str, *, table: str) -> str:
    """The commented policy. ``table`` is ``"tool.prodready"`` for pyproject.toml
    or ``""`` for prodready.toml (top-level keys)."""
    head = f"[{table}]\n" if table else ""
    sub = f"{table}." if table else ""
    return f"""{head}# prodready policy: how this repository's services are judged.
# Reference: docs/scan.md#policy. Check ids: `prodready checks`; details: `prodready explain ID`.
service = "{service}"            # the service's name in reports and on the server
# owner = "team-payments"        # who is accountable (also satisfies doc.ownership)
# team = "payments"
# tier = 1                       # business criticality, 0 (most critical) to 5

# Paths (gitignore patterns) never scanned; .gitignore'd files are skipped already.
# exclude = ["legacy/**", "*.min.js"]

# Checks not run at all (prefer an exemption with a reason and an expiry).
# disable = ["obs.dashboards"]

# Files larger than this are skipped (bytes, or "2MiB", "500kB").
# max_file_size = "2MiB"

# Service folders, when automatic discovery (manifests, Dockerfiles) is wrong.
# services = ["services/orders", "services/billing"]

[{sub}weights.pillars]
# Pillar weights in the service score (default 1 each): cq test res obs doc sec ops live.
# sec = 2.0

[{sub}weights.checks]
# Check weights within their pillar (default: the check's own weight).
# "test.unit" = 2.0

[{sub}thresholds]
# coverage = 80.0              # test.coverage: minimum line coverage (percent)
# findings_per_kloc = 10.0     # cq.findings: findings per 1,000 lines that score 0
# max_complexity = 15          # cq.findings: cyclomatic complexity reported above this
# test_ratio_target = 0.5      # test.unit: test-to-code line ratio for full marks
# test_ratio_min = 0.1         # test.unit: ratio below which it fails
# secrets_zero_score = 5       # sec.no-hardcoded-secrets: distinct secrets that score 0
# result_max_age_days = 90     # test.load, live.*: recorded results older than this are stale

# Exemptions: an accepted deviation needs a reason; after `expires` it stops applying
# and is reported. `paths` limits it to some files (the check does not see them).
# [[{sub}exemptions]]
# check = "res.timeouts"
# reason = "legacy client, replaced in Q3 (JIRA-123)"
# expires = 2027-06-30
# paths = ["legacy/**"]
"""


def _service_name(root: Path) -> str:
    name = _NAME.sub("-", root.resolve().name).strip("-")
    return name or "my-service"


def write_init(root: Path, *, standalone: bool = False, dry_run: bool = False) -> tuple[Path, str]:
    """Write (or, with ``dry_run``, only build) the policy. Returns (file, text added)."""
    if not root.is_dir():
        raise InitError(f"{root}: not a directory")
    for name in ("prodready.toml", ".prodready.toml"):
        if (root / name).exists():
            raise InitError(f"{root / name} already exists; edit it instead")
    pyproject = root / "pyproject.toml"
    service = _service_name(root)
    if pyproject.is_file() and not standalone:
        return _append_to_pyproject(pyproject, service, dry_run)
    target = root / "prodready.toml"
    text = template(service, table="")
    _validate(text, target)
    if not dry_run:
        with target.open("x", encoding="utf-8") as handle:  # "x": never clobber
            handle.write(text)
    return target, text


def _append_to_pyproject(pyproject: Path, service: str, dry_run: bool) -> tuple[Path, str]:
    try:
        current = pyproject.read_text(encoding="utf-8")
        document = tomllib.loads(current)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InitError(f"{pyproject}: cannot read it as TOML ({exc}); nothing written") from None
    tool = document.get("tool")
    if isinstance(tool, dict) and "prodready" in tool:
        raise InitError(f"{pyproject} already has a [tool.prodready] section; edit it instead")
    project = document.get("project")
    if isinstance(project, dict) and isinstance(project.get("name"), str):
        service = _NAME.sub("-", project["name"]).strip("-") or service
    addition = template(service, table="tool.prodready")
    separator = (
        ""
        if current.endswith("\n\n") or not current
        else "\n"
        if current.endswith("\n")
        else "\n\n"
    )
    combined = current + separator + addition
    _validate(combined, pyproject)
    if not dry_run:
        with pyproject.open("a", encoding="utf-8") as handle:
            handle.write(separator + addition)
    return pyproject, addition


def _validate(text: str, target: Path) -> None:
    """The written file must parse and be a valid policy, or nothing is written."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / target.name
        probe.write_text(text, encoding="utf-8")
        try:
            load_policy_file(probe, target.name)
        except PolicyError as exc:  # pragma: no cover - the template is tested to be valid
            raise InitError(f"internal error: the template does not validate ({exc})") from None
