"""Shell scripts from CI, read as a shell would read them, never run.

Why a parser and a small simulator rather than a regex for ``|| true``: the
question the checks ask is "if this linter finds something, does the
pipeline go red?", and the honest answer depends on shell semantics that a
grep gets wrong in both directions:

- ``ruff check . || true`` never fails, but ``ruff check . || exit 1`` does;
- under ``set -e``, a failure left of ``&&`` does *not* stop the script
  (``ruff check . && echo ok`` on a line that is not the last is masked);
- without ``set -e`` (Make recipes, npm scripts, Azure ``script:``), only the
  last command of the script decides its exit status;
- ``pytest | tee log`` hides pytest's status unless ``pipefail`` is on;
- ``gofmt -l .`` always exits 0: it gates only inside
  ``test -z "$(gofmt -l .)"`` or ``gofmt -l . | grep . && exit 1``;
- ``black .`` rewrites files and exits 0: it gates only when a later
  ``git diff --exit-code`` looks at the tree.

So: a linear-time lexer (quotes, escapes, ``$(...)``, backticks, heredocs,
line continuations, comments), a recursive-descent parser (and-or lists,
pipelines, ``!``, subshells, groups, ``if``/``while``/``for``/``case``,
functions, ``[[ ]]``), and for each command of interest an abstract run of
the script in which that one command "finds something" (fails, prints, or
modifies files: an ``Effect``) and everything else succeeds. The command can
fail the script when that run exits non-zero and the clean run does not.
Reasons are recorded where a failure is swallowed, to explain ``why_not``.

Everything is bounded: nesting depth, function-call depth, and a step budget
per simulation, so a hostile script costs bounded time.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_NESTING = 40
"""Parser nesting (groups, ifs, substitutions) beyond which the rest is skipped."""

MAX_STEPS = 20_000
"""Commands one simulation evaluates before giving up (answers "can fail")."""

MAX_CALL_DEPTH = 8

_WORD, _OP, _NEWLINE, _EOF = 0, 1, 2, 3
_OPS: tuple[str, ...] = ("&>>", ";;&", "<<-", "<<<", "&&", "||", ";;", ";&", "|&", ">>", "<<")
_OPS += (">&", "<&", ">|", "&>", "<>", ";", "&", "|", "(", ")", "<", ">")
_OP_START = frozenset(";&|()<>")
_REDIRECTS = frozenset({">", ">>", "<", "<<", "<<-", "<<<", ">&", "<&", ">|", "&>", "&>>", "<>"})
_STDOUT_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>"})
_BREAK = frozenset(" \t\r\n;&|()<>")
_PLAIN = re.compile(r"[^\s;&|()<>\\'\"$`=(]+")


@dataclass(slots=True)
class Word:
    """One shell word: quotes removed, substitutions kept as written."""

    text: str
    line: int
    quoted: bool = False
    sub_texts: list[tuple[str, int]] = field(default_factory=list)
    subs: list[Script] = field(default_factory=list)
    vars: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Tok:
    kind: int
    line: int
    op: str = ""
    word: Word | None = None


@dataclass(slots=True, eq=False)
class Simple:
    words: list[Word]
    assigns: list[tuple[str, Word]]
    redirects: list[tuple[str, str]]
    line: int


@dataclass(slots=True, eq=False)
class Group:
    body: Script
    subshell: bool
    redirects: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class If:
    clauses: list[tuple[Script, Script]]
    otherwise: Script | None


@dataclass(slots=True, eq=False)
class Loop:
    kind: str
    cond: Script | None
    body: Script


@dataclass(slots=True, eq=False)
class Case:
    arms: list[Script]


@dataclass(slots=True, eq=False)
class FuncDef:
    name: str
    body: Command


Command = Simple | Group | If | Loop | Case | FuncDef


@dataclass(slots=True, eq=False)
class Pipeline:
    negated: bool
    commands: list[Command]


@dataclass(slots=True, eq=False)
class AndOr:
    first: Pipeline
    rest: list[tuple[str, Pipeline]]


@dataclass(slots=True, eq=False)
class Statement:
    body: AndOr
    background: bool


@dataclass(slots=True, eq=False)
class Script:
    statements: list[Statement]


# --------------------------------------------------------------------- lexer


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.i = 0
        self.line = 0
        self.toks: list[_Tok] = []
        self.heredocs: list[tuple[str, bool]] = []

    def run(self) -> list[_Tok]:
        text, n = self.text, self.n
        want_delim: bool | None = None
        while self.i < n:
            c = text[self.i]
            if c == "\n":
                self.toks.append(_Tok(_NEWLINE, self.line))
                self.i += 1
                self.line += 1
                if self.heredocs:
                    self._skip_heredocs()
                continue
            if c in " \t\r":
                self.i += 1
                continue
            if c == "\\" and self.i + 1 < n and text[self.i + 1] == "\n":
                self.i += 2
                self.line += 1
                continue
            if c == "#":
                end = text.find("\n", self.i)
                self.i = n if end < 0 else end
                continue
            if c.isdigit():
                j = self.i
                while j < n and text[j].isdigit():
                    j += 1
                if j < n and text[j] in "<>":
                    self.i = j
                    c = text[j]
            if c in "<>" and self.i + 1 < n and text[self.i + 1] == "(":
                self.toks.append(_Tok(_WORD, self.line, word=self._procsub()))
                continue
            if c in _OP_START:
                op = next(o for o in _OPS if text.startswith(o, self.i))
                self.toks.append(_Tok(_OP, self.line, op=op))
                self.i += len(op)
                if op in ("<<", "<<-"):
                    want_delim = op == "<<-"
                continue
            word = self._word()
            self.toks.append(_Tok(_WORD, word.line, word=word))
            if want_delim is not None:
                self.heredocs.append((word.text, want_delim))
                want_delim = None
        self.toks.append(_Tok(_EOF, self.line))
        return self.toks

    def _skip_heredocs(self) -> None:
        text = self.text
        for delim, strip in self.heredocs:
            while self.i < self.n:
                end = text.find("\n", self.i)
                end = self.n if end < 0 else end
                line = text[self.i : end]
                self.i = end + 1
                self.line += 1
                if (line.lstrip("\t") if strip else line).rstrip("\r") == delim:
                    break
        self.heredocs.clear()

    def _procsub(self) -> Word:
        line = self.line
        end = _match_paren(self.text, self.i + 1)
        inner = self.text[self.i + 2 : end]
        word = Word(self.text[self.i : end + 1], line, quoted=True)
        word.sub_texts.append((inner, line))
        self.line += inner.count("\n")
        self.i = end + 1
        return word

    def _word(self) -> Word:
        text, n = self.text, self.n
        word = Word("", self.line)
        buf: list[str] = []
        while self.i < n:
            plain = _PLAIN.match(text, self.i)
            if plain is not None:
                buf.append(plain.group())
                self.i = plain.end()
                if self.i >= n:
                    break
            c = text[self.i]
            if c == "(" and buf and _array_assignment("".join(buf)):
                end = _match_paren(text, self.i)
                chunk = text[self.i : end + 1]
                buf.append(chunk)
                self.line += chunk.count("\n")
                self.i = end + 1
                continue
            if c in _BREAK:
                break
            if c == "\\":
                if self.i + 1 < n and text[self.i + 1] == "\n":
                    self.i += 2
                    self.line += 1
                    continue
                buf.append(text[self.i + 1 : self.i + 2])
                self.i += 2
                continue
            if c == "'":
                end = text.find("'", self.i + 1)
                end = n if end < 0 else end
                chunk = text[self.i + 1 : end]
                buf.append(chunk)
                self.line += chunk.count("\n")
                self.i = end + 1
                word.quoted = True
                continue
            if c == '"':
                word.quoted = True
                self._dquote(word, buf)
                continue
            if c == "$":
                self._dollar(word, buf)
                continue
            if c == "`":
                self._backtick(word, buf)
                continue
            buf.append(c)
            self.i += 1
        word.text = "".join(buf)
        return word

    def _dquote(self, word: Word, buf: list[str]) -> None:
        text, n = self.text, self.n
        self.i += 1
        while self.i < n:
            c = text[self.i]
            if c == '"':
                self.i += 1
                return
            if c == "\\" and self.i + 1 < n and text[self.i + 1] in '"\\$`\n':
                if text[self.i + 1] == "\n":
                    self.line += 1
                else:
                    buf.append(text[self.i + 1])
                self.i += 2
                continue
            if c == "$":
                self._dollar(word, buf)
                continue
            if c == "`":
                self._backtick(word, buf)
                continue
            if c == "\n":
                self.line += 1
            buf.append(c)
            self.i += 1

    def _backtick(self, word: Word, buf: list[str]) -> None:
        text = self.text
        j = self.i + 1
        while j < self.n and text[j] != "`":
            j += 2 if text[j] == "\\" else 1
        inner = text[self.i + 1 : min(j, self.n)]
        word.sub_texts.append((inner.replace("\\`", "`"), self.line))
        buf.append(f"`{inner}`")
        self.line += inner.count("\n")
        self.i = j + 1

    def _dollar(self, word: Word, buf: list[str]) -> None:
        text, i, n = self.text, self.i, self.n
        nxt = text[i + 1] if i + 1 < n else ""
        if nxt == "(":
            end = _match_paren(text, i + 1)
            raw = text[i : end + 1]
            if not raw.startswith("$(("):
                word.sub_texts.append((text[i + 2 : end], self.line))
            buf.append(raw)
            self.line += raw.count("\n")
            self.i = end + 1
            return
        if nxt == "{":
            depth, j = 0, i + 1
            while j < n:
                if text[j] == "{":
                    depth += 1
                elif text[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            raw = text[i : j + 1]
            name = _identifier(raw[2:].lstrip("#!"))
            if name:
                word.vars.append(name)
            buf.append(raw)
            self.i = j + 1
            return
        if nxt and (nxt.isalpha() or nxt == "_"):
            name = _identifier(text[i + 1 : i + 200])
            word.vars.append(name)
            buf.append("$" + name)
            self.i = i + 1 + len(name)
            return
        if nxt and nxt in "?$#@*!-0123456789":
            word.vars.append(nxt)
            buf.append("$" + nxt)
            self.i = i + 2
            return
        buf.append("$")
        self.i = i + 1


def _array_assignment(prefix: str) -> bool:
    """``name=`` / ``name+=`` right before ``(``: a bash array literal."""
    name = prefix[:-2] if prefix.endswith("+=") else prefix[:-1] if prefix.endswith("=") else ""
    return bool(name) and _identifier(name) == name and not name[0].isdigit()


def _identifier(text: str) -> str:
    end = 0
    for ch in text:
        if not (ch.isalnum() or ch == "_"):
            break
        end += 1
    return text[:end]


def _match_paren(text: str, start: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``start`` (quotes respected)."""
    depth, j, n = 0, start, len(text)
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "'":
            end = text.find("'", j + 1)
            j = n if end < 0 else end + 1
            continue
        if c == '"':
            j += 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j += 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return n - 1 if n else 0


# -------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, toks: list[_Tok], depth: int) -> None:
        self.toks = toks
        self.pos = 0
        self.depth = depth

    def peek(self) -> _Tok:
        return self.toks[self.pos]

    def take(self) -> _Tok:
        tok = self.toks[self.pos]
        if tok.kind != _EOF:
            self.pos += 1
        return tok

    def keyword(self, tok: _Tok) -> str | None:
        if tok.kind == _WORD and tok.word is not None and not tok.word.quoted:
            return tok.word.text
        return None

    def skip_separators(self) -> None:
        while True:
            tok = self.peek()
            if tok.kind == _NEWLINE or (tok.kind == _OP and tok.op == ";"):
                self.take()
            else:
                return

    def script(
        self, stop_words: frozenset[str] = frozenset(), stop_ops: frozenset[str] = frozenset()
    ) -> Script:
        statements: list[Statement] = []
        self.depth += 1
        try:
            while True:
                self.skip_separators()
                tok = self.peek()
                if tok.kind == _EOF:
                    break
                if self.keyword(tok) in stop_words or (tok.kind == _OP and tok.op in stop_ops):
                    break
                if tok.kind == _OP and tok.op in (")", ";;", ";&", ";;&", "&", "&&", "||", "|"):
                    self.take()
                    continue
                if self.depth > MAX_NESTING:
                    self.take()
                    continue
                start = self.pos
                body = self.and_or()
                if self.pos == start:
                    self.take()
                    continue
                background = False
                if self.peek().kind == _OP and self.peek().op == "&":
                    self.take()
                    background = True
                statements.append(Statement(body, background))
        finally:
            self.depth -= 1
        return Script(statements)

    def and_or(self) -> AndOr:
        first = self.pipeline()
        rest: list[tuple[str, Pipeline]] = []
        while self.peek().kind == _OP and self.peek().op in ("&&", "||"):
            op = self.take().op
            while self.peek().kind == _NEWLINE:
                self.take()
            start = self.pos
            pipeline = self.pipeline()
            if self.pos == start:
                break
            rest.append((op, pipeline))
        return AndOr(first, rest)

    def pipeline(self) -> Pipeline:
        negated = False
        while self.keyword(self.peek()) in ("!", "time"):
            if self.take().word.text == "!":  # type: ignore[union-attr]
                negated = not negated
        commands: list[Command] = []
        command = self.command()
        if command is not None:
            commands.append(command)
        while self.peek().kind == _OP and self.peek().op in ("|", "|&"):
            self.take()
            while self.peek().kind == _NEWLINE:
                self.take()
            command = self.command()
            if command is None:
                break
            commands.append(command)
        return Pipeline(negated, commands)

    def command(self) -> Command | None:  # noqa: C901 - one branch per shell construct
        tok = self.peek()
        if tok.kind == _OP and tok.op == "(":
            nxt = self.toks[self.pos + 1]
            if nxt.kind == _OP and nxt.op == "(":
                return self._arith()
            self.take()
            body = self.script(stop_ops=frozenset({")"}))
            self._expect_op(")")
            return Group(body, subshell=True, redirects=self._redirects())
        word = self.keyword(tok)
        if word == "{":
            self.take()
            body = self.script(stop_words=frozenset({"}"}))
            self._expect_word("}")
            return Group(body, subshell=False, redirects=self._redirects())
        if word == "if":
            return self._if()
        if word in ("while", "until"):
            self.take()
            cond = self.script(stop_words=frozenset({"do"}))
            self._expect_word("do")
            body = self.script(stop_words=frozenset({"done"}))
            self._expect_word("done")
            return Loop(word, cond, body)
        if word in ("for", "select"):
            self.take()
            while self.peek().kind != _EOF and self.keyword(self.peek()) != "do":
                self.take()
            self._expect_word("do")
            body = self.script(stop_words=frozenset({"done"}))
            self._expect_word("done")
            return Loop("for", None, body)
        if word == "case":
            return self._case()
        if word == "function":
            self.take()
            name = self.take()
            if self.peek().kind == _OP and self.peek().op == "(":
                self.take()
                self._expect_op(")")
            while self.peek().kind == _NEWLINE:
                self.take()
            func_body = self.command()
            if func_body is None or name.word is None:
                return None
            return FuncDef(name.word.text, func_body)
        if tok.kind == _WORD and tok.word is not None and not tok.word.quoted:
            a, b = (
                self.toks[self.pos + 1],
                self.toks[self.pos + 2] if self.pos + 2 < len(self.toks) else None,
            )
            if a.kind == _OP and a.op == "(" and b is not None and b.kind == _OP and b.op == ")":
                self.take()
                self.take()
                self.take()
                while self.peek().kind == _NEWLINE:
                    self.take()
                func_body = self.command()
                return None if func_body is None else FuncDef(tok.word.text, func_body)
        if tok.kind != _WORD and not (tok.kind == _OP and tok.op in _REDIRECTS):
            return None
        return self._simple()

    def _arith(self) -> Simple:
        line = self.peek().line
        depth = 0
        while self.peek().kind != _EOF:
            tok = self.take()
            if tok.kind == _OP and tok.op == "(":
                depth += 1
            elif tok.kind == _OP and tok.op == ")":
                depth -= 1
                if depth <= 0:
                    if self.peek().kind == _OP and self.peek().op == ")":
                        self.take()
                    break
        return Simple([Word("((", line), Word("))", line)], [], [], line)

    def _if(self) -> If:
        self.take()
        clauses: list[tuple[Script, Script]] = []
        otherwise: Script | None = None
        while True:
            cond = self.script(stop_words=frozenset({"then"}))
            self._expect_word("then")
            body = self.script(stop_words=frozenset({"elif", "else", "fi"}))
            clauses.append((cond, body))
            kw = self.keyword(self.peek())
            if kw == "elif":
                self.take()
                continue
            if kw == "else":
                self.take()
                otherwise = self.script(stop_words=frozenset({"fi"}))
            self._expect_word("fi")
            return If(clauses, otherwise)

    def _case(self) -> Case:
        self.take()
        while self.peek().kind not in (_EOF,) and self.keyword(self.peek()) != "in":
            self.take()
        self._expect_word("in")
        arms: list[Script] = []
        while True:
            while self.peek().kind == _NEWLINE:
                self.take()
            tok = self.peek()
            if tok.kind == _EOF or self.keyword(tok) == "esac":
                self.take()
                break
            if tok.kind == _OP and tok.op == "(":
                self.take()
            while self.peek().kind not in (_EOF,) and not (
                self.peek().kind == _OP and self.peek().op == ")"
            ):
                self.take()
            self._expect_op(")")
            body = self.script(
                stop_words=frozenset({"esac"}), stop_ops=frozenset({";;", ";&", ";;&"})
            )
            arms.append(body)
            if self.peek().kind == _OP and self.peek().op in (";;", ";&", ";;&"):
                self.take()
        return Case(arms)

    def _simple(self) -> Simple:
        words: list[Word] = []
        assigns: list[tuple[str, Word]] = []
        redirects: list[tuple[str, str]] = []
        line = self.peek().line
        double_bracket = self.keyword(self.peek()) == "[["
        while True:
            tok = self.peek()
            if tok.kind == _WORD and tok.word is not None:
                self.take()
                word = tok.word
                if double_bracket and not word.quoted and word.text == "]]":
                    words.append(word)
                    double_bracket = False
                    continue
                head, eq, _ = word.text.partition("=")
                name = head.removesuffix("+")
                if (
                    not words
                    and eq
                    and name
                    and _identifier(name) == name
                    and not name[0].isdigit()
                ):
                    value = Word(word.text[len(head) + 1 :], word.line, word.quoted)
                    value.sub_texts, value.vars = word.sub_texts, word.vars
                    assigns.append((name, value))
                else:
                    words.append(word)
                continue
            if (
                tok.kind == _OP
                and double_bracket
                and tok.op in ("&&", "||", "<", ">", "(", ")", "|")
            ):
                self.take()
                words.append(Word(tok.op, tok.line))
                continue
            if tok.kind == _OP and tok.op in _REDIRECTS:
                self.take()
                target = ""
                if self.peek().kind == _WORD and self.peek().word is not None:
                    target = self.take().word.text  # type: ignore[union-attr]
                redirects.append((tok.op, target))
                continue
            break
        return Simple(words, assigns, redirects, line)

    def _redirects(self) -> list[tuple[str, str]]:
        result: list[tuple[str, str]] = []
        while self.peek().kind == _OP and self.peek().op in _REDIRECTS:
            op = self.take().op
            target = ""
            if self.peek().kind == _WORD and self.peek().word is not None:
                target = self.take().word.text  # type: ignore[union-attr]
            result.append((op, target))
        return result

    def _expect_word(self, word: str) -> None:
        if self.keyword(self.peek()) == word:
            self.take()

    def _expect_op(self, op: str) -> None:
        if self.peek().kind == _OP and self.peek().op == op:
            self.take()


def parse(text: str, depth: int = 0) -> Script:
    """The syntax tree of ``text`` (best effort, never raises)."""
    toks = _Lexer(text).run()
    script = _Parser(toks, depth * 10).script()
    if depth < 4:
        for word in _all_words(script):
            for inner, line in word.sub_texts:
                sub = parse(inner, depth + 1)
                _shift_lines(sub, line)
                word.subs.append(sub)
    return script


def parse_safely(text: str) -> Script:
    """``parse`` that turns pathological nesting into an empty script."""
    try:
        return parse(text)
    except RecursionError:
        return Script([])


def _shift_lines(script: Script, offset: int) -> None:
    if offset:
        for node in _walk_simple(script, into_subs=True):
            node.line += offset


def _commands_of(command: Command) -> Iterator[Script]:
    if isinstance(command, Group):
        yield command.body
    elif isinstance(command, If):
        for cond, body in command.clauses:
            yield cond
            yield body
        if command.otherwise is not None:
            yield command.otherwise
    elif isinstance(command, Loop):
        if command.cond is not None:
            yield command.cond
        yield command.body
    elif isinstance(command, Case):
        yield from command.arms
    elif isinstance(command, FuncDef):
        yield Script([Statement(AndOr(Pipeline(False, [command.body]), []), False)])


def _pipelines(script: Script) -> Iterator[Pipeline]:
    for statement in script.statements:
        yield statement.body.first
        for _, pipeline in statement.body.rest:
            yield pipeline


def _walk_simple(script: Script, into_subs: bool) -> Iterator[Simple]:
    stack = [script]
    while stack:
        current = stack.pop()
        for pipeline in _pipelines(current):
            for command in pipeline.commands:
                if isinstance(command, Simple):
                    yield command
                    if into_subs:
                        for word in _words_of(command):
                            stack.extend(word.subs)
                else:
                    stack.extend(_commands_of(command))


def _words_of(command: Simple) -> Iterator[Word]:
    yield from command.words
    for _, value in command.assigns:
        yield value


def _all_words(script: Script) -> Iterator[Word]:
    for node in _walk_simple(script, into_subs=False):
        yield from _words_of(node)


# ------------------------------------------------------------------ analysis


@dataclass(frozen=True, slots=True)
class Effect:
    """What a command does when it finds something: exits non-zero, prints
    (``gofmt -l``, ``flake8 --exit-zero``), or rewrites files (``black .``)."""

    fail: bool = True
    output: bool = False
    dirty: bool = False


FAILS = Effect()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the whole script does when the command finds something."""

    fails: bool
    output: bool
    dirty: bool
    why_not: str | None


@dataclass(frozen=True, slots=True)
class ShellCommand:
    """One simple command of a script, where it is and in which directory."""

    argv: tuple[str, ...]
    line: int
    """0-based line offset from the start of the script text."""
    cwd: str | None
    """Directory it runs in, relative to the repository root; None if unknown."""
    env: tuple[tuple[str, str], ...]
    """``NAME=value`` prefixes of the command."""
    captured: bool
    """It runs inside ``$(...)`` (its output is captured)."""
    node: Simple


class ShellScript:
    """A parsed script with the shell options it starts with."""

    def __init__(
        self,
        text: str,
        *,
        errexit: bool,
        pipefail: bool = False,
        cwd: str | None = ".",
        script_dir: str | None = None,
        tree: Script | None = None,
    ) -> None:
        self.text = text
        self.errexit = errexit
        self.pipefail = pipefail
        if tree is None:
            tree = parse_safely(text)
        self.tree = tree
        self.commands = list(_emit(self.tree, cwd, script_dir if script_dir is not None else cwd))
        self._ancestors: dict[int, frozenset[int]] = _ancestor_map(self.tree)
        self._snapshot_cache: list[tuple[_Env, bool] | None] | None = None
        self._status_readers: list[bool] | None = None
        self._statement_index: dict[int, int] | None = None

    def outcome(
        self, command: ShellCommand, effect: Effect = FAILS, *, dirty: bool = False
    ) -> Outcome:
        """Whether ``command`` finding something makes the script fail."""
        path = self._ancestors.get(id(command.node), frozenset())
        index = self._top_index(path)
        if index is not None and not dirty and not effect.output and not effect.dirty:
            local = self._local_outcome(command, effect, path, index)
            if local is not None:
                return local
        clean = _Sim(self, command.node, path, effect, problem=False, dirty=dirty).run()
        bad_sim = _Sim(self, command.node, path, effect, problem=True, dirty=dirty)
        bad = bad_sim.run()
        fails = bad.code != 0 and (clean.code == 0 or bad.rel or bad_sim.exhausted)
        why = None if fails else (bad_sim.reasons[0] if bad_sim.reasons else None)
        return Outcome(fails, bad_sim.printed, bad_sim.dirty_cell[0], why)

    def _top_index(self, path: frozenset[int]) -> int | None:
        """Index of the top-level statement holding the command, unless the
        command sits in a function body (it runs where the function is called)."""
        if self._statement_index is None:
            self._statement_index = {id(st): i for i, st in enumerate(self.tree.statements)}
        for node_id in path:
            index = self._statement_index.get(node_id)
            if index is not None:
                statement = self.tree.statements[index]
                first = statement.body.first.commands
                if len(first) == 1 and isinstance(first[0], FuncDef) and not statement.body.rest:
                    return None
                return index
        return None

    def _local_outcome(
        self, command: ShellCommand, effect: Effect, path: frozenset[int], index: int
    ) -> Outcome | None:
        """The outcome from the shell state before the command's top-level
        statement and that statement alone: linear overall instead of one
        whole-script run per command. None when later statements can read
        the status (``$?``, ``exit $rc``), where the whole script is run."""
        snapshots = self._snapshots()
        if self._status_read_after(index):
            return None
        if index >= len(snapshots):
            return None
        snapshot = snapshots[index]
        if snapshot is None:
            return Outcome(False, False, False, "it is never reached: the script exits before it")
        last = index == len(self.tree.statements) - 1
        clean_sim = _Sim(self, command.node, path, effect, problem=False, dirty=snapshot[1])
        bad_sim = _Sim(self, command.node, path, effect, problem=True, dirty=snapshot[1])
        clean = clean_sim.run_statement(snapshot[0], index, last)
        bad = bad_sim.run_statement(snapshot[0], index, last)
        fails = bad.code != 0 and (clean.code == 0 or bad.rel or bad_sim.exhausted)
        why = None if fails else (bad_sim.reasons[0] if bad_sim.reasons else None)
        return Outcome(fails, bad_sim.printed, bad_sim.dirty_cell[0], why)

    def _snapshots(self) -> list[tuple[_Env, bool] | None]:
        """Shell state before each top-level statement in a run where no
        command under study has run yet (None once the script has exited)."""
        if self._snapshot_cache is None:
            sim = _Sim(self, None, frozenset(), FAILS, problem=False, dirty=False)
            self._snapshot_cache = sim.record_snapshots()
        return self._snapshot_cache

    def _status_read_after(self, index: int) -> bool:
        if self._status_readers is None:
            readers: list[bool] = []
            for statement in self.tree.statements:
                single = Script([statement])
                readers.append(any(_reads_status(node) for node in _walk_simple(single, True)))
            after = [False] * (len(readers) + 1)
            for position in range(len(readers) - 1, -1, -1):
                after[position] = after[position + 1] or readers[position]
            self._status_readers = after
        return self._status_readers[index + 1]

    def fails_when_dirty(self) -> bool:
        """Whether the script fails when the working tree has uncommitted
        changes (``git diff --exit-code``, ``git status --porcelain`` checks)."""
        clean = _Sim(self, None, frozenset(), FAILS, problem=False, dirty=False)
        dirty = _Sim(self, None, frozenset(), FAILS, problem=False, dirty=True)
        clean_code = clean.run().code
        return dirty.run().code != 0 and clean_code == 0


def _reads_status(node: Simple) -> bool:
    """The command reads the previous exit status (``$?``, ``exit $rc``)."""
    if any("?" in word.vars for word in _words_of(node)):
        return True
    words = [w.text for w in node.words]
    return bool(words) and words[0] in ("exit", "return") and len(words) > 1 and "$" in words[1]


def _ancestor_map(tree: Script) -> dict[int, frozenset[int]]:
    """For every simple command, the ids of the nodes that contain it."""
    result: dict[int, frozenset[int]] = {}

    def visit_script(script: Script, chain: tuple[int, ...]) -> None:
        chain = (*chain, id(script))
        for statement in script.statements:
            andor = statement.body
            schain = (*chain, id(statement), id(andor))
            for pipeline in (andor.first, *(p for _, p in andor.rest)):
                pchain = (*schain, id(pipeline))
                for command in pipeline.commands:
                    visit_command(command, pchain)

    def visit_command(command: Command, chain: tuple[int, ...]) -> None:
        chain = (*chain, id(command))
        if isinstance(command, Simple):
            result[id(command)] = frozenset(chain)
            for word in _words_of(command):
                for sub in word.subs:
                    visit_script(sub, chain)
            return
        if isinstance(command, FuncDef):
            visit_command(command.body, chain)
            return
        for script in _commands_of(command):
            visit_script(script, chain)

    if len(tree.statements) < 50_000:
        visit_script(tree, ())
    return result


def _emit(tree: Script, cwd: str | None, script_dir: str | None) -> Iterator[ShellCommand]:
    called = {node.words[0].text for node in _walk_simple(tree, into_subs=True) if node.words}
    yield from _emit_script(tree, cwd, script_dir, called, captured=False)


def _emit_script(
    script: Script, cwd: str | None, script_dir: str | None, called: set[str], captured: bool
) -> Iterator[ShellCommand]:
    for statement in script.statements:
        for pipeline in (statement.body.first, *(p for _, p in statement.body.rest)):
            for command in pipeline.commands:
                if isinstance(command, Simple):
                    for word in _words_of(command):
                        for sub in word.subs:
                            yield from _emit_script(sub, cwd, script_dir, called, captured=True)
                    if command.words:
                        argv = tuple(w.text for w in command.words)
                        env = tuple((name, value.text) for name, value in command.assigns)
                        yield ShellCommand(argv, command.line, cwd, env, captured, command)
                        if argv[0] in ("cd", "pushd") and not statement.background:
                            cwd = _cd(cwd, argv[1:], script_dir)
                elif isinstance(command, FuncDef):
                    if command.name in called:
                        body = Script(
                            [Statement(AndOr(Pipeline(False, [command.body]), []), False)]
                        )
                        yield from _emit_script(body, cwd, script_dir, called, captured)
                else:
                    for inner in _commands_of(command):
                        yield from _emit_script(inner, cwd, script_dir, called, captured)


_ROOT_VARS: tuple[str, ...] = (
    "$GITHUB_WORKSPACE",
    "${GITHUB_WORKSPACE}",
    "$CI_PROJECT_DIR",
    "${CI_PROJECT_DIR}",
)
_ROOT_VARS += ("${{ github.workspace }}", "$WORKSPACE", "${WORKSPACE}", "$BITBUCKET_CLONE_DIR")
_ROOT_VARS += ("$(git rev-parse --show-toplevel)",)
_SCRIPT_DIR_PREFIXES = (
    '$(dirname "$0")',
    "$(dirname $0)",
    '$(dirname "${BASH_SOURCE[0]}")',
    "$(dirname ${BASH_SOURCE[0]})",
    '$(dirname "$BASH_SOURCE")',
    "$(cd $(dirname $0) && pwd)",
)


def _cd(cwd: str | None, args: tuple[str, ...], script_dir: str | None) -> str | None:
    """The directory after ``cd args`` (None when it cannot be known)."""
    args = tuple(a for a in args if not a.startswith("-") or a == "-")
    if not args or args[0] in ("-", "~") or cwd is None:
        return None if args and args[0] == "-" else cwd
    target = args[0]
    for prefix in _SCRIPT_DIR_PREFIXES:
        if target.startswith(prefix) and script_dir is not None:
            return join_dir(script_dir, target[len(prefix) :].lstrip("/") or ".")
    for prefix in _ROOT_VARS:
        if target.startswith(prefix):
            return join_dir(".", target[len(prefix) :].lstrip("/") or ".")
    if "$" in target or "`" in target or target.startswith(("/", "~")):
        return None
    return join_dir(cwd, target)


def join_dir(base: str, relative: str) -> str | None:
    """``base/relative`` normalised; None when it leaves the repository."""
    joined = posixpath.normpath(posixpath.join(base, relative))
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        return None
    return joined


# ---------------------------------------------------------------- simulation


@dataclass(frozen=True, slots=True)
class _St:
    code: int
    rel: bool = False
    """The status depends on the command under study."""


_OK = _St(0)


class _Exit(Exception):
    def __init__(self, status: _St) -> None:
        self.status = status


class _Return(_Exit):
    pass


class _Budget(Exception):
    pass


class _Env:
    __slots__ = ("capture", "errexit", "funcs", "last", "pipefail", "plus_e", "var_codes", "vars")

    def __init__(self, errexit: bool, pipefail: bool) -> None:
        self.errexit = errexit
        self.pipefail = pipefail
        self.plus_e = False
        self.capture = False
        self.last = _OK
        self.vars: dict[str, bool | None] = {}
        self.var_codes: dict[str, _St] = {}
        self.funcs: dict[str, Command] = {}

    def copy(self) -> _Env:
        env = _Env(self.errexit, self.pipefail)
        env.plus_e = self.plus_e
        env.capture = self.capture
        env.last = self.last
        env.vars = dict(self.vars)
        env.var_codes = dict(self.var_codes)
        env.funcs = dict(self.funcs)
        return env


_PASSTHROUGH = frozenset({"tee", "cat", "sort", "uniq", "head", "tail", "sed", "awk", "cut", "tr"})
_PASSTHROUGH |= frozenset({"column", "xargs", "fold", "nl", "less", "more"})
_GREP = frozenset({"grep", "egrep", "fgrep", "rg"})
_WRAPPERS = frozenset({"command", "builtin", "time", "nice", "nohup", "exec"})


class _Sim:
    """One abstract run of a script (see the module docstring)."""

    def __init__(
        self,
        script: ShellScript,
        target: Simple | None,
        path: frozenset[int],
        effect: Effect,
        *,
        problem: bool,
        dirty: bool,
    ) -> None:
        self.script = script
        self.target = target
        self.path = path
        self.effect = effect
        self.problem = problem
        self.dirty_cell = [dirty]
        self.reasons: list[str] = []
        self.printed = False
        self.steps = 0
        self.exhausted = False
        self.calls = 0
        self.conditional = 0
        self.target_ran = False

    def run(self) -> _St:
        env = _Env(self.script.errexit, self.script.pipefail)
        try:
            status, _ = self.script_(self.script.tree, env, checked=False)
        except _Exit as exc:
            status = exc.status
        except (_Budget, RecursionError):
            self.exhausted = True
            return _St(1)
        return status

    def run_statement(self, snapshot: _Env, index: int, last: bool) -> _St:
        """Run top-level statement ``index`` from ``snapshot``; a failure that
        does not stop the script is lost unless it is the last statement
        (no later statement reads ``$?``: the caller checked)."""
        env = snapshot.copy()
        statement = self.script.tree.statements[index]
        try:
            status, _ = self.statement(statement, env, checked=False)
        except _Exit as exc:
            return exc.status
        except (_Budget, RecursionError):
            self.exhausted = True
            return _St(1)
        if last:
            return status
        if status.code != 0 and status.rel:
            self.reason(status, self._lost_reason(env))
        return _OK

    def record_snapshots(self) -> list[tuple[_Env, bool] | None]:
        """The environment before each top-level statement (see ShellScript)."""
        env = _Env(self.script.errexit, self.script.pipefail)
        snapshots: list[tuple[_Env, bool] | None] = []
        statements = self.script.tree.statements
        for position, statement in enumerate(statements):
            snapshots.append((env.copy(), self.dirty_cell[0]))
            try:
                self.statement(statement, env, checked=False)
            except _Exit:
                snapshots.extend([None] * (len(statements) - position - 1))
                break
            except (_Budget, RecursionError):
                break
        return snapshots

    def reason(self, status: _St, text: str) -> None:
        if self.problem and status.rel and status.code != 0 and len(self.reasons) < 4:
            self.reasons.append(text)

    # statements -------------------------------------------------------
    def script_(self, script: Script, env: _Env, checked: bool) -> tuple[_St, bool | None]:
        status, out = _OK, None
        statements = script.statements
        for index, statement in enumerate(statements):
            if index and status.code != 0 and status.rel:
                self.reason(status, self._lost_reason(env))
            status, sout = self.statement(statement, env, checked)
            out = _merge_out(out, sout)
        return status, out

    def _lost_reason(self, env: _Env) -> str:
        if env.errexit:
            return "its failure is ignored: `set -e` does not stop at a failure left of `&&`"
        if env.plus_e:
            return "after `set +e` a failing command does not stop the script"
        return "the shell runs without `set -e` and a later command decides the exit status"

    def statement(self, statement: Statement, env: _Env, checked: bool) -> tuple[_St, bool | None]:
        if statement.background:
            status, out = self.and_or(statement.body, env.copy(), checked=True)
            self.reason(status, "it runs in the background (`&`), its status is not checked")
            return _OK, out
        return self.and_or(statement.body, env, checked)

    def and_or(self, andor: AndOr, env: _Env, checked: bool) -> tuple[_St, bool | None]:
        rest = andor.rest
        status, out, negated = self.pipeline(andor.first, env, checked or bool(rest))
        from_final = not rest
        for index, (op, pipeline) in enumerate(rest):
            final = index == len(rest) - 1
            forced = id(pipeline) in self.path
            if op == "&&" and status.code != 0 and not forced:
                continue
            if op == "||" and status.code == 0 and not forced:
                continue
            if op == "||":
                self.reason(status, f"`|| {_pipeline_text(pipeline)}` handles its failure")
            self.conditional += 1
            try:
                status, pout, negated = self.pipeline(pipeline, env, checked or not final)
            finally:
                self.conditional -= 1
            out = _merge_out(out, pout)
            from_final = final
        env.last = status
        if status.code != 0 and not checked and not negated and env.errexit and from_final:
            raise _Exit(status)
        return status, out

    def pipeline(
        self, pipeline: Pipeline, env: _Env, checked: bool
    ) -> tuple[_St, bool | None, bool]:
        commands = pipeline.commands
        checked = checked or pipeline.negated
        stdin: bool | None = None
        statuses: list[_St] = []
        out: bool | None = None
        for index, command in enumerate(commands):
            last = index == len(commands) - 1
            local = env if len(commands) == 1 else env.copy()
            if not last:
                local.capture = True
            try:
                status, out = self.command(command, local, checked, stdin)
            except _Exit as exc:
                if len(commands) == 1:
                    raise
                status, out = exc.status, None
            statuses.append(status)
            stdin = out
        if not statuses:
            return _OK, None, pipeline.negated
        status = statuses[-1]
        if env.pipefail:
            failing = [s for s in statuses if s.code != 0]
            if failing:
                status = failing[-1]
        else:
            for index, early in enumerate(statuses[:-1]):
                nxt = _command_text(commands[index + 1])
                self.reason(early, f"its status is lost in a pipe into `{nxt}` (no `pipefail`)")
        if pipeline.negated:
            self.reason(status, "its status is negated with `!`")
            status = _St(0 if status.code else 1, status.rel)
        if out and not env.capture:
            self.printed = True
        return status, out, pipeline.negated

    # commands ---------------------------------------------------------
    def command(
        self, command: Command, env: _Env, checked: bool, stdin: bool | None
    ) -> tuple[_St, bool | None]:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _Budget
        if isinstance(command, Simple):
            return self.simple(command, env, checked, stdin)
        if isinstance(command, Group):
            return self.group(command, env, checked)
        if isinstance(command, If):
            return self.if_(command, env, checked)
        if isinstance(command, Loop):
            return self.loop(command, env, checked)
        if isinstance(command, Case):
            for arm in command.arms:
                if id(arm) in self.path:
                    return self.script_(arm, env, checked)
            return _OK, None
        env.funcs[command.name] = command.body
        return _OK, None

    def group(self, group: Group, env: _Env, checked: bool) -> tuple[_St, bool | None]:
        redirected = any(op in _STDOUT_REDIRECTS for op, _ in group.redirects)
        if group.subshell:
            local = env.copy()
            if redirected:
                local.capture = True
            try:
                status, out = self.script_(group.body, local, checked)
            except _Return:
                raise
            except _Exit as exc:
                status, out = exc.status, None
            return status, None if redirected else out
        if redirected:
            previous = env.capture
            env.capture = True
            try:
                status, _ = self.script_(group.body, env, checked)
            finally:
                env.capture = previous
            return status, None
        return self.script_(group.body, env, checked)

    def if_(self, node: If, env: _Env, checked: bool) -> tuple[_St, bool | None]:
        self.conditional += 1
        try:
            return self._if_branches(node, env, checked)
        finally:
            self.conditional -= 1

    def _if_branches(self, node: If, env: _Env, checked: bool) -> tuple[_St, bool | None]:
        for cond, body in node.clauses:
            if id(body) in self.path:
                return self.script_(body, env, checked)
            status, _ = self.script_(cond, env, checked=True)
            if id(cond) not in self.path and self._later_has_target(node, cond):
                continue
            if status.code == 0:
                return self.script_(body, env, checked)
            self.reason(status, "it is used as an `if` condition")
        if node.otherwise is not None:
            return self.script_(node.otherwise, env, checked)
        return _OK, None

    def _later_has_target(self, node: If, cond: Script) -> bool:
        seen = False
        for other, body in node.clauses:
            if other is cond:
                seen = True
                continue
            if seen and (id(other) in self.path or id(body) in self.path):
                return True
        return node.otherwise is not None and id(node.otherwise) in self.path

    def loop(self, node: Loop, env: _Env, checked: bool) -> tuple[_St, bool | None]:
        if node.cond is not None:
            status, _ = self.script_(node.cond, env, checked=True)
            self.reason(status, f"it is the condition of a `{node.kind}` loop")
            proceed = (status.code == 0) == (node.kind == "while")
            if not proceed and id(node.body) not in self.path:
                return _OK, None
        return self.script_(node.body, env, checked)

    def simple(
        self, node: Simple, env: _Env, checked: bool, stdin: bool | None
    ) -> tuple[_St, bool | None]:
        sub_status: _St | None = None
        word_out: list[bool | None] = []
        for word in _words_of(node):
            value: bool | None = None
            for sub in word.subs:
                local = env.copy()
                local.capture = True
                local.errexit = False
                try:
                    status, out = self.script_(sub, local, checked=True)
                except _Exit as exc:
                    status, out = exc.status, None
                sub_status = status
                value = _merge_out(value, out)
            for name in word.vars:
                if name in env.vars:
                    value = _merge_out(value, env.vars[name])
            word_out.append(value)
        if not node.words:
            for (name, assigned), value in zip(node.assigns, word_out, strict=False):
                env.vars[name] = value
                if assigned.text in ("$?", "${?}") or sub_status is None:
                    env.var_codes[name] = env.last
                else:
                    env.var_codes[name] = sub_status
            status = sub_status if sub_status is not None else _OK
            env.last = status
            return status, None
        argv_out = word_out[: len(node.words)]
        if sub_status is not None and sub_status.code != 0:
            self.reason(
                sub_status, "its output is captured by `$(...)` and its status is not checked"
            )
        redirected = any(op in _STDOUT_REDIRECTS for op, _ in node.redirects)
        if node is self.target:
            status, out = self._target(env)
        else:
            status, out = self.builtin(node, env, checked, stdin, argv_out)
        env.last = status
        return status, None if redirected else out

    def _target(self, env: _Env) -> tuple[_St, bool | None]:
        self.target_ran = True
        effect = self.effect
        if effect.dirty and self.problem:
            self.dirty_cell[0] = True
        code = 1 if (effect.fail and self.problem) else 0
        out: bool | None = self.problem if effect.output else None
        return _St(code, True), out

    def builtin(  # noqa: C901 - one branch per builtin the simulation models
        self,
        node: Simple,
        env: _Env,
        checked: bool,
        stdin: bool | None,
        word_out: list[bool | None],
    ) -> tuple[_St, bool | None]:
        words = [w.text for w in node.words]
        index = 0
        while index < len(words) - 1 and words[index] in _WRAPPERS:
            index += 1
        name = words[index]
        args = words[index + 1 :]
        if name in ("true", ":"):
            return _OK, None
        if name == "false":
            return _St(1), None
        if name in ("exit", "return"):
            if self.conditional and not self.target_ran:
                # A guarded early exit before the command under study: study
                # the runs that reach it (the guard's outcome is unknown).
                return _OK, None
            status = self._exit_status(args, env)
            raise (_Return if name == "return" else _Exit)(status)
        if name == "set":
            self._set(args, env)
            return _OK, None
        if name in ("test", "[", "[["):
            return self._test(args, word_out[index + 1 :]), None
        if name in _GREP:
            if stdin is None:
                return _OK, None
            return _St(0 if stdin else 1, True), (None if "-q" in args else stdin)
        if name == "read":
            return (_OK if stdin is None else _St(0 if stdin else 1, True)), None
        if name in _PASSTHROUGH:
            return _OK, stdin
        if name in ("diff", "cmp"):
            related = [v for v in word_out[index + 1 :] if v is not None]
            if related:
                return _St(1 if any(related) else 0, True), any(related)
            return _OK, None
        if name == "git":
            return self._git(args)
        if name in env.funcs and self.calls < MAX_CALL_DEPTH:
            self.calls += 1
            try:
                status, out = self.command(env.funcs[name], env, checked, stdin)
            except _Return as exc:
                status, out = exc.status, None
            finally:
                self.calls -= 1
            return status, out
        return _OK, None

    def _exit_status(self, args: list[str], env: _Env) -> _St:
        if not args:
            return env.last
        arg = args[0]
        if arg.isdigit():
            return _St(int(arg) % 256)
        if arg in ("$?", "${?}"):
            return env.last
        name = arg.lstrip("$").strip("{}")
        if name in env.var_codes:
            return env.var_codes[name]
        return _St(1, env.last.rel) if env.last.code else _OK

    def _set(self, args: list[str], env: _Env) -> None:
        expect_option: bool | None = None
        for arg in args:
            if expect_option is not None:
                if arg == "errexit":
                    env.errexit = expect_option
                    env.plus_e = env.plus_e or not expect_option
                elif arg == "pipefail":
                    env.pipefail = expect_option
                expect_option = None
                continue
            if len(arg) < 2 or arg[0] not in "-+" or arg == "--":
                break
            on = arg[0] == "-"
            if "e" in arg[1:]:
                env.errexit = on
                env.plus_e = env.plus_e or not on
            if "o" in arg[1:]:
                expect_option = on

    def _test(self, args: list[str], values: list[bool | None]) -> _St:
        related = [v for v in values if v is not None]
        if not related:
            return _OK
        nonempty = any(related)
        if "-z" in args:
            code = 1 if nonempty else 0
        elif "-n" in args or "!=" in args:
            code = 0 if nonempty else 1
        elif "=" in args or "==" in args:
            code = 1 if nonempty else 0
        else:
            code = 0 if nonempty else 1
        return _St(code, True)

    def _git(self, args: list[str]) -> tuple[_St, bool | None]:
        dirty = self.dirty_cell[0]
        sub = args[0] if args else ""
        flags = set(args[1:])
        if sub in ("diff", "diff-index", "diff-files"):
            if flags & {"--exit-code", "--quiet"} or (sub != "diff" and "--quiet" in flags):
                return _St(1 if dirty else 0, True), None
            return _OK, dirty
        if sub == "status" and flags & {"--porcelain", "-s", "--short"}:
            return _OK, dirty
        if sub == "ls-files" and flags & {"-m", "--modified", "-o", "--others"}:
            return _OK, dirty
        return _OK, None


def _merge_out(a: bool | None, b: bool | None) -> bool | None:
    if a is None:
        return b
    if b is None:
        return a
    return a or b


def _pipeline_text(pipeline: Pipeline) -> str:
    return " | ".join(_command_text(c) for c in pipeline.commands) or "..."


def _command_text(command: Command) -> str:
    if isinstance(command, Simple):
        text = " ".join(w.text for w in command.words)
        return text if len(text) <= 40 else text[:37] + "..."
    if isinstance(command, Group):
        return "( ... )" if command.subshell else "{ ... }"
    return type(command).__name__.lower()


def shell_words(text: str) -> list[str]:
    """Split one command line into words like a shell (quotes removed,
    comments dropped, never raises)."""
    toks = _Lexer(text).run()
    return [t.word.text for t in toks if t.kind == _WORD and t.word is not None]
