"""Coupons: creating, issuing to segments, taking one by code or link, and the checks.

Using a coupon happens at checkout (``shop.loyalty.checkout``): the coupon row is locked,
the uses counted and ``used_count`` moved in the order's transaction, so a coupon is never
used more often than its quantity or per-customer limit, even with checkouts at once.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.access import store_role
from shop.exceptions import NotAllowed
from shop.loyalty.exceptions import LoyaltyError
from shop.loyalty.models import Coupon, OrderBenefit, UserCoupon
from shop.loyalty.services.segments import segment_user_ids

CODE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_CHARS) for _ in range(8))
        if not Coupon.objects.filter(code=code).exists():
            return code


def require_staff(actor, store) -> None:
    if store_role(actor, store) is None:
        raise NotAllowed(_("Only the store's staff can do this."))


def uses_by(coupon: Coupon, user) -> int:
    return OrderBenefit.objects.filter(
        coupon=coupon, user=user, kind=OrderBenefit.Kind.COUPON, released_at__isnull=True
    ).count()


def coupon_problem(coupon: Coupon, *, user, subtotal: int | None = None, now=None) -> str:
    """Why ``user`` cannot use ``coupon`` now (on an order of ``subtotal``), or ""."""
    now = now or timezone.now()
    if not coupon.active:
        return _("This coupon was withdrawn by the store.")
    if now < coupon.starts_at:
        return _("This coupon is valid from %(at)s.") % {
            "at": timezone.localtime(coupon.starts_at).strftime("%Y-%m-%d %H:%M")
        }
    if now >= coupon.ends_at:
        return _("This coupon has expired.")
    if coupon.sold_out:
        return _("This coupon has run out.")
    if uses_by(coupon, user) >= coupon.per_user_limit:
        return _("You have used this coupon as often as allowed.")
    if subtotal is not None and subtotal < coupon.min_order:
        return _("This coupon needs an order of at least %(n)s won.") % {
            "n": f"{coupon.min_order:,}"
        }
    return ""


def _give(coupon: Coupon, user_id: int, via: str) -> bool:
    try:
        with transaction.atomic():
            UserCoupon.objects.create(coupon=coupon, user_id=user_id, via=via)
    except IntegrityError:
        return False
    return True


def coupon_claim(*, user, code: str, via: str = UserCoupon.Via.CODE) -> UserCoupon:
    """Take a coupon by its code or link into the wallet (once per coupon)."""
    code = (code or "").strip().upper()
    coupon = Coupon.objects.filter(code=code).select_related("store").first()
    if coupon is None or not coupon.claimable:
        raise LoyaltyError(_("No coupon has this code."), field="code")
    if store_role(user, coupon.store) is not None:
        raise LoyaltyError(_("This is your own store's coupon."), field="code")
    problem = coupon_problem(coupon, user=user)
    if problem:
        raise LoyaltyError(problem, field="code")
    held = UserCoupon.objects.filter(coupon=coupon, user=user).first()
    if held is not None:
        raise LoyaltyError(_("This coupon is in your wallet already."), field="code")
    _give(coupon, user.pk, via)
    return UserCoupon.objects.get(coupon=coupon, user=user)


def coupon_issue(*, coupon: Coupon, actor, segment: str, grade=None) -> int:
    """Put ``coupon`` into the wallets of a segment; returns how many got it newly."""
    require_staff(actor, coupon.store)
    if segment not in ("grade", "favourites", "past_buyers"):
        raise LoyaltyError(_("Choose who gets the coupon."), field="segment")
    if segment == "grade" and (grade is None or grade.store_id != coupon.store_id):
        raise LoyaltyError(_("Choose a grade of this store."), field="grade")
    ids = segment_user_ids(store=coupon.store, segment=segment, grade=grade)
    return sum(_give(coupon, user_id, segment) for user_id in ids)


def wallet(user, *, store=None):
    qs = UserCoupon.objects.filter(user=user).select_related("coupon__store")
    if store is not None:
        qs = qs.filter(coupon__store=store)
    return qs.order_by("coupon__ends_at", "id")
