"""Message services and read state: posting, replays, the read pointer, unread counts,
history pages and My talks selectors."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.exceptions import NotMember
from chat.models import Membership, Message
from chat.selectors import (
    history_around,
    history_page,
    my_talks,
    unread_counts,
    unread_label,
    unread_total,
)
from chat.services.direct import OwnStore, channel_open_direct
from chat.services.messages import RateLimiter, message_post
from chat.services.reads import read_mark
from tests.chat.live_fixtures import add_member, make_store, store_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return make_user("seller"), make_user("buyer")


def test_rate_limiter_window_slides():
    limiter = RateLimiter(count=10, seconds=5)
    assert all(limiter.allow("u", now=100 + i * 0.1) for i in range(10))
    assert not limiter.allow("u", now=101)
    assert limiter.allow("other", now=101)
    assert not limiter.allow("u", now=104.9)
    assert limiter.allow("u", now=105.01)


def test_message_post_replay_returns_first_row(people):
    seller, buyer = people
    channel = store_channel(seller)
    add_member(channel, buyer)
    first = message_post(channel=channel, author=buyer, body="a", client_id="c")
    again = message_post(channel=channel, author=buyer, body="a", client_id="c")
    assert first.is_replay is False and again.is_replay is True
    assert again.pk == first.pk and Message.objects.count() == 1


def test_message_post_moves_author_read_pointer(people):
    seller, buyer = people
    channel = store_channel(seller)
    add_member(channel, buyer)
    message_post(channel=channel, author=seller, body="hello")
    mine = message_post(channel=channel, author=buyer, body="hi")
    membership = Membership.objects.get(channel=channel, user=buyer)
    assert membership.last_read_message_id == mine.pk
    assert unread_counts(buyer) == {channel.pk: 0}


def test_read_mark_forward_only_and_clamped(people, django_capture_on_commit_callbacks):
    seller, buyer = people
    channel = store_channel(seller)
    membership = add_member(channel, buyer)
    ids = [message_post(channel=channel, author=seller, body=str(i)).pk for i in range(3)]
    with django_capture_on_commit_callbacks() as callbacks:
        assert read_mark(membership=membership, up_to=ids[1]) == ids[1]
    assert len(callbacks) == 1  # the inbox ring (no read receipt outside 1:1 chats)
    assert read_mark(membership=membership, up_to=ids[0]) == ids[1]
    assert read_mark(membership=membership, up_to=ids[2] + 1000) == ids[2]
    membership.refresh_from_db()
    assert membership.last_read_message_id == ids[2]


def test_read_mark_refused_for_pending_member(people):
    seller, buyer = people
    channel = store_channel(seller, closed=True)
    membership = add_member(channel, buyer, Membership.State.PENDING)
    with pytest.raises(NotMember):
        read_mark(membership=membership, up_to=1)


def test_unread_counts_all_channels_in_one_query(people, make_user):
    seller, buyer = people
    channels = [store_channel(seller, slug=f"s{i}", name=f"가게{i}") for i in range(5)]
    for i, channel in enumerate(channels):
        add_member(channel, buyer)
        for n in range(i):
            message_post(channel=channel, author=seller, body=f"{n}")
    message_post(channel=channels[4], author=buyer, body="mine does not count")
    with CaptureQueriesContext(connection) as queries:
        counts = unread_counts(buyer)
    assert len(queries) == 1  # channel last_seq − membership last_read_seq, nothing counted
    # Channel i has i lines from the seller; in channel 4 the buyer's own post read them all.
    assert counts == {c.pk: (i if i < 4 else 0) for i, c in enumerate(channels)}
    other = make_user("other")
    for channel in channels:
        add_member(channel, other)
    assert unread_counts(other) == {c.pk: i + (1 if i == 4 else 0) for i, c in enumerate(channels)}
    assert unread_total(other) == 0 + 1 + 2 + 3 + 5


def test_unread_label_caps_at_99_plus():
    assert unread_label(0) == ""
    assert unread_label(99) == "99"
    assert unread_label(100) == "99+"


def test_history_page_keyset_both_ways(people):
    seller, _ = people
    channel = store_channel(seller)
    ids = [message_post(channel=channel, author=seller, body=str(i)).pk for i in range(10)]
    newest = history_page(channel, limit=4)
    assert [m.pk for m in newest.messages] == ids[6:] and newest.has_more
    older = history_page(channel, before=ids[6], limit=4)
    assert [m.pk for m in older.messages] == ids[2:6] and older.has_more
    oldest = history_page(channel, before=ids[2], limit=4)
    assert [m.pk for m in oldest.messages] == ids[:2] and not oldest.has_more
    after = history_page(channel, after=ids[7])
    assert [m.pk for m in after.messages] == ids[8:] and not after.has_more
    with CaptureQueriesContext(connection) as queries:
        history_page(channel, before=ids[5], limit=3)
    assert "OFFSET" not in queries[0]["sql"].upper()
    around = history_around(channel, ids[5], limit=4)
    assert [m.pk for m in around.messages] == ids[4:8]
    assert around.has_older and around.has_newer


def test_my_talks_sorted_by_activity_with_pending_and_unread(people):
    seller, buyer = people
    quiet = store_channel(seller, slug="quiet", name="조용한 가게")
    busy = store_channel(seller, slug="busy", name="바쁜 가게")
    closed = store_channel(seller, slug="closed", name="회원 가게", closed=True)
    add_member(quiet, buyer)
    add_member(busy, buyer)
    add_member(closed, buyer, Membership.State.PENDING)
    message_post(channel=quiet, author=seller, body="옛날 얘기")
    message_post(channel=closed, author=seller, body="회원 전용 비밀")
    for i in range(120):
        message_post(channel=busy, author=seller, body=f"새 소식 {i}")
    rows = my_talks(buyer)
    by_title = {row.title: row for row in rows}
    assert rows[0].title == "바쁜 가게"
    assert by_title["바쁜 가게"].unread_label == "99+"
    assert by_title["바쁜 가게"].last_message.body == "새 소식 119"
    assert by_title["회원 가게"].pending and by_title["회원 가게"].last_message is None
    assert by_title["조용한 가게"].unread == 1


def test_channel_open_direct_one_channel_store_staff_members(people, make_user):
    seller, buyer = people
    store = make_store(seller)
    channel = channel_open_direct(store=store, buyer=buyer)
    assert channel_open_direct(store=store, buyer=buyer).pk == channel.pk
    members = set(
        Membership.objects.filter(channel=channel, state="active").values_list("user", flat=True)
    )
    assert members == {seller.pk, buyer.pk}
    assert [row.title for row in my_talks(buyer)] == [store.name]
    assert [row.title for row in my_talks(seller) if row.channel.pk == channel.pk] == [buyer.name]
    with pytest.raises(OwnStore):
        channel_open_direct(store=store, buyer=seller)
