"""cq.findings against the tool zoo it replaces: bandit, radon and vulture.

Usage: python benchmarks/code_findings.py [PATH] [--src SRC]

Measures, in one run, on PATH (default: this repository):

- ``prodready scan PATH --select cq.findings --no-cache`` end to end, as a
  user runs it (a subprocess: interpreter start-up, file index, per-file
  facts, ruff, smells, report); then the same with the fact cache, cold
  and warm (a fresh ``PRODREADY_CACHE_DIR``); and, as the floor every
  ``--select`` pays, ``--select cq.lint`` (a check that reads CI facts only);
- in process, what cq.findings itself costs once the file index exists:
  the source classification it reuses, ruff alone, and the whole collector;
- the zoo, each run once on SRC (default PATH/src): ``bandit -r``,
  ``radon cc``, ``vulture``; their sum is the baseline.

Prints seconds and ratios to the zoo's total. Security findings (bandit),
complexity (radon) and dead code (vulture) are what cq.findings measures
besides pyflakes/bugbear, duplicates and, for Go, unchecked errors.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, check=False, timeout=1800
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1, 3):  # bandit exits 1 on findings, vulture 3
        raise SystemExit(f"{command[0]} failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed, done.stdout


def scan_once(
    root: Path, cache_dir: Path | None, check: str = "cq.findings"
) -> tuple[float, dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "scan.json"
        env = dict(os.environ)
        command = [
            str(BIN / "prodready"),
            "scan",
            str(root),
            "--select",
            check,
            "--no-progress",
            "--format",
            "json",
            f"--output=json={out}",
        ]
        if cache_dir is None:
            command.append("--no-cache")
        else:
            env["PRODREADY_CACHE_DIR"] = str(cache_dir)
        elapsed, _ = run(command, env)
        document = json.loads(out.read_text(encoding="utf-8"))
    checks = [c for s in document["services"] for c in s["checks"] if c["id"] == check]
    return elapsed, checks[0] if checks else {}


def in_process(root: Path) -> dict[str, float]:
    from prodready.scan.checks._service import source
    from prodready.scan.checks.code_quality import collect_code_health
    from prodready.scan.facts.analysis import lint_python
    from prodready.scan.facts.files import FileIndex
    from prodready.scan.facts.view import Facts

    figures: dict[str, float] = {}
    start = time.perf_counter()
    facts = Facts(FileIndex.build(root))
    figures["file index"] = time.perf_counter() - start
    start = time.perf_counter()
    found = source(facts)
    figures["source facts (shared with res.*/obs.*)"] = time.perf_counter() - start
    python = {
        f.path: facts.read_text(f.path) or ""
        for f in found.production_files
        if f.language == "python"
    }
    start = time.perf_counter()
    lint_python(python, max_complexity=facts.params.max_complexity)
    figures["ruff alone"] = time.perf_counter() - start
    start = time.perf_counter()
    collect_code_health(facts)
    figures["cq.findings collector (ruff in parallel with smells)"] = time.perf_counter() - start
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("path", nargs="?", type=Path, default=Path(__file__).parents[1])
    parser.add_argument("--src", type=Path, default=None, help="what the zoo analyses")
    args = parser.parse_args()
    root = args.path.resolve()
    src = (args.src or root / "src").resolve()
    missing = [t for t in ("bandit", "radon", "vulture", "prodready") if not (BIN / t).exists()]
    if missing:
        raise SystemExit(f"not installed next to {sys.executable}: {', '.join(missing)}")

    print(f"repository: {root}\nzoo input:  {src}")
    floor, _ = scan_once(root, None, "cq.lint")
    cold, check = scan_once(root, None)
    print(f"\ncq.findings: {check.get('outcome')} {check.get('score')}: {check.get('summary')}")
    with tempfile.TemporaryDirectory() as cache:
        cache_cold, _ = scan_once(root, Path(cache))
        warm, _ = scan_once(root, Path(cache))

    zoo = {
        "bandit -r": run([str(BIN / "bandit"), "-q", "-r", str(src)])[0],
        "radon cc": run([str(BIN / "radon"), "cc", str(src)])[0],
        "vulture": run([str(BIN / "vulture"), str(src)])[0],
    }
    total = sum(zoo.values())
    inner = in_process(root)

    print("\nthe zoo (each once, in this run)")
    for name, seconds in zoo.items():
        print(f"  {name:<12} {seconds:7.2f} s")
    print(f"  {'total':<12} {total:7.2f} s")
    print("\nprodready scan --select cq.findings (end to end, subprocess)")
    for name, seconds in (
        ("floor: --select cq.lint --no-cache (start-up, index, per-file facts)", floor),
        ("--no-cache", cold),
        ("cache, cold", cache_cold),
        ("cache, warm", warm),
    ):
        print(f"  {name:<12} {seconds:7.2f} s   x{seconds / total:.2f} of the zoo")
    print(f"  cq.findings over the floor: {cold - floor:+.2f} s")
    print("\nin process, after the file index")
    for name, seconds in inner.items():
        print(f"  {name:<55} {seconds:6.2f} s")
    collector = inner["cq.findings collector (ruff in parallel with smells)"]
    print(f"  collector / zoo total: x{collector / total:.3f}")
    if shutil.which("go") is None:
        print("\n(go vet/gosec/golangci-lint are never run by the scanner: ADR 0041)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
