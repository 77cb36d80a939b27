"""Review reads: visible reviews, averages and counts (hidden reviews never count)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, QuerySet
from django.urls import reverse

from shop.reviews.models import Review


@dataclass(frozen=True)
class Rating:
    average: float  # one decimal, 0.0 without reviews
    count: int

    @property
    def stars(self) -> str:
        full = int(self.average + 0.5)
        return "★" * full + "☆" * (5 - full)


def _rating(row: dict) -> Rating:
    count = row.get("n") or 0
    average = round(float(row.get("avg") or 0), 1) if count else 0.0
    return Rating(average=average, count=count)


def reviews_visible() -> QuerySet[Review]:
    return Review.objects.filter(hidden_at__isnull=True)


def reviews_of_goods(goods) -> QuerySet[Review]:
    return (
        reviews_visible()
        .filter(goods=goods)
        .select_related("author", "order_line")
        .prefetch_related("photos")
        .order_by("-created_at", "-id")
    )


def rating_of_goods(goods) -> Rating:
    return _rating(
        reviews_visible().filter(goods=goods).aggregate(avg=Avg("rating"), n=Count("id"))
    )


def rating_of_store(store) -> Rating:
    return _rating(
        reviews_visible().filter(store=store).aggregate(avg=Avg("rating"), n=Count("id"))
    )


def ratings_of_stores(store_ids) -> dict[int, Rating]:
    """One query for a page of store tiles."""
    rows = (
        reviews_visible()
        .filter(store_id__in=list(store_ids))
        .values("store_id")
        .annotate(avg=Avg("rating"), n=Count("id"))
    )
    return {row["store_id"]: _rating(row) for row in rows}


def attach_store_ratings(stores) -> None:
    """Sets ``store.rating`` (a Rating or None) on each store of a list."""
    stores = list(stores)
    ratings = ratings_of_stores(s.pk for s in stores)
    for store in stores:
        store.rating = ratings.get(store.pk)


def reviews_of_store(store) -> QuerySet[Review]:
    """Every review of the store for its staff, hidden ones included (marked)."""
    return (
        Review.objects.filter(store=store)
        .select_related("author", "order_line", "goods")
        .prefetch_related("photos")
        .order_by("-created_at", "-id")
    )


def review_state_for_lines(user, order, lines) -> None:
    """For the buyer's order page: ``line.my_review`` (their review) or ``line.review_url``
    (they may write one now). One query."""
    from shop.reviews.services import REVIEWABLE_STATUSES

    mine = {r.order_line_id: r for r in Review.objects.filter(order_line__in=lines)}
    may = (
        user is not None
        and user.is_authenticated
        and order.buyer_id == user.pk
        and order.status in REVIEWABLE_STATUSES
    )
    for line in lines:
        line.my_review = mine.get(line.pk)
        line.review_url = (
            reverse("reviews:review_new", args=[order.number, line.pk])
            if may and line.my_review is None and line.goods_id
            else ""
        )
