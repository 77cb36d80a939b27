"""A known fixture for settlement, reports and statistics: orders built directly with exact
amounts and Asia/Seoul times, so the tests can assert exact numbers."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from shop.models import Goods, Store, StoreStaff
from shop.orders.models import Order, OrderLine, OrderStatus, Payment

SEOUL = ZoneInfo("Asia/Seoul")
_numbers = itertools.count(1)


def kst(*args) -> datetime:
    """An aware datetime in Asia/Seoul: kst(2026, 10, 5, 10, 0)."""
    return datetime(*args, tzinfo=SEOUL)


@pytest.fixture(autouse=True)
def english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def make_store(make_user, slug: str) -> Store:
    owner = make_user(f"{slug}-owner")
    store = Store.objects.create(
        owner=owner,
        name=f"{slug} store",
        slug=slug,
        business_number="1234567891",
        representative_name="김달콤",
        business_address="서울특별시 마포구 1",
    )
    StoreStaff.objects.create(store=store, user=owner, role=StoreStaff.Role.OWNER)
    return store


@pytest.fixture
def store(make_user) -> Store:
    return make_store(make_user, "bakery")


@pytest.fixture
def other_store(make_user) -> Store:
    return make_store(make_user, "boutique")


@pytest.fixture
def buyer(make_user):
    return make_user("jimin")


@pytest.fixture
def make_order(buyer):
    def make(
        store: Store,
        total: int,
        *,
        method: str = "test_card",
        status: str = OrderStatus.COMPLETED,
        created: datetime,
        paid: datetime | None = None,
        completed: datetime | None = None,
        refunded: int = 0,
        refunded_at: datetime | None = None,
        user=None,
        goods: Goods | None = None,
        quantity: int = 1,
        **fields,
    ) -> Order:
        n = next(_numbers)
        paid = paid or (created if status != OrderStatus.PENDING_PAYMENT else None)
        order = Order.objects.create(
            number=f"20261001-{n:06d}",
            buyer=user or buyer,
            store=store,
            status=status,
            payment_method=method,
            subtotal=total,
            shipping_fee=0,
            total=total,
            recipient="김지민",
            phone="010-1234-5678",
            postcode="04524",
            address="서울특별시 중구 세종대로 110",
            **fields,
        )
        Order.objects.filter(pk=order.pk).update(
            created_at=created,
            paid_at=paid,
            completed_at=completed or (created if status == OrderStatus.COMPLETED else None),
        )
        Payment.objects.create(
            order=order,
            provider=method,
            amount=total,
            status=Payment.Status.PAID if paid else Payment.Status.PENDING,
            idempotency_key=f"key-{n}",
            paid_at=paid,
            refunded_amount=refunded,
            refunded_at=refunded_at or (paid if refunded else None),
        )
        if goods is not None:
            OrderLine.objects.create(
                order=order,
                goods=goods,
                goods_name=goods.name,
                unit_price=total // quantity,
                quantity=quantity,
                line_total=total,
            )
        order.refresh_from_db()
        return order

    return make
