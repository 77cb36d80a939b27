"""Buyer pages: my mileage, my coupons (with a code), coupon links, my grades, my invitations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shop.loyalty.exceptions import LoyaltyError
from shop.loyalty.forms import CouponCodeForm
from shop.loyalty.models import Coupon, CustomerGrade, ReferralReward, UserCoupon
from shop.loyalty.services.coupons import coupon_claim, coupon_problem, wallet
from shop.loyalty.services.grades import grade_status
from shop.loyalty.services.mileage import balance_of, mileage_expiring_soon
from shop.models import Store


@login_required
def my_mileage(request: HttpRequest) -> HttpResponse:
    entries = request.user.mileage_entries.select_related("store", "order").order_by(
        "-created_at", "-id"
    )
    page = Paginator(entries, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "loyalty/my_mileage.html",
        {
            "balance": balance_of(request.user),
            "expiring": mileage_expiring_soon(request.user),
            "page": page,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_coupons(request: HttpRequest) -> HttpResponse:
    form = CouponCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            held = coupon_claim(user=request.user, code=form.cleaned_data["code"])
        except LoyaltyError as error:
            form.add_error("code", error.message)
        else:
            messages.success(
                request, _("“%(name)s” is in your wallet.") % {"name": held.coupon.name}
            )
            return redirect("loyalty:my_coupons")
    rows = [
        {"held": uc, "coupon": uc.coupon, "problem": coupon_problem(uc.coupon, user=request.user)}
        for uc in wallet(request.user)
    ]
    return render(request, "loyalty/my_coupons.html", {"form": form, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def coupon_link(request: HttpRequest, code: str) -> HttpResponse:
    coupon = get_object_or_404(Coupon.objects.select_related("store"), code=code.upper())
    held = UserCoupon.objects.filter(coupon=coupon, user=request.user).exists()
    error = ""
    if request.method == "POST":
        try:
            coupon_claim(user=request.user, code=coupon.code, via=UserCoupon.Via.LINK)
        except LoyaltyError as exc:
            error = exc.message
        else:
            messages.success(request, _("“%(name)s” is in your wallet.") % {"name": coupon.name})
            return redirect("loyalty:my_coupons")
    elif not coupon.claimable:
        error = _("No coupon has this code.")
    else:
        error = "" if held else coupon_problem(coupon, user=request.user)
    return render(
        request, "loyalty/coupon_link.html", {"coupon": coupon, "held": held, "error": error}
    )


@login_required
def my_grades(request: HttpRequest) -> HttpResponse:
    from shop.orders.models import Order

    store_ids = set(
        CustomerGrade.objects.filter(user=request.user).values_list("store_id", flat=True)
    )
    store_ids |= set(Order.objects.filter(buyer=request.user).values_list("store_id", flat=True))
    stores = Store.objects.filter(pk__in=store_ids, grades__isnull=False).distinct()
    statuses = [grade_status(request.user, store) for store in stores.order_by("name")]
    return render(request, "loyalty/my_grades.html", {"statuses": statuses})


@login_required
def my_referrals(request: HttpRequest) -> HttpResponse:
    from chat.models import Referral

    referrals = (
        Referral.objects.filter(inviter=request.user)
        .select_related("invitee", "store")
        .order_by("-created_at", "-id")
    )
    rewards = {r.referral_id: r for r in ReferralReward.objects.filter(referral__in=referrals)}
    rows = [{"referral": ref, "reward": rewards.get(ref.pk)} for ref in referrals]
    earned = sum(r.amount for r in rewards.values() if r.reversed_at is None)
    return render(request, "loyalty/my_referrals.html", {"rows": rows, "earned": earned})
