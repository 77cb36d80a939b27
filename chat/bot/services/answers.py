"""The bot's turn after a buyer's message: order help (1:1), an FAQ answer, the quiet-hours
note (1:1, once per closed period), and the questions log the seller reads.

Called after the buyer's message is committed and broadcast (chat.signals.message_posted),
in the same request or consumer turn, so the answer follows the question within the second.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.bot import hours
from chat.bot.matching import Prepared, is_order_question, prepare
from chat.bot.models import BotChannel, BotQuestion
from chat.bot.services.faq import (
    answer_language,
    entry_question,
    faq_match,
    faq_topics,
    store_bot,
)
from chat.models import Channel, Message
from chat.services.messages import message_post
from shop.models import StoreStaff

BOT_CHANNEL_KINDS = (Channel.Kind.STORE, Channel.Kind.GOODS, Channel.Kind.DIRECT)
ORDER_HELP_COUNT = 3


def bot_enabled(channel: Channel) -> bool:
    state = BotChannel.objects.filter(channel=channel).only("enabled").first()
    return state is None or state.enabled


def bot_set_enabled(*, channel: Channel, enabled: bool) -> BotChannel:
    state, _created = BotChannel.objects.update_or_create(
        channel=channel, defaults={"enabled": enabled}
    )
    return state


def bot_respond(message: Message) -> list[Message]:
    """Answer ``message`` if it is a buyer's question the bot can answer. Returns the bot
    messages posted (none when nothing matched or the bot is off here)."""
    if message.author_id is None or message.kind != Message.Kind.TEXT or message.deleted_at:
        return []
    channel = message.channel
    if channel.kind not in BOT_CHANNEL_KINDS or channel.store_id is None:
        return []
    if channel.is_archived or channel.deleted_at is not None:
        return []
    store = channel.store
    if StoreStaff.objects.filter(store=store, user_id=message.author_id).exists():
        return []
    if not bot_enabled(channel):
        return []
    prepared = prepare(message.body)
    posted: list[Message] = []
    entry = None
    intent = ""
    with answer_language(prepared.latin):
        if channel.kind == Channel.Kind.DIRECT and is_order_question(prepared):
            intent = "orders"
            posted.append(_order_help(message))
        else:
            entry, answer = faq_match(store, prepared)
            if entry is not None:
                intent = "faq"
                posted.append(
                    _post(
                        channel,
                        answer,
                        {
                            "bot": "faq",
                            "entry": entry.pk,
                            "question": entry_question(entry),
                            "reply_to": message.pk,
                        },
                    )
                )
        if channel.kind == Channel.Kind.DIRECT:
            quiet = _quiet_note(message)
            if quiet is not None:
                posted.append(quiet)
    if intent or _asks(prepared):
        BotQuestion.objects.get_or_create(
            message=message,
            defaults={
                "store": store,
                "channel": channel,
                "text": message.body[:300],
                "entry": entry,
                "intent": intent,
                "answered": bool(intent),
            },
        )
    return posted


def _asks(prepared: Prepared) -> bool:
    """A real question (not only a short greeting) for the unanswered list."""
    return prepared.asks


def _post(channel: Channel, body: str, data: dict) -> Message:
    return message_post(
        channel=channel,
        author=None,
        body=body,
        kind=Message.Kind.BOT,
        data={"automatic": True, **data},
    )


def _order_help(message: Message) -> Message:
    from shop.orders.couriers import tracking_url
    from shop.orders.models import Order

    channel = message.channel
    orders = list(
        Order.objects.filter(buyer_id=message.author_id, store_id=channel.store_id)
        .prefetch_related("lines")
        .order_by("-id")[:ORDER_HELP_COUNT]
    )
    cards = []
    lines_text = []
    for order in orders:
        goods = [line.goods_name for line in order.lines.all()]
        summary = goods[0] if goods else ""
        if len(goods) > 1:
            summary = _("%(first)s and %(n)d more") % {"first": goods[0], "n": len(goods) - 1}
        card = {
            "number": order.number,
            "status": order.status,
            "status_label": str(order.get_status_display()),
            "total": order.total,
            "summary": summary,
            "created_at": order.created_at.isoformat(),
            "url": reverse("orders:order_detail", args=[order.number]),
            "seller_url": reverse(
                "orders:seller_order_detail", args=[channel.store.slug, order.number]
            ),
            "tracking_url": tracking_url(order.courier, order.tracking_number),
            "tracking_number": order.tracking_number,
        }
        cards.append(card)
        lines_text.append(
            f"• {order.number} · {card['status_label']} · {summary} · "
            + _("%(amount)s won") % {"amount": f"{order.total:,}"}
        )
    if cards:
        body = _("Your latest orders from this store:") + "\n" + "\n".join(lines_text)
    else:
        body = _("You have no orders from this store yet.")
    return _post(
        channel,
        body,
        {
            "bot": "orders",
            "card": "orders",
            "orders": cards,
            "buyer": message.author_id,
            "reply_to": message.pk,
        },
    )


def _quiet_note(message: Message) -> Message | None:
    """Outside business hours, once per closed period: the hours and the FAQ topics."""
    channel = message.channel
    bot = store_bot(channel.store)
    if not bot.quiet_reply or not hours.has_hours(bot):
        return None
    now = timezone.now()
    since = hours.quiet_since(bot, now)
    if since is None:
        return None
    with transaction.atomic():
        state, _created = BotChannel.objects.get_or_create(channel=channel)
        state = BotChannel.objects.select_for_update().get(pk=state.pk)
        if state.quiet_answered_at is not None and state.quiet_answered_at >= since:
            return None
        state.quiet_answered_at = now
        state.save(update_fields=["quiet_answered_at"])
        text = hours.hours_text(bot)
        topics = faq_topics(channel.store)
        body = _(
            "Thank you for your message! We are closed now (hours: %(hours)s) and will answer "
            "when we are back."
        ) % {"hours": text}
        if topics:
            body += "\n" + _("Meanwhile I can answer: %(topics)s") % {"topics": " · ".join(topics)}
        return _post(channel, body, {"bot": "quiet", "hours": text, "topics": topics})
