"""1:1 chats between one buyer and one store (all the store's staff share it)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from chat.exceptions import ChatError
from chat.models import Channel, Membership
from shop.models import Store, StoreStaff, Visibility


class OwnStore(ChatError):
    """You run this store: customers start 1:1 chats with you."""

    code = "own_store"


def channel_open_direct(*, store: Store, buyer) -> Channel:
    """The 1:1 channel between ``buyer`` and ``store``: created on first use, reopened for a
    buyer who left or withdrew it. The buyer and every owner/manager are active members."""
    if StoreStaff.objects.filter(store=store, user=buyer).exists():
        raise OwnStore()
    key = f"direct:{store.pk}:{buyer.pk}"
    try:
        with transaction.atomic():
            channel, _ = Channel.objects.get_or_create(
                key=key,
                defaults={
                    "kind": Channel.Kind.DIRECT,
                    "store": store,
                    "buyer": buyer,
                    "title": f"{store.name} · {buyer.name}",
                    "visibility": Visibility.CLOSED,
                },
            )
    except IntegrityError:  # two first clicks raced; the other one created it
        channel = Channel.objects.get(key=key)
    with transaction.atomic():
        now = timezone.now()
        people = [(buyer.pk, Membership.Role.MEMBER)] + [
            (
                staff.user_id,
                Membership.Role.OWNER
                if staff.role == StoreStaff.Role.OWNER
                else Membership.Role.MANAGER,
            )
            for staff in StoreStaff.objects.filter(store=store)
        ]
        for user_id, role in people:
            membership, created = Membership.objects.get_or_create(
                channel=channel,
                user_id=user_id,
                defaults={"role": role, "state": Membership.State.ACTIVE, "joined_at": now},
            )
            if not created and (membership.state != Membership.State.ACTIVE or membership.hidden):
                if membership.state == Membership.State.BANNED:
                    continue
                membership.state = Membership.State.ACTIVE
                membership.hidden = False
                membership.joined_at = now
                membership.save(update_fields=["state", "hidden", "joined_at", "updated_at"])
    return channel
