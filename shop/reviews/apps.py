from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "shop.reviews"
    label = "reviews"
    verbose_name = _("Reviews")
    default_auto_field = "django.db.models.BigAutoField"
