"""Template helpers of the membership pages: ``{% store_join_state store as state %}``."""

from __future__ import annotations

from django import template

from chat.models import Channel, Membership

register = template.Library()


@register.simple_tag(takes_context=True)
def store_join_state(context, store) -> str:
    """``anonymous``, ``member`` (active, or store staff), ``pending``, ``banned`` or ``none``
    for the signed-in user and this store's own channel."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "anonymous"
    state = (
        Membership.objects.filter(user=user, channel__store=store, channel__kind=Channel.Kind.STORE)
        .values_list("state", flat=True)
        .first()
    )
    if state == Membership.State.ACTIVE or store.staff.filter(user=user).exists():
        return "member"
    if state in (Membership.State.PENDING, Membership.State.BANNED):
        return state
    return "none"
