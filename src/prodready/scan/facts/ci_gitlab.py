"""GitLab CI: ``.gitlab-ci.yml`` with its local includes, ``extends``,
anchors, ``!reference``, ``default:``, and child pipelines.

A job's ``before_script`` and ``script`` run as one bash session with
``set -eo pipefail`` (GitLab Runner's bash shell); ``after_script`` runs
separately and its failures never fail the job. ``allow_failure: true``,
``when: manual`` and ``when: never`` jobs cannot fail the pipeline. Hidden
jobs (``.name``) are templates. Remote, project and template includes cannot
be read here; they are noted on the pipeline, and GitLab's own security
templates (SAST, Dependency Scanning, Secret Detection, Code Quality) are
recognised by name (their jobs allow failure unless overridden).
"""

from __future__ import annotations

import fnmatch
import posixpath
from typing import Any

from prodready.scan.facts.ci_common import CiRead, flatten_script, label_of
from prodready.scan.facts.ci_follow import Follower, JobSpec, StepSpec
from prodready.scan.facts.ci_model import CiKind, Pipeline, Tool
from prodready.scan.facts.ci_tools import DEPSCAN, LINT, NONE, SAST, SECRETS, SILENT, Classified
from prodready.scan.facts.ci_yaml import YList, YMap, as_dict, line_of, load_yaml, text_of, truthy
from prodready.scan.facts.source import ParseProblem

CONFIG_NAMES = (".gitlab-ci.yml", ".gitlab-ci.yaml")
_RESERVED = frozenset(
    {
        "stages",
        "variables",
        "default",
        "include",
        "workflow",
        "image",
        "services",
        "cache",
        "before_script",
        "after_script",
        "types",
        "spec",
    }
)
_MAX_INCLUDES = 40
_TEMPLATES: tuple[tuple[str, str, frozenset[Any], str], ...] = (
    ("sast", "gitlab-sast", frozenset({SAST}), "sast"),
    (
        "dependency-scanning",
        "gitlab-dependency-scanning",
        frozenset({DEPSCAN}),
        "gemnasium-dependency_scanning",
    ),
    ("secret-detection", "gitlab-secret-detection", frozenset({SECRETS}), "secret_detection"),
    ("code-quality", "gitlab-code-quality", frozenset({LINT}), "code_quality"),
    ("container-scanning", "gitlab-container-scanning", frozenset({DEPSCAN}), "container_scanning"),
)


def read_gitlab(follower: Follower) -> CiRead:
    """The GitLab pipeline at the root of the files, if any."""
    result = CiRead()
    for name in CONFIG_NAMES:
        if name in follower.paths:
            _Reader(follower, result).pipeline(name, depth=0)
    return result


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = YMap(getattr(override, "line", getattr(base, "line", 0)))
    if isinstance(merged, YMap):
        merged.key_lines.update(getattr(base, "key_lines", {}))
        merged.key_lines.update(getattr(override, "key_lines", {}))
    for key, value in base.items():
        merged[key] = value
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class _Reader:
    def __init__(self, follower: Follower, result: CiRead) -> None:
        self.follower = follower
        self.result = result
        self.included = 0

    def pipeline(self, path: str, depth: int) -> None:
        notes: list[str] = []
        templates: list[tuple[str, int | None]] = []
        doc, origins = self._load_with_includes(path, notes, templates, set(), 0)
        if doc is None:
            return
        jobs = {
            k: v
            for k, v in doc.items()
            if k not in _RESERVED and isinstance(v, dict) and not k.startswith(".")
        }
        self.result.pipelines.append(
            Pipeline(CiKind.GITLAB_CI, path, tuple(jobs), (), tuple(notes))
        )
        default = as_dict(doc.get("default"))
        for name, raw in jobs.items():
            job = self._resolve_extends(name, raw, doc, 0)
            if job is None:
                continue
            job_path = origins.get(name, path)
            self._job(job_path, name, job, doc, default, line_of(doc, name))
            child = job.get("trigger")
            if isinstance(child, dict) and depth < 2:
                for child_path in self._local_paths(child.get("include"), path):
                    if child_path in self.follower.paths:
                        self.pipeline(child_path, depth + 1)
        for template, line in templates:
            self._template_job(path, template, line, doc)

    def _load_with_includes(  # noqa: C901 - one branch per include form
        self,
        path: str,
        notes: list[str],
        templates: list[tuple[str, int | None]],
        seen: set[str],
        depth: int,
    ) -> tuple[YMap | None, dict[str, str]]:
        text = self.follower.read(path)
        if text is None:
            return None, {}
        documents, problems = load_yaml(path, text)
        self.result.problems.extend(problems)
        doc = documents[0] if documents else None
        if doc is None:
            return None, {}
        if not isinstance(doc, YMap):
            self.result.problems.append(ParseProblem(path, "GitLab CI config is not a mapping", 1))
            return None, {}
        seen.add(path)
        merged: dict[str, Any] = {}
        origins: dict[str, str] = {}
        for entry, line in _include_entries(doc.get("include"), line_of(doc, "include")):
            local = _local_include(entry)
            if local is not None:
                for target in self._expand_local(local, path):
                    if target in seen or self.included >= _MAX_INCLUDES or depth >= 8:
                        if target in seen:
                            self.result.problems.append(
                                ParseProblem(path, f"include cycle through {target}", line)
                            )
                        continue
                    self.included += 1
                    if target not in self.follower.paths:
                        self.result.problems.append(
                            ParseProblem(path, f"included file {target} not found", line)
                        )
                        continue
                    sub, sub_origins = self._load_with_includes(
                        target, notes, templates, seen, depth + 1
                    )
                    if sub is not None:
                        for key, value in sub.items():
                            if key == "include":
                                continue
                            merged[key] = (
                                _deep_merge(merged[key], value)
                                if isinstance(merged.get(key), dict) and isinstance(value, dict)
                                else value
                            )
                            origins[key] = sub_origins.get(key, target)
                continue
            description = _describe_include(entry)
            notes.append(f"include not read: {description}")
            template = _template_name(entry)
            if template is not None:
                templates.append((template, line))
        for key, value in doc.items():
            if key == "include":
                continue
            if isinstance(merged.get(key), dict) and isinstance(value, dict):
                merged[key] = _deep_merge(merged[key], value)
            else:
                merged[key] = value
            origins[key] = path
        result = YMap(doc.line)
        result.key_lines.update(doc.key_lines)
        result.update(merged)
        return result, origins

    def _expand_local(self, local: str, current: str) -> list[str]:
        target = local.lstrip("/")
        if "*" in target:
            return sorted(p for p in self.follower.paths if fnmatch.fnmatchcase(p, target))
        return [posixpath.normpath(target)]

    def _local_paths(self, value: Any, current: str) -> list[str]:
        paths: list[str] = []
        for entry, _ in _include_entries(value, None):
            local = _local_include(entry)
            if local is not None:
                paths.extend(self._expand_local(local, current))
        return paths

    def _resolve_extends(
        self, name: str, job: dict[str, Any], doc: YMap, depth: int
    ) -> dict[str, Any] | None:
        extends = job.get("extends")
        if extends is None:
            return job
        if depth > 11:
            self.result.problems.append(
                ParseProblem(".gitlab-ci.yml", f"`extends` too deep at job {name}", None)
            )
            return job
        parents = (
            [extends]
            if isinstance(extends, str)
            else [e for e in extends if isinstance(e, str)]
            if isinstance(extends, list)
            else []
        )
        merged: dict[str, Any] = {}
        for parent_name in parents:
            parent = doc.get(parent_name)
            if not isinstance(parent, dict):
                continue
            resolved = self._resolve_extends(parent_name, parent, doc, depth + 1)
            if resolved is not None:
                merged = _deep_merge(merged, resolved)
        own = {k: v for k, v in job.items() if k != "extends"}
        result = _deep_merge(merged, own)
        if isinstance(result, YMap) and isinstance(job, YMap):
            result.line = job.line
        return result

    def _reference(self, ref: Any, depth: int, doc: YMap) -> Any:
        current: Any = doc
        for key in ref:
            if not isinstance(current, dict):
                return None
            current = current.get(str(key))
            if isinstance(current, dict) and "extends" in current and depth < 10:
                current = self._resolve_extends(str(key), current, doc, depth + 1)
        return current

    def _job(
        self,
        path: str,
        name: str,
        job: dict[str, Any],
        doc: YMap,
        default: dict[str, Any],
        line: int | None,
    ) -> None:
        mask = _job_mask(job)
        inherit_default = True
        inherit = job.get("inherit")
        if isinstance(inherit, dict):
            value = inherit.get("default")
            if value is False:
                inherit_default = False
        before = job.get("before_script")
        after = job.get("after_script")
        if before is None and inherit_default:
            before = default.get("before_script", doc.get("before_script"))
        if after is None and inherit_default:
            after = default.get("after_script", doc.get("after_script"))
        notes: tuple[str, ...] = ()
        failure = job.get("allow_failure")
        if isinstance(failure, dict):
            notes = (f"allowed to fail with exit codes {failure.get('exit_codes')}",)

        def resolve(ref: Any, depth: int) -> Any:
            return self._reference(ref, depth, doc)

        lines: list[str] = []
        numbers: list[tuple[str | None, int | None]] = []
        for part in (before, job.get("script")):
            part_lines, part_numbers = flatten_script(part, line, resolve)
            lines.extend(part_lines)
            numbers.extend(part_numbers)
        label = label_of("job", name)
        steps: list[StepSpec] = []
        if lines:
            steps.append(
                StepSpec(
                    path,
                    line,
                    label,
                    script="\n".join(lines),
                    line_map=tuple(numbers),
                    errexit=True,
                    pipefail=True,
                    mask=mask,
                    notes=notes,
                )
            )
        after_lines, after_numbers = flatten_script(after, line, resolve)
        if after_lines:
            steps.append(
                StepSpec(
                    path,
                    line,
                    f"{label} after_script",
                    script="\n".join(after_lines),
                    line_map=tuple(after_numbers),
                    errexit=True,
                    pipefail=True,
                    mask="`after_script` failures never fail a GitLab job",
                    notes=notes,
                )
            )
        if steps:
            self.result.jobs.append(JobSpec(f"{path}#{name}", tuple(steps)))

    def _template_job(self, path: str, template: str, line: int | None, doc: YMap) -> None:
        lowered = template.lower()
        for marker, tool_id, categories, job_name in _TEMPLATES:
            if marker not in lowered and not (
                marker != "code-quality" and "auto-devops" in lowered
            ):
                continue
            override = doc.get(job_name)
            variables = as_dict(doc.get("variables"))
            disabled_var = f"{marker.upper().replace('-', '_')}_DISABLED"
            tool = Tool(tool_id, "gitlab", categories, NONE)
            if (
                truthy(variables.get(disabled_var)) is True
                or text_of(variables.get(disabled_var)) == "1"
            ):
                classified = Classified(tool, (template,), SILENT, f"`{disabled_var}` disables it")
            elif isinstance(override, dict) and override.get("allow_failure") is False:
                classified = Classified(tool, (template,))
            else:
                classified = Classified(
                    tool,
                    (template,),
                    SILENT,
                    "GitLab's security/quality template jobs allow failure; "
                    "findings go to the dashboard",
                )
            step = StepSpec(path, line, f"template {template}", classified=classified)
            self.result.jobs.append(JobSpec(f"{path}#template:{tool_id}", (step,)))


def _job_mask(job: dict[str, Any]) -> str | None:
    when = text_of(job.get("when"))
    if when == "never":
        return "job never runs (`when: never`)"
    if when == "manual":
        return "manual job (`when: manual`): it runs only when started by hand"
    rules = job.get("rules")
    if isinstance(rules, list) and rules:
        whens = [text_of(r.get("when")) or "on_success" for r in rules if isinstance(r, dict)]
        if whens and all(w == "never" for w in whens):
            return "job never runs (every rule says `when: never`)"
        if whens and all(w in ("manual", "never") for w in whens):
            return "manual job (its rules say `when: manual`)"
    if job.get("allow_failure") is True:
        return "`allow_failure: true`"
    return None


def _include_entries(value: Any, line: int | None) -> list[tuple[Any, int | None]]:
    if value is None:
        return []
    if isinstance(value, list):
        return [
            (entry, line_of(value, index) if isinstance(value, YList) else line)
            for index, entry in enumerate(value)
        ]
    return [(value, line)]


def _local_include(entry: Any) -> str | None:
    if isinstance(entry, str):
        if entry.startswith(("http://", "https://")):
            return None
        return entry
    if isinstance(entry, dict) and isinstance(entry.get("local"), str):
        return str(entry["local"])
    return None


def _describe_include(entry: Any) -> str:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        for key in ("remote", "template", "component"):
            if isinstance(entry.get(key), str):
                return f"{key} {entry[key]}"
        if isinstance(entry.get("project"), str):
            return f"project {entry['project']} {text_of(entry.get('file')) or entry.get('file')}"
    return "include"


def _template_name(entry: Any) -> str | None:
    if isinstance(entry, dict):
        for key in ("template", "component", "remote"):
            if isinstance(entry.get(key), str):
                return str(entry[key])
        files = entry.get("file")
        if isinstance(files, str):
            return files
    if isinstance(entry, str) and entry.startswith(("http://", "https://")):
        return entry
    return None
