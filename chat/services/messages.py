"""Posting messages: persist, then ring the channel's group (and members' inboxes) after commit.

Also the per-user send rate limit used by the websocket consumer (and any other entry point
that lets a person post): at most ``RATE_LIMIT_COUNT`` messages in ``RATE_LIMIT_SECONDS``.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from contextlib import nullcontext

from channels.layers import get_channel_layer
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from chat.exceptions import Archived, BadMessage, NotMember, TooLong
from chat.groups import INBOXES, channel_group
from chat.models import MAX_BODY_CHARS, Channel, Membership, Message
from chat.serializers import message_to_dict
from chat.signals import message_posted
from chat.writer import current_batch

# TALKMALL_CHAT_RATE_LIMIT=0 lifts the limit (benchmarks and fault tests only).
RATE_LIMIT_COUNT = int(os.environ.get("TALKMALL_CHAT_RATE_LIMIT", "10"))
RATE_LIMIT_SECONDS = 5.0
PREVIEW_CHARS = 80


def send_after_commit(group: str, event: dict) -> None:
    """group_send ``event`` once the current transaction commits (never for a rollback).
    A layer that cannot be reached is logged, not raised: the row is committed, and the
    fan-out closes its sockets when the layer is down so clients resume from the database."""

    def send() -> None:
        from chat import fanout

        fanout.publish(group, event, get_channel_layer())

    transaction.on_commit(send)


def clean_body(body: object) -> str:
    """1..2000 characters after trimming, or a typed error."""
    if not isinstance(body, str):
        raise BadMessage("The message must be text.")
    text = body.strip()
    if not text:
        raise BadMessage("The message is empty.")
    if len(text) > MAX_BODY_CHARS:
        raise TooLong(f"The message is longer than {MAX_BODY_CHARS} characters.")
    return text


def message_preview(message: Message | None) -> dict | None:
    """The short form shown in My talks and sent in inbox ``unread`` frames."""
    if message is None:
        return None
    author = message.author
    deleted = message.deleted_at is not None
    body = "" if deleted else " ".join(message.body.split())
    if len(body) > PREVIEW_CHARS:
        body = body[: PREVIEW_CHARS - 1] + "…"
    return {
        "id": message.pk,
        "author": author.name if author else "",
        "kind": message.kind,
        "body": body,
        "deleted": deleted,
        "created_at": message.created_at.isoformat(),
    }


class RateLimiter:
    """Sliding window: at most ``count`` events per key in ``seconds``. Process-local and
    thread-safe; the websocket consumer keys it by user id, so the limit holds across all of
    a user's sockets served by one process (not across processes)."""

    def __init__(self, count: int = RATE_LIMIT_COUNT, seconds: float = RATE_LIMIT_SECONDS):
        self.count = count
        self.seconds = seconds
        self._events: dict[object, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: object, *, now: float | None = None) -> bool:
        """Record one event for ``key`` and say whether it is within the limit. A refused
        event is not recorded (it does not extend the wait)."""
        if self.count <= 0:
            return True
        now = time.monotonic() if now is None else now
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.seconds:
                events.popleft()
            if len(events) >= self.count:
                return False
            events.append(now)
            if len(self._events) > 10_000:  # forget idle keys now and then
                for idle in [k for k, v in self._events.items() if not v or v[-1] <= now - 60]:
                    del self._events[idle]
            return True

    def reset(self) -> None:
        with self._lock:
            self._events.clear()


send_rate_limiter = RateLimiter()


def message_rate_allow(*, user_id: int, now: float | None = None) -> bool:
    """May this user post one more message now? (10 in 5 s, per process; see RateLimiter)."""
    return send_rate_limiter.allow(user_id, now=now)


def message_post(
    *,
    channel: Channel,
    author,
    body: str,
    client_id: str | None = None,
    topic: str = "",
    kind: str = Message.Kind.TEXT,
    data: dict | None = None,
    member_checked: bool = False,
) -> Message:
    """Store a message, then (after commit) ring the channel's group and the active members'
    inboxes (their unread counts in one ``INBOXES`` event per channel, coalesced under the
    server: ``_inbox_fanout``).

    A retried send with the same ``client_id`` returns the first message: one row. The
    returned message has ``is_replay = True`` in that case (nothing is broadcast again, so a
    caller that acknowledges sends must answer the sender itself).
    ``author=None`` posts a system/bot message without membership checks. Posting moves the
    author's read pointer to their own message. ``member_checked=True``: the caller has just
    checked the author's active membership in this same call (the websocket consumer's
    per-frame access check), so it is not queried twice.
    """
    text = clean_body(body) if kind == Message.Kind.TEXT else (body or "").strip()
    if client_id is not None:
        client_id = str(client_id)[:64] or None
    if channel.is_archived:
        raise Archived()
    if (
        author is not None
        and not member_checked
        and not Membership.objects.filter(
            channel=channel, user=author, state=Membership.State.ACTIVE
        ).exists()
    ):
        raise NotMember()
    # No savepoint of its own (``savepoint=False``): inside the writer's batch transaction a
    # send costs two statements fewer. A retried ``client_id`` fails only its INSERT, which
    # leaves the transaction usable (``_insert``); any other error dooms the caller's
    # transaction, as it should.
    with transaction.atomic(savepoint=False):
        try:
            message, prev = _insert(
                channel, author, kind, text, data or {}, client_id, (topic or "")[:100]
            )
        except IntegrityError:
            # A retried send: its client_id is taken (uniq_message_client_id). Return that row.
            existing = (
                Message.objects.select_related("author")
                .filter(channel=channel, author=author, client_id=client_id)
                .first()
                if author is not None and client_id
                else None
            )
            if existing is None:
                raise
            existing.is_replay = True
            return existing
        payload = {**message_to_dict(message), "prev": prev}
        send_after_commit(channel_group(channel.pk), {"type": "chat.message", "message": payload})
        transaction.on_commit(lambda: _inbox_fanout_soon(message))
        transaction.on_commit(lambda: message_posted.send(sender=Message, message=message))
    message.is_replay = False
    return message


# The post path in plain statements (every send runs them: docs/performance.md, "Post path").
_LOCK_SQL = (
    "SELECT c.last_seq, (SELECT MAX(m.id) FROM chat_message m WHERE m.channel_id = c.id)"
    " FROM chat_channel c WHERE c.id = %s"
)
_INSERT_FIELDS = [
    Message._meta.get_field(name)
    for name in (
        "channel",
        "author",
        "kind",
        "body",
        "data",
        "client_id",
        "topic",
        "created_at",
        "seq",
    )
]
_CREATED_AT = [field.name for field in _INSERT_FIELDS].index("created_at")
_INSERT_SQL = "INSERT INTO chat_message ({}) VALUES ({})".format(  # noqa: S608 - model columns
    ", ".join(field.column for field in _INSERT_FIELDS),
    ", ".join(["%s"] * len(_INSERT_FIELDS)),
)
_CHANNEL_SQL = "UPDATE chat_channel SET last_seq = %s, last_message_at = %s WHERE id = %s"
_READ_SQL = (
    "UPDATE chat_membership SET last_read_message_id = %s, last_read_seq = %s"
    " WHERE channel_id = %s AND user_id = %s AND last_read_message_id < %s"
)


def _insert(channel, author, kind, body, data, client_id, topic) -> tuple[Message, int]:
    """In the caller's transaction: lock the channel row (first: the INSERT's foreign key
    takes a shared lock on it and the UPDATE an exclusive one, so two processes posting at
    once deadlocked MariaDB without it) and read the previous message id with it (live frames
    carry it as ``prev``: a client that never got it resumes), insert the message with the
    channel's next ``seq``, move the channel's counters and the author's read pointer to it.
    Plain statements, what ``Message.save`` does through the ORM without compiling queries;
    ``post_save`` is sent as that would (the search index). Returns the message and ``prev``
    (0: none)."""
    now = timezone.now()
    message = Message(
        channel=channel, author=author, kind=kind, body=body, data=data,
        client_id=client_id, topic=topic, created_at=now,
    )  # fmt: skip
    features = connection.features
    batch = current_batch()
    key = ("channel", channel.pk)
    with connection.cursor() as cursor:
        if batch is not None and key in batch.state:
            # Locked by an earlier send of this batch, which also knows the newest message.
            last_seq, prev, _at = batch.state[key]
        else:
            lock = " FOR UPDATE" if features.has_select_for_update else ""
            cursor.execute(_LOCK_SQL + lock, [channel.pk])
            last_seq, prev = cursor.fetchone()
            prev = prev or 0
        message.seq = last_seq + 1
        values = [
            field.get_db_prep_save(getattr(message, field.attname), connection)
            for field in _INSERT_FIELDS
        ]
        # A taken client_id fails this statement alone on SQLite and MariaDB (the statement
        # is rolled back, the transaction goes on); PostgreSQL aborts the whole transaction
        # on any error, so there the INSERT gets a savepoint of its own.
        with transaction.atomic() if connection.vendor == "postgresql" else nullcontext():
            if features.can_return_columns_from_insert:
                cursor.execute(_INSERT_SQL + " RETURNING id", values)
                message.pk = cursor.fetchone()[0]
            else:
                cursor.execute(_INSERT_SQL, values)
                message.pk = cursor.lastrowid
        if batch is None:
            cursor.execute(_CHANNEL_SQL, [message.seq, values[_CREATED_AT], channel.pk])
        else:  # the channel's counters once per batch, from its last send
            batch.state[key] = (message.seq, message.pk, values[_CREATED_AT])
            batch.at_end(key, lambda: _update_channel(channel.pk, batch.state[key]))
        if author is not None:
            cursor.execute(_READ_SQL, [message.pk, message.seq, channel.pk, author.pk, message.pk])
    message._state.adding = False
    message._state.db = connection.alias
    post_save.send(
        sender=Message, instance=message, created=True, update_fields=None, raw=False,
        using=connection.alias,
    )  # fmt: skip
    return message, prev


def _update_channel(channel_id: int, newest: tuple) -> None:
    last_seq, _last_id, last_at = newest
    with connection.cursor() as cursor:
        cursor.execute(_CHANNEL_SQL, [last_seq, last_at, channel_id])


def _unread_among(newest: list[int], pointer: int) -> int:
    """How many of ``newest`` (a channel's newest ids, newest first) are after ``pointer``."""
    for n, message_id in enumerate(newest):
        if message_id <= pointer:
            return n
    return len(newest)


def _inbox_fanout_soon(message: Message) -> None:
    """Under the server, the members' inbox counts of a busy channel are sent once per
    ``fanout.COALESCE`` window (with the newest message), not once per message: one unread
    query per window instead of one per message (docs/performance.md, Realtime)."""
    from chat import fanout

    channel_id = message.channel_id
    if not fanout.coalesce(("inbox", channel_id), lambda: _inbox_fanout_latest(channel_id)):
        _inbox_fanout(message)


def _inbox_fanout_latest(channel_id: int) -> None:
    latest = (
        Message.objects.select_related("author").filter(channel_id=channel_id).order_by("-id")
    ).first()
    if latest is not None:
        _inbox_fanout(latest)


def _inbox_fanout(message: Message) -> None:
    """Tell every active member's ``/ws/inbox/`` about the new message, with their unread
    count: two queries for all members, then **one** group event for the whole channel
    (``INBOXES``: each process hands the counts of its own inbox sockets on, see
    ``InboxConsumer.hub_event``), not one per member. The counts are capped at 100 (the
    inbox shows 99+ beyond) and come from the channel's newest 100 message ids, so a member
    who never reads a busy channel costs nothing extra."""
    from chat import fanout
    from chat.selectors import UNREAD_CAP

    newest = list(
        Message.objects.filter(channel_id=message.channel_id)
        .order_by("-id")
        .values_list("id", flat=True)[: UNREAD_CAP + 1]
    )
    counts = [
        [user_id, _unread_among(newest, pointer)]
        for user_id, pointer in Membership.objects.filter(
            channel_id=message.channel_id, state=Membership.State.ACTIVE
        ).values_list("user_id", "last_read_message_id")
    ]
    layer = get_channel_layer()
    if layer is None or not counts:
        return
    event = {
        "type": "inbox.unread",
        "channel": message.channel_id,
        "last_message": message_preview(message),
        "counts": counts,
    }
    fanout.publish(INBOXES, event, layer)
