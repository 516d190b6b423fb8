"""Facts: service scoping, hidden paths, artefacts and the derived() hook."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from prodready.scan.facts.source import RepoFiles
from prodready.scan.facts.view import Facts, ServiceScope, Thresholds

FILES = {
    "README.md": "# repo\n",
    ".github/workflows/ci.yml": "on: push\n",
    "docs/adr/0001.md": "# adr\n",
    "tools/gen.py": "x = 1\n",
    "services/a/pyproject.toml": "[project]\nname = 'a'\n",
    "services/a/app.py": "def f():\n    return 1\n",
    "services/a/sub/go.mod": "module x\n",
    "services/a/sub/main.go": "package main\n",
    "services/b/main.go": "package main\n",
}


def test_a_service_sees_its_files_and_the_shared_ones_only() -> None:
    facts = Facts.from_files(FILES)
    scope = ServiceScope("a", "services/a", nested=("services/a/sub",))
    view = Facts(facts.index, scope)
    assert view.paths() == [
        ".github/workflows/ci.yml",
        "README.md",
        "docs/adr/0001.md",
        "services/a/app.py",
        "services/a/pyproject.toml",
    ]
    assert [i.path for i in view.own_files()] == ["services/a/app.py", "services/a/pyproject.toml"]
    assert view.read_text("services/b/main.go") is None
    assert view.toml("services/a/pyproject.toml") == {"project": {"name": "a"}}
    assert view.service_path("app.py") == "services/a/app.py"
    assert view.find("main.go") == []
    as_repo_files: RepoFiles = view  # Facts is what collectors receive
    assert list(as_repo_files.paths()) == view.paths()


def test_hidden_paths_are_invisible_to_the_check() -> None:
    facts = Facts.from_files(FILES).without(["services/**/*.go", "tools/"])
    assert "services/b/main.go" not in facts.paths()
    assert "tools/gen.py" not in facts.paths()
    assert facts.info("tools/gen.py") is None
    assert not facts.exists("tools/gen.py")
    assert facts.exists("README.md")


def test_artefacts_and_languages() -> None:
    facts = Facts.from_files(
        {
            "a.py": "x = 1\n" * 30,
            "b.go": "package b\n" * 30,
            "c.sh": "echo\n",
            "broken.py": "def (:\n",
            "d.yaml": "a: 1\n---\nb: 2\n",
            "e.json": '{"k": true}',
        }
    )
    assert facts.languages() == {"python": 31, "go": 30, "shell": 1}
    assert facts.main_languages() == ["python", "go"]
    assert facts.python_ast("a.py") is not None
    assert facts.python_ast("broken.py") is None
    assert facts.yaml_documents("d.yaml") == [{"a": 1}, {"b": 2}]
    assert facts.json("e.json") == {"k": True}
    assert [p.path for p in facts.index.parse_problems()] == ["broken.py"]


def test_derived_runs_once_per_view_even_under_concurrency() -> None:
    facts = Facts.from_files(FILES)
    calls: list[int] = []
    lock = threading.Lock()

    def collect(files: RepoFiles) -> int:
        with lock:
            calls.append(1)
        return len(list(files.paths()))

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: facts.derived("count", collect), range(32)))
    assert set(results) == {len(FILES)}
    assert calls == [1]
    narrower = facts.without(["services/"])
    assert narrower.derived("count", collect) == 4
    assert calls == [1, 1]


def test_derived_errors_propagate_and_are_not_cached() -> None:
    facts = Facts.from_files(FILES)

    def broken(_: RepoFiles) -> int:
        raise ValueError("collector bug")

    with pytest.raises(ValueError, match="collector bug"):
        facts.derived("broken", broken)
    assert facts.derived("broken", lambda _: 3) == 3


def test_params_default_to_policy_defaults() -> None:
    assert Facts.from_files({}).params == Thresholds()
    assert Facts.from_files({}, params=Thresholds(coverage=90)).params.coverage == 90
