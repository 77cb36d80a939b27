"""The ASGI routing of websockets: Origin check, session, user and URL route in one step.

``SignedInWebsocket(routes)`` does what Channels' ``AllowedHostsOriginValidator(
AuthMiddlewareStack(URLRouter(routes)))`` does, with the same rules (Channels' own origin
matching against ``ALLOWED_HOSTS``, Django's session engine, Channels' ``get_user``), but an
open socket keeps one scope and one coroutine frame of it for its whole life, instead of five
copies of the scope, a session wrapper, two lazy objects and seven frames (about 5 KB of server
memory per idle socket; docs/performance.md, "Idle memory").

The consumer's scope carries ``cookies``, ``session`` and ``user`` (resolved: a ``User`` or an
``AnonymousUser``, not a lazy object), ``url_route`` and ``path_remaining``, as under Channels'
stack. Nothing here saves the session: a websocket never sends the ``http.response.start`` on
which Channels' session wrapper would save it.
"""

from __future__ import annotations

import contextlib
from importlib import import_module
from urllib.parse import urlparse

from asgiref.sync import markcoroutinefunction
from channels.auth import get_user
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier
from django.conf import settings
from django.http import parse_cookie
from django.urls import Resolver404


class ProtocolRouter(ProtocolTypeRouter):
    """Channels' ``ProtocolTypeRouter`` without a coroutine of its own: it returns the chosen
    application's coroutine, so no frame of it stays alive per open socket (marked as a
    coroutine function: servers take it for an ASGI 3 application, as they do Channels')."""

    _asgi_single_callable = True

    @markcoroutinefunction
    def __call__(self, scope, receive, send):
        application = self.application_mapping.get(scope["type"])
        if application is None:
            raise ValueError(f"No application configured for scope type {scope['type']!r}")
        return application(scope, receive, send)


class SignedInWebsocket:
    def __init__(self, routes: list) -> None:
        # Channels' validator, for its matching only (the same allowed hosts, the same rules).
        self.origins = AllowedHostsOriginValidator(None)
        self.routes = URLRouter(routes).routes
        for route in self.routes:
            if isinstance(route.callback, URLRouter):
                raise ValueError("SignedInWebsocket routes to consumers, not to nested routers.")
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore

    async def __call__(self, scope, receive, send):
        consumer = self.prepare(scope)
        if consumer is None:
            return await WebsocketDenier()(scope, receive, send)
        scope["user"] = await get_user(scope)
        return await consumer(scope, receive, send)

    def prepare(self, scope):
        """Check the Origin, route, open the session: a new consumer, or None (refused).

        The scope is completed in place (nothing above reads it again: the server and the
        protocol router only hand it down) and no local of this outlives the call."""
        if scope["type"] != "websocket":
            raise ValueError("SignedInWebsocket serves websocket connections only.")
        origin = cookie = None
        for name, value in scope.get("headers", ()):
            if name == b"origin":  # the last one counts, as in Channels' OriginValidator
                with contextlib.suppress(UnicodeDecodeError):
                    origin = urlparse(value.decode("latin1"))
            elif name == b"cookie" and cookie is None:
                cookie = value
        if not self.origins.valid_origin(origin):
            return None
        app = self.route(scope)
        cookies = parse_cookie(cookie.decode("latin1")) if cookie is not None else {}
        scope["cookies"] = cookies
        scope["session"] = self.session_store(cookies.get(settings.SESSION_COOKIE_NAME))
        consumer_class = getattr(app, "consumer_class", None)  # as_asgi(): skip its frame
        if consumer_class is not None:
            return consumer_class(**app.consumer_initkwargs)
        return app

    def route(self, scope):
        """Channels' ``URLRouter`` matching (root path, leading slash, default args): the
        route's application; ``path_remaining`` and ``url_route`` go into the scope."""
        path = scope.get("path")
        if path is None:
            raise ValueError("No 'path' key in connection scope, cannot route URLs")
        root_path = scope.get("root_path", "")
        if root_path and not path.startswith(root_path):
            raise ValueError(f"No route found for path {path!r}.")
        path = path[len(root_path) :].lstrip("/")
        for route in self.routes:
            try:
                match = route.pattern.match(path)
            except Resolver404:
                continue
            if match:
                new_path, args, kwargs = match
                kwargs.update(route.default_args)
                scope["path_remaining"] = new_path
                scope["url_route"] = {"args": args, "kwargs": kwargs}  # the outermost router
                return route.callback
        raise ValueError(f"No route found for path {path!r}.")
