"""Posting messages: persist, then ring the channel's group after commit."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction

from chat.exceptions import Archived, BadMessage, NotMember, TooLong
from chat.groups import channel_group
from chat.models import MAX_BODY_CHARS, Channel, Membership, Message
from chat.serializers import message_to_dict


def send_after_commit(group: str, event: dict) -> None:
    """group_send ``event`` once the current transaction commits (never for a rollback)."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, event)

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


def message_post(
    *,
    channel: Channel,
    author,
    body: str,
    client_id: str | None = None,
    topic: str = "",
    kind: str = Message.Kind.TEXT,
    data: dict | None = None,
) -> Message:
    """Store a message, then (after commit) ring the channel's group.

    A retried send with the same ``client_id`` returns the first message: one row.
    ``author=None`` posts a system/bot message without membership checks.
    """
    text = clean_body(body) if kind == Message.Kind.TEXT else (body or "").strip()
    if client_id is not None:
        client_id = str(client_id)[:64] or None
    if channel.is_archived:
        raise Archived()
    if author is not None:
        if not Membership.objects.filter(
            channel=channel, user=author, state=Membership.State.ACTIVE
        ).exists():
            raise NotMember()
        if client_id:
            existing = Message.objects.filter(
                channel=channel, author=author, client_id=client_id
            ).first()
            if existing:
                return existing
    try:
        with transaction.atomic():
            message = Message.objects.create(
                channel=channel,
                author=author,
                kind=kind,
                body=text,
                data=data or {},
                client_id=client_id,
                topic=(topic or "")[:100],
            )
            Channel.objects.filter(pk=channel.pk).update(last_message_at=message.created_at)
            payload = message_to_dict(message)
            send_after_commit(
                channel_group(channel.pk), {"type": "chat.message", "message": payload}
            )
    except IntegrityError:
        # Two retries raced: the other one won; return its row.
        return Message.objects.get(channel=channel, author=author, client_id=client_id)
    return message
