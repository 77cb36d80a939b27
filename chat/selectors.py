"""Chat reads: history pages (keyset by id, never OFFSET), unread counts, My talks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from chat.models import Channel, Membership, Message
from chat.serializers import wire_dict

MAX_PAGE = 100
UNREAD_CAP = 99


class HistoryPage(NamedTuple):
    """Messages oldest → newest, and whether more exist beyond the page (older for a
    ``before``/newest page, newer for an ``after`` page)."""

    messages: list[Message]
    has_more: bool


def _clamp(limit: object, default: int = 50) -> int:
    try:
        value = int(limit)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = default
    return max(1, min(value, MAX_PAGE))


def _messages(channel: Channel | int, topic: str | None):
    channel_id = channel.pk if isinstance(channel, Channel) else int(channel)
    qs = Message.objects.filter(channel_id=channel_id).select_related("author")
    if topic:
        qs = qs.filter(topic=topic)
    return qs


def history_page(
    channel: Channel | int,
    before: int | None = None,
    after: int | None = None,
    limit: int = 50,
    topic: str | None = None,
) -> HistoryPage:
    """One page of a channel's history, keyset by id.

    - no cursor: the newest ``limit`` messages; ``has_more`` = older ones exist;
    - ``before=id``: the ``limit`` messages just older than ``id``; ``has_more`` = still older;
    - ``after=id``: the ``limit`` messages just newer than ``id`` (a resume); ``has_more`` =
      still newer. With both, the page starts after ``after`` and stops before ``before``.
    ``limit`` is clamped to 1..100; ``topic`` filters to one topic.
    """
    limit = _clamp(limit)
    qs = _messages(channel, topic)
    if after is not None:
        qs = qs.filter(id__gt=int(after))
        if before is not None:
            qs = qs.filter(id__lt=int(before))
        rows = list(qs.order_by("id")[: limit + 1])
        return HistoryPage(rows[:limit], len(rows) > limit)
    if before is not None:
        qs = qs.filter(id__lt=int(before))
    rows = list(qs.order_by("-id")[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    rows.reverse()
    return HistoryPage(rows, has_more)


class HistoryRows(NamedTuple):
    """A history page already in the wire shape (``chat.serializers.wire_dict``)."""

    messages: list[dict]
    has_more: bool


# history_rows' query: the wire columns (chat.serializers.wire_dict's arguments, in order) with
# the author's names, keyset on the (channel, id) / (channel, topic, id) indexes.
_ROWS_SQL = (
    "SELECT m.id, m.channel_id, m.author_id, u.display_name, u.username, m.kind, m.body,"
    " m.data, m.client_id, m.topic, m.created_at, m.deleted_at"
    " FROM chat_message m LEFT JOIN accounts_user u ON u.id = m.author_id"
    " WHERE m.channel_id = %s{where} ORDER BY m.id {order} LIMIT %s"
)


def _aware(value):
    """A datetime column as Django would return it (aware, UTC) without its converter chain:
    SQLite gives text, MySQL a naive datetime, PostgreSQL an aware one."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _json(value):
    if isinstance(value, str | bytes):
        return {} if value in ("{}", b"{}") else json.loads(value)
    return value


def history_rows(
    channel: Channel | int,
    before: int | None = None,
    after: int | None = None,
    limit: int = 50,
    topic: str | None = None,
) -> HistoryRows:
    """``history_page`` for the wire (websocket ``history`` frames, the JSON API): the same
    messages and the same flag, read in one query as bare columns and serialized without
    model instances (a page of 50 costs a few times the bare SQL, not ten times)."""
    channel_id = channel.pk if isinstance(channel, Channel) else int(channel)
    limit = _clamp(limit)
    where, params = "", [channel_id]
    if topic:
        where += " AND m.topic = %s"
        params.append(topic)
    if after is not None:
        where += " AND m.id > %s"
        params.append(int(after))
    if before is not None:
        where += " AND m.id < %s"
        params.append(int(before))
    params.append(limit + 1)
    order = "ASC" if after is not None else "DESC"
    with connection.cursor() as cursor:
        cursor.execute(_ROWS_SQL.format(where=where, order=order), params)  # noqa: S608
        rows = list(cursor.fetchall())
    has_more = len(rows) > limit
    rows = rows[:limit]
    if after is None:
        rows.reverse()
    return HistoryRows(
        [
            wire_dict(*row[:7], _json(row[7]), row[8], row[9], _aware(row[10]), _aware(row[11]))
            for row in rows
        ],
        has_more,
    )


@dataclass
class AroundPage:
    messages: list[Message]
    has_older: bool
    has_newer: bool


def history_around(
    channel: Channel | int, message_id: int, limit: int = 50, topic: str | None = None
) -> AroundPage:
    """About ``limit`` messages centred on ``message_id`` (for links from search results)."""
    half = max(1, _clamp(limit) // 2)
    older = history_page(channel, before=int(message_id) + 1, limit=half, topic=topic)
    newer = history_page(channel, after=int(message_id), limit=half, topic=topic)
    return AroundPage(older.messages + newer.messages, older.has_more, newer.has_more)


def channel_topics(channel: Channel | int, limit: int = 12) -> list[str]:
    """The channel's topics, most used first (for the pane's topic chips)."""
    rows = (
        _messages(channel, None)
        .exclude(topic="")
        .values("topic")
        .annotate(n=Count("id"))
        .order_by("-n", "topic")[:limit]
    )
    return [row["topic"] for row in rows]


def last_message_id(channel: Channel | int) -> int:
    return _messages(channel, None).order_by("-id").values_list("id", flat=True).first() or 0


def previous_message_id(channel: Channel | int, message_id: int) -> int:
    """The id of the channel's message just before ``message_id`` (0: none): a live frame's
    ``prev``."""
    older = _messages(channel, None).filter(id__lt=message_id).order_by("-id")
    return older.values_list("id", flat=True).first() or 0


def _active_memberships(user):
    return Membership.objects.filter(
        user=user, state=Membership.State.ACTIVE, channel__deleted_at__isnull=True
    )


def _unread(last_seq: int, last_read_seq: int) -> int:
    return max(0, last_seq - last_read_seq)


# unread_counts' query: _active_memberships with the channel's last_seq, as bare SQL (the ORM's
# own cost was 4× the query's for 200 rows; see docs/performance.md).
_UNREAD_SQL = (
    "SELECT m.channel_id, c.last_seq - m.last_read_seq"
    " FROM chat_membership m JOIN chat_channel c ON c.id = m.channel_id"
    " WHERE m.user_id = %s AND m.state = %s AND c.deleted_at IS NULL"
)


def unread_counts(user) -> dict[int, int]:
    """``{channel_id: unread}`` for every channel the user is an active member of
    (``_active_memberships``), in one query and without counting: unread = the channel's
    ``last_seq`` (its newest message's number) − the member's ``last_read_seq`` (the number at
    their read pointer). That is every message after the read pointer — any kind, tombstones
    included; the member's own posts are read because posting moves the author's pointer.
    Show counts with ``unread_label``."""
    if user is None or not user.is_authenticated:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_UNREAD_SQL, [user.pk, Membership.State.ACTIVE])
        return {channel_id: max(0, n) for channel_id, n in cursor.fetchall()}


def unread_count(membership: Membership) -> int:
    """One membership's unread count (``unread_counts``' rule), one query."""
    last = Channel.objects.filter(pk=membership.channel_id).values_list("last_seq", flat=True)
    return _unread(last.first() or 0, membership.last_read_seq)


def unread_total(user) -> int:
    """All unread messages across the user's channels (the header badge), one query."""
    return sum(unread_counts(user).values())


def unread_label(count: int) -> str:
    """``"99+"`` above the cap, ``""`` for zero."""
    if not count:
        return ""
    return f"{UNREAD_CAP}+" if count > UNREAD_CAP else str(count)


def channel_display_title(channel: Channel, user) -> str:
    """What a user calls a channel: for a 1:1 chat the other side (store or buyer)."""
    if channel.kind == Channel.Kind.DIRECT:
        if user is not None and channel.buyer_id == getattr(user, "pk", None):
            return channel.store.name
        return channel.buyer.name if channel.buyer_id else channel.title
    return channel.title


@dataclass
class TalkRow:
    """One line of "My talks"."""

    membership: Membership
    channel: Channel
    title: str
    pending: bool
    unread: int
    last_message: Message | None
    last_activity: datetime | None

    @property
    def unread_label(self) -> str:
        return unread_label(self.unread)


# A talk's latest activity: its last message, else when the user joined or it was made.
_ACTIVITY = Coalesce("channel__last_message_at", "joined_at", "channel__created_at")


def _my_memberships(user):
    """The user's memberships shown in "My talks" (active or waiting for approval, not
    withdrawn), latest activity first (a queryset)."""
    return Membership.objects.filter(
        user=user,
        state__in=[Membership.State.ACTIVE, Membership.State.PENDING],
        hidden=False,
        channel__deleted_at__isnull=True,
    ).order_by(_ACTIVITY.desc(), "-channel_id")


def _with_channels(memberships):
    """``memberships`` with their channels and ``last_id`` (the channel's newest message)."""
    last_id = (
        Message.objects.filter(channel_id=OuterRef("channel_id")).order_by("-id").values("id")[:1]
    )
    return memberships.select_related(
        "channel", "channel__store", "channel__goods", "channel__buyer"
    ).annotate(last_id=Subquery(last_id), activity=_ACTIVITY)


def _talk_rows(memberships, user) -> list[TalkRow]:
    """Rows for these memberships, with their last messages (one query)."""
    memberships = list(memberships)
    # A pending member of a closed channel sees none of its messages.
    ids = [m.last_id for m in memberships if m.last_id and m.state == Membership.State.ACTIVE]
    last = Message.objects.select_related("author").in_bulk(ids)
    rows = []
    for m in memberships:
        pending = m.state == Membership.State.PENDING
        rows.append(
            TalkRow(
                membership=m,
                channel=m.channel,
                title=channel_display_title(m.channel, user),
                pending=pending,
                unread=0 if pending else _unread(m.channel.last_seq, m.last_read_seq),
                last_message=None if pending else last.get(m.last_id),
                last_activity=m.updated_at if pending else m.activity,
            )
        )
    return rows


def my_talks(user, *, offset: int = 0, limit: int | None = None) -> list[TalkRow]:
    """The channels the user belongs to (active or waiting for approval, not withdrawn),
    with unread count (exact: the API returns the number) and last message, latest activity
    first: all of them, or ``limit`` from ``offset``. Two queries: memberships (with their
    channels' ``last_seq``: the unread counts, see ``unread_counts``), their last messages."""
    if user is None or not user.is_authenticated:
        return []
    memberships = _with_channels(_my_memberships(user))
    if limit is not None:
        memberships = memberships[offset : offset + limit]
    return _talk_rows(memberships, user)


TALKS_PER_PAGE = 50


def my_talks_paged(user, number) -> tuple[Page, int]:
    """One page of ``my_talks`` (``TALKS_PER_PAGE`` rows) and the unread total over all of
    the user's talks. A seller with thousands of 1:1 chats gets a page of 50: the counts of
    all come from one narrow query, the channels and last messages of the page's rows only."""
    if user is None or not user.is_authenticated:
        return Paginator([], TALKS_PER_PAGE).get_page(1), 0
    keys = list(
        _my_memberships(user).values_list("pk", "state", "channel__last_seq", "last_read_seq")
    )
    total = sum(
        _unread(last_seq, read_seq)
        for _pk, state, last_seq, read_seq in keys
        if state == Membership.State.ACTIVE
    )
    page = Paginator(keys, TALKS_PER_PAGE).get_page(number)
    pks = [key[0] for key in page.object_list]
    page.object_list = _talk_rows(_with_channels(_my_memberships(user).filter(pk__in=pks)), user)
    return page, total


def store_channel_of(store) -> Channel | None:
    """The store's own channel ("store talk"), for the store page's pane."""
    return (
        Channel.objects.select_related("store")
        .filter(store=store, kind=Channel.Kind.STORE, deleted_at__isnull=True)
        .first()
    )
