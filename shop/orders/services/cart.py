"""The buyer's cart: add with an option and a quantity, change, remove. Prices are never
stored here; pages and checkout ask ``shop.pricing.price_for`` every time."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.db import lock_own_rows
from shop.access import can_see_member_content
from shop.models import Goods, GoodsOption, Store
from shop.orders.exceptions import CartError
from shop.orders.models import MAX_QUANTITY, CartItem


def stock_of(goods: Goods, option: GoodsOption | None) -> int:
    return option.stock if option is not None else goods.stock


def is_buyable(goods: Goods) -> bool:
    return (
        goods.deleted_at is None
        and goods.status != Goods.Status.HIDDEN
        and goods.store.status == Store.Status.ACTIVE
    )


def check_quantity(quantity) -> int:
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise CartError(_("Enter a quantity between 1 and %(n)d.") % {"n": MAX_QUANTITY}) from None
    if quantity < 1 or quantity > MAX_QUANTITY:
        raise CartError(
            _("Enter a quantity between 1 and %(n)d.") % {"n": MAX_QUANTITY}, field="quantity"
        )
    return quantity


def check_line(*, user, goods: Goods, option: GoodsOption | None, quantity: int) -> None:
    """Refuse goods that cannot be bought in this quantity, with a sentence saying why."""
    if not is_buyable(goods) or not can_see_member_content(user, goods.store):
        raise CartError(_("“%(name)s” is not on sale.") % {"name": goods.name})
    has_options = goods.options.exists()
    if has_options and option is None:
        raise CartError(_("Choose an option of “%(name)s”.") % {"name": goods.name}, field="option")
    if option is not None and option.goods_id != goods.pk:
        raise CartError(_("That option does not belong to “%(name)s”.") % {"name": goods.name})
    if not has_options and option is not None:
        raise CartError(_("That option does not belong to “%(name)s”.") % {"name": goods.name})
    stock = stock_of(goods, option)
    label = f"{goods.name} ({option.name})" if option else goods.name
    if stock == 0:
        raise CartError(_("“%(name)s” is sold out.") % {"name": label}, field="quantity")
    if quantity > stock:
        raise CartError(
            _("Only %(n)d of “%(name)s” left.") % {"n": stock, "name": label}, field="quantity"
        )


@transaction.atomic
def cart_add(*, user, goods: Goods, option: GoodsOption | None = None, quantity) -> CartItem:
    """Put ``quantity`` pieces in the cart (added to what is there already)."""
    quantity = check_quantity(quantity)
    item = (
        CartItem.objects.select_for_update()
        .filter(user=user, goods=goods, option=option)
        .order_by("id")
        .first()
    )
    total = quantity + (item.quantity if item else 0)
    if total > MAX_QUANTITY:
        raise CartError(
            _("At most %(n)d pieces of one item fit in the cart.") % {"n": MAX_QUANTITY},
            field="quantity",
        )
    check_line(user=user, goods=goods, option=option, quantity=total)
    if item is None:
        return CartItem.objects.create(user=user, goods=goods, option=option, quantity=total)
    item.quantity = total
    item.save(update_fields=["quantity"])
    return item


def _own_item(user, item_id) -> CartItem:
    item = (
        lock_own_rows(CartItem.objects.select_related("goods__store", "option"))
        .filter(user=user, pk=item_id)
        .first()
    )
    if item is None:
        raise CartError(_("That item is no longer in your cart."))
    return item


@transaction.atomic
def cart_update(*, user, item_id: int, quantity) -> CartItem:
    quantity = check_quantity(quantity)
    item = _own_item(user, item_id)
    check_line(user=user, goods=item.goods, option=item.option, quantity=quantity)
    item.quantity = quantity
    item.save(update_fields=["quantity"])
    return item


@transaction.atomic
def cart_remove(*, user, item_id: int) -> None:
    _own_item(user, item_id).delete()
