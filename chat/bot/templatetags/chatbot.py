"""``{% load chatbot %}``: offer cards in the talk pane, the pane's tools (make an
offer, auto-answers switch) and the goods page's offer button.

static/js/talk_bot.js renders the same markup for messages that arrive live.
"""

from __future__ import annotations

from django import template
from django.utils.dateparse import parse_datetime

from chat.bot.models import Offer, PriceLock
from chat.bot.services.answers import BOT_CHANNEL_KINDS, bot_enabled
from chat.bot.services.faq import store_bot
from chat.models import Channel
from shop.models import StoreStaff

register = template.Library()


def _cache(context, name: str) -> dict:
    return context.render_context.setdefault(f"chatbot:{name}", {})


def _offer(context, pk):
    cache = _cache(context, "offers")
    if pk not in cache:
        cache[pk] = (
            Offer.objects.filter(pk=pk)
            .only("status", "last_message_id", "expires_at", "buyer_id")
            .first()
        )
    return cache[pk]


def _lock(context, pk):
    cache = _cache(context, "locks")
    if pk not in cache:
        cache[pk] = PriceLock.objects.filter(pk=pk).first()
    return cache[pk]


@register.inclusion_tag("chatbot/_card.html", takes_context=True)
def bot_card(context, m):
    """The card inside an offer message (``data.card == "offer"``), with the buttons this
    viewer may use (talk_bot.js draws the same for live messages)."""
    me = context.get("me")
    data = m.data or {}
    ctx = {
        "m": m,
        "d": data,
        "me": me,
        "next": context.get("next", ""),
        "csrf_token": context.get("csrf_token"),
        "actions": False,
        "buy": False,
        "closed": False,
    }
    if data.get("card") == "offer" and data.get("offer"):
        offer = _offer(context, data["offer"])
        ctx["expires_at"] = parse_datetime(data.get("expires_at") or "")
        is_buyer = me is not None and data.get("buyer") == me
        if offer is not None:
            latest = offer.last_message_id == m.pk
            live = offer.is_live and not offer.is_due
            ctx["current"] = offer
            ctx["closed"] = not latest or not live
            turn_is_buyer = offer.status == Offer.Status.COUNTERED
            ctx["actions"] = (
                latest
                and live
                and me is not None
                and context.get("state") == "member"
                and turn_is_buyer == is_buyer
            )
        if data.get("lock") and is_buyer:
            lock = _lock(context, data["lock"])
            ctx["buy"] = lock is not None and lock.is_valid
            ctx["lock_used"] = lock is not None and lock.used_at is not None
    return ctx


@register.inclusion_tag("chatbot/_pane_tools.html", takes_context=True)
def bot_pane_tools(context, channel):
    """Under a talk pane: 💰 Make an offer (a buyer in a goods talk or their 1:1 chat, when the
    store takes offers; the offer itself goes to the 1:1 chat) and the auto-answers switch
    (the store's owner and managers)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    out = {"show": False, "channel": channel, "next": context.get("next", "")}
    if (
        not isinstance(channel, Channel)
        or channel.store_id is None
        or context.get("state") != "member"
        or user is None
        or not user.is_authenticated
        or channel.kind not in BOT_CHANNEL_KINDS
    ):
        return out
    manager = StoreStaff.objects.filter(store_id=channel.store_id, user=user).exists()
    out.update(
        show=True,
        manager=manager,
        bot_on=bot_enabled(channel) if manager else False,
        offer=(
            not manager
            and channel.kind in (Channel.Kind.DIRECT, Channel.Kind.GOODS)
            and store_bot(channel.store).offers_enabled
        ),
        store=channel.store,
        csrf_token=context.get("csrf_token"),
    )
    out["show"] = out["manager"] or out["offer"]
    return out


@register.inclusion_tag("chatbot/_offer_button.html", takes_context=True)
def offer_button(context, goods):
    """On the goods page: 💰 Make an offer, when the store takes offers."""
    request = context.get("request")
    user = getattr(request, "user", None)
    show = store_bot(goods.store).offers_enabled
    if show and user is not None and user.is_authenticated:
        show = not StoreStaff.objects.filter(store_id=goods.store_id, user=user).exists()
    return {"show": show, "goods": goods}


@register.inclusion_tag("chatbot/_assets.html", takes_context=True)
def bot_assets(context):
    """The live pane's renderer for bot and offer messages (static/js/talk_bot.js) and its
    strings; loaded after talk.js."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    return {
        "strings": {
            "steps": {
                "offer": "💰 " + _("Price offer"),
                "counter": "↩️ " + _("Counter-offer"),
                "accept": "✅ " + _("Offer accepted"),
                "decline": "❌ " + _("Offer declined"),
                "reward": "🎁 " + _("Haggle coupon"),
                "expire": "⌛ " + _("Offer expired"),
            },
            "won": _("%(amount)s won"),
            "each": _("each"),
            "accept": _("Accept"),
            "decline": _("Decline"),
            "counter": _("Counter"),
            "counter_label": _("Counter price (won)"),
            "won_placeholder": _("won"),
            "buy": _("Buy at %(price)s won"),
            "until": _("until %(when)s, once"),
            "failed": _("That did not work: reload the page and try again."),
        },
        "urls": {
            "action": reverse("chatbot:offer_action", args=[123456789, "ACTION"]),
            "buy": reverse("chatbot:lock_buy", args=[123456789]),
        },
    }
