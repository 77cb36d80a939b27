"""The bot's turn after a buyer's message: order help (1:1), an FAQ answer, the quiet-hours
note (1:1, once per closed period), and the questions log the seller reads.

Called after the buyer's message is committed and broadcast (chat.signals.message_posted),
in the same request or consumer turn, so the answer follows the question within the second.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.bot import hours
from chat.bot.matching import Prepared, is_order_question, prepare
from chat.bot.models import BotChannel, BotQuestion
from chat.bot.services.faq import (
    answer_language,
    entry_question,
    faq_match,
    faq_may_match,
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
    prepared = prepare(message.body)
    if (
        channel.kind != Channel.Kind.DIRECT
        and not _asks(prepared)
        and not faq_may_match(channel.store_id, prepared)
    ):
        # Nothing to answer or log (no FAQ keyword, not a real question): no query while the
        # keywords are fresh. Most lines of a busy store talk end here. A 1:1 chat may still
        # owe the quiet-hours note.
        return []
    store = channel.store
    if StoreStaff.objects.filter(store=store, user_id=message.author_id).exists():
        return []
    if not bot_enabled(channel):
        return []
    posted: list[Message] = []
    entry = None
    intent = ""
    with answer_language(prepared.latin):
        if channel.kind == Channel.Kind.DIRECT and is_order_question(prepared):
            intent = "orders"
            posted.extend(_order_help(message))
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


def _order_help(message: Message) -> list[Message]:
    """The asker's latest orders from this store, each as an order card (chat.commerce's
    ``order_card`` kind and renderer, a snapshot of the order now), after one bot line."""
    from chat.commerce.cards import order_card_data
    from shop.orders.models import Order

    channel = message.channel
    orders = list(
        Order.objects.filter(buyer_id=message.author_id, store_id=channel.store_id)
        .select_related("store")
        .prefetch_related("lines")
        .order_by("-id")[:ORDER_HELP_COUNT]
    )
    if not orders:
        return [
            _post(
                channel,
                _("You have no orders from this store yet."),
                {"bot": "orders", "orders": [], "reply_to": message.pk},
            )
        ]
    numbers = [order.number for order in orders]
    posted = [
        _post(
            channel,
            _("Your latest orders from this store:") + " " + ", ".join(numbers),
            {"bot": "orders", "orders": numbers, "reply_to": message.pk},
        )
    ]
    for order in orders:
        posted.append(
            message_post(
                channel=channel,
                author=None,
                kind=Message.Kind.ORDER_CARD,
                body=_("Order %(number)s") % {"number": order.number},
                data={**order_card_data(order), "automatic": True, "reply_to": message.pk},
            )
        )
    return posted


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
