"""Favourites (toggle buttons that work without JavaScript, and /me/favourites/) and share
links: /s/store/<slug>/, /s/goods/<id>/, /s/promo/<id>/ preview pages with Open Graph tags
for people who are not members (never a closed store's prices)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shop.access import can_see_member_content
from shop.models import FavouriteStore
from shop.pricing import price_quote
from shop.selectors import goods_cards, goods_visible, stores_visible
from shop.services.favourites import favourite_goods_toggle, favourite_store_toggle
from shop.views_promotions import access_promotion

DEFAULT_SHARE_IMAGE = "img/share.png"


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return redirect(target)


@require_POST
def favourite_store(request: HttpRequest, slug: str) -> HttpResponse:
    store = get_object_or_404(stores_visible(), slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(store.get_absolute_url())
    favourite_store_toggle(user=request.user, store=store)
    return _back(request, store.get_absolute_url())


@require_POST
def favourite_goods(request: HttpRequest, pk: int) -> HttpResponse:
    goods = get_object_or_404(goods_visible(), pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(goods.get_absolute_url())
    favourite_goods_toggle(user=request.user, goods=goods)
    return _back(request, goods.get_absolute_url())


@login_required
def my_favourites(request: HttpRequest) -> HttpResponse:
    stores = [
        f.store
        for f in FavouriteStore.objects.filter(
            user=request.user, store__in=stores_visible()
        ).select_related("store")
    ]
    goods = (
        goods_visible()
        .filter(favourited_by__user=request.user)
        .order_by("-favourited_by__created_at", "-id")
    )
    return render(
        request,
        "shop/favourites.html",
        {"stores": stores, "cards": goods_cards(goods[:200], request.user)},
    )


# --- share previews -----------------------------------------------------------------------


def _image_url(request: HttpRequest, field) -> str:
    if field:
        return request.build_absolute_uri(field.url)
    return request.build_absolute_uri(static(DEFAULT_SHARE_IMAGE))


def _preview(request: HttpRequest, **context) -> HttpResponse:
    context.setdefault("share_description", "")
    context["share_description"] = " ".join(context["share_description"].split())[:200]
    return render(request, "shop/share_preview.html", context)


def share_store(request: HttpRequest, slug: str) -> HttpResponse:
    store = get_object_or_404(stores_visible(), slug=slug)
    return _preview(
        request,
        kind="store",
        store=store,
        title=store.name,
        share_description=store.description,
        image_url=_image_url(request, store.cover or store.logo),
        target_url=store.get_absolute_url(),
        is_member=can_see_member_content(request.user, store),
    )


def share_goods(request: HttpRequest, pk: int) -> HttpResponse:
    goods = get_object_or_404(goods_visible(), pk=pk)
    store = goods.store
    member = can_see_member_content(request.user, store)
    image = goods.first_image if member or not store.is_closed else None
    return _preview(
        request,
        kind="goods",
        store=store,
        goods=goods,
        title=goods.name,
        # A closed store's goods details are member-only: non-members get the store's words.
        share_description=goods.description if member else store.description,
        image_url=_image_url(request, image.image if image else (store.logo or store.cover)),
        target_url=goods.get_absolute_url(),
        quote=price_quote(goods, user=request.user) if member else None,
        is_member=member,
    )


def share_promotion(request: HttpRequest, pk: int) -> HttpResponse:
    promotion = access_promotion(request.user, pk)
    store = promotion.store
    return _preview(
        request,
        kind="promotion",
        store=store,
        promotion=promotion,
        title=promotion.title,
        share_description=promotion.description or store.description,
        image_url=_image_url(request, store.cover or store.logo),
        target_url=promotion.get_absolute_url(),
        is_member=can_see_member_content(request.user, store),
    )
