"""Engine and sessions for SQLite and PostgreSQL, with one write discipline.

SQLite serialises writers anyway; letting 40 threads race for its lock means
each loser sleeps in SQLite's busy handler (up to 100 ms a try), which wrecks
ingest latency. So, in one process, SQLite writes queue on a ``threading.Lock``
and open with ``BEGIN IMMEDIATE`` (the write lock is taken up front, never
upgraded mid-transaction, which is where "database is locked" comes from);
``busy_timeout`` still covers other processes (``prodready token create``
while the server runs). PostgreSQL needs none of this: rows are locked where
the ingest code asks (``SELECT ... FOR UPDATE``).

Group commit (``run_write``): on SQLite, a commit is an fsync of the WAL,
and writers queue anyway. So the thread that gets the write lock runs every
write queued behind it too, each in its own SAVEPOINT (one failing rolls back
alone), and commits them all with one fsync; each caller gets its own result
or exception only after that COMMIT. Durability per acknowledged write is
unchanged, throughput under concurrency goes up (ADR 0012).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

SQLITE_BUSY_TIMEOUT_SECONDS = 30.0
MAX_GROUP_COMMIT = 64

T = TypeVar("T")


class _Pending(Generic[T]):
    """One queued write: its function, then its outcome."""

    __slots__ = ("done", "error", "fn", "value")

    def __init__(self, fn: Callable[[Session], T]) -> None:
        self.fn = fn
        self.done = False
        self.value: T | None = None
        self.error: BaseException | None = None

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


class Database:
    """An engine plus the session discipline every caller goes through."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        sqlite_synchronous: str = "FULL",
        echo: bool = False,
    ) -> None:
        self.url = url
        self.engine = create_db_engine(
            url, pool_size=pool_size, sqlite_synchronous=sqlite_synchronous, echo=echo
        )
        self.dialect = self.engine.dialect.name
        self._read = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._write = sessionmaker(
            self.engine.execution_options(prodready_write=True),
            expire_on_commit=False,
            autoflush=False,
        )
        self._write_lock: threading.Lock | None = (
            threading.Lock() if self.dialect == "sqlite" else None
        )
        self._queue: list[_Pending[Any]] = []
        self._queue_lock = threading.Lock()

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work. Closing (not rolling back) ends it, so rows
        loaded inside stay readable afterwards; the pool resets the connection."""
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed when the block exits cleanly, rolled
        back on any exception. Callers acknowledge only after this returns."""
        guard = self._write_lock if self._write_lock is not None else nullcontext()
        with guard, self._write() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def run_write(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` in a committed write; its return value (or its
        exception) is handed back after COMMIT. Grouped on SQLite (see above)."""
        if self._write_lock is None:
            with self.write() as session:
                return fn(session)
        item: _Pending[T] = _Pending(fn)
        with self._queue_lock:
            self._queue.append(item)
        with self._write_lock:
            if not item.done:
                with self._queue_lock:
                    batch, self._queue = (
                        self._queue[:MAX_GROUP_COMMIT],
                        self._queue[MAX_GROUP_COMMIT:],
                    )
                self._run_batch(batch)
        return item.outcome()

    def _run_batch(self, batch: list[_Pending[Any]]) -> None:
        try:
            with self._write() as session:
                try:
                    for pending in batch:
                        savepoint = session.begin_nested()
                        try:
                            pending.value = pending.fn(session)
                            savepoint.commit()
                        except Exception as exc:
                            savepoint.rollback()
                            pending.error = exc
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        except BaseException as exc:  # the COMMIT failed: nothing in the batch is stored
            for pending in batch:
                pending.error = pending.error or exc
                pending.value = None
        finally:
            for pending in batch:
                pending.done = True

    def dispose(self) -> None:
        self.engine.dispose()


def create_db_engine(
    url: str, *, pool_size: int = 10, sqlite_synchronous: str = "FULL", echo: bool = False
) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, sqlite_synchronous=sqlite_synchronous, echo=echo)
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=30,
        pool_pre_ping=True,
        pool_recycle=1800,
        echo=echo,
        connect_args={"connect_timeout": 10, "application_name": "prodready"},
    )


def _sqlite_engine(url: str, *, sqlite_synchronous: str, echo: bool) -> Engine:
    database = make_url(url).database
    connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
    if not database or database == ":memory:":
        # One shared connection, or every session would see its own empty database.
        engine = create_engine(url, echo=echo, poolclass=StaticPool, connect_args=connect_args)
    else:
        if not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, pool_size=20, max_overflow=20, connect_args=connect_args
        )
    synchronous = "FULL" if sqlite_synchronous.upper() == "FULL" else "NORMAL"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module; we emit BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}")
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.execute("PRAGMA temp_store=MEMORY")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get("prodready_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
