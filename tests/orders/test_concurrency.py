"""50 buyers check out the last 10 pieces at once: exactly 10 orders, 40 "sold out"."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from shop.models import Goods
from shop.orders.exceptions import SoldOut
from shop.orders.models import Order
from shop.orders.services.cart import cart_add
from shop.orders.services.checkout import order_place
from tests.orders.conftest import ADDRESS

BUYERS = 50
STOCK = 10


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_checkouts_sell_exactly_the_stock(shop, make_user):
    Goods.objects.filter(pk=shop.bread.pk).update(stock=STOCK)
    buyers = [make_user(f"rush{i}") for i in range(BUYERS)]
    for buyer in buyers:
        cart_add(user=buyer, goods=shop.bread, quantity=1)
    barrier = threading.Barrier(BUYERS)
    results: list[str] = []
    lock = threading.Lock()

    def checkout(buyer) -> None:
        try:
            barrier.wait(timeout=30)
            order_place(buyer=buyer, store=shop.store, shipping=ADDRESS, payment_method="test_card")
            outcome = "ok"
        except SoldOut as error:
            outcome = "sold out" if "sold out" in str(error) else f"other: {error}"
        except Exception as error:  # noqa: BLE001 - reported in the assertion below
            outcome = f"error: {error!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=checkout, args=(b,)) for b in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    assert results.count("ok") == STOCK, results
    assert results.count("sold out") == BUYERS - STOCK, results
    shop.bread.refresh_from_db()
    assert shop.bread.stock == 0
    assert shop.bread.status == Goods.Status.SOLD_OUT
    numbers = list(Order.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == STOCK
