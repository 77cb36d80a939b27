"""Loyalty forms (seller settings, grades, coupons, broadcasts; the buyer's coupon code)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from shop.forms_promotions import LocalDateTimeField
from shop.loyalty.models import Broadcast, Coupon, Grade, LoyaltySettings
from shop.models import Goods

NUM = {"inputmode": "numeric"}


class LoyaltySettingsForm(forms.ModelForm):
    class Meta:
        model = LoyaltySettings
        fields = [
            "mileage_rate",
            "mileage_valid_days",
            "review_reward",
            "referral_reward",
            "grade_months",
        ]
        widgets = {f: forms.NumberInput(attrs=NUM) for f in fields}


class GradeForm(forms.ModelForm):
    class Meta:
        model = Grade
        fields = ["name", "rank", "min_spend", "min_orders", "discount_percent"]
        widgets = {
            "rank": forms.NumberInput(attrs=NUM),
            "min_spend": forms.NumberInput(attrs=NUM),
            "min_orders": forms.NumberInput(attrs=NUM),
            "discount_percent": forms.NumberInput(attrs=NUM),
        }

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.store = store

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean(self):
        data = super().clean()
        rank = data.get("rank")
        if rank is None:
            return data
        clash = Grade.objects.filter(store=self.store, rank=rank).exclude(pk=self.instance.pk)
        if clash.exists():
            self.add_error("rank", _("Another grade has this rank."))
        if rank > 0 and not (data.get("min_spend") or data.get("min_orders")):
            self.add_error("min_spend", _("Set a spend or an order count that this grade needs."))
        if rank == 0 and (data.get("min_spend") or data.get("min_orders")):
            self.add_error("rank", _("The base grade (rank 0) is everyone's: it has no threshold."))
        return data


class CouponForm(forms.ModelForm):
    starts_at = LocalDateTimeField(label=_("Valid from (Korea time)"))
    ends_at = LocalDateTimeField(label=_("Valid until (Korea time)"))
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        required=False,
        help_text=_("4–20 letters or digits. Empty: one is made for you."),
    )

    class Meta:
        model = Coupon
        fields = [
            "name",
            "code",
            "discount_type",
            "value",
            "max_discount",
            "min_order",
            "starts_at",
            "ends_at",
            "total_quantity",
            "per_user_limit",
            "claimable",
        ]
        widgets = {
            "value": forms.NumberInput(attrs=NUM),
            "max_discount": forms.NumberInput(attrs=NUM),
            "min_order": forms.NumberInput(attrs=NUM),
            "total_quantity": forms.NumberInput(attrs=NUM),
            "per_user_limit": forms.NumberInput(attrs=NUM),
        }

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip().upper()
        if not code:
            return ""
        if not re.fullmatch(r"[A-Z0-9]{4,20}", code):
            raise forms.ValidationError(_("Use 4–20 letters or digits."))
        if Coupon.objects.filter(code=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This code is taken: choose another."))
        return code

    def clean(self):
        data = super().clean()
        kind, value = data.get("discount_type"), data.get("value")
        if kind == Coupon.DiscountType.PERCENT and value and value > 90:
            self.add_error("value", _("A percent coupon takes 1 to 90 percent off."))
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must be after the start."))
        return data


class CouponIssueForm(forms.Form):
    segment = forms.ChoiceField(
        label=_("Issue to"),
        choices=[
            ("grade", _("Customers of a grade (and above)")),
            ("favourites", _("People who favourited the store")),
            ("past_buyers", _("Past buyers")),
        ],
    )
    grade = forms.ModelChoiceField(label=_("Grade"), queryset=Grade.objects.none(), required=False)

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].queryset = Grade.objects.filter(store=store).order_by("rank")

    def clean(self):
        data = super().clean()
        if data.get("segment") == "grade" and not data.get("grade"):
            self.add_error("grade", _("Choose a grade."))
        return data


class CouponCodeForm(forms.Form):
    code = forms.CharField(label=_("Coupon code"), max_length=20)


class BroadcastForm(forms.Form):
    segment = forms.ChoiceField(label=_("Send to"), choices=Broadcast.Segment.choices)
    grade = forms.ModelChoiceField(label=_("Grade"), queryset=Grade.objects.none(), required=False)
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Goods.objects.none(), required=False
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=1500,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("“(광고)” and how to refuse further messages are added for you."),
    )
    goods = forms.ModelChoiceField(
        label=_("Attach a product card"), queryset=Goods.objects.none(), required=False
    )
    coupon = forms.ModelChoiceField(
        label=_("Attach a coupon"), queryset=Coupon.objects.none(), required=False
    )

    def __init__(self, *args, store, **kwargs):
        from chat.models import Channel

        super().__init__(*args, **kwargs)
        self.fields["grade"].queryset = Grade.objects.filter(store=store).order_by("rank")
        self.fields["channel"].queryset = (
            Channel.objects.filter(store=store, deleted_at__isnull=True)
            .exclude(kind=Channel.Kind.DIRECT)
            .order_by("kind", "id")
        )
        self.fields["goods"].queryset = (
            Goods.objects.filter(store=store, deleted_at__isnull=True)
            .exclude(status=Goods.Status.HIDDEN)
            .order_by("name")
        )
        self.fields["coupon"].queryset = Coupon.objects.filter(store=store, active=True).order_by(
            "-created_at"
        )

    def clean(self):
        data = super().clean()
        if data.get("segment") == "grade" and not data.get("grade"):
            self.add_error("grade", _("Choose a grade."))
        if data.get("segment") == "members" and not data.get("channel"):
            self.add_error("channel", _("Choose a channel."))
        return data


class ChannelGradeForm(forms.Form):
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Goods.objects.none())
    grade = forms.ModelChoiceField(
        label=_("Grade needed"),
        queryset=Grade.objects.none(),
        required=False,
        empty_label=_("Anyone (no limit)"),
    )

    def __init__(self, *args, store, **kwargs):
        from chat.models import Channel

        super().__init__(*args, **kwargs)
        self.fields["grade"].queryset = Grade.objects.filter(store=store).order_by("rank")
        self.fields["channel"].queryset = (
            Channel.objects.filter(store=store, deleted_at__isnull=True)
            .exclude(kind=Channel.Kind.DIRECT)
            .order_by("kind", "id")
        )
