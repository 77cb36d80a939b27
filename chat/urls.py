from django.urls import path

from chat import views_search

app_name = "chat"

# The chat pages add their paths here (talk panes, my talks, invitations, search).
urlpatterns: list = [
    path("talk/search/", views_search.search_page, name="search"),
]

# Membership, invitation and moderation pages (chat/urls_manage.py).
from chat.urls_manage import urlpatterns as manage_urlpatterns  # noqa: E402

urlpatterns += manage_urlpatterns
