from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatFeedbackConfig(AppConfig):
    name = "chat.feedback"
    label = "chatfeedback"
    verbose_name = _("Join forms and satisfaction")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A completed order offers a CSAT card in the buyer's 1:1 chat with the store.
        from chat.feedback import signals  # noqa: F401
