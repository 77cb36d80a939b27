"""Payment providers by code. Add a provider: write one ``PaymentProvider`` subclass, add it
here and to ``PaymentMethod`` (docs/payments.md)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shop.orders.exceptions import PaymentError
from shop.orders.payments.bank_transfer import BankTransfer
from shop.orders.payments.base import ChargeResult, PaymentProvider, RefundResult, WebhookEvent
from shop.orders.payments.test_card import TestCardGateway

PROVIDERS: dict[str, PaymentProvider] = {
    BankTransfer.code: BankTransfer(),
    TestCardGateway.code: TestCardGateway(),
}


def get_provider(code: str) -> PaymentProvider:
    try:
        return PROVIDERS[code]
    except KeyError:
        raise PaymentError(_("Unknown payment method.")) from None


__all__ = [
    "PROVIDERS",
    "ChargeResult",
    "PaymentProvider",
    "RefundResult",
    "WebhookEvent",
    "get_provider",
]
