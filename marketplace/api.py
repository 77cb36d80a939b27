"""The JSON API (django-ninja). OpenAPI at /api/docs. Session auth; CSRF on unsafe methods."""

from __future__ import annotations

from functools import partial

from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.security import django_auth

from chat.api import chat_error_response, validation_error_response
from chat.api import router as chat_router
from chat.exceptions import ChatError

api = NinjaAPI(title="Talkmall API", version="1", auth=django_auth, urls_namespace="api")

api.add_router("/channels/", chat_router)
api.add_exception_handler(ChatError, partial(chat_error_response, api))
api.add_exception_handler(ValidationError, partial(validation_error_response, api))
