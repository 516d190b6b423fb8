"""Go source facts (``analyze_go``): outbound HTTP/gRPC, routes, service shape, libraries."""

from __future__ import annotations

import textwrap

import pytest

from prodready.scan.facts.code_model import GoFileFacts
from prodready.scan.facts.go_source import _package_name, analyze_go


def go(source: str, path: str = "internal/client.go") -> GoFileFacts:
    return analyze_go(path, textwrap.dedent(source))


def verdicts(source: str) -> list[tuple[int, str, bool | None, str | None]]:
    return [(c.line, c.api, c.has_timeout, c.timeout_source) for c in go(source).outbound_calls]


def test_package_level_get_functions_use_the_default_client() -> None:
    found = go(
        """\
        package client

        import "net/http"

        func Fetch() {
            http.Get("http://x")
            http.Post("http://x", "application/json", nil)
            http.Head("http://x")
            http.PostForm("http://x", nil)
        }
        """
    )
    assert [(c.line, c.api, c.has_timeout) for c in found.outbound_calls] == [
        (6, "http.Get", False),
        (7, "http.Post", False),
        (8, "http.Head", False),
        (9, "http.PostForm", False),
    ]
    assert "DefaultClient" in found.outbound_calls[0].note


def test_one_finding_per_client_literal_not_per_use() -> None:
    found = verdicts(
        """\
        package client

        import (
            "net/http"
            "time"
        )

        var shared = &http.Client{}

        type Svc struct{ client *http.Client }

        func New() *Svc {
            return &Svc{client: &http.Client{Timeout: 5 * time.Second}}
        }

        func Use(req *http.Request) {
            shared.Do(req)
            shared.Do(req)
            shared.Get("http://x")
        }
        """
    )
    assert found == [
        (8, "http.Client{}", False, None),
        (13, "http.Client{}", True, "client"),
    ]


def test_timeout_assigned_later_and_value_literal() -> None:
    found = verdicts(
        """\
        package client

        import (
            h "net/http"
            "time"
        )

        func Build() *h.Client {
            c := &h.Client{}
            c.Timeout = 10 * time.Second
            var plain = h.Client{Transport: h.DefaultTransport}
            _ = plain
            return c
        }
        """
    )
    assert found == [(9, "http.Client{}", True, "client"), (11, "http.Client{}", False, None)]


def test_transport_with_response_header_timeout_bounds_the_client() -> None:
    found = verdicts(
        """\
        package client

        import (
            "net/http"
            "time"
        )

        var c = &http.Client{Transport: &http.Transport{ResponseHeaderTimeout: 5 * time.Second}}
        """
    )
    assert found == [(8, "http.Client{}", True, "wrapper")]


def test_context_deadlines_on_requests() -> None:
    found = go(
        """\
        package client

        import (
            "context"
            "net/http"
            "time"
        )

        func Fetch(ctx context.Context) {
            tctx, cancel := context.WithTimeout(ctx, time.Second)
            defer cancel()
            bounded, _ := http.NewRequestWithContext(tctx, "GET", "u", nil)
            http.DefaultClient.Do(bounded)
            fromCaller, _ := http.NewRequestWithContext(ctx, "GET", "u", nil)
            http.DefaultClient.Do(fromCaller)
            plain, _ := http.NewRequest("GET", "u", nil)
            http.DefaultClient.Do(plain)
            background, _ := http.NewRequestWithContext(context.Background(), "GET", "u", nil)
            http.DefaultClient.Do(background)
            later, _ := http.NewRequest("GET", "u", nil)
            later = later.WithContext(tctx)
            http.DefaultClient.Do(later)

            onlyDeadlines := &http.Client{}
            onlyDeadlines.Do(bounded)
        }
        """
    )
    assert [(c.line, c.api, c.has_timeout, c.timeout_source) for c in found.outbound_calls] == [
        (13, "http.DefaultClient.Do", True, "context"),
        (15, "http.DefaultClient.Do", None, None),
        (17, "http.DefaultClient.Do", False, None),
        (19, "http.DefaultClient.Do", False, None),
        (22, "http.DefaultClient.Do", True, "context"),
        (24, "http.Client{}", True, "context"),
    ]
    assert [d.line for d in found.context_deadlines] == [10]


def test_default_client_timeout_set_in_file() -> None:
    found = verdicts(
        """\
        package main

        import (
            "net/http"
            "time"
        )

        func init() { http.DefaultClient.Timeout = 10 * time.Second }

        func f() { http.Get("u") }
        """
    )
    assert found == [(10, "http.Get", True, "client")]


def test_heimdall_clients_always_time_out() -> None:
    found = go(
        """\
        package client

        import (
            "time"

            "github.com/gojek/heimdall/v7/httpclient"
            "github.com/gojek/heimdall/v7/hystrix"
        )

        var a = httpclient.NewClient(httpclient.WithHTTPTimeout(time.Second), retries)
        var b = httpclient.NewClient()
        var c = hystrix.NewClient(hystrix.WithCommandName("x"))
        var retries = httpclient.WithRetryCount(3)
        """
    )
    assert [(c.line, c.has_timeout, c.timeout_source) for c in found.outbound_calls] == [
        (10, True, "client"),
        (11, True, "default"),
        (12, True, "default"),
    ]
    capabilities = {(u.line, u.capability) for u in found.library_uses}
    assert (13, "retry") in capabilities
    assert (12, "circuit-breaker") in capabilities


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('grpc.Dial("x", grpc.WithInsecure(), grpc.WithTimeout(time.Second))', (True, "call")),
        (
            'grpc.Dial("x", grpc.WithUnaryInterceptor(timeout.UnaryClientInterceptor(t)))',
            (True, "wrapper"),
        ),
        ('grpc.DialContext(ctx, "x", grpc.WithBlock())', (True, "context")),
        ('grpc.NewClient("x", grpc.WithTransportCredentials(nil))', (False, None)),
    ],
)
def test_grpc_dial(body: str, expected: tuple[bool, str | None]) -> None:
    deadline = "ctx, cancel := context.WithTimeout(context.Background(), time.Second)\n"
    needs_ctx = "DialContext" in body
    source = (
        'package c\n\nimport (\n\t"context"\n\t"time"\n\t"google.golang.org/grpc"\n)\n\n'
        "func dial() {\n" + (deadline if needs_ctx else "") + body + "\n}\n"
    )
    (call,) = analyze_go("c.go", source).outbound_calls
    assert (call.has_timeout, call.timeout_source) == expected
    assert call.kind == "grpc"


def test_grpc_dial_with_per_rpc_deadlines_in_file_is_unknown() -> None:
    source = textwrap.dedent(
        """\
        package c

        import (
            "context"
            "time"

            "google.golang.org/grpc"
        )

        func call(client Client) {
            conn, _ := grpc.Dial("x")
            ctx, cancel := context.WithTimeout(context.Background(), time.Second)
            defer cancel()
            client.Get(ctx, nil)
            _ = conn
        }
        """
    )
    (call,) = analyze_go("c.go", source).outbound_calls
    assert call.has_timeout is None


def test_routes_for_net_http_gin_chi_echo() -> None:
    found = go(
        """\
        package main

        import (
            "net/http"

            "github.com/gin-gonic/gin"
            "github.com/go-chi/chi/v5"
            "github.com/labstack/echo/v4"
        )

        func main() {
            http.HandleFunc("/healthz", nil)
            mux := http.NewServeMux()
            mux.HandleFunc("GET /readyz", nil)
            r := gin.Default()
            r.GET("/livez", nil)
            api := r.Group("/api")
            api.POST("/orders", nil)
            c := chi.NewRouter()
            c.Get("/ping", nil)
            e := echo.New()
            e.GET("/status", nil)
            client.Get("/health")
        }
        """,
        path="cmd/main.go",
    )
    routes = [(r.line, r.framework, r.method, r.route, r.health) for r in found.routes]
    assert routes == [
        (12, "net/http", None, "/healthz", "strong"),
        (14, "net/http", "GET", "/readyz", "strong"),
        (16, "gin", "GET", "/livez", "strong"),
        (18, "gin", "POST", "/orders", None),
        (20, "chi", "GET", "/ping", "weak"),
        (22, "echo", "GET", "/status", "weak"),
    ]


def test_service_shape_and_graceful_shutdown() -> None:
    found = go(
        """\
        package main

        import (
            "context"
            "net/http"
            "os"
            "os/signal"
            "syscall"

            "google.golang.org/grpc"
            "google.golang.org/grpc/health"
            healthpb "google.golang.org/grpc/health/grpc_health_v1"
        )

        func main() {
            s := grpc.NewServer()
            healthpb.RegisterHealthServer(s, health.NewServer())
            srv := &http.Server{Addr: ":8080"}
            go srv.ListenAndServe()
            quit := make(chan os.Signal, 1)
            signal.Notify(quit, syscall.SIGINT, syscall.SIGTERM)
            <-quit
            srv.Shutdown(context.Background())
            s.GracefulStop()
        }
        """,
        path="cmd/main.go",
    )
    assert found.package == "main"
    assert found.has_main
    assert [(e.line, e.kind) for e in found.server_entrypoints] == [
        (16, "app"),
        (19, "server-run"),
    ]
    assert [(h.line, h.kind) for h in found.shutdown_hooks] == [
        (21, "signal-handler"),
        (23, "drain"),
        (24, "drain"),
    ]
    assert {h.kind for h in found.health_checks} == {"grpc-health"}


def test_interrupt_only_is_not_sigterm() -> None:
    found = go(
        """\
        package main

        import (
            "os"
            "os/signal"
        )

        func main() {
            c := make(chan os.Signal, 1)
            signal.Notify(c, os.Interrupt)
        }
        """
    )
    assert found.shutdown_hooks == ()


def test_library_uses_with_versions_and_aliases() -> None:
    found = go(
        """\
        package main

        import (
            "log/slog"
            "os"

            backoff "github.com/cenkalti/backoff/v4"
            "github.com/getsentry/sentry-go"
            "github.com/prometheus/client_golang/prometheus/promauto"
            "github.com/sirupsen/logrus"
            "github.com/sony/gobreaker/v2"
            "go.opentelemetry.io/otel"
            "golang.org/x/time/rate"
        )

        var limiter = rate.NewLimiter(10, 20)
        var requests = promauto.NewCounter(prometheus.CounterOpts{Name: "x"})

        func waitForDB() error {
            return backoff.Retry(connect, backoff.NewExponentialBackOff())
        }

        func call() {
            backoff.Retry(op, backoff.NewExponentialBackOff())
            cb := gobreaker.NewCircuitBreaker[any](gobreaker.Settings{Name: "x"})
            _ = cb
        }

        func main() {
            sentry.Init(sentry.ClientOptions{Dsn: "x", TracesSampleRate: 0.2})
            logrus.SetFormatter(&logrus.JSONFormatter{})
            slog.New(slog.NewJSONHandler(os.Stdout, nil))
            tracer := otel.Tracer("svc")
            _ = tracer
        }
        """
    )
    found_uses = [
        (u.line, u.capability, u.library, u.startup_only)
        for u in found.library_uses
        if u.capability not in ("http-client", "web-framework", "grpc")
    ]
    assert found_uses == [
        (16, "rate-limit", "x/time/rate", False),
        (17, "metrics", "prometheus client_golang", False),
        (20, "retry", "cenkalti/backoff", True),
        (24, "retry", "cenkalti/backoff", False),
        (25, "circuit-breaker", "sony/gobreaker", False),
        (30, "error-tracking", "sentry-go", False),
        (30, "tracing", "sentry-go", False),
        (31, "structured-logging", "logrus", False),
        (32, "structured-logging", "slog", False),
        (33, "tracing", "opentelemetry-go", False),
    ]
    assert "github.com/sony/gobreaker" in found.imports


def test_grpc_retry_policy_string() -> None:
    found = go(
        """\
        package c

        const serviceConfig = `{"methodConfig": [{"retryPolicy": {"maxAttempts": 4}}]}`
        """
    )
    assert [(u.capability, u.library) for u in found.library_uses] == [
        ("retry", "grpc service config")
    ]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("net/http", "http"),
        ("github.com/avast/retry-go", "retry"),
        ("github.com/avast/retry-go/v4", "retry"),
        ("gopkg.in/yaml.v3", "yaml"),
        ("github.com/hashicorp/go-retryablehttp", "retryablehttp"),
        ("github.com/getsentry/sentry-go", "sentry"),
        ("github.com/go-chi/chi/v5", "chi"),
    ],
)
def test_default_package_names(path: str, name: str) -> None:
    assert _package_name(path) == name


def test_broken_source_does_not_raise() -> None:
    found = go("package main\nfunc main( {\n http.Get(\n")
    assert found.package == "main"
    assert found.problems == ()


def test_new_http_client_is_a_client_without_timeout() -> None:
    found = verdicts(
        """\
        package c

        import (
            "net/http"
            "time"
        )

        func f() {
            a := new(http.Client)
            b := new(http.Client)
            b.Timeout = time.Second
            a.Get("u")
        }
        """
    )
    assert found == [(9, "new(http.Client)", False, None), (10, "new(http.Client)", True, "client")]


def test_hand_written_retry_loop() -> None:
    found = go(
        """\
        package pricing

        import "time"

        func (s *Service) rateWithRetry() (int, error) {
            backoff := 100 * time.Millisecond
            var lastErr error
            for attempt := 1; attempt <= 4; attempt++ {
                rate, err := s.rate()
                if err == nil {
                    return rate, nil
                }
                lastErr = err
                <-time.After(backoff)
                backoff *= 2
            }
            return 0, lastErr
        }

        func ticker() {
            for {
                time.Sleep(time.Second)
            }
        }
        """
    )
    assert [(u.line, u.capability, u.library) for u in found.library_uses] == [
        (8, "retry", "hand-written backoff loop")
    ]


def test_a_route_behind_a_runtime_prefix_is_named_by_its_literal_tail() -> None:
    """GoogleCloudPlatform/microservices-demo's frontend serves
    ``r.HandleFunc(baseUrl+"/_healthz", ...)``."""
    facts = go(
        """
        package main

        import (
            "net/http"

            "github.com/gorilla/mux"
        )

        func main() {
            r := mux.NewRouter()
            r.HandleFunc(baseUrl+"/_healthz", ok)
            r.HandleFunc(baseUrl+suffix, ok)
            http.ListenAndServe(":8080", r)
        }
        """,
        path="main.go",
    )
    assert [(r.route, r.health) for r in facts.routes] == [("/_healthz", "strong")]


def test_a_router_wrapper_with_the_verb_first_declares_routes() -> None:
    """``app.HandlerFuncNoMid(http.MethodGet, version, "/readiness", h)``: a
    project's own router wrapper, verb first, a runtime group, then the route
    (found scanning ardanlabs/service, whose /v1/liveness and /v1/readiness
    were missed); ``http.MethodGet`` is a verb like ``"GET"``."""
    facts = go(
        textwrap.dedent(
            """\
            package checkapp

            import (
                "net/http"

                "github.com/julienschmidt/httprouter"
            )

            func Routes(app *web.App, api *api) {
                const version = "v1"
                app.HandlerFuncNoMid(http.MethodGet, version, "/readiness", api.readiness)
                app.HandlerFuncNoMid(http.MethodGet, version, "/liveness", api.liveness)
                app.HandlerFunc(http.MethodPost, version, "/users", api.create, authen)
                r := httprouter.New()
                r.Handle(http.MethodGet, "/healthz", health)
                app.HandleEvent(kind, "/not/a/route", h)
            }
            """
        ),
        path="app/domain/checkapp/route.go",
    )
    assert [(r.method, r.route, r.health) for r in facts.routes] == [
        ("GET", "/readiness", "strong"),
        ("GET", "/liveness", "strong"),
        ("POST", "/users", None),
        ("GET", "/healthz", "strong"),
    ]
