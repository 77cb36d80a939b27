"""The mileage (적립금) ledger. Every change locks the user's ``MileageAccount`` row first,
writes one immutable ``MileageEntry`` and moves ``balance`` with it, so the balance equals the
sum of the entries and can never go below zero (two checkouts at once: the second one waits
for the first and sees what is left).

Earnings become ``MileageLot`` rows with an expiry; spending takes from the lots that expire
first, and ``mileage expire`` removes what is left of expired lots.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.loyalty.exceptions import LoyaltyError
from shop.loyalty.models import LoyaltySettings, MileageAccount, MileageEntry, MileageLot

K = MileageEntry.Kind


def settings_for(store) -> LoyaltySettings:
    """The store's loyalty settings (created with the defaults on first use)."""
    found = LoyaltySettings.objects.filter(store=store).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return LoyaltySettings.objects.create(store=store)
    except IntegrityError:
        return LoyaltySettings.objects.get(store=store)


def balance_of(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return MileageAccount.objects.filter(user=user).values_list("balance", flat=True).first() or 0


def _ensure_account(user) -> None:
    if MileageAccount.objects.filter(user=user).exists():
        return
    try:
        with transaction.atomic():
            MileageAccount.objects.create(user=user)
    except IntegrityError:  # created by a concurrent first use
        pass


def lock_account(user) -> MileageAccount:
    """The user's account row, locked until the surrounding transaction ends."""
    _ensure_account(user)
    return MileageAccount.objects.select_for_update().get(user=user)


def _write(account, *, kind, amount, store=None, order=None, source="", note="", **extra):
    account.balance += amount
    if account.balance < 0:  # never: every caller checks first; refuse rather than write it
        raise LoyaltyError(_("Not enough mileage."), field="mileage")
    account.save(update_fields=["balance", "updated_at"])
    return MileageEntry.objects.create(
        user_id=account.user_id,
        kind=kind,
        amount=amount,
        balance_after=account.balance,
        store=store,
        order=order,
        source=source,
        note=note[:200],
        **extra,
    )


@transaction.atomic
def mileage_earn(
    *, user, amount: int, kind: str, store=None, order=None, source: str = "", note: str = ""
) -> MileageEntry | None:
    """Credit ``amount`` won (valid for the store's period). With a ``source``, at most once:
    a second call for the same source returns None."""
    if amount <= 0:
        return None
    account = lock_account(user)
    if source and MileageEntry.objects.filter(user=user, kind=kind, source=source).exists():
        return None
    days = settings_for(store).mileage_valid_days if store is not None else 365
    expires = timezone.now() + timedelta(days=days)
    entry = _write(
        account,
        kind=kind,
        amount=amount,
        store=store,
        order=order,
        source=source,
        note=note,
        expires_at=expires,
    )
    MileageLot.objects.create(
        user=user, entry=entry, amount=amount, remaining=amount, expires_at=expires
    )
    return entry


def _take(user, amount: int, *, prefer_lot_id: int | None = None) -> dict[str, int]:
    """Take ``amount`` from the user's lots (``prefer_lot_id`` first, then first to expire).
    Call with the account locked; returns {lot_id: won}."""
    taken: dict[str, int] = {}
    lots = list(MileageLot.objects.filter(user=user, remaining__gt=0).order_by("expires_at", "id"))
    lots.sort(key=lambda lot: lot.pk != prefer_lot_id)
    for lot in lots:
        if amount <= 0:
            break
        part = min(lot.remaining, amount)
        lot.remaining -= part
        lot.save(update_fields=["remaining"])
        taken[str(lot.pk)] = part
        amount -= part
    return taken


def mileage_spend(*, user, amount: int, store, order, account=None) -> MileageEntry:
    """Use ``amount`` won at checkout (inside the order's transaction)."""
    account = account or lock_account(user)
    if amount <= 0:
        raise LoyaltyError(_("Enter the mileage to use."), field="mileage")
    if amount > account.balance:
        raise LoyaltyError(
            _("You have %(n)s won of mileage: you cannot use more.")
            % {"n": f"{account.balance:,}"},
            field="mileage",
        )
    lots = _take(user, amount)
    return _write(
        account,
        kind=K.SPEND,
        amount=-amount,
        store=store,
        order=order,
        lots=lots,
        source=f"order:{order.pk}",
    )


def mileage_restore(*, entry: MileageEntry, note: str = "") -> MileageEntry | None:
    """Give back a spend (the order was cancelled): into the same lots, once."""
    account = lock_account(entry.user)
    source = f"restore:{entry.pk}"
    if MileageEntry.objects.filter(user_id=entry.user_id, kind=K.RESTORE, source=source).exists():
        return None
    for lot_id, part in (entry.lots or {}).items():
        lot = MileageLot.objects.filter(pk=int(lot_id), user_id=entry.user_id).first()
        if lot is not None:
            lot.remaining = min(lot.amount, lot.remaining + part)
            lot.save(update_fields=["remaining"])
    return _write(
        account,
        kind=K.RESTORE,
        amount=-entry.amount,
        store=entry.store,
        order=entry.order,
        source=source,
        note=note,
    )


@transaction.atomic
def mileage_reverse(*, entry: MileageEntry, amount: int | None = None, note: str = "") -> int:
    """Take back (up to) ``amount`` of an earning: from its own lot first, never more than
    the balance. Returns the won taken back (0 if nothing is left)."""
    account = lock_account(entry.user)
    wanted = entry.amount if amount is None else min(amount, entry.amount)
    already = -sum(
        MileageEntry.objects.filter(
            user_id=entry.user_id, kind=K.REVERSE, source=f"reverse:{entry.pk}"
        ).values_list("amount", flat=True)
    )
    wanted = min(wanted, entry.amount - already, account.balance)
    if wanted <= 0:
        return 0
    lot = getattr(entry, "lot", None)
    lots = _take(entry.user, wanted, prefer_lot_id=lot.pk if lot else None)
    _write(
        account,
        kind=K.REVERSE,
        amount=-wanted,
        store=entry.store,
        order=entry.order,
        source=f"reverse:{entry.pk}",
        lots=lots,
        note=note,
    )
    return wanted


def mileage_expire(*, now=None) -> tuple[int, int]:
    """Remove what is left of lots past their expiry. Returns (users, won). Idempotent."""
    now = now or timezone.now()
    users = 0
    total = 0
    user_ids = (
        MileageLot.objects.filter(expires_at__lte=now, remaining__gt=0)
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )
    for user_id in list(user_ids):
        with transaction.atomic():
            account = MileageAccount.objects.select_for_update().get(user_id=user_id)
            lots = list(
                MileageLot.objects.filter(user_id=user_id, expires_at__lte=now, remaining__gt=0)
            )
            amount = sum(lot.remaining for lot in lots)
            if not amount:
                continue
            taken = {str(lot.pk): lot.remaining for lot in lots}
            MileageLot.objects.filter(pk__in=[lot.pk for lot in lots]).update(remaining=0)
            _write(
                account,
                kind=K.EXPIRE,
                amount=-amount,
                lots=taken,
                note=_("Validity period over."),
            )
            users += 1
            total += amount
    return users, total


def mileage_expiring_soon(user, *, days: int = 30) -> int:
    """Won of the user's mileage that expires within ``days``."""
    limit = timezone.now() + timedelta(days=days)
    return sum(
        MileageLot.objects.filter(user=user, remaining__gt=0, expires_at__lte=limit).values_list(
            "remaining", flat=True
        )
    )
