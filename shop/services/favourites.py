"""Favourites: a buyer's stores and goods to come back to."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from shop.exceptions import NotAllowed
from shop.models import FavouriteGoods, FavouriteStore, Goods, Store


def _require_user(user) -> None:
    if user is None or not user.is_authenticated:
        from django.utils.translation import gettext as _

        raise NotAllowed(_("Sign in to keep favourites."))


@transaction.atomic
def favourite_store_set(*, user, store: Store, on: bool) -> bool:
    """Add (``on``) or remove the store from the user's favourites; returns the new state."""
    _require_user(user)
    if on:
        try:
            with transaction.atomic():
                FavouriteStore.objects.get_or_create(user=user, store=store)
        except IntegrityError:  # a double click raced us: it is a favourite either way
            pass
    else:
        FavouriteStore.objects.filter(user=user, store=store).delete()
    return on


@transaction.atomic
def favourite_goods_set(*, user, goods: Goods, on: bool) -> bool:
    """Add (``on``) or remove the goods from the user's favourites; returns the new state."""
    _require_user(user)
    if on:
        try:
            with transaction.atomic():
                FavouriteGoods.objects.get_or_create(user=user, goods=goods)
        except IntegrityError:
            pass
    else:
        FavouriteGoods.objects.filter(user=user, goods=goods).delete()
    return on


def favourite_store_toggle(*, user, store: Store) -> bool:
    """Flip the store's favourite state; returns True when it is a favourite now."""
    _require_user(user)
    on = not FavouriteStore.objects.filter(user=user, store=store).exists()
    return favourite_store_set(user=user, store=store, on=on)


def favourite_goods_toggle(*, user, goods: Goods) -> bool:
    """Flip the goods' favourite state; returns True when it is a favourite now."""
    _require_user(user)
    on = not FavouriteGoods.objects.filter(user=user, goods=goods).exists()
    return favourite_goods_set(user=user, goods=goods, on=on)
