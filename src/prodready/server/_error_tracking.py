"""Error tracking with Sentry (or anything that speaks its protocol:
GlitchTip, self-hosted Sentry), off unless a DSN is configured.

Logs tell you an error happened; an error tracker groups the same error
across instances and releases, counts it, and tells you when a release brings
it back. ``sentry_sdk`` is imported only when a DSN is set, so a server
without one pays nothing. The SDK enables its Starlette/FastAPI integration
itself (it reports what reaches our 500 handler) and its SQLAlchemy one;
``traces_sample_rate`` > 0 also sends request traces (Sentry performance: a
transaction per request with its database
spans, propagated to and from other services by the ``sentry-trace`` and
``baggage`` headers). No personal data and no secrets are sent: no user or
client IP, no request bodies (scan documents), no SQL parameters, no local
variables (they can hold a token being checked); the SDK's default denylist keeps cookies and the
``Authorization`` header out. The DSN holds a key, so only its host is ever
logged (ADR 0046).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from prodready import __version__
from prodready.server._settings import Settings

log = logging.getLogger("prodready.server")


def init_error_tracking(settings: Settings) -> bool:
    """Start reporting unhandled errors when ``settings.sentry_dsn`` is set."""
    if not settings.sentry_dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        release=f"prodready@{__version__}",
        environment=settings.sentry_environment,
        traces_sample_rate=settings.sentry_traces_sample_rate,
        data_collection={
            "user_info": False,  # no client IP, no user
            "http_bodies": [],  # pushed scan documents stay here
            "stack_frame_variables": False,  # locals can hold a token being checked
            "database_query_data": False,  # SQL parameters: token hashes, documents
        },
    )
    log.info(
        "error tracking on",
        extra={
            "sentry_host": urlsplit(settings.sentry_dsn).hostname,
            "traces_sample_rate": settings.sentry_traces_sample_rate,
        },
    )
    return True
