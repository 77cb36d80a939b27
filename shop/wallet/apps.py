from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalletConfig(AppConfig):
    name = "shop.wallet"
    label = "wallet"
    verbose_name = _("Saved payment methods")
    default_auto_field = "django.db.models.BigAutoField"
