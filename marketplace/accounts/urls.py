from django.urls import path

from marketplace.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.my_page, name="my_page"),
]
