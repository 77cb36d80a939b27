"""Pages of chat automation: the buyer's offer form and buttons, the seller's FAQ, questions
and offers pages. Access gates first; services write; bad input is a form error or a
one-sentence message, never a 500."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chat.access import access_channel_manage
from chat.bot.forms import BotHoursForm, FaqForm, OfferForm, OfferSettingsForm
from chat.bot.locks import price_lock_buy
from chat.bot.models import BotChannel, BotQuestion, FaqEntry, Offer
from chat.bot.services.answers import bot_set_enabled
from chat.bot.services.faq import (
    entry_answer,
    entry_question,
    faq_delete,
    faq_entries,
    faq_save,
    store_bot,
)
from chat.bot.services.offers import (
    accept_from,
    floor_price,
    offer_act,
    offer_expire_due,
    offer_make,
)
from chat.exceptions import ChatError
from chat.models import Channel
from shop.access import access_store_manage, can_see_member_content
from shop.exceptions import ShopError
from shop.models import Goods
from shop.orders.models import CartItem
from shop.orders.views import checkout_url
from shop.pricing import price_for
from shop.views_seller import seller_context


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


# --- buyer: offers -------------------------------------------------------------------------


def _offer_goods(request: HttpRequest, goods_id: int) -> Goods:
    goods = (
        Goods.objects.select_related("store")
        .filter(pk=goods_id, deleted_at__isnull=True)
        .exclude(status=Goods.Status.HIDDEN)
        .first()
    )
    if goods is None or not can_see_member_content(request.user, goods.store):
        raise Http404
    return goods


@login_required
@require_http_methods(["GET", "POST"])
def goods_offer(request: HttpRequest, goods_id: int) -> HttpResponse:
    """Make a price offer on a goods item: it goes to the 1:1 chat with the store."""
    goods = _offer_goods(request, goods_id)
    options = list(goods.options.order_by("position", "id"))
    form = OfferForm(request.POST or None, options=options)
    bot = store_bot(goods.store)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            offer = offer_make(
                buyer=request.user,
                goods=goods,
                option=data.get("option"),
                quantity=data["quantity"],
                price=data["price"],
            )
        except (ShopError, ChatError) as error:
            message = getattr(error, "message", None) or getattr(error, "detail", str(error))
            field = getattr(error, "field", None)
            form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Your offer is in your 1:1 chat with the store."))
            return redirect(
                f"{reverse('chat:channel', args=[offer.channel_id])}#talk-{offer.channel_id}"
            )
    return render(
        request,
        "chatbot/offer_form.html",
        {
            "goods": goods,
            "form": form,
            "price": price_for(goods, None, user=request.user),
            "options": [
                {"option": o, "price": price_for(goods, o, user=request.user)} for o in options
            ],
            "offers_enabled": bot.offers_enabled,
        },
    )


@login_required
def store_offer(request: HttpRequest, slug: str) -> HttpResponse:
    """From the 1:1 chat: choose which goods item to make an offer on."""
    from shop.models import Store

    store = get_object_or_404(Store, slug=slug, status=Store.Status.ACTIVE)
    if not can_see_member_content(request.user, store):
        raise Http404
    bot = store_bot(store)
    goods = list(
        Goods.objects.filter(
            store=store, deleted_at__isnull=True, status=Goods.Status.ON_SALE
        ).order_by("name", "id")[:100]
    )
    rows = [{"goods": g, "price": price_for(g, None, user=request.user)} for g in goods]
    return render(
        request,
        "chatbot/store_offer.html",
        {"store": store, "rows": rows, "offers_enabled": bot.offers_enabled},
    )


@login_required
@require_POST
def offer_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Accept, decline or counter (seller on an open offer, buyer on a counter-offer)."""
    try:
        offer = offer_act(
            offer_id=pk, actor=request.user, action=action, price=request.POST.get("price")
        )
    except ShopError as error:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": error.message}, status=400)
        messages.error(request, error.message)
        return redirect(_next(request, reverse("chat:my_talks")))
    if _wants_json(request):
        return JsonResponse({"ok": True, "status": offer.status})
    return redirect(_next(request, reverse("chat:channel", args=[offer.channel_id])))


@login_required
@require_POST
def lock_buy(request: HttpRequest, pk: int) -> HttpResponse:
    """The price-locked buy button: checkout opens at the agreed price."""
    try:
        lock = price_lock_buy(user=request.user, lock_id=pk)
    except ShopError as error:
        messages.error(request, error.message)
        return redirect(_next(request, reverse("chat:my_talks")))
    item = CartItem.objects.filter(user=request.user, goods=lock.goods, option=lock.option).first()
    params = {"from_channel": lock.offer.channel_id} if lock.offer_id else {}
    return redirect(checkout_url(lock.goods.store, params, only=item.pk if item else None))


@login_required
@require_POST
def channel_bot_toggle(request: HttpRequest, channel_id: int) -> HttpResponse:
    """A manager turns auto-answers on or off for one channel (from the pane or the bot page)."""
    try:
        channel, _membership = access_channel_manage(request.user, channel_id)
    except ChatError:
        raise Http404 from None
    enabled = request.POST.get("enabled") == "1"
    bot_set_enabled(channel=channel, enabled=enabled)
    messages.success(
        request, _("Auto-answers are on here.") if enabled else _("Auto-answers are off here.")
    )
    return redirect(_next(request, reverse("chat:channel", args=[channel.pk])))


# --- seller pages ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def seller_bot(request: HttpRequest, slug: str) -> HttpResponse:
    """FAQ entries, business hours and the per-channel switches."""
    store, role = access_store_manage(request.user, slug)
    bot = store_bot(store)
    form = BotHoursForm(request.POST or None, instance=bot)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Auto-answer settings saved."))
        return redirect("chatbot:seller_bot", store.slug)
    entries = [
        {"entry": e, "question": entry_question(e), "answer": entry_answer(e, store)}
        for e in faq_entries(store, enabled_only=False)
    ]
    channels = list(
        Channel.objects.filter(
            store=store,
            kind__in=(Channel.Kind.STORE, Channel.Kind.GOODS),
            deleted_at__isnull=True,
        ).order_by("kind", "id")[:200]
    )
    off = set(
        BotChannel.objects.filter(channel__in=channels, enabled=False).values_list(
            "channel_id", flat=True
        )
    )
    return render(
        request,
        "chatbot/seller_bot.html",
        seller_context(
            store,
            role,
            "bot",
            form=form,
            entries=entries,
            channels=[{"channel": c, "on": c.pk not in off} for c in channels],
            unanswered=BotQuestion.objects.filter(store=store, answered=False).count(),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def seller_faq_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    entry = get_object_or_404(FaqEntry, pk=pk, store=store) if pk else None
    auto = entry is not None and entry.source is not None
    initial = {}
    if entry is None and request.GET.get("q"):
        initial = {"question": request.GET["q"][:200]}
    form = FaqForm(request.POST or None, instance=entry, auto=auto, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            faq_save(
                store=store,
                entry=entry,
                question=data.get("question", ""),
                answer=data.get("answer", ""),
                keywords=data["keywords"],
                enabled=data.get("enabled", False),
            )
        except ShopError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("FAQ entry saved."))
            return redirect("chatbot:seller_bot", store.slug)
    return render(
        request,
        "chatbot/seller_faq_form.html",
        seller_context(
            store,
            role,
            "bot",
            form=form,
            entry=entry,
            auto=auto,
            question=entry_question(entry) if entry else "",
            answer=entry_answer(entry, store) if entry else "",
        ),
    )


@login_required
@require_POST
def seller_faq_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    store, _role = access_store_manage(request.user, slug)
    entry = get_object_or_404(FaqEntry, pk=pk, store=store)
    try:
        faq_delete(store=store, entry=entry)
    except ShopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("FAQ entry deleted."))
    return redirect("chatbot:seller_bot", store.slug)


@login_required
def seller_bot_questions(request: HttpRequest, slug: str) -> HttpResponse:
    """What buyers asked: answered by the bot, or not (add an FAQ entry from it)."""
    store, role = access_store_manage(request.user, slug)
    show = request.GET.get("show", "unanswered")
    qs = BotQuestion.objects.filter(store=store).select_related("entry", "channel")
    if show == "answered":
        qs = qs.filter(answered=True)
    else:
        show = "unanswered"
        qs = qs.filter(answered=False)
    page = Paginator(qs.order_by("-id"), 30).get_page(request.GET.get("page"))
    rows = [{"q": q, "entry_question": entry_question(q.entry) if q.entry_id else ""} for q in page]
    return render(
        request,
        "chatbot/seller_questions.html",
        seller_context(store, role, "bot", page=page, rows=rows, show=show),
    )


@login_required
@require_http_methods(["GET", "POST"])
def seller_offers(request: HttpRequest, slug: str) -> HttpResponse:
    """Offer settings (floor, automatic rules, reward) and the store's offers."""
    store, role = access_store_manage(request.user, slug)
    offer_expire_due(store=store)
    bot = store_bot(store)
    form = OfferSettingsForm(request.POST or None, instance=bot)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Offer settings saved."))
        return redirect("chatbot:seller_offers", store.slug)
    status = request.GET.get("status", "")
    qs = Offer.objects.filter(store=store).select_related("goods", "option", "buyer")
    if status in Offer.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-id"), 30).get_page(request.GET.get("page"))
    example = 10000
    return render(
        request,
        "chatbot/seller_offers.html",
        seller_context(
            store,
            role,
            "offers",
            form=form,
            page=page,
            status=status,
            statuses=Offer.Status.choices,
            example={
                "price": example,
                "floor": floor_price(bot, example),
                "accept": accept_from(bot, example),
            },
        ),
    )
