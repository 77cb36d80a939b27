from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatCommerceConfig(AppConfig):
    name = "chat.commerce"
    label = "chatcommerce"
    verbose_name = _("Commerce in chat")

    def ready(self) -> None:
        # A claim saved by the claims services (request, approval, rejection, later states)
        # refreshes the order's card; order status changes call order_card_refresh directly.
        from django.db.models.signals import post_save

        from chat.commerce.services import claim_saved
        from shop.orders.models import Claim

        post_save.connect(claim_saved, sender=Claim, dispatch_uid="chatcommerce_claim_card")
