"""Go smells read with tree-sitter: complexity, shadowed errors, dropped errors, dead code.

``go vet``, ``gosec`` and ``golangci-lint`` type-check the code, which means
building the package graph (module downloads, cgo, toolchain switches): the
scanner does not run them (ADR 0041). This module covers the classics from
the syntax tree alone, erring on the side of silence where types would be
needed:

- **complexity**: McCabe's number per function (1 + ``if``, ``for``, each
  ``case`` of a switch or select, each ``&&``/``||``), as gocyclo counts it,
  func literals included in their enclosing function;
- **shadowed err**: an ``err`` declared with ``:=`` in an inner block while an
  outer ``err`` exists, when the outer one is *read* next after the inner
  block (the error assigned inside never reaches the code that checks it),
  like ``go vet -vettool=shadow`` but only when the shadow loses an error;
- **dropped errors**: calls whose results are thrown away (a call statement,
  ``defer``, ``go``) or whose last result is assigned to ``_`` in a
  multi-value assignment. Which calls return an error is resolved later,
  across the package (``deadcode.resolve_calls``); golangci-lint's default
  exclusions apply (``Close``, ``Flush``, ``os.Remove``, printing);
- **dead code**: unexported top-level functions, with the identifiers the
  file uses (comments removed; ``//export`` and ``//go:linkname`` count).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from tree_sitter import Node

from prodready.scan.facts.duplicates import windows_of
from prodready.scan.facts.smells import CallSite, Definition, ErrorFunction, FileSmells, Smell
from prodready.scan.facts.treesitter import line_of, matches, parse, query, text_of

__all__ = ["go_smells"]

_QUERY = """
(function_declaration) @func
(method_declaration) @func
(import_declaration) @import
(package_clause) @import
(if_statement) @branch
(for_statement) @branch
(expression_case) @branch
(type_case) @branch
(communication_case) @branch
(binary_expression) @logic
(expression_statement (call_expression) @dropped)
(defer_statement (call_expression) @deferred)
(go_statement (call_expression) @go)
(short_var_declaration) @assign
(assignment_statement) @assign
((identifier) @err (#eq? @err "err"))
(return_statement) @return
"""

_LEX = re.compile(
    r"""//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|`[^`]*`|'(?:\\.|[^'\\\n])*'""", re.DOTALL
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIRECTIVE = re.compile(r"//(?:export|go:linkname)\s+([A-Za-z_][A-Za-z0-9_]*)")
_SCOPES = frozenset(
    {
        "block",
        "if_statement",
        "for_statement",
        "expression_switch_statement",
        "type_switch_statement",
        "select_statement",
        "expression_case",
        "type_case",
        "default_case",
        "communication_case",
        "func_literal",
        "function_declaration",
        "method_declaration",
    }
)


def go_smells(path: str, text: str, *, max_complexity: int) -> FileSmells:
    """Smells of one Go file (test files contribute references only)."""
    source = text.encode("utf-8", "surrogatepass")
    root = parse("go", source).root_node
    captured: dict[str, list[Node]] = {}
    for _pattern, captures in matches(query("go", _QUERY), root):
        for name, nodes in captures.items():
            captured.setdefault(name, []).extend(nodes)
    code, directives = _strip_comments(text)
    functions = captured.get("func", [])
    definitions = tuple(_definitions(functions))
    words = Counter(_IDENTIFIER.findall(code))
    for definition in definitions:
        words[definition.name] -= 1  # its own declaration is not a use
    references = frozenset(w for w, n in words.items() if n > 0) | directives
    skipped: set[int] = set()
    for node in captured.get("import", []):
        skipped.update(range(node.start_point[0] + 1, node.end_point[0] + 2))
    smells = [
        *_complexity(
            functions, captured.get("branch", []), captured.get("logic", []), max_complexity
        ),
        *_shadowed(functions, captured.get("err", []), captured.get("return", [])),
    ]
    imports = _imports(root)
    calls = [
        *_calls(captured.get("dropped", []), "dropped", imports),
        *_calls(captured.get("deferred", []), "deferred", imports),
        *_calls(captured.get("go", []), "go", imports),
        *_blank_calls(captured.get("assign", []), imports),
    ]
    return FileSmells(
        path,
        "go",
        text.count("\n") + 1,
        definitions=definitions,
        references=references,
        windows=windows_of(
            (n, line)
            for n, line in enumerate(code.splitlines(), start=1)
            if n not in skipped and line.strip()
        ),
        smells=tuple(sorted(smells, key=lambda s: (s.line, s.rule))),
        calls=tuple(sorted(calls, key=lambda c: c.line)),
        functions=tuple(_error_functions(functions)),
        package=str(PurePosixPath(path).parent),
    )


def _strip_comments(text: str) -> tuple[str, frozenset[str]]:
    """The text with comments blanked (line numbers kept), and the names that
    ``//export`` and ``//go:linkname`` directives keep alive."""
    directives: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("//"):
            directive = _DIRECTIVE.match(token)
            if directive:
                directives.add(directive.group(1))
            return ""
        if token.startswith("/*"):
            return "\n" * token.count("\n")
        return token

    return _LEX.sub(replace, text), frozenset(directives)


def _name_of(function: Node) -> str:
    return text_of(function.child_by_field_name("name"))


def _definitions(functions: list[Node]) -> Iterator[Definition]:
    for function in functions:
        if function.type != "function_declaration":
            continue  # methods may satisfy an interface: never reported
        name = _name_of(function)
        if not name or name in ("main", "init", "_") or name[0].isupper():
            continue
        yield Definition(name, "function", line_of(function), function.end_point[0] + 1)


def _error_functions(functions: list[Node]) -> Iterator[ErrorFunction]:
    for function in functions:
        name = _name_of(function)
        if name:
            yield ErrorFunction(
                name, function.type == "method_declaration", _returns_error(function)
            )


def _returns_error(function: Node) -> bool:
    result = function.child_by_field_name("result")
    if result is None:
        return False
    if result.type == "parameter_list":
        declarations = [c for c in result.named_children if c.type == "parameter_declaration"]
        if not declarations:
            return False
        result = declarations[-1].child_by_field_name("type")
    return result is not None and text_of(result) == "error"


# ------------------------------------------------------------- complexity


def _complexity(
    functions: list[Node], branches: list[Node], logic: list[Node], limit: int
) -> Iterator[Smell]:
    spans = sorted((f.start_byte, f.end_byte, f) for f in functions)
    starts = [s[0] for s in spans]
    counts: Counter[int] = Counter()

    def owner(node: Node) -> int | None:
        index = bisect.bisect_right(starts, node.start_byte) - 1
        if index >= 0 and node.end_byte <= spans[index][1]:
            return index
        return None

    for node in branches:
        found = owner(node)
        if found is not None:
            counts[found] += 1
    for node in logic:
        operator = node.child_by_field_name("operator")
        if operator is not None and operator.type in ("&&", "||"):
            found = owner(node)
            if found is not None:
                counts[found] += 1
    for index, count in sorted(counts.items()):
        complexity = count + 1
        if complexity > limit:
            function = spans[index][2]
            name = _name_of(function) or "function"
            yield Smell(
                "complexity",
                line_of(function),
                function.end_point[0] + 1,
                f"`{name}` is too complex ({complexity} > {limit}): split it into smaller "
                "functions",
            )


# ------------------------------------------------------------ shadowed err


@dataclass(frozen=True, slots=True)
class _ErrUse:
    node: Node
    declares: bool
    """``:=``/``var``/a parameter introduces an ``err`` here (new unless its
    scope already has one)."""
    writes: bool
    """The statement assigns ``err`` (``=`` or ``:=``); a bare ``return`` in a
    function with a named ``err`` result reads it."""
    scope: Node | None
    named_result: bool = False


def _scope_of(node: Node) -> Node | None:
    """The innermost scope of ``node``; a function's body block is the
    function's own scope (its parameters and results live there too)."""
    current = node.parent
    while current is not None:
        if current.type in _SCOPES:
            parent = current.parent
            if current.type == "block" and parent is not None and parent.type in _FUNCTIONS:
                return parent
            return current
        current = current.parent
    return None


_FUNCTIONS = frozenset({"function_declaration", "method_declaration", "func_literal"})
_STATEMENT_SCOPES = frozenset({"block", "expression_case", "type_case", "default_case"})
"""Scopes where ``x, err := f()`` is a statement of its own: where writing
``:=`` for ``=`` loses an error. An ``err`` declared in an ``if``/``switch``
initialiser, a ``range`` clause or a ``case err := <-c`` is scoped on
purpose."""


def _crosses_function(node: Node, outer_scope: Node) -> bool:
    """Whether a func literal lies between ``node`` and ``outer_scope``: a
    goroutine or callback cannot (and should not) assign the outer err."""
    current = node.parent
    while current is not None and not _same(current, outer_scope):
        if current.type == "func_literal":
            return True
        current = current.parent
    return False


def _defines(statement: Node) -> bool:
    """``:=`` in a receive or range clause (``case err := <-errc``)."""
    return any(child.type == ":=" for child in statement.children)


def _classify_err(node: Node) -> _ErrUse:
    parent = node.parent
    if parent is not None and parent.type == "expression_list":
        statement = parent.parent
        if statement is not None and parent == statement.child_by_field_name("left"):
            kind = statement.type
            if kind == "short_var_declaration":
                return _ErrUse(node, True, True, _declaration_scope(statement))
            if kind in ("receive_statement", "range_clause") and _defines(statement):
                return _ErrUse(node, True, True, _scope_of(statement))
            if kind in ("assignment_statement", "receive_statement", "range_clause"):
                return _ErrUse(node, False, True, _scope_of(node))
        if (
            statement is not None
            and statement.type == "type_switch_statement"
            and parent == statement.child_by_field_name("alias")
        ):
            return _ErrUse(node, True, True, statement)
    if parent is not None and parent.type in ("var_spec", "parameter_declaration"):
        named = parent.type == "parameter_declaration" and _is_result(parent)
        return _ErrUse(node, True, True, _declaration_scope(parent), named)
    return _ErrUse(node, False, False, _scope_of(node))


def _is_result(parameter: Node) -> bool:
    parameters = parameter.parent
    function = parameters.parent if parameters is not None else None
    return function is not None and parameters == function.child_by_field_name("result")


def _declaration_scope(statement: Node) -> Node | None:
    """``if x, err := f(); ...`` scopes err to the if; a parameter to its function."""
    parent = statement.parent
    if parent is not None and parent.type in ("for_clause", "parameter_list"):
        return parent.parent
    if parent is not None and parent.type in (
        "if_statement",
        "expression_switch_statement",
        "type_switch_statement",
    ):
        return parent
    return _scope_of(statement)


def _contains(outer: Node, inner: Node) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


def _same(a: Node, b: Node) -> bool:
    return (a.start_byte, a.end_byte, a.type) == (b.start_byte, b.end_byte, b.type)


def _shadowed(functions: list[Node], err_nodes: list[Node], returns: list[Node]) -> Iterator[Smell]:
    """Per function: each first ``err`` declaration of an inner scope, when
    the next use of the enclosing ``err`` after that scope is a read."""
    uses = sorted(
        [_classify_err(n) for n in err_nodes]
        + [_ErrUse(r, False, False, _scope_of(r)) for r in returns if r.named_child_count == 0],
        key=lambda u: u.node.start_byte,
    )
    for function in functions:
        mine = [u for u in uses if _contains(function, u.node)]
        if any(u.declares for u in mine):
            yield from _shadowed_in(mine)


def _shadowed_in(uses: list[_ErrUse]) -> Iterator[Smell]:
    declared: list[_ErrUse] = []  # the first declaration of err in each scope
    for use in uses:
        scope = use.scope
        if (
            use.declares
            and scope is not None
            and use.node.type == "identifier"
            and not any(d.scope is not None and _same(d.scope, scope) for d in declared)
        ):
            declared.append(use)
    for inner in declared:
        if inner.scope is None or inner.scope.type not in _STATEMENT_SCOPES:
            continue
        outer = _enclosing_declaration(inner, declared)
        if outer is None or outer.scope is None or _crosses_function(inner.node, outer.scope):
            continue
        after, until = inner.scope.end_byte, outer.scope.end_byte
        following = next(
            (
                u
                for u in uses
                if after <= u.node.start_byte
                and u.node.end_byte <= until
                and (u.node.type == "identifier" or outer.named_result)
                and _resolves_to(u, outer, declared)
            ),
            None,
        )
        if following is None or following.writes:
            continue
        reads = "returns" if following.node.type == "return_statement" else "reads"
        yield Smell(
            "shadowed-err",
            line_of(inner.node),
            line_of(inner.node),
            f"`err` declared here with := shadows the `err` of line {line_of(outer.node)}; "
            f"line {line_of(following.node)} {reads} the outer one, which never sees this "
            "error: assign with = instead",
        )


def _enclosing_declaration(inner: _ErrUse, declared: list[_ErrUse]) -> _ErrUse | None:
    """The nearest declaration, made earlier, whose scope strictly encloses ``inner``'s."""
    if inner.scope is None:
        return None
    best: _ErrUse | None = None
    best_scope: Node | None = None
    for candidate in declared:
        scope = candidate.scope
        if (
            scope is None
            or candidate.node.start_byte >= inner.node.start_byte
            or _same(scope, inner.scope)
            or not _contains(scope, inner.scope)
        ):
            continue
        if best_scope is None or _contains(best_scope, scope):
            best, best_scope = candidate, scope
    return best


def _resolves_to(use: _ErrUse, outer: _ErrUse, declared: list[_ErrUse]) -> bool:
    """Whether ``use`` refers to ``outer``'s err: no declaration made before
    the use, in a scope between the two, takes it."""
    if outer.scope is None:
        return False
    for candidate in declared:
        scope = candidate.scope
        if candidate is outer or scope is None or _same(scope, outer.scope):
            continue
        if (
            candidate.node.start_byte <= use.node.start_byte
            and _contains(scope, use.node)
            and _contains(outer.scope, scope)
        ):
            return False
    return True


# ---------------------------------------------------------- dropped errors


def _imports(root: Node) -> dict[str, str]:
    """Local package name -> import path."""
    found: dict[str, str] = {}
    for declaration in root.named_children:
        if declaration.type != "import_declaration":
            continue
        for spec in _import_specs(declaration):
            path_node = spec.child_by_field_name("path")
            path = text_of(path_node).strip('"`')
            if not path:
                continue
            alias = text_of(spec.child_by_field_name("name"))
            if alias in ("_", "."):
                continue
            name = alias or _package_name(path)
            found[name] = path
    return found


def _import_specs(declaration: Node) -> Iterator[Node]:
    for child in declaration.named_children:
        if child.type == "import_spec":
            yield child
        elif child.type == "import_spec_list":
            yield from (c for c in child.named_children if c.type == "import_spec")


def _package_name(path: str) -> str:
    parts = path.split("/")
    last = parts[-1]
    if re.fullmatch(r"v[0-9]+", last) and len(parts) > 1:
        last = parts[-2]
    return last.removeprefix("go-").replace("-", "_").split(".")[0]


def _callee(call: Node, imports: dict[str, str]) -> str | None:
    function = call.child_by_field_name("function")
    if function is None:
        return None
    if function.type == "identifier":
        return text_of(function)
    if function.type == "selector_expression":
        operand = function.child_by_field_name("operand")
        field = text_of(function.child_by_field_name("field"))
        if not field:
            return None
        if operand is not None and operand.type == "identifier":
            package = imports.get(text_of(operand))
            if package is not None:
                return f"{package}.{field}"
        return "." + field
    return None


def _short(call: Node) -> str:
    text = " ".join(text_of(call).split())
    return text if len(text) <= 80 else text[:77] + "..."


def _arguments(call: Node) -> int:
    arguments = call.child_by_field_name("arguments")
    return arguments.named_child_count if arguments is not None else 0


def _calls(nodes: list[Node], how: str, imports: dict[str, str]) -> Iterator[CallSite]:
    for call in nodes:
        callee = _callee(call, imports)
        if callee is not None:
            yield CallSite(callee, line_of(call), how, _short(call), _arguments(call))


def _blank_calls(nodes: list[Node], imports: dict[str, str]) -> Iterator[CallSite]:
    for statement in nodes:
        left = statement.child_by_field_name("left")
        right = statement.child_by_field_name("right")
        if left is None or right is None:
            continue
        targets = left.named_children
        values = right.named_children
        if len(targets) < 2 or len(values) != 1 or values[0].type != "call_expression":
            continue  # `_ = f()` is an explicit, visible discard: not reported
        if text_of(targets[-1]) != "_":
            continue
        callee = _callee(values[0], imports)
        if callee is not None:
            yield CallSite(
                callee, line_of(statement), "blank", _short(values[0]), _arguments(values[0])
            )
