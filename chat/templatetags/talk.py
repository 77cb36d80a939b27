"""``{% load talk %}``: the talk pane, chat text rendering and unread badges.

- ``{% talk_pane channel %}`` renders templates/chat/_pane.html for ``request.user``: the last
  50 messages (or, on the channel page, the ones around ``?around=<id>`` / before ``?before=``),
  filtered by ``?topic=``, then static/js/talk.js keeps it live. Options:
  ``standalone=True`` (the /talk/<id>/ page: taller, honours ?around= and ?before=).
- ``{{ message.body|chat_text }}``: escaped text with http(s) links and line breaks only.
- ``{% unread_total as n %}`` and ``{{ n|unread_label }}``: the header badge (99+ cap).
"""

from __future__ import annotations

import re
import uuid

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chat.access import access_channel_read, membership_of
from chat.exceptions import Banned, ChannelNotFound, NotMember
from chat.models import Channel, Membership, Pin
from chat.selectors import (
    channel_display_title,
    channel_topics,
    history_around,
    history_page,
    unread_total,
)
from chat.selectors import unread_label as _unread_label

register = template.Library()

URL_RE = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
TRAILING = ".,;:!?'\")]}…。、」』>"
PANE_SIZE = 50


def _split_url(url: str) -> str:
    """Drop punctuation that ends a sentence rather than the URL (keep balanced ")")."""
    while url and url[-1] in TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


@register.filter(is_safe=True)
def chat_text(value: object) -> SafeString:
    """Chat text as HTML: everything escaped, http(s) URLs as links, newlines as <br>.
    static/js/talk.js (``renderText``) applies the same rules in the browser."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts: list[str] = []
    pos = 0
    for match in URL_RE.finditer(text):
        url = _split_url(match.group(0))
        if not re.match(r"https?://[^/?#\s]", url, re.IGNORECASE):
            continue
        parts.append(escape(text[pos : match.start()]))
        parts.append(
            f'<a href="{escape(url)}" rel="nofollow noopener noreferrer" target="_blank">'
            f"{escape(url)}</a>"
        )
        pos = match.start() + len(url)
    parts.append(escape(text[pos:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308 - every part escaped


@register.filter
def unread_label(count: int) -> str:
    return _unread_label(count or 0)


@register.simple_tag(takes_context=True)
def unread_total_for(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return unread_total(user)


@register.simple_tag(takes_context=True)
def talk_title(context, channel: Channel) -> str:
    request = context.get("request")
    return channel_display_title(channel, getattr(request, "user", None))


def _int_param(request, name: str) -> int | None:
    raw = request.GET.get(name, "") if request is not None else ""
    return int(raw) if raw.isdigit() else None


def pane_state(user, channel: Channel | None) -> tuple[str, Membership | None]:
    """What this person may see of the channel:
    ``member`` (read and write), ``reader`` (open channel, signed in, not a member: history and
    a Join button), ``anonymous`` (open channel: history read-only, sign-in link),
    ``pending``/``outsider``/``signin`` (closed: a note only), ``banned``, or ``none``."""
    if not isinstance(channel, Channel) or channel.deleted_at is not None:
        return "none", None
    if user is None or not user.is_authenticated:
        if channel.kind == Channel.Kind.DIRECT:
            return "none", None
        return ("signin" if channel.is_closed else "anonymous"), None
    try:
        _channel, membership = access_channel_read(user, channel.pk)
    except ChannelNotFound:
        return "none", None
    except Banned:
        return "banned", None
    except NotMember:
        membership = membership_of(user, channel)
        if membership is not None and membership.state == Membership.State.PENDING:
            return "pending", membership
        return "outsider", membership
    if membership is not None and membership.is_active:
        return "member", membership
    return "reader", membership


def pane_context(request, channel: Channel | None, *, standalone: bool = False, topic=None):
    user = getattr(request, "user", None)
    state, membership = pane_state(user, channel)
    context = {"state": state, "channel": channel, "standalone": standalone, "request": request}
    if state == "none":
        return context
    here = request.get_full_path() if request is not None else "/"
    context["next"] = here
    context["login_url"] = f"{reverse('account_login')}?{urlencode({'next': here})}"
    context["title"] = channel_display_title(channel, user)
    if state not in ("member", "reader", "anonymous"):
        return context
    if topic is None and request is not None:
        topic = request.GET.get("topic", "").strip()[:100]
    around = _int_param(request, "around") if standalone else None
    before = _int_param(request, "before") if standalone else None
    if around:
        page = history_around(channel, around, limit=PANE_SIZE, topic=topic or None)
        messages, has_older, has_newer = page.messages, page.has_older, page.has_newer
    else:
        result = history_page(channel, before=before, limit=PANE_SIZE, topic=topic or None)
        messages, has_older, has_newer = result.messages, result.has_more, bool(before)
    pins = [
        pin.message
        for pin in Pin.objects.filter(channel=channel, message__deleted_at__isnull=True)
        .select_related("message__author")
        .order_by("pinned_at", "pk")
    ]
    last_read = membership.last_read_message_id if state == "member" else 0
    me = user.pk if user is not None and user.is_authenticated else None
    first_unread = (
        next((m.pk for m in messages if m.pk > last_read and m.author_id != me), None)
        if state == "member"
        else None
    )
    draft = ""
    if request is not None and state == "member" and hasattr(request, "session"):
        draft = request.session.pop(f"talk_draft_{channel.pk}", "")
    context.update(
        {
            "messages": messages,
            "has_older": has_older,
            "has_newer": has_newer,
            "older_url": _older_url(channel, messages, topic),
            "first_unread": first_unread,
            "last_read": last_read,
            "around": around,
            "topic": topic or "",
            "topics": channel_topics(channel),
            "pins": pins,
            "pinned_ids": {m.pk for m in pins},
            "show_history": True,
            "live": state in ("member", "reader"),
            "strings_id": f"talk-strings-{channel.pk}",
            "me": me,
            "is_manager": bool(membership is not None and membership.is_manager),
            "client_id": uuid.uuid4().hex,
            "draft": draft,
            "archived": channel.is_archived,
            "strings": _js_strings(),
        }
    )
    return context


def _older_url(channel: Channel, messages: list, topic: str | None) -> str:
    params = {"before": messages[0].pk} if messages else {}
    if topic:
        params["topic"] = topic
    return f"{reverse('chat:channel', args=[channel.pk])}?{urlencode(params)}"


def _order_statuses() -> dict:
    from shop.orders.models import OrderStatus

    return {value: str(label) for value, label in OrderStatus.choices}


def _js_strings() -> dict:
    return {
        "new_messages": _("New messages"),
        "auto": _("Auto-reply"),
        "deleted": _("deleted message"),
        "typing": _("%(name)s is typing…"),
        "online": _("%(count)s online"),
        "connecting": _("Connecting…"),
        "offline": _("Offline: reconnecting…"),
        "sending": _("Sending…"),
        "failed": _("Not sent"),
        "closed_4401": _("Sign in again to keep talking."),
        "closed_4403": _("You can no longer take part in this talk."),
        "closed_4404": _("This talk no longer exists."),
        "archived": _("This talk is archived: you can read it but not write."),
        # Message action menus and product/order cards drawn by talk.js
        "more": _("More"),
        "delete": _("Delete"),
        "pin": _("Pin"),
        "unpin": _("Unpin"),
        "report": _("Report"),
        "won": _("won"),
        "buy_now": _("Buy now"),
        "sold_out": _("sold out"),
        "gone": _("No longer on sale."),
        "members_only": _("Price and options for store members only."),
        "order": _("Order %(number)s"),
        "more_lines": _("and %(n)s more"),
        "total": _("Total"),
        "track": _("Track parcel"),
        "order_details": _("Order details"),
        "statuses": _order_statuses(),
        "errors": {
            "bad_request": _("That message could not be sent."),
            "too_long": _("A message can be at most 2000 characters."),
            "rate_limited": _("Too many messages: wait a few seconds."),
            "not_member": _("Join the talk to send messages."),
            "archived": _("This talk is archived: you can read it but not write."),
            "banned": _("You are banned from this talk."),
            "not_found": _("This talk no longer exists."),
            "unavailable": _("Not saved: try again in a moment."),
        },
    }


@register.inclusion_tag("chat/_pane.html", takes_context=True)
def talk_pane(context, channel: Channel | None, standalone: bool = False, topic=None) -> dict:
    """The talk pane of ``channel`` for the current user (see the module docstring)."""
    return pane_context(context.get("request"), channel, standalone=standalone, topic=topic)


@register.inclusion_tag("chat/_direct_button.html", takes_context=True)
def talk_direct_button(context, store) -> dict:
    """ "1:1 chat with the store" (hidden for the store's own staff)."""
    from shop.models import StoreStaff

    request = context.get("request")
    user = getattr(request, "user", None)
    staff = bool(
        user is not None
        and user.is_authenticated
        and StoreStaff.objects.filter(store=store, user=user).exists()
    )
    here = request.get_full_path() if request is not None else "/"
    return {
        "store": store,
        "show": not staff,
        "signed_in": bool(user is not None and user.is_authenticated),
        "login_url": f"{reverse('account_login')}?{urlencode({'next': here})}",
    }
