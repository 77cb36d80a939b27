"""Access gates, one forbidden user per role; the seller pages and the admin's scoping."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from chat.access import (
    access_channel_manage,
    access_channel_read,
    access_channel_write,
    readable_channels,
)
from chat.exceptions import Banned, ChannelNotFound, ChatError, NotMember
from chat.models import Membership
from chat.services.moderation import message_flag
from tests.chat.manage_helpers import english_fixture, make_shop, member, post  # noqa: F401

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "pending", "left", "banned", "other_seller"]
GATES = {
    "read": access_channel_read,
    "write": access_channel_write,
    "manage": access_channel_manage,
}


def user_in_role(role: str, shop, make_user):
    if role == "anonymous":
        return AnonymousUser()
    if role == "other_seller":
        return make_shop(make_user, "other").owner
    if role == "member":
        user = make_user("plain")
        member(shop, user)
        return user
    user = make_user(role)
    Membership.objects.create(channel=shop.channel, user=user, state=role)
    return user


@pytest.mark.parametrize("gate", GATES)
@pytest.mark.parametrize("role", ROLES)
def test_closed_channel_gates_refuse(make_user, gate, role):
    shop = make_shop(make_user, "closed", closed=True)
    user = user_in_role(role, shop, make_user)
    expected = Banned if role == "banned" else NotMember
    with pytest.raises(expected):
        GATES[gate](user, shop.channel.pk)
    assert shop.channel.pk not in readable_channels(user).values_list("pk", flat=True)


@pytest.mark.parametrize("gate", ["write", "manage"])
@pytest.mark.parametrize("role", ["anonymous", "left", "banned", "other_seller"])
def test_open_channel_write_gates_refuse(make_user, gate, role):
    shop = make_shop(make_user, "open")
    user = user_in_role(role, shop, make_user)
    with pytest.raises(ChatError):
        GATES[gate](user, shop.channel.pk)


def test_plain_member_cannot_manage(make_user):
    shop = make_shop(make_user, "closed", closed=True)
    user = user_in_role("member", shop, make_user)
    access_channel_write(user, shop.channel.pk)
    with pytest.raises(NotMember):
        access_channel_manage(user, shop.channel.pk)


def test_banned_cannot_read_open_channel(make_user):
    shop = make_shop(make_user, "open")
    user = user_in_role("banned", shop, make_user)
    with pytest.raises(Banned):
        access_channel_read(user, shop.channel.pk)
    assert shop.channel.pk not in readable_channels(user).values_list("pk", flat=True)


def test_deleted_channel_is_missing_for_everyone(make_user):
    shop = make_shop(make_user, "open")
    goods = shop.goods_channels[0]
    goods.deleted_at = goods.created_at
    goods.save()
    for user in (shop.owner, make_user("buyer")):
        with pytest.raises(ChannelNotFound):
            access_channel_read(user, goods.pk)


# --- seller pages ------------------------------------------------------------------------


def test_seller_page_404_for_other_seller_and_buyers(client, make_user):
    shop = make_shop(make_user, "closed", closed=True)
    other = make_shop(make_user, "other")
    buyer = make_user("buyer")
    member(shop, buyer)
    url = f"/seller/stores/{shop.store.slug}/talk/"
    assert client.get(url).status_code == 302  # anonymous → sign in
    for user in (other.owner, buyer):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(f"{url}{shop.channel.pk}/").status_code == 404
    pending = member(shop, make_user("waiting"), state=Membership.State.PENDING)
    client.force_login(other.owner)
    response = client.post(f"{url}members/{pending.pk}/approve/")
    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.state == Membership.State.PENDING


def test_seller_cannot_act_on_another_stores_membership(client, make_user):
    shop = make_shop(make_user, "closed", closed=True)
    other = make_shop(make_user, "other")
    pending = member(shop, make_user("waiting"), state=Membership.State.PENDING)
    client.force_login(other.owner)
    # Their own store's URL with a membership of another store: 404, nothing changes.
    response = client.post(f"/seller/stores/{other.store.slug}/talk/members/{pending.pk}/approve/")
    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.state == Membership.State.PENDING


def test_report_page_hidden_from_non_readers(client, make_user):
    shop = make_shop(make_user, "closed", closed=True)
    author = make_user("author")
    member(shop, author)
    message = post(shop.channel, author, "secret members talk")
    client.force_login(make_user("outsider"))
    assert client.get(f"/talk/messages/{message.pk}/report/").status_code == 404
    assert client.post(f"/talk/messages/{message.pk}/delete/").status_code == 404


# --- admin scoping -------------------------------------------------------------------------


def seller_admin(make_user, shop):
    shop.owner.is_staff = True
    shop.owner.save(update_fields=["is_staff"])
    return shop.owner


def test_admin_seller_sees_only_own_store(client, make_user):
    mine = make_shop(make_user, "mine", closed=True)
    theirs = make_shop(make_user, "theirs", closed=True)
    buyer = make_user("buyer")
    member(mine, buyer)
    member(theirs, buyer)
    post(mine.channel, buyer, "in my store")
    post(theirs.channel, buyer, "in their store")
    client.force_login(seller_admin(make_user, mine))
    channels = client.get("/admin/chat/channel/").content.decode()
    assert "Mine" in channels and "Theirs" not in channels
    assert client.get(f"/admin/chat/channel/{theirs.channel.pk}/change/").status_code in (302, 404)
    messages_page = client.get("/admin/chat/message/").content.decode()
    assert "in my store" in messages_page and "in their store" not in messages_page
    memberships = client.get("/admin/chat/membership/").content.decode()
    assert "Mine" in memberships and "Theirs" not in memberships


def test_admin_superuser_sees_all_and_deleted(client, make_user):
    make_shop(make_user, "mine")
    theirs = make_shop(make_user, "theirs")
    goods = theirs.goods_channels[0]
    goods.deleted_at = goods.created_at
    goods.save()
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    page = client.get("/admin/chat/channel/").content.decode()
    assert "Mine" in page and "Theirs" in page and goods.title in page


def test_admin_plain_staff_without_store_sees_nothing(client, make_user):
    make_shop(make_user, "mine")
    client.force_login(make_user("clerk", is_staff=True))
    assert client.get("/admin/chat/channel/").status_code == 403


def test_admin_actions_approve_ban_and_resolve(client, make_user):
    shop = make_shop(make_user, "mine", closed=True)
    owner = seller_admin(make_user, shop)
    waiting = member(shop, make_user("waiting"), state=Membership.State.PENDING)
    troll = make_user("troll")
    member(shop, troll)
    author = make_user("author")
    member(shop, author)
    flag = message_flag(message=post(shop.channel, author, "rude"), reporter=troll)
    client.force_login(owner)
    client.post(
        "/admin/chat/membership/",
        {"action": "approve", "_selected_action": [waiting.pk]},
    )
    waiting.refresh_from_db()
    assert waiting.state == Membership.State.ACTIVE
    troll_membership = Membership.objects.get(channel=shop.channel, user=troll)
    client.post(
        "/admin/chat/membership/", {"action": "ban", "_selected_action": [troll_membership.pk]}
    )
    troll_membership.refresh_from_db()
    assert troll_membership.state == Membership.State.BANNED
    client.post("/admin/chat/messageflag/", {"action": "resolve", "_selected_action": [flag.pk]})
    flag.refresh_from_db()
    assert flag.resolved_at is not None


def test_admin_message_soft_delete_keeps_row(client, make_user):
    from chat.models import Message

    shop = make_shop(make_user, "mine")
    buyer = make_user("buyer")
    member(shop, buyer)
    message = post(shop.channel, buyer, "to be removed")
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    client.post("/admin/chat/message/", {"action": "soft_delete", "_selected_action": [message.pk]})
    assert Message.objects.get(pk=message.pk).deleted_at is not None
