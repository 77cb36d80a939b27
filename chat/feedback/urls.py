from django.urls import path

from chat.feedback import views

app_name = "chatfeedback"

urlpatterns = [
    path("talk/csat/<int:survey_id>/", views.csat_rate, name="csat_rate"),
    path(
        "seller/stores/<str:slug>/talk/join-form/",
        views.seller_join_form,
        name="seller_join_form",
    ),
    path("seller/stores/<str:slug>/satisfaction/", views.seller_csat, name="seller_csat"),
]
