"""Invitation links, invitations by username, referral records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.exceptions import (
    Archived,
    BadMessage,
    Banned,
    ChatError,
    Forbidden,
    InvitationExhausted,
    InvitationExpired,
    InvitationInvalid,
    InvitationRevoked,
    InvitationWrongUser,
    UserNotFound,
)
from chat.groups import inbox_group
from chat.models import Invitation, Membership, Referral
from chat.services.channels import channel_archive
from chat.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_invite_user,
    invitation_revoke,
    invitations_received,
)
from chat.services.memberships import membership_approve, membership_ban, membership_leave
from tests.chat.manage_helpers import events, make_shop, member, state_of  # noqa: F401

pytestmark = pytest.mark.django_db


def test_create_makes_unguessable_unique_tokens(make_user):
    shop = make_shop(make_user, "open")
    tokens = {invitation_create(channel=shop.channel, inviter=shop.owner).token for _ in range(5)}
    assert len(tokens) == 5 and all(len(t) >= 32 for t in tokens)


def test_accept_joins_records_inviter_and_referral(make_user):
    shop = make_shop(make_user, "open")
    inviter, friend = make_user("inviter"), make_user("friend")
    member(shop, inviter)
    invitation = invitation_create(channel=shop.channel, inviter=inviter)
    membership = invitation_accept(token=invitation.token, user=friend)
    assert membership.state == Membership.State.ACTIVE
    assert membership.invited_by == inviter and membership.invitation == invitation
    referral = Referral.objects.get()
    assert (referral.store, referral.inviter, referral.invitee) == (shop.store, inviter, friend)
    invitation.refresh_from_db()
    assert invitation.uses == 1


def test_referral_recorded_once_per_invitee_per_store(make_user):
    shop = make_shop(make_user, "open")
    first, second, friend = make_user("first"), make_user("second"), make_user("friend")
    member(shop, first)
    member(shop, second)
    member(shop.goods_channels[0], second)
    invitation_accept(
        token=invitation_create(channel=shop.channel, inviter=first).token, user=friend
    )
    membership_leave(channel=shop.channel, user=friend)
    invitation_accept(
        token=invitation_create(channel=shop.channel, inviter=second).token, user=friend
    )
    invitation_accept(
        token=invitation_create(channel=shop.goods_channels[0], inviter=second).token, user=friend
    )
    assert list(Referral.objects.values_list("inviter__username", flat=True)) == ["first"]


def test_no_self_referral(make_user):
    shop = make_shop(make_user, "open")
    inviter = make_user("inviter")
    member(shop.goods_channels[0], inviter)
    invitation = invitation_create(channel=shop.channel, inviter=shop.owner)
    # The owner's own link used by the owner: nothing; a member using their own goods link
    # to join the store channel: no referral either.
    invitation_accept(token=invitation.token, user=shop.owner)
    own = invitation_create(channel=shop.goods_channels[0], inviter=inviter)
    membership_leave(channel=shop.goods_channels[0], user=inviter)
    invitation_accept(token=own.token, user=inviter)
    assert not Referral.objects.exists()


def test_expired_link_refused(make_user):
    shop = make_shop(make_user, "open")
    invitation = invitation_create(
        channel=shop.channel, inviter=shop.owner, expires_in=timedelta(hours=1)
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    friend = make_user("friend")
    with pytest.raises(InvitationExpired) as error:
        invitation_accept(token=invitation.token, user=friend)
    assert "expired" in error.value.detail
    assert state_of(shop.channel, friend) is None


def test_max_uses_exhausts(make_user):
    shop = make_shop(make_user, "open")
    invitation = invitation_create(channel=shop.channel, inviter=shop.owner, max_uses=2)
    invitation_accept(token=invitation.token, user=make_user("a"))
    invitation_accept(token=invitation.token, user=make_user("b"))
    late = make_user("c")
    with pytest.raises(InvitationExhausted):
        invitation_accept(token=invitation.token, user=late)
    assert state_of(shop.channel, late) is None


def test_already_member_does_not_use_up_the_link(make_user):
    shop = make_shop(make_user, "open")
    buyer = make_user("buyer")
    member(shop, buyer)
    invitation = invitation_create(channel=shop.channel, inviter=shop.owner, max_uses=1)
    invitation_accept(token=invitation.token, user=buyer)
    invitation.refresh_from_db()
    assert invitation.uses == 0


def test_revoked_link_refused_and_only_allowed_people_revoke(make_user):
    shop = make_shop(make_user, "open")
    inviter = make_user("inviter")
    member(shop, inviter)
    invitation = invitation_create(channel=shop.channel, inviter=inviter)
    with pytest.raises(InvitationInvalid):
        invitation_revoke(invitation=invitation, actor=make_user("stranger"))
    invitation_revoke(invitation=invitation, actor=shop.owner)  # a manager may
    with pytest.raises(InvitationRevoked):
        invitation_accept(token=invitation.token, user=make_user("friend"))


def test_unknown_token_refused(make_user):
    with pytest.raises(InvitationInvalid):
        invitation_accept(token="nope", user=make_user("friend"))


def test_banned_user_cannot_use_a_link(make_user):
    shop = make_shop(make_user, "open")
    troll = make_user("troll")
    membership_ban(channel=shop.channel, user=troll, actor=shop.owner)
    invitation = invitation_create(channel=shop.channel, inviter=shop.owner)
    with pytest.raises(Banned):
        invitation_accept(token=invitation.token, user=troll)
    invitation.refresh_from_db()
    assert invitation.uses == 0


def test_closed_store_link_admits_at_once_by_default(make_user):
    shop = make_shop(make_user, "closed", closed=True)
    friend = make_user("friend")
    invitation = invitation_create(channel=shop.channel, inviter=shop.owner)
    assert invitation_accept(token=invitation.token, user=friend).state == "active"
    assert state_of(shop.goods_channels[0], friend) == Membership.State.ACTIVE


def test_closed_store_link_waits_for_approval_when_set(make_user):
    shop = make_shop(make_user, "closed", closed=True, invite_needs_approval=True)
    inviter, friend = make_user("inviter"), make_user("friend")
    member(shop, inviter)
    invitation = invitation_create(channel=shop.channel, inviter=inviter)
    membership = invitation_accept(token=invitation.token, user=friend)
    assert membership.state == Membership.State.PENDING
    assert not Referral.objects.exists()  # recorded once they are in
    membership_approve(membership=membership, actor=shop.owner)
    assert Referral.objects.get().inviter == inviter


def test_invite_by_username_only_that_user_and_inbox(make_user, events):
    shop = make_shop(make_user, "open")
    inviter, friend, other = make_user("inviter"), make_user("Friend"), make_user("other")
    member(shop, inviter)
    with events.commit():
        invitation = invitation_invite_user(
            channel=shop.channel, inviter=inviter, username="@friend"
        )
    assert invitation.invitee == friend and invitation.max_uses == 1
    frame = events.to(inbox_group(friend.pk))[-1]["frame"]
    assert frame["type"] == "invitation" and frame["url"] == f"/invite/{invitation.token}/"
    assert invitations_received(friend) == [invitation]
    assert invitations_received(other) == []
    with pytest.raises(InvitationWrongUser):
        invitation_accept(token=invitation.token, user=other)
    invitation_accept(token=invitation.token, user=friend)
    assert invitations_received(friend) == []


def test_invite_by_username_errors(make_user):
    shop = make_shop(make_user, "open")
    buyer = make_user("buyer")
    member(shop, buyer)
    with pytest.raises(UserNotFound):
        invitation_invite_user(channel=shop.channel, inviter=buyer, username="ghost")
    with pytest.raises(Forbidden):
        invitation_invite_user(channel=shop.channel, inviter=buyer, username="buyer")
    with pytest.raises(ChatError):
        invitation_invite_user(channel=shop.channel, inviter=buyer, username=shop.owner.username)


def test_create_validates_options_and_archived(make_user):
    shop = make_shop(make_user, "open")
    with pytest.raises(BadMessage):
        invitation_create(channel=shop.channel, inviter=shop.owner, max_uses=0)
    with pytest.raises(BadMessage):
        invitation_create(channel=shop.channel, inviter=shop.owner, expires_in=timedelta(0))
    channel_archive(channel=shop.channel, actor=shop.owner)
    with pytest.raises(Archived):
        invitation_create(channel=shop.channel, inviter=shop.owner)


@pytest.mark.parametrize("role", ["anonymous", "pending", "left", "banned", "other_seller"])
def test_create_refused_for_non_members(make_user, role):
    from django.contrib.auth.models import AnonymousUser

    shop = make_shop(make_user, "closed", closed=True)
    if role == "anonymous":
        actor = AnonymousUser()
    elif role == "other_seller":
        actor = make_shop(make_user, "other").owner
    else:
        actor = make_user(role)
        member(shop, actor, state=role)
    with pytest.raises(ChatError):
        invitation_create(channel=shop.channel, inviter=actor)
    assert not Invitation.objects.exists()
