"""Java source facts, read with tree-sitter (never compiled or run). Best effort.

Java is a second-class language for prodready (see CHECKLIST.md): the
common client and library detections, no data-flow tracking.

Outbound clients, judged at the place they are created:

- ``java.net.http.HttpClient``: ``newHttpClient()`` has no timeout;
  ``newBuilder()...build()`` is bounded by ``connectTimeout(...)`` in the
  chain. Either way, requests built with ``HttpRequest...timeout(...)`` in the
  same file bound the exchange.
- Spring ``new RestTemplate()`` has no timeouts; with a request factory, or
  when the file calls ``setConnectTimeout``/``setReadTimeout``, it is
  treated as configured (unknown / wrapper).
- ``WebClient.create()``/``builder()``: bounded when the file sets a
  ``responseTimeout``/``timeout``.
- OkHttp's ``new OkHttpClient()`` has 10 s defaults (bounded, ``default``).
- Apache ``HttpClients.createDefault()`` has none unless the file configures
  connect/socket/response timeouts.

Service surface: Spring/JAX-RS/Micronaut route annotations (class-level
``@RequestMapping`` prefixes included), ``SpringApplication.run`` and other
server starts, ``Runtime.addShutdownHook`` (the JVM runs hooks on SIGTERM),
gRPC ``HealthStatusManager``; library uses from annotations
(``@Retry``, ``@CircuitBreaker``...), constructors and static calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from prodready.scan.facts.code_model import (
    Evidence,
    JavaFileFacts,
    LibraryUse,
    OutboundCall,
    Route,
    health_strength,
    is_startup_name,
    line_snippet,
)
from prodready.scan.facts.libraries import Capability, match_symbol
from prodready.scan.facts.treesitter import field_text, line_of, matches, parse, query, text_of

__all__ = ["analyze_java"]

LANGUAGE = "java"

_QUERY = """
(import_declaration) @import
(class_declaration) @class
(method_declaration) @func
(method_invocation) @call
(object_creation_expression) @new
(annotation) @anno
(marker_annotation) @anno
"""

_ROUTE_ANNOTATIONS = {
    "GetMapping": "GET",
    "PostMapping": "POST",
    "PutMapping": "PUT",
    "DeleteMapping": "DELETE",
    "PatchMapping": "PATCH",
    "RequestMapping": None,
    "Path": None,
    "Get": "GET",
    "Post": "POST",
    "Put": "PUT",
    "Delete": "DELETE",
    "Patch": "PATCH",
}
_ROUTE_PACKAGES = (
    "org.springframework.web.bind.annotation.",
    "javax.ws.rs.",
    "jakarta.ws.rs.",
    "io.micronaut.http.annotation.",
)
_CLASS_PREFIX_ANNOTATIONS = frozenset({"RequestMapping", "Path", "Controller"})
_SERVER_RUN = {
    "org.springframework.boot.SpringApplication.run": "SpringApplication.run",
    "io.quarkus.runtime.Quarkus.run": "Quarkus.run",
    "io.micronaut.runtime.Micronaut.run": "Micronaut.run",
    "com.sun.net.httpserver.HttpServer.create": "HttpServer.create",
    "io.grpc.ServerBuilder.forPort": "ServerBuilder.forPort",
    "io.grpc.netty.NettyServerBuilder.forPort": "NettyServerBuilder.forPort",
}
_ONCE_PER_FILE = frozenset({Capability.HTTP_CLIENT, Capability.WEB_FRAMEWORK, Capability.GRPC})
_JAVA_LANG = frozenset({"Runtime", "String", "System", "Thread"})


@dataclass(slots=True)
class _Found:
    outbound: list[OutboundCall] = field(default_factory=list)
    uses: list[LibraryUse] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    health: list[Evidence] = field(default_factory=list)
    entrypoints: list[Evidence] = field(default_factory=list)
    shutdown: list[Evidence] = field(default_factory=list)


def analyze_java(path: str, text: str) -> JavaFileFacts:
    """Facts about one Java file (tree-sitter recovers from syntax errors)."""
    tree = parse("java", text.encode("utf-8", "surrogatepass"))
    return _Analyzer(path, text).run(tree.root_node)


class _Analyzer:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.lines = text.splitlines()
        self.imports: dict[str, str] = {}
        self.wildcards: list[str] = []
        self.found = _Found()
        self._use_keys: set[tuple[str, str, int]] = set()
        self.class_prefixes: list[tuple[int, str]] = []

    def run(self, root: Node) -> JavaFileFacts:
        functions: list[tuple[int, str]] = []
        for _pattern, captures in matches(query("java", _QUERY), root):
            for name, nodes in captures.items():
                for node in nodes:
                    while functions and node.start_byte >= functions[-1][0]:
                        functions.pop()
                    while self.class_prefixes and node.start_byte >= self.class_prefixes[-1][0]:
                        self.class_prefixes.pop()
                    current = functions[-1][1] if functions else ""
                    if name == "import":
                        self._import(node)
                    elif name == "class":
                        self._class(node)
                    elif name == "func":
                        functions.append((node.end_byte, field_text(node, "name")))
                    elif name == "call":
                        self._call(node, current)
                    elif name == "new":
                        self._new(node, current)
                    elif name == "anno":
                        self._annotation(node, current)
        found = self.found
        return JavaFileFacts(
            path=self.path,
            language=LANGUAGE,
            lines=len(self.lines),
            outbound_calls=tuple(sorted(found.outbound, key=lambda c: (c.line, c.api))),
            library_uses=tuple(sorted(found.uses, key=lambda u: (u.line, u.capability))),
            routes=tuple(found.routes),
            health_checks=tuple(found.health),
            server_entrypoints=tuple(found.entrypoints),
            shutdown_hooks=tuple(found.shutdown),
            imports=tuple(sorted(set(self.imports.values()) | {w + ".*" for w in self.wildcards})),
        )

    # ------------------------------------------------------------------ names
    def _import(self, node: Node) -> None:
        raw = text_of(node).removeprefix("import").strip().rstrip(";").strip()
        raw = raw.removeprefix("static").strip()
        if raw.endswith(".*"):
            self.wildcards.append(raw[:-2])
        elif raw:
            self.imports[raw.rsplit(".", 1)[-1]] = raw

    def qual(self, node: Node | None) -> list[str]:
        """Candidate fully qualified names (more than one only through
        wildcard imports)."""
        if node is None:
            return []
        if node.type in ("identifier", "type_identifier"):
            name = text_of(node)
            if name in self.imports:
                return [self.imports[name]]
            if name in _JAVA_LANG:
                return [f"java.lang.{name}"]
            if not name[:1].isupper():
                return []  # a variable, not a class a wildcard import could bring
            return [f"{w}.{name}" for w in self.wildcards]
        if node.type in ("scoped_identifier", "scoped_type_identifier", "field_access"):
            text = text_of(node).replace(" ", "")
            head, _, rest = text.partition(".")
            if head in self.imports:
                return [f"{self.imports[head]}.{rest}"]
            if text.count(".") >= 2 and head[:1].islower():
                return [text]  # fully qualified: io.sentry.Sentry.init
            return [f"{w}.{text}" for w in self.wildcards] if head[:1].isupper() else []
        if node.type == "generic_type" and node.named_children:
            return self.qual(node.named_children[0])
        if node.type == "method_invocation":
            return [
                f"{q}.{field_text(node, 'name')}"
                for q in self.qual(node.child_by_field_name("object"))
            ]
        return []

    # ------------------------------------------------------------------ nodes
    def _class(self, node: Node) -> None:
        modifiers = next((c for c in node.children if c.type == "modifiers"), None)
        if modifiers is None:
            return
        for anno in modifiers.named_children:
            if anno.type not in ("annotation", "marker_annotation"):
                continue
            if field_text(anno, "name").rsplit(".", 1)[-1] in _CLASS_PREFIX_ANNOTATIONS:
                prefix = _annotation_path(anno)
                if prefix:
                    self.class_prefixes.append((node.end_byte, prefix.strip("/")))

    def _annotation(self, node: Node, function: str) -> None:
        name_node = node.child_by_field_name("name")
        simple = text_of(name_node).rsplit(".", 1)[-1]
        for qualified in self.qual(name_node):
            self._library_use(qualified, node, "annotation", function)
            if qualified == "org.springframework.boot.autoconfigure.SpringBootApplication":
                self._evidence(self.found.entrypoints, node, "app", "@SpringBootApplication")
        if simple in _ROUTE_ANNOTATIONS and self._is_route_annotation(name_node):
            framework = _framework(self.qual(name_node))
            owner = node.parent.parent if node.parent is not None else None
            if owner is not None and owner.type == "class_declaration":
                path = _annotation_path(node)
                if path:
                    self._route(node, None, "/" + path.strip("/"), framework)
                return
            path = _annotation_path(node) or ""
            prefix = self.class_prefixes[-1][1] if self.class_prefixes else ""
            route = "/" + "/".join(p for p in (prefix, path.strip("/")) if p)
            verb = _ROUTE_ANNOTATIONS[simple]
            if verb is None:
                verb = _request_method(node)
            self._route(node, verb, route, framework)

    def _is_route_annotation(self, name_node: Node | None) -> bool:
        names = self.qual(name_node)
        if not names:  # same-package or unresolved: trust the Spring-specific names
            return text_of(name_node).endswith("Mapping")
        return any(n.startswith(_ROUTE_PACKAGES) for n in names)

    def _call(self, node: Node, function: str) -> None:
        names = self.qual(node)
        method = field_text(node, "name")
        for name in names:
            self._library_use(name, node, "call", function)
            if name in _SERVER_RUN:
                self._evidence(self.found.entrypoints, node, "server-run", _SERVER_RUN[name])
            if name == "java.net.http.HttpClient.newHttpClient":
                self._java_http_client(node, chain=())
            elif name == "java.net.http.HttpClient.newBuilder":
                self._java_http_client(node, chain=_chain_after(node))
            elif name in (
                "org.springframework.web.reactive.function.client.WebClient.create",
                "org.springframework.web.reactive.function.client.WebClient.builder",
            ):
                bounded = any(k in self.text for k in ("responseTimeout", ".timeout("))
                self._client(
                    node,
                    "spring-webflux",
                    "WebClient",
                    bounded,
                    "wrapper",
                    "WebClient has no response timeout by default",
                )
            elif name.endswith("HttpClients.createDefault") and "apache" in name:
                bounded = any(
                    k in self.text
                    for k in (
                        "setConnectTimeout",
                        "setSocketTimeout",
                        "setResponseTimeout",
                        "setConnectionRequestTimeout",
                    )
                )
                self._client(
                    node,
                    "apache-httpclient",
                    "HttpClients.createDefault()",
                    bounded,
                    "wrapper",
                    "Apache HttpClient has no timeouts by default",
                )
        if method == "addShutdownHook":
            self._evidence(self.found.shutdown, node, "signal-handler", "Runtime.addShutdownHook")
        elif (
            method in ("shutdown", "awaitTermination", "close")
            and "server" in field_text(node, "object").lower()
        ):
            self._evidence(self.found.shutdown, node, "drain", f".{method}()")
        elif method == "start" and "Javalin" in text_of(node):
            self._evidence(self.found.entrypoints, node, "server-run", "Javalin.start")

    def _new(self, node: Node, function: str) -> None:
        type_node = node.child_by_field_name("type")
        args = node.child_by_field_name("arguments")
        count = len(args.named_children) if args is not None else 0
        for name in self.qual(type_node):
            self._library_use(name, node, "call", function)
            if name == "org.springframework.web.client.RestTemplate":
                configured = any(k in self.text for k in ("setConnectTimeout", "setReadTimeout"))
                if configured:
                    self._client(node, "spring-web", "new RestTemplate()", True, "wrapper", "")
                elif count:
                    self._client(
                        node,
                        "spring-web",
                        "new RestTemplate(factory)",
                        None,
                        None,
                        "the request factory may set timeouts",
                    )
                else:
                    self._client(
                        node,
                        "spring-web",
                        "new RestTemplate()",
                        False,
                        None,
                        "RestTemplate has no timeouts; set connect/read timeouts",
                    )
            elif name == "okhttp3.OkHttpClient":
                self._client(
                    node,
                    "okhttp",
                    "new OkHttpClient()",
                    True,
                    "default",
                    "OkHttp defaults to 10 s timeouts",
                )

    def _java_http_client(self, node: Node, chain: tuple[str, ...]) -> None:
        if "connectTimeout" in chain:
            self._client(node, "java.net.http", "HttpClient.newBuilder()", True, "client", "")
        elif ".timeout(" in self.text and "HttpRequest" in self.text:
            self._client(
                node,
                "java.net.http",
                "HttpClient",
                True,
                "call",
                "requests set HttpRequest timeouts",
            )
        else:
            self._client(
                node,
                "java.net.http",
                "HttpClient",
                False,
                None,
                "HttpClient has no timeout; set connectTimeout and request timeouts",
            )

    # ------------------------------------------------------------------ emit
    def _client(
        self, node: Node, library: str, api: str, has: bool | None, source: str | None, note: str
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
                note="" if has else note,
            )
        )

    def _route(self, node: Node, method: str | None, route: str, framework: str) -> None:
        self.found.routes.append(
            Route(
                self.path, line_of(node), LANGUAGE, framework, method, route, health_strength(route)
            )
        )

    def _evidence(self, into: list[Evidence], node: Node, kind: str, detail: str) -> None:
        line = line_of(node)
        into.append(
            Evidence(self.path, line, LANGUAGE, kind, detail, line_snippet(self.lines, line))
        )

    def _library_use(self, name: str, node: Node, kind: str, function: str) -> None:
        line = line_of(node)
        for rule in match_symbol(LANGUAGE, name):
            capability = rule.capability
            once = capability in _ONCE_PER_FILE
            key = (capability.value, rule.library, 0 if once else line)
            if key in self._use_keys:
                continue
            self._use_keys.add(key)
            if capability is Capability.HEALTH_CHECK:
                kind_name = "grpc-health" if rule.library.startswith("grpc") else "health-library"
                self._evidence(self.found.health, node, kind_name, name)
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
                    startup_only=capability is Capability.RETRY and is_startup_name(function),
                )
            )


def _chain_after(node: Node) -> tuple[str, ...]:
    """Method names called on the result of ``node``: ``a().b().c()`` -> (b, c)."""
    names: list[str] = []
    current = node
    while current.parent is not None and current.parent.type == "method_invocation":
        parent = current.parent
        if parent.child_by_field_name("object") != current:
            break
        names.append(field_text(parent, "name"))
        current = parent
    return tuple(names)


def _annotation_path(node: Node) -> str | None:
    """The path of ``@GetMapping("/x")``, ``@RequestMapping(value = "/x")``,
    ``@RequestMapping(path = {"/x", "/y"})`` (first), or None."""
    args = node.child_by_field_name("arguments")
    if args is None:
        return None
    for child in args.named_children:
        if child.type == "string_literal":
            return _java_string(child)
        if child.type == "element_value_pair" and field_text(child, "key") in (
            "value",
            "path",
            "uri",
        ):
            value = child.child_by_field_name("value")
            if value is None:
                continue
            if value.type == "string_literal":
                return _java_string(value)
            if value.type == "element_value_array_initializer":
                strings = [c for c in value.named_children if c.type == "string_literal"]
                if strings:
                    return _java_string(strings[0])
        if child.type == "element_value_array_initializer":
            strings = [c for c in child.named_children if c.type == "string_literal"]
            if strings:
                return _java_string(strings[0])
    return None


def _request_method(node: Node) -> str | None:
    args = node.child_by_field_name("arguments")
    if args is None:
        return None
    for child in args.named_children:
        if child.type == "element_value_pair" and field_text(child, "key") == "method":
            text = field_text(child, "value")
            for verb in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"):
                if text.endswith(verb):
                    return verb
    return None


def _java_string(node: Node) -> str:
    text = text_of(node)
    return text[1:-1] if text.startswith('"') and text.endswith('"') else text


def _framework(names: list[str]) -> str:
    for name in names:
        if name.startswith("org.springframework."):
            return "spring"
        if name.startswith(("javax.ws.rs.", "jakarta.ws.rs.")):
            return "jax-rs"
        if name.startswith("io.micronaut."):
            return "micronaut"
    return "spring" if not names else "unknown"
