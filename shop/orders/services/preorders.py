"""Pre-order (예약 판매) caps: until its release date a pre-order goods item sells at most
``preorder_cap`` pieces, counted over every order that is not cancelled.

Checkout calls ``check_preorder_caps`` while it holds the goods rows locked
(``select_for_update`` in ``checkout._place``): concurrent checkouts of the same goods run one
after the other, and each one counts the pieces the others committed (READ COMMITTED on MySQL /
MariaDB, Django's default there; SQLite writes one at a time), so together they never exceed
the cap.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.models import Goods
from shop.orders.exceptions import SoldOut
from shop.orders.models import OrderLine, OrderStatus


def preorder_open(goods: Goods, today: date | None = None) -> bool:
    """A capped pre-order still before its release date (Asia/Seoul)."""
    today = today or timezone.localdate()
    return bool(
        goods.is_preorder
        and goods.preorder_cap
        and goods.release_date is not None
        and today < goods.release_date
    )


def preorder_taken(goods: Goods) -> int:
    """Pieces of ``goods`` in orders that are not cancelled (every option together)."""
    taken = (
        OrderLine.objects.filter(goods=goods)
        .exclude(order__status=OrderStatus.CANCELLED)
        .aggregate(n=Sum("quantity"))["n"]
    )
    return taken or 0


def preorder_left(goods: Goods) -> int | None:
    """Pieces still open to pre-order, or None when no cap applies now."""
    if not preorder_open(goods):
        return None
    return max(0, goods.preorder_cap - preorder_taken(goods))


def check_preorder_caps(items) -> None:
    """Refuse a checkout whose cart lines (``item.goods`` locked, ``item.quantity``) would take
    a capped pre-order beyond its cap, with one sentence naming the goods and what is left."""
    wanted: Counter[int] = Counter()
    goods_of: dict[int, Goods] = {}
    for item in items:
        wanted[item.goods.pk] += item.quantity
        goods_of[item.goods.pk] = item.goods
    for pk, quantity in wanted.items():
        left = preorder_left(goods_of[pk])
        if left is None or quantity <= left:
            continue
        name = goods_of[pk].name
        if left == 0:
            raise SoldOut(_("Sorry, the pre-orders of “%(name)s” are full.") % {"name": name})
        raise SoldOut(
            _("Only %(n)d pre-order pieces of “%(name)s” left: change the quantity in your cart.")
            % {"n": left, "name": name}
        )
