"""Channel lifecycle: the channels that stores and goods own."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from chat.models import Channel, Membership
from shop.models import Goods, Store, StoreStaff


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
