from django.urls import path

from chat import consumers

websocket_urlpatterns = [
    path("ws/inbox/", consumers.InboxConsumer.as_asgi()),
    path("ws/channels/<int:channel_id>/", consumers.ChannelConsumer.as_asgi()),
]
