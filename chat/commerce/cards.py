"""What product and order cards show, as plain dicts: the server template
(templates/chat/_card_*.html) and static/js/talk.js render the same dict the same way.

- A product card's stored ``Message.data`` is ``goods_card_data`` at posting time; for a closed
  store it carries no price and no options (``members_only``). ``product_card_for`` is the card
  for one viewer, from the goods as they are now: price and options only for those who may see
  them (``shop.access.can_see_member_content``). Pages render it; the pane fetches it
  (``GET /talk/messages/<id>/card/``) for ``members_only`` cards that arrive live.
- An order card's ``Message.data`` is ``order_card_data`` of the order, rewritten on every
  change (``chat.commerce.services.order_card_refresh``); pages render it from the order.
"""

from __future__ import annotations

from django.urls import reverse

from chat.models import Channel, Membership, Message
from shop.models import Goods, StoreStaff

MAX_LINES = 3


class CardReader:
    """One viewer's cards on one page: the goods of every product card in one query (with
    images and options), prices through one ``PriceBook`` (one promotions query per store),
    the viewer's member stores once, and order cards with their orders, lines and claims."""

    def __init__(self, user) -> None:
        from shop.pricing import PriceBook

        self.user = user if user is not None and user.is_authenticated else None
        self.book = PriceBook(user=self.user)
        self.goods: dict[int, Goods | None] = {}
        self.orders: dict[int, object] = {}

    def load(self, messages) -> None:
        """Fetch what the cards among ``messages`` need, in a few queries."""
        goods_ids = {
            m.data.get("goods_id")
            for m in messages
            if m.kind == Message.Kind.PRODUCT_CARD and isinstance(m.data, dict)
        } - set(self.goods)
        goods_ids.discard(None)
        if goods_ids:
            found = {
                g.pk: g
                for g in Goods.objects.select_related("store")
                .prefetch_related("images", "options")
                .filter(pk__in=goods_ids, deleted_at__isnull=True)
                .exclude(status=Goods.Status.HIDDEN)
            }
            for goods_id in goods_ids:
                self.goods[goods_id] = found.get(goods_id)
        card_ids = [
            m.pk for m in messages if m.kind == Message.Kind.ORDER_CARD and m.pk not in self.orders
        ]
        if card_ids:
            from chat.commerce.models import OrderCard

            links = OrderCard.objects.filter(message_id__in=card_ids).select_related("order__store")
            found = {
                link.message_id: link.order
                for link in links.prefetch_related("order__lines", "order__claims")
            }
            for message_id in card_ids:
                self.orders[message_id] = found.get(message_id)

    def may_see(self, store) -> bool:
        """``shop.access.can_see_member_content`` with the viewer's member stores cached."""
        return not store.is_closed or (self.user is not None and self.book.is_member(store.pk))

    def product_card(self, message: Message) -> dict:
        """The product card of ``message`` as the viewer may see it now."""
        from shop.services.goods import goods_card_data

        self.load([message])
        data = dict(message.data or {})
        goods = self.goods.get(data.get("goods_id"))
        if goods is None:
            public = {k: data.get(k, "") for k in ("goods_id", "name", "image_url")}
            return {**public, "gone": True, "members_only": bool(data.get("members_only"))}
        card = goods_card_data(
            goods, with_price=self.may_see(goods.store), viewer=self.user, book=self.book
        )
        card["members_only"] = goods.store.is_closed
        return card

    def order_card(self, message: Message) -> dict:
        """The order card of ``message`` from the order as it is now."""
        self.load([message])
        order = self.orders.get(message.pk)
        return order_card_data(order) if order is not None else dict(message.data or {})


def product_card_for(message: Message, user) -> dict:
    """The product card of ``message`` as ``user`` may see it now (price and options only
    when ``shop.access.can_see_member_content``)."""
    return CardReader(user).product_card(message)


def buy_url(card: dict, message: Message | dict) -> str:
    """The card's buy button: the small option + quantity form, then checkout for the store,
    remembering the channel and message the order came from."""
    if isinstance(message, Message):
        channel_id, message_id = message.channel_id, message.pk
    else:
        channel_id, message_id = message["channel"], message["id"]
    return f"{card['buy_url']}?from_channel={channel_id}&from_message={message_id}"


def order_card_data(order) -> dict:
    """Number, goods, total, status (and the latest claim), tracking: the order as it is."""
    lines = list(order.lines.all())
    claims = sorted(order.claims.all(), key=lambda c: (c.created_at, c.pk), reverse=True)
    claim = claims[0] if claims else None
    return {
        "order_id": order.pk,
        "number": order.number,
        "buyer_id": order.buyer_id,
        "url": order.get_absolute_url(),
        "seller_url": reverse("orders:seller_order_detail", args=[order.store.slug, order.number]),
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "lines": [
            {"name": line.goods_name, "option": line.option_name, "quantity": line.quantity}
            for line in lines[:MAX_LINES]
        ],
        "more": max(0, len(lines) - MAX_LINES),
        "total": order.total,
        "courier": str(order.get_courier_display()) if order.courier else "",
        "tracking_number": order.tracking_number,
        "tracking_url": order.tracking_url,
        "claim": (
            {
                "kind": claim.kind,
                "status": claim.status,
                "label": f"{claim.get_kind_display()} · {claim.get_status_display()}",
            }
            if claim is not None
            else None
        ),
    }


# --- sharing goods from a pane -------------------------------------------------------------


def may_share_goods(user, channel: Channel, membership: Membership | None) -> bool:
    """Store staff and channel managers may post product cards into any of the store's
    channels; any active member may in an open (non-1:1) channel."""
    if membership is None or not membership.is_active or channel.is_archived:
        return False
    if (
        membership.is_manager
        or StoreStaff.objects.filter(store_id=channel.store_id, user=user).exists()
    ):
        return True
    return not channel.is_closed and channel.kind != Channel.Kind.DIRECT


def shareable_goods(channel: Channel):
    """The channel's store's goods a card may show (not hidden, not deleted), newest first."""
    return (
        Goods.objects.filter(store_id=channel.store_id, deleted_at__isnull=True)
        .exclude(status=Goods.Status.HIDDEN)
        .order_by("-created_at", "-id")
    )
