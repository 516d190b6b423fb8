"""Server settings: one validated value built from defaults, a TOML file and
``PRODREADY_*`` environment variables (later sources win).

pydantic-settings is not a dependency; the few variables we read are mapped
here by hand so that every one of them is listed in one place (and in
``docs/server.md``). A bad value is a ``SettingsError`` naming the variable
or key, never a traceback.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
"""Largest accepted scan document (after gzip decoding): 5 MiB."""

ENV_PREFIX = "PRODREADY_"


class SettingsError(ValueError):
    """The configuration is invalid; the message names the source and key."""


class WebhookTarget(BaseModel):
    """Where regression notifications go. The URL is a secret (Slack webhook
    URLs carry their credential), so only ``name`` is ever shown or logged."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")]
    url: Annotated[str, Field(pattern=r"^https?://")]
    format: Literal["slack", "json"] = "json"
    teams: tuple[str, ...] = ()
    """Only notify about services of these teams (empty: every team)."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Extra request headers, e.g. an ``Authorization`` for a generic receiver."""


class Settings(BaseModel):
    """Everything ``prodready serve`` can be told. Field docs are the reference."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    database_url: str = Field(default_factory=lambda: default_database_url())
    """SQLAlchemy URL, or a plain path to a SQLite file."""
    public_reads: bool = True
    """Reads (API GETs, pages, badges) need no token. Set false on shared networks."""
    public_badges: bool | None = None
    """Badges need no token; defaults to ``public_reads``."""
    max_body_bytes: Annotated[int, Field(ge=1024, le=512 * 1024 * 1024)] = DEFAULT_MAX_BODY_BYTES
    notify_score_drop: Annotated[float, Field(gt=0, le=100)] = 5.0
    """Notify when a service's score drops by at least this many points."""
    webhooks: tuple[WebhookTarget, ...] = ()
    webhook_timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 10.0
    webhook_max_attempts: Annotated[int, Field(ge=1, le=50)] = 8
    webhook_backoff_seconds: Annotated[float, Field(ge=0, le=3600)] = 2.0
    """First retry delay; doubles per attempt (with jitter), capped at 15 minutes."""
    base_url: str | None = None
    """Public URL of the dashboard, used for links in notifications."""
    regression_window_days: Annotated[int, Field(ge=1, le=365)] = 14
    pool_size: Annotated[int, Field(ge=1, le=200)] = 10
    """PostgreSQL connection pool size (plus as many again on overflow)."""
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"
    """FULL: an acknowledged push survives power loss; NORMAL: only a process crash."""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    sentry_dsn: Annotated[str, Field(pattern=r"^https?://[^@/]+@[^/]+/.+")] | None = None
    """Report unhandled errors to Sentry (or GlitchTip) at this DSN; off when unset."""
    sentry_environment: Annotated[str, Field(min_length=1, max_length=64)] = "production"
    sentry_traces_sample_rate: Annotated[float, Field(ge=0, le=1)] = 0.0
    """Share of requests traced to Sentry (0: errors only)."""

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @property
    def badges_public(self) -> bool:
        return self.public_reads if self.public_badges is None else self.public_badges

    @property
    def dialect(self) -> str:
        return self.database_url.split(":", 1)[0].split("+", 1)[0]


def default_database_url() -> str:
    """A SQLite file in the user data dir (``~/.local/share/prodready`` on Linux)."""
    path = Path(platformdirs.user_data_dir("prodready", appauthor=False)) / "prodready.db"
    return f"sqlite:///{path}"


def normalise_database_url(value: str) -> str:
    """Accept what people type: a file path, ``postgres://`` or ``postgresql://``."""
    value = value.strip()
    if not value:
        raise ValueError("the database URL is empty")
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    scheme, rest = value.split("://", 1)
    if scheme in {"postgres", "postgresql"}:
        return f"postgresql+psycopg://{rest}"
    if scheme.startswith("postgresql+") and scheme != "postgresql+psycopg":
        raise ValueError(f"unsupported PostgreSQL driver {scheme!r}; use postgresql+psycopg://")
    if scheme not in {"sqlite", "sqlite+pysqlite", "postgresql+psycopg"}:
        raise ValueError(f"unsupported database {scheme!r}: use sqlite:/// or postgresql://")
    return value


_ENV_FIELDS: dict[str, str] = {
    "DATABASE_URL": "database_url",
    "PUBLIC_READS": "public_reads",
    "PUBLIC_BADGES": "public_badges",
    "MAX_BODY_BYTES": "max_body_bytes",
    "NOTIFY_SCORE_DROP": "notify_score_drop",
    "WEBHOOKS": "webhooks",
    "WEBHOOK_TIMEOUT_SECONDS": "webhook_timeout_seconds",
    "WEBHOOK_MAX_ATTEMPTS": "webhook_max_attempts",
    "WEBHOOK_BACKOFF_SECONDS": "webhook_backoff_seconds",
    "BASE_URL": "base_url",
    "REGRESSION_WINDOW_DAYS": "regression_window_days",
    "POOL_SIZE": "pool_size",
    "SQLITE_SYNCHRONOUS": "sqlite_synchronous",
    "LOG_LEVEL": "log_level",
    "SENTRY_DSN": "sentry_dsn",
    "SENTRY_ENVIRONMENT": "sentry_environment",
    "SENTRY_TRACES_SAMPLE_RATE": "sentry_traces_sample_rate",
}
ENV_VARIABLES = tuple(sorted(ENV_PREFIX + name for name in _ENV_FIELDS))
"""Every environment variable the server reads (besides ``PRODREADY_CONFIG``)."""


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for suffix, field in _ENV_FIELDS.items():
        raw = environ.get(ENV_PREFIX + suffix)
        if raw is None or raw == "":
            continue
        if field == "webhooks":
            try:
                values[field] = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise SettingsError(
                    f"{ENV_PREFIX}{suffix} is not valid JSON ({exc.msg} at char {exc.pos}); "
                    'expected a list like [{"name": "ops", "url": "https://...", '
                    '"format": "slack"}]'
                ) from None
        else:
            values[field] = raw
    return values


def _from_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"{path}: the config file does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read the config file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: invalid TOML ({exc})") from None
    section = data.get("server", data)
    if not isinstance(section, dict):
        raise SettingsError(f"{path}: [server] must be a table")
    return dict(section)


def load_settings(
    *,
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Defaults < config file (``--config`` or ``PRODREADY_CONFIG``) < environment <
    ``overrides`` (command-line options). ``None`` overrides are ignored."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    sources: list[str] = []
    file = config_file or (Path(env["PRODREADY_CONFIG"]) if env.get("PRODREADY_CONFIG") else None)
    if file is not None:
        values.update(_from_file(file))
        sources.append(str(file))
    values.update(_from_env(env))
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = ".".join(str(part) for part in error["loc"])
            env_name = _env_name(str(error["loc"][0])) if error["loc"] else None
            where = f"{loc} ({env_name} or the config file)" if env_name else loc
            problems.append(f"{where}: {error['msg']}")
        origin = f" (config: {', '.join(sources)})" if sources else ""
        message = "invalid server settings" + origin + ":\n  " + "\n  ".join(problems)
        raise SettingsError(message) from None


def _env_name(field: str) -> str | None:
    for suffix, name in _ENV_FIELDS.items():
        if name == field:
            return ENV_PREFIX + suffix
    return None
