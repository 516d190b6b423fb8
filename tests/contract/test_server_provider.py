"""Provider side of the push contract: the committed pact file (written by
test_push_consumer.py) replayed by Pact's verifier against a real
``prodready serve`` subprocess on 127.0.0.1 with a fresh, migrated SQLite
database. Nothing is added to the server for this: provider states are set
up by this test, through the CLI and the public API, from a small state
endpoint the test runs on 127.0.0.1 (pact-python's own function handler
leaves its listening socket open, a ResourceWarning, which is an error here).

Tokens: the pact cannot know a secret, the server makes them at random. So
the verifier runs once per token state: this test creates that token with
``prodready token create`` and hands its secret to the verifier as a custom
``Authorization`` header, which pact's verifier puts in place of the pact's
example header on every request of that run (``Verifier.add_custom_header``),
and ``Verifier.filter`` limits the run to the interactions given that state.
The "no token" state keeps the pact's example secret, which no token has.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pact import Verifier
from typer.testing import CliRunner

from prodready.cli.app import app
from prodready.cli.push import push_document
from tests.contract.contract import (
    NO_TOKEN,
    PACT_FILE,
    PROVIDER,
    PUSH_TOKEN,
    PUSHED_BEFORE,
    READ_TOKEN,
    TOKEN_STATES,
)
from tests.server.receiver import Received, WebhookReceiver
from tests.server.serve import ServeProcess

# token state -> (token name, scopes); None: no token is made
TOKENS: dict[str, tuple[str, tuple[str, ...]] | None] = {
    PUSH_TOKEN: ("ci", ("push",)),
    READ_TOKEN: ("reader", ("read",)),
    NO_TOKEN: None,
}


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={}, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def _interactions() -> list[dict[str, Any]]:
    interactions: list[dict[str, Any]] = json.loads(PACT_FILE.read_text(encoding="utf-8"))[
        "interactions"
    ]
    return interactions


def _states(interaction: dict[str, Any]) -> list[str]:
    return [state["name"] for state in interaction.get("providerStates", [])]


@dataclass
class Provider:
    """The running server plus what the state handler needs to set states up."""

    database_url: str
    url: str
    secrets: dict[str, str] = field(default_factory=dict)
    states_seen: list[str] = field(default_factory=list)
    state_errors: list[str] = field(default_factory=list)

    def make_token(self, state: str) -> str | None:
        spec = TOKENS[state]
        if spec is None:
            return None
        name, scopes = spec
        args = ["token", "create", "--name", name, "--db", self.database_url]
        for scope in scopes:
            args += ["--scope", scope]
        self.secrets[state] = _cli(*args)
        return self.secrets[state]

    def set_state(self, state: str) -> None:
        """Called (through the state endpoint) before each interaction, per state."""
        self.states_seen.append(state)
        if state in TOKENS:
            # made before the run (its secret is in the verifier's headers)
            assert TOKENS[state] is None or state in self.secrets, f"no token for {state!r}"
        elif state == PUSHED_BEFORE:
            self._push_the_requests_document(state)
        else:
            raise AssertionError(
                f"the pact names a provider state this test does not know: {state!r}"
            )

    def _push_the_requests_document(self, state: str) -> None:
        # the document of the interaction that names this state, pushed the
        # way the CLI does (gzip), so that the replayed request is a repeat
        (interaction,) = [i for i in _interactions() if state in _states(i)]
        document = interaction["request"]["body"]["content"]
        pushed = push_document(document, self.url, self.secrets[PUSH_TOKEN], attempts=1)
        assert pushed.created


@contextmanager
def state_endpoint(provider: Provider) -> Iterator[str]:
    """Pact's verifier POSTs ``{"state": ..., "params": ..., "action": ...}``
    here before each interaction. A failed setup is recorded and answered 200:
    the verifier retries a 5xx state change for minutes, and the test reports
    the recorded failure itself."""

    def on_post(received: Received) -> None:
        change = received.body or {}
        try:
            if change.get("action", "setup") == "setup":
                provider.set_state(str(change["state"]))
        except Exception as exc:
            provider.state_errors.append(f"{change.get('state')!r}: {type(exc).__name__}: {exc}")

    with WebhookReceiver(on_post=on_post) as receiver:
        yield f"{receiver.base}/states"


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[Provider]:
    database_url = f"sqlite:///{tmp_path / 'contract.db'}"
    _cli("db", "upgrade", "--db", database_url)
    with ServeProcess(database_url) as server:
        yield Provider(database_url=database_url, url=server.url)


def _verify(
    provider: Provider, states_url: str, token_state: str, secret: str | None
) -> dict[str, Any]:
    verifier = (
        Verifier(PROVIDER, host="127.0.0.1")
        .add_transport(url=provider.url)
        .add_source(PACT_FILE)
        .filter(state=f"^{re.escape(token_state)}$")
        .state_handler(states_url, teardown=False, body=True)
        .set_error_on_empty_pact(enabled=True)
    )
    if secret is not None:
        verifier.add_custom_header("Authorization", f"Bearer {secret}")
    try:
        verifier.verify()
    except RuntimeError as exc:
        raise AssertionError(
            f"the server breaks the contract ({token_state!r}):\n"
            + "".join(f"provider state failed: {e}\n" for e in provider.state_errors)
            + verifier.output(strip_ansi=True)
        ) from exc
    assert not provider.state_errors, provider.state_errors
    return verifier.results


def test_the_server_honours_the_clis_contract(provider: Provider) -> None:
    interactions = _interactions()
    for interaction in interactions:
        named = [s for s in _states(interaction) if s in TOKEN_STATES]
        assert len(named) == 1, f"{interaction['description']!r} must name one token state"
    verified: list[str] = []
    with state_endpoint(provider) as states_url:
        for state in TOKEN_STATES:
            if not any(state in _states(i) for i in interactions):
                continue
            results = _verify(provider, states_url, state, provider.make_token(state))
            assert results["result"], results
            verified += [r["description"] for r in results["interactionResults"]]
    # every interaction was replayed, once, and none was skipped by the filters
    assert sorted(verified) == sorted(i["description"] for i in interactions)
    assert PUSHED_BEFORE in provider.states_seen
