from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementConfig(AppConfig):
    name = "shop.settlement"
    label = "settlement"
    verbose_name = _("Settlement")
    default_auto_field = "django.db.models.BigAutoField"
