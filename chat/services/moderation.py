"""Moderation: pinned notices, deleting messages (a tombstone stays) and members' reports.

Events after commit, to the channel's group:
- ``{"type": "chat.message", "message": message_to_dict(m)}`` when a message is deleted
  (``deleted: true``, empty body): panes replace the line with a tombstone;
- ``{"type": "chat.pins", "channel": id, "pins": [message_to_dict(m), ...]}`` when the pinned
  notices change (oldest pin first).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.access import access_channel_read, access_channel_write
from chat.exceptions import Archived, BadMessage, BadState, Forbidden, NotMember, PinLimit
from chat.groups import channel_group
from chat.models import Channel, Message, MessageFlag, Pin
from chat.serializers import message_to_dict
from chat.services.channels import channel_require_manager, is_platform_staff
from chat.services.messages import send_after_commit

MAX_REASON_CHARS = 200


def pinned_messages(channel: Channel) -> list[Message]:
    """The channel's pinned notices, oldest pin first (deleted messages drop out)."""
    return [
        pin.message
        for pin in Pin.objects.filter(channel=channel, message__deleted_at__isnull=True)
        .select_related("message__author")
        .order_by("pinned_at", "pk")
    ]


def _send_pins(channel: Channel) -> None:
    def payload() -> dict:
        return {
            "type": "chat.pins",
            "channel": channel.pk,
            "pins": [message_to_dict(m) for m in pinned_messages(channel)],
        }

    send_after_commit(channel_group(channel.pk), payload())


@transaction.atomic
def pin_add(*, message: Message, actor) -> Pin:
    """Pin a message at the top of its channel's pane (managers; at most 3 per channel)."""
    channel = message.channel
    channel_require_manager(actor=actor, channel=channel)
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if message.deleted_at is not None:
        raise BadState(_("A deleted message cannot be pinned."))
    existing = Pin.objects.filter(channel=channel, message=message).first()
    if existing:
        return existing
    if Pin.objects.filter(channel=channel).count() >= Pin.MAX_PER_CHANNEL:
        raise PinLimit(_("A channel can have at most 3 pinned notices: unpin one first."))
    pin = Pin.objects.create(channel=channel, message=message, pinned_by=actor)
    _send_pins(channel)
    return pin


@transaction.atomic
def pin_remove(*, message: Message, actor) -> None:
    """Unpin a message (managers)."""
    channel = message.channel
    channel_require_manager(actor=actor, channel=channel)
    deleted, _rows = Pin.objects.filter(channel=channel, message=message).delete()
    if not deleted:
        raise BadState(_("This message is not pinned."))
    _send_pins(channel)


@transaction.atomic
def message_delete(*, message: Message, actor) -> Message:
    """Delete a message: its author (own messages, while a member and the channel is not
    archived) or a manager (any message). The row stays as a tombstone ("deleted message");
    its pin goes and open reports on it are resolved."""
    message = Message.objects.select_for_update().select_related("channel").get(pk=message.pk)
    channel = message.channel
    if is_platform_staff(actor):
        pass
    else:
        channel, membership = access_channel_read(actor, channel.pk)
        if membership is None or not membership.is_manager:
            if message.author_id is None or message.author_id != actor.pk:
                raise Forbidden(_("Only the author or the channel's managers can delete it."))
            if membership is None or not membership.is_active:
                raise NotMember()
            if channel.is_archived:
                raise Archived()
    if message.deleted_at is not None:
        return message
    message.deleted_at = timezone.now()
    message.save(update_fields=["deleted_at"])
    MessageFlag.objects.filter(message=message, resolved_at__isnull=True).update(
        resolved_at=message.deleted_at, resolved_by=actor
    )
    had_pin, _rows = Pin.objects.filter(message=message).delete()
    send_after_commit(
        channel_group(channel.pk), {"type": "chat.message", "message": message_to_dict(message)}
    )
    if had_pin:
        _send_pins(channel)
    return message


@transaction.atomic
def message_flag(*, message: Message, reporter, reason: str = "") -> MessageFlag:
    """A member reports a message to the channel's managers. One report per reporter per
    message: reporting again returns the first report."""
    access_channel_write(reporter, message.channel_id)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_CHARS:
        raise BadMessage(_("The reason can be at most 200 characters."))
    if message.author_id == reporter.pk:
        raise Forbidden(_("You cannot report your own message."))
    if message.deleted_at is not None:
        raise BadState(_("This message was deleted already."))
    existing = MessageFlag.objects.filter(message=message, reporter=reporter).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return MessageFlag.objects.create(message=message, reporter=reporter, reason=reason)
    except IntegrityError:
        return MessageFlag.objects.get(message=message, reporter=reporter)


@transaction.atomic
def flag_resolve(*, flag: MessageFlag, actor) -> int:
    """Mark a report handled (keeping the message): every open report on the same message is
    resolved with it. Returns how many reports were resolved."""
    message = flag.message
    channel_require_manager(actor=actor, channel=message.channel)
    return MessageFlag.objects.filter(message=message, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=actor
    )
