"""Writing the index: one call per message, or in bulk for a rebuild."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction

from chat.models import Message
from chat.search.tokens import index_tokens
from chat.writer import current_batch

TABLE = "chatsearch_posting"
INSERT = f"INSERT INTO {TABLE} (token, message_id, channel_id) VALUES (%s, %s, %s)"  # noqa: S608


def is_indexable(message: Message) -> bool:
    """Deleted messages and system notices (joined, renamed …) are not searchable."""
    return (
        message.deleted_at is None
        and message.kind != Message.Kind.SYSTEM
        and bool((message.body or "").strip())
    )


def posting_rows(message_id: int, channel_id: int, body: str) -> list[tuple[str, int, int]]:
    return [(token, message_id, channel_id) for token in sorted(index_tokens(body))]


def index_message(message: Message, *, new: bool = False) -> int:
    """(Re)index one message: its old postings go, the current body's come in. A deleted or
    system message ends up with none. ``new=True`` skips the delete for a fresh row.
    Returns the number of postings written."""
    rows = (
        posting_rows(message.pk, message.channel_id, message.body) if is_indexable(message) else []
    )
    batch = current_batch()
    if new and batch is not None:
        # A writer batch: its messages' postings go in with one INSERT before it commits.
        pending = batch.state.setdefault(TABLE, [])
        pending.extend(rows)
        batch.at_end(TABLE, lambda: insert_postings(pending))
        return len(rows)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if not new:
            cursor.execute(f"DELETE FROM {TABLE} WHERE message_id = %s", [message.pk])  # noqa: S608
        if rows:
            cursor.executemany(INSERT, rows)
    return len(rows)


def unindex_message(message_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE message_id = %s", [message_id])  # noqa: S608


def insert_postings(rows: Iterable[tuple[str, int, int]]) -> None:
    """Bulk insert (the caller batches; the benchmark feeds a million messages through this)."""
    rows = list(rows)
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(INSERT, rows)


def reindex(
    *,
    channel_id: int | None = None,
    batch: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Rebuild the postings of one channel (or all), oldest message first, in keyset batches.
    Returns the number of messages indexed; ``progress(done, total)`` after each batch."""
    messages = Message.objects.all()
    if channel_id is not None:
        messages = messages.filter(channel_id=channel_id)
    total = messages.count()
    with connection.cursor() as cursor:
        if channel_id is None:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        else:
            cursor.execute(f"DELETE FROM {TABLE} WHERE channel_id = %s", [channel_id])  # noqa: S608
    done = indexed = 0
    last = 0
    while True:
        chunk = list(
            messages.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "channel_id", "kind", "body", "deleted_at")[:batch]
        )
        if not chunk:
            break
        rows: list[tuple[str, int, int]] = []
        for pk, chan, kind, body, deleted_at in chunk:
            if deleted_at is None and kind != Message.Kind.SYSTEM and (body or "").strip():
                rows.extend(posting_rows(pk, chan, body))
                indexed += 1
        with transaction.atomic():
            insert_postings(rows)
        last = chunk[-1][0]
        done += len(chunk)
        if progress:
            progress(done, total)
    return indexed
