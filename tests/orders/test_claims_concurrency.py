"""8 buyers ask at once to exchange to an option with 3 left: exactly 3 exchanges."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from shop.models import GoodsOption
from shop.orders.exceptions import SoldOut
from shop.orders.models import Claim
from shop.orders.services.claims import claim_request_return
from shop.orders.services.orders import order_mark_delivered, order_ship
from shop.orders.services.payments import payment_pay

BUYERS = 8
STOCK = 3


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_exchanges_reserve_exactly_the_stock(shop, place, make_user):
    GoodsOption.objects.filter(pk=shop.small.pk).update(stock=BUYERS)
    medium = GoodsOption.objects.create(goods=shop.shirt, name="M", stock=STOCK, position=2)
    orders = []
    for i in range(BUYERS):
        user = make_user(f"swap{i}")
        order = place((shop.shirt, shop.small, 1), user=user)
        payment_pay(order=order, actor=user, data={"card_number": "4242424242424242"})
        order_ship(order=order, actor=shop.owner, courier="cj", tracking_number="612345678901")
        order_mark_delivered(order=order, actor=shop.owner)
        orders.append((order, user, order.lines.get().pk))
    barrier = threading.Barrier(BUYERS)
    results: list[str] = []
    lock = threading.Lock()

    def ask(order, user, line_id) -> None:
        try:
            barrier.wait(timeout=30)
            claim_request_return(
                order=order,
                actor=user,
                kind="exchange",
                reason_code="change_of_mind",
                reason="",
                lines={line_id: 1},
                options={line_id: medium.pk},
            )
            outcome = "ok"
        except SoldOut:
            outcome = "sold out"
        except Exception as error:  # noqa: BLE001 - reported in the assertion below
            outcome = f"error: {error!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=ask, args=row) for row in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    assert results.count("ok") == STOCK, results
    assert results.count("sold out") == BUYERS - STOCK, results
    medium.refresh_from_db()
    assert medium.stock == 0
    assert Claim.objects.filter(kind="exchange").count() == STOCK
