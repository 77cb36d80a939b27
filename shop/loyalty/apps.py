from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "shop.loyalty"
    label = "loyalty"
    verbose_name = _("Loyalty")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shop.loyalty.hooks import award_review_mileage
        from shop.reviews.signals import review_created

        review_created.connect(award_review_mileage, dispatch_uid="loyalty_review_mileage")
