"""Discounts at checkout: the grade discount, one coupon and mileage, computed here and
recorded as ``OrderBenefit`` lines in the order's own transaction.

Order of application (all on the goods total, shipping is never discounted):
1. grade discount: ``subtotal × percent // 100``;
2. coupon: on what is left after the grade discount, if the goods total reaches its minimum;
3. mileage: at most what is left of the goods total, and never the whole order (≥ 1 won paid).

``benefits_quote`` only reads (the checkout page); ``benefits_hold`` locks the coupon row and
the buyer's mileage row, checks again and raises ``LoyaltyError``; ``benefits_record`` writes
the lines after the order row exists; ``benefits_release`` gives everything back on cancel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from shop.loyalty.exceptions import LoyaltyError
from shop.loyalty.models import Coupon, MileageAccount, OrderBenefit, UserCoupon
from shop.loyalty.services.coupons import coupon_problem, uses_by
from shop.loyalty.services.grades import grade_for
from shop.loyalty.services.mileage import balance_of, lock_account, mileage_restore, mileage_spend


@dataclass
class Choice:
    """What the buyer picked on the checkout page."""

    coupon_id: int | None = None
    mileage: int = 0

    @classmethod
    def from_data(cls, data) -> Choice:
        coupon = str(data.get("coupon") or "").strip()
        mileage = str(data.get("mileage") or "").strip().replace(",", "")
        return cls(
            coupon_id=int(coupon) if coupon.isdigit() else None,
            mileage=int(mileage) if mileage.isdigit() else 0,
        )


@dataclass
class Benefits:
    grade: object = None
    grade_discount: int = 0
    coupon: Coupon | None = None
    coupon_discount: int = 0
    mileage: int = 0
    balance: int = 0
    mileage_max: int = 0
    coupons: list = field(default_factory=list)  # (UserCoupon, discount, problem)
    problems: list[str] = field(default_factory=list)
    account: MileageAccount | None = None

    @property
    def total(self) -> int:
        return self.grade_discount + self.coupon_discount + self.mileage

    @property
    def lines(self) -> list[dict]:
        """The discount lines as the amounts table shows them (like ``OrderBenefit``)."""
        out = []
        if self.grade_discount:
            label = f"{self.grade.name} {self.grade.discount_percent}%"
            out.append(
                {
                    "kind": "grade",
                    "display": f"{OrderBenefit.Kind.GRADE.label} · {label}",
                    "amount": self.grade_discount,
                }
            )
        if self.coupon_discount:
            out.append(
                {
                    "kind": "coupon",
                    "display": f"{OrderBenefit.Kind.COUPON.label} · {self.coupon.name}",
                    "amount": self.coupon_discount,
                }
            )
        if self.mileage:
            out.append(
                {
                    "kind": "mileage",
                    "display": OrderBenefit.Kind.MILEAGE.label,
                    "amount": self.mileage,
                }
            )
        return out


def _compute(*, user, store, subtotal: int, payable: int, choice: Choice, lock: bool) -> Benefits:
    b = Benefits()
    if user is None or not user.is_authenticated or subtotal <= 0:
        return b
    b.grade = grade_for(user, store)
    if b.grade is not None and b.grade.discount_percent:
        b.grade_discount = subtotal * b.grade.discount_percent // 100
    left = subtotal - b.grade_discount
    now = timezone.now()
    held = list(
        UserCoupon.objects.filter(user=user, coupon__store=store)
        .select_related("coupon")
        .order_by("coupon__ends_at", "id")
    )
    for uc in held:
        problem = coupon_problem(uc.coupon, user=user, subtotal=subtotal, now=now)
        b.coupons.append((uc, 0 if problem else uc.coupon.discount_on(left), problem))
    if choice.coupon_id:
        picked = next((uc for uc in held if uc.coupon_id == choice.coupon_id), None)
        if picked is None:
            problem = _("This coupon is not in your wallet.")
        else:
            coupon = picked.coupon
            if lock:
                coupon = Coupon.objects.select_for_update().get(pk=coupon.pk)
            problem = coupon_problem(coupon, user=user, subtotal=subtotal, now=now)
        if problem:
            if lock:
                raise LoyaltyError(problem, field="coupon")
            b.problems.append(problem)
        else:
            b.coupon = coupon
            b.coupon_discount = coupon.discount_on(left)
            left -= b.coupon_discount
    if lock and choice.mileage:
        b.account = lock_account(user)
        b.balance = b.account.balance
    else:
        b.balance = balance_of(user)
    # Never the whole order: at least 1 won is paid.
    b.mileage_max = max(0, min(b.balance, left, payable - b.grade_discount - b.coupon_discount - 1))
    if choice.mileage:
        if choice.mileage > b.balance:
            problem = _("You have %(n)s won of mileage: you cannot use more.") % {
                "n": f"{b.balance:,}"
            }
        elif choice.mileage > b.mileage_max:
            problem = _("You can use at most %(n)s won of mileage on this order.") % {
                "n": f"{b.mileage_max:,}"
            }
        else:
            problem = ""
        if problem:
            if lock:
                raise LoyaltyError(problem, field="mileage")
            b.problems.append(problem)
        else:
            b.mileage = choice.mileage
    return b


def benefits_quote(*, user, store, subtotal: int, payable: int, choice: Choice | None) -> Benefits:
    """The discounts the checkout page shows (nothing is locked or written)."""
    return _compute(
        user=user,
        store=store,
        subtotal=subtotal,
        payable=payable,
        choice=choice or Choice(),
        lock=False,
    )


def benefits_hold(*, user, store, subtotal: int, payable: int, choice: Choice | None) -> Benefits:
    """Inside the order transaction: lock the coupon and mileage rows and check again."""
    return _compute(
        user=user,
        store=store,
        subtotal=subtotal,
        payable=payable,
        choice=choice or Choice(),
        lock=True,
    )


def benefits_record(*, order, benefits: Benefits) -> None:
    """Write the order's discount lines; count the coupon use; spend the mileage."""
    user = order.buyer
    if benefits.grade_discount:
        OrderBenefit.objects.create(
            order=order,
            user=user,
            kind=OrderBenefit.Kind.GRADE,
            amount=benefits.grade_discount,
            label=f"{benefits.grade.name} {benefits.grade.discount_percent}%",
        )
    if benefits.coupon_discount:
        coupon = benefits.coupon
        if coupon.total_quantity is not None and coupon.used_count >= coupon.total_quantity:
            raise LoyaltyError(_("This coupon has run out."), field="coupon")
        if uses_by(coupon, user) >= coupon.per_user_limit:
            raise LoyaltyError(_("You have used this coupon as often as allowed."), field="coupon")
        coupon.used_count += 1
        coupon.save(update_fields=["used_count"])
        OrderBenefit.objects.create(
            order=order,
            user=user,
            kind=OrderBenefit.Kind.COUPON,
            amount=benefits.coupon_discount,
            label=coupon.name[:80],
            coupon=coupon,
        )
    if benefits.mileage:
        entry = mileage_spend(
            user=user,
            amount=benefits.mileage,
            store=order.store,
            order=order,
            account=benefits.account,
        )
        OrderBenefit.objects.create(
            order=order,
            user=user,
            kind=OrderBenefit.Kind.MILEAGE,
            amount=benefits.mileage,
            label=str(_("Mileage")),
            mileage_entry=entry,
        )


def benefits_release(*, order) -> None:
    """The order was cancelled: the coupon use and the mileage come back (once)."""
    lines = list(
        OrderBenefit.objects.filter(order=order, released_at__isnull=True)
        .select_related("mileage_entry__user", "mileage_entry__store", "mileage_entry__order")
        .order_by("id")
    )
    now = timezone.now()
    for line in lines:
        if line.kind == OrderBenefit.Kind.COUPON and line.coupon_id:
            coupon = Coupon.objects.select_for_update().get(pk=line.coupon_id)
            coupon.used_count = max(0, coupon.used_count - 1)
            coupon.save(update_fields=["used_count"])
        elif line.kind == OrderBenefit.Kind.MILEAGE and line.mileage_entry is not None:
            mileage_restore(
                entry=line.mileage_entry,
                note=_("Order %(n)s cancelled.") % {"n": order.number},
            )
    OrderBenefit.objects.filter(pk__in=[line.pk for line in lines]).update(released_at=now)
