"""Code quality checks (pillar ``cq``): is the code kept clean by tools that
actually gate changes?"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from prodready.scan.checks._service import (
    LINTED_LANGUAGES,
    service_configs,
    service_runs,
    source,
)
from prodready.scan.checks.base import Check, CheckSpec, Example, Verdict, evidence, finding
from prodready.scan.facts.ci_model import (
    CommandRun,
    Location,
    Tool,
    ToolCategory,
    ToolConfig,
    Trigger,
)
from prodready.scan.facts.code_health import CodeHealth, code_health, reference_candidate
from prodready.scan.facts.perfile import lint_hook
from prodready.scan.facts.view import Facts
from prodready.scan.model import Evidence, Finding, Level, Severity

LINT = CheckSpec(
    id="cq.lint",
    level=Level.BRONZE,
    title="A linter is configured for each main language",
    passes_when=(
        "a linter is configured for each main language (ruff/flake8/pylint; "
        "golangci-lint/go vet/staticcheck; eslint/biome; checkstyle/spotbugs...)"
    ),
    why=(
        "Linters catch whole classes of bugs (unused variables hiding typos, shadowed "
        "errors, mutable defaults, unchecked errors) in milliseconds, before review. "
        "A language without a linter is where those bugs accumulate."
    ),
    how_to_fix=(
        "Configure a linter per main language and commit its config: [tool.ruff] in "
        "pyproject.toml (or ruff.toml, .flake8, .pylintrc) for Python; .golangci.yml, or "
        "`go vet`/staticcheck in CI, for Go; eslint.config.js or biome.json for "
        "JavaScript/TypeScript; checkstyle/spotbugs for Java."
    ),
    references=(
        "https://docs.astral.sh/ruff/linter/",
        "https://golangci-lint.run/usage/configuration/",
        "https://eslint.org/docs/latest/use/getting-started",
    ),
)


def judge_lint(facts: Facts) -> Verdict:
    languages = [lang for lang in facts.main_languages() if lang in LINTED_LANGUAGES]
    if not languages:
        return Verdict.not_applicable("no main language with known linters in this service")
    configs = service_configs(facts, "lint")
    runs = service_runs(facts, "lint")
    seen = []
    missing = []
    for language in languages:
        configured = [c for c in configs if language in c.languages]
        run = [r for r in runs if r.tool is not None and language in r.tool.languages]
        for config in configured[:2]:
            seen.append(evidence(config.path, f"{language}: {config.tool} configured", config.line))
        for command in run[:2]:
            seen.append(
                evidence(
                    command.location.path,
                    f"{language}: runs {command.command}",
                    command.location.line,
                )
            )
        if not configured and not run:
            missing.append(language)
    if not missing:
        return Verdict.passed(f"a linter is configured for {', '.join(languages)}", evidence=seen)
    covered = len(languages) - len(missing)
    return Verdict.failed(
        f"no linter for {', '.join(missing)}",
        score=round(10.0 * covered / len(languages), 1),
        findings=[
            finding(
                f"{language} code ({facts.languages()[language]:,} lines) has no linter "
                "configured or run",
                severity=Severity.MEDIUM,
            )
            for language in missing
        ],
        evidence=seen,
    )


# ------------------------------------------------------------------ gates
# How strongly a run enforces something. A CI step that can fail the build is
# the real gate; a pre-commit hook only guards the machines that installed it;
# a Makefile target nobody calls, a `|| true`, a formatter that rewrites
# instead of checking, a continue-on-error job: not a gate at all.
CI_GATE = 1.0
HOOK_GATE = 0.8


@dataclass(frozen=True, slots=True)
class _Strength:
    weight: float
    gates: tuple[CommandRun, ...]
    """The runs that give ``weight``."""
    weak: tuple[CommandRun, ...]
    """Runs that do not count, each with its reason."""


def _gate_strength(runs: Sequence[CommandRun]) -> _Strength:
    """The best gate among ``runs``, and the runs worth a finding: those that
    look like a gate in CI or pre-commit but can never fail, and, when there
    is no gate at all, checks that only a local task runs. (A local `make
    format` that rewrites files is a convenience, not a broken gate.)"""
    ci_gates = tuple(r for r in runs if r.trigger is Trigger.CI and r.can_fail)
    hooks = tuple(r for r in runs if r.trigger is Trigger.PRE_COMMIT and r.can_fail)
    gates = ci_gates or hooks
    masked = tuple(r for r in runs if not r.can_fail and r.trigger is not Trigger.LOCAL)
    local = tuple(r for r in runs if r.can_fail and r.trigger is Trigger.LOCAL)
    weak = masked if gates else masked + local
    return _Strength(CI_GATE if ci_gates else HOOK_GATE if hooks else 0.0, gates, weak)


def _why_weak(run: CommandRun) -> str:
    if not run.can_fail:
        return run.why_not or "it can never fail"
    if run.trigger is Trigger.LOCAL:
        return (
            f"it only runs when someone calls {run.origin[0]} by hand: no CI pipeline or "
            "pre-commit hook runs it"
        )
    return "it does not gate anything"


def _weak_findings(runs: Iterable[CommandRun], what: str) -> list[Finding]:
    return [
        finding(
            f"`{run.command}` does not enforce {what}: {_why_weak(run)}",
            run.location.path,
            run.location.line,
            severity=Severity.MEDIUM,
        )
        for run in runs
    ]


def _gate_evidence(runs: Iterable[CommandRun], what: str, limit: int = 5) -> list[Evidence]:
    shown = []
    for run in list(runs)[:limit]:
        where = "CI" if run.trigger is Trigger.CI else "pre-commit hook"
        shown.append(
            evidence(
                run.location.path,
                f"{what}: `{run.command}` ({where}: {run.chain})",
                run.location.line,
            )
        )
    return shown


def _covers(run: CommandRun, language: str) -> bool:
    languages = run.tool.languages if run.tool is not None else frozenset()
    return not languages or language in languages


def _configs_with(facts: Facts, tool: str, category: ToolCategory) -> list[ToolConfig]:
    return [c for c in service_configs(facts, tool) if category in c.categories]


_BUILD_FILES = frozenset({"pom.xml", "build.gradle", "build.gradle.kts"})
_BUILD_PHASES = {
    "maven": frozenset({"verify", "install", "deploy"}),
    "gradle": frozenset({"check", "build"}),
}
"""Maven phases and Gradle tasks that run the checks plugins bind to (Maven's
checkstyle/spotbugs/spotless ``check`` goals default to ``verify``; Gradle's
``check`` depends on every verification task)."""


def _build_plugin_runs(facts: Facts, category: ToolCategory) -> list[CommandRun]:
    """Analysers configured as build plugins (pom.xml, build.gradle) run with
    the build: one synthetic run per (plugin, build command running a phase
    that includes it), carrying the build command's trigger and can-fail."""
    plugins = [
        c
        for c in service_configs(facts, str(category))
        if PurePosixPath(c.path).name in _BUILD_FILES
    ]
    if not plugins:
        return []
    builds = [
        run
        for family, phases in _BUILD_PHASES.items()
        for run in service_runs(facts, family)
        if any(arg.rsplit(":", 1)[-1] in phases for arg in run.argv)
    ]
    return [
        replace(
            build,
            command=f"{plugin.tool} plugin ({plugin.path}) via {build.command}",
            tool=Tool(plugin.tool, plugin.tool, plugin.categories, plugin.languages),
            origin=(*build.origin, Location(plugin.path, plugin.line, f"{plugin.tool} plugin")),
        )
        for plugin in plugins
        for build in builds
    ]


def _lint_runs(facts: Facts) -> list[CommandRun]:
    return service_runs(facts, "lint") + _build_plugin_runs(facts, ToolCategory.LINT)


def _format_runs(facts: Facts) -> list[CommandRun]:
    """Formatter runs, plus golangci-lint runs whose configuration enables a
    formatter (gofmt/gofumpt/goimports linters fail on unformatted code), plus
    formatter build plugins."""
    runs = service_runs(facts, "format") + _build_plugin_runs(facts, ToolCategory.FORMAT)
    if _configs_with(facts, "golangci-lint", ToolCategory.FORMAT):
        runs += [
            r
            for r in service_runs(facts, "golangci-lint")
            if r.tool is not None and ToolCategory.FORMAT not in r.tool.categories
        ]
    return runs


_IAC_SCANNERS = frozenset({"trivy", "snyk-iac", "checkov", "tfsec", "kics", "terrascan"})


def _sast_runs(facts: Facts) -> list[CommandRun]:
    """SAST runs: bandit, gosec, semgrep, CodeQL, Sonar..., ruff with ``S``
    rules selected on its command line or in its configuration, and
    golangci-lint with gosec enabled in its configuration, and SAST build
    plugins (find-sec-bugs, sonar). Infrastructure-as-code scanners (trivy
    config, snyk iac, checkov...) analyse manifests, not code: left out."""
    runs = [
        r
        for r in service_runs(facts, "sast") + _build_plugin_runs(facts, ToolCategory.SAST)
        if r.tool is None or r.tool.id not in _IAC_SCANNERS
    ]
    if _configs_with(facts, "ruff", ToolCategory.SAST):
        runs += [
            r
            for r in service_runs(facts, "ruff-check")
            if r.tool is not None and ToolCategory.SAST not in r.tool.categories
        ]
    if _configs_with(facts, "golangci-lint", ToolCategory.SAST):
        runs += [
            r
            for r in service_runs(facts, "golangci-lint")
            if r.tool is not None and ToolCategory.SAST not in r.tool.categories
        ]
    return runs


def _language_lines(facts: Facts, language: str) -> str:
    return f"{facts.languages().get(language, 0):,} lines"


GATED_LANGUAGES = LINTED_LANGUAGES | {"rust", "csharp"}
"""Languages whose lint/format tools the CI collector recognises (ruff, black,
gofmt, golangci-lint, eslint, prettier, biome, spotless, ktlint, clippy and
rustfmt, dotnet format...): cq.format and cq.quality-gate judge these."""
FORMATTED_LANGUAGES = GATED_LANGUAGES
SAST_LANGUAGES = GATED_LANGUAGES
"""bandit/ruff S, gosec, and for any language semgrep, CodeQL, Sonar, snyk code."""


FORMAT = CheckSpec(
    id="cq.format",
    level=Level.SILVER,
    title="A formatter is enforced",
    passes_when=(
        "a formatter is enforced (ruff format/black --check, gofmt -l in CI, prettier --check...)"
    ),
    why=(
        "An enforced formatter ends style debates in review and keeps diffs to real "
        "changes. A formatter that only runs when someone remembers is not enforced, and "
        "one run without its check flag (`black .`, `gofmt -l .` whose output nobody "
        "tests) rewrites or lists files but never fails anything."
    ),
    how_to_fix=(
        "Run the formatter in check mode as a CI step that can fail, for each main "
        'language: `ruff format --check`, `black --check`, `test -z "$(gofmt -l .)"`, '
        "`prettier --check .`, `./mvnw spotless:check`; directly, through a Makefile target "
        "CI calls, or through `pre-commit run --all-files`. A pre-commit hook alone passes "
        "with a lower score (it only guards machines that installed it); a Makefile target "
        "nothing calls, `continue-on-error: true` or `|| true` does not count."
    ),
    references=(
        "https://docs.astral.sh/ruff/formatter/",
        "https://pkg.go.dev/cmd/gofmt",
        "https://prettier.io/docs/en/cli.html#--check",
    ),
    examples=(
        Example(
            "A format check in CI (passes)",
            '- run: ruff format --check .\n- run: test -z "$(gofmt -l .)"\n',
            language="yaml",
        ),
        Example(
            "Formatting that never fails (fails)",
            "- run: black .     # rewrites files, exits 0\n"
            "- run: gofmt -l .  # lists files, exits 0\n",
            passes=False,
            language="yaml",
        ),
    ),
)

QUALITY_GATE = CheckSpec(
    id="cq.quality-gate",
    level=Level.SILVER,
    title="Lint, format and SAST run as a gate that can fail",
    passes_when=(
        "lint/format/SAST actually run in CI, a Makefile target or pre-commit, and can fail"
    ),
    why=(
        "A configured tool that never runs, or runs with `|| true` or "
        "`continue-on-error: true`, gives the comfort of a gate without the protection. "
        "Only a step that can fail the build stops a regression."
    ),
    how_to_fix=(
        "Run the linter, formatter check and SAST in CI (directly, via a Makefile target or "
        "tox/nox session CI calls, or via `pre-commit run --all-files`) and remove `|| true`, "
        "`continue-on-error: true`, `allow_failure: true`, `set +e`, `--exit-zero` and "
        "`--issues-exit-code=0` around them. Passes when at least one of lint, format and SAST "
        "gates; the score is the share of those the repository uses (runs or configures) "
        "that gate, a pre-commit-only gate counting 0.8. Analysers configured as build "
        "plugins (checkstyle, spotless, spotbugs) gate when CI runs `mvn verify` or "
        "`gradle check`."
    ),
    references=(
        "https://pre-commit.com/",
        "https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idstepscontinue-on-error",
    ),
    examples=(
        Example(
            "Gates that can fail (passes)",
            "lint:\n\truff check .\n\truff format --check .\n\tbandit -q -r src\n"
            "# and in CI: - run: make lint\n",
            language="makefile",
        ),
        Example(
            "Gates that can never fail (fails)",
            "- run: flake8 app || true\n- run: black app\n",
            passes=False,
            language="yaml",
        ),
    ),
)

SAST = CheckSpec(
    id="cq.sast",
    level=Level.SILVER,
    title="Security static analysis runs",
    passes_when=(
        "security static analysis runs (bandit or ruff `S` rules, gosec, semgrep, CodeQL, "
        "SonarQube)"
    ),
    why=(
        "Injection, weak crypto, unsafe deserialisation and shell calls with user input "
        "have recognisable shapes. SAST finds them on every change, long before a "
        "penetration test or an attacker does."
    ),
    how_to_fix=(
        "Run SAST in CI (or a pre-commit hook, which scores lower) for each main language: "
        "ruff with `S` selected in its configuration (or `--select S`), or bandit, for "
        "Python; gosec, directly or enabled in .golangci.yml, for Go; semgrep, CodeQL or "
        "SonarQube for any language. A configuration nothing runs, a local Makefile target "
        "nobody calls or a job that never runs does not count; whether the run can fail the "
        "build is judged by cq.quality-gate. `go vet` is not security analysis."
    ),
    references=(
        "https://bandit.readthedocs.io/",
        "https://github.com/securego/gosec",
        "https://codeql.github.com/docs/",
    ),
    examples=(
        Example(
            "ruff's bandit rules, run in CI (passes)",
            '[tool.ruff.lint]\nselect = ["E", "F", "B", "S"]\n# CI: - run: ruff check .\n',
            language="toml",
        ),
        Example(
            "gosec enabled for golangci-lint (passes)",
            "linters:\n  enable: [gosec, errcheck]\n# CI: golangci/golangci-lint-action\n",
            language="yaml",
        ),
    ),
)

FINDINGS = CheckSpec(
    id="cq.findings",
    level=Level.SILVER,
    title="The code is clean by real analysers",
    passes_when=(
        "the code itself is clean: lint, security and complexity findings measured by "
        "running real analysers, scored by density per 1k lines"
    ),
    why=(
        "Configuration proves intent; the code shows the result. Complex functions, dead "
        "code, duplicated blocks and unchecked errors are where bugs hide and changes "
        "get expensive. Measured as findings per 1,000 lines, the score compares fairly "
        "across services of any size."
    ),
    how_to_fix=(
        "Fix the reported findings, starting with the highest severity: Python is measured "
        "with prodready's pinned ruff and a fixed rule set (pyflakes, bugbear, bandit, "
        "pylint errors, bug-prone comparisons, complexity over thresholds.max_complexity, "
        "default 15), whatever the repository's own ruff configuration says; a finding is "
        "suppressed only by a comment naming its code (`# noqa: S105`). Go is read with "
        "tree-sitter: functions over the complexity limit, `err` shadowed so an error is "
        "lost, errors dropped (`f()` as a statement, `defer tx.Commit()`, `go "
        "srv.ListenAndServe()`, `v, _ := strconv.Atoi(s)`). For both: delete dead functions, "
        "extract duplicated blocks (6+ statements). Score 10 at zero findings, falling "
        "linearly to 0 at thresholds.findings_per_kloc (default 10 per 1,000 lines); it "
        "passes below that. Test, vendored, generated and example code is not measured; "
        "other languages are not measured."
    ),
    references=(
        "https://docs.astral.sh/ruff/rules/",
        "https://en.wikipedia.org/wiki/Cyclomatic_complexity",
        "https://github.com/kisielk/errcheck",
    ),
    examples=(
        Example(
            "A finding ruff reports, and a deliberate suppression",
            'PASSWORD = "changeme"  # S105: read it from the environment\n'
            'SALT_NAME = "salt"  # noqa: S105 - a label, not a secret\n',
            passes=False,
            language="python",
        ),
        Example(
            "A shadowed error (fails)",
            "var err error\nfor _, item := range items {\n    n, err := save(item) // shadows\n"
            "    total += n\n}\nreturn err // always nil\n",
            passes=False,
            language="go",
        ),
    ),
)


def judge_format(facts: Facts) -> Verdict:
    languages = [lang for lang in facts.main_languages() if lang in FORMATTED_LANGUAGES]
    if not languages:
        return Verdict.not_applicable("no main language with known formatters in this service")
    runs = _format_runs(facts)
    weights: list[float] = []
    findings: list[Finding] = []
    seen: list[Evidence] = []
    weak: list[CommandRun] = []
    for language in languages:
        strength = _gate_strength([r for r in runs if _covers(r, language)])
        weights.append(strength.weight)
        seen += _gate_evidence(strength.gates, f"{language} formatting")
        weak += [r for r in strength.weak if r not in weak]
        if strength.weight == 0.0:
            configs = [c for c in service_configs(facts, "format") if language in c.languages] or []
            also = (
                f"; {configs[0].tool} is configured in {configs[0].path} but nothing enforces it"
                if configs
                else ""
            )
            findings.append(
                finding(
                    f"{language} code ({_language_lines(facts, language)}) has no formatter "
                    "check that can fail in CI or a pre-commit hook (a formatter that rewrites "
                    f"files instead of checking them does not count){also}",
                    severity=Severity.MEDIUM,
                )
            )
        elif strength.weight < CI_GATE:
            findings.append(
                finding(
                    f"{language}: the formatter check runs only as a pre-commit hook; run it in "
                    "CI too (`pre-commit run --all-files`), where it cannot be skipped",
                    strength.gates[0].location.path,
                    strength.gates[0].location.line,
                    severity=Severity.LOW,
                )
            )
    findings += _weak_findings(weak, "formatting")
    score = round(10.0 * sum(weights) / len(weights), 1)
    missing = [lang for lang, w in zip(languages, weights, strict=True) if w == 0.0]
    if not missing:
        return Verdict.passed(
            f"formatting is enforced for {', '.join(languages)}",
            score=score,
            evidence=seen,
            findings=findings,
        )
    return Verdict.failed(
        f"no enforced formatter for {', '.join(missing)}"
        + (f" ({len(weak)} formatter runs do not enforce it)" if weak else ""),
        score=score,
        findings=findings,
        evidence=seen,
    )


_GATE_KINDS = ("lint", "format", "sast")


def judge_quality_gate(facts: Facts) -> Verdict:
    if not [lang for lang in facts.main_languages() if lang in GATED_LANGUAGES]:
        return Verdict.not_applicable("no main language with known linters in this service")
    runs_by_kind = {
        "lint": _lint_runs(facts),
        "format": _format_runs(facts),
        "sast": _sast_runs(facts),
    }
    weights: dict[str, float] = {}
    findings: list[Finding] = []
    seen: list[Evidence] = []
    reported: list[CommandRun] = []
    for kind in _GATE_KINDS:
        runs = runs_by_kind[kind]
        configs = service_configs(facts, kind)
        if not runs and not configs:
            continue
        strength = _gate_strength(runs)
        weights[kind] = strength.weight
        seen += _gate_evidence(strength.gates, kind)
        weak = [r for r in strength.weak if r not in reported]
        reported += weak
        findings += _weak_findings(weak, f"a {kind} gate")
        if not runs:
            findings.append(
                finding(
                    f"{configs[0].tool} is configured but nothing runs it: a {kind} tool that "
                    "never runs gates nothing",
                    configs[0].path,
                    configs[0].line,
                )
            )
    gating = [kind for kind, weight in weights.items() if weight > 0]
    if not weights:
        return Verdict.failed(
            "no linter, formatter or SAST tool runs",
            findings=[
                finding(
                    "nothing lints, format-checks or security-scans this code in CI, a "
                    "Makefile target CI calls, or pre-commit",
                    severity=Severity.HIGH,
                )
            ],
        )
    score = round(10.0 * sum(weights.values()) / len(weights), 1)
    if not gating:
        return Verdict.failed(
            "lint/format/SAST tools run, but none can fail a build or a commit",
            score=score,
            findings=findings,
            evidence=seen,
        )
    for kind in weights:
        if weights[kind] == HOOK_GATE:
            findings.append(
                finding(
                    f"the {kind} gate is only a pre-commit hook: hooks run where developers "
                    "installed them; run `pre-commit run --all-files` in CI",
                    severity=Severity.LOW,
                )
            )
    return Verdict.passed(
        f"{', '.join(gating)} can fail the build"
        + (
            f"; not gating: {', '.join(k for k in weights if k not in gating)}"
            if len(gating) < len(weights)
            else ""
        ),
        score=score,
        evidence=seen,
        findings=findings,
    )


def judge_sast(facts: Facts) -> Verdict:
    languages = [lang for lang in facts.main_languages() if lang in SAST_LANGUAGES]
    if not languages:
        return Verdict.not_applicable("no main language with known SAST tools in this service")
    runs = _sast_runs(facts)
    weights: list[float] = []
    findings: list[Finding] = []
    seen: list[Evidence] = []
    for language in languages:
        mine = [r for r in runs if _covers(r, language) and not _never_runs(r)]
        in_ci = [r for r in mine if r.trigger is Trigger.CI]
        hooks = [r for r in mine if r.trigger is Trigger.PRE_COMMIT]
        chosen = in_ci or hooks
        weights.append(CI_GATE if in_ci else HOOK_GATE if hooks else 0.0)
        for run in chosen[:3]:
            gate = "" if run.can_fail else f" (it cannot fail the build: {run.why_not})"
            where = "CI" if run.trigger is Trigger.CI else "pre-commit hook"
            seen.append(
                evidence(
                    run.location.path,
                    f"{language}: `{run.command}` ({where}: {run.chain}){gate}",
                    run.location.line,
                )
            )
        if chosen:
            continue
        others = [r for r in runs if _covers(r, language)]
        configs = [
            c for c in service_configs(facts, "sast") if not c.languages or language in c.languages
        ]
        if others:
            reason = _why_weak(others[0])
            findings.append(
                finding(
                    f"{language}: `{others[0].command}` is security analysis, but {reason}",
                    others[0].location.path,
                    others[0].location.line,
                )
            )
        elif configs:
            findings.append(
                finding(
                    f"{language}: {configs[0].tool} is configured but never runs",
                    configs[0].path,
                    configs[0].line,
                )
            )
        else:
            findings.append(
                finding(
                    f"{language} code ({_language_lines(facts, language)}) has no security "
                    "static analysis (bandit or ruff `S` rules, gosec, semgrep, CodeQL, "
                    "SonarQube...)",
                    severity=Severity.MEDIUM,
                )
            )
    score = round(10.0 * sum(weights) / len(weights), 1)
    missing = [lang for lang, w in zip(languages, weights, strict=True) if w == 0.0]
    if missing:
        return Verdict.failed(
            f"no security static analysis for {', '.join(missing)}",
            score=score,
            findings=findings,
            evidence=seen,
        )
    return Verdict.passed(
        f"security static analysis runs for {', '.join(languages)}", score=score, evidence=seen
    )


def _never_runs(run: CommandRun) -> bool:
    return run.why_not is not None and "never runs" in run.why_not


# --------------------------------------------------------------- findings

MEASURED_LANGUAGES = ("python", "go")
_SEVERITY = {"low": Severity.LOW, "medium": Severity.MEDIUM, "high": Severity.HIGH}
_SMELL_LABELS = {
    "complexity": "too complex",
    "dead-code": "dead code",
    "duplicate": "duplicated blocks",
    "unchecked-error": "unchecked errors",
    "shadowed-err": "shadowed errors",
}


def collect_code_health(facts: Facts) -> CodeHealth:
    """Run the analysers on this service's own production Python and Go code."""
    found = source(facts)
    targets = [
        f.path
        for f in found.production_files
        if f.language in MEASURED_LANGUAGES and facts.scope.owns(f.path)
    ]
    measured = set(targets)
    references = [p for p in facts.paths() if p not in measured and reference_candidate(p)]
    return code_health(
        facts,
        targets,
        references=references,
        max_complexity=facts.params.max_complexity,
        library=not found.is_service,
        python_ast=facts.python_ast,
        lint=lint_hook(facts, facts.params.max_complexity),
    )


def judge_findings(facts: Facts) -> Verdict:
    health: CodeHealth = facts.derived("cq.code-health", collect_code_health)
    others = [
        lang
        for lang in facts.main_languages()
        if lang not in MEASURED_LANGUAGES and lang in LINTED_LANGUAGES
    ]
    not_measured = (
        f"; {', '.join(others)} not measured (prodready runs analysers for Python and Go)"
        if others
        else ""
    )
    lines = health.total_lines
    if lines == 0:
        return Verdict.not_applicable(
            "no production Python or Go code to measure (prodready runs analysers for Python "
            "and Go)" + (f"; {', '.join(others)} is not measured" if others else "")
        )
    threshold = facts.params.findings_per_kloc
    count = len(health.findings)
    density = 1000.0 * count / lines
    score = round(max(0.0, 10.0 * (1.0 - density / threshold)), 1)
    parts = _breakdown(health)
    languages = " and ".join(lang.capitalize() for lang in health.lines)
    summary = (
        f"{count} findings in {lines:,} lines of {languages} ({density:.1f} per 1,000 lines; "
        f"score 0 at {threshold:g})"
        + (f": {parts}" if parts else "")
        + _go_note(health)
        + not_measured
    )
    findings = [
        finding(
            f.message,
            f.path,
            f.line,
            end_line=f.end_line if f.end_line > f.line else None,
            severity=_SEVERITY.get(f.severity, Severity.MEDIUM),
        )
        for f in health.findings
    ]
    seen = _findings_evidence(health, facts.params.max_complexity)
    if density < threshold:
        return Verdict.passed(summary, score=score, evidence=seen, findings=findings)
    return Verdict.failed(summary, score=score, findings=findings, evidence=seen)


def _breakdown(health: CodeHealth) -> str:
    counts: dict[str, int] = {}
    for item in health.findings:
        label = "ruff" if item.analyser == "ruff" and item.rule != "C901" else None
        if item.rule == "C901":
            label = "too complex"
        label = label or _SMELL_LABELS.get(item.rule, item.rule)
        counts[label] = counts.get(label, 0) + 1
    return ", ".join(f"{label} {n}" for label, n in counts.items())


def _go_note(health: CodeHealth) -> str:
    if not health.go_analysers:
        return ""
    present = [name for name, found in health.go_analysers.items() if found]
    names = ", ".join("go vet" if n == "go" else n for n in health.go_analysers)
    if not present:
        return f"; Go: {names} are not on PATH, the tree-sitter checks stand in"
    shown = ", ".join("go vet" if n == "go" else n for n in present)
    return (
        f"; Go: {shown} found on PATH but not run (they compile the code, see ADR 0041); "
        "the tree-sitter checks stand in"
    )


def _findings_evidence(health: CodeHealth, max_complexity: int) -> list[Evidence]:
    from prodready.scan.facts.analysis import RUFF_IGNORE, RUFF_SELECT

    seen = []
    for language, lines in health.lines.items():
        seen.append(
            evidence(".", f"{language}: {health.files[language]} files, {lines:,} lines measured")
        )
    if "python" in health.lines:
        seen.append(
            evidence(
                ".",
                f"ruff --isolated --select {','.join(RUFF_SELECT)} --ignore "
                f"{','.join(RUFF_IGNORE)} (complexity over {max_complexity}); the repository's "
                "own ruff configuration is not used",
            )
        )
        if health.suppressed:
            seen.append(
                evidence(
                    ".",
                    f"{health.suppressed} ruff findings suppressed by comments naming their "
                    "code (# noqa: CODE)",
                )
            )
    if "go" in health.lines:
        seen.append(
            evidence(
                ".",
                f"Go (tree-sitter): complexity over {max_complexity}, shadowed err, dropped "
                "errors, unexported functions never used",
            )
        )
    seen.append(
        evidence(".", "duplicated blocks (6+ statements) and dead definitions across files")
    )
    return seen


CHECKS: tuple[Check, ...] = (
    Check(LINT, judge_lint),
    Check(FORMAT, judge_format),
    Check(QUALITY_GATE, judge_quality_gate),
    Check(SAST, judge_sast),
    Check(FINDINGS, judge_findings),
)
