"""Joining, leaving and the states of a membership."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from chat.models import Channel, Membership


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
