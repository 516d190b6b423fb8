"""Tokens and scopes: hashed storage, scope rules, and a scope on every route."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from prodready.server import (
    Database,
    ScopeError,
    TokenError,
    create_app,
    create_token,
    load_settings,
    revoke_token,
)
from prodready.server._api import ops_router
from prodready.server._api import router as api_router
from prodready.server._auth import Principal, hash_secret, lookup, normalise_scope
from prodready.server._context import (
    public,
    require_admin,
    require_badge,
    require_push,
    require_read,
)
from prodready.server._models import Token
from prodready.server._pages import router as pages_router
from tests.server.conftest import Api, Tokens
from tests.server.documents import one

GUARDS = {require_read, require_push, require_admin, require_badge, public}
OPEN_OPERATIONS = {"/healthz", "/readyz"}


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("read", "read"),
        ("push", "push"),
        ("admin", "admin"),
        ("push:payments", "push:service:payments"),
        ("push:service:payments", "push:service:payments"),
        ("push:team:checkout", "push:team:checkout"),
    ],
)
def test_scopes_normalise(raw: str, canonical: str) -> None:
    assert normalise_scope(raw) == canonical


@pytest.mark.parametrize("raw", ["write", "push:", "push:team:", "push:a:b:c", "admin:x", ""])
def test_bad_scopes_are_refused_with_the_forms(raw: str) -> None:
    with pytest.raises(ScopeError, match="push:team:TEAM"):
        normalise_scope(raw)


def test_push_rules() -> None:
    service = Principal("ci", frozenset({"push:service:api"}))
    team = Principal("ci", frozenset({"push:team:pay"}))
    assert service.can_push("api", ("anything",))
    assert not service.can_push("web", ("pay",))
    assert team.can_push("api", ("pay",))
    assert team.can_push("api", ("pay", "pay"))
    # Declaring its own team does not let a team token take over another team's service.
    assert not team.can_push("api", ("pay", "search"))
    assert not team.can_push("api", (None,))
    assert Principal("x", frozenset({"push"})).can_push("api", ("x",))
    assert Principal("x", frozenset({"admin"})).can_push("api", ("x",))
    assert not Principal("x", frozenset({"read"})).can_push_any()


def test_tokens_are_stored_hashed_and_expire_and_revoke(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    now = datetime.now(UTC)
    try:
        with db.write() as session:
            _, secret = create_token(session, name="ci", scopes=["push:api", "read"])
            _, old = create_token(
                session, name="old", scopes=["read"], expires_at=now - timedelta(seconds=1)
            )
        with db.read() as session:
            stored = session.scalar(select(Token).where(Token.name == "ci"))
            assert stored is not None
            assert secret not in (stored.secret_hash, stored.prefix, stored.scopes)
            assert stored.secret_hash == hash_secret(secret)
            assert stored.scopes == "push:service:api read"
            assert lookup(session.connection(), secret, now) is not None
            assert lookup(session.connection(), secret + "x", now) is None
            assert lookup(session.connection(), old, now) is None
        with db.write() as session:
            revoke_token(session, "ci")
        with db.read() as session:
            assert lookup(session.connection(), secret, now) is None
        with db.write() as session, pytest.raises(TokenError, match="already exists"):
            create_token(session, name="ci", scopes=["read"])
        with db.write() as session, pytest.raises(TokenError, match="no token named"):
            revoke_token(session, "ghost")
        with db.write() as session, pytest.raises(TokenError, match="invalid token name"):
            create_token(session, name="bad name", scopes=["read"])
    finally:
        db.dispose()


def _guards_of(route: APIRoute) -> set[object]:
    found: set[object] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if dependant.call in GUARDS:
            found.add(dependant.call)
        stack.extend(dependant.dependencies)
    return found


def test_every_route_declares_its_access(sqlite_url: str) -> None:
    create_app(load_settings(environ={}, database_url=sqlite_url))  # includes these routers
    routes = [
        r
        for router in (api_router, ops_router, pages_router)
        for r in router.routes
        if isinstance(r, APIRoute)
    ]
    assert len(routes) > 25
    for route in routes:
        guards = _guards_of(route)
        if route.path in OPEN_OPERATIONS:
            assert not guards, route.path
            continue
        assert guards, f"{route.path} {route.methods} has no access dependency"
        if route.path.startswith("/api/v1/tokens"):
            assert require_admin in guards
        elif route.path == "/api/v1/scans" and "POST" in route.methods:
            assert require_push in guards


@pytest.mark.anyio
async def test_push_needs_a_push_scope(api: Api) -> None:
    doc = one()
    anonymous = await api.client.post("/api/v1/scans", json=doc)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.json()["error"] == "unauthorized"
    reader = await api.push(doc, token=api.tokens.read)
    assert reader.status_code == 403
    bogus = await api.push(doc, token="prt_not-a-real-token")
    assert bogus.status_code == 401
    basic = await api.client.post("/api/v1/scans", json=doc, headers={"Authorization": "Basic x"})
    assert basic.status_code == 401


@pytest.mark.anyio
async def test_service_and_team_scoped_tokens(api: Api) -> None:
    created = await api.client.post(
        "/api/v1/tokens",
        json={"name": "team-pay", "scopes": ["push:team:payments"]},
        headers=Tokens.header(api.tokens.admin),
    )
    assert created.status_code == 201, created.text
    team_token = created.json()["secret"]
    single = (
        await api.client.post(
            "/api/v1/tokens",
            json={"name": "svc-a", "scopes": ["push:svc-a"]},
            headers=Tokens.header(api.tokens.admin),
        )
    ).json()["secret"]
    assert (await api.push(one("svc-a", team="search"), token=single)).status_code == 201
    assert (await api.push(one("svc-b", team="search"), token=single)).status_code == 403
    assert (await api.push(one("pay-1", team="payments"), token=team_token)).status_code == 201
    # svc-a belongs to search: claiming it for payments with a payments token is refused.
    hijack = await api.push(one("svc-a", team="payments", commit="zz"), token=team_token)
    assert hijack.status_code == 403
    assert "svc-a" in hijack.json()["detail"]
    assert (await api.push(one("x", team=None), token=team_token)).status_code == 403


@pytest.mark.anyio
async def test_token_api_is_admin_only_and_never_shows_secrets(api: Api) -> None:
    for token in (None, api.tokens.read, api.tokens.push):
        headers = Tokens.header(token) if token else {}
        assert (await api.client.get("/api/v1/tokens", headers=headers)).status_code in (401, 403)
    listed = await api.client.get("/api/v1/tokens", headers=Tokens.header(api.tokens.admin))
    assert listed.status_code == 200
    names = {t["name"] for t in listed.json()}
    assert names == {"admin", "ci", "reader"}
    assert api.tokens.push not in listed.text
    duplicate = await api.client.post(
        "/api/v1/tokens",
        json={"name": "ci", "scopes": ["read"]},
        headers=Tokens.header(api.tokens.admin),
    )
    assert duplicate.status_code == 409
    bad = await api.client.post(
        "/api/v1/tokens",
        json={"name": "x", "scopes": ["root"]},
        headers=Tokens.header(api.tokens.admin),
    )
    assert bad.status_code == 422
    revoked = await api.client.delete("/api/v1/tokens/ci", headers=Tokens.header(api.tokens.admin))
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert (await api.push(one())).status_code == 401


@pytest.mark.anyio
async def test_private_reads_need_a_token_or_the_login_cookie(api_factory) -> None:  # type: ignore[no-untyped-def]
    async with api_factory(public_reads=False) as api:
        assert (await api.push(one("svc"))).status_code == 201
        assert (await api.get("/api/v1/services")).status_code == 401
        assert (await api.get("/metrics")).status_code == 401
        assert (await api.get("/badge/svc.svg")).status_code == 401
        page = await api.get("/services/svc")
        assert page.status_code == 401
        assert "/login?next=" in page.text
        assert (await api.get("/healthz")).status_code == 200
        ok = await api.get("/api/v1/services", headers=Tokens.header(api.tokens.read))
        assert ok.status_code == 200
        pusher = await api.get("/api/v1/services", headers=Tokens.header(api.tokens.push))
        assert pusher.status_code == 403
        wrong = await api.client.post(
            "/login", content=f"token={api.tokens.push}&next=/services/svc"
        )
        assert wrong.status_code == 401
        login = await api.client.post(
            "/login",
            content=f"token={api.tokens.read}&next=//evil.example/",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert login.status_code == 303
        assert login.headers["location"] == "/"
        cookie = login.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie or "samesite=strict" in cookie.lower()
        page = await api.get("/services/svc")
        assert page.status_code == 200
        logout = await api.client.post("/logout")
        assert logout.status_code == 303
        assert (await api.get("/services/svc")).status_code == 401
    async with api_factory(public_reads=False, public_badges=True) as api:
        assert (await api.get("/badge/svc.svg")).status_code == 200
