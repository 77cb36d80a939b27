"""Frequent customers of a store, ranked by RFM (recency, frequency, money).

Over the last 12 months of paid, not cancelled orders: R = days since the last order,
F = number of orders, M = won spent. Each is scored 1–5 by quintile among the store's
customers (5 is best: most recent, most frequent, most spent); the list is ordered by the
sum of the three scores, then by money.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Sum
from django.utils import timezone

from shop.loyalty.models import CustomerGrade, Grade
from shop.loyalty.services.segments import PAST_BUYER_STATUSES

WINDOW_DAYS = 365


@dataclass
class CustomerRow:
    user: object
    last_order_at: datetime
    orders: int
    spend: int
    recency_days: int
    r: int = 0
    f: int = 0
    m: int = 0
    grade: Grade | None = None
    last_message: object = None

    @property
    def score(self) -> int:
        return self.r + self.f + self.m

    @property
    def rfm(self) -> str:
        return f"{self.r}{self.f}{self.m}"


def _scores(values: list[float]) -> list[int]:
    """Quintile score 1–5 of each value (higher value → higher score)."""
    n = len(values)
    order = sorted(range(n), key=lambda i: values[i])
    scores = [0] * n
    for position, index in enumerate(order):
        scores[index] = -(-(position + 1) * 5 // n)  # ceil: the top fifth gets 5
    # Equal values get the same (highest) score.
    best: dict[float, int] = {}
    for index, value in enumerate(values):
        best[value] = max(best.get(value, 0), scores[index])
    return [best[v] for v in values]


def rfm_customers(store, *, now: datetime | None = None, limit: int = 100) -> list[CustomerRow]:
    from chat.models import Channel, Message
    from shop.orders.models import Order

    now = now or timezone.now()
    since = now - timedelta(days=WINDOW_DAYS)
    rows = list(
        Order.objects.filter(store=store, status__in=PAST_BUYER_STATUSES, created_at__gte=since)
        .values("buyer_id")
        .annotate(last=Max("created_at"), n=Count("id"), spend=Sum("total"))
    )
    if not rows:
        return []
    users = get_user_model().objects.in_bulk([r["buyer_id"] for r in rows])
    customers = [
        CustomerRow(
            user=users[r["buyer_id"]],
            last_order_at=r["last"],
            orders=r["n"],
            spend=r["spend"] or 0,
            recency_days=(now - r["last"]).days,
        )
        for r in rows
    ]
    for c, s in zip(customers, _scores([-c.recency_days for c in customers]), strict=True):
        c.r = s
    for c, s in zip(customers, _scores([c.orders for c in customers]), strict=True):
        c.f = s
    for c, s in zip(customers, _scores([c.spend for c in customers]), strict=True):
        c.m = s
    customers.sort(key=lambda c: (-c.score, -c.spend, c.user.pk))
    customers = customers[:limit]
    ids = [c.user.pk for c in customers]
    grades = {
        g.user_id: g.grade
        for g in CustomerGrade.objects.filter(store=store, user_id__in=ids).select_related("grade")
    }
    base = Grade.objects.filter(store=store, rank=0).first()
    channels = dict(
        Channel.objects.filter(store=store, kind=Channel.Kind.DIRECT, buyer_id__in=ids).values_list(
            "buyer_id", "pk"
        )
    )
    last_ids = {
        channel_id: last
        for channel_id, last in Message.objects.filter(
            channel_id__in=channels.values(), deleted_at__isnull=True
        )
        .values("channel_id")
        .annotate(last=Max("id"))
        .values_list("channel_id", "last")
    }
    messages = Message.objects.in_bulk(list(last_ids.values()))
    for c in customers:
        c.grade = grades.get(c.user.pk, base)
        channel_id = channels.get(c.user.pk)
        if channel_id in last_ids:
            c.last_message = messages.get(last_ids[channel_id])
        c.channel_id = channel_id
    return customers
