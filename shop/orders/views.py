"""Buyer pages: cart, checkout, pay, orders, address book; and the payment webhook."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from shop.access import can_see_member_content
from shop.loyalty.checkout import Choice
from shop.models import Store
from shop.orders.access import access_order_buyer
from shop.orders.exceptions import OrderError, ShopError, WebhookRejected
from shop.orders.forms import (
    AddressForm,
    CardForm,
    CartAddForm,
    CartQuantityForm,
    CheckoutForm,
    ClaimRequestForm,
)
from shop.orders.models import Address, CartItem, OrderStatus, PaymentMethod
from shop.orders.payments.bank_transfer import BankTransfer
from shop.orders.selectors import cart_groups, claims_of_order, order_timeline, orders_of_buyer
from shop.orders.services.addresses import (
    ADDRESS_FIELDS,
    address_create,
    address_delete,
    address_update,
    default_address,
)
from shop.orders.services.cart import cart_add, cart_remove, cart_update
from shop.orders.services.checkout import order_place, quote_for
from shop.orders.services.claims import (
    claim_request_cancel,
    claim_request_return,
    claimed_quantities,
    exchange_options,
    open_claim,
    return_deadline,
    return_refusal,
)
from shop.orders.services.orders import (
    BUYER_MAY_CANCEL,
    order_confirm_purchase,
)
from shop.orders.services.payments import payment_handle_webhook, payment_pay
from shop.pricing import price_for
from shop.selectors import goods_visible
from shop.wallet.checkout import one_tap_begin, one_tap_finish


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return _("Check the form.")


# --- cart ----------------------------------------------------------------------------------


@login_required
def cart(request: HttpRequest) -> HttpResponse:
    return render(request, "orders/cart.html", {"groups": cart_groups(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def cart_add_view(request: HttpRequest, goods_id: int) -> HttpResponse:
    """GET: choose option and quantity. POST: add (``buy_now``: then go to checkout)."""
    goods = get_object_or_404(goods_visible(), pk=goods_id)
    if not can_see_member_content(request.user, goods.store):
        raise Http404
    options = list(goods.options.all())
    form = CartAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        option = None
        option_id = request.POST.get("option") or form.cleaned_data.get("option")
        if option_id:
            option = next((o for o in options if str(o.pk) == str(option_id)), None)
            if option is None:
                form.add_error(None, _("That option does not belong to these goods."))
        if not form.errors:
            try:
                item = cart_add(
                    user=request.user,
                    goods=goods,
                    option=option,
                    quantity=form.cleaned_data["quantity"],
                )
            except ShopError as error:
                form.add_error(None, error.message)
            else:
                if request.POST.get("buy_now"):
                    return redirect(checkout_url(goods.store, request.POST, only=item.pk))
                messages.success(request, _("“%(name)s” is in your cart.") % {"name": goods.name})
                return redirect("orders:cart")
    rows = [{"option": o, "price": price_for(goods, o, user=request.user)} for o in options]
    return render(
        request,
        "orders/cart_add.html",
        {
            "goods": goods,
            "options": rows,
            "price": price_for(goods, user=request.user),
            "form": form,
            "from_channel": request.GET.get("from_channel", request.POST.get("from_channel", "")),
            "from_message": request.GET.get("from_message", request.POST.get("from_message", "")),
        },
    )


def checkout_url(store: Store, params, *, only: int | None = None) -> str:
    """The checkout of ``store``; ``only``: "buy now", that cart item alone."""
    query = {"store": store.slug}
    for name in ("from_channel", "from_message"):
        value = str(params.get(name) or "").strip()
        if value.isdigit():
            query[name] = value
    if only is not None:
        query["item"] = only
    return f"{reverse('orders:checkout')}?{urlencode(query)}"


def _only_item(request: HttpRequest) -> int | None:
    value = (request.POST.get("item") or request.GET.get("item") or "").strip()
    return int(value) if value.isdigit() else None


@login_required
@require_POST
def cart_item_update(request: HttpRequest, item_id: int) -> HttpResponse:
    form = CartQuantityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("orders:cart")
    try:
        cart_update(user=request.user, item_id=item_id, quantity=form.cleaned_data["quantity"])
    except ShopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Quantity changed."))
    return redirect("orders:cart")


@login_required
@require_POST
def cart_item_remove(request: HttpRequest, item_id: int) -> HttpResponse:
    try:
        cart_remove(user=request.user, item_id=item_id)
    except ShopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Removed from your cart."))
    return redirect("orders:cart")


# --- checkout ------------------------------------------------------------------------------


def _address_initial(user, address_id) -> dict:
    address = None
    if address_id and str(address_id).isdigit():
        address = Address.objects.filter(user=user, pk=address_id).first()
    address = address or default_address(user)
    if address is None:
        return {}
    return {k: getattr(address, k) for k in ADDRESS_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    slug = request.POST.get("store") or request.GET.get("store") or ""
    store = Store.objects.filter(slug=slug, status=Store.Status.ACTIVE).first()
    if store is None:
        groups = cart_groups(request.user)
        if len(groups) == 1:
            return redirect(f"{reverse('orders:checkout')}?store={groups[0].store.slug}")
        if not groups:
            messages.info(request, _("Your cart is empty."))
        return redirect("orders:cart")
    bank_ok = BankTransfer.available_for(store)
    if request.method == "POST":
        form = CheckoutForm(request.POST, bank_transfer=bank_ok)
    else:
        initial = _address_initial(request.user, request.GET.get("address"))
        initial.update(
            {
                "payment_method": PaymentMethod.TEST_CARD,
                "from_channel": request.GET.get("from_channel") or None,
                "from_message": request.GET.get("from_message") or None,
            }
        )
        if not str(initial["from_channel"] or "").isdigit():
            initial["from_channel"] = initial["from_message"] = None
        form = CheckoutForm(initial=initial, bank_transfer=bank_ok)
    postcode = (form.data.get("postcode") if form.is_bound else form.initial.get("postcode")) or ""
    choice = Choice.from_data(request.POST)
    only = _only_item(request)
    if request.method == "POST" and "apply_benefits" not in request.POST and form.is_valid():
        data = form.cleaned_data
        try:
            if tapped_twice := one_tap_begin(request, data):  # pay with saved card
                return tapped_twice
            order = order_place(
                buyer=request.user,
                store=store,
                shipping={k: data.get(k, "") for k in ADDRESS_FIELDS},
                payment_method=data["payment_method"],
                expected_total=data.get("expected_total"),
                from_channel_id=data.get("from_channel"),
                from_message_id=data.get("from_message"),
                benefits=choice,
                only=only,
            )
        except ShopError as error:
            form.add_error(None, error.message)
        else:
            if data.get("save_address"):
                _save_address(request, data)
            if paid := one_tap_finish(request, order):
                return paid
            if order.payment_method == PaymentMethod.TEST_CARD:
                messages.success(request, _("Order %(n)s placed: pay now.") % {"n": order.number})
                return redirect("orders:order_pay", order.number)
            messages.success(
                request,
                _("Order %(n)s placed: transfer the total to the account below.")
                % {"n": order.number},
            )
            return redirect("orders:order_detail", order.number)
    quote = quote_for(user=request.user, store=store, postcode=postcode, benefits=choice, only=only)
    if not quote.lines:
        if only is not None:
            messages.info(request, _("That item is no longer in your cart."))
        else:
            messages.info(request, _("Your cart has nothing from this store."))
        return redirect("orders:cart")
    if form.is_bound:
        form.data = form.data.copy()
        form.data["expected_total"] = str(quote.total)
    else:
        form.initial["expected_total"] = quote.total
    return render(
        request,
        "orders/checkout.html",
        {
            "store": store,
            "form": form,
            "quote": quote,
            "addresses": Address.objects.filter(user=request.user),
            "bank_ok": bank_ok,
            "choice": choice,
            "only": only,
            "whole_cart": only is not None
            and CartItem.objects.filter(user=request.user, goods__store=store)
            .exclude(pk=only)
            .exists(),
        },
    )


def _save_address(request: HttpRequest, data: dict) -> None:
    fields = {k: data.get(k, "") for k in ADDRESS_FIELDS}
    exists = Address.objects.filter(user=request.user, **fields).exists()
    if exists:
        return
    try:
        address_create(user=request.user, fields=fields)
    except (ShopError, Exception) as error:  # the order is placed; the address book is extra
        messages.warning(request, getattr(error, "message", _("The address was not saved.")))


# --- orders --------------------------------------------------------------------------------


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    from django.core.paginator import Paginator

    page = Paginator(orders_of_buyer(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "orders/order_list.html", {"page": page, "orders": page.object_list})


def _claimable_rows(order) -> list[dict]:
    """Order lines with pieces left to return or exchange, and their exchange options."""
    taken = claimed_quantities(order)
    rows = []
    for line in order.lines.select_related("goods", "option"):
        left = line.quantity - taken.get(line.pk, 0)
        if left > 0:
            rows.append({"line": line, "left": left, "options": exchange_options(line)})
    return rows


@login_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = access_order_buyer(request.user, number)
    lines = list(order.lines.all())
    _decorate_review_links(request.user, order, lines)
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "events": order_timeline(order),
            "payment": getattr(order, "payment", None),
            "may_cancel": order.status in BUYER_MAY_CANCEL,
            "claims": claims_of_order(order),
            "may_request_cancel": order.status == OrderStatus.PREPARING
            and open_claim(order) is None,
            "may_return": not return_refusal(order) and bool(_claimable_rows(order)),
            "return_deadline": return_deadline(order),
            "may_confirm": order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED),
            "may_pay": order.status == OrderStatus.PENDING_PAYMENT
            and order.payment_method == PaymentMethod.TEST_CARD,
        },
    )


def _decorate_review_links(user, order, lines) -> None:
    """``line.review`` (the buyer's review) or ``line.review_url`` (may write one)."""
    from shop.reviews.selectors import review_state_for_lines

    review_state_for_lines(user, order, lines)


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request: HttpRequest, number: str) -> HttpResponse:
    """Ask for a return or an exchange of some lines of a delivered order."""
    order = access_order_buyer(request.user, number)
    refusal = return_refusal(order)
    rows = _claimable_rows(order) if not refusal else []
    if refusal or not rows:
        messages.error(
            request, refusal or _("Every item of this order is in a return or exchange already.")
        )
        return redirect("orders:order_detail", order.number)
    form = ClaimRequestForm(request.POST or None, request.FILES or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = claim_request_return(
                order=order,
                actor=request.user,
                kind=data["kind"],
                reason_code=data["reason_code"],
                reason=data.get("reason", ""),
                lines=form.quantities(),
                options=form.options(),
                photos=data.get("photos"),
            )
        except ShopError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Your %(kind)s request was sent to the store.")
                % {"kind": claim.get_kind_display().lower()},
            )
            return redirect("orders:order_detail", order.number)
    return render(
        request,
        "orders/claim_new.html",
        {
            "order": order,
            "form": form,
            "rows": form.bound_rows(),
            "deadline": return_deadline(order),
            "return_fee": order.store.return_shipping_fee,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_pay(request: HttpRequest, number: str) -> HttpResponse:
    order = access_order_buyer(request.user, number)
    form = CardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payment = payment_pay(order=order, actor=request.user, data=form.cleaned_data)
        except ShopError as error:
            form.add_error("card_number" if error.code == "payment" else None, error.message)
            order.refresh_from_db()
        else:
            if payment.status == payment.Status.PAID:
                messages.success(request, _("Payment approved. Thank you!"))
                return redirect("orders:order_detail", order.number)
            form.add_error("card_number", payment.failure_reason)
    elif request.method == "GET" and order.status != OrderStatus.PENDING_PAYMENT:
        messages.info(
            request,
            _("This order was cancelled: it cannot be paid.")
            if order.status == OrderStatus.CANCELLED
            else _("This order is already paid."),
        )
        return redirect("orders:order_detail", order.number)
    return render(request, "orders/pay.html", {"order": order, "form": form})


@login_required
@require_POST
def order_cancel_view(request: HttpRequest, number: str) -> HttpResponse:
    order = access_order_buyer(request.user, number)
    reason = request.POST.get("reason") or ""
    try:
        claim = claim_request_cancel(order=order, actor=request.user, reason=reason)
    except ShopError as error:
        messages.error(request, error.message)
    else:
        if claim is None:
            messages.success(request, _("Order %(n)s is cancelled.") % {"n": order.number})
        else:
            messages.success(request, _("Your cancellation request was sent to the store."))
    return redirect("orders:order_detail", order.number)


@login_required
@require_POST
def order_confirm_view(request: HttpRequest, number: str) -> HttpResponse:
    order = access_order_buyer(request.user, number)
    try:
        order_confirm_purchase(order=order, actor=request.user)
    except ShopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Purchase confirmed. Thank you!"))
    return redirect("orders:order_detail", order.number)


# --- address book --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def address_list(request: HttpRequest) -> HttpResponse:
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data.get(k, "") for k in ADDRESS_FIELDS}
        try:
            address_create(
                user=request.user, fields=fields, make_default=form.cleaned_data["make_default"]
            )
        except OrderError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Address saved."))
            return redirect(_next_or(request, "orders:address_list"))
    return render(
        request,
        "orders/addresses.html",
        {
            "addresses": Address.objects.filter(user=request.user),
            "form": form,
            "next": request.GET.get("next", ""),
        },
    )


def _next_or(request: HttpRequest, name: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        return nxt
    return reverse(name)


@login_required
@require_http_methods(["GET", "POST"])
def address_edit(request: HttpRequest, pk: int) -> HttpResponse:
    address = get_object_or_404(Address, pk=pk, user=request.user)
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data.get(k, "") for k in ADDRESS_FIELDS}
        try:
            address_update(
                address=address,
                user=request.user,
                fields=fields,
                make_default=form.cleaned_data["make_default"],
            )
        except OrderError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Address saved."))
            return redirect("orders:address_list")
    return render(request, "orders/address_edit.html", {"address": address, "form": form})


@login_required
@require_POST
def address_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    address = get_object_or_404(Address, pk=pk, user=request.user)
    address_delete(address=address, user=request.user)
    messages.success(request, _("Address deleted."))
    return redirect("orders:address_list")


# --- webhook -------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def payment_webhook(request: HttpRequest, provider: str) -> JsonResponse:
    """Signed notifications from a payment provider (see docs/payments.md)."""
    provider = provider.replace("-", "_")
    try:
        outcome = payment_handle_webhook(
            provider_code=provider, body=request.body, headers=request.headers
        )
    except WebhookRejected as error:
        return JsonResponse({"ok": False, "error": error.message}, status=400)
    return JsonResponse({"ok": True, "result": outcome})
