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


def test_a_bare_32_hex_token_is_a_secret_but_a_dashed_uuid_is_an_id() -> None:
    """``uuid4().hex`` and ``secrets.token_hex(16)`` are how many API keys look;
    a UUID written with its dashes is an identifier."""
    token = "3a9d81c07be24f5a96d0c4e1b7f2a85d"
    for path, text in (
        ("app/settings.py", f'API_TOKEN = "{token}"\n'),
        ("internal/client/client.go", f'package client\n\nconst apiToken = "{token}"\n'),
    ):
        verdict = judge_no_hardcoded_secrets(Facts.from_files({path: text}))
        assert verdict.outcome is Outcome.FAIL, path
        assert token not in repr(verdict)
    dashed = "3a9d81c0-7be2-4f5a-96d0-c4e1b7f2a85d"
    verdict = judge_no_hardcoded_secrets(
        Facts.from_files({"app/settings.py": f'TENANT_SECRET_ID = "{dashed}"\n'})
    )
    assert verdict.outcome is Outcome.PASS


def test_credentials_in_config_formats_are_found() -> None:
    files = {
        "config/prod.json": '{"api_key": "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"}\n',
        "k8s/secret.yaml": (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\n"
            'stringData:\n  password: "Rk39vLq7Zm2xPp8W"\n'
        ),
        "app/db.py": 'DSN = "postgresql://svc:Zx81Kd93ja@db.prod.internal:5432/orders"\n',
    }
    verdict = judge_no_hardcoded_secrets(Facts.from_files(files))
    assert verdict.outcome is Outcome.FAIL
    assert sorted(f.path for f in verdict.findings) == sorted(files)


def test_references_and_defaults_are_not_secrets() -> None:
    files = {
        "k8s/deploy.yaml": (
            "env:\n- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef: {name: db, key: password}\n"
        ),
        "chart/values.yaml": 'auth:\n  password: ""\n  existingSecret: db-creds\n',
        ".github/workflows/ci.yml": "env:\n  TOKEN: ${{ secrets.TOKEN }}\n",
        "docker-compose.yml": (
            "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: postgres\n"
        ),
        "internal/x/m.go": (
            'package x\n\ntype Creds struct {\n\tPassword string `json:"password"`\n}\n'
        ),
        "app/hashing.py": (
            'EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"\n'
        ),
    }
    verdict = judge_no_hardcoded_secrets(Facts.from_files(files))
    assert (verdict.outcome, verdict.findings) == (Outcome.PASS, ())
