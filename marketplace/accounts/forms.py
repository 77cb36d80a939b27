from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import User


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth calls ``signup`` after creating the user)."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=40,
        required=False,
        help_text=_("Shown to stores and other members. Your username is used if empty."),
    )
    marketing_opt_in = forms.BooleanField(
        label=_("Send me promotions and event news (optional)"), required=False
    )

    def signup(self, request, user: User) -> None:
        user.display_name = self.cleaned_data.get("display_name", "")
        user.set_marketing_consent(bool(self.cleaned_data.get("marketing_opt_in")))
        user.save(update_fields=["display_name", "marketing_opt_in", "marketing_opt_in_at"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "phone", "marketing_opt_in"]
        labels = {"marketing_opt_in": _("Send me promotions and event news")}

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        # marketing_opt_in was assigned by the form; re-apply through the model to stamp the time.
        allowed = user.marketing_opt_in
        user.marketing_opt_in = User.objects.get(pk=user.pk).marketing_opt_in
        user.set_marketing_consent(allowed)
        if commit:
            user.save()
        return user
