"""GitHub Actions (and the compatible Gitea/Forgejo Actions) workflows.

Jobs and steps become ``JobSpec``/``StepSpec``: ``run:`` blocks with the
shell GitHub really uses (``bash -e {0}`` when no shell is given, so no
``pipefail``; ``bash --noprofile --norc -eo pipefail {0}`` for
``shell: bash``; pwsh on Windows runners, where only the last exit code
counts), ``working-directory``, ``continue-on-error`` (job and step), and
``if: false``. ``uses:`` steps are recognised by action (``astral-sh/ruff-
action``, ``golangci/golangci-lint-action``, ``github/codeql-action/analyze``,
``pypa/gh-action-pip-audit``, ``psf/black``, ``aquasecurity/trivy-action``,
reviewdog actions, ...) with their inputs, since an input often decides
whether the action can fail (trivy's ``exit-code``, reviewdog's
``fail_on_error``). Local composite actions and local reusable workflows are
read and expanded; ``pre-commit/action`` is followed into the hooks.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from prodready.scan.facts.ci_common import CiRead, label_of
from prodready.scan.facts.ci_follow import Follower, JobSpec, StepSpec, argv_script
from prodready.scan.facts.ci_model import CiKind, Pipeline, Tool
from prodready.scan.facts.ci_shell import FAILS, join_dir
from prodready.scan.facts.ci_tools import (
    COVERAGE,
    DEPSCAN,
    FORMAT,
    JS,
    LINT,
    NONE,
    PY,
    SAST,
    SILENT,
    TYPECHECK,
    Classified,
    classify,
    split,
)
from prodready.scan.facts.ci_yaml import YStr, as_dict, line_of, load_yaml, text_of, truthy
from prodready.scan.facts.source import ParseProblem

_CHANGE_EVENTS = frozenset(
    {"push", "pull_request", "pull_request_target", "merge_group", "workflow_call"}
)
"""Events that run a workflow on code changes (so it can gate them)."""

WORKFLOW_DIRS = (".github/workflows/", ".gitea/workflows/", ".forgejo/workflows/")
MAX_NESTING = 4


def read_github(follower: Follower) -> CiRead:
    """Every workflow under ``.github/workflows`` (and Gitea/Forgejo's)."""
    result = CiRead()
    called = _locally_called_workflows(follower)
    for path in sorted(follower.paths):
        directory = posixpath.dirname(path) + "/"
        if directory not in WORKFLOW_DIRS or not path.endswith((".yml", ".yaml")):
            continue
        text = follower.read(path)
        if text is None:
            continue
        reader = _WorkflowReader(follower, result)
        reader.read(
            path, text, prefix="", mask=None, only_callable=False, called=path in called, depth=0
        )
    return result


def _locally_called_workflows(follower: Follower) -> set[str]:
    called: set[str] = set()
    for path in follower.paths:
        if not path.startswith(WORKFLOW_DIRS):
            continue
        text = follower.read(path) or ""
        for raw in text.splitlines():
            stripped = raw.strip()
            if stripped.startswith("uses:") and "./" in stripped:
                target = stripped[5:].strip().strip("\"'").split("@")[0]
                if target.startswith("./"):
                    called.add(posixpath.normpath(target[2:]))
    return called


class _WorkflowReader:
    def __init__(self, follower: Follower, result: CiRead) -> None:
        self.follower = follower
        self.result = result
        self.event_note: str | None = None

    def read(
        self,
        path: str,
        text: str,
        *,
        prefix: str,
        mask: str | None,
        only_callable: bool,
        called: bool,
        depth: int,
    ) -> None:
        documents, problems = load_yaml(path, text)
        self.result.problems.extend(problems)
        doc = documents[0] if documents else None
        if doc is None:
            if not problems:
                self.result.problems.append(ParseProblem(path, "empty workflow file", 1))
            return
        if not isinstance(doc, dict):
            self.result.problems.append(ParseProblem(path, "workflow is not a mapping", 1))
            return
        events = _events(doc.get("on", doc.get("true")))
        jobs = doc.get("jobs")
        if not isinstance(jobs, dict):
            self.result.problems.append(
                ParseProblem(path, "workflow has no `jobs` mapping", line_of(doc, "jobs"))
            )
            return
        callable_only = bool(events) and set(events) <= {"workflow_call"}
        if depth == 0:
            notes = ("reusable workflow (workflow_call)",) if callable_only else ()
            self.result.pipelines.append(
                Pipeline(CiKind.GITHUB_ACTIONS, path, tuple(jobs), tuple(events), notes)
            )
            if callable_only and called:
                return
        defaults = _run_defaults(doc)
        if depth == 0 and events and not set(events) & _CHANGE_EVENTS:
            self.event_note = (
                f"the workflow runs on {', '.join(events)} only, not on pushes or pull requests"
            )
        for job_id, job in jobs.items():
            if not isinstance(job, dict):
                self.result.problems.append(
                    ParseProblem(path, f"job `{job_id}` is not a mapping", line_of(jobs, job_id))
                )
                continue
            self._job(path, job_id, job, jobs, defaults, prefix, mask, depth)

    def _job(
        self,
        path: str,
        job_id: str,
        job: dict[str, Any],
        jobs: dict[str, Any],
        defaults: dict[str, Any],
        prefix: str,
        mask: str | None,
        depth: int,
    ) -> None:
        job_name = f"{prefix}{job_id}"
        job_mask = mask
        if job_mask is None and truthy(job.get("if")) is False:
            job_mask = f"job `{job_id}` never runs (`if: false`)"
        notes: list[str] = [self.event_note] if self.event_note else []
        coe = job.get("continue-on-error")
        if job_mask is None and truthy(coe) is True:
            job_mask = f"job `{job_id}` has `continue-on-error: true`"
        elif coe is not None and truthy(coe) is None:
            notes.append(f"job continue-on-error depends on `{coe}`")
        uses = text_of(job.get("uses"))
        if uses is not None:
            self._reusable(path, job_id, job, uses, job_name, job_mask, depth)
            return
        steps = job.get("steps")
        if not isinstance(steps, list):
            self.result.problems.append(
                ParseProblem(path, f"job `{job_id}` has no `steps` list", line_of(jobs, job_id))
            )
            return
        job_defaults = dict(defaults)
        job_defaults.update(_run_defaults(job))
        windows = _windows(job.get("runs-on"))
        specs: list[StepSpec] = []
        for index, step in enumerate(steps):
            if not isinstance(step, dict):
                self.result.problems.append(
                    ParseProblem(path, "step is not a mapping", line_of(steps, index))
                )
                continue
            specs.extend(
                self._step(
                    path,
                    job_name,
                    step,
                    line_of(steps, index),
                    job_defaults,
                    windows,
                    job_mask,
                    notes,
                    0,
                )
            )
        self.result.jobs.append(JobSpec(f"{path}#{job_name}", tuple(specs)))

    def _step(
        self,
        path: str,
        job_name: str,
        step: dict[str, Any],
        line: int | None,
        defaults: Mapping[str, Any],
        windows: bool,
        job_mask: str | None,
        job_notes: list[str],
        depth: int,
    ) -> list[StepSpec]:
        name = text_of(step.get("name")) or text_of(step.get("id")) or text_of(step.get("uses"))
        run = step.get("run")
        if name is None and isinstance(run, str):
            name = run.strip().split("\n", 1)[0][:60]
        label = f"job {job_name}, " + label_of("step", name or "?")
        mask = job_mask
        notes = list(job_notes)
        if mask is None and truthy(step.get("if")) is False:
            mask = "step never runs (`if: false`)"
        coe = step.get("continue-on-error")
        if mask is None and truthy(coe) is True:
            mask = "`continue-on-error: true` on the step"
        elif coe is not None and truthy(coe) is None:
            notes.append(f"continue-on-error depends on `{coe}`")
        cwd: str | None = "."
        directory = text_of(step.get("working-directory")) or defaults.get("working-directory")
        if isinstance(directory, str):
            cwd = None if "${{" in directory else join_dir(".", directory)
        if isinstance(run, str):
            shell = text_of(step.get("shell")) or defaults.get("shell")
            errexit, pipefail, kind = _shell_semantics(
                shell if isinstance(shell, str) else None, windows
            )
            if kind == "other":
                notes.append(f"`shell: {shell}` script is not read")
                return []
            start = run.line if isinstance(run, YStr) else line
            literal = run.literal if isinstance(run, YStr) else False
            return [
                StepSpec(
                    path,
                    line,
                    label,
                    script=str(run),
                    script_line=start,
                    literal=literal,
                    errexit=errexit,
                    pipefail=pipefail,
                    cwd=cwd,
                    mask=mask,
                    notes=tuple(notes),
                )
            ]
        uses = text_of(step.get("uses"))
        if uses is None:
            return []
        inputs = as_dict(step.get("with"))
        env = as_dict(step.get("env"))
        inputs_text = {str(k): text_of(v) or "" for k, v in inputs.items()}
        env_text = {str(k): text_of(v) or "" for k, v in env.items()}
        if uses.startswith("./") and depth < MAX_NESTING:
            return self._composite(
                path, job_name, uses, line, defaults, windows, mask, notes, depth
            )
        action = uses.split("@")[0].lower().rstrip("/")
        if action == "pre-commit/action":
            script = argv_script(
                ["pre-commit", "run", *split(inputs_text.get("extra_args", "--all-files"))]
            )
            return [
                StepSpec(
                    path,
                    line,
                    label,
                    script=script,
                    script_line=line,
                    cwd=cwd,
                    mask=mask,
                    notes=tuple(notes),
                )
            ]
        classified = classify_action(uses, inputs_text, env_text)
        if classified is None:
            return []
        return [
            StepSpec(
                path, line, label, cwd=cwd, classified=classified, mask=mask, notes=tuple(notes)
            )
        ]

    def _composite(
        self,
        path: str,
        job_name: str,
        uses: str,
        line: int | None,
        defaults: Mapping[str, Any],
        windows: bool,
        mask: str | None,
        notes: list[str],
        depth: int,
    ) -> list[StepSpec]:
        directory = join_dir(".", uses[2:].split("@")[0])
        if directory is None:
            return []
        for name in ("action.yml", "action.yaml"):
            action_path = f"{directory}/{name}" if directory != "." else name
            text = self.follower.read(action_path)
            if text is None:
                continue
            documents, problems = load_yaml(action_path, text)
            self.result.problems.extend(problems)
            doc = documents[0] if documents else None
            runs = doc.get("runs") if isinstance(doc, dict) else None
            if not isinstance(runs, dict):
                return []
            steps = runs.get("steps")
            if text_of(runs.get("using")) != "composite" or not isinstance(steps, list):
                return []
            specs: list[StepSpec] = []
            for index, step in enumerate(steps):
                if isinstance(step, dict):
                    specs.extend(
                        self._step(
                            action_path,
                            f"{job_name} > {uses}",
                            step,
                            line_of(steps, index),
                            defaults,
                            windows,
                            mask,
                            notes,
                            depth + 1,
                        )
                    )
            return specs
        return []

    def _reusable(
        self,
        path: str,
        job_id: str,
        job: dict[str, Any],
        uses: str,
        job_name: str,
        mask: str | None,
        depth: int,
    ) -> None:
        line = line_of(job, "uses")
        if uses.startswith("./") and depth < MAX_NESTING:
            target = posixpath.normpath(uses[2:].split("@")[0])
            text = self.follower.read(target)
            if text is not None:
                self.read(
                    target,
                    text,
                    prefix=f"{job_name} > ",
                    mask=mask,
                    only_callable=True,
                    called=True,
                    depth=depth + 1,
                )
                return
        inputs = as_dict(job.get("with"))
        classified = classify_action(
            uses, {str(k): text_of(v) or "" for k, v in inputs.items()}, {}
        )
        if classified is None:
            return
        step = StepSpec(path, line, f"job {job_name}", classified=classified, mask=mask)
        self.result.jobs.append(JobSpec(f"{path}#{job_name}", (step,)))


def _events(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if text_of(v)]
    if isinstance(value, dict):
        return [str(k) for k in value]
    return []


def _run_defaults(container: Any) -> dict[str, Any]:
    defaults = container.get("defaults") if isinstance(container, dict) else None
    run = defaults.get("run") if isinstance(defaults, dict) else None
    if not isinstance(run, dict):
        return {}
    return {k: text_of(v) for k, v in run.items() if k in ("shell", "working-directory")}


def _windows(runs_on: Any) -> bool:
    values = runs_on if isinstance(runs_on, list) else [runs_on]
    return any(isinstance(v, str) and "windows" in v.lower() for v in values)


def _shell_semantics(shell: str | None, windows: bool) -> tuple[bool, bool, str]:
    """(errexit, pipefail, kind) of a step's shell as GitHub runs it."""
    if shell is None:
        return (False, False, "pwsh") if windows else (True, False, "sh")
    name = shell.strip()
    if name == "bash":
        return True, True, "sh"
    if name == "sh":
        return True, False, "sh"
    if name in ("pwsh", "powershell", "cmd"):
        return False, False, "pwsh"
    if name == "python":
        return False, False, "other"
    words = name.split()
    if words and posixpath.basename(words[0]) in ("bash", "sh", "zsh", "dash"):
        flags = " ".join(w for w in words[1:] if w.startswith("-"))
        errexit = any(w.startswith("-") and not w.startswith("--") and "e" in w for w in words[1:])
        return errexit, "pipefail" in words or "pipefail" in flags, "sh"
    return False, False, "other"


# ------------------------------------------------------------------ actions


def _t(tool_id: str, family: str, categories: set[Any], languages: frozenset[str]) -> Tool:
    return Tool(tool_id, family, frozenset(categories), languages)


_REVIEWDOG_TOOLS = {
    "golangci-lint": ("golangci-lint", "run"),
    "staticcheck": ("staticcheck",),
    "eslint": ("eslint",),
    "flake8": ("flake8",),
    "shellcheck": ("shellcheck",),
    "hadolint": ("hadolint",),
    "actionlint": ("actionlint",),
    "black": ("black", "--check"),
    "mypy": ("mypy",),
    "pylint": ("pylint",),
    "ruff": ("ruff", "check"),
    "tflint": ("tflint",),
    "markdownlint": ("markdownlint",),
    "rubocop": ("rubocop",),
    "yamllint": ("yamllint",),
    "prettier": ("prettier", "--check"),
    "stylelint": ("stylelint",),
    "biome": ("biome", "ci"),
    "gosec": ("gosec",),
    "trivy": ("trivy", "fs", "--exit-code", "1"),
    "detect-secrets": ("detect-secrets-hook",),
    "tfsec": ("tfsec",),
    "golint": ("golint", "-set_exit_status"),
    "misspell": (),
    "languagetool": (),
}
_COVERAGE_ACTIONS = frozenset(
    {
        "codecov/codecov-action",
        "coverallsapp/github-action",
        "py-cov-action/python-coverage-comment-action",
        "irongut/codecoveragesummary",
        "5monkeys/cobertura-action",
        "orgoro/coverage",
        "madrapps/jacoco-report",
        "romeovs/lcov-reporter-action",
        "zgosalvez/github-actions-report-lcov",
        "codacy/codacy-coverage-reporter-action",
    }
)


def _with_argv(classified: Classified, uses: str) -> Classified:
    argv = classified.argv or (uses,)
    notes = (*classified.notes, f"action {uses}")
    return Classified(classified.tool, argv, classified.effect, classified.why_not, notes)


def classify_action(  # noqa: C901 - one branch per known action
    uses: str, inputs: Mapping[str, str], env: Mapping[str, str]
) -> Classified | None:
    """The tool a ``uses:`` action runs, with its effect given its inputs;
    None for actions that run no check (checkout, setup-*, cache...)."""
    ref = uses.split("@")[0].lower().rstrip("/")
    if ref.startswith("docker://"):
        image = uses[len("docker://") :]
        words = ["docker", "run", image, *split(inputs.get("args", ""))]
        docker = classify(words, env)
        return docker if docker.tool is not None else None
    parts = ref.split("/")
    owner_repo = "/".join(parts[:2])
    found: Classified | None = None
    if ref.startswith("golangci/golangci-lint-action"):
        if truthy(inputs.get("install-only")) is True:
            return None
        found = classify(["golangci-lint", "run", *split(inputs.get("args", ""))], env)
    elif ref == "github/codeql-action/analyze":
        found = Classified(
            _t("codeql", "codeql", {SAST}, NONE),
            (),
            FAILS,
            None,
            ("code scanning fails the pull-request check on new high-severity alerts",),
        )
    elif owner_repo == "pypa/gh-action-pip-audit":
        found = classify(["pip-audit"], env)
    elif owner_repo in ("astral-sh/ruff-action", "chartboost/ruff-action"):
        found = classify(["ruff", *split(inputs.get("args") or "check")], env)
    elif owner_repo == "psf/black":
        found = classify(["black", *split(inputs.get("options") or "--check --diff")], env)
    elif owner_repo == "isort/isort-action":
        found = classify(
            ["isort", *split(inputs.get("configuration") or "--check-only --diff")], env
        )
    elif owner_repo in (
        "py-actions/flake8",
        "truebrain/actions-flake8",
        "suo/flake8-github-action",
    ):
        found = classify(["flake8", *split(inputs.get("args", ""))], env)
    elif owner_repo == "jpetrucciani/ruff-check":
        found = classify(["ruff", "check"], env)
    elif owner_repo == "jpetrucciani/black-check":
        found = classify(["black", "--check"], env)
    elif owner_repo == "jpetrucciani/mypy-check":
        found = classify(["mypy"], env)
    elif owner_repo in (
        "jpetrucciani/bandit-check",
        "pycqa/bandit-action",
        "tj-actions/bandit",
        "mdegis/bandit-action",
    ):
        found = classify(["bandit", *split(inputs.get("args", ""))], env)
    elif owner_repo == "shundor/python-bandit-scan":
        extra = ["--exit-zero"] if truthy(inputs.get("exit_zero")) is True else []
        found = classify(["bandit", *extra], env)
    elif owner_repo == "jakebailey/pyright-action":
        found = classify(["pyright"], env)
    elif owner_repo == "ricardochaves/python-lint":
        found = Classified(_t("python-lint", "python-lint", {LINT, TYPECHECK}, PY), ())
    elif owner_repo == "wearerequired/lint-action":
        tool = _t("lint-action", "lint-action", {LINT}, frozenset())
        if truthy(inputs.get("continue_on_error")) is False:
            found = Classified(tool, ())
        else:
            found = Classified(
                tool,
                (),
                SILENT,
                "wearerequired/lint-action only annotates unless `continue_on_error: false`",
            )
    elif owner_repo in (
        "super-linter/super-linter",
        "github/super-linter",
        "oxsecurity/megalinter",
        "megalinter/megalinter",
    ):
        tool = _t(
            "super-linter" if "super" in owner_repo else "megalinter",
            owner_repo.split("/")[1],
            {LINT, FORMAT},
            frozenset(),
        )
        if truthy(env.get("DISABLE_ERRORS")) is True:
            found = Classified(tool, (), SILENT, "`DISABLE_ERRORS: true` makes the linter exit 0")
        else:
            found = Classified(tool, ())
    elif owner_repo.startswith("reviewdog/action-") or owner_repo == "tsuyoshicho/action-mypy":
        name = owner_repo.split("action-", 1)[1]
        argv = _REVIEWDOG_TOOLS.get(name)
        if not argv:
            return None
        inner = classify(list(argv), env)
        fail_level = (inputs.get("fail_level") or "").lower()
        gates = truthy(inputs.get("fail_on_error")) is True or fail_level not in ("", "none")
        if inner.tool is None:
            return None
        found = (
            Classified(inner.tool, inner.argv)
            if gates
            else Classified(
                inner.tool,
                inner.argv,
                SILENT,
                "reviewdog only comments unless `fail_on_error`/`fail_level` is set",
            )
        )
    elif owner_repo == "actions/dependency-review-action":
        tool = _t("dependency-review", "dependency-review", {DEPSCAN}, NONE)
        if truthy(inputs.get("warn-only")) is True:
            found = Classified(tool, (), SILENT, "`warn-only: true` never fails the job")
        else:
            found = Classified(tool, ())
    elif owner_repo == "aquasecurity/trivy-action":
        scan = inputs.get("scan-type") or "image"
        found = classify(["trivy", scan, "--exit-code", inputs.get("exit-code") or "0"], env)
    elif owner_repo == "anchore/scan-action":
        tool = _t("grype", "grype", {DEPSCAN}, NONE)
        found = (
            Classified(tool, ())
            if truthy(inputs.get("fail-build")) is not False
            else Classified(tool, (), SILENT, "`fail-build: false` never fails the job")
        )
    elif owner_repo == "snyk/actions":
        flavour = parts[2] if len(parts) > 2 else ""
        if flavour == "setup":
            return None
        command = inputs.get("command") or "test"
        found = classify(
            ["snyk", "iac", "test"] if flavour == "iac" else ["snyk", *split(command)], env
        )
    elif owner_repo in ("semgrep/semgrep-action", "returntocorp/semgrep-action"):
        found = classify(["semgrep", "ci"], env)
    elif owner_repo == "securego/gosec":
        found = classify(["gosec", *split(inputs.get("args", ""))], env)
    elif owner_repo == "golang/govulncheck-action":
        fmt = inputs.get("output-format") or "text"
        found = classify(["govulncheck", "-format", fmt], env)
    elif owner_repo == "google/osv-scanner-action":
        tool = _t("osv-scanner", "osv-scanner", {DEPSCAN}, NONE)
        found = (
            Classified(tool, ())
            if truthy(inputs.get("fail-on-vuln")) is not False
            else Classified(tool, (), SILENT, "`fail-on-vuln: false` never fails the job")
        )
    elif owner_repo in (
        "sonarsource/sonarcloud-github-action",
        "sonarsource/sonarqube-scan-action",
    ):
        found = classify(["sonar-scanner", *split(inputs.get("args", ""))], env)
    elif owner_repo == "sonarsource/sonarqube-quality-gate-action":
        found = Classified(_t("sonar", "sonar", {SAST}, NONE), ())
    elif owner_repo == "dominikh/staticcheck-action":
        found = classify(["staticcheck"], env)
    elif owner_repo in ("hadolint/hadolint-action",):
        tool = _t("hadolint", "hadolint", {LINT}, frozenset({"dockerfile"}))
        found = (
            Classified(tool, ())
            if truthy(inputs.get("no-fail")) is not True
            else Classified(tool, (), SILENT, "`no-fail: true` never fails the job")
        )
    elif owner_repo == "ludeeus/action-shellcheck":
        found = classify(["shellcheck"], env)
    elif owner_repo in (
        "gitleaks/gitleaks-action",
        "zricethezav/gitleaks-action",
        "trufflesecurity/trufflehog",
    ):
        found = classify(
            ["gitleaks", "detect"] if "gitleaks" in owner_repo else ["trufflehog", "--fail"], env
        )
    elif owner_repo in ("raven-actions/actionlint", "devops-actions/actionlint"):
        found = classify(["actionlint"], env)
    elif owner_repo in (
        "bridgecrewio/checkov-action",
        "aquasecurity/tfsec-action",
        "checkmarx/kics-github-action",
    ):
        tool_name = {"bridgecrewio": "checkov", "aquasecurity": "tfsec", "checkmarx": "kics"}[
            parts[0]
        ]
        tool = _t(tool_name, tool_name, {SAST}, frozenset({"terraform"}))
        soft = truthy(inputs.get("soft_fail")) is True or bool(inputs.get("ignore_on_exit"))
        found = (
            Classified(tool, (), SILENT, "`soft_fail` never fails the job")
            if soft
            else Classified(tool, ())
        )
    elif owner_repo == "mgechev/revive-action":
        found = classify(["revive"], env)
    elif owner_repo in ("jerome1337/gofmt-action", "jerome1337/goimports-action"):
        tool_name = "gofmt" if "gofmt" in owner_repo else "goimports"
        found = Classified(_t(tool_name, tool_name, {FORMAT}, frozenset({"go"})), ())
    elif owner_repo == "sonatype-nexus-community/nancy-github-action":
        found = classify(["nancy"], env)
    elif owner_repo == "creyd/prettier_action":
        if truthy(inputs.get("dry")) is True:
            found = classify(["prettier", "--check"], env)
        else:
            found = classify(["prettier", "--write"], env)
    elif owner_repo == "actionsx/prettier":
        found = classify(["prettier", *split(inputs.get("args", ""))], env)
    elif ref in _COVERAGE_ACTIONS or owner_repo in _COVERAGE_ACTIONS:
        found = Classified(
            _t("coverage-upload", owner_repo, {COVERAGE}, NONE),
            (),
            SILENT,
            "a coverage upload/report action does not fail the job on low coverage",
        )
    elif owner_repo in ("gradle/gradle-build-action",) and inputs.get("arguments"):
        found = classify(["gradle", *split(inputs["arguments"])], env)
    elif owner_repo == "biomejs/biome-action" or owner_repo == "nicknisi/biome-action":
        found = classify(["biome", "ci"], env)
    elif owner_repo == "stylelint/stylelint-action":
        found = Classified(_t("stylelint", "stylelint", {LINT}, JS), ())
    if found is None or found.tool is None:
        return None
    return _with_argv(found, uses)
