"""Outbound calls and their timeout verdicts in Python code (``analyze_python``)."""

from __future__ import annotations

import textwrap

import pytest

from prodready.scan.facts.code_model import OutboundCall
from prodready.scan.facts.python_source import analyze_python


def calls(source: str) -> list[OutboundCall]:
    facts = analyze_python("svc/app.py", textwrap.dedent(source))
    assert facts.problems == ()
    return list(facts.outbound_calls)


def verdicts(source: str) -> list[tuple[int, str, bool | None]]:
    return [(c.line, c.api, c.has_timeout) for c in calls(source)]


# --------------------------------------------------------------------------- requests


def test_requests_module_functions_with_and_without_timeout() -> None:
    found = verdicts(
        """\
        import requests

        requests.get("https://api")
        requests.post("https://api", json={}, timeout=5)
        requests.request("GET", "https://api")
        requests.delete("https://api", timeout=(1, 5))
        """
    )
    assert found == [
        (3, "requests.get", False),
        (4, "requests.post", True),
        (5, "requests.request", False),
        (6, "requests.delete", True),
    ]


def test_aliases_are_followed() -> None:
    found = verdicts(
        """\
        import requests as r
        from requests import get as fetch, post

        r.get("u")
        fetch("u")
        post("u", timeout=3)
        """
    )
    assert found == [
        (4, "requests.get", False),
        (5, "requests.get", False),
        (6, "requests.post", True),
    ]


def test_timeout_none_is_a_finding_and_kwargs_are_unknown() -> None:
    found = calls(
        """\
        import requests

        def a(**kwargs):
            requests.get("u", timeout=None)
            requests.get("u", **kwargs)
        """
    )
    assert [(c.has_timeout, c.line) for c in found] == [(False, 4), (None, 5)]
    assert "None" in found[0].note
    assert "kwargs" in found[1].note


def test_session_methods_in_local_with_and_module_scope() -> None:
    found = calls(
        """\
        import requests

        def use_module_session():
            return SESSION.get("u")

        SESSION = requests.Session()

        def local():
            s = requests.Session()
            s.get("u")
            s.request("POST", "u", timeout=2)

        def with_block():
            with requests.Session() as session:
                session.put("u")
        """
    )
    assert [(c.line, c.api, c.has_timeout) for c in found] == [
        (4, "requests.Session.get", False),
        (10, "requests.Session.get", False),
        (11, "requests.Session.request", True),
        (15, "requests.Session.put", False),
    ]
    assert found[0].via_client_defined_at == ("svc/app.py", 6)
    assert found[3].via_client_defined_at == ("svc/app.py", 14)


def test_session_on_self_used_in_another_method_and_inherited() -> None:
    found = verdicts(
        """\
        import requests

        class Base:
            def __init__(self):
                self._session = None
                self.http = requests.Session()

            def fetch(self):
                return self.http.get("u")

            def lazy(self):
                if self._session is None:
                    self._session = requests.Session()
                return self._session.get("u", timeout=1)

        class Child(Base):
            def other(self):
                return self.http.post("u")
        """
    )
    assert found == [
        (9, "requests.Session.get", False),
        (14, "requests.Session.get", True),
        (18, "requests.Session.post", False),
    ]


def test_class_level_session_attribute() -> None:
    found = verdicts(
        """\
        import requests

        class Client:
            session = requests.Session()

            def go(self):
                return self.session.get("u")
        """
    )
    assert found == [(7, "requests.Session.get", False)]


def test_adapter_that_sets_a_timeout_makes_session_calls_bounded() -> None:
    found = calls(
        """\
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        class TimeoutHTTPAdapter(HTTPAdapter):
            def __init__(self, *args, timeout=5, **kwargs):
                self.timeout = timeout
                super().__init__(*args, **kwargs)

            def send(self, request, **kwargs):
                kwargs.setdefault("timeout", self.timeout)
                return super().send(request, **kwargs)

        def bounded():
            s = requests.Session()
            s.mount("https://", TimeoutHTTPAdapter(max_retries=Retry(total=3, backoff_factor=1)))
            return s.get("u")

        def retries_only():
            s = requests.Session()
            adapter = HTTPAdapter(max_retries=Retry(total=3))
            s.mount("https://", adapter)
            return s.get("u")
        """
    )
    assert [(c.line, c.has_timeout, c.timeout_source) for c in found] == [
        (17, True, "wrapper"),
        (23, False, None),
    ]


def test_imported_custom_adapter_is_unknown_not_a_finding() -> None:
    found = verdicts(
        """\
        import requests
        from ourlib.http import ResilientAdapter, TimeoutAdapter

        s = requests.Session()
        s.mount("https://", ResilientAdapter())
        s.get("u")
        t = requests.Session()
        t.mount("https://", TimeoutAdapter())
        t.get("u")
        """
    )
    assert found == [(6, "requests.Session.get", None), (9, "requests.Session.get", True)]


def test_request_replaced_by_partial_with_timeout() -> None:
    found = calls(
        """\
        import functools
        import requests

        s = requests.Session()
        s.request = functools.partial(s.request, timeout=10)
        s.get("u")
        """
    )
    assert [(c.has_timeout, c.timeout_source) for c in found] == [(True, "wrapper")]


def test_session_timeout_attribute_is_ignored_by_requests() -> None:
    found = calls(
        """\
        import requests

        s = requests.Session()
        s.timeout = 5
        s.get("u")
        """
    )
    assert found[0].has_timeout is False
    assert "ignores Session.timeout" in found[0].note


def test_session_subclass_defined_in_module() -> None:
    found = verdicts(
        """\
        import requests

        class TimeoutSession(requests.Session):
            def request(self, method, url, **kwargs):
                kwargs.setdefault("timeout", 5)
                return super().request(method, url, **kwargs)

        class PlainSession(requests.Session):
            pass

        TimeoutSession().get("u")
        PlainSession().get("u")
        """
    )
    assert found == [(11, "requests.Session.get", True), (12, "requests.Session.get", False)]


def test_functools_partial_wrappers() -> None:
    found = calls(
        """\
        import functools
        import requests
        from functools import partial

        fetch = functools.partial(requests.get, timeout=5)
        bare = partial(requests.get)
        session = requests.Session()
        sget = partial(session.get, timeout=2)

        fetch("u")
        bare("u")
        bare("u", timeout=1)
        sget("u")
        """
    )
    assert [(c.line, c.has_timeout, c.timeout_source) for c in found] == [
        (10, True, "wrapper"),
        (11, False, None),
        (12, True, "call"),
        (13, True, "wrapper"),
    ]


def test_annotated_parameter_client_is_unknown() -> None:
    found = verdicts(
        """\
        import requests
        import httpx

        def f(session: requests.Session, client: "httpx.Client | None" = None):
            session.get("u")
            client.get("u")
        """
    )
    assert found == [(5, "requests.Session.get", None), (6, "httpx.Client.get", None)]


def test_unknown_receivers_and_non_http_get_are_ignored() -> None:
    assert (
        calls(
            """\
        import os
        import requests

        def f(cache, make_session):
            d = {}
            d.get("x")
            os.environ.get("HOME")
            cache.get("k")
            s = make_session()
            s.get("u")
            requests.get  # a reference, not a call
        """
        )
        == []
    )


def test_reassigned_to_unknown_gives_unknown() -> None:
    found = verdicts(
        """\
        import requests

        def f(factory):
            s = requests.Session()
            if factory:
                s = factory()
            return s.get("u")
        """
    )
    assert found == [(7, "requests.Session.get", None)]


# --------------------------------------------------------------------------- httpx


def test_httpx_defaults_to_a_timeout_unless_disabled() -> None:
    found = calls(
        """\
        import httpx
        from httpx import Client, AsyncClient

        httpx.get("u")
        httpx.get("u", timeout=None)
        default = Client()
        default.get("u")
        off = httpx.Client(timeout=None)
        off.get("u")
        off.get("u", timeout=3)
        object_off = httpx.Client(timeout=httpx.Timeout(None))
        object_off.post("u")
        partial = httpx.Client(timeout=httpx.Timeout(None, connect=2))
        partial.get("u")

        async def g():
            async with AsyncClient(timeout=None) as client:
                await client.get("u")
        """
    )
    assert [(c.line, c.api, c.has_timeout, c.timeout_source) for c in found] == [
        (4, "httpx.get", True, "default"),
        (5, "httpx.get", False, None),
        (7, "httpx.Client.get", True, "default"),
        (9, "httpx.Client.get", False, None),
        (10, "httpx.Client.get", True, "call"),
        (12, "httpx.Client.post", False, None),
        (14, "httpx.Client.get", True, "client"),
        (18, "httpx.AsyncClient.get", False, None),
    ]


def test_httpx_client_timeout_mutation() -> None:
    found = verdicts(
        """\
        import httpx

        c = httpx.Client()
        c.timeout = None
        c.get("u")
        """
    )
    assert found == [(5, "httpx.Client.get", False)]


def test_prodready_http_clients_are_resilient_by_default() -> None:
    found = verdicts(
        """\
        from prodready.http import Client, AsyncClient, Retry

        c = Client(retry=Retry(attempts=3))
        c.get("u")
        n = AsyncClient(timeout=None)
        n.get("u")
        """
    )
    assert found == [
        (4, "prodready.http.Client.get", True),
        (6, "prodready.http.AsyncClient.get", False),
    ]


# --------------------------------------------------------------------------- aiohttp


def test_aiohttp_session_timeouts() -> None:
    found = calls(
        """\
        import aiohttp

        async def main():
            async with aiohttp.ClientSession() as s:
                await s.get("u")
                await s.get("u", timeout=aiohttp.ClientTimeout(total=3))
            forever = aiohttp.ClientTimeout(total=None)
            async with aiohttp.ClientSession(timeout=forever) as s2:
                await s2.get("u")
            bounded = aiohttp.ClientTimeout(total=10)
            async with aiohttp.ClientSession(timeout=bounded) as s3:
                await s3.post("u")
                await s3.post("u", timeout=aiohttp.ClientTimeout(total=None))
            await aiohttp.request("GET", "u")
        """
    )
    assert [(c.line, c.has_timeout) for c in found] == [
        (5, False),
        (6, True),
        (9, False),
        (12, True),
        (13, False),
        (14, False),
    ]
    assert "5 minute" in found[0].note


# ------------------------------------------------------------ stdlib, urllib3, grpc, db


def test_urllib3_urllib_and_http_client() -> None:
    found = verdicts(
        """\
        import urllib3
        import urllib.request
        import http.client
        from urllib.request import urlopen

        pool = urllib3.PoolManager()
        pool.request("GET", "u")
        bounded = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2.0, read=5.0))
        bounded.request("GET", "u")
        urllib.request.urlopen("u")
        urlopen("u", None, 10)
        urlopen("u", timeout=3)
        http.client.HTTPConnection("host")
        http.client.HTTPConnection("host", 80, 5)
        http.client.HTTPSConnection("host", timeout=5)
        opener = urllib.request.build_opener()
        opener.open("u")
        """
    )
    assert found == [
        (7, "urllib3.PoolManager.request", False),
        (9, "urllib3.PoolManager.request", True),
        (10, "urllib.request.urlopen", False),
        (11, "urllib.request.urlopen", True),
        (12, "urllib.request.urlopen", True),
        (13, "http.client.HTTPConnection", False),
        (14, "http.client.HTTPConnection", True),
        (15, "http.client.HTTPSConnection", True),
        (17, "urllib.request.OpenerDirector.open", False),
    ]


def test_grpc_stub_calls_need_a_timeout() -> None:
    found = calls(
        """\
        import grpc
        from app.proto import users_pb2_grpc

        class Users:
            def __init__(self, target):
                channel = grpc.insecure_channel(target)
                self.stub = users_pb2_grpc.UsersStub(channel)

            def get(self, req):
                return self.stub.GetUser(req)

            def bounded(self, req):
                return self.stub.GetUser(req, timeout=2)

            def positional(self, req):
                return self.stub.ListUsers(req, 5)

            def future(self, req):
                return self.stub.GetUser.future(req)
        """
    )
    assert [(c.line, c.api, c.has_timeout, c.kind) for c in found] == [
        (10, "grpc stub.GetUser", False, "grpc"),
        (13, "grpc stub.GetUser", True, "grpc"),
        (16, "grpc stub.ListUsers", True, "grpc"),
        (19, "grpc stub.GetUser", False, "grpc"),
    ]


def test_database_clients_are_low_severity() -> None:
    found = calls(
        """\
        import psycopg
        import psycopg2
        import redis

        psycopg.connect("dbname=x connect_timeout=5")
        psycopg.connect(host="db", dbname="x")
        psycopg2.connect(settings_dsn)
        redis.Redis(host="cache")
        redis.Redis(host="cache", socket_timeout=2)
        redis.from_url("redis://cache:6379/0")
        """
    )
    assert [(c.line, c.library, c.has_timeout) for c in found] == [
        (5, "psycopg", True),
        (6, "psycopg", False),
        (7, "psycopg2", None),
        (8, "redis", False),
        (9, "redis", True),
        (10, "redis", False),
    ]
    assert {c.severity for c in found} == {"low"}
    assert {c.kind for c in found} == {"db"}


# --------------------------------------------------------------------------- robustness


def test_syntax_error_is_a_problem_not_an_exception() -> None:
    facts = analyze_python("bad.py", "def broken(:\n    pass\n")
    assert facts.outbound_calls == ()
    assert len(facts.problems) == 1
    assert facts.problems[0].line == 1
    assert "syntax" in facts.problems[0].message.lower()


def test_invalid_escape_sequence_warning_does_not_fail() -> None:
    facts = analyze_python("w.py", 'import re\nPATTERN = "\\d+"\n')
    assert facts.problems == ()


def test_long_expression_chain_is_walked_without_recursion() -> None:
    source = "import requests\nx = " + " + ".join(["1"] * 2_000) + "\nrequests.get('u')\n"
    facts = analyze_python("long.py", source)
    assert [c.line for c in facts.outbound_calls] == [3]


def test_too_deep_for_the_parser_is_a_problem() -> None:
    source = "x = " + " + ".join(["1"] * 50_000) + "\n"
    facts = analyze_python("deep.py", source)
    assert facts.outbound_calls == ()
    assert len(facts.problems) == 1


def test_pre_parsed_tree_gives_the_same_answer() -> None:
    import ast

    source = "import requests\nrequests.get('u')\n"
    assert analyze_python("a.py", source, ast.parse(source)) == analyze_python("a.py", source)


def test_snippet_and_end_line() -> None:
    (call,) = calls(
        """\
        import requests

        requests.get(
            "https://api",
        )
        """
    )
    assert call.line == 3
    assert call.end_line == 5
    assert call.snippet == "requests.get("
    assert call.language == "python"
    assert call.library == "requests"


@pytest.mark.parametrize(
    "source",
    [
        "import requests\nrequests.get('u', timeout=settings.TIMEOUT)\n",
        "import requests\nT = 5\nrequests.get('u', timeout=T)\n",
    ],
)
def test_any_non_none_timeout_expression_counts(source: str) -> None:
    facts = analyze_python("t.py", source)
    assert [c.has_timeout for c in facts.outbound_calls] == [True]


def test_name_bound_to_none_timeout_is_disabled() -> None:
    facts = analyze_python("t.py", "import requests\nT = None\nrequests.get('u', timeout=T)\n")
    assert [c.has_timeout for c in facts.outbound_calls] == [False]


def test_clients_returned_by_module_functions_and_methods() -> None:
    found = calls(
        """\
        import requests
        from requests.adapters import HTTPAdapter

        class TimeoutAdapter(HTTPAdapter):
            def send(self, request, **kwargs):
                kwargs.setdefault("timeout", 5)
                return super().send(request, **kwargs)

        def make_session():
            session = requests.Session()
            session.mount("https://", TimeoutAdapter())
            return session

        class Api:
            def __init__(self):
                self.http = self._build()
                self.bounded = make_session()

            def _build(self):
                return requests.Session()

            def a(self):
                return self.http.get("u")

            def b(self):
                return self.bounded.get("u")

        def c():
            return make_session().post("u")
        """
    )
    assert [(c.line, c.has_timeout, c.via_client_defined_at) for c in found] == [
        (23, False, ("svc/app.py", 20)),
        (26, True, ("svc/app.py", 10)),
        (29, True, ("svc/app.py", 10)),
    ]


def test_unknown_factory_stays_silent() -> None:
    assert (
        calls(
            """\
        from ourlib import make_session

        class Api:
            def __init__(self):
                self.http = make_session()

            def a(self):
                return self.http.get("u")
        """
        )
        == []
    )


def test_a_route_behind_a_runtime_prefix_is_named_by_its_literal_tail() -> None:
    source = textwrap.dedent(
        """
        import requests
        from fastapi import FastAPI

        app = FastAPI()

        @app.get(PREFIX + "/healthz")
        def healthz(): ...

        @app.get(f"{PREFIX}/readyz")
        def readyz(): ...

        @app.get(PREFIX + suffix)
        def unknown(): ...

        app.add_api_route(PREFIX + "/livez", healthz)

        def call():
            requests.get(BASE + "/health", timeout=1)
        """
    )
    routes = analyze_python("app/main.py", source).routes
    assert [(r.route, r.health) for r in routes] == [
        ("/healthz", "strong"),
        ("/readyz", "strong"),
        ("/livez", "strong"),
    ]


def test_a_hand_written_health_middleware_is_a_health_route() -> None:
    """saleor: ``application = health_check(application, "/health/")``."""
    source = textwrap.dedent(
        """
        from django.core.asgi import get_asgi_application
        from .health_check import health_check

        application = health_check(get_asgi_application(), "/health/")
        status = fetch_health_report("/api/report")
        """
    )
    routes = analyze_python("shop/asgi/__init__.py", source).routes
    assert [(r.route, r.health, r.framework) for r in routes] == [
        ("/health/", "strong", "middleware")
    ]
