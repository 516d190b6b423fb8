"""Accuracy of the scanner's judgements on the fixture corpus.

One command::

    .venv/bin/python benchmarks/accuracy.py [--cases GLOB] [--json out.json]

Every folder of ``tests/fixtures/repos`` holding an ``expected.json`` is
scanned (in process, plugins off); for each (case, service, check) that the
expectation lists, the scanner's outcome is compared with the expected one.
The expectations are written by hand from CHECKLIST.md and the judging rules
of the check-catalogue issue, never copied from a scan, so a disagreement is
either a scanner bug or a judgement to discuss (each expectation may carry a
note saying why).

How to read the figures
-----------------------
- **Positive class = ``fail``**: the scanner flags a problem. Per check and
  overall: precision = TP / (TP + FP) (of the failures reported, how many are
  real), recall = TP / (TP + FN) (of the real failures, how many were
  reported), F1 their harmonic mean. ``pass`` and ``not_applicable`` are both
  negatives here; confusing them is shown in the confusion matrix and in the
  three-outcome figures.
- A check that is **planned** (not implemented yet) produces no outcome. It
  counts as a miss: an expected ``fail`` becomes a false negative, and every
  expectation is a wrong answer in the three-outcome figures. Planned checks
  are listed separately, so "the scanner is wrong" and "the scanner does not
  judge this yet" are not mixed up. An ``error`` outcome is likewise never
  counted as right.
- **Macro-F1** averages the F1 of each of the three outcomes (pass, fail,
  not_applicable) taken in turn as the positive class; **exact** is the share
  of expectations matched exactly.
- Baseline in the same run: ``always-fail`` (flag every check) gives the
  F1 a scorer reaches by flagging everything; a useful scanner beats it.

Target (issue "The check catalogue"): F1 >= 0.95 overall. ``--min-f1`` turns
the target into an exit code for CI; by default the command only reports.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FIXTURES = REPO_ROOT / "tests" / "fixtures" / "repos"
OUTCOMES = ("pass", "fail", "not_applicable")
# What a comparison can yield besides a real outcome.
PLANNED = "planned"  # the check is not implemented: no outcome
ABSENT = "absent"  # implemented, but not in the result (deselected, or a bug)
NO_SERVICE = "no-service"  # the scanner did not discover the expected service
GOT_COLUMNS = (*OUTCOMES, "error", "exempt", PLANNED, ABSENT, NO_SERVICE)


@dataclass(frozen=True, slots=True)
class Row:
    """One (case, service, check) comparison."""

    case: str
    service: str
    check: str
    expected: str
    got: str
    note: str = ""
    evidence: str = ""

    @property
    def match(self) -> bool:
        return self.expected == self.got


@dataclass
class Counts:
    """Binary counts with ``fail`` as the positive class, plus exact matches."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    exact: int = 0
    total: int = 0

    def add(self, expected: str, got: str) -> None:
        self.total += 1
        self.exact += expected == got
        flagged, real = got == "fail", expected == "fail"
        if flagged and real:
            self.tp += 1
        elif flagged:
            self.fp += 1
        elif real:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        return _f1(self.tp, self.fp, self.fn)

    @property
    def accuracy(self) -> float | None:
        return _ratio(self.exact, self.total)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _f1(tp: int, fp: int, fn: int) -> float | None:
    """F1 of one class; None when the class neither occurs nor is predicted."""
    if tp + fp + fn == 0:
        return None
    return 2 * tp / (2 * tp + fp + fn)


def macro_f1(rows: Iterable[tuple[str, str]]) -> float | None:
    """Mean over pass/fail/not_applicable of each outcome's one-vs-rest F1.

    A prediction that is not one of the three outcomes (planned, error...)
    is wrong for every class. Classes absent from both sides are skipped.
    """
    pairs = list(rows)
    scores = []
    for outcome in OUTCOMES:
        tp = sum(1 for e, g in pairs if e == outcome and g == outcome)
        fp = sum(1 for e, g in pairs if e != outcome and g == outcome)
        fn = sum(1 for e, g in pairs if e == outcome and g != outcome)
        value = _f1(tp, fp, fn)
        if value is not None:
            scores.append(value)
    return sum(scores) / len(scores) if scores else None


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    implemented: dict[str, bool] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    cases: list[str] = field(default_factory=list)
    unexpected_services: list[str] = field(default_factory=list)
    scan_seconds: float = 0.0

    def counts(self, rows: Iterable[Row]) -> Counts:
        counts = Counts()
        for row in rows:
            counts.add(row.expected, row.got)
        return counts

    def by_check(self) -> dict[str, list[Row]]:
        grouped: dict[str, list[Row]] = defaultdict(list)
        for row in self.rows:
            grouped[row.check].append(row)
        return dict(grouped)

    def confusion(self, rows: Iterable[Row]) -> dict[str, Counter[str]]:
        matrix: dict[str, Counter[str]] = {e: Counter() for e in OUTCOMES}
        for row in rows:
            matrix.setdefault(row.expected, Counter())[row.got] += 1
        return matrix

    def summary(self) -> dict[str, Any]:
        implemented = [r for r in self.rows if self.implemented.get(r.check, False)]
        always_fail = Counts()
        for row in self.rows:
            always_fail.add(row.expected, "fail")

        def figures(rows: list[Row]) -> dict[str, Any]:
            counts = self.counts(rows)
            return {
                "comparisons": counts.total,
                "tp": counts.tp,
                "fp": counts.fp,
                "fn": counts.fn,
                "tn": counts.tn,
                "precision": counts.precision,
                "recall": counts.recall,
                "f1": counts.f1,
                "exact": counts.accuracy,
                "macro_f1": macro_f1((r.expected, r.got) for r in rows),
            }

        return {
            "all_checks": figures(self.rows),
            "implemented_checks": figures(implemented),
            "baseline_always_fail": {
                "precision": always_fail.precision,
                "recall": always_fail.recall,
                "f1": always_fail.f1,
                "macro_f1": macro_f1((r.expected, "fail") for r in self.rows),
            },
        }


def load_expected(path: Path) -> dict[str, Any]:
    """Read an expected.json, refusing duplicate keys (JSON would keep the last)."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"{path}: duplicate keys {dupes}")
        return dict(pairs)

    data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=no_duplicates)
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
        raise ValueError(f"{path}: expected an object with a 'services' object")
    return data


def find_cases(fixtures: Path, patterns: Sequence[str]) -> list[Path]:
    cases = sorted(p.parent for p in fixtures.glob("*/expected.json"))
    if patterns:
        cases = [c for c in cases if any(fnmatch.fnmatch(c.name, p) for p in patterns)]
    return cases


def _evidence(check: Any) -> str:
    """The first finding (or the summary) of a check result, for the mismatch table."""
    if check is None:
        return ""
    if check.error:
        return f"error: {check.error}"
    for item in check.findings:
        where = f"{item.path}:{item.line}" if item.path and item.line else (item.path or "")
        return f"{where} {item.message}".strip()
    return str(check.summary)


def evaluate(cases: Sequence[Path], jobs: int | None = None) -> Report:
    """Scan every case and compare. Imports prodready lazily so --help is instant."""
    from prodready.scan.checks import load_registry
    from prodready.scan.engine import ScanOptions, scan

    registry = load_registry(include_plugins=False)
    report = Report(implemented={c.spec.id: c.implemented for c in registry})
    for case in cases:
        expected = load_expected(case / "expected.json")
        started = time.perf_counter()
        result = scan(case, ScanOptions(include_plugins=False, jobs=jobs))
        report.scan_seconds += time.perf_counter() - started
        report.cases.append(case.name)
        services = {s.path: s for s in result.services}
        for path in sorted(set(services) - set(expected["services"])):
            report.unexpected_services.append(f"{case.name}:{path}")
        for path, want in expected["services"].items():
            service = services.get(path)
            checks = {c.id: c for c in service.checks} if service else {}
            notes = want.get("notes", {})
            if service is not None:
                got_level = service.level.value if service.level else "none"
                want_level = want.get("level") or "none"
                report.levels[f"{case.name}:{path}"] = f"{want_level} -> {got_level}"
            for check_id, outcome in want["outcomes"].items():
                result_check = checks.get(check_id)
                if service is None:
                    got = NO_SERVICE
                elif result_check is not None:
                    got = result_check.outcome.value
                elif not report.implemented.get(check_id, False):
                    got = PLANNED
                else:
                    got = ABSENT
                report.rows.append(
                    Row(
                        case=case.name,
                        service=path,
                        check=check_id,
                        expected=outcome,
                        got=got,
                        note=notes.get(check_id, ""),
                        evidence=_evidence(result_check),
                    )
                )
    return report


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:.2f}"


def _print_report(report: Report, show: int) -> None:
    summary = report.summary()
    n_services = len({(r.case, r.service) for r in report.rows})
    print(
        f"accuracy corpus: {len(report.cases)} cases, {n_services} services, "
        f"{len(report.rows)} expectations; scans took {report.scan_seconds:.1f} s"
    )
    print("positive class = fail; planned checks count as misses (see 'planned' below)\n")

    grouped = report.by_check()
    header = f"{'check':28} {'status':11} {'n':>3} {'exp F':>5} {'TP':>3} {'FP':>3} {'FN':>3}"
    header += f" {'prec':>5} {'rec':>5} {'F1':>5} {'exact':>5} {'mF1':>5}"
    print(header)
    print("-" * len(header))
    for check_id in sorted(grouped, key=_check_order(report)):
        rows = grouped[check_id]
        c = report.counts(rows)
        status = "implemented" if report.implemented.get(check_id) else "planned"
        expected_fail = sum(1 for r in rows if r.expected == "fail")
        mf1 = macro_f1((r.expected, r.got) for r in rows)
        print(
            f"{check_id:28} {status:11} {c.total:>3} {expected_fail:>5} {c.tp:>3} {c.fp:>3} "
            f"{c.fn:>3} {_fmt(c.precision):>5} {_fmt(c.recall):>5} {_fmt(c.f1):>5} "
            f"{_fmt(c.accuracy):>5} {_fmt(mf1):>5}"
        )

    print("\nOverall (positive class = fail)")
    for label, key in (
        ("all checks (planned = miss)", "all_checks"),
        ("implemented checks only", "implemented_checks"),
    ):
        f = summary[key]
        print(
            f"  {label:30} n={f['comparisons']:<5} precision {_fmt(f['precision'])}  "
            f"recall {_fmt(f['recall'])}  F1 {_fmt(f['f1'])}  macro-F1 {_fmt(f['macro_f1'])}  "
            f"exact {_fmt(f['exact'])}"
        )
    b = summary["baseline_always_fail"]
    print(
        f"  {'baseline: always fail':30} {'':7} precision {_fmt(b['precision'])}  "
        f"recall {_fmt(b['recall'])}  F1 {_fmt(b['f1'])}  macro-F1 {_fmt(b['macro_f1'])}"
    )
    f1 = summary["all_checks"]["f1"]
    if f1 is not None and b["f1"]:
        print(f"  F1 vs baseline: x{f1 / b['f1']:.2f}; target F1 >= 0.95")

    print("\nConfusion matrix, all comparisons (rows expected, columns got)")
    _print_matrix(report.confusion(report.rows))

    planned = sorted({r.check for r in report.rows if r.got == PLANNED})
    print(f"\nPlanned (not implemented) checks, counted as misses: {len(planned)}")
    if planned:
        print("  " + ", ".join(planned))
    if report.unexpected_services:
        print("\nServices the scanner found that no expectation lists:")
        print("  " + ", ".join(report.unexpected_services))

    print("\nLevels (expected -> scanned)")
    for key, value in sorted(report.levels.items()):
        print(f"  {key:45} {value}")

    worst = []
    for check_id, rows in grouped.items():
        if not report.implemented.get(check_id):
            continue
        c = report.counts(rows)
        worst.append((c.accuracy or 0.0, c.f1 if c.f1 is not None else 1.0, check_id))
    worst.sort()
    print("\nWorst implemented checks (by exact-match rate, then F1)")
    for accuracy, f1_value, check_id in worst[:10]:
        print(f"  {check_id:28} exact {accuracy:.2f}  F1 {f1_value:.2f}")

    misses = [r for r in report.rows if not r.match and r.got != PLANNED]
    print(f"\nMismatches of implemented checks: {len(misses)} (showing {min(show, len(misses))})")
    for row in misses[:show]:
        print(f"  {row.case}:{row.service} {row.check}: expected {row.expected}, got {row.got}")
        if row.evidence:
            print(f"      scanner: {row.evidence[:160]}")
        if row.note:
            print(f"      why:     {row.note[:160]}")


def _check_order(report: Report) -> Any:
    """Catalogue order (level, then id), as ``prodready checks`` lists them."""
    order: dict[str, int] = {}
    try:
        from prodready.scan.checks import load_registry

        for index, check in enumerate(load_registry(include_plugins=False)):
            order[check.spec.id] = index
    except ImportError:  # pragma: no cover - the benchmark runs in the project venv
        pass
    return lambda check_id: (order.get(check_id, len(order)), check_id)


def _print_matrix(matrix: dict[str, Counter[str]]) -> None:
    columns = [c for c in GOT_COLUMNS if any(row[c] for row in matrix.values())]
    short = {"not_applicable": "n/a", "no-service": "no-svc"}
    print("  " + f"{'':16}" + "".join(f"{short.get(c, c):>9}" for c in columns))
    for expected in OUTCOMES:
        row = matrix.get(expected, Counter())
        cells = "".join(f"{row[c]:>9}" for c in columns)
        print(f"  {short.get(expected, expected):16}{cells}")


def to_json(report: Report) -> dict[str, Any]:
    per_check = {}
    for check_id, rows in report.by_check().items():
        c = report.counts(rows)
        per_check[check_id] = {
            "implemented": report.implemented.get(check_id, False),
            "comparisons": c.total,
            "tp": c.tp,
            "fp": c.fp,
            "fn": c.fn,
            "tn": c.tn,
            "precision": c.precision,
            "recall": c.recall,
            "f1": c.f1,
            "exact": c.accuracy,
            "macro_f1": macro_f1((r.expected, r.got) for r in rows),
        }
    matrix = report.confusion(report.rows)
    return {
        "cases": report.cases,
        "summary": report.summary(),
        "per_check": per_check,
        "confusion": {e: dict(row) for e, row in matrix.items()},
        "levels": report.levels,
        "unexpected_services": report.unexpected_services,
        "mismatches": [asdict(r) for r in report.rows if not r.match],
        "scan_seconds": round(report.scan_seconds, 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Precision, recall and F1 of the scanner on the fixture corpus "
        "(positive class = fail).",
    )
    parser.add_argument(
        "--cases",
        action="append",
        default=[],
        metavar="GLOB",
        help="only cases whose folder name matches (repeatable), e.g. 'acc-*'",
    )
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument("--jobs", type=int, default=None, help="scanner jobs (default: CPUs)")
    parser.add_argument(
        "--show", type=int, default=60, metavar="N", help="mismatch rows to print (default 60)"
    )
    parser.add_argument(
        "--min-f1",
        type=float,
        default=None,
        metavar="F",
        help="exit 1 when the overall F1 (planned = miss) is below F",
    )
    args = parser.parse_args(argv)

    cases = find_cases(args.fixtures, args.cases)
    if not cases:
        print(f"no case with an expected.json matches {args.cases} in {args.fixtures}")
        return 2
    try:
        report = evaluate(cases, jobs=args.jobs)
    except ValueError as exc:
        print(f"bad expectation: {exc}")
        return 2
    _print_report(report, args.show)
    if args.json:
        args.json.write_text(json.dumps(to_json(report), indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    f1 = report.summary()["all_checks"]["f1"]
    if args.min_f1 is not None and (f1 is None or f1 < args.min_f1):
        print(f"\nF1 {_fmt(f1)} is below --min-f1 {args.min_f1}")
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO_ROOT / "src"))
    sys.exit(main())
