"""The one shape of a message on the wire (websocket frames and the JSON API)."""

from __future__ import annotations

from datetime import datetime

from chat.models import Message


def wire_dict(
    pk: int,
    channel_id: int,
    author_id: int | None,
    author_display_name: str | None,
    author_username: str | None,
    kind: str,
    body: str,
    data: dict,
    client_id: str | None,
    topic: str,
    created_at: datetime,
    deleted_at: datetime | None,
) -> dict:
    """A message as the client sees it, from its bare columns (``message_to_dict`` for a model
    instance; ``chat.selectors.history_rows`` reads the columns without one)."""
    deleted = deleted_at is not None
    return {
        "id": pk,
        "channel": channel_id,
        # User.name: the display name, or the username.
        "author": (
            {"id": author_id, "name": author_display_name or author_username}
            if author_id is not None
            else None
        ),
        "kind": kind,
        "body": "" if deleted else body,
        "data": {} if deleted else data,
        "client_id": client_id,
        "topic": topic,
        "created_at": created_at.isoformat(),
        "deleted": deleted,
    }


def message_to_dict(message: Message) -> dict:
    author = message.author
    return wire_dict(
        message.pk,
        message.channel_id,
        author.pk if author else None,
        author.display_name if author else None,
        author.username if author else None,
        message.kind,
        message.body,
        message.data,
        message.client_id,
        message.topic,
        message.created_at,
        message.deleted_at,
    )
