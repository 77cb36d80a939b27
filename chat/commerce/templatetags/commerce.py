"""``{% load commerce %}``: cards in talk panes and the "share goods" box.

- ``{% message_card m %}``: a product card (``product_card_for`` the viewer: no price or
  options for non-members of a closed store) or an order card (from the order as it is now).
  static/js/talk.js renders the same dicts with the same markup.
- ``{% share_goods_box channel %}``: the store's goods to post as a card, for people who may.
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string

from chat.commerce.cards import CardReader, buy_url, may_share_goods, shareable_goods
from chat.models import Message

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


def _reader(context) -> CardReader:
    """One CardReader per request; the first card of a pane loads the cards of all of the
    pane's messages at once."""
    request = context.get("request")
    reader = getattr(request, "_chatcommerce_cards", None)
    if reader is None:
        reader = CardReader(_user(context))
        if request is not None:
            request._chatcommerce_cards = reader
    messages = context.get("messages")
    if isinstance(messages, list | tuple):
        reader.load(messages)
    return reader


@register.simple_tag(takes_context=True)
def message_card(context, message: Message) -> str:
    user = _user(context)
    if message.kind == Message.Kind.PRODUCT_CARD:
        card = _reader(context).product_card(message)
        href = "" if card.get("gone") or "price" not in card else buy_url(card, message)
        return render_to_string("chat/_card_product.html", {"card": card, "buy_href": href})
    if message.kind == Message.Kind.ORDER_CARD:
        card = _reader(context).order_card(message)
        mine = user is not None and user.pk == card.get("buyer_id")
        return render_to_string(
            "chat/_card_order.html",
            {"card": card, "href": card.get("url") if mine else card.get("seller_url")},
        )
    return ""


@register.inclusion_tag("chat/_share_goods.html", takes_context=True)
def share_goods_box(context, channel) -> dict:
    from chat.access import membership_of

    user = _user(context)
    show = False
    goods = []
    if user is not None and user.is_authenticated and channel.store_id:
        show = may_share_goods(user, channel, membership_of(user, channel))
        if show:
            goods = list(shareable_goods(channel)[:100])
    return {
        "show": show and bool(goods),
        "goods": goods,
        "channel": channel,
        "selected": channel.goods_id,
        "next": context.get("next", ""),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("chat/_order_talk_links.html")
def order_talk_links(order) -> dict:
    """On order pages: the order's card in the 1:1 chat (ask or answer right under it) and,
    when the order came from a talk, the channel and product card it came from."""
    from chat.commerce.models import OrderCard

    card = OrderCard.objects.filter(order=order).values_list("message_id", "message__channel_id")
    card = card.first()
    origin = order.from_channel if order.from_channel_id else None
    return {
        "card_message": card[0] if card else None,
        "card_channel": card[1] if card else None,
        "origin": origin,
        "origin_message": order.from_message_id,
    }
