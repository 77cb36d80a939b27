"""50 buyers check out the last 10 pieces at once: exactly 10 orders, 40 "sold out"."""

from __future__ import annotations

import pytest

from shop.models import Goods
from shop.orders.models import Order
from shop.orders.services.cart import cart_add
from tests.orders.conftest import checkout_race

BUYERS = 50
STOCK = 10


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_checkouts_sell_exactly_the_stock(shop, make_user):
    Goods.objects.filter(pk=shop.bread.pk).update(stock=STOCK)
    buyers = [make_user(f"rush{i}") for i in range(BUYERS)]
    for buyer in buyers:
        cart_add(user=buyer, goods=shop.bread, quantity=1)
    results = checkout_race(shop.store, buyers)
    assert results.count("ok") == STOCK, results
    assert sum("sold out" in r for r in results) == BUYERS - STOCK, results
    shop.bread.refresh_from_db()
    assert shop.bread.stock == 0
    assert shop.bread.status == Goods.Status.SOLD_OUT
    numbers = list(Order.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == STOCK
