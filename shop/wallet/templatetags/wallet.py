"""``{% load wallet %}``: the "pay with saved card" block of the checkout and pay pages."""

from __future__ import annotations

from django import template

from shop.wallet.checkout import new_key
from shop.wallet.services import cards_of

register = template.Library()


@register.inclusion_tag("wallet/_one_tap.html", takes_context=True)
def one_tap_pay(context, total: int, enabled: bool = True) -> dict:
    """Inside the checkout form: one button per saved card (default first) that places the
    order and pays it; nothing when the buyer has no saved card."""
    request = context.get("request")
    return {
        "cards": cards_of(getattr(request, "user", None)),
        "key": new_key(),
        "total": total,
        "enabled": enabled,
        "request": request,
    }


@register.inclusion_tag("wallet/_pay_saved.html", takes_context=True)
def pay_saved_card(context, order) -> dict:
    request = context.get("request")
    return {"cards": cards_of(getattr(request, "user", None)), "order": order}
