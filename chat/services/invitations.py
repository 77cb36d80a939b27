"""Invitation links and invitations by username.

A member of a channel makes a link (unguessable ``secrets.token_urlsafe`` token, optional
expiry and maximum number of uses) or invites a friend by username (a link only that user can
use; they see it on /talk/invitations/ and get an inbox frame
``{"type": "invitation", "invitation", "channel", "title", "inviter", "url"}``).

Accepting records ``Membership.invited_by`` / ``.invitation``; the referral (store, inviter,
invitee) is recorded once per invitee per store when the membership becomes active, never to
oneself. For a closed channel the store's ``invite_needs_approval`` decides whether the
newcomer is admitted at once or waits (pending) like a join request.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.access import access_channel_write
from chat.exceptions import (
    Archived,
    BadMessage,
    BadState,
    ChannelNotFound,
    Forbidden,
    InvitationExhausted,
    InvitationExpired,
    InvitationInvalid,
    InvitationRevoked,
    InvitationWrongUser,
    NotMember,
    UserNotFound,
)
from chat.models import Channel, Invitation, Membership
from chat.services.channels import is_platform_staff, send_inbox
from chat.services.memberships import membership_join

TOKEN_BYTES = 24  # 32 URL-safe characters
MAX_USES_LIMIT = 10_000
MAX_EXPIRY = timedelta(days=365)


def invitation_url(invitation: Invitation) -> str:
    return reverse("chat:invite_landing", kwargs={"token": invitation.token})


def invitation_problem(invitation: Invitation, *, user=None) -> Exception | None:
    """Why this invitation cannot be used now (by ``user``), as the typed error, or None."""
    if invitation.revoked_at is not None:
        return InvitationRevoked(_("This invitation link was cancelled."))
    if invitation.channel.deleted_at is not None:
        return InvitationInvalid(_("This invitation link does not exist."))
    if invitation.expires_at is not None and invitation.expires_at <= timezone.now():
        return InvitationExpired(_("This invitation link has expired."))
    if invitation.max_uses is not None and invitation.uses >= invitation.max_uses:
        return InvitationExhausted(
            _("This invitation link has been used as many times as it allows.")
        )
    if (
        invitation.invitee_id is not None
        and user is not None
        and user.is_authenticated
        and invitation.invitee_id != user.pk
    ):
        return InvitationWrongUser(_("This invitation was made for another user."))
    return None


def invitation_get(token: str) -> Invitation:
    """The invitation with this token (any state), or ``InvitationInvalid``."""
    invitation = (
        Invitation.objects.select_related("channel__store", "inviter", "invitee")
        .filter(token=str(token)[:64])
        .first()
    )
    if invitation is None:
        raise InvitationInvalid(_("This invitation link does not exist."))
    return invitation


@transaction.atomic
def invitation_create(
    *,
    channel: Channel,
    inviter,
    expires_in: timedelta | None = None,
    max_uses: int | None = None,
    invitee=None,
) -> Invitation:
    """A new invitation link to ``channel`` made by one of its active members."""
    channel, _membership = access_channel_write(inviter, channel.pk)
    if channel.kind == Channel.Kind.DIRECT:
        raise ChannelNotFound()
    if channel.is_archived:
        raise Archived(_("This channel is archived: nobody can be invited to it."))
    expires_at = None
    if expires_in is not None:
        if expires_in <= timedelta(0) or expires_in > MAX_EXPIRY:
            raise BadMessage(_("An invitation can last from a minute up to a year."))
        expires_at = timezone.now() + expires_in
    if max_uses is not None and not (1 <= max_uses <= MAX_USES_LIMIT):
        raise BadMessage(_("The number of uses must be between 1 and 10000."))
    if invitee is not None:
        if invitee.pk == inviter.pk:
            raise Forbidden(_("You cannot invite yourself."))
        if Membership.objects.filter(
            channel=channel, user=invitee, state=Membership.State.ACTIVE
        ).exists():
            raise BadState(_("%(name)s is already a member.") % {"name": invitee.name})
        max_uses = 1 if max_uses is None else max_uses
    invitation = Invitation.objects.create(
        channel=channel,
        inviter=inviter,
        invitee=invitee,
        token=secrets.token_urlsafe(TOKEN_BYTES),
        expires_at=expires_at,
        max_uses=max_uses,
    )
    if invitee is not None:
        send_inbox(
            invitee.pk,
            {
                "type": "invitation",
                "invitation": invitation.pk,
                "channel": channel.pk,
                "title": channel.title,
                "inviter": inviter.name,
                "url": invitation_url(invitation),
            },
        )
    return invitation


@transaction.atomic
def invitation_invite_user(
    *, channel: Channel, inviter, username: str, expires_in: timedelta | None = None
) -> Invitation:
    """Invite a friend by username: an invitation only they can use, shown on their page."""
    username = (username or "").strip().lstrip("@")
    invitee = get_user_model().objects.filter(username__iexact=username, is_active=True).first()
    if not username or invitee is None:
        raise UserNotFound(_("There is no user with the username “%(name)s”.") % {"name": username})
    return invitation_create(
        channel=channel, inviter=inviter, invitee=invitee, expires_in=expires_in
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    """Cancel a link: its maker, the invitee (declining), or a manager of the channel."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if actor is None or not actor.is_authenticated:
        raise NotMember()
    allowed = actor.pk in (invitation.inviter_id, invitation.invitee_id) or is_platform_staff(actor)
    if not allowed:
        allowed = Membership.objects.filter(
            channel_id=invitation.channel_id,
            user=actor,
            state=Membership.State.ACTIVE,
            role__in=[Membership.Role.OWNER, Membership.Role.MANAGER],
        ).exists()
    if not allowed:
        raise InvitationInvalid(_("This invitation link does not exist."))
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    """Join through an invitation. Expired, exhausted, revoked or someone else's invitations
    raise their typed error (each with a sentence a person understands)."""
    if user is None or not user.is_authenticated:
        raise NotMember(_("Sign in to accept the invitation."))
    invitation = invitation_get(token)
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("channel__store", "inviter")
        .get(pk=invitation.pk)
    )
    existing = Membership.objects.filter(channel=invitation.channel, user=user).first()
    if existing is not None and existing.state == Membership.State.ACTIVE:
        return existing  # already in: the link is not used up
    problem = invitation_problem(invitation, user=user)
    if problem is not None:
        raise problem
    channel = invitation.channel
    needs_approval = channel.is_closed and channel.store.invite_needs_approval
    was_pending = existing is not None and existing.state == Membership.State.PENDING
    membership = membership_join(
        channel=channel,
        user=user,
        invited_by=invitation.inviter if invitation.inviter_id != user.pk else None,
        invitation=invitation,
        needs_approval=needs_approval,
    )
    if not (was_pending and membership.state == Membership.State.PENDING):
        invitation.uses += 1
        invitation.save(update_fields=["uses"])
    return membership


def invitations_received(user) -> list[Invitation]:
    """Invitations made for ``user`` that they can still accept (newest first)."""
    if user is None or not user.is_authenticated:
        return []
    active_channels = Membership.objects.filter(user=user, state=Membership.State.ACTIVE).values(
        "channel_id"
    )
    candidates = (
        Invitation.objects.filter(
            invitee=user, revoked_at__isnull=True, channel__deleted_at__isnull=True
        )
        .exclude(channel_id__in=active_channels)
        .select_related("channel__store", "inviter")
        .order_by("-created_at", "-pk")
    )
    return [inv for inv in candidates if invitation_problem(inv, user=user) is None]
