"""Schema migrations (Alembic), driven from code.

``serve`` calls ``schema_status`` and refuses to start unless the database is
at head; ``prodready db upgrade`` (or ``serve --migrate``) calls ``upgrade``.
On PostgreSQL an advisory lock makes concurrent upgrades (two instances
started with ``--migrate``) wait for each other instead of racing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

VERSION_TABLE = "prodready_schema_version"
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_ADVISORY_LOCK_KEY = 0x70726F64  # "prod"


@dataclass(frozen=True)
class SchemaStatus:
    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def is_current(self) -> bool:
        return set(self.current) == set(self.heads)

    @property
    def is_empty(self) -> bool:
        return not self.current

    @property
    def is_ahead(self) -> bool:
        """The database was migrated by a newer prodready than this one."""
        return bool(self.current) and not set(self.current) <= set(self._known)

    _known: tuple[str, ...] = ()


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def head_revisions() -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(_config()).get_heads())


def _known_revisions() -> tuple[str, ...]:
    return tuple(rev.revision for rev in ScriptDirectory.from_config(_config()).walk_revisions())


def schema_status(engine: Engine) -> SchemaStatus:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        current = tuple(context.get_current_heads())
        connection.rollback()
    return SchemaStatus(current=current, heads=head_revisions(), _known=_known_revisions())


def upgrade(engine: Engine, revision: str = "head") -> SchemaStatus:
    """Apply every pending migration in one transaction; returns the new status."""
    config = _config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return schema_status(engine)


def unmigrated_message(status: SchemaStatus, url_hint: str) -> str:
    """What to tell an operator whose database is not at head."""
    if status.is_ahead:
        return (
            f"the database {url_hint} was migrated by a newer prodready "
            f"(revision {', '.join(status.current)}); upgrade prodready on this host"
        )
    state = "has no prodready schema" if status.is_empty else "is not at the latest schema"
    return (
        f"the database {url_hint} {state} "
        f"(at {', '.join(status.current) or 'nothing'}, need {', '.join(status.heads)}). "
        "Run `prodready db upgrade` (with the same --db), "
        "or start with `prodready serve --migrate`."
    )
