"""Joining, leaving, withdrawing, approving, rejecting, kicking, banning and unbanning."""

from __future__ import annotations

import pytest

from chat.access import access_channel_read
from chat.exceptions import BadState, Banned, ChannelNotFound, ChatError, Forbidden, NotMember
from chat.groups import channel_group, inbox_group
from chat.models import Membership, Message
from chat.services.memberships import (
    membership_approve,
    membership_ban,
    membership_join,
    membership_kick,
    membership_leave,
    membership_reject,
    membership_unban,
    membership_withdraw,
)
from shop.access import can_see_member_content
from tests.chat.manage_helpers import events, make_shop, member, state_of  # noqa: F401

pytestmark = pytest.mark.django_db


def system_lines(channel) -> list[str]:
    return list(
        Message.objects.filter(channel=channel, kind=Message.Kind.SYSTEM)
        .order_by("id")
        .values_list("data__event", flat=True)
    )


def test_join_open_channel_is_active_and_announced(make_user, events):
    shop = make_shop(make_user, "open")
    buyer = make_user("buyer", display_name="구매자")
    with events.commit():
        membership = membership_join(channel=shop.channel, user=buyer)
    assert membership.state == Membership.State.ACTIVE and membership.joined_at
    line = Message.objects.filter(channel=shop.channel, kind="system").last()
    assert line.data["event"] == "joined" and "구매자" in line.body
    assert events.to(channel_group(shop.channel.pk))[-1]["message"]["kind"] == "system"


def test_join_closed_channel_is_pending_without_announcement(make_user):
    shop = make_shop(make_user, "closed", closed=True)
    buyer = make_user("buyer")
    membership = membership_join(channel=shop.channel, user=buyer)
    assert membership.state == Membership.State.PENDING
    assert system_lines(shop.channel) == []
    with pytest.raises(NotMember):
        access_channel_read(buyer, shop.channel.pk)


def test_join_twice_changes_nothing(make_user):
    shop = make_shop(make_user, "open")
    buyer = make_user("buyer")
    membership_join(channel=shop.channel, user=buyer)
    membership_join(channel=shop.channel, user=buyer)
    assert Membership.objects.filter(channel=shop.channel, user=buyer).count() == 1
    assert system_lines(shop.channel) == ["joined"]


def test_join_refused_when_banned(make_user):
    shop = make_shop(make_user, "open")
    buyer = make_user("buyer")
    membership_ban(channel=shop.channel, user=buyer, actor=shop.owner)
    with pytest.raises(Banned):
        membership_join(channel=shop.channel, user=buyer)
    assert state_of(shop.channel, buyer) == Membership.State.BANNED


def test_join_refused_for_anonymous_and_direct_and_deleted(make_user):
    from django.contrib.auth.models import AnonymousUser

    shop = make_shop(make_user, "open")
    with pytest.raises(NotMember):
        membership_join(channel=shop.channel, user=AnonymousUser())
    goods = shop.goods_channels[0]
    goods.deleted_at = goods.created_at
    goods.save()
    with pytest.raises(ChannelNotFound):
        membership_join(channel=goods, user=make_user("late"))


def test_leave_makes_left_kicks_sockets_and_announces(make_user, events):
    shop = make_shop(make_user, "open")
    buyer = make_user("buyer")
    member(shop, buyer)
    with events.commit():
        membership_leave(channel=shop.channel, user=buyer)
    assert state_of(shop.channel, buyer) == Membership.State.LEFT
    assert {"type": "chat.kick", "user": buyer.pk} in events.to(channel_group(shop.channel.pk))
    assert system_lines(shop.channel)[-1] == "left"


def test_leave_pending_cancels_request(make_user):
    shop = make_shop(make_user, "closed", closed=True)
    buyer = make_user("buyer")
    member(shop, buyer, state=Membership.State.PENDING)
    membership_leave(channel=shop.channel, user=buyer)
    assert state_of(shop.channel, buyer) == Membership.State.LEFT


def test_leave_refused_for_owner_and_non_member(make_user):
    shop = make_shop(make_user, "open")
    with pytest.raises(Forbidden):
        membership_leave(channel=shop.channel, user=shop.owner)
    with pytest.raises(BadState):
        membership_leave(channel=shop.channel, user=make_user("stranger"))


def test_rejoin_after_leaving_is_active_again(make_user):
    shop = make_shop(make_user, "open")
    buyer = make_user("buyer")
    member(shop, buyer)
    membership_leave(channel=shop.channel, user=buyer)
    assert membership_join(channel=shop.channel, user=buyer).state == Membership.State.ACTIVE


def test_withdraw_leaves_and_hides(make_user):
    shop = make_shop(make_user, "open")
    buyer = make_user("buyer")
    member(shop, buyer)
    membership = membership_withdraw(channel=shop.channel, user=buyer)
    assert membership.state == Membership.State.LEFT and membership.hidden
    # Withdrawing again (already left) keeps it hidden and does not fail.
    assert membership_withdraw(channel=shop.channel, user=buyer).hidden
    # Joining again shows it again.
    assert not membership_join(channel=shop.channel, user=buyer).hidden


def test_approve_makes_member_tells_inbox_and_opens_closed_goods(make_user, events):
    shop = make_shop(make_user, "closed", closed=True, goods=2)
    buyer = make_user("buyer")
    pending = member(shop, buyer, state=Membership.State.PENDING)
    assert not can_see_member_content(buyer, shop.store)
    with events.commit():
        membership_approve(membership=pending, actor=shop.owner)
    assert state_of(shop.channel, buyer) == Membership.State.ACTIVE
    assert can_see_member_content(buyer, shop.store)
    for goods in shop.goods_channels:
        assert state_of(goods, buyer) == Membership.State.ACTIVE
        access_channel_read(buyer, goods.pk)
    frame = events.to(inbox_group(buyer.pk))[-1]["frame"]
    assert frame == {
        "type": "membership",
        "channel": shop.channel.pk,
        "title": shop.channel.title,
        "state": "active",
        "message": "",
    }
    assert system_lines(shop.channel) == ["joined"]


def test_approve_twice_says_already_handled(make_user):
    shop = make_shop(make_user, "closed", closed=True)
    pending = member(shop, make_user("buyer"), state=Membership.State.PENDING)
    membership_approve(membership=pending, actor=shop.owner)
    with pytest.raises(BadState):
        membership_approve(membership=pending, actor=shop.owner)


def test_approve_by_manager_allowed(make_user):
    shop = make_shop(make_user, "closed", closed=True, manager=True)
    pending = member(shop, make_user("buyer"), state=Membership.State.PENDING)
    assert membership_approve(membership=pending, actor=shop.manager).is_active


def test_new_goods_of_closed_store_start_with_its_members(make_user):
    from chat.services.channels import channel_ensure_for_goods
    from shop.models import Goods

    shop = make_shop(make_user, "closed", closed=True, goods=0)
    buyer = make_user("buyer")
    member(shop, buyer)
    channel = channel_ensure_for_goods(
        goods=Goods.objects.create(store=shop.store, name="new", price=100)
    )
    assert state_of(channel, buyer) == Membership.State.ACTIVE


def test_reject_with_message_tells_buyer_and_hides(make_user, events):
    shop = make_shop(make_user, "closed", closed=True)
    buyer = make_user("buyer")
    pending = member(shop, buyer, state=Membership.State.PENDING)
    with events.commit():
        membership_reject(membership=pending, actor=shop.owner, message="  Sorry, full now ")
    pending.refresh_from_db()
    assert pending.state == Membership.State.LEFT and pending.hidden
    frame = events.to(inbox_group(buyer.pk))[-1]["frame"]
    assert frame["state"] == "rejected" and frame["message"] == "Sorry, full now"
    # They may ask again.
    assert membership_join(channel=shop.channel, user=buyer).state == Membership.State.PENDING


def test_reject_message_too_long_refused(make_user):
    shop = make_shop(make_user, "closed", closed=True)
    pending = member(shop, make_user("buyer"), state=Membership.State.PENDING)
    with pytest.raises(ChatError):
        membership_reject(membership=pending, actor=shop.owner, message="x" * 501)
    pending.refresh_from_db()
    assert pending.state == Membership.State.PENDING


def test_kick_removes_member_and_closes_sockets(make_user, events):
    shop = make_shop(make_user, "closed", closed=True)
    buyer = make_user("buyer")
    membership = member(shop, buyer)
    with events.commit():
        membership_kick(membership=membership, actor=shop.owner)
    assert state_of(shop.channel, buyer) == Membership.State.LEFT
    assert state_of(shop.goods_channels[0], buyer) == Membership.State.LEFT
    assert {"type": "chat.kick", "user": buyer.pk} in events.to(channel_group(shop.channel.pk))
    assert {"type": "chat.kick", "user": buyer.pk} in events.to(
        channel_group(shop.goods_channels[0].pk)
    )
    assert events.to(inbox_group(buyer.pk))[-1]["frame"]["state"] == "kicked"
    with pytest.raises(NotMember):
        access_channel_read(buyer, shop.channel.pk)


def test_kick_refused_for_owner_self_and_non_member(make_user):
    shop = make_shop(make_user, "open", manager=True)
    owner_membership = Membership.objects.get(channel=shop.channel, user=shop.owner)
    with pytest.raises(Forbidden):
        membership_kick(membership=owner_membership, actor=shop.manager)
    with pytest.raises(Forbidden):
        membership_kick(membership=owner_membership, actor=shop.owner)
    left = member(shop, make_user("gone"), state=Membership.State.LEFT)
    with pytest.raises(BadState):
        membership_kick(membership=left, actor=shop.owner)


def test_ban_blocks_reading_rejoining_and_goods_talk(make_user, events):
    shop = make_shop(make_user, "open")
    buyer = make_user("buyer")
    member(shop, buyer)
    member(shop.goods_channels[0], buyer)
    with events.commit():
        membership_ban(channel=shop.channel, user=buyer, actor=shop.owner)
    for channel in (shop.channel, shop.goods_channels[0]):
        assert state_of(channel, buyer) == Membership.State.BANNED
        with pytest.raises(Banned):
            access_channel_read(buyer, channel.pk)
        with pytest.raises(Banned):
            membership_join(channel=channel, user=buyer)
    assert events.to(inbox_group(buyer.pk))[-1]["frame"]["state"] == "banned"
    assert {"type": "chat.kick", "user": buyer.pk} in events.to(channel_group(shop.channel.pk))


def test_ban_non_member_ahead(make_user):
    shop = make_shop(make_user, "open")
    troll = make_user("troll")
    membership_ban(channel=shop.channel, user=troll, actor=shop.owner)
    with pytest.raises(Banned):
        membership_join(channel=shop.channel, user=troll)


def test_unban_lets_them_ask_again(make_user, events):
    shop = make_shop(make_user, "closed", closed=True)
    buyer = make_user("buyer")
    member(shop, buyer)
    banned = membership_ban(channel=shop.channel, user=buyer, actor=shop.owner)
    with events.commit():
        membership_unban(membership=banned, actor=shop.owner)
    assert state_of(shop.channel, buyer) == Membership.State.LEFT
    assert state_of(shop.goods_channels[0], buyer) == Membership.State.LEFT
    assert events.to(inbox_group(buyer.pk))[-1]["frame"]["state"] == "unbanned"
    assert membership_join(channel=shop.channel, user=buyer).state == Membership.State.PENDING
    with pytest.raises(BadState):
        membership_unban(membership=banned, actor=shop.owner)


# --- forbidden users, one per role, for every manager service -------------------------------

ROLES = ["anonymous", "pending", "left", "banned", "member", "other_seller"]


def actor_for(role: str, shop, make_user):
    from django.contrib.auth.models import AnonymousUser

    if role == "anonymous":
        return AnonymousUser()
    if role == "other_seller":
        return make_shop(make_user, "other").owner
    user = make_user(f"as-{role}")
    member(shop, user, state=role if role != "member" else Membership.State.ACTIVE)
    return user


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["approve", "reject", "kick", "ban", "unban"])
def test_manager_membership_services_refuse(make_user, role, action):
    shop = make_shop(make_user, "closed", closed=True)
    actor = actor_for(role, shop, make_user)
    target = make_user("target")
    state = {
        "approve": Membership.State.PENDING,
        "reject": Membership.State.PENDING,
        "kick": Membership.State.ACTIVE,
        "ban": Membership.State.ACTIVE,
        "unban": Membership.State.BANNED,
    }[action]
    target_membership = member(shop, target, state=state)
    calls = {
        "approve": lambda: membership_approve(membership=target_membership, actor=actor),
        "reject": lambda: membership_reject(membership=target_membership, actor=actor),
        "kick": lambda: membership_kick(membership=target_membership, actor=actor),
        "ban": lambda: membership_ban(channel=shop.channel, user=target, actor=actor),
        "unban": lambda: membership_unban(membership=target_membership, actor=actor),
    }
    with pytest.raises(ChatError):
        calls[action]()
    assert state_of(shop.channel, target) == state
