"""Java source facts (``analyze_java``), best effort."""

from __future__ import annotations

import textwrap

from prodready.scan.facts.code_model import JavaFileFacts
from prodready.scan.facts.java_source import analyze_java


def java(source: str, path: str = "src/main/java/com/acme/Api.java") -> JavaFileFacts:
    return analyze_java(path, textwrap.dedent(source))


def test_http_clients() -> None:
    found = java(
        """\
        package com.acme;

        import java.net.http.HttpClient;
        import java.time.Duration;
        import okhttp3.OkHttpClient;
        import org.springframework.web.client.RestTemplate;

        class Clients {
            HttpClient plain = HttpClient.newHttpClient();
            HttpClient bounded = HttpClient.newBuilder().connectTimeout(twoSeconds).build();
            HttpClient unbounded = HttpClient.newBuilder().followRedirects(ALWAYS).build();
            RestTemplate rest = new RestTemplate();
            RestTemplate factory = new RestTemplate(requestFactory);
            OkHttpClient ok = new OkHttpClient();
        }
        """
    )
    assert [(c.line, c.api, c.has_timeout) for c in found.outbound_calls] == [
        (9, "HttpClient", False),
        (10, "HttpClient.newBuilder()", True),
        (11, "HttpClient", False),
        (12, "new RestTemplate()", False),
        (13, "new RestTemplate(factory)", None),
        (14, "new OkHttpClient()", True),
    ]


def test_request_timeouts_in_file_bound_the_java_client() -> None:
    found = java(
        """\
        import java.net.http.HttpClient;
        import java.net.http.HttpRequest;

        class C {
            HttpClient c = HttpClient.newHttpClient();
            HttpRequest r = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).build();
        }
        """
    )
    assert [(c.has_timeout, c.timeout_source) for c in found.outbound_calls] == [(True, "call")]


def test_spring_routes_with_class_prefix_and_service_shape() -> None:
    found = java(
        """\
        package com.acme;

        import org.springframework.boot.SpringApplication;
        import org.springframework.boot.autoconfigure.SpringBootApplication;
        import org.springframework.web.bind.annotation.*;

        @SpringBootApplication
        @RestController
        @RequestMapping("/api")
        public class Api {
            @GetMapping("/health")
            public String health() { return "ok"; }

            @RequestMapping(value = "/items", method = RequestMethod.POST)
            public String items() { return ""; }

            public static void main(String[] args) {
                SpringApplication.run(Api.class, args);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {}));
            }
        }
        """
    )
    assert [(r.line, r.framework, r.method, r.route, r.health) for r in found.routes] == [
        (9, "spring", None, "/api", None),
        (11, "spring", "GET", "/api/health", "strong"),
        (14, "spring", "POST", "/api/items", None),
    ]
    assert [(e.line, e.kind) for e in found.server_entrypoints] == [(7, "app"), (18, "server-run")]
    assert [h.kind for h in found.shutdown_hooks] == ["signal-handler"]


def test_jax_rs_paths() -> None:
    found = java(
        """\
        import javax.ws.rs.GET;
        import javax.ws.rs.Path;

        @Path("/status")
        public class Status {
            @GET
            @Path("/live")
            public String live() { return "ok"; }
        }
        """
    )
    assert [(r.framework, r.route, r.health) for r in found.routes] == [
        ("jax-rs", "/status", "weak"),
        ("jax-rs", "/status/live", "strong"),
    ]


def test_resilience_and_observability_libraries() -> None:
    found = java(
        """\
        import io.github.resilience4j.circuitbreaker.annotation.CircuitBreaker;
        import io.github.resilience4j.ratelimiter.annotation.RateLimiter;
        import io.github.resilience4j.retry.annotation.*;
        import io.micrometer.core.instrument.Counter;
        import io.sentry.Sentry;
        import io.grpc.protobuf.services.HealthStatusManager;

        class Service {
            @Retry(name = "backend")
            @CircuitBreaker(name = "backend")
            @RateLimiter(name = "backend")
            String call() {
                Counter.builder("calls").register(registry).increment();
                return "";
            }

            void init() {
                Sentry.init(options -> options.setDsn("x"));
                HealthStatusManager health = new HealthStatusManager();
            }
        }
        """
    )
    found_uses = [(u.line, u.capability, u.library) for u in found.library_uses]
    assert found_uses == [
        (9, "retry", "resilience4j"),
        (10, "circuit-breaker", "resilience4j"),
        (11, "rate-limit", "resilience4j"),
        (13, "metrics", "micrometer"),
        (18, "error-tracking", "sentry-java"),
        (19, "health-check", "grpc-java health"),
    ]
    assert [h.kind for h in found.health_checks] == ["grpc-health"]


def test_broken_source_does_not_raise() -> None:
    assert java("class {{ void (").outbound_calls == ()
