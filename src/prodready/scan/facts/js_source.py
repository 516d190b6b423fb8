"""JavaScript and TypeScript source facts, read with tree-sitter (never run).

``analyze_js(path, text)`` picks the grammar from the file name (``.ts``,
``.mts``, ``.cts`` TypeScript; ``.tsx`` TSX; everything else JavaScript, JSX
included), parses once, runs one query and judges what it captured:

- ``fetch(url, opts)`` (global, ``window``/``globalThis``, node-fetch, undici)
  is bounded when ``opts`` has a ``signal`` (``AbortSignal.timeout(...)`` or
  a controller's) or, for node-fetch, a ``timeout``; options built elsewhere
  or spread in are unknown, never findings.
- axios (``axios(...)``, ``axios.get/post/...``) is bounded by a ``timeout``
  (not 0) or ``signal`` in the request config, by the instance it goes
  through (``axios.create({timeout})``, ``instance.defaults.timeout = ``), or
  by ``axios.defaults.timeout = ...`` (applied repository-wide by
  ``code_facts``).
- got: ``timeout`` option on the call or on ``got.extend(...)``.

Imports are resolved through ES ``import`` (default, namespace, named with
aliases), CommonJS ``require`` (incl. destructuring) and TypeScript
``import x = require()``; symbols are ``module`` or ``module:member``, the
form ``libraries`` uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from tree_sitter import Node

from prodready.scan.facts.code_model import (
    Evidence,
    JsFileFacts,
    LibraryUse,
    OutboundCall,
    Route,
    health_strength,
    is_startup_name,
    line_snippet,
)
from prodready.scan.facts.libraries import Capability, match_symbol
from prodready.scan.facts.treesitter import field_text, line_of, matches, parse, query, text_of

__all__ = ["analyze_js"]

_QUERY = """
(import_statement) @import
(function_declaration) @func
(method_definition) @func
(call_expression) @call
(new_expression) @new
(variable_declarator) @bind
(assignment_expression) @assign
"""

_AXIOS_CONFIG_INDEX = {
    "get": 1,
    "delete": 1,
    "head": 1,
    "options": 1,
    "post": 2,
    "put": 2,
    "patch": 2,
    "request": 0,
    "postForm": 2,
    "putForm": 2,
    "patchForm": 2,
}
_GOT_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "stream"})
_ROUTE_METHODS = frozenset(
    {"get", "post", "put", "delete", "patch", "head", "options", "all", "use", "del"}
)
_NOT_ROUTERS = frozenset(
    {
        "request",
        "http",
        "https",
        "axios",
        "got",
        "client",
        "api",
        "fetch",
        "superagent",
        "agent",
        "$http",
        "ky",
        "cache",
        "map",
        "params",
        "searchParams",
        "headers",
        "store",
        "localStorage",
        "sessionStorage",
        "this",
    }
)
_NEST_ROUTE_DECORATORS = {
    "Get": "GET",
    "Post": "POST",
    "Put": "PUT",
    "Delete": "DELETE",
    "Patch": "PATCH",
    "Head": "HEAD",
    "Options": "OPTIONS",
    "All": None,
    "Controller": None,
}
_APPS = {
    "express": "express",
    "express:Router": "express",
    "koa": "koa",
    "@koa/router": "koa",
    "koa-router": "koa",
    "fastify": "fastify",
    "restify:createServer": "restify",
    "@hapi/hapi:server": "hapi",
    "@hapi/hapi:Server": "hapi",
    "http:createServer": "node:http",
    "https:createServer": "node:http",
    "node:http:createServer": "node:http",
    "node:https:createServer": "node:http",
    "@nestjs/core:NestFactory.create": "nestjs",
    "@grpc/grpc-js:Server": "grpc-js",
    "grpc:Server": "grpc",
}
_GRPC_HEALTH = re.compile(r"(?:^|\.)Health(?:Service)?\.service$|health\.v1\.Health\b")
"""The standard gRPC health service registered on a grpc-js server."""
_HTTP_CLIENT_MODULES = frozenset({"axios", "got", "node-fetch", "undici", "supertest", "ky"})
_ONCE_PER_FILE = frozenset({Capability.HTTP_CLIENT, Capability.WEB_FRAMEWORK, Capability.GRPC})
_MAX_BINDINGS = 16


def _grammar(path: str) -> tuple[str, str]:
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in (".ts", ".mts", ".cts"):
        return "typescript", "typescript"
    if suffix == ".tsx":
        return "tsx", "typescript"
    return "javascript", "javascript"


@dataclass(slots=True)
class _Instance:
    """An HTTP client instance (``axios.create(...)``, ``got.extend(...)``)."""

    library: str
    node: Node
    timeout: bool | None
    assigned: bool = False


@dataclass(slots=True)
class _Found:
    outbound: list[OutboundCall] = field(default_factory=list)
    uses: list[LibraryUse] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    health: list[Evidence] = field(default_factory=list)
    entrypoints: list[Evidence] = field(default_factory=list)
    shutdown: list[Evidence] = field(default_factory=list)


def analyze_js(path: str, text: str) -> JsFileFacts:
    """Facts about one JavaScript/TypeScript file (tree-sitter recovers from
    syntax errors; the analysis uses what parsed)."""
    grammar, language = _grammar(path)
    tree = parse(grammar, text.encode("utf-8", "surrogatepass"))
    return _Analyzer(path, text, language).run(tree.root_node, grammar)


class _Analyzer:
    def __init__(self, path: str, text: str, language: str) -> None:
        self.path = path
        self.language = language
        self.lines = text.splitlines()
        self.symbols: dict[str, str] = {}
        """Local name -> ``module`` or ``module:member``."""
        self.values: dict[str, list[Node]] = {}
        """Local name -> every expression assigned to it (flow-insensitive)."""
        self.calls: list[tuple[Node, tuple[str, ...]]] = []
        self.instance_timeouts: list[Node] = []
        self.sets_axios_default = False
        self.found = _Found()
        self._use_keys: set[tuple[str, str, int]] = set()
        self._instances: dict[int, _Instance] = {}
        self._instance_memo: dict[str, _Instance | None] = {}

    def _bound(self, name: str) -> list[Node]:
        """Values assigned to ``name``; none when there are too many to mean
        anything (minified code reuses one-letter names thousands of times)."""
        values = self.values.get(name, [])
        return values if len(values) <= _MAX_BINDINGS else []

    def run(self, root: Node, grammar: str) -> JsFileFacts:
        stack: list[tuple[int, str]] = []
        for _pattern, captures in matches(query(grammar, _QUERY), root):
            for name, nodes in captures.items():
                for node in nodes:
                    while stack and node.start_byte >= stack[-1][0]:
                        stack.pop()
                    if name == "func":
                        stack.append((node.end_byte, field_text(node, "name")))
                    elif name == "import":
                        self._import(node)
                    elif name == "bind":
                        self._bind(node)
                    elif name == "assign":
                        self._assign(node)
                    else:
                        self.calls.append((node, tuple(n for _, n in stack)))
        for node, functions in self.calls:
            if node.type == "new_expression":
                self._new(node, functions)
            else:
                self._call(node, functions)
        self._decorators(root)
        found = self.found
        return JsFileFacts(
            path=self.path,
            language=self.language,
            lines=len(self.lines),
            outbound_calls=tuple(sorted(found.outbound, key=lambda c: (c.line, c.api))),
            library_uses=tuple(sorted(found.uses, key=lambda u: (u.line, u.capability))),
            routes=tuple(found.routes),
            health_checks=tuple(found.health),
            server_entrypoints=tuple(found.entrypoints),
            shutdown_hooks=tuple(found.shutdown),
            imports=tuple(sorted({s.split(":", 1)[0] for s in self.symbols.values()})),
            sets_axios_default_timeout=self.sets_axios_default,
        )

    # ------------------------------------------------------------------ imports
    def _import(self, node: Node) -> None:
        source = node.child_by_field_name("source")
        module = _string(source) if source is not None else None
        if module is None:
            return
        for clause in node.named_children:
            if clause.type == "import_require_clause":  # import x = require('m')
                for ident in clause.named_children:
                    if ident.type == "identifier":
                        self.symbols[text_of(ident)] = module
                        break
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":
                    self.symbols[text_of(part)] = module
                elif part.type == "namespace_import":
                    for ident in part.named_children:
                        self.symbols[text_of(ident)] = module
                elif part.type == "named_imports":
                    for spec in part.named_children:
                        if spec.type != "import_specifier":
                            continue
                        imported = field_text(spec, "name")
                        local = field_text(spec, "alias") or imported
                        self.symbols[local] = (
                            module if imported == "default" else (f"{module}:{imported}")
                        )

    def _bind(self, node: Node) -> None:
        name = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        if name is None or value is None:
            return
        value = _unwrap(value)
        required = self._required(value)
        if name.type == "identifier":
            if required is not None:
                self.symbols[text_of(name)] = required
            self.values.setdefault(text_of(name), []).append(value)
        elif name.type == "object_pattern" and required is not None:
            for prop in name.named_children:
                if prop.type == "shorthand_property_identifier_pattern":
                    self.symbols[text_of(prop)] = _member(required, text_of(prop))
                elif prop.type == "pair_pattern":
                    key = field_text(prop, "key")
                    local = prop.child_by_field_name("value")
                    if local is not None and local.type == "identifier":
                        self.symbols[text_of(local)] = (
                            required if key == "default" else _member(required, key)
                        )

    def _assign(self, node: Node) -> None:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None:
            return
        if left.type == "identifier":
            self.values.setdefault(text_of(left), []).append(_unwrap(right))
            return
        if left.type != "member_expression" or field_text(left, "property") != "timeout":
            return
        holder = left.child_by_field_name("object")  # X.defaults
        if holder is None or field_text(holder, "property") != "defaults":
            return
        target = holder.child_by_field_name("object")
        if target is None:
            return
        if self.qual(target) == "axios":
            self.sets_axios_default = not _is_zero(right)
        else:
            self.instance_timeouts.append(target)

    def _required(self, value: Node) -> str | None:
        """``require('m')`` -> ``m``; ``require('m').x`` -> ``m:x``."""
        if value.type == "call_expression" and field_text(value, "function") == "require":
            args = value.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            return _string(first) if first is not None else None
        if value.type == "member_expression":
            obj = value.child_by_field_name("object")
            base = self._required(obj) if obj is not None else None
            prop = field_text(value, "property")
            if base is not None:
                return base if prop == "default" else _member(base, prop)
        return None

    def qual(self, node: Node | None, depth: int = 0) -> str | None:
        """The ``module``/``module:member`` symbol an expression refers to."""
        if node is None or depth > 8:
            return None
        if node.type == "identifier":
            return self.symbols.get(text_of(node))
        if node.type == "member_expression":
            base = self.qual(node.child_by_field_name("object"), depth + 1)
            return _member(base, field_text(node, "property")) if base else None
        if node.type == "call_expression" and field_text(node, "function") == "require":
            return self._required(node)
        if node.type == "parenthesized_expression" and node.named_children:
            return self.qual(node.named_children[0], depth + 1)
        return None

    # ------------------------------------------------------------------ calls
    def _call(self, node: Node, functions: tuple[str, ...]) -> None:
        function = node.child_by_field_name("function")
        if function is None:
            return
        arguments = _arguments(node)
        name = self.qual(function)
        if name is not None:
            self._library_use(name, node, "call", functions, _object_keys(arguments))
            if name in _APPS and not name.endswith("Router"):
                self._evidence(self.found.entrypoints, node, "app", name)
            if name in ("@godaddy/terminus:createTerminus", "lightship:createLightship"):
                self._evidence(self.found.shutdown, node, "signal-handler", name)
                self._evidence(self.found.shutdown, node, "drain", name)
            elif name == "http-terminator:createHttpTerminator":
                self._evidence(self.found.shutdown, node, "drain", name)
        for arg in arguments:
            if arg.type in ("identifier", "member_expression") or (
                arg.type == "call_expression" and field_text(arg, "function") == "require"
            ):
                ref = self.qual(arg)
                if ref is not None:
                    self._library_use(ref, arg, "reference", functions, ())
        self._outbound_call(node, function, name, arguments)
        if function.type == "member_expression":
            self._member_call(node, function, arguments)

    def _new(self, node: Node, functions: tuple[str, ...]) -> None:
        constructor = node.child_by_field_name("constructor")
        name = self.qual(constructor)
        if name is not None:
            arguments = _arguments(node)
            self._library_use(name, node, "call", functions, _object_keys(arguments))
            if _APPS.get(name):
                self._evidence(self.found.entrypoints, node, "app", name)

    def _outbound_call(
        self, node: Node, function: Node, name: str | None, arguments: list[Node]
    ) -> None:
        if name is None:
            if function.type == "identifier" and text_of(function) == "fetch":
                self._fetch(node, arguments, "fetch")
            elif (
                function.type == "member_expression" and field_text(function, "property") == "fetch"
            ):
                holder = field_text(function, "object")
                if holder in ("window", "globalThis", "self", "global"):
                    self._fetch(node, arguments, "fetch")
                else:
                    self._instance_call(node, function, arguments)
            elif function.type == "member_expression":
                self._instance_call(node, function, arguments)
            return
        if name in ("node-fetch", "undici:fetch", "cross-fetch", "isomorphic-fetch"):
            self._fetch(node, arguments, name.split(":")[0])
        elif name == "axios":
            index = 1 if arguments and _string(arguments[0]) is not None else 0
            self._axios(node, "axios", arguments, index, None)
        elif name.startswith("axios:") and name[6:] in _AXIOS_CONFIG_INDEX:
            self._axios(
                node, name.replace(":", "."), arguments, _AXIOS_CONFIG_INDEX[name[6:]], None
            )
        elif name == "got" or (name.startswith("got:") and name[4:] in _GOT_METHODS):
            self._got(node, name.replace(":", "."), arguments, None)

    def _instance_call(self, node: Node, function: Node, arguments: list[Node]) -> None:
        receiver = function.child_by_field_name("object")
        method = field_text(function, "property")
        if receiver is None:
            return
        instance = self._instance_of(receiver)
        if instance is None:
            return
        if instance.library == "axios" and method in _AXIOS_CONFIG_INDEX:
            self._axios(
                node, f"axios instance.{method}", arguments, _AXIOS_CONFIG_INDEX[method], instance
            )
        elif instance.library == "got" and method in _GOT_METHODS:
            self._got(node, f"got instance.{method}", arguments, instance)

    def _instance_of(self, node: Node, depth: int = 0) -> _Instance | None:
        node = _unwrap(node)
        if depth > 5:
            return None
        if node.type == "identifier":
            name = text_of(node)
            if name in self._instance_memo:
                return self._instance_memo[name]
            self._instance_memo[name] = None  # cycles resolve to "not an instance"
            found = [self._instance_of(v, depth + 1) for v in self._bound(name)]
            instances = [f for f in found if f is not None]
            result = instances[0] if instances and len(instances) == len(found) else None
            self._instance_memo[name] = result
            return result
        if node.type != "call_expression":
            return None
        known = self._instances.get(node.start_byte)
        if known is not None:
            return known
        factory = self.qual(node.child_by_field_name("function"))
        if factory not in ("axios:create", "got:extend"):
            return None
        arguments = _arguments(node)
        config = arguments[0] if arguments else None
        state = self._config_timeout(config, ("timeout", "signal")) if config is not None else False
        instance = _Instance(factory.split(":")[0], node, state)
        instance.assigned = any(
            self._same_instance(target, instance, depth) for target in self.instance_timeouts
        )
        self._instances[node.start_byte] = instance
        return instance

    def _same_instance(self, target: Node, instance: _Instance, depth: int) -> bool:
        if target.type != "identifier":
            return False
        return any(
            _unwrap(v).start_byte == instance.node.start_byte
            for v in self.values.get(text_of(target), [])
        )

    def _config_timeout(
        self, config: Node | None, keys: tuple[str, ...], depth: int = 0
    ) -> bool | None:
        """True/False when the options object visibly has/lacks a timeout,
        None when it cannot be seen (built elsewhere, spread in)."""
        if config is None:
            return False
        config = _unwrap(config)
        if config.type == "object":
            spread = False
            for prop in config.named_children:
                if prop.type == "pair":
                    key = field_text(prop, "key").strip("'\"")
                    if key in keys:
                        value = prop.child_by_field_name("value")
                        return not (value is not None and (_is_zero(value) or _is_null(value)))
                elif prop.type == "shorthand_property_identifier" and text_of(prop) in keys:
                    return True
                elif prop.type == "spread_element":
                    spread = True
            return None if spread else False
        if config.type == "identifier" and depth < 4:
            bound = self._bound(text_of(config))
            verdicts = {self._config_timeout(v, keys, depth + 1) for v in bound}
            if len(verdicts) == 1:
                return verdicts.pop()
            return None
        if config.type in ("string", "template_string"):
            return False
        return None

    def _fetch(self, node: Node, arguments: list[Node], library: str) -> None:
        keys = ("signal", "timeout") if library == "node-fetch" else ("signal",)
        if len(arguments) >= 2:
            has = self._config_timeout(arguments[1], keys)
        elif (
            arguments
            and arguments[0].type == "identifier"
            and any(v.type == "new_expression" for v in self.values.get(text_of(arguments[0]), []))
        ):
            has = None  # fetch(request) with a Request built elsewhere in the file
        else:
            has = False
        note = (
            ""
            if has
            else (
                "options are built elsewhere"
                if has is None
                else "pass signal: AbortSignal.timeout(ms)"
            )
        )
        self._outbound(node, library, "fetch", has, "call" if has else None, note)

    def _axios(
        self, node: Node, api: str, arguments: list[Node], index: int, instance: _Instance | None
    ) -> None:
        config = arguments[index] if len(arguments) > index else None
        has = self._config_timeout(config, ("timeout", "signal")) if config is not None else False
        via = (self.path, line_of(instance.node)) if instance is not None else None
        if has is True:
            self._outbound(node, "axios", api, True, "call", "", via)
            return
        if instance is not None and (instance.timeout or instance.assigned):
            self._outbound(node, "axios", api, True, "client", "", via)
            return
        if instance is None and self.sets_axios_default:
            self._outbound(node, "axios", api, True, "default", "axios.defaults.timeout is set")
            return
        if has is None:
            self._outbound(node, "axios", api, None, None, "config is built elsewhere", via)
            return
        note = "axios has no timeout by default (timeout: 0)"
        self._outbound(node, "axios", api, False, None, note, via)

    def _got(self, node: Node, api: str, arguments: list[Node], instance: _Instance | None) -> None:
        options = (
            arguments[1]
            if len(arguments) >= 2
            else (arguments[0] if arguments and arguments[0].type == "object" else None)
        )
        has = self._config_timeout(options, ("timeout", "signal")) if options is not None else False
        if has is not True and instance is not None and instance.timeout:
            self._outbound(
                node, "got", api, True, "client", "", (self.path, line_of(instance.node))
            )
            return
        note = (
            ""
            if has
            else ("options are built elsewhere" if has is None else "got has no timeout by default")
        )
        self._outbound(node, "got", api, has, "call" if has else None, note)

    # ------------------------------------------------------------------ service shape
    def _member_call(self, node: Node, function: Node, arguments: list[Node]) -> None:
        method = field_text(function, "property")
        receiver = function.child_by_field_name("object")
        receiver_text = text_of(receiver)
        if method in _ROUTE_METHODS and len(arguments) >= 2:
            self._route(node, receiver, method, arguments)
        elif method == "route" and arguments and arguments[0].type in ("object", "array"):
            self._object_routes(node, receiver, arguments[0])
        elif method == "listen" and arguments and receiver is not None:
            framework = self._framework_of(receiver)
            if framework or receiver_text.split(".")[-1].lower() in (
                "app",
                "server",
                "srv",
                "fastify",
            ):
                self._evidence(
                    self.found.entrypoints,
                    node,
                    "server-run",
                    f"{framework or receiver_text}.listen",
                )
        elif (
            method in ("on", "once", "addListener", "prependListener")
            and receiver_text == "process"
        ):
            if arguments and _string(arguments[0]) == "SIGTERM":
                self._evidence(self.found.shutdown, node, "signal-handler", "SIGTERM")
        elif (
            method == "close"
            and receiver is not None
            and ("server" in receiver_text.lower() or self._framework_of(receiver))
        ):
            self._evidence(self.found.shutdown, node, "drain", f"{receiver_text}.close()")
        elif method == "bindAsync" and "server" in receiver_text.lower():
            # @grpc/grpc-js: server.bindAsync(address, credentials, callback) starts serving
            self._evidence(self.found.entrypoints, node, "server-run", f"{receiver_text}.bindAsync")
        elif method == "addService" and arguments and _GRPC_HEALTH.search(text_of(arguments[0])):
            # server.addService(healthProto.grpc.health.v1.Health.service, impl)
            self._evidence(self.found.health, node, "grpc-health", text_of(arguments[0])[:80])
        elif method == "tryShutdown":  # @grpc/grpc-js: finish in-flight calls, then stop
            self._evidence(self.found.shutdown, node, "drain", f"{receiver_text}.tryShutdown()")
        elif method == "enableShutdownHooks":
            self._evidence(self.found.shutdown, node, "lifespan", "enableShutdownHooks()")

    def _framework_of(self, node: Node | None, depth: int = 0) -> str | None:
        if node is None or depth > 5:
            return None
        node = _unwrap(node)
        if node.type in ("call_expression", "new_expression"):
            callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
            name = self.qual(callee)
            return _APPS.get(name or "")
        if node.type == "identifier":
            for value in self._bound(text_of(node)):
                found = self._framework_of(value, depth + 1)
                if found:
                    return found
        return None

    def _route(self, node: Node, receiver: Node | None, method: str, arguments: list[Node]) -> None:
        path = _string(arguments[0])
        if path is None or not path.startswith("/") or receiver is None:
            return
        if receiver.type not in ("identifier", "member_expression"):
            return
        name = self.qual(receiver)
        if name is not None and name.split(":")[0] in _HTTP_CLIENT_MODULES:
            return
        if self._instance_of(receiver) is not None:
            return
        framework = self._framework_of(receiver)
        if framework is None and text_of(receiver).split(".")[-1] in _NOT_ROUTERS:
            return
        verb = (
            None if method in ("all", "use") else ("DELETE" if method == "del" else method.upper())
        )
        self._add_route(node, framework or "unknown", verb, path)

    def _object_routes(self, node: Node, receiver: Node | None, spec: Node) -> None:
        objects = (
            [spec]
            if spec.type == "object"
            else [c for c in spec.named_children if c.type == "object"]
        )
        framework = self._framework_of(receiver) or "unknown"
        for obj in objects:
            path = method = None
            for prop in obj.named_children:
                if prop.type != "pair":
                    continue
                key = field_text(prop, "key").strip("'\"")
                value = prop.child_by_field_name("value")
                if key in ("url", "path") and value is not None:
                    path = _string(value)
                elif key == "method" and value is not None:
                    method = _string(value)
            if path and path.startswith("/"):
                self._add_route(node, framework, method.upper() if method else None, path)

    def _decorators(self, root: Node) -> None:
        """NestJS controllers: ``@Controller('health')`` + ``@Get('live')`` -> ``/health/live``."""
        if not any(s.startswith("@nestjs/common:") for s in self.symbols.values()):
            return
        prefixes: list[tuple[int, str]] = []  # (end byte of the controller class, prefix)
        for _pattern, captures in matches(query(_grammar(self.path)[0], "(decorator) @d"), root):
            for node in captures.get("d", []):
                while prefixes and node.start_byte >= prefixes[-1][0]:
                    prefixes.pop()
                call = node.named_children[0] if node.named_children else None
                if call is None or call.type != "call_expression":
                    continue
                name = self.qual(call.child_by_field_name("function")) or ""
                member = name.partition(":")[2]
                if not name.startswith("@nestjs/common:") or member not in _NEST_ROUTE_DECORATORS:
                    continue
                arguments = _arguments(call)
                path = _string(arguments[0]) if arguments else ""
                if path is None:
                    continue
                if member == "Controller":
                    owner = node.parent
                    if owner is not None and owner.type == "export_statement":
                        owner = owner.child_by_field_name("declaration") or owner
                    end = owner.end_byte if owner is not None else node.end_byte
                    prefixes.append((end, path.strip("/")))
                    if path:
                        self._add_route(node, "nestjs", None, "/" + path.strip("/"))
                    continue
                prefix = prefixes[-1][1] if prefixes else ""
                route = "/" + "/".join(p for p in (prefix, path.strip("/")) if p)
                self._add_route(node, "nestjs", _NEST_ROUTE_DECORATORS[member], route)

    def _add_route(self, node: Node, framework: str, method: str | None, path: str) -> None:
        self.found.routes.append(
            Route(
                self.path,
                line_of(node),
                self.language,
                framework,
                method,
                path,
                health_strength(path),
            )
        )

    # ------------------------------------------------------------------ emit
    def _outbound(
        self,
        node: Node,
        library: str,
        api: str,
        has: bool | None,
        source: str | None,
        note: str,
        via: tuple[str, int] | None = None,
    ) -> None:
        line = line_of(node)
        self.found.outbound.append(
            OutboundCall(
                path=self.path,
                line=line,
                end_line=node.end_point[0] + 1,
                language=self.language,
                library=library,
                api=api,
                has_timeout=has,
                timeout_source=source if has else None,
                snippet=line_snippet(self.lines, line),
                via_client_defined_at=via,
                note=note,
            )
        )

    def _evidence(self, into: list[Evidence], node: Node, kind: str, detail: str) -> None:
        line = line_of(node)
        into.append(
            Evidence(self.path, line, self.language, kind, detail, line_snippet(self.lines, line))
        )

    def _library_use(
        self, name: str, node: Node, kind: str, functions: tuple[str, ...], keys: Iterable[str]
    ) -> None:
        line = line_of(node)
        for rule in match_symbol(self.language, name, keys):
            capability = rule.capability
            once = capability in _ONCE_PER_FILE
            key = (capability.value, rule.library, 0 if once else line)
            if key in self._use_keys:
                continue
            self._use_keys.add(key)
            if capability is Capability.HEALTH_CHECK:
                self.found.health.append(
                    Evidence(
                        self.path,
                        line,
                        self.language,
                        "health-library",
                        name,
                        line_snippet(self.lines, line),
                    )
                )
            startup = capability is Capability.RETRY and any(
                is_startup_name(f) for f in functions if f
            )
            self.found.uses.append(
                LibraryUse(
                    path=self.path,
                    line=line,
                    language=self.language,
                    capability=capability.value,
                    library=rule.library,
                    symbol=name,
                    kind=kind,
                    snippet=line_snippet(self.lines, line),
                    startup_only=startup,
                )
            )


# ---------------------------------------------------------------------- helpers


def _member(base: str, prop: str) -> str:
    return f"{base}.{prop}" if ":" in base else f"{base}:{prop}"


def _unwrap(node: Node) -> Node:
    while (
        node.type
        in (
            "await_expression",
            "parenthesized_expression",
            "as_expression",
            "non_null_expression",
            "satisfies_expression",
        )
        and node.named_children
    ):
        node = node.named_children[0]
    return node


def _arguments(node: Node) -> list[Node]:
    args = node.child_by_field_name("arguments")
    if args is None:
        return []
    return [c for c in args.named_children if c.type != "comment"]


def _object_keys(arguments: list[Node]) -> list[str]:
    keys: list[str] = []
    for arg in arguments:
        if arg.type != "object":
            continue
        for prop in arg.named_children:
            if prop.type == "pair":
                keys.append(field_text(prop, "key").strip("'\""))
            elif prop.type == "shorthand_property_identifier":
                keys.append(text_of(prop))
    return keys


def _string(node: Node | None) -> str | None:
    """The value of a string literal (or a template without substitutions)."""
    if node is None:
        return None
    if node.type == "string":
        return text_of(node)[1:-1]
    if node.type == "template_string" and not any(
        c.type == "template_substitution" for c in node.named_children
    ):
        return text_of(node)[1:-1]
    return None


def _is_zero(node: Node) -> bool:
    return node.type == "number" and text_of(node).strip() in ("0", "0.0")


def _is_null(node: Node) -> bool:
    return node.type in ("null", "undefined") or text_of(node) == "undefined"
