"""Commands of the scanner: scan, checks, explain, init, schema."""

from __future__ import annotations

import json

import typer

from prodready.scan.model import scan_result_json_schema


def schema() -> None:
    """Print the JSON Schema of the scan result (the contract the server ingests)."""
    typer.echo(json.dumps(scan_result_json_schema(), indent=2, sort_keys=True))


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)
