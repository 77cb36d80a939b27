"""Forms: cart lines, addresses, checkout, card payment, shipping, claims."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shop.forms import MultipleImageField
from shop.models import Courier
from shop.orders.models import MAX_QUANTITY, Address, ClaimReason, PaymentMethod


class CartAddForm(forms.Form):
    option = forms.IntegerField(required=False, widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        error_messages={
            "min_value": _("Enter a quantity between 1 and 99."),
            "max_value": _("Enter a quantity between 1 and 99."),
            "invalid": _("Enter a quantity between 1 and 99."),
            "required": _("Enter a quantity between 1 and 99."),
        },
    )


class CartQuantityForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        error_messages={
            "min_value": _("Enter a quantity between 1 and 99."),
            "max_value": _("Enter a quantity between 1 and 99."),
            "invalid": _("Enter a quantity between 1 and 99."),
            "required": _("Enter a quantity between 1 and 99."),
        },
    )


class AddressForm(forms.ModelForm):
    make_default = forms.BooleanField(label=_("Use as my default address"), required=False)

    class Meta:
        model = Address
        fields = ["recipient", "phone", "postcode", "address", "detail", "memo"]
        widgets = {
            "postcode": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 5}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "placeholder": "010-1234-5678"}),
        }


class CheckoutForm(forms.Form):
    """The shipping address (prefilled from the address book), payment method and the total
    the buyer saw. No price field is read: the server recomputes everything."""

    recipient = forms.CharField(label=_("Recipient"), max_length=40)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "placeholder": "010-1234-5678"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 5}),
    )
    address = forms.CharField(label=_("Address"), max_length=200)
    detail = forms.CharField(label=_("Detail address"), max_length=100, required=False)
    memo = forms.CharField(label=_("Delivery memo"), max_length=100, required=False)
    save_address = forms.BooleanField(label=_("Save to my address book"), required=False)
    payment_method = forms.ChoiceField(
        label=_("Payment"), choices=PaymentMethod.choices, widget=forms.RadioSelect
    )
    expected_total = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    from_channel = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    from_message = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, bank_transfer: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not bank_transfer:
            self.fields["payment_method"].choices = [
                c for c in PaymentMethod.choices if c[0] != PaymentMethod.BANK_TRANSFER
            ]


class CardForm(forms.Form):
    card_number = forms.CharField(
        label=_("Card number"),
        max_length=23,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "cc-number",
                "placeholder": "4242 4242 4242 4242",
            }
        ),
    )


class ShipForm(forms.Form):
    courier = forms.ChoiceField(label=_("Courier"), choices=Courier.choices)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=30)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class TrackingCsvForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("One line per order: order number, courier code, tracking number."),
    )


class ClaimRequestForm(forms.Form):
    """A return or exchange: a quantity per order line (0 = not this one), for an exchange
    the option wanted instead, a reason, and up to 3 photos. The service re-checks all."""

    kind = forms.ChoiceField(
        label=_("What do you want?"),
        choices=[("return", _("Return (refund)")), ("exchange", _("Exchange (another option)"))],
        widget=forms.RadioSelect,
        initial="return",
    )
    reason_code = forms.ChoiceField(
        label=_("Reason"), choices=ClaimReason.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Tell the store more"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photos = MultipleImageField(
        label=_("Photos (up to 3)"),
        help_text=_("JPEG, PNG, WebP or GIF, at most 5 MB each."),
    )

    def __init__(self, *args, rows: list[dict], **kwargs) -> None:
        """``rows``: {"line", "left", "options"} per order line that can still be claimed."""
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            line = row["line"]
            row["qty_name"] = f"qty_{line.pk}"
            row["option_name"] = f"option_{line.pk}"
            self.fields[row["qty_name"]] = forms.IntegerField(
                label=_("Quantity"),
                min_value=0,
                max_value=row["left"],
                initial=0,
                required=False,
                error_messages={
                    "max_value": _("At most %(limit_value)s of this item."),
                    "min_value": _("Enter 0 or more."),
                    "invalid": _("Enter a whole number."),
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            if row["options"]:
                self.fields[row["option_name"]] = forms.TypedChoiceField(
                    label=_("Exchange to"),
                    choices=[("", "—")]
                    + [
                        (o.pk, o.name if o.stock else f"{o.name} ({_('sold out')})")
                        for o in row["options"]
                    ],
                    coerce=int,
                    required=False,
                    empty_value=None,
                )

    def clean_photos(self) -> list:
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > 3:
            raise forms.ValidationError(_("Attach at most %(n)d photos.") % {"n": 3})
        return photos

    def bound_rows(self) -> list[dict]:
        return [
            {
                **row,
                "qty": self[row["qty_name"]],
                "option": self[row["option_name"]] if row["options"] else None,
            }
            for row in self.rows
        ]

    def quantities(self) -> dict[int, int]:
        return {row["line"].pk: self.cleaned_data.get(row["qty_name"]) or 0 for row in self.rows}

    def options(self) -> dict[int, int]:
        return {
            row["line"].pk: self.cleaned_data.get(row["option_name"])
            for row in self.rows
            if row["options"] and self.cleaned_data.get(row["option_name"])
        }
