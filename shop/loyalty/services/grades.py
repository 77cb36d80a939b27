"""Grades per store: thresholds on spend or order count over the store's last N months.

A buyer's spend and order count include every paid order of the window that was not cancelled
(paid, preparing, shipped, delivered, completed). ``grades_recalc`` stores the result in
``CustomerGrade``; purchase confirmation recalculates that one buyer at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.loyalty.models import CustomerGrade, Grade
from shop.loyalty.services.mileage import settings_for

COUNTED = ("paid", "preparing", "shipped", "delivered", "completed")


def grades_of(store) -> list[Grade]:
    return list(Grade.objects.filter(store=store).order_by("rank"))


def grade_for(user, store) -> Grade | None:
    """The user's current grade at ``store`` (the base grade if never calculated)."""
    if user is None or not user.is_authenticated:
        return None
    found = CustomerGrade.objects.filter(user=user, store=store).select_related("grade").first()
    if found is not None:
        return found.grade
    return Grade.objects.filter(store=store, rank=0).first()


def grade_rank_of(user, store_id: int) -> int:
    """-1 when the store has no grade for the user."""
    if user is None or not user.is_authenticated:
        return -1
    rank = (
        CustomerGrade.objects.filter(user=user, store_id=store_id)
        .values_list("grade__rank", flat=True)
        .first()
    )
    if rank is not None:
        return rank
    return 0 if Grade.objects.filter(store_id=store_id, rank=0).exists() else -1


def window_start(store, now=None):
    months = settings_for(store).grade_months
    return (now or timezone.now()) - timedelta(days=30 * months)


def _totals(store, *, since, user_ids=None) -> dict[int, tuple[int, int]]:
    from shop.orders.models import Order

    qs = Order.objects.filter(store=store, status__in=COUNTED, created_at__gte=since)
    if user_ids is not None:
        qs = qs.filter(buyer_id__in=user_ids)
    return {
        row["buyer_id"]: (row["spend"] or 0, row["n"])
        for row in qs.values("buyer_id").annotate(spend=Sum("total"), n=Count("id"))
    }


def pick_grade(grades: list[Grade], spend: int, orders: int) -> Grade | None:
    best = None
    for grade in grades:
        if grade.reached_by(spend, orders):
            best = grade
    return best


@transaction.atomic
def grades_recalc(*, store, user=None, now=None) -> dict[str, int]:
    """Recalculate the grades of ``store`` (of one ``user`` only, if given).
    Returns {grade name: customers}. Customers without orders in the window fall back to
    the base grade (their row is removed)."""
    now = now or timezone.now()
    grades = grades_of(store)
    since = window_start(store, now)
    totals = _totals(store, since=since, user_ids=[user.pk] if user else None)
    existing = CustomerGrade.objects.filter(store=store)
    if user is not None:
        existing = existing.filter(user=user)
    stale = set(existing.values_list("user_id", flat=True)) - set(totals)
    CustomerGrade.objects.filter(store=store, user_id__in=stale).delete()
    counts: dict[str, int] = {}
    if not grades:
        CustomerGrade.objects.filter(store=store, user_id__in=list(totals)).delete()
        return counts
    for user_id, (spend, orders) in totals.items():
        grade = pick_grade(grades, spend, orders)
        if grade is None:
            CustomerGrade.objects.filter(store=store, user_id=user_id).delete()
            continue
        CustomerGrade.objects.update_or_create(
            store=store,
            user_id=user_id,
            defaults={"grade": grade, "spend": spend, "orders": orders, "computed_at": now},
        )
        counts[grade.name] = counts.get(grade.name, 0) + 1
    return counts


@dataclass
class GradeStatus:
    store: object
    grade: Grade | None
    spend: int
    orders: int
    next_grade: Grade | None
    spend_needed: int
    orders_needed: int
    months: int


def grade_status(user, store) -> GradeStatus:
    """What the buyer sees: the grade now and what the next one needs (live numbers)."""
    grades = grades_of(store)
    spend, orders = _totals(store, since=window_start(store), user_ids=[user.pk]).get(
        user.pk, (0, 0)
    )
    current = grade_for(user, store)
    rank = current.rank if current else -1
    nxt = next((g for g in grades if g.rank > rank), None)
    return GradeStatus(
        store=store,
        grade=current,
        spend=spend,
        orders=orders,
        next_grade=nxt,
        spend_needed=max(0, nxt.min_spend - spend) if nxt and nxt.min_spend else 0,
        orders_needed=max(0, nxt.min_orders - orders) if nxt and nxt.min_orders else 0,
        months=settings_for(store).grade_months,
    )


def channel_grade_refusal(channel, user) -> str:
    """Why ``user`` may not join a grade-limited ``channel`` ("" if they may)."""
    from shop.access import store_role
    from shop.loyalty.models import ChannelGrade

    limit = ChannelGrade.objects.filter(channel=channel).select_related("grade").first()
    if limit is None or store_role(user, channel.store) is not None:
        return ""
    if grade_rank_of(user, channel.store_id) >= limit.grade.rank:
        return ""
    return _("Only %(grade)s customers and above can join this talk.") % {"grade": limit.grade.name}
