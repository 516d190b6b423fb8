"""The world the behaviour specifications run in: the real app in-process on
a fresh SQLite database (tests.server's ``api_factory``), driven from pytest-bdd's
synchronous steps through an anyio blocking portal, plus the steps both
feature files share (starting a server, pushing scans, reading answers)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from pytest_bdd import given, parsers, then, when

from tests.server.conftest import (  # fixtures, registered for this folder by importing them
    Api,
    ApiFactory,
    Tokens,
    api_factory,
    sqlite_template,
    sqlite_url,
)
from tests.server.documents import one
from tests.server.receiver import WebhookReceiver

__all__ = ["api_factory", "sqlite_template", "sqlite_url"]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite only: the specifications describe behaviour, tests/server covers
    both backends."""
    return sqlite_url


@dataclass
class Server:
    """One running app (lifespan, background notifier and all) whose event loop
    lives in the portal's thread, so it keeps working between steps."""

    api: Api
    portal: BlockingPortal

    def push(self, doc: dict[str, Any], token: str | None = None) -> httpx.Response:
        return self.portal.call(self.api.push, doc, token)

    def get(self, path: str, token: str | None = None) -> httpx.Response:
        headers = Tokens.header(token or self.api.tokens.read)
        return self.portal.call(partial(self.api.client.get, path, headers=headers))

    def post(self, path: str, body: dict[str, Any], token: str) -> httpx.Response:
        call = partial(self.api.client.post, path, json=body, headers=Tokens.header(token))
        return self.portal.call(call)


@dataclass
class World:
    """What a scenario builds up: the server, the scan at hand, the answers."""

    factory: ApiFactory
    stack: ExitStack
    portal: BlockingPortal
    server: Server | None = None
    scan: dict[str, Any] = field(default_factory=dict)
    token: str | None = None
    answers: list[httpx.Response] = field(default_factory=list)

    def start(self, **settings: Any) -> Server:
        api = self.stack.enter_context(
            self.portal.wrap_async_context_manager(self.factory(**settings))
        )
        self.server = Server(api, self.portal)
        return self.server

    @property
    def running(self) -> Server:
        assert self.server is not None, "a scenario must start with 'Given a prodready server'"
        return self.server

    @property
    def answer(self) -> httpx.Response:
        assert self.answers, "no request was made yet"
        return self.answers[-1]


@pytest.fixture
def world(api_factory: ApiFactory) -> Iterator[World]:
    with ExitStack() as stack:
        portal = stack.enter_context(start_blocking_portal("asyncio"))
        yield World(factory=api_factory, stack=stack, portal=portal)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A real webhook receiver on 127.0.0.1 (port 0)."""
    with WebhookReceiver() as running:
        yield running


def scan_of(
    name: str, team: str, score: float, failing: str = "", hours_ago: float = 1
) -> dict[str, Any]:
    """A one-service scan document; ``failing`` is a comma-separated list of check ids."""
    checks = tuple(c.strip() for c in failing.split(",") if c.strip())
    at = datetime.now(UTC) - timedelta(hours=hours_ago)
    # The commit names the content, so two different scans never look like a retry.
    commit = re.sub(r"[^a-z0-9]", "", f"{name}{score}{checks}{hours_ago}")
    return one(name, team=team, score=score, failing=checks, at=at, commit=commit)


# -- shared steps ---------------------------------------------------------------------


@given("a prodready server")
def _a_server(world: World) -> None:
    world.start()


@given(
    parsers.parse('CI has pushed a scan of "{name}" of team "{team}" scoring {score:g}'),
)
def _pushed(world: World, name: str, team: str, score: float) -> None:
    answer = world.running.push(scan_of(name, team, score, hours_ago=2))
    assert answer.status_code == 201, answer.text


@when("CI pushes the scan")
def _push(world: World) -> None:
    world.answers.append(world.running.push(world.scan, world.token))


@then(parsers.parse("the server answers {status:d}"))
def _answers(world: World, status: int) -> None:
    assert world.answer.status_code == status, world.answer.text
