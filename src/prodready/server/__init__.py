"""prodready serve: readiness history, dashboard and API for a fleet of services.

The server stores what scans produced (``prodready.scan.model`` documents) and
never scans. Public surface (everything else is private, ``_``-prefixed)::

    create_app(settings)            the ASGI app (FastAPI)
    load_settings(...) -> Settings  defaults < TOML file < PRODREADY_* env < overrides
    Database(url)                   engine + the session discipline
    upgrade_schema / schema_status  Alembic migrations shipped in the package
    create_token / list_tokens / revoke_token
"""

from prodready.server._app import UnmigratedDatabaseError, create_app
from prodready.server._auth import ScopeError, TokenError, create_token, list_tokens, revoke_token
from prodready.server._db import Database
from prodready.server._migrate import SchemaStatus, schema_status, unmigrated_message
from prodready.server._migrate import upgrade as upgrade_schema
from prodready.server._settings import (
    ENV_VARIABLES,
    Settings,
    SettingsError,
    WebhookTarget,
    load_settings,
)

__all__ = [
    "ENV_VARIABLES",
    "Database",
    "SchemaStatus",
    "ScopeError",
    "Settings",
    "SettingsError",
    "TokenError",
    "UnmigratedDatabaseError",
    "WebhookTarget",
    "create_app",
    "create_token",
    "list_tokens",
    "load_settings",
    "revoke_token",
    "schema_status",
    "unmigrated_message",
    "upgrade_schema",
]
