"""README analysis: commands count, prose and links alone do not."""

from __future__ import annotations

from prodready.scan.facts.readme import analyse_readme, analyse_readmes
from prodready.scan.facts.view import Facts, ServiceScope


def test_sections_with_commands() -> None:
    doc = analyse_readme(
        "README.md",
        "# svc\n\nDoes things.\n\n## Run\n\n```sh\nmake run\n```\n\n"
        "## Test\n\n```\npytest -q\n```\n",
    )
    assert doc.run is not None
    assert doc.run.line == 8
    assert doc.run.text == "make run"
    assert doc.test is not None
    assert doc.test.text == "pytest -q"
    assert not doc.links_only


def test_commands_anywhere_in_code_count_and_prose_does_not() -> None:
    doc = analyse_readme(
        "README.md",
        "# svc\n\nWe test everything thoroughly and run it in production.\n\n"
        "Start it with `docker compose up` and check it with `go test ./...`.\n",
    )
    assert doc.run is not None
    assert doc.run.text == "docker compose up"
    assert doc.test is not None
    assert doc.test.text == "go test ./..."
    prose = analyse_readme("README.md", "# svc\n\nWe test everything and run it well.\n")
    assert prose.run is None
    assert prose.test is None


def test_heading_with_an_unknown_command_counts_for_run() -> None:
    doc = analyse_readme("README.md", "Usage\n=====\n\n::\n\n    mytool serve --port 80\n")
    assert doc.run is not None
    assert "mytool serve" in doc.run.text
    assert doc.headings[0].text == "Usage"


def test_links_only_readme() -> None:
    doc = analyse_readme(
        "README.md", "# billing\n\nSee [the wiki](https://wiki.example.com/billing) for docs.\n"
    )
    assert doc.links_only
    assert doc.links == 1


def test_indented_list_continuations_are_not_code() -> None:
    doc = analyse_readme("README.md", "# x\n\n- item\n    python is great here\n")
    assert doc.run is None


def test_primary_readme_is_the_service_folder_one_else_the_root() -> None:
    files = {
        "README.md": "# root\n\n```\nmake test\n```\n",
        "services/a/README.rst": "A\n=\n\nRun with ``go run .``\n",
        "services/b/main.go": "package main\n",
    }
    facts = Facts.from_files(files)
    scoped_a = Facts(facts.index, ServiceScope("a", "services/a"))
    scoped_b = Facts(facts.index, ServiceScope("b", "services/b"))
    assert analyse_readmes(scoped_a).primary.path == "services/a/README.rst"  # type: ignore[union-attr]
    assert analyse_readmes(scoped_b).primary.path == "README.md"  # type: ignore[union-attr]
    assert analyse_readmes(facts).primary.path == "README.md"  # type: ignore[union-attr]
