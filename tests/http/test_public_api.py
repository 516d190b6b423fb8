"""The public surface: exactly what __all__ lists, sorted, and nothing from other parts."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import httpx

import prodready.http as http
from prodready.http import backoff

SRC = Path(http.__file__).parent


def _isort_key(name: str) -> tuple[int, str]:
    # The order ruff's RUF022 enforces: CONSTANTS, then Classes, then the rest.
    if name.isupper():
        return (0, name)
    if name[0].isupper():
        return (1, name)
    return (2, name)


def test_all_is_sorted_and_unique() -> None:
    assert http.__all__ == sorted(http.__all__, key=_isort_key)
    assert len(set(http.__all__)) == len(http.__all__)


def test_all_names_exactly_the_public_attributes() -> None:
    public = {name for name in vars(http) if not name.startswith("_")}
    assert public == set(http.__all__)


def test_backoff_module_is_public_and_sorted() -> None:
    assert backoff.__all__ == sorted(backoff.__all__, key=_isort_key)
    for name in backoff.__all__:
        assert getattr(backoff, name) is not None


def test_only_documented_public_modules() -> None:
    modules = {p.stem for p in SRC.glob("*.py")}
    assert {m for m in modules if not m.startswith("_")} == {"backoff"}


def test_timeout_is_httpx_timeout() -> None:
    assert http.Timeout is httpx.Timeout
    assert http.USE_CLIENT_DEFAULT is httpx.USE_CLIENT_DEFAULT


def test_http_imports_nothing_else_from_prodready() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name.startswith("prodready") and not re.match(r"prodready\.http(\.|$)", name):
                    offenders.append(f"{path.relative_to(SRC)}: {name}")
    assert offenders == []


def test_exception_tree_drawn_in_docstring_matches_classes() -> None:
    from prodready.http import _exceptions

    doc = _exceptions.__doc__ or ""
    for name in _exceptions.__all__:
        if name == "translate":
            continue
        assert name in doc, f"{name} missing from the tree in _exceptions' docstring"
        klass = getattr(_exceptions, name)
        assert issubclass(klass, http.HTTPError)
        assert issubclass(klass, httpx.RequestError)


def test_exception_classes_subclass_their_httpx_namesakes() -> None:
    for name in http.__all__:
        obj = getattr(http, name)
        if isinstance(obj, type) and issubclass(obj, http.HTTPError):
            twin = getattr(httpx, name, None)
            if isinstance(twin, type) and issubclass(twin, Exception):
                assert issubclass(obj, twin), name
    assert not issubclass(http.RejectedError, httpx.TransportError)
