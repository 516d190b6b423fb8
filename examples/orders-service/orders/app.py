"""HTTP API of the orders service."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from orders.pricing import PricingError, unit_price_cents
from orders.store import OrderStore

app = FastAPI(title="orders")
store = OrderStore()


class NewOrder(BaseModel):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0, le=1000)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/readyz")
def readyz() -> dict[str, str]:
    return {"status": "ready", "orders": str(len(store))}


@app.post("/orders", status_code=201)
def create_order(order: NewOrder) -> dict[str, object]:
    try:
        price = unit_price_cents(order.sku)
    except PricingError as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from exc
    created = store.add(order.sku, order.quantity, price * order.quantity)
    return created.__dict__


@app.get("/orders/{order_id}")
def get_order(order_id: int) -> dict[str, object]:
    found = store.get(order_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no such order")
    return found.__dict__
