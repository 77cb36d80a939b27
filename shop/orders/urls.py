from django.urls import path

from shop.orders import views, views_seller

app_name = "orders"

urlpatterns = [
    path("cart/", views.cart, name="cart"),
    path("cart/add/<int:goods_id>/", views.cart_add_view, name="cart_add"),
    path("cart/items/<int:item_id>/", views.cart_item_update, name="cart_item_update"),
    path("cart/items/<int:item_id>/remove/", views.cart_item_remove, name="cart_item_remove"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<str:number>/", views.order_detail, name="order_detail"),
    path("orders/<str:number>/pay/", views.order_pay, name="order_pay"),
    path("orders/<str:number>/cancel/", views.order_cancel_view, name="order_cancel"),
    path("orders/<str:number>/confirm/", views.order_confirm_view, name="order_confirm"),
    path("orders/<str:number>/claims/new/", views.claim_new, name="claim_new"),
    path("addresses/", views.address_list, name="address_list"),
    path("addresses/<int:pk>/", views.address_edit, name="address_edit"),
    path("addresses/<int:pk>/delete/", views.address_delete_view, name="address_delete"),
    path("payments/webhook/<slug:provider>/", views.payment_webhook, name="payment_webhook"),
    # Seller
    path("seller/stores/<str:slug>/orders/", views_seller.seller_orders, name="seller_orders"),
    path(
        "seller/stores/<str:slug>/orders/ship/",
        views_seller.seller_orders_ship,
        name="seller_orders_ship",
    ),
    path(
        "seller/stores/<str:slug>/orders/ship-csv/",
        views_seller.seller_orders_ship_csv,
        name="seller_orders_ship_csv",
    ),
    path(
        "seller/stores/<str:slug>/orders/<str:number>/",
        views_seller.seller_order_detail,
        name="seller_order_detail",
    ),
    path(
        "seller/stores/<str:slug>/orders/<str:number>/claims/<int:claim_id>/",
        views_seller.seller_claim,
        name="seller_claim",
    ),
    path(
        "seller/stores/<str:slug>/orders/<str:number>/<slug:action>/",
        views_seller.seller_order_action,
        name="seller_order_action",
    ),
]
