"""Loyalty errors: one sentence for the person, and the form field it belongs to."""

from __future__ import annotations

from shop.exceptions import ShopError


class LoyaltyError(ShopError):
    """Refused loyalty action (bad coupon, not enough mileage, …)."""
