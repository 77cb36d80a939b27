"""Promotion forms: fields in Asia/Seoul time; the service checks the rules and writes."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.models import MAX_PRICE_WON, Goods, Promotion, Store
from shop.models.promotions import MAX_GROUP_BUYERS

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input read (and shown) in the site's time zone, Asia/Seoul."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "widget",
            forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
        )
        kwargs.setdefault("input_formats", [LOCAL_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])
        super().__init__(*args, **kwargs)


class GoodsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Goods) -> str:
        return f"{obj.name} · {obj.price:,}"


class PromotionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Promotion.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=80)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    starts_at = LocalDateTimeField(label=_("Starts at (Korea time)"))
    ends_at = LocalDateTimeField(
        label=_("Ends at (Korea time)"),
        help_text=_("The promotion stops at this minute. For a group buy: the deadline."),
    )
    members_only = forms.BooleanField(
        label=_("Members only"),
        required=False,
        help_text=_("Only members of the store see and use this promotion."),
    )
    grade = forms.ModelChoiceField(
        label=_("Only for grade"),
        queryset=Promotion.grade.field.related_model.objects.none(),
        required=False,
        empty_label=_("Everyone"),
        help_text=_("Only customers of this grade or above get this promotion."),
    )
    discount_type = forms.ChoiceField(
        label=_("Discount type"),
        required=False,
        choices=[("", "—"), *Promotion.DiscountType.choices],
    )
    discount_value = forms.IntegerField(
        label=_("Discount (percent or won)"),
        required=False,
        min_value=0,
        max_value=MAX_PRICE_WON - 1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    store_wide = forms.BooleanField(label=_("All goods of the store"), required=False)
    goods = GoodsChoiceField(
        label=_("Goods"),
        queryset=Goods.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A discount: the goods on discount. A group buy: exactly one."),
    )
    group_price = forms.IntegerField(
        label=_("Group price (won)"),
        required=False,
        min_value=1,
        max_value=MAX_PRICE_WON - 1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    group_min_buyers = forms.IntegerField(
        label=_("Buyers needed"),
        required=False,
        min_value=2,
        max_value=MAX_GROUP_BUYERS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, store: Store, promotion: Promotion | None = None, **kwargs):
        if promotion is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": promotion.kind,
                "title": promotion.title,
                "description": promotion.description,
                "starts_at": timezone.localtime(promotion.starts_at),
                "ends_at": timezone.localtime(promotion.ends_at),
                "members_only": promotion.members_only,
                "grade": promotion.grade,
                "discount_type": promotion.discount_type,
                "discount_value": promotion.discount_value,
                "store_wide": promotion.store_wide,
                "goods": list(promotion.goods.all()),
                "group_price": promotion.group_price,
                "group_min_buyers": promotion.group_min_buyers,
            }
        super().__init__(*args, **kwargs)
        self.fields["goods"].queryset = Goods.objects.filter(
            store=store, deleted_at__isnull=True
        ).order_by("name", "id")
        self.fields["grade"].queryset = (
            self.fields["grade"].queryset.model.objects.filter(store=store).order_by("rank")
        )
        if promotion is not None:
            self.fields["kind"].disabled = True
