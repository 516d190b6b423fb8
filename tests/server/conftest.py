"""Fixtures for the server: a real PostgreSQL per xdist worker, fresh
databases per test (SQLite files and PostgreSQL databases cloned from a
migrated template), the app in-process over httpx's ASGI transport, tokens.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine

from prodready.server import (
    Database,
    Settings,
    create_app,
    create_token,
    load_settings,
    upgrade_schema,
)
from tests.server.postgres import PostgresServer

REPO_ROOT = Path(__file__).resolve().parents[2]
OUTPUT_DIR = REPO_ROOT / "build" / "test-output" / "server"
TEMPLATE = "prodready_template"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL per xdist worker (each worker is its own session). If it
    cannot start, every test that needs it errors: the run fails, nothing skips."""
    with PostgresServer() as server:
        url = server.create_database(TEMPLATE)
        engine = create_engine(url)
        try:
            upgrade_schema(engine)
        finally:
            engine.dispose()
        yield server


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    db = Database(f"sqlite:///{path}")
    try:
        upgrade_schema(db.engine)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.dispose()
    return path


def _sqlite_copy(template: Path, target: Path) -> str:
    target.write_bytes(template.read_bytes())
    return f"sqlite:///{target}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database: every test runs once on each backend."""
    if request.param == "sqlite":
        return _sqlite_copy(sqlite_template, tmp_path / "prodready.db")
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.fresh_database(TEMPLATE)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    return _sqlite_copy(sqlite_template, tmp_path / "prodready.db")


@pytest.fixture
def postgres_url(postgres: PostgresServer) -> str:
    return postgres.fresh_database(TEMPLATE)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Tokens:
    admin: str
    push: str
    read: str

    @staticmethod
    def header(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


def make_tokens(url: str) -> Tokens:
    db = Database(url)
    try:
        with db.write() as session:
            admin = create_token(session, name="admin", scopes=["admin"])[1]
            push = create_token(session, name="ci", scopes=["push"])[1]
            read = create_token(session, name="reader", scopes=["read"])[1]
    finally:
        db.dispose()
    return Tokens(admin=admin, push=push, read=read)


@dataclass
class Api:
    """The app in-process plus an httpx client speaking ASGI to it."""

    app: Any
    client: httpx.AsyncClient
    settings: Settings
    tokens: Tokens

    async def push(self, doc: dict[str, Any], token: str | None = None) -> httpx.Response:
        return await self.client.post(
            "/api/v1/scans", json=doc, headers=Tokens.header(token or self.tokens.push)
        )

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(path, **kwargs)


ApiFactory = Callable[..., Any]


@pytest.fixture
def api_factory(database_url: str) -> ApiFactory:
    """Build apps on this test's database: ``async with api_factory(**settings) as api``."""
    tokens = make_tokens(database_url)

    @asynccontextmanager
    async def build(**overrides: Any) -> AsyncIterator[Api]:
        settings = load_settings(environ={}, database_url=database_url, **overrides)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                yield Api(app=app, client=c, settings=settings, tokens=tokens)

    return build


@pytest.fixture
async def api(api_factory: ApiFactory) -> AsyncIterator[Api]:
    async with api_factory() as built:
        yield built


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PRODREADY_* variables from the developer's shell leak into a test."""
    for name in list(os.environ):
        if name.startswith("PRODREADY_"):
            monkeypatch.delenv(name)
