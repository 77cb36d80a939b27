"""Unread counts by sequence number (``Channel.last_seq`` − ``Membership.last_read_seq``)
equal the definition they replace — every message of the channel after the member's read
pointer, any kind, tombstones included — after sends, reads, deletes, joins, bulk inserts and
the migration's backfill."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

from chat.models import Channel, Membership, Message
from chat.selectors import my_talks, unread_count, unread_counts
from chat.services.memberships import membership_join
from chat.services.messages import message_post
from chat.services.moderation import message_delete
from chat.services.reads import read_mark
from tests.chat.live_fixtures import add_member, store_channel

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("chat.migrations.0003_unread_seq").backfill


def pointer_definition(user) -> dict[int, int]:
    """The old rule, counted: messages with an id above the read pointer."""
    return {
        m.channel_id: Message.objects.filter(
            channel_id=m.channel_id, id__gt=m.last_read_message_id
        ).count()
        for m in Membership.objects.filter(
            user=user, state=Membership.State.ACTIVE, channel__deleted_at__isnull=True
        )
    }


def assert_same(*users) -> None:
    for user in users:
        expected = pointer_definition(user)
        assert unread_counts(user) == expected
        talks = {row.channel.pk: row.unread for row in my_talks(user) if not row.pending}
        assert talks == expected
        for membership in Membership.objects.filter(user=user, state=Membership.State.ACTIVE):
            assert unread_count(membership) == expected[membership.channel_id]


def assert_numbered(channel: Channel) -> None:
    seqs = list(
        Message.objects.filter(channel=channel).order_by("id").values_list("seq", flat=True)
    )
    assert seqs == list(range(1, len(seqs) + 1))
    channel.refresh_from_db()
    assert channel.last_seq == len(seqs)


@pytest.fixture
def talk(make_user):
    seller, buyer, late = make_user("seller"), make_user("buyer"), make_user("late")
    channel = store_channel(seller)
    add_member(channel, buyer)
    other = store_channel(seller, slug="deli", name="반찬가게")
    add_member(other, buyer)
    return channel, other, seller, buyer, late


def test_counts_follow_sends_reads_deletes_and_joins(talk):
    channel, other, seller, buyer, late = talk
    first = message_post(channel=channel, author=seller, body="안녕하세요")
    message_post(channel=other, author=seller, body="반찬 나왔어요")
    message_post(channel=channel, author=None, kind=Message.Kind.SYSTEM, body="공지")
    message_post(channel=channel, author=seller, kind=Message.Kind.PRODUCT_CARD, body="카드")
    assert_same(seller, buyer)
    assert unread_counts(buyer) == {channel.pk: 3, other.pk: 1}

    mine = message_post(channel=channel, author=buyer, body="주문할게요")  # my post: all read
    assert unread_counts(buyer)[channel.pk] == 0
    reply = message_post(channel=channel, author=seller, body="네 감사합니다")
    assert_same(seller, buyer)

    # A tombstone still counts, as the row did before; deleting changes no one's count.
    message_delete(message=reply, actor=seller)
    message_delete(message=first, actor=seller)
    assert unread_counts(buyer)[channel.pk] == 1
    assert_same(seller, buyer)

    # Reads: exact id, backwards (ignored), beyond the newest (clamped), other channel.
    membership = Membership.objects.get(channel=channel, user=buyer)
    assert read_mark(membership=membership, up_to=mine.pk) == mine.pk
    assert_same(buyer)
    assert read_mark(membership=membership, up_to=first.pk) == mine.pk
    assert read_mark(membership=membership, up_to=reply.pk + 1000) == reply.pk
    assert unread_counts(buyer)[channel.pk] == 0
    assert_same(buyer)

    # A member who joins later has the whole history unread (pointer 0), as before; their
    # join line (a system message) counts for everyone else.
    membership_join(channel=channel, user=late)
    assert unread_counts(late)[channel.pk] == Message.objects.filter(channel=channel).count()
    assert_same(seller, buyer, late)
    # Leaving and coming back keeps the pointer (and its number).
    read_mark(membership=Membership.objects.get(channel=channel, user=late), up_to=reply.pk)
    message_post(channel=channel, author=seller, body="신상 들어왔어요")
    assert_same(seller, buyer, late)
    assert_numbered(channel)
    assert_numbered(other)


def test_read_pointer_in_a_gap_lands_on_the_message_before(talk):
    channel, other, seller, buyer, _late = talk
    a = message_post(channel=channel, author=seller, body="하나")
    elsewhere = message_post(channel=other, author=seller, body="다른 가게")
    b = message_post(channel=channel, author=seller, body="둘")
    assert a.pk < elsewhere.pk < b.pk
    membership = Membership.objects.get(channel=channel, user=buyer)
    assert read_mark(membership=membership, up_to=elsewhere.pk) == a.pk
    assert unread_counts(buyer)[channel.pk] == 1
    assert_same(buyer)


def test_messages_created_outside_message_post_are_numbered(talk):
    """Cards and demo lines created with ``Message.objects.create``/``bulk_create`` count too;
    like before, only ``message_post`` moves the author's own pointer."""
    channel, other, seller, buyer, _late = talk
    Message.objects.create(channel=channel, author=buyer, body="직접 저장")
    Message.objects.bulk_create(
        [
            Message(channel=ch, author=seller, body=f"m{i}")
            for i in range(5)
            for ch in (channel, other)
        ]
    )
    assert unread_counts(buyer) == {channel.pk: 6, other.pk: 5}
    assert_same(seller, buyer)
    assert_numbered(channel)
    assert_numbered(other)


def test_backfill_numbers_existing_rows(talk):
    channel, other, seller, buyer, late = talk
    ids = [message_post(channel=channel, author=seller, body=str(i)).pk for i in range(3)]
    gap = message_post(channel=other, author=seller, body="x").pk
    ids += [message_post(channel=channel, author=seller, body=str(i)).pk for i in range(3, 6)]
    message_post(channel=other, author=buyer, body="내 글")
    add_member(channel, late)
    message_delete(message=Message.objects.get(pk=ids[2]), actor=seller)
    # Pointers as old code left them: an exact id, a gap (another channel's id), none.
    Membership.objects.filter(channel=channel, user=buyer).update(last_read_message_id=ids[3])
    Membership.objects.filter(channel=channel, user=late).update(last_read_message_id=gap)
    expected = {u.pk: pointer_definition(u) for u in (seller, buyer, late)}
    # Before the migration: no numbers anywhere.
    Message.objects.update(seq=0)
    Channel.objects.update(last_seq=0)
    Membership.objects.update(last_read_seq=0)

    backfill(None, SimpleNamespace(connection=connection))

    assert_numbered(channel)
    assert_numbered(other)
    for user in (seller, buyer, late):
        assert unread_counts(user) == expected[user.pk]
    assert unread_counts(late)[channel.pk] == 6 - 3  # the gap pointer sits after ids[2]
    # Posting after the backfill continues the numbering.
    message_post(channel=channel, author=seller, body="이어서")
    assert_numbered(channel)
    assert_same(seller, buyer, late)
