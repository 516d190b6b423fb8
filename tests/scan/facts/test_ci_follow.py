"""Following CI into task runners and scripts, and local-only runs."""

from __future__ import annotations

from prodready.scan.facts.ci import CiFacts, CommandRun, Trigger, ci_facts
from prodready.scan.facts.source import InMemoryFiles


def facts(files: dict[str, str]) -> CiFacts:
    return ci_facts(InMemoryFiles(files))


def only(result: CiFacts, kind: str, trigger: Trigger | None = None) -> CommandRun:
    runs = result.runs(kind, None if trigger is None else [trigger])
    assert len(runs) == 1, [r.chain for r in runs]
    return runs[0]


def gha(*commands: str) -> str:
    steps = "".join(f"      - run: {c}\n" for c in commands)
    return f"on: push\njobs:\n  ci:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"


MAKEFILE = """\
PYTHON ?= python3
BIN := .venv/bin
GOLANGCI = $(shell go env GOPATH)/bin/golangci-lint

.PHONY: lint fmt-check check test

check: lint test

lint: fmt-check
\t$(BIN)/ruff check .
\t-$(BIN)/mypy src
\t$(GOLANGCI) run ./...

fmt-check:
\t@test -z "$$(gofmt -l .)"

fmt:
\tgofmt -w .
\t$(PYTHON) -m black .

test:
\t$(PYTHON) -m pytest -q || true
\t$(MAKE) -C services/api test

sub-%:
\techo pattern
"""


def test_make_targets_prerequisites_variables_and_prefixes() -> None:
    files = {
        ".github/workflows/ci.yml": gha("make check"),
        "Makefile": MAKEFILE,
        "services/api/Makefile": "test:\n\tgo test ./...\n",
    }
    result = facts(files)
    ruff = only(result, "ruff-check")
    assert ruff.can_fail
    assert ruff.argv == (".venv/bin/ruff", "check", ".")
    assert ruff.chain == (
        '.github/workflows/ci.yml:6 (job ci, step "make check") -> Makefile:7 (target check) -> '
        "Makefile:9 (target lint) -> Makefile:10"
    )
    mypy = only(result, "mypy")
    assert not mypy.can_fail
    assert mypy.why_not == "make ignores errors of this line (`-` prefix) (Makefile:11)"
    assert only(result, "golangci-lint").can_fail, "$(shell ...) expands to nothing, the path stays"
    gofmt = only(result, "gofmt", Trigger.CI)
    assert gofmt.can_fail, "test -z around gofmt -l gates"
    assert gofmt.location.line == 15
    pytest_run = only(result, "pytest")
    assert not pytest_run.can_fail
    assert "|| true" in (pytest_run.why_not or "")
    go_test = only(result, "go-test")
    assert go_test.can_fail
    assert go_test.location.path == "services/api/Makefile"
    assert go_test.cwd == "services/api"


def test_local_only_make_targets() -> None:
    result = facts({".github/workflows/ci.yml": gha("make lint"), "Makefile": MAKEFILE})
    local_black = only(result, "black", Trigger.LOCAL)
    assert not local_black.can_fail
    assert local_black.chain == "Makefile:17 (target fmt) -> Makefile:19"
    assert result.runs("ruff-check", [Trigger.LOCAL]) == [], "reached from CI: not reported again"
    assert "Makefile:21 (target test) -> Makefile:22" in only(result, "pytest", Trigger.LOCAL).chain
    assert result.gating("lint", [Trigger.LOCAL]) == []


def test_make_without_target_uses_default_goal_and_dash_i() -> None:
    files = {
        ".github/workflows/ci.yml": gha("make", "make -i -f build.mk vet"),
        "Makefile": ".DEFAULT_GOAL := test\nall:\n\techo all\ntest:\n\tpytest\n",
        "build.mk": "vet:\n\tgo vet ./...\n",
    }
    result = facts(files)
    assert only(result, "pytest", Trigger.CI).can_fail
    vet = only(result, "go-vet", Trigger.CI)
    assert not vet.can_fail
    assert vet.why_not == "`make -i` ignores every error"


def test_make_shellflags_oneshell_and_includes() -> None:
    makefile = (
        "SHELL := bash\n.SHELLFLAGS := -eu -o pipefail -c\ninclude common.mk\nlint:\n"
        "\tflake8 | tee out\n\techo x\n"
    )
    files = {
        ".github/workflows/ci.yml": gha("make lint test"),
        "Makefile": makefile,
        "common.mk": "test:\n\tpytest; echo done\n",
    }
    result = facts(files)
    assert only(result, "flake8").can_fail, "pipefail from .SHELLFLAGS"
    assert only(result, "pytest").can_fail, "-e from .SHELLFLAGS"
    assert only(result, "pytest").location.path == "common.mk"


def test_make_forwarding_pattern_rule_of_a_shared_makefile_common() -> None:
    """prometheus/alertmanager: CI runs `make`, whose default goal (from the
    included Makefile.common) is `common-all: style lint test`, and
    `%: common-% ;` forwards `style` to `common-style` unless the including
    Makefile defines `style` itself (it defines `test`)."""
    common = (
        "GO ?= go\n%: common-% ;\n\n"
        "common-all: style lint test\n\n"
        "common-style:\n\t@fmtRes=$$(gofmt -d $$(find . -name '*.go')); "
        'if [ -n "$${fmtRes}" ]; then exit 1; fi\n\n'
        "common-lint:\n\tgolangci-lint run ./...\n\n"
        "common-test:\n\t$(GO) test -race ./...\n\n"
        "common-vet:\n\t$(GO) vet ./...\n\n"
        "%.o: %.c\n\tcc -c $<\n"
    )
    makefile = "include Makefile.common\n\ntest: common-test\n\techo own test\n"
    files = {
        ".github/workflows/ci.yml": gha("make", "make vet"),
        "Makefile": makefile,
        "Makefile.common": common,
    }
    result = facts(files)
    lint = only(result, "golangci-lint", Trigger.CI)
    assert lint.can_fail
    assert "(target lint) -> Makefile.common:" in lint.chain
    assert "(target common-lint)" in lint.chain
    assert only(result, "gofmt", Trigger.CI).can_fail
    go_test = only(result, "go-test", Trigger.CI)
    assert "Makefile:3 (target test)" in go_test.chain, "the including Makefile's own test wins"
    assert only(result, "go-vet", Trigger.CI).can_fail, "`make vet` reaches common-vet"


def test_make_recursion_and_cycles() -> None:
    files = {
        ".github/workflows/ci.yml": gha("make a"),
        "Makefile": "a: b\n\truff check .\nb: a\n\t$(MAKE) c\nc:\n\t$(MAKE) a\n",
    }
    result = facts(files)
    assert only(result, "ruff-check", Trigger.CI).can_fail
    assert any("cycle" in p.message for p in result.problems)


def test_tox_ini_environments() -> None:
    tox = """\
[tox]
envlist = py{311,312}, lint

[testenv]
deps = pytest
commands =
    pytest --cov {posargs:tests}

[testenv:lint]
skip_install = true
commands =
    ruff check .
    - mypy src
    black --check .

[testenv:docs]
ignore_outcome = true
commands = sphinx-build -W docs build
    bandit -r src
"""
    files = {
        ".github/workflows/ci.yml": gha("tox -e lint", "python -m tox -e py312"),
        "tox.ini": tox,
    }
    result = facts(files)
    assert only(result, "ruff-check", Trigger.CI).can_fail
    assert only(result, "ruff-check", Trigger.CI).chain.endswith(
        "tox.ini:9 (tox env lint) -> tox.ini:12"
    )
    mypy = only(result, "mypy", Trigger.CI)
    assert not mypy.can_fail
    assert "prefixed with `-`" in (mypy.why_not or "")
    assert only(result, "black", Trigger.CI).can_fail
    assert only(result, "pytest", Trigger.CI).chain.endswith(
        "tox.ini:4 (tox env py312) -> tox.ini:7"
    )
    assert result.runs("pytest", [Trigger.LOCAL]) == [], "py311 runs the line CI already runs"
    bandit = only(result, "bandit", Trigger.LOCAL)
    assert not bandit.can_fail
    assert "ignore_outcome" in (bandit.why_not or "")


def test_tox_in_pyproject_native_and_legacy() -> None:
    native = """\
[tool.tox]
env_list = ["lint"]
[tool.tox.env.lint]
commands = [["ruff", "check", "."], ["-", "mypy", "."]]
"""
    result = facts({".github/workflows/ci.yml": gha("tox"), "pyproject.toml": native})
    assert only(result, "ruff-check", Trigger.CI).can_fail
    assert not only(result, "mypy", Trigger.CI).can_fail
    legacy = (
        '[tool.tox]\nlegacy_tox_ini = """\n[tox]\nenvlist = py\n[testenv]\ncommands = pytest\n"""\n'
    )
    result = facts({".github/workflows/ci.yml": gha("tox -e py"), "pyproject.toml": legacy})
    assert only(result, "pytest", Trigger.CI).can_fail


def test_nox_sessions_are_parsed_not_run() -> None:
    noxfile = """\
import nox
from nox import session

nox.options.sessions = ["lint", "tests"]

@nox.session(python=["3.11", "3.12"])
def tests(session):
    session.install("-e", ".[test]")
    session.run("pytest", "--cov", *session.posargs)

@session(name="lint")
def lint_session(s):
    s.run("ruff", "check", ".")
    s.run("mypy", "src", success_codes=[0, 1])
    s.notify("audit")

@nox.session
def audit(session):
    session.run("pip-audit")

raise SystemExit("this file must never be executed")
"""
    result = facts({".github/workflows/ci.yml": gha("nox -s lint"), "noxfile.py": noxfile})
    ruff = only(result, "ruff-check", Trigger.CI)
    assert ruff.can_fail
    assert ruff.location.line == 13
    assert not only(result, "mypy", Trigger.CI).can_fail
    assert only(result, "pip-audit", Trigger.CI).can_fail, "session.notify follows"
    assert only(result, "pytest", Trigger.LOCAL).tool is not None


def test_npm_scripts_with_hooks_and_package_managers() -> None:
    package = """\
{
  "name": "web",
  "scripts": {
    "prelint": "prettier --check .",
    "lint": "eslint . --max-warnings 0",
    "postlint": "stylelint '**/*.css' || true",
    "test": "jest --coverage",
    "typecheck": "tsc --noEmit",
    "ci": "npm run lint && npm run typecheck && run-s test"
  }
}
"""
    files = {
        ".github/workflows/ci.yml": gha("cd web && npm ci && npm run ci"),
        "web/package.json": package,
    }
    result = facts(files)
    eslint = only(result, "eslint", Trigger.CI)
    assert eslint.can_fail
    assert eslint.location == eslint.origin[-1]
    assert eslint.location.path == "web/package.json"
    assert eslint.location.line == 5
    assert only(result, "prettier", Trigger.CI).can_fail, "pre-hooks run"
    assert not only(result, "stylelint", Trigger.CI).can_fail
    jest = only(result, "jest", Trigger.CI)
    assert jest.tool is not None
    assert "coverage" in jest.tool.categories
    assert only(result, "tsc", Trigger.CI).can_fail
    assert result.runs("npm-test", [Trigger.CI]) == []


def test_yarn_and_pnpm_scripts() -> None:
    package = '{"scripts": {"lint": "eslint .", "test": "vitest run"}}'
    result = facts(
        {".github/workflows/ci.yml": gha("yarn lint", "pnpm test"), "package.json": package}
    )
    assert only(result, "eslint", Trigger.CI).can_fail
    assert only(result, "vitest", Trigger.CI).can_fail


def test_npm_test_without_package_json_is_still_a_test_run() -> None:
    result = facts({".github/workflows/ci.yml": gha("npm test")})
    assert only(result, "npm-test").can_fail


def test_shell_scripts_are_read() -> None:
    script = """\
#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
ruff check .
set +e
mypy src
set -e
make -C services/api test
"""
    files = {
        ".github/workflows/ci.yml": gha("./scripts/ci.sh", "bash scripts/lint-go.sh"),
        "scripts/ci.sh": script,
        "scripts/lint-go.sh": "golangci-lint run\necho finished\n",
        "services/api/Makefile": "test:\n\tgo test ./...\n",
    }
    result = facts(files)
    ruff = only(result, "ruff-check")
    assert ruff.can_fail
    assert (
        ruff.chain == ".github/workflows/ci.yml:6 (job ci, step ./scripts/ci.sh) -> scripts/ci.sh:4"
    )
    mypy = only(result, "mypy")
    assert not mypy.can_fail
    assert "set +e" in (mypy.why_not or "")
    assert only(result, "go-test").can_fail
    golangci = only(result, "golangci-lint")
    assert not golangci.can_fail, "no set -e: the last command decides"
    assert "scripts/lint-go.sh:1" in (golangci.why_not or "")


def test_bash_dash_c_and_source() -> None:
    files = {
        ".github/workflows/ci.yml": gha(
            "bash -ec 'ruff check .; echo done'", "source scripts/env.sh"
        ),
        "scripts/env.sh": "export X=1\nflake8\n",
    }
    result = facts(files)
    assert only(result, "ruff-check").can_fail
    assert only(result, "flake8").location.path == "scripts/env.sh"


def test_script_calling_itself_is_a_cycle() -> None:
    files = {
        ".github/workflows/ci.yml": gha("./loop.sh"),
        "loop.sh": "#!/bin/sh\nset -e\n./loop.sh\npytest\n",
    }
    result = facts(files)
    assert only(result, "pytest").can_fail
    assert any("cycle" in p.message for p in result.problems)


def test_just_and_task_runners() -> None:
    justfile = """\
set shell := ["bash", "-uc"]

default: lint

lint: fmt
    ruff check .
    -mypy src

fmt:
    @ruff format --check .

bench:
    #!/usr/bin/env bash
    set -e
    pytest benchmarks
"""
    taskfile = """\
version: '3'
tasks:
  lint:
    deps: [vet]
    cmds:
      - golangci-lint run
      - cmd: staticcheck ./...
        ignore_error: true
  vet:
    cmds:
      - go vet ./...
  test:
    cmds:
      - task: lint
      - go test ./...
"""
    files = {
        ".github/workflows/ci.yml": gha("just", "task test"),
        "justfile": justfile,
        "Taskfile.yml": taskfile,
    }
    result = facts(files)
    assert only(result, "ruff-check", Trigger.CI).can_fail
    assert not only(result, "mypy", Trigger.CI).can_fail
    assert only(result, "ruff-format", Trigger.CI).can_fail
    assert only(result, "pytest", Trigger.LOCAL).can_fail
    assert only(result, "golangci-lint", Trigger.CI).can_fail
    assert only(result, "go-vet", Trigger.CI).can_fail
    assert not only(result, "staticcheck", Trigger.CI).can_fail
    assert only(result, "go-test", Trigger.CI).location.path == "Taskfile.yml"


def test_pyproject_script_runners() -> None:
    pyproject = """\
[tool.hatch.envs.default.scripts]
check = ["lint", "typing"]
lint = "ruff check ."
typing = "mypy src"

[tool.hatch.envs.test.scripts]
run = "pytest {args}"

[tool.pdm.scripts]
audit = "pip-audit"
fmt = {composite = ["audit", "black --check ."]}

[tool.poe.tasks]
sec = "bandit -r src"
all = ["sec"]
"""
    files = {
        ".github/workflows/ci.yml": gha(
            "hatch run check", "hatch run test:run", "pdm run fmt", "poe all"
        ),
        "pyproject.toml": pyproject,
    }
    result = facts(files)
    assert only(result, "ruff-check", Trigger.CI).can_fail
    assert only(result, "mypy", Trigger.CI).can_fail
    assert only(result, "pytest", Trigger.CI).can_fail
    assert only(result, "pip-audit", Trigger.CI).can_fail
    assert only(result, "black", Trigger.CI).can_fail
    assert only(result, "bandit", Trigger.CI).can_fail


PRE_COMMIT = """\
default_stages: [pre-commit]
ci:
  skip: [mypy]
repos:
  - repo: https://github.com/psf/black
    rev: 24.8.0
    hooks:
      - id: black
  - repo: https://github.com/pre-commit/mirrors-mypy
    rev: v1.11.2
    hooks:
      - id: mypy
  - repo: local
    hooks:
      - id: lint-go
        name: golangci-lint
        entry: golangci-lint run --issues-exit-code=0
        language: system
      - id: slow-tests
        name: tests
        entry: pytest
        language: system
        stages: [manual]
  - repo: meta
    hooks:
      - id: check-hooks-apply
"""


def test_pre_commit_hooks_and_pre_commit_ci() -> None:
    result = facts({".pre-commit-config.yaml": PRE_COMMIT})
    kinds = [p.kind.value for p in result.pipelines]
    assert kinds == ["pre-commit-ci"]
    black = only(result, "black", Trigger.CI)
    assert black.can_fail, "pre-commit fails when a hook rewrites files"
    assert (
        black.chain
        == ".pre-commit-config.yaml:2 (pre-commit.ci) -> .pre-commit-config.yaml:8 (hook black)"
    )
    assert result.runs("mypy", [Trigger.CI]) == [], "skipped on pre-commit.ci"
    assert only(result, "mypy", Trigger.PRE_COMMIT).can_fail
    golangci = only(result, "golangci-lint", Trigger.CI)
    assert not golangci.can_fail
    assert "issues-exit-code" in (golangci.why_not or "")
    assert only(result, "pytest", Trigger.LOCAL).can_fail, "manual-stage hooks run only on demand"


def test_pre_commit_run_from_ci_selects_hooks_and_stage() -> None:
    config = PRE_COMMIT.replace("ci:\n  skip: [mypy]\n", "")
    files = {
        ".github/workflows/ci.yml": gha(
            "pre-commit run mypy --all-files", "pre-commit run --hook-stage manual"
        ),
        ".pre-commit-config.yaml": config,
    }
    result = facts(files)
    assert [p.kind.value for p in result.pipelines] == ["github-actions"]
    assert only(result, "mypy", Trigger.CI).can_fail
    assert only(result, "pytest", Trigger.CI).can_fail
    assert only(result, "black", Trigger.PRE_COMMIT).can_fail


def test_malformed_runner_files_are_problems_not_crashes() -> None:
    files = {
        ".github/workflows/ci.yml": gha("nox", "tox", "task lint", "npm run lint"),
        "noxfile.py": "def broken(:\n",
        "pyproject.toml": "[tool.tox\n",
        "Taskfile.yml": "tasks: [\n",
        "package.json": "{not json",
        ".pre-commit-config.yaml": "repos: 3\n",
    }
    result = facts(files)
    paths = {p.path for p in result.problems}
    assert {
        "noxfile.py",
        "pyproject.toml",
        "Taskfile.yml",
        "package.json",
        ".pre-commit-config.yaml",
    } <= paths


def test_deep_make_chains_are_bounded() -> None:
    targets = "".join(f"t{i}: t{i + 1}\n\techo {i}\n" for i in range(400))
    files = {".github/workflows/ci.yml": gha("make t0"), "Makefile": targets + "t400:\n\tpytest\n"}
    result = facts(files)
    assert result.runs("pytest", [Trigger.CI]) == [], "400 prerequisites deep is not followed"
    assert any("nesting deeper than" in p.message for p in result.problems)
    assert only(result, "pytest", Trigger.LOCAL).chain.startswith("Makefile:")


def test_a_script_named_like_a_builtin_is_followed() -> None:
    """encode/httpx runs ``scripts/test`` (not the ``test`` builtin), whose tools
    sit behind a ``${PREFIX}`` virtualenv prefix."""
    script = (
        '#!/bin/sh\nset -ex\nexport PREFIX=""\nif [ -d venv ]; then export PREFIX="venv/bin/"; fi\n'
        '${PREFIX}coverage run -m pytest "$@"\n${PREFIX}ruff format httpx --diff\n'
    )
    result = facts(
        {".github/workflows/ci.yml": gha('"scripts/test"', "test -f x"), "scripts/test": script}
    )
    run = only(result, "test", Trigger.CI)
    assert run.tool is not None
    assert run.tool.id == "pytest"
    assert run.can_fail
    assert [r.location.path for r in result.runs("format")] == ["scripts/test"]
    assert not any(r.command.startswith("test ") for r in result.commands)
