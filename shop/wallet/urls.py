from django.urls import path

from shop.wallet import views

app_name = "wallet"

urlpatterns = [
    path("me/cards/", views.card_list, name="card_list"),
    path("me/cards/<int:card_id>/<slug:action>/", views.card_action, name="card_action"),
    path("orders/<str:number>/pay/saved/", views.order_pay_saved, name="order_pay_saved"),
]
