from django.urls import path

from chat import views, views_search

app_name = "chat"

# The chat pages add their paths here (talk panes, my talks, invitations, search).
urlpatterns: list = [
    path("talk/search/", views_search.search_page, name="search"),
    # Live talk (chat_live): My talks, a channel's page, the no-JS send form, 1:1 chats
    path("talk/", views.my_talks_page, name="my_talks"),
    path("talk/<int:channel_id>/", views.channel_page, name="channel"),
    path("talk/<int:channel_id>/post/", views.channel_post, name="post"),
    path("talk/direct/<str:slug>/", views.direct_open, name="direct_open"),
]

# Membership, invitation and moderation pages (chat/urls_manage.py).
from chat.urls_manage import urlpatterns as manage_urlpatterns  # noqa: E402

urlpatterns += manage_urlpatterns

# Commerce inside the chat: share goods, product cards for the viewer (chat/commerce/urls.py).
from chat.commerce.urls import urlpatterns as commerce_urlpatterns  # noqa: E402

urlpatterns += commerce_urlpatterns
