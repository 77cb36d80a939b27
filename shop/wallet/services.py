"""Saved cards: save (through the gateway's billing-token API), rename, make default, delete.
Only the token and the last 4 digits are stored; the card number is never kept."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from shop.orders.exceptions import PaymentError
from shop.orders.models import PaymentMethod
from shop.orders.payments import get_provider
from shop.wallet.models import SavedCard

MAX_CARDS = 5
MAX_LABEL_CHARS = 40


def cards_of(user) -> list[SavedCard]:
    if user is None or not user.is_authenticated:
        return []
    return list(SavedCard.objects.filter(user=user))


def card_of(user, card_id) -> SavedCard:
    """The user's own saved card, or PaymentError (someone else's looks like a missing one)."""
    card = None
    if user is not None and user.is_authenticated and str(card_id or "").isdigit():
        card = SavedCard.objects.filter(user=user, pk=int(card_id)).first()
    if card is None:
        raise PaymentError(_("That saved card is not one of yours."))
    return card


def _clean_label(label: str) -> str:
    label = " ".join((label or "").split())
    if len(label) > MAX_LABEL_CHARS:
        raise PaymentError(_("A card name can be at most 40 characters."))
    return label


@transaction.atomic
def card_save(*, user, card_number: str, label: str = "", make_default: bool = False) -> SavedCard:
    label = _clean_label(label)
    if SavedCard.objects.select_for_update().filter(user=user).count() >= MAX_CARDS:
        raise PaymentError(_("You can save at most 5 cards: delete one first."))
    provider = get_provider(PaymentMethod.TEST_CARD)
    billing = provider.create_billing_token(card_number=card_number)
    first = not SavedCard.objects.filter(user=user).exists()
    if make_default and not first:
        SavedCard.objects.filter(user=user, is_default=True).update(is_default=False)
    return SavedCard.objects.create(
        user=user,
        provider=PaymentMethod.TEST_CARD,
        token=billing.token,
        last4=billing.last4,
        label=label,
        is_default=first or make_default,
    )


@transaction.atomic
def card_rename(*, user, card_id, label: str) -> SavedCard:
    card = card_of(user, card_id)
    card.label = _clean_label(label)
    card.save(update_fields=["label"])
    return card


@transaction.atomic
def card_set_default(*, user, card_id) -> SavedCard:
    card = card_of(user, card_id)
    SavedCard.objects.select_for_update().filter(user=user).exclude(pk=card.pk).update(
        is_default=False
    )
    card.is_default = True
    card.save(update_fields=["is_default"])
    return card


@transaction.atomic
def card_delete(*, user, card_id) -> None:
    card = card_of(user, card_id)
    get_provider(card.provider).revoke_billing_token(token=card.token)
    was_default = card.is_default
    card.delete()
    if was_default:
        successor = SavedCard.objects.filter(user=user).order_by("-created_at", "-id").first()
        if successor is not None:
            successor.is_default = True
            successor.save(update_fields=["is_default"])
