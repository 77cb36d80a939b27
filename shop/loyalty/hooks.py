"""Where orders and reviews tell loyalty what happened (called inside their transactions).

- ``on_order_status``: from ``order_transition`` (the only code that changes an order's
  status). Cancelled: coupon uses and mileage come back. Completed (purchase confirmed):
  purchase mileage at the store's rate, the referral reward of an invitee's first order, the
  buyer's grade. Paid: the buyer's grade.
- ``on_order_refunded``: from ``payment_refund``. Takes back the purchase mileage in proportion
  and reverses the referral reward paid for that order; a full refund (a cancel, or a return of
  everything) also gives back the coupon use and the mileage spent on the order.
- ``on_review_published``: reviews call it once per review; the author earns the store's
  review mileage once.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.loyalty.checkout import benefits_release
from shop.loyalty.models import MileageEntry, ReferralReward
from shop.loyalty.services.grades import grades_recalc
from shop.loyalty.services.mileage import mileage_earn, mileage_reverse, settings_for

K = MileageEntry.Kind


def on_order_status(*, order, previous: str, to: str) -> None:
    if to == "cancelled":
        benefits_release(order=order)
        referral_reverse(order=order)
    if to == "completed":
        purchase_earn(order=order)
        referral_reward(order=order)
    if to in ("paid", "cancelled", "completed"):
        grades_recalc(store=order.store, user=order.buyer)


def on_order_refunded(*, order, amount: int, full: bool = False) -> None:
    if full:  # everything paid came back: so do the coupon use and the mileage spent
        benefits_release(order=order)
    earned = MileageEntry.objects.filter(
        user_id=order.buyer_id, kind=K.PURCHASE, source=f"order:{order.pk}"
    ).first()
    if earned is not None and order.total:
        share = earned.amount * amount // order.total
        if share:
            mileage_reverse(
                entry=earned,
                amount=share,
                note=_("Order %(n)s refunded.") % {"n": order.number},
            )
    referral_reverse(order=order)


def on_review_published(*, user, store, review_id: int) -> MileageEntry | None:
    """The review's author earns the store's review mileage (once per review)."""
    amount = settings_for(store).review_reward
    return mileage_earn(
        user=user,
        amount=amount,
        kind=K.REVIEW,
        store=store,
        source=f"review:{review_id}",
        note=_("Thank you for your review."),
    )


def purchase_earn(*, order) -> MileageEntry | None:
    rate = settings_for(order.store).mileage_rate
    paid_goods = max(0, order.subtotal - order.discount)
    amount = paid_goods * rate // 100
    return mileage_earn(
        user=order.buyer,
        amount=amount,
        kind=K.PURCHASE,
        store=order.store,
        order=order,
        source=f"order:{order.pk}",
        note=_("Order %(n)s confirmed.") % {"n": order.number},
    )


def referral_reward(*, order) -> ReferralReward | None:
    """The inviter of ``order``'s buyer earns the store's reward, once per invitee, when the
    invitee confirms a first order at that store."""
    from chat.models import Referral
    from shop.orders.models import Order

    referral = (
        Referral.objects.filter(store_id=order.store_id, invitee_id=order.buyer_id)
        .select_related("inviter", "store")
        .first()
    )
    if referral is None or referral.inviter_id == referral.invitee_id:
        return None
    if not referral.inviter.is_active or ReferralReward.objects.filter(referral=referral).exists():
        return None
    earlier = (
        Order.objects.filter(store_id=order.store_id, buyer_id=order.buyer_id, status="completed")
        .exclude(pk=order.pk)
        .exists()
    )
    if earlier:
        return None
    amount = settings_for(referral.store).referral_reward
    if amount <= 0:
        return None
    try:
        with transaction.atomic():
            reward = ReferralReward.objects.create(referral=referral, order=order, amount=amount)
            reward.entry = mileage_earn(
                user=referral.inviter,
                amount=amount,
                kind=K.REFERRAL,
                store=referral.store,
                order=order,
                source=f"referral:{referral.pk}",
                note=_("%(name)s placed a first order.") % {"name": order.buyer.name},
            )
            reward.save(update_fields=["entry"])
    except IntegrityError:  # rewarded by a concurrent confirmation
        return None
    return reward


def referral_reverse(*, order) -> None:
    for reward in ReferralReward.objects.select_for_update().filter(
        order=order, reversed_at__isnull=True
    ):
        if reward.entry_id:
            mileage_reverse(
                entry=reward.entry,
                note=_("Order %(n)s of your invitee was refunded.") % {"n": order.number},
            )
        reward.reversed_at = timezone.now()
        reward.save(update_fields=["reversed_at"])


def award_review_mileage(sender, review, **kwargs) -> None:
    """Receiver of ``shop.reviews.signals.review_created`` (sent after the review commits)."""
    on_review_published(user=review.author, store=review.store, review_id=review.pk)
