"""Per-file facts computed in worker processes: same results as in-process,
whatever ``--jobs``, with and without the cache, on every fixture repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psutil
import pytest

from prodready.scan.facts import parallel
from prodready.scan.facts.cache import decode_facts
from prodready.scan.facts.files import FileIndex
from prodready.scan.facts.parallel import _batches, compute_all
from prodready.scan.facts.perfile import compute_facts, file_fact, kind_key, plan
from prodready.scan.facts.secrets import scan_secrets
from prodready.scan.facts.view import Facts
from tests.conftest import FIXTURE_REPOS
from tests.scan.conftest import scan_fixed, timeless

REPOS = sorted(p.name for p in FIXTURE_REPOS.iterdir() if p.is_dir() and not p.name.startswith("."))


def jobs_of(root: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    """The planned analyses of a repository, paths prefixed with its name (so
    the jobs of several repositories do not collide)."""
    index = FileIndex.build(root)
    wanted = plan([Facts(index)])
    return [
        (f"{root.name}/{path}", index.read_text(path) or "", keys)
        for path, keys in sorted(wanted.items())
    ]


def test_workers_compute_what_this_process_computes() -> None:
    jobs = jobs_of(FIXTURE_REPOS / "acc-polyglot-monorepo") + jobs_of(FIXTURE_REPOS / "monorepo")
    assert len(jobs) > 40
    serial = {}
    for result in compute_all(jobs, 1):
        assert result.encoded == {}
        serial[result.path] = result.values
    me = psutil.Process()
    workers: set[int] = set()
    pooled: dict[str, dict[str, Any]] = {}
    for result in compute_all(jobs, 2, min_parallel_bytes=0):
        workers.update(child.pid for child in me.children())
        assert result.values == {}  # encoded, as the cache stores them
        pooled[result.path] = {key: decode_facts(data) for key, data in result.encoded.items()}
    assert workers, "no worker process ran"
    assert pooled == serial
    assert len(serial) == len(jobs)
    kinds = {key.split(":")[0] for values in serial.values() for key in values}
    assert {"source", "source.class", "secrets", "deploy", "testcode"} <= kinds


def test_small_work_stays_in_this_process() -> None:
    jobs = [("a.py", "x = 1\n", ("secrets",)), ("b.py", "y = 2\n", ("secrets",))]
    me = psutil.Process()
    before = {child.pid for child in me.children(recursive=True)}  # other tests' servers
    for result in compute_all(jobs, 4):
        assert result.encoded == {}
        assert {child.pid for child in me.children(recursive=True)} <= before


def test_batches_cover_every_job_once() -> None:
    jobs = [(f"f{n}.py", "x" * (n * 997 % 50_000), ("secrets",)) for n in range(300)]
    batches = _batches(jobs, 2)
    assert sorted(p for batch in batches for p, _t, _k in batch) == sorted(p for p, _t, _k in jobs)
    assert len(batches) > 2


def test_an_analysis_that_fails_is_left_to_the_collector() -> None:
    """Not cached: the collector computes it again and fails as it would have."""
    results = compute_facts("a.py", "x = 1\n", ("secrets", "no-such-kind"))
    assert set(results) == {"secrets"}
    assert results["secrets"] == scan_secrets("a.py", "x = 1\n")


def test_the_index_computes_unplanned_facts_on_demand() -> None:
    index = FileIndex.from_files({"a.py": "import requests\nrequests.get('http://x')\n"})
    view = Facts(index)
    found = file_fact(view, "secrets", "a.py", scan_secrets)
    assert found == scan_secrets("a.py", index.read_text("a.py") or "")
    assert index.file_fact("secrets", "missing.py") is None
    assert file_fact(view, "secrets", "missing.py", scan_secrets) is None
    with pytest.raises(TypeError):
        kind_key("smells")  # needs max_complexity
    with pytest.raises(KeyError):
        kind_key("nope")


def test_prefetch_with_workers_equals_prefetch_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    root = FIXTURE_REPOS / "acc-polyglot-monorepo"
    stores = []
    for workers in (1, 2):
        index = FileIndex.build(root)
        wanted = plan([Facts(index)])
        assert index.prefetch(wanted, workers) == len(wanted)
        assert index.prefetch(wanted, workers) == 0  # known now
        store = index._store
        stores.append(
            {
                (path, key): store.get(path, index.digest(path) or "", key)
                for path, keys in wanted.items()
                for key in keys
            }
        )
    assert stores[0] == stores[1]


@pytest.mark.parametrize("repo", REPOS)
def test_fixture_repos_score_the_same_with_any_jobs_and_cache(
    repo: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process without cache, then in worker processes with a cold and a
    warm cache: the same result, byte for byte (minus the clock)."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    root = FIXTURE_REPOS / repo
    expected = timeless(scan_fixed(root, jobs=1, cache=False))
    assert timeless(scan_fixed(root, jobs=2, cache_dir=tmp_path / "cache")) == expected
    assert timeless(scan_fixed(root, jobs=2, cache_dir=tmp_path / "cache")) == expected
    assert timeless(scan_fixed(root, jobs=1, cache_dir=tmp_path / "cache")) == expected
