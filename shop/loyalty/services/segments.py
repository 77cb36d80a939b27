"""Who is in a segment of a store's customers (coupons and broadcasts share these)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from shop.models import FavouriteStore, StoreStaff

PAST_BUYER_STATUSES = ("paid", "preparing", "shipped", "delivered", "completed")


def segment_user_ids(*, store, segment: str, grade=None, channel=None) -> list[int]:
    """User ids of ``segment`` ("grade", "favourites", "past_buyers", "members"), without the
    store's own staff, ordered by id."""
    from shop.orders.models import Order

    if segment == "favourites":
        ids = set(FavouriteStore.objects.filter(store=store).values_list("user_id", flat=True))
    elif segment == "past_buyers":
        ids = set(
            Order.objects.filter(store=store, status__in=PAST_BUYER_STATUSES).values_list(
                "buyer_id", flat=True
            )
        )
    elif segment == "grade":
        if grade is None or grade.store_id != store.pk:
            return []
        ids = _grade_ids(store, grade)
    elif segment == "members":
        if channel is None or channel.store_id != store.pk:
            return []
        from chat.models import Membership

        ids = set(
            Membership.objects.filter(channel=channel, state=Membership.State.ACTIVE).values_list(
                "user_id", flat=True
            )
        )
    else:
        return []
    staff = set(StoreStaff.objects.filter(store=store).values_list("user_id", flat=True))
    active = set(
        get_user_model()
        .objects.filter(pk__in=ids - staff, is_active=True)
        .values_list("pk", flat=True)
    )
    return sorted(active)


def _grade_ids(store, grade) -> set[int]:
    """Customers at ``grade`` or above. The base grade (rank 0) means every past buyer."""
    from shop.loyalty.models import CustomerGrade
    from shop.orders.models import Order

    ids = set(
        CustomerGrade.objects.filter(store=store, grade__rank__gte=grade.rank).values_list(
            "user_id", flat=True
        )
    )
    if grade.rank == 0:
        ids |= set(
            Order.objects.filter(store=store, status__in=PAST_BUYER_STATUSES).values_list(
                "buyer_id", flat=True
            )
        )
    return ids
