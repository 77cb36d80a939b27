from django.urls import path

from shop import views, views_applications, views_seller

app_name = "shop"

urlpatterns = [
    path("stores/", views.store_list, name="store_list"),
    path("stores/<str:slug>/", views.store_detail, name="store_detail"),
    path("goods/<int:pk>/", views.goods_detail, name="goods_detail"),
    path("search/", views.search, name="search"),
    # Opening a store
    path("seller/", views_seller.seller_home, name="seller_home"),
    path("seller/apply/", views_applications.application_new, name="application_new"),
    path(
        "seller/applications/<int:pk>/",
        views_applications.application_detail,
        name="application_detail",
    ),
    # Store management
    path("seller/stores/<str:slug>/", views_seller.seller_store, name="seller_store"),
    path("seller/stores/<str:slug>/profile/", views_seller.seller_profile, name="seller_profile"),
    path(
        "seller/stores/<str:slug>/delivery/", views_seller.seller_delivery, name="seller_delivery"
    ),
    path(
        "seller/stores/<str:slug>/settlement/",
        views_seller.seller_settlement,
        name="seller_settlement",
    ),
    path(
        "seller/stores/<str:slug>/managers/", views_seller.seller_managers, name="seller_managers"
    ),
    path(
        "seller/stores/<str:slug>/managers/<int:staff_id>/remove/",
        views_seller.seller_manager_remove,
        name="seller_manager_remove",
    ),
    path(
        "seller/stores/<str:slug>/goods/new/",
        views_seller.seller_goods_new,
        name="seller_goods_new",
    ),
    path(
        "seller/stores/<str:slug>/goods/<int:pk>/",
        views_seller.seller_goods_edit,
        name="seller_goods_edit",
    ),
    path(
        "seller/stores/<str:slug>/goods/<int:pk>/<slug:action>/",
        views_seller.seller_goods_action,
        name="seller_goods_action",
    ),
    path(
        "seller/stores/<str:slug>/goods/<int:pk>/images/<int:image_id>/<slug:action>/",
        views_seller.seller_image_action,
        name="seller_image_action",
    ),
]
