from orders.store import OrderStore


def test_ids_increase() -> None:
    store = OrderStore()
    assert store.add("apple", 1, 30).id == 1
    assert store.add("pear", 2, 80).id == 2
    assert len(store) == 2


def test_unknown_order_is_none() -> None:
    assert OrderStore().get(7) is None
