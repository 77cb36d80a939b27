"""The JSON API (django-ninja). OpenAPI at /api/docs. Session auth; CSRF on unsafe methods."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import django_auth

api = NinjaAPI(title="Talkmall API", version="1", auth=django_auth, urls_namespace="api")
