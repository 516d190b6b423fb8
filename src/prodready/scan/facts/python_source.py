"""Python source facts, read with the ``ast`` module (parsed, never compiled or run).

``analyze_python(path, text)`` parses a module once, walks it once and
returns a ``PythonFileFacts``: outbound calls with their timeout verdicts,
library uses (retries, circuit breakers, rate limits, metrics, logging,
tracing, error tracking), HTTP routes, health checks, server entry points,
shutdown hooks and OpenAPI-serving apps.

How calls are traced, because precision is the point (a false "no timeout"
finding is the complaint users have about every scorecard):

- Imports are resolved with their aliases: ``import requests as r``,
  ``from requests import get as fetch``, ``from httpx import Client``.
- Clients are tracked through names, with per-scope bindings resolved after
  the walk, so order inside a module does not matter: ``s = requests.Session()``,
  ``with httpx.Client(timeout=None) as c``, ``self.session = ...`` set in one
  method and used in another, module-level sessions used in functions,
  ``functools.partial(requests.get, timeout=5)`` wrappers.
- Mutations are applied: ``s.mount(prefix, TimeoutAdapter(...))``,
  ``s.request = partial(s.request, timeout=...)``, ``client.timeout = ...``.
- Library defaults are known: httpx and ``prodready.http`` clients time out
  after 5 s unless ``timeout=None``; requests, urllib3, ``urlopen`` and
  ``http.client`` never time out unless told; aiohttp's default is a 5
  minute total, reported as no timeout with a note.
- What cannot be known is ``None``, never a finding: ``**kwargs`` that may
  carry a timeout, a client built in another module, a custom adapter.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from prodready.scan.facts.code_model import (
    Evidence,
    LibraryUse,
    OpenApiApp,
    OutboundCall,
    PythonFileFacts,
    Route,
    health_strength,
    is_startup_name,
    line_snippet,
)
from prodready.scan.facts.libraries import Capability, match_symbol, string_rules_in
from prodready.scan.facts.source import ParseProblem

__all__ = ["analyze_python"]

LANGUAGE = "python"

_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})


@dataclass(frozen=True, slots=True)
class _Spec:
    """A kind of client object: what creating one means, what calling it does."""

    library: str
    api: str
    methods: frozenset[str]
    default_timeout: bool
    kind: str = "http"
    """``http``, ``grpc-stub``, ``opener``, ``semaphore``, ``app``, ``partial``."""
    framework: str = ""
    positional_timeout: int | None = None
    note_default: str = ""


_REQUESTS_SESSION = _Spec(
    "requests", "requests.Session", _HTTP_VERBS | {"send"}, default_timeout=False
)
_HTTPX_CLIENT = _Spec("httpx", "httpx.Client", _HTTP_VERBS | {"send", "stream"}, True)
_HTTPX_ASYNC = _Spec("httpx", "httpx.AsyncClient", _HTTP_VERBS | {"send", "stream"}, True)
_PRODREADY_CLIENT = _Spec("prodready.http", "prodready.http.Client", _HTTP_VERBS | {"stream"}, True)
_PRODREADY_ASYNC = _Spec(
    "prodready.http", "prodready.http.AsyncClient", _HTTP_VERBS | {"stream"}, True
)
_AIOHTTP_SESSION = _Spec(
    "aiohttp",
    "aiohttp.ClientSession",
    _HTTP_VERBS | {"ws_connect"},
    default_timeout=False,
    note_default="aiohttp's default is a 5 minute total timeout; set ClientTimeout",
)
_URLLIB3_POOL = _Spec(
    "urllib3",
    "urllib3.PoolManager",
    frozenset({"request", "urlopen", "request_encode_url", "request_encode_body"}),
    default_timeout=False,
)
_OPENER = _Spec(
    "urllib", "urllib.request.OpenerDirector", frozenset({"open"}), False, kind="opener"
)
_GRPC_STUB = _Spec("grpc", "grpc stub", frozenset(), False, kind="grpc-stub", positional_timeout=1)
_SEMAPHORE = _Spec("asyncio", "Semaphore", frozenset(), False, kind="semaphore")

_CLIENT_CONSTRUCTORS: dict[str, _Spec] = {
    "requests.Session": _REQUESTS_SESSION,
    "requests.session": _REQUESTS_SESSION,
    "requests.sessions.Session": _REQUESTS_SESSION,
    "requests.sessions.session": _REQUESTS_SESSION,
    "httpx.Client": _HTTPX_CLIENT,
    "httpx.AsyncClient": _HTTPX_ASYNC,
    "prodready.http.Client": _PRODREADY_CLIENT,
    "prodready.http.AsyncClient": _PRODREADY_ASYNC,
    "aiohttp.ClientSession": _AIOHTTP_SESSION,
    "aiohttp.client.ClientSession": _AIOHTTP_SESSION,
    "urllib3.PoolManager": _URLLIB3_POOL,
    "urllib3.poolmanager.PoolManager": _URLLIB3_POOL,
    "urllib3.ProxyManager": _URLLIB3_POOL,
    "urllib3.HTTPConnectionPool": _URLLIB3_POOL,
    "urllib3.HTTPSConnectionPool": _URLLIB3_POOL,
    "urllib3.connection_from_url": _URLLIB3_POOL,
    "urllib.request.build_opener": _OPENER,
    "asyncio.Semaphore": _SEMAPHORE,
    "asyncio.BoundedSemaphore": _SEMAPHORE,
    "threading.Semaphore": _Spec("threading", "Semaphore", frozenset(), False, kind="semaphore"),
    "threading.BoundedSemaphore": _Spec(
        "threading", "BoundedSemaphore", frozenset(), False, kind="semaphore"
    ),
    "anyio.Semaphore": _Spec("anyio", "Semaphore", frozenset(), False, kind="semaphore"),
    "anyio.CapacityLimiter": _Spec("anyio", "CapacityLimiter", frozenset(), False, "semaphore"),
    "trio.Semaphore": _Spec("trio", "Semaphore", frozenset(), False, kind="semaphore"),
    "trio.CapacityLimiter": _Spec("trio", "CapacityLimiter", frozenset(), False, "semaphore"),
}


def _app(framework: str, api: str) -> _Spec:
    return _Spec(framework, api, frozenset(), False, kind="app", framework=framework)


_APP_CONSTRUCTORS: dict[str, _Spec] = {
    "fastapi.FastAPI": _app("fastapi", "FastAPI"),
    "fastapi.APIRouter": _app("fastapi", "APIRouter"),
    "fastapi.routing.APIRouter": _app("fastapi", "APIRouter"),
    "flask.Flask": _app("flask", "Flask"),
    "flask.Blueprint": _app("flask", "Blueprint"),
    "apiflask.APIFlask": _app("flask", "APIFlask"),
    "quart.Quart": _app("quart", "Quart"),
    "quart.Blueprint": _app("quart", "Blueprint"),
    "sanic.Sanic": _app("sanic", "Sanic"),
    "sanic.Blueprint": _app("sanic", "Blueprint"),
    "starlette.applications.Starlette": _app("starlette", "Starlette"),
    "aiohttp.web.Application": _app("aiohttp", "Application"),
    "aiohttp.web.RouteTableDef": _app("aiohttp", "RouteTableDef"),
    "litestar.Litestar": _app("litestar", "Litestar"),
    "litestar.Router": _app("litestar", "Router"),
    "falcon.App": _app("falcon", "App"),
    "falcon.API": _app("falcon", "API"),
    "falcon.asgi.App": _app("falcon", "App"),
    "bottle.Bottle": _app("bottle", "Bottle"),
    "tornado.web.Application": _app("tornado", "Application"),
    "ninja.NinjaAPI": _app("django-ninja", "NinjaAPI"),
    "ninja.Router": _app("django-ninja", "Router"),
}

# (library, has a default timeout, kind, positional index of the timeout argument)
_MODULE_CALLS: dict[str, tuple[str, bool, str, int | None]] = {}
for _verb in _HTTP_VERBS:
    _MODULE_CALLS[f"requests.{_verb}"] = ("requests", False, "http", None)
    _MODULE_CALLS[f"requests.api.{_verb}"] = ("requests", False, "http", None)
    _MODULE_CALLS[f"httpx.{_verb}"] = ("httpx", True, "http", None)
_MODULE_CALLS.update(
    {
        "httpx.stream": ("httpx", True, "http", None),
        "aiohttp.request": ("aiohttp", False, "http", None),
        "urllib3.request": ("urllib3", False, "http", None),
        "urllib.request.urlopen": ("urllib", False, "http", 2),
        "http.client.HTTPConnection": ("http.client", False, "http", 2),
        "http.client.HTTPSConnection": ("http.client", False, "http", None),
        "psycopg.connect": ("psycopg", False, "db", None),
        "psycopg.Connection.connect": ("psycopg", False, "db", None),
        "psycopg.AsyncConnection.connect": ("psycopg", False, "db", None),
        "psycopg2.connect": ("psycopg2", False, "db", None),
        "redis.Redis": ("redis", False, "db", None),
        "redis.StrictRedis": ("redis", False, "db", None),
        "redis.client.Redis": ("redis", False, "db", None),
        "redis.from_url": ("redis", False, "db", None),
        "redis.Redis.from_url": ("redis", False, "db", None),
        "redis.asyncio.Redis": ("redis", False, "db", None),
        "redis.asyncio.from_url": ("redis", False, "db", None),
        "redis.asyncio.Redis.from_url": ("redis", False, "db", None),
    }
)
_DB_TIMEOUT_KEYWORDS = {"psycopg": "connect_timeout", "psycopg2": "connect_timeout"}
_REDIS_TIMEOUT_KEYWORDS = ("socket_timeout",)

_TIMEOUT_VALUE_CONSTRUCTORS = frozenset(
    {
        "httpx.Timeout",
        "aiohttp.ClientTimeout",
        "urllib3.Timeout",
        "urllib3.util.Timeout",
        "prodready.http.Timeout",
    }
)
_PARTIAL = frozenset({"functools.partial", "functools.partialmethod"})
_HTTP_ADAPTER = frozenset({"requests.adapters.HTTPAdapter", "requests.HTTPAdapter"})
_JSON_DUMPS = frozenset({"json.dumps", "orjson.dumps", "ujson.dumps", "rapidjson.dumps"})

_ROUTE_DECORATORS = frozenset(
    {
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "trace",
        "route",
        "api_route",
        "websocket",
        "websocket_route",
        "view",
    }
)
_ROUTE_CALLS = {
    # method name -> (index of the path argument, framework guess or "", HTTP method)
    "add_url_rule": (0, "flask", None),
    "add_api_route": (0, "fastapi", None),
    "add_api_websocket_route": (0, "fastapi", None),
    "add_route": (0, "", None),
    "add_get": (0, "aiohttp", "GET"),
    "add_post": (0, "aiohttp", "POST"),
    "add_put": (0, "aiohttp", "PUT"),
    "add_patch": (0, "aiohttp", "PATCH"),
    "add_delete": (0, "aiohttp", "DELETE"),
    "add_head": (0, "aiohttp", "HEAD"),
    "add_view": (0, "aiohttp", None),
}
_ROUTE_FUNCTIONS = {
    # qualified function -> (framework, HTTP method)
    "django.urls.path": ("django", None),
    "django.urls.re_path": ("django", None),
    "django.conf.urls.url": ("django", None),
    "django.conf.urls.re_path": ("django", None),
    "starlette.routing.Route": ("starlette", None),
    "starlette.routing.WebSocketRoute": ("starlette", None),
    "starlette.routing.Mount": ("starlette", None),
    "aiohttp.web.get": ("aiohttp", "GET"),
    "aiohttp.web.post": ("aiohttp", "POST"),
    "aiohttp.web.put": ("aiohttp", "PUT"),
    "aiohttp.web.delete": ("aiohttp", "DELETE"),
    "aiohttp.web.route": ("aiohttp", None),
    "aiohttp.web.view": ("aiohttp", None),
    "litestar.get": ("litestar", "GET"),
    "litestar.post": ("litestar", "POST"),
    "litestar.put": ("litestar", "PUT"),
    "litestar.delete": ("litestar", "DELETE"),
    "litestar.route": ("litestar", None),
}

_SERVER_RUN = frozenset(
    {
        "uvicorn.run",
        "uvicorn.Server",
        "hypercorn.asyncio.serve",
        "hypercorn.trio.serve",
        "waitress.serve",
        "bjoern.run",
        "werkzeug.serving.run_simple",
        "wsgiref.simple_server.make_server",
        "http.server.HTTPServer",
        "http.server.ThreadingHTTPServer",
        "socketserver.TCPServer",
        "socketserver.ThreadingTCPServer",
        "aiohttp.web.run_app",
        "aiohttp.web.TCPSite",
        "grpc.server",
        "grpc.aio.server",
        "django.core.management.execute_from_command_line",
        "gevent.pywsgi.WSGIServer",
        "cheroot.wsgi.Server",
        "granian.Granian",
        "daphne.server.Server",
    }
)
_SERVER_DEFAULT_GRACEFUL = {
    "uvicorn.run": "uvicorn drains in-flight requests on SIGTERM",
    "uvicorn.Server": "uvicorn drains in-flight requests on SIGTERM",
    "hypercorn.asyncio.serve": "hypercorn drains in-flight requests on SIGTERM",
    "aiohttp.web.run_app": "aiohttp's run_app shuts down gracefully on SIGTERM",
    "granian.Granian": "granian drains in-flight requests on SIGTERM",
}
_APP_ENTRY = frozenset(
    {
        "django.core.wsgi.get_wsgi_application",
        "django.core.asgi.get_asgi_application",
    }
)
_SIGNAL_SETTERS = frozenset({"signal.signal"})
_TYPE_CHECKS = frozenset({"isinstance", "issubclass", "cast"})
_SIGTERM = frozenset({"signal.SIGTERM", "signal.Signals.SIGTERM"})

_OPENAPI_APPS = {
    # constructor -> (framework, keyword that disables it, default URL)
    "fastapi.FastAPI": ("fastapi", "openapi_url", "/openapi.json"),
    "ninja.NinjaAPI": ("django-ninja", "openapi_url", "/api/openapi.json"),
    "litestar.Litestar": ("litestar", "openapi_config", "/schema/openapi.json"),
    "apiflask.APIFlask": ("apiflask", "spec_path", "/openapi.json"),
    "flask_restx.Api": ("flask-restx", "", "/swagger.json"),
    "flask_restplus.Api": ("flask-restplus", "", "/swagger.json"),
    "flask_smorest.Api": ("flask-smorest", "", "/openapi.json"),
    "drf_spectacular.views.SpectacularAPIView.as_view": ("drf-spectacular", "", None),
    "drf_yasg.views.get_schema_view": ("drf-yasg", "", None),
    "rest_framework.schemas.get_schema_view": ("django-rest-framework", "", None),
}

_SLEEPS = frozenset(
    {"time.sleep", "asyncio.sleep", "anyio.sleep", "trio.sleep", "gevent.sleep", "eventlet.sleep"}
)
_GROWTH_OPS = (ast.Mult, ast.Pow, ast.LShift)
_LOG_FORMAT_CALLS = frozenset({"logging.Formatter", "logging.basicConfig"})
_JSON_LOG_FORMAT = re.compile(r'^\s*\{\s*"[^"]+"\s*:\s*"?%\(\w+\)s.*\}\s*$', re.DOTALL)
"""A printf-style log format that is a JSON object: ``{"level": "%(levelname)s", ...}``."""
_BACKOFF_FUNCTION = re.compile(r"backoff|retry|retries|redeliver|next_attempt")
_ATTEMPT_NAME = re.compile(r"attempt|retr|tries|try_|failure|^n$|^i$|count")
_SETTINGS_NAMES = frozenset(
    {
        "INSTALLED_APPS",
        "MIDDLEWARE",
        "MIDDLEWARE_CLASSES",
        "REST_FRAMEWORK",
        "LOGGING",
        "LOGGING_CONFIG",
        "LOG_CONFIG",
        "logconfig_dict",
    }
)
"""Assignment targets whose strings name libraries in use (Django/DRF
settings, logging configuration dicts, gunicorn's ``logconfig_dict``)."""
_MAX_BINDINGS = 16
"""Assignments to one name past which it is not tracked (generated code)."""
_ONCE_PER_FILE = frozenset({Capability.HTTP_CLIENT, Capability.WEB_FRAMEWORK, Capability.GRPC})


class _Unknown:
    """A value the analysis cannot see through (a call result, a parameter)."""

    __slots__ = ()


_UNKNOWN = _Unknown()


class _NoneValue:
    """``x = None``: ignored when merging clients (lazy initialisation)."""

    __slots__ = ()


_NONE = _NoneValue()


@dataclass(slots=True)
class _Client:
    """A client object the module creates. Mutable while the module is analysed
    (``mount``, ``.timeout = ``), frozen into ``OutboundCall`` values at the end."""

    spec: _Spec
    line: int
    timeout: bool | None
    source: str | None
    note: str = ""
    call_timeout: str = "absent"
    """For ``partial`` wrappers: the state of their bound ``timeout``."""
    target: str = ""
    """For ``partial`` wrappers: the API they wrap."""
    receiver: _Alias | None = None
    """For ``partial(session.get, ...)``: the session."""


@dataclass(slots=True)
class _TimeoutValue:
    """A timeout object or constant bound to a name (``t = ClientTimeout(total=10)``)."""

    disabled: bool


@dataclass(slots=True)
class _Alias:
    """``b = a`` / ``s = self.session``: resolved after the walk."""

    expr: ast.expr
    scopes: tuple[int, ...]
    class_id: int | None


@dataclass(slots=True)
class _CallValue:
    """An unrecognised call: kept for adapter inspection (``adapter =
    MyAdapter()``) and, when it calls a function of this module
    (``self._session()``, ``make_client()``), resolved to what it returns."""

    node: ast.Call
    scopes: tuple[int, ...] = (0,)
    class_id: int | None = None


_Value = _Client | _TimeoutValue | _Alias | _CallValue | _Unknown | _NoneValue


@dataclass(slots=True)
class _Context:
    """Where the walker is: scopes, class, function names, guards."""

    scopes: tuple[int, ...] = (0,)
    class_id: int | None = None
    functions: tuple[str, ...] = ()
    startup: bool = False
    guards: tuple[int, ...] = ()
    in_formatter: int | None = None


@dataclass(slots=True)
class _Pending:
    """A method call whose receiver is resolved after the walk."""

    node: ast.Call
    receiver: ast.expr
    method: str
    ctx: _Context


@dataclass(slots=True)
class _ClassInfo:
    class_id: int
    name: str
    bases: tuple[str, ...]
    node: ast.ClassDef
    overrides_request: bool
    _mentions: bool | None = None

    @property
    def mentions_timeout(self) -> bool:
        """The class body mentions a timeout (computed when first asked: only
        adapter and session subclasses are ever asked)."""
        if self._mentions is None:
            self._mentions = _mentions_timeout(self.node)
        return self._mentions


@dataclass(slots=True)
class _Guard:
    expr: ast.expr
    line: int
    ctx: _Context
    calls: int = 0


@dataclass(slots=True)
class _Found:
    """What the walk collected, before freezing."""

    outbound: list[OutboundCall] = field(default_factory=list)
    uses: list[LibraryUse] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    health: list[Evidence] = field(default_factory=list)
    entrypoints: list[Evidence] = field(default_factory=list)
    shutdown: list[Evidence] = field(default_factory=list)
    openapi: list[OpenApiApp] = field(default_factory=list)


def analyze_python(path: str, text: str, tree: ast.Module | None = None) -> PythonFileFacts:
    """Facts about one Python module.

    ``tree`` may be passed when the caller already parsed ``text`` (the scan
    parses each file once); it must be the tree of ``text``. Syntax errors
    are returned as a ``ParseProblem`` in ``problems`` with the line count,
    never raised."""
    lines = text.count("\n") + (1 if text and not text.endswith("\n") else 0)
    if tree is None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(text, filename=path)
        except SyntaxError as exc:
            message = f"Python syntax error: {exc.msg}"
            problem = ParseProblem(path, message, exc.lineno)
            return PythonFileFacts(path, LANGUAGE, lines, problems=(problem,))
        except (ValueError, RecursionError, MemoryError) as exc:
            problem = ParseProblem(path, f"Python file not parsable: {type(exc).__name__}")
            return PythonFileFacts(path, LANGUAGE, lines, problems=(problem,))
    try:
        return _Analyzer(path, text, lines).run(tree)
    except RecursionError:
        problem = ParseProblem(path, "Python file too deeply nested to analyse")
        return PythonFileFacts(path, LANGUAGE, lines, problems=(problem,))


class _Analyzer:
    """One module's walk. ``run`` is the only entry point."""

    def __init__(self, path: str, text: str, line_count: int) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.line_count = line_count
        self.imports: dict[str, str] = {}
        self.imported: set[str] = set()
        self.bindings: dict[tuple[str, int, str], list[_Value]] = {}
        self.globals_of: dict[int, set[str]] = {}
        self.pending: list[_Pending] = []
        self.name_calls: list[tuple[ast.Call, str, _Context]] = []
        self.mutations: list[tuple[str, ast.expr, ast.expr, _Context]] = []
        self.pending_routes: list[tuple[ast.expr, str | None, str, int, str | None, _Context]] = []
        self.pending_runs: list[tuple[ast.expr, ast.Call, _Context]] = []
        self.classes: dict[str, _ClassInfo] = {}
        self.function_defs: dict[
            tuple[int | None, str], tuple[int, tuple[int, ...], int | None]
        ] = {}
        """(class id or None, name) -> (scope id, body scopes, class id)."""
        self.returns: dict[int, list[ast.expr]] = {}
        self.class_by_id: dict[int, _ClassInfo] = {}
        self.guards: list[_Guard] = []
        self.formatter_classes: set[int] = set()
        self.signal_calls: list[tuple[ast.Call, ast.expr]] = []
        self.mentions_sigterm = False
        self.has_main_guard = False
        self.found = _Found()
        self._next_id = 1
        self._use_keys: set[tuple[str, str, int]] = set()
        self._finished = False
        self._memo: dict[tuple[str, int, str], list[_Value]] = {}

    # ------------------------------------------------------------------ run
    def run(self, tree: ast.Module) -> PythonFileFacts:
        for stmt in _module_level_statements(tree.body):
            if isinstance(stmt, ast.Import | ast.ImportFrom):
                self._import(stmt)
        self._visit_body(tree.body, _Context())
        self._finish()
        found = self.found
        return PythonFileFacts(
            path=self.path,
            language=LANGUAGE,
            lines=self.line_count,
            outbound_calls=tuple(sorted(found.outbound, key=lambda c: (c.line, c.api))),
            library_uses=tuple(sorted(found.uses, key=lambda u: (u.line, u.capability))),
            routes=tuple(sorted(found.routes, key=lambda r: (r.line, r.route))),
            health_checks=tuple(found.health),
            server_entrypoints=tuple(found.entrypoints),
            shutdown_hooks=tuple(found.shutdown),
            openapi_apps=tuple(found.openapi),
            imports=tuple(sorted(self.imported)),
            has_main_guard=self.has_main_guard,
        )

    # ------------------------------------------------------------------ imports
    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.imported.add(alias.name)
                if alias.asname:
                    self.imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".", 1)[0]
                    self.imports[top] = top
            return
        module = "." * node.level + (node.module or "")
        if module and not module.startswith("."):
            self.imported.add(module)
        for alias in node.names:
            if alias.name == "*":
                continue
            full = (
                f"{module}.{alias.name}"
                if module and not module.endswith(".")
                else (module + alias.name)
            )
            self.imports[alias.asname or alias.name] = _normalise(full)

    def qual(self, node: ast.AST) -> str | None:
        """The alias-resolved dotted name of a ``Name``/``Attribute`` chain."""
        if isinstance(node, ast.Name):
            return self.imports.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.qual(node.value)
            return _normalise(f"{base}.{node.attr}") if base else None
        return None

    # ------------------------------------------------------------------ walk
    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _visit_body(self, body: Iterable[ast.stmt], ctx: _Context) -> None:
        for stmt in body:
            self._visit_stmt(stmt, ctx)

    def _visit_stmt(self, node: ast.stmt, ctx: _Context) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            self._function(node, ctx)
        elif isinstance(node, ast.ClassDef):
            self._class(node, ctx)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            self._assignment(node, ctx)
        elif isinstance(node, ast.With | ast.AsyncWith):
            self._with(node, ctx)
        elif isinstance(node, ast.If):
            self._visit_expr(node.test, ctx)
            if _is_main_guard(node.test):
                self.has_main_guard = True
                main_ctx = dataclasses.replace(ctx, startup=True)
                self._visit_body(node.body, main_ctx)
            else:
                self._visit_body(node.body, ctx)
            self._visit_body(node.orelse, ctx)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            self._import(node)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.While):
            self._retry_loop(node, ctx)
            self._visit_children(node, ctx)
        elif isinstance(node, ast.Return):
            if node.value is not None:
                self._visit_expr(node.value, ctx)
                self.returns.setdefault(ctx.scopes[0], []).append(node.value)
        elif isinstance(node, ast.Global):
            self.globals_of.setdefault(ctx.scopes[0], set()).update(node.names)
        else:
            self._visit_children(node, ctx)

    def _assignment(self, node: ast.Assign | ast.AnnAssign, ctx: _Context) -> None:
        if isinstance(node, ast.Assign):
            self._visit_expr(node.value, ctx)
            if any(isinstance(t, ast.Name) and t.id in _SETTINGS_NAMES for t in node.targets):
                self._settings_strings(node.value)
            for target in node.targets:
                self._assign(target, node.value, ctx)
                self._visit_target(target, ctx)
            return
        if node.value is not None:
            self._visit_expr(node.value, ctx)
            self._assign(node.target, node.value, ctx)
        else:
            self._annotate(node.target, node.annotation, ctx)
        self._visit_target(node.target, ctx)

    def _visit_children(self, node: ast.AST, ctx: _Context) -> None:
        """Statements, expressions and the glue nodes between them
        (handlers, match cases, ``withitem``...) under ``node``."""
        for name in _child_fields(type(node)):
            value = getattr(node, name, None)
            for item in value if type(value) is list else (value,):
                if isinstance(item, ast.stmt):
                    self._visit_stmt(item, ctx)
                elif isinstance(item, ast.expr):
                    self._visit_expr(item, ctx)
                elif isinstance(item, ast.AST):
                    self._visit_children(item, ctx)

    def _visit_target(self, target: ast.expr, ctx: _Context) -> None:
        """Subscripts/attributes on the left may contain calls (``d[f()] = x``)."""
        if isinstance(target, ast.Subscript):
            self._visit_expr(target.value, ctx)
            self._visit_expr(target.slice, ctx)

    def _visit_expr(self, node: ast.expr, ctx: _Context) -> None:
        """Every call, string and signal reference in an expression, with an
        explicit stack (expressions nest deeper than Python recurses)."""
        stack: list[ast.AST] = [node]
        pop, push = stack.pop, stack.append
        while stack:
            current = pop()
            kind = type(current)
            if kind is ast.Call:
                self._call(current, ctx)  # type: ignore[arg-type]
            elif kind is ast.Constant:
                if type(current.value) is str:  # type: ignore[attr-defined]
                    self._string(current)  # type: ignore[arg-type]
                continue
            elif kind is ast.Name or kind is ast.Attribute:
                self._note_sigterm(current)
                if kind is ast.Name:
                    continue
            elif kind is ast.Dict:
                self._service_config_dict(current)  # type: ignore[arg-type]
            elif kind is ast.Lambda:
                lam_ctx = dataclasses.replace(ctx, scopes=(self._new_id(), *ctx.scopes))
                self._visit_expr(current.body, lam_ctx)  # type: ignore[attr-defined]
                continue
            _push_children(current, kind, push)

    def _note_sigterm(self, node: ast.AST) -> None:
        if isinstance(node, ast.Attribute) and node.attr == "SIGTERM":
            self.mentions_sigterm = True
        elif isinstance(node, ast.Name) and node.id == "SIGTERM":
            self.mentions_sigterm |= self.imports.get("SIGTERM") == "signal.SIGTERM"

    # ------------------------------------------------------------------ definitions
    def _function(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        ctx: _Context,
        owner: int | None = None,
    ) -> None:
        """``owner`` is the class id of a method (None for module functions)."""
        self._backoff_schedule(node, ctx)
        decorated_startup = False
        for decorator in node.decorator_list:
            decorated_startup |= self._decorator(decorator, node, ctx)
            self._visit_expr(decorator, ctx)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self._visit_expr(default, ctx)
        scope = self._new_id()
        startup = ctx.startup or decorated_startup or is_startup_name(node.name)
        inner = _Context(
            scopes=(scope, *ctx.scopes),
            class_id=ctx.class_id,
            functions=(*ctx.functions, node.name),
            startup=startup,
            guards=ctx.guards,
            in_formatter=ctx.in_formatter,
        )
        if owner is not None or ctx.scopes == (0,):
            self.function_defs[(owner, node.name)] = (scope, inner.scopes, ctx.class_id)
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is None:
                continue
            self.bindings.setdefault(("n", scope, arg.arg), []).append(
                self._annotation_value(arg.annotation) if arg.annotation else _UNKNOWN
            )
        self._visit_body(node.body, inner)

    def _class(self, node: ast.ClassDef, ctx: _Context) -> None:
        for decorator in node.decorator_list:
            self._visit_expr(decorator, ctx)
        bases = tuple(self.qual(b) or (b.id if isinstance(b, ast.Name) else "") for b in node.bases)
        for base in node.bases:
            self._visit_expr(base, ctx)
        for base_name in bases:
            if "." in base_name:  # class JsonFormatter(jsonlogger.JsonFormatter): a use
                self._library_use(base_name, node.lineno, "base", ctx, ())
        class_id = self._new_id()
        overrides = any(
            isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) and s.name in ("request", "send")
            for s in node.body
        )
        info = _ClassInfo(class_id, node.name, bases, node, overrides)
        self.classes[node.name] = info
        self.class_by_id[class_id] = info
        formatter = class_id if any(b == "logging.Formatter" for b in bases) else ctx.in_formatter
        inner = _Context(
            scopes=(class_id, *ctx.scopes),
            class_id=class_id,
            functions=ctx.functions,
            startup=ctx.startup,
            guards=ctx.guards,
            in_formatter=formatter,
        )
        # methods see the class's attributes through ``self``, not its scope
        for stmt in node.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                self._function(stmt, dataclasses.replace(inner, scopes=ctx.scopes), class_id)
            elif isinstance(stmt, ast.Assign | ast.AnnAssign):
                self._visit_stmt(stmt, inner)
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        key = ("n", class_id, target.id)
                        self.bindings.setdefault(("a", class_id, target.id), []).extend(
                            self.bindings.get(key, [])
                        )
            else:
                self._visit_stmt(stmt, inner)

    def _with(self, node: ast.With | ast.AsyncWith, ctx: _Context) -> None:
        guards = list(ctx.guards)
        for item in node.items:
            self._visit_expr(item.context_expr, ctx)
            if item.optional_vars is not None:
                self._assign(item.optional_vars, item.context_expr, ctx)
            expr = item.context_expr
            if isinstance(expr, ast.Name | ast.Attribute | ast.Call):
                self.guards.append(_Guard(expr, node.lineno, ctx))
                guards.append(len(self.guards) - 1)
        self._visit_body(node.body, dataclasses.replace(ctx, guards=tuple(guards)))

    # ------------------------------------------------------------------ bindings
    def _assign(self, target: ast.expr, value: ast.expr, ctx: _Context) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            values: list[ast.expr | None] = (
                list(value.elts)
                if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts)
                else [None] * len(target.elts)
            )
            for sub, sub_value in zip(target.elts, values, strict=True):
                if sub_value is None:
                    self._bind(sub, _UNKNOWN, ctx)
                else:
                    self._assign(sub, sub_value, ctx)
            return
        if isinstance(target, ast.Attribute) and target.attr in ("timeout", "request", "send"):
            self.mutations.append((target.attr, target.value, value, ctx))
        self._bind(target, self._evaluate(value, ctx), ctx)

    def _bind(self, target: ast.expr, value: _Value, ctx: _Context) -> None:
        if isinstance(target, ast.Name):
            scope = ctx.scopes[0]
            if target.id in self.globals_of.get(scope, ()):
                scope = 0
            self.bindings.setdefault(("n", scope, target.id), []).append(value)
        elif (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id in ("self", "cls")
            and ctx.class_id is not None
        ):
            self.bindings.setdefault(("a", ctx.class_id, target.attr), []).append(value)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, _UNKNOWN, ctx)

    def _annotate(self, target: ast.expr, annotation: ast.expr, ctx: _Context) -> None:
        self._bind(target, self._annotation_value(annotation), ctx)

    def _annotation_value(self, annotation: ast.expr) -> _Value:
        """``session: requests.Session`` -> a client of unknown configuration."""
        node = annotation
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return _UNKNOWN
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            node = node.left if not _is_none(node.left) else node.right
        if isinstance(node, ast.Subscript):  # Optional[X]
            node = node.slice
        name = self.qual(node)
        spec = _CLIENT_CONSTRUCTORS.get(name or "")
        if spec is None or spec.kind != "http":
            return _UNKNOWN
        return _Client(spec, annotation.lineno, None, None, "client created elsewhere")

    def _evaluate(self, value: ast.expr, ctx: _Context) -> _Value:
        if isinstance(value, ast.Call):
            return self._construct(value, ctx)
        if isinstance(value, ast.Await):
            return _UNKNOWN
        if isinstance(value, ast.Constant) and value.value is None:
            return _NONE
        if isinstance(value, ast.Name) and value.id not in self.imports:
            return _Alias(value, ctx.scopes, ctx.class_id)
        if (
            isinstance(value, ast.Attribute)
            and isinstance(value.value, ast.Name)
            and value.value.id in ("self", "cls")
        ):
            return _Alias(value, ctx.scopes, ctx.class_id)
        return _UNKNOWN

    def _construct(self, call: ast.Call, ctx: _Context) -> _Value:
        name = self.qual(call.func)
        if name is None and isinstance(call.func, ast.Name):
            info = self.classes.get(call.func.id)
            if info is not None:
                return self._construct_subclass(call, info, ctx.scopes)
            return _CallValue(call, ctx.scopes, ctx.class_id)
        if name is None:
            if (
                isinstance(call.func, ast.Attribute)
                and call.func.attr.endswith("Stub")
                and call.args
            ):
                return _Client(_GRPC_STUB, call.lineno, False, None)
            return _CallValue(call, ctx.scopes, ctx.class_id)
        spec = _CLIENT_CONSTRUCTORS.get(name)
        if spec is not None:
            return self._client_from_ctor(spec, call, ctx.scopes)
        app = _APP_CONSTRUCTORS.get(name)
        if app is not None:
            return _Client(app, call.lineno, None, None)
        if name in _TIMEOUT_VALUE_CONSTRUCTORS:
            return _TimeoutValue(disabled=_timeout_object_disabled(call))
        if name in _PARTIAL and call.args:
            return self._partial(call, ctx)
        if name.endswith("Stub") and call.args:
            return _Client(_GRPC_STUB, call.lineno, False, None)
        return _CallValue(call, ctx.scopes, ctx.class_id)

    def _construct_subclass(
        self, call: ast.Call, info: _ClassInfo, scopes: tuple[int, ...]
    ) -> _Value:
        """An instance of a class defined in this module: a session subclass?"""
        spec = next(
            (_CLIENT_CONSTRUCTORS[b] for b in info.bases if b in _CLIENT_CONSTRUCTORS), None
        )
        if spec is None or spec.kind != "http":
            return _CallValue(call, scopes)
        if spec.library == "requests":
            if info.overrides_request and info.mentions_timeout:
                return _Client(spec, call.lineno, True, "wrapper", f"{info.name} sets a timeout")
            return _Client(spec, call.lineno, False, None, f"{info.name} is a requests.Session")
        return self._client_from_ctor(spec, call, scopes)

    def _client_from_ctor(self, spec: _Spec, call: ast.Call, scopes: tuple[int, ...]) -> _Client:
        if spec.kind != "http":
            return _Client(spec, call.lineno, False, None)
        state = self._timeout_argument(call, None, scopes)
        if state == "set":
            return _Client(spec, call.lineno, True, "client")
        if state == "disabled":
            return _Client(spec, call.lineno, False, None, "timeout=None disables the timeout")
        if state == "unknown":
            return _Client(spec, call.lineno, None, None, "timeout may come from **kwargs")
        if spec.default_timeout:
            return _Client(spec, call.lineno, True, "default")
        return _Client(spec, call.lineno, False, None, spec.note_default)

    def _partial(self, call: ast.Call, ctx: _Context) -> _Value:
        wrapped = call.args[0]
        target = self.qual(wrapped)
        state = self._timeout_argument(call, None, ctx.scopes, skip_positional=True)
        if target in _MODULE_CALLS:
            library, default, _kind, _ = _MODULE_CALLS[target]
            spec = _Spec(library, f"functools.partial({target})", frozenset(), default, "partial")
            return _Client(spec, call.lineno, None, None, call_timeout=state, target=target)
        if isinstance(wrapped, ast.Attribute):
            spec = _Spec("", f"functools.partial(.{wrapped.attr})", frozenset(), False, "partial")
            receiver = _Alias(wrapped.value, ctx.scopes, ctx.class_id)
            return _Client(
                spec,
                call.lineno,
                None,
                None,
                call_timeout=state,
                target=wrapped.attr,
                receiver=receiver,
            )
        return _CallValue(call, ctx.scopes, ctx.class_id)

    # ------------------------------------------------------------------ calls
    def _call(self, node: ast.Call, ctx: _Context) -> None:
        name = self.qual(node.func)
        if name is not None:
            self._qualified_call(node, name, ctx)
        func = node.func
        self._health_wrapper(node, func)
        if isinstance(func, ast.Attribute):
            method = func.attr
            if method == "mount" and len(node.args) >= 2:
                self.mutations.append(("mount", func.value, node.args[1], ctx))
            if name is None or not _known_module(name):
                self.pending.append(_Pending(node, func.value, method, ctx))
            self._method_call_facts(node, func, method, ctx)
        elif isinstance(func, ast.Name) and name is None:
            self.name_calls.append((node, func.id, ctx))
        if isinstance(func, ast.Name) and func.id in _TYPE_CHECKS:
            return  # isinstance(x, Retry) inspects a type; it does not use the library
        for arg in node.args:
            self._reference(arg, ctx)
        for keyword in node.keywords:
            self._reference(keyword.value, ctx)

    def _health_wrapper(self, node: ast.Call, func: ast.expr) -> None:
        """``health_check(application, "/health/")``: a hand-written ASGI/WSGI
        middleware answering a health path (saleor's); the callee says health
        and a literal argument is a conventional health route."""
        callee = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if "health" not in callee.lower():
            return
        for arg in (*node.args, *(k.value for k in node.keywords)):
            if (
                isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and arg.value.startswith("/")
                and health_strength(arg.value) == "strong"
            ):
                self._route(node.lineno, "middleware", None, arg.value)
                return

    def _reference(self, node: ast.expr, ctx: _Context) -> None:
        """A library symbol passed as an argument: ``app.add_middleware(PrometheusMiddleware)``."""
        if not isinstance(node, ast.Name | ast.Attribute):
            return
        name = self.qual(node)
        if name is not None:
            self._library_use(name, node.lineno, "reference", ctx, ())

    def _qualified_call(self, node: ast.Call, name: str, ctx: _Context) -> None:
        keys = [k.arg for k in node.keywords if k.arg]
        self._library_use(name, node.lineno, "call", ctx, keys)
        if name in _MODULE_CALLS:
            self._module_call(node, name, ctx)
        if name in _SERVER_RUN:
            self._evidence(self.found.entrypoints, node, "server-run", name)
            if name in _SERVER_DEFAULT_GRACEFUL:
                self._evidence(
                    self.found.shutdown, node, "server-default", _SERVER_DEFAULT_GRACEFUL[name]
                )
            if "timeout_graceful_shutdown" in keys or "shutdown_timeout" in keys:
                self._evidence(self.found.shutdown, node, "graceful-config", name)
        elif name in _APP_ENTRY:
            self._evidence(self.found.entrypoints, node, "app", name)
        app = _APP_CONSTRUCTORS.get(name)
        if app is not None:
            self._app_constructed(node, name, app, keys)
        if name in _OPENAPI_APPS:
            self._openapi_app(node, name)
        if name in _ROUTE_FUNCTIONS:
            framework, method = _ROUTE_FUNCTIONS[name]
            route = _route_arg(node, 0, ("path", "route"))
            if route is not None:
                self._route(node.lineno, framework, method, route)
        if name in _SIGNAL_SETTERS and node.args:
            self.signal_calls.append((node, node.args[0]))
        if name in ("logging.config.dictConfig", "logging.config.fileConfig"):
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                self._settings_strings(arg)
                self._json_log_formats(arg)
        elif name in _LOG_FORMAT_CALLS:
            self._json_log_formats(node)
        formatter = ctx.in_formatter
        if (
            name in _JSON_DUMPS
            and formatter is not None
            and formatter not in self.formatter_classes
        ):
            self.formatter_classes.add(formatter)
            self._plain_use(
                node.lineno,
                Capability.STRUCTURED_LOGGING,
                "logging (JSON formatter)",
                "logging.Formatter",
                kind="class",
            )

    def _app_constructed(self, node: ast.Call, name: str, app: _Spec, keys: list[str]) -> None:
        if app.api in (
            "FastAPI",
            "Starlette",
            "Flask",
            "Sanic",
            "Quart",
            "Application",
            "Litestar",
        ):
            self._evidence(self.found.entrypoints, node, "app", name)
        if "lifespan" in keys or "on_shutdown" in keys:
            self._evidence(self.found.shutdown, node, "lifespan", f"{name}(lifespan=...)")
        for keyword in node.keywords:
            value = keyword.value
            if (
                keyword.arg in ("prefix", "url_prefix")
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
                and value.value.startswith("/")
            ):
                self._route(node.lineno, app.framework, None, value.value)

    def _method_call_facts(
        self, node: ast.Call, func: ast.Attribute, method: str, ctx: _Context
    ) -> None:
        """Facts visible from the call's shape alone: routes, hooks, servers."""
        if method in _ROUTE_CALLS:
            index, framework, verb = _ROUTE_CALLS[method]
            route = _route_arg(node, index, ("rule", "path", "uri"))
            if route is None and method == "add_route" and len(node.args) >= 2:
                route = _string_arg(node, 1, ())  # aiohttp add_route(method, path, handler)
                verb = _string_arg(node, 0, ())
            if route is not None and _looks_like_route(route):
                self.pending_routes.append((func.value, verb, route, node.lineno, framework, ctx))
        elif method == "include_router":
            prefix = _keyword_string(node, "prefix")
            if prefix:
                self._route(node.lineno, "fastapi", None, prefix)
        elif method == "register_blueprint":
            prefix = _keyword_string(node, "url_prefix")
            if prefix:
                self._route(node.lineno, "flask", None, prefix)
        elif method == "add_signal_handler" and node.args:
            self.signal_calls.append((node, node.args[0]))
        elif method == "add_event_handler" and _string_arg(node, 0, ()) == "shutdown":
            self._evidence(self.found.shutdown, node, "lifespan", "add_event_handler('shutdown')")
        elif method == "append" and isinstance(func.value, ast.Attribute):
            if func.value.attr in ("on_shutdown", "on_cleanup"):
                self._evidence(self.found.shutdown, node, "lifespan", f"{func.value.attr}.append")
        elif method == "stop" and (node.args or node.keywords):
            receiver = _dotted(func.value)
            if "server" in receiver.lower():
                self._evidence(self.found.shutdown, node, "drain", f"{receiver}.stop(grace)")
        elif method in ("run", "listen", "serve_forever", "run_forever"):
            self.pending_runs.append((func.value, node, ctx))

    def _decorator(
        self, decorator: ast.expr, fn: ast.FunctionDef | ast.AsyncFunctionDef, ctx: _Context
    ) -> bool:
        """Facts from one decorator; True when it marks a start-up hook."""
        call = decorator if isinstance(decorator, ast.Call) else None
        target = call.func if call is not None else decorator
        name = self.qual(target)
        if name is not None:
            keys = [k.arg for k in call.keywords if k.arg] if call is not None else []
            deco_ctx = dataclasses.replace(
                ctx,
                functions=(*ctx.functions, fn.name),
                startup=ctx.startup or is_startup_name(fn.name),
            )
            self._library_use(name, decorator.lineno, "decorator", deco_ctx, keys)
            if name == "contextlib.asynccontextmanager" and "lifespan" in fn.name:
                return True
            if _known_module(name):
                return False
        if not isinstance(target, ast.Attribute) or call is None:
            return False
        attr = target.attr
        if attr == "on_event":
            event = _string_arg(call, 0, ())
            if event == "shutdown":
                self._evidence(self.found.shutdown, call, "lifespan", "on_event('shutdown')")
            return event == "startup"
        if attr in ("before_serving", "before_server_start", "on_startup"):
            return True
        if attr in ("after_serving", "before_server_stop", "after_server_stop", "on_shutdown"):
            self._evidence(self.found.shutdown, call, "lifespan", attr)
        if attr in _ROUTE_DECORATORS:
            route = _route_arg(call, 0, ("path", "rule", "uri"))
            if route is not None and _looks_like_route(route):
                verb = None if attr in ("route", "api_route", "view") else attr.upper()
                if attr in ("websocket", "websocket_route"):
                    verb = "WEBSOCKET"
                methods = _keyword_strings(call, "methods")
                if methods:
                    verb = ",".join(m.upper() for m in methods)
                self.pending_routes.append((target.value, verb, route, call.lineno, None, ctx))
        return False

    def _module_call(self, node: ast.Call, name: str, ctx: _Context) -> None:
        library, default, kind, positional = _MODULE_CALLS[name]
        if kind == "db":
            self._db_call(node, name, library)
            return
        state = self._timeout_argument(node, positional, ctx.scopes)
        has, source, note = _verdict(state, default)
        if not default and state == "absent" and library == "aiohttp":
            note = _AIOHTTP_SESSION.note_default
        self._outbound(node, library, name, has, source, note, None, ctx)

    def _db_call(self, node: ast.Call, name: str, library: str) -> None:
        keys = {k.arg for k in node.keywords}
        if library == "redis":
            wanted: tuple[str, ...] = _REDIS_TIMEOUT_KEYWORDS
        else:
            wanted = (_DB_TIMEOUT_KEYWORDS[library],)
        has: bool | None
        note = ""
        if any(k in keys for k in wanted):
            has, note = True, ""
        elif None in keys:
            has, note = None, "timeout may come from **kwargs"
        elif library == "redis" and "connection_pool" in keys:
            has, note = None, "timeouts come from the connection pool it is given"
        else:
            dsn = (
                node.args[0]
                if node.args
                else next(
                    (k.value for k in node.keywords if k.arg in ("conninfo", "dsn", "url")), None
                )
            )
            if isinstance(dsn, ast.Constant) and isinstance(dsn.value, str):
                has = any(w in dsn.value for w in wanted)
            elif dsn is not None and (library != "redis" or name.endswith("from_url")):
                has, note = None, "the connection string may set it"
            else:
                has = False
            if has is False:
                note = f"set {wanted[0]}"
        self.found.outbound.append(
            OutboundCall(
                path=self.path,
                line=node.lineno,
                end_line=node.end_lineno or node.lineno,
                language=LANGUAGE,
                library=library,
                api=name,
                has_timeout=has,
                timeout_source="call" if has else None,
                snippet=line_snippet(self.lines, node.lineno),
                kind="db",
                severity="low",
                note=note,
            )
        )

    def _timeout_argument(
        self,
        call: ast.Call,
        positional: int | None,
        scopes: tuple[int, ...] = (0,),
        *,
        skip_positional: bool = False,
    ) -> str:
        """``set``, ``disabled`` (None / all-None timeout object), ``unknown``
        (``**kwargs`` may carry one) or ``absent``."""
        for keyword in call.keywords:
            if keyword.arg == "timeout":
                return "disabled" if self._timeout_disabled(keyword.value, scopes) else "set"
        if (
            positional is not None
            and not skip_positional
            and len(call.args) > positional
            and not any(isinstance(a, ast.Starred) for a in call.args[: positional + 1])
        ):
            value = call.args[positional]
            return "disabled" if self._timeout_disabled(value, scopes) else "set"
        if any(k.arg is None for k in call.keywords):
            return "unknown"
        if positional is not None and any(isinstance(a, ast.Starred) for a in call.args):
            return "unknown"
        return "absent"

    def _timeout_disabled(self, value: ast.expr, scopes: tuple[int, ...] = (0,)) -> bool:
        if _is_none(value):
            return True
        if isinstance(value, ast.Call) and self.qual(value.func) in _TIMEOUT_VALUE_CONSTRUCTORS:
            return _timeout_object_disabled(value)
        if isinstance(value, ast.Name):
            bound = self._resolve(value, scopes, None)
            timeouts = [v for v in bound if isinstance(v, _TimeoutValue | _NoneValue)]
            return (
                bool(timeouts)
                and len(timeouts) == len(bound)
                and all(
                    isinstance(v, _NoneValue) or (isinstance(v, _TimeoutValue) and v.disabled)
                    for v in timeouts
                )
            )
        return False

    def _library_use(
        self, name: str, line: int, kind: str, ctx: _Context, keys: Iterable[str]
    ) -> None:
        for rule in match_symbol(LANGUAGE, name, keys):
            capability = rule.capability
            # one use per file is enough to show a client/framework is in use
            once = capability in _ONCE_PER_FILE
            key = (capability.value, rule.library, 0 if once else line)
            if key in self._use_keys:
                continue
            self._use_keys.add(key)
            if capability is Capability.HEALTH_CHECK:
                grpc = rule.library.startswith("grpc")
                self.found.health.append(
                    Evidence(
                        self.path,
                        line,
                        LANGUAGE,
                        "grpc-health" if grpc else "health-library",
                        name,
                        line_snippet(self.lines, line),
                    )
                )
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
                    startup_only=capability is Capability.RETRY and ctx.startup,
                )
            )

    def _string(self, node: ast.Constant) -> None:
        value = node.value
        assert isinstance(value, str)
        if "retryPolicy" in value and "maxAttempts" in value and _json_retry_policy(value):
            self._plain_use(node.lineno, Capability.RETRY, "grpc service config", "retryPolicy")

    def _settings_strings(self, node: ast.AST) -> None:
        """Library paths in settings (``INSTALLED_APPS``, ``MIDDLEWARE``,
        ``LOGGING``, ``dictConfig(...)``): proof of use there, and only
        there (the same string in a docstring or a lookup table proves
        nothing)."""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                for capability, library in string_rules_in(sub.value):
                    self._plain_use(sub.lineno, capability, library, sub.value, kind="string")

    def _service_config_dict(self, node: ast.Dict) -> None:
        """``{"retryPolicy": {"maxAttempts": 4, ...}}`` built in Python."""
        for key, value in zip(node.keys, node.values, strict=True):
            if (
                isinstance(key, ast.Constant)
                and key.value == "retryPolicy"
                and isinstance(value, ast.Dict)
                and any(
                    isinstance(k, ast.Constant) and k.value == "maxAttempts" for k in value.keys
                )
            ):
                self._plain_use(key.lineno, Capability.RETRY, "grpc service config", "retryPolicy")

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

    def _retry_loop(self, node: ast.For | ast.AsyncFor | ast.While, ctx: _Context) -> None:
        """A hand-written retry: a loop that catches failures and sleeps for
        a growing delay (``delay *= 2``, ``2 ** attempt``, ``base << n``)."""
        sleeps = grows = handles = False
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call) and sub.args and self.qual(sub.func) in _SLEEPS:
                sleeps = True
                grows |= any(
                    isinstance(x, ast.BinOp) and isinstance(x.op, _GROWTH_OPS)
                    for x in ast.walk(sub.args[0])
                )
            elif isinstance(sub, ast.AugAssign) and isinstance(sub.op, _GROWTH_OPS):
                grows = True
            elif isinstance(sub, ast.Try) and sub.handlers:
                handles = True
        if sleeps and grows and handles:
            self._plain_use(
                node.lineno,
                Capability.RETRY,
                "hand-written backoff loop",
                "loop",
                kind="loop",
                detail="a loop that catches failures and sleeps for a growing delay",
                startup_only=ctx.startup,
            )

    def _json_log_formats(self, node: ast.AST) -> None:
        """A stdlib log format that writes JSON: ``logging.Formatter('{"level":
        "%(levelname)s", "msg": "%(message)s"}')``, ``basicConfig(format=...)``
        or a ``"format"`` entry of a dictConfig."""
        for sub in ast.walk(node):
            value = None
            if isinstance(sub, ast.Call) and self.qual(sub.func) in _LOG_FORMAT_CALLS:
                first = sub.args[0] if sub.args else None
                value = next((k.value for k in sub.keywords if k.arg in ("fmt", "format")), first)
                if self.qual(sub.func) == "logging.basicConfig":
                    value = next((k.value for k in sub.keywords if k.arg == "format"), None)
            elif isinstance(sub, ast.Dict):
                for key, item in zip(sub.keys, sub.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "format":
                        value = item
            if (
                isinstance(value, ast.Constant)
                and isinstance(value.value, str)
                and _JSON_LOG_FORMAT.match(value.value)
            ):
                self._plain_use(
                    value.lineno,
                    Capability.STRUCTURED_LOGGING,
                    "logging (JSON format string)",
                    "logging.Formatter",
                    kind="config",
                    detail="the log format is a JSON object",
                )
                return

    def _backoff_schedule(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, ctx: _Context
    ) -> None:
        """A function named for a backoff or retry delay that grows exponentially
        with the attempt (``base * 2 ** attempt``, ``1 << retries``): retries are
        scheduled with it (a job queue's next attempt, a webhook redelivery)."""
        name = node.name.lower()
        if not _BACKOFF_FUNCTION.search(name):
            return
        for sub in ast.walk(node):
            if (
                isinstance(sub, ast.BinOp)
                and isinstance(sub.op, ast.Pow | ast.LShift)
                and any(
                    isinstance(n, ast.Name) and _ATTEMPT_NAME.search(n.id.lower())
                    for n in ast.walk(sub.right)
                )
            ):
                self._plain_use(
                    node.lineno,
                    Capability.RETRY,
                    "hand-written backoff schedule",
                    node.name,
                    kind="function",
                    detail="a backoff delay that grows exponentially with the attempt",
                    startup_only=ctx.startup,
                )
                return

    # ------------------------------------------------------------------ emit
    def _outbound(
        self,
        node: ast.Call,
        library: str,
        api: str,
        has: bool | None,
        source: str | None,
        note: str,
        via: tuple[str, int] | None,
        ctx: _Context,
        kind: str = "http",
    ) -> None:
        self.found.outbound.append(
            OutboundCall(
                path=self.path,
                line=node.lineno,
                end_line=node.end_lineno or node.lineno,
                language=LANGUAGE,
                library=library,
                api=api,
                has_timeout=has,
                timeout_source=source if has else None,
                snippet=line_snippet(self.lines, node.lineno),
                via_client_defined_at=via,
                kind=kind,
                note=note,
            )
        )
        for guard in ctx.guards:
            self.guards[guard].calls += 1

    def _evidence(self, into: list[Evidence], node: ast.AST, kind: str, detail: str) -> None:
        line = getattr(node, "lineno", 1)
        into.append(
            Evidence(self.path, line, LANGUAGE, kind, detail, line_snippet(self.lines, line))
        )

    def _route(self, line: int, framework: str, method: str | None, route: str) -> None:
        self.found.routes.append(
            Route(self.path, line, LANGUAGE, framework, method, route, health_strength(route))
        )

    def _openapi_app(self, node: ast.Call, name: str) -> None:
        framework, keyword, default_url = _OPENAPI_APPS[name]
        served: bool | None = True
        url = default_url
        for kw in node.keywords:
            if keyword and kw.arg == keyword:
                if isinstance(kw.value, ast.Constant):
                    served = bool(kw.value.value)
                    url = kw.value.value if isinstance(kw.value.value, str) else None
                    if keyword == "openapi_config" and kw.value.value is None:
                        served, url = False, None
                else:
                    served, url = (None, None) if keyword != "openapi_config" else (True, url)
        self.found.openapi.append(
            OpenApiApp(
                self.path,
                node.lineno,
                LANGUAGE,
                framework,
                served,
                url if served else None,
                line_snippet(self.lines, node.lineno),
            )
        )

    # ------------------------------------------------------------------ resolution
    def _resolve(
        self, expr: ast.expr, scopes: tuple[int, ...], class_id: int | None, depth: int = 0
    ) -> list[_Value]:
        """Every value ``expr`` may hold (flow-insensitive within its scope).

        After the walk, results are memoised per binding; names bound more
        than ``_MAX_BINDINGS`` times resolve to unknown (generated code)."""
        if depth > 8:
            return [_UNKNOWN]
        values, key = self._lookup(expr, scopes, class_id)
        if not values:
            return []
        if len(values) > _MAX_BINDINGS:
            return [_UNKNOWN]
        memo = self._memo if self._finished and key is not None else None
        if memo is not None and key is not None:
            if key in memo:
                return memo[key]
            memo[key] = [_UNKNOWN]  # a cycle resolves to unknown
        out: list[_Value] = []
        for value in values:
            if isinstance(value, _Alias):
                out.extend(
                    self._resolve(value.expr, value.scopes, value.class_id, depth + 1) or [_UNKNOWN]
                )
            elif isinstance(value, _CallValue):
                out.extend(self._returned(value, depth) or [value])
            else:
                out.append(value)
        if memo is not None and key is not None:
            memo[key] = out
        return out

    def _lookup(
        self, expr: ast.expr, scopes: tuple[int, ...], class_id: int | None
    ) -> tuple[list[_Value] | None, tuple[str, int, str] | None]:
        """The values bound to a name or ``self`` attribute (and the binding
        key), or the value a call constructs."""
        if isinstance(expr, ast.Name):
            for scope in scopes:
                candidate = ("n", scope, expr.id)
                found = self.bindings.get(candidate)
                if found is not None:
                    return found, candidate
            return None, None
        if (
            isinstance(expr, ast.Attribute)
            and isinstance(expr.value, ast.Name)
            and expr.value.id in ("self", "cls")
            and class_id is not None
        ):
            key = ("a", class_id, expr.attr)
            values = self.bindings.get(key)
            if values is None:
                values = self._inherited_attribute(class_id, expr.attr)
            return values, key
        if isinstance(expr, ast.Call):
            return [self._construct(expr, _Context(scopes=scopes, class_id=class_id))], None
        return None, None

    def _returned(self, call: _CallValue, depth: int) -> list[_Value]:
        """What a module function or method of this class returns, when the
        call goes to one: ``self.session = self._make_session()``."""
        if not self._finished:
            return []
        func = call.node.func
        key: tuple[int | None, str] | None = None
        if isinstance(func, ast.Name) and func.id not in self.imports:
            key = (None, func.id)
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls")
            and call.class_id is not None
        ):
            key = (call.class_id, func.attr)
        definition = self.function_defs.get(key) if key is not None else None
        if definition is None:
            return []
        scope, scopes, class_id = definition
        out: list[_Value] = []
        for expr in self.returns.get(scope, [])[:_MAX_BINDINGS]:
            out.extend(self._resolve(expr, scopes, class_id, depth + 1) or [_UNKNOWN])
        return out

    def _inherited_attribute(self, class_id: int, attr: str, depth: int = 0) -> list[_Value] | None:
        """Attributes set by a base class defined in the same module."""
        info = self.class_by_id.get(class_id)
        if info is None or depth > 5:
            return None
        for base in info.bases:
            base_info = self.classes.get(base)
            if base_info is None:
                continue
            found = self.bindings.get(("a", base_info.class_id, attr))
            if found is None:
                found = self._inherited_attribute(base_info.class_id, attr, depth + 1)
            if found is not None:
                return found
        return None

    def _clients(self, values: list[_Value]) -> tuple[list[_Client], bool]:
        """The clients among ``values``; the flag is True when some other,
        unknown value may also be there."""
        clients = [v for v in values if isinstance(v, _Client)]
        others = [v for v in values if not isinstance(v, _Client | _NoneValue | _TimeoutValue)]
        return clients, bool(others)

    def _finish(self) -> None:
        self._finished = True
        self._apply_mutations()
        for pending in self.pending:
            self._resolve_pending(pending)
        for node, name, ctx in self.name_calls:
            self._resolve_name_call(node, name, ctx)
        self._finish_routes()
        self._finish_runs()
        self._finish_signals()
        for guard in self.guards:
            values = self._resolve(guard.expr, guard.ctx.scopes, guard.ctx.class_id)
            clients, _ = self._clients(values)
            if clients and all(c.spec.kind == "semaphore" for c in clients):
                detail = "around outbound calls" if guard.calls else "bounds concurrency"
                self._semaphore_use(guard.line, clients[0].spec, detail)

    def _semaphore_use(self, line: int, spec: _Spec, detail: str) -> None:
        """A semaphore in use: a bulkhead (concurrency limit), which is how
        ``res.rate-limiting`` counts load limits inside the service."""
        name = f"{spec.library}.{spec.api}"
        self._plain_use(line, Capability.RATE_LIMIT, name, name, kind="guard", detail=detail)

    def _apply_mutations(self) -> None:
        for attr, receiver, value, ctx in self.mutations:
            clients, _ = self._clients(self._resolve(receiver, ctx.scopes, ctx.class_id))
            for client in clients:
                if client.spec.kind != "http":
                    continue
                if attr == "mount":
                    self._mount(client, value, ctx)
                elif attr == "timeout":
                    if client.spec.library == "requests":
                        if client.timeout is False:
                            client.note = "requests ignores Session.timeout; pass timeout= per call"
                    elif self._timeout_disabled(value, ctx.scopes):
                        client.timeout, client.source = False, None
                        client.note = "timeout set to None"
                    else:
                        client.timeout, client.source = True, "client"
                elif attr in ("request", "send"):
                    sets = (
                        isinstance(value, ast.Call)
                        and self.qual(value.func) in _PARTIAL
                        and self._timeout_argument(value, None, ctx.scopes, skip_positional=True)
                        == "set"
                    )
                    if sets:
                        client.timeout, client.source = True, "wrapper"
                    elif client.timeout is False:
                        client.timeout, client.note = None, f"{attr} is replaced by a wrapper"

    def _mount(self, client: _Client, adapter: ast.expr, ctx: _Context) -> None:
        verdict = self._adapter(adapter, ctx, 0)
        if verdict == "timeout":
            client.timeout, client.source = True, "wrapper"
            client.note = "mounted adapter sets a timeout"
        elif verdict == "unknown" and client.timeout is False:
            client.timeout, client.note = None, "a custom adapter is mounted"

    def _adapter(self, expr: ast.expr, ctx: _Context, depth: int) -> str:
        """``timeout`` (sets one), ``plain`` (does not) or ``unknown``."""
        if depth > 4:
            return "unknown"
        if isinstance(expr, ast.Call):
            if any(k.arg == "timeout" for k in expr.keywords):
                return "timeout"
            name = self.qual(expr.func)
            if name in _HTTP_ADAPTER:
                return "plain"
            local = expr.func.id if isinstance(expr.func, ast.Name) else None
            info = self.classes.get(local or "")
            if info is not None and any(b.endswith("HTTPAdapter") for b in info.bases):
                return "timeout" if info.mentions_timeout else "plain"
            label = name or local or ""
            return "timeout" if "timeout" in label.lower() else "unknown"
        if isinstance(expr, ast.Name | ast.Attribute):
            values = self._resolve(expr, ctx.scopes, ctx.class_id)
            calls = [v for v in values if isinstance(v, _CallValue)]
            if calls and len(calls) == len(values):
                verdicts = {self._adapter(c.node, ctx, depth + 1) for c in calls}
                return verdicts.pop() if len(verdicts) == 1 else "unknown"
            return "unknown"
        return "unknown"

    def _resolve_pending(self, pending: _Pending) -> None:
        receiver = pending.receiver
        node = pending.node
        ctx = pending.ctx
        # stub.Method.future(...) / stub.Method.with_call(...)
        if pending.method in ("future", "with_call") and isinstance(receiver, ast.Attribute):
            stub_values = self._resolve(receiver.value, ctx.scopes, ctx.class_id)
            stubs, _ = self._clients(stub_values)
            if stubs and all(s.spec.kind == "grpc-stub" for s in stubs):
                self._stub_call(node, receiver.attr, stubs[0], ctx)
                return
        values = self._resolve(receiver, ctx.scopes, ctx.class_id)
        clients, mixed = self._clients(values)
        if not clients:
            return
        spec = clients[0].spec
        if any(c.spec.library != spec.library or c.spec.kind != spec.kind for c in clients):
            return
        if spec.kind == "grpc-stub":
            if not pending.method.startswith("_"):
                self._stub_call(node, pending.method, clients[0], ctx)
            return
        if spec.kind == "semaphore":
            if pending.method == "acquire" and not mixed:
                self._semaphore_use(node.lineno, spec, "bounds concurrency (acquire/release)")
            return
        if spec.kind not in ("http", "opener") or pending.method not in spec.methods:
            return
        positional = 2 if spec.kind == "opener" else None
        state = self._timeout_argument(node, positional, ctx.scopes)
        api = f"{spec.api}.{pending.method}"
        via = (self.path, clients[0].line)
        if state == "set":
            self._outbound(node, spec.library, api, True, "call", "", via, ctx)
            return
        if state == "disabled":
            self._outbound(node, spec.library, api, False, None, "timeout=None", via, ctx)
            return
        merged = _merge(clients)
        if mixed and merged[0] is not True:
            merged = (None, None, "the client may be created elsewhere")
        has, source, note = merged
        if state == "unknown" and has is False:
            has, note = None, "timeout may come from **kwargs"
        self._outbound(node, spec.library, api, has, source, note, via, ctx)

    def _stub_call(self, node: ast.Call, method: str, stub: _Client, ctx: _Context) -> None:
        state = self._timeout_argument(node, 1, ctx.scopes)
        has, _source, note = _verdict(state, False)
        if has is False:
            note = "pass timeout= to every gRPC call"
        self._outbound(
            node,
            "grpc",
            f"grpc stub.{method}",
            has,
            "call",
            note,
            (self.path, stub.line),
            ctx,
            kind="grpc",
        )

    def _resolve_name_call(self, node: ast.Call, name: str, ctx: _Context) -> None:
        values = self._resolve(ast.Name(id=name), ctx.scopes, ctx.class_id)
        clients, mixed = self._clients(values)
        partials = [c for c in clients if c.spec.kind == "partial"]
        if not partials or mixed or len(partials) != len(clients):
            return
        wrapper = partials[0]
        state = self._timeout_argument(node, None, ctx.scopes)
        wrapped_state = wrapper.call_timeout if state == "absent" else state
        via = (self.path, wrapper.line)
        if wrapper.target in _MODULE_CALLS:
            library, default, _kind, _ = _MODULE_CALLS[wrapper.target]
            has, source, note = _verdict(wrapped_state, default)
            if source == "call" and state == "absent":
                source = "wrapper"
            self._outbound(node, library, wrapper.spec.api, has, source, note, via, ctx)
            return
        if wrapper.receiver is None:
            return
        receiver = wrapper.receiver
        sessions, unknown = self._clients(
            self._resolve(receiver.expr, receiver.scopes, receiver.class_id)
        )
        if not sessions or any(c.spec.kind != "http" for c in sessions):
            return
        spec = sessions[0].spec
        if wrapper.target not in spec.methods:
            return
        api = f"functools.partial({spec.api}.{wrapper.target})"
        if wrapped_state in ("set", "disabled"):
            has, source, note = _verdict(wrapped_state, False)
            if source == "call" and state == "absent":
                source = "wrapper"
        else:
            has, source, note = _merge(sessions)
            if unknown and has is not True:
                has, source, note = None, None, "the client may be created elsewhere"
        self._outbound(
            node, spec.library, api, has, source, note, (self.path, sessions[0].line), ctx
        )

    def _finish_routes(self) -> None:
        for receiver, verb, route, line, framework, ctx in self.pending_routes:
            values = self._resolve(receiver, ctx.scopes, ctx.class_id)
            apps = [v for v in values if isinstance(v, _Client) and v.spec.kind == "app"]
            clients = [v for v in values if isinstance(v, _Client) and v.spec.kind != "app"]
            if clients:
                continue  # session.get("/path"): a client call, not a route
            chosen = apps[0].spec.framework if apps else (framework or "unknown")
            self._route(line, chosen, verb, route)

    def _finish_runs(self) -> None:
        for receiver, node, ctx in self.pending_runs:
            values = self._resolve(receiver, ctx.scopes, ctx.class_id)
            apps = [v for v in values if isinstance(v, _Client) and v.spec.kind == "app"]
            if apps:
                self._evidence(
                    self.found.entrypoints, node, "server-run", f"{apps[0].spec.api}.run"
                )

    def _finish_signals(self) -> None:
        for node, signal_arg in self.signal_calls:
            name = self.qual(signal_arg)
            if name in _SIGTERM or (
                isinstance(signal_arg, ast.Name) and self.mentions_sigterm and name is None
            ):
                self._evidence(self.found.shutdown, node, "signal-handler", "SIGTERM")


# ---------------------------------------------------------------------- helpers


def _json_retry_policy(value: str) -> bool:
    """A JSON document (a gRPC service config) holding a ``retryPolicy`` with
    ``maxAttempts``; prose that mentions both words (a docstring) is not one."""
    try:
        document = json.loads(value)
    except (ValueError, RecursionError):
        return False
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            policy = item.get("retryPolicy")
            if isinstance(policy, dict) and "maxAttempts" in policy:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


_SCALAR_FIELDS = frozenset(
    {
        "ctx",
        "id",
        "attr",
        "arg",
        "module",
        "level",
        "kind",
        "conversion",
        "is_async",
        "type_comment",
        "name",
        "asname",
        "names",
        "op",
        "ops",
        "simple",
        "tag",
        "type_ignores",
    }
)


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _push_children(node: ast.AST, kind: type, push: Callable[[ast.AST], None]) -> None:
    for name in _child_fields(kind):
        value = getattr(node, name, None)
        if type(value) is list:
            for item in value:
                if isinstance(item, ast.AST):
                    push(item)
        elif isinstance(value, ast.AST):
            push(value)


def _child_fields(cls: type) -> tuple[str, ...]:
    """The fields of an AST class that may hold nodes worth visiting (cached)."""
    fields = _CHILD_FIELDS.get(cls)
    if fields is None:
        names = () if cls is ast.Constant else getattr(cls, "_fields", ())
        fields = tuple(f for f in names if f not in _SCALAR_FIELDS)
        _CHILD_FIELDS[cls] = fields
    return fields


def _merge(clients: list[_Client]) -> tuple[bool | None, str | None, str]:
    states = {c.timeout for c in clients}
    if states == {True}:
        return True, clients[0].source, clients[0].note
    if states == {False}:
        return False, None, next((c.note for c in clients if c.note), "")
    return None, None, next((c.note for c in clients if c.note), "")


def _verdict(state: str, default: bool) -> tuple[bool | None, str | None, str]:
    if state == "set":
        return True, "call", ""
    if state == "disabled":
        return False, None, "timeout=None disables the timeout"
    if state == "unknown":
        return (True, "default", "") if default else (None, None, "timeout may come from **kwargs")
    if default:
        return True, "default", ""
    return False, None, ""


def _timeout_object_disabled(call: ast.Call) -> bool:
    """``httpx.Timeout(None)``, ``aiohttp.ClientTimeout()`` or
    ``ClientTimeout(total=None)``: every bound left unset."""
    values = [*call.args, *(k.value for k in call.keywords)]
    if any(k.arg is None for k in call.keywords):
        return False
    return all(_is_none(v) for v in values)


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _mentions_timeout(node: ast.ClassDef) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name | ast.arg) and "timeout" in (
            sub.id if isinstance(sub, ast.Name) else sub.arg
        ):
            return True
        if isinstance(sub, ast.Attribute) and "timeout" in sub.attr:
            return True
        if isinstance(sub, ast.keyword) and sub.arg and "timeout" in sub.arg:
            return True
        if isinstance(sub, ast.Constant) and sub.value == "timeout":
            return True
    return False


def _known_module(name: str) -> bool:
    """Module-level functions are handled directly; methods of imported
    *objects* (``module.session.get``) still go through binding resolution."""
    return name in _MODULE_CALLS or name.split(".", 1)[0] in (
        "requests",
        "httpx",
        "aiohttp",
        "urllib3",
        "urllib",
        "grpc",
    )


def _normalise(name: str) -> str:
    """``prodready.http._client.Client`` -> ``prodready.http.Client``."""
    if name.startswith("prodready.http.") and "._" in name:
        return "prodready.http." + name.rsplit(".", 1)[1]
    return name


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def _module_level_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If | ast.Try):
            yield from _module_level_statements(stmt.body)
            yield from _module_level_statements(stmt.orelse)
            if isinstance(stmt, ast.Try):
                for handler in stmt.handlers:
                    yield from _module_level_statements(handler.body)


def _string_arg(call: ast.Call, index: int, keywords: tuple[str, ...]) -> str | None:
    if len(call.args) > index:
        value = call.args[index]
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
        return None
    for kw in call.keywords:
        if kw.arg in keywords and isinstance(kw.value, ast.Constant):
            return kw.value.value if isinstance(kw.value.value, str) else None
    return None


def _route_tail(node: ast.expr) -> str | None:
    """``PREFIX + "/healthz"`` or ``f"{PREFIX}/healthz"``: the literal tail names
    the route (the prefix is only known at run time)."""
    tail: ast.expr | None = None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        tail = node.right
    elif isinstance(node, ast.JoinedStr) and node.values:
        tail = node.values[-1]
    if isinstance(tail, ast.Constant) and isinstance(tail.value, str):
        return tail.value if tail.value.startswith("/") else None
    return None


def _route_arg(call: ast.Call, index: int, keywords: tuple[str, ...]) -> str | None:
    """A route argument: a string, or a runtime prefix plus a literal tail."""
    found = _string_arg(call, index, keywords)
    if found is not None:
        return found
    if len(call.args) > index:
        return _route_tail(call.args[index])
    for kw in call.keywords:
        if kw.arg in keywords:
            return _route_tail(kw.value)
    return None


def _first_string(call: ast.Call, keywords: tuple[str, ...]) -> str | None:
    return _string_arg(call, 0, keywords)


def _keyword_string(call: ast.Call, name: str) -> str | None:
    for kw in call.keywords:
        if (
            kw.arg == name
            and isinstance(kw.value, ast.Constant)
            and isinstance(kw.value.value, str)
        ):
            return kw.value.value
    return None


def _keyword_strings(call: ast.Call, name: str) -> list[str]:
    for kw in call.keywords:
        if kw.arg == name and isinstance(kw.value, ast.List | ast.Tuple | ast.Set):
            return [
                e.value
                for e in kw.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
    return []


def _looks_like_route(route: str) -> bool:
    return route.startswith("/") or route == ""


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""
