"""Backoff strategies for :class:`prodready.http.Retry`.

Small immutable values that add up with ``+`` and whose caps hold after
jitter::

    from prodready.http import backoff

    backoff.exponential(0.01, max=1.0) + backoff.jitter(0.005)
    backoff.constant(0.002) + backoff.jitter(0.005)     # heimdall's constant backoff
    backoff.decorrelated_jitter(0.05, max=2.0)

The implementation lives in the private ``_backoff`` module.
"""

from prodready.http._backoff import (
    Backoff,
    constant,
    decorrelated_jitter,
    exponential,
    full_jitter,
    jitter,
    linear,
    none,
)

__all__ = [
    "Backoff",
    "constant",
    "decorrelated_jitter",
    "exponential",
    "full_jitter",
    "jitter",
    "linear",
    "none",
]
