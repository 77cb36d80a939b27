from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from marketplace.api import api
from marketplace.health import healthz
from shop.views import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("me/", include("marketplace.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("", include("chat.urls")),
    path("", include("chat.feedback.urls")),
    path("", include("shop.wallet.urls")),
    path("", include("chat.bot.urls")),
    path("", include("shop.orders.urls")),
    path("", include("shop.reviews.urls")),
    path("", include("shop.settlement.urls")),
    path("", include("shop.loyalty.urls")),
    path("", include("shop.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
