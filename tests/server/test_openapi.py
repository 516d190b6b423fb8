"""The published API contract: valid OpenAPI, committed copy current, and
the push endpoint takes the scan-result schema."""

from __future__ import annotations

import json
from pathlib import Path

from openapi_spec_validator import validate

from prodready.devtools.gendocs import _server_openapi

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_openapi_is_valid_and_committed_copy_is_current() -> None:
    generated = _server_openapi()
    spec = json.loads(generated)
    validate(spec)
    assert DOC.read_text(encoding="utf-8") == generated, "run `make docs`"


def test_push_takes_the_scan_result_and_errors_have_one_shape() -> None:
    spec = json.loads(_server_openapi())
    push = spec["paths"]["/api/v1/scans"]["post"]
    body = push["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ScanResult"}
    assert set(push["responses"]) >= {"200", "201", "400", "401", "403", "413", "415", "422"}
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            for status, response in operation["responses"].items():
                if status.startswith("4") and path.startswith("/api/"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (
                        method,
                        path,
                        status,
                    )
