"""Seller dashboard: /seller/ and /seller/stores/<slug>/… (access gate first in every view)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chat.exceptions import ChatError
from shop.access import access_store_manage
from shop.exceptions import ShopError
from shop.forms import (
    GoodsForm,
    GoodsOptionFormSet,
    ManagerAddForm,
    StoreDeliveryForm,
    StoreProfileForm,
    StoreSettlementForm,
    option_initial,
)
from shop.models import Goods, GoodsImage, StoreStaff
from shop.pricing import PriceBook, price_quote
from shop.selectors import applications_for, goods_for_seller
from shop.services.goods import (
    GOODS_FIELDS,
    goods_create,
    goods_delete,
    goods_image_move,
    goods_image_remove,
    goods_post_card,
    goods_set_featured,
    goods_set_hidden,
    goods_update,
)
from shop.services.stores import (
    DELIVERY_FIELDS,
    PROFILE_FIELDS,
    SETTLEMENT_FIELDS,
    store_staff_add,
    store_staff_remove,
    store_update_delivery,
    store_update_profile,
    store_update_settlement,
)


def seller_context(store, role, section: str, **extra) -> dict:
    """The context every seller page's template needs (store, role, menu section)."""
    return {
        "store": store,
        "role": role,
        "is_owner": role == StoreStaff.Role.OWNER,
        "section": section,
        **extra,
    }


def form_error(form, error: ShopError) -> None:
    """A service error on its field when the form has it, else on the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@login_required
def seller_home(request: HttpRequest) -> HttpResponse:
    roles = StoreStaff.objects.filter(user=request.user).select_related("store")
    return render(
        request,
        "shop/seller/home.html",
        {"roles": roles, "applications": applications_for(request.user)},
    )


@login_required
def seller_store(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    book = PriceBook(user=None)
    goods = []
    for g in goods_for_seller(store):
        quote = price_quote(g, book=book)  # the public price now (members-only offers aside)
        goods.append({"goods": g, "price": quote.price, "quote": quote, "image": g.first_image})
    return render(
        request, "shop/seller/store.html", seller_context(store, role, "goods", goods=goods)
    )


@login_required
@require_http_methods(["GET", "POST"])
def seller_profile(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    form = StoreProfileForm(request.POST or None, request.FILES or None, instance=store)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            store_update_profile(
                store=store,
                actor=request.user,
                fields={k: data[k] for k in PROFILE_FIELDS},
                logo=data.get("logo_upload"),
                cover=data.get("cover_upload"),
                remove_logo=data.get("remove_logo", False),
                remove_cover=data.get("remove_cover", False),
            )
        except ShopError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Store profile saved."))
            return redirect("shop:seller_profile", store.slug)
    store.refresh_from_db()
    return render(
        request, "shop/seller/profile.html", seller_context(store, role, "profile", form=form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def seller_delivery(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    form = StoreDeliveryForm(request.POST or None, instance=store)
    if request.method == "POST" and form.is_valid():
        store_update_delivery(
            store=store,
            actor=request.user,
            fields={k: form.cleaned_data[k] for k in DELIVERY_FIELDS},
        )
        messages.success(request, _("Delivery settings saved."))
        return redirect("shop:seller_delivery", store.slug)
    return render(
        request, "shop/seller/delivery.html", seller_context(store, role, "delivery", form=form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def seller_settlement(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug, owner_only=True)
    form = StoreSettlementForm(request.POST or None, instance=store)
    if request.method == "POST" and form.is_valid():
        store_update_settlement(
            store=store,
            actor=request.user,
            fields={k: form.cleaned_data[k] for k in SETTLEMENT_FIELDS},
        )
        messages.success(request, _("Settlement account saved."))
        return redirect("shop:seller_settlement", store.slug)
    return render(
        request, "shop/seller/settlement.html", seller_context(store, role, "settlement", form=form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def seller_managers(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    is_owner = role == StoreStaff.Role.OWNER
    form = ManagerAddForm(request.POST or None)
    if request.method == "POST":
        if not is_owner:
            raise Http404
        if form.is_valid():
            try:
                staff = store_staff_add(
                    store=store, actor=request.user, identifier=form.cleaned_data["identifier"]
                )
            except ShopError as error:
                form_error(form, error)
            else:
                messages.success(
                    request, _("%(name)s is now a manager.") % {"name": staff.user.name}
                )
                return redirect("shop:seller_managers", store.slug)
    staff = (
        StoreStaff.objects.filter(store=store).select_related("user").order_by("-role", "added_at")
    )
    return render(
        request,
        "shop/seller/managers.html",
        seller_context(store, role, "managers", form=form, staff=staff),
    )


@login_required
@require_POST
def seller_manager_remove(request: HttpRequest, slug: str, staff_id: int) -> HttpResponse:
    store, role = access_store_manage(request.user, slug, owner_only=True)
    staff = get_object_or_404(StoreStaff, pk=staff_id, store=store)
    try:
        store_staff_remove(store=store, actor=request.user, staff=staff)
    except ShopError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(name)s no longer manages this store.") % {"name": staff.user.name}
        )
    return redirect("shop:seller_managers", store.slug)


def _goods_forms(request, goods: Goods | None):
    if request.method == "POST":
        form = GoodsForm(request.POST, request.FILES, instance=goods)
        options = GoodsOptionFormSet(request.POST, prefix="options")
    else:
        form = GoodsForm(instance=goods)
        options = GoodsOptionFormSet(
            prefix="options", initial=option_initial(goods) if goods else None
        )
    return form, options


def _goods_form_page(request, store, role, goods: Goods | None) -> HttpResponse:
    """The register (``goods`` None) and edit pages: one form, saved by goods_create or
    goods_update, then back to the edit page."""
    form, options = _goods_forms(request, goods)
    if request.method == "POST" and form.is_valid() and options.is_valid():
        data = form.cleaned_data
        changes = {
            "actor": request.user,
            "fields": {k: data[k] for k in GOODS_FIELDS},
            "options": options.rows(),
            "images": data["images"],
            "hidden": data["hidden"],
        }
        try:
            if goods is None:
                saved = goods_create(store=store, **changes)
                done = _("“%(name)s” is registered.")
            else:
                saved = goods_update(goods=goods, **changes)
                done = _("“%(name)s” is saved.")
        except ShopError as error:
            form_error(form, error)
        else:
            messages.success(request, done % {"name": saved.name})
            return redirect("shop:seller_goods_edit", store.slug, saved.pk)
    images = []
    if goods is not None:
        goods.refresh_from_db()
        images = list(goods.images.all())
    return render(
        request,
        "shop/seller/goods_form.html",
        seller_context(
            store, role, "goods", form=form, options=options, goods=goods, images=images
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def seller_goods_new(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    return _goods_form_page(request, store, role, None)


def _seller_goods(store, pk: int) -> Goods:
    return get_object_or_404(Goods, pk=pk, store=store, deleted_at__isnull=True)


@login_required
@require_http_methods(["GET", "POST"])
def seller_goods_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    return _goods_form_page(request, store, role, _seller_goods(store, pk))


@login_required
@require_POST
def seller_goods_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    goods = _seller_goods(store, pk)
    try:
        if action == "hide":
            goods_set_hidden(goods=goods, actor=request.user, hidden=True)
            messages.success(request, _("“%(name)s” is hidden from buyers.") % {"name": goods.name})
        elif action == "show":
            goods_set_hidden(goods=goods, actor=request.user, hidden=False)
            messages.success(request, _("“%(name)s” is visible again.") % {"name": goods.name})
        elif action == "feature":
            goods_set_featured(goods=goods, actor=request.user, featured=True)
            messages.success(
                request, _("“%(name)s” is featured on the store front.") % {"name": goods.name}
            )
        elif action == "unfeature":
            goods_set_featured(goods=goods, actor=request.user, featured=False)
            messages.success(request, _("“%(name)s” is no longer featured.") % {"name": goods.name})
        elif action == "card":
            goods_post_card(goods=goods, actor=request.user)
            messages.success(
                request,
                _("A product card for “%(name)s” is posted in the store talk.")
                % {"name": goods.name},
            )
        elif action == "delete":
            goods_delete(goods=goods, actor=request.user)
            messages.success(request, _("“%(name)s” is deleted.") % {"name": goods.name})
        else:
            raise Http404
    except ShopError as error:
        messages.error(request, error.message)
    except ChatError as error:  # chat refusals (archived channel…) become a message
        messages.error(request, _("The product card could not be posted: %(why)s") % {"why": error})
    return redirect("shop:seller_store", store.slug)


@login_required
@require_POST
def seller_image_action(
    request: HttpRequest, slug: str, pk: int, image_id: int, action: str
) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    goods = _seller_goods(store, pk)
    image = get_object_or_404(GoodsImage, pk=image_id, goods=goods)
    if action == "up":
        goods_image_move(image=image, actor=request.user, up=True)
    elif action == "down":
        goods_image_move(image=image, actor=request.user, up=False)
    elif action == "remove":
        goods_image_remove(image=image, actor=request.user)
        messages.success(request, _("Image removed."))
    else:
        raise Http404
    return redirect("shop:seller_goods_edit", store.slug, goods.pk)
