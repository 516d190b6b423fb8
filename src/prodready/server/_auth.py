"""API tokens and scopes.

A token is ``prt_`` + 256 random bits, shown once at creation. Only its
SHA-256 is stored: with that much entropy a fast hash is safe (nothing to
brute-force), and lookups stay one indexed equality (ADR 0014).

Scopes (a token may hold several)::

    read                    GET the API, pages and badges (when reads are not public)
    push                    push scans of any service
    push:service:NAME       push scans of service NAME only (``push:NAME`` is short for it)
    push:team:TEAM          push scans of services of team TEAM only
    admin                   everything, including token management
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session

from prodready.server._models import Token

TOKEN_PREFIX = "prt_"  # noqa: S105 (a public marker, not a secret)
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_LAST_USED_GRANULARITY = timedelta(minutes=5)


class ScopeError(ValueError):
    """A scope string is not one of the documented forms."""


class TokenError(ValueError):
    """A token cannot be created or revoked as asked (the message says why)."""


def normalise_scope(raw: str) -> str:
    """Validate one scope and return its canonical form."""
    scope = raw.strip()
    if scope in {"read", "push", "admin"}:
        return scope
    parts = scope.split(":")
    if parts[0] == "push" and len(parts) == 2 and parts[1]:
        return f"push:service:{parts[1]}"
    if parts[0] == "push" and len(parts) == 3 and parts[1] in {"service", "team"} and parts[2]:
        return scope
    raise ScopeError(
        f"unknown scope {raw!r}: use read, push, push:SERVICE, push:service:NAME, "
        "push:team:TEAM or admin"
    )


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's name and scopes, or anonymous (public reads)."""

    name: str | None
    scopes: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return "admin" in self.scopes

    def can_read(self) -> bool:
        return self.is_admin or "read" in self.scopes

    def can_push_any(self) -> bool:
        return self.is_admin or any(s == "push" or s.startswith("push:") for s in self.scopes)

    def can_push(self, service: str, teams: tuple[str | None, ...]) -> bool:
        """May this principal push ``service``? ``teams`` holds the team the
        document declares and, for a known service, the team it has now: a
        team-scoped token must match every one of them, so it cannot take over
        another team's service by declaring its own team."""
        if self.is_admin or "push" in self.scopes:
            return True
        if f"push:service:{service}" in self.scopes:
            return True
        known = [team for team in teams if team is not None]
        return bool(known) and all(f"push:team:{team}" in self.scopes for team in known)


ANONYMOUS = Principal(name=None, scopes=frozenset())
LOCAL_ADMIN = Principal(name=None, scopes=frozenset({"admin"}))
"""For code running with direct database access (the CLI, tests)."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def generate_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def create_token(
    session: Session,
    *,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[Token, str]:
    """Insert a token; returns the row and the secret (never stored, shown once)."""
    if not _NAME_RE.match(name):
        raise TokenError(
            f"invalid token name {name!r}: 1-100 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    if not scopes:
        raise TokenError("a token needs at least one scope (read, push[...] or admin)")
    canonical = sorted({normalise_scope(s) for s in scopes})
    if session.scalar(select(Token.id).where(Token.name == name)) is not None:
        raise TokenError(
            f"a token named {name!r} already exists (names stay reserved after revocation); "
            "choose another name, e.g. with a date suffix"
        )
    secret = generate_secret()
    token = Token(
        name=name,
        prefix=secret[:12],
        secret_hash=hash_secret(secret),
        scopes=" ".join(canonical),
        created_at=now or datetime.now(UTC),
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return token, secret


def revoke_token(session: Session, name: str, *, now: datetime | None = None) -> Token:
    token = session.scalar(select(Token).where(Token.name == name))
    if token is None:
        raise TokenError(f"no token named {name!r} (see `prodready token list`)")
    if token.revoked_at is None:
        token.revoked_at = now or datetime.now(UTC)
    return token


def list_tokens(session: Session) -> list[Token]:
    return list(session.scalars(select(Token).order_by(Token.created_at, Token.id)))


_LOOKUP = select(
    Token.__table__.c.id,
    Token.__table__.c.name,
    Token.__table__.c.scopes,
    Token.__table__.c.secret_hash,
    Token.__table__.c.expires_at,
    Token.__table__.c.revoked_at,
    Token.__table__.c.last_used_at,
).where(Token.__table__.c.secret_hash == bindparam("digest"))


@dataclass(frozen=True)
class Authenticated:
    principal: Principal
    token_id: int
    last_used_at: datetime | None


def lookup(conn: Connection, secret: str, now: datetime) -> Authenticated | None:
    """The live token with this secret (not unknown, revoked or expired), or
    None: one prepared query on a bare connection, no ORM objects (it runs
    before each API call)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    digest = hash_secret(secret)
    row = conn.execute(_LOOKUP, {"digest": digest}).one_or_none()
    if row is None or not hmac.compare_digest(row.secret_hash, digest):
        return None
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return Authenticated(
        Principal(name=row.name, scopes=frozenset(row.scopes.split())), row.id, row.last_used_at
    )


def needs_last_used_update(last_used_at: datetime | None, now: datetime) -> bool:
    """Only touch ``last_used_at`` every few minutes: reads should not write."""
    return last_used_at is None or now - last_used_at >= _LAST_USED_GRANULARITY


def touch_last_used(session: Session, token_id: int, now: datetime) -> None:
    session.execute(update(Token).where(Token.id == token_id).values(last_used_at=now))
