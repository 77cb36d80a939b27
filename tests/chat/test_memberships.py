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
from tests.chat.manage_helpers import (
    english_fixture,  # noqa: F401 - fixture
    events_fixture,  # noqa: F401 - fixture
    make_shop,
    member,
    post,
    state_of,
)

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


# --- pages ----------------------------------------------------------------------------------


def test_store_page_request_to_join_then_seller_approves_in_one_click(client, make_user):
    shop = make_shop(make_user, "closed", closed=True)
    buyer = make_user("buyer", display_name="민준")
    client.force_login(buyer)
    page = client.get(f"/stores/{shop.store.slug}/").content.decode()
    assert "Request to join" in page
    response = client.post(f"/talk/stores/{shop.store.slug}/join/", follow=True)
    assert "approve" in response.content.decode()
    assert state_of(shop.channel, buyer) == Membership.State.PENDING
    assert "waiting for the seller" in client.get(f"/stores/{shop.store.slug}/").content.decode()

    client.force_login(shop.owner)
    seller_page = client.get(f"/seller/stores/{shop.store.slug}/talk/").content.decode()
    assert "민준" in seller_page and "Approve" in seller_page
    pending = Membership.objects.get(channel=shop.channel, user=buyer)
    response = client.post(
        f"/seller/stores/{shop.store.slug}/talk/members/{pending.pk}/approve/", follow=True
    )
    page = response.content.decode()
    assert "민준 is a member now." in page
    assert "No one is waiting for approval." in page
    members_section = page.split('id="members"')[1]
    assert "민준" in members_section
    assert state_of(shop.channel, buyer) == Membership.State.ACTIVE


def test_seller_rejects_with_message(client, make_user, events):
    shop = make_shop(make_user, "closed", closed=True)
    buyer = make_user("buyer")
    pending = member(shop, buyer, state=Membership.State.PENDING)
    client.force_login(shop.owner)
    with events.commit():
        client.post(
            f"/seller/stores/{shop.store.slug}/talk/members/{pending.pk}/reject/",
            {"message": "회원 모집이 마감되었어요"},
        )
    assert state_of(shop.channel, buyer) == Membership.State.LEFT
    assert events.to(f"inbox.{buyer.pk}")[-1]["frame"]["message"] == "회원 모집이 마감되었어요"


def test_seller_page_lists_channels_reports_and_direct_chats(client, make_user):
    from chat.models import Channel
    from chat.services.moderation import message_flag

    shop = make_shop(make_user, "open", goods=2)
    author, reporter = make_user("author"), make_user("reporter", display_name="신고자")
    member(shop, author)
    member(shop, reporter)
    flagged = post(shop.channel, author, "nasty words here")
    message_flag(message=flagged, reporter=reporter, reason="spam")
    direct = Channel.objects.create(
        kind=Channel.Kind.DIRECT, store=shop.store, buyer=reporter, title="1:1"
    )
    Membership.objects.create(channel=direct, user=reporter)
    Membership.objects.create(channel=direct, user=shop.owner, role=Membership.Role.OWNER)
    post(direct, reporter, "question one")
    post(direct, reporter, "question two")
    client.force_login(shop.owner)
    page = client.get(f"/seller/stores/{shop.store.slug}/talk/").content.decode()
    assert "nasty words here" in page and "spam" in page
    assert f'href="/talk/{direct.pk}/"' in page and "신고자" in page
    assert '<span class="badge" title="Unread">2</span>' in page
    assert '<span class="muted direct-preview">question two</span>' in page
    for goods in shop.goods_channels:
        assert goods.title in page
    assert "3 members · 1 messages" in page or "3 members" in page


def test_seller_page_pages_the_customer_chats(client, make_user):
    """22 customer chats: the 20 latest on the page, the other 2 behind "Next"."""
    from chat.services.direct import channel_open_direct

    shop = make_shop(make_user, "open")
    for i in range(22):
        buyer = make_user(f"c{i}", display_name=f"손님{i:02d}")
        post(channel_open_direct(store=shop.store, buyer=buyer), buyer, f"문의 {i}")
    client.force_login(shop.owner)
    url = f"/seller/stores/{shop.store.slug}/talk/"
    first = client.get(url).content.decode()
    assert first.count('class="row direct-chat"') == 20
    assert "손님21" in first and "손님02" in first and "손님01" not in first
    assert "?chats=2#direct" in first
    second = client.get(url + "?chats=2").content.decode()
    assert second.count('class="row direct-chat"') == 2
    assert "손님00" in second and "문의 0" in second


def test_seller_flag_delete_from_page(client, make_user):
    from chat.models import Message, MessageFlag
    from chat.services.moderation import message_flag

    shop = make_shop(make_user, "open")
    author, reporter = make_user("author"), make_user("reporter")
    member(shop, author)
    member(shop, reporter)
    message = post(shop.channel, author, "bad")
    flag = message_flag(message=message, reporter=reporter)
    client.force_login(shop.owner)
    client.post(f"/seller/stores/{shop.store.slug}/talk/reports/{flag.pk}/delete/")
    assert Message.objects.get(pk=message.pk).deleted_at is not None
    assert MessageFlag.objects.get(pk=flag.pk).resolved_at is not None


def test_seller_channel_page_rename_archive_pin_and_delete(client, make_user):
    from chat.models import Channel, Pin

    shop = make_shop(make_user, "open")
    goods = shop.goods_channels[0]
    buyer = make_user("buyer")
    member(goods, buyer)
    notice = post(goods, shop.owner, "영업시간 안내: 10시-19시")
    client.force_login(shop.owner)
    url = f"/seller/stores/{shop.store.slug}/talk/{goods.pk}/"
    page = client.get(url).content.decode()
    assert "영업시간 안내" in page and "Rename" in page
    client.post(url, {"action": "rename", "title": "새 이름"})
    client.post(f"/talk/messages/{notice.pk}/pin/", {"next": url})
    assert Pin.objects.filter(message=notice).exists()
    page = client.get(url).content.decode()
    assert "새 이름" in page and "📌 영업시간 안내" in page
    response = client.post(url, {"action": "rename", "title": ""}, follow=True)
    assert response.status_code == 200 and "새 이름" in response.content.decode()
    client.post(url, {"action": "archive"})
    assert Channel.objects.get(pk=goods.pk).is_archived
    confirm = client.get(f"{url}delete/").content.decode()
    assert "Yes, delete the channel" in confirm
    response = client.post(f"{url}delete/", follow=True)
    assert "was deleted" in response.content.decode()
    assert Channel.objects.get(pk=goods.pk).deleted_at is not None
    assert client.get(url).status_code == 404


def test_my_page_lists_my_stores_for_staff(client, make_user):
    shop = make_shop(make_user, "open")
    client.force_login(shop.owner)
    page = client.get("/me/").content.decode()
    assert f"/seller/stores/{shop.store.slug}/talk/" in page
    client.force_login(make_user("buyer"))
    assert "/seller/stores/" not in client.get("/me/").content.decode()


def test_leave_and_withdraw_buttons(client, make_user):
    shop = make_shop(make_user, "open")
    buyer = make_user("buyer")
    member(shop, buyer)
    client.force_login(buyer)
    client.post(f"/talk/{shop.channel.pk}/leave/")
    assert state_of(shop.channel, buyer) == Membership.State.LEFT
    client.post(f"/talk/{shop.channel.pk}/join/")
    assert state_of(shop.channel, buyer) == Membership.State.ACTIVE
    client.post(f"/talk/{shop.channel.pk}/withdraw/")
    assert Membership.objects.get(channel=shop.channel, user=buyer).hidden


def test_banned_user_store_join_shows_message(client, make_user):
    shop = make_shop(make_user, "closed", closed=True)
    troll = make_user("troll")
    membership_ban(channel=shop.channel, user=troll, actor=shop.owner)
    client.force_login(troll)
    response = client.post(f"/talk/stores/{shop.store.slug}/join/", follow=True)
    assert response.status_code == 200
    assert "banned" in response.content.decode()
    assert state_of(shop.channel, troll) == Membership.State.BANNED
