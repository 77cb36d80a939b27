"""Chat JSON API (django-ninja, mounted under /api/ by marketplace/api.py; OpenAPI at /api/docs).

Session auth (``django_auth``): unsafe methods need the CSRF token (``X-CSRFToken`` header).
Every endpoint calls an access gate from ``chat.access`` first. Errors are JSON
``{"code": …, "detail": …}``: 400 ``bad_request``/``too_long``, 403 ``not_member``/``banned``/
``archived``, 404 ``not_found``, 429 ``rate_limited``.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.errors import ValidationError

from chat.access import access_channel_read, access_channel_write
from chat.exceptions import BadMessage, ChatError, RateLimited
from chat.search.query import MAX_LIMIT as SEARCH_MAX_LIMIT
from chat.search.query import search
from chat.selectors import MAX_PAGE, history_rows, my_talks, unread_count
from chat.serializers import message_to_dict
from chat.services.messages import message_post, message_rate_allow
from chat.services.reads import read_mark

router = Router(tags=["chat"])

STATUS = {
    "not_found": 404,
    "not_member": 403,
    "banned": 403,
    "archived": 403,
    "forbidden": 403,
    "rate_limited": 429,
}


class ErrorOut(Schema):
    code: str
    detail: str


ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}


def chat_error_response(api, request: HttpRequest, exc: ChatError) -> HttpResponse:
    """Exception handler registered on the NinjaAPI for every ``ChatError``."""
    status = STATUS.get(exc.code, 400)
    return api.create_response(request, {"code": exc.code, "detail": exc.detail}, status=status)


def validation_error_response(api, request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Malformed parameters or bodies: 400 ``bad_request`` with the details."""
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(part) for part in first.get("loc", ()))
    detail = f"{where}: {first.get('msg', 'invalid')}" if where else "The request is malformed."
    return api.create_response(
        request,
        {"code": "bad_request", "detail": detail, "errors": exc.errors},
        status=400,
    )


class AuthorOut(Schema):
    id: int
    name: str


class MessageOut(Schema):
    id: int
    channel: int
    author: AuthorOut | None
    kind: str
    body: str
    data: dict
    client_id: str | None
    topic: str
    created_at: str
    deleted: bool


class ChannelOut(Schema):
    id: int
    kind: str
    title: str
    store: int
    visibility: str
    archived: bool
    pending: bool
    unread: int
    unread_label: str
    last_message: MessageOut | None
    last_activity: datetime | None


class MessagesPageOut(Schema):
    messages: list[MessageOut]
    has_more: bool


class SearchHitOut(Schema):
    message: MessageOut
    highlighted: str
    exact: bool
    url: str


class SearchOut(Schema):
    query: str
    hits: list[SearchHitOut]
    next_cursor: str | None


class PostIn(Schema):
    body: str
    client_id: str | None = None
    topic: str = ""


class ReadIn(Schema):
    up_to: int


class ReadOut(Schema):
    channel: int
    up_to: int
    unread: int


class MessagesQuery(Schema):
    before: int | None = None
    after: int | None = None
    limit: int = 50


class SearchQuery(Schema):
    q: str
    cursor: str | None = None
    limit: int = 20


def _check_limit(limit: int, maximum: int) -> int:
    if not 1 <= limit <= maximum:
        raise BadMessage(f"limit must be between 1 and {maximum}.")
    return limit


@router.get("/", response={200: list[ChannelOut], **ERRORS}, summary="My channels")
def list_channels(request: HttpRequest, limit: int | None = None, offset: int = 0):
    """The channels I belong to (active, or waiting for approval), latest activity first,
    with unread counts (messages after my read pointer, not my own). Without ``limit``, all
    of them; with it (1..500), that many from ``offset``: page on while a full page comes."""
    if limit is not None:
        _check_limit(limit, 500)
    if offset < 0:
        raise BadMessage("offset must be 0 or more.")
    rows = []
    for row in my_talks(request.user, offset=offset, limit=limit):
        channel = row.channel
        rows.append(
            {
                "id": channel.pk,
                "kind": channel.kind,
                "title": row.title,
                "store": channel.store_id,
                "visibility": channel.visibility,
                "archived": channel.archived_at is not None,
                "pending": row.pending,
                "unread": row.unread,
                "unread_label": row.unread_label,
                "last_message": message_to_dict(row.last_message) if row.last_message else None,
                "last_activity": row.last_activity,
            }
        )
    return rows


@router.get(
    "/{int:channel_id}/messages",
    response={200: MessagesPageOut, **ERRORS},
    summary="A page of history",
)
def list_messages(request: HttpRequest, channel_id: int, params: Query[MessagesQuery]):
    """Keyset by id: no cursor = the newest ``limit``; ``before=id`` = older ones (``has_more``:
    still older exist); ``after=id`` = newer ones, oldest first (``has_more``: still newer).
    Messages come oldest → newest; ``limit`` is 1..100."""
    channel, _membership = access_channel_read(request.user, channel_id)
    limit = _check_limit(params.limit, MAX_PAGE)
    page = history_rows(channel, before=params.before, after=params.after, limit=limit)
    return {"messages": page.messages, "has_more": page.has_more}


@router.get(
    "/{int:channel_id}/search", response={200: SearchOut, **ERRORS}, summary="Search a channel"
)
def search_channel(request: HttpRequest, channel_id: int, params: Query[SearchQuery]):
    """Ranked results (whole phrase first, then newest); ``highlighted`` is escaped HTML with
    ``<mark>`` around matches; pass ``next_cursor`` back as ``cursor`` for the next page."""
    channel, _membership = access_channel_read(request.user, channel_id)
    limit = _check_limit(params.limit, SEARCH_MAX_LIMIT)
    page = search(request.user, params.q, channel=channel, limit=limit, cursor=params.cursor)
    return {
        "query": page.query,
        "hits": [
            {
                "message": message_to_dict(hit.message),
                "highlighted": str(hit.highlighted),
                "exact": hit.exact,
                "url": hit.url,
            }
            for hit in page.hits
        ],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/{int:channel_id}/messages",
    response={200: MessageOut, 201: MessageOut, **ERRORS},
    summary="Post a message",
)
def post_message(request: HttpRequest, channel_id: int, payload: PostIn):
    """The same service as the websocket ``send``: 1..2000 characters, at most 10 messages in
    5 seconds. A retry with the same ``client_id`` returns the first message (200, not 201)."""
    channel, _membership = access_channel_write(request.user, channel_id)
    if not message_rate_allow(user_id=request.user.pk):
        raise RateLimited()
    message = message_post(
        channel=channel,
        author=request.user,
        body=payload.body,
        client_id=payload.client_id,
        topic=payload.topic,
    )
    status = 200 if getattr(message, "is_replay", False) else 201
    return Status(status, message_to_dict(message))


@router.post("/{int:channel_id}/read", response={200: ReadOut, **ERRORS}, summary="Mark read")
def mark_read(request: HttpRequest, channel_id: int, payload: ReadIn):
    """Move my read pointer forward to ``up_to`` (never backwards)."""
    _channel, membership = access_channel_write(request.user, channel_id)
    up_to = read_mark(membership=membership, up_to=payload.up_to)
    return {"channel": channel_id, "up_to": up_to, "unread": unread_count(membership)}
