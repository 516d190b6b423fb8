"""Error tracking: with a Sentry DSN, an unhandled error reaches the tracker
(here a real HTTP server on 127.0.0.1 speaking the envelope endpoint), with
the release and without the caller's token; without a DSN, nothing is sent
and the SDK is not even imported for it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from prodready.server import SettingsError, create_app, load_settings
from tests.server.receiver import WebhookReceiver

pytestmark = pytest.mark.anyio

SECRET = "prt_this_token_must_not_leave_the_server"


class FakeSentry(WebhookReceiver):
    """Takes Sentry's ``POST /api/<project>/envelope/`` like any webhook."""

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self.server.server_address[1]}/42"

    @property
    def envelopes(self) -> list[str]:
        return [received.text for received in self.received]


@pytest.fixture
def sentry() -> Iterator[FakeSentry]:
    import sentry_sdk

    with FakeSentry() as fake:
        try:
            yield fake
        finally:
            sentry_sdk.get_client().close(timeout=2)
            sentry_sdk.init(dsn=None)  # a disabled client for the rest of this worker


async def test_an_unhandled_error_reaches_the_tracker(sqlite_url: str, sentry: FakeSentry) -> None:
    import sentry_sdk

    settings = load_settings(
        environ={"PRODREADY_SENTRY_DSN": sentry.dsn, "PRODREADY_SENTRY_ENVIRONMENT": "test"},
        database_url=sqlite_url,
    )
    app = create_app(settings, start_notifier=False)

    @app.get("/api/v1/boom")
    async def boom() -> None:
        raise RuntimeError("a bug the tracker must see")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        answer = await client.get("/api/v1/boom", headers={"Authorization": f"Bearer {SECRET}"})
        assert answer.status_code == 500
        assert answer.json()["error"] == "internal_error"
        assert (await client.get("/healthz")).status_code == 200
    sentry_sdk.flush(timeout=5)
    errors = [e for e in sentry.envelopes if "a bug the tracker must see" in e]
    assert len(errors) == 1, sentry.envelopes
    assert "RuntimeError" in errors[0]
    assert "prodready@" in errors[0]
    assert '"environment":"test"' in errors[0].replace(" ", "")
    assert SECRET not in "".join(sentry.envelopes)


def test_without_a_dsn_nothing_is_initialised(sqlite_url: str) -> None:
    import sentry_sdk

    sentry_sdk.init(dsn=None)  # whatever an earlier test in this worker left
    create_app(load_settings(environ={}, database_url=sqlite_url), start_notifier=False)
    assert sentry_sdk.get_client().dsn is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PRODREADY_SENTRY_DSN", "not-a-dsn"),
        ("PRODREADY_SENTRY_TRACES_SAMPLE_RATE", "1.5"),
    ],
)
def test_bad_error_tracking_settings_are_named(variable: str, value: str, sqlite_url: str) -> None:
    with pytest.raises(SettingsError, match=variable.removeprefix("PRODREADY_").lower()):
        load_settings(environ={variable: value}, database_url=sqlite_url)
