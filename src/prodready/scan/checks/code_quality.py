"""Code quality checks (pillar ``cq``): is the code kept clean by tools that
actually gate changes?"""

from __future__ import annotations

from prodready.scan.checks.base import Check, CheckSpec
from prodready.scan.model import Level

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
    Check(LINT),
    Check(FORMAT),
    Check(QUALITY_GATE),
    Check(SAST),
    Check(FINDINGS),
)
