"""The shipped Alembic migrations create exactly the ORM schema, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from prodready.server import Database, schema_status, unmigrated_message, upgrade_schema
from prodready.server._migrate import VERSION_TABLE
from prodready.server._models import Base
from tests.server.postgres import PostgresServer


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'm.db'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.fresh_database()


def test_migrations_match_the_models(empty_url: str) -> None:
    db = Database(empty_url)
    try:
        before = schema_status(db.engine)
        assert before.is_empty
        assert not before.is_current
        assert "prodready db upgrade" in unmigrated_message(before, "db")
        after = upgrade_schema(db.engine)
        assert after.is_current
        assert upgrade_schema(db.engine).current == after.current  # idempotent
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"version_table": VERSION_TABLE, "compare_type": True}
            )
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
    finally:
        db.dispose()


def test_a_newer_schema_is_reported_as_ahead(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'ahead.db'}"
    engine = create_engine(url)
    try:
        upgrade_schema(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql(f"UPDATE {VERSION_TABLE} SET version_num = '9999'")
        status = schema_status(engine)
    finally:
        engine.dispose()
    assert status.is_ahead
    assert "newer prodready" in unmigrated_message(status, "db")
