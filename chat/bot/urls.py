from django.urls import path

from chat.bot import views

app_name = "chatbot"

urlpatterns = [
    path("goods/<int:goods_id>/offer/", views.goods_offer, name="goods_offer"),
    path("stores/<str:slug>/offer/", views.store_offer, name="store_offer"),
    path(
        "offers/<int:pk>/<slug:action>/",
        views.offer_action,
        name="offer_action",
    ),
    path("offers/locks/<int:pk>/buy/", views.lock_buy, name="lock_buy"),
    path("talk/<int:channel_id>/bot/", views.channel_bot_toggle, name="channel_bot"),
    path("seller/stores/<str:slug>/bot/", views.seller_bot, name="seller_bot"),
    path("seller/stores/<str:slug>/bot/faq/new/", views.seller_faq_edit, name="seller_faq_new"),
    path(
        "seller/stores/<str:slug>/bot/faq/<int:pk>/", views.seller_faq_edit, name="seller_faq_edit"
    ),
    path(
        "seller/stores/<str:slug>/bot/faq/<int:pk>/delete/",
        views.seller_faq_delete,
        name="seller_faq_delete",
    ),
    path(
        "seller/stores/<str:slug>/bot/questions/",
        views.seller_bot_questions,
        name="seller_bot_questions",
    ),
    path("seller/stores/<str:slug>/offers/", views.seller_offers, name="seller_offers"),
]
