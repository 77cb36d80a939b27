"""Access gates for orders: missing and forbidden look the same (404)."""

from __future__ import annotations

from django.http import Http404

from shop.access import access_store_manage
from shop.orders.models import Order


def access_order_buyer(user, number: str) -> Order:
    """The signed-in buyer's own order ``number``, or 404."""
    if user is None or not user.is_authenticated:
        raise Http404
    order = (
        Order.objects.select_related("store", "payment").filter(number=number, buyer=user).first()
    )
    if order is None:
        raise Http404
    return order


def access_order_seller(user, slug: str, number: str) -> tuple[Order, object, str]:
    """An order of the store at ``slug`` the user runs: (order, store, role), or 404."""
    store, role = access_store_manage(user, slug)
    order = (
        Order.objects.select_related("store", "buyer", "payment")
        .filter(number=number, store=store)
        .first()
    )
    if order is None:
        raise Http404
    return order, store, role
