"""Shop reads, scoped by who is asking."""

from __future__ import annotations

from django.db.models import QuerySet

from shop.models import Goods, Store


def stores_visible() -> QuerySet[Store]:
    """Stores anyone may find (closed ones too: they show a teaser)."""
    return Store.objects.filter(status=Store.Status.ACTIVE)


def goods_visible() -> QuerySet[Goods]:
    """Goods listed publicly: not hidden, not deleted, in an active store."""
    return (
        Goods.objects.filter(deleted_at__isnull=True, store__status=Store.Status.ACTIVE)
        .exclude(status=Goods.Status.HIDDEN)
        .select_related("store")
    )
