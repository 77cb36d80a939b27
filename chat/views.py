"""The live chat pages: My talks, a channel's own page, the no-JavaScript send form and
"1:1 chat with the store". Thin: access gate first, one service call, redirect back."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chat.access import access_channel_write
from chat.exceptions import Banned, ChannelNotFound, ChatError, NotMember
from chat.models import Channel
from chat.selectors import channel_display_title, last_message_id, my_talks_paged
from chat.services.direct import OwnStore, channel_open_direct
from chat.services.messages import clean_body, message_post, message_rate_allow
from chat.services.reads import read_mark
from chat.templatetags.talk import pane_state
from shop.models import Store

ERRORS = {
    "bad_request": gettext_lazy("That message could not be sent."),
    "too_long": gettext_lazy("A message can be at most 2000 characters."),
    "rate_limited": gettext_lazy("Too many messages: wait a few seconds."),
    "not_member": gettext_lazy("Join the talk to send messages."),
    "archived": gettext_lazy("This talk is archived: you can read it but not write."),
    "banned": gettext_lazy("You are banned from this talk."),
    "not_found": gettext_lazy("This talk no longer exists."),
}


def _error_text(error: ChatError) -> str:
    return str(ERRORS.get(error.code, ERRORS["bad_request"]))


def _back(request: HttpRequest, default: str, anchor: str = "") -> HttpResponseRedirect:
    target = request.POST.get("next") or ""
    if not (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        target = default
    return HttpResponseRedirect(f"{target.split('#')[0]}{anchor}")


@login_required
def my_talks_page(request: HttpRequest) -> HttpResponse:
    page, total_unread = my_talks_paged(request.user, request.GET.get("page"))
    return render(
        request,
        "chat/my_talks.html",
        {
            "page": page,
            "rows": page.object_list,
            "total_unread": total_unread,
            "inbox_strings": {"deleted": _("deleted message")},
        },
    )


def channel_page(request: HttpRequest, channel_id: int) -> HttpResponse:
    """A channel on its own page (promotion and 1:1 chats, links from My talks and search).
    Missing → 404; closed and not yours → 403 with "request to join"; viewing marks read."""
    channel = get_object_or_404(
        Channel.objects.select_related("store", "goods", "buyer"),
        pk=channel_id,
        deleted_at__isnull=True,
    )
    state, membership = pane_state(request.user, channel)
    if state == "none":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.get_full_path()}")
        raise Http404(_("No such talk."))
    status = 403 if state in ("outsider", "pending", "banned", "signin") else 200
    response = render(
        request,
        "chat/channel.html",
        {
            "channel": channel,
            "state": state,
            "title": channel_display_title(channel, request.user),
        },
        status=status,
    )
    if state == "member" and not request.GET.get("around") and not request.GET.get("before"):
        # Reading the page is reading the talk (the pane drew its divider first).
        read_mark(membership=membership, up_to=last_message_id(channel))
    return response


@login_required
@require_POST
def channel_post(request: HttpRequest, channel_id: int) -> HttpResponse:
    """The send form without JavaScript: same service as the socket, then back to the page.
    On an error the text is kept (shown again in the send box) with the reason."""
    anchor = f"#talk-{channel_id}"
    default = reverse("chat:channel", args=[channel_id])
    body = request.POST.get("body", "")
    try:
        channel, _membership = access_channel_write(request.user, channel_id)
        text = clean_body(body)
        if not message_rate_allow(user_id=request.user.pk):
            raise ChatError(code="rate_limited")
        message_post(
            channel=channel,
            author=request.user,
            body=text,
            client_id=request.POST.get("client_id") or None,
            topic=request.POST.get("topic", "").strip()[:100],
        )
    except (ChannelNotFound, Banned, NotMember) as error:
        if isinstance(error, ChannelNotFound):
            raise Http404(_("No such talk.")) from None
        messages.error(request, _error_text(error))
        request.session[f"talk_draft_{channel_id}"] = body[:4000]
    except ChatError as error:
        messages.error(request, _error_text(error))
        request.session[f"talk_draft_{channel_id}"] = body[:4000]
    return _back(request, default, anchor)


@login_required
@require_POST
def direct_open(request: HttpRequest, slug: str) -> HttpResponse:
    """ "1:1 chat with the store": create or reopen the buyer's direct channel, go there."""
    store = get_object_or_404(Store, slug=slug, status=Store.Status.ACTIVE)
    try:
        channel = channel_open_direct(store=store, buyer=request.user)
    except OwnStore:
        messages.error(request, _("This is your own store: customers start 1:1 chats with you."))
        return redirect("chat:my_talks")
    return redirect("chat:channel", channel_id=channel.pk)
