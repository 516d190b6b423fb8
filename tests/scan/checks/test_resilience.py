"""res.health-endpoint on Python (ast) and Go (tree-sitter) services and libraries."""

from __future__ import annotations

import pytest

from prodready.scan.checks.resilience import judge_health_endpoint
from prodready.scan.facts.view import Facts
from prodready.scan.model import Outcome


def judge(
    files: dict[str, str],
) -> tuple[Outcome, float | None, list[tuple[str | None, int | None]]]:
    verdict = judge_health_endpoint(Facts.from_files(files))
    return verdict.outcome, verdict.score, [(f.path, f.line) for f in verdict.findings]


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
