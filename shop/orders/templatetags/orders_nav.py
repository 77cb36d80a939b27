"""``{% cart_count_for as n %}``: pieces in the signed-in user's cart (for the nav link)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_count_for(context) -> int:
    from shop.orders.selectors import cart_count

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return cart_count(user)
