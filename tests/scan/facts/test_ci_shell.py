"""Shell semantics: does a command's failure reach the script's exit status?"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodready.scan.facts.ci_shell import Effect, ShellScript, parse, shell_words

PRINTS = Effect(fail=False, output=True)
REWRITES = Effect(fail=False, dirty=True)


def outcome(
    text: str,
    program: str,
    *,
    errexit: bool = True,
    pipefail: bool = False,
    effect: Effect | None = None,
):
    script = ShellScript(text, errexit=errexit, pipefail=pipefail)
    matches = [c for c in script.commands if c.argv and c.argv[0] == program]
    assert matches, f"{program} not found in {[c.argv for c in script.commands]}"
    return script.outcome(matches[0], effect or Effect())


@pytest.mark.parametrize(
    ("text", "errexit", "pipefail", "fails", "reason"),
    [
        ("ruff check .", True, False, True, None),
        ("ruff check . || true", True, False, False, "`|| true`"),
        ("ruff check . || :", True, False, False, "`|| :`"),
        ("ruff check . || exit 1", True, False, True, None),
        ("ruff check . || exit", True, False, True, None),
        ('ruff check . || { echo "lint failed"; exit 1; }', True, False, True, None),
        ("ruff check . || echo 'lint failed'", True, False, False, "`|| echo"),
        ("(ruff check .) || true", True, False, False, "`|| true`"),
        ("ruff check . && echo ok\necho done", True, False, False, "left of `&&`"),
        ("ruff check . && echo ok", True, False, True, None),
        ("ruff check .\necho done", False, False, False, "without `set -e`"),
        ("ruff check . ; true", False, False, False, "without `set -e`"),
        ("ruff check . ; true", True, False, True, None),
        ("ruff check .\nexit 0", False, False, False, "without `set -e`"),
        ("ruff check .\nexit 0", True, False, True, None),
        ("set +e\nruff check .\nset -e\necho hi", True, False, False, "`set +e`"),
        ("set -e\nruff check .\necho hi", False, False, True, None),
        ("set -euo pipefail\nruff check . | tee out\necho hi", False, False, True, None),
        ("ruff check . | tee out.txt", True, False, False, "pipe into `tee out.txt`"),
        ("ruff check . | tee out.txt", True, True, True, None),
        ("ruff check . &\nwait", True, False, False, "background"),
        ("if ruff check .; then echo ok; fi", True, False, False, "`if` condition"),
        ("if ! ruff check .; then echo bad; exit 1; fi", True, False, True, None),
        ("if ruff check .; then echo ok; else exit 1; fi", True, False, True, None),
        ("! ruff check .\necho x", True, False, False, "negated"),
        ('echo "$(ruff check .)"', True, False, False, "captured"),
        ("OUT=$(ruff check .)", True, False, True, None),
        ("set +e\nruff check .\nrc=$?\necho x\nexit $rc", True, False, True, None),
        ("lint() {\n  ruff check .\n}\nlint\necho ok", True, False, True, None),
        ("until ruff check .; do sleep 1; done", True, False, False, "`until` loop"),
        ("for d in a b; do (cd $d && ruff check .); done", True, False, True, None),
        ('case "$X" in\n  a) ruff check . ;;\n  *) echo no ;;\nesac', True, False, True, None),
        ('[ "$CI" = true ] && exit 0\nruff check .', True, False, True, None),
        ("if [ -f x ]; then exit 0; fi\nruff check .", True, False, True, None),
    ],
)
def test_failure_propagation(
    text: str, errexit: bool, pipefail: bool, fails: bool, reason: str | None
) -> None:
    result = outcome(text, "ruff", errexit=errexit, pipefail=pipefail)
    assert result.fails is fails
    if reason is not None:
        assert result.why_not is not None
        assert reason in result.why_not
    else:
        assert result.why_not is None


@pytest.mark.parametrize(
    ("text", "fails"),
    [
        ("gofmt -l .", False),
        ('test -z "$(gofmt -l .)"', True),
        ('[ -z "$(gofmt -l .)" ]', True),
        ('[[ -z "$(gofmt -l .)" ]]', True),
        ('if [ -n "$(gofmt -l .)" ]; then\n  echo "run gofmt"\n  exit 1\nfi', True),
        ('UNFORMATTED=$(gofmt -l .)\nif [ -n "$UNFORMATTED" ]; then exit 1; fi', True),
        ("! gofmt -l . | grep .", True),
        ("gofmt -l . | grep . && exit 1 || true", True),
        ("gofmt -l . > /dev/null", False),
        ("diff -u <(echo -n) <(gofmt -d .)", True),
    ],
)
def test_output_only_checkers_gate_only_when_tested(text: str, fails: bool) -> None:
    assert outcome(text, "gofmt", effect=PRINTS).fails is fails


def test_output_propagates_to_the_caller_when_not_captured() -> None:
    assert outcome("gofmt -l .", "gofmt", effect=PRINTS).output is True
    assert outcome("gofmt -l . > report.txt", "gofmt", effect=PRINTS).output is False


@pytest.mark.parametrize(
    ("text", "fails"),
    [
        ("black .", False),
        ("black .\ngit diff --exit-code", True),
        ("black . && git diff --quiet", True),
        ('black .\ntest -z "$(git status --porcelain)"', True),
        ("black .\ngit diff --exit-code || true", False),
        ("black .\ngit diff", False),
    ],
)
def test_rewriting_formatters_gate_only_with_a_tree_check(text: str, fails: bool) -> None:
    result = outcome(text, "black", effect=REWRITES)
    assert result.fails is fails
    assert result.dirty is True


def test_fails_when_dirty() -> None:
    assert ShellScript("git diff --exit-code", errexit=True).fails_when_dirty()
    assert ShellScript("make check\ngit diff --exit-code -- src/", errexit=True).fails_when_dirty()
    assert not ShellScript("git diff", errexit=True).fails_when_dirty()
    assert not ShellScript("git diff --exit-code || true", errexit=True).fails_when_dirty()


def test_words_lines_and_directories() -> None:
    text = (
        "cd services/api\n"
        "make lint\n"
        "python -m pytest \\\n"
        "  --cov=app \\\n"
        "  tests/\n"
        "cat <<EOF > notes.txt\n"
        "ruff check .\n"
        "EOF\n"
        "cd ..\n"
        'FOO=1 BAR="a b" go test ./...\n'
    )
    script = ShellScript(text, errexit=True)
    found = {c.argv[0]: c for c in script.commands}
    assert found["make"].cwd == "services/api"
    assert found["make"].line == 1
    assert found["python"].argv == ("python", "-m", "pytest", "--cov=app", "tests/")
    assert found["python"].line == 2
    assert "ruff" not in found, "heredoc bodies are data, not commands"
    assert found["go"].cwd == "services"
    assert found["go"].env == (("FOO", "1"), ("BAR", "a b"))
    assert found["go"].line == 9


def test_script_directory_and_workspace_variables() -> None:
    script = ShellScript(
        'cd "$(dirname "$0")/.."\nmake test\ncd "$GITHUB_WORKSPACE/web"\nnpm test',
        errexit=True,
        cwd=".",
        script_dir="scripts",
    )
    cwds = {c.argv[0]: c.cwd for c in script.commands if c.argv[0] in ("make", "npm")}
    assert cwds == {"make": ".", "npm": "web"}


def test_unknown_directory_after_cd_to_a_variable() -> None:
    script = ShellScript("cd $TARGET\nmake lint", errexit=True)
    assert next(c for c in script.commands if c.argv[0] == "make").cwd is None


def test_bash_arrays_are_assignments_not_commands() -> None:
    script = ShellScript(
        "need=()\ncommand -v redis || need+=(redis-server)\necho ${need[@]}", errexit=True
    )
    assert [c.argv[0] for c in script.commands] == ["command", "echo"]


def test_functions_are_emitted_only_when_called() -> None:
    script = ShellScript("unused() { ruff check .; }\nused() { mypy .; }\nused", errexit=True)
    programs = [c.argv[0] for c in script.commands]
    assert "mypy" in programs
    assert "ruff" not in programs


def test_shell_words() -> None:
    assert shell_words('--check --diff  \'a b\' "c\\"d" # comment') == [
        "--check",
        "--diff",
        "a b",
        'c"d',
    ]


@pytest.mark.parametrize(
    "text",
    [
        "echo 'unterminated",
        'echo "unterminated $(foo',
        "if then fi done esac ;; )) ((",
        "$(" * 500,
        "(" * 2000,
        "{ " * 1500,
        "a && " * 3000,
        "x | " * 3000,
        "cat <<EOF\nno end",
        "`" * 101,
        "${" * 300,
        "case x in\n",
        "f() {\n" * 300,
    ],
)
def test_hostile_scripts_never_raise(text: str) -> None:
    script = ShellScript(text, errexit=True)
    for command in script.commands[:50]:
        script.outcome(command, Effect())


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab |&;()$`'\"\\\n{}<>!#=-", max_size=120))
def test_parser_and_simulation_never_raise(text: str) -> None:
    script = ShellScript(text, errexit=True, pipefail=True)
    for command in script.commands[:20]:
        script.outcome(command, Effect(fail=True, output=True, dirty=True))
    parse(text)


def test_runaway_recursion_is_bounded() -> None:
    script = ShellScript("f() { f; ruff check .; }\nf", errexit=True)
    ruff = next(c for c in script.commands if c.argv[0] == "ruff")
    assert script.outcome(ruff, Effect()).fails is True
