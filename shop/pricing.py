"""THE price function. Every page, product card, cart and order asks here, never ``goods.price``.

The rule (issue 5, point 6):

1. The base price is ``goods.price`` plus the option's price difference (never below 1 won).
2. Discount promotions of the goods' store apply when they are *running* at ``now``: started
   (``starts_at <= now``, inclusive), not over (``now < ends_at``, exclusive) and not ended early
   by the seller. They cover the goods when they are store-wide or list the goods.
   A members-only promotion applies only to members (and staff) of the store; a promotion
   limited to a grade only to customers of that grade or above (``shop.loyalty``).
3. Discounts do not stack: the best single one wins (the lowest resulting price; among equal
   prices the promotion created first). Percent discounts take ``base × percent // 100`` won off
   (the discount is rounded down to the whole won); fixed discounts take the amount off. At
   least 1 won is always left.
4. Group buys do not change the shown price: their group price is recorded on each buyer's
   commitment when the group buy succeeds (``GroupBuyCommitment.price``).

Money is integer won, VAT included. Times are compared in UTC (they are entered in Asia/Seoul).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from shop.models import Goods, GoodsOption, Promotion

MIN_PRICE_WON = 1


@dataclass(frozen=True)
class PriceQuote:
    """A price with its story: what is paid, the price before promotions, and why."""

    price: int
    base: int
    promotion: Promotion | None = None

    @property
    def discounted(self) -> bool:
        return self.price < self.base

    @property
    def off_percent(self) -> int:
        if not self.discounted:
            return 0
        return (self.base - self.price) * 100 // self.base


@dataclass
class PriceBook:
    """Caches the running discounts per store and the user's store memberships, so a page of
    goods tiles costs one promotions query per store, not one per goods item."""

    user: object = None
    now: datetime | None = None
    _discounts: dict[int, list[tuple[Promotion, set[int]]]] = field(default_factory=dict)
    member_ids: set[int] | None = None  # stores whose members-only offers apply (lazy)
    _grade_ranks: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.now is None:
            self.now = timezone.now()

    def is_member(self, store_id: int) -> bool:
        if self.member_ids is None:
            from shop.access import member_store_ids

            self.member_ids = member_store_ids(self.user)
        return store_id in self.member_ids

    def grade_rank(self, store_id: int) -> int:
        """The user's grade rank at the store (-1: none), for grade-limited promotions."""
        if store_id not in self._grade_ranks:
            from shop.loyalty.services.grades import grade_rank_of

            self._grade_ranks[store_id] = grade_rank_of(self.user, store_id)
        return self._grade_ranks[store_id]

    def discounts(self, store_id: int) -> list[tuple[Promotion, set[int]]]:
        if store_id not in self._discounts:
            running = (
                Promotion.objects.filter(
                    store_id=store_id,
                    kind=Promotion.Kind.DISCOUNT,
                    ended_at__isnull=True,
                    starts_at__lte=self.now,
                    ends_at__gt=self.now,
                )
                .filter(Q(store_wide=True) | Q(goods__isnull=False))
                .distinct()
                .order_by("created_at", "id")
                .select_related("grade")
                .prefetch_related("goods")
            )
            self._discounts[store_id] = [(p, {g.pk for g in p.goods.all()}) for p in running]
        return self._discounts[store_id]


def base_price(goods: Goods, option: GoodsOption | None = None) -> int:
    price = goods.price
    if option is not None:
        if option.goods_id != goods.pk:
            raise ValueError("The option belongs to other goods.")
        price += option.price_delta
    return max(price, MIN_PRICE_WON)


def price_quote(
    goods: Goods,
    option: GoodsOption | None = None,
    user=None,
    *,
    now: datetime | None = None,
    book: PriceBook | None = None,
) -> PriceQuote:
    """The price ``user`` pays for one piece of ``goods`` (with ``option``) at ``now``."""
    base = base_price(goods, option)
    book = book or PriceBook(user=user, now=now)
    best: tuple[int, Promotion] | None = None
    for promotion, goods_ids in book.discounts(goods.store_id):
        if not promotion.store_wide and goods.pk not in goods_ids:
            continue
        if promotion.members_only and not book.is_member(goods.store_id):
            continue
        if promotion.grade_id and book.grade_rank(goods.store_id) < promotion.grade.rank:
            continue
        price = base - promotion.discount_on(base)
        if best is None or price < best[0]:
            best = (price, promotion)
    if best is None:
        return PriceQuote(price=base, base=base)
    return PriceQuote(price=max(best[0], MIN_PRICE_WON), base=base, promotion=best[1])


def price_for(
    goods: Goods,
    option: GoodsOption | None = None,
    user=None,
    *,
    now: datetime | None = None,
    book: PriceBook | None = None,
) -> int:
    """What ``user`` pays for one piece of ``goods`` (with ``option``), in won, VAT included,
    with the best running discount promotion applied (see the module's rule)."""
    return price_quote(goods, option, user, now=now, book=book).price


def group_buy_price_for(goods: Goods, user) -> int | None:
    """The group price ``user`` secured for ``goods`` in a group buy that succeeded (the
    lowest, if several), or None. Orders charge it instead of ``price_for`` when it is lower."""
    if user is None or not user.is_authenticated:
        return None
    from shop.models import GroupBuyCommitment

    prices = GroupBuyCommitment.objects.filter(
        user=user,
        state=GroupBuyCommitment.State.CONFIRMED,
        promotion__goods=goods,
        price__isnull=False,
    ).values_list("price", flat=True)
    return min(prices, default=None)


def vat_of(total: int) -> int:
    """The VAT inside a VAT-included amount: round(total × 10 / 110), in integer arithmetic."""
    return (total * 10 + 55) // 110
