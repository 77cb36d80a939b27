from django.urls import path

from shop import views, views_applications, views_favourites, views_promotions, views_seller

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
    # Favourites and share links (issue 5, point 5)
    path("me/favourites/", views_favourites.my_favourites, name="my_favourites"),
    path(
        "favourites/stores/<str:slug>/",
        views_favourites.favourite_store,
        name="favourite_store",
    ),
    path("favourites/goods/<int:pk>/", views_favourites.favourite_goods, name="favourite_goods"),
    path("s/store/<str:slug>/", views_favourites.share_store, name="share_store"),
    path("s/goods/<int:pk>/", views_favourites.share_goods, name="share_goods"),
    path("s/promo/<int:pk>/", views_favourites.share_promotion, name="share_promotion"),
    # Promotions (issue 5, point 6)
    path("promotions/<int:pk>/", views_promotions.promotion_detail, name="promotion_detail"),
    path(
        "promotions/<int:pk>/<slug:action>/",
        views_promotions.promotion_group_buy,
        name="promotion_group_buy",
    ),
    path(
        "seller/stores/<str:slug>/promotions/",
        views_promotions.seller_promotions,
        name="seller_promotions",
    ),
    path(
        "seller/stores/<str:slug>/promotions/new/",
        views_promotions.seller_promotion_new,
        name="seller_promotion_new",
    ),
    path(
        "seller/stores/<str:slug>/promotions/<int:pk>/",
        views_promotions.seller_promotion_edit,
        name="seller_promotion_edit",
    ),
    path(
        "seller/stores/<str:slug>/promotions/<int:pk>/end/",
        views_promotions.seller_promotion_end,
        name="seller_promotion_end",
    ),
]
