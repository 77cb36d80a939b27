"""The buyer's address book: add, change, delete, choose the default."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from shop.orders.exceptions import OrderError
from shop.orders.models import Address

ADDRESS_FIELDS = ("recipient", "phone", "postcode", "address", "detail", "memo")
MAX_ADDRESSES = 20


def _clean(address: Address) -> None:
    address.full_clean(exclude=["user"])


@transaction.atomic
def address_create(*, user, fields: dict, make_default: bool = False) -> Address:
    if Address.objects.filter(user=user).count() >= MAX_ADDRESSES:
        raise OrderError(_("An address book holds at most %(n)d addresses.") % {"n": MAX_ADDRESSES})
    address = Address(user=user, **{k: fields.get(k, "") for k in ADDRESS_FIELDS})
    first = not Address.objects.filter(user=user).exists()
    address.is_default = make_default or first
    _clean(address)
    if address.is_default:
        Address.objects.filter(user=user, is_default=True).update(is_default=False)
    address.save()
    return address


@transaction.atomic
def address_update(*, address: Address, user, fields: dict, make_default: bool = False) -> Address:
    if address.user_id != user.pk:
        raise OrderError(_("That address is not in your address book."))
    for name in ADDRESS_FIELDS:
        if name in fields:
            setattr(address, name, fields[name])
    _clean(address)
    if make_default and not address.is_default:
        Address.objects.filter(user=user, is_default=True).update(is_default=False)
        address.is_default = True
    address.save()
    return address


@transaction.atomic
def address_delete(*, address: Address, user) -> None:
    if address.user_id != user.pk:
        raise OrderError(_("That address is not in your address book."))
    was_default = address.is_default
    address.delete()
    if was_default:
        nxt = Address.objects.filter(user=user).order_by("-created_at", "-id").first()
        if nxt is not None:
            nxt.is_default = True
            nxt.save(update_fields=["is_default"])


def default_address(user) -> Address | None:
    return Address.objects.filter(user=user).order_by("-is_default", "-created_at", "-id").first()
