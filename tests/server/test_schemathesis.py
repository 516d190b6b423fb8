"""Property-based run of the OpenAPI document against a real ``prodready
serve`` (SQLite, 127.0.0.1): no 5xx, every status and body as documented.
Bounded: a few dozen generated requests per operation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from prodready.cli.push import push_document
from prodready.server import Database, upgrade_schema
from tests.server.conftest import Tokens, make_tokens
from tests.server.documents import one
from tests.server.serve import ServeProcess

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("server-schemathesis")]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Tokens]]:
    path: Path = tmp_path_factory.mktemp("schemathesis") / "prodready.db"
    url = f"sqlite:///{path}"
    db = Database(url)
    upgrade_schema(db.engine)
    db.dispose()
    tokens = make_tokens(url)
    with ServeProcess(url) as server:
        now = datetime.now(UTC)
        for name in ["a", "b", "payments-api"]:
            for day in range(3):
                doc = one(name, at=now - timedelta(days=day), commit=f"{name}{day}", team="t")
                push_document(doc, server.url, tokens.push)
        yield server.url, tokens


@pytest.fixture(scope="session")
def api_schema(served: tuple[str, Tokens]) -> Any:
    url, _tokens = served
    return schemathesis.openapi.from_url(f"{url}/api/v1/openapi.json")


@pytest.fixture(scope="session")
def session(served: tuple[str, Tokens]) -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.headers.update(Tokens.header(served[1].admin))
        yield s


def _operations() -> list[tuple[str, str, GenerationMode]]:
    """Every operation of the document, read from the app itself (no server
    needed), in both modes; negative only where there is an input to break."""
    from prodready.server import create_app, load_settings

    app = create_app(load_settings(environ={}, database_url="sqlite:///:memory:"))
    cases = []
    for path, methods in app.openapi()["paths"].items():
        for method, operation in methods.items():
            cases.append((method.upper(), path, GenerationMode.POSITIVE))
            if operation.get("parameters") or operation.get("requestBody"):
                cases.append((method.upper(), path, GenerationMode.NEGATIVE))
    return sorted(cases)


@pytest.mark.parametrize(("method", "path", "mode"), _operations())
def test_api_conforms_to_its_openapi_document(
    method: str,
    path: str,
    mode: GenerationMode,
    api_schema: Any,
    served: tuple[str, Tokens],
    session: requests.Session,
) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: Any) -> None:
        if method == "DELETE" and path.startswith("/api/v1/tokens"):
            case.path_parameters = {"token_name": "no-such-token"}  # keep the admin token
        case.call_and_validate(base_url=served[0], session=session, checks=CHECKS, timeout=30)

    run()
