"""Code quality checks (pillar ``cq``): is the code kept clean by tools that
actually gate changes?"""

from __future__ import annotations

from prodready.scan.checks._service import LINTED_LANGUAGES, service_configs, service_runs
from prodready.scan.checks.base import Check, CheckSpec, Verdict, evidence, finding
from prodready.scan.facts.view import Facts
from prodready.scan.model import Level, Severity

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


FORMAT = CheckSpec(
    id="cq.format",
    level=Level.SILVER,
    title="A formatter is enforced",
    passes_when=(
        "a formatter is enforced (ruff format/black --check, gofmt -l in CI, prettier --check...)"
    ),
    why=(
        "An enforced formatter ends style debates in review and keeps diffs to real "
        "changes. A formatter that only runs when someone remembers is not enforced."
    ),
    how_to_fix=(
        "Run the formatter in check mode in CI or pre-commit: `ruff format --check`, "
        '`black --check`, `test -z "$(gofmt -l .)"`, `prettier --check .`.'
    ),
    references=(
        "https://docs.astral.sh/ruff/formatter/",
        "https://pkg.go.dev/cmd/gofmt",
        "https://prettier.io/docs/en/cli.html#--check",
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
        "Run the linter, formatter check and SAST in CI (directly or via a Makefile "
        "target or pre-commit) and remove `|| true`, `continue-on-error: true`, "
        "`allow_failure: true` and `set +e` around them."
    ),
    references=(
        "https://pre-commit.com/",
        "https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idstepscontinue-on-error",
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
        "Enable ruff's `S` (flake8-bandit) rules or run bandit for Python, gosec for Go, "
        "semgrep or CodeQL for any language, in CI."
    ),
    references=(
        "https://bandit.readthedocs.io/",
        "https://github.com/securego/gosec",
        "https://codeql.github.com/docs/",
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
        "Fix the reported findings, starting with the highest severity; split functions "
        "over the complexity limit, delete dead code, extract duplicated blocks, and "
        "handle every returned error. The policy's thresholds.findings_per_kloc sets the "
        "density that scores 0."
    ),
    references=(
        "https://docs.astral.sh/ruff/rules/",
        "https://en.wikipedia.org/wiki/Cyclomatic_complexity",
    ),
)

CHECKS: tuple[Check, ...] = (
    Check(LINT, judge_lint),
    Check(FORMAT),
    Check(QUALITY_GATE),
    Check(SAST),
    Check(FINDINGS),
)
