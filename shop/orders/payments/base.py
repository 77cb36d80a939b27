"""The payment provider interface. A new provider is one subclass registered in
``shop.orders.payments.PROVIDERS`` (see docs/payments.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from shop.orders.exceptions import PaymentError, WebhookRejected

if TYPE_CHECKING:
    from shop.orders.models import Order, Payment


@dataclass(frozen=True)
class ChargeResult:
    approved: bool
    reference: str = ""
    card_last4: str = ""
    reason: str = ""


@dataclass(frozen=True)
class BillingToken:
    """A saved card as the gateway returns it: a token to charge later and the last 4
    digits to show. The card number stays with the gateway."""

    token: str
    last4: str


@dataclass(frozen=True)
class RefundResult:
    reference: str
    note: str = ""


@dataclass(frozen=True)
class WebhookEvent:
    """A verified notification from a provider: ``kind`` is "payment.approved" for now."""

    kind: str
    idempotency_key: str
    amount: int
    reference: str
    nonce: str


class PaymentProvider:
    code: str = ""
    #: True when the buyer pays on our pay page (a card form); False for instructions only.
    interactive: bool = False

    def prepare(self, *, order: Order) -> None:
        """Called inside the order transaction, before the order row is saved."""

    def charge(self, *, payment: Payment, data: Mapping[str, str]) -> ChargeResult:
        """Charge ``payment.amount`` once per ``payment.idempotency_key``."""
        raise PaymentError(_("This payment method is not paid on this page."))

    def create_billing_token(self, *, card_number: str) -> BillingToken:
        """Save a card with the gateway for later charges (``data={"billing_token": …}``)."""
        raise PaymentError(_("This payment method cannot save cards."))

    def revoke_billing_token(self, *, token: str) -> None:
        """Forget a saved card at the gateway (nothing to do for a provider without them)."""

    def refund(self, *, payment: Payment, amount: int) -> RefundResult:
        raise PaymentError(_("This payment method cannot refund."))

    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Verify and decode a notification; raise WebhookRejected for anything doubtful."""
        raise WebhookRejected(_("This provider sends no notifications."))
