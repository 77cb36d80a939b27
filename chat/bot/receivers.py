"""Signal receivers: the bot answers after a message is committed and broadcast."""

from __future__ import annotations

import logging

from django.dispatch import receiver

from chat.signals import message_posted

log = logging.getLogger(__name__)


@receiver(message_posted, dispatch_uid="chatbot-answer")
def answer_buyer(sender, message, **kwargs) -> None:
    from chat.bot.services.answers import bot_respond

    if message.author_id is None or message.kind != "text":
        return
    try:
        bot_respond(message)
    except Exception:  # the buyer's message is sent already: never fail the sender
        log.exception("chat bot could not answer message %s", message.pk)
