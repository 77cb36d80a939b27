"""Loyalty fixtures: the orders fixtures (a bakery, a buyer, ``place``) plus helpers to move
an order to paid / completed and to give a user mileage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shop.loyalty.models import Coupon, Grade, MileageEntry
from shop.loyalty.services.mileage import mileage_earn
from shop.orders.services.orders import order_transition
from shop.orders.services.payments import payment_pay
from tests.orders.conftest import (  # noqa: F401
    ADDRESS,
    buyer,
    make_shop,
    orders_in_english,
    other_shop,
    place,
    shop,
)

OK_CARD = {"card_number": "4242 4242 4242 4242"}


def pay(order):
    payment_pay(order=order, actor=order.buyer, data=OK_CARD)
    order.refresh_from_db()
    return order


def complete(order):
    """Pay (card), prepare, ship, deliver and confirm ``order``."""
    if order.status == "pending_payment":
        pay(order)
    order_transition(order=order, to="preparing", actor=None)
    order_transition(
        order=order,
        to="shipped",
        actor=None,
        fields={"courier": "cj", "tracking_number": "123456789012"},
    )
    order_transition(order=order, to="delivered", actor=None)
    order_transition(order=order, to="completed", actor=None)
    order.refresh_from_db()
    return order


def give_mileage(user, amount: int, store=None):
    return mileage_earn(user=user, amount=amount, kind=MileageEntry.Kind.ADJUST, store=store)


def make_coupon(store, **fields) -> Coupon:
    now = timezone.now()
    defaults = {
        "name": "가을 쿠폰",
        "code": f"FALL{Coupon.objects.count() + 1}",
        "discount_type": Coupon.DiscountType.FIXED,
        "value": 2000,
        "starts_at": now - timedelta(days=1),
        "ends_at": now + timedelta(days=30),
    }
    defaults.update(fields)
    return Coupon.objects.create(store=store, **defaults)


def make_grades(store):
    """일반 (base), 단골 (30,000 won or 2 orders, 5%), VIP (100,000 won or 5 orders, 10%)."""
    base = Grade.objects.create(store=store, name="일반", rank=0)
    regular = Grade.objects.create(
        store=store, name="단골", rank=1, min_spend=30000, min_orders=2, discount_percent=5
    )
    vip = Grade.objects.create(
        store=store, name="VIP", rank=2, min_spend=100000, min_orders=5, discount_percent=10
    )
    return base, regular, vip


@pytest.fixture
def grades(shop):  # noqa: F811
    return make_grades(shop.store)
