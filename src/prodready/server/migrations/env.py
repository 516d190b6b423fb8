"""Alembic environment: runs on the connection handed over by
``prodready.server._migrate`` (never reads alembic.ini or the environment)."""

from __future__ import annotations

from alembic import context

from prodready.server._migrate import VERSION_TABLE
from prodready.server._models import Base


def _run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # pragma: no cover - we always pass one
        raise RuntimeError("run migrations through prodready.server._migrate")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_run()
