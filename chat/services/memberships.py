"""Joining, leaving and the states of a membership.

States: ``pending`` (asked to join a closed channel) → ``active`` (approved, or joined an open
channel) → ``left`` (left, withdrew, was kicked or rejected) or ``banned``. A banned user cannot
rejoin or read until a manager unbans them (back to ``left``: they may ask again).

A closed store is one membership: the store channel's. Becoming an active member of a closed
store's channel also makes the user a member of the store's closed goods and promotion talks,
and leaving, being kicked, banned or unbanned there follows into them too (a ban from any store's
channel covers its goods talks, open or closed). A member may still leave one goods talk alone.

Removing a member sends ``{"type": "chat.kick", "user": id}`` to the channel's group after
commit (the consumer closes that user's sockets); the user's own ``/ws/inbox/`` gets a
``{"type": "membership", "channel", "title", "state", "message"}`` frame where someone else
decided (approved ``active``, ``rejected``, ``kicked``, ``banned``, ``unbanned``).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chat.exceptions import BadMessage, BadState, Banned, ChannelNotFound, Forbidden, NotMember
from chat.feedback.records import join_answers_forget, join_request_decided
from chat.groups import channel_group
from chat.models import Channel, Invitation, Membership, Referral
from chat.services.channels import (
    channel_require_manager,
    post_system,
    send_inbox,
    system_text,
)
from chat.services.messages import send_after_commit
from shop.models import StoreStaff

MAX_REJECT_MESSAGE_CHARS = 500
STAFF_ROLES = (Membership.Role.OWNER, Membership.Role.MANAGER)


# --- helpers ------------------------------------------------------------------------------


def _sub_channels(channel: Channel, *, closed_only: bool) -> QuerySet[Channel]:
    """The goods and promotion talks that follow a store channel's membership."""
    if channel.kind != Channel.Kind.STORE:
        return Channel.objects.none()
    channels = Channel.objects.filter(
        store_id=channel.store_id,
        kind__in=[Channel.Kind.GOODS, Channel.Kind.PROMOTION],
        deleted_at__isnull=True,
    )
    if closed_only:
        channels = channels.filter(visibility="closed")
    return channels


def _usable_channel(channel: Channel) -> Channel:
    try:
        channel = Channel.objects.get(pk=channel.pk, deleted_at__isnull=True)
    except Channel.DoesNotExist:
        raise ChannelNotFound() from None
    return channel


def _frame(membership: Membership, state: str, message: str = "") -> None:
    channel = membership.channel
    send_inbox(
        membership.user_id,
        {
            "type": "membership",
            "channel": channel.pk,
            "title": channel.title,
            "state": state,
            "message": message,
        },
    )


def _kick_sockets(channel_id: int, user_id: int) -> None:
    send_after_commit(channel_group(channel_id), {"type": "chat.kick", "user": user_id})


def _record_referral(membership: Membership) -> None:
    """Once per invitee per store; never to oneself, never for the store's own staff."""
    invitation = membership.invitation
    if invitation is None or membership.invited_by_id is None:
        return
    if membership.invited_by_id == membership.user_id:
        return
    store_id = membership.channel.store_id
    if StoreStaff.objects.filter(store_id=store_id, user_id=membership.user_id).exists():
        return
    if Referral.objects.filter(store_id=store_id, invitee_id=membership.user_id).exists():
        return
    try:
        with transaction.atomic():
            Referral.objects.create(
                store_id=store_id,
                inviter_id=membership.invited_by_id,
                invitee_id=membership.user_id,
                invitation=invitation,
                channel=membership.channel,
            )
    except IntegrityError:
        pass  # a concurrent join recorded it first: still once


def _activate(membership: Membership, *, announce: bool) -> Membership:
    membership.state = Membership.State.ACTIVE
    membership.hidden = False
    membership.joined_at = timezone.now()
    membership.save(update_fields=["state", "hidden", "joined_at", "updated_at"])
    channel = membership.channel
    user = membership.user
    if announce:
        post_system(
            channel=channel,
            event="joined",
            text=system_text(gettext_noop("%(name)s joined."), name=user.name),
            user={"id": user.pk, "name": user.name},
        )
    _record_referral(membership)
    for sub in _sub_channels(channel, closed_only=True):
        sub_membership, _created = Membership.objects.get_or_create(
            channel=sub,
            user=user,
            defaults={"state": Membership.State.ACTIVE, "joined_at": membership.joined_at},
        )
        if sub_membership.state in (Membership.State.LEFT, Membership.State.PENDING):
            sub_membership.state = Membership.State.ACTIVE
            sub_membership.hidden = False
            sub_membership.joined_at = membership.joined_at
            sub_membership.save(update_fields=["state", "hidden", "joined_at", "updated_at"])
    return membership


def _remove(membership: Membership, *, state: str, hidden: bool, cascade_open: bool) -> None:
    """Move an active/pending membership out (``left`` or ``banned``), here and in the store's
    goods talks, and close the user's sockets after commit."""
    was_active = membership.state == Membership.State.ACTIVE
    membership.state = state
    membership.hidden = hidden
    membership.save(update_fields=["state", "hidden", "updated_at"])
    join_answers_forget(channel_id=membership.channel_id, user_id=membership.user_id)
    if was_active:
        _kick_sockets(membership.channel_id, membership.user_id)
    subs = _sub_channels(membership.channel, closed_only=not cascade_open)
    if state == Membership.State.BANNED:
        for sub in subs:
            sub_membership, _created = Membership.objects.get_or_create(
                channel=sub, user_id=membership.user_id, defaults={"state": state}
            )
            if sub_membership.role in STAFF_ROLES:
                continue
            if sub_membership.state != state:
                sub_membership.state = state
                sub_membership.save(update_fields=["state", "updated_at"])
            _kick_sockets(sub.pk, membership.user_id)
        return
    for sub_membership in Membership.objects.filter(
        channel__in=subs,
        user_id=membership.user_id,
        role=Membership.Role.MEMBER,
        state__in=[Membership.State.ACTIVE, Membership.State.PENDING],
    ):
        sub_was_active = sub_membership.is_active
        sub_membership.state = state
        sub_membership.save(update_fields=["state", "updated_at"])
        if sub_was_active:
            _kick_sockets(sub_membership.channel_id, membership.user_id)


def _locked_membership(membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update()
        .select_related("channel", "user")
        .get(pk=membership.pk)
    )


def _refuse_staff_target(membership: Membership, actor) -> None:
    if membership.user_id == getattr(actor, "pk", None):
        raise Forbidden(_("You cannot do this to yourself."))
    if membership.role in STAFF_ROLES:
        raise Forbidden(_("The store's owner and managers cannot be removed from its channels."))


# --- the member's own actions ---------------------------------------------------------------


@transaction.atomic
def membership_join(
    *,
    channel: Channel,
    user,
    invited_by=None,
    invitation: Invitation | None = None,
    needs_approval: bool | None = None,
    announce: bool = True,
) -> Membership:
    """Join an open channel (active at once) or ask to join a closed one (pending).

    ``needs_approval`` overrides the channel's rule (invitation links use the store's
    setting); ``announce=False`` joins without a system line (demo data, bulk imports).
    Banned users get ``Banned``; joining again while active or pending changes nothing."""
    if user is None or not user.is_authenticated:
        raise NotMember(_("Sign in to join."))
    channel = _usable_channel(channel)
    if channel.kind == Channel.Kind.DIRECT:
        raise ChannelNotFound()
    if needs_approval is None:
        needs_approval = channel.is_closed
    membership, _created = Membership.objects.select_for_update().get_or_create(
        channel=channel, user=user, defaults={"state": Membership.State.LEFT}
    )
    membership.channel = channel
    if membership.state == Membership.State.BANNED:
        raise Banned(_("You are banned from this channel."))
    if membership.state == Membership.State.ACTIVE:
        return membership
    from shop.loyalty.services.grades import channel_grade_refusal

    refusal = channel_grade_refusal(channel, user)
    if refusal:
        raise Forbidden(refusal)
    if invited_by is not None:
        membership.invited_by = invited_by
        membership.invitation = invitation
        membership.save(update_fields=["invited_by", "invitation", "updated_at"])
    if needs_approval:
        if membership.state != Membership.State.PENDING or membership.hidden:
            membership.state = Membership.State.PENDING
            membership.hidden = False
            membership.joined_at = None
            membership.save(update_fields=["state", "hidden", "joined_at", "updated_at"])
        return membership
    return _activate(membership, announce=announce)


@transaction.atomic
def membership_leave(*, channel: Channel, user, hide: bool = False) -> Membership:
    """Leave a channel (or cancel a pending request). The store's staff stay in its channels."""
    membership = Membership.objects.select_for_update().filter(channel=channel, user=user).first()
    if membership is None or membership.state not in (
        Membership.State.ACTIVE,
        Membership.State.PENDING,
    ):
        raise BadState(_("You are not a member of this channel."))
    if membership.role in STAFF_ROLES:
        raise Forbidden(_("The store's owner and managers stay in its channels."))
    was_active = membership.is_active
    _remove(membership, state=Membership.State.LEFT, hidden=hide, cascade_open=False)
    if was_active:
        post_system(
            channel=membership.channel,
            event="left",
            text=system_text(gettext_noop("%(name)s left."), name=user.name),
            user={"id": user.pk, "name": user.name},
        )
    return membership


@transaction.atomic
def membership_withdraw(*, channel: Channel, user) -> Membership:
    """Leave and remove the channel from my list ("My talks"). Works after leaving too."""
    membership = Membership.objects.select_for_update().filter(channel=channel, user=user).first()
    if membership is None:
        raise BadState(_("You are not a member of this channel."))
    if membership.state in (Membership.State.ACTIVE, Membership.State.PENDING):
        return membership_leave(channel=channel, user=user, hide=True)
    membership.hidden = True
    membership.save(update_fields=["hidden", "updated_at"])
    return membership


# --- managers' actions ----------------------------------------------------------------------


def _clean_decision_message(message: str) -> str:
    message = (message or "").strip()
    if len(message) > MAX_REJECT_MESSAGE_CHARS:
        raise BadMessage(_("The message can be at most 500 characters."))
    return message


@transaction.atomic
def membership_approve(*, membership: Membership, actor, message: str = "") -> Membership:
    """Admit a pending member, optionally with a message; they hear it on their inbox socket."""
    channel_require_manager(actor=actor, channel=membership.channel)
    message = _clean_decision_message(message)
    membership = _locked_membership(membership)
    if membership.state != Membership.State.PENDING:
        raise BadState(_("This request was already handled."))
    _activate(membership, announce=True)
    join_request_decided(membership=membership, approved=True, message=message, actor=actor)
    _frame(membership, "active", message)
    return membership


@transaction.atomic
def membership_reject(*, membership: Membership, actor, message: str = "") -> Membership:
    """Turn a join request down, optionally with a message the buyer sees. They may ask again."""
    channel_require_manager(actor=actor, channel=membership.channel)
    message = _clean_decision_message(message)
    membership = _locked_membership(membership)
    if membership.state != Membership.State.PENDING:
        raise BadState(_("This request was already handled."))
    membership.state = Membership.State.LEFT
    membership.hidden = True
    membership.save(update_fields=["state", "hidden", "updated_at"])
    join_request_decided(membership=membership, approved=False, message=message, actor=actor)
    _frame(membership, "rejected", message)
    return membership


@transaction.atomic
def membership_kick(*, membership: Membership, actor) -> Membership:
    """Remove an active member (they may ask to join again)."""
    channel_require_manager(actor=actor, channel=membership.channel)
    membership = _locked_membership(membership)
    _refuse_staff_target(membership, actor)
    if membership.state != Membership.State.ACTIVE:
        raise BadState(_("This person is not an active member."))
    _remove(membership, state=Membership.State.LEFT, hidden=False, cascade_open=False)
    _frame(membership, "kicked")
    return membership


@transaction.atomic
def membership_ban(*, channel: Channel, user, actor) -> Membership:
    """Ban a user from the channel (and, for a store channel, from its goods talks): they
    cannot read or rejoin until unbanned. Works for non-members too."""
    channel_require_manager(actor=actor, channel=channel)
    membership, _created = Membership.objects.select_for_update().get_or_create(
        channel=channel, user=user, defaults={"state": Membership.State.LEFT}
    )
    membership = _locked_membership(membership)
    _refuse_staff_target(membership, actor)
    if membership.state == Membership.State.BANNED:
        return membership
    _remove(membership, state=Membership.State.BANNED, hidden=False, cascade_open=True)
    _frame(membership, "banned")
    return membership


@transaction.atomic
def membership_unban(*, membership: Membership, actor) -> Membership:
    """Lift a ban: the user is back to ``left`` and may ask to join again."""
    channel_require_manager(actor=actor, channel=membership.channel)
    membership = _locked_membership(membership)
    if membership.state != Membership.State.BANNED:
        raise BadState(_("This person is not banned."))
    membership.state = Membership.State.LEFT
    membership.save(update_fields=["state", "updated_at"])
    Membership.objects.filter(
        channel__in=_sub_channels(membership.channel, closed_only=False),
        user_id=membership.user_id,
        state=Membership.State.BANNED,
    ).update(state=Membership.State.LEFT, updated_at=timezone.now())
    _frame(membership, "unbanned")
    return membership
