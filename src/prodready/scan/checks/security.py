"""Security checks (pillar ``sec``)."""

from __future__ import annotations

from prodready.scan.checks.base import Check, CheckSpec, Example
from prodready.scan.model import Level

NO_HARDCODED_SECRETS = CheckSpec(
    id="sec.no-hardcoded-secrets",
    level=Level.BRONZE,
    title="No hard-coded credentials",
    passes_when=(
        "no real-looking credential in first-party code or config (score falls per "
        "distinct secret; a value repeated in several files is one secret; placeholders, "
        "obvious defaults such as `changeme`/`secret`/`guest`, env interpolation, test "
        "fixtures and docs examples are not secrets)"
    ),
    why=(
        "A credential committed to a repository is leaked: to every clone, fork, CI log "
        "and backup, forever (git history keeps it after the line is deleted). Leaked "
        "cloud keys are exploited within minutes of being pushed to a public repository."
    ),
    how_to_fix=(
        "Remove the value, rotate the credential (it is compromised), and read it at "
        "runtime from the environment or a secret manager (Vault, AWS/GCP Secret Manager, "
        "Kubernetes Secrets via env). Add a pre-commit secret scanner (gitleaks, "
        "detect-secrets) so it does not happen again."
    ),
    references=(
        "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
        "https://12factor.net/config",
        "https://github.com/gitleaks/gitleaks",
    ),
    examples=(
        Example(
            "Read credentials from the environment",
            'import os\n\nDATABASE_URL = os.environ["DATABASE_URL"]\n',
            language="python",
        ),
        Example(
            "A hard-coded key (fails)",
            'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n',
            passes=False,
            language="python",
        ),
    ),
)

CHECKS: tuple[Check, ...] = (Check(NO_HARDCODED_SECRETS),)
