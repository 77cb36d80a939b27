from django.urls import path

from chat.commerce import views

urlpatterns = [
    path("talk/<int:channel_id>/share-goods/", views.share_goods, name="share_goods"),
    path("talk/messages/<int:message_id>/card/", views.product_card, name="product_card"),
]
