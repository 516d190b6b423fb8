"""Hard-coded secrets: known credential formats plus secret-looking assignments.

``scan_secrets(path, text)`` looks at one file (pure, cacheable by content
hash); ``secret_facts(files)`` runs it over a repository and counts
**distinct** secrets: the same value in three files is one secret with three
locations, the figure ``sec.no-hardcoded-secrets`` scores on.

What is found:

- known formats: AWS access key ids (paired with their secret key when one is
  near), GitHub (``ghp_``/``gho_``/``ghu_``/``ghs_``/``ghr_``/``github_pat_``),
  GitLab ``glpat-``, Slack tokens and webhooks, Stripe live keys, Google API
  keys, Azure storage account keys, Twilio API keys, SendGrid keys, npm
  tokens, JWTs, PEM private key blocks, URLs and connection strings with a
  password (``postgres://user:pass@host``);
- assignments of secret-looking values to secret-ish names (``password``,
  ``secret``, ``token``, ``api_key``, ``client_secret``...) in code and
  configuration (.env, YAML, JSON, TOML, ini, properties, shell, Dockerfile
  ``ENV``/``ARG``), and Kubernetes ``Secret`` manifests (``data`` decoded
  from base64, ``stringData``).

What is not: placeholders (``changeme``, ``secret``, ``guest``, ``xxx``,
``<token>``, ``${VAR}``, ``$(VAR)``, ``{{ .Values.x }}``, ``example``,
``dummy``, ``test``, repeated characters, the documented AWS example keys,
the jwt.io sample token...), values read from the environment, file paths,
UUIDs. Lockfiles, ``go.sum``, minified bundles, source maps and SVGs are
skipped, as are ``integrity`` hashes. Findings in tests, docs, examples,
generated code and ``.env.example``-style files are reported as *excluded*
(with a reason) rather than counted; vendored files are not read.

Raw values never leave this module: a finding carries a fingerprint
(``sha256`` prefix of the value), a masked form (at most 4 characters of each
end, fully masked when short) and a snippet line where every found value is
masked. Every regex is bounded (no nested quantifiers, anchored literals),
so a 1 MB single-line file scans in linear time.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote

import yaml

from prodready.scan.facts.code_model import FileRole, role_of
from prodready.scan.facts.perfile import file_fact
from prodready.scan.facts.source import ParseProblem, RepoFiles

__all__ = [
    "FileSecrets",
    "Secret",
    "SecretFacts",
    "SecretFinding",
    "SecretLocation",
    "fingerprint",
    "mask",
    "scan_secrets",
    "secret_facts",
]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class SecretFinding:
    """One occurrence of a secret in one file. Never holds the raw value."""

    path: str
    line: int
    kind: str
    """``aws-access-key-id``, ``aws-access-key-pair``, ``github-token``,
    ``gitlab-token``, ``slack-token``, ``slack-webhook``, ``stripe-live-key``,
    ``google-api-key``, ``azure-storage-key``, ``twilio-api-key``,
    ``sendgrid-api-key``, ``npm-token``, ``jwt``, ``private-key``,
    ``password-in-url``, ``password``, ``secret`` (a token/key-like value
    assigned to a secret-ish name) or ``k8s-secret``."""
    fingerprint: str
    """16 hex characters of SHA-256 of the value: equal values, equal prints."""
    masked: str
    snippet: str
    """The source line with every secret on it masked, shortened."""
    name: str | None = None
    """The variable/key the value is assigned to, when there is one."""
    confidence: str = "high"
    """``high`` (a known format) or ``medium`` (a secret-ish name with a
    secret-looking value)."""
    excluded: str | None = None
    """Why it does not count: ``test``, ``docs``, ``example-file``,
    ``generated``; None when it counts."""


@dataclass(frozen=True, slots=True)
class FileSecrets:
    """What ``scan_secrets`` found in one file."""

    path: str
    findings: tuple[SecretFinding, ...] = ()
    placeholders: int = 0
    """Candidates suppressed as placeholders or defaults."""
    skipped: str | None = None
    """Why the file was not scanned (``lockfile``, ``minified``, ``svg``,
    ``source-map``, ``vendored``), or None."""


@dataclass(frozen=True, slots=True)
class SecretLocation:
    path: str
    line: int
    snippet: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Secret:
    """A distinct secret value and every place it appears."""

    fingerprint: str
    kind: str
    masked: str
    confidence: str
    locations: tuple[SecretLocation, ...]
    excluded: str | None = None


@dataclass(frozen=True, slots=True)
class SecretFacts:
    """Secrets of a repository. ``secrets`` are what counts; ``excluded``
    are distinct values found only in tests, docs, examples or generated
    files (a value found in both counts, in ``secrets``)."""

    secrets: tuple[Secret, ...]
    excluded: tuple[Secret, ...]
    placeholders: int
    scanned_files: int
    skipped_files: tuple[tuple[str, str], ...] = ()
    problems: tuple[ParseProblem, ...] = field(default=())

    @property
    def count(self) -> int:
        """Distinct real-looking secrets in first-party code and config."""
        return len(self.secrets)

    @property
    def excluded_counts(self) -> dict[str, int]:
        """Reason -> distinct excluded secrets."""
        return dict(sorted(Counter(s.excluded or "" for s in self.excluded).items()))


# --------------------------------------------------------------------------- masking


_PEPPER = b"prodready-secret-v1:"


def fingerprint(value: str) -> str:
    """16 hex characters of SHA-256 over the value (domain-separated)."""
    return hashlib.sha256(_PEPPER + value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def mask(value: str) -> str:
    """``AKIAIOSFODNN7EXAMPLE`` -> ``AKIA************MPLE``: at most 4 characters
    of each end (2 for values under 20 characters), fully masked (8 stars,
    hiding the length) under 12 characters."""
    n = len(value)
    if n < 12:
        return "*" * 8
    keep = 2 if n < 20 else 4
    return value[:keep] + "*" * min(n - 2 * keep, 32) + value[-keep:]


# --------------------------------------------------------------------------- file kinds

_LOCKFILES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "poetry.lock",
        "pipfile.lock",
        "uv.lock",
        "pdm.lock",
        "cargo.lock",
        "composer.lock",
        "gemfile.lock",
        "go.sum",
        "go.work.sum",
        "packages.lock.json",
        "gradle.lockfile",
        "mix.lock",
        "flake.lock",
        "podfile.lock",
        "pubspec.lock",
        "conan.lock",
    }
)
_SKIP_SUFFIXES = {
    ".svg": "svg",
    ".map": "source-map",
    ".lock": "lockfile",
    ".snap": "test",
}
_EXAMPLE_FILE = re.compile(
    r"(^|[._-])(example|sample|template|dist|tmpl|tpl|defaults?)([._-]|$)", re.IGNORECASE
)
_CODE_SUFFIXES = frozenset(
    {
        ".py",
        ".pyi",
        ".go",
        ".js",
        ".mjs",
        ".cjs",
        ".jsx",
        ".ts",
        ".tsx",
        ".mts",
        ".java",
        ".kt",
        ".kts",
        ".scala",
        ".rb",
        ".php",
        ".cs",
        ".rs",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".swift",
        ".groovy",
        ".dart",
    }
)
_MINIFIED_LINE = 5000


def _skip_reason(path: str, text: str) -> str | None:
    pure = PurePosixPath(path)
    name = pure.name.lower()
    if name in _LOCKFILES:
        return "lockfile"
    suffix = pure.suffix.lower()
    if suffix in _SKIP_SUFFIXES:
        return _SKIP_SUFFIXES[suffix]
    if name.endswith((".min.js", ".min.css", ".min.mjs")):
        return "minified"
    if suffix in (".js", ".css", ".mjs", ".html", ".json") and len(text) > _MINIFIED_LINE:
        head = text[:200_000]
        lines = head.count("\n") + 1
        if len(head) / lines > 1000 or any(len(x) > _MINIFIED_LINE for x in head.split("\n")[:20]):
            return "minified"
    return None


def _exclusion(path: str, text: str) -> tuple[str | None, bool]:
    """(excluded reason or None, vendored)."""
    role = role_of(path, text)
    if role is FileRole.VENDORED:
        return None, True
    name = PurePosixPath(path).name
    if role is FileRole.TEST:
        return "test", False
    if role is FileRole.EXAMPLE:
        return "docs", False
    if role is FileRole.GENERATED:
        return "generated", False
    stem_parts = name.lower().split(".")
    if len(stem_parts) > 1 and _EXAMPLE_FILE.search(".".join(stem_parts[1:]) or ""):
        return "example-file", False
    if _EXAMPLE_FILE.search(stem_parts[0]) and (
        name.lower().startswith(".env") or "env" in stem_parts or "config" in name.lower()
    ):
        return "example-file", False
    return None, False


# --------------------------------------------------------------------------- detectors


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    """Span of the value in the text (what the snippet masks)."""
    value: str
    kind: str
    confidence: str
    name: str | None = None
    shown: str | None = None
    """Masked form to show instead of ``mask(value)`` (URLs, PEM headers)."""
    extra_spans: tuple[tuple[int, int], ...] = ()
    """Other spans to mask on the snippet (a base64 encoding of the value)."""
    hide_all: bool = False
    """Mask the span completely in snippets (an encoding of the value, where
    even a few characters would leak bits of it)."""


@dataclass(frozen=True, slots=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    needles: tuple[str, ...]
    """Literal substrings, one of which every match contains: a cheap ``in``
    test skips the regex for the (vast) majority of files."""


def _rule(kind: str, pattern: str, *needles: str) -> _Rule:
    return _Rule(kind, re.compile(pattern), needles)


_B = r"(?<![A-Za-z0-9_])"  # not preceded by a token character
_E = r"(?![A-Za-z0-9_])"  # not followed by one
_KNOWN: tuple[_Rule, ...] = (
    _rule(
        "aws-access-key-id",
        r"(?<![A-Z0-9])((?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})(?![A-Z0-9])",
        "AKIA",
        "ASIA",
        "ABIA",
        "ACCA",
    ),
    _rule("github-token", _B + r"(gh[pousr]_[A-Za-z0-9]{36,255})" + _E, "gh"),
    _rule("github-token", _B + r"(github_pat_[A-Za-z0-9_]{82})" + _E, "github_pat_"),
    _rule("gitlab-token", _B + r"(glpat-[A-Za-z0-9_-]{20,50})(?![A-Za-z0-9_-])", "glpat-"),
    _rule(
        "slack-token", r"(?<![A-Za-z0-9-])(xox[baprse]-[A-Za-z0-9-]{10,250})(?![A-Za-z0-9-])", "xox"
    ),
    _rule(
        "slack-webhook",
        r"(https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,200})",
        "hooks.slack.com",
    ),
    _rule("stripe-live-key", _B + r"((?:sk|rk)_live_[A-Za-z0-9]{16,247})" + _E, "_live_"),
    _rule("google-api-key", r"(?<![A-Za-z0-9_-])(AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])", "AIza"),
    _rule("azure-storage-key", r"AccountKey=([A-Za-z0-9+/]{86}==)", "AccountKey="),
    _rule("twilio-api-key", _B + r"(SK[0-9a-f]{32})" + _E, "SK"),
    _rule(
        "sendgrid-api-key",
        r"(?<![A-Za-z0-9_-])(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])",
        "SG.",
    ),
    _rule("npm-token", _B + r"(npm_[A-Za-z0-9]{36})" + _E, "npm_"),
    _rule(
        "jwt",
        r"(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{8,1000}\.eyJ[A-Za-z0-9_-]{8,4000}"
        r"\.[A-Za-z0-9_-]{16,1000})(?![A-Za-z0-9_-])",
        "eyJ",
    ),
)
_PEM_BEGIN = re.compile(r"-----BEGIN ((?:[A-Z0-9]{1,12} ){0,2})PRIVATE KEY(?: BLOCK)?-----")
_PEM_END = re.compile(r"-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,29})$")
_USERINFO = re.compile(
    r"([^\s:/@'\"`<>{}\[\]]{1,128}):([^\s:@/'\"`<>]{1,256})@([A-Za-z0-9_.\-\[\]]{1,255})"
)
_URL_SCHEMES = frozenset(
    {
        "postgres",
        "postgresql",
        "mysql",
        "mariadb",
        "mongodb",
        "mongodb+srv",
        "redis",
        "rediss",
        "amqp",
        "amqps",
        "mssql",
        "sqlserver",
        "oracle",
        "cockroachdb",
        "clickhouse",
        "ftp",
        "ftps",
        "sftp",
        "smtp",
        "smtps",
        "ldap",
        "ldaps",
        "kafka",
        "nats",
        "http",
        "https",
        "mqtt",
        "mqtts",
        "couchdb",
        "neo4j",
        "bolt",
        "elasticsearch",
        "memcached",
        "sqlalchemy",
        "postgresql+psycopg",
        "postgresql+psycopg2",
        "postgresql+asyncpg",
        "mysql+pymysql",
        "mysql+mysqldb",
    }
)

_KEYWORD_PATTERN = (
    r"pass(?:word|wd|phrase|code)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key"
    r"|private[_-]?key|credential|creds|auth|signing[_-]?key|encryption[_-]?key"
)
_KEYWORD = re.compile(_KEYWORD_PATTERN)
"""Run on the lower-cased text: ~10x faster than ``re.IGNORECASE``."""
_KEYWORD_ANY_CASE = re.compile(_KEYWORD_PATTERN, re.IGNORECASE)
_NAME_CHAR_SET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_MAX_URLS = 20_000
"""``://`` occurrences examined per file (same reasoning as keyword hits)."""
_MAX_KEYWORD_HITS = 5000
"""Keyword hits examined per file: real files have a few dozen; past this a
file is data (a word list, a dump) and scanning it further buys nothing."""
_NAME_TAIL = re.compile(r"[A-Za-z0-9_.\-]{0,80}")
_ASSIGNMENT = re.compile(
    r"""["']?[ \t]*(?::=|=>|\?=|=(?!=)|:(?!:))[ \t]*"""
    r"""(?:(["'`])([^"'`\n]{1,300})\1|([^\s"'`,;}\])]{1,300}))"""
)
_EXPANSION_DEFAULT = re.compile(r":?[-=]([^\s\"'`${}]{1,300})\}")
"""The default of a shell or compose expansion: ``${NAME:-value}``, ``${NAME=value}``."""
_DOCKER_ENV = re.compile(
    r"^[ \t]*(?:ENV|ARG)[ \t]+([A-Za-z_][A-Za-z0-9_]{0,80})[ \t]+([^\s=][^\n]{0,300})$",
    re.MULTILINE,
)

_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "pass", "passphrase", "passcode"})
_TOKEN_WORDS = frozenset(
    {
        "secret",
        "token",
        "apikey",
        "credential",
        "credentials",
        "creds",
        "privatekey",
        "secretkey",
        "accesskey",
        "authkey",
        "auth",
        "signingkey",
        "encryptionkey",
        "clientsecret",
        "apitoken",
        "authtoken",
        "accesstoken",
        "refreshtoken",
    }
)
_KEY_QUALIFIERS = frozenset(
    {
        "api",
        "access",
        "secret",
        "private",
        "signing",
        "encryption",
        "master",
        "auth",
        "client",
        "app",
        "application",
        "license",
        "service",
        "account",
        "storage",
        "subscription",
        "webhook",
        "hmac",
        "jwt",
        "session",
        "cookie",
        "consumer",
        "shared",
        "sas",
        "admin",
        "deploy",
        "ssh",
        "gpg",
        "pgp",
        "crypto",
        "cipher",
        "aes",
    }
)
_FAKE_NAME_TOKENS = frozenset({"example", "sample", "dummy", "fake", "mock", "test", "placeholder"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = re.compile(r"[^A-Za-z0-9]+")

_PLACEHOLDER_WORDS = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "changeme",
        "changeit",
        "admin",
        "administrator",
        "root",
        "guest",
        "test",
        "testing",
        "pass",
        "default",
        "letmein",
        "qwerty",
        "welcome",
        "postgres",
        "mysql",
        "redis",
        "mongo",
        "rabbit",
        "rabbitmq",
        "user",
        "username",
        "demo",
        "dev",
        "development",
        "local",
        "localhost",
        "hunter",
        "abc",
        "abcdef",
        "foo",
        "bar",
        "baz",
        "foobar",
        "example",
        "sample",
        "dummy",
        "topsecret",
        "supersecret",
        "mysecret",
        "mypassword",
        "yourpassword",
        "token",
        "apikey",
        "key",
        "private",
        "none",
        "null",
        "nil",
        "empty",
        "undefined",
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "required",
        "optional",
        "string",
        "value",
        "text",
        "insecure",
        "notsecret",
        "nosecret",
        "public",
        "xyz",
        "asdf",
        "asdfgh",
        "temp",
        "tmp",
        "app",
        "service",
        "db",
        "database",
        "minio",
        "minioadmin",
        "keycloak",
        "grafana",
        "prom",
        "airflow",
        "superset",
        "jenkins",
        "sonar",
        "sa",
        "oracle",
        "system",
        "manager",
        "master",
        "docker",
        "kubernetes",
        "secretkey",
        "secretpassword",
        "mysecretpassword",
        "passw",
    }
)
_PLACEHOLDER_FRAGMENTS = (
    "example",
    "sample",
    "dummy",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "replace",
    "your_",
    "your-",
    "yourtoken",
    "yourkey",
    "yoursecret",
    "xxxx",
    "****",
    "....",
    "redacted",
    "fake",
    "mock",
    "notreal",
    "not-real",
    "not_real",
    "insecure",
    "not-a-secret",
    "notasecret",
    "not_a_secret",
    "todo",
    "fixme",
    "test",
    "secret_here",
    "secret-here",
    "key_here",
    "key-here",
    "token_here",
    "token-here",
    "0000000",
    "1234567",
    "abcdefg",
    "qwerty",
    "lorem",
    "ipsum",
    "foobar",
    "django-insecure",
)
_REFERENCE_PREFIXES = (
    "$",
    "%(",
    "#{",
    "!",
    "&",
    "*",
    "ENC[",
    "vault:",
    "arn:aws:",
    "arn:",
    "projects/",
    "sm://",
    "ssm:",
    "secret://",
    "akv:",
    "op://",
    "env:",
    "ref+",
    "file:",
    "process.env",
    "os.environ",
    "os.getenv",
    "settings.",
    "config.",
    "secrets.",
)
_PATH_SUFFIXES = (
    ".pem",
    ".key",
    ".crt",
    ".cer",
    ".p12",
    ".pfx",
    ".jks",
    ".json",
    ".txt",
    ".yaml",
    ".yml",
    ".env",
)
_KNOWN_PUBLIC = frozenset(
    {
        # AWS documentation examples
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        # Azurite / Azure storage emulator well-known key
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
        # jwt.io sample token
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    }
)
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
"""A UUID as written for an id (with its dashes). 32 bare hex digits under a
secret-ish name are a token (``uuid4().hex``, ``token_hex(16)``, most vendors'
API keys), judged like any other hex value."""
_OBJECT_REFERENCE = re.compile(
    r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$"
    r"|^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*){2,}$",
    re.ASCII,
)
"""``package.module:Object`` (entry points) or ``package.module.Object`` (settings'
import paths); one dot is too little to tell from a password."""
_WORDS = re.compile(r"^[A-Za-z]+(?:[-_.:][A-Za-z]+)*$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?:\(\))?$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_BIND_PARAMETER = re.compile(r"^:[A-Za-z_][A-Za-z0-9_]*$")
"""A named query parameter (``:name``: SQL files, aiosql, SQLAlchemy ``text()``)."""
_SEQUENCES = ("0123456789", "1234567890", "abcdefghij", "qwertyuiop")


def _entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def _classes(value: str) -> int:
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


def _is_placeholder(value: str, name: str | None = None) -> bool:
    """Obvious defaults, templates, references and example values."""
    stripped = value.strip()
    if len(stripped) < 6 or stripped in _KNOWN_PUBLIC:
        return True
    lowered = stripped.lower()
    if stripped.startswith(_REFERENCE_PREFIXES) or (
        stripped.startswith("<") and stripped.endswith(">")
    ):
        return True
    if any(marker in stripped for marker in ("${", "{{", "}}", "$(", "%s", "%(", "<%", "#{")):
        return True
    if _BIND_PARAMETER.match(stripped):
        return True  # "SET hashed_password = :new_password": an SQL named parameter
    if stripped[0] in "{[(" and stripped[-1] in "}])":
        return True
    if any(fragment in lowered for fragment in _PLACEHOLDER_FRAGMENTS):
        return True
    if any(sequence in lowered for sequence in _SEQUENCES):
        return True
    if len(set(stripped)) <= 2:
        return True
    if name is not None and lowered == _normalise_name(name):
        return True
    letters = re.sub(r"[^a-z]", "", lowered.translate(_LEET))
    if letters in _PLACEHOLDER_WORDS or lowered in _PLACEHOLDER_WORDS:
        return True
    pair = lowered.split(":")
    if len(pair) == 2 and all(side in _PLACEHOLDER_WORDS for side in pair):
        return True  # "username:password", "admin:admin": the shape, not a credential
    return bool(
        re.match(
            r"^(my|your|the|some|a|an|super|top|dev|local|default)?(password|secret|token|key|pass)",
            letters,
        )
    )


def _normalise_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _name_kind(name: str) -> str | None:
    """``password`` or ``token`` when ``name`` is secret-ish, else None."""
    tokens = [t.lower() for t in _SPLIT.split(_CAMEL.sub("_", name)) if t]
    if not tokens:
        return None
    if any(t in _FAKE_NAME_TOKENS for t in tokens):
        return None
    last = tokens[-1]
    joined_last_two = "".join(tokens[-2:])
    if last in _PASSWORD_WORDS or joined_last_two in ("passphrase", "passcode"):
        return "password"
    if last in _TOKEN_WORDS or joined_last_two in _TOKEN_WORDS:
        return "token"
    if last == "key" and len(tokens) >= 2 and tokens[-2] in _KEY_QUALIFIERS:
        return "token"
    return None


def _looks_like_secret(value: str, kind: str) -> bool:
    """Does a value assigned to a secret-ish name look like a real secret?"""
    if any(c.isspace() for c in value) or "://" in value:
        return False
    if value.startswith(("/", "./", "../", "~/")) or value.lower().endswith(_PATH_SUFFIXES):
        return False
    if _UUID.match(value) or value.isdigit():
        return False
    if _IDENTIFIER.match(value) and not any(c.isdigit() for c in value):
        return False  # a variable or attribute name, an English word
    if _OBJECT_REFERENCE.match(value):
        return False  # "pkg.plugins.auth:BasicAuthPlugin": an entry point, an import path
    if _WORDS.match(value):
        return False  # words, not a secret: "db-credentials", "Access-Control-Allow-Credentials"
    if kind == "password":
        return len(value) >= 6 and (_classes(value) >= 2 or _entropy(value) >= 3.0)
    if len(value) < 16:
        return False
    if _HEX.match(value):
        return len(value) >= 20 and _classes(value) >= 2 and _entropy(value) >= 2.8
    return _classes(value) >= 2 and _entropy(value) >= 3.3


def _known_value_ok(kind: str, value: str) -> bool:
    if value in _KNOWN_PUBLIC or "EXAMPLE" in value.upper():
        return False
    body = (
        value.split("_", 1)[-1]
        if kind in ("github-token", "stripe-live-key", "npm-token")
        else value
    )
    if len(set(body)) <= 3 or re.search(r"(.)\1{7,}", body):
        return False
    lowered = body.lower()
    if any(f in lowered for f in ("xxxx", "example", "dummy", "placeholder", "redacted")):
        return False
    return _entropy(body) >= 2.5


# --------------------------------------------------------------------------- scanning


def scan_secrets(path: str, text: str) -> FileSecrets:
    """Secrets in one file (pure; depends only on ``path`` and ``text``)."""
    skipped = _skip_reason(path, text)
    if skipped is not None:
        return FileSecrets(path, skipped=skipped)
    excluded, vendored = _exclusion(path, text)
    if vendored:
        return FileSecrets(path, skipped="vendored")
    scanner = _Scanner(path, text)
    candidates = scanner.run()
    findings = scanner.findings(candidates, excluded)
    return FileSecrets(path, tuple(findings), scanner.placeholders)


class _Scanner:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        suffix = PurePosixPath(path).suffix.lower()
        self.is_code = suffix in _CODE_SUFFIXES
        self.is_dockerfile = (
            PurePosixPath(path).name.lower().startswith(("dockerfile", "containerfile"))
        )
        self.placeholders = 0
        self._line_starts: list[int] | None = None

    def line_of(self, offset: int) -> int:
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        return bisect.bisect_right(self._line_starts, offset)

    def run(self) -> list[_Candidate]:
        found: list[_Candidate] = []
        found.extend(self._known())
        found.extend(self._private_keys())
        found.extend(self._urls())
        if (
            "Secret" in self.text
            and "kind" in self.text
            and self.path.lower().endswith((".yaml", ".yml"))
        ):
            found.extend(self._k8s_secrets())
        taken = sorted((c.start, c.end) for c in found)
        for candidate in self._assignments():
            if not _overlaps(taken, candidate.start, candidate.end):
                found.append(candidate)
        return self._pair_aws(found)

    # ------------------------------------------------------------------ detectors
    def _integrity_line(self, offset: int) -> bool:
        start = self.text.rfind("\n", 0, offset) + 1
        return "integrity" in self.text[start:offset]

    def _known(self) -> Iterator[_Candidate]:
        for rule in _KNOWN:
            if not any(needle in self.text for needle in rule.needles):
                continue
            for match in rule.pattern.finditer(self.text):
                value = match.group(1)
                if not _known_value_ok(rule.kind, value) or self._integrity_line(match.start()):
                    self.placeholders += 1
                    continue
                if rule.kind == "jwt" and not _real_jwt(value):
                    self.placeholders += 1
                    continue
                start, end = match.span(1)
                yield _Candidate(start, end, value, rule.kind, "high")

    def _private_keys(self) -> Iterator[_Candidate]:
        if "PRIVATE KEY" not in self.text:
            return
        end: re.Match[str] | None = None
        for begin in _PEM_BEGIN.finditer(self.text):
            if end is None or end.start() < begin.end():
                end = _PEM_END.search(self.text, begin.end())
                if end is None:
                    return
            if end.start() - begin.end() > 20_000:
                continue
            body = re.sub(r"\\n|\\r|[\s\"'+,]", "", self.text[begin.end() : end.start()])
            body = re.sub(r"^(Proc-Type|DEK-Info):[^\n]*", "", body)
            if len(body) < 64 or "..." in body or _is_placeholder(body) or _entropy(body) < 4.0:
                self.placeholders += 1
                continue
            header = begin.group(0)
            yield _Candidate(
                begin.start(),
                end.end(),
                body,
                "private-key",
                "high",
                shown=f"{header} {mask(body)}",
            )

    def _urls(self) -> Iterator[_Candidate]:
        text = self.text
        position = text.find("://")
        for _ in range(_MAX_URLS):
            if position == -1:
                return
            scheme_match = _SCHEME.search(text, max(0, position - 30), position)
            info = _USERINFO.match(text, position + 3)
            if scheme_match is not None and info is not None:
                scheme = scheme_match.group(1).lower().removeprefix("jdbc:")
                user, password, host = info.group(1), info.group(2), info.group(3)
                if scheme in _URL_SCHEMES and self._real_url_password(user, password, host):
                    start, end = info.span(2)
                    shown = f"{scheme}://{user}:{mask(password)}@{host}"
                    yield _Candidate(start, end, password, "password-in-url", "high", shown=shown)
                elif scheme in _URL_SCHEMES:
                    self.placeholders += 1
            position = text.find("://", position + 3)

    def _real_url_password(self, user: str, password: str, host: str) -> bool:
        decoded = unquote(password)
        if decoded == unquote(user) or _is_placeholder(decoded, "password"):
            return False
        if host.lower() in ("host", "hostname", "example.com", "server", "your-host"):
            return False
        return _looks_like_secret(decoded, "password")

    def _assignments(self) -> Iterator[_Candidate]:
        text = self.text
        seen: set[int] = set()
        lowered = text.lower()
        if len(lowered) == len(text):
            keywords = _KEYWORD.finditer(lowered)
        else:  # lower() changed the length (rare non-ASCII): offsets would drift
            keywords = _KEYWORD_ANY_CASE.finditer(text)
        for hits, match in enumerate(keywords):
            if hits >= _MAX_KEYWORD_HITS:
                break
            name_start, name_end = self._name_around(match.start(), match.end())
            if name_end in seen:
                continue
            seen.add(name_end)
            name = text[name_start:name_end]
            kind = _name_kind(name)
            if kind is None:
                continue
            if text.endswith("{", 0, name_start) and text.startswith("$", name_start - 2):
                yield from self._expansion_default(name, kind, name_end)
                continue  # ${NAME}, ${NAME:?message}: a reference, not an assignment
            assignment = _ASSIGNMENT.match(text, name_end)
            if assignment is None:
                continue
            quoted = assignment.group(2) is not None
            if self.is_code and not quoted:
                continue
            group = 2 if quoted else 3
            value = assignment.group(group).strip()
            if not quoted:
                value = value.rstrip(".")
            candidate = self._judge(name, kind, value, assignment.start(group))
            if candidate is not None:
                yield candidate
        if self.is_dockerfile:
            for env in _DOCKER_ENV.finditer(text):
                name, value = env.group(1), env.group(2).strip().strip("\"'")
                kind = _name_kind(name)
                if kind is not None and "=" not in env.group(2):
                    candidate = self._judge(name, kind, value, env.start(2))
                    if candidate is not None:
                        yield candidate

    def _expansion_default(self, name: str, kind: str, name_end: int) -> Iterator[_Candidate]:
        """``${NAME:-value}``: the default is the value (``${NAME}`` has none)."""
        default = _EXPANSION_DEFAULT.match(self.text, name_end)
        if default is not None:
            candidate = self._judge(name, kind, default.group(1), default.start(1))
            if candidate is not None:
                yield candidate

    def _judge(self, name: str, kind: str, value: str, start: int) -> _Candidate | None:
        if not value or _is_placeholder(value, name):
            self.placeholders += 1 if value else 0
            return None
        if not _looks_like_secret(value, kind):
            return None
        position = self.text.find(value, start)
        if position == -1:
            position = start
        aws = "aws" in name.lower() and re.fullmatch(r"[A-Za-z0-9/+]{40}", value) is not None
        return _Candidate(
            position,
            position + len(value),
            value,
            "aws-secret-access-key" if aws else kind if kind == "password" else "secret",
            "high" if aws else "medium",
            name=name,
        )

    def _name_around(self, start: int, end: int) -> tuple[int, int]:
        """Expand a keyword hit to the whole identifier/key it is part of."""
        text = self.text
        name_start = start
        floor = max(0, start - 80)
        while name_start > floor and text[name_start - 1] in _NAME_CHAR_SET:
            name_start -= 1
        right = _NAME_TAIL.match(text, end)
        name_end = right.end() if right is not None else end
        return name_start, name_end

    def _k8s_secrets(self) -> Iterator[_Candidate]:
        if "{{" in self.text:
            return  # a Helm template: values come from elsewhere
        try:
            documents = list(yaml.safe_load_all(self.text))
        except yaml.YAMLError:
            return
        for document in documents:
            if not isinstance(document, dict) or document.get("kind") != "Secret":
                continue
            for section in ("data", "stringData"):
                entries = document.get(section)
                if not isinstance(entries, dict):
                    continue
                for key, raw in entries.items():
                    if not isinstance(raw, str):
                        continue
                    value = _b64(raw) if section == "data" else raw
                    if value is None:
                        continue
                    candidate = self._k8s_value(str(key), raw, value.strip())
                    if candidate is not None:
                        yield candidate

    def _k8s_value(self, key: str, raw: str, value: str) -> _Candidate | None:
        kind_name = "k8s-secret"
        if "://" in value:
            info = _USERINFO.match(value, value.index("://") + 3)
            if info is None or not self._real_url_password(*info.group(1, 2, 3)):
                return None
            value, kind_name = info.group(2), "password-in-url"
        elif _is_placeholder(value, key):
            self.placeholders += 1
            return None
        else:
            kind = _name_kind(key)
            if not _looks_like_secret(value, kind or "token"):
                return None
        pattern = re.compile(
            rf"(?m)^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*:[ \t]*[\"']?{re.escape(raw)}"
        )
        match = pattern.search(self.text)
        start = match.end() - len(raw) if match is not None else self.text.find(raw)
        start = max(start, 0)
        return _Candidate(
            start, start + len(raw), value, kind_name, "medium", name=key, hide_all=True
        )

    # ------------------------------------------------------------------ output
    def _pair_aws(self, found: list[_Candidate]) -> list[_Candidate]:
        """An access key id with its secret key nearby is one credential."""
        ids = [c for c in found if c.kind == "aws-access-key-id"]
        secrets = [c for c in found if c.kind == "aws-secret-access-key"]
        if not ids or not secrets:
            return found
        paired: set[int] = set()
        for secret in secrets:
            line = self.line_of(secret.start)
            partner = next(
                (i for i in ids if id(i) not in paired and abs(self.line_of(i.start) - line) <= 10),
                None,
            )
            if partner is None:
                continue
            paired.add(id(partner))
            # the secret key is the credential: its fingerprint, so the same
            # key pasted elsewhere without its id is still one secret
            secret.kind = "aws-access-key-pair"
            secret.confidence = "high"
            secret.shown = f"{mask(partner.value)}:{mask(secret.value)}"
            secret.extra_spans = ((partner.start, partner.end),)
        return [c for c in found if id(c) not in paired]

    def findings(self, candidates: list[_Candidate], excluded: str | None) -> list[SecretFinding]:
        by_line: dict[int, list[_Candidate]] = {}
        for candidate in candidates:
            by_line.setdefault(self.line_of(candidate.start), []).append(candidate)
        out: list[SecretFinding] = []
        seen: set[tuple[str, int]] = set()
        for line, items in sorted(by_line.items()):
            snippet = self._masked_line(line, candidates)
            for candidate in items:
                key = (fingerprint(candidate.value), line)
                if key in seen:
                    continue
                seen.add(key)
                out.append(
                    SecretFinding(
                        path=self.path,
                        line=line,
                        kind=candidate.kind,
                        fingerprint=key[0],
                        masked=candidate.shown or mask(candidate.value),
                        snippet=snippet,
                        name=candidate.name,
                        confidence=candidate.confidence,
                        excluded=excluded,
                    )
                )
        return out

    def _masked_line(self, line: int, candidates: list[_Candidate]) -> str:
        assert self._line_starts is not None
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        end = len(self.text) if end == -1 else end
        spans: list[tuple[int, int, bool]] = []
        for candidate in candidates:
            for s, e in ((candidate.start, candidate.end), *candidate.extra_spans):
                if s < end and e > start:
                    spans.append((max(s, start), min(e, end), candidate.hide_all))
        pieces: list[str] = []
        cursor = start
        ordered = sorted(spans)
        focus = ordered[0][0] if ordered else start
        for s, e, hide_all in ordered:
            if s < cursor:
                continue
            pieces.append(self.text[cursor:s])
            pieces.append("*" * 8 if hide_all else mask(self.text[s:e]))
            cursor = e
        pieces.append(self.text[cursor:end])
        masked = "".join(pieces).strip()
        if len(masked) <= 200:
            return masked
        offset = max(0, min(focus - start - 60, len(masked) - 200))
        return ("…" if offset else "") + masked[offset : offset + 200] + "…"


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the sorted ``spans``."""
    index = bisect.bisect_left(spans, (end, end))
    return any(s < end and start < e for s, e in spans[max(0, index - 8) : index])


def _b64(raw: str) -> str | None:
    try:
        decoded = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        return decoded.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _real_jwt(token: str) -> bool:
    header = token.split(".", 1)[0]
    try:
        decoded = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return False
    return '"alg"' in decoded or '"typ"' in decoded


# --------------------------------------------------------------------------- repository


Scanner = Callable[[str, str], FileSecrets]


def secret_facts(files: RepoFiles, scan: Scanner = scan_secrets) -> SecretFacts:
    """Scan every file and group findings into distinct secrets.

    ``scan`` may be a caching wrapper around ``scan_secrets``; the default
    goes through the scan's per-file facts (computed ahead, cached)."""
    counted: dict[str, list[SecretFinding]] = {}
    excluded: dict[str, list[SecretFinding]] = {}
    placeholders = 0
    scanned = 0
    skipped: list[tuple[str, str]] = []
    for path in files.paths():
        result: FileSecrets | None = file_fact(files, "secrets", path, scan)
        if result is None:
            continue
        if result.skipped is not None:
            skipped.append((path, result.skipped))
            continue
        scanned += 1
        placeholders += result.placeholders
        for finding in result.findings:
            target = excluded if finding.excluded else counted
            target.setdefault(finding.fingerprint, []).append(finding)
    secrets = tuple(_group(fp, items) for fp, items in sorted(counted.items()))
    only_excluded = tuple(
        _group(fp, items) for fp, items in sorted(excluded.items()) if fp not in counted
    )
    return SecretFacts(
        secrets=tuple(sorted(secrets, key=lambda s: (s.locations[0].path, s.locations[0].line))),
        excluded=tuple(
            sorted(only_excluded, key=lambda s: (s.locations[0].path, s.locations[0].line))
        ),
        placeholders=placeholders,
        scanned_files=scanned,
        skipped_files=tuple(skipped),
    )


_KIND_RANK = {"medium": 1, "high": 0}


def _group(fp: str, items: list[SecretFinding]) -> Secret:
    items = sorted(items, key=lambda f: (_KIND_RANK.get(f.confidence, 2), f.path, f.line))
    best = items[0]
    locations = tuple(
        SecretLocation(f.path, f.line, f.snippet, f.name)
        for f in sorted(items, key=lambda f: (f.path, f.line))
    )
    reasons = {f.excluded for f in items}
    return Secret(
        fingerprint=fp,
        kind=best.kind,
        masked=best.masked,
        confidence=best.confidence,
        locations=locations,
        excluded=None if None in reasons else sorted(r for r in reasons if r)[0],
    )
