"""Forms of the automation pages: they validate; the services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chat.bot.models import WEEKDAYS, FaqEntry, StoreBot
from shop.models import MAX_PRICE_WON
from shop.orders.models import MAX_QUANTITY

DAY_CHOICES = [
    ("0", _("Mon")),
    ("1", _("Tue")),
    ("2", _("Wed")),
    ("3", _("Thu")),
    ("4", _("Fri")),
    ("5", _("Sat")),
    ("6", _("Sun")),
]


class BotHoursForm(forms.ModelForm):
    days = forms.MultipleChoiceField(
        label=_("open days"),
        choices=DAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = StoreBot
        fields = ["opens_at", "closes_at", "quiet_reply"]
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = list(self.instance.open_days or "")
        self.order_fields(["days", "opens_at", "closes_at", "quiet_reply"])

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if bool(opens) != bool(closes):
            raise forms.ValidationError(
                _("Give both the opening and the closing time, or neither.")
            )
        if opens and closes and opens == closes:
            raise forms.ValidationError(_("Opening and closing time must differ."))
        if opens and not data.get("days"):
            raise forms.ValidationError(_("Tick at least one open day."))
        return data

    def save(self, commit: bool = True):
        self.instance.open_days = "".join(d for d in WEEKDAYS if d in self.cleaned_data["days"])
        return super().save(commit)


class OfferSettingsForm(forms.ModelForm):
    class Meta:
        model = StoreBot
        fields = [
            "offers_enabled",
            "max_discount_percent",
            "auto_accept_percent",
            "auto_decline",
            "auto_counter_percent",
            "reward_percent",
        ]

    def clean(self):
        data = super().clean()
        most = data.get("max_discount_percent")
        for name in ("auto_accept_percent", "auto_counter_percent"):
            value = data.get(name)
            if most is not None and value is not None and value > most:
                self.add_error(
                    name, _("At most the largest discount you accept (%(n)d%%).") % {"n": most}
                )
        return data


class FaqForm(forms.ModelForm):
    class Meta:
        model = FaqEntry
        fields = ["question", "answer", "keywords", "enabled"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, auto: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if auto:
            del self.fields["question"]
            del self.fields["answer"]


class OfferForm(forms.Form):
    option = forms.ChoiceField(label=_("option"), required=False)
    quantity = forms.IntegerField(
        label=_("quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1
    )
    price = forms.IntegerField(
        label=_("your price per piece (won)"),
        min_value=1,
        max_value=MAX_PRICE_WON,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"min_value": _("Offer a price of at least 1 won.")},
    )

    def __init__(self, *args, options=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.options = list(options)
        if self.options:
            self.fields["option"].required = True
            self.fields["option"].choices = [("", "—")] + [
                (str(o.pk), o.name) for o in self.options
            ]
        else:
            del self.fields["option"]

    def clean_option(self):
        value = self.cleaned_data.get("option")
        for option in self.options:
            if str(option.pk) == value:
                return option
        raise forms.ValidationError(_("Choose an option."))
