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
from tests.chat.manage_helpers import english_fixture, events_fixture, make_shop, member, state_of  # noqa: F401

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


# --- pages ----------------------------------------------------------------------------------


def test_landing_page_preview_without_closed_prices(client, make_user):
    shop = make_shop(make_user, "closed", closed=True)
    invitation = invitation_create(channel=shop.channel, inviter=shop.owner)
    page = client.get(f"/invite/{invitation.token}/").content.decode()
    assert "Closed" in page and "About closed" in page
    assert "1 members" in page
    assert f"/accounts/signup/?next=/invite/{invitation.token}/" in page
    assert f"/accounts/login/?next=/invite/{invitation.token}/" in page
    assert "1,000" not in page and "1000" not in page  # no member-only prices


def test_landing_join_button_joins_and_redirects(client, make_user):
    shop = make_shop(make_user, "closed", closed=True)
    friend = make_user("friend")
    invitation = invitation_create(channel=shop.channel, inviter=shop.owner)
    client.force_login(friend)
    response = client.post(f"/invite/{invitation.token}/")
    assert response.status_code == 302 and response["Location"] == f"/stores/{shop.store.slug}/"
    assert state_of(shop.channel, friend) == Membership.State.ACTIVE
    page = client.get(f"/invite/{invitation.token}/").content.decode()
    assert "You are already a member." in page


def test_anonymous_post_goes_to_sign_in_and_back(client, make_user):
    shop = make_shop(make_user, "open")
    invitation = invitation_create(channel=shop.channel, inviter=shop.owner)
    response = client.post(f"/invite/{invitation.token}/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/invite/{invitation.token}/"


def test_sign_up_through_invitation_comes_back(client, make_user):
    shop = make_shop(make_user, "open")
    invitation = invitation_create(channel=shop.channel, inviter=shop.owner)
    response = client.post(
        f"/accounts/signup/?next=/invite/{invitation.token}/",
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "password1": "a-long-pass-1234",
            "password2": "a-long-pass-1234",
            "next": f"/invite/{invitation.token}/",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/invite/{invitation.token}/"
    assert "Join" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("state", "status", "sentence"),
    [
        ("expired", 410, "has expired"),
        ("exhausted", 410, "used as many times"),
        ("revoked", 410, "was cancelled"),
        ("unknown", 404, "does not exist"),
    ],
)
def test_dead_links_show_a_clear_page(client, make_user, state, status, sentence):
    shop = make_shop(make_user, "open")
    invitation = invitation_create(channel=shop.channel, inviter=shop.owner, max_uses=1)
    token = invitation.token
    if state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    elif state == "exhausted":
        Invitation.objects.filter(pk=invitation.pk).update(uses=1)
    elif state == "revoked":
        invitation_revoke(invitation=invitation, actor=shop.owner)
    else:
        token = "no-such-token"
    client.force_login(make_user("friend"))
    for response in (client.get(f"/invite/{token}/"), client.post(f"/invite/{token}/")):
        assert response.status_code == status
        page = response.content.decode()
        assert sentence in page and "This invitation cannot be used" in page


def test_wrong_invitee_sees_a_clear_page(client, make_user):
    shop = make_shop(make_user, "open")
    friend, other = make_user("friend"), make_user("other")
    invitation = invitation_create(channel=shop.channel, inviter=shop.owner, invitee=friend)
    client.force_login(other)
    response = client.get(f"/invite/{invitation.token}/")
    assert response.status_code == 403 and "made for another user" in response.content.decode()


def test_member_makes_copies_and_revokes_links_on_page(client, make_user):
    shop = make_shop(make_user, "open")
    buyer = make_user("buyer")
    member(shop, buyer)
    client.force_login(buyer)
    url = f"/talk/{shop.channel.pk}/invite/"
    response = client.post(url, {"form": "link", "expires": "1d", "max_uses": "5"}, follow=True)
    page = response.content.decode()
    invitation = Invitation.objects.get(inviter=buyer)
    assert f"http://testserver/invite/{invitation.token}/" in page
    assert "used 0 of 5" in page and "data-copy" in page
    assert invitation.max_uses == 5 and invitation.expires_at is not None
    bad = client.post(url, {"form": "link", "expires": "1d", "max_uses": "0"})
    assert bad.status_code == 200 and Invitation.objects.count() == 1
    client.post(f"/talk/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    # Another member cannot revoke (or even see) it.
    client.force_login(make_user("other"))
    assert client.post(f"/talk/invitations/{invitation.pk}/revoke/").status_code == 404


def test_invite_page_for_non_member_is_404(client, make_user):
    shop = make_shop(make_user, "closed", closed=True)
    client.force_login(make_user("outsider"))
    assert client.get(f"/talk/{shop.channel.pk}/invite/").status_code == 404


def test_invite_by_username_page_and_received_list(client, make_user):
    shop = make_shop(make_user, "open")
    buyer, friend = make_user("buyer"), make_user("friend", display_name="친구")
    member(shop, buyer)
    client.force_login(buyer)
    response = client.post(
        f"/talk/{shop.channel.pk}/invite/", {"form": "user", "username": "friend"}, follow=True
    )
    assert "친구 is invited." in response.content.decode()
    response = client.post(
        f"/talk/{shop.channel.pk}/invite/", {"form": "user", "username": "ghost"}, follow=True
    )
    assert "There is no user with the username “ghost”." in response.content.decode()
    client.force_login(friend)
    page = client.get("/talk/invitations/").content.decode()
    assert shop.channel.title in page and "Accept" in page
    invitation = Invitation.objects.get(invitee=friend)
    client.post(f"/invite/{invitation.token}/")
    assert state_of(shop.channel, friend) == Membership.State.ACTIVE
    assert "No invitations right now" in client.get("/talk/invitations/").content.decode()
