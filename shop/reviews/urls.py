from django.urls import path

from shop.reviews import views

app_name = "reviews"

urlpatterns = [
    path(
        "orders/<str:number>/lines/<int:line_id>/review/",
        views.review_new,
        name="review_new",
    ),
    path("seller/stores/<str:slug>/reviews/", views.seller_reviews, name="seller_reviews"),
    path(
        "seller/stores/<str:slug>/reviews/<int:pk>/reply/",
        views.seller_review_reply,
        name="seller_review_reply",
    ),
]
