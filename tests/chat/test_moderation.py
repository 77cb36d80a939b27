"""Pins (max 3), deleting messages (tombstones) and members' reports."""

from __future__ import annotations

import pytest

from chat.exceptions import Archived, ChatError, Forbidden, NotMember, PinLimit
from chat.groups import channel_group
from chat.models import Membership, Message, MessageFlag, Pin
from chat.services.channels import channel_archive
from chat.services.moderation import (
    flag_resolve,
    message_delete,
    message_flag,
    pin_add,
    pin_remove,
    pinned_messages,
)
from tests.chat.manage_helpers import english_fixture, events_fixture, make_shop, member, post  # noqa: F401

pytestmark = pytest.mark.django_db


def test_pin_up_to_three_then_clear_error(make_user, events):
    shop = make_shop(make_user, "open")
    messages = [post(shop.channel, shop.owner, f"notice {i}") for i in range(4)]
    with events.commit():
        for m in messages[:3]:
            pin_add(message=m, actor=shop.owner)
    assert [m.pk for m in pinned_messages(shop.channel)] == [m.pk for m in messages[:3]]
    with pytest.raises(PinLimit) as error:
        pin_add(message=messages[3], actor=shop.owner)
    assert "at most 3" in error.value.detail
    pins_event = events.to(channel_group(shop.channel.pk))[-1]
    assert pins_event["type"] == "chat.pins" and len(pins_event["pins"]) == 3
    # Pinning the same message again is not a fourth pin.
    pin_add(message=messages[0], actor=shop.owner)
    pin_remove(message=messages[0], actor=shop.owner)
    pin_add(message=messages[3], actor=shop.owner)
    assert Pin.objects.filter(channel=shop.channel).count() == 3


def test_author_deletes_own_message_tombstone_stays(make_user, events):
    shop = make_shop(make_user, "open")
    buyer = make_user("buyer")
    member(shop, buyer)
    message = post(shop.channel, buyer, "oops, wrong chat")
    with events.commit():
        message_delete(message=message, actor=buyer)
    message.refresh_from_db()
    assert message.deleted_at is not None and Message.objects.filter(pk=message.pk).exists()
    sent = events.to(channel_group(shop.channel.pk))[-1]
    assert sent["type"] == "chat.message"
    assert sent["message"]["id"] == message.pk and sent["message"]["deleted"] is True
    assert sent["message"]["body"] == ""


def test_member_cannot_delete_someone_elses_message(make_user):
    shop = make_shop(make_user, "open")
    buyer, other = make_user("buyer"), make_user("other")
    member(shop, buyer)
    member(shop, other)
    message = post(shop.channel, other, "mine")
    with pytest.raises(Forbidden):
        message_delete(message=message, actor=buyer)
    assert Message.objects.get(pk=message.pk).deleted_at is None


def test_manager_deletes_any_message_and_unpins_it(make_user):
    shop = make_shop(make_user, "open", manager=True)
    buyer = make_user("buyer")
    member(shop, buyer)
    message = post(shop.channel, buyer, "spam")
    pin_add(message=message, actor=shop.owner)
    message_delete(message=message, actor=shop.manager)
    assert Message.objects.get(pk=message.pk).deleted_at is not None
    assert not Pin.objects.filter(message=message).exists()


def test_author_cannot_delete_after_leaving_or_when_archived(make_user):
    from chat.services.memberships import membership_leave

    shop = make_shop(make_user, "open")
    buyer = make_user("buyer")
    member(shop, buyer)
    first = post(shop.channel, buyer, "one")
    membership_leave(channel=shop.channel, user=buyer)
    with pytest.raises(NotMember):
        message_delete(message=first, actor=buyer)
    member(shop, buyer)
    second = post(shop.channel, buyer, "two")
    channel_archive(channel=shop.channel, actor=shop.owner)
    with pytest.raises(Archived):
        message_delete(message=second, actor=buyer)


def test_flag_once_per_reporter_and_resolve(make_user):
    shop = make_shop(make_user, "open")
    author, reporter, second = make_user("author"), make_user("reporter"), make_user("second")
    for user in (author, reporter, second):
        member(shop, user)
    message = post(shop.channel, author, "rude words")
    first = message_flag(message=message, reporter=reporter, reason="rude")
    again = message_flag(message=message, reporter=reporter, reason="still rude")
    assert first.pk == again.pk
    message_flag(message=message, reporter=second)
    assert MessageFlag.objects.filter(message=message).count() == 2
    assert flag_resolve(flag=first, actor=shop.owner) == 2
    assert not MessageFlag.objects.filter(message=message, resolved_at__isnull=True).exists()


def test_flag_refused_for_own_message_and_non_members(make_user):
    shop = make_shop(make_user, "closed", closed=True)
    author = make_user("author")
    member(shop, author)
    message = post(shop.channel, author, "hello")
    with pytest.raises(Forbidden):
        message_flag(message=message, reporter=author)
    with pytest.raises(NotMember):
        message_flag(message=message, reporter=make_user("outsider"))


def test_deleting_flagged_message_resolves_reports(make_user):
    shop = make_shop(make_user, "open")
    author, reporter = make_user("author"), make_user("reporter")
    member(shop, author)
    member(shop, reporter)
    message = post(shop.channel, author, "bad")
    flag = message_flag(message=message, reporter=reporter)
    message_delete(message=message, actor=shop.owner)
    flag.refresh_from_db()
    assert flag.resolved_at is not None and flag.resolved_by == shop.owner


ROLES = ["anonymous", "pending", "left", "banned", "member", "other_seller"]


def actor_for(role: str, shop, make_user):
    from django.contrib.auth.models import AnonymousUser

    if role == "anonymous":
        return AnonymousUser()
    if role == "other_seller":
        return make_shop(make_user, "other").owner
    user = make_user(f"as-{role}")
    member(shop, user, state=Membership.State.ACTIVE if role == "member" else role)
    return user


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["pin_add", "pin_remove", "delete", "resolve"])
def test_moderation_services_refuse(make_user, role, action):
    shop = make_shop(make_user, "closed", closed=True)
    author, reporter = make_user("author"), make_user("reporter")
    member(shop, author)
    member(shop, reporter)
    message = post(shop.channel, author, "notice")
    pin_add(message=message, actor=shop.owner)
    flag = message_flag(message=message, reporter=reporter)
    actor = actor_for(role, shop, make_user)
    calls = {
        "pin_add": lambda: pin_add(message=post(shop.channel, author, "2"), actor=actor),
        "pin_remove": lambda: pin_remove(message=message, actor=actor),
        "delete": lambda: message_delete(message=message, actor=actor),
        "resolve": lambda: flag_resolve(flag=flag, actor=actor),
    }
    with pytest.raises(ChatError):
        calls[action]()
    assert Pin.objects.filter(channel=shop.channel).count() == 1
    assert Message.objects.get(pk=message.pk).deleted_at is None
    assert MessageFlag.objects.get(pk=flag.pk).resolved_at is None


@pytest.mark.parametrize("role", ["anonymous", "pending", "left", "banned", "other_seller"])
def test_flag_refused_for_role(make_user, role):
    shop = make_shop(make_user, "closed", closed=True)
    author = make_user("author")
    member(shop, author)
    message = post(shop.channel, author, "hello")
    with pytest.raises(ChatError):
        message_flag(message=message, reporter=actor_for(role, shop, make_user))
    assert not MessageFlag.objects.exists()
