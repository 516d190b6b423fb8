"""Client of the pricing service. Every call has a timeout."""

from __future__ import annotations

import os

import httpx

PRICING_URL = os.environ.get("PRICING_URL", "http://pricing:8080")
TIMEOUT = httpx.Timeout(2.0, connect=0.5)


class PricingError(Exception):
    """The pricing service did not answer usefully."""


def unit_price_cents(sku: str, client: httpx.Client | None = None) -> int:
    owned = client is None
    client = client or httpx.Client(base_url=PRICING_URL, timeout=TIMEOUT)
    try:
        response = client.get(f"/prices/{sku}", timeout=TIMEOUT)
        response.raise_for_status()
        return int(response.json()["cents"])
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        raise PricingError(f"no price for {sku}: {exc}") from exc
    finally:
        if owned:
            client.close()
