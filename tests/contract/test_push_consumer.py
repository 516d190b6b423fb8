"""Consumer side of the push contract: the real ``push_document`` (what
``prodready push`` and ``prodready scan --push`` call) against Pact's mock
server on 127.0.0.1. Each test states one interaction the CLI relies on,
checks that the client reads the answer the way the CLI needs, and that the
committed pact file holds exactly that interaction (the provider test
verifies the committed file against a real ``prodready serve``).

The client pushes plain JSON here (``compress=False``): Pact's mock server
cannot decode a ``Content-Encoding: gzip`` request body (it tries to parse
the gzip bytes as JSON and reports a body mismatch), so the contract
describes the plain-JSON form, which the server accepts as well. The gzip
path is covered against the real server in tests/server.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from pact import Pact, match

from prodready.cli.push import PushError, PushResult, push_document
from tests.contract.contract import (
    CONSUMER,
    NO_TOKEN,
    PACT_DIR,
    PACT_FILE,
    PROVIDER,
    PUSH_TOKEN,
    PUSHED_BEFORE,
    READ_TOKEN,
    UPDATE_ENV,
)
from tests.server.documents import one

# Consumer tests merge into one pact file when updating it: keep them in one worker.
pytestmark = pytest.mark.xdist_group("pact-consumer")

FIRST_PUSH = "a first push of a scan document"
REPLAY = "a push of a document the server already has"
UNKNOWN_TOKEN = "a push with a token the server does not know"
NO_PUSH_SCOPE = "a push with a token without the push scope"
INVALID = "a push of a document that is not a valid scan result"
DESCRIPTIONS = (FIRST_PUSH, REPLAY, UNKNOWN_TOKEN, NO_PUSH_SCOPE, INVALID)

# Examples only: the provider test puts real secrets in (tokens are random).
EXAMPLE_PUSH_SECRET = "prt_contract-example-push-token"
EXAMPLE_READ_SECRET = "prt_contract-example-read-token"
EXAMPLE_UNKNOWN_SECRET = "prt_contract-example-unknown-token"

FIRST_DOCUMENT = one("payments-api", commit="c0ffee1")
REPLAYED_DOCUMENT = one("payments-api", commit="c0ffee2")


def _invalid_document() -> dict[str, Any]:
    document = one("payments-api", commit="c0ffee3")
    document["score"] = "high"  # a number in 0..100 or null
    return document


@pytest.fixture
def pact() -> Pact:
    return Pact(CONSUMER, PROVIDER).with_specification("V4")


def _request(pact: Pact, description: str, secret: str, document: Any, *states: str) -> Any:
    interaction = pact.upon_receiving(description)
    for state in states:
        interaction = interaction.given(state)
    return (
        interaction.with_request("POST", "/api/v1/scans")
        .with_header("Content-Type", "application/json")
        .with_header("Accept", "application/json")
        .with_header(
            "Authorization", match.regex(f"Bearer {secret}", regex=r"^Bearer prt_[A-Za-z0-9_-]+$")
        )
        .with_header(
            "Idempotency-Key",
            match.regex("0" * 64, regex=r"^[0-9a-f]{64}$"),
        )
        # types, not values: any scan document of this shape
        .with_body(match.like(document), "application/json")
    )


def _stored(created: bool) -> dict[str, Any]:
    return {
        "id": match.int(42),
        "created": created,
        "services": match.each_like(
            {
                "name": match.str("payments-api"),
                "is_latest": match.bool(True),
                "url": match.regex(
                    "/api/v1/services/payments-api/scans/42",
                    regex=r"^/api/v1/services/[^/]+/scans/\d+$",
                ),
            }
        ),
        "url": match.regex("/api/v1/scans/42", regex=r"^/api/v1/scans/\d+$"),
    }


def _error(code: str) -> dict[str, Any]:
    return {"error": match.str(code), "detail": match.str("what went wrong, in a sentence")}


def _push(pact: Pact, document: dict[str, Any], secret: str) -> PushResult:
    with pact.serve(addr="127.0.0.1") as server:
        # attempts=1: a contract answer is final; nothing here may be retried
        return push_document(document, str(server.url), secret, attempts=1, compress=False)


def _refused(pact: Pact, document: dict[str, Any], secret: str) -> PushError:
    with pact.serve(addr="127.0.0.1") as server, pytest.raises(PushError) as refused:
        push_document(document, str(server.url), secret, attempts=1, compress=False)
    return refused.value


def _check_recorded(pact: Pact, tmp_path: Path) -> None:
    """The committed pact holds exactly the interaction this test produced."""
    if os.environ.get(UPDATE_ENV) == "1":
        pact.write_file(PACT_DIR)  # merges into the committed file
        return
    pact.write_file(tmp_path, overwrite=True)
    produced = json.loads((tmp_path / PACT_FILE.name).read_text(encoding="utf-8"))
    committed = {
        item["description"]: item
        for item in json.loads(PACT_FILE.read_text(encoding="utf-8"))["interactions"]
    }
    for interaction in produced["interactions"]:
        assert interaction == committed.get(interaction["description"]), (
            f"{PACT_FILE.name} is out of date for {interaction['description']!r}; "
            f"regenerate it (see tests/contract/contract.py)"
        )


def test_a_first_push_is_stored_with_201(pact: Pact, tmp_path: Path) -> None:
    (
        _request(pact, FIRST_PUSH, EXAMPLE_PUSH_SECRET, FIRST_DOCUMENT, PUSH_TOKEN)
        .will_respond_with(201)
        .with_body(_stored(created=True), "application/json")
    )
    result = _push(pact, FIRST_DOCUMENT, EXAMPLE_PUSH_SECRET)
    assert result.created is True
    assert result.scan_id == 42
    assert [s["name"] for s in result.services] == ["payments-api"]
    assert result.url == "/api/v1/scans/42"
    _check_recorded(pact, tmp_path)


def test_the_same_document_again_answers_200_not_created(pact: Pact, tmp_path: Path) -> None:
    (
        _request(pact, REPLAY, EXAMPLE_PUSH_SECRET, REPLAYED_DOCUMENT, PUSH_TOKEN, PUSHED_BEFORE)
        .will_respond_with(200)
        .with_body(_stored(created=False), "application/json")
    )
    result = _push(pact, REPLAYED_DOCUMENT, EXAMPLE_PUSH_SECRET)
    assert result.created is False  # "already stored", the CLI says
    assert result.scan_id == 42
    _check_recorded(pact, tmp_path)


@pytest.mark.parametrize(
    ("interaction", "secret", "state", "status", "error", "shown"),
    [
        (UNKNOWN_TOKEN, EXAMPLE_UNKNOWN_SECRET, NO_TOKEN, 401, "unauthorized", "(HTTP 401)"),
        # the detail reaches the user
        (NO_PUSH_SCOPE, EXAMPLE_READ_SECRET, READ_TOKEN, 403, "forbidden", "in a sentence"),
    ],
    ids=["unknown-token-401", "no-push-scope-403"],
)
def test_a_token_that_may_not_push_is_refused(
    pact: Pact,
    tmp_path: Path,
    interaction: str,
    secret: str,
    state: str,
    status: int,
    error: str,
    shown: str,
) -> None:
    (
        _request(pact, interaction, secret, FIRST_DOCUMENT, state)
        .will_respond_with(status)
        .with_body(_error(error), "application/json")
    )
    refused = _refused(pact, FIRST_DOCUMENT, secret)
    assert refused.status == status
    assert shown in str(refused)
    _check_recorded(pact, tmp_path)


def test_an_invalid_document_is_refused_with_422_and_its_problems(
    pact: Pact, tmp_path: Path
) -> None:
    document = _invalid_document()
    (
        _request(pact, INVALID, EXAMPLE_PUSH_SECRET, document, PUSH_TOKEN)
        .will_respond_with(422)
        .with_body(
            {
                **_error("invalid_document"),
                "errors": match.each_like(
                    {"loc": match.each_like(match.str("score")), "msg": match.str("not a number")}
                ),
            },
            "application/json",
        )
    )
    refused = _refused(pact, document, EXAMPLE_PUSH_SECRET)
    assert refused.status == 422
    assert "  score: not a number" in str(refused)  # the CLI prints every problem
    _check_recorded(pact, tmp_path)


def test_the_committed_pact_holds_exactly_these_interactions() -> None:
    pact = json.loads(PACT_FILE.read_text(encoding="utf-8"))
    assert pact["consumer"]["name"] == CONSUMER
    assert pact["provider"]["name"] == PROVIDER
    assert sorted(i["description"] for i in pact["interactions"]) == sorted(DESCRIPTIONS)
