"""The fact cache: entries, safety, eviction, the stat index, and scans that use it.

Everything runs on real files in temporary folders (never the user's cache).
The results of a scan must be the same with and without the cache; a warm
rescan must neither re-analyse nor even read files that did not change.
"""

from __future__ import annotations

import os
import pickle
import threading
import time
from pathlib import Path
from typing import Any

import platformdirs
import pytest
from typer.testing import CliRunner

from prodready import __version__
from prodready.cli.app import app
from prodready.scan.engine import UsageError
from prodready.scan.facts import files as files_module
from prodready.scan.facts.cache import (
    CACHE_DIR_ENV,
    CACHE_MAX_ENV,
    FactCache,
    decode_facts,
    default_cache_dir,
    encode_facts,
    entry_key,
    version_key,
)
from prodready.scan.facts.code_facts import analyze_file, source_facts
from prodready.scan.facts.code_health import CodeHealth, code_health, reference_candidate
from prodready.scan.facts.code_model import FileRole
from prodready.scan.facts.deploy import deploy_facts
from prodready.scan.facts.factstore import MISSING, FactStore
from prodready.scan.facts.files import FileIndex, content_digest
from prodready.scan.facts.perfile import lint_hook, plan
from prodready.scan.facts.secrets import scan_secrets, secret_facts
from prodready.scan.facts.testsuite import collect_tests
from prodready.scan.facts.view import Facts
from tests.scan.conftest import scan_fixed, timeless, write_tree

SERVICE = {
    "pyproject.toml": '[project]\nname = "orders"\nversion = "1.0.0"\n'
    'dependencies = ["requests==2.32.3"]\n',
    "src/orders/app.py": (
        "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n\n\n"
        "def ok(url):\n    return requests.get(url, timeout=2)\n"
    ),
    "src/orders/settings.py": 'DB_PASSWORD = "Xk29vLq8pZ3mW7rT4nB6"\n',
    "tests/test_app.py": "from orders.app import ok\n\n\ndef test_ok():\n    assert ok\n",
    "main.go": 'package main\n\nimport "net/http"\n\nfunc main() {\n\thttp.Get("http://x")\n}\n',
    "deploy/k8s.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\nspec:\n"
        "  template:\n    spec:\n      containers:\n        - name: orders\n"
        "          image: orders:1\n"
    ),
    "README.md": "# orders\n\nRun `python -m orders`.\n",
    "broken.toml": "[oops\n",
}


def age(root: Path, seconds: float = 3600) -> None:
    """Make every file look modified long ago (not 'racily clean')."""
    past = time.time() - seconds
    for folder, _dirs, names in os.walk(root):
        for name in names:
            os.utime(os.path.join(folder, name), (past, past))


# --------------------------------------------------------------------------- entries


def save(cache: FactCache, path: str, digest: str, facts: dict[str, Any]) -> None:
    cache.save_entry(path, digest, {key: encode_facts(value) for key, value in facts.items()})


def load(cache: FactCache, path: str, digest: str) -> dict[str, Any] | None:
    found = cache.load_entry(path, digest)
    return None if found is None else {k: decode_facts(v) for k, v in found.items()}


def test_entries_round_trip_facts_by_path_and_content(tmp_path: Path) -> None:
    cache = FactCache(tmp_path / "cache")
    bundle = {
        "secrets": scan_secrets("a.py", 'password = "Xk29vLq8pZ3mW7rT4nB6"\n'),
        "source": analyze_file("a.py", "import requests\nrequests.get('http://x')\n"),
        "role": FileRole.TEST,
        "words": frozenset({"a", "b"}),
        "nothing": None,
    }
    save(cache, "a.py", "d1", bundle)
    again = FactCache(tmp_path / "cache")
    assert load(again, "a.py", "d1") == bundle
    assert again.load_entry("a.py", "d2") is None  # other content
    assert again.load_entry("b.py", "d1") is None  # same content elsewhere: other facts
    assert (again.hits, again.misses) == (1, 2)


def test_the_version_key_names_prodready_and_its_analysers(tmp_path: Path) -> None:
    key = version_key()
    assert key.startswith(__version__ + "-")
    assert len(key) > len(__version__) + 8
    cache = FactCache(tmp_path / "cache")
    assert cache.base == tmp_path / "cache" / "facts" / key
    save(cache, "a.py", "d", {"x": 1})
    stale = FactCache(tmp_path / "cache")
    stale.version = "0.0.1-0123456789abcdef"  # what another prodready would look for
    assert stale.load_entry("a.py", "d") is None


def entry_file(cache: FactCache, path: str, digest: str) -> Path:
    key = entry_key(path, digest)
    return cache.base / "entries" / key[:2] / key[2:]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: b"not a cache file at all",
        lambda data: data[:-1] + bytes([data[-1] ^ 0xFF]),  # one flipped bit in the payload
        lambda data: b"",
    ],
    ids=["truncated", "garbage", "flipped", "empty"],
)
def test_a_damaged_entry_is_a_miss_and_is_rewritten(tmp_path: Path, damage: Any) -> None:
    cache = FactCache(tmp_path / "cache")
    save(cache, "a.py", "d", {"x": (1, 2)})
    file = entry_file(cache, "a.py", "d")
    file.write_bytes(damage(file.read_bytes()))
    assert cache.load_entry("a.py", "d") is None
    save(cache, "a.py", "d", {"x": (1, 2)})
    assert load(cache, "a.py", "d") == {"x": (1, 2)}


class _Planted:
    def __init__(self, function: Any, *args: Any) -> None:
        self.call = (function, args)

    def __reduce__(self) -> tuple[Any, ...]:
        return self.call


@pytest.mark.parametrize("planted", ["os.mkdir", "own-function"])
@pytest.mark.parametrize("where", ["entry", "fact"])
def test_a_planted_pickle_cannot_run_anything(tmp_path: Path, planted: str, where: str) -> None:
    """Even with a valid header and checksum, only prodready's own dataclasses
    and enums are rebuilt: any other callable is refused, and it is a miss
    (for a whole entry, or for one fact in it, then computed again)."""
    cache = FactCache(tmp_path / "cache")
    marker = tmp_path / "pwned"
    if planted == "os.mkdir":
        bad = pickle.dumps(_Planted(os.mkdir, str(marker)))
    else:  # a function of our own package is not a fact class either
        bad = pickle.dumps(_Planted(FileIndex.from_files, {"a": "b"}))
    if where == "entry":
        payload = bad
        key = entry_key("a.py", "d")
        file = entry_file(cache, "a.py", "d")
        file.parent.mkdir(parents=True)
        file.write_bytes(cache._header(key, payload) + payload)
        assert cache.load_entry("a.py", "d") is None
    else:
        text = "x = 1\n"
        digest = content_digest(text.encode())
        cache.save_entry("a.py", digest, {"secrets": bad})
        store = FactStore(cache)
        assert store.get("a.py", digest, "secrets") is MISSING
        index = FileIndex.from_files({"a.py": text})
        index._store = store
        assert index.file_fact("secrets", "a.py") == scan_secrets("a.py", text)
    assert not marker.exists()


def test_concurrent_writers_and_readers_never_see_half_an_entry(tmp_path: Path) -> None:
    values: list[dict[str, Any]] = [{"n": n, "blob": "x" * 20_000} for n in range(8)]
    errors: list[BaseException] = []
    seen: list[Any] = []

    def write(value: dict[str, Any]) -> None:
        try:
            mine = FactCache(tmp_path / "cache")
            for _ in range(20):
                save(mine, "a.py", "d", value)
        except BaseException as exc:
            errors.append(exc)

    def read() -> None:
        mine = FactCache(tmp_path / "cache")
        for _ in range(100):
            seen.append(load(mine, "a.py", "d"))

    threads = [threading.Thread(target=write, args=(v,)) for v in values]
    threads += [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(item is None or item in values for item in seen)
    assert load(FactCache(tmp_path / "cache"), "a.py", "d") in values
    leftovers = list((tmp_path / "cache").rglob(".tmp-*"))
    assert leftovers == []


def test_eviction_removes_the_oldest_files_down_to_the_bound(tmp_path: Path) -> None:
    cache = FactCache(tmp_path / "cache", max_bytes=60_000)
    now = time.time()
    for n in range(10):
        save(cache, f"f{n}.py", "d", {"blob": "x" * 10_000})
        file = entry_file(cache, f"f{n}.py", "d")
        os.utime(file, (now - 1000 + n, now - 1000 + n))  # f0 oldest
    assert cache.evict() > 0
    total = sum(p.stat().st_size for p in (tmp_path / "cache" / "facts").rglob("*") if p.is_file())
    assert total <= 60_000 * 0.8
    assert cache.load_entry("f0.py", "d") is None
    assert cache.load_entry("f9.py", "d") is not None
    assert cache.evict() == 0  # under the bound: nothing to do
    assert (tmp_path / "cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f59")


def cache_size(root: Path) -> int:
    return sum(p.stat().st_size for p in (root / "facts").rglob("*") if p.is_file())


def test_trimming_after_each_scan_keeps_the_cache_bounded(tmp_path: Path) -> None:
    """A ledger of the estimated size spares measuring the cache after every
    scan; when it passes the bound the cache is measured and trimmed."""
    for scan_number in range(12):
        cache = FactCache(tmp_path / "cache", max_bytes=50_000)
        for n in range(2):
            save(cache, f"s{scan_number}-{n}.py", "d", {"blob": "x" * 9_000})
        cache.trim()
        assert cache_size(tmp_path / "cache") <= 50_000 + 20_000
    ledger = tmp_path / "cache" / "facts" / "usage"
    assert 0 < int(ledger.read_text()) <= 50_000 + 20_000
    newest = FactCache(tmp_path / "cache", max_bytes=50_000)
    assert load(newest, "s11-1.py", "d") is not None
    assert load(newest, "s0-0.py", "d") is None  # the oldest went first


def test_an_unwritable_cache_is_reported_once_and_never_fails(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache should be\n")
    problems: list[str] = []
    cache = FactCache(blocker, on_error=problems.append)
    save(cache, "a.py", "d", {"x": 1})
    save(cache, "b.py", "d", {"x": 1})
    cache.save_stat_index("/repo", {"x": 1})
    assert len(problems) == 1
    assert "cannot write the cache" in problems[0]
    assert cache.load_entry("a.py", "d") is None


def test_where_the_cache_lives(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    assert FactCache().root == tmp_path / "mine"
    monkeypatch.delenv(CACHE_DIR_ENV)
    assert default_cache_dir() == Path(platformdirs.user_cache_dir("prodready", appauthor=False))


@pytest.mark.parametrize("value", ["lots", "0", "-5", "inf"])
def test_a_bad_size_bound_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str
) -> None:
    monkeypatch.setenv(CACHE_MAX_ENV, value)
    with pytest.raises(ValueError, match=CACHE_MAX_ENV):
        FactCache(tmp_path)
    write_tree(tmp_path / "repo", {"a.py": "x = 1\n"})
    with pytest.raises(UsageError, match="positive number"):
        scan_fixed(tmp_path / "repo", cache_dir=tmp_path / "cache")
    monkeypatch.setenv(CACHE_MAX_ENV, "0.5")
    assert FactCache(tmp_path).max_bytes == 512 * 1024


# --------------------------------------------------------------------------- stat index


def indexed(root: Path, cache: Path) -> FileIndex:
    return FileIndex.build(root, cache=FactCache(cache))


def test_a_rescan_does_not_read_unchanged_files(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", SERVICE)
    age(root)
    first = indexed(root, tmp_path / "cache")
    first.save_cache()
    assert all(first.was_read(p) for p in first.paths())
    second = indexed(root, tmp_path / "cache")
    assert second.paths() == first.paths()
    assert not any(second.was_read(p) for p in second.paths())
    assert [second.info(p) for p in second.paths()] == [first.info(p) for p in first.paths()]
    assert [second.digest(p) for p in second.paths()] == [first.digest(p) for p in first.paths()]
    # read on demand, with the same text
    assert second.read_text("src/orders/app.py") == SERVICE["src/orders/app.py"]
    assert second.was_read("src/orders/app.py")


def test_a_changed_file_is_read_again_and_only_it(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", SERVICE)
    age(root)
    indexed(root, tmp_path / "cache").save_cache()
    (root / "src/orders/app.py").write_text("import requests\n")
    index = indexed(root, tmp_path / "cache")
    assert [p for p in index.paths() if index.was_read(p)] == ["src/orders/app.py"]
    assert index.digest("src/orders/app.py") == content_digest(b"import requests\n")
    assert index.info("src/orders/app.py").lines == 1  # type: ignore[union-attr]


def test_a_touched_file_is_hashed_again_but_not_reanalysed(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", SERVICE)
    age(root)
    first = indexed(root, tmp_path / "cache")
    first.prefetch(plan([Facts(first)]))
    first.save_cache()
    age(root / "src", 1800)  # same content, other mtime
    second = indexed(root, tmp_path / "cache")
    assert second.was_read("src/orders/app.py")  # stat changed: read and hashed
    assert not second.was_read("main.go")
    assert second.prefetch(plan([Facts(second)])) == 0  # same hashes: nothing to analyse
    assert second.file_fact("source", "src/orders/app.py") == first.file_fact(
        "source", "src/orders/app.py"
    )


def test_a_file_changed_within_the_timestamp_granularity_is_read_again(tmp_path: Path) -> None:
    """Racily clean (git's term): a file modified just before the scan that
    recorded it could change again within the same mtime tick, so the next
    scan does not trust its stat."""
    root = write_tree(tmp_path / "repo", SERVICE)
    age(root)
    os.utime(root / "main.go")  # now
    indexed(root, tmp_path / "cache").save_cache()
    index = indexed(root, tmp_path / "cache")
    assert index.was_read("main.go")
    assert not index.was_read("README.md")


def test_a_racily_clean_file_is_trusted_once_a_later_scan_recorded_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files_module, "RACY_NS", 200_000_000)
    root = write_tree(tmp_path / "repo", SERVICE)
    age(root)
    os.utime(root / "main.go")  # now
    indexed(root, tmp_path / "cache").save_cache()
    time.sleep(0.3)
    second = indexed(root, tmp_path / "cache")
    assert second.was_read("main.go")  # racy then
    second.save_cache()  # recorded later than the file's last change
    assert not indexed(root, tmp_path / "cache").was_read("main.go")


def test_files_that_became_symlinks_out_of_the_repo_binary_or_gone(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("password = 'Xk29vLq8pZ3mW7rT4nB6'\n")
    root = write_tree(tmp_path / "repo", SERVICE)
    age(root)
    indexed(root, tmp_path / "cache").save_cache()
    (root / "README.md").unlink()
    (root / "README.md").symlink_to(outside)
    (root / "main.go").write_bytes(b"\x00\x01binary now")
    (root / "broken.toml").unlink()
    index = indexed(root, tmp_path / "cache")
    assert index.skipped["README.md"] == "symlink-escape"
    assert index.skipped["main.go"] == "binary"
    assert "README.md" not in index.paths()
    assert "broken.toml" not in index.paths()
    assert index.read_text("README.md") is None


def test_a_file_swapped_for_an_escaping_symlink_after_the_walk_is_not_read(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours\n")
    root = write_tree(tmp_path / "repo", SERVICE)
    age(root)
    indexed(root, tmp_path / "cache").save_cache()
    index = indexed(root, tmp_path / "cache")  # README.md known by stat, not read yet
    (root / "README.md").unlink()
    (root / "README.md").symlink_to(outside)
    assert index.read_text("README.md") is None


def test_binary_files_are_remembered_too(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"logo.png": b"\x89PNG\x00\x00", "a.py": "x = 1\n"})
    age(root)
    indexed(root, tmp_path / "cache").save_cache()
    index = indexed(root, tmp_path / "cache")
    assert index.skipped == {"logo.png": "binary"}
    assert index.warnings.count("binary") == 1


def test_a_cache_inside_the_repository_is_not_scanned(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", SERVICE)
    scan_fixed(root, cache_dir=root / ".prodready-cache")
    assert (root / ".prodready-cache" / "CACHEDIR.TAG").exists()
    index = indexed(root, root / ".prodready-cache")
    assert not any(p.startswith(".prodready-cache") for p in [*index.paths(), *index.skipped])


def _health(view: Facts) -> CodeHealth:
    targets = [f.path for f in source_facts(view).production_files]
    others = [p for p in view.paths() if p not in targets and reference_candidate(p)]
    return code_health(
        view,
        targets,
        references=others,
        max_complexity=15,
        library=False,
        lint=lint_hook(view, 15),
    )


def test_collectors_on_a_warm_index_read_nothing(tmp_path: Path) -> None:
    """Source analysis, secrets, deployment and test facts, code smells and
    ruff's verdicts of unchanged files come from the cache: the files are
    neither parsed nor read (and ruff does not run)."""
    root = write_tree(tmp_path / "repo", SERVICE)
    age(root)
    cold = indexed(root, tmp_path / "cache")
    view = Facts(cold)
    cold.prefetch(plan([view]))
    expected = (
        source_facts(view),
        secret_facts(view),
        deploy_facts(view),
        collect_tests(view),
        _health(view),
    )
    assert expected[-1].lines == {"python": 10, "go": 7}  # app.py 9 + settings.py 1
    assert expected[-1].findings  # ruff and the smells found something to compare
    cold.save_cache()

    warm = indexed(root, tmp_path / "cache")
    view = Facts(warm)
    assert warm.prefetch(plan([view])) == 0
    got = (
        source_facts(view),
        secret_facts(view),
        deploy_facts(view),
        collect_tests(view),
        _health(view),
    )
    assert got == expected
    assert [p for p in warm.paths() if warm.was_read(p)] == []
    assert not [key for key, _value in warm._artefacts.items() if key[0] == "python"]


# --------------------------------------------------------------------------- scans


def test_a_warm_scan_equals_a_scan_without_cache_and_sees_edits(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", SERVICE)
    age(root)
    cache = tmp_path / "cache"
    plain = timeless(scan_fixed(root, cache=False, jobs=1))
    assert timeless(scan_fixed(root, cache_dir=cache)) == plain  # cold
    assert timeless(scan_fixed(root, cache_dir=cache)) == plain  # warm
    (root / "src/orders/new.py").write_text('API_TOKEN = "ghp_' + "a1B2c3D4e5" * 3 + 'abcdef"\n')
    (root / "src/orders/app.py").write_text("import requests\n")
    edited = timeless(scan_fixed(root, cache=False, jobs=1))
    assert edited != plain
    assert timeless(scan_fixed(root, cache_dir=cache)) == edited
    secrets = next(
        c for c in edited["services"][0]["checks"] if c["id"] == "sec.no-hardcoded-secrets"
    )
    assert any(f["path"] == "src/orders/new.py" for f in secrets["findings"])


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", SERVICE)
    scan_fixed(root, cache=False, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_an_unwritable_cache_is_a_warning_not_a_different_result(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", SERVICE)
    blocker = tmp_path / "blocked"
    blocker.write_text("x\n")
    result = scan_fixed(root, cache_dir=blocker)
    cache_warnings = [w for w in result.warnings if w.code == "cache"]
    assert len(cache_warnings) == 1
    plain = timeless(scan_fixed(root, cache=False))
    got = timeless(result)
    got["warnings"] = [w for w in got["warnings"] if w["code"] != "cache"]
    assert got == plain


def test_cli_no_cache_and_cache_dir_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "repo", SERVICE)
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cli-cache"))
    runner = CliRunner()
    result = runner.invoke(app, ["scan", str(root), "--no-cache", "-f", "json", "-j", "1"])
    assert result.exit_code in (0, 1), result.stderr
    assert not (tmp_path / "cli-cache").exists()
    result = runner.invoke(app, ["scan", str(root), "-f", "json"])
    assert result.exit_code in (0, 1), result.stderr
    assert list((tmp_path / "cli-cache" / "facts").iterdir())
    monkeypatch.setenv(CACHE_MAX_ENV, "lots")
    result = runner.invoke(app, ["scan", str(root)])
    assert result.exit_code == 2
    assert CACHE_MAX_ENV in result.stderr
