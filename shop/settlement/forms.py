from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from shop.settlement.periods import BadPeriod, quarter
from shop.settlement.stats import GROUPINGS, Range, last_days

MAX_DAYS = 400
GROUPING_LABELS = {"day": _("By day"), "week": _("By week"), "month": _("By month")}


class RangeForm(forms.Form):
    """The statistics period: from and to (Asia/Seoul days, both included) and the grouping."""

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(
        label=_("Group"), choices=[(g, GROUPING_LABELS[g]) for g in GROUPINGS], initial="day"
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("“From” must not be after “To”."))
            if end - start >= timedelta(days=MAX_DAYS):
                raise forms.ValidationError(_("Choose at most %(days)d days.") % {"days": MAX_DAYS})
        return data


def range_from_request(data) -> tuple[RangeForm, Range, str]:
    """The bound form, the range and the grouping asked for; the last 30 days by day when
    nothing (or something wrong) was asked."""
    default = last_days(30)
    if not data.get("start") and not data.get("end"):
        initial = {"start": default.start, "end": default.end, "by": data.get("by") or "day"}
        form = RangeForm(initial)
    else:
        form = RangeForm(data)
    if form.is_valid():
        d = form.cleaned_data
        return form, Range(d["start"], d["end"]), d["by"]
    return form, default, "day"


def quarter_from_request(value: str | None, default) -> tuple[object, str]:
    """The quarter asked for (``2026-Q4``), else ``default``; and an error sentence or ''."""
    if not value:
        return default, ""
    try:
        return quarter(value), ""
    except BadPeriod as error:
        return default, str(error)
