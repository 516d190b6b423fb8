"""Security checks (pillar ``sec``)."""

from __future__ import annotations

from prodready.scan.checks.base import Check, CheckSpec, Example, Verdict, evidence, finding
from prodready.scan.facts.secrets import SecretFacts, secret_facts
from prodready.scan.facts.view import Facts
from prodready.scan.model import Level, Severity

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


def judge_no_hardcoded_secrets(facts: Facts) -> Verdict:
    found: SecretFacts = facts.derived("secrets", secret_facts)
    excluded = ", ".join(f"{n} in {reason}" for reason, n in found.excluded_counts.items())
    seen = [evidence(".", f"{found.scanned_files} files scanned for credentials")]
    if excluded:
        seen.append(evidence(".", f"not counted (test data, docs, examples...): {excluded}"))
    if found.count == 0:
        return Verdict.passed(
            f"no hard-coded credentials in {found.scanned_files} files", evidence=seen
        )
    findings = []
    for secret in found.secrets:
        places = len(secret.locations)
        also = f" (same value in {places} places)" if places > 1 else ""
        for location in secret.locations:
            findings.append(
                finding(
                    f"{secret.kind} {secret.masked}{also}: rotate it and read it from the "
                    "environment or a secret manager",
                    location.path,
                    location.line,
                    severity=Severity.CRITICAL if secret.confidence == "high" else Severity.HIGH,
                    snippet=location.snippet or None,
                )
            )
    zero = facts.params.secrets_zero_score
    score = round(max(0.0, 10.0 * (1 - found.count / zero)), 1)
    noun = "secret" if found.count == 1 else "distinct secrets"
    return Verdict.failed(
        f"{found.count} {noun} hard-coded (score 0 at {zero})",
        score=score,
        findings=findings,
        evidence=seen,
    )


CHECKS: tuple[Check, ...] = (Check(NO_HARDCODED_SECRETS, judge_no_hardcoded_secrets),)
