"""Chat writes: one function per verb, atomic, live events only after commit."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction
from django.utils import timezone

from chat.exceptions import Archived, BadMessage, NotMember, TooLong
from chat.groups import channel_group
from chat.models import MAX_BODY_CHARS, Channel, Membership, Message
from chat.serializers import message_to_dict
from shop.models import Goods, Store, StoreStaff


def _send_after_commit(group: str, event: dict) -> None:
    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, event)

    transaction.on_commit(send)


@transaction.atomic
def channel_ensure_for_store(*, store: Store) -> Channel:
    """The store's own channel ("store talk"); its staff become owner/manager members."""
    channel, _ = Channel.objects.get_or_create(
        key=f"store:{store.pk}",
        defaults={
            "kind": Channel.Kind.STORE,
            "store": store,
            "title": store.name,
            "visibility": store.visibility,
            "description": store.description,
        },
    )
    _sync_staff_memberships(channel)
    return channel


@transaction.atomic
def channel_ensure_for_goods(*, goods: Goods) -> Channel:
    """The goods item's channel ("goods talk"), as open or closed as its store."""
    channel, _ = Channel.objects.get_or_create(
        key=f"goods:{goods.pk}",
        defaults={
            "kind": Channel.Kind.GOODS,
            "goods": goods,
            "store": goods.store,
            "title": goods.name,
            "visibility": goods.store.visibility,
        },
    )
    _sync_staff_memberships(channel)
    return channel


def _sync_staff_memberships(channel: Channel) -> None:
    now = timezone.now()
    for staff in StoreStaff.objects.filter(store=channel.store):
        role = (
            Membership.Role.OWNER
            if staff.role == StoreStaff.Role.OWNER
            else Membership.Role.MANAGER
        )
        membership, created = Membership.objects.get_or_create(
            channel=channel,
            user_id=staff.user_id,
            defaults={"role": role, "state": Membership.State.ACTIVE, "joined_at": now},
        )
        if not created and (membership.role != role or membership.state != Membership.State.ACTIVE):
            membership.role = role
            membership.state = Membership.State.ACTIVE
            membership.save(update_fields=["role", "state", "updated_at"])


@transaction.atomic
def membership_join(*, channel: Channel, user, invited_by=None) -> Membership:
    """Join an open channel (active at once) or ask to join a closed one (pending)."""
    state = Membership.State.PENDING if channel.is_closed else Membership.State.ACTIVE
    membership, created = Membership.objects.select_for_update().get_or_create(
        channel=channel,
        user=user,
        defaults={
            "state": state,
            "invited_by": invited_by,
            "joined_at": timezone.now() if state == Membership.State.ACTIVE else None,
        },
    )
    if not created and membership.state == Membership.State.LEFT:
        membership.state = state
        membership.hidden = False
        membership.joined_at = timezone.now() if state == Membership.State.ACTIVE else None
        membership.save(update_fields=["state", "hidden", "joined_at", "updated_at"])
    return membership


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
            _send_after_commit(
                channel_group(channel.pk), {"type": "chat.message", "message": payload}
            )
    except IntegrityError:
        # Two retries raced: the other one won; return its row.
        return Message.objects.get(channel=channel, author=author, client_id=client_id)
    return message
