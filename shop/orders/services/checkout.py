"""Checkout: the quote the buyer sees, and placing the order in ONE transaction.

Everything is recomputed on the server: a price or total sent by the form is never used;
a posted ``expected_total`` that differs from the server's total refuses the order (the buyer
sees the new summary), so a changed price never surprises anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.bot.locks import price_locks_for, price_locks_use
from shop.loyalty.checkout import Choice, benefits_hold, benefits_quote, benefits_record
from shop.models import Goods, GoodsOption, Store
from shop.orders.exceptions import CartError, CheckoutChanged, OrderError, SoldOut
from shop.orders.models import (
    Address,
    CartItem,
    Order,
    OrderDaySequence,
    OrderLine,
    Payment,
    PaymentMethod,
)
from shop.orders.payments import get_provider
from shop.orders.services.addresses import ADDRESS_FIELDS
from shop.orders.services.cart import check_line, is_buyable, stock_of
from shop.orders.services.orders import order_record_placed
from shop.orders.services.payments import new_idempotency_key
from shop.orders.services.preorders import check_preorder_caps
from shop.orders.shipping import ShippingFee, island_of, shipping_fee_for
from shop.pricing import price_for, vat_of


@dataclass
class QuoteLine:
    item: CartItem
    goods: Goods
    option: GoodsOption | None
    quantity: int
    unit_price: int
    problem: str = ""
    price_lock: object = None  # chat.bot PriceLock: an agreed (offer) price for this buyer

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity


@dataclass
class Quote:
    store: Store
    lines: list[QuoteLine]
    subtotal: int
    shipping: ShippingFee
    postcode: str = ""
    problems: list[str] = field(default_factory=list)
    discount: int = 0  # grade + coupon + mileage (shop.loyalty.checkout)
    benefits: object = None

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping.total - self.discount

    @property
    def vat(self) -> int:
        return vat_of(self.total)

    @property
    def island(self):
        return island_of(self.postcode)

    @property
    def ok(self) -> bool:
        return bool(self.lines) and not self.problems


def _line_problem(user, goods: Goods, option: GoodsOption | None, quantity: int) -> str:
    try:
        check_line(user=user, goods=goods, option=option, quantity=quantity)
    except CartError as error:
        return error.message
    return ""


def quote_for(
    *,
    user,
    store: Store,
    postcode: str = "",
    items: list[CartItem] | None = None,
    benefits: Choice | None = None,
    only: int | None = None,
) -> Quote:
    """The buyer's cart lines of ``store`` priced now (``price_for``), with shipping; with
    ``only`` (a cart item id: "buy now"), that one line."""
    if items is None:
        items = list(
            _cart_lines(CartItem.objects.all(), user, store, only)
            .select_related("goods__store", "option")
            .order_by("added_at", "id")
        )
    lines = []
    locks = price_locks_for(user, items)
    for item in items:
        unit = price_for(item.goods, item.option, user=user)
        lock = locks.get(item.pk)
        lock = lock if lock is not None and lock.unit_price < unit else None
        unit = lock.unit_price if lock is not None else unit
        problem = _line_problem(user, item.goods, item.option, item.quantity)
        lines.append(QuoteLine(item, item.goods, item.option, item.quantity, unit, problem, lock))
    subtotal = sum(line.line_total for line in lines if not line.problem)
    quote = Quote(
        store=store,
        lines=lines,
        subtotal=subtotal,
        shipping=shipping_fee_for(store, subtotal, postcode) if subtotal else ShippingFee(0, 0),
        postcode=postcode,
        problems=[line.problem for line in lines if line.problem],
    )
    quote.benefits = benefits_quote(
        user=user, store=store, subtotal=subtotal, payable=quote.total, choice=benefits
    )
    quote.discount = quote.benefits.total
    return quote


def order_number_day(now=None) -> date:
    return timezone.localdate(now or timezone.now())


def ensure_day_sequence(day: date) -> None:
    """Create the day's counter row in its own transaction, so that concurrent checkouts
    only ever lock an existing row (no insert races inside the order transaction)."""
    if OrderDaySequence.objects.filter(day=day).exists():
        return
    try:
        with transaction.atomic():
            OrderDaySequence.objects.create(day=day, last=0)
    except IntegrityError:
        pass


def next_order_number(day: date) -> str:
    """``YYYYMMDD-NNNNNN``, the day's next number (call inside a transaction)."""
    seq = OrderDaySequence.objects.select_for_update().get(day=day)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{day:%Y%m%d}-{seq.last:06d}"


def clean_shipping_address(fields: dict) -> dict:
    address = Address(**{k: (fields.get(k) or "").strip() for k in ADDRESS_FIELDS})
    try:
        address.full_clean(exclude=["user"])
    except Exception as error:  # ValidationError: one sentence per field
        messages = getattr(error, "message_dict", {})
        first = next(iter(messages.values()), [_("Check the shipping address.")])[0]
        raise OrderError(first, field="address") from None
    return {k: getattr(address, k) for k in ADDRESS_FIELDS}


def order_place(
    *,
    buyer,
    store: Store,
    shipping: dict,
    payment_method: str,
    expected_total: int | None = None,
    from_channel_id: int | None = None,
    from_message_id: int | None = None,
    benefits: Choice | None = None,
    only: int | None = None,
) -> Order:
    """Place the buyer's cart lines of ``store`` (or only the cart item ``only``: "buy now")
    as one order (see module docstring)."""
    if payment_method not in PaymentMethod.values:
        raise OrderError(_("Choose a payment method."), field="payment_method")
    address = clean_shipping_address(shipping)
    day = order_number_day()
    ensure_day_sequence(day)
    with transaction.atomic():
        return _place(
            buyer=buyer,
            store=store,
            address=address,
            payment_method=payment_method,
            expected_total=expected_total,
            day=day,
            from_channel_id=from_channel_id,
            from_message_id=from_message_id,
            benefits=benefits,
            only=only,
        )


def _cart_lines(queryset, user, store: Store, only: int | None):
    queryset = queryset.filter(user=user, goods__store=store)
    return queryset.filter(pk=only) if only is not None else queryset


def _place(
    *,
    buyer,
    store: Store,
    address: dict,
    payment_method: str,
    expected_total: int | None,
    day: date,
    from_channel_id,
    from_message_id,
    benefits: Choice | None = None,
    only: int | None = None,
) -> Order:
    from shop.services.goods import goods_refresh_status

    items = list(
        _cart_lines(CartItem.objects.select_for_update(), buyer, store, only).order_by("id")
    )
    if not items:
        raise CartError(_("Your cart has nothing from this store."))
    # Lock stock rows in one order (goods, then options, by id): no deadlocks between buyers.
    goods = {
        g.pk: g
        for g in Goods.objects.select_for_update()
        .select_related("store")
        .filter(pk__in=sorted({i.goods_id for i in items}))
        .order_by("pk")
    }
    option_ids = sorted({i.option_id for i in items if i.option_id})
    options = {
        o.pk: o
        for o in GoodsOption.objects.select_for_update().filter(pk__in=option_ids).order_by("pk")
    }
    for item in items:
        item.goods = goods[item.goods_id]
        item.option = options.get(item.option_id) if item.option_id else None
        if not is_buyable(item.goods):
            raise CheckoutChanged(
                _("“%(name)s” is no longer on sale: remove it from your cart.")
                % {"name": item.goods.name}
            )
        stock = stock_of(item.goods, item.option)
        label = f"{item.goods.name} ({item.option.name})" if item.option else item.goods.name
        if stock == 0:
            raise SoldOut(_("Sorry, “%(name)s” is sold out.") % {"name": label})
        if item.quantity > stock:
            raise SoldOut(
                _("Only %(n)d of “%(name)s” left: change the quantity in your cart.")
                % {"n": stock, "name": label}
            )
    price_locks_for(buyer, items, for_update=True)  # row-lock agreed prices until commit
    check_preorder_caps(items)  # under the goods locks above
    quote = quote_for(user=buyer, store=store, postcode=address["postcode"], items=items)
    if quote.problems:
        raise CheckoutChanged(quote.problems[0])
    held = benefits_hold(
        user=buyer,
        store=store,
        subtotal=quote.subtotal,
        payable=quote.subtotal + quote.shipping.total,
        choice=benefits,
    )
    quote.discount = held.total
    if expected_total is not None and expected_total != quote.total:
        raise CheckoutChanged(
            _(
                "The total is now %(now)s won, not %(then)s won: check the summary and "
                "place the order again."
            )
            % {"now": f"{quote.total:,}", "then": f"{expected_total:,}"}
        )
    # Reserve stock.
    for item in items:
        if item.option is not None:
            GoodsOption.objects.filter(pk=item.option.pk).update(stock=F("stock") - item.quantity)
        else:
            Goods.objects.filter(pk=item.goods.pk).update(stock=F("stock") - item.quantity)
    order = Order(
        number=next_order_number(day),
        buyer=buyer,
        store=store,
        payment_method=payment_method,
        subtotal=quote.subtotal,
        shipping_fee=quote.shipping.base,
        island_fee=quote.shipping.island,
        discount=quote.discount,
        total=quote.total,
        from_channel_id=_existing_channel(from_channel_id),
        from_message_id=_existing_message(from_message_id, from_channel_id),
        **address,
    )
    get_provider(payment_method).prepare(order=order)
    order.save()
    benefits_record(order=order, benefits=held)
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                goods=line.goods,
                option=line.option,
                goods_name=line.goods.name,
                option_name=line.option.name if line.option else "",
                unit_price=line.unit_price,
                quantity=line.quantity,
                line_total=line.line_total,
            )
            for line in quote.lines
        ]
    )
    price_locks_use(order=order, lines=quote.lines)
    Payment.objects.create(
        order=order,
        provider=payment_method,
        amount=order.total,
        idempotency_key=new_idempotency_key(),
    )
    order_record_placed(order=order, actor=buyer)
    CartItem.objects.filter(pk__in=[i.pk for i in items]).delete()
    for item in goods.values():
        item.refresh_from_db()
        goods_refresh_status(goods=item)
    return order


def _existing_channel(channel_id) -> int | None:
    from chat.models import Channel

    if not channel_id:
        return None
    return Channel.objects.filter(pk=channel_id).values_list("pk", flat=True).first()


def _existing_message(message_id, channel_id) -> int | None:
    from chat.models import Message

    if not message_id or not channel_id:
        return None
    return (
        Message.objects.filter(pk=message_id, channel_id=channel_id)
        .values_list("pk", flat=True)
        .first()
    )
