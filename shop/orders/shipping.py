"""Shipping fee of one store's order, from the store's delivery settings.

Rule (documented in docs/payments.md):
- base fee = ``store.shipping_fee``, or 0 when the goods total reaches
  ``store.free_shipping_threshold`` (empty threshold: never free);
- plus ``store.island_extra_fee`` when the postcode is on Jeju or another island
  (``ISLAND_POSTCODE_RANGES``), even when the base fee is free: the extra leg by ship costs
  the store the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from shop.models import Store

# (first, last, name): 5-digit postcodes (국가기초구역번호), inclusive.
ISLAND_POSTCODE_RANGES: tuple[tuple[int, int, object], ...] = (
    (63000, 63644, _("Jeju")),
    (40200, 40240, _("Ulleungdo")),
)


def island_of(postcode: str | None):
    """The island's name when the postcode is on Jeju or another island, else None."""
    if not postcode or len(postcode) != 5 or not postcode.isdigit():
        return None
    number = int(postcode)
    for first, last, name in ISLAND_POSTCODE_RANGES:
        if first <= number <= last:
            return name
    return None


@dataclass(frozen=True)
class ShippingFee:
    base: int
    island: int

    @property
    def total(self) -> int:
        return self.base + self.island


def shipping_fee_for(store: Store, subtotal: int, postcode: str | None = None) -> ShippingFee:
    """What shipping costs for ``subtotal`` won of this store's goods to ``postcode``."""
    threshold = store.free_shipping_threshold
    free = threshold is not None and subtotal >= threshold
    base = 0 if free else store.shipping_fee
    island = store.island_extra_fee if island_of(postcode) is not None else 0
    return ShippingFee(base=base, island=island)
