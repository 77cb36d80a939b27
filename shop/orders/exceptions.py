"""Typed order errors; ``str(error)`` is a sentence for the person who asked."""

from __future__ import annotations

from shop.exceptions import BadTransition, ShopError


class OrderError(ShopError):
    code = "order"


class CartError(OrderError):
    code = "cart"


class SoldOut(OrderError):
    code = "sold_out"


class CheckoutChanged(OrderError):
    """Prices, stock or the total changed since the buyer saw the summary."""

    code = "changed"


class PaymentError(OrderError):
    code = "payment"


class WebhookRejected(OrderError):
    code = "webhook"


__all__ = [
    "BadTransition",
    "CartError",
    "CheckoutChanged",
    "OrderError",
    "PaymentError",
    "ShopError",
    "SoldOut",
    "WebhookRejected",
]
