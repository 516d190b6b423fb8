"""The other CI systems: CircleCI, Azure Pipelines, Travis, Drone and
Woodpecker, Bitbucket Pipelines, Buildkite, Tekton, Google Cloud Build, and
a few detected without reading their commands (AppVeyor, Semaphore, Cirrus,
Codefresh, TeamCity, GoCD, Bamboo).

Each reader turns the system's steps into ``StepSpec`` with that system's
shell semantics (CircleCI ``/bin/bash -eo pipefail``; Azure ``script:`` runs
bash *without* ``-e``; Travis runs each list entry on its own and keeps
going; Drone and Buildkite use ``set -e``...) and its way of letting a step
fail (``continueOnError``, ``failure: ignore``, ``soft_fail``,
``allowFailure``, ``onError: continue``, ``after_script``).
"""

from __future__ import annotations

import posixpath
from dataclasses import replace
from typing import Any

from prodready.scan.facts.ci_common import CiRead, flatten_script, label_of
from prodready.scan.facts.ci_follow import Follower, JobSpec, StepSpec, argv_script
from prodready.scan.facts.ci_model import CiKind, Pipeline, Tool
from prodready.scan.facts.ci_shell import FAILS
from prodready.scan.facts.ci_tools import (
    COVERAGE,
    DEPSCAN,
    LINT,
    NONE,
    SAST,
    SECRETS,
    SILENT,
    TEST,
    Classified,
    classify,
    split,
)
from prodready.scan.facts.ci_yaml import (
    YList,
    YMap,
    YStr,
    as_dict,
    as_list,
    line_of,
    load_json,
    load_yaml,
    text_of,
    truthy,
)
from prodready.scan.facts.source import ParseProblem

_OTHER_FILES = {
    "appveyor.yml": "AppVeyor",
    ".appveyor.yml": "AppVeyor",
    ".semaphore/semaphore.yml": "Semaphore",
    ".cirrus.yml": "Cirrus CI",
    "codefresh.yml": "Codefresh",
    ".teamcity/settings.kts": "TeamCity",
    ".gocd.yaml": "GoCD",
    "bamboo-specs/bamboo.yml": "Bamboo",
    "wercker.yml": "Wercker",
}


def _script_step(
    path: str,
    line: int | None,
    label: str,
    value: Any,
    *,
    errexit: bool,
    pipefail: bool = False,
    mask: str | None = None,
    notes: tuple[str, ...] = (),
    cwd: str | None = ".",
) -> StepSpec | None:
    lines, where = flatten_script(value, line)
    if not lines:
        return None
    return StepSpec(
        path,
        line,
        label,
        script="\n".join(lines),
        line_map=tuple(where),
        errexit=errexit,
        pipefail=pipefail,
        mask=mask,
        notes=notes,
        cwd=cwd,
    )


def _load_first(follower: Follower, path: str, result: CiRead) -> Any:
    text = follower.read(path)
    if text is None:
        return None
    if path.endswith(".json"):
        value, problem = load_json(path, text)
        if problem is not None:
            result.problems.append(problem)
        return value
    documents, problems = load_yaml(path, text)
    result.problems.extend(problems)
    return documents[0] if documents else None


# -------------------------------------------------------------- CircleCI


def read_circleci(follower: Follower) -> CiRead:
    result = CiRead()
    path = (
        ".circleci/config.yml"
        if ".circleci/config.yml" in follower.paths
        else ".circleci/config.yaml"
    )
    doc = _load_first(follower, path, result) if path in follower.paths else None
    if not isinstance(doc, dict):
        if path in follower.paths and not result.problems:
            result.problems.append(ParseProblem(path, "CircleCI config is not a mapping", 1))
        return result
    jobs = as_dict(doc.get("jobs"))
    commands = as_dict(doc.get("commands"))
    orbs = as_dict(doc.get("orbs"))
    workflows = as_dict(doc.get("workflows"))
    used: set[str] = set()
    orb_jobs: list[tuple[str, int | None]] = []
    for workflow in workflows.values():
        entries = workflow.get("jobs") if isinstance(workflow, dict) else None
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            name = (
                entry
                if isinstance(entry, str)
                else next(iter(entry), None)
                if isinstance(entry, dict)
                else None
            )
            if name is None:
                continue
            used.add(str(name))
            if "/" in str(name) and str(name) not in jobs:
                orb_jobs.append((str(name), line_of(entries, index)))
    notes = tuple(f"orb {alias}: {text_of(source)}" for alias, source in orbs.items())
    result.pipelines.append(Pipeline(CiKind.CIRCLECI, path, tuple(jobs), (), notes))
    for name, job in jobs.items():
        if not isinstance(job, dict):
            continue
        mask = None
        if workflows and name not in used:
            mask = f"job `{name}` is not in any workflow"
        elif not workflows and name != "build":
            mask = f"job `{name}` does not run (no workflows, only `build` runs)"
        errexit, pipefail = _circle_shell(text_of(job.get("shell")))
        specs = _circle_steps(
            path, name, job.get("steps"), commands, orbs, errexit, pipefail, mask, 0
        )
        result.jobs.append(JobSpec(f"{path}#{name}", tuple(specs)))
    for name, line in orb_jobs:
        classified = _orb_classified(name, orbs)
        if classified is not None:
            result.jobs.append(
                JobSpec(
                    f"{path}#{name}",
                    (StepSpec(path, line, f"orb job {name}", classified=classified),),
                )
            )
    return result


def _circle_shell(shell: str | None) -> tuple[bool, bool]:
    if not shell:
        return True, True
    words = shell.split()
    return any(w.startswith("-") and "e" in w for w in words[1:]), "pipefail" in words


def _circle_steps(
    path: str,
    job: str,
    steps: Any,
    commands: dict[str, Any],
    orbs: dict[str, Any],
    errexit: bool,
    pipefail: bool,
    mask: str | None,
    depth: int,
) -> list[StepSpec]:
    specs: list[StepSpec] = []
    if not isinstance(steps, list) or depth > 6:
        return specs
    for index, step in enumerate(steps):
        line = line_of(steps, index)
        if isinstance(step, str):
            name, params = step, None
        elif isinstance(step, dict) and step:
            name = next(iter(step))
            params = step[name]
        else:
            continue
        if name == "run":
            if isinstance(params, dict):
                command = params.get("command")
                label = label_of("step", text_of(params.get("name")) or "run")
                step_errexit, step_pipefail = (errexit, pipefail)
                if params.get("shell"):
                    step_errexit, step_pipefail = _circle_shell(text_of(params.get("shell")))
            else:
                command, label, step_errexit, step_pipefail = params, "step run", errexit, pipefail
            spec = _script_step(
                path,
                line,
                f"job {job}, {label}",
                command,
                errexit=step_errexit,
                pipefail=step_pipefail,
                mask=mask,
            )
            if spec is not None:
                specs.append(spec)
        elif name in ("when", "unless") and isinstance(params, dict):
            specs.extend(
                _circle_steps(
                    path,
                    job,
                    params.get("steps"),
                    commands,
                    orbs,
                    errexit,
                    pipefail,
                    mask,
                    depth + 1,
                )
            )
        elif name in commands and isinstance(commands[name], dict):
            specs.extend(
                _circle_steps(
                    path,
                    job,
                    commands[name].get("steps"),
                    commands,
                    orbs,
                    errexit,
                    pipefail,
                    mask,
                    depth + 1,
                )
            )
        elif "/" in name:
            classified = _orb_classified(name, orbs)
            if classified is not None:
                specs.append(
                    StepSpec(path, line, f"job {job}, orb {name}", classified=classified, mask=mask)
                )
    return specs


def _orb_classified(name: str, orbs: dict[str, Any]) -> Classified | None:
    alias, _, command = name.partition("/")
    source = (text_of(orbs.get(alias)) or alias).split("@")[0].lower()
    language = {
        "python": "python",
        "node": "javascript",
        "go": "go",
        "maven": "java",
        "gradle": "java",
    }
    lang = next((v for k, v in language.items() if source.endswith("/" + k) or source == k), None)
    languages = frozenset({lang}) if lang else NONE
    if "snyk" in source:
        return Classified(Tool("snyk", "snyk", frozenset({DEPSCAN}), NONE), (name,))
    if "sonarcloud" in source or "sonarqube" in source:
        return Classified(
            Tool("sonar", "sonar", frozenset({SAST}), NONE),
            (name,),
            SILENT,
            "the Sonar orb uploads the analysis; it fails only when it waits for the quality gate",
        )
    if command in ("test", "run-tests", "test-all", "unit-test"):
        return Classified(Tool("orb-test", alias, frozenset({TEST}), languages), (name,))
    if command in ("lint", "run-lint"):
        return Classified(Tool("orb-lint", alias, frozenset({LINT}), languages), (name,))
    return None


# ------------------------------------------------------------ Azure Pipelines

AZURE_NAMES = (
    "azure-pipelines.yml",
    "azure-pipelines.yaml",
    ".azure-pipelines.yml",
    ".azure-pipelines.yaml",
)
AZURE_DIRS = (".azure-pipelines/", "azure-pipelines/", ".azuredevops/", ".pipelines/")


def read_azure(follower: Follower) -> CiRead:
    result = CiRead()
    roots = [
        p
        for p in sorted(follower.paths)
        if p in AZURE_NAMES or p.endswith(("/azure-pipelines.yml", "/azure-pipelines.yaml"))
    ]
    templates = {
        p for p in follower.paths if p.startswith(AZURE_DIRS) and p.endswith((".yml", ".yaml"))
    }
    referenced: set[str] = set()
    readers = []
    for path in roots:
        reader = _AzureReader(follower, result, referenced)
        reader.read_root(path)
        readers.append(reader)
    for path in sorted(templates - referenced - set(roots)):
        doc = _load_first(follower, path, CiRead())
        if (
            isinstance(doc, dict)
            and any(k in doc for k in ("trigger", "pr", "pool", "stages", "jobs"))
            and "parameters" not in doc
        ):
            _AzureReader(follower, result, referenced).read_root(path)
    return result


class _AzureReader:
    def __init__(self, follower: Follower, result: CiRead, referenced: set[str]) -> None:
        self.follower = follower
        self.result = result
        self.referenced = referenced

    def read_root(self, path: str) -> None:
        doc = _load_first(self.follower, path, self.result)
        if not isinstance(doc, dict):
            return
        jobs: list[str] = []
        extends = doc.get("extends")
        if isinstance(extends, dict) and isinstance(extends.get("template"), str):
            doc = self._template(path, str(extends["template"])) or doc
        self._container(path, doc, None, jobs, 0)
        self.result.pipelines.append(Pipeline(CiKind.AZURE_PIPELINES, path, tuple(jobs)))

    def _template(self, path: str, name: str) -> Any:
        if "@" in name:
            return None
        target = (
            posixpath.normpath(posixpath.join(posixpath.dirname(path), name.lstrip("/")))
            if not name.startswith("/")
            else name.lstrip("/")
        )
        self.referenced.add(target)
        return (
            _load_first(self.follower, target, self.result)
            if target in self.follower.paths
            else None
        )

    def _container(
        self, path: str, node: Any, mask: str | None, jobs: list[str], depth: int
    ) -> None:
        if not isinstance(node, dict) or depth > 6:
            return
        if isinstance(node.get("stages"), list):
            for stage in node["stages"]:
                if isinstance(stage, dict) and isinstance(stage.get("template"), str):
                    self._container(
                        self._template_path(path, stage["template"]),
                        self._template(path, stage["template"]),
                        mask,
                        jobs,
                        depth + 1,
                    )
                elif isinstance(stage, dict):
                    stage_mask = mask or _azure_mask(stage, "stage")
                    self._container(path, stage, stage_mask, jobs, depth + 1)
        if isinstance(node.get("jobs"), list):
            for job in node["jobs"]:
                if isinstance(job, dict) and isinstance(job.get("template"), str):
                    self._container(
                        self._template_path(path, job["template"]),
                        self._template(path, job["template"]),
                        mask,
                        jobs,
                        depth + 1,
                    )
                elif isinstance(job, dict):
                    name = text_of(job.get("job")) or text_of(job.get("deployment")) or "job"
                    jobs.append(name)
                    self._job(path, name, job, mask or _azure_mask(job, "job"), depth)
        if isinstance(node.get("steps"), list):
            jobs.append("steps")
            self._job(path, "steps", node, mask, depth)

    def _template_path(self, path: str, name: str) -> str:
        return (
            posixpath.normpath(posixpath.join(posixpath.dirname(path), name))
            if not name.startswith("/")
            else name.lstrip("/")
        )

    def _job(self, path: str, name: str, job: dict[str, Any], mask: str | None, depth: int) -> None:
        steps = job.get("steps")
        if steps is None and isinstance(job.get("strategy"), dict):
            for strategy in job["strategy"].values():
                if isinstance(strategy, dict):
                    for hook in strategy.values():
                        if isinstance(hook, dict) and isinstance(hook.get("steps"), list):
                            steps = hook["steps"]
        specs = self._steps(path, name, steps, mask, depth)
        self.result.jobs.append(JobSpec(f"{path}#{name}", tuple(specs)))

    def _steps(
        self, path: str, job: str, steps: Any, mask: str | None, depth: int
    ) -> list[StepSpec]:
        specs: list[StepSpec] = []
        if not isinstance(steps, list) or depth > 6:
            return specs
        for index, step in enumerate(steps):
            if not isinstance(step, dict):
                continue
            line = line_of(steps, index)
            if isinstance(step.get("template"), str):
                target = self._template_path(path, step["template"])
                doc = self._template(path, step["template"])
                if isinstance(doc, dict):
                    specs.extend(self._steps(target, job, doc.get("steps"), mask, depth + 1))
                continue
            step_mask = mask or _azure_mask(step, "step")
            label = f"job {job}, " + label_of(
                "step", text_of(step.get("displayName")) or text_of(step.get("task")) or "script"
            )
            cwd = text_of(step.get("workingDirectory"))
            directory = "." if cwd is None or "$(" in cwd else posixpath.normpath(cwd)
            for key in ("script", "bash", "pwsh", "powershell"):
                if key in step:
                    spec = _script_step(
                        path, line, label, step[key], errexit=False, mask=step_mask, cwd=directory
                    )
                    if spec is not None:
                        specs.append(spec)
            task = text_of(step.get("task"))
            if task is not None:
                spec = _azure_task(
                    path, line, label, task, step.get("inputs"), step_mask, directory
                )
                if spec is not None:
                    specs.append(spec)
        return specs


def _azure_mask(node: dict[str, Any], kind: str) -> str | None:
    if truthy(node.get("continueOnError")) is True:
        return f"`continueOnError: true` on the {kind}"
    if truthy(node.get("enabled")) is False:
        return f"{kind} is disabled (`enabled: false`)"
    condition = text_of(node.get("condition"))
    if condition is not None and condition.replace(" ", "").lower() in ("false", "eq(1,2)"):
        return f"{kind} never runs (`condition: {condition}`)"
    return None


def _azure_task(  # noqa: C901 - one branch per task/step form
    path: str, line: int | None, label: str, task: str, inputs: Any, mask: str | None, cwd: str
) -> StepSpec | None:
    name = task.split("@")[0].lower()
    values = (
        {str(k): text_of(v) or "" for k, v in inputs.items()} if isinstance(inputs, dict) else {}
    )
    script: str | None = None
    classified: Classified | None = None
    if name == "maven":
        script = argv_script(
            ["mvn", *split(values.get("goals") or "package"), *split(values.get("options", ""))]
        )
    elif name == "gradle":
        script = argv_script(["gradle", *split(values.get("tasks") or "build")])
    elif name == "npm" and values.get("command") == "custom":
        script = argv_script(["npm", *split(values.get("customCommand", ""))])
    elif name == "dotnetcorecli" and values.get("command") == "test":
        script = "dotnet test"
    elif name == "go":
        script = argv_script(
            ["go", values.get("command") or "build", *split(values.get("arguments", ""))]
        )
    elif name in ("cmdline", "bash", "powershell", "shellscript"):
        if values.get("targetType", "inline") == "inline" and values.get("script"):
            return _script_step(
                path,
                line,
                label,
                YStr(values["script"], line or 0, False),
                errexit=False,
                mask=mask,
                cwd=cwd,
            )
        file = values.get("filePath") or values.get("scriptPath")
        if file:
            script = argv_script(["bash", file, *split(values.get("arguments", ""))])
    elif name.startswith("publishcodecoverageresults"):
        classified = Classified(
            Tool("coverage-upload", "azure", frozenset({COVERAGE}), NONE),
            (task,),
            SILENT,
            "publishing coverage does not fail on low coverage",
        )
    elif name.startswith(("sonarqubeanalyze", "sonarcloudanalyze")):
        classified = Classified(
            Tool("sonar", "sonar", frozenset({SAST}), NONE),
            (task,),
            SILENT,
            "the Sonar analysis task does not fail on findings (a quality-gate check does)",
        )
    elif name.startswith("snyksecurityscan"):
        fails = truthy(values.get("failOnIssues")) is not False
        classified = Classified(
            Tool("snyk", "snyk", frozenset({DEPSCAN}), NONE),
            (task,),
            FAILS if fails else SILENT,
            None if fails else "`failOnIssues: false`",
        )
    elif name.startswith("dependency-check-build-task"):
        classified = Classified(
            Tool("dependency-check", "dependency-check", frozenset({DEPSCAN}), NONE), (task,)
        )
    elif name in ("microsoftsecuritydevops", "credscan", "codeql3000init"):
        classified = Classified(Tool("msdo", "msdo", frozenset({SAST}), NONE), (task,))
    if script is not None:
        return StepSpec(
            path, line, label, script=script, script_line=line, errexit=False, mask=mask, cwd=cwd
        )
    if classified is not None:
        return StepSpec(path, line, label, classified=classified, mask=mask, cwd=cwd)
    return None


# ------------------------------------------------------------------- Travis

_TRAVIS_PHASES = (
    "before_install",
    "install",
    "before_script",
    "script",
    "after_success",
    "after_failure",
    "after_script",
    "before_deploy",
    "after_deploy",
)
_TRAVIS_NO_FAIL = frozenset({"after_success", "after_failure", "after_script", "after_deploy"})


def read_travis(follower: Follower) -> CiRead:
    result = CiRead()
    path = ".travis.yml"
    if path not in follower.paths:
        return result
    doc = _load_first(follower, path, result)
    if not isinstance(doc, dict):
        return result
    matrix = (
        doc.get("jobs")
        if isinstance(doc.get("jobs"), dict)
        else doc.get("matrix")
        if isinstance(doc.get("matrix"), dict)
        else {}
    )
    allowed = matrix.get("allow_failures") if isinstance(matrix, dict) else None
    allowed_names = (
        {text_of(a.get("name")) for a in allowed if isinstance(a, dict)}
        if isinstance(allowed, list)
        else set()
    )
    includes = (
        matrix.get("include")
        if isinstance(matrix, dict) and isinstance(matrix.get("include"), list)
        else []
    )
    includes = as_list(includes)
    units: list[tuple[str, dict[str, Any]]] = (
        [("default", doc)] if not includes or "script" in doc else []
    )
    for index, include in enumerate(includes):
        if isinstance(include, dict):
            merged = dict(doc)
            merged.update(include)
            units.append((text_of(include.get("name")) or f"include {index + 1}", merged))
    result.pipelines.append(Pipeline(CiKind.TRAVIS, path, tuple(name for name, _ in units)))
    for name, unit in units:
        job_mask = "job is in `allow_failures`" if name in allowed_names else None
        specs: list[StepSpec] = []
        for phase in _TRAVIS_PHASES:
            value = unit.get(phase)
            entries = value if isinstance(value, list) else [value] if value is not None else []
            for index, entry in enumerate(entries):
                line = line_of(value, index) if isinstance(value, YList) else line_of(unit, phase)
                mask = job_mask or (
                    f"`{phase}` failures do not fail a Travis build"
                    if phase in _TRAVIS_NO_FAIL
                    else None
                )
                spec = _script_step(
                    path, line, f"job {name}, {phase}", entry, errexit=False, mask=mask
                )
                if spec is not None:
                    specs.append(spec)
        result.jobs.append(JobSpec(f"{path}#{name}", tuple(specs)))
    return result


# -------------------------------------------------------- Drone / Woodpecker


def read_drone(follower: Follower) -> CiRead:
    result = CiRead()
    for path in sorted(follower.paths):
        if path in (".drone.jsonnet", ".drone.star"):
            result.pipelines.append(
                Pipeline(CiKind.DRONE, path, (), (), ("generated pipeline, commands not read",))
            )
            continue
        kind = None
        if path in (".drone.yml", ".drone.yaml"):
            kind = CiKind.DRONE
        elif path in (".woodpecker.yml", ".woodpecker.yaml") or (
            path.startswith(".woodpecker/")
            and path.endswith((".yml", ".yaml"))
            and path.count("/") == 1
        ):
            kind = CiKind.WOODPECKER
        if kind is None:
            continue
        text = follower.read(path)
        if text is None:
            continue
        documents, problems = load_yaml(path, text)
        result.problems.extend(problems)
        names: list[str] = []
        for doc in documents:
            if not isinstance(doc, dict):
                continue
            steps = doc.get("steps", doc.get("pipeline"))
            items: list[tuple[str, Any, int | None]] = []
            if isinstance(steps, list):
                items = [
                    (text_of(s.get("name")) or f"step {i + 1}", s, line_of(steps, i))
                    for i, s in enumerate(steps)
                    if isinstance(s, dict)
                ]
            elif isinstance(steps, dict):
                items = [
                    (str(k), v, line_of(steps, k)) for k, v in steps.items() if isinstance(v, dict)
                ]
            pipeline_name = text_of(doc.get("name")) or "default"
            names.append(pipeline_name)
            specs: list[StepSpec] = []
            for name, step, line in items:
                mask = "`failure: ignore`" if text_of(step.get("failure")) == "ignore" else None
                commands = step.get("commands", step.get("command"))
                spec = _script_step(
                    path,
                    line,
                    f"pipeline {pipeline_name}, " + label_of("step", name),
                    commands,
                    errexit=True,
                    mask=mask,
                )
                if spec is not None:
                    specs.append(spec)
            result.jobs.append(JobSpec(f"{path}#{pipeline_name}", tuple(specs)))
        result.pipelines.append(Pipeline(kind, path, tuple(names)))
    return result


# ---------------------------------------------------------------- Bitbucket


def read_bitbucket(follower: Follower) -> CiRead:
    result = CiRead()
    path = "bitbucket-pipelines.yml"
    if path not in follower.paths:
        return result
    doc = _load_first(follower, path, result)
    pipelines = doc.get("pipelines") if isinstance(doc, dict) else None
    if not isinstance(pipelines, dict):
        if doc is not None:
            result.problems.append(ParseProblem(path, "no `pipelines` mapping", 1))
        return result
    names: list[str] = []
    for group, value in pipelines.items():
        branches = value.items() if isinstance(value, dict) else [(group, value)]
        for name, items in branches:
            full = group if name == group else f"{group}:{name}"
            names.append(full)
            specs: list[StepSpec] = []
            _bitbucket_items(path, full, items, specs, 0)
            result.jobs.append(JobSpec(f"{path}#{full}", tuple(specs)))
    result.pipelines.append(Pipeline(CiKind.BITBUCKET, path, tuple(names)))
    return result


def _bitbucket_items(  # noqa: C901 - one branch per task/step form
    path: str, pipeline: str, items: Any, specs: list[StepSpec], depth: int
) -> None:
    if depth > 5:
        return
    if isinstance(items, dict):
        items = items.get("steps")
    if not isinstance(items, list):
        return
    for entry in items:
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("parallel"), list | dict):
            _bitbucket_items(path, pipeline, entry["parallel"], specs, depth + 1)
        if isinstance(entry.get("stage"), dict):
            _bitbucket_items(path, pipeline, entry["stage"].get("steps"), specs, depth + 1)
        step = entry.get("step")
        if not isinstance(step, dict):
            continue
        label = f"pipeline {pipeline}, " + label_of("step", text_of(step.get("name")) or "step")
        script = step.get("script")
        if isinstance(script, list):
            commands = [c for c in script if isinstance(c, str)]
            pipes = [
                (i, c)
                for i, c in enumerate(script)
                if isinstance(c, dict) and isinstance(c.get("pipe"), str)
            ]
            for index, pipe in pipes:
                classified = _bitbucket_pipe(str(pipe["pipe"]))
                if classified is not None:
                    specs.append(
                        StepSpec(path, line_of(script, index), label, classified=classified)
                    )
            kept = YList(script.line if isinstance(script, YList) else 0)
            for index, command in enumerate(script):
                if isinstance(command, str):
                    kept.append(command)
                    kept.item_lines.append(line_of(script, index) or 0)
            script = kept if commands else None
        spec = _script_step(
            path, step.line if isinstance(step, YMap) else None, label, script, errexit=True
        )
        if spec is not None:
            specs.append(spec)
        after = _script_step(
            path,
            step.line if isinstance(step, YMap) else None,
            label + " after-script",
            step.get("after-script"),
            errexit=True,
            mask="`after-script` failures do not fail a Bitbucket step",
        )
        if after is not None:
            specs.append(after)


def _bitbucket_pipe(pipe: str) -> Classified | None:
    name = pipe.split(":")[0].lower()
    if "snyk-scan" in name:
        return Classified(Tool("snyk", "snyk", frozenset({DEPSCAN}), NONE), (pipe,))
    if "sonarcloud-quality-gate" in name or "sonarqube-quality-gate" in name:
        return Classified(Tool("sonar", "sonar", frozenset({SAST}), NONE), (pipe,))
    if "sonarcloud-scan" in name or "sonarqube-scan" in name:
        return Classified(
            Tool("sonar", "sonar", frozenset({SAST}), NONE),
            (pipe,),
            SILENT,
            "the Sonar scan pipe uploads the analysis; use the quality-gate pipe to fail the build",
        )
    if "git-secrets-scan" in name:
        return Classified(Tool("git-secrets", "git-secrets", frozenset({SECRETS}), NONE), (pipe,))
    return None


# ---------------------------------------------------------------- Buildkite


def read_buildkite(follower: Follower) -> CiRead:
    result = CiRead()
    for path in sorted(follower.paths):
        if not (
            (
                path.startswith(".buildkite/")
                and path.count("/") == 1
                and path.endswith((".yml", ".yaml", ".json"))
            )
            or path in ("buildkite.yml", "buildkite.yaml", "buildkite.json")
        ):
            continue
        doc = _load_first(follower, path, result)
        steps = (
            doc.get("steps") if isinstance(doc, dict) else doc if isinstance(doc, list) else None
        )
        if not isinstance(steps, list):
            continue
        specs: list[StepSpec] = []
        labels: list[str] = []
        _buildkite_steps(path, steps, specs, labels, 0)
        result.pipelines.append(Pipeline(CiKind.BUILDKITE, path, tuple(labels)))
        result.jobs.append(JobSpec(f"{path}#steps", tuple(specs)))
    return result


def _buildkite_steps(
    path: str, steps: list[Any], specs: list[StepSpec], labels: list[str], depth: int
) -> None:
    if depth > 4:
        return
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            continue
        if isinstance(step.get("steps"), list):
            _buildkite_steps(path, step["steps"], specs, labels, depth + 1)
            continue
        command = step.get("commands", step.get("command"))
        if command is None:
            continue
        label = text_of(step.get("label")) or text_of(step.get("key")) or f"step {index + 1}"
        labels.append(label)
        soft = step.get("soft_fail")
        mask = "`soft_fail: true`" if soft is True or (isinstance(soft, list) and soft) else None
        spec = _script_step(
            path, line_of(steps, index), label_of("step", label), command, errexit=True, mask=mask
        )
        if spec is not None:
            specs.append(spec)


# ------------------------------------------------------------------- Tekton


def read_tekton(follower: Follower) -> CiRead:
    result = CiRead()
    for path in sorted(follower.paths):
        if not path.endswith((".yml", ".yaml")):
            continue
        text = follower.read(path)
        if text is None or "tekton.dev" not in text:
            continue
        documents, problems = load_yaml(path, text)
        result.problems.extend(problems)
        names: list[str] = []
        for doc in documents:
            if not isinstance(doc, dict) or "tekton.dev" not in (
                text_of(doc.get("apiVersion")) or ""
            ):
                continue
            kind = text_of(doc.get("kind")) or ""
            meta = as_dict(doc.get("metadata"))
            name = text_of(meta.get("name")) or kind
            names.append(f"{kind} {name}")
            spec = as_dict(doc.get("spec"))
            for task_name, steps in _tekton_step_lists(name, kind, spec):
                specs = [
                    s
                    for i, s in enumerate(steps)
                    if isinstance(s, dict)
                    for s in [_tekton_step(path, task_name, s, line_of(steps, i))]
                    if s
                ]
                result.jobs.append(
                    JobSpec(f"{path}#{task_name}", tuple(s for s in specs if s is not None))
                )
        if names:
            result.pipelines.append(Pipeline(CiKind.TEKTON, path, tuple(names)))
    return result


def _tekton_step_lists(name: str, kind: str, spec: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    found: list[tuple[str, list[Any]]] = []
    if isinstance(spec.get("steps"), list):
        found.append((name, spec["steps"]))
    for key in ("taskSpec", "pipelineSpec"):
        if isinstance(spec.get(key), dict):
            found.extend(_tekton_step_lists(name, kind, spec[key]))
    for task_key in ("tasks", "finally"):
        tasks = spec.get(task_key)
        if isinstance(tasks, list):
            for task in tasks:
                if isinstance(task, dict) and isinstance(task.get("taskSpec"), dict):
                    found.extend(
                        _tekton_step_lists(
                            f"{name}/{text_of(task.get('name')) or 'task'}", kind, task["taskSpec"]
                        )
                    )
    return found


def _tekton_step(path: str, task: str, step: dict[str, Any], line: int | None) -> StepSpec | None:
    label = f"task {task}, " + label_of("step", text_of(step.get("name")) or "step")
    mask = "`onError: continue`" if text_of(step.get("onError")) == "continue" else None
    script = step.get("script")
    if isinstance(script, str):
        text = str(script)
        errexit = not text.startswith("#!")
        if text.startswith("#!"):
            first = text.split("\n", 1)[0]
            errexit = any(f in first.split()[1:] for f in ("-e", "-ex", "-eu", "-eux", "-xe"))
        return StepSpec(
            path,
            line,
            label,
            script=text,
            script_line=script.line if isinstance(script, YStr) else line,
            literal=script.literal if isinstance(script, YStr) else False,
            errexit=errexit,
            mask=mask,
        )
    command = step.get("command")
    args = step.get("args")
    words = [text_of(w) or "" for w in (command if isinstance(command, list) else [])]
    words += [text_of(w) or "" for w in (args if isinstance(args, list) else [])]
    if words:
        return StepSpec(path, line, label, script=argv_script(words), script_line=line, mask=mask)
    return None


# --------------------------------------------------------------- Cloud Build


def read_cloudbuild(follower: Follower) -> CiRead:
    result = CiRead()
    for path in sorted(follower.paths):
        base = posixpath.basename(path)
        if not base.startswith("cloudbuild") or not base.endswith((".yaml", ".yml", ".json")):
            continue
        doc = _load_first(follower, path, result)
        steps = doc.get("steps") if isinstance(doc, dict) else None
        if not isinstance(steps, list):
            continue
        specs: list[StepSpec] = []
        for index, step in enumerate(steps):
            if isinstance(step, dict):
                spec = _cloudbuild_step(path, step, line_of(steps, index), index)
                if spec is not None:
                    specs.append(spec)
        result.pipelines.append(
            Pipeline(CiKind.CLOUD_BUILD, path, tuple(f"step {i + 1}" for i in range(len(steps))))
        )
        result.jobs.append(JobSpec(f"{path}#steps", tuple(specs)))
    return result


def _cloudbuild_step(
    path: str, step: dict[str, Any], line: int | None, index: int
) -> StepSpec | None:
    image = text_of(step.get("name")) or ""
    label = label_of("step", text_of(step.get("id")) or f"{index + 1} ({image.rsplit('/', 1)[-1]})")
    mask = "`allowFailure: true`" if truthy(step.get("allowFailure")) is True else None
    if mask is None and isinstance(step.get("allowExitCodes"), list) and step["allowExitCodes"]:
        mask = f"`allowExitCodes: {[text_of(c) for c in step['allowExitCodes']]}`"
    script = step.get("script")
    if isinstance(script, str):
        return StepSpec(
            path,
            line,
            label,
            script=str(script),
            script_line=script.line if isinstance(script, YStr) else line,
            literal=script.literal if isinstance(script, YStr) else False,
            errexit=False,
            mask=mask,
        )
    args = (
        [text_of(a) or "" for a in step.get("args", [])]
        if isinstance(step.get("args"), list)
        else []
    )
    entrypoint = text_of(step.get("entrypoint"))
    if entrypoint in ("bash", "sh", "/bin/bash", "/bin/sh") and len(args) >= 2 and args[0] == "-c":
        return StepSpec(
            path,
            line,
            label,
            script=args[1],
            script_line=line,
            literal=False,
            errexit=False,
            mask=mask,
        )
    if entrypoint:
        words = [entrypoint, *args]
    elif "cloud-builders/" in image or image.startswith(
        ("gcr.io/cloud-builders", "gcr.io/google.com/cloudsdktool")
    ):
        words = [image.split("/")[-1].split(":")[0], *args]
    else:
        words = args
        if not words:
            return None
        inner = classify(["docker", "run", image, *words])
        if inner.tool is not None and classify(words).tool is None:
            words = ["docker", "run", image, *words]
    return StepSpec(path, line, label, script=argv_script(words), script_line=line, mask=mask)


# --------------------------------------------------------------- Jenkinsfile

_JENKINS_STEPS = ("sh", "bat", "powershell", "pwsh")


def read_jenkins(follower: Follower) -> CiRead:
    result = CiRead()
    for path in sorted(follower.paths):
        base = posixpath.basename(path)
        if not (
            base == "Jenkinsfile"
            or base.startswith("Jenkinsfile.")
            or base.endswith((".jenkinsfile", ".Jenkinsfile"))
        ):
            continue
        text = follower.read(path)
        if text is None:
            continue
        stages, steps, notes = _jenkins_scan(path, text)
        result.pipelines.append(Pipeline(CiKind.JENKINS, path, tuple(stages), (), tuple(notes)))
        result.jobs.append(JobSpec(f"{path}#pipeline", tuple(steps)))
    return result


def _jenkins_scan(path: str, text: str) -> tuple[list[str], list[StepSpec], list[str]]:  # noqa: C901
    """Stages and shell steps of a (declarative or scripted) Jenkinsfile,
    found by a string- and comment-aware scan, with the blocks each step is
    inside (``catchError``, ``warnError``, ``try``)."""
    stages: list[str] = []
    steps: list[tuple[StepSpec, int | None]] = []
    notes: list[str] = []
    blocks: list[tuple[str, int]] = []
    i, n = 0, len(text)
    stage = "pipeline"
    pending_try_ends: list[tuple[int, int]] = []
    header_start = 0
    if "@Library" in text:
        notes.append("uses a shared library (its steps are not read)")
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if c in "'\"":
            _, i = _groovy_string(text, i)
            continue
        if c == "{":
            header = text[header_start:i].strip().split("\n")[-1].strip()
            blocks.append((header, i))
            header_start = i + 1
            i += 1
            continue
        if c == "}":
            if blocks:
                header, start = blocks.pop()
                if header.startswith("try"):
                    pending_try_ends.append((start, i))
            header_start = i + 1
            i += 1
            continue
        if c == "\n" or c == ";":
            header_start = i + 1
            i += 1
            continue
        if c.isalpha() and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_.")):
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            word = text[i:j]
            if word == "stage":
                literal, _ = _first_string(text, j)
                if literal is not None:
                    stage = literal[0]
                    stages.append(stage)
            elif word in _JENKINS_STEPS:
                k = j
                while k < n and text[k] in " \t":
                    k += 1
                if k < n and (
                    text[k] in "('\"" or text.startswith("script", k) or text.startswith("label", k)
                ):
                    spec, end = _jenkins_step(path, text, word, k, stage, blocks)
                    if spec is not None:
                        steps.append(
                            (
                                spec,
                                _try_start(blocks) if spec.mask and "`try`" in spec.mask else None,
                            )
                        )
                    i = max(end, j)
                    continue
            i = j
            continue
        i += 1
    return stages, _apply_try(text, steps, pending_try_ends), notes


def _apply_try(
    text: str, steps: list[tuple[StepSpec, int | None]], tries: list[tuple[int, int]]
) -> list[StepSpec]:
    """Unmask steps whose ``try`` is followed by a ``catch`` that fails the
    build again (``error``, ``throw``, ``currentBuild.result = 'FAILURE'``)."""
    ends = dict(tries)
    result: list[StepSpec] = []
    for spec, try_start in steps:
        end = ends.get(try_start) if try_start is not None else None
        if end is not None:
            after = text[end + 1 : end + 2000]
            catch = after.lstrip()
            if catch.startswith("catch"):
                body_start = catch.find("{")
                body = catch[body_start : body_start + 1500] if body_start >= 0 else ""
                closing = body.find("}")
                body = body[: closing if closing > 0 else len(body)]
                if any(
                    marker in body
                    for marker in ("throw", "error(", "error ", "'FAILURE'", '"FAILURE"')
                ):
                    spec = replace(spec, mask=None)
        result.append(spec)
    return result


def _jenkins_step(
    path: str, text: str, word: str, start: int, stage: str, blocks: list[tuple[str, int]]
) -> tuple[StepSpec | None, int]:
    n = len(text)
    end = start
    script: tuple[str, int, bool] | None = None
    return_status = False
    depth = 0
    i = start
    while i < n:
        c = text[i]
        if c in "'\"":
            literal_start = i
            literal, i = _groovy_string(text, i)
            if literal is not None and script is None:
                segment = text[start:literal_start].rsplit(",", 1)[-1]
                if ":" not in segment or "script" in segment:
                    script = literal
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth <= 0:
                i += 1
                break
        elif c in "\n}" and depth <= 0:
            break
        i += 1
    end = i
    call = text[start:end]
    if "returnStatus" in call and "true" in call.split("returnStatus", 1)[1][:20]:
        return_status = True
    if script is None:
        return None, end
    body, content_start, is_literal = script
    line = text.count("\n", 0, content_start) + 1
    mask = _jenkins_mask(blocks)
    if return_status:
        mask = mask or "`returnStatus: true` returns the exit code instead of failing the build"
    errexit = word == "sh"
    return StepSpec(
        path,
        line,
        f"stage {stage}, {word}",
        script=body,
        script_line=line,
        literal=is_literal,
        errexit=errexit,
        mask=mask,
    ), end


def _try_start(blocks: list[tuple[str, int]]) -> int | None:
    for header, start in reversed(blocks):
        if header.replace(" ", "").startswith("try"):
            return start
    return None


def _jenkins_mask(blocks: list[tuple[str, int]]) -> str | None:
    for header, _ in reversed(blocks):
        compact = header.replace(" ", "")
        if compact.startswith("catchError"):
            if (
                "buildResult:'SUCCESS'" in compact
                or 'buildResult:"SUCCESS"' in compact
                or "buildResult:null" in compact
            ):
                return "inside `catchError(buildResult: 'SUCCESS')`"
            if "UNSTABLE" in compact and "buildResult" in compact:
                return "inside `catchError(buildResult: 'UNSTABLE')`: the build turns unstable"
        if compact.startswith("warnError"):
            return "inside `warnError`: the build turns unstable, not failed"
        if compact.startswith("try"):
            return "inside a `try` block: its failure is caught"
    return None


def _groovy_string(text: str, start: int) -> tuple[tuple[str, int, bool] | None, int]:
    """(content, content offset, lines are file lines), end offset."""
    quote = text[start]
    triple = text.startswith(quote * 3, start)
    delimiter = quote * 3 if triple else quote
    i = start + len(delimiter)
    content_start = i
    parts: list[str] = []
    n = len(text)
    while i < n:
        if text.startswith(delimiter, i):
            raw = "".join(parts)
            if triple and raw.startswith("\n"):
                raw = raw[1:]
                content_start += 1
            return (raw, content_start, True), i + len(delimiter)
        c = text[i]
        if c == "\\" and i + 1 < n:
            nxt = text[i + 1]
            parts.append({"n": "\n", "t": "\t"}.get(nxt, nxt) if nxt in "nt'\"$\\" else "\\" + nxt)
            i += 2
            continue
        if c == "\n" and not triple:
            break
        parts.append(c)
        i += 1
    return None, i


def _first_string(text: str, start: int) -> tuple[tuple[str, int, bool] | None, int]:
    i = start
    while i < len(text) and text[i] in " \t(":
        i += 1
    if i < len(text) and text[i] in "'\"":
        return _groovy_string(text, i)
    return None, i


# -------------------------------------------------------------------- others


def read_other(follower: Follower) -> CiRead:
    result = CiRead()
    for path, name in _OTHER_FILES.items():
        if path in follower.paths:
            result.pipelines.append(
                Pipeline(CiKind.OTHER, path, (), (), (f"{name} pipeline (commands not read)",))
            )
    return result
