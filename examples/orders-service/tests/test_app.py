from fastapi.testclient import TestClient

from orders.app import app

client = TestClient(app)


def test_health_and_readiness() -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200


def test_invalid_orders_are_rejected() -> None:
    assert client.post("/orders", json={"sku": "", "quantity": 0}).status_code == 422


def test_unknown_order_is_404() -> None:
    assert client.get("/orders/999").status_code == 404
