"""Chat reads: history pages (keyset by id, never OFFSET), unread counts, My talks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

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


UNREAD_BATCH = 200  # channels per UNION statement (SQLite allows 500 SELECTs in one compound)


def unread_by_pointer(pointers) -> dict[int, int]:
    """``{channel_id: unread}`` for ``(channel_id, last_read_message_id)`` pairs: messages
    newer than the read pointer, in one statement (per 200 channels) of ``UNION ALL``-ed
    counts. Each is a range ``channel_id = c AND id > p`` on the (channel, id) index, so it
    reads that channel's unread index entries only (index-only: no row, no older message).

    Literal bounds per channel rather than one correlated sub-query, because MariaDB plans
    ``channel_id = outer.channel_id AND id > outer.pointer`` as a lookup on ``channel_id``
    alone and filters the channel's whole history (a million entries for one busy channel).
    Counts are not cut at 100 in SQL: a ``LIMIT 100`` sub-select per channel is materialised
    per channel and measured slower on both databases (docs/performance.md). The member's own
    messages need no filter: posting moves the author's read pointer past them."""
    pointers = [(int(c), int(p)) for c, p in pointers]
    part = "SELECT %s, COUNT(*) FROM chat_message WHERE channel_id = %s AND id > %s"
    counts: dict[int, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(pointers), UNREAD_BATCH):
            chunk = pointers[start : start + UNREAD_BATCH]
            cursor.execute(
                " UNION ALL ".join([part] * len(chunk)), [v for c, p in chunk for v in (c, c, p)]
            )
            counts.update((int(c), int(n)) for c, n in cursor.fetchall())
    return counts


def _active_memberships(user):
    return Membership.objects.filter(
        user=user, state=Membership.State.ACTIVE, channel__deleted_at__isnull=True
    )


def unread_counts(user) -> dict[int, int]:
    """``{channel_id: unread}`` for every channel the user is an active member of, in two
    queries: the read pointers, then every count in one statement (``unread_by_pointer``).
    Show counts with ``unread_label`` (99+ cap)."""
    if user is None or not user.is_authenticated:
        return {}
    pointers = _active_memberships(user).values_list("channel_id", "last_read_message_id")
    return unread_by_pointer(list(pointers))


def unread_count(membership: Membership) -> int:
    return Message.objects.filter(
        channel_id=membership.channel_id, id__gt=membership.last_read_message_id
    ).count()


def unread_total(user) -> int:
    """All unread messages across the user's channels (the header badge), two queries."""
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


def my_talks(user) -> list[TalkRow]:
    """Every channel the user belongs to (active or waiting for approval, not withdrawn),
    with unread count (exact: the API returns the number) and last message, latest activity
    first. Three queries: memberships, their unread counts, their last messages."""
    if user is None or not user.is_authenticated:
        return []
    last_id = (
        Message.objects.filter(channel_id=OuterRef("channel_id")).order_by("-id").values("id")[:1]
    )
    memberships = list(
        Membership.objects.filter(
            user=user,
            state__in=[Membership.State.ACTIVE, Membership.State.PENDING],
            hidden=False,
            channel__deleted_at__isnull=True,
        )
        .select_related("channel", "channel__store", "channel__goods", "channel__buyer")
        .annotate(
            last_id=Subquery(last_id),
            activity=Coalesce("channel__last_message_at", "joined_at", "channel__created_at"),
        )
        .order_by("-activity", "-channel_id")
    )
    active = [m for m in memberships if m.state == Membership.State.ACTIVE]
    unread = unread_by_pointer([(m.channel_id, m.last_read_message_id) for m in active])
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
                unread=0 if pending else unread.get(m.channel_id, 0),
                last_message=None if pending else last.get(m.last_id),
                last_activity=m.updated_at if pending else m.activity,
            )
        )
    return rows


def store_channel_of(store) -> Channel | None:
    """The store's own channel ("store talk"), for the store page's pane."""
    return (
        Channel.objects.select_related("store")
        .filter(store=store, kind=Channel.Kind.STORE, deleted_at__isnull=True)
        .first()
    )
