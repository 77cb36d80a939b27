"""Who may see what of a store. Closed stores hide prices and details from non-members."""

from __future__ import annotations

from shop.models import Store, StoreStaff


def store_role(user, store: Store) -> str | None:
    """``owner``, ``manager`` or None for this user in this store."""
    if user is None or not user.is_authenticated:
        return None
    return StoreStaff.objects.filter(store=store, user=user).values_list("role", flat=True).first()


def is_store_member(user, store: Store) -> bool:
    """Staff of the store, or an active member of its store channel."""
    if user is None or not user.is_authenticated:
        return False
    if store_role(user, store):
        return True
    from chat.models import Channel, Membership

    return Membership.objects.filter(
        user=user,
        state=Membership.State.ACTIVE,
        channel__store=store,
        channel__kind=Channel.Kind.STORE,
    ).exists()


def can_see_member_content(user, store: Store) -> bool:
    """Prices, options and details: everyone for an open store, members for a closed one."""
    return not store.is_closed or is_store_member(user, store)


def member_store_ids(user) -> set[int]:
    """Ids of every store whose member-only content this user may see (one query each)."""
    if user is None or not user.is_authenticated:
        return set()
    from chat.models import Channel, Membership

    ids = set(StoreStaff.objects.filter(user=user).values_list("store_id", flat=True))
    ids.update(
        Membership.objects.filter(
            user=user, state=Membership.State.ACTIVE, channel__kind=Channel.Kind.STORE
        ).values_list("channel__store_id", flat=True)
    )
    return ids


def access_store_manage(user, slug: str, *, owner_only: bool = False) -> tuple[Store, str]:
    """The store at ``slug`` and the user's role in it, for the seller pages.

    Someone who runs no part of the store gets the same 404 as for a missing store; a manager
    asking for an owner-only page gets PermissionDenied (403).
    """
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    if user is None or not user.is_authenticated:
        raise Http404
    store = Store.objects.filter(slug=slug).first()
    role = store_role(user, store) if store is not None else None
    if role is None:
        raise Http404
    if owner_only and role != StoreStaff.Role.OWNER:
        raise PermissionDenied
    return store, role


def managed_store_ids(user) -> set[int]:
    """Stores this user runs (owner or manager)."""
    if user is None or not user.is_authenticated:
        return set()
    return set(StoreStaff.objects.filter(user=user).values_list("store_id", flat=True))
