"""Shop reads, scoped by who is asking."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from shop.access import member_store_ids
from shop.models import Goods, GoodsImage, Store, StoreApplication


def stores_visible() -> QuerySet[Store]:
    """Stores anyone may find (closed ones too: they show a teaser)."""
    return Store.objects.filter(status=Store.Status.ACTIVE)


def stores_featured(limit: int = 8) -> list[Store]:
    """Stores staff featured, then the newest ones to fill the row."""
    featured = list(stores_visible().filter(featured=True)[:limit])
    if len(featured) < limit:
        featured += list(
            stores_visible().exclude(pk__in=[s.pk for s in featured])[: limit - len(featured)]
        )
    return featured


def _with_images(qs: QuerySet[Goods]) -> QuerySet[Goods]:
    return qs.prefetch_related(
        Prefetch("images", queryset=GoodsImage.objects.order_by("position", "id"))
    )


def goods_visible() -> QuerySet[Goods]:
    """Goods listed publicly: not hidden, not deleted, in an active store."""
    return _with_images(
        Goods.objects.filter(deleted_at__isnull=True, store__status=Store.Status.ACTIVE)
        .exclude(status=Goods.Status.HIDDEN)
        .select_related("store")
    )


def goods_popular(limit: int = 8) -> QuerySet[Goods]:
    """Goods people talk about most (goods talk messages), then the newest."""
    return (
        goods_visible()
        .annotate(talk=Count("channels__messages", filter=Q(channels__kind="goods")))
        .order_by("-talk", "-created_at", "-id")[:limit]
    )


def goods_search(*, query: str, user) -> QuerySet[Goods]:
    """Goods whose name, description or tags contain every word of ``query`` (any case).

    A plain contains match finds two-syllable Korean words (니트, 식빵) inside longer ones,
    which a word index would not. For a closed store's goods a non-member matches on the name
    only: descriptions and tags are member-only details.
    """
    words = [w for w in (query or "").split() if w][:5]
    qs = goods_visible()
    if not words:
        return qs.none()
    open_to_user = Q(store__visibility="open") | Q(store_id__in=member_store_ids(user))
    for word in words:
        qs = qs.filter(
            Q(name__icontains=word)
            | (open_to_user & (Q(description__icontains=word) | Q(tags__icontains=word)))
        )
    return qs.order_by("-created_at", "-id")


def goods_cards(goods, user) -> list[dict]:
    """Tiles for goods lists: the price only where the user may see it (server side), with
    the running discount promotion applied (``base`` is the price before it) and whether the
    goods are among the user's favourites."""
    from shop.models import FavouriteGoods
    from shop.pricing import PriceBook, price_quote

    goods = list(goods)
    visible_ids = member_store_ids(user)
    book = PriceBook(user=user, member_ids=visible_ids)
    favourite_ids: set[int] = set()
    if user is not None and user.is_authenticated and goods:
        favourite_ids = set(
            FavouriteGoods.objects.filter(user=user, goods__in=goods).values_list(
                "goods_id", flat=True
            )
        )
    cards = []
    for g in goods:
        show = not g.store.is_closed or g.store_id in visible_ids
        quote = price_quote(g, user=user, book=book) if show else None
        cards.append(
            {
                "goods": g,
                "show_price": show,
                "price": quote.price if quote else None,
                "quote": quote,
                "image": g.first_image,
                "favourite": g.pk in favourite_ids,
            }
        )
    return cards


def goods_for_seller(store: Store) -> QuerySet[Goods]:
    """Every goods item of the store that is not deleted, hidden ones included."""
    return _with_images(
        Goods.objects.filter(store=store, deleted_at__isnull=True)
        .annotate(option_count=Count("options"))
        .order_by("-created_at", "-id")
    )


def applications_for(user) -> QuerySet[StoreApplication]:
    return StoreApplication.objects.filter(applicant=user).select_related("store")
