"""Price offers ("깎아줘"): a buyer offers a unit price in the 1:1 chat, the seller (or the
store's automatic rules) accepts, declines or counters; an accepted offer gives the buyer a
price lock (see chat.bot.locks) for 24 hours and one order.

Every step is one ``offer`` message in the buyer's 1:1 channel, written in the same
transaction as the state change (so nothing is half-done) and broadcast after commit.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chat.bot.models import LOCK_TTL, OFFER_TTL, Offer, PriceLock, StoreBot
from chat.bot.services.faq import store_bot
from chat.bot.services.faq import won as _won
from chat.models import Message
from chat.services.direct import channel_open_direct
from chat.services.messages import message_post
from marketplace.db import lock_own_rows
from shop.exceptions import ShopError
from shop.models import Goods, GoodsOption, StoreStaff
from shop.orders.exceptions import CartError
from shop.orders.services.cart import check_line, check_quantity
from shop.pricing import price_for


class OfferError(ShopError):
    code = "offer"


Status = Offer.Status
ACTIONS = ("accept", "decline", "counter")


def floor_price(bot: StoreBot, price: int) -> int:
    """The lowest unit price the store ever accepts automatically (never shown to buyers)."""
    return price - price * bot.max_discount_percent // 100


def accept_from(bot: StoreBot, price: int) -> int | None:
    if bot.auto_accept_percent is None:
        return None
    return max(price - price * bot.auto_accept_percent // 100, floor_price(bot, price))


def counter_price_for(bot: StoreBot, price: int) -> int | None:
    if bot.auto_counter_percent is None:
        return None
    return max(price - price * bot.auto_counter_percent // 100, floor_price(bot, price))


def parse_price(value) -> int:
    try:
        price = int(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        raise OfferError(_("Enter a price in won."), field="price") from None
    if price < 1:
        raise OfferError(_("Offer a price of at least 1 won."), field="price")
    return price


def _label(offer: Offer) -> str:
    name = offer.goods.name
    return f"{name} ({offer.option.name})" if offer.option_id else name


def _data(offer: Offer, step: str, by: str, price: int, lock: PriceLock | None = None) -> dict:
    return {
        "card": "offer",
        "offer": offer.pk,
        "step": step,
        "by": by,
        "status": offer.status,
        "goods": {
            "id": offer.goods_id,
            "name": offer.goods.name,
            "url": offer.goods.get_absolute_url(),
        },
        "option": offer.option.name if offer.option_id else "",
        "quantity": offer.quantity,
        "price": price,
        "asked_price": offer.asked_price,
        "buyer": offer.buyer_id,
        "expires_at": (lock.expires_at if lock else offer.expires_at).isoformat(),
        "lock": lock.pk if lock else None,
    }


def _post(offer: Offer, *, step: str, by: str, author, price: int, body: str, lock=None):
    message = message_post(
        channel=offer.channel,
        author=author,
        body=body,
        kind=Message.Kind.OFFER,
        data=_data(offer, step, by, price, lock),
    )
    offer.last_message_id = message.pk
    offer.save(update_fields=["last_message_id", "updated_at"])
    return message


def _is_staff(user, offer: Offer) -> bool:
    return StoreStaff.objects.filter(store_id=offer.store_id, user=user).exists()


# --- making an offer ------------------------------------------------------------------


def offer_make(*, buyer, goods: Goods, option: GoodsOption | None, quantity, price) -> Offer:
    """The buyer offers ``price`` won per piece; refused with a sentence when the store takes
    no offers, the goods cannot be bought, or the price is 0 or not below today's price."""
    store = goods.store
    bot = store_bot(store)
    if not bot.offers_enabled:
        raise OfferError(_("This store does not take price offers."))
    if StoreStaff.objects.filter(store=store, user=buyer).exists():
        raise OfferError(_("You run this store: buyers make offers to you."))
    try:
        quantity = check_quantity(quantity)
        check_line(user=buyer, goods=goods, option=option, quantity=quantity)
    except CartError as error:
        raise OfferError(error.message, field=error.field) from None
    price = parse_price(price)
    now_price = price_for(goods, option, user=buyer)
    if price >= now_price:
        raise OfferError(
            _("Offer less than today's price of %(price)s: at that price, just buy it.")
            % {"price": _won(now_price)},
            field="price",
        )
    waiting = Offer.objects.filter(
        buyer=buyer,
        goods=goods,
        option=option,
        status__in=(Status.OPEN, Status.COUNTERED),
        expires_at__gt=timezone.now(),
    )
    if waiting.exists():
        raise OfferError(_("You already have an offer on this item waiting for an answer."))
    channel = channel_open_direct(store=store, buyer=buyer)
    with transaction.atomic():
        offer = Offer.objects.create(
            store=store,
            goods=goods,
            option=option,
            buyer=buyer,
            channel=channel,
            quantity=quantity,
            asked_price=now_price,
            price=price,
            expires_at=timezone.now() + OFFER_TTL,
        )
        _post_offer(offer, author=buyer)
        _apply_rules(offer, bot)
    return offer


def _post_offer(offer: Offer, *, author) -> None:
    _post(
        offer,
        step="offer",
        by="buyer",
        author=author,
        price=offer.price,
        body=_("💰 Offer: %(goods)s × %(n)d at %(price)s each (price %(asked)s)")
        % {
            "goods": _label(offer),
            "n": offer.quantity,
            "price": _won(offer.price),
            "asked": _won(offer.asked_price),
        },
    )


def _apply_rules(offer: Offer, bot: StoreBot) -> None:
    """The store's automatic rules, in order: accept at or above X; below the floor,
    counter (when a counter discount is set) or decline (when set). Otherwise the seller
    decides."""
    asked = offer.asked_price
    accept_at = accept_from(bot, asked)
    floor = floor_price(bot, asked)
    if accept_at is not None and offer.price >= accept_at:
        _accept(offer, author=None, by="bot", price=offer.price)
        return
    if offer.price >= floor:
        return
    counter = counter_price_for(bot, asked)
    if counter is not None and offer.price < counter < asked:
        _counter(offer, author=None, by="bot", price=counter)
    elif bot.auto_decline:
        _decline(offer, author=None, by="bot", bot=bot)


# --- the steps --------------------------------------------------------------------------


def _accept(offer: Offer, *, author, by: str, price: int) -> PriceLock:
    offer.status = Status.ACCEPTED
    offer.agreed_price = price
    offer.save(update_fields=["status", "agreed_price", "updated_at"])
    lock = PriceLock.objects.create(
        kind=PriceLock.Kind.OFFER,
        offer=offer,
        buyer=offer.buyer,
        goods=offer.goods,
        option=offer.option,
        quantity=offer.quantity,
        unit_price=price,
        expires_at=timezone.now() + LOCK_TTL,
    )
    _post(
        offer,
        step="accept",
        by=by,
        author=author,
        price=price,
        lock=lock,
        body=_("✅ Offer accepted: %(goods)s × %(n)d at %(price)s each. Buy by %(until)s.")
        % {
            "goods": _label(offer),
            "n": offer.quantity,
            "price": _won(price),
            "until": date_format(timezone.localtime(lock.expires_at), "SHORT_DATETIME_FORMAT"),
        },
    )
    return lock


def _counter(offer: Offer, *, author, by: str, price: int) -> None:
    offer.status = Status.COUNTERED
    offer.counter_price = price
    offer.expires_at = timezone.now() + OFFER_TTL
    offer.save(update_fields=["status", "counter_price", "expires_at", "updated_at"])
    _post(
        offer,
        step="counter",
        by=by,
        author=author,
        price=price,
        body=_("↩️ Counter-offer: %(goods)s × %(n)d at %(price)s each")
        % {"goods": _label(offer), "n": offer.quantity, "price": _won(price)},
    )


def _decline(offer: Offer, *, author, by: str, bot: StoreBot | None = None) -> None:
    offer.status = Status.DECLINED
    offer.save(update_fields=["status", "updated_at"])
    _post(
        offer,
        step="decline",
        by=by,
        author=author,
        price=offer.counter_price or offer.price,
        body=_("❌ Offer declined: %(goods)s × %(n)d")
        % {"goods": _label(offer), "n": offer.quantity},
    )
    if by == "bot" and bot is not None and bot.reward_percent:
        _reward(offer, bot)


def _reward(offer: Offer, bot: StoreBot) -> None:
    """The consolation coupon: a one-time price lock at ``reward_percent`` off."""
    price = offer.asked_price - offer.asked_price * bot.reward_percent // 100
    if price >= offer.asked_price or price < 1:
        return
    lock = PriceLock.objects.create(
        kind=PriceLock.Kind.REWARD,
        offer=offer,
        buyer=offer.buyer,
        goods=offer.goods,
        option=offer.option,
        quantity=offer.quantity,
        unit_price=price,
        expires_at=timezone.now() + LOCK_TTL,
    )
    message = message_post(
        channel=offer.channel,
        author=None,
        body=_(
            "🎁 Not that low, but here is %(pct)d%% off for you: %(goods)s at %(price)s "
            "each, once, for 24 hours."
        )
        % {"pct": bot.reward_percent, "goods": _label(offer), "price": _won(price)},
        kind=Message.Kind.OFFER,
        data=_data(offer, "reward", "bot", price, lock),
    )
    offer.last_message_id = message.pk
    offer.save(update_fields=["last_message_id", "updated_at"])


def _expire(offer: Offer) -> None:
    offer.status = Status.EXPIRED
    offer.save(update_fields=["status", "updated_at"])
    _post(
        offer,
        step="expire",
        by="bot",
        author=None,
        price=offer.counter_price or offer.price,
        body=_("⌛ Offer expired without an answer: %(goods)s × %(n)d")
        % {"goods": _label(offer), "n": offer.quantity},
    )


# --- answering -------------------------------------------------------------------------


def offer_expire_due(*, now=None, store=None, offer_id: int | None = None) -> int:
    """Expire open/countered offers whose time is up, each with a message in its chat.
    Returns how many expired (a second run finds nothing)."""
    now = now or timezone.now()
    qs = Offer.objects.filter(status__in=(Status.OPEN, Status.COUNTERED), expires_at__lte=now)
    if store is not None:
        qs = qs.filter(store=store)
    if offer_id is not None:
        qs = qs.filter(pk=offer_id)
    done = 0
    for pk in qs.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            offer = (
                lock_own_rows(Offer.objects.select_related("goods", "option", "channel"))
                .filter(pk=pk, status__in=(Status.OPEN, Status.COUNTERED), expires_at__lte=now)
                .first()
            )
            if offer is None:
                continue
            _expire(offer)
            done += 1
    return done


def offer_act(*, offer_id: int, actor, action: str, price=None) -> Offer:
    """The seller answers an open offer, or the buyer answers a counter-offer: ``accept``,
    ``decline`` or ``counter`` (with ``price``)."""
    if action not in ACTIONS:
        raise OfferError(_("Choose accept, decline or counter."))
    offer_expire_due(offer_id=offer_id)
    with transaction.atomic():
        offer = (
            lock_own_rows(
                Offer.objects.select_related("goods__store", "option", "channel", "buyer")
            )
            .filter(pk=offer_id)
            .first()
        )
        if offer is None or not (offer.buyer_id == actor.pk or _is_staff(actor, offer)):
            raise OfferError(_("There is no such offer."))
        if not offer.is_live:
            raise OfferError(
                _("This offer is closed: %(status)s.") % {"status": offer.get_status_display()}
            )
        seller_turn = offer.status == Status.OPEN
        is_buyer = offer.buyer_id == actor.pk
        if seller_turn == is_buyer:
            raise OfferError(_("The other side has to answer this offer first."))
        if action == "accept":
            from shop.orders.services.cart import is_buyable

            if not is_buyable(offer.goods):
                raise OfferError(
                    _("“%(name)s” is not on sale any more.") % {"name": offer.goods.name}
                )
            _accept(
                offer,
                author=actor,
                by="buyer" if is_buyer else "seller",
                price=offer.counter_price if is_buyer else offer.price,
            )
        elif action == "decline":
            _decline(offer, author=actor, by="buyer" if is_buyer else "seller")
        else:
            new_price = parse_price(price)
            if new_price >= offer.asked_price:
                raise OfferError(
                    _("A counter-offer must be below the price of %(price)s.")
                    % {"price": _won(offer.asked_price)},
                    field="price",
                )
            if is_buyer:
                if new_price >= offer.counter_price:
                    raise OfferError(
                        _("Offer less than the seller's %(price)s, or accept it.")
                        % {"price": _won(offer.counter_price)},
                        field="price",
                    )
                offer.status = Status.OPEN
                offer.price = new_price
                offer.counter_price = None
                offer.expires_at = timezone.now() + OFFER_TTL
                offer.save(
                    update_fields=["status", "price", "counter_price", "expires_at", "updated_at"]
                )
                _post_offer(offer, author=actor)
                _apply_rules(offer, store_bot(offer.store))
            else:
                if new_price <= offer.price:
                    raise OfferError(
                        _("Counter above the buyer's %(price)s, or accept the offer.")
                        % {"price": _won(offer.price)},
                        field="price",
                    )
                _counter(offer, author=actor, by="seller", price=new_price)
    offer.refresh_from_db()
    return offer
