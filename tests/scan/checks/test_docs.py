"""doc.readme: the service's README (or the root one) must say how to run and test."""

from __future__ import annotations

from prodready.scan.checks.docs import judge_readme
from prodready.scan.facts.view import Facts, ServiceScope
from prodready.scan.model import Outcome

GOOD = "# svc\n\n## Run\n\n```sh\nmake run\n```\n\n## Test\n\n```sh\nmake test\n```\n"


def judge(files: dict[str, str], service: str = ".") -> tuple[Outcome, float | None, str]:
    facts = Facts.from_files(files)
    view = Facts(facts.index, ServiceScope("svc", service))
    verdict = judge_readme(view)
    return verdict.outcome, verdict.score, verdict.summary


def test_run_and_test_commands_pass() -> None:
    assert judge({"README.md": GOOD})[:2] == (Outcome.PASS, 10.0)


def test_missing_readme_fails() -> None:
    outcome, score, summary = judge({"app.py": "x = 1\n"})
    assert (outcome, score) == (Outcome.FAIL, 0.0)
    assert "no README" in summary


def test_links_only_readme_fails() -> None:
    outcome, score, _ = judge({"README.md": "# x\n\nDocs: [wiki](https://wiki.example.com/x)\n"})
    assert (outcome, score) == (Outcome.FAIL, 1.0)


def test_half_a_readme_is_partial() -> None:
    text = "# svc\n\nThe service that does things, written with care and attention.\n\n"
    text += "## Usage\n\n```sh\ndocker compose up\n```\n"
    outcome, score, summary = judge({"README.md": text})
    assert (outcome, score) == (Outcome.FAIL, 5.0)
    assert summary == "README does not say how to run the tests"


def test_a_service_uses_its_own_readme_else_the_root_one() -> None:
    files = {
        "README.md": GOOD,
        "services/a/README.md": "# a\n\nSee [the root README](../../README.md).\n",
        "services/b/main.go": "package main\n",
    }
    assert judge(files, "services/a")[0] is Outcome.FAIL
    assert judge(files, "services/b")[0] is Outcome.PASS


def test_tab_indented_readme_lines_are_judged_promptly() -> None:
    """A README with a tab-indented code line once sent the README parser into an
    endless loop, hanging the whole scan. Judged in a thread so a regression
    fails this test instead of hanging the suite."""
    import threading

    outcome: list[Outcome] = []
    text = "# svc\n\n\tmake run\n\n## Test\n\n\tmake test\n"
    worker = threading.Thread(
        target=lambda: outcome.append(judge({"README.md": text})[0]), daemon=True
    )
    worker.start()
    worker.join(timeout=30)
    assert outcome == [Outcome.PASS], "judging a tab-indented README did not finish"
