"""Forms: cart lines, addresses, checkout, card payment, shipping."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shop.models import Courier
from shop.orders.models import MAX_QUANTITY, Address, PaymentMethod


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
