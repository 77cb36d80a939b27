"""Store settings and staff: profile, delivery, settlement, visibility, managers."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.exceptions import StaffError
from shop.images import COVER_BOX, LOGO_BOX, resize_image
from shop.models import Goods, Store, StoreStaff
from shop.services.applications import grant_seller_admin, revoke_seller_admin

PROFILE_FIELDS = (
    "name",
    "description",
    "category",
    "business_hours",
    "contact_phone",
    "contact_email",
    "visibility",
    "invite_needs_approval",
)
DELIVERY_FIELDS = (
    "courier",
    "shipping_fee",
    "free_shipping_threshold",
    "island_extra_fee",
    "dispatch_days",
    "return_policy",
    "return_address",
    "return_shipping_fee",
)
SETTLEMENT_FIELDS = ("bank_name", "bank_account_number", "bank_account_holder")


def require_store_staff(actor, store: Store, *, owner: bool = False) -> str:
    """The actor's role in the store, or PermissionDenied (superusers act as owners)."""
    if actor is not None and getattr(actor, "is_superuser", False):
        return StoreStaff.Role.OWNER
    role = (
        StoreStaff.objects.filter(store=store, user=actor).values_list("role", flat=True).first()
        if actor is not None and actor.is_authenticated
        else None
    )
    if role is None or (owner and role != StoreStaff.Role.OWNER):
        raise PermissionDenied
    return role


def _fresh(store: Store) -> Store:
    """The row as stored, locked (a ModelForm may have changed the caller's instance)."""
    return Store.objects.select_for_update().get(pk=store.pk)


def _apply(store: Store, fields: dict, allowed: tuple[str, ...]) -> list[str]:
    changed = []
    for name in allowed:
        if name in fields and getattr(store, name) != fields[name]:
            setattr(store, name, fields[name])
            changed.append(name)
    return changed


@transaction.atomic
def store_update_profile(
    *,
    store: Store,
    actor,
    fields: dict,
    logo=None,
    cover=None,
    remove_logo: bool = False,
    remove_cover: bool = False,
) -> Store:
    """Profile and open/closed setting. Images are resized with Pillow before they are stored."""
    require_store_staff(actor, store)
    store = _fresh(store)
    old_visibility = store.visibility
    changed = _apply(store, fields, PROFILE_FIELDS)
    if remove_logo and store.logo:
        store.logo.delete(save=False)
        changed.append("logo")
    if remove_cover and store.cover:
        store.cover.delete(save=False)
        changed.append("cover")
    if logo is not None:
        resized = resize_image(logo, LOGO_BOX, prefix="logo")
        store.logo.save(resized.name, resized, save=False)
        changed.append("logo")
    if cover is not None:
        resized = resize_image(cover, COVER_BOX, prefix="cover")
        store.cover.save(resized.name, resized, save=False)
        changed.append("cover")
    store.full_clean()
    if changed:
        store.save(update_fields=sorted(set(changed)))
    if store.visibility != old_visibility or "name" in changed or "description" in changed:
        _sync_channels(store)
    return store


def _sync_channels(store: Store) -> None:
    """A store's own and goods channels follow its visibility (and the store talk its name)."""
    from chat.models import Channel

    Channel.objects.filter(store=store, kind__in=[Channel.Kind.STORE, Channel.Kind.GOODS]).update(
        visibility=store.visibility
    )
    Channel.objects.filter(store=store, kind=Channel.Kind.STORE).update(
        title=store.name, description=store.description
    )


@transaction.atomic
def store_update_delivery(*, store: Store, actor, fields: dict) -> Store:
    require_store_staff(actor, store)
    store = _fresh(store)
    changed = _apply(store, fields, DELIVERY_FIELDS)
    store.full_clean()
    if changed:
        store.save(update_fields=changed)
    return store


@transaction.atomic
def store_update_settlement(*, store: Store, actor, fields: dict) -> Store:
    """The settlement bank account: the owner only."""
    require_store_staff(actor, store, owner=True)
    store = _fresh(store)
    changed = _apply(store, fields, SETTLEMENT_FIELDS)
    store.full_clean()
    if changed:
        store.save(update_fields=changed)
    return store


def _find_user(identifier: str):
    User = get_user_model()
    text = (identifier or "").strip()
    if not text:
        return None
    matches = list(User.objects.filter(Q(username__iexact=text) | Q(email__iexact=text))[:2])
    return matches[0] if len(matches) == 1 else None


@transaction.atomic
def store_staff_add(*, store: Store, actor, identifier: str) -> StoreStaff:
    """The owner adds a manager by username or e-mail; they join the store's channels as staff."""
    from chat.services.channels import channel_ensure_for_goods, channel_ensure_for_store

    require_store_staff(actor, store, owner=True)
    user = _find_user(identifier)
    if user is None or not user.is_active:
        raise StaffError(
            _("No one has the username or e-mail “%(who)s”.") % {"who": identifier.strip()},
            field="identifier",
        )
    if StoreStaff.objects.filter(store=store, user=user).exists():
        raise StaffError(
            _("%(name)s already runs this store.") % {"name": user.name}, field="identifier"
        )
    staff = StoreStaff.objects.create(store=store, user=user, role=StoreStaff.Role.MANAGER)
    grant_seller_admin(user)
    channel_ensure_for_store(store=store)
    for goods in Goods.objects.filter(store=store, deleted_at__isnull=True):
        channel_ensure_for_goods(goods=goods)
    return staff


@transaction.atomic
def store_staff_remove(*, store: Store, actor, staff: StoreStaff) -> None:
    """The owner removes a manager; they leave the staff side of the store's channels."""
    require_store_staff(actor, store, owner=True)
    if staff.store_id != store.pk:
        raise StaffError(_("This person does not run this store."))
    if staff.role == StoreStaff.Role.OWNER:
        raise StaffError(_("The owner cannot be removed."))
    user = staff.user
    staff.delete()
    staff_memberships_leave(store=store, user=user)
    revoke_seller_admin(user)


def staff_memberships_leave(*, store: Store, user) -> int:
    """Turn a former manager's memberships in the store's channels into left members."""
    from chat.models import Membership

    return Membership.objects.filter(channel__store=store, user=user).update(
        role=Membership.Role.MEMBER, state=Membership.State.LEFT, updated_at=timezone.now()
    )
