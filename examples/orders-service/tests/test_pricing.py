import httpx
import pytest

from orders.pricing import PricingError, unit_price_cents


def client(handler: httpx.MockTransport) -> httpx.Client:
    return httpx.Client(base_url="http://pricing", transport=handler)


def test_price_is_read_from_the_pricing_service() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"cents": 125}))
    assert unit_price_cents("apple", client(transport)) == 125


def test_errors_become_pricing_errors() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(500))
    with pytest.raises(PricingError):
        unit_price_cents("apple", client(transport))
