"""The accuracy corpus (``tests/fixtures/repos/acc-*``) is well formed and scannable.

Each case's ``expected.json`` is hand-written ground truth for
``benchmarks/accuracy.py``: every check of the catalogue, exactly once per
service, with a valid outcome and a level that follows from those outcomes by
the checklist's rule. These tests do NOT compare the scanner's outcomes with
the expectations (checks are still being written; the benchmark measures
that). They only require that scanning a case never ends in ``error`` and
finds every service the expectation names.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from prodready.scan.checks import load_registry
from prodready.scan.model import Level, Outcome
from tests.conftest import FIXTURE_REPOS, REPO_ROOT
from tests.scan.conftest import run_scan

CASES = sorted(p.parent.name for p in FIXTURE_REPOS.glob("acc-*/expected.json"))
REGISTRY = load_registry(include_plugins=False)
LEVEL_OF = {c.spec.id: c.spec.level for c in REGISTRY}
VALID = {Outcome.PASS.value, Outcome.FAIL.value, Outcome.NOT_APPLICABLE.value}
# expected.json sits inside the repository it describes, so the scanner reads it
# too: it must not quote anything credential-shaped, or it becomes a finding.
CREDENTIAL_SHAPED = re.compile(
    r"AKIA[0-9A-Z]{12,}|gh[pousr]_[0-9A-Za-z]{20,}|xox[abpr]-|sk_live_|[a-z]+_live_[0-9A-Za-z]|-----BEGIN"
)


def _strict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicated, f"duplicate keys {duplicated}"
    return dict(pairs)


def _text(case: str) -> str:
    return (FIXTURE_REPOS / case / "expected.json").read_text(encoding="utf-8")


def _expected(case: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_text(case), object_pairs_hook=_strict)
    return data


def derived_level(outcomes: dict[str, str]) -> str | None:
    """The checklist rule: every applicable check at a level and below passes."""
    reached = None
    for level in Level:
        if any(o == "fail" for i, o in outcomes.items() if LEVEL_OF[i] is level):
            break
        reached = level.value
    return reached


def test_the_corpus_is_large_enough_and_varied() -> None:
    assert len(CASES) >= 15
    languages = {"python": 0, "go": 0}
    for case in CASES:
        for lang in languages:
            languages[lang] += lang in case or lang in _expected(case)["description"].lower()
    assert all(count >= 3 for count in languages.values()), languages
    services = sum(len(_expected(c)["services"]) for c in CASES)
    assert services > len(CASES), "at least one case has several services"


@pytest.mark.parametrize("case", CASES)
def test_expectation_is_well_formed(case: str) -> None:
    data = _expected(case)
    assert not CREDENTIAL_SHAPED.search(_text(case)), "expected.json quotes a credential"
    assert isinstance(data.get("description"), str)
    assert len(data["description"]) > 20
    assert isinstance(data["services"], dict)
    assert data["services"]
    everything = sorted(LEVEL_OF)
    for path, service in data["services"].items():
        where = f"{case}/{path}"
        assert not Path(path).is_absolute(), where
        assert "\\" not in path, where
        assert isinstance(service.get("name"), str), where
        assert service["name"], where
        outcomes = service["outcomes"]
        assert sorted(outcomes) == everything, (
            f"{where}: missing {sorted(set(everything) - set(outcomes))}, "
            f"unknown {sorted(set(outcomes) - set(everything))}"
        )
        bad = {i: o for i, o in outcomes.items() if o not in VALID}
        assert not bad, f"{where}: invalid outcomes {bad}"
        notes = service.get("notes", {})
        assert set(notes) <= set(everything), f"{where}: notes for unknown checks"
        assert all(isinstance(n, str) and n for n in notes.values()), where
        assert service["level"] == derived_level(outcomes), f"{where}: level"


@pytest.mark.parametrize("case", CASES)
def test_scanning_never_errors_and_finds_the_services(case: str) -> None:
    result = run_scan(FIXTURE_REPOS / case)
    found = {s.path for s in result.services}
    missing = set(_expected(case)["services"]) - found
    assert not missing, f"{case}: services not discovered: {sorted(missing)} (found {found})"
    errors = [
        f"{s.path}:{c.id}: {c.error}"
        for s in result.services
        for c in s.checks
        if c.outcome is Outcome.ERROR
    ]
    assert not errors, f"{case}: {errors}"


def _benchmark() -> ModuleType:
    path = REPO_ROOT / "benchmarks" / "accuracy.py"
    spec = importlib.util.spec_from_file_location("accuracy_benchmark", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_benchmark_metrics_follow_their_definitions() -> None:
    bench = _benchmark()
    counts = bench.Counts()
    pairs = [
        ("fail", "fail"),  # TP
        ("fail", "planned"),  # FN: a planned check is a miss
        ("fail", "pass"),  # FN
        ("pass", "fail"),  # FP
        ("not_applicable", "pass"),  # TN for the fail class, wrong for macro-F1
        ("pass", "pass"),  # TN
    ]
    for expected, got in pairs:
        counts.add(expected, got)
    assert (counts.tp, counts.fp, counts.fn, counts.tn) == (1, 1, 2, 2)
    assert counts.precision == pytest.approx(0.5)
    assert counts.recall == pytest.approx(1 / 3)
    assert counts.f1 == pytest.approx(0.4)
    assert counts.accuracy == pytest.approx(2 / 6)
    # pass: tp 1, fp 2, fn 1 -> 0.4; fail: 0.4; n/a: tp 0, fn 1 -> 0.0
    assert bench.macro_f1(pairs) == pytest.approx((0.4 + 0.4 + 0.0) / 3)
    assert bench.macro_f1([("pass", "pass")]) == pytest.approx(1.0)


def test_benchmark_runs_on_one_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bench = _benchmark()
    out = tmp_path / "acc.json"
    assert bench.main(["--cases", CASES[0], "--json", str(out), "--jobs", "1"]) == 0
    report = json.loads(out.read_text())
    assert report["cases"] == [CASES[0]]
    assert len(report["per_check"]) == len(LEVEL_OF)
    assert "positive class = fail" in capsys.readouterr().out
