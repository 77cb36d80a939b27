from django.urls import path

from shop.settlement import views

app_name = "settlement"

urlpatterns = [
    path("seller/stores/<str:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("seller/stores/<str:slug>/stats/", views.stats, name="stats"),
    path("seller/stores/<str:slug>/stats/chat/", views.stats_chat, name="stats_chat"),
    path("seller/stores/<str:slug>/accounts/", views.accounts, name="accounts"),
    path(
        "seller/stores/<str:slug>/accounts/statements/<int:pk>/",
        views.statement_detail,
        name="statement",
    ),
    path("seller/stores/<str:slug>/accounts/vat/", views.vat, name="vat"),
    path(
        "seller/stores/<str:slug>/accounts/tax-invoices/",
        views.tax_invoices,
        name="tax_invoices",
    ),
]
