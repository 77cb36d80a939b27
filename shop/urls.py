from django.urls import path

from shop import views

app_name = "shop"

urlpatterns = [
    path("stores/", views.store_list, name="store_list"),
    path("stores/<str:slug>/", views.store_detail, name="store_detail"),
]
