"""``{% load chatfeedback %}``: the join form's fields on a store page, recent join decisions
for My talks, and the CSAT card's strings for the live pane (static/js/csat.js)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from chat.feedback.joinform import field_name, questions_of, recent_decisions

register = template.Library()


@register.simple_tag
def join_fields_for(store) -> list[dict]:
    return [
        {"question": q, "name": field_name(q), "value": "", "error": ""}
        for q in questions_of(store)
    ]


@register.simple_tag(takes_context=True)
def join_decisions(context) -> list:
    request = context.get("request")
    return recent_decisions(getattr(request, "user", None))


@register.simple_tag
def csat_strings() -> dict:
    return {
        "question": _("How was the talk?"),
        "scores": [_("1 – very bad"), "2", "3", "4", _("5 – very good")],
        "comment": _("Comment (optional)"),
        "send": _("Send rating"),
        "done": _("You rated this talk %(score)s / 5. Thank you!"),
        "rated": _("The buyer rated this talk %(score)s / 5."),
        "waiting": _("Waiting for the buyer's rating."),
    }
