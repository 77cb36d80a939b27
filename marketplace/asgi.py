"""ASGI entry point: HTTP through Django, websockets through Channels.

Websockets must come from an allowed host's page (Origin check) and carry the
Django session: marketplace.websocket.SignedInWebsocket, the same checks as Channels'
AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(...))) in one step.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
django_asgi_app = get_asgi_application()

from chat.routing import websocket_urlpatterns  # noqa: E402
from marketplace.websocket import ProtocolRouter, SignedInWebsocket  # noqa: E402

application = ProtocolRouter(
    {
        "http": django_asgi_app,
        "websocket": SignedInWebsocket(websocket_urlpatterns),
    }
)
