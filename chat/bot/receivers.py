"""Signal receivers: the bot answers after a message is committed and broadcast."""

from __future__ import annotations

import logging

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from chat.bot.models import FaqEntry
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


@receiver(post_save, sender=FaqEntry, dispatch_uid="chatbot-keywords-saved")
@receiver(post_delete, sender=FaqEntry, dispatch_uid="chatbot-keywords-deleted")
def faq_changed(sender, **kwargs) -> None:
    """This process's copy of the FAQ keywords is stale (chat.bot.services.faq)."""
    from chat.bot.services.faq import faq_keywords_forget

    faq_keywords_forget()
