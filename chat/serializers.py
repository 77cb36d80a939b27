"""The one shape of a message on the wire (websocket frames and the JSON API)."""

from __future__ import annotations

from chat.models import Message


def message_to_dict(message: Message) -> dict:
    author = message.author
    deleted = message.deleted_at is not None
    return {
        "id": message.pk,
        "channel": message.channel_id,
        "author": {"id": author.pk, "name": author.name} if author else None,
        "kind": message.kind,
        "body": "" if deleted else message.body,
        "data": {} if deleted else message.data,
        "client_id": message.client_id,
        "topic": message.topic,
        "created_at": message.created_at.isoformat(),
        "deleted": deleted,
    }
