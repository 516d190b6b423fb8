"""In-memory order store (stands in for a database in this example)."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Order:
    id: int
    sku: str
    quantity: int
    total_cents: int


class OrderStore:
    def __init__(self) -> None:
        self._orders: dict[int, Order] = {}
        self._lock = threading.Lock()

    def add(self, sku: str, quantity: int, total_cents: int) -> Order:
        with self._lock:
            order = Order(len(self._orders) + 1, sku, quantity, total_cents)
            self._orders[order.id] = order
            return order

    def get(self, order_id: int) -> Order | None:
        return self._orders.get(order_id)

    def __len__(self) -> int:
        return len(self._orders)
