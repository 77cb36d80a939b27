from django.urls import path

from shop.loyalty import views, views_seller

app_name = "loyalty"

S = "seller/stores/<str:slug>/loyalty/"

urlpatterns = [
    path("me/mileage/", views.my_mileage, name="my_mileage"),
    path("me/coupons/", views.my_coupons, name="my_coupons"),
    path("me/grades/", views.my_grades, name="my_grades"),
    path("me/invitations/rewards/", views.my_referrals, name="my_referrals"),
    path("coupons/<str:code>/", views.coupon_link, name="coupon_link"),
    path(S, views_seller.settings_page, name="seller_settings"),
    path(S + "grades/", views_seller.grades_page, name="seller_grades"),
    path(S + "grades/<int:pk>/", views_seller.grade_edit, name="seller_grade_edit"),
    path(S + "grades/<int:pk>/delete/", views_seller.grade_delete, name="seller_grade_delete"),
    path(S + "grades/recalc/", views_seller.grades_recalc_now, name="seller_grades_recalc"),
    path(S + "grades/channels/", views_seller.channel_grade, name="seller_channel_grade"),
    path(S + "coupons/", views_seller.coupons_page, name="seller_coupons"),
    path(S + "coupons/new/", views_seller.coupon_new, name="seller_coupon_new"),
    path(S + "coupons/<int:pk>/", views_seller.coupon_detail, name="seller_coupon_detail"),
    path(S + "broadcasts/", views_seller.broadcasts_page, name="seller_broadcasts"),
    path(S + "customers/", views_seller.customers_page, name="seller_customers"),
]
