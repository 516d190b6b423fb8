"""pre-commit configuration: hooks, the tools they run, and when they run.

A hook is a gate of its own kind: pre-commit fails when a hook exits non-zero
*or modifies files*, so a formatter hook (``black``, ``ruff-format``) gates
even though the formatter itself exits 0. Hooks run on developers' commits;
they run in CI when pre-commit.ci is configured (a ``ci:`` section) or when a
CI step runs ``pre-commit run`` (followed by ``ci_follow``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prodready.scan.facts.ci_tools import Classified, classify, split
from prodready.scan.facts.ci_yaml import line_of, load_yaml, text_of
from prodready.scan.facts.source import ParseProblem

CONFIG_NAMES = (".pre-commit-config.yaml", ".pre-commit-config.yml")

_HOOK_ARGV: dict[str, tuple[str, ...]] = {
    "ruff": ("ruff", "check"),
    "ruff-check": ("ruff", "check"),
    "ruff-format": ("ruff", "format"),
    "black": ("black",),
    "black-jupyter": ("black",),
    "isort": ("isort",),
    "flake8": ("flake8",),
    "pylint": ("pylint",),
    "mypy": ("mypy",),
    "bandit": ("bandit",),
    "pyupgrade": ("pyupgrade",),
    "autoflake": ("autoflake", "-i"),
    "docformatter": ("docformatter", "-i"),
    "pydocstyle": ("pydocstyle",),
    "codespell": ("codespell",),
    "pyright": ("pyright",),
    "semgrep": ("semgrep", "--error"),
    "detect-secrets": ("detect-secrets-hook",),
    "gitleaks": ("gitleaks", "protect"),
    "gitleaks-docker": ("gitleaks", "protect"),
    "trufflehog": ("trufflehog", "--fail"),
    "golangci-lint": ("golangci-lint", "run"),
    "golangci-lint-full": ("golangci-lint", "run"),
    "golangci-lint-repo-mod": ("golangci-lint", "run"),
    "golangci-lint-mod": ("golangci-lint", "run"),
    "golangci-lint-fmt": ("golangci-lint", "fmt"),
    "go-fmt": ("gofmt", "-l", "-w"),
    "go-fmt-repo": ("gofmt", "-l", "-w"),
    "go-imports": ("goimports", "-w"),
    "go-vet": ("go", "vet"),
    "go-vet-mod": ("go", "vet"),
    "go-vet-repo-mod": ("go", "vet"),
    "go-unit-tests": ("go", "test"),
    "go-test-mod": ("go", "test"),
    "go-test-repo-mod": ("go", "test"),
    "go-lint": ("golint", "-set_exit_status"),
    "go-critic": ("gocritic", "check"),
    "go-sec-mod": ("gosec",),
    "go-sec-repo-mod": ("gosec",),
    "go-staticcheck-mod": ("staticcheck",),
    "go-staticcheck-repo-mod": ("staticcheck",),
    "gofumpt": ("gofumpt", "-w"),
    "eslint": ("eslint",),
    "prettier": ("prettier", "--write"),
    "biome-check": ("biome", "check", "--write"),
    "biome-format": ("biome", "format", "--write"),
    "biome-lint": ("biome", "lint"),
    "biome-ci": ("biome", "ci"),
    "shellcheck": ("shellcheck",),
    "hadolint": ("hadolint",),
    "hadolint-docker": ("hadolint",),
    "yamllint": ("yamllint",),
    "markdownlint": ("markdownlint",),
    "markdownlint-cli2": ("markdownlint-cli2",),
    "actionlint": ("actionlint",),
    "actionlint-docker": ("actionlint",),
    "pip-audit": ("pip-audit",),
    "python-safety-dependencies-check": ("safety", "check"),
    "nbqa-ruff": ("ruff", "check"),
    "nbqa-black": ("black",),
    "nbqa-isort": ("isort",),
    "nbqa-flake8": ("flake8",),
    "nbqa-mypy": ("mypy",),
    "nbqa-pylint": ("pylint",),
    "terraform_tflint": ("tflint",),
    "terraform_tfsec": ("tfsec",),
    "terraform_checkov": ("checkov",),
    "checkov": ("checkov",),
    "rubocop": ("rubocop",),
    "stylelint": ("stylelint",),
    "pretty-format-java": ("google-java-format", "--replace"),
    "google-java-format": ("google-java-format", "--replace"),
    "ktlint": ("ktlint",),
    "tsc": ("tsc", "--noEmit"),
    "osv-scanner": ("osv-scanner",),
}
_STAGE_ALIASES = {"commit": "pre-commit", "push": "pre-push", "merge-commit": "pre-merge-commit"}


@dataclass(frozen=True, slots=True)
class Hook:
    """One configured hook."""

    id: str
    alias: str | None
    line: int | None
    repo: str
    classified: Classified
    stages: tuple[str, ...]
    """Stages it runs in; empty means every stage."""

    def runs_in(self, stage: str) -> bool:
        return not self.stages or stage in self.stages


@dataclass(frozen=True, slots=True)
class PreCommitConfig:
    path: str
    hooks: tuple[Hook, ...]
    ci: bool
    """A ``ci:`` section: pre-commit.ci runs these hooks on pull requests."""
    ci_skip: frozenset[str]
    ci_line: int | None
    problems: tuple[ParseProblem, ...] = ()


def classify_hook(hook_id: str, entry: str | None, args: list[str]) -> Classified:
    """The tool a hook runs: from its ``entry`` when given (local hooks),
    else from the well-known hook id, else from the id as a command."""
    if entry:
        return classify([*split(entry), *args])
    known = _HOOK_ARGV.get(hook_id)
    if known is not None:
        return classify([*known, *args])
    return classify([hook_id, *args])


def parse_precommit(path: str, text: str) -> PreCommitConfig:
    """Hooks of a ``.pre-commit-config.yaml`` (problems for a broken file)."""
    documents, problems = load_yaml(path, text)
    problems = list(problems)
    doc = documents[0] if documents else None
    if doc is not None and not isinstance(doc, dict):
        problems.append(ParseProblem(path, "pre-commit config is not a mapping", 1))
        doc = None
    if doc is None:
        return PreCommitConfig(path, (), False, frozenset(), None, tuple(problems))
    default_stages = _stages(doc.get("default_stages"))
    hooks: list[Hook] = []
    repos = doc.get("repos")
    if repos is not None and not isinstance(repos, list):
        problems.append(ParseProblem(path, "`repos` must be a list", line_of(doc, "repos")))
        repos = []
    for repo in repos or []:
        if not isinstance(repo, dict):
            continue
        url = text_of(repo.get("repo")) or ""
        if url == "meta":
            continue
        entries = repo.get("hooks")
        if not isinstance(entries, list):
            problems.append(
                ParseProblem(path, f"repo {url or '?'} has no `hooks` list", line_of(repo))
            )
            continue
        for index, hook in enumerate(entries):
            if not isinstance(hook, dict) or not text_of(hook.get("id")):
                problems.append(ParseProblem(path, "hook without an `id`", line_of(entries, index)))
                continue
            hook_id = str(text_of(hook.get("id")))
            args = (
                [str(a) for a in hook.get("args", []) if text_of(a) is not None]
                if isinstance(hook.get("args"), list)
                else []
            )
            language = text_of(hook.get("language"))
            if language in ("fail", "pygrep"):
                continue
            classified = classify_hook(hook_id, text_of(hook.get("entry")), args)
            stages = _stages(hook.get("stages")) or default_stages
            hooks.append(
                Hook(
                    hook_id,
                    text_of(hook.get("alias")),
                    line_of(entries, index),
                    url,
                    classified,
                    stages,
                )
            )
    ci = doc.get("ci")
    skip: frozenset[str] = frozenset()
    if isinstance(ci, dict) and isinstance(ci.get("skip"), list):
        skip = frozenset(str(s) for s in ci["skip"])
    return PreCommitConfig(
        path,
        tuple(hooks),
        isinstance(ci, dict),
        skip,
        line_of(doc, "ci") if "ci" in doc else None,
        tuple(problems),
    )


def _stages(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(_STAGE_ALIASES.get(str(s), str(s)) for s in value)
