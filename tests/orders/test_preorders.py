"""Pre-order (예약 판매) caps at checkout: beyond the cap nothing is placed; concurrent
checkouts never exceed the cap."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shop.models import Goods
from shop.orders.exceptions import SoldOut
from shop.orders.models import CartItem, Order, OrderLine
from shop.orders.services.cart import cart_add
from shop.orders.services.checkout import order_place
from shop.orders.services.orders import order_cancel
from shop.orders.services.preorders import preorder_left
from tests.orders.conftest import ADDRESS, checkout_race


def make_preorder(goods: Goods, cap: int, *, days: int = 10, stock: int = 100) -> Goods:
    Goods.objects.filter(pk=goods.pk).update(
        is_preorder=True,
        release_date=timezone.localdate() + timedelta(days=days),
        preorder_cap=cap,
        stock=stock,
    )
    goods.refresh_from_db()
    return goods


def test_orders_up_to_the_cap_then_a_clear_refusal(place, shop, buyer, make_user):
    bread = make_preorder(shop.bread, cap=5)
    place((bread, None, 3))
    place((bread, None, 2), user=make_user("second"))
    assert preorder_left(bread) == 0
    late = make_user("late")
    with pytest.raises(SoldOut, match="pre-orders of “우유 식빵” are full"):
        place((bread, None, 1), user=late)
    assert Order.objects.filter(buyer=late).count() == 0
    assert CartItem.objects.filter(user=late).count() == 1  # kept, so the buyer can change it
    bread.refresh_from_db()
    assert bread.stock == 95


def test_beyond_what_is_left_says_how_many_and_places_nothing(place, shop, buyer):
    bread = make_preorder(shop.bread, cap=4)
    place((bread, None, 3), user=buyer)
    other = shop.owner  # any signed-in user may buy
    with pytest.raises(SoldOut, match="Only 1 pre-order pieces of “우유 식빵” left"):
        place((bread, None, 2), user=other)
    assert not OrderLine.objects.filter(order__buyer=other).exists()
    bread.refresh_from_db()
    assert bread.stock == 97


def test_options_count_together_and_cancelled_orders_free_their_pieces(place, shop, buyer):
    shirt = make_preorder(shop.shirt, cap=3)
    order = place((shirt, shop.small, 2), (shirt, shop.large, 1))
    assert preorder_left(shirt) == 0
    order_cancel(order=order, actor=buyer, note="바꿀래요")
    assert preorder_left(shirt) == 3
    place((shirt, shop.small, 3))
    assert preorder_left(shirt) == 0


def test_no_cap_after_the_release_date_or_without_a_cap(place, shop, buyer):
    bread = make_preorder(shop.bread, cap=1, days=0)  # released today
    assert preorder_left(bread) is None
    place((bread, None, 3))
    Goods.objects.filter(pk=bread.pk).update(
        release_date=timezone.localdate() + timedelta(days=3), preorder_cap=None
    )
    bread.refresh_from_db()
    assert preorder_left(bread) is None
    place((bread, None, 3))
    assert Order.objects.count() == 2


def test_checkout_page_shows_the_cap_message(client, shop, buyer, make_user):
    bread = make_preorder(shop.bread, cap=2)
    first = make_user("first")
    cart_add(user=first, goods=bread, quantity=2)
    order_place(buyer=first, store=shop.store, shipping=ADDRESS, payment_method="test_card")
    client.force_login(buyer)
    client.post(reverse("orders:cart_add", args=[bread.pk]), {"quantity": 1})
    data = {**ADDRESS, "store": "bakery", "payment_method": "test_card"}
    response = client.post(reverse("orders:checkout"), data)
    assert response.status_code == 200
    assert "pre-orders of “우유 식빵” are full" in response.content.decode()
    assert not Order.objects.filter(buyer=buyer).exists()


BUYERS = 20
CAP = 6


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_checkouts_never_exceed_the_cap(shop, make_user):
    bread = make_preorder(shop.bread, cap=CAP, stock=1000)
    buyers = [make_user(f"fan{i}") for i in range(BUYERS)]
    for buyer in buyers:
        cart_add(user=buyer, goods=bread, quantity=1)
    results = checkout_race(shop.store, buyers)
    assert results.count("ok") == CAP, results
    assert sum("are full" in r for r in results) == BUYERS - CAP, results
    assert sum(OrderLine.objects.filter(goods=bread).values_list("quantity", flat=True)) == CAP
    bread.refresh_from_db()
    assert bread.stock == 1000 - CAP
