"""Hard-coded secret detection (``scan_secrets`` / ``secret_facts``).

Fake credentials are assembled at run time from a seeded generator so this
file holds no string that looks like a real token (secret scanners, push
protection and prodready's own self-scan stay quiet)."""

from __future__ import annotations

import base64
import dataclasses
import random
import string

import pytest

from prodready.scan.facts.secrets import (
    SecretFacts,
    SecretFinding,
    fingerprint,
    mask,
    scan_secrets,
    secret_facts,
)
from prodready.scan.facts.source import InMemoryFiles

_RNG = random.Random(20240611)
ALNUM = string.ascii_letters + string.digits


def rand(n: int, alphabet: str = ALNUM) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


def token(prefix: str, n: int, alphabet: str = ALNUM) -> str:
    return prefix + rand(n, alphabet)


def kinds(path: str, text: str) -> list[tuple[int, str]]:
    return [(f.line, f.kind) for f in scan_secrets(path, text).findings]


def all_fields(finding: object) -> str:
    return repr(dataclasses.asdict(finding))  # type: ignore[call-overload]


# --------------------------------------------------------------------------- known formats

KNOWN = {
    "aws-access-key-id": token("AK" + "IA", 16, string.ascii_uppercase + string.digits),
    "github-token": token("gh" + "p_", 36),
    "gitlab-token": token("gl" + "pat-", 20),
    "slack-token": token("xo" + "xb-", 12, string.digits) + "-" + rand(24),
    "slack-webhook": "https://hooks.slack.com/services/T"
    + rand(8, string.ascii_uppercase)
    + "/B"
    + rand(8, string.ascii_uppercase)
    + "/"
    + rand(24),
    "stripe-live-key": token("sk" + "_live_", 24),
    "google-api-key": token("AI" + "za", 35),
    "twilio-api-key": token("S" + "K", 32, "0123456789abcdef"),
    "sendgrid-api-key": "S" + "G." + rand(22) + "." + rand(43),
    "npm-token": token("np" + "m_", 36),
}
AZURE_KEY = rand(86, ALNUM + "+/") + "=="


def test_azure_storage_connection_string() -> None:
    text = (
        '"DefaultEndpointsProtocol=https;AccountName=acme;'
        f'AccountKey={AZURE_KEY};EndpointSuffix=core.windows.net"\n'
    )
    (finding,) = scan_secrets("app/storage.py", f"CONN = {text}").findings
    assert finding.kind == "azure-storage-key"
    assert AZURE_KEY not in all_fields(finding)


@pytest.mark.parametrize(("kind", "value"), sorted(KNOWN.items()))
def test_known_formats_are_found_anywhere(kind: str, value: str) -> None:
    (finding,) = scan_secrets("app/config.py", f'NOTE = "{value}"\n').findings
    assert finding.kind == kind
    assert finding.confidence == "high"
    assert finding.fingerprint == fingerprint(value)
    assert value not in all_fields(finding)


def test_jwt_needs_a_json_header() -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
    payload = base64.urlsafe_b64encode(b'{"sub":"svc-42","scope":"admin"}').decode().rstrip("=")
    jwt = f"{header}.{payload}.{rand(43, ALNUM + '_-')}"
    assert kinds("auth.py", f'TOKEN_HEADER = "Bearer {jwt}"\n') == [(1, "jwt")]
    not_json = "eyJ" + rand(20) + ".eyJ" + rand(20) + "." + rand(30)
    assert kinds("x.txt", not_json) == []


def test_private_key_block() -> None:
    body = "\n".join(rand(64, ALNUM + "+/") for _ in range(10))
    pem = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n"
    (finding,) = scan_secrets("deploy/key.pem", pem).findings
    assert finding.kind == "private-key"
    assert finding.masked.startswith("-----BEGIN RSA PRIVATE KEY-----")
    for line in body.splitlines():
        assert line not in all_fields(finding)
    placeholder = "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"
    assert scan_secrets("docs.txt", placeholder).findings == ()


def test_aws_key_pair_is_one_secret() -> None:
    key_id = KNOWN["aws-access-key-id"]
    secret = rand(40, ALNUM + "+/")
    text = f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"
    (finding,) = scan_secrets("deploy/credentials", text).findings
    assert finding.kind == "aws-access-key-pair"
    assert key_id not in all_fields(finding)
    assert secret not in all_fields(finding)
    assert finding.fingerprint == fingerprint(secret)
    export = f'EXPORT_SECRET_KEY = "{secret}"\n'
    facts = secret_facts(InMemoryFiles({"deploy/credentials": text, "app/export.py": export}))
    (one,) = facts.secrets
    assert one.kind == "aws-access-key-pair"
    assert [loc.path for loc in one.locations] == ["app/export.py", "deploy/credentials"]


def test_documented_examples_are_placeholders() -> None:
    text = (
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
        "GITHUB_TOKEN=" + "gh" + "p_" + "x" * 36 + "\n"
        "STRIPE=" + "sk" + "_live_" + "0" * 24 + "\n"
    )
    result = scan_secrets("ops/.env", text)
    assert result.findings == ()
    assert result.placeholders >= 3


# --------------------------------------------------------------------------- assignments


REAL_PASSWORD = "Xk9#mP2vQ7rL"
REAL_TOKEN = rand(32)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("app/settings.py", f'DB_PASSWORD = "{REAL_PASSWORD}"\n'),
        (
            "app/settings.py",
            f"class S:\n    api_key: str = 'x'\n    self.password = '{REAL_PASSWORD}'\n",
        ),
        ("main.go", f'const dbPassword = "{REAL_PASSWORD}"\n'),
        ("main.go", f'password := "{REAL_PASSWORD}"\n'),
        ("src/db.js", f"const config = {{ password: '{REAL_PASSWORD}' }};\n"),
        ("src/Db.java", f'String password = "{REAL_PASSWORD}";\n'),
        ("config.yaml", f"database:\n  password: {REAL_PASSWORD}\n"),
        ("config.json", f'{{"db": {{"password": "{REAL_PASSWORD}"}}}}\n'),
        ("pyproject.toml", f'[tool.app]\npassword = "{REAL_PASSWORD}"\n'),
        ("app.ini", f"[db]\npassword={REAL_PASSWORD}\n"),
        ("application.properties", f"spring.datasource.password={REAL_PASSWORD}\n"),
        (".env", f"DB_PASSWORD={REAL_PASSWORD}\n"),
        ("deploy.sh", f"export DB_PASSWORD={REAL_PASSWORD}\n"),
        ("Dockerfile", f"FROM python:3.12\nENV DB_PASSWORD={REAL_PASSWORD}\n"),
        ("Dockerfile", f"FROM python:3.12\nENV DB_PASSWORD {REAL_PASSWORD}\n"),
    ],
)
def test_password_assignments_in_code_and_config(path: str, text: str) -> None:
    findings = scan_secrets(path, text).findings
    assert [f.kind for f in findings] == ["password"]
    assert findings[0].fingerprint == fingerprint(REAL_PASSWORD)
    assert REAL_PASSWORD not in all_fields(findings[0])


@pytest.mark.parametrize(
    "text",
    [
        f'API_KEY = "{REAL_TOKEN}"\n',
        f'client_secret = "{REAL_TOKEN}"\n',
        f'jwtSecret = "{REAL_TOKEN}"\n',
        f'AUTH_TOKEN = "{REAL_TOKEN}"\n',
        f'signing_key = "{REAL_TOKEN}"\n',
    ],
)
def test_token_assignments(text: str) -> None:
    assert [f.kind for f in scan_secrets("app/conf.py", text).findings] == ["secret"]


@pytest.mark.parametrize(
    "text",
    [
        'PASSWORD = "changeme"\n',
        'PASSWORD = "password"\n',
        'password = "Passw0rd!"\n',
        'RABBIT_PASSWORD = "guest"\n',
        'DB_PASSWORD = "hunter2"\n',
        'SECRET_KEY = "secret"\n',
        'SECRET_KEY = "django-insecure-7q!x0v$3kz@9lm^w2p&8rn#5bt"\n',
        'API_KEY = "your-api-key-here"\n',
        'API_KEY = "<api-key>"\n',
        'TOKEN = "xxxxxxxxxxxxxxxxxxxxxxxx"\n',
        'TOKEN = "aaaaaaaaaaaaaaaaaaaaaaaa"\n',
        'API_TOKEN = "dummy-token-for-local-dev"\n',
        'API_TOKEN = "test-0f3a9c2d7e1b"\n',
        'password = "${DB_PASSWORD}"\n',
        'password = "$(cat /run/secrets/db)"\n',
        'password: "{{ .Values.db.password }}"\n',
        'password = os.environ["DB_PASSWORD"]\n',
        "password = get_password()\n",
        'password = "/run/secrets/db_password"\n',
        'api_key = "123e4567-e89b-12d3-a456-426614174000"\n',
        'secretName = "db-credentials"\n',
        'TOKEN = "exampleToken1234567890"\n',
        'admin_password = "1234567890"\n',
        # entry points and import paths (Netflix/dispatch's pyproject.toml)
        'dispatch_basic_auth = "dispatch.plugins.dispatch_core.plugin:BasicAuthProviderPlugin"\n',
        'AUTH_BACKEND = "myapp.auth.backends.TokenBackend"\n',
        # words joined by colons name a key; mozilla/kitsune's settings
        'WIKI_REBUILD_TOKEN = "sumo:wiki:full-rebuild"\n',
    ],
)
def test_placeholders_and_references_are_not_secrets(text: str) -> None:
    assert scan_secrets("app/conf.py", text).findings == ()


@pytest.mark.parametrize(
    "text",
    [
        f'cache_key = "{REAL_TOKEN}"\n',
        f'primary_key = "{REAL_TOKEN}"\n',
        f'token_url = "{REAL_TOKEN}"\n',
        f'password_field = "{REAL_TOKEN}"\n',
        f'secret_name = "{REAL_TOKEN}"\n',
        f'token_type = "{REAL_TOKEN}"\n',
        f'TEST_PASSWORD = "{REAL_PASSWORD}"\n',
        f'sha = "{rand(40, "0123456789abcdef")}"\n',
    ],
)
def test_names_that_are_not_secret_ish(text: str) -> None:
    assert scan_secrets("app/conf.py", text).findings == ()


def test_code_needs_a_quoted_value_config_does_not() -> None:
    assert scan_secrets("app/x.py", "password = db_password_from_vault\n").findings == ()
    assert [f.kind for f in scan_secrets("app/.env", f"PASSWORD={REAL_PASSWORD}\n").findings] == [
        "password"
    ]


def test_short_token_values_need_entropy() -> None:
    assert scan_secrets("c.py", 'API_KEY = "abc123"\n').findings == ()
    assert scan_secrets("c.py", 'API_KEY = "deadbeefdeadbeefdeadbeef"\n').findings == ()


# --------------------------------------------------------------------------- connection strings


def test_connection_strings_with_passwords() -> None:
    text = (
        f'DSN = "postgres://app:{REAL_PASSWORD}@db.internal:5432/app"\n'
        'LOCAL = "postgres://postgres:postgres@localhost/db"\n'
        'TEMPLATE = "postgresql://app:${DB_PASSWORD}@db/app"\n'
        'SAME = "mysql://root:root@127.0.0.1/app"\n'
        'HTTP = "https://user:s3cr3t@example.com/path"\n'
        f'JDBC = "jdbc:mysql://svc:{REAL_PASSWORD}x@mysql:3306/db"\n'
    )
    findings = scan_secrets("app/db.py", text).findings
    assert [(f.line, f.kind) for f in findings] == [(1, "password-in-url"), (6, "password-in-url")]
    assert findings[0].masked == "postgres://app:Xk********rL@db.internal"
    assert REAL_PASSWORD not in all_fields(findings[0])


# --------------------------------------------------------------------------- kubernetes


def test_kubernetes_secret_data_is_decoded() -> None:
    encoded = base64.b64encode(REAL_PASSWORD.encode()).decode()
    manifest = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n"
        f"  password: {encoded}\n"
        f"  username: {base64.b64encode(b'admin').decode()}\n"
        f"  placeholder: {base64.b64encode(b'changeme').decode()}\n"
        "stringData:\n"
        f"  api-token: {REAL_TOKEN}\n"
    )
    findings = scan_secrets("k8s/secret.yaml", manifest).findings
    assert [(f.line, f.name, f.kind) for f in findings] == [
        (7, "password", "k8s-secret"),
        (11, "api-token", "k8s-secret"),
    ]
    assert findings[0].fingerprint == fingerprint(REAL_PASSWORD)
    assert encoded not in all_fields(findings[0])
    assert "password: ********" in findings[0].snippet


def test_helm_templates_are_not_read_as_values() -> None:
    manifest = "apiVersion: v1\nkind: Secret\ndata:\n  password: {{ .Values.password | b64enc }}\n"
    assert scan_secrets("chart/templates/secret.yaml", manifest).findings == ()


# --------------------------------------------------------------------------- repository level


def test_distinct_counting_and_exclusions() -> None:
    github = KNOWN["github-token"]
    other = token("gh" + "p_", 36)
    files = {
        ".env": f"DB_PASSWORD={REAL_PASSWORD}\nGITHUB_TOKEN={github}\n",
        "k8s/secret.yaml": "kind: Secret\ndata:\n  password: "
        + base64.b64encode(REAL_PASSWORD.encode()).decode()
        + "\n",
        "app/settings.py": f'GITHUB_TOKEN = "{github}"\n',
        "tests/test_api.py": f'TOKEN = "{github}"\nOTHER = "{other}"\n',
        "docs/setup.md": f"Set `API_TOKEN={token('gl' + 'pat-', 20)}`\n",
        ".env.example": f"API_KEY={REAL_TOKEN}\n",
        "package-lock.json": '{"integrity": "sha512-' + rand(86) + '=="}\n',
        "vendor/lib/creds.go": f'const password = "{REAL_PASSWORD}"\n',
        "web/logo.svg": "<svg/>",
    }
    facts = secret_facts(InMemoryFiles(files))
    assert isinstance(facts, SecretFacts)
    assert facts.count == 2
    by_kind = {s.kind: s for s in facts.secrets}
    assert [(loc.path, loc.line) for loc in by_kind["github-token"].locations] == [
        (".env", 2),
        ("app/settings.py", 1),
    ]
    password = next(s for s in facts.secrets if s.fingerprint == fingerprint(REAL_PASSWORD))
    assert [loc.path for loc in password.locations] == [".env", "k8s/secret.yaml"]
    assert facts.excluded_counts == {"docs": 1, "example-file": 1, "test": 1}
    assert dict(facts.skipped_files) == {
        "package-lock.json": "lockfile",
        "vendor/lib/creds.go": "vendored",
        "web/logo.svg": "svg",
    }
    assert facts.scanned_files == 6
    rendered = repr(facts)
    for raw in (REAL_PASSWORD, github, other, REAL_TOKEN):
        assert raw not in rendered


def test_integrity_fields_and_minified_bundles_are_skipped() -> None:
    key = KNOWN["aws-access-key-id"]
    assert scan_secrets("package.json", f'{{"integrity": "sha1-{key}"}}\n').findings == ()
    bundle = "var a=" + "x" * 6000 + f';var k="{key}";'
    assert scan_secrets("static/app.js", bundle).skipped == "minified"
    assert scan_secrets("static/app.min.js", "var a=1").skipped == "minified"


def test_generated_files_are_excluded_with_reason() -> None:
    (finding,) = scan_secrets("gen/client_pb2.py", f'TOKEN = "{KNOWN["github-token"]}"\n').findings
    assert finding.excluded == "generated"


# --------------------------------------------------------------------------- masking


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("AKIAIOSFODNN7EXAMPLE", "AKIA************MPLE"),
        ("short", "********"),
        ("elevenchars", "********"),
        ("twelve-chars", "tw********rs"),
        ("x" * 100, "xxxx" + "*" * 32 + "xxxx"),
    ],
)
def test_mask(value: str, masked: str) -> None:
    assert mask(value) == masked


@pytest.mark.parametrize("length", range(1, 80))
def test_mask_never_reveals_more_than_eight_characters(length: int) -> None:
    value = rand(length)
    masked = mask(value)
    revealed = sum(1 for c in masked if c != "*")
    assert revealed <= min(8, max(0, length - 8))
    if length >= 2:
        assert value not in masked


def test_snippets_mask_every_secret_on_the_line_and_stay_short() -> None:
    a, b = KNOWN["github-token"], KNOWN["npm-token"]
    line = "x = 1; " * 100 + f'tokens = ["{a}", "{b}"]' + "; y = 2" * 100
    findings = scan_secrets("app/t.py", line + "\n").findings
    assert len(findings) == 2
    for finding in findings:
        assert a not in finding.snippet
        assert b not in finding.snippet
        assert len(finding.snippet) <= 202
        assert "****" in finding.snippet


def test_fingerprints_are_stable_and_distinct() -> None:
    assert fingerprint("a") == fingerprint("a")
    assert fingerprint("a") != fingerprint("b")
    assert len(fingerprint("a")) == 16


def test_findings_are_frozen_values() -> None:
    (finding,) = scan_secrets("a.py", f'X = "{KNOWN["npm-token"]}"\n').findings
    assert isinstance(finding, SecretFinding)
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.line = 2  # type: ignore[misc]


# --------------------------------------------------------------------------- pathological input


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "text",
    [
        "a" * 1_000_000,
        "AKIA" * 250_000,
        "password=" * 110_000,
        "postgres://" * 90_000,
        "eyJ" * 333_333,
        "-----BEGIN PRIVATE KEY-----" * 37_000,
        ":" * 1_000_000,
        ("x password: 'Ab1" + "z" * 50 + "' ") * 15_000,
        "user:pass@" * 100_000,
    ],
    ids=["letters", "akia", "password", "urls", "jwt", "pem", "colons", "assignments", "userinfo"],
)
def test_one_megabyte_single_line_files_scan_in_linear_time(text: str) -> None:
    """Bounded regexes: a catastrophic one would blow the timeout by hours."""
    result = scan_secrets("data/blob.txt", text)
    assert result.skipped is None


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("flask_cors/core.py", 'ACL_CREDENTIALS = "Access-Control-Allow-Credentials"\n'),
        ("app/auth.py", 'INVALID_CREDENTIAL = "SCHEMATHESIS_INVALID_VALUE"\n'),
        ("stubs/errors.pyi", "XML_ERROR_INVALID_TOKEN: Final[str]\n"),
        ("app/urls.py", 'u = URL("HTTPS://jo%40email.com:a%20secret@m\u00fcller.de:1234/")\n'),
        ("app/urls.py", "u = MultiHostUrl('https://foo.com:123,foo:bar@bar.com/path')\n"),
    ],
)
def test_real_world_false_positives_stay_quiet(path: str, text: str) -> None:
    """Cases met scanning 85 MB of real packages: header names, constants
    named like credentials, type stubs, documentation URLs."""
    assert scan_secrets(path, text).findings == ()


@pytest.mark.parametrize(
    "text",
    ['password = "Summer2024.Winter"\n', 'auth = "admin:S3cretPassw0rd"\n'],
)
def test_one_dot_or_a_bare_colon_still_looks_like_a_password(text: str) -> None:
    assert [f.kind for f in scan_secrets("app/conf.py", text).findings] != []


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (
            "app/db/queries/sql/users.sql",
            "UPDATE users\nSET salt            = :new_salt,\n"
            "    hashed_password = :new_password2,\n    bio = :new_bio\n",
        ),
        ("app/repo.py", 'q = text("UPDATE users SET password = :password WHERE id = :id")\n'),
    ],
)
def test_sql_named_parameters_are_not_passwords(path: str, text: str) -> None:
    """``hashed_password = :new_password`` binds a query parameter (found
    scanning nsidnev/fastapi-realworld-example-app's aiosql queries)."""
    assert scan_secrets(path, text).findings == ()


def test_a_colon_in_a_real_password_still_counts() -> None:
    """Only a bare ``:identifier`` is a parameter, not any value with a colon."""
    found = scan_secrets("config/app.yaml", "db_password: ':Xq9#mT2v!pL'\n").findings
    assert [f.kind for f in found] != []


def test_a_shell_expansion_default_is_judged_as_the_value() -> None:
    """``${NAME:-default}`` was read as ``NAME: -default``, so any word became
    a password (found scanning zalando/patroni's docker/entrypoint.sh:
    ``${PATRONI_REPLICATION_PASSWORD:-replicate}``). The default itself is
    still judged: a real-looking one is a hard-coded credential."""
    quiet = (
        'export PATRONI_REPLICATION_PASSWORD="${PATRONI_REPLICATION_PASSWORD:-replicate}"\n'
        "export PGPASSWORD=${PGPASSWORD:=postgres}\n"
        'echo "${API_TOKEN:?API_TOKEN must be set}" "${DB_PASSWORD}"\n'
    )
    assert scan_secrets("docker/entrypoint.sh", quiet).findings == ()
    loud = 'export DB_PASSWORD="${DB_PASSWORD:-Xk29sd!!a7}"\n'
    found = scan_secrets("docker/entrypoint.sh", loud).findings
    assert [(f.name, f.line) for f in found] == [("DB_PASSWORD", 1)]
    assert "Xk29sd" not in found[0].snippet


def test_a_user_password_pair_of_placeholder_words_is_a_placeholder() -> None:
    """``restapi.auth = 'username:password'`` in a comment documents the shape
    of a value (found scanning zalando/patroni's patroni/config.py)."""
    text = "# restapi server expects to get restapi.auth = 'username:password'\n"
    assert scan_secrets("patroni/config.py", text).findings == ()
    assert scan_secrets("app/conf.py", "auth = 'admin:admin'\n").findings == ()
