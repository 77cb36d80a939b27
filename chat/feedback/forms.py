"""Forms of the join-form settings and the rating card (validation only; services act)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chat.feedback.joinform import BUILTIN_KINDS
from chat.feedback.models import JoinQuestion

MODE_CHOICES = [("off", _("Off")), ("optional", _("Optional")), ("required", _("Required"))]


class BuiltinQuestionsForm(forms.Form):
    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        current = {q.kind: ("required" if q.required else "optional") for q in questions}
        for kind in BUILTIN_KINDS:
            self.fields[kind] = forms.ChoiceField(
                label=JoinQuestion.Kind(kind).label,
                choices=MODE_CHOICES,
                initial=current.get(kind, "off"),
                widget=forms.RadioSelect,
            )


class CustomQuestionForm(forms.Form):
    label = forms.CharField(label=_("Your own question"), max_length=100)
    required = forms.BooleanField(label=_("Required"), required=False)
