"""Reads for cart and order pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum

from shop.models import Store
from shop.orders.models import CartItem, Order, OrderStatus
from shop.orders.services.checkout import Quote, quote_for

S = OrderStatus

# Seller order list tabs: name -> statuses.
SELLER_TABS: dict[str, tuple[str, ...]] = {
    "new": (S.PENDING_PAYMENT, S.PAID),
    "to_ship": (S.PREPARING,),
    "shipped": (S.SHIPPED, S.DELIVERED),
    "done": (S.COMPLETED,),
    "cancelled": (S.CANCELLED,),
}


def cart_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return CartItem.objects.filter(user=user).aggregate(n=Sum("quantity"))["n"] or 0


@dataclass
class CartGroup:
    store: Store
    quote: Quote


def cart_groups(user, *, postcode: str = "") -> list[CartGroup]:
    """The buyer's cart, one group per store, priced now."""
    items = list(
        CartItem.objects.filter(user=user)
        .select_related("goods__store", "option")
        .prefetch_related("goods__images")
        .order_by("goods__store_id", "added_at", "id")
    )
    by_store: dict[int, list[CartItem]] = {}
    for item in items:
        by_store.setdefault(item.goods.store_id, []).append(item)
    return [
        CartGroup(
            store=rows[0].goods.store,
            quote=quote_for(user=user, store=rows[0].goods.store, postcode=postcode, items=rows),
        )
        for rows in by_store.values()
    ]


def orders_of_buyer(user) -> QuerySet[Order]:
    return (
        Order.objects.filter(buyer=user)
        .select_related("store")
        .prefetch_related("lines")
        .order_by("-created_at", "-id")
    )


def orders_of_store(store: Store, tab: str) -> QuerySet[Order]:
    qs = (
        Order.objects.filter(store=store)
        .select_related("buyer", "payment")
        .prefetch_related("lines")
    )
    if tab == "claims":
        qs = qs.filter(claims__status="requested").distinct()
    elif tab in SELLER_TABS:
        qs = qs.filter(status__in=SELLER_TABS[tab])
    return qs.order_by("-created_at", "-id")


def seller_tab_counts(store: Store) -> dict[str, int]:
    counts = dict(Order.objects.filter(store=store).values_list("status").annotate(n=Count("id")))
    tabs = {tab: sum(counts.get(s, 0) for s in statuses) for tab, statuses in SELLER_TABS.items()}
    tabs["claims"] = (
        Order.objects.filter(store=store, claims__status="requested").distinct().count()
    )
    return tabs
