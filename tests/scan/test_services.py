"""Service discovery: manifests, Dockerfiles, nesting, names, explicit lists."""

from __future__ import annotations

from prodready.scan.facts.files import FileIndex
from prodready.scan.services import discover, unique_names


def found(
    files: dict[str, str], explicit: tuple[str, ...] | None = None
) -> list[tuple[str, tuple[str, ...], str | None]]:
    return [
        (s.scope.path, s.scope.nested, s.manifest_name)
        for s in discover(FileIndex.from_files(files), explicit)
    ]


def test_a_repository_without_manifests_is_one_service() -> None:
    assert found({"README.md": "# x\n", "main.py": "print(1)\n"}) == [(".", (), None)]


def test_root_manifest_is_the_one_service_and_fixtures_examples_do_not_count() -> None:
    files = {
        "pyproject.toml": "[project]\nname = 'shop-api'\n",
        "tests/fixtures/repo/go.mod": "module x\n",
        "examples/demo/package.json": '{"name": "demo"}',
        "docs/site/package.json": '{"name": "site"}',
        "vendor/github.com/x/go.mod": "module y\n",
        ".devcontainer/Dockerfile": "FROM x\n",
    }
    assert found(files) == [(".", (), "shop-api")]


def test_names_come_from_each_kind_of_manifest() -> None:
    files = {
        "py/pyproject.toml": "[tool.poetry]\nname = 'poetry-svc'\n",
        "cfg/setup.cfg": "[metadata]\nname = cfg-svc\nversion = 1\n",
        "go/go.mod": "module github.com/acme/go-svc/v2\n",
        "js/package.json": '{"name": "@acme/js-svc"}',
        "java/pom.xml": "<project><parent><artifactId>parent</artifactId></parent>"
        "<artifactId>java-svc</artifactId></project>",
        "bare/Dockerfile": "FROM scratch\n",
        "req/requirements.txt": "flask==3.0.3\n",
    }
    assert found(files) == [
        ("bare", (), None),
        ("cfg", (), "cfg-svc"),
        ("go", (), "go-svc"),
        ("java", (), "java-svc"),
        ("js", (), "@acme/js-svc"),
        ("py", (), "poetry-svc"),
        ("req", (), None),
    ]


def test_nested_services_and_dockerfiles_inside_services() -> None:
    files = {
        "go.mod": "module acme.io/platform\n",
        "deploy/Dockerfile": "FROM x\n",  # inside the root service: not a service
        "tools/codegen/go.mod": "module acme.io/codegen\n",
        "services/api/pyproject.toml": "[project]\nname = 'api'\n",
        "services/api/docker/Dockerfile": "FROM y\n",
    }
    assert found(files) == [
        (".", ("services/api", "tools/codegen"), "platform"),
        ("services/api", (), "api"),
        ("tools/codegen", (), "codegen"),
    ]


def test_a_settings_module_named_setup_py_is_not_a_manifest() -> None:
    """HackSoftware/Django-Styleguide-Example keeps helper classes in
    config/settings/loggers/setup.py and config/settings/debug_toolbar/setup.py:
    application modules, not packaging scripts, so no service of their own."""
    files = {
        "pyproject.toml": "[project]\nname = 'styleguide'\n",
        "config/settings/loggers/setup.py": (
            "import structlog\n\nclass LoggersSetup:\n"
            "    @staticmethod\n    def setup_settings(apps):\n        return apps\n"
        ),
        "libs/a/setup.py": "from setuptools import setup\nsetup(name='a')\n",
        "libs/b/setup.py": "import setuptools\n\nsetuptools.setup()\n",
        "libs/c/setup.py": "from distutils.core import setup\n",
        "libs/d/setup.py": "def broken(:\n",
    }
    assert [path for path, _, _ in found(files)] == [".", "libs/a", "libs/b", "libs/c", "libs/d"]


def test_a_setup_py_with_an_invalid_escape_is_judged_by_its_code() -> None:
    """The scanned code's compiler warnings (an invalid escape sequence) are
    silenced, never raised or printed: such a helper module is still no
    manifest (the tests run with warnings as errors, so a leaked warning would
    turn into a syntax error and a service)."""
    files = {
        "pyproject.toml": "[project]\nname = 'app'\n",
        "config/setup.py": "import re\n\nPATTERN = re.compile('\\d+')\n",
    }
    assert [path for path, _, _ in found(files)] == ["."]


def test_dockerfile_only_folders_outside_services() -> None:
    files = {"api/Dockerfile": "FROM x\n", "worker/Containerfile": "FROM y\n", "README.md": "# r\n"}
    assert [path for path, _, _ in found(files)] == ["api", "worker"]


def test_explicit_service_list_overrides_discovery() -> None:
    files = {"a/go.mod": "module a\n", "b/go.mod": "module b\n", "c/main.py": "x = 1\n"}
    assert [p for p, _, _ in found(files, ("c/", "./a"))] == ["a", "c"]
    assert [p for p, _, _ in found(files, ())] == ["."]


def test_unique_names() -> None:
    assert unique_names(["api", "api", "web"], ["a", "b", "c"]) == ["api", "api (b)", "web"]
