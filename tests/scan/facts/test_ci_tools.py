"""Token-based tool classification and each tool's failure behaviour."""

from __future__ import annotations

import pytest

from prodready.scan.facts.ci_model import ToolCategory
from prodready.scan.facts.ci_shell import shell_words
from prodready.scan.facts.ci_tools import classify, unwrap


def tool_of(command: str) -> tuple[str | None, bool]:
    result = classify(shell_words(command))
    return (result.tool.id if result.tool else None), result.effect.fail


@pytest.mark.parametrize(
    ("command", "tool_id"),
    [
        ("pytest -q", "pytest"),
        ("python -m pytest -q", "pytest"),
        ("python3.12 -X dev -m pytest", "pytest"),
        (".venv/bin/python -m pytest", "pytest"),
        ("uv run pytest", "pytest"),
        ("uv run --frozen --with pytest-cov pytest", "pytest"),
        ("uv run -m pytest", "pytest"),
        ("poetry run ruff check .", "ruff-check"),
        ("pdm run mypy src", "mypy"),
        ("pipenv run flake8", "flake8"),
        ("hatch run lint:ruff check", "ruff-check"),
        ("uvx ruff@0.6.0 check", "ruff-check"),
        ("pipx run pip-audit", "pip-audit"),
        ("coverage run -m pytest", "pytest"),
        ("python manage.py test", "django-test"),
        ("npx eslint .", "eslint"),
        ("npx --yes prettier@3 --check .", "prettier"),
        ("pnpm exec vitest run", "vitest"),
        ("yarn dlx @biomejs/biome ci", "biome"),
        ("./node_modules/.bin/jest --ci", "jest"),
        ("nyc mocha", "mocha"),
        ("go test ./...", "go-test"),
        ("go vet ./...", "go-vet"),
        ("go run honnef.co/go/tools/cmd/staticcheck@latest ./...", "staticcheck"),
        ("go run github.com/golangci/golangci-lint/cmd/golangci-lint@v1.59.0 run", "golangci-lint"),
        ("go run golang.org/x/vuln/cmd/govulncheck@latest ./...", "govulncheck"),
        ("go tool staticcheck ./...", "staticcheck"),
        ("golangci-lint run --timeout 5m", "golangci-lint"),
        ("FOO=1 BAR=2 go test -race ./...", "go-test"),
        ("sudo -E env CI=true pytest", "pytest"),
        ("timeout 10m go test ./...", "go-test"),
        ("time make", None),
        ("docker run --rm -v $PWD:/src aquasec/trivy:0.50.0 fs --exit-code 1 .", "trivy"),
        ("docker run --rm returntocorp/semgrep semgrep ci", "semgrep"),
        ("docker compose run --rm app pytest -x", "pytest"),
        ("docker-compose exec -T api python -m pytest", "pytest"),
        ("xargs -n1 gofmt -l", "gofmt"),
        ("mvn -B verify", "maven"),
        ("./mvnw -q checkstyle:check", "maven"),
        ("./gradlew check", "gradle"),
        ("sonar-scanner -Dsonar.projectKey=x", "sonar"),
        ("bandit -r src", "bandit"),
        ("semgrep --config auto --error", "semgrep"),
        ("pip-audit -r requirements.txt", "pip-audit"),
        ("safety check", "safety"),
        ("osv-scanner -r .", "osv-scanner"),
        ("govulncheck ./...", "govulncheck"),
        ("trivy fs --exit-code 1 .", "trivy"),
        ("snyk test", "snyk"),
        ("snyk code test", "snyk-code"),
        ("npm audit --audit-level=high", "npm-audit"),
        ("yarn npm audit", "npm-audit"),
        ("npm test", "npm-test"),
        ("gitleaks detect", "gitleaks"),
        ("cargo clippy -- -D warnings", "clippy"),
        ("dotnet format --verify-no-changes", "dotnet-format"),
        ("pip install -r requirements.txt", None),
        ("echo pytest", None),
        ("command -v ruff", None),
    ],
)
def test_classification(command: str, tool_id: str | None) -> None:
    assert tool_of(command)[0] == tool_id


@pytest.mark.parametrize(
    ("command", "fails"),
    [
        ("ruff check .", True),
        ("ruff check --fix .", True),
        ("ruff check --exit-zero .", False),
        ("ruff .", True),
        ("ruff format .", False),
        ("ruff format --check .", True),
        ("ruff format --diff .", True),
        ("black .", False),
        ("black --check --diff .", True),
        ("black --diff .", False),
        ("isort .", False),
        ("isort --check-only --diff .", True),
        ("isort -c .", True),
        ("flake8 --exit-zero", False),
        ("flake8 src", True),
        ("pylint --exit-zero src", False),
        ("bandit --exit-zero -r src", False),
        ("semgrep scan --config auto", False),
        ("semgrep ci", True),
        ("gofmt -l .", False),
        ("gofmt -w .", False),
        ("golint ./...", False),
        ("golint -set_exit_status ./...", True),
        ("golangci-lint run --issues-exit-code=0", False),
        ("gosec -no-fail ./...", False),
        ("govulncheck -json ./...", False),
        ("trivy fs .", False),
        ("trivy image --exit-code 1 app:latest", True),
        ("grype dir:.", False),
        ("grype dir:. --fail-on high", True),
        ("prettier .", False),
        ("prettier --write .", False),
        ("prettier --check .", True),
        ("snyk monitor", False),
        ("sonar-scanner", False),
        ("sonar-scanner -Dsonar.qualitygate.wait=true", True),
        ("safety check --continue-on-error", False),
        ("mvn verify -Dmaven.test.failure.ignore=true", False),
        ("trufflehog git file://.", False),
        ("trufflehog git file://. --fail", True),
    ],
)
def test_failure_behaviour(command: str, fails: bool) -> None:
    tool_id, does_fail = tool_of(command)
    assert tool_id is not None
    assert does_fail is fails


def test_categories_and_languages() -> None:
    pytest_cov = classify(shell_words("uv run pytest --cov=app --cov-fail-under=80")).tool
    assert pytest_cov is not None
    assert pytest_cov.categories == {ToolCategory.TEST, ToolCategory.COVERAGE}
    assert pytest_cov.languages == {"python"}
    go_cover = classify(shell_words("go test -coverprofile=cover.out ./...")).tool
    assert go_cover is not None
    assert ToolCategory.COVERAGE in go_cover.categories
    ruff_s = classify(shell_words("ruff check --extend-select S .")).tool
    assert ruff_s is not None
    assert ToolCategory.SAST in ruff_s.categories
    gradle = classify(shell_words("./gradlew check -x test")).tool
    assert gradle is not None
    assert gradle.categories == {ToolCategory.LINT}
    mvn = classify(shell_words("mvn -DskipTests package")).tool
    assert mvn is None
    assert ruff_s.matches("lint")
    assert ruff_s.matches("ruff")
    assert ruff_s.matches("ruff-check")
    assert not ruff_s.matches("format")


def test_go_test_prefixed_cover_flag_through_gotestsum_measures_coverage() -> None:
    """bxcodec/go-clean-arch runs ``gotestsum ... -- ./... -test.coverprofile coverage.out``.

    ``go test`` takes every test flag with an optional ``test.`` prefix, and
    gotestsum passes what follows ``--`` to it: that measures coverage.
    """
    for command in (
        "gotestsum --format testname -- ./... -test.coverprofile coverage.out -race",
        "gotestsum -- -coverprofile=c.out ./...",
        "go test -test.coverprofile=c.out ./...",
        "go test --coverprofile c.out ./...",
    ):
        tool = classify(shell_words(command)).tool
        assert tool is not None, command
        assert tool.categories == {ToolCategory.TEST, ToolCategory.COVERAGE}, command
        assert tool.languages == {"go"}
    for command in ("gotestsum --format testname -- ./... -race", "go test -test.v ./..."):
        tool = classify(shell_words(command)).tool
        assert tool is not None, command
        assert tool.categories == {ToolCategory.TEST}, command


def test_coverage_run_options_that_take_a_value() -> None:
    """encode/uvicorn's scripts/test runs ``coverage run --debug config -m pytest``:
    ``config`` is the value of ``--debug``, not the program coverage runs."""
    for command in (
        "coverage run --debug config -m pytest",
        "coverage run --concurrency thread --data-file .cov --branch --module pytest -q",
        "coverage run --context ci --save-signal USR1 --source app -m pytest",
    ):
        tool = classify(shell_words(command)).tool
        assert tool is not None, command
        assert tool.id == "pytest", command
        assert tool.categories == {ToolCategory.TEST, ToolCategory.COVERAGE}, command


def test_unwrap_reports_coverage_wrappers() -> None:
    words, extra, _ = unwrap(["nyc", "--reporter=lcov", "npm", "test"])
    assert words == ("npm", "test")
    assert extra == {ToolCategory.COVERAGE}


def test_docker_exec_runs_the_command_inside_the_container() -> None:
    """``docker exec CONTAINER cmd`` runs cmd: a CI job that starts its image and
    execs the tests, linters and formatters inside it (found scanning
    testdrivenio/fastapi-tdd-docker, whose test.in-ci and cq.format failed)."""
    assert tool_of("docker exec fastapi-tdd python -m pytest .") == ("pytest", True)
    assert tool_of("docker exec -i -e CI=1 --workdir /app api python -m black . --check")[0] == (
        "black"
    )
    assert tool_of("docker container exec -t web flake8 .")[0] == "flake8"
    assert tool_of("podman exec --detach-keys ctrl-x app go test ./...")[0] == "go-test"
    assert tool_of("docker exec fastapi-tdd")[0] is None
    assert tool_of("docker exec -it")[0] is None
