"""Membership and moderation pages: join/leave buttons, reports, and the seller's talk pages.

Thin views: gate first (sign-in, store staff → else 404), validate a form, call one service,
turn a typed chat error into a message on the page (never a 500), redirect back.
"""

from __future__ import annotations

from contextlib import suppress

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chat import selectors_manage as sel
from chat.access import access_channel_read
from chat.exceptions import ChatError
from chat.feedback.joinform import answers_by_user, questions_of
from chat.forms import DescribeForm, RejectForm, RenameForm, ReportForm
from chat.models import Channel, Membership, Message, MessageFlag
from chat.services import channels as channel_services
from chat.services import memberships as membership_services
from chat.services import moderation
from chat.services.moderation import pinned_messages
from shop.models import Store

DIRECT_CHATS_PER_PAGE = 20


def error_text(error: ChatError) -> str:
    """A translated sentence for a typed chat error (services raise translated details;
    the access gates' generic errors are translated here)."""
    generic = {
        "not_found": _("No such channel."),
        "not_member": _("You are not an active member of this channel."),
        "banned": _("You are banned from this channel."),
        "archived": _("This channel is archived: it can be read but not written to."),
    }
    if error.code in generic and error.detail == (type(error).__doc__ or "").strip():
        return generic[error.code]
    if error.code == "not_member" and "owner and managers" in error.detail:
        return _("Only the store's owner and managers can do this.")
    return str(error.detail)


def back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Redirect to ``next`` (same site only) or ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


def channel_home_url(channel: Channel) -> str:
    """Where a channel lives for a person: its store or goods page, else its talk pane."""
    if channel.kind == Channel.Kind.STORE:
        return reverse("shop:store_detail", kwargs={"slug": channel.store.slug})
    if channel.kind == Channel.Kind.GOODS and channel.goods_id:
        with suppress(NoReverseMatch):
            return reverse("shop:goods_detail", kwargs={"pk": channel.goods_id})
    return f"/talk/{channel.pk}/"


def _my_talks_url() -> str:
    with suppress(NoReverseMatch):
        return reverse("chat:my_talks")
    return reverse("chat:invitation_list")


# --- a person's own membership --------------------------------------------------------------


def _channel_or_404(channel_id: int) -> Channel:
    return get_object_or_404(
        Channel.objects.select_related("store"), pk=channel_id, deleted_at__isnull=True
    )


@login_required
@require_POST
def channel_join(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = _channel_or_404(channel_id)
    if channel.kind == Channel.Kind.STORE and questions_of(channel.store):
        return redirect("chat:store_join", slug=channel.store.slug)  # answer its join form
    try:
        membership = membership_services.membership_join(channel=channel, user=request.user)
    except ChatError as error:
        messages.error(request, error_text(error))
    else:
        if membership.state == Membership.State.PENDING:
            messages.success(request, _("Your request to join was sent."))
        else:
            messages.success(request, _("You joined “%(title)s”.") % {"title": channel.title})
    return back(request, channel_home_url(channel))


@login_required
@require_POST
def channel_leave(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = _channel_or_404(channel_id)
    try:
        membership_services.membership_leave(channel=channel, user=request.user)
    except ChatError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("You left “%(title)s”.") % {"title": channel.title})
    return back(request, channel_home_url(channel))


@login_required
@require_POST
def channel_withdraw(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=channel_id)
    try:
        membership_services.membership_withdraw(channel=channel, user=request.user)
    except ChatError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, _("“%(title)s” was removed from your talks.") % {"title": channel.title}
        )
    return back(request, _my_talks_url())


# --- messages: report, delete, pin -----------------------------------------------------------


def _readable_message(request: HttpRequest, message_id: int) -> Message:
    message = get_object_or_404(
        Message.objects.select_related("channel__store", "author"), pk=message_id
    )
    try:
        access_channel_read(request.user, message.channel_id)
    except ChatError:
        raise Http404() from None
    return message


@login_required
def message_report(request: HttpRequest, message_id: int) -> HttpResponse:
    """Report a message to the channel's managers (GET shows the message and a reason)."""
    message = _readable_message(request, message_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.message_flag(
                message=message, reporter=request.user, reason=form.cleaned_data["reason"]
            )
        except ChatError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Thank you. The store's managers will look at it."))
            return back(request, channel_home_url(message.channel))
    return render(
        request,
        "chat/manage/report.html",
        {"message": message, "form": form, "next": request.GET.get("next", "")},
    )


@login_required
@require_POST
def message_delete(request: HttpRequest, message_id: int) -> HttpResponse:
    message = _readable_message(request, message_id)
    try:
        moderation.message_delete(message=message, actor=request.user)
    except ChatError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The message was deleted."))
    return back(request, channel_home_url(message.channel))


@login_required
@require_POST
def message_pin(request: HttpRequest, message_id: int) -> HttpResponse:
    message = _readable_message(request, message_id)
    unpin = request.POST.get("action") == "unpin"
    try:
        if unpin:
            moderation.pin_remove(message=message, actor=request.user)
        else:
            moderation.pin_add(message=message, actor=request.user)
    except ChatError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Unpinned.") if unpin else _("Pinned at the top of the talk."))
    return back(request, channel_home_url(message.channel))


# --- the seller's talk pages -----------------------------------------------------------------


def _seller_store(request: HttpRequest, slug: str) -> Store:
    """The store if the signed-in user runs it; another store's seller gets 404."""
    store = get_object_or_404(Store, slug=slug)
    if not sel.is_store_staff(request.user, store):
        raise Http404()
    return store


def _store_channel(store: Store, channel_id: int) -> Channel:
    return get_object_or_404(Channel, pk=channel_id, store=store, deleted_at__isnull=True)


@login_required
def seller_talk(request: HttpRequest, slug: str) -> HttpResponse:
    store = _seller_store(request, slug)
    store_channel = channel_services.channel_ensure_for_store(store=store)
    members = sel.channel_members(store_channel)
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    pending = list(sel.store_pending_requests(store))
    answers = answers_by_user(request.user, store, [m.user_id for m in pending])
    for m in pending:
        m.join_answers = answers.get(m.user_id, []) if m.channel_id == store_channel.pk else []
    return render(
        request,
        "chat/manage/seller_talk.html",
        {
            "store": store,
            "store_channel": store_channel,
            "channels": sel.store_channels(store),
            "pending": pending,
            "direct_page": Paginator(
                sel.store_direct_chats(store, request.user), DIRECT_CHATS_PER_PAGE
            ).get_page(request.GET.get("chats")),
            "flagged": sel.store_open_flags(store),
            "members_page": page,
            "reject_form": RejectForm(),
        },
    )


@login_required
def seller_channel(request: HttpRequest, slug: str, channel_id: int) -> HttpResponse:
    """One channel's settings: rename, description, archive, pins, recent messages, members."""
    store = _seller_store(request, slug)
    channel = _store_channel(store, channel_id)
    rename_form = RenameForm(initial={"title": channel.title})
    describe_form = DescribeForm(initial={"description": channel.description})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "rename":
                rename_form = RenameForm(request.POST)
                if rename_form.is_valid():
                    channel_services.channel_rename(
                        channel=channel, actor=request.user, title=rename_form.cleaned_data["title"]
                    )
                    messages.success(request, _("The channel was renamed."))
                    return redirect("chat:seller_channel", slug=store.slug, channel_id=channel.pk)
            elif action == "describe":
                describe_form = DescribeForm(request.POST)
                if describe_form.is_valid():
                    channel_services.channel_describe(
                        channel=channel,
                        actor=request.user,
                        description=describe_form.cleaned_data["description"],
                    )
                    messages.success(request, _("The description was saved."))
                    return redirect("chat:seller_channel", slug=store.slug, channel_id=channel.pk)
            elif action == "archive":
                channel_services.channel_archive(channel=channel, actor=request.user)
                messages.success(request, _("The channel is archived (read-only)."))
                return redirect("chat:seller_channel", slug=store.slug, channel_id=channel.pk)
            elif action == "unarchive":
                channel_services.channel_unarchive(channel=channel, actor=request.user)
                messages.success(request, _("The channel is open for messages again."))
                return redirect("chat:seller_channel", slug=store.slug, channel_id=channel.pk)
            else:
                messages.error(request, _("Unknown action."))
        except ChatError as error:
            messages.error(request, error_text(error))
        channel.refresh_from_db()
    membership = Membership.objects.filter(channel=channel, user=request.user).first()
    page = Paginator(sel.channel_members(channel), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "chat/manage/seller_channel.html",
        {
            "store": store,
            "channel": channel,
            "is_owner": membership is not None and membership.role == Membership.Role.OWNER,
            "rename_form": rename_form,
            "describe_form": describe_form,
            "pins": pinned_messages(channel),
            "recent": sel.channel_recent_messages(channel),
            "members_page": page,
            "counts": sel.with_counts(Channel.objects.filter(pk=channel.pk)).get(),
        },
    )


@login_required
def seller_channel_delete(request: HttpRequest, slug: str, channel_id: int) -> HttpResponse:
    """Confirm, then delete (owner only). History is kept for staff."""
    store = _seller_store(request, slug)
    channel = _store_channel(store, channel_id)
    if request.method == "POST":
        try:
            channel_services.channel_delete(channel=channel, actor=request.user)
        except ChatError as error:
            messages.error(request, error_text(error))
            return redirect("chat:seller_channel", slug=store.slug, channel_id=channel.pk)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": channel.title})
        return redirect("chat:seller_talk", slug=store.slug)
    return render(request, "chat/manage/channel_delete.html", {"store": store, "channel": channel})


MEMBERSHIP_ACTIONS = {"approve", "reject", "kick", "ban", "unban"}


@login_required
@require_POST
def seller_membership_action(
    request: HttpRequest, slug: str, membership_id: int, action: str
) -> HttpResponse:
    store = _seller_store(request, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("channel", "user"),
        pk=membership_id,
        channel__store=store,
        channel__deleted_at__isnull=True,
    )
    if action not in MEMBERSHIP_ACTIONS:
        raise Http404()
    name = membership.user.name
    try:
        if action in ("approve", "reject"):
            form = RejectForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("The message can be at most 500 characters."))
                return back(request, reverse("chat:seller_talk", kwargs={"slug": store.slug}))
        if action == "approve":
            membership_services.membership_approve(
                membership=membership, actor=request.user, message=form.cleaned_data["message"]
            )
            done = _("%(name)s is a member now.")
        elif action == "reject":
            membership_services.membership_reject(
                membership=membership, actor=request.user, message=form.cleaned_data["message"]
            )
            done = _("%(name)s's request was declined.")
        elif action == "kick":
            membership_services.membership_kick(membership=membership, actor=request.user)
            done = _("%(name)s was removed from the channel.")
        elif action == "ban":
            membership_services.membership_ban(
                channel=membership.channel, user=membership.user, actor=request.user
            )
            done = _("%(name)s is banned.")
        else:
            membership_services.membership_unban(membership=membership, actor=request.user)
            done = _("%(name)s is no longer banned.")
    except ChatError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done % {"name": name})
    return back(request, reverse("chat:seller_talk", kwargs={"slug": store.slug}))


@login_required
@require_POST
def seller_flag_action(request: HttpRequest, slug: str, flag_id: int, action: str) -> HttpResponse:
    store = _seller_store(request, slug)
    flag = get_object_or_404(
        MessageFlag.objects.select_related("message__channel"),
        pk=flag_id,
        message__channel__store=store,
    )
    try:
        if action == "resolve":
            moderation.flag_resolve(flag=flag, actor=request.user)
            messages.success(request, _("The report is marked as handled."))
        elif action == "delete":
            moderation.message_delete(message=flag.message, actor=request.user)
            messages.success(request, _("The message was deleted."))
        else:
            raise Http404()
    except ChatError as error:
        messages.error(request, error_text(error))
    return back(request, reverse("chat:seller_talk", kwargs={"slug": store.slug}))
