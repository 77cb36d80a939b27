"""Paying, confirming deposits, refunds and provider notifications (webhooks).

Every path locks the order row first, so a double "pay", a webhook racing the pay page or a
deposit confirmed twice ends with one charge and one "paid" event.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shop.orders.exceptions import PaymentError, WebhookRejected
from shop.orders.models import Order, OrderStatus, Payment, PaymentMethod, WebhookNonce
from shop.orders.payments import get_provider
from shop.orders.services.orders import is_store_staff, order_transition

DECLINE_MESSAGES = {
    "card_declined": gettext_lazy("The card was declined."),
    "insufficient_funds": gettext_lazy("The card was declined: insufficient funds."),
}
NONCE_KEEP = timedelta(days=1)


def new_idempotency_key() -> str:
    return f"pay_{secrets.token_hex(16)}"


def _refuse_unpayable(order: Order) -> None:
    if order.status == OrderStatus.CANCELLED:
        raise PaymentError(_("This order was cancelled: it cannot be paid."))
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise PaymentError(_("This order is already paid."))


def _mark_paid(*, order: Order, payment: Payment, actor, reference: str, note: str) -> None:
    payment.status = Payment.Status.PAID
    payment.reference = reference or payment.reference
    payment.paid_at = timezone.now()
    payment.failure_reason = ""
    payment.save()
    order_transition(order=order, to=OrderStatus.PAID, actor=actor, note=note)


@transaction.atomic
def payment_pay(*, order: Order, actor, data: Mapping[str, str]) -> Payment:
    """The buyer pays on the pay page. Approved: the order is paid. Declined: the payment is
    marked failed (with the reason) and a fresh idempotency key allows another card."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if actor is None or not actor.is_authenticated or actor.pk != order.buyer_id:
        raise PermissionDenied
    _refuse_unpayable(order)
    payment = Payment.objects.select_for_update().get(order=order)
    provider = get_provider(payment.provider)
    if not provider.interactive:
        raise PaymentError(_("Pay this order by bank transfer to the account shown."))
    result = provider.charge(payment=payment, data=data)
    payment.card_last4 = result.card_last4
    if result.approved:
        _mark_paid(
            order=order,
            payment=payment,
            actor=actor,
            reference=result.reference,
            note=_("Paid by card ending %(last4)s.") % {"last4": result.card_last4},
        )
    else:
        payment.status = Payment.Status.FAILED
        payment.failure_reason = str(DECLINE_MESSAGES.get(result.reason, result.reason))
        payment.idempotency_key = new_idempotency_key()
        payment.save()
    return payment


@transaction.atomic
def payment_confirm_deposit(*, order: Order, actor, note: str = "") -> Order:
    """The seller (or staff) saw the bank transfer arrive."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not is_store_staff(actor, order):
        raise PermissionDenied
    if order.payment_method != PaymentMethod.BANK_TRANSFER:
        raise PaymentError(_("This order is not paid by bank transfer."))
    _refuse_unpayable(order)
    payment = Payment.objects.select_for_update().get(order=order)
    _mark_paid(
        order=order,
        payment=payment,
        actor=actor,
        reference=f"deposit_{secrets.token_hex(6)}",
        note=note or _("Deposit confirmed."),
    )
    return order


def payment_refund(*, payment: Payment, amount: int) -> Payment:
    """Refund through the provider (inside the caller's transaction)."""
    if amount <= 0 or payment.refunded_amount + amount > payment.amount:
        raise PaymentError(_("The refund is larger than what was paid."))
    result = get_provider(payment.provider).refund(payment=payment, amount=amount)
    payment.refunded_amount += amount
    payment.refund_reference = result.reference
    payment.refunded_at = timezone.now()
    if payment.refunded_amount == payment.amount:
        payment.status = Payment.Status.REFUNDED
    payment.save()
    from shop.loyalty.hooks import on_order_refunded

    on_order_refunded(
        order=payment.order, amount=amount, full=payment.status == Payment.Status.REFUNDED
    )
    return payment


def payment_handle_webhook(*, provider_code: str, body: bytes, headers: Mapping[str, str]) -> str:
    """Verify a notification and apply it once. Returns "paid" or "already"; raises
    WebhookRejected for a forged, stale, replayed or unknown notification (nothing changes)."""
    if provider_code not in PaymentMethod.values:
        raise WebhookRejected(_("Unknown payment provider."))
    event = get_provider(provider_code).parse_webhook(body=body, headers=headers)
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookNonce.objects.create(provider=provider_code, nonce=event.nonce)
        except IntegrityError:
            raise WebhookRejected(_("This notification was received before.")) from None
        WebhookNonce.objects.filter(received_at__lt=timezone.now() - NONCE_KEEP).delete()
        if event.kind != "payment.approved":
            return "ignored"
        payment = (
            Payment.objects.select_related("order")
            .filter(provider=provider_code, reference=event.reference)
            .first()
        ) or (
            Payment.objects.select_related("order")
            .filter(provider=provider_code, idempotency_key=event.idempotency_key)
            .first()
        )
        if payment is None:
            raise WebhookRejected(_("No payment matches this notification."))
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if event.amount != payment.amount:
            raise WebhookRejected(_("The notified amount does not match the order."))
        if payment.status == Payment.Status.PAID or order.status != OrderStatus.PENDING_PAYMENT:
            return "already"
        _mark_paid(
            order=order,
            payment=payment,
            actor=None,
            reference=event.reference,
            note=_("Payment notification from the gateway."),
        )
        return "paid"
