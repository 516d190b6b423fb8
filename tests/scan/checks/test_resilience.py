"""The res.* checks on small in-memory repositories: Python (ast), Go (tree-sitter),
JavaScript/TypeScript and Java, services and libraries, and the tricky cases of the
check-catalogue issue (aliases, wrapped clients, excluded code, start-up retries,
declared-but-unused libraries, mesh policies)."""

from __future__ import annotations

import pytest

from prodready.scan.checks.resilience import (
    judge_circuit_breaker,
    judge_graceful_shutdown,
    judge_health_endpoint,
    judge_rate_limiting,
    judge_retries,
    judge_timeouts,
)
from prodready.scan.model import Outcome, Severity
from tests.scan.conftest import FASTAPI_APP, SPRING_BOOT_APP, located, service_facts, verdict_of


def judge(
    files: dict[str, str],
) -> tuple[Outcome, float | None, list[tuple[str | None, int | None]]]:
    verdict = verdict_of(judge_health_endpoint, files)
    return verdict.outcome, verdict.score, located(verdict)


@pytest.mark.parametrize(
    "source",
    [
        'from fastapi import FastAPI\napp = FastAPI()\n\n@app.get("/healthz")\n'
        "def h():\n    return {}\n",
        'from flask import Flask\napp = Flask(__name__)\n\n@app.route("/health")\n'
        'def h():\n    return "ok"\n',
        "from aiohttp import web\n\nasync def h(r):\n    return web.Response()\n\n"
        'app = web.Application()\napp.router.add_get("/readyz", h)\n',
    ],
)
def test_python_frameworks_with_a_health_route_pass(source: str) -> None:
    assert judge({"app.py": source})[0] is Outcome.PASS


def test_django_urlconf() -> None:
    outcome, _, _ = judge(
        {
            "shop/urls.py": "from django.urls import path\nfrom shop import views\n\n"
            'urlpatterns = [path("livez", views.live), path("orders/", views.orders)]\n',
            "manage.py": "import sys\n"
            "from django.core.management import execute_from_command_line\n"
            "execute_from_command_line(sys.argv)\n",
        }
    )
    assert outcome is Outcome.PASS


def test_go_net_http_and_gin() -> None:
    nethttp = (
        'package main\n\nimport "net/http"\n\nfunc main() {\n'
        '\thttp.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {})\n'
        '\thttp.ListenAndServe(":8080", nil)\n}\n'
    )
    assert judge({"main.go": nethttp})[0] is Outcome.PASS
    gin = (
        'package main\n\nimport "github.com/gin-gonic/gin"\n\nfunc main() {\n'
        '\tr := gin.Default()\n\tr.GET("/livez", func(c *gin.Context) {})\n\tr.Run()\n}\n'
    )
    assert judge({"main.go": gin})[0] is Outcome.PASS


def test_go_grpc_health_service() -> None:
    source = (
        "package main\n\nimport (\n"
        '\t"google.golang.org/grpc"\n'
        '\t"google.golang.org/grpc/health"\n'
        '\thealthpb "google.golang.org/grpc/health/grpc_health_v1"\n)\n\n'
        "func main() {\n\ts := grpc.NewServer()\n"
        "\thealthpb.RegisterHealthServer(s, health.NewServer())\n}\n"
    )
    assert judge({"main.go": source})[0] is Outcome.PASS


def test_a_server_without_health_fails_at_its_entry_point() -> None:
    source = (
        'package main\n\nimport "net/http"\n\nfunc main() {\n'
        '\thttp.HandleFunc("/orders", nil)\n\thttp.ListenAndServe(":8080", nil)\n}\n'
    )
    outcome, score, where = judge({"cmd/api/main.go": source})
    assert (outcome, score) == (Outcome.FAIL, 0.0)
    assert where == [("cmd/api/main.go", 7)]


def test_only_a_ping_route_is_half_way() -> None:
    source = (
        'from flask import Flask\napp = Flask(__name__)\n\n@app.route("/ping")\n'
        'def p():\n    return "pong"\n'
    )
    outcome, score, where = judge({"app.py": source})
    assert (outcome, score) == (Outcome.FAIL, 5.0)
    assert where == [("app.py", 4)]


def test_libraries_and_health_routes_in_tests_only() -> None:
    assert judge({"lib/util.py": "def add(a, b):\n    return a + b\n"})[0] is Outcome.NOT_APPLICABLE
    test_only = {
        "tests/test_app.py": "from fastapi import FastAPI\napp = FastAPI()\n\n"
        '@app.get("/healthz")\ndef h():\n    return {}\n'
    }
    assert judge(test_only)[0] is Outcome.NOT_APPLICABLE


def test_a_fake_server_in_behave_hooks_is_test_code() -> None:
    """behave's ``features/environment.py`` starts fake servers for the
    scenarios; it is test code, not the service's server (found scanning
    zalando/patroni, whose mock Exhibitor in the hooks failed the health check)."""
    hooks = (
        "from http.server import BaseHTTPRequestHandler, HTTPServer\n\n"
        "class MockExhibitor(BaseHTTPRequestHandler):\n    pass\n\n"
        "def before_all(context):\n"
        "    exhibitor = HTTPServer(('', 8181), MockExhibitor)\n"
        "    exhibitor.serve_forever()\n"
    )
    files = {
        "pkg/util.py": "def add(a, b):\n    return a + b\n",
        "features/environment.py": hooks,
        "features/steps/replication.py": hooks.replace("before_all", "step_impl"),
        "features/replication.feature": "Feature: x\n  Scenario: y\n    Given z\n",
    }
    assert judge(files)[0] is Outcome.NOT_APPLICABLE
    # an application's own "features" folder is not a BDD suite
    app = {"app/features/billing/environment.py": hooks}
    assert judge(app)[0] is Outcome.FAIL


# --------------------------------------------------------------------------- shared inputs


GO_SERVER = (
    'package main\n\nimport "net/http"\n\nfunc main() {\n'
    '\thttp.HandleFunc("/healthz", nil)\n\thttp.ListenAndServe(":8080", nil)\n}\n'
)


# --------------------------------------------------------------------------- res.timeouts


def test_timeouts_aliased_requests_without_timeout_is_a_located_finding() -> None:
    verdict = verdict_of(
        judge_timeouts,
        {
            "app/fraud.py": "import requests as r\n\n\ndef score(order):\n"
            '    return r.post("https://fraud/score", json=order)\n',
            "app/fx.py": "import requests\n\n\ndef rates():\n"
            '    return requests.get("https://fx/rates", timeout=(3.05, 10))\n',
        },
    )
    assert verdict.outcome is Outcome.FAIL
    assert verdict.score == 5.0  # one of two call sites is bounded
    assert located(verdict) == [("app/fraud.py", 5)]
    assert "timeout=" in verdict.findings[0].message
    assert verdict.findings[0].severity is Severity.HIGH


def test_timeouts_httpx_default_passes_but_timeout_none_fails() -> None:
    default = {
        "c.py": 'import httpx\n\nclient = httpx.Client(base_url="https://x")\nclient.get("/a")\n'
    }
    assert verdict_of(judge_timeouts, default).outcome is Outcome.PASS
    disabled = {
        "c.py": "import httpx\n\nclient = httpx.AsyncClient(timeout=None)\n\n\n"
        'async def f():\n    return await client.get("/a")\n'
    }
    verdict = verdict_of(judge_timeouts, disabled)
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("c.py", 7)]
    assert "timeout=None" in verdict.findings[0].message


def test_timeouts_session_on_self_and_a_wrapper_that_passes_a_timeout() -> None:
    session_on_self = (
        "import requests\n\n\nclass Inventory:\n    def __init__(self):\n"
        "        self.session = requests.Session()\n\n"
        "    def reserve(self, sku):\n"
        '        return self.session.post("https://inv/reserve", json={"sku": sku})\n'
    )
    verdict = verdict_of(judge_timeouts, {"inv.py": session_on_self})
    assert located(verdict) == [("inv.py", 9)]
    assert "client created at 6" in verdict.findings[0].message
    wrapper = (
        "import requests\n\n\ndef http_get(url):\n    return requests.get(url, timeout=5)\n\n\n"
        'def reviews():\n    return http_get("https://reviews/v1").json()\n'
    )
    assert verdict_of(judge_timeouts, {"http.py": wrapper}).outcome is Outcome.PASS


def test_timeouts_aiohttp_session_and_per_request_override() -> None:
    source = (
        "import aiohttp\n\n\nasync def push(payload):\n"
        "    async with aiohttp.ClientSession() as session:\n"
        '        async with session.post("https://push/send", json=payload) as r:\n'
        "            return r.status\n\n\n"
        "async def health():\n"
        "    timeout = aiohttp.ClientTimeout(total=2)\n"
        "    async with aiohttp.ClientSession() as session:\n"
        '        async with session.get("https://push/health", timeout=timeout) as r:\n'
        "            return r.status\n"
    )
    verdict = verdict_of(judge_timeouts, {"push.py": source})
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("push.py", 6)]


def test_timeouts_urlopen_and_urllib3() -> None:
    source = (
        "import urllib.request\nimport urllib3\n\n\ndef f(url):\n"
        "    urllib.request.urlopen(url)\n    urllib.request.urlopen(url, timeout=3)\n"
        '    urllib3.PoolManager().request("GET", url)\n'
    )
    verdict = verdict_of(judge_timeouts, {"f.py": source})
    assert verdict.outcome is Outcome.FAIL
    assert [line for _, line in located(verdict)] == [6, 8]


def test_timeouts_go_client_literal_is_one_finding_and_default_client_calls_each_one() -> None:
    geo = (
        'package geo\n\nimport (\n\t"context"\n\t"net/http"\n)\n\n'
        "type Client struct{ http *http.Client }\n\n"
        "func New() *Client { return &Client{http: &http.Client{}} }\n\n"
        "func (c *Client) A(ctx context.Context) {\n"
        '\treq, _ := http.NewRequest("GET", "https://geo/a", nil)\n\tc.http.Do(req)\n}\n\n'
        "func (c *Client) B() {\n"
        '\treq, _ := http.NewRequest("GET", "https://geo/b", nil)\n\tc.http.Do(req)\n}\n'
    )
    eta = (
        'package eta\n\nimport "net/http"\n\n'
        'func Get() { http.Get("https://eta") }\n\n'
        "func Post(req *http.Request) { http.DefaultClient.Do(req) }\n"
    )
    verdict = verdict_of(judge_timeouts, {"geo/client.go": geo, "eta/eta.go": eta})
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("eta/eta.go", 5), ("geo/client.go", 10)]
    assert "one finding per client" in verdict.findings[1].message


def test_timeouts_go_context_deadline_and_client_timeout_pass() -> None:
    source = (
        'package tax\n\nimport (\n\t"context"\n\t"net/http"\n\t"time"\n)\n\n'
        "var client = &http.Client{Timeout: 3 * time.Second}\n\n"
        "func Rate() {\n"
        "\tctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)\n"
        "\tdefer cancel()\n"
        '\treq, _ := http.NewRequestWithContext(ctx, "GET", "https://tax", nil)\n'
        "\thttp.DefaultClient.Do(req)\n\tclient.Do(req)\n}\n"
    )
    verdict = verdict_of(judge_timeouts, {"tax.go": source})
    assert verdict.outcome is Outcome.PASS
    assert verdict.score == 10.0


def test_timeouts_heimdall_and_retryablehttp() -> None:
    heimdall = (
        'package surge\n\nimport (\n\t"time"\n'
        '\t"github.com/gojek/heimdall/v7/httpclient"\n)\n\n'
        "func New() {\n"
        "\thttpclient.NewClient(httpclient.WithHTTPTimeout(500 * time.Millisecond))\n}\n"
    )
    assert verdict_of(judge_timeouts, {"surge.go": heimdall}).outcome is Outcome.PASS
    retryable = (
        'package events\n\nimport (\n\t"time"\n\t"github.com/hashicorp/go-retryablehttp"\n)\n\n'
        "func New() {\n\trc := retryablehttp.NewClient()\n\trc.RetryMax = 4\n}\n\n"
        "func Bounded() {\n\trc := retryablehttp.NewClient()\n"
        "\trc.HTTPClient.Timeout = 5 * time.Second\n}\n"
    )
    verdict = verdict_of(judge_timeouts, {"events.go": retryable})
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("events.go", 9)]
    assert "HTTPClient.Timeout" in verdict.findings[0].message


def test_timeouts_js_fetch_and_axios() -> None:
    ledger = (
        'const axios = require("axios");\n\n'
        'const http = axios.create({ baseURL: "https://ledger" });\n\n'
        "async function balance(id) {\n  return (await http.get(`/v1/${id}`)).data;\n}\n"
        "module.exports = { balance };\n"
    )
    profile = (
        "export async function profile(id) {\n"
        "  return fetch(`https://profile/${id}`, { signal: AbortSignal.timeout(3000) });\n}\n"
    )
    bare = "export const ping = () => fetch('https://status');\n"
    verdict = verdict_of(
        judge_timeouts,
        {
            "package.json": "{}",
            "src/ledger.js": ledger,
            "src/profile.js": profile,
            "src/bare.ts": bare,
        },
    )
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("src/bare.ts", 1), ("src/ledger.js", 6)]


def test_timeouts_java_rest_template() -> None:
    source = (
        "package com.acme;\n\nimport org.springframework.web.client.RestTemplate;\n\n"
        "public class FxClient {\n    private final RestTemplate rest = new RestTemplate();\n}\n"
    )
    verdict = verdict_of(judge_timeouts, {"src/main/java/com/acme/FxClient.java": source})
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("src/main/java/com/acme/FxClient.java", 6)]


def test_timeouts_prodready_http_clients() -> None:
    source = (
        "from prodready.http import AsyncClient, Client, Timeout\n\n"
        "a = Client()\nb = Client(timeout=Timeout(1.0, connect=0.2))\n"
        "c = AsyncClient(timeout=None)\n"
        'a.get("https://x")\nb.get("https://y")\n\n\nasync def f():\n'
        '    await c.get("https://z")\n'
    )
    verdict = verdict_of(judge_timeouts, {"deps.py": source})
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("deps.py", 11)]


def test_timeouts_test_vendored_and_generated_code_is_not_judged() -> None:
    bare = 'import requests\n\nrequests.get("https://x")\n'
    files = {
        "tests/test_api.py": bare,
        "vendor/github.com/acme/auth/auth.go": 'package auth\n\nimport "net/http"\n\n'
        'func A() { http.Get("https://auth") }\n',
        "src/svc/_vendor/slack.py": bare,
        "src/svc/client.gen.py": "# Code generated by openapi-generator. DO NOT EDIT.\n" + bare,
        "src/svc/main.py": "def main():\n    return 1\n",
        ".semgrep/rules/no-timeout.py": bare,  # a linter rule's fixture
        ".github/scripts/notify.py": bare,  # CI tooling, not shipped
    }
    verdict = verdict_of(judge_timeouts, files)
    assert verdict.outcome is Outcome.NOT_APPLICABLE
    assert "no outbound" in verdict.summary
    assert "2 tooling" in verdict.summary


def test_timeouts_database_clients_are_low_severity_findings() -> None:
    source = (
        "import psycopg\nimport redis\n\n"
        'cache = redis.Redis.from_url("redis://cache", socket_timeout=2)\n'
        'queue = redis.Redis(host="queue")\n'
        'db = psycopg.connect("postgresql://db", connect_timeout=3)\n'
    )
    verdict = verdict_of(judge_timeouts, {"store.py": source})
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("store.py", 5)]
    assert verdict.findings[0].severity is Severity.LOW
    assert "database client" in verdict.findings[0].message
    assert verdict.score == round(10 * 2 / 3, 1)


# --------------------------------------------------------------------------- res.graceful-shutdown


def test_graceful_shutdown_fastapi_lifespan_passes_and_flask_dev_server_fails() -> None:
    lifespan = (
        "from contextlib import asynccontextmanager\n\nfrom fastapi import FastAPI\n\n\n"
        "@asynccontextmanager\nasync def lifespan(app):\n    yield\n\n\n"
        "app = FastAPI(lifespan=lifespan)\n"
    )
    assert verdict_of(judge_graceful_shutdown, {"main.py": lifespan}).outcome is Outcome.PASS
    flask = (
        "from flask import Flask\n\napp = Flask(__name__)\n\n"
        'if __name__ == "__main__":\n    app.run(host="0.0.0.0")\n'
    )
    verdict = verdict_of(judge_graceful_shutdown, {"app.py": flask})
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 0.0)
    assert located(verdict)[0][0] == "app.py"


def test_graceful_shutdown_go_signal_then_shutdown() -> None:
    drains = (
        'package main\n\nimport (\n\t"context"\n\t"net/http"\n\t"os/signal"\n'
        '\t"syscall"\n)\n\nfunc main() {\n'
        "\tctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)\n"
        "\tdefer stop()\n"
        '\tsrv := &http.Server{Addr: ":8080"}\n\tgo srv.ListenAndServe()\n'
        "\t<-ctx.Done()\n\tsrv.Shutdown(context.Background())\n}\n"
    )
    assert verdict_of(judge_graceful_shutdown, {"main.go": drains}).outcome is Outcome.PASS
    exits = drains.replace("\tsrv.Shutdown(context.Background())\n", "")
    verdict = verdict_of(judge_graceful_shutdown, {"main.go": exits})
    assert (verdict.outcome, verdict.score) == (Outcome.FAIL, 5.0)
    assert located(verdict) == [("main.go", 14)]  # the server that is never drained
    assert "SIGTERM" in verdict.findings[0].message


def test_graceful_shutdown_server_defaults_and_config() -> None:
    uvicorn_run = FASTAPI_APP + '\nimport uvicorn\n\nuvicorn.run(app, host="0.0.0.0")\n'
    verdict = verdict_of(judge_graceful_shutdown, {"main.py": uvicorn_run})
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 8.0)
    gunicorn = {
        "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
        "gunicorn.conf.py": "workers = 4\ngraceful_timeout = 25\n",
    }
    assert verdict_of(judge_graceful_shutdown, gunicorn).outcome is Outcome.PASS
    fixture_only = {
        "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
        "tests/fixtures/site/gunicorn.conf.py": "graceful_timeout = 25\n",
    }
    assert verdict_of(judge_graceful_shutdown, fixture_only).outcome is Outcome.FAIL
    spring = {
        "src/main/java/com/acme/App.java": SPRING_BOOT_APP,
        "src/main/resources/application.yml": "server:\n  shutdown: graceful\n",
    }
    assert verdict_of(judge_graceful_shutdown, spring).outcome is Outcome.PASS


def test_graceful_shutdown_node_close_on_sigterm() -> None:
    source = (
        'const express = require("express");\nconst app = express();\n'
        "const server = app.listen(8080);\n"
        'process.on("SIGTERM", () => server.close(() => process.exit(0)));\n'
    )
    assert (
        verdict_of(judge_graceful_shutdown, {"package.json": "{}", "src/server.js": source}).outcome
        is Outcome.PASS
    )


def test_graceful_shutdown_not_applicable_to_libraries() -> None:
    verdict = verdict_of(
        judge_graceful_shutdown, {"lib/util.py": "def add(a, b):\n    return a + b\n"}
    )
    assert verdict.outcome is Outcome.NOT_APPLICABLE


# --------------------------------------------------------------------------- res.retries

PYPROJECT_WITH = (
    '[project]\nname = "svc"\nversion = "1"\ndependencies = [\n    "httpx==0.28.1",\n    "{}",\n]\n'
)


def test_retries_decorator_passes_with_evidence() -> None:
    source = (
        "import httpx\nfrom tenacity import retry, stop_after_attempt, wait_exponential\n\n\n"
        "@retry(stop=stop_after_attempt(3), wait=wait_exponential())\n"
        'def rates():\n    return httpx.get("https://fx/rates").json()\n'
    )
    verdict = verdict_of(judge_retries, {"fx.py": source})
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    assert ("fx.py", 5) in [(e.path, e.line) for e in verdict.evidence]


def test_retries_only_at_start_up_count_but_say_so() -> None:
    source = (
        "import httpx\nimport redis\nimport tenacity\n\n\n"
        "@tenacity.retry(wait=tenacity.wait_exponential(), stop=tenacity.stop_after_delay(30))\n"
        "def wait_for_redis(client):\n    client.ping()\n\n\n"
        'def notify(body):\n    return httpx.post("https://push/send", json=body)\n'
    )
    verdict = verdict_of(judge_retries, {"worker.py": source})
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 7.0)
    assert "start-up" in verdict.summary
    assert located(verdict) == [("worker.py", 6)]


def test_retries_declared_but_never_used_is_a_finding_on_the_manifest_line() -> None:
    files = {
        "pyproject.toml": PYPROJECT_WITH.format("tenacity==9.0.0"),
        "src/svc/search.py": "import httpx\n\n\ndef search(q):\n"
        '    return httpx.get("https://search", params={"q": q})\n',
    }
    verdict = verdict_of(judge_retries, files)
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("src/svc/search.py", 5), ("pyproject.toml", 6)]
    unused = verdict.findings[1]
    assert "tenacity" in unused.message
    assert "no code uses it" in unused.message
    assert unused.severity is Severity.LOW


def test_retries_urllib3_retry_mounted_heimdall_and_axios_retry() -> None:
    mounted = (
        "import requests\nfrom requests.adapters import HTTPAdapter\n"
        "from urllib3.util import Retry\n\n"
        "session = requests.Session()\n"
        'session.mount("https://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5)))\n'
        'session.get("https://x", timeout=3)\n'
    )
    assert verdict_of(judge_retries, {"s.py": mounted}).outcome is Outcome.PASS
    heimdall = (
        'package surge\n\nimport (\n\t"time"\n\t"github.com/gojek/heimdall/v7"\n'
        '\t"github.com/gojek/heimdall/v7/httpclient"\n)\n\nfunc New() {\n'
        "\tbackoff := heimdall.NewExponentialBackoff(\n"
        "\t\t10*time.Millisecond, time.Second, 2, 5*time.Millisecond)\n"
        "\tretrier := heimdall.NewRetrier(backoff)\n"
        "\thttpclient.NewClient(httpclient.WithRetrier(retrier), httpclient.WithRetryCount(3))\n}\n"
    )
    assert verdict_of(judge_retries, {"surge.go": heimdall}).outcome is Outcome.PASS
    axios = (
        'const axios = require("axios");\nconst axiosRetry = require("axios-retry");\n\n'
        'const http = axios.create({ baseURL: "https://ledger", timeout: 2000 });\n'
        "axiosRetry(http, { retries: 3, retryDelay: axiosRetry.exponentialDelay });\n"
        "module.exports = () => http.get('/x');\n"
    )
    assert (
        verdict_of(judge_retries, {"package.json": "{}", "ledger.js": axios}).outcome
        is Outcome.PASS
    )


def test_retries_prodready_http_retry_and_transport() -> None:
    client = (
        "from prodready.http import Client, Retry\n\n"
        "client = Client(retry=Retry(attempts=3))\nclient.get('https://x')\n"
    )
    assert verdict_of(judge_retries, {"c.py": client}).outcome is Outcome.PASS
    bare = "from prodready.http import Client\n\nclient = Client()\nclient.get('https://x')\n"
    assert verdict_of(judge_retries, {"c.py": bare}).outcome is Outcome.FAIL


def test_retries_not_applicable_without_outbound_calls() -> None:
    verdict = verdict_of(judge_retries, {"app.py": FASTAPI_APP})
    assert verdict.outcome is Outcome.NOT_APPLICABLE
    # a library that calls out is judged: its callers inherit its retries or lack of them
    library = {"lib/client.py": "import httpx\n\n\ndef get(url):\n    return httpx.get(url)\n"}
    assert verdict_of(judge_retries, library).outcome is Outcome.FAIL


# --------------------------------------------------------------------------- res.circuit-breaker


def test_circuit_breaker_pybreaker_and_prodready_http() -> None:
    source = (
        "import httpx\nimport pybreaker\n\nbreaker = pybreaker.CircuitBreaker(fail_max=5)\n\n\n"
        '@breaker\ndef charge(order):\n    return httpx.post("https://pay", json=order)\n'
    )
    assert verdict_of(judge_circuit_breaker, {"pay.py": source}).outcome is Outcome.PASS
    prodready = (
        "from prodready.http import CircuitBreaker, Client\n\n"
        'client = Client(breaker=CircuitBreaker("payments"))\nclient.get("https://pay")\n'
    )
    assert verdict_of(judge_circuit_breaker, {"pay.py": prodready}).outcome is Outcome.PASS


def test_circuit_breaker_declared_but_unused_and_calls_listed_per_file() -> None:
    files = {
        "pyproject.toml": PYPROJECT_WITH.format("pybreaker==1.2.0"),
        "src/svc/a.py": 'import httpx\n\nhttpx.get("https://a")\nhttpx.get("https://a2")\n',
        "src/svc/b.py": 'import httpx\n\nhttpx.post("https://b")\n',
    }
    verdict = verdict_of(judge_circuit_breaker, files)
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("src/svc/a.py", 3), ("src/svc/b.py", 3), ("pyproject.toml", 6)]
    assert "httpx.get at :3, httpx.get at :4" in verdict.findings[0].message


DESTINATION_RULE = (
    "apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\n"
    "metadata:\n  name: payments\nspec:\n  host: payments.svc.cluster.local\n"
    "  trafficPolicy:\n    outlierDetection:\n      consecutive5xxErrors: 5\n"
    "      interval: 30s\n      baseEjectionTime: 60s\n"
)


def test_circuit_breaker_istio_outlier_detection_counts() -> None:
    files = {
        "app.py": 'import httpx\n\nhttpx.get("https://payments")\n',
        "deploy/destinationrule.yaml": DESTINATION_RULE,
    }
    verdict = verdict_of(judge_circuit_breaker, files)
    assert verdict.outcome is Outcome.PASS
    assert "outlierDetection" in verdict.summary
    assert [e.path for e in verdict.evidence] == ["deploy/destinationrule.yaml"]


def test_circuit_breaker_shared_chart_counts_only_for_the_services_it_deploys() -> None:
    files = {
        "services/api/pyproject.toml": '[project]\nname = "shop-api"\nversion = "1"\n',
        "services/api/main.py": 'import httpx\n\nhttpx.get("https://payments")\n',
        "services/web/package.json": '{"name": "shop-web", '
        '"dependencies": {"react-dom": "18.3.1"}}\n',
        "services/web/src/api.ts": "export const cart = () => fetch('/api/cart');\n",
        "deploy/helm/shop/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 1.0.0\n",
        "deploy/helm/shop/templates/api.yaml": "apiVersion: apps/v1\nkind: Deployment\n"
        "metadata:\n  name: shop-api\nspec:\n  template:\n    spec:\n      containers:\n"
        "        - name: api\n          image: shop-api:1\n",
        "deploy/helm/shop/templates/destinationrule.yaml": DESTINATION_RULE,
    }
    api = judge_circuit_breaker(service_facts(files, "services/api", "shop-api"))
    assert api.outcome is Outcome.PASS
    web = judge_circuit_breaker(service_facts(files, "services/web", "shop-web"))
    assert web.outcome is Outcome.FAIL  # the chart does not deploy the web app


def test_circuit_breaker_not_applicable_without_outbound_calls() -> None:
    assert verdict_of(judge_circuit_breaker, {"app.py": FASTAPI_APP}).outcome is (
        Outcome.NOT_APPLICABLE
    )


# --------------------------------------------------------------------------- res.rate-limiting


def test_rate_limiting_slowapi_go_rate_and_bulkheads() -> None:
    slowapi = FASTAPI_APP + (
        "\nfrom slowapi import Limiter\nfrom slowapi.util import get_remote_address\n\n"
        'limiter = Limiter(key_func=get_remote_address, default_limits=["600/minute"])\n'
        "app.state.limiter = limiter\n"
    )
    assert verdict_of(judge_rate_limiting, {"main.py": slowapi}).outcome is Outcome.PASS
    go_rate = GO_SERVER.replace(
        'import "net/http"', 'import (\n\t"net/http"\n\t"golang.org/x/time/rate"\n)'
    ).replace("func main() {\n", "var limiter = rate.NewLimiter(100, 200)\n\nfunc main() {\n")
    assert verdict_of(judge_rate_limiting, {"main.go": go_rate}).outcome is Outcome.PASS
    bulkhead = FASTAPI_APP + (
        "\nfrom prodready.http import Bulkhead, Client\n\n"
        "client = Client(bulkhead=Bulkhead(max_concurrent=50))\n"
    )
    assert verdict_of(judge_rate_limiting, {"main.py": bulkhead}).outcome is Outcome.PASS


def test_rate_limiting_fails_at_the_entry_point_and_names_unused_limiters() -> None:
    files = {
        "pyproject.toml": PYPROJECT_WITH.format("slowapi==0.1.9"),
        "src/svc/main.py": FASTAPI_APP,
    }
    verdict = verdict_of(judge_rate_limiting, files)
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("src/svc/main.py", 3), ("pyproject.toml", 6)]
    assert "slowapi" in verdict.findings[1].message


def test_rate_limiting_not_applicable_to_libraries() -> None:
    library = {"lib/client.py": "import httpx\n\n\ndef get(url):\n    return httpx.get(url)\n"}
    assert verdict_of(judge_rate_limiting, library).outcome is Outcome.NOT_APPLICABLE


def test_retries_transitive_pins_of_a_compiled_requirements_file_are_not_declarations() -> None:
    files = {
        "requirements.txt": "#\n# This file is autogenerated by pip-compile with Python 3.12\n#\n"
        "httpx==0.28.1\ntenacity==9.0.0\n    # via langchain\n",
        "app.py": 'import httpx\n\nhttpx.get("https://x")\n',
    }
    verdict = verdict_of(judge_retries, files)
    assert verdict.outcome is Outcome.FAIL
    assert located(verdict) == [("app.py", 3)]  # no "tenacity is declared" finding


def test_graceful_shutdown_grpc_js_force_shutdown_is_not_draining() -> None:
    server = (
        'const grpc = require("@grpc/grpc-js");\n\nconst server = new grpc.Server();\n'
        "function close() {\n  server.{stop}();\n}\n"
        'server.bindAsync("0.0.0.0:50051", grpc.ServerCredentials.createInsecure(), () => {});\n'
        'process.once("SIGTERM", close);\n'
    )
    forced = verdict_of(
        judge_graceful_shutdown,
        {"package.json": "{}", "index.js": server.replace("{stop}", "forceShutdown")},
    )
    assert (forced.outcome, forced.score) == (Outcome.FAIL, 5.0)
    assert located(forced) == [("index.js", 7)]
    drained = server.replace("{stop}", "tryShutdown")
    assert (
        verdict_of(judge_graceful_shutdown, {"package.json": "{}", "index.js": drained}).outcome
        is Outcome.PASS
    )


# --------------------------------------------------------------------------- workers

CELERY_WORKER = (
    "from celery import Celery\n\n"
    'app = Celery("billing", broker="redis://redis:6379/0")\n\n\n'
    "@app.task\ndef invoice(order_id):\n    return order_id\n"
)
GO_CONSUMER = (
    'package main\n\nimport (\n\t"context"\n\t"github.com/segmentio/kafka-go"\n)\n\n'
    "func main() {\n"
    '\tr := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{"kafka:9092"}, Topic: "orders"})\n'
    "\tfor {\n\t\tm, err := r.ReadMessage(context.Background())\n"
    "\t\tif err != nil {\n\t\t\tbreak\n\t\t}\n\t\t_ = m\n\t}\n}\n"
)


def test_workers_are_judged_on_shutdown_but_not_on_rate_limits() -> None:
    celery = verdict_of(judge_graceful_shutdown, {"billing/tasks.py": CELERY_WORKER})
    assert (celery.outcome, celery.score) == (Outcome.PASS, 8.0)
    assert "warm shutdown" in celery.summary
    consumer = verdict_of(judge_graceful_shutdown, {"cmd/consumer/main.go": GO_CONSUMER})
    assert consumer.outcome is Outcome.FAIL
    assert located(consumer) == [("cmd/consumer/main.go", 9)]  # where it starts consuming
    rate = verdict_of(judge_rate_limiting, {"cmd/consumer/main.go": GO_CONSUMER})
    assert rate.outcome is Outcome.NOT_APPLICABLE
    assert "pulls work" in rate.summary


def test_timeouts_that_cannot_be_judged_statically_are_never_findings() -> None:
    source = "def fetch(session, url, **options):\n    return session.get(url, **options)\n"
    forwarded = (
        "import requests\n\n\ndef get(url, **kwargs):\n    return requests.get(url, **kwargs)\n"
    )
    verdict = verdict_of(judge_timeouts, {"a.py": source, "b.py": forwarded})
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    assert "no call site provably lacks a timeout" in verdict.summary


def test_retries_a_scheduled_redelivery_with_exponential_backoff_counts() -> None:
    source = (
        "import httpx\n\n\ndef backoff_seconds(attempt: int, base: float) -> float:\n"
        "    return min(300.0, base * 2 ** (attempt - 1))\n\n\n"
        "def deliver(url, body):\n    return httpx.post(url, json=body)\n"
    )
    verdict = verdict_of(judge_retries, {"notify.py": source})
    assert verdict.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in verdict.evidence] == [("notify.py", 4)]
    unrelated = source.replace("backoff_seconds", "power_of_two")
    assert verdict_of(judge_retries, {"notify.py": unrelated}).outcome is Outcome.FAIL


def test_graceful_shutdown_from_the_image_start_command() -> None:
    flask = {"app.py": "from flask import Flask\n\napp = Flask(__name__)\n"}
    gunicorn = dict(flask, Dockerfile='FROM python:3.12-slim\nCMD ["gunicorn", "app:app"]\n')
    verdict = verdict_of(judge_graceful_shutdown, gunicorn)
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 8.0)
    assert ("Dockerfile", 2) in [(e.path, e.line) for e in verdict.evidence]
    uvicorn = "FROM python:3.12-slim\nCMD uvicorn main:app --host 0.0.0.0{flag}\n"
    bounded = {
        "main.py": FASTAPI_APP,
        "Dockerfile": uvicorn.format(flag=" --timeout-graceful-shutdown 20"),
    }
    assert verdict_of(judge_graceful_shutdown, bounded).score == 10.0
    unbounded = {"main.py": FASTAPI_APP, "Dockerfile": uvicorn.format(flag="")}
    assert verdict_of(judge_graceful_shutdown, unbounded).outcome is Outcome.FAIL


def test_prodready_http_transport_forms_of_the_res_mapping() -> None:
    """docs/http.md, "How prodready.http maps to the res.* checks"."""
    source = (
        "import httpx\n\nfrom prodready import http as ph\n"
        "from myservice.policies import payments_breaker, payments_retry\n\n"
        "transport = ph.ResilientTransport(\n"
        "    httpx.HTTPTransport(retries=0), retry=payments_retry, breaker=payments_breaker\n)\n"
        "client = httpx.Client(transport=transport, timeout=ph.Timeout(1.0, connect=0.2))\n"
        'client.post("https://payments/charges", json={})\n'
    )
    files = {"src/myservice/payments.py": source}
    assert verdict_of(judge_timeouts, files).outcome is Outcome.PASS
    assert verdict_of(judge_retries, files).outcome is Outcome.PASS
    assert verdict_of(judge_circuit_breaker, files).outcome is Outcome.PASS
    without_policies = {
        "src/myservice/payments.py": source.replace(
            "retry=payments_retry, breaker=payments_breaker", "name='payments'"
        )
    }
    assert verdict_of(judge_retries, without_policies).outcome is Outcome.FAIL
    assert verdict_of(judge_circuit_breaker, without_policies).outcome is Outcome.FAIL
