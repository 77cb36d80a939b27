from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shop.forms import MultipleImageField
from shop.reviews.models import MAX_REPLY, MAX_TEXT

STAR_CHOICES = [(n, "★" * n + "☆" * (5 - n)) for n in range(5, 0, -1)]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Stars"),
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose 1 to 5 stars."),
            "invalid_choice": _("Choose 1 to 5 stars."),
        },
    )
    text = forms.CharField(
        label=_("Your review"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a few words about the goods.")},
    )
    photos = MultipleImageField(
        label=_("Photos (up to 3)"), help_text=_("JPEG, PNG, WebP or GIF, at most 5 MB each.")
    )

    def clean_photos(self) -> list:
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > 3:
            raise forms.ValidationError(_("Attach at most %(n)d photos.") % {"n": 3})
        return photos


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply"),
        max_length=MAX_REPLY,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write a reply.")},
    )
