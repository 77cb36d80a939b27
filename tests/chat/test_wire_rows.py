"""The fast read paths give the same answers as the model paths: history pages for the wire
(``history_rows`` = ``message_to_dict`` over ``history_page``), unread counts by read
pointer, and the capped inbox count."""

from __future__ import annotations

import pytest
from django.utils import timezone

from chat.models import Message
from chat.selectors import history_page, history_rows, my_talks, unread_counts
from chat.serializers import message_to_dict
from chat.services.messages import _unread_among, message_post
from tests.chat.live_fixtures import add_member, store_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def talk(make_user):
    seller, buyer = make_user("seller", display_name="김사장"), make_user("buyer")
    channel = store_channel(seller, slug="bakery", name="빵집")
    add_member(channel, buyer)
    for i in range(12):
        message_post(
            channel=channel,
            author=seller if i % 2 else buyer,
            body=f"안녕하세요 {i}",
            topic="배송" if i % 3 == 0 else "",
        )
    Message.objects.create(channel=channel, author=None, kind="system", body="알림", data={"a": 1})
    gone = Message.objects.filter(channel=channel, body="안녕하세요 4").get()
    gone.deleted_at = timezone.now()
    gone.save()
    return channel, seller, buyer


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"limit": 5},
        {"limit": 5, "topic": "배송"},
        {"before": "last-3", "limit": 4},
        {"after": "first", "limit": 4},
        {"after": "first", "before": "last-3", "limit": 100},
        {"before": "first", "limit": 4},
        {"limit": 1000},
    ],
)
def test_history_rows_equal_the_model_page_serialized(talk, kwargs):
    channel, _seller, _buyer = talk
    ids = list(Message.objects.filter(channel=channel).order_by("id").values_list("id", flat=True))
    marks = {"first": ids[0], "last-3": ids[-3]}
    kwargs = {k: marks.get(v, v) if k in ("before", "after") else v for k, v in kwargs.items()}
    page = history_page(channel, **kwargs)
    rows = history_rows(channel.pk, **kwargs)
    assert rows.messages == [message_to_dict(m) for m in page.messages]
    assert rows.has_more == page.has_more


def test_history_rows_wire_details(talk):
    channel, _seller, _buyer = talk
    rows = history_rows(channel).messages
    by_body = {row["body"]: row for row in rows}
    assert by_body["안녕하세요 1"]["author"]["name"] == "김사장"
    assert by_body["안녕하세요 2"]["author"]["name"] == "buyer"  # no display name: username
    assert by_body["알림"]["author"] is None and by_body["알림"]["data"] == {"a": 1}
    deleted = next(row for row in rows if row["deleted"])
    assert deleted["body"] == "" and deleted["data"] == {}
    assert all(row["created_at"].endswith("+00:00") for row in rows)


def test_unread_counts_are_messages_after_the_read_pointer(talk, make_user):
    channel, seller, buyer = talk
    other = store_channel(seller, slug="deli", name="반찬가게")
    third = store_channel(seller, slug="cafe", name="카페")
    for ch in (other, third):
        add_member(ch, buyer)
        message_post(channel=ch, author=seller, body="새 메뉴")
    counts = unread_counts(buyer)
    expected = {
        m.channel_id: Message.objects.filter(
            channel_id=m.channel_id, id__gt=m.last_read_message_id
        ).count()
        for m in buyer.memberships.all()
    }
    assert counts == expected and counts[other.pk] == 1 and counts[channel.pk] > 0
    assert {row.channel.pk: row.unread for row in my_talks(buyer)} == expected


def test_inbox_count_is_capped_at_100_and_exact_below():
    newest = list(range(1000, 900, -1))  # the channel's newest 100 ids, newest first
    assert _unread_among(newest, 1000) == 0
    assert _unread_among(newest, 990) == 10
    assert _unread_among(newest, 901) == 99
    assert _unread_among(newest, 900) == 100
    assert _unread_among(newest, 5) == 100  # shown as 99+
    assert _unread_among([3, 2, 1], 0) == 3
