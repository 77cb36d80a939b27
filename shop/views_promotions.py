"""Promotion pages: the buyer's promotion page with group-buy buttons, and the seller's
promotion pages under /seller/stores/<slug>/promotions/ (access gate first in every view)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shop.access import access_store_manage, can_see_member_content, store_role
from shop.exceptions import ShopError
from shop.forms_promotions import PromotionForm
from shop.models import Promotion
from shop.pricing import price_quote
from shop.selectors import goods_cards
from shop.selectors_promotions import (
    commitment_of,
    group_buy_committed,
    promotion_goods,
    promotions_for_seller,
)
from shop.services.promotions import (
    PROMOTION_FIELDS,
    group_buy_commit,
    group_buy_withdraw,
    promotion_create,
    promotion_end,
    promotion_update,
    promotion_visible_to,
)
from shop.views_seller import seller_context


def access_promotion(user, pk: int) -> Promotion:
    """The promotion, or the same 404 for missing, suspended-store and members-only ones."""
    promotion = Promotion.objects.select_related("store", "channel").filter(pk=pk).first()
    if promotion is None or not promotion_visible_to(promotion, user):
        raise Http404
    return promotion


def promotion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    promotion = access_promotion(request.user, pk)
    store = promotion.store
    member = can_see_member_content(request.user, store)
    context = {
        "promotion": promotion,
        "store": store,
        "is_member": member,
        "is_staff": bool(store_role(request.user, store)),
        "cards": goods_cards(promotion_goods(promotion)[:40], request.user) if member else [],
    }
    if promotion.is_group_buy:
        item = promotion.goods.first()
        committed = group_buy_committed(promotion)
        needed = promotion.group_min_buyers or 0
        context.update(
            {
                "item": item,
                "item_quote": price_quote(item, user=request.user) if item and member else None,
                "committed": committed,
                "needed": needed,
                "progress": min(100, committed * 100 // needed) if needed else 0,
                "commitment": commitment_of(promotion, request.user),
            }
        )
    return render(request, "shop/promotion_detail.html", context)


@require_POST
def promotion_group_buy(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(reverse_promotion(pk))
    promotion = access_promotion(request.user, pk)
    try:
        if action == "commit":
            group_buy_commit(promotion=promotion, user=request.user)
            messages.success(request, _("You joined the group buy."))
        elif action == "withdraw":
            group_buy_withdraw(promotion=promotion, user=request.user)
            messages.success(request, _("You left the group buy."))
        else:
            raise Http404
    except ShopError as error:
        messages.error(request, error.message)
    return redirect("shop:promotion_detail", promotion.pk)


def reverse_promotion(pk: int) -> str:
    from django.urls import reverse

    return reverse("shop:promotion_detail", args=[pk])


# --- seller pages ---------------------------------------------------------------------------


def _save(request, form: PromotionForm, store, promotion: Promotion | None):
    data = form.cleaned_data
    fields = {k: data.get(k) for k in PROMOTION_FIELDS}
    goods = list(data.get("goods") or [])
    try:
        if promotion is None:
            return promotion_create(store=store, actor=request.user, fields=fields, goods=goods)
        return promotion_update(promotion=promotion, actor=request.user, fields=fields, goods=goods)
    except ShopError as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)
        return None


@login_required
def seller_promotions(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    rows = [
        {
            "promotion": p,
            "committed": group_buy_committed(p) if p.is_group_buy else None,
        }
        for p in promotions_for_seller(store)
    ]
    return render(
        request, "shop/seller/promotions.html", seller_context(store, role, "promotions", rows=rows)
    )


@login_required
@require_http_methods(["GET", "POST"])
def seller_promotion_new(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    initial = {"kind": request.GET.get("kind", Promotion.Kind.DISCOUNT)}
    form = PromotionForm(request.POST or None, store=store, initial=initial)
    if request.method == "POST" and form.is_valid():
        promotion = _save(request, form, store, None)
        if promotion is not None:
            messages.success(request, _("“%(title)s” is created.") % {"title": promotion.title})
            return redirect("shop:seller_promotion_edit", store.slug, promotion.pk)
    return render(
        request,
        "shop/seller/promotion_form.html",
        seller_context(store, role, "promotions", form=form, promotion=None),
    )


@login_required
@require_http_methods(["GET", "POST"])
def seller_promotion_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    promotion = get_object_or_404(Promotion, pk=pk, store=store)
    form = PromotionForm(request.POST or None, store=store, promotion=promotion)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, store, promotion)
        if saved is not None:
            messages.success(request, _("“%(title)s” is saved.") % {"title": saved.title})
            return redirect("shop:seller_promotion_edit", store.slug, saved.pk)
    promotion.refresh_from_db()
    return render(
        request,
        "shop/seller/promotion_form.html",
        seller_context(
            store,
            role,
            "promotions",
            form=form,
            promotion=promotion,
            committed=group_buy_committed(promotion) if promotion.is_group_buy else None,
        ),
    )


@login_required
@require_POST
def seller_promotion_end(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    promotion = get_object_or_404(Promotion, pk=pk, store=store)
    try:
        promotion = promotion_end(promotion=promotion, actor=request.user)
    except ShopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(title)s” has ended.") % {"title": promotion.title})
    return redirect("shop:seller_promotions", store.slug)
