"""Go source facts, read with tree-sitter (parsed, never built or run).

``analyze_go(path, text)`` parses a file once and runs one query that
captures the node kinds of interest (imports, functions, calls, composite
literals, assignments), then judges them:

- ``http.Get``/``Post``/``Head``/``PostForm`` and ``http.DefaultClient`` calls
  go through a client without a timeout: a finding each, unless a
  ``DefaultClient.Do(req)`` request carries a ``context.WithTimeout``/
  ``WithDeadline`` context.
- Every ``http.Client{...}`` composite literal is ONE outbound fact (not one
  per use): bounded when it sets ``Timeout``, when ``c.Timeout = ...`` is
  assigned later, or when every request sent through it in this file carries
  a deadline context.
- heimdall ``httpclient.NewClient``/``hystrix.NewClient`` always time out
  (30 s default, or ``WithHTTPTimeout``).
- ``retryablehttp.NewClient()`` and ``resty.New()`` are clients like an
  ``http.Client{}`` literal (one fact each, no timeout by default): bounded
  when ``c.HTTPClient.Timeout = ...``, ``c.HTTPClient = <client>`` or
  ``c.SetTimeout(...)`` is applied to them in the file. Package-level
  ``retryablehttp.Get/Post/Head`` use its default client: no timeout.
- ``grpc.Dial``/``DialContext``/``NewClient``: bounded by ``grpc.WithTimeout``,
  a deadline context or a timeout interceptor; unknown when the file sets
  per-RPC deadlines; otherwise a finding.

Names are resolved through imports (with aliases and major-version suffixes,
see ``libraries.normalise_go_path``) and through per-function variable
bindings, resolved after the walk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from tree_sitter import Node

from prodready.scan.facts.code_model import (
    Evidence,
    GoFileFacts,
    LibraryUse,
    OutboundCall,
    Route,
    health_strength,
    is_startup_name,
    line_snippet,
)
from prodready.scan.facts.libraries import Capability, match_symbol, normalise_go_path
from prodready.scan.facts.treesitter import field_text, line_of, matches, parse, query, text_of

__all__ = ["analyze_go"]

LANGUAGE = "go"

_QUERY = """
(package_clause) @package
(import_spec) @import
(function_declaration) @func
(method_declaration) @func
(call_expression) @call
(composite_literal) @literal
(short_var_declaration) @bind
(assignment_statement) @bind
(var_spec) @bind
(for_statement) @loop
((interpreted_string_literal) @config (#match? @config "retryPolicy"))
((raw_string_literal) @config (#match? @config "retryPolicy"))
"""

_HTTP = "net/http"
_GET_FUNCS = frozenset({"Get", "Post", "Head", "PostForm"})
_CLIENT_METHODS = frozenset({"Do", "Get", "Post", "Head", "PostForm"})
_ENGINES = {
    "github.com/gin-gonic/gin.Default": "gin",
    "github.com/gin-gonic/gin.New": "gin",
    "github.com/go-chi/chi.NewRouter": "chi",
    "github.com/go-chi/chi.NewMux": "chi",
    "github.com/labstack/echo.New": "echo",
    "github.com/gofiber/fiber.New": "fiber",
    "github.com/gorilla/mux.NewRouter": "gorilla/mux",
    "net/http.NewServeMux": "net/http",
    "github.com/julienschmidt/httprouter.New": "httprouter",
}
_ROUTE_METHODS = frozenset(
    {
        "HandleFunc",
        "Handle",
        "GET",
        "POST",
        "PUT",
        "DELETE",
        "PATCH",
        "HEAD",
        "OPTIONS",
        "Any",
        "Get",
        "Post",
        "Put",
        "Delete",
        "Patch",
        "Head",
        "Options",
        "All",
        "Method",
        "MethodFunc",
        "Mount",
        "Group",
        "Route",
        "Static",
    }
)
_HTTP_VERBS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"})
_SERVER_METHODS = frozenset({"ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS"})
_ENGINE_RUN = frozenset({"Run", "RunTLS", "Start", "StartTLS", "Listen", "ListenTLS"})
_DRAIN = frozenset({"Shutdown", "GracefulStop", "ShutdownWithContext", "ShutdownWithTimeout"})
_GRPC_DIAL = frozenset(
    {
        "google.golang.org/grpc.Dial",
        "google.golang.org/grpc.DialContext",
        "google.golang.org/grpc.NewClient",
    }
)
_HEIMDALL = {
    "github.com/gojek/heimdall/httpclient.NewClient": "heimdall httpclient.NewClient",
    "github.com/gojek/heimdall/hystrix.NewClient": "heimdall hystrix.NewClient",
}
_CLIENT_CONSTRUCTORS = {
    "github.com/hashicorp/go-retryablehttp.NewClient": (
        "retryablehttp",
        "retryablehttp.NewClient()",
    ),
    "github.com/go-resty/resty.New": ("resty", "resty.New()"),
}
"""Client constructors without a default timeout (judged like ``http.Client{}``)."""
_RETRYABLE_DEFAULT = "github.com/hashicorp/go-retryablehttp."
_WAITS = re.compile(r"\btime\.(Sleep|After|NewTimer)\(")
_GROWTH = re.compile(r"\*=|<<=|<<\s*\w|\*\s*2\b|math\.Pow\(")
_MAX_BINDINGS = 16
"""Assignments to one name past which it is not tracked (generated code)."""
_T = TypeVar("_T")
_ONCE_PER_FILE = frozenset({Capability.HTTP_CLIENT, Capability.WEB_FRAMEWORK, Capability.GRPC})


@dataclass(slots=True)
class _ClientLiteral:
    node: Node
    line: int
    has_timeout_field: bool
    transport_bounded: bool
    timeout_assigned: bool = False
    uses: list[bool | None] = field(default_factory=list)
    """Deadline verdict of each request sent through this client."""
    api: str = "http.Client{}"
    library: str = _HTTP
    delegated: bool = False
    """Its ``HTTPClient`` is replaced by another client, which is judged on its own."""


@dataclass(slots=True)
class _Binding:
    value: Node | None
    """The right-hand side (None: a parameter or an unpaired value)."""
    func: int


@dataclass(slots=True)
class _Found:
    outbound: list[OutboundCall] = field(default_factory=list)
    uses: list[LibraryUse] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    health: list[Evidence] = field(default_factory=list)
    entrypoints: list[Evidence] = field(default_factory=list)
    shutdown: list[Evidence] = field(default_factory=list)
    deadlines: list[Evidence] = field(default_factory=list)


def analyze_go(path: str, text: str) -> GoFileFacts:
    """Facts about one Go file. Never raises for bad input: tree-sitter
    recovers from syntax errors and the analysis uses what parsed."""
    source = text.encode("utf-8", "surrogatepass")
    tree = parse("go", source)
    return _Analyzer(path, text).run(tree.root_node)


class _Analyzer:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.line_count = len(self.lines)
        self.imports: dict[str, str] = {}
        self.package = ""
        self.has_main_func = False
        self.functions: list[tuple[int, int, str]] = []
        self.bindings: dict[tuple[int, str], list[_Binding]] = {}
        self.literals: dict[int, _ClientLiteral] = {}
        self.method_calls: list[tuple[Node, int]] = []
        self.dials: list[tuple[Node, str, int]] = []
        self.default_client_timeout = False
        self.found = _Found()
        self._use_keys: set[tuple[str, str, int]] = set()
        self._memo: dict[tuple[str, int, str], object] = {}

    # ------------------------------------------------------------------ run
    def run(self, root: Node) -> GoFileFacts:
        current_func = -1
        current_end = -1
        for _pattern, captures in matches(query("go", _QUERY), root):
            for name, nodes in captures.items():
                for node in nodes:
                    if node.start_byte >= current_end:
                        current_func, current_end = -1, -1
                    if name == "func":
                        current_func = len(self.functions)
                        current_end = node.end_byte
                        self._function(node)
                    else:
                        self._dispatch(name, node, current_func)
        self._finish()
        found = self.found
        return GoFileFacts(
            path=self.path,
            language=LANGUAGE,
            lines=self.line_count,
            outbound_calls=tuple(sorted(found.outbound, key=lambda c: (c.line, c.api))),
            library_uses=tuple(sorted(found.uses, key=lambda u: (u.line, u.capability))),
            routes=tuple(found.routes),
            health_checks=tuple(found.health),
            server_entrypoints=tuple(found.entrypoints),
            shutdown_hooks=tuple(found.shutdown),
            imports=tuple(sorted(set(self.imports.values()))),
            package=self.package,
            has_main=self.package == "main" and self.has_main_func,
            context_deadlines=tuple(found.deadlines),
        )

    def _dispatch(self, name: str, node: Node, func: int) -> None:
        if name == "call":
            self._call(node, func)
        elif name == "literal":
            self._literal(node, func)
        elif name == "bind":
            self._bind(node, func)
        elif name == "import":
            self._import(node)
        elif name == "package":
            self.package = text_of(node.named_children[0]) if node.named_children else ""
        elif name == "loop":
            self._retry_loop(node, func)
        elif name == "config" and "axAttempts" in text_of(node):
            self._plain_use(line_of(node), Capability.RETRY, "grpc service config", "retryPolicy")

    def _retry_loop(self, node: Node, func: int) -> None:
        """A hand-written retry: a loop that checks ``err`` and waits a
        growing delay (``backoff *= 2``, ``1 << attempt``) with ``time.Sleep``
        or ``time.After``."""
        if node.end_byte - node.start_byte > 20_000:
            return
        text = text_of(node)
        if "err" not in text or not _WAITS.search(text) or not _GROWTH.search(text):
            return
        self._plain_use(
            line_of(node),
            Capability.RETRY,
            "hand-written backoff loop",
            "loop",
            kind="loop",
            detail="a loop that checks err and waits a growing delay",
            startup_only=is_startup_name(self._function_name(func)),
        )

    def _function(self, node: Node) -> None:
        name = field_text(node, "name")
        self.functions.append((node.start_byte, node.end_byte, name))
        if node.type == "function_declaration" and name == "main":
            self.has_main_func = True
        func = len(self.functions) - 1
        params = node.child_by_field_name("parameters")
        if params is None:
            return
        for decl in params.named_children:
            for ident in decl.children_by_field_name("name"):
                self.bindings.setdefault((func, text_of(ident)), []).append(_Binding(None, func))

    def _import(self, node: Node) -> None:
        raw = field_text(node, "path").strip('"`')
        if not raw:
            return
        alias = field_text(node, "name")
        if alias in ("_", "."):
            return
        self.imports[alias or _package_name(raw)] = normalise_go_path(raw)

    # ------------------------------------------------------------------ names
    def qual(self, node: Node | None) -> str | None:
        """``pkg.Name`` -> ``<normalised import path>.Name``."""
        if node is None or node.type != "selector_expression":
            return None
        operand = node.child_by_field_name("operand")
        if operand is None or operand.type != "identifier":
            return None
        path = self.imports.get(text_of(operand))
        if path is None:
            return None
        return f"{path}.{field_text(node, 'field')}"

    def type_qual(self, node: Node | None) -> str | None:
        if node is None:
            return None
        if node.type == "qualified_type":
            path = self.imports.get(field_text(node, "package"))
            return f"{path}.{field_text(node, 'name')}" if path else None
        if node.type in ("pointer_type", "generic_type"):
            return self.type_qual(node.named_children[0] if node.named_children else None)
        return None

    # ------------------------------------------------------------------ nodes
    def _bind(self, node: Node, func: int) -> None:
        if node.type == "var_spec":
            names = node.children_by_field_name("name")
            value_list = node.child_by_field_name("value")
            lefts: list[Node] = list(names)
        else:
            left = node.child_by_field_name("left")
            value_list = node.child_by_field_name("right")
            lefts = list(left.named_children) if left is not None else []
        rights = list(value_list.named_children) if value_list is not None else []
        for index, target in enumerate(lefts):
            if len(rights) == len(lefts):
                value: Node | None = rights[index]
            else:
                value = rights[0] if index == 0 and rights else None
            if target.type == "identifier":
                scope = func if func >= 0 else -1
                self.bindings.setdefault((scope, text_of(target)), []).append(_Binding(value, func))
            elif target.type == "selector_expression" and field_text(target, "field") == "Timeout":
                self._timeout_assignment(target, func)
            elif target.type == "selector_expression" and field_text(target, "field") == (
                "HTTPClient"
            ):
                self._client_replaced(target, func)

    def _client_replaced(self, target: Node, func: int) -> None:
        """``rc.HTTPClient = client``: the wrapped client decides the timeout."""
        operand = target.child_by_field_name("operand")
        if operand is None:
            return
        for literal in self._literals_of(operand, func):
            literal.delegated = True

    def _timeout_assignment(self, target: Node, func: int) -> None:
        operand = target.child_by_field_name("operand")
        if operand is None:
            return
        if operand.type == "selector_expression" and field_text(operand, "field") == "HTTPClient":
            inner = operand.child_by_field_name("operand")  # rc.HTTPClient.Timeout = ...
            if inner is not None:
                for literal in self._literals_of(inner, func):
                    literal.timeout_assigned = True
            return
        if self.qual(operand) == f"{_HTTP}.DefaultClient":
            self.default_client_timeout = True
            return
        for literal in self._literals_of(operand, func):
            literal.timeout_assigned = True

    def _literal(self, node: Node, func: int) -> None:
        name = self.type_qual(node.child_by_field_name("type"))
        if name is None:
            return
        fields = _literal_fields(node)
        self._library_use(name, line_of(node), "literal", func, fields.keys())
        if name != f"{_HTTP}.Client":
            return
        transport = fields.get("Transport")
        self.literals[node.start_byte] = _ClientLiteral(
            node=node,
            line=line_of(node),
            has_timeout_field="Timeout" in fields,
            transport_bounded=transport is not None
            and "ResponseHeaderTimeout" in text_of(transport),
        )

    def _call(self, node: Node, func: int) -> None:
        function = node.child_by_field_name("function")
        if function is not None and function.type == "identifier" and text_of(function) == "new":
            self._new_client(node)
            return
        if function is None or function.type != "selector_expression":
            return
        name = self.qual(function)
        method = field_text(function, "field")
        args = node.child_by_field_name("arguments")
        arguments = list(args.named_children) if args is not None else []
        if name is not None:
            self._package_call(node, name, arguments, func)
        else:
            self.method_calls.append((node, func))
        self._shape_facts(node, function, method, arguments, func)

    def _new_client(self, node: Node) -> None:
        """``new(http.Client)``: a client without a timeout, like ``&http.Client{}``."""
        args = node.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        if self.type_qual(first) == f"{_HTTP}.Client" or (
            first is not None and self._type_name(first) == f"{_HTTP}.Client"
        ):
            self.literals[node.start_byte] = _ClientLiteral(
                node, line_of(node), False, False, api="new(http.Client)"
            )

    def _type_name(self, node: Node) -> str | None:
        """``http.Client`` written as an expression (``new(http.Client)``)."""
        if node.type == "selector_expression":
            return self.qual(node)
        if node.type in ("type_identifier", "qualified_type"):
            return self.type_qual(node)
        return None

    def _package_call(self, node: Node, name: str, arguments: list[Node], func: int) -> None:
        line = line_of(node)
        self._library_use(name, line, "call", func, ())
        if name.startswith(f"{_HTTP}.") and name.rpartition(".")[2] in _GET_FUNCS:
            api = "http." + name.rpartition(".")[2]
            note = f"{api} uses http.DefaultClient, which has no timeout"
            if self.default_client_timeout:
                self._outbound(
                    node, _HTTP, api, True, "client", "http.DefaultClient.Timeout is set"
                )
            else:
                self._outbound(node, _HTTP, api, False, None, note)
        elif name in _CLIENT_CONSTRUCTORS:
            library, api = _CLIENT_CONSTRUCTORS[name]
            self.literals[node.start_byte] = _ClientLiteral(
                node, line, False, False, api=api, library=library
            )
        elif name.startswith(_RETRYABLE_DEFAULT) and name.rpartition(".")[2] in _GET_FUNCS:
            api = "retryablehttp." + name.rpartition(".")[2]
            note = f"{api} uses retryablehttp's default client, which has no timeout"
            self._outbound(node, "retryablehttp", api, False, None, note)
        elif name in _HEIMDALL:
            sets = any("WithHTTPTimeout" in text_of(a) for a in arguments)
            note = "" if sets else "heimdall clients default to a 30 s timeout"
            self._outbound(
                node, "heimdall", _HEIMDALL[name], True, "client" if sets else "default", note
            )
        elif name in _GRPC_DIAL:
            self.dials.append((node, name, func))
        elif name in ("context.WithTimeout", "context.WithDeadline"):
            self.found.deadlines.append(self._evidence(node, "deadline", name))
        elif name in (f"{_HTTP}.ListenAndServe", f"{_HTTP}.ListenAndServeTLS", f"{_HTTP}.Serve"):
            self.found.entrypoints.append(self._evidence(node, "server-run", name))
        elif name == "google.golang.org/grpc.NewServer":
            self.found.entrypoints.append(self._evidence(node, "app", name))
        elif name in ("os/signal.Notify", "os/signal.NotifyContext"):
            if any(_is_sigterm(a) for a in arguments):
                self.found.shutdown.append(self._evidence(node, "signal-handler", "SIGTERM"))
        elif name in (f"{_HTTP}.HandleFunc", f"{_HTTP}.Handle"):
            self._route_call(node, arguments, "net/http")

    def _shape_facts(
        self, node: Node, function: Node, method: str, arguments: list[Node], func: int
    ) -> None:
        operand = function.child_by_field_name("operand")
        is_package = (
            operand is not None
            and operand.type == "identifier"
            and (text_of(operand) in self.imports)
        )
        if is_package:
            return
        if method in _ROUTE_METHODS and len(arguments) >= 2:
            engine = self._engine_of(operand, func)
            self._route_call(node, arguments, engine or "unknown", method)
        elif method.startswith("Handle") and len(arguments) >= 3 and _verb(arguments[0]):
            # a project's own router wrapper, verb first:
            # app.HandlerFunc(http.MethodGet, version, "/readiness", api.readiness)
            engine = self._engine_of(operand, func)
            self._route_call(node, arguments, engine or "unknown", method)
        elif method in _SERVER_METHODS or (
            method in _ENGINE_RUN and self._engine_of(operand, func)
        ):
            self.found.entrypoints.append(self._evidence(node, "server-run", f".{method}()"))
        elif method in _DRAIN:
            self.found.shutdown.append(self._evidence(node, "drain", f".{method}()"))

    # ------------------------------------------------------------------ routes
    def _route_call(
        self, node: Node, arguments: list[Node], framework: str, method: str | None = None
    ) -> None:
        first = _route_value(arguments[0]) if arguments else None
        verb: str | None = None
        if method is not None and method.upper() in _HTTP_VERBS:
            verb = method.upper()
        leading = _verb(arguments[0]) if len(arguments) >= 3 else None
        if leading is not None:
            # httprouter.Handle("GET", p, h), r.Handle(http.MethodGet, p, h), and a
            # wrapper's HandlerFunc(http.MethodGet, group, "/p", h): the first
            # literal route among the arguments between the verb and the handler
            verb = leading
            first = next(
                (
                    route
                    for route in map(_route_value, arguments[1:-1])
                    if route is not None and route.startswith("/")
                ),
                _string_value(arguments[1]),
            )
        if first is None:
            return
        if " " in first.strip():
            head, _, rest = first.strip().partition(" ")
            if head.upper() in _HTTP_VERBS:
                verb, first = head.upper(), rest.strip()
        if not first.startswith("/"):
            return
        self.found.routes.append(
            Route(
                self.path, line_of(node), LANGUAGE, framework, verb, first, health_strength(first)
            )
        )

    def _engine_of(self, operand: Node | None, func: int, depth: int = 0) -> str | None:
        """The web framework a router variable comes from (``r := gin.Default()``)."""
        if operand is None or depth > 5:
            return None
        if operand.type == "call_expression":
            function = operand.child_by_field_name("function")
            name = self.qual(function)
            if name is not None:
                return _ENGINES.get(name)
            if function is not None and function.type == "selector_expression":
                # r.Group("/api") / r.Route(...) returns a router of the same kind
                return self._engine_of(function.child_by_field_name("operand"), func, depth + 1)
            return None
        if operand.type == "identifier":
            name = text_of(operand)

            def compute() -> str | None:
                for binding in self._bindings_of(name, func):
                    if binding.value is not None:
                        found = self._engine_of(_unwrap(binding.value), binding.func, depth + 1)
                        if found:
                            return found
                return None

            return self._memoised("engine", name, func, compute, None)
        return None

    # ------------------------------------------------------------------ bindings
    def _bindings_of(self, name: str, func: int) -> list[_Binding]:
        """What ``name`` may hold in function ``func`` (its locals, else
        package level); nothing when bound too often to mean anything."""
        local = self.bindings.get((func, name)) if func >= 0 else None
        found = local if local is not None else self.bindings.get((-1, name), [])
        return found if len(found) <= _MAX_BINDINGS else []

    def _memoised(
        self, kind: str, name: str, func: int, compute: Callable[[], _T], cycle: _T
    ) -> _T:
        """Memoise identifier resolution (``cycle`` while in progress), so
        chains of assignments cost linear, not exponential, time."""
        key = (kind, func, name)
        if key in self._memo:
            return cast(_T, self._memo[key])
        self._memo[key] = cycle
        value = compute()
        self._memo[key] = value
        return value

    def _literals_of(self, expr: Node, func: int, depth: int = 0) -> list[_ClientLiteral]:
        if depth > 5:
            return []
        expr = _unwrap(expr)
        if expr.type in ("composite_literal", "call_expression"):
            literal = self.literals.get(expr.start_byte)
            return [literal] if literal is not None else []
        if expr.type == "identifier":
            name = text_of(expr)

            def compute() -> list[_ClientLiteral]:
                out: list[_ClientLiteral] = []
                for binding in self._bindings_of(name, func):
                    if binding.value is not None:
                        out.extend(self._literals_of(binding.value, binding.func, depth + 1))
                return out

            return self._memoised("literals", name, func, compute, [])
        return []

    def _deadline(self, ctx: Node | None, func: int, depth: int = 0) -> bool | None:
        """True when ``ctx`` carries a deadline, False when it cannot
        (``context.Background()``), None when unknown (a parameter)."""
        if ctx is None or depth > 5:
            return None
        ctx = _unwrap(ctx)
        if ctx.type == "call_expression":
            name = self.qual(ctx.child_by_field_name("function"))
            if name in ("context.WithTimeout", "context.WithDeadline"):
                return True
            if name in ("context.Background", "context.TODO"):
                return False
            if name in ("context.WithCancel", "context.WithValue"):
                args = ctx.child_by_field_name("arguments")
                parent = (
                    args.named_children[0] if args is not None and args.named_children else None
                )
                return self._deadline(parent, func, depth + 1)
            return None
        if ctx.type == "identifier":
            name = text_of(ctx)

            def compute() -> bool | None:
                return _combine(
                    [
                        self._deadline(b.value, b.func, depth + 1) if b.value is not None else None
                        for b in self._bindings_of(name, func)
                    ]
                )

            return self._memoised("deadline", name, func, compute, None)
        return None

    def _request_deadline(self, req: Node | None, func: int, depth: int = 0) -> bool | None:
        if req is None or depth > 5:
            return None
        req = _unwrap(req)
        if req.type == "call_expression":
            function = req.child_by_field_name("function")
            name = self.qual(function)
            args = req.child_by_field_name("arguments")
            arguments = list(args.named_children) if args is not None else []
            if name == f"{_HTTP}.NewRequestWithContext":
                return self._deadline(arguments[0] if arguments else None, func)
            if name == f"{_HTTP}.NewRequest":
                return False
            if function is not None and field_text(function, "field") in ("WithContext", "Clone"):
                return self._deadline(arguments[0] if arguments else None, func)
            return None
        if req.type == "identifier":
            name = text_of(req)

            def compute() -> bool | None:
                return _combine(
                    [
                        self._request_deadline(b.value, b.func, depth + 1)
                        if b.value is not None
                        else None
                        for b in self._bindings_of(name, func)
                    ]
                )

            return self._memoised("request", name, func, compute, None)
        return None

    # ------------------------------------------------------------------ finish
    def _finish(self) -> None:
        for node, func in self.method_calls:
            self._method_call(node, func)
        for literal in self.literals.values():
            self._emit_literal(literal)
        for node, name, func in self.dials:
            self._dial(node, name, func)

    def _method_call(self, node: Node, func: int) -> None:
        function = node.child_by_field_name("function")
        if function is None:
            return
        method = field_text(function, "field")
        if method == "SetTimeout":  # resty: client.SetTimeout(d)
            receiver = function.child_by_field_name("operand")
            for literal in self._literals_of(receiver, func) if receiver is not None else []:
                literal.timeout_assigned = True
            return
        if method not in _CLIENT_METHODS:
            return
        operand = function.child_by_field_name("operand")
        args = node.child_by_field_name("arguments")
        arguments = list(args.named_children) if args is not None else []
        verdict = (
            self._request_deadline(arguments[0] if arguments else None, func)
            if method == "Do"
            else False
        )
        if operand is not None and self.qual(operand) == f"{_HTTP}.DefaultClient":
            api = f"http.DefaultClient.{method}"
            if self.default_client_timeout:
                self._outbound(
                    node, _HTTP, api, True, "client", "http.DefaultClient.Timeout is set"
                )
            elif verdict is True:
                self._outbound(node, _HTTP, api, True, "context", "request context has a deadline")
            elif verdict is None:
                note = "request context comes from elsewhere; it may carry a deadline"
                self._outbound(node, _HTTP, api, None, None, note)
            else:
                self._outbound(node, _HTTP, api, False, None, "http.DefaultClient has no timeout")
            return
        if operand is None:
            return
        for literal in self._literals_of(operand, func):
            literal.uses.append(verdict)

    def _emit_literal(self, literal: _ClientLiteral) -> None:
        node = literal.node
        api = literal.api
        library = literal.library
        if literal.has_timeout_field or literal.timeout_assigned:
            self._outbound(node, library, api, True, "client", "")
        elif literal.delegated:
            note = "its HTTPClient is replaced by a client judged on its own"
            self._outbound(node, library, api, None, None, note)
        elif literal.transport_bounded:
            note = "Transport bounds response headers"
            self._outbound(node, library, api, True, "wrapper", note)
        elif literal.uses and all(v is True for v in literal.uses):
            self._outbound(node, library, api, True, "context", "every request has a deadline")
        elif library == _HTTP:
            note = "http.Client without Timeout: set Timeout (one finding per client)"
            self._outbound(node, library, api, False, None, note)
        else:
            note = f"{api} has no timeout by default: set " + (
                "HTTPClient.Timeout" if library == "retryablehttp" else "SetTimeout(...)"
            )
            self._outbound(node, library, api, False, None, note)

    def _dial(self, node: Node, name: str, func: int) -> None:
        args = node.child_by_field_name("arguments")
        arguments = list(args.named_children) if args is not None else []
        texts = [text_of(a) for a in arguments]
        api = "grpc." + name.rpartition(".")[2]
        if any("WithTimeout" in t for t in texts):
            self._outbound(node, "grpc", api, True, "call", "", kind="grpc")
            return
        if any("Interceptor" in t and "imeout" in t for t in texts):
            self._outbound(node, "grpc", api, True, "wrapper", "timeout interceptor", kind="grpc")
            return
        if name.endswith("DialContext") and arguments and self._deadline(arguments[0], func):
            self._outbound(node, "grpc", api, True, "context", "", kind="grpc")
            return
        if self.found.deadlines:
            note = "per-RPC deadlines are set with context.WithTimeout in this file"
            self._outbound(node, "grpc", api, None, None, note, kind="grpc")
            return
        note = "no dial timeout and no per-RPC deadline (context.WithTimeout) in this file"
        self._outbound(node, "grpc", api, False, None, note, kind="grpc")

    # ------------------------------------------------------------------ emit
    def _outbound(
        self,
        node: Node,
        library: str,
        api: str,
        has: bool | None,
        source: str | None,
        note: str,
        kind: str = "http",
    ) -> None:
        line = line_of(node)
        self.found.outbound.append(
            OutboundCall(
                path=self.path,
                line=line,
                end_line=node.end_point[0] + 1,
                language=LANGUAGE,
                library=library,
                api=api,
                has_timeout=has,
                timeout_source=source if has else None,
                snippet=line_snippet(self.lines, line),
                via_client_defined_at=None,
                kind=kind,
                note=note,
            )
        )

    def _evidence(self, node: Node, kind: str, detail: str) -> Evidence:
        line = line_of(node)
        return Evidence(self.path, line, LANGUAGE, kind, detail, line_snippet(self.lines, line))

    def _function_name(self, func: int) -> str:
        return self.functions[func][2] if func >= 0 else ""

    def _library_use(self, name: str, line: int, kind: str, func: int, keys: Iterable[str]) -> None:
        for rule in match_symbol(LANGUAGE, name, keys):
            capability = rule.capability
            once = capability in _ONCE_PER_FILE
            key = (capability.value, rule.library, 0 if once else line)
            if key in self._use_keys:
                continue
            self._use_keys.add(key)
            if capability is Capability.HEALTH_CHECK:
                kind_name = "grpc-health" if rule.library.startswith("grpc") else "health-library"
                self.found.health.append(
                    Evidence(
                        self.path, line, LANGUAGE, kind_name, name, line_snippet(self.lines, line)
                    )
                )
            startup = capability is Capability.RETRY and is_startup_name(self._function_name(func))
            self.found.uses.append(
                LibraryUse(
                    path=self.path,
                    line=line,
                    language=LANGUAGE,
                    capability=capability.value,
                    library=rule.library,
                    symbol=name,
                    kind=kind,
                    snippet=line_snippet(self.lines, line),
                    startup_only=startup,
                )
            )

    def _plain_use(
        self,
        line: int,
        capability: Capability,
        library: str,
        symbol: str,
        kind: str = "config",
        detail: str = "",
        startup_only: bool = False,
    ) -> None:
        key = (capability.value, library, line)
        if key in self._use_keys:
            return
        self._use_keys.add(key)
        self.found.uses.append(
            LibraryUse(
                self.path,
                line,
                LANGUAGE,
                capability.value,
                library,
                symbol,
                kind,
                line_snippet(self.lines, line),
                startup_only=startup_only,
                detail=detail,
            )
        )


# ---------------------------------------------------------------------- helpers

_VERSION_ELEMENT = re.compile(r"^v\d+$")


def _package_name(import_path: str) -> str:
    """The package name Go gives an import without an alias, by convention:
    the last element, skipping a ``/vN`` major version and dropping
    ``.vN``, ``go-`` and ``-go`` decorations (``github.com/avast/retry-go``
    -> ``retry``, ``gopkg.in/yaml.v3`` -> ``yaml``)."""
    parts = [p for p in import_path.split("/") if p]
    if len(parts) > 1 and _VERSION_ELEMENT.match(parts[-1]):
        parts.pop()
    last = parts[-1] if parts else import_path
    last = re.sub(r"\.v\d+$", "", last)
    if last.startswith("go-"):
        last = last[3:]
    if last.endswith("-go"):
        last = last[:-3]
    return last.replace("-", "").replace(".", "")


def _unwrap(node: Node) -> Node:
    """``&X{}`` -> ``X{}``; ``(x)`` -> ``x``."""
    while node.type in ("unary_expression", "parenthesized_expression") and node.named_children:
        node = node.named_children[-1]
    return node


def _literal_fields(node: Node) -> dict[str, Node]:
    body = node.child_by_field_name("body")
    fields: dict[str, Node] = {}
    if body is None:
        return fields
    for element in body.named_children:
        if element.type != "keyed_element":
            continue
        key = element.child_by_field_name("key")
        value = element.child_by_field_name("value")
        if key is None:
            parts = element.named_children
            key = parts[0] if parts else None
            value = parts[1] if len(parts) > 1 else None
        if key is not None and value is not None:
            fields[text_of(key)] = value
    return fields


def _route_value(node: Node) -> str | None:
    """A route pattern: a string literal, or the literal tail of ``baseURL + "/_healthz"``
    (the prefix is only known at run time; the tail names the route)."""
    if node.type == "binary_expression" and field_text(node, "operator") == "+":
        right = node.child_by_field_name("right")
        tail = _string_value(right) if right is not None else None
        return tail if tail is not None and tail.startswith("/") else None
    return _string_value(node)


def _verb(node: Node) -> str | None:
    """An HTTP verb argument: ``"GET"`` or net/http's ``http.MethodGet``."""
    literal = _string_value(node)
    if literal is not None:
        return literal.upper() if literal.upper() in _HTTP_VERBS else None
    if node.type == "selector_expression":
        field = field_text(node, "field")
        if field.startswith("Method") and field[6:].upper() in _HTTP_VERBS:
            return field[6:].upper()
    return None


def _string_value(node: Node) -> str | None:
    if node.type == "interpreted_string_literal":
        return text_of(node)[1:-1]
    if node.type == "raw_string_literal":
        return text_of(node)[1:-1]
    return None


def _is_sigterm(node: Node) -> bool:
    return node.type == "selector_expression" and field_text(node, "field") == "SIGTERM"


def _combine(verdicts: list[bool | None]) -> bool | None:
    if not verdicts:
        return None
    if any(v is True for v in verdicts):
        return True
    if any(v is None for v in verdicts):
        return None
    return False
