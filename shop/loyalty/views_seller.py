"""Seller pages under /seller/stores/<slug>/loyalty/ (the access gate first in every view)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shop.access import access_store_manage
from shop.exceptions import ShopError
from shop.loyalty.forms import (
    BroadcastForm,
    ChannelGradeForm,
    CouponForm,
    CouponIssueForm,
    GradeForm,
    LoyaltySettingsForm,
)
from shop.loyalty.models import Broadcast, ChannelGrade, Coupon, CustomerGrade, Grade
from shop.loyalty.services.broadcasts import broadcast_create, in_quiet_hours, next_allowed
from shop.loyalty.services.coupons import coupon_issue, new_code
from shop.loyalty.services.customers import rfm_customers
from shop.loyalty.services.grades import grades_recalc
from shop.loyalty.services.mileage import settings_for
from shop.views_seller import form_error, seller_context


def _ctx(store, role, tab: str, **extra) -> dict:
    return seller_context(store, role, "loyalty", tab=tab, **extra)


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    form = LoyaltySettingsForm(request.POST or None, instance=settings_for(store))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Loyalty settings saved."))
        return redirect("loyalty:seller_settings", store.slug)
    return render(request, "loyalty/seller/settings.html", _ctx(store, role, "settings", form=form))


def _grade_rows(store):
    grades = list(Grade.objects.filter(store=store).order_by("rank"))
    counts = {}
    for grade_id in CustomerGrade.objects.filter(store=store).values_list("grade_id", flat=True):
        counts[grade_id] = counts.get(grade_id, 0) + 1
    return [{"grade": g, "customers": counts.get(g.pk, 0)} for g in grades]


@login_required
@require_http_methods(["GET", "POST"])
def grades_page(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    taken = set(Grade.objects.filter(store=store).values_list("rank", flat=True))
    first_free = next(r for r in range(21) if r not in taken) if len(taken) < 21 else 0
    form = GradeForm(request.POST or None, store=store, initial={"rank": first_free})
    if request.method == "POST" and form.is_valid():
        grade = form.save(commit=False)
        grade.store = store
        grade.save()
        messages.success(request, _("Grade “%(name)s” added.") % {"name": grade.name})
        return redirect("loyalty:seller_grades", store.slug)
    limits = ChannelGrade.objects.filter(channel__store=store).select_related("channel", "grade")
    return render(
        request,
        "loyalty/seller/grades.html",
        _ctx(
            store,
            role,
            "grades",
            form=form,
            rows=_grade_rows(store),
            channel_form=ChannelGradeForm(store=store),
            limits=limits,
            months=settings_for(store).grade_months,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def grade_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    grade = get_object_or_404(Grade, pk=pk, store=store)
    form = GradeForm(request.POST or None, store=store, instance=grade)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Grade “%(name)s” saved.") % {"name": grade.name})
        return redirect("loyalty:seller_grades", store.slug)
    return render(
        request,
        "loyalty/seller/grade_edit.html",
        _ctx(store, role, "grades", form=form, grade=grade),
    )


@login_required
@require_POST
def grade_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    grade = get_object_or_404(Grade, pk=pk, store=store)
    try:
        with transaction.atomic():
            grade.delete()
    except ProtectedError:
        messages.error(request, _("This grade is in use and cannot be deleted."))
    else:
        grades_recalc(store=store)
        messages.success(request, _("Grade “%(name)s” deleted.") % {"name": grade.name})
    return redirect("loyalty:seller_grades", store.slug)


@login_required
@require_POST
def grades_recalc_now(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    counts = grades_recalc(store=store)
    messages.success(
        request,
        _("Grades recalculated for %(n)d customers.") % {"n": sum(counts.values())},
    )
    return redirect("loyalty:seller_grades", store.slug)


@login_required
@require_POST
def channel_grade(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    form = ChannelGradeForm(request.POST, store=store)
    if form.is_valid():
        channel, grade = form.cleaned_data["channel"], form.cleaned_data["grade"]
        if grade is None:
            ChannelGrade.objects.filter(channel=channel).delete()
            messages.success(request, _("Anyone may join “%(c)s” again.") % {"c": channel.title})
        else:
            ChannelGrade.objects.update_or_create(channel=channel, defaults={"grade": grade})
            messages.success(
                request,
                _("Only %(g)s customers and above may join “%(c)s”.")
                % {"g": grade.name, "c": channel.title},
            )
    else:
        messages.error(request, _("Choose a channel of this store."))
    return redirect("loyalty:seller_grades", store.slug)


@login_required
def coupons_page(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    coupons = Coupon.objects.filter(store=store).order_by("-created_at", "-id")
    return render(
        request,
        "loyalty/seller/coupons.html",
        _ctx(store, role, "coupons", coupons=coupons, now=timezone.now()),
    )


@login_required
@require_http_methods(["GET", "POST"])
def coupon_new(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    now = timezone.localtime()
    form = CouponForm(
        request.POST or None,
        initial={
            "starts_at": now.replace(second=0, microsecond=0),
            "ends_at": (now + timezone.timedelta(days=30)).replace(second=0, microsecond=0),
            "per_user_limit": 1,
            "claimable": True,
        },
    )
    if request.method == "POST" and form.is_valid():
        coupon = form.save(commit=False)
        coupon.store = store
        coupon.created_by = request.user
        coupon.code = coupon.code or new_code()
        coupon.save()
        messages.success(request, _("Coupon “%(name)s” created.") % {"name": coupon.name})
        return redirect("loyalty:seller_coupon_detail", store.slug, coupon.pk)
    return render(
        request, "loyalty/seller/coupon_form.html", _ctx(store, role, "coupons", form=form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def coupon_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    coupon = get_object_or_404(Coupon, pk=pk, store=store)
    form = CouponIssueForm(request.POST or None, store=store)
    if request.method == "POST" and request.POST.get("action") in ("withdraw", "reactivate"):
        coupon.active = request.POST["action"] == "reactivate"
        coupon.save(update_fields=["active"])
        messages.success(request, _("Coupon saved."))
        return redirect("loyalty:seller_coupon_detail", store.slug, coupon.pk)
    if request.method == "POST" and form.is_valid():
        try:
            n = coupon_issue(
                coupon=coupon,
                actor=request.user,
                segment=form.cleaned_data["segment"],
                grade=form.cleaned_data.get("grade"),
            )
        except ShopError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Issued to %(n)d more customers.") % {"n": n})
            return redirect("loyalty:seller_coupon_detail", store.slug, coupon.pk)
    link = request.build_absolute_uri(f"/coupons/{coupon.code}/")
    return render(
        request,
        "loyalty/seller/coupon_detail.html",
        _ctx(
            store,
            role,
            "coupons",
            coupon=coupon,
            form=form,
            link=link,
            holders=coupon.holders.count(),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def broadcasts_page(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    form = BroadcastForm(request.POST or None, store=store)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            b = broadcast_create(
                store=store,
                actor=request.user,
                segment=data["segment"],
                body=data["body"],
                grade=data.get("grade"),
                channel=data.get("channel"),
                goods=data.get("goods"),
                coupon=data.get("coupon"),
            )
        except ShopError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("Sent %(sent)d, skipped %(skipped)d (no consent), scheduled %(scheduled)d.")
                % {
                    "sent": b.sent_count,
                    "skipped": b.skipped_count,
                    "scheduled": b.scheduled_count,
                },
            )
            return redirect("loyalty:seller_broadcasts", store.slug)
    now = timezone.now()
    return render(
        request,
        "loyalty/seller/broadcasts.html",
        _ctx(
            store,
            role,
            "broadcasts",
            form=form,
            broadcasts=Broadcast.objects.filter(store=store).select_related("grade", "channel")[
                :50
            ],
            quiet=in_quiet_hours(now),
            resume_at=next_allowed(now),
        ),
    )


@login_required
def customers_page(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    return render(
        request,
        "loyalty/seller/customers.html",
        _ctx(store, role, "customers", customers=rfm_customers(store)),
    )
