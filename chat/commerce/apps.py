from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatCommerceConfig(AppConfig):
    name = "chat.commerce"
    label = "chatcommerce"
    verbose_name = _("Commerce in chat")
