"""The search page: /talk/search/?q=…&channel=<id>&cursor=… (all my channels, or one)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from chat.access import access_channel_read
from chat.exceptions import Banned, ChannelNotFound, NotMember
from chat.search.query import SearchError, search

PAGE_SIZE = 20


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    raw_channel = request.GET.get("channel", "").strip()
    cursor = request.GET.get("cursor") or None
    context: dict = {"q": q, "channel": None, "page": None, "error": ""}
    status = 200
    channel_id = None
    if raw_channel:
        try:
            channel_id = int(raw_channel)
            context["channel"], _membership = access_channel_read(request.user, channel_id)
        except (ValueError, ChannelNotFound):
            context["error"] = _("No such talk.")
            return render(request, "chat/search/search.html", context, status=404)
        except Banned:
            context["error"] = _("You are banned from this talk.")
            return render(request, "chat/search/search.html", context, status=403)
        except NotMember:
            context["error"] = _("Only members of this talk can search it.")
            return render(request, "chat/search/search.html", context, status=403)
    if q:
        try:
            context["page"] = search(
                request.user, q, channel=channel_id, limit=PAGE_SIZE, cursor=cursor
            )
        except SearchError as exc:
            context["error"] = exc.detail
            status = 400
    return render(request, "chat/search/search.html", context, status=status)
