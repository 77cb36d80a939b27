"""Statistics on a known fixture: exact sales, goods, conversation → sale and chat metrics."""

from __future__ import annotations

from datetime import date

import pytest

from chat.models import Message
from chat.services.channels import channel_ensure_for_goods, channel_ensure_for_store
from chat.services.direct import channel_open_direct
from shop.models import Goods
from shop.orders.models import CartItem, OrderStatus
from shop.settlement.charts import bar_chart, nice_ceiling
from shop.settlement.stats import (
    Range,
    chat_metrics,
    conversation_to_sale,
    sales_by_goods,
    sales_series,
)
from tests.settlement.conftest import kst

pytestmark = pytest.mark.django_db

OCTOBER = Range(date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture
def goods(store):
    return {
        "bread": Goods.objects.create(store=store, name="우유 식빵", price=5000, stock=50),
        "cake": Goods.objects.create(store=store, name="딸기 케이크", price=33000, stock=5),
    }


def say(channel, author, at, body="안녕하세요"):
    message = Message.objects.create(channel=channel, author=author, body=body)
    Message.objects.filter(pk=message.pk).update(created_at=at)
    return message


@pytest.fixture
def month(store, goods, buyer, make_user, make_order):
    minjun, seoyeon = make_user("minjun"), make_user("seoyeon")
    owner = store.owner
    direct = channel_open_direct(store=store, buyer=buyer)
    store_talk = channel_ensure_for_store(store=store)
    goods_talk = channel_ensure_for_goods(goods=goods["bread"])
    # jimin asks at 07:00 and again at 07:05; the owner answers at 07:20 (one wait: 20 min)
    say(direct, buyer, kst(2026, 10, 3, 7, 0))
    say(direct, buyer, kst(2026, 10, 3, 7, 5))
    say(direct, owner, kst(2026, 10, 3, 7, 20))
    say(direct, buyer, kst(2026, 10, 10, 10, 0))  # a new conversation, answered in 60 s
    say(direct, owner, kst(2026, 10, 10, 10, 1))
    say(store_talk, minjun, kst(2026, 10, 5, 12, 0))  # answered in an hour
    say(store_talk, owner, kst(2026, 10, 5, 13, 0))
    say(goods_talk, minjun, kst(2026, 10, 6, 12, 0))  # goods talk: no response time
    say(store_talk, seoyeon, kst(2026, 10, 31, 23, 0))  # still waiting at the end
    say(store_talk, seoyeon, kst(2026, 11, 2, 9, 0))  # after the range: not counted
    Message.objects.create(
        channel=store_talk, author=None, kind=Message.Kind.SYSTEM, body="joined"
    )  # system lines never count
    orders = {
        # 07:05 chat, 09:00 order: within 24 h → from a conversation
        "o1": make_order(store, 33000, created=kst(2026, 10, 3, 9), goods=goods["cake"]),
        "o2": make_order(
            store,
            10005,
            created=kst(2026, 10, 18, 9),
            refunded=5000,
            goods=goods["bread"],
            quantity=2,
        ),
        "o3": make_order(
            store,
            20000,
            method="bank_transfer",
            created=kst(2026, 10, 28, 9),
            from_channel=direct,
            goods=goods["bread"],
            quantity=4,
        ),
        "o4": make_order(store, 50000, created=kst(2026, 10, 30, 9), goods=goods["cake"]),
        "cancelled": make_order(
            store, 7000, status=OrderStatus.CANCELLED, created=kst(2026, 10, 2, 9), refunded=7000
        ),
        "unpaid": make_order(
            store, 9000, status=OrderStatus.PENDING_PAYMENT, created=kst(2026, 10, 2, 10)
        ),
        "november": make_order(store, 4000, created=kst(2026, 11, 1, 0, 0)),
    }
    item = CartItem.objects.create(user=seoyeon, goods=goods["bread"], quantity=1)
    CartItem.objects.filter(pk=item.pk).update(added_at=kst(2026, 10, 20, 12))
    return orders


def test_sales_by_day_week_month(store, month):
    days = sales_series(store, OCTOBER, "day")
    assert len(days.rows) == 31
    assert (days.orders, days.revenue, days.average) == (4, 108005, 27001)
    by_day = {row.label: (row.orders, row.revenue) for row in days.rows if row.orders}
    assert by_day == {
        "2026-10-03": (1, 33000),
        "2026-10-18": (1, 5005),
        "2026-10-28": (1, 20000),
        "2026-10-30": (1, 50000),
    }
    weeks = sales_series(store, OCTOBER, "week")
    assert [(r.label, r.orders, r.revenue) for r in weeks.rows] == [
        ("2026-W40", 1, 33000),
        ("2026-W41", 0, 0),
        ("2026-W42", 1, 5005),
        ("2026-W43", 0, 0),
        ("2026-W44", 2, 70000),
    ]
    assert weeks.rows[-1].average == 35000
    months = sales_series(store, Range(date(2026, 9, 15), date(2026, 11, 30)), "month")
    assert [(r.label, r.orders, r.revenue) for r in months.rows] == [
        ("2026-09", 0, 0),
        ("2026-10", 4, 108005),
        ("2026-11", 1, 4000),
    ]


def test_sales_by_goods(store, month, goods):
    rows = sales_by_goods(store, OCTOBER)
    assert [(g.name, g.quantity, g.orders, g.revenue) for g in rows] == [
        ("딸기 케이크", 2, 2, 83000),
        ("우유 식빵", 6, 2, 30005),
    ]


def test_conversation_to_sale(store, month):
    result = conversation_to_sale(store, OCTOBER)
    assert (result.orders, result.chat_orders) == (4, 2)  # o1 (24 h), o3 (from the chat)
    assert (result.revenue, result.chat_revenue) == (108005, 53000)
    assert (result.order_share, result.revenue_share) == (50, 49)


def test_chat_metrics(store, month):
    m = chat_metrics(store, OCTOBER, now=kst(2026, 11, 25))
    assert sorted(m.response_seconds) == [60, 1200, 3600]
    assert (m.average_response, m.median_response, m.unanswered) == (1620, 1200, 1)
    assert (m.conversations, m.conversation_messages) == (2, 5)
    assert m.average_conversation_messages == "2.5"
    assert m.average_conversation_seconds == 630  # (20 min + 1 min) / 2
    assert m.messages == 9
    assert m.per_day[date(2026, 10, 3)] == [2, 1]
    assert m.per_day[date(2026, 10, 31)] == [1, 0]
    assert (m.chatting_buyers, m.converted_buyers, m.conversion_rate) == (3, 1, 33)
    # jimin ordered; seoyeon left bread in the cart for more than a day
    assert (m.cart_buyers, m.abandoned_buyers, m.abandonment_rate) == (2, 1, 50)


def test_chart_geometry():
    assert [nice_ceiling(v) for v in (0, 1, 3, 7, 11, 980540)] == [1, 1, 5, 10, 20, 1000000]
    chart = bar_chart([("a", [50]), ("b", [100]), ("c", [0])], title="t")
    heights = [sum(s.height for s in bar.segments) for bar in chart.bars]
    assert heights == [78, 156, 0]  # plot height 156 for a ceiling of 100
    assert [label for _x, label, _a in chart.labels] == ["a", "b", "c"]
    assert chart.bars[0].title == "a: 50"


def test_chart_axis_labels():
    from django.utils import translation

    assert [label for _y, label in bar_chart([("a", [3])], title="t").ticks] == ["0", "2.5", "5"]
    assert [label for _y, label in bar_chart([("a", [130000])], title="t").ticks] == [
        "0",
        "100k",
        "200k",
    ]
    with translation.override("ko"):
        ticks = bar_chart([("a", [130000])], title="t").ticks
    assert [label for _y, label in ticks] == ["0", "10만", "20만"]
