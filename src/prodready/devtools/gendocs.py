"""Generate the documents that are derived from code, and check them for drift.

Every generated file is listed in ``GENERATORS`` with the function that
produces its text. ``--write`` rewrites them; ``--check`` (run by
``make test``) fails when a committed file differs from what the code says,
so docs cannot silently fall behind the code.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from prodready.scan.model import scan_result_json_schema

Generator = Callable[[], str]


def _scan_result_schema() -> str:
    return json.dumps(scan_result_json_schema(), indent=2, sort_keys=True) + "\n"


def _checks_catalogue() -> str:
    # Built-ins only: plugins installed on one machine must not change the docs.
    from prodready.scan.checks.catalogue import render_catalogue
    from prodready.scan.checks.registry import load_registry

    return render_catalogue(load_registry(include_plugins=False))


def _load_result_schema() -> str:
    from prodready.load import load_result_json_schema

    return json.dumps(load_result_json_schema(), indent=2, sort_keys=True) + "\n"


def _server_openapi() -> str:
    # The API contract of `prodready serve`, from the app itself (no database opened).
    from prodready.server import create_app, load_settings

    app = create_app(load_settings(environ={}, database_url="sqlite:///:memory:"))
    return json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"


GENERATORS: dict[str, Generator] = {
    "docs/schema/scan-result.schema.json": _scan_result_schema,
    "docs/checks.md": _checks_catalogue,
    "docs/schema/load-result.schema.json": _load_result_schema,
    "docs/openapi.json": _server_openapi,
}


def stale_documents(root: Path) -> list[str]:
    """Relative paths of generated documents whose content differs from the code."""
    stale = []
    for rel, generate in GENERATORS.items():
        path = root / rel
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != generate():
            stale.append(rel)
    return stale


def write_documents(root: Path) -> list[str]:
    written = []
    for rel, generate in GENERATORS.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = generate()
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(rel)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="rewrite generated documents")
    mode.add_argument("--check", action="store_true", help="fail when a document is stale")
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    if args.write:
        for rel in write_documents(args.root):
            print(f"wrote {rel}")
        return 0
    stale = stale_documents(args.root)
    for rel in stale:
        print(f"stale: {rel} (run `make docs`)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
