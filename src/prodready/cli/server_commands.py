"""Commands of the server: serve, push, token create/list/revoke, db upgrade/current.

Every command that opens the database takes ``--db`` (or
``PRODREADY_DATABASE_URL``); the default is a SQLite file in the user data
directory, so ``prodready db upgrade && prodready serve`` works with no setup.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

EXIT_USAGE = 2

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (sqlite:///path, postgresql://user@host/db) or a SQLite file path. "
        "Default: $PRODREADY_DATABASE_URL, else a SQLite file in the user data dir.",
        show_default=False,
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="TOML settings file (a \\[server] table); default: $PRODREADY_CONFIG.",
        show_default=False,
    ),
]


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    typer.echo(f"prodready: {message}", err=True)
    return typer.Exit(code)


def _settings(db: str | None, config: Path | None = None, **overrides: Any) -> Any:
    from prodready.server import SettingsError, load_settings

    try:
        return load_settings(config_file=config, database_url=db, **overrides)
    except SettingsError as exc:
        raise _fail(str(exc)) from None


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _database(settings: Any) -> Any:
    from prodready.server import Database

    return Database(
        settings.database_url,
        pool_size=settings.pool_size,
        sqlite_synchronous=settings.sqlite_synchronous,
    )


def _db_error(exc: Exception, url: str) -> typer.Exit:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return _fail(f"cannot use the database {_redacted(url)}: {reason}")


# --- serve -------------------------------------------------------------------------------


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free port).")] = 8000,
    migrate: Annotated[
        bool, typer.Option("--migrate", help="Apply pending migrations before starting.")
    ] = False,
    config: ConfigOption = None,
    public_reads: Annotated[
        bool | None,
        typer.Option(
            "--public-reads/--private-reads",
            help="Whether reading (API, pages, badges) needs a token. Default: public.",
            show_default=False,
        ),
    ] = None,
    log_level: Annotated[
        str | None, typer.Option(help="debug, info, warning or error.", show_default=False)
    ] = None,
) -> None:
    """Run the dashboard and API server (Ctrl-C or SIGTERM stops it gracefully).

    Refuses to start on a database whose schema is not current: run
    `prodready db upgrade` first, or pass --migrate.
    """
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from prodready.server import create_app, schema_status, unmigrated_message, upgrade_schema
    from prodready.server._observability import configure_logging

    settings = _settings(db, config, public_reads=public_reads, log_level=log_level)
    database = _database(settings)
    try:
        status = schema_status(database.engine)
        if not status.is_current and migrate and not status.is_ahead:
            status = upgrade_schema(database.engine)
            typer.echo(f"prodready: migrated the database to {', '.join(status.current)}", err=True)
        if not status.is_current:
            raise _fail(unmigrated_message(status, _redacted(settings.database_url)))
    except SQLAlchemyError as exc:
        raise _db_error(exc, settings.database_url) from None
    finally:
        database.dispose()

    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        raise _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    actual_port = sock.getsockname()[1]
    configure_logging(settings.log_level)
    app = create_app(settings)
    shown_host = f"[{host}]" if ":" in host else host
    typer.echo(
        f"prodready serve: listening on http://{shown_host}:{actual_port} "
        f"(database {_redacted(settings.database_url)})"
    )
    sys.stdout.flush()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=20,
            server_header=False,
            lifespan="on",
        )
    )
    # uvicorn re-raises the stop signal once it has drained; with these no-op
    # handlers restored underneath it, a graceful stop then exits 0.
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda *_: None)
    server.run(sockets=[sock])
    if not server.started:
        raise typer.Exit(EXIT_USAGE)


# --- push --------------------------------------------------------------------------------


def push(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Scan result JSON files (`prodready scan --format json`); '-' reads stdin."
        ),
    ],
    server: Annotated[
        str | None,
        typer.Option(
            help="Server URL, e.g. http://localhost:8000 ($PRODREADY_SERVER).", show_default=False
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(help="API token with a push scope ($PRODREADY_TOKEN).", show_default=False),
    ] = None,
    attempts: Annotated[int, typer.Option(min=1, max=20, help="Tries per file.")] = 5,
) -> None:
    """Push scan results to a prodready server (retries are safe).

    The server stores a document once and answers a repeat with the same scan id.
    """
    from prodready.cli.push import PushError, push_document, server_breaker

    server = server or os.environ.get("PRODREADY_SERVER")
    token = token or os.environ.get("PRODREADY_TOKEN") or None
    if not server:
        raise _fail("no server: pass --server URL or set PRODREADY_SERVER")
    try:
        breaker = server_breaker(server)  # shared: a dead server is found out once
    except PushError as exc:
        raise _fail(str(exc)) from None
    failures = 0
    for path in files:
        name = "stdin" if str(path) == "-" else str(path)
        try:
            text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
            document = json.loads(text)
        except OSError as exc:
            typer.echo(f"prodready: {name}: cannot read ({exc.strerror or exc})", err=True)
            failures += 1
            continue
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            typer.echo(f"prodready: {name}: not a JSON document ({exc})", err=True)
            failures += 1
            continue
        if not isinstance(document, dict):
            typer.echo(f"prodready: {name}: expected a JSON object (a scan result)", err=True)
            failures += 1
            continue
        try:
            result = push_document(document, server, token, attempts=attempts, breaker=breaker)
        except PushError as exc:
            typer.echo(f"prodready: {name}: {exc}", err=True)
            failures += 1
            continue
        state = "stored" if result.created else "already stored"
        services = ", ".join(s.get("name", "?") for s in result.services)
        typer.echo(f"{name}: scan {result.scan_id} {state} ({services})")
    if failures:
        raise typer.Exit(EXIT_USAGE)


# --- tokens ---------------------------------------------------------------------------------

token_app = typer.Typer(
    help="Create, list and revoke API tokens (secrets are shown once, stored hashed).",
    no_args_is_help=True,
)


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option("--name", help="Unique name, e.g. ci-payments.")],
    scope: Annotated[
        list[str],
        typer.Option(
            "--scope",
            help="read, push, push:SERVICE, push:service:NAME, push:team:TEAM or admin "
            "(repeatable).",
        ),
    ],
    expires_in_days: Annotated[
        int | None, typer.Option(min=1, max=3650, help="Expire after this many days.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Create a token and print its secret (the only time it is shown)."""
    from sqlalchemy.exc import SQLAlchemyError

    from prodready.server import ScopeError, TokenError, create_token

    settings = _settings(db)
    database = _database(settings)
    now = datetime.now(UTC)
    expires = now + timedelta(days=expires_in_days) if expires_in_days else None
    try:
        _require_schema(database, settings.database_url)
        with database.write() as session:
            token, secret = create_token(
                session, name=name, scopes=scope, expires_at=expires, now=now
            )
            scopes = token.scopes
    except (TokenError, ScopeError) as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _db_error(exc, settings.database_url) from None
    finally:
        database.dispose()
    typer.echo(secret)
    typer.echo(
        f"prodready: created token {name!r} with scopes {scopes}"
        + (f", expiring {expires:%Y-%m-%d}" if expires else "")
        + ". Store the secret now: it cannot be shown again.",
        err=True,
    )


@token_app.command("list")
def token_list(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List tokens: name, scopes, created, last used, expiry, revocation."""
    from sqlalchemy.exc import SQLAlchemyError

    from prodready.server import list_tokens

    settings = _settings(db)
    database = _database(settings)
    try:
        _require_schema(database, settings.database_url)
        with database.read() as session:
            tokens = list_tokens(session)
    except SQLAlchemyError as exc:
        raise _db_error(exc, settings.database_url) from None
    finally:
        database.dispose()

    def when(value: datetime | None) -> str | None:
        return value.isoformat(timespec="seconds") if value else None

    rows: list[dict[str, Any]] = [
        {
            "name": t.name,
            "prefix": t.prefix,
            "scopes": t.scopes.split(),
            "created_at": when(t.created_at),
            "last_used_at": when(t.last_used_at),
            "expires_at": when(t.expires_at),
            "revoked_at": when(t.revoked_at),
        }
        for t in tokens
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("no tokens (create one with `prodready token create --name NAME --scope push`)")
        return
    for row in rows:
        state = "revoked" if row["revoked_at"] else "active"
        typer.echo(
            f"{row['name']:<24} {row['prefix']}…  {state:<8} {' '.join(row['scopes']):<30} "
            f"created {row['created_at']}  last used {row['last_used_at'] or 'never'}"
            + (f"  expires {row['expires_at']}" if row["expires_at"] else "")
        )


@token_app.command("revoke")
def token_revoke(
    name: Annotated[str, typer.Argument(help="Name of the token to revoke.")],
    db: DbOption = None,
) -> None:
    """Revoke a token; requests with it fail from now on."""
    from sqlalchemy.exc import SQLAlchemyError

    from prodready.server import TokenError, revoke_token

    settings = _settings(db)
    database = _database(settings)
    try:
        _require_schema(database, settings.database_url)
        with database.write() as session:
            revoke_token(session, name)
    except TokenError as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _db_error(exc, settings.database_url) from None
    finally:
        database.dispose()
    typer.echo(f"revoked token {name!r}")


def _require_schema(database: Any, url: str) -> None:
    from prodready.server import schema_status, unmigrated_message

    status = schema_status(database.engine)
    if not status.is_current:
        raise _fail(unmigrated_message(status, _redacted(url)))


# --- database ------------------------------------------------------------------------------------

db_app = typer.Typer(
    help="Database schema migrations (Alembic, shipped with prodready).", no_args_is_help=True
)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create or upgrade the schema to the latest version (safe to run repeatedly)."""
    from sqlalchemy.exc import SQLAlchemyError

    from prodready.server import schema_status, unmigrated_message, upgrade_schema

    settings = _settings(db)
    database = _database(settings)
    try:
        before = schema_status(database.engine)
        if before.is_ahead:
            raise _fail(unmigrated_message(before, _redacted(settings.database_url)))
        after = upgrade_schema(database.engine)
    except SQLAlchemyError as exc:
        raise _db_error(exc, settings.database_url) from None
    finally:
        database.dispose()
    where = _redacted(settings.database_url)
    if before.current == after.current:
        typer.echo(f"{where}: already at {', '.join(after.current)}")
    else:
        old = ", ".join(before.current) or "(empty)"
        typer.echo(f"{where}: upgraded {old} -> {', '.join(after.current)}")


@db_app.command("current")
def db_current(
    db: DbOption = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when the schema is not current.")
    ] = False,
) -> None:
    """Show the schema revision of the database and the one this prodready needs."""
    from sqlalchemy.exc import SQLAlchemyError

    from prodready.server import schema_status

    settings = _settings(db)
    database = _database(settings)
    try:
        status = schema_status(database.engine)
    except SQLAlchemyError as exc:
        raise _db_error(exc, settings.database_url) from None
    finally:
        database.dispose()
    state = "current" if status.is_current else ("ahead" if status.is_ahead else "needs upgrade")
    typer.echo(
        f"{_redacted(settings.database_url)}: at {', '.join(status.current) or '(empty)'}, "
        f"head {', '.join(status.heads)} ({state})"
    )
    if check and not status.is_current:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("push")(push)
    app.add_typer(token_app, name="token")
    app.add_typer(db_app, name="db")
