"""The registry: built-ins and plugins through the same interface.

The plugin here is real: a distribution (``*.dist-info`` with an
``entry_points.txt``) created on a temporary ``sys.path`` entry, found by
``importlib.metadata`` exactly as an installed package would be.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest

from prodready.scan.checks import BUILTIN_CHECKS, Check, CheckSpec, Verdict, load_registry
from prodready.scan.checks.registry import ENTRY_POINT_GROUP
from prodready.scan.model import Level, Outcome
from tests.scan.conftest import run_scan, write_tree

PLUGIN_MODULE = """
from prodready.scan.checks import Check, CheckSpec, Verdict, finding
from prodready.scan.model import Level

def _judge_todos(facts):
    hits = [
        finding("TODO left in code", path, number)
        for path in facts.paths()
        if path.endswith(".py")
        for number, line in enumerate(facts.read_text(path).splitlines(), 1)
        if "TODO" in line
    ]
    if hits:
        return Verdict.failed(f"{len(hits)} TODOs", score=5, findings=hits)
    return Verdict.passed("no TODOs")

def _explode(facts):
    raise RuntimeError("plugin bug")

TODOS = Check(
    CheckSpec(
        id="cq.no-todos",
        level=Level.GOLD,
        title="No TODO comments",
        why="TODOs are promises nobody tracks.",
        how_to_fix="Turn TODOs into issues.",
    ),
    _judge_todos,
)

def checks():
    return [
        Check(
            CheckSpec(
                id="obs.explodes",
                level=Level.PLATINUM,
                title="Always crashes",
                why="To prove a crashing check does not stop a scan.",
                how_to_fix="Fix the plugin.",
            ),
            _explode,
        )
    ]
"""


@pytest.fixture
def plugin_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    write_tree(
        site,
        {
            "acme_checks/__init__.py": textwrap.dedent(PLUGIN_MODULE),
            "acme_checks-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: acme-checks\n"
            "Version: 1.0\n",
            "acme_checks-1.0.dist-info/entry_points.txt": (
                f"[{ENTRY_POINT_GROUP}]\n"
                "todos = acme_checks:TODOS\n"
                "explodes = acme_checks:checks\n"
                "broken = acme_checks_missing:CHECKS\n"
                "clash = prodready.scan.checks.docs:CHECKS\n"
            ),
        },
    )
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    yield site
    sys.modules.pop("acme_checks", None)


def test_builtins_are_loaded_in_catalogue_order() -> None:
    registry = load_registry(include_plugins=False)
    assert len(registry) == len(BUILTIN_CHECKS)
    levels = [c.spec.level.rank for c in registry]
    assert levels == sorted(levels)
    assert registry.problems == ()
    assert all(c.source == "prodready" for c in registry)


def test_duplicate_builtin_ids_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="already provided"):
        load_registry([BUILTIN_CHECKS[0], BUILTIN_CHECKS[0]], include_plugins=False)


@pytest.mark.usefixtures("plugin_path")
def test_plugins_arrive_through_the_entry_point_and_problems_are_reported() -> None:
    registry = load_registry()
    todos = registry.get("cq.no-todos")
    assert todos is not None
    assert todos.source == "acme-checks:todos"
    assert todos.implemented
    assert "obs.explodes" in registry
    problems = "\n".join(registry.problems)
    assert "acme-checks:broken" in problems
    assert "ModuleNotFoundError" in problems
    assert "check id doc.readme is already provided by prodready" in problems
    assert registry.get("doc.readme").source == "prodready"  # type: ignore[union-attr]


@pytest.mark.usefixtures("plugin_path")
def test_a_plugin_check_runs_in_a_scan_and_a_crashing_one_becomes_an_error(
    tmp_path: Path,
) -> None:
    repo = write_tree(tmp_path / "repo", {"app.py": "x = 1  # TODO: remove\n"})
    result = run_scan(repo, include_plugins=True)
    checks = {c.id: c for c in result.services[0].checks}
    todos = checks["cq.no-todos"]
    assert todos.outcome is Outcome.FAIL
    assert (todos.findings[0].path, todos.findings[0].line) == ("app.py", 1)
    crashed = checks["obs.explodes"]
    assert crashed.outcome is Outcome.ERROR
    assert crashed.score is None
    assert crashed.error == "RuntimeError: plugin bug"
    assert any(w.code == "plugin" and "acme-checks:broken" in w.message for w in result.warnings)
    assert checks["doc.readme"].outcome is Outcome.FAIL  # the rest of the scan went on


def test_bad_plugin_objects_are_rejected() -> None:
    from importlib.metadata import EntryPoint

    point = EntryPoint(name="odd", value="builtins:len", group=ENTRY_POINT_GROUP)
    registry = load_registry(entry_points=[point])
    assert any("odd" in p and "TypeError" in p for p in registry.problems)


def test_check_spec_validates_its_id_and_texts() -> None:
    base = {"level": Level.BRONZE, "title": "t", "why": "w", "how_to_fix": "h"}
    with pytest.raises(ValueError, match="lower-kebab-case"):
        CheckSpec(id="Docs.Readme", **base)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown pillar"):
        CheckSpec(id="foo.bar", **base)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="why must not be empty"):
        CheckSpec(id="doc.x", level=Level.BRONZE, title="t", why=" ", how_to_fix="h")
    with pytest.raises(ValueError, match="weight"):
        CheckSpec(id="doc.x", weight=-1, **base)  # type: ignore[arg-type]


def test_verdicts_validate_outcome_and_score() -> None:
    assert Verdict.passed("ok").score == 10
    assert Verdict.not_applicable("n/a").score is None
    with pytest.raises(ValueError, match="needs a score"):
        Verdict(Outcome.FAIL, None, "x")
    with pytest.raises(ValueError, match="no score"):
        Verdict(Outcome.NOT_APPLICABLE, 3, "x")
    with pytest.raises(ValueError, match="engine decides"):
        Verdict(Outcome.ERROR, None, "x")
    with pytest.raises(ValueError, match=r"0\.\.10"):
        Verdict.failed("x", score=11)


def test_planned_checks_have_no_judge() -> None:
    spec = CheckSpec(id="doc.x", level=Level.GOLD, title="t", why="w", how_to_fix="h")
    assert not Check(spec).implemented


def test_check_spec_coerces_plain_strings_and_refuses_unknown_levels() -> None:
    spec = CheckSpec(
        id="doc.x",
        level="gold",  # type: ignore[arg-type]
        title="t",
        why="w",
        how_to_fix="h",
        lifecycle="experimental",  # type: ignore[arg-type]
        references=["https://example.com"],  # type: ignore[arg-type]
    )
    assert spec.level is Level.GOLD
    assert spec.references == ("https://example.com",)
    with pytest.raises(ValueError, match="diamond"):
        CheckSpec(id="doc.x", level="diamond", title="t", why="w", how_to_fix="h")  # type: ignore[arg-type]
