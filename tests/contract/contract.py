"""What the consumer and provider tests share: the parties' names, the
committed pact file and the provider states the pact may name.

The pact file is an artefact reviewers read (a change to it is a change to
what the CLI relies on); the consumer tests check that it is exactly what
they produce, and the provider test verifies that committed file. To update
it after changing an interaction:

    rm tests/contract/pacts/prodready-cli-prodready-server.json
    PRODREADY_UPDATE_PACTS=1 .venv/bin/python -m pytest tests/contract/test_push_consumer.py -n 0
"""

from __future__ import annotations

from pathlib import Path

CONSUMER = "prodready-cli"
PROVIDER = "prodready-server"
PACT_DIR = Path(__file__).resolve().parent / "pacts"
PACT_FILE = PACT_DIR / f"{CONSUMER}-{PROVIDER}.json"
UPDATE_ENV = "PRODREADY_UPDATE_PACTS"

# Provider states. Every interaction names exactly one of the token states,
# which the provider test maps to a real token (see test_server_provider.py).
PUSH_TOKEN = "a push token ci exists"
READ_TOKEN = "a read-only token reader exists"
NO_TOKEN = "no token has the secret sent"
PUSHED_BEFORE = "the document in the request was pushed before"
TOKEN_STATES = (PUSH_TOKEN, READ_TOKEN, NO_TOKEN)
