from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatSearchConfig(AppConfig):
    name = "chat.search"
    label = "chatsearch"
    verbose_name = _("Chat search")

    def ready(self) -> None:
        # Index maintenance as a side effect of saving a message (chat.services.messages owns
        # message_post; this keeps the index in step for every writer, seed_demo included).
        from chat.search import signals  # noqa: F401
