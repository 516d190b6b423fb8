"""Which tool a command runs, and what it does when it finds something.

Token-based, never a substring search: ``poetry run python -m pytest``,
``uv run --frozen ruff check``, ``npx eslint``, ``FOO=1 go test``,
``go run honnef.co/go/tools/cmd/staticcheck@latest``, ``docker run
aquasec/trivy fs .`` all resolve to the tool after the wrappers are peeled.

Each recognised invocation gets a ``Tool`` (id, family, categories,
languages) and an ``Effect``: most tools exit non-zero when they find
something, but some only print (``gofmt -l``, ``flake8 --exit-zero``,
``semgrep`` without ``--error``, ``trivy`` without ``--exit-code``) and
formatters without their check flag rewrite files and exit 0 (``black .``).
``why_not`` explains the non-failing ones; the shell analysis then decides
whether something around them (``test -z "$(gofmt -l .)"``, a later
``git diff --exit-code``) turns them into a gate after all.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from prodready.scan.facts.ci_model import Tool, ToolCategory
from prodready.scan.facts.ci_shell import FAILS, Effect, shell_words

LINT = ToolCategory.LINT
FORMAT = ToolCategory.FORMAT
TYPECHECK = ToolCategory.TYPECHECK
TEST = ToolCategory.TEST
COVERAGE = ToolCategory.COVERAGE
SAST = ToolCategory.SAST
DEPSCAN = ToolCategory.DEPENDENCY_SCAN
SECRETS = ToolCategory.SECRET_SCAN

PRINTS = Effect(fail=False, output=True)
"""Reports findings on stdout and exits 0."""
REWRITES = Effect(fail=False, dirty=True)
"""Rewrites files and exits 0."""
SILENT = Effect(fail=False)
"""Cannot fail on findings and says nothing a script could test."""

PY = frozenset({"python"})
GO = frozenset({"go"})
JS = frozenset({"javascript", "typescript"})
JAVA = frozenset({"java", "kotlin"})
NONE: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Classified:
    """A command after classification."""

    tool: Tool | None
    argv: tuple[str, ...]
    """The words after wrappers (``uv run``, ``npx``, ``python -m``) are peeled."""
    effect: Effect = FAILS
    why_not: str | None = None
    notes: tuple[str, ...] = ()


def _tool(
    tool_id: str,
    family: str,
    categories: frozenset[ToolCategory] | set[ToolCategory],
    languages: frozenset[str],
) -> Tool:
    return Tool(tool_id, family, frozenset(categories), languages)


# ------------------------------------------------------------------ wrappers

_VALUE_FLAGS: dict[str, frozenset[str]] = {
    "uv": frozenset(
        {"--with", "--with-requirements", "--with-editable", "--python", "-p", "--extra", "--group"}
        | {"--package", "--env-file", "--directory", "--project", "--only-group", "--index"}
        | {"--from", "--no-group", "--default-index", "--extra-index-url", "--find-links", "-f"}
    ),
    "npx": frozenset({"-p", "--package", "-c", "--call", "--node-options"}),
    "docker": frozenset(
        {"-v", "--volume", "-e", "--env", "-w", "--workdir", "--name", "--network", "--net", "-u"}
        | {"--user", "--entrypoint", "--env-file", "-p", "--publish", "--mount", "--platform"}
        | {"--pull", "-l", "--label", "--add-host", "--cpus", "--memory", "-m", "--shm-size"}
        | {"--tmpfs", "--device", "--cap-add", "--security-opt", "--ulimit", "--hostname", "-h"}
        | {"--volumes-from", "--ipc", "--pid", "--gpus", "--log-driver", "--restart", "--link"}
        | {"-f", "--file", "--project-name", "--profile", "--project-directory", "--service-ports"}
        | {"--detach-keys"}
    ),
    "conda": frozenset({"-n", "--name", "-p", "--prefix", "--cwd"}),
    "timeout": frozenset({"-s", "--signal", "-k", "--kill-after"}),
    "xargs": frozenset(
        {"-n", "-I", "-P", "-L", "-d", "-a", "-s", "-E", "--max-args", "--max-procs"}
    ),
    "sudo": frozenset({"-u", "-g", "--user", "--group", "-C", "-D"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "pipx": frozenset({"--spec", "--python", "--pip-args"}),
    "env": frozenset({"-u", "--unset", "-C", "--chdir", "-S"}),
}
_SIMPLE_WRAPPERS = frozenset(
    {"time", "nohup", "exec", "command", "builtin", "chronic", "unbuffer", "stdbuf", "catchsegv"}
)
_PYTHONS = ("python", "python2", "python3", "py", "pypy", "pypy3")
_RUN_WRAPPERS = {
    "poetry": "run",
    "pdm": "run",
    "pipenv": "run",
    "rye": "run",
    "pixi": "run",
    "hatch": "run",
    "conda": "run",
    "mamba": "run",
    "micromamba": "run",
    "pnpm": "exec",
    "yarn": "exec",
    "bundle": "exec",
}
_GO_TOOL_PATHS = {
    "honnef.co/go/tools/cmd/staticcheck": "staticcheck",
    "github.com/golangci/golangci-lint/cmd/golangci-lint": "golangci-lint",
    "github.com/golangci/golangci-lint/v2/cmd/golangci-lint": "golangci-lint",
    "golang.org/x/vuln/cmd/govulncheck": "govulncheck",
    "github.com/securego/gosec/v2/cmd/gosec": "gosec",
    "github.com/securego/gosec/cmd/gosec": "gosec",
    "golang.org/x/tools/cmd/goimports": "goimports",
    "mvdan.cc/gofumpt": "gofumpt",
    "github.com/mgechev/revive": "revive",
    "golang.org/x/lint/golint": "golint",
    "github.com/kisielk/errcheck": "errcheck",
    "github.com/gordonklaus/ineffassign": "ineffassign",
    "github.com/google/osv-scanner/cmd/osv-scanner": "osv-scanner",
    "github.com/google/osv-scanner/v2/cmd/osv-scanner": "osv-scanner",
    "go.uber.org/nilaway/cmd/nilaway": "nilaway",
    "github.com/sonatype-nexus-community/nancy": "nancy",
    "github.com/go-critic/go-critic/cmd/gocritic": "gocritic",
}
_IMAGE_TOOLS = {
    "aquasec/trivy": "trivy",
    "returntocorp/semgrep": "semgrep",
    "semgrep/semgrep": "semgrep",
    "hadolint/hadolint": "hadolint",
    "golangci/golangci-lint": "golangci-lint",
    "owasp/dependency-check": "dependency-check",
    "zricethezav/gitleaks": "gitleaks",
    "ghcr.io/gitleaks/gitleaks": "gitleaks",
    "trufflesecurity/trufflehog": "trufflehog",
    "sonarsource/sonar-scanner-cli": "sonar-scanner",
    "anchore/grype": "grype",
    "koalaman/shellcheck": "shellcheck",
    "securego/gosec": "gosec",
    "bridgecrew/checkov": "checkov",
    "checkmarx/kics": "kics",
    "ghcr.io/google/osv-scanner": "osv-scanner",
    "snyk/snyk": "snyk",
    "pipelinecomponents/flake8": "flake8",
    "pyfound/black": "black",
    "cytopia/pylint": "pylint",
}


_VAR_PREFIX = re.compile(r"^(?:\$\{[^}]*\})+")


@functools.lru_cache(maxsize=4096)
def program(word: str) -> str:
    """``./node_modules/.bin/eslint`` -> ``eslint``; ``.venv/bin/python3.11``
    -> ``python3.11``; ``gradlew.bat`` -> ``gradlew``; ``${PREFIX}pytest`` ->
    ``pytest`` (a venv prefix in a variable, as in encode's ``scripts/test``)."""
    base = posixpath.basename(word.replace("\\", "/")) or word
    base = _VAR_PREFIX.sub("", base) or base
    for suffix in (".exe", ".cmd", ".bat"):
        if base.lower().endswith(suffix):
            base = base[: -len(suffix)]
    return base


_COVERAGE_RUN_VALUE_FLAGS = frozenset(
    {
        "--concurrency",
        "--context",
        "--data-file",
        "--debug",
        "--include",
        "--omit",
        "--rcfile",
        "--save-signal",
        "--source",
    }
)
"""Options of ``coverage run`` that take the next word as their value."""


def _skip_options(args: Sequence[str], value_flags: frozenset[str]) -> int:
    """Index of the first positional argument after options."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            return index + 1
        if not arg.startswith("-") or arg == "-":
            return index
        if "=" not in arg and arg in value_flags:
            index += 2
            continue
        index += 1
    return index


def _is_python(name: str) -> bool:
    if name in _PYTHONS:
        return True
    for base in ("python", "pypy"):
        if name.startswith(base) and name[len(base) :].replace(".", "").isdigit():
            return True
    return False


def unwrap(argv: Sequence[str]) -> tuple[tuple[str, ...], frozenset[ToolCategory], tuple[str, ...]]:  # noqa: C901
    """Peel runners and wrappers off a command.

    Returns ``(argv, extra_categories, notes)``: ``coverage run -m pytest``
    gives ``("pytest",)`` with ``{coverage}``; ``uv run ruff check .`` gives
    ``("ruff", "check", ".")``."""
    words = list(argv)
    extra: set[ToolCategory] = set()
    notes: list[str] = []
    for _ in range(12):
        while (
            words
            and "=" in words[0]
            and not words[0].startswith("-")
            and words[0].split("=")[0].isidentifier()
        ):
            words.pop(0)
        if not words:
            break
        name = program(words[0])
        rest = words[1:]
        if name in _SIMPLE_WRAPPERS:
            if name == "command" and rest[:1] in (["-v"], ["-V"]):
                return (), frozenset(extra), tuple(notes)
            words = rest[_skip_options(rest, frozenset()) :]
            continue
        if name in ("sudo", "env", "nice", "xargs", "timeout", "xvfb-run", "ionice"):
            flags = _VALUE_FLAGS.get(name, frozenset())
            index = _skip_options(rest, flags)
            words = rest[index:]
            while words and "=" in words[0] and name in ("env", "sudo"):
                words.pop(0)
            if name == "timeout" and words:
                words = words[1:]
            continue
        if _is_python(name):
            index = 0
            while (
                index < len(rest)
                and rest[index].startswith("-")
                and rest[index] not in ("-m", "-c")
            ):
                index += 2 if rest[index] in ("-W", "-X") else 1
            if index < len(rest) and rest[index] == "-m" and index + 1 < len(rest):
                words = rest[index + 1 :]
                continue
            if index < len(rest) and rest[index] == "-c":
                return tuple(words), frozenset(extra), tuple(notes)
            if (
                index < len(rest)
                and program(rest[index]) == "manage.py"
                and "test" in rest[index + 1 : index + 2]
            ):
                return ("django-test", *rest[index + 2 :]), frozenset(extra), tuple(notes)
            return tuple(words), frozenset(extra), tuple(notes)
        if (name == "uv" and rest[:1] == ["run"]) or (name == "uv" and rest[:2] == ["tool", "run"]):
            rest = rest[2:] if rest[0] == "tool" else rest[1:]
            index = _skip_options(rest, _VALUE_FLAGS["uv"])
            if "-m" in rest[:index] or (index < len(rest) and rest[index] == "-m"):
                words = [
                    "python",
                    "-m",
                    *rest[index + (1 if rest[index : index + 1] == ["-m"] else 0) :],
                ]
                continue
            words = rest[index:]
            continue
        if name == "uvx" or (name == "pipx" and rest[:1] == ["run"]):
            rest = rest[1:] if name == "pipx" else rest
            flags = _VALUE_FLAGS["uv"] | _VALUE_FLAGS["pipx"]
            words = rest[_skip_options(rest, flags) :]
            if words:
                words[0] = words[0].split("@")[0].split("==")[0]
            continue
        if name in _RUN_WRAPPERS and rest[:1] == [_RUN_WRAPPERS[name]]:
            rest = rest[1:]
            flags = _VALUE_FLAGS.get(
                name, frozenset({"-e", "--env", "-n", "--name", "-p", "--prefix"})
            )
            index = _skip_options(rest, flags)
            words = rest[index:]
            if name == "hatch" and words and ":" in words[0]:
                words[0] = words[0].split(":", 1)[1]
            continue
        if name in ("npx", "pnpx", "bunx") or (name in ("pnpm", "yarn") and rest[:1] == ["dlx"]):
            rest = rest[1:] if name in ("pnpm", "yarn") else rest
            words = rest[_skip_options(rest, _VALUE_FLAGS["npx"]) :]
            if words:
                words[0] = _strip_npm_version(words[0])
            continue
        if name == "npm" and rest[:1] in (["exec"], ["x"]):
            rest = rest[1:]
            words = rest[_skip_options(rest, _VALUE_FLAGS["npx"]) :]
            continue
        if name == "go" and rest[:1] == ["run"] and len(rest) > 1:
            target = rest[1].split("@")[0]
            tool_name = _GO_TOOL_PATHS.get(target)
            if tool_name is None:
                for path, known in _GO_TOOL_PATHS.items():
                    if target.startswith(path):
                        tool_name = known
                        break
            if tool_name is None:
                break
            words = [tool_name, *rest[2:]]
            continue
        if (
            name == "go"
            and rest[:1] == ["tool"]
            and len(rest) > 1
            and rest[1] not in ("cover", "vet", "pprof")
        ):
            words = [program(rest[1]), *rest[2:]]
            continue
        if name in ("docker", "podman", "nerdctl"):
            unwrapped = _unwrap_docker(rest)
            if unwrapped is None:
                break
            words = unwrapped
            continue
        if name == "docker-compose":
            unwrapped = _unwrap_docker(["compose", *rest])
            if unwrapped is None:
                break
            words = unwrapped
            continue
        if name == "coverage" and rest[:1] == ["run"]:
            extra.add(COVERAGE)
            rest = rest[1:]
            index = 0
            while index < len(rest) and rest[index].startswith("-"):
                if rest[index] in ("-m", "--module"):
                    break
                index += 2 if rest[index] in _COVERAGE_RUN_VALUE_FLAGS else 1
            if index < len(rest) and rest[index] in ("-m", "--module"):
                words = rest[index + 1 :]
            else:
                words = ["python", *rest[index:]]
            continue
        if name in ("nyc", "c8"):
            extra.add(COVERAGE)
            words = rest[
                _skip_options(rest, frozenset({"--reporter", "-r", "--report-dir", "--exclude"})) :
            ]
            continue
        if name == "dotenv" or (name == "op" and rest[:1] == ["run"]):
            index = rest.index("--") + 1 if "--" in rest else len(rest)
            words = rest[index:]
            continue
        break
    return tuple(words), frozenset(extra), tuple(notes)


def _strip_npm_version(word: str) -> str:
    if word.startswith("@"):
        scope, _, rest = word[1:].partition("/")
        return "@" + scope + "/" + rest.split("@")[0]
    return word.split("@")[0]


def _unwrap_docker(rest: list[str]) -> list[str] | None:
    flags = _VALUE_FLAGS["docker"]
    if rest[:1] == ["compose"]:
        rest = rest[1:]
        index = _skip_options(rest, flags)
        rest = rest[index:]
        if rest[:1] not in (["run"], ["exec"]):
            return None
        rest = rest[1:]
        index = _skip_options(rest, flags)
        return rest[index + 1 :] if index < len(rest) else None
    if rest[:1] == ["container"]:
        rest = rest[1:]
    if rest[:1] == ["exec"]:
        # ``docker exec [options] CONTAINER COMMAND...``: the command runs in
        # an already started container (a CI job that runs its image, then
        # execs the tests and linters inside it).
        rest = rest[1:]
        index = _skip_options(rest, flags)
        return rest[index + 1 :] or None if index < len(rest) else None
    if rest[:1] != ["run"]:
        return None
    rest = rest[1:]
    index = _skip_options(rest, flags)
    if index >= len(rest):
        return None
    image = rest[index].split("@")[0]
    repo = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    inner = rest[index + 1 :]
    tool_name = _IMAGE_TOOLS.get(repo.lower()) or _IMAGE_TOOLS.get(
        repo.lower().removeprefix("docker.io/")
    )
    if tool_name is not None and (not inner or program(inner[0]) != tool_name):
        return [tool_name, *inner]
    return inner or None


# ------------------------------------------------------------ classification


def classify(argv: Sequence[str], env: Mapping[str, str] | None = None) -> Classified:
    """The tool a command runs (or ``tool=None``) and its ``Effect``."""
    words, extra, notes = unwrap(argv)
    if not words:
        return Classified(None, words)
    name = program(words[0])
    args = list(words[1:])
    handler = _HANDLERS.get(name)
    result: Classified | None = None
    if handler is not None:
        result = handler(name, args, dict(env or {}))
    if result is None:
        simple = _SIMPLE.get(name)
        if simple is not None:
            tool_id, categories, languages = simple
            result = Classified(_tool(tool_id, name, categories, languages), ())
    if result is None:
        if extra:
            return Classified(_tool("coverage", "coverage", {COVERAGE}, NONE), words, notes=notes)
        return Classified(None, words, notes=notes)
    tool = result.tool
    if tool is not None and extra:
        tool = Tool(tool.id, tool.family, tool.categories | extra, tool.languages)
    return Classified(tool, words, result.effect, result.why_not, (*notes, *result.notes))


_SIMPLE: dict[str, tuple[str, frozenset[ToolCategory], frozenset[str]]] = {
    "pycodestyle": ("pycodestyle", frozenset({LINT}), PY),
    "pyflakes": ("pyflakes", frozenset({LINT}), PY),
    "pydocstyle": ("pydocstyle", frozenset({LINT}), PY),
    "pydoclint": ("pydoclint", frozenset({LINT}), PY),
    "prospector": ("prospector", frozenset({LINT}), PY),
    "pylama": ("pylama", frozenset({LINT}), PY),
    "vulture": ("vulture", frozenset({LINT}), PY),
    "xenon": ("xenon", frozenset({LINT}), PY),
    "pyupgrade": ("pyupgrade", frozenset({LINT}), PY),
    "flake8-nb": ("flake8", frozenset({LINT}), PY),
    "mypy": ("mypy", frozenset({TYPECHECK}), PY),
    "dmypy": ("mypy", frozenset({TYPECHECK}), PY),
    "pyright": ("pyright", frozenset({TYPECHECK}), PY),
    "basedpyright": ("pyright", frozenset({TYPECHECK}), PY),
    "pytype": ("pytype", frozenset({TYPECHECK}), PY),
    "pyre": ("pyre", frozenset({TYPECHECK}), PY),
    "pytest": ("pytest", frozenset({TEST}), PY),
    "py.test": ("pytest", frozenset({TEST}), PY),
    "unittest": ("unittest", frozenset({TEST}), PY),
    "nose2": ("nose2", frozenset({TEST}), PY),
    "nosetests": ("nose", frozenset({TEST}), PY),
    "trial": ("trial", frozenset({TEST}), PY),
    "ward": ("ward", frozenset({TEST}), PY),
    "behave": ("behave", frozenset({TEST}), PY),
    "django-test": ("django-test", frozenset({TEST}), PY),
    "pip-audit": ("pip-audit", frozenset({DEPSCAN}), PY),
    "staticcheck": ("staticcheck", frozenset({LINT}), GO),
    "revive": ("revive", frozenset({LINT}), GO),
    "errcheck": ("errcheck", frozenset({LINT}), GO),
    "ineffassign": ("ineffassign", frozenset({LINT}), GO),
    "gocyclo": ("gocyclo", frozenset({LINT}), GO),
    "gocritic": ("gocritic", frozenset({LINT}), GO),
    "nilaway": ("nilaway", frozenset({LINT}), GO),
    "deadcode": ("deadcode", frozenset({LINT}), GO),
    "unparam": ("unparam", frozenset({LINT}), GO),
    "go-critic": ("gocritic", frozenset({LINT}), GO),
    "nancy": ("nancy", frozenset({DEPSCAN}), GO),
    "ginkgo": ("ginkgo", frozenset({TEST}), GO),
    "godog": ("godog", frozenset({TEST}), GO),
    "standard": ("standard", frozenset({LINT}), JS),
    "ts-standard": ("standard", frozenset({LINT}), JS),
    "xo": ("xo", frozenset({LINT}), JS),
    "oxlint": ("oxlint", frozenset({LINT}), JS),
    "tslint": ("tslint", frozenset({LINT}), JS),
    "stylelint": ("stylelint", frozenset({LINT}), frozenset({"css"})),
    "tsc": ("tsc", frozenset({TYPECHECK}), frozenset({"typescript"})),
    "vue-tsc": ("tsc", frozenset({TYPECHECK}), frozenset({"typescript"})),
    "jest": ("jest", frozenset({TEST}), JS),
    "mocha": ("mocha", frozenset({TEST}), JS),
    "ava": ("ava", frozenset({TEST}), JS),
    "jasmine": ("jasmine", frozenset({TEST}), JS),
    "karma": ("karma", frozenset({TEST}), JS),
    "tap": ("tap", frozenset({TEST}), JS),
    "uvu": ("uvu", frozenset({TEST}), JS),
    "cucumber-js": ("cucumber", frozenset({TEST}), JS),
    "audit-ci": ("audit-ci", frozenset({DEPSCAN}), JS),
    "better-npm-audit": ("npm-audit", frozenset({DEPSCAN}), JS),
    "retire": ("retire", frozenset({DEPSCAN}), JS),
    "osv-scanner": ("osv-scanner", frozenset({DEPSCAN}), NONE),
    "detekt": ("detekt", frozenset({LINT}), frozenset({"kotlin"})),
    "pmd": ("pmd", frozenset({LINT}), JAVA),
    "checkstyle": ("checkstyle", frozenset({LINT}), JAVA),
    "spotbugs": ("spotbugs", frozenset({LINT}), JAVA),
    "shellcheck": ("shellcheck", frozenset({LINT}), frozenset({"shell"})),
    "hadolint": ("hadolint", frozenset({LINT}), frozenset({"dockerfile"})),
    "yamllint": ("yamllint", frozenset({LINT}), frozenset({"yaml"})),
    "actionlint": ("actionlint", frozenset({LINT}), frozenset({"yaml"})),
    "markdownlint": ("markdownlint", frozenset({LINT}), frozenset({"markdown"})),
    "markdownlint-cli2": ("markdownlint", frozenset({LINT}), frozenset({"markdown"})),
    "tflint": ("tflint", frozenset({LINT}), frozenset({"terraform"})),
    "checkov": ("checkov", frozenset({SAST}), frozenset({"terraform"})),
    "tfsec": ("tfsec", frozenset({SAST}), frozenset({"terraform"})),
    "kics": ("kics", frozenset({SAST}), frozenset({"terraform"})),
    "terrascan": ("terrascan", frozenset({SAST}), frozenset({"terraform"})),
    "rubocop": ("rubocop", frozenset({LINT}), frozenset({"ruby"})),
    "rspec": ("rspec", frozenset({TEST}), frozenset({"ruby"})),
    "bundler-audit": ("bundler-audit", frozenset({DEPSCAN}), frozenset({"ruby"})),
    "codespell": ("codespell", frozenset({LINT}), NONE),
    "detect-secrets-hook": ("detect-secrets", frozenset({SECRETS}), NONE),
    "ggshield": ("ggshield", frozenset({SECRETS}), NONE),
    "audit": ("npm-audit", frozenset({DEPSCAN}), JS),
}

_Handler = Callable[[str, list[str], dict[str, str]], Classified | None]


def _sub(args: list[str]) -> str | None:
    for arg in args:
        if not arg.startswith("-"):
            return arg
    return None


def _has(args: list[str], *flags: str) -> bool:
    for arg in args:
        if arg in flags or any(arg.startswith(f + "=") for f in flags if f.startswith("--")):
            return True
    return False


def _flag_value(args: list[str], *flags: str) -> str | None:
    for index, arg in enumerate(args):
        for flag in flags:
            if arg == flag and index + 1 < len(args):
                return args[index + 1]
            if arg.startswith(flag + "="):
                return arg[len(flag) + 1 :]
    return None


def _classified(tool: Tool, effect: Effect = FAILS, why: str | None = None) -> Classified:
    return Classified(tool, (), effect, why)


def _ruff(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    sub = _sub(args)
    if sub == "format":
        tool = _tool("ruff-format", "ruff", {FORMAT}, PY)
        if _has(args, "--check", "--diff"):
            return _classified(tool)
        return _classified(
            tool, REWRITES, "`ruff format` without `--check` rewrites files and exits 0"
        )
    if sub not in (None, "check") and not (sub and ("/" in sub or "." in sub)):
        return None
    categories = {LINT}
    selected = ",".join(
        v for v in (_flag_value(args, "--select"), _flag_value(args, "--extend-select")) if v
    )
    if any(code.strip().upper().startswith("S") for code in selected.split(",") if code.strip()):
        categories.add(SAST)
    tool = _tool("ruff-check", "ruff", categories, PY)
    if _has(args, "--exit-zero"):
        return _classified(tool, PRINTS, "`--exit-zero` makes ruff exit 0 whatever it finds")
    if _has(args, "--fix-only"):
        return _classified(tool, REWRITES, "`--fix-only` applies fixes and exits 0")
    return _classified(tool)


def _formatter(
    tool_id: str,
    languages: frozenset[str],
    check: tuple[str, ...],
    diff: tuple[str, ...],
    write: tuple[str, ...],
    default_writes: bool,
) -> _Handler:
    def handle(name: str, args: list[str], env: dict[str, str]) -> Classified:
        tool = _tool(tool_id, name, {FORMAT}, languages)
        if check and _has(args, *check):
            return _classified(tool)
        if (write and _has(args, *write)) or (default_writes and not (diff and _has(args, *diff))):
            return _classified(
                tool, REWRITES, f"`{name}` without its check flag rewrites files and exits 0"
            )
        if diff and _has(args, *diff):
            return _classified(tool, PRINTS, f"`{name} {diff[0]}` without its check flag exits 0")
        return _classified(tool, PRINTS, f"`{name}` without its check flag prints and exits 0")

    return handle


def _gofmt(name: str, args: list[str], env: dict[str, str]) -> Classified:
    family = "gofmt" if name == "gofmt" else name
    tool = _tool(name if name != "gofmt" else "gofmt", family, {FORMAT}, GO)
    if _has(args, "-w"):
        return _classified(tool, REWRITES, f"`{name} -w` rewrites files and exits 0")
    return _classified(
        tool,
        PRINTS,
        f'`{name} -l`/`-d` lists unformatted files but exits 0; use `test -z "$({name} -l .)"`',
    )


def _simple_exit_zero(
    tool_id: str, categories: set[ToolCategory], languages: frozenset[str], *flags: str
) -> _Handler:
    def handle(name: str, args: list[str], env: dict[str, str]) -> Classified:
        tool = _tool(tool_id, name if tool_id == name else tool_id, categories, languages)
        for flag in flags:
            if _has(args, flag):
                return _classified(tool, PRINTS, f"`{flag}` makes {name} exit 0 whatever it finds")
        return _classified(tool)

    return handle


def _golangci(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    sub = _sub(args)
    if sub == "fmt":
        tool = _tool("golangci-lint-fmt", "golangci-lint", {FORMAT}, GO)
        if _has(args, "--diff", "-d"):
            return _classified(tool)
        return _classified(
            tool, REWRITES, "`golangci-lint fmt` without `--diff` rewrites files and exits 0"
        )
    if sub not in (None, "run"):
        return None
    tool = _tool("golangci-lint", "golangci-lint", {LINT}, GO)
    code = _flag_value(args, "--issues-exit-code")
    if code is not None and code.strip() == "0":
        return _classified(
            tool, PRINTS, "`--issues-exit-code=0` makes golangci-lint exit 0 on findings"
        )
    return _classified(tool)


_GO_COVER_FLAGS = ("-cover", "--cover", "-test.cover", "--test.cover")


def _go_test_tool(family: str, args: list[str]) -> Tool:
    """``go test`` (or a runner that passes its flags on): coverage when a cover flag is given.

    ``go test`` takes every test flag with an optional ``test.`` prefix
    (``-test.coverprofile`` is ``-coverprofile``), and the flag package takes
    one dash or two.
    """
    categories = {TEST}
    if any(a.startswith(_GO_COVER_FLAGS) for a in args):
        categories.add(COVERAGE)
    return _tool("go-test", family, categories, GO)


def _gotestsum(name: str, args: list[str], env: dict[str, str]) -> Classified:
    # gotestsum hands everything after `--` to `go test`.
    return _classified(_go_test_tool("gotestsum", args))


def _go(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    sub = _sub(args)
    if sub == "test":
        return _classified(_go_test_tool("go", args))
    if sub == "vet":
        return _classified(_tool("go-vet", "go", {LINT}, GO))
    if sub == "fmt":
        return _classified(
            _tool("go-fmt", "go", {FORMAT}, GO), REWRITES, "`go fmt` rewrites files and exits 0"
        )
    if sub == "tool" and args[1:2] == ["cover"]:
        return _classified(_tool("go-cover", "go", {COVERAGE}, GO))
    return None


def _golint(name: str, args: list[str], env: dict[str, str]) -> Classified:
    tool = _tool("golint", "golint", {LINT}, GO)
    if _has(args, "-set_exit_status", "--set_exit_status"):
        return _classified(tool)
    return _classified(tool, PRINTS, "golint exits 0 on findings unless `-set_exit_status`")


def _govulncheck(name: str, args: list[str], env: dict[str, str]) -> Classified:
    tool = _tool("govulncheck", "govulncheck", {DEPSCAN}, GO)
    fmt = _flag_value(args, "-format", "--format")
    if _has(args, "-json", "--json") or (fmt is not None and fmt in ("json", "sarif", "openvex")):
        return _classified(tool, PRINTS, "govulncheck exits 0 with `-json`/`-format json|sarif`")
    return _classified(tool)


def _semgrep(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    sub = _sub(args)
    tool = _tool("semgrep", "semgrep", {SAST}, NONE)
    if sub == "ci":
        return _classified(tool)
    if sub in ("login", "logout", "publish", "install-semgrep-pro", "lsp", "show"):
        return None
    if _has(args, "--error"):
        return _classified(tool)
    return _classified(
        tool, PRINTS, "`semgrep scan` exits 0 on findings unless `--error` (or use `semgrep ci`)"
    )


def _safety(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    sub = _sub(args)
    if sub not in ("check", "scan", None):
        return None
    tool = _tool("safety", "safety", {DEPSCAN}, PY)
    if _has(args, "--continue-on-error", "--exit-zero"):
        return _classified(tool, PRINTS, "`--continue-on-error` makes safety exit 0 on findings")
    return _classified(tool)


def _coverage(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    sub = _sub(args)
    if sub in ("report", "xml", "html", "json", "lcov", "combine", "erase", "debug", "annotate"):
        return _classified(_tool("coverage", "coverage", {COVERAGE}, PY))
    return None


def _pytest(name: str, args: list[str], env: dict[str, str]) -> Classified:
    categories = {TEST}
    if any(a.startswith("--cov") for a in args):
        categories.add(COVERAGE)
    return _classified(_tool("pytest", "pytest", categories, PY))


def _eslint(name: str, args: list[str], env: dict[str, str]) -> Classified:
    return _classified(_tool("eslint", "eslint", {LINT}, JS))


def _prettier(name: str, args: list[str], env: dict[str, str]) -> Classified:
    tool = _tool("prettier", "prettier", {FORMAT}, JS | {"css", "markdown", "json", "yaml"})
    if _has(args, "--check", "-c", "--list-different", "-l"):
        return _classified(tool)
    if _has(args, "--write", "-w"):
        return _classified(tool, REWRITES, "`prettier --write` rewrites files and exits 0")
    return _classified(
        tool, PRINTS, "`prettier` without `--check` prints formatted code and exits 0"
    )


def _biome(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    sub = _sub(args)
    languages = JS | {"json", "css"}
    if sub == "ci":
        return _classified(_tool("biome", "biome", {LINT, FORMAT}, languages))
    if sub == "check":
        return _classified(_tool("biome", "biome", {LINT, FORMAT}, languages))
    if sub == "lint":
        return _classified(_tool("biome-lint", "biome", {LINT}, languages))
    if sub == "format":
        tool = _tool("biome-format", "biome", {FORMAT}, languages)
        if _has(args, "--write", "--apply"):
            return _classified(tool, REWRITES, "`biome format --write` rewrites files and exits 0")
        return _classified(tool)
    return None


def _dprint(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    sub = _sub(args)
    tool = _tool("dprint", "dprint", {FORMAT}, JS)
    if sub == "check":
        return _classified(tool)
    if sub == "fmt":
        return _classified(tool, REWRITES, "`dprint fmt` rewrites files and exits 0")
    return None


def _js_tests(name: str, args: list[str], env: dict[str, str]) -> Classified:
    categories = {TEST}
    if _has(args, "--coverage", "--experimental-test-coverage"):
        categories.add(COVERAGE)
    return _classified(_tool(name, name, categories, JS))


def _node(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    if "--test" in args:
        categories = {TEST}
        if "--experimental-test-coverage" in args:
            categories.add(COVERAGE)
        return _classified(_tool("node-test", "node", categories, JS))
    return None


def _playwright(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    if _sub(args) == "test":
        return _classified(_tool("playwright", name, {TEST}, JS))
    return None


def _cypress(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    if _sub(args) == "run":
        return _classified(_tool("cypress", name, {TEST}, JS))
    return None


def _package_manager(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    sub = _sub(args)
    if sub == "audit" or (name == "yarn" and args[:2] == ["npm", "audit"]):
        tool = _tool("npm-audit", name, {DEPSCAN}, JS)
        if "fix" in args:
            return _classified(tool, REWRITES, f"`{name} audit fix` updates packages and exits 0")
        return _classified(tool)
    if sub in ("test", "t", "tst") or (sub in ("run", "run-script") and _sub(args[1:]) == "test"):
        return _classified(_tool("npm-test", name, {TEST}, JS))
    if name in ("bun", "deno") and sub == "test":
        return _classified(_tool(f"{name}-test", name, {TEST}, JS))
    if name == "deno" and sub == "lint":
        return _classified(_tool("deno-lint", "deno", {LINT}, JS))
    if name == "deno" and sub == "fmt":
        tool = _tool("deno-fmt", "deno", {FORMAT}, JS)
        if _has(args, "--check"):
            return _classified(tool)
        return _classified(
            tool, REWRITES, "`deno fmt` without `--check` rewrites files and exits 0"
        )
    return None


def _vitest(name: str, args: list[str], env: dict[str, str]) -> Classified:
    return _js_tests(name, args, env)


def _bandit(name: str, args: list[str], env: dict[str, str]) -> Classified:
    tool = _tool("bandit", "bandit", {SAST}, PY)
    if _has(args, "--exit-zero"):
        return _classified(tool, PRINTS, "`--exit-zero` makes bandit exit 0 whatever it finds")
    return _classified(tool)


def _gosec(name: str, args: list[str], env: dict[str, str]) -> Classified:
    tool = _tool("gosec", "gosec", {SAST}, GO)
    if _has(args, "-no-fail", "--no-fail"):
        return _classified(tool, PRINTS, "`-no-fail` makes gosec exit 0 whatever it finds")
    return _classified(tool)


def _trivy(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    sub = _sub(args)
    if sub in ("config", "misconfig"):
        tool = _tool("trivy", "trivy", {SAST}, NONE)
    elif sub in (
        "fs",
        "filesystem",
        "repo",
        "repository",
        "image",
        "i",
        "rootfs",
        "sbom",
        "k8s",
        "vm",
        None,
    ):
        tool = _tool("trivy", "trivy", {DEPSCAN}, NONE)
    else:
        return None
    code = _flag_value(args, "--exit-code") or env.get("TRIVY_EXIT_CODE")
    if code is None or code.strip() in ("0", ""):
        return _classified(tool, PRINTS, "trivy exits 0 on findings unless `--exit-code 1`")
    return _classified(tool)


def _grype(name: str, args: list[str], env: dict[str, str]) -> Classified:
    tool = _tool("grype", "grype", {DEPSCAN}, NONE)
    if _has(args, "--fail-on", "-f") or env.get("GRYPE_FAIL_ON_SEVERITY"):
        return _classified(tool)
    return _classified(tool, PRINTS, "grype exits 0 on findings unless `--fail-on <severity>`")


def _snyk(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    sub = _sub(args)
    rest = args[args.index(sub) + 1 :] if sub in args else []
    if sub == "code" and _sub(rest) == "test":
        return _classified(_tool("snyk-code", "snyk", {SAST}, NONE))
    if sub == "iac" and _sub(rest) == "test":
        return _classified(_tool("snyk-iac", "snyk", {SAST}, NONE))
    if sub in ("test", "container"):
        return _classified(_tool("snyk", "snyk", {DEPSCAN}, NONE))
    if sub == "monitor":
        return _classified(
            _tool("snyk", "snyk", {DEPSCAN}, NONE),
            SILENT,
            "`snyk monitor` uploads a snapshot and exits 0",
        )
    return None


def _dependency_check(name: str, args: list[str], env: dict[str, str]) -> Classified:
    tool = _tool("dependency-check", "dependency-check", {DEPSCAN}, NONE)
    if _has(args, "--failOnCVSS"):
        return _classified(tool)
    return _classified(
        tool, PRINTS, "OWASP dependency-check exits 0 on findings unless `--failOnCVSS`"
    )


def _sonar(name: str, args: list[str], env: dict[str, str]) -> Classified:
    tool = _tool("sonar", "sonar", {SAST}, NONE)
    return _sonar_effect(tool, args, env)


def _sonar_effect(tool: Tool, args: Sequence[str], env: Mapping[str, str]) -> Classified:
    if (
        any("sonar.qualitygate.wait=true" in a for a in args)
        or env.get("SONAR_QUALITYGATE_WAIT") == "true"
    ):
        return _classified(tool)
    return _classified(
        tool,
        SILENT,
        "the Sonar scanner uploads the analysis; "
        "it fails only with `-Dsonar.qualitygate.wait=true`",
    )


def _secret_scanner(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    tool = _tool(name, name, {SECRETS}, NONE)
    if name == "trufflehog":
        if _has(args, "--fail"):
            return _classified(tool)
        return _classified(tool, PRINTS, "trufflehog exits 0 on findings unless `--fail`")
    if name == "gitleaks":
        code = _flag_value(args, "--exit-code")
        if code is not None and code.strip() == "0":
            return _classified(tool, PRINTS, "`--exit-code 0` makes gitleaks exit 0 on findings")
        return _classified(tool)
    if name == "detect-secrets":
        if _sub(args) == "scan":
            return _classified(tool, PRINTS, "`detect-secrets scan` writes a baseline and exits 0")
        if _sub(args) == "audit":
            return None
        return _classified(tool)
    return _classified(tool)


_MAVEN_GOALS: dict[str, tuple[str, set[ToolCategory]]] = {
    "checkstyle:check": ("checkstyle", {LINT}),
    "checkstyle:checkstyle": ("checkstyle", {LINT}),
    "spotbugs:check": ("spotbugs", {LINT}),
    "pmd:check": ("pmd", {LINT}),
    "pmd:cpd-check": ("pmd", {LINT}),
    "spotless:check": ("spotless", {FORMAT}),
    "fmt:check": ("google-java-format", {FORMAT}),
    "jacoco:report": ("jacoco", {COVERAGE}),
    "jacoco:check": ("jacoco", {COVERAGE}),
    "sonar:sonar": ("sonar", {SAST}),
    "dependency-check:check": ("dependency-check", {DEPSCAN}),
    "org.owasp:dependency-check-maven:check": ("dependency-check", {DEPSCAN}),
}
_MAVEN_TEST_PHASES = frozenset(
    {"test", "verify", "install", "package", "deploy", "integration-test"}
)


def _maven(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    categories: set[ToolCategory] = set()
    goals = [a for a in args if not a.startswith("-")]
    skip_tests = any(
        a.startswith(("-DskipTests", "-Dmaven.test.skip")) and not a.endswith("=false")
        for a in args
    )
    for goal in goals:
        if goal in _MAVEN_TEST_PHASES and not skip_tests:
            categories.add(TEST)
        known = _MAVEN_GOALS.get(goal)
        if known is None:
            for key, value in _MAVEN_GOALS.items():
                if goal.endswith(":" + key.split(":")[-1]) and key.split(":")[0] in goal:
                    known = value
                    break
        if known is not None:
            categories |= known[1]
        if goal.endswith(("spotless:apply", "fmt:format")):
            categories.add(FORMAT)
    if not categories:
        return None
    tool = _tool("maven", "maven", categories, JAVA)
    if TEST in categories and any("maven.test.failure.ignore=true" in a for a in args):
        return _classified(
            tool,
            PRINTS,
            "`-Dmaven.test.failure.ignore=true` lets the build pass with failing tests",
        )
    if categories == {SAST}:
        return _sonar_effect(tool, args, env)
    if categories == {FORMAT} and any(g.endswith(("spotless:apply", "fmt:format")) for g in goals):
        return _classified(tool, REWRITES, "`spotless:apply` rewrites files and exits 0")
    return _classified(tool)


_GRADLE_TASKS: dict[str, set[ToolCategory]] = {
    "test": {TEST},
    "check": {TEST, LINT},
    "build": {TEST, LINT},
    "integrationTest": {TEST},
    "checkstyleMain": {LINT},
    "checkstyleTest": {LINT},
    "spotbugsMain": {LINT},
    "pmdMain": {LINT},
    "detekt": {LINT},
    "ktlintCheck": {LINT},
    "lint": {LINT},
    "spotlessCheck": {FORMAT},
    "jacocoTestReport": {COVERAGE},
    "jacocoTestCoverageVerification": {COVERAGE},
    "koverVerify": {COVERAGE},
    "koverXmlReport": {COVERAGE},
    "dependencyCheckAnalyze": {DEPSCAN},
    "sonar": {SAST},
    "sonarqube": {SAST},
}


def _gradle(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    categories: set[ToolCategory] = set()
    excluded = {args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-x", "--exclude-task")}
    for task in args:
        if task.startswith("-") or task in excluded:
            continue
        base = task.rsplit(":", 1)[-1]
        categories |= _GRADLE_TASKS.get(base, set())
    if "test" in excluded:
        categories.discard(TEST)
    if not categories:
        return None
    tool = _tool("gradle", "gradle", categories, JAVA)
    if categories == {SAST}:
        return _sonar_effect(tool, args, env)
    return _classified(tool)


def _google_java_format(name: str, args: list[str], env: dict[str, str]) -> Classified:
    tool = _tool("google-java-format", "google-java-format", {FORMAT}, JAVA)
    if _has(args, "--set-exit-if-changed"):
        return _classified(tool)
    if _has(args, "--replace", "-i"):
        return _classified(
            tool, REWRITES, "google-java-format `--replace` rewrites files and exits 0"
        )
    return _classified(tool, PRINTS, "google-java-format exits 0 unless `--set-exit-if-changed`")


def _ktlint(name: str, args: list[str], env: dict[str, str]) -> Classified:
    if _has(args, "-F", "--format"):
        return _classified(
            _tool("ktlint", "ktlint", {FORMAT}, JAVA),
            FAILS,
            "ktlint --format still fails on unfixable issues",
        )
    return _classified(_tool("ktlint", "ktlint", {LINT}, JAVA))


def _dotnet(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    sub = _sub(args)
    languages = frozenset({"csharp"})
    if sub == "test":
        return _classified(_tool("dotnet-test", "dotnet", {TEST}, languages))
    if sub == "format":
        tool = _tool("dotnet-format", "dotnet", {FORMAT}, languages)
        if _has(args, "--verify-no-changes", "--check"):
            return _classified(tool)
        return _classified(
            tool, REWRITES, "`dotnet format` without `--verify-no-changes` rewrites files"
        )
    return None


def _cargo(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    sub = _sub(args)
    rust = frozenset({"rust"})
    if sub in ("test", "nextest"):
        return _classified(_tool("cargo-test", "cargo", {TEST}, rust))
    if sub == "clippy":
        return _classified(_tool("clippy", "cargo", {LINT}, rust))
    if sub == "fmt":
        tool = _tool("rustfmt", "cargo", {FORMAT}, rust)
        if _has(args, "--check"):
            return _classified(tool)
        return _classified(
            tool, REWRITES, "`cargo fmt` without `--check` rewrites files and exits 0"
        )
    if sub in ("audit", "deny"):
        return _classified(_tool("cargo-audit", "cargo", {DEPSCAN}, rust))
    return None


def _codeql(name: str, args: list[str], env: dict[str, str]) -> Classified | None:
    if "analyze" in args:
        return _classified(
            _tool("codeql", "codeql", {SAST}, NONE),
            PRINTS,
            "`codeql database analyze` writes results and exits 0 on findings",
        )
    return None


def _pylint(name: str, args: list[str], env: dict[str, str]) -> Classified:
    tool = _tool("pylint", "pylint", {LINT}, PY)
    if _has(args, "--exit-zero"):
        return _classified(tool, PRINTS, "`--exit-zero` makes pylint exit 0 whatever it finds")
    return _classified(tool)


def _unittest(name: str, args: list[str], env: dict[str, str]) -> Classified:
    return _classified(_tool("unittest", "unittest", {TEST}, PY))


_HANDLERS: dict[str, _Handler] = {
    "ruff": _ruff,
    "black": _formatter("black", PY, ("--check",), ("--diff",), (), default_writes=True),
    "isort": _formatter("isort", PY, ("--check", "--check-only", "-c"), ("--diff",), (), True),
    "autopep8": _formatter(
        "autopep8", PY, ("--exit-code",), ("--diff", "-d"), ("--in-place", "-i"), False
    ),
    "yapf": _formatter("yapf", PY, ("--diff", "-d"), (), ("--in-place", "-i"), False),
    "docformatter": _formatter(
        "docformatter", PY, ("--check", "-c"), (), ("--in-place", "-i"), False
    ),
    "autoflake": _formatter("autoflake", PY, ("--check", "-c"), (), ("--in-place", "-i"), False),
    "flake8": _simple_exit_zero("flake8", {LINT}, PY, "--exit-zero"),
    "pylint": _pylint,
    "bandit": _bandit,
    "semgrep": _semgrep,
    "opengrep": _semgrep,
    "safety": _safety,
    "coverage": _coverage,
    "pytest": _pytest,
    "py.test": _pytest,
    "unittest": _unittest,
    "go": _go,
    "gotestsum": _gotestsum,
    "gofmt": _gofmt,
    "goimports": _gofmt,
    "gofumpt": _gofmt,
    "golines": _gofmt,
    "golangci-lint": _golangci,
    "golint": _golint,
    "gosec": _gosec,
    "govulncheck": _govulncheck,
    "eslint": _eslint,
    "prettier": _prettier,
    "biome": _biome,
    "dprint": _dprint,
    "vitest": _vitest,
    "jest": _js_tests,
    "mocha": _js_tests,
    "node": _node,
    "playwright": _playwright,
    "cypress": _cypress,
    "npm": _package_manager,
    "yarn": _package_manager,
    "pnpm": _package_manager,
    "bun": _package_manager,
    "deno": _package_manager,
    "trivy": _trivy,
    "grype": _grype,
    "snyk": _snyk,
    "dependency-check": _dependency_check,
    "dependency-check.sh": _dependency_check,
    "sonar-scanner": _sonar,
    "sonar-scanner-cli": _sonar,
    "gitleaks": _secret_scanner,
    "trufflehog": _secret_scanner,
    "detect-secrets": _secret_scanner,
    "mvn": _maven,
    "mvnw": _maven,
    "gradle": _gradle,
    "gradlew": _gradle,
    "google-java-format": _google_java_format,
    "ktlint": _ktlint,
    "dotnet": _dotnet,
    "cargo": _cargo,
    "codeql": _codeql,
}


def split(text: str) -> list[str]:
    """Words of a command-line string (for action inputs like ``args:``)."""
    return shell_words(text)
