from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatBotConfig(AppConfig):
    name = "chat.bot"
    label = "chatbot"
    verbose_name = _("Chat automation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Answer a buyer's message right after it is committed and broadcast
        # (chat.signals.message_posted is sent by chat.services.messages.message_post).
        from chat.bot import receivers  # noqa: F401
