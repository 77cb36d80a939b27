"""Shop forms: they validate and clean; the services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shop.images import validate_image_upload
from shop.models import MAX_PRICE_WON, Goods, Store, StoreApplication
from shop.models.goods import MAX_STOCK
from shop.services.applications import APPLICATION_FIELDS
from shop.services.goods import GOODS_FIELDS, MAX_IMAGES
from shop.services.stores import DELIVERY_FIELDS, PROFILE_FIELDS, SETTLEMENT_FIELDS
from shop.validators import business_number_digits, validate_business_number


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several images at once, each checked for type and size."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        single = super().clean
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = []
        for upload in files:
            upload = single(upload, initial)
            if upload:
                validate_image_upload(upload)
                cleaned.append(upload)
        if len(cleaned) > MAX_IMAGES:
            raise forms.ValidationError(
                _("Upload at most %(n)d images at once.") % {"n": MAX_IMAGES}
            )
        return cleaned


class ImageUploadField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("validators", [validate_image_upload])
        super().__init__(*args, **kwargs)


class StoreApplicationForm(forms.ModelForm):
    class Meta:
        model = StoreApplication
        fields = APPLICATION_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "business_number": forms.TextInput(
                attrs={"inputmode": "numeric", "placeholder": "123-45-67890"}
            ),
            "phone": forms.TextInput(attrs={"type": "tel", "placeholder": "010-1234-5678"}),
        }

    def clean_business_number(self) -> str:
        value = self.cleaned_data["business_number"]
        validate_business_number(value)
        return business_number_digits(value)


class StoreProfileForm(forms.ModelForm):
    logo_upload = ImageUploadField(
        label=_("New logo"), help_text=_("JPEG, PNG, WebP or GIF, up to 5 MB.")
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    cover_upload = ImageUploadField(
        label=_("New cover image"), help_text=_("JPEG, PNG, WebP or GIF, up to 5 MB.")
    )
    remove_cover = forms.BooleanField(label=_("Remove the cover image"), required=False)

    class Meta:
        model = Store
        fields = PROFILE_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class StoreDeliveryForm(forms.ModelForm):
    class Meta:
        model = Store
        fields = DELIVERY_FIELDS
        widgets = {"return_policy": forms.Textarea(attrs={"rows": 4})}


class StoreSettlementForm(forms.ModelForm):
    class Meta:
        model = Store
        fields = SETTLEMENT_FIELDS

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True


class ManagerAddForm(forms.Form):
    identifier = forms.CharField(label=_("Username or e-mail"), max_length=254, strip=True)


class GoodsForm(forms.ModelForm):
    hidden = forms.BooleanField(
        label=_("Hide from buyers"),
        required=False,
        help_text=_("Hidden goods stay in your list but buyers cannot find or open them."),
    )
    images = MultipleImageField(
        label=_("Add images"),
        help_text=_(
            "Several at once; the first is the cover. JPEG, PNG, WebP or GIF, up to 5 MB each."
        ),
    )

    class Meta:
        model = Goods
        fields = GOODS_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "price": forms.NumberInput(
                attrs={"min": 1, "max": MAX_PRICE_WON - 1, "inputmode": "numeric"}
            ),
            "list_price": forms.NumberInput(
                attrs={"min": 1, "max": MAX_PRICE_WON - 1, "inputmode": "numeric"}
            ),
            "stock": forms.NumberInput(attrs={"min": 0, "max": MAX_STOCK, "inputmode": "numeric"}),
            "release_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["price"].error_messages.update(
            {
                "min_value": _("The price must be at least 1 won."),
                "max_value": _("The price must be less than 100,000,000 won."),
            }
        )
        self.fields["stock"].required = False
        if self.instance.pk:
            self.fields["hidden"].initial = self.instance.status == Goods.Status.HIDDEN

    def clean_stock(self) -> int:
        return self.cleaned_data.get("stock") or 0

    def clean(self) -> dict:
        data = super().clean()
        if data.get("is_preorder") and not data.get("release_date"):
            self.add_error("release_date", _("A pre-order needs a release date."))
        return data


class GoodsOptionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Option"), max_length=60, required=False)
    price_delta = forms.IntegerField(
        label=_("Price difference (won)"),
        required=False,
        min_value=-(MAX_PRICE_WON - 1),
        max_value=MAX_PRICE_WON - 1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    stock = forms.IntegerField(
        label=_("Stock"),
        required=False,
        min_value=0,
        max_value=MAX_STOCK,
        error_messages={"min_value": _("Stock cannot be negative.")},
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        filled = data.get("stock") or data.get("price_delta") or data.get("id")
        if not data.get("name") and not data.get("DELETE") and filled:
            self.add_error("name", _("Give the option a name."))
        return data


class BaseOptionFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        names = set()
        for form in self.forms:
            name = (form.cleaned_data.get("name") or "").strip().casefold()
            if not name or form.cleaned_data.get("DELETE"):
                continue
            if name in names:
                raise forms.ValidationError(_("Two options have the same name."))
            names.add(name)

    def rows(self) -> list[dict]:
        """Cleaned option rows for the service (blank rows dropped)."""
        rows = []
        for form in self.forms:
            data = form.cleaned_data
            if not data:
                continue
            if not data.get("name") and not data.get("id"):
                continue
            rows.append(
                {
                    "id": data.get("id"),
                    "name": data.get("name") or "",
                    "price_delta": data.get("price_delta") or 0,
                    "stock": data.get("stock") or 0,
                    "delete": bool(data.get("DELETE")) or not data.get("name"),
                }
            )
        return rows


GoodsOptionFormSet = forms.formset_factory(
    GoodsOptionForm, formset=BaseOptionFormSet, extra=3, can_delete=True, max_num=50
)


def option_initial(goods: Goods) -> list[dict]:
    return [
        {"id": o.pk, "name": o.name, "price_delta": o.price_delta, "stock": o.stock}
        for o in goods.options.all()
    ]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search goods"), max_length=100, required=False)
