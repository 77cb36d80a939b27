"""Buyer pages: home, store list, store front, goods page, search."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from chat.selectors import store_channel_of
from shop.access import can_see_member_content, store_role
from shop.forms import SearchForm
from shop.models import Goods, StoreCategory
from shop.pricing import PriceBook, price_for, price_quote
from shop.selectors import (
    goods_cards,
    goods_popular,
    goods_search,
    goods_visible,
    stores_featured,
    stores_visible,
)

SEARCH_PAGE_SIZE = 20


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "shop/home.html",
        {
            "stores": stores_featured(8),
            "recent_goods": goods_cards(goods_visible()[:8], request.user),
            "popular_goods": goods_cards(goods_popular(8), request.user),
            "search_form": SearchForm(),
        },
    )


def store_list(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    stores = stores_visible()
    if category in StoreCategory.values:
        stores = stores.filter(category=category)
    page = Paginator(stores, 24).get_page(request.GET.get("page"))
    _attach_ratings(page.object_list)
    return render(
        request,
        "shop/store_list.html",
        {
            "stores": page.object_list,
            "page": page,
            "categories": StoreCategory.choices,
            "category": category,
        },
    )


def _attach_ratings(stores) -> None:
    """Review averages on store tiles (one query for the page)."""
    from shop.reviews.selectors import attach_store_ratings

    attach_store_ratings(stores)


def store_detail(request: HttpRequest, slug: str) -> HttpResponse:
    store = get_object_or_404(stores_visible(), slug=slug)
    member = can_see_member_content(request.user, store)
    goods = goods_visible().filter(store=store) if member else goods_visible().none()
    cards = goods_cards(goods, request.user)
    return render(
        request,
        "shop/store_detail.html",
        {
            "store": store,
            "is_member": member,
            "is_staff": bool(store_role(request.user, store)),
            "goods_cards": cards,
            "featured_cards": [c for c in cards if c["goods"].featured],
            "store_channel": store_channel_of(store),
        },
    )


def goods_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The goods page. For a closed store's non-members: name and store only (a teaser)."""
    goods = get_object_or_404(goods_visible(), pk=pk)
    store = goods.store
    member = can_see_member_content(request.user, store)
    context = {
        "goods": goods,
        "store": store,
        "is_member": member,
        "goods_channel": _goods_channel(goods),
    }
    if member:
        book = PriceBook(user=request.user)
        options = [
            {"option": o, "price": price_for(goods, o, user=request.user, book=book)}
            for o in goods.options.all()
        ]
        quote = price_quote(goods, user=request.user, book=book)
        context.update(
            {
                "price": quote.price,
                "quote": quote,
                "options": options,
                "in_stock": goods.status == Goods.Status.ON_SALE,
                "images": list(goods.images.all()),
            }
        )
    return render(request, "shop/goods_detail.html", context)


def _goods_channel(goods: Goods):
    from chat.models import Channel

    return Channel.objects.filter(goods=goods, kind=Channel.Kind.GOODS).first()


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results = goods_search(query=query, user=request.user) if query else Goods.objects.none()
    page = Paginator(results, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "shop/search.html",
        {
            "form": form,
            "query": query,
            "page": page,
            "cards": goods_cards(page.object_list, request.user),
        },
    )
