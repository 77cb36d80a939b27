"""Forms of the membership, invitation and moderation pages (validation only; services act)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from chat.services.channels import MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS
from chat.services.invitations import MAX_USES_LIMIT
from chat.services.memberships import MAX_REJECT_MESSAGE_CHARS
from chat.services.moderation import MAX_REASON_CHARS

EXPIRY_CHOICES = [
    ("1h", _("1 hour")),
    ("1d", _("1 day")),
    ("7d", _("7 days")),
    ("30d", _("30 days")),
    ("never", _("Never")),
]
EXPIRY_DELTAS = {
    "1h": timedelta(hours=1),
    "1d": timedelta(days=1),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "never": None,
}


class RejectForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the buyer (optional)"),
        max_length=MAX_REJECT_MESSAGE_CHARS,
        required=False,
    )


class RenameForm(forms.Form):
    title = forms.CharField(label=_("Channel name"), max_length=MAX_TITLE_CHARS)


class DescribeForm(forms.Form):
    description = forms.CharField(
        label=_("Description"),
        max_length=MAX_DESCRIPTION_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InvitationForm(forms.Form):
    expires = forms.ChoiceField(label=_("Link expires after"), choices=EXPIRY_CHOICES, initial="7d")
    max_uses = forms.IntegerField(
        label=_("Maximum number of uses"),
        required=False,
        min_value=1,
        max_value=MAX_USES_LIMIT,
        help_text=_("Leave empty for no limit."),
    )

    @property
    def expires_in(self) -> timedelta | None:
        return EXPIRY_DELTAS[self.cleaned_data["expires"]]


class InviteUserForm(forms.Form):
    username = forms.CharField(
        label=_("Friend's username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you reporting this message? (optional)"),
        max_length=MAX_REASON_CHARS,
        required=False,
    )
