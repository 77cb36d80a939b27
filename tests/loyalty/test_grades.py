"""Grades: recalculation by command, what the buyer sees, grade discount, grade-limited
promotions and talks."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from chat.exceptions import Forbidden
from chat.models import Channel
from chat.services.channels import channel_ensure_for_store
from chat.services.memberships import membership_join
from shop.loyalty.models import ChannelGrade, CustomerGrade
from shop.loyalty.services.grades import grade_for, grade_status, grades_recalc
from shop.models import Goods, Promotion
from shop.orders.models import Order
from shop.pricing import price_for
from tests.loyalty.conftest import make_grades, pay

pytestmark = pytest.mark.django_db


def test_recalc_by_spend_or_order_count_over_the_window(shop, buyer, make_user, place, grades):
    base, regular, vip = grades
    big, old = make_user("big"), make_user("old")
    Goods.objects.filter(pk=shop.bread.pk).update(stock=100)
    pay(place((shop.bread, None, 1)))  # jimin: 8,000 won, 1 order
    pay(place((shop.bread, None, 1)))  # jimin: 2 orders → 단골 by count
    pay(place((shop.bread, None, 10), user=big))  # 50,000 → 단골 by spend
    ancient = pay(place((shop.bread, None, 1), user=old))
    Order.objects.filter(pk=ancient.pk).update(created_at=timezone.now() - timedelta(days=400))
    out = StringIO()
    call_command("grades", "recalc", stdout=out)
    assert "Recalculated 2 customer grade(s) in 1 store(s)." in out.getvalue()
    assert grade_for(buyer, shop.store) == regular
    assert grade_for(big, shop.store) == regular
    assert grade_for(old, shop.store) == base  # outside the 6 months: back to the base grade
    assert not CustomerGrade.objects.filter(user=old).exists()
    with pytest.raises(CommandError, match="No store"):
        call_command("grades", "recalc", "--store", "nope")


def test_cancelled_orders_do_not_count(shop, buyer, place, grades):
    from shop.orders.services.orders import order_cancel

    first = pay(place((shop.bread, None, 1)))
    second = pay(place((shop.bread, None, 1)))
    assert grade_for(buyer, shop.store).name == "단골"  # recalculated when paid
    order_cancel(order=second, actor=buyer)
    assert grade_for(buyer, shop.store).name == "일반"
    assert first.status == "paid"


def test_buyer_sees_the_grade_and_what_the_next_needs(client, shop, buyer, place, grades):
    pay(place((shop.bread, None, 1)))  # 8,000 won, 1 order
    status = grade_status(buyer, shop.store)
    assert (status.grade.name, status.next_grade.name) == ("일반", "단골")
    assert (status.spend_needed, status.orders_needed) == (22000, 1)
    client.force_login(buyer)
    page = client.get("/me/grades/").content.decode()
    assert "단골" in page and "22,000" in page
    assert "/me/grades/" in client.get("/me/").content.decode()


def test_grade_limited_promotion_prices_only_that_grade(shop, buyer, make_user, grades):
    _base, regular, _vip = grades
    now = timezone.now()
    promo = Promotion.objects.create(
        store=shop.store,
        kind="discount",
        title="단골 할인",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        discount_type="percent",
        discount_value=20,
        store_wide=True,
        grade=regular,
    )
    assert price_for(shop.bread, user=buyer) == 5000
    CustomerGrade.objects.create(store=shop.store, user=buyer, grade=regular)
    assert price_for(shop.bread, user=buyer) == 4000
    assert price_for(shop.bread, user=make_user("nobody")) == 5000
    assert promo.grade == regular


def test_grade_limited_talk_refuses_lower_grades(shop, buyer, make_user, grades):
    _base, regular, _vip = grades
    channel = channel_ensure_for_store(store=shop.store)
    ChannelGrade.objects.create(channel=channel, grade=regular)
    with pytest.raises(Forbidden, match="단골"):
        membership_join(channel=channel, user=buyer)
    CustomerGrade.objects.create(store=shop.store, user=buyer, grade=regular)
    assert membership_join(channel=channel, user=buyer).state == "active"
    assert channel.kind == Channel.Kind.STORE


def test_grades_without_a_base_grade_leave_low_spenders_without_grade(shop, buyer, place):
    from shop.loyalty.models import Grade

    Grade.objects.create(store=shop.store, name="VIP", rank=1, min_spend=1, discount_percent=3)
    pay(place((shop.bread, None, 1)))
    grades_recalc(store=shop.store)
    assert grade_for(buyer, shop.store).name == "VIP"
    assert make_grades  # the helper is shared with other tests
