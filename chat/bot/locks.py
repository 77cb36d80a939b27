"""Price locks at checkout: the two calls shop.orders.services.checkout makes.

- ``price_locks_for(user, items)``: for each cart line, the buyer's valid lock on that goods
  and option covering its quantity (the lowest price first). ``quote_for`` prices the line at
  the lock's price when it is below today's price.
- ``price_locks_use(order=, lines=)``: inside the order transaction, after the locks were
  taken with ``for_update=True``: marks each applied lock used by this order. A lock already
  used (another checkout won the row lock) refuses the order.

And the buy button: ``price_lock_buy`` checks the lock and puts exactly its line in the cart.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chat.bot.models import PriceLock
from chat.bot.services.offers import OfferError
from marketplace.db import lock_own_rows
from shop.orders.exceptions import CartError, CheckoutChanged
from shop.orders.models import CartItem
from shop.orders.services.cart import check_line


def price_locks_for(user, items, *, for_update: bool = False) -> dict[int, PriceLock]:
    """{cart item id: the valid lock that prices it}."""
    if user is None or not getattr(user, "is_authenticated", False) or not items:
        return {}
    qs = PriceLock.objects.filter(
        buyer=user,
        goods_id__in={item.goods_id for item in items},
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).order_by("unit_price", "id")
    if for_update:
        qs = qs.select_for_update()
    locks = list(qs)
    result: dict[int, PriceLock] = {}
    taken: set[int] = set()
    for item in items:
        for lock in locks:
            if (
                lock.pk not in taken
                and lock.goods_id == item.goods_id
                and lock.option_id == item.option_id
                and lock.quantity >= item.quantity
            ):
                result[item.pk] = lock
                taken.add(lock.pk)
                break
    return result


def price_locks_use(*, order, lines) -> int:
    """Mark the locks applied to ``lines`` (QuoteLine.price_lock) used by ``order``."""
    used = 0
    now = timezone.now()
    for line in lines:
        lock = getattr(line, "price_lock", None)
        if lock is None:
            continue
        if not PriceLock.objects.filter(pk=lock.pk, used_at__isnull=True).update(
            used_at=now, order=order
        ):
            raise CheckoutChanged(_("That agreed price was already used: check the summary."))
        used += 1
    return used


def price_lock_buy(*, user, lock_id: int) -> PriceLock:
    """The buy button: refuse another buyer's, a used or an expired lock with a sentence;
    otherwise put the lock's goods line in the cart at exactly the lock's quantity."""
    with transaction.atomic():
        lock = (
            lock_own_rows(PriceLock.objects.select_related("goods__store", "option", "offer"))
            .filter(pk=lock_id)
            .first()
        )
        if lock is None or lock.buyer_id != user.pk:
            raise OfferError(_("This agreed price is not yours."))
        if lock.used_at is not None:
            raise OfferError(_("This agreed price was already used for an order."))
        if lock.expires_at <= timezone.now():
            raise OfferError(
                _("This agreed price expired at %(when)s.")
                % {
                    "when": date_format(
                        timezone.localtime(lock.expires_at), "SHORT_DATETIME_FORMAT"
                    )
                }
            )
        try:
            check_line(user=user, goods=lock.goods, option=lock.option, quantity=lock.quantity)
        except CartError as error:
            raise OfferError(error.message) from None
        item = (
            CartItem.objects.select_for_update()
            .filter(user=user, goods=lock.goods, option=lock.option)
            .order_by("id")
            .first()
        )
        if item is None:
            CartItem.objects.create(
                user=user, goods=lock.goods, option=lock.option, quantity=lock.quantity
            )
        elif item.quantity != lock.quantity:
            item.quantity = lock.quantity
            item.save(update_fields=["quantity"])
    return lock
