"""sec.no-hardcoded-secrets: distinct secrets counted, masked, test data excluded."""

from __future__ import annotations

from prodready.scan.checks.security import judge_no_hardcoded_secrets
from prodready.scan.facts.view import Facts, Thresholds
from prodready.scan.model import Outcome, Severity

KEY = "AKIAQ3EGQLTNWJ4PZ6XK"
STRIPE = "sk_live_51HqLyjWDarjtT1zdp7dcXXgAGtH3bqZ1Q8vP4mR9sT2uV6wY0aB3cD5eF7gH9"


def test_clean_code_passes() -> None:
    verdict = judge_no_hardcoded_secrets(
        Facts.from_files({"app.py": 'import os\nKEY = os.environ["AWS_ACCESS_KEY_ID"]\n'})
    )
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)


def test_distinct_secrets_lower_the_score_and_are_masked() -> None:
    files = {
        "app/settings.py": f'AWS_ACCESS_KEY_ID = "{KEY}"\nSTRIPE = "{STRIPE}"\n',
        "deploy/env.sh": f"export AWS_ACCESS_KEY_ID={KEY}\n",
    }
    verdict = judge_no_hardcoded_secrets(Facts.from_files(files))
    assert verdict.outcome is Outcome.FAIL
    assert verdict.score == 6.0  # two distinct secrets, score 0 at five
    assert verdict.summary.startswith("2 distinct secrets")
    assert sorted((f.path, f.line) for f in verdict.findings) == [
        ("app/settings.py", 1),
        ("app/settings.py", 2),
        ("deploy/env.sh", 1),
    ]
    assert all(f.severity in (Severity.CRITICAL, Severity.HIGH) for f in verdict.findings)
    rendered = repr(verdict)
    assert KEY not in rendered
    assert STRIPE not in rendered


def test_the_threshold_comes_from_the_policy() -> None:
    files = {"a.py": f'AWS_ACCESS_KEY_ID = "{KEY}"\n'}
    verdict = judge_no_hardcoded_secrets(
        Facts.from_files(files, params=Thresholds(secrets_zero_score=1))
    )
    assert verdict.score == 0.0


def test_test_fixtures_and_placeholders_are_not_secrets() -> None:
    files = {
        "tests/test_client.py": f'FAKE = "{KEY}"\n',
        "config.yaml": "password: changeme\ntoken: ${API_TOKEN}\n",
    }
    verdict = judge_no_hardcoded_secrets(Facts.from_files(files))
    assert verdict.outcome is Outcome.PASS
    assert any("not counted" in (e.detail or "") for e in verdict.evidence)
