"""Commerce inside the chat: share goods as a product card from any pane, and keep one order
card per order in the buyer's 1:1 chat with the store, live on every change.

Updating a card = rewrite ``Message.data`` and ring the channel's group with
``chat.message_updated`` (the pane re-renders the card; docs/websocket.md).
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chat.access import access_channel_write
from chat.commerce.cards import may_share_goods, order_card_data, shareable_goods
from chat.commerce.models import OrderCard
from chat.exceptions import ChatError
from chat.groups import channel_group
from chat.models import Channel, Message
from chat.serializers import message_to_dict
from chat.services.messages import message_post, send_after_commit

log = logging.getLogger(__name__)


class CannotShare(ChatError):
    code = "cannot_share"


def goods_share(*, channel: Channel, goods_id, actor) -> Message:
    """Post a product card of one of the channel's store's goods into the channel."""
    from shop.services.goods import goods_card_data

    channel, membership = access_channel_write(actor, channel.pk)
    if not may_share_goods(actor, channel, membership):
        raise CannotShare(_("Only the store's staff can share goods in this talk."))
    goods = shareable_goods(channel).select_related("store").filter(pk=goods_id).first()
    if goods is None:
        raise CannotShare(_("Choose goods of this store."))
    return message_post(
        channel=channel,
        author=actor,
        kind=Message.Kind.PRODUCT_CARD,
        body=goods.name,
        topic=goods.name if channel.kind == Channel.Kind.STORE else "",
        data=goods_card_data(goods, with_price=not goods.store.is_closed),
    )


def send_message_updated(message: Message) -> None:
    """After commit: open panes of the channel re-render ``message``."""
    send_after_commit(
        channel_group(message.channel_id),
        {"type": "chat.message_updated", "message": message_to_dict(message)},
    )


# --- order cards ---------------------------------------------------------------------------


def order_card_post(order, *, quiet: bool = False) -> Message | None:
    """The order's card in the buyer's 1:1 chat with the store: posted once per order (a
    second call returns the first card). None when there is no 1:1 chat to post in (the
    buyer runs the store, or the chat is archived or the buyer banned). ``quiet`` (demo
    data, see ``orders_quiet``): stored without ringing anyone's sockets."""
    from chat.services.direct import channel_open_direct

    existing = OrderCard.objects.filter(order=order).select_related("message").first()
    if existing is not None:
        return existing.message
    body = _("Order %(number)s") % {"number": order.number}
    try:
        with transaction.atomic():
            channel = channel_open_direct(store=order.store, buyer=order.buyer)
            if quiet:
                message = Message.objects.create(
                    channel=channel, kind=Message.Kind.ORDER_CARD, body=body
                )
                message.data = order_card_data(order)
                message.save(update_fields=["data"])
                Channel.objects.filter(pk=channel.pk).update(last_message_at=message.created_at)
            else:
                message = message_post(
                    channel=channel,
                    author=None,
                    kind=Message.Kind.ORDER_CARD,
                    body=body,
                    data=order_card_data(order),
                )
            OrderCard.objects.create(order=order, message=message)
    except IntegrityError:  # placed twice at once: the other call's card stands
        return OrderCard.objects.select_related("message").get(order=order).message
    except ChatError as error:
        log.info("No order card for %s: %s", order.number, error.code)
        return None
    return message


def order_card_post_on_commit(order, *, quiet: bool = False) -> None:
    """Post the card once the order's transaction commits (the order exists for sure, and
    checkout's row locks are not held while the chat rows are written)."""
    order_id = order.pk

    def post() -> None:
        from shop.orders.models import Order

        placed = Order.objects.select_related("store", "buyer").filter(pk=order_id).first()
        if placed is not None:
            order_card_post(placed, quiet=quiet)

    transaction.on_commit(post)


def order_card_refresh_now(order_id: int, *, quiet: bool = False) -> Message | None:
    """Rewrite the card from the order as it is now and ring the 1:1 chat (not when
    ``quiet``); nothing when the card already shows that (a paid order shipped at once goes
    preparing → shipped in one transaction: its two after-commit refreshes give one
    ``message_updated``)."""
    from shop.orders.models import Order

    card = OrderCard.objects.select_related("message").filter(order_id=order_id).first()
    if card is None:
        return None
    order = Order.objects.select_related("store").get(pk=order_id)
    message = card.message
    data = order_card_data(order)
    if data == message.data:
        return message
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(data=data)
        message.data = data
        if not quiet:
            send_message_updated(message)
    return message


def order_card_refresh(order, *, quiet: bool = False) -> None:
    """After commit (so claim rows saved after a status change are included): refresh the
    order's card. Called by ``shop.orders.services.orders._notify`` on every status change
    and by ``shop.orders.services.claims.claim_notify`` on every claim change."""
    order_id = order.pk if hasattr(order, "pk") else int(order)
    transaction.on_commit(lambda: order_card_refresh_now(order_id, quiet=quiet))
