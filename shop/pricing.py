"""THE price function. Every page, product card, cart and order asks here, never ``goods.price``.

Promotions (issue 5, point 6) plug in here: ``price_for`` will apply the best active promotion
the user may use. Money is integer won, VAT included.
"""

from __future__ import annotations

from shop.models import Goods, GoodsOption

MIN_PRICE_WON = 1


def price_for(goods: Goods, option: GoodsOption | None = None, user=None) -> int:
    """What ``user`` pays for one piece of ``goods`` (with ``option``), in won, VAT included.

    ``user`` is unused until promotions arrive (members-only and grade-limited promotions);
    pass it anyway so callers need no change then.
    """
    price = goods.price
    if option is not None:
        if option.goods_id != goods.pk:
            raise ValueError("The option belongs to other goods.")
        price += option.price_delta
    return max(price, MIN_PRICE_WON)


def vat_of(total: int) -> int:
    """The VAT inside a VAT-included amount: round(total × 10 / 110), in integer arithmetic."""
    return (total * 10 + 55) // 110
