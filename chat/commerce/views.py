"""Share goods from a pane (POST, then back to the pane) and a product card for the viewer
(JSON, for cards of closed stores that arrive live)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chat.access import access_channel_read
from chat.commerce.cards import buy_url, product_card_for
from chat.commerce.services import goods_share
from chat.exceptions import ChatError
from chat.models import Message
from chat.services.messages import message_rate_allow
from chat.views_manage import back, channel_home_url, error_text


@login_required
@require_POST
def share_goods(request: HttpRequest, channel_id: int) -> HttpResponse:
    try:
        channel, _membership = access_channel_read(request.user, channel_id)
    except ChatError:
        raise Http404 from None
    goods_id = request.POST.get("goods", "")
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        if not message_rate_allow(user_id=request.user.pk):
            raise ChatError(_("Too many messages: wait a few seconds."), code="rate_limited")
        message = goods_share(
            channel=channel, goods_id=int(goods_id) if goods_id.isdigit() else 0, actor=request.user
        )
    except ChatError as error:
        if wants_json:  # the pane posts with fetch and shows the sentence under the send box
            return JsonResponse({"error": error_text(error)}, status=400)
        messages.error(request, error_text(error))
    else:
        if wants_json:  # the card itself arrives on the channel socket
            return JsonResponse({"id": message.pk})
    return back(request, f"{channel_home_url(channel)}#talk-{channel.pk}")


@login_required
@require_GET
def product_card(request: HttpRequest, message_id: int) -> JsonResponse:
    message = Message.objects.filter(
        pk=message_id, kind=Message.Kind.PRODUCT_CARD, deleted_at__isnull=True
    ).first()
    if message is None:
        raise Http404
    try:
        access_channel_read(request.user, message.channel_id)
    except ChatError:
        raise Http404 from None
    card = product_card_for(message, request.user)
    if not card.get("gone"):
        card["buy_url"] = buy_url(card, message)
    return JsonResponse({"id": message.pk, "card": card})
