"""Invitation pages: the landing page of a link, making links, invitations received.

An invitation link never leads to an error page: unknown links answer 404, expired,
exhausted or revoked ones 410, someone else's 403, each with a page that says why in one
sentence and where to go instead.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chat import selectors_manage as sel
from chat.access import access_channel_write
from chat.exceptions import (
    ChatError,
    InvitationInvalid,
    InvitationWrongUser,
)
from chat.feedback.joinform import (
    JoinFormInvalid,
    clean_answers,
    field_name,
    form_applies,
    join_answers_keep,
)
from chat.forms import InvitationForm, InviteUserForm
from chat.models import Channel, Invitation, Membership
from chat.services import invitations as invitation_services
from chat.views_manage import back, channel_home_url, error_text


def _invalid_page(request: HttpRequest, error: ChatError, invitation=None) -> HttpResponse:
    if isinstance(error, InvitationWrongUser):
        status = 403
    elif type(error) is InvitationInvalid:
        status = 404
    else:
        status = 410
    return render(
        request,
        "chat/invitations/invalid.html",
        {"detail": error_text(error), "invitation": invitation},
        status=status,
    )


def invite_landing(request: HttpRequest, token: str) -> HttpResponse:
    """The page a shared link opens: a preview of the store/channel and a join button.
    Anonymous visitors sign up or sign in first and come back here (``?next=``)."""
    try:
        invitation = invitation_services.invitation_get(token)
    except InvitationInvalid as error:
        return _invalid_page(request, error)
    channel = invitation.channel
    membership = (
        Membership.objects.filter(channel=channel, user=request.user).first()
        if request.user.is_authenticated
        else None
    )
    if membership is None or membership.state != Membership.State.ACTIVE:
        problem = invitation_services.invitation_problem(invitation, user=request.user)
        if problem is not None:
            return _invalid_page(request, problem, invitation)
    join_questions = form_applies(
        channel, needs_approval=channel.is_closed and channel.store.invite_needs_approval
    )
    join_errors: dict[str, str] = {}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            with transaction.atomic():  # the store's join form first: nothing kept without it
                answers = clean_answers(join_questions, request.POST)
                membership = invitation_services.invitation_accept(token=token, user=request.user)
                join_answers_keep(membership=membership, questions=join_questions, answers=answers)
        except JoinFormInvalid as error:
            messages.error(request, error_text(error))
            join_errors = error.errors
        except ChatError as error:
            if isinstance(error, InvitationInvalid):
                return _invalid_page(request, error, invitation)
            messages.error(request, error_text(error))
            return redirect(request.path)
        else:
            if membership.state == Membership.State.ACTIVE:
                messages.success(request, _("Welcome to “%(title)s”!") % {"title": channel.title})
                return redirect(channel_home_url(channel))
            messages.success(request, _("Your request was sent. The seller will approve it soon."))
            return redirect(request.path)
    return render(
        request,
        "chat/invitations/landing.html",
        {
            "invitation": invitation,
            "channel": channel,
            "store": channel.store,
            "member_count": sel.channel_active_member_count(channel),
            "membership": membership,
            "home_url": channel_home_url(channel),
            "join_fields": [
                {
                    "question": q,
                    "name": field_name(q),
                    "value": request.POST.get(field_name(q), ""),
                    "error": join_errors.get(field_name(q), ""),
                }
                for q in join_questions
            ],
        },
        status=400 if join_errors else 200,
    )


def _member_channel(request: HttpRequest, channel_id: int) -> tuple[Channel, Membership]:
    try:
        return access_channel_write(request.user, channel_id)
    except ChatError:
        raise Http404() from None


@login_required
def channel_invite(request: HttpRequest, channel_id: int) -> HttpResponse:
    """Members make invitation links (expiry, maximum uses) or invite a friend by username,
    and see their links with use counts (managers see every link of the channel)."""
    channel, membership = _member_channel(request, channel_id)
    if channel.kind == Channel.Kind.DIRECT:
        raise Http404()
    link_form = InvitationForm(initial={"expires": "7d"})
    user_form = InviteUserForm()
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "user":
                user_form = InviteUserForm(request.POST)
                if user_form.is_valid():
                    invitation = invitation_services.invitation_invite_user(
                        channel=channel,
                        inviter=request.user,
                        username=user_form.cleaned_data["username"],
                    )
                    messages.success(
                        request,
                        _("%(name)s is invited. They see it in their invitations.")
                        % {"name": invitation.invitee.name},
                    )
                    return redirect("chat:channel_invite", channel_id=channel.pk)
            else:
                link_form = InvitationForm(request.POST)
                if link_form.is_valid():
                    invitation = invitation_services.invitation_create(
                        channel=channel,
                        inviter=request.user,
                        expires_in=link_form.expires_in,
                        max_uses=link_form.cleaned_data["max_uses"],
                    )
                    messages.success(
                        request, _("Your invitation link is ready: copy and share it.")
                    )
                    return redirect(
                        f"{request.path}?new={invitation.pk}#invitation-{invitation.pk}"
                    )
        except ChatError as error:
            messages.error(request, error_text(error))
    invitations = sel.channel_invitations(channel, request.user, everyone=membership.is_manager)
    rows = [
        {
            "invitation": inv,
            "url": request.build_absolute_uri(invitation_services.invitation_url(inv)),
            "problem": invitation_services.invitation_problem(inv),
        }
        for inv in invitations[:100]
    ]
    return render(
        request,
        "chat/invitations/channel_invite.html",
        {
            "channel": channel,
            "link_form": link_form,
            "user_form": user_form,
            "rows": rows,
            "new_id": request.GET.get("new", ""),
            "is_manager": membership.is_manager,
            "home_url": channel_home_url(channel),
        },
    )


@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    """Invitations friends sent me, to accept or decline."""
    received = invitation_services.invitations_received(request.user)
    return render(request, "chat/invitations/received.html", {"received": received})


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """Cancel a link (its maker or a manager) or decline one (its invitee)."""
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    try:
        invitation_services.invitation_revoke(invitation=invitation, actor=request.user)
    except ChatError:
        raise Http404() from None
    if invitation.invitee_id == request.user.pk:
        messages.success(request, _("The invitation was declined."))
        return back(request, reverse("chat:invitation_list"))
    messages.success(request, _("The link was cancelled: it no longer works."))
    return back(
        request, reverse("chat:channel_invite", kwargs={"channel_id": invitation.channel_id})
    )
