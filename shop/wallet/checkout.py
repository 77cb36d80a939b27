"""One-tap "pay with saved card" on the common checkout page (every entry to checkout —
cart, buy-now from a product card in chat, an accepted price offer — gets it).

The checkout view calls ``one_tap_begin`` before placing the order and ``one_tap_finish``
after. The page carries a fresh ``one_tap_key``; the first request with it records a
``OneTapAttempt`` (unique key), so a double tap places and charges one order: the second
request is sent to that order. Payment goes through ``payment_pay`` (row lock + the
gateway's idempotency key), like the card form.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.orders.exceptions import ShopError
from shop.orders.models import Order, OrderStatus, PaymentMethod
from shop.orders.services.payments import payment_pay
from shop.wallet.models import OneTapAttempt, SavedCard
from shop.wallet.services import card_of

STALE = timedelta(minutes=2)


def new_key() -> str:
    return f"tap_{secrets.token_hex(16)}"


def one_tap_begin(request: HttpRequest, data: dict) -> HttpResponse | None:
    """Before ``order_place``: nothing unless the saved-card button was pressed. Then check
    the card is the buyer's (else PaymentError: a form error, nothing placed), pay by card,
    and claim the page's key; a repeated key redirects to the order it already made."""
    card_id = request.POST.get("one_tap_card")
    if not card_id:
        return None
    card = card_of(request.user, card_id)
    key = (request.POST.get("one_tap_key") or "")[:64] or new_key()
    try:
        with transaction.atomic():
            attempt = OneTapAttempt.objects.create(user=request.user, key=key, card=card)
    except IntegrityError:
        attempt = OneTapAttempt.objects.filter(key=key, user=request.user).first()
        if attempt is None:
            raise ShopError(_("Reload the page and try again.")) from None
        if attempt.order_id is None and attempt.created_at < timezone.now() - STALE:
            attempt.card = card  # an earlier press failed before placing: retry with it
            attempt.save(update_fields=["card"])
        else:
            return _already(request, attempt)
    data["payment_method"] = PaymentMethod.TEST_CARD
    request.one_tap_attempt = attempt
    return None


def _already(request: HttpRequest, attempt: OneTapAttempt) -> HttpResponse:
    if attempt.order_id:
        order = Order.objects.get(pk=attempt.order_id)
        messages.info(request, _("Order %(n)s is already placed.") % {"n": order.number})
        return redirect("orders:order_detail", order.number)
    messages.info(request, _("Your payment is being processed."))
    return redirect("orders:order_list")


def one_tap_finish(request: HttpRequest, order: Order) -> HttpResponse | None:
    """After ``order_place``: charge the saved card once and go to the order."""
    attempt = getattr(request, "one_tap_attempt", None)
    if attempt is None:
        return None
    OneTapAttempt.objects.filter(pk=attempt.pk).update(order=order)
    card = attempt.card
    return pay_with_saved_card(request, order, card)


def pay_with_saved_card(request: HttpRequest, order: Order, card: SavedCard) -> HttpResponse:
    """Charge ``card`` for ``order`` through the idempotent payment path; a second press on a
    paid order only says so."""
    try:
        payment = payment_pay(order=order, actor=request.user, data={"billing_token": card.token})
    except ShopError as error:
        messages.error(request, error.message)
        order.refresh_from_db()
        if order.status == OrderStatus.PENDING_PAYMENT:
            return redirect("orders:order_pay", order.number)
        return redirect("orders:order_detail", order.number)
    if payment.status == payment.Status.PAID:
        SavedCard.objects.filter(pk=card.pk).update(last_used_at=timezone.now())
        messages.success(
            request,
            _("Paid with %(card)s. Thank you!") % {"card": card.display},
        )
        return redirect("orders:order_detail", order.number)
    messages.error(request, payment.failure_reason)
    return redirect("orders:order_pay", order.number)
