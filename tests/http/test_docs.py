"""docs/http.md stays true: its Python compiles, its testing example runs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import prodready.http as http

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "http.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.DOTALL)


def test_every_python_block_compiles() -> None:
    blocks = python_blocks()
    assert len(blocks) >= 10
    for number, block in enumerate(blocks):
        compile(block, f"docs/http.md block {number}", "exec")


def test_the_testing_example_runs() -> None:
    (example,) = [b for b in python_blocks() if "def test_retries_then_gives_up" in b]
    namespace: dict[str, object] = {}
    exec(compile(example, "docs/http.md", "exec"), namespace)
    namespace["test_retries_then_gives_up"]()  # type: ignore[operator]


def test_imports_in_the_guide_exist() -> None:
    imported = 0
    for block in python_blocks():
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.ImportFrom) and node.module == "prodready.http":
                for alias in node.names:
                    imported += 1
                    assert hasattr(http, alias.name), f"docs/http.md imports {alias.name!r}"
    assert imported > 20


def test_the_guide_names_every_exception() -> None:
    text = GUIDE.read_text()
    for name in http.__all__:
        obj = getattr(http, name)
        if isinstance(obj, type) and issubclass(obj, http.HTTPError):
            assert name in text, f"{name} is not in docs/http.md"
