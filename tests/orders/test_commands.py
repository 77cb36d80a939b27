"""manage.py orders expire_unpaid / complete_delivered."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from shop.orders.models import Order, OrderStatus

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("orders", *args, stdout=out)
    return out.getvalue()


def test_expire_unpaid_cancels_after_deadline_and_is_idempotent(place, shop):
    late = place(method="bank_transfer")
    fresh = place(method="bank_transfer")
    Order.objects.filter(pk=late.pk).update(pay_deadline=timezone.now() - timedelta(minutes=1))
    shop.bread.refresh_from_db()
    assert shop.bread.stock == 8
    output = run("expire_unpaid")
    assert f"cancelled {late.number}" in output
    assert "Expired 1 unpaid order(s)." in output
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.status == OrderStatus.CANCELLED
    assert fresh.status == OrderStatus.PENDING_PAYMENT
    shop.bread.refresh_from_db()
    assert shop.bread.stock == 9
    assert "Expired 0 unpaid order(s)." in run("expire_unpaid")
    shop.bread.refresh_from_db()
    assert shop.bread.stock == 9
    assert late.events.filter(to_status=OrderStatus.CANCELLED).count() == 1


def test_complete_delivered_after_seven_days(place):
    old = place()
    recent = place()
    now = timezone.now()
    Order.objects.filter(pk=old.pk).update(
        status=OrderStatus.DELIVERED, delivered_at=now - timedelta(days=7, minutes=1)
    )
    Order.objects.filter(pk=recent.pk).update(
        status=OrderStatus.DELIVERED, delivered_at=now - timedelta(days=6)
    )
    output = run("complete_delivered")
    assert f"completed {old.number}" in output
    assert recent.number not in output
    old.refresh_from_db()
    assert old.status == OrderStatus.COMPLETED
    assert "Confirmed 0 delivered order(s)." in run("complete_delivered")


def test_orders_command_without_action_fails():
    with pytest.raises(CommandError, match="expire_unpaid"):
        call_command("orders")


def test_seed_demo_adds_address_and_paid_order_once():
    from shop.orders.models import Address

    call_command("seed_demo", stdout=io.StringIO())
    order = Order.objects.get(buyer__username="jimin", store__slug="dalkom-bakery")
    assert order.status == OrderStatus.PAID
    assert Address.objects.filter(user__username="jimin", is_default=True).count() == 1
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert Order.objects.filter(buyer__username="jimin").count() == 1
