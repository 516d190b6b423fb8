"""Python dependency manifests, lockfiles and the lock judgement."""

from __future__ import annotations

import pytest

from prodready.scan.facts.deps import DependencyKind, DepsFacts, Ecosystem, deps_facts
from prodready.scan.facts.deps_python import is_exact, parse_requirement
from prodready.scan.facts.source import InMemoryFiles


def facts(files: dict[str, str]) -> DepsFacts:
    return deps_facts(InMemoryFiles(files))


PEP621 = """\
[build-system]
requires = ["hatchling==1.25.0"]
build-backend = "hatchling.build"

[project]
name = "orders"
dependencies = [
    "requests>=2.31,<3",
    "httpx[http2]==0.27.2; python_version >= '3.9'",
    "Flask_SQLAlchemy~=3.1",
]

[project.optional-dependencies]
redis = ["redis==5.0.0"]
test = ["pytest==8.3.3"]

[dependency-groups]
lint = ["ruff==0.6.9", {include-group = "typing"}]
typing = ["mypy==1.11.2"]

[tool.uv]
dev-dependencies = ["pre-commit==3.8.0"]
"""


def test_pep621_groups_and_normalisation() -> None:
    result = facts({"pyproject.toml": PEP621})
    deps = {d.name: d for d in result.dependencies()}
    assert deps["requests"].spec == ">=2.31,<3"
    assert deps["requests"].location == "pyproject.toml:8"
    assert deps["requests"].kind is DependencyKind.RUNTIME
    assert deps["httpx"].pinned
    assert deps["httpx"].marker == "python_version >= '3.9'"
    assert deps["flask-sqlalchemy"].raw_name == "Flask_SQLAlchemy"
    assert (deps["redis"].kind, deps["redis"].group) == (DependencyKind.OPTIONAL, "redis")
    assert deps["pytest"].kind is DependencyKind.DEV
    assert (deps["ruff"].kind, deps["ruff"].group) == (DependencyKind.DEV, "lint")
    assert deps["mypy"].location == "pyproject.toml:19"
    assert deps["pre-commit"].group == "uv dev"
    assert deps["hatchling"].kind is DependencyKind.BUILD
    assert result.has_dependency("flask-sqlalchemy")
    assert result.has_dependency("Flask.SQLAlchemy", Ecosystem.PYTHON)
    assert not result.has_dependency("flask")
    assert result.dependency_locations("REQUESTS") == ["pyproject.toml:8"]


def test_unlocked_without_lockfile_then_locked_with_uv_lock() -> None:
    (project,) = facts({"pyproject.toml": PEP621}).unlocked
    assert "no lockfile" in (project.why_unlocked or "")
    lock = "".join(
        f'[[package]]\nname = "{name}"\nversion = "1"\n'
        for name in ("requests", "httpx", "flask-sqlalchemy", "pytest", "ruff", "mypy")
    )
    result = facts({"pyproject.toml": PEP621, "uv.lock": "version = 1\n" + lock})
    (eco,) = result.ecosystems
    assert eco.locked
    assert eco.projects[0].evidence == "uv.lock"
    assert eco.lockfiles[0].kind == "uv.lock"


def test_stale_lockfile_is_not_locked() -> None:
    lock = 'version = 1\n[[package]]\nname = "requests"\nversion = "2.32.0"\n'
    (project,) = facts({"pyproject.toml": PEP621, "uv.lock": lock}).unlocked
    assert (
        project.why_unlocked
        == "uv.lock does not list flask-sqlalchemy: the lockfile is out of date"
    )


def test_all_exact_pins_count_as_locked() -> None:
    pyproject = '[project]\nname = "x"\ndependencies = ["fastapi==0.115.0", "uvicorn==0.30.6"]\n'
    (eco,) = facts({"pyproject.toml": pyproject}).ecosystems
    assert eco.locked
    assert eco.projects[0].evidence == "pyproject.toml: all 2 requirements pinned with =="


def test_poetry_and_poetry_lock() -> None:
    pyproject = """\
[tool.poetry]
name = "svc"

[tool.poetry.dependencies]
python = "^3.11"
fastapi = "^0.110"
tenacity = {version = "8.2.3", optional = true}
shared = {path = "../shared", develop = true}

[tool.poetry.group.dev.dependencies]
pytest = "^8.0"
"""
    lock = (
        '[[package]]\nname = "fastapi"\nversion = "0.110.0"\n\n[[package]]\nname = "pytest"\n'
        'version = "8.1"\n'
    )
    result = facts({"svc/pyproject.toml": pyproject, "svc/poetry.lock": lock})
    deps = {d.name: d for d in result.dependencies()}
    assert "python" not in deps
    assert deps["fastapi"].location == "svc/pyproject.toml:6"
    assert deps["tenacity"].kind is DependencyKind.OPTIONAL
    assert deps["tenacity"].pinned
    assert deps["shared"].source == "../shared"
    assert deps["pytest"].kind is DependencyKind.DEV
    (eco,) = result.ecosystems
    assert eco.locked
    assert eco.projects[0].root == "svc"


def test_requirements_includes_constraints_hashes_and_urls() -> None:
    files = {
        "requirements.txt": (
            "# runtime\n"
            "-r requirements/base.txt\n"
            "-c constraints.txt\n"
            "--index-url https://pypi.example/simple\n"
            "gunicorn==22.0.0 \\\n"
            "    --hash=sha256:aaaa \\\n"
            "    --hash=sha256:bbbb\n"
            "celery[redis]  # pinned by constraints\n"
            "mylib @ https://example.com/mylib-1.0.tar.gz#sha256=cc\n"
            "-e git+https://github.com/org/tool.git#egg=tool\n"
            "-e .\n"
        ),
        "requirements/base.txt": "Django==5.0.6 ; python_version >= '3.10'\n",
        "constraints.txt": "celery==5.4.0\n",
        "requirements-dev.txt": "-r requirements.txt\npytest==8.3.3\n",
    }
    result = facts(files)
    deps = {(d.name, d.path): d for d in result.dependencies()}
    assert deps[("gunicorn", "requirements.txt")].hashed
    assert deps[("gunicorn", "requirements.txt")].location == "requirements.txt:5"
    assert deps[("django", "requirements/base.txt")].marker == "python_version >= '3.10'"
    assert deps[("celery", "requirements.txt")].spec == ""
    assert deps[("mylib", "requirements.txt")].source is not None
    assert deps[("tool", "requirements.txt")].source is not None
    assert deps[("pytest", "requirements-dev.txt")].kind is DependencyKind.DEV
    assert ("constraints", "constraints.txt") not in deps
    (eco,) = result.ecosystems
    assert eco.locked, eco.projects[0].why_unlocked
    assert "all" in (eco.projects[0].evidence or "")


def test_unpinned_requirement_says_where() -> None:
    files = {"requirements.txt": "flask==3.0.3\nrequests>=2\n", "requirements/dev.txt": "pytest\n"}
    (project,) = facts(files).unlocked
    assert project.why_unlocked == (
        "requirements.txt:2 `requests>=2` is not pinned (and 1 more) and there is no lockfile"
    )


def test_pip_compile_input_and_output() -> None:
    files = {
        "requirements.in": "flask\n",
        "requirements.txt": (
            "# This file is autogenerated by pip-compile with Python 3.12\nflask==3.0.3\n"
            "    # via -r requirements.in\nwerkzeug==3.0.3\n"
        ),
    }
    (eco,) = facts(files).ecosystems
    assert eco.locked


def test_pinned_requirements_must_cover_the_manifest() -> None:
    files = {
        "pyproject.toml": '[project]\nname = "x"\ndependencies = ["httpx>=0.27", "tenacity>=8"]\n',
        "requirements.txt": "httpx==0.27.2\n",
    }
    (project,) = facts(files).unlocked
    assert (
        project.why_unlocked == "pinned requirements do not cover tenacity declared in the manifest"
    )


def test_pipfile_and_pipfile_lock() -> None:
    pipfile = (
        '[packages]\nrequests = "*"\nflask = {version = "==3.0.3", extras = ["async"]}\n\n'
        '[dev-packages]\npytest = "*"\n'
    )
    lock = '{"default": {"requests": {}, "flask": {}}, "develop": {"pytest": {}}}'
    result = facts({"Pipfile": pipfile, "Pipfile.lock": lock})
    deps = {d.name: d for d in result.dependencies()}
    assert deps["requests"].spec == ""
    assert deps["flask"].pinned
    assert deps["pytest"].kind is DependencyKind.DEV
    assert result.ecosystems[0].locked


def test_setup_cfg_and_setup_py_read_without_running() -> None:
    setup_cfg = (
        "[metadata]\nname = lib\n\n[options]\ninstall_requires =\n    attrs>=23\n    click\n\n"
        "[options.extras_require]\ntest =\n    pytest\n"
    )
    setup_py = (
        "import sys\nfrom setuptools import setup\n"
        "REQUIRES = ['urllib3>=2', 'certifi']\n"
        "sys.exit('never run me')\n"
        "setup(name='legacy', install_requires=REQUIRES, extras_require={'socks': "
        "['PySocks>=1.5']})\n"
    )
    result = facts({"lib/setup.cfg": setup_cfg, "legacy/setup.py": setup_py})
    deps = {d.name: d for d in result.dependencies()}
    assert deps["attrs"].location == "lib/setup.cfg:6"
    assert deps["pytest"].kind is DependencyKind.DEV
    assert deps["urllib3"].location == "legacy/setup.py:3"
    assert deps["pysocks"].kind is DependencyKind.OPTIONAL
    assert len(facts({"legacy/setup.py": setup_py}).unlocked) == 1


def test_uv_workspace_member_uses_the_root_lock() -> None:
    files = {
        "pyproject.toml": (
            '[project]\nname = "root"\n[tool.uv.workspace]\nmembers = ["packages/*"]\n'
        ),
        "uv.lock": 'version = 1\n[[package]]\nname = "anyio"\nversion = "4"\n',
        "packages/a/pyproject.toml": '[project]\nname = "a"\ndependencies = ["anyio>=4"]\n',
        "other/pyproject.toml": '[project]\nname = "b"\ndependencies = ["anyio>=4"]\n',
    }
    result = facts(files)
    projects = {p.root: p for p in result.ecosystems[0].projects}
    assert projects["packages/a"].locked
    assert projects["packages/a"].evidence == "uv.lock"
    assert not projects["other"].locked


def test_tool_only_pyproject_is_not_a_python_project() -> None:
    assert facts({"pyproject.toml": "[tool.ruff]\nline-length = 100\n"}).ecosystems == ()


def test_vendored_manifests_are_ignored() -> None:
    result = facts(
        {
            ".venv/lib/site-packages/x/requirements.txt": "a\n",
            "node_modules/y/requirements.txt": "b\n",
        }
    )
    assert result.ecosystems == ()


def test_problems_for_broken_manifests() -> None:
    result = facts(
        {
            "pyproject.toml": "[project\nname = 1\n",
            "setup.py": "def broken(:\n",
            "requirements.txt": "-r missing.txt\n-r requirements.txt\nflask==3\n",
        }
    )
    messages = sorted((p.path, p.message.split(":")[0]) for p in result.problems)
    assert ("pyproject.toml", "invalid TOML") in messages
    assert ("setup.py", "setup.py does not parse") in messages
    assert ("requirements.txt", "included requirements file missing.txt not found") in messages
    assert any("cycle" in p.message for p in result.problems)


@pytest.mark.parametrize(
    ("text", "name", "spec", "marker", "url"),
    [
        ("requests", "requests", "", None, None),
        (
            "requests[socks,security] >= 2.0 ; python_version<'3.12'",
            "requests",
            ">= 2.0",
            "python_version<'3.12'",
            None,
        ),
        (
            "pip @ https://x/pip.whl ; sys_platform == 'linux'",
            "pip",
            "",
            "sys_platform == 'linux'",
            "https://x/pip.whl",
        ),
        ("zope.interface (>=5)", "zope.interface", ">=5", None, None),
    ],
)
def test_parse_requirement(
    text: str, name: str, spec: str, marker: str | None, url: str | None
) -> None:
    parsed = parse_requirement(text)
    assert parsed is not None
    assert (parsed.name, parsed.spec, parsed.marker, parsed.url) == (name, spec, marker, url)


def test_parse_requirement_rejects_garbage_and_exact_pins() -> None:
    assert parse_requirement("not a requirement at all") is None
    assert is_exact("==1.2.3")
    assert is_exact("===1.2.3")
    assert not is_exact("==1.2.*")
    assert not is_exact(">=1,==1.2")
    assert not is_exact("~=1.2")
