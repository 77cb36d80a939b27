from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from shop.access import can_see_member_content, member_store_ids
from shop.models import StoreCategory
from shop.selectors import goods_visible, stores_visible


def _goods_cards(goods, user) -> list[dict]:
    visible_ids = member_store_ids(user)
    return [
        {"goods": g, "show_price": not g.store.is_closed or g.store_id in visible_ids}
        for g in goods
    ]


def home(request: HttpRequest) -> HttpResponse:
    stores = stores_visible()[:8]
    recent = _goods_cards(goods_visible()[:12], request.user)
    return render(request, "shop/home.html", {"stores": stores, "recent_goods": recent})


def store_list(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    stores = stores_visible()
    if category in StoreCategory.values:
        stores = stores.filter(category=category)
    return render(
        request,
        "shop/store_list.html",
        {"stores": stores, "categories": StoreCategory.choices, "category": category},
    )


def store_detail(request: HttpRequest, slug: str) -> HttpResponse:
    store = get_object_or_404(stores_visible(), slug=slug)
    member = can_see_member_content(request.user, store)
    goods = goods_visible().filter(store=store) if member else goods_visible().none()
    return render(
        request,
        "shop/store_detail.html",
        {"store": store, "is_member": member, "goods_cards": _goods_cards(goods, request.user)},
    )
