"""Reads for cart and order pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from shop.models import Store
from shop.orders.models import CartItem, Claim, ClaimEvent, ClaimLine, Order, OrderStatus
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
        .prefetch_related("lines", "claims")
        .order_by("-created_at", "-id")
    )


def orders_of_store(store: Store, tab: str) -> QuerySet[Order]:
    qs = (
        Order.objects.filter(store=store)
        .select_related("buyer", "payment")
        .prefetch_related("lines", "claims")
    )
    if tab in SELLER_TABS:
        qs = qs.filter(status__in=SELLER_TABS[tab])
    return qs.order_by("-created_at", "-id")


def seller_tab_counts(store: Store) -> dict[str, int]:
    counts = dict(Order.objects.filter(store=store).values_list("status").annotate(n=Count("id")))
    tabs = {tab: sum(counts.get(s, 0) for s in statuses) for tab, statuses in SELLER_TABS.items()}
    tabs["claims"] = claims_of_store(store, open_only=True).count()
    return tabs


# --- claims --------------------------------------------------------------------------------

# Claims the store still has to act on (an approved cancellation is finished).
OPEN_CLAIMS = Q(status__in=(Claim.Status.REQUESTED, Claim.Status.COLLECTED)) | Q(
    status=Claim.Status.APPROVED, kind__in=(Claim.Kind.RETURN, Claim.Kind.EXCHANGE)
)


def _with_claim_details(qs: QuerySet[Claim]) -> QuerySet[Claim]:
    return qs.prefetch_related(
        Prefetch("lines", queryset=ClaimLine.objects.select_related("order_line")), "photos"
    )


def claims_of_order(order: Order) -> list[Claim]:
    return list(_with_claim_details(order.claims.all()))


def claims_of_store(store: Store, *, open_only: bool = False) -> QuerySet[Claim]:
    """The store's claims, open ones (the store's turn) first when ``open_only`` is False."""
    qs = Claim.objects.filter(order__store=store)
    if open_only:
        qs = qs.filter(OPEN_CLAIMS)
    return _with_claim_details(qs.select_related("order__buyer")).order_by("-created_at", "-id")


@dataclass(frozen=True)
class TimelineEntry:
    label: str
    note: str
    actor: object
    created_at: datetime
    claim: bool = False


def order_timeline(order: Order) -> list[TimelineEntry]:
    """Order status events and claim events, oldest first."""
    entries = [
        TimelineEntry(e.get_to_status_display(), e.note, e.actor, e.created_at)
        for e in order.events.select_related("actor")
    ]
    for e in ClaimEvent.objects.filter(claim__order=order).select_related("claim", "actor"):
        label = _("%(kind)s: %(status)s") % {
            "kind": e.claim.get_kind_display(),
            "status": e.get_to_status_display(),
        }
        entries.append(TimelineEntry(label, e.note, e.actor, e.created_at, claim=True))
    entries.sort(key=lambda entry: entry.created_at)
    return entries
