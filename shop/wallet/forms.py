from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shop.wallet.services import MAX_LABEL_CHARS


class SaveCardForm(forms.Form):
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
    label = forms.CharField(
        label=_("Name (optional)"),
        max_length=MAX_LABEL_CHARS,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. My debit card")}),
    )
    make_default = forms.BooleanField(label=_("Use as my default card"), required=False)
