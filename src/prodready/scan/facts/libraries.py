"""Which library symbols give a service which capability: a data table.

The source collectors (``python_source``, ``go_source``, ``js_source``,
``java_source``) resolve every call, decorator, annotation, constructor and
composite literal they meet to a *qualified symbol* and ask this table what,
if anything, it proves. Detecting *use* rather than a dependency line is the
point: ``tenacity`` in ``requirements.txt`` proves nothing, ``@tenacity.retry``
on a function does.

Symbols are written per language family:

- Python and Java: dotted names after alias resolution
  (``tenacity.retry``, ``io.github.resilience4j.retry.annotation.Retry``).
  A trailing ``.*`` matches the name and everything under it.
- Go: ``<import path>.<Name>`` with the import path *normalised* (major
  version suffixes ``/v2`` and ``.v1`` removed, see ``normalise_go_path``).
  ``path.*`` matches any exported name of that package, ``path/...`` any
  name of that package or of a package below it.
- JavaScript/TypeScript: ``<module>`` for the module itself (its default or
  namespace binding used anywhere) or ``<module>:<member>``. ``@scope/...``
  style trailing ``/...`` matches every module below a prefix.

``requires`` names a keyword argument (Python), an object-literal key (JS)
or a composite-literal field (Go) that must be present for the rule to hold:
``sentry_sdk.init`` proves error tracking, ``sentry_sdk.init(traces_sample_rate=...)``
also proves tracing.

Add a library by adding a row; nothing else changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache

__all__ = [
    "DEDICATED_PACKAGES",
    "RULES",
    "STRING_RULES",
    "Capability",
    "Family",
    "LibraryRule",
    "dedicated_packages",
    "family_of",
    "match_symbol",
    "normalise_go_path",
    "string_rules_in",
]


class Capability(StrEnum):
    """What a library use proves about the service."""

    HTTP_CLIENT = "http-client"
    RETRY = "retry"
    CIRCUIT_BREAKER = "circuit-breaker"
    RATE_LIMIT = "rate-limit"
    METRICS = "metrics"
    STRUCTURED_LOGGING = "structured-logging"
    TRACING = "tracing"
    ERROR_TRACKING = "error-tracking"
    WEB_FRAMEWORK = "web-framework"
    GRPC = "grpc"
    HEALTH_CHECK = "health-check"
    WORKER = "worker"
    """A long-running consumer of a queue, stream or task scheduler (a Celery
    app, a Kafka consumer group, an asynq server): a service without HTTP."""


class Family(StrEnum):
    """Symbol syntax family; TypeScript shares JavaScript's rules."""

    PYTHON = "python"
    GO = "go"
    JS = "js"
    JAVA = "java"


@dataclass(frozen=True, slots=True)
class LibraryRule:
    """One row: a symbol (pattern) that proves a capability."""

    family: Family
    symbol: str
    capability: Capability
    library: str
    """The name a human knows the library by (distribution, module or repo)."""
    requires: str | None = None
    """Keyword/field that must be present (see the module docstring)."""


_FAMILIES = {
    "python": Family.PYTHON,
    "go": Family.GO,
    "javascript": Family.JS,
    "typescript": Family.JS,
    "js": Family.JS,
    "java": Family.JAVA,
}


def family_of(language: str) -> Family:
    """The rule family of a language name (``typescript`` -> ``js``)."""
    return _FAMILIES[language]


_C = Capability
_RULES: list[LibraryRule] = []


def _add(family: Family, capability: Capability, library: str, *symbols: str) -> None:
    _RULES.extend(LibraryRule(family, s, capability, library) for s in symbols)


def _req(family: Family, capability: Capability, library: str, symbol: str, key: str) -> None:
    _RULES.append(LibraryRule(family, symbol, capability, library, requires=key))


# --------------------------------------------------------------------------- Python
_P = Family.PYTHON
_add(_P, _C.RETRY, "tenacity", "tenacity.retry", "tenacity.Retrying", "tenacity.AsyncRetrying")
_add(_P, _C.RETRY, "tenacity", "tenacity.asyncio.AsyncRetrying", "tenacity.TornadoRetrying")
_add(_P, _C.RETRY, "stamina", "stamina.retry", "stamina.retry_context")
_add(_P, _C.RETRY, "stamina", "stamina.RetryingCaller", "stamina.AsyncRetryingCaller")
_add(_P, _C.RETRY, "backoff", "backoff.on_exception", "backoff.on_predicate")
_add(
    _P,
    _C.RETRY,
    "urllib3",
    "urllib3.Retry",
    "urllib3.util.Retry",
    "urllib3.util.retry.Retry",
    "requests.adapters.Retry",
    "requests.packages.urllib3.util.retry.Retry",
    "requests.packages.urllib3.Retry",
)
_add(_P, _C.RETRY, "httpx-retries", "httpx_retries.RetryTransport", "httpx_retries.Retry")
_add(_P, _C.RETRY, "aiohttp-retry", "aiohttp_retry.*")
_add(_P, _C.RETRY, "prodready.http", "prodready.http.Retry")
_req(_P, _C.RETRY, "prodready.http", "prodready.http.ResilientTransport", "retry")
_req(_P, _C.RETRY, "prodready.http", "prodready.http.AsyncResilientTransport", "retry")
_add(_P, _C.RETRY, "retrying", "retrying.retry", "retrying.Retrying")
_add(_P, _C.RETRY, "retry", "retry.retry", "retry.api.retry", "retry.api.retry_call")
_add(_P, _C.RETRY, "retry", "retry.retry_call")
_add(_P, _C.RETRY, "opnieuw", "opnieuw.retry", "opnieuw.retry_async")
_add(_P, _C.RETRY, "google-api-core", "google.api_core.retry.*", "google.api_core.retry_async.*")
_add(_P, _C.RETRY, "redis", "redis.retry.Retry", "redis.asyncio.retry.Retry")
_req(_P, _C.RETRY, "botocore", "botocore.config.Config", "retries")

_add(_P, _C.CIRCUIT_BREAKER, "pybreaker", "pybreaker.CircuitBreaker")
_add(_P, _C.CIRCUIT_BREAKER, "aiobreaker", "aiobreaker.CircuitBreaker")
_add(_P, _C.CIRCUIT_BREAKER, "circuitbreaker", "circuitbreaker.circuit")
_add(_P, _C.CIRCUIT_BREAKER, "circuitbreaker", "circuitbreaker.CircuitBreaker")
_add(_P, _C.CIRCUIT_BREAKER, "purgatory", "purgatory.AsyncCircuitBreakerFactory")
_add(_P, _C.CIRCUIT_BREAKER, "purgatory", "purgatory.SyncCircuitBreakerFactory")
_add(_P, _C.CIRCUIT_BREAKER, "prodready.http", "prodready.http.CircuitBreaker")
_req(_P, _C.CIRCUIT_BREAKER, "prodready.http", "prodready.http.ResilientTransport", "breaker")
_req(_P, _C.CIRCUIT_BREAKER, "prodready.http", "prodready.http.AsyncResilientTransport", "breaker")

_add(_P, _C.RATE_LIMIT, "slowapi", "slowapi.Limiter", "slowapi.extension.Limiter")
_add(_P, _C.RATE_LIMIT, "slowapi", "slowapi.middleware.SlowAPIMiddleware")
_add(_P, _C.RATE_LIMIT, "fastapi-limiter", "fastapi_limiter.*")
_add(_P, _C.RATE_LIMIT, "flask-limiter", "flask_limiter.Limiter", "flask_limiter.extension.Limiter")
_add(_P, _C.RATE_LIMIT, "django-ratelimit", "django_ratelimit.decorators.ratelimit")
_add(_P, _C.RATE_LIMIT, "django-ratelimit", "ratelimit.decorators.ratelimit")
_add(_P, _C.RATE_LIMIT, "ratelimit", "ratelimit.limits", "ratelimit.RateLimitDecorator")
_add(_P, _C.RATE_LIMIT, "limits", "limits.strategies.*", "limits.aio.strategies.*")
_add(_P, _C.RATE_LIMIT, "limits", "limits.parse", "limits.parse_many")
_add(_P, _C.RATE_LIMIT, "aiolimiter", "aiolimiter.AsyncLimiter")
_add(_P, _C.RATE_LIMIT, "pyrate-limiter", "pyrate_limiter.Limiter")
_add(_P, _C.RATE_LIMIT, "prodready.http", "prodready.http.Bulkhead")
_req(_P, _C.RATE_LIMIT, "uvicorn", "uvicorn.run", "limit_concurrency")
_req(_P, _C.RATE_LIMIT, "uvicorn", "uvicorn.Config", "limit_concurrency")

_add(_P, _C.METRICS, "prometheus-client", "prometheus_client.*")
_add(_P, _C.METRICS, "prometheus-fastapi-instrumentator", "prometheus_fastapi_instrumentator.*")
_add(_P, _C.METRICS, "starlette-exporter", "starlette_exporter.*")
_add(_P, _C.METRICS, "starlette-prometheus", "starlette_prometheus.*")
_add(_P, _C.METRICS, "prometheus-flask-exporter", "prometheus_flask_exporter.*")
_add(_P, _C.METRICS, "aioprometheus", "aioprometheus.*")
_add(_P, _C.METRICS, "django-prometheus", "django_prometheus.*")
_add(_P, _C.METRICS, "statsd", "statsd.StatsClient", "statsd.TCPStatsClient", "statsd.defaults.*")
_add(_P, _C.METRICS, "datadog", "datadog.initialize", "datadog.statsd.*", "datadog.DogStatsd")
_add(_P, _C.METRICS, "datadog", "datadog.dogstatsd.*")
_add(_P, _C.METRICS, "opentelemetry", "opentelemetry.metrics.*", "opentelemetry.sdk.metrics.*")
_add(_P, _C.METRICS, "opentelemetry", "opentelemetry.exporter.prometheus.*")
_add(_P, _C.METRICS, "prodready.http", "prodready.http.PrometheusMetrics")
_add(_P, _C.METRICS, "prodready.http", "prodready.http.StatsDMetrics")

_add(_P, _C.STRUCTURED_LOGGING, "structlog", "structlog.*")
_add(_P, _C.STRUCTURED_LOGGING, "python-json-logger", "pythonjsonlogger.*")
_req(_P, _C.STRUCTURED_LOGGING, "loguru", "loguru.logger.add", "serialize")
_add(_P, _C.STRUCTURED_LOGGING, "json-log-formatter", "json_log_formatter.*")
_add(_P, _C.STRUCTURED_LOGGING, "ecs-logging", "ecs_logging.*")
_add(_P, _C.STRUCTURED_LOGGING, "django-structlog", "django_structlog.*")
_add(_P, _C.STRUCTURED_LOGGING, "python-logstash", "logstash.LogstashHandler")
_add(_P, _C.STRUCTURED_LOGGING, "python-logstash", "logstash.TCPLogstashHandler")
_add(_P, _C.STRUCTURED_LOGGING, "aws-lambda-powertools", "aws_lambda_powertools.Logger")
_add(_P, _C.STRUCTURED_LOGGING, "google-cloud-logging", "google.cloud.logging.*")
_add(_P, _C.STRUCTURED_LOGGING, "prodready.http", "prodready.http.StructuredLogging")

_add(_P, _C.TRACING, "opentelemetry", "opentelemetry.trace.*", "opentelemetry.sdk.trace.*")
_add(_P, _C.TRACING, "opentelemetry", "opentelemetry.instrumentation.*")
_add(
    _P, _C.TRACING, "opentelemetry", "opentelemetry.propagate.*", "opentelemetry.exporter.jaeger.*"
)
_add(_P, _C.TRACING, "opentelemetry", "opentelemetry.exporter.zipkin.*")
_add(_P, _C.TRACING, "opentelemetry", "opentelemetry.exporter.otlp.proto.grpc.trace_exporter.*")
_add(_P, _C.TRACING, "opentelemetry", "opentelemetry.exporter.otlp.proto.http.trace_exporter.*")
_add(_P, _C.TRACING, "opencensus", "opencensus.trace.*", "opencensus.ext.*")
_add(_P, _C.TRACING, "jaeger-client", "jaeger_client.*")
_add(_P, _C.TRACING, "py_zipkin", "py_zipkin.*")
_add(_P, _C.TRACING, "ddtrace", "ddtrace.*")
_add(_P, _C.TRACING, "elastic-apm", "elasticapm.*")
_add(_P, _C.TRACING, "aws-xray-sdk", "aws_xray_sdk.*")
_add(_P, _C.TRACING, "newrelic", "newrelic.agent.*")
_add(_P, _C.TRACING, "honeycomb-beeline", "beeline.init")
_add(_P, _C.TRACING, "logfire", "logfire.configure", "logfire.instrument_fastapi")
_req(_P, _C.TRACING, "sentry-sdk", "sentry_sdk.init", "traces_sample_rate")
_req(_P, _C.TRACING, "sentry-sdk", "sentry_sdk.init", "traces_sampler")
_req(_P, _C.TRACING, "sentry-sdk", "sentry_sdk.init", "enable_tracing")

_add(_P, _C.ERROR_TRACKING, "sentry-sdk", "sentry_sdk.init")
_add(_P, _C.ERROR_TRACKING, "raven", "raven.Client", "raven.contrib.*")
_add(_P, _C.ERROR_TRACKING, "rollbar", "rollbar.init", "rollbar.contrib.*")
_add(_P, _C.ERROR_TRACKING, "bugsnag", "bugsnag.configure", "bugsnag.Client", "bugsnag.flask.*")
_add(_P, _C.ERROR_TRACKING, "bugsnag", "bugsnag.asgi.*", "bugsnag.wsgi.*")
_add(_P, _C.ERROR_TRACKING, "honeybadger", "honeybadger.honeybadger.configure")
_add(_P, _C.ERROR_TRACKING, "honeybadger", "honeybadger.contrib.*")
_add(_P, _C.ERROR_TRACKING, "pybrake", "pybrake.Notifier")

_add(_P, _C.WEB_FRAMEWORK, "fastapi", "fastapi.FastAPI", "fastapi.APIRouter")
_add(_P, _C.WEB_FRAMEWORK, "flask", "flask.Flask", "flask.Blueprint")
_add(_P, _C.WEB_FRAMEWORK, "starlette", "starlette.applications.Starlette")
_add(_P, _C.WEB_FRAMEWORK, "django", "django.urls.path", "django.urls.re_path")
_add(_P, _C.WEB_FRAMEWORK, "django", "django.core.wsgi.get_wsgi_application")
_add(_P, _C.WEB_FRAMEWORK, "django", "django.core.asgi.get_asgi_application")
_add(_P, _C.WEB_FRAMEWORK, "aiohttp", "aiohttp.web.Application", "aiohttp.web.run_app")
_add(_P, _C.WEB_FRAMEWORK, "sanic", "sanic.Sanic")
_add(_P, _C.WEB_FRAMEWORK, "tornado", "tornado.web.Application")
_add(_P, _C.WEB_FRAMEWORK, "falcon", "falcon.App", "falcon.API", "falcon.asgi.App")
_add(_P, _C.WEB_FRAMEWORK, "bottle", "bottle.Bottle")
_add(_P, _C.WEB_FRAMEWORK, "quart", "quart.Quart")
_add(_P, _C.WEB_FRAMEWORK, "litestar", "litestar.Litestar")
_add(_P, _C.WEB_FRAMEWORK, "pyramid", "pyramid.config.Configurator")
_add(_P, _C.WEB_FRAMEWORK, "connexion", "connexion.App", "connexion.FlaskApp")
_add(_P, _C.WEB_FRAMEWORK, "connexion", "connexion.AsyncApp")

_add(_P, _C.GRPC, "grpcio", "grpc.server", "grpc.aio.server", "grpc.insecure_channel")
_add(_P, _C.GRPC, "grpcio", "grpc.secure_channel", "grpc.aio.insecure_channel")
_add(_P, _C.GRPC, "grpcio", "grpc.aio.secure_channel")

_add(_P, _C.HEALTH_CHECK, "grpcio-health-checking", "grpc_health.*")
_add(_P, _C.HEALTH_CHECK, "healthcheck", "healthcheck.HealthCheck")
_add(_P, _C.HEALTH_CHECK, "fastapi-health", "fastapi_health.*")

_add(_P, _C.WORKER, "celery", "celery.Celery")
_add(_P, _C.WORKER, "dramatiq", "dramatiq.actor", "dramatiq.set_broker")
_add(_P, _C.WORKER, "rq", "rq.Worker", "rq.worker.Worker")
_add(_P, _C.WORKER, "arq", "arq.run_worker", "arq.worker.run_worker", "arq.worker.Worker")
_add(_P, _C.WORKER, "faust", "faust.App")
_add(_P, _C.WORKER, "kafka-python", "kafka.KafkaConsumer")
_add(_P, _C.WORKER, "aiokafka", "aiokafka.AIOKafkaConsumer")
_add(_P, _C.WORKER, "confluent-kafka", "confluent_kafka.Consumer")
_add(_P, _C.WORKER, "temporalio", "temporalio.worker.Worker")
_add(_P, _C.WORKER, "google-cloud-pubsub", "google.cloud.pubsub_v1.SubscriberClient")

_add(_P, _C.HTTP_CLIENT, "requests", "requests.*")
_add(_P, _C.HTTP_CLIENT, "httpx", "httpx.*")
_add(_P, _C.HTTP_CLIENT, "aiohttp", "aiohttp.ClientSession", "aiohttp.request")
_add(_P, _C.HTTP_CLIENT, "urllib3", "urllib3.PoolManager", "urllib3.request")
_add(_P, _C.HTTP_CLIENT, "urllib", "urllib.request.urlopen")
_add(_P, _C.HTTP_CLIENT, "http.client", "http.client.HTTPConnection")
_add(_P, _C.HTTP_CLIENT, "http.client", "http.client.HTTPSConnection")
_add(_P, _C.HTTP_CLIENT, "prodready.http", "prodready.http.Client", "prodready.http.AsyncClient")

# --------------------------------------------------------------------------- Go
_G = Family.GO
_add(_G, _C.RETRY, "cenkalti/backoff", "github.com/cenkalti/backoff.*")
_add(_G, _C.RETRY, "avast/retry-go", "github.com/avast/retry-go.Do")
_add(_G, _C.RETRY, "avast/retry-go", "github.com/avast/retry-go.DoWithData")
_add(_G, _C.RETRY, "hashicorp/go-retryablehttp", "github.com/hashicorp/go-retryablehttp.*")
_add(_G, _C.RETRY, "heimdall", "github.com/gojek/heimdall.NewRetrier")
_add(_G, _C.RETRY, "heimdall", "github.com/gojek/heimdall.NewRetrierFunc")
_add(_G, _C.RETRY, "heimdall", "github.com/gojek/heimdall/httpclient.WithRetryCount")
_add(_G, _C.RETRY, "heimdall", "github.com/gojek/heimdall/httpclient.WithRetrier")
_add(_G, _C.RETRY, "heimdall", "github.com/gojek/heimdall/hystrix.WithRetryCount")
_add(_G, _C.RETRY, "heimdall", "github.com/gojek/heimdall/hystrix.WithRetrier")
_add(_G, _C.RETRY, "sethvargo/go-retry", "github.com/sethvargo/go-retry.*")
_add(_G, _C.RETRY, "go-grpc-middleware", "github.com/grpc-ecosystem/go-grpc-middleware/retry.*")
_add(
    _G,
    _C.RETRY,
    "go-grpc-middleware",
    "github.com/grpc-ecosystem/go-grpc-middleware/interceptors/retry.*",
)
_add(_G, _C.RETRY, "failsafe-go", "github.com/failsafe-go/failsafe-go/retrypolicy.*")
_add(_G, _C.RETRY, "go-resiliency", "github.com/eapache/go-resiliency/retrier.*")

_add(_G, _C.CIRCUIT_BREAKER, "sony/gobreaker", "github.com/sony/gobreaker.*")
_add(_G, _C.CIRCUIT_BREAKER, "hystrix-go", "github.com/afex/hystrix-go/hystrix.*")
_add(_G, _C.CIRCUIT_BREAKER, "hystrix-go", "github.com/gojek/hystrix-go/hystrix.*")
_add(_G, _C.CIRCUIT_BREAKER, "heimdall", "github.com/gojek/heimdall/hystrix.NewClient")
_add(_G, _C.CIRCUIT_BREAKER, "rubyist/circuitbreaker", "github.com/rubyist/circuitbreaker.*")
_add(_G, _C.CIRCUIT_BREAKER, "go-resiliency", "github.com/eapache/go-resiliency/breaker.*")
_add(_G, _C.CIRCUIT_BREAKER, "go-circuitbreaker", "github.com/mercari/go-circuitbreaker.*")
_add(_G, _C.CIRCUIT_BREAKER, "failsafe-go", "github.com/failsafe-go/failsafe-go/circuitbreaker.*")
_add(_G, _C.CIRCUIT_BREAKER, "handy/breaker", "github.com/streadway/handy/breaker.*")

_add(_G, _C.RATE_LIMIT, "x/time/rate", "golang.org/x/time/rate.*")
_add(_G, _C.RATE_LIMIT, "ulule/limiter", "github.com/ulule/limiter/...")
_add(_G, _C.RATE_LIMIT, "tollbooth", "github.com/didip/tollbooth/...")
_add(_G, _C.RATE_LIMIT, "uber-go/ratelimit", "go.uber.org/ratelimit.*")
_add(_G, _C.RATE_LIMIT, "x/sync/semaphore", "golang.org/x/sync/semaphore.*")
_add(_G, _C.RATE_LIMIT, "throttled", "github.com/throttled/throttled/...")
_add(_G, _C.RATE_LIMIT, "sethvargo/go-limiter", "github.com/sethvargo/go-limiter/...")
_add(_G, _C.RATE_LIMIT, "juju/ratelimit", "github.com/juju/ratelimit.*")
_add(_G, _C.RATE_LIMIT, "go-chi/httprate", "github.com/go-chi/httprate.*")
_add(_G, _C.RATE_LIMIT, "fiber limiter", "github.com/gofiber/fiber/middleware/limiter.*")
_add(_G, _C.RATE_LIMIT, "echo rate limiter", "github.com/labstack/echo/middleware.RateLimiter")
_add(
    _G,
    _C.RATE_LIMIT,
    "echo rate limiter",
    "github.com/labstack/echo/middleware.RateLimiterWithConfig",
)
_add(_G, _C.RATE_LIMIT, "go-resiliency", "github.com/eapache/go-resiliency/semaphore.*")
_add(_G, _C.RATE_LIMIT, "x/net/netutil", "golang.org/x/net/netutil.LimitListener")
_add(
    _G,
    _C.RATE_LIMIT,
    "go-concurrency-limits",
    "github.com/platinummonkey/go-concurrency-limits/...",
)

_add(_G, _C.METRICS, "prometheus client_golang", "github.com/prometheus/client_golang/...")
_add(_G, _C.METRICS, "opentelemetry-go", "go.opentelemetry.io/otel/metric/...")
_add(_G, _C.METRICS, "opentelemetry-go", "go.opentelemetry.io/otel/sdk/metric/...")
_add(_G, _C.METRICS, "opentelemetry-go", "go.opentelemetry.io/otel/exporters/prometheus.*")
_add(_G, _C.METRICS, "datadog-go", "github.com/DataDog/datadog-go/statsd.*")
_add(_G, _C.METRICS, "go-statsd-client", "github.com/cactus/go-statsd-client/...")
_add(_G, _C.METRICS, "go-metrics", "github.com/rcrowley/go-metrics.*")
_add(_G, _C.METRICS, "go-metrics", "github.com/armon/go-metrics/...")
_add(_G, _C.METRICS, "go-metrics", "github.com/hashicorp/go-metrics/...")
_add(_G, _C.METRICS, "VictoriaMetrics/metrics", "github.com/VictoriaMetrics/metrics.*")
_add(_G, _C.METRICS, "go-http-metrics", "github.com/slok/go-http-metrics/...")
_add(_G, _C.METRICS, "go-gin-prometheus", "github.com/zsais/go-gin-prometheus.*")

_add(_G, _C.STRUCTURED_LOGGING, "zap", "go.uber.org/zap/...")
_add(_G, _C.STRUCTURED_LOGGING, "zerolog", "github.com/rs/zerolog/...")
_add(_G, _C.STRUCTURED_LOGGING, "slog", "log/slog.NewJSONHandler")
_add(_G, _C.STRUCTURED_LOGGING, "logrus", "github.com/sirupsen/logrus.JSONFormatter")
_add(_G, _C.STRUCTURED_LOGGING, "go-kit log", "github.com/go-kit/kit/log.NewJSONLogger")
_add(_G, _C.STRUCTURED_LOGGING, "go-kit log", "github.com/go-kit/log.NewJSONLogger")
_add(_G, _C.STRUCTURED_LOGGING, "apex/log", "github.com/apex/log/handlers/json.*")
_add(_G, _C.STRUCTURED_LOGGING, "zapr", "github.com/go-logr/zapr.*")

_add(_G, _C.TRACING, "opentelemetry-go", "go.opentelemetry.io/otel.Tracer")
_add(_G, _C.TRACING, "opentelemetry-go", "go.opentelemetry.io/otel.SetTracerProvider")
_add(_G, _C.TRACING, "opentelemetry-go", "go.opentelemetry.io/otel.GetTracerProvider")
_add(_G, _C.TRACING, "opentelemetry-go", "go.opentelemetry.io/otel/trace/...")
_add(_G, _C.TRACING, "opentelemetry-go", "go.opentelemetry.io/otel/sdk/trace/...")
_add(_G, _C.TRACING, "opentelemetry-go", "go.opentelemetry.io/otel/exporters/otlp/otlptrace/...")
_add(_G, _C.TRACING, "opentelemetry-go", "go.opentelemetry.io/otel/exporters/jaeger.*")
_add(_G, _C.TRACING, "opentelemetry-go", "go.opentelemetry.io/otel/exporters/zipkin.*")
_add(_G, _C.TRACING, "opentelemetry-go", "go.opentelemetry.io/otel/exporters/stdout/stdouttrace.*")
_add(_G, _C.TRACING, "opentelemetry-go", "go.opentelemetry.io/contrib/instrumentation/...")
_add(_G, _C.TRACING, "opencensus", "go.opencensus.io/trace/...")
_add(_G, _C.TRACING, "opencensus", "go.opencensus.io/plugin/ochttp.*")
_add(_G, _C.TRACING, "jaeger-client-go", "github.com/uber/jaeger-client-go/...")
_add(_G, _C.TRACING, "zipkin-go", "github.com/openzipkin/zipkin-go/...")
_add(_G, _C.TRACING, "opentracing-go", "github.com/opentracing/opentracing-go/...")
_add(_G, _C.TRACING, "dd-trace-go", "gopkg.in/DataDog/dd-trace-go/...")
_add(_G, _C.TRACING, "dd-trace-go", "github.com/DataDog/dd-trace-go/...")
_add(_G, _C.TRACING, "newrelic", "github.com/newrelic/go-agent/...")
_req(
    _G, _C.TRACING, "sentry-go", "github.com/getsentry/sentry-go.ClientOptions", "TracesSampleRate"
)
_req(_G, _C.TRACING, "sentry-go", "github.com/getsentry/sentry-go.ClientOptions", "EnableTracing")
_req(_G, _C.TRACING, "sentry-go", "github.com/getsentry/sentry-go.ClientOptions", "TracesSampler")

_add(_G, _C.ERROR_TRACKING, "sentry-go", "github.com/getsentry/sentry-go.Init")
_add(_G, _C.ERROR_TRACKING, "sentry-go", "github.com/getsentry/sentry-go/...")
_add(_G, _C.ERROR_TRACKING, "rollbar-go", "github.com/rollbar/rollbar-go.*")
_add(_G, _C.ERROR_TRACKING, "bugsnag-go", "github.com/bugsnag/bugsnag-go/...")
_add(_G, _C.ERROR_TRACKING, "honeybadger-go", "github.com/honeybadger-io/honeybadger-go.*")
_add(_G, _C.ERROR_TRACKING, "airbrake-go", "github.com/airbrake/gobrake.*")

_add(_G, _C.WEB_FRAMEWORK, "gin", "github.com/gin-gonic/gin.*")
_add(_G, _C.WEB_FRAMEWORK, "chi", "github.com/go-chi/chi.*")
_add(_G, _C.WEB_FRAMEWORK, "echo", "github.com/labstack/echo.*")
_add(_G, _C.WEB_FRAMEWORK, "fiber", "github.com/gofiber/fiber.*")
_add(_G, _C.WEB_FRAMEWORK, "gorilla/mux", "github.com/gorilla/mux.*")
_add(_G, _C.WEB_FRAMEWORK, "httprouter", "github.com/julienschmidt/httprouter.*")
_add(_G, _C.WEB_FRAMEWORK, "net/http", "net/http.ListenAndServe", "net/http.NewServeMux")
_add(_G, _C.WEB_FRAMEWORK, "net/http", "net/http.Server", "net/http.HandleFunc")

_add(_G, _C.GRPC, "grpc-go", "google.golang.org/grpc.NewServer", "google.golang.org/grpc.Dial")
_add(_G, _C.GRPC, "grpc-go", "google.golang.org/grpc.DialContext")
_add(_G, _C.GRPC, "grpc-go", "google.golang.org/grpc.NewClient")

_add(_G, _C.HEALTH_CHECK, "grpc health", "google.golang.org/grpc/health.NewServer")
_add(_G, _C.HEALTH_CHECK, "grpc health", "google.golang.org/grpc/health/grpc_health_v1.*")
_add(_G, _C.HEALTH_CHECK, "heptiolabs/healthcheck", "github.com/heptiolabs/healthcheck.*")
_add(_G, _C.HEALTH_CHECK, "alexliesenfeld/health", "github.com/alexliesenfeld/health.*")
_add(_G, _C.HEALTH_CHECK, "hellofresh/health-go", "github.com/hellofresh/health-go.*")

_add(_G, _C.WORKER, "sarama", "github.com/IBM/sarama.NewConsumerGroup")
_add(_G, _C.WORKER, "sarama", "github.com/Shopify/sarama.NewConsumerGroup")
_add(_G, _C.WORKER, "sarama", "github.com/Shopify/sarama.NewConsumer")
_add(_G, _C.WORKER, "kafka-go", "github.com/segmentio/kafka-go.NewReader")
_add(
    _G,
    _C.WORKER,
    "confluent-kafka-go",
    "github.com/confluentinc/confluent-kafka-go/kafka.NewConsumer",
)
_add(_G, _C.WORKER, "asynq", "github.com/hibiken/asynq.NewServer")
_add(_G, _C.WORKER, "machinery", "github.com/RichardKnop/machinery.NewServer")
_add(_G, _C.WORKER, "temporal", "go.temporal.io/sdk/worker.New")

_add(_G, _C.HTTP_CLIENT, "net/http", "net/http.Get", "net/http.Post", "net/http.Client")
_add(_G, _C.HTTP_CLIENT, "heimdall", "github.com/gojek/heimdall/httpclient.NewClient")
_add(_G, _C.HTTP_CLIENT, "resty", "github.com/go-resty/resty.New")

# --------------------------------------------------------------------------- JS / TS
_J = Family.JS
_add(_J, _C.RETRY, "axios-retry", "axios-retry")
_add(_J, _C.RETRY, "p-retry", "p-retry")
_add(_J, _C.RETRY, "async-retry", "async-retry")
_add(_J, _C.RETRY, "retry", "retry:operation")
_add(_J, _C.RETRY, "cockatiel", "cockatiel:retry")
_add(_J, _C.RETRY, "fetch-retry", "fetch-retry")
_add(_J, _C.CIRCUIT_BREAKER, "opossum", "opossum")
_add(_J, _C.CIRCUIT_BREAKER, "cockatiel", "cockatiel:circuitBreaker")
_add(_J, _C.CIRCUIT_BREAKER, "cockatiel", "cockatiel:CircuitBreakerPolicy")
_add(_J, _C.RATE_LIMIT, "express-rate-limit", "express-rate-limit")
_add(_J, _C.RATE_LIMIT, "rate-limiter-flexible", "rate-limiter-flexible")
_add(_J, _C.RATE_LIMIT, "bottleneck", "bottleneck")
_add(_J, _C.RATE_LIMIT, "p-limit", "p-limit")
_add(_J, _C.RATE_LIMIT, "@fastify/rate-limit", "@fastify/rate-limit", "fastify-rate-limit")
_add(_J, _C.RATE_LIMIT, "@nestjs/throttler", "@nestjs/throttler")
_add(_J, _C.RATE_LIMIT, "koa-ratelimit", "koa-ratelimit")
_add(_J, _C.RATE_LIMIT, "cockatiel", "cockatiel:bulkhead")
_add(_J, _C.METRICS, "prom-client", "prom-client")
_add(_J, _C.METRICS, "express-prom-bundle", "express-prom-bundle")
_add(_J, _C.METRICS, "hot-shots", "hot-shots")
_add(_J, _C.METRICS, "node-statsd", "node-statsd")
_add(_J, _C.METRICS, "opentelemetry-js", "@opentelemetry/sdk-metrics")
_add(_J, _C.METRICS, "fastify-metrics", "fastify-metrics")
_add(_J, _C.STRUCTURED_LOGGING, "pino", "pino", "pino-http", "express-pino-logger")
_add(_J, _C.STRUCTURED_LOGGING, "bunyan", "bunyan")
_add(_J, _C.STRUCTURED_LOGGING, "winston", "winston:format.json")
_add(_J, _C.STRUCTURED_LOGGING, "winston", "logform:format.json")
_add(_J, _C.STRUCTURED_LOGGING, "nestjs-pino", "nestjs-pino")
_add(_J, _C.TRACING, "opentelemetry-js", "@opentelemetry/sdk-node", "@opentelemetry/sdk-trace-node")
_add(_J, _C.TRACING, "opentelemetry-js", "@opentelemetry/sdk-trace-base", "@opentelemetry/api")
_add(_J, _C.TRACING, "opentelemetry-js", "@opentelemetry/auto-instrumentations-node")
_add(_J, _C.TRACING, "opentelemetry-js", "@opentelemetry/instrumentation*")
_add(_J, _C.TRACING, "dd-trace", "dd-trace")
_add(_J, _C.TRACING, "elastic-apm-node", "elastic-apm-node")
_add(_J, _C.TRACING, "jaeger-client", "jaeger-client")
_add(_J, _C.TRACING, "zipkin", "zipkin")
_add(_J, _C.TRACING, "newrelic", "newrelic")
_SENTRY_JS = (
    "node",
    "browser",
    "react",
    "nextjs",
    "vue",
    "nuxt",
    "angular",
    "svelte",
    "sveltekit",
    "remix",
    "gatsby",
    "astro",
    "solid",
    "ember",
    "react-native",
    "electron",
    "bun",
    "deno",
    "aws-serverless",
    "google-cloud-serverless",
)
"""Sentry's JavaScript SDKs: each has ``init`` (errors) and tracing options."""
for _sdk in _SENTRY_JS:
    _add(_J, _C.ERROR_TRACKING, f"@sentry/{_sdk}", f"@sentry/{_sdk}:init")
    _req(_J, _C.TRACING, f"@sentry/{_sdk}", f"@sentry/{_sdk}:init", "tracesSampleRate")
    _req(_J, _C.TRACING, f"@sentry/{_sdk}", f"@sentry/{_sdk}:init", "tracesSampler")
_add(_J, _C.ERROR_TRACKING, "rollbar", "rollbar")
_add(_J, _C.ERROR_TRACKING, "bugsnag", "@bugsnag/js", "@bugsnag/node")
_add(_J, _C.ERROR_TRACKING, "honeybadger", "@honeybadger-io/js")
_add(_J, _C.WEB_FRAMEWORK, "express", "express")
_add(_J, _C.WEB_FRAMEWORK, "koa", "koa")
_add(_J, _C.WEB_FRAMEWORK, "fastify", "fastify")
_add(_J, _C.WEB_FRAMEWORK, "hapi", "@hapi/hapi")
_add(_J, _C.WEB_FRAMEWORK, "nestjs", "@nestjs/core")
_add(_J, _C.WEB_FRAMEWORK, "restify", "restify")
_add(_J, _C.GRPC, "grpc-js", "@grpc/grpc-js")
_add(_J, _C.HEALTH_CHECK, "terminus", "@godaddy/terminus", "@nestjs/terminus")
_add(_J, _C.WORKER, "bullmq", "bullmq:Worker")
_add(_J, _C.WORKER, "temporal", "@temporalio/worker:Worker")
_add(_J, _C.HEALTH_CHECK, "lightship", "lightship")
_add(_J, _C.HEALTH_CHECK, "grpc-health-check", "grpc-health-check")
_add(_J, _C.HTTP_CLIENT, "axios", "axios")
_add(_J, _C.HTTP_CLIENT, "got", "got")
_add(_J, _C.HTTP_CLIENT, "node-fetch", "node-fetch")
_add(_J, _C.HTTP_CLIENT, "undici", "undici")

# --------------------------------------------------------------------------- Java
_V = Family.JAVA
_add(_V, _C.RETRY, "resilience4j", "io.github.resilience4j.retry.*")
_add(_V, _C.RETRY, "spring-retry", "org.springframework.retry.*")
_add(_V, _C.RETRY, "failsafe", "dev.failsafe.RetryPolicy", "net.jodah.failsafe.RetryPolicy")
_add(_V, _C.RETRY, "guava-retrying", "com.github.rholder.retry.*")
_add(_V, _C.CIRCUIT_BREAKER, "resilience4j", "io.github.resilience4j.circuitbreaker.*")
_add(_V, _C.CIRCUIT_BREAKER, "hystrix", "com.netflix.hystrix.*")
_add(_V, _C.CIRCUIT_BREAKER, "failsafe", "dev.failsafe.CircuitBreaker")
_add(_V, _C.CIRCUIT_BREAKER, "failsafe", "net.jodah.failsafe.CircuitBreaker")
_add(_V, _C.CIRCUIT_BREAKER, "spring-cloud", "org.springframework.cloud.client.circuitbreaker.*")
_add(_V, _C.RATE_LIMIT, "resilience4j", "io.github.resilience4j.ratelimiter.*")
_add(_V, _C.RATE_LIMIT, "resilience4j", "io.github.resilience4j.bulkhead.*")
_add(_V, _C.RATE_LIMIT, "bucket4j", "io.github.bucket4j.*", "com.giffing.bucket4j.*")
_add(_V, _C.RATE_LIMIT, "guava", "com.google.common.util.concurrent.RateLimiter")
_add(_V, _C.METRICS, "micrometer", "io.micrometer.*")
_add(_V, _C.METRICS, "prometheus simpleclient", "io.prometheus.*")
_add(_V, _C.METRICS, "dropwizard metrics", "com.codahale.metrics.*")
_add(_V, _C.METRICS, "opentelemetry-java", "io.opentelemetry.api.metrics.*")
_add(_V, _C.STRUCTURED_LOGGING, "logstash-logback-encoder", "net.logstash.logback.*")
_add(_V, _C.STRUCTURED_LOGGING, "ecs-logging-java", "co.elastic.logging.*")
_add(_V, _C.TRACING, "opentelemetry-java", "io.opentelemetry.api.trace.*")
_add(_V, _C.TRACING, "opentelemetry-java", "io.opentelemetry.instrumentation.*")
_add(_V, _C.TRACING, "opentelemetry-java", "io.opentelemetry.sdk.trace.*")
_add(_V, _C.TRACING, "opentelemetry-java", "io.opentelemetry.api.GlobalOpenTelemetry")
_add(_V, _C.TRACING, "brave", "brave.*")
_add(_V, _C.TRACING, "opentracing", "io.opentracing.*")
_add(_V, _C.TRACING, "micrometer tracing", "io.micrometer.tracing.*")
_add(_V, _C.TRACING, "datadog", "datadog.trace.api.*")
_add(_V, _C.ERROR_TRACKING, "sentry-java", "io.sentry.*")
_add(_V, _C.ERROR_TRACKING, "rollbar-java", "com.rollbar.*")
_add(_V, _C.ERROR_TRACKING, "bugsnag-java", "com.bugsnag.*")
_add(_V, _C.ERROR_TRACKING, "honeybadger-java", "io.honeybadger.*")
_add(_V, _C.WEB_FRAMEWORK, "spring-boot", "org.springframework.boot.SpringApplication")
_add(_V, _C.WEB_FRAMEWORK, "spring-web", "org.springframework.web.bind.annotation.*")
_add(_V, _C.WEB_FRAMEWORK, "jax-rs", "javax.ws.rs.Path", "jakarta.ws.rs.Path")
_add(_V, _C.WEB_FRAMEWORK, "javalin", "io.javalin.Javalin")
_add(_V, _C.WEB_FRAMEWORK, "micronaut", "io.micronaut.http.annotation.*")
_add(_V, _C.WEB_FRAMEWORK, "quarkus", "io.quarkus.runtime.Quarkus")
_add(_V, _C.GRPC, "grpc-java", "io.grpc.ServerBuilder", "io.grpc.ManagedChannelBuilder")
_add(_V, _C.GRPC, "grpc-java", "io.grpc.netty.NettyServerBuilder")
_add(_V, _C.HEALTH_CHECK, "grpc-java health", "io.grpc.protobuf.services.HealthStatusManager")
_add(_V, _C.WORKER, "spring-kafka", "org.springframework.kafka.annotation.KafkaListener")
_add(_V, _C.WORKER, "spring-amqp", "org.springframework.amqp.rabbit.annotation.RabbitListener")
_add(_V, _C.WORKER, "spring-jms", "org.springframework.jms.annotation.JmsListener")
_add(_V, _C.HEALTH_CHECK, "grpc-java health", "io.grpc.services.HealthStatusManager")
_add(_V, _C.HEALTH_CHECK, "spring-boot-actuator", "org.springframework.boot.actuate.health.*")
_add(_V, _C.HTTP_CLIENT, "java.net.http", "java.net.http.HttpClient")
_add(_V, _C.HTTP_CLIENT, "spring-web", "org.springframework.web.client.RestTemplate")
_add(_V, _C.HTTP_CLIENT, "okhttp", "okhttp3.OkHttpClient")

RULES: tuple[LibraryRule, ...] = tuple(_RULES)
"""Every rule, in table order."""

# Strings that prove a capability when they appear as a literal in source:
# settings lists (Django ``INSTALLED_APPS``/``MIDDLEWARE``, DRF throttling)
# and ``logging.config.dictConfig`` formatter paths.
STRING_RULES: tuple[tuple[str, Capability, str], ...] = (
    ("django_prometheus", _C.METRICS, "django-prometheus"),
    ("django_structlog", _C.STRUCTURED_LOGGING, "django-structlog"),
    ("pythonjsonlogger", _C.STRUCTURED_LOGGING, "python-json-logger"),
    ("json_log_formatter", _C.STRUCTURED_LOGGING, "json-log-formatter"),
    ("ecs_logging", _C.STRUCTURED_LOGGING, "ecs-logging"),
    ("rest_framework.throttling", _C.RATE_LIMIT, "django-rest-framework throttling"),
    ("django_ratelimit", _C.RATE_LIMIT, "django-ratelimit"),
    ("opentelemetry.instrumentation", _C.TRACING, "opentelemetry"),
    ("ddtrace", _C.TRACING, "ddtrace"),
    ("elasticapm", _C.TRACING, "elastic-apm"),
    ("sentry_sdk.integrations", _C.ERROR_TRACKING, "sentry-sdk"),
    ("rollbar.contrib", _C.ERROR_TRACKING, "rollbar"),
    ("bugsnag.django", _C.ERROR_TRACKING, "bugsnag"),
)
"""(substring of a dotted string literal, capability, library) for Python."""

_STRING_RULE_RE = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(s) for s, _, _ in STRING_RULES) + r")(?![\w])"
)


def string_rules_in(value: str) -> list[tuple[Capability, str]]:
    """Capabilities proven by a Python string literal such as
    ``"django_prometheus.middleware.PrometheusBeforeMiddleware"``.

    Only short, dotted, space-free strings count: prose that mentions a
    library (a docstring, a log message) proves nothing."""
    if len(value) > 200 or " " in value or not value:
        return []
    found: list[tuple[Capability, str]] = []
    for match in _STRING_RULE_RE.finditer(value):
        for needle, capability, library in STRING_RULES:
            if match.group(1) == needle:
                found.append((capability, library))
    return found


_GO_MAJOR = re.compile(r"/v\d+(?=/|$)")
_GO_DOT_MAJOR = re.compile(r"\.v\d+(?=/|$)")


def normalise_go_path(path: str) -> str:
    """``github.com/sony/gobreaker/v2`` -> ``github.com/sony/gobreaker``;
    ``gopkg.in/DataDog/dd-trace-go.v1/ddtrace/tracer`` ->
    ``gopkg.in/DataDog/dd-trace-go/ddtrace/tracer``."""
    return _GO_DOT_MAJOR.sub("", _GO_MAJOR.sub("", path))


@dataclass(frozen=True, slots=True)
class _Index:
    exact: dict[str, tuple[LibraryRule, ...]]
    under: dict[str, tuple[LibraryRule, ...]]
    """Key -> rules matching the key and anything below it (``.*``, ``/...``)."""
    prefixes: tuple[tuple[str, LibraryRule], ...]
    """JS only: module-name prefixes (``@opentelemetry/instrumentation*``)."""


@cache
def _index(family: Family) -> _Index:
    exact: dict[str, list[LibraryRule]] = {}
    under: dict[str, list[LibraryRule]] = {}
    prefixes: list[tuple[str, LibraryRule]] = []
    for rule in RULES:
        if rule.family is not family:
            continue
        symbol = rule.symbol
        if symbol.endswith("/..."):
            under.setdefault(symbol[:-4], []).append(rule)
        elif symbol.endswith(".*"):
            under.setdefault(symbol[:-2], []).append(rule)
        elif symbol.endswith("*"):
            prefixes.append((symbol[:-1], rule))
        else:
            exact.setdefault(symbol, []).append(rule)
    return _Index(
        {k: tuple(v) for k, v in exact.items()},
        {k: tuple(v) for k, v in under.items()},
        tuple(prefixes),
    )


def _go_rules(index: _Index, symbol: str) -> list[LibraryRule]:
    package = symbol.rpartition(".")[0] or symbol
    found = list(index.under.get(package, ()))  # "path.*" and "path/..."
    cut = package
    while "/" in cut:
        cut = cut.rsplit("/", 1)[0]
        found.extend(r for r in index.under.get(cut, ()) if r.symbol.endswith("/..."))
    return found


def _js_rules(index: _Index, symbol: str) -> list[LibraryRule]:
    module = symbol.partition(":")[0]
    found = list(index.exact.get(module, ())) if module != symbol else []
    found.extend(rule for prefix, rule in index.prefixes if module.startswith(prefix))
    return found


def _dotted_rules(index: _Index, symbol: str) -> list[LibraryRule]:
    found: list[LibraryRule] = []
    cut = symbol
    while True:
        found.extend(index.under.get(cut, ()))
        if "." not in cut:
            return found
        cut = cut.rsplit(".", 1)[0]


def match_symbol(language: str, symbol: str, keys: Iterable[str] = ()) -> tuple[LibraryRule, ...]:
    """Rules that ``symbol`` satisfies in ``language``.

    ``keys`` are the keyword arguments / object keys / literal fields present
    at the use site, for rules with ``requires``."""
    candidates = _candidates_for(family_of(language), symbol)
    if not candidates:
        return ()
    if not any(rule.requires for rule in candidates):
        return candidates
    present = set(keys)
    return tuple(r for r in candidates if r.requires is None or r.requires in present)


@lru_cache(maxsize=16384)
def _candidates_for(family: Family, symbol: str) -> tuple[LibraryRule, ...]:
    """Every rule ``symbol`` may satisfy, before ``requires`` is checked
    (cached: a repository calls the same few thousand symbols over and over)."""
    index = _index(family)
    found: list[LibraryRule] = list(index.exact.get(symbol, ()))
    if family is Family.GO:
        found.extend(_go_rules(index, symbol))
    elif family is Family.JS:
        found.extend(_js_rules(index, symbol))
    else:
        found.extend(_dotted_rules(index, symbol))
    unique: dict[tuple[str, Capability, str | None], LibraryRule] = {}
    for rule in found:
        unique.setdefault((rule.library, rule.capability, rule.requires), rule)
    return tuple(unique.values())


# --------------------------------------------------------------------------- dependencies

_DEDICATED: dict[Capability, dict[str, tuple[str, ...]]] = {
    _C.RETRY: {
        "python": (
            "tenacity",
            "stamina",
            "backoff",
            "retrying",
            "retry",
            "opnieuw",
            "httpx-retries",
            "aiohttp-retry",
        ),
        "go": (
            "github.com/cenkalti/backoff",
            "github.com/avast/retry-go",
            "github.com/hashicorp/go-retryablehttp",
            "github.com/sethvargo/go-retry",
        ),
        "javascript": ("axios-retry", "p-retry", "async-retry", "fetch-retry"),
    },
    _C.CIRCUIT_BREAKER: {
        "python": ("pybreaker", "aiobreaker", "circuitbreaker", "purgatory"),
        "go": (
            "github.com/sony/gobreaker",
            "github.com/afex/hystrix-go",
            "github.com/gojek/hystrix-go",
            "github.com/rubyist/circuitbreaker",
            "github.com/mercari/go-circuitbreaker",
        ),
        "javascript": ("opossum",),
    },
    _C.RATE_LIMIT: {
        "python": (
            "slowapi",
            "fastapi-limiter",
            "flask-limiter",
            "django-ratelimit",
            "ratelimit",
            "limits",
            "aiolimiter",
            "pyrate-limiter",
        ),
        "go": (
            "github.com/ulule/limiter",
            "github.com/didip/tollbooth",
            "go.uber.org/ratelimit",
            "github.com/throttled/throttled",
            "github.com/sethvargo/go-limiter",
            "github.com/go-chi/httprate",
            "github.com/juju/ratelimit",
        ),
        "javascript": (
            "express-rate-limit",
            "rate-limiter-flexible",
            "bottleneck",
            "@fastify/rate-limit",
            "@nestjs/throttler",
            "koa-ratelimit",
        ),
    },
    _C.METRICS: {
        "python": (
            "prometheus-client",
            "prometheus-fastapi-instrumentator",
            "starlette-exporter",
            "starlette-prometheus",
            "prometheus-flask-exporter",
            "aioprometheus",
            "django-prometheus",
            "statsd",
            "opentelemetry-exporter-prometheus",
        ),
        "go": (
            "github.com/prometheus/client_golang",
            "github.com/DataDog/datadog-go",
            "github.com/VictoriaMetrics/metrics",
            "github.com/rcrowley/go-metrics",
        ),
        "javascript": ("prom-client", "express-prom-bundle", "hot-shots", "fastify-metrics"),
    },
    _C.STRUCTURED_LOGGING: {
        "python": (
            "structlog",
            "python-json-logger",
            "json-log-formatter",
            "ecs-logging",
            "django-structlog",
        ),
        "go": ("go.uber.org/zap", "github.com/rs/zerolog"),
        "javascript": ("pino", "bunyan", "pino-http", "nestjs-pino"),
    },
    _C.TRACING: {
        "python": (
            "opentelemetry-sdk",
            "opentelemetry-distro",
            "opentelemetry-instrumentation-fastapi",
            "opentelemetry-instrumentation-flask",
            "opentelemetry-instrumentation-django",
            "opentelemetry-instrumentation-requests",
            "opentelemetry-instrumentation-httpx",
            "opencensus",
            "jaeger-client",
            "py-zipkin",
            "ddtrace",
            "elastic-apm",
            "aws-xray-sdk",
        ),
        "go": (
            "go.opentelemetry.io/otel/sdk",
            "github.com/uber/jaeger-client-go",
            "github.com/openzipkin/zipkin-go",
            "github.com/opentracing/opentracing-go",
            "gopkg.in/DataDog/dd-trace-go.v1",
        ),
        "javascript": (
            "@opentelemetry/sdk-node",
            "@opentelemetry/sdk-trace-node",
            "dd-trace",
            "jaeger-client",
            "elastic-apm-node",
        ),
    },
    _C.ERROR_TRACKING: {
        "python": ("sentry-sdk", "raven", "rollbar", "bugsnag", "honeybadger", "pybrake"),
        "go": (
            "github.com/getsentry/sentry-go",
            "github.com/rollbar/rollbar-go",
            "github.com/bugsnag/bugsnag-go",
            "github.com/honeybadger-io/honeybadger-go",
        ),
        "javascript": (
            *(f"@sentry/{sdk}" for sdk in _SENTRY_JS),
            "rollbar",
            "@bugsnag/js",
            "@honeybadger-io/js",
        ),
    },
}

DEDICATED_PACKAGES: tuple[tuple[Capability, str, str], ...] = tuple(
    (capability, ecosystem, name)
    for capability, by_ecosystem in _DEDICATED.items()
    for ecosystem, names in by_ecosystem.items()
    for name in names
)
"""(capability, dependency ecosystem, package name): packages whose only job is
the capability, so declaring one that the code never uses is worth a finding
("tenacity is declared but no code retries"). Multi-purpose packages (urllib3,
redis, sentry-sdk for tracing) are deliberately absent."""


def dedicated_packages(capability: Capability | str) -> tuple[tuple[str, str], ...]:
    """(ecosystem, package name) of the packages dedicated to ``capability``."""
    wanted = str(capability)
    return tuple((eco, name) for cap, eco, name in DEDICATED_PACKAGES if cap == wanted)
