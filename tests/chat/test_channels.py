"""Managers' channel functions: rename, describe, archive, unarchive, delete."""

from __future__ import annotations

import pytest

from chat.access import access_channel_read, readable_channels
from chat.exceptions import Archived, BadMessage, BadState, ChannelNotFound, ChatError, Forbidden
from chat.groups import channel_group
from chat.models import Channel, Membership, Message
from chat.services.channels import (
    channel_archive,
    channel_delete,
    channel_describe,
    channel_rename,
    channel_unarchive,
)
from chat.services.messages import message_post
from tests.chat.manage_helpers import english_fixture, events_fixture, make_shop, member  # noqa: F401

pytestmark = pytest.mark.django_db


def test_rename_changes_title_leaves_line_and_tells_panes(make_user, events):
    shop = make_shop(make_user, "open")
    with events.commit():
        channel_rename(channel=shop.channel, actor=shop.owner, title="  새 이름 ")
    shop.channel.refresh_from_db()
    assert shop.channel.title == "새 이름"
    line = Message.objects.filter(channel=shop.channel, kind="system").last()
    assert line.data["event"] == "renamed" and "새 이름" in line.body
    state = [e for e in events.to(channel_group(shop.channel.pk)) if e["type"] == "chat.channel"]
    assert state[-1]["title"] == "새 이름" and state[-1]["deleted"] is False


def test_rename_refuses_empty_and_too_long(make_user):
    shop = make_shop(make_user, "open")
    for bad in ("   ", "x" * 101):
        with pytest.raises(BadMessage):
            channel_rename(channel=shop.channel, actor=shop.owner, title=bad)
    shop.channel.refresh_from_db()
    assert shop.channel.title == "Open"


def test_describe_sets_description(make_user):
    shop = make_shop(make_user, "open", manager=True)
    channel_describe(channel=shop.channel, actor=shop.manager, description="Ask us anything")
    shop.channel.refresh_from_db()
    assert shop.channel.description == "Ask us anything"
    with pytest.raises(BadMessage):
        channel_describe(channel=shop.channel, actor=shop.owner, description="x" * 1001)


def test_archive_makes_read_only_but_readable(make_user, events):
    shop = make_shop(make_user, "open")
    buyer = make_user("buyer")
    member(shop, buyer)
    message_post(channel=shop.channel, author=buyer, body="배송 문의")
    with events.commit():
        channel_archive(channel=shop.channel, actor=shop.owner)
    shop.channel.refresh_from_db()
    assert shop.channel.is_archived
    assert Message.objects.filter(channel=shop.channel, data__event="archived").exists()
    with pytest.raises(Archived):
        message_post(channel=shop.channel, author=buyer, body="still there?")
    access_channel_read(buyer, shop.channel.pk)  # history stays readable
    assert events.to(channel_group(shop.channel.pk))[-1]["archived"] is True
    with pytest.raises(BadState):
        channel_archive(channel=shop.channel, actor=shop.owner)


def test_unarchive_opens_again(make_user):
    shop = make_shop(make_user, "open")
    buyer = make_user("buyer")
    member(shop, buyer)
    channel_archive(channel=shop.channel, actor=shop.owner)
    channel_unarchive(channel=shop.channel, actor=shop.owner)
    assert message_post(channel=shop.channel, author=buyer, body="hi again").pk
    assert Message.objects.filter(channel=shop.channel, data__event="unarchived").exists()
    with pytest.raises(BadState):
        channel_unarchive(channel=shop.channel, actor=shop.owner)


def test_delete_hides_everywhere_keeps_history(make_user, events):
    shop = make_shop(make_user, "open")
    buyer = make_user("buyer")
    goods = shop.goods_channels[0]
    member(goods, buyer)
    kept = message_post(channel=goods, author=buyer, body="kept for staff")
    with events.commit():
        channel_delete(channel=goods, actor=shop.owner)
    assert goods.pk not in readable_channels(buyer).values_list("pk", flat=True)
    with pytest.raises(ChannelNotFound):
        access_channel_read(shop.owner, goods.pk)
    assert Message.objects.filter(pk=kept.pk).exists()
    assert Channel.objects.get(pk=goods.pk).deleted_at is not None
    sent = events.to(channel_group(goods.pk))[-1]
    assert sent["type"] == "chat.channel" and sent["channel"] == goods.pk and sent["deleted"]


def test_delete_is_owner_only_and_not_the_store_channel(make_user):
    shop = make_shop(make_user, "open", manager=True)
    with pytest.raises(Forbidden):
        channel_delete(channel=shop.goods_channels[0], actor=shop.manager)
    with pytest.raises(Forbidden):
        channel_delete(channel=shop.channel, actor=shop.owner)
    assert Channel.objects.filter(deleted_at__isnull=False).count() == 0


def test_superuser_may_manage_any_channel(make_user):
    shop = make_shop(make_user, "open")
    staff = make_user("staff", is_staff=True, is_superuser=True)
    channel_rename(channel=shop.channel, actor=staff, title="Renamed by staff")
    channel_delete(channel=shop.goods_channels[0], actor=staff)


ROLES = ["anonymous", "pending", "left", "banned", "member", "other_seller"]


def actor_for(role: str, shop, make_user):
    from django.contrib.auth.models import AnonymousUser

    if role == "anonymous":
        return AnonymousUser()
    if role == "other_seller":
        return make_shop(make_user, "other").owner
    user = make_user(f"as-{role}")
    state = Membership.State.ACTIVE if role == "member" else role
    Membership.objects.create(channel=shop.channel, user=user, state=state)
    Membership.objects.create(channel=shop.goods_channels[0], user=user, state=state)
    return user


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["rename", "describe", "archive", "unarchive", "delete"])
def test_channel_services_refuse(make_user, role, action):
    shop = make_shop(make_user, "closed", closed=True)
    actor = actor_for(role, shop, make_user)
    goods = shop.goods_channels[0]
    if action == "unarchive":
        channel_archive(channel=goods, actor=shop.owner)
    calls = {
        "rename": lambda: channel_rename(channel=goods, actor=actor, title="hacked"),
        "describe": lambda: channel_describe(channel=goods, actor=actor, description="hacked"),
        "archive": lambda: channel_archive(channel=goods, actor=actor),
        "unarchive": lambda: channel_unarchive(channel=goods, actor=actor),
        "delete": lambda: channel_delete(channel=goods, actor=actor),
    }
    before = Channel.objects.filter(pk=goods.pk).values().get()
    with pytest.raises(ChatError):
        calls[action]()
    assert Channel.objects.filter(pk=goods.pk).values().get() == before
