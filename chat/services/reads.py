"""Read state: a member's read pointer only ever moves forward."""

from __future__ import annotations

from django.db import transaction

from chat.exceptions import BadMessage, NotMember
from chat.groups import channel_group, inbox_group
from chat.models import Channel, Membership, Message
from chat.services.messages import send_after_commit


@transaction.atomic
def read_mark(*, membership: Membership, up_to: int) -> int:
    """Move ``membership``'s read pointer forward to ``up_to`` (clamped to the channel's
    newest message; never backwards). Returns the pointer. When it moves, the user's
    ``/ws/inbox/`` sockets get ``unread {channel, count}`` and, in a 1:1 chat, the channel's
    sockets get ``read {user, up_to}`` (read receipts), after commit.

    The pointer lands on the channel's newest message at or before ``up_to`` and takes that
    message's ``seq`` along (``last_read_seq``: unread = channel's ``last_seq`` − it)."""
    from chat.selectors import unread_count

    try:
        up_to = int(up_to)
    except (TypeError, ValueError):
        raise BadMessage("up_to must be a message id.") from None
    if membership.state != Membership.State.ACTIVE:
        raise NotMember()
    up_to, seq = (
        Message.objects.filter(channel_id=membership.channel_id, id__lte=up_to)
        .order_by("-id")
        .values_list("id", "seq")
        .first()
    ) or (0, 0)
    moved = Membership.objects.filter(pk=membership.pk, last_read_message_id__lt=up_to).update(
        last_read_message_id=up_to, last_read_seq=seq
    )
    if not moved:
        membership.last_read_message_id, membership.last_read_seq = (
            Membership.objects.filter(pk=membership.pk)
            .values_list("last_read_message_id", "last_read_seq")
            .first()
        ) or (0, 0)
        return membership.last_read_message_id
    membership.last_read_message_id = up_to
    membership.last_read_seq = seq
    send_after_commit(
        inbox_group(membership.user_id),
        {
            "type": "inbox.event",
            "frame": {
                "type": "unread",
                "channel": membership.channel_id,
                "count": unread_count(membership),
                "read_up_to": up_to,
            },
        },
    )
    kind = Channel.objects.filter(pk=membership.channel_id).values_list("kind", flat=True).first()
    if kind == Channel.Kind.DIRECT:
        send_after_commit(
            channel_group(membership.channel_id),
            {"type": "chat.read", "user": membership.user_id, "up_to": up_to},
        )
    return up_to
