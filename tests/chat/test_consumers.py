"""``/ws/channels/<id>/``: two sockets talk, resume without gaps or doubles, every error code
and close code (docs/websocket.md)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.utils import timezone

from chat.groups import INBOXES, channel_group
from chat.models import Channel, Membership, Message
from chat.services.messages import message_post, send_rate_limiter
from tests.chat.live_fixtures import add_member, connect, connect_ready, store_channel

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = sync_to_async


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    send_rate_limiter.reset()
    yield
    send_rate_limiter.reset()


@pytest.fixture
def talk(make_user):
    """An open store channel with its owner (seller) and one buyer member."""
    seller = make_user("seller")
    buyer = make_user("buyer")
    channel = store_channel(seller)
    add_member(channel, buyer)
    return channel, seller, buyer


async def _post(channel, user, body, **kw):
    return await db(message_post)(channel=channel, author=user, body=body, **kw)


async def test_send_reaches_other_socket_and_acks_sender(talk):
    channel, seller, buyer = await db(lambda: talk)()
    a, ready = await connect_ready(channel.pk, buyer)
    b, _ = await connect_ready(channel.pk, seller)
    assert ready["channel"] == channel.pk and ready["member"] is True
    await a.send_json_to(
        {"type": "send", "client_id": "c-1", "body": " 안녕하세요 ", "topic": "빵"}
    )
    ack = await a.receive_json_from()
    seen = await b.receive_json_from()
    assert ack["type"] == "message" and ack["message"]["client_id"] == "c-1"
    assert seen["message"]["id"] == ack["message"]["id"]
    assert seen["message"]["body"] == "안녕하세요"
    assert seen["message"]["topic"] == "빵"
    assert seen["message"]["author"] == {"id": buyer.pk, "name": buyer.name}
    await a.disconnect()
    await b.disconnect()


async def test_send_duplicate_client_id_same_id_one_row(talk):
    channel, seller, buyer = await db(lambda: talk)()
    a, _ = await connect_ready(channel.pk, buyer)
    await a.send_json_to({"type": "send", "client_id": "retry-1", "body": "한 번만"})
    first = await a.receive_json_from()
    await a.send_json_to({"type": "send", "client_id": "retry-1", "body": "한 번만"})
    second = await a.receive_json_from()
    # The first answer is the broadcast everyone gets; the second is the sender's alone.
    assert "replay" not in first and second["replay"] is True
    assert second["message"]["id"] == first["message"]["id"]
    assert second["message"]["client_id"] == "retry-1"
    assert await db(Message.objects.filter(client_id="retry-1").count)() == 1
    assert await a.receive_nothing()
    await a.disconnect()


async def test_a_resent_messages_answer_names_the_message_before_it(talk):
    """The answer to a re-sent ``client_id`` carries ``prev`` like a live frame, so a client
    whose own message's broadcast never came notices the messages it missed before it."""
    channel, seller, buyer = await db(lambda: talk)()
    earlier = await _post(channel, seller, "먼저 온 말")
    mine = await _post(channel, buyer, "제 주문이요", client_id="lost-ack")  # never heard live
    await _post(channel, seller, "그 뒤의 말")
    a, _ = await connect_ready(channel.pk, buyer)
    await a.send_json_to({"type": "send", "client_id": "lost-ack", "body": "제 주문이요"})
    again = (await a.receive_json_from())["message"]
    assert again["id"] == mine.pk and again["prev"] == earlier.pk
    assert await a.receive_nothing()
    await a.disconnect()


async def test_resume_returns_missed_messages_in_order(talk):
    channel, seller, buyer = await db(lambda: talk)()
    seen = await _post(channel, seller, "before the gap")
    missed = [await _post(channel, seller, f"missed {i}") for i in range(3)]
    a, ready = await connect_ready(channel.pk, buyer)
    assert ready["last_message_id"] == missed[-1].pk
    await a.send_json_to({"type": "resume", "after": seen.pk})
    frame = await a.receive_json_from()
    assert frame["type"] == "history" and frame["after"] == seen.pk
    assert [m["id"] for m in frame["messages"]] == [m.pk for m in missed]
    assert frame["has_more"] is False
    await a.disconnect()


async def test_resume_large_gap_is_paged(talk):
    channel, seller, buyer = await db(lambda: talk)()
    ids = [(await _post(channel, seller, f"m{i}")).pk for i in range(105)]
    a, _ = await connect_ready(channel.pk, buyer)
    await a.send_json_to({"type": "resume", "after": 0})
    first = await a.receive_json_from()
    assert len(first["messages"]) == 100 and first["has_more"] is True
    await a.send_json_to({"type": "resume", "after": first["messages"][-1]["id"]})
    second = await a.receive_json_from()
    got = [m["id"] for m in first["messages"] + second["messages"]]
    assert got == ids and second["has_more"] is False
    await a.disconnect()


async def test_history_pages_back_to_the_first_message(talk):
    channel, seller, buyer = await db(lambda: talk)()
    ids = [(await _post(channel, seller, f"m{i}")).pk for i in range(7)]
    a, _ = await connect_ready(channel.pk, buyer)
    await a.send_json_to({"type": "history", "before": ids[-1], "limit": 4})
    page = await a.receive_json_from()
    assert [m["id"] for m in page["messages"]] == ids[2:6] and page["has_more"] is True
    await a.send_json_to({"type": "history", "before": ids[2], "limit": 4})
    page = await a.receive_json_from()
    assert [m["id"] for m in page["messages"]] == ids[:2] and page["has_more"] is False
    await a.disconnect()


async def test_history_filters_by_topic(talk):
    channel, seller, buyer = await db(lambda: talk)()
    await _post(channel, seller, "식빵 얘기", topic="식빵")
    cake = await _post(channel, seller, "케이크 얘기", topic="케이크")
    a, _ = await connect_ready(channel.pk, buyer)
    await a.send_json_to({"type": "history", "topic": "케이크"})
    page = await a.receive_json_from()
    assert [m["id"] for m in page["messages"]] == [cake.pk]
    await a.disconnect()


async def test_connect_anonymous_closed_4401(talk):
    channel, _, _ = await db(lambda: talk)()
    _, connected, code = await connect(f"/ws/channels/{channel.pk}/")
    assert not connected and code == 4401


async def test_connect_closed_channel_non_member_4403(make_user):
    seller, stranger, waiting, banned = [
        await db(make_user)(name) for name in ("s", "stranger", "waiting", "banned")
    ]
    channel = await db(store_channel)(seller, closed=True)
    await db(add_member)(channel, waiting, Membership.State.PENDING)
    await db(add_member)(channel, banned, Membership.State.BANNED)
    for user in (stranger, waiting, banned):
        _, connected, code = await connect(f"/ws/channels/{channel.pk}/", user)
        assert not connected and code == 4403, user.username


async def test_connect_missing_or_hidden_channel_4404(talk, make_user):
    channel, seller, buyer = await db(lambda: talk)()
    _, connected, code = await connect("/ws/channels/999999/", buyer)
    assert not connected and code == 4404
    direct = await db(Channel.objects.create)(
        kind=Channel.Kind.DIRECT, store=channel.store, title="1:1", visibility="closed"
    )
    _, connected, code = await connect(f"/ws/channels/{direct.pk}/", buyer)
    assert not connected and code == 4404
    await db(Channel.objects.filter(pk=channel.pk).update)(deleted_at=timezone.now())
    _, connected, code = await connect(f"/ws/channels/{channel.pk}/", buyer)
    assert not connected and code == 4404


async def test_bad_input_gets_error_frames_and_socket_stays_open(talk):
    channel, seller, buyer = await db(lambda: talk)()
    a, _ = await connect_ready(channel.pk, buyer)
    cases = [
        ("not json", "bad_request"),
        (json.dumps([1, 2]), "bad_request"),
        (json.dumps({"type": "dance"}), "bad_request"),
        (json.dumps({"type": "send", "client_id": "e1", "body": "   "}), "bad_request"),
        (json.dumps({"type": "send", "body": "no client id"}), "bad_request"),
        (json.dumps({"type": "send", "client_id": "e2", "body": "가" * 2001}), "too_long"),
        (json.dumps({"type": "history", "before": "x"}), "bad_request"),
        (json.dumps({"type": "history", "limit": 101}), "bad_request"),
        (json.dumps({"type": "resume"}), "bad_request"),
        (json.dumps({"type": "read", "up_to": None}), "bad_request"),
    ]
    for text, code in cases:
        await a.send_to(text_data=text)
        frame = await a.receive_json_from()
        assert frame["type"] == "error" and frame["code"] == code, text
    too_long = json.dumps({"type": "send", "client_id": "e2", "body": "가" * 2001})
    await a.send_to(text_data=too_long)
    assert (await a.receive_json_from())["client_id"] == "e2"
    # Exactly 2000 characters is fine, and the socket is still open after all that.
    await a.send_json_to({"type": "send", "client_id": "ok", "body": "가" * 2000})
    assert (await a.receive_json_from())["type"] == "message"
    assert await db(Message.objects.count)() == 1
    await a.disconnect()


async def test_send_more_than_ten_in_five_seconds_rate_limited_not_stored(talk):
    channel, seller, buyer = await db(lambda: talk)()
    a, _ = await connect_ready(channel.pk, buyer)
    for i in range(10):
        await a.send_json_to({"type": "send", "client_id": f"r{i}", "body": f"{i}"})
        assert (await a.receive_json_from())["type"] == "message"
    await a.send_json_to({"type": "send", "client_id": "r10", "body": "one too many"})
    frame = await a.receive_json_from()
    assert frame == {
        "type": "error",
        "code": "rate_limited",
        "detail": frame["detail"],
        "client_id": "r10",
    }
    assert not await db(Message.objects.filter(client_id="r10").exists)()
    await a.disconnect()


async def test_send_non_member_of_open_channel_not_member(talk, make_user):
    channel, seller, buyer = await db(lambda: talk)()
    reader = await db(make_user)("reader")
    a, ready = await connect_ready(channel.pk, reader)
    assert ready["member"] is False
    await a.send_json_to({"type": "send", "client_id": "x", "body": "hi"})
    frame = await a.receive_json_from()
    assert frame["code"] == "not_member" and frame["client_id"] == "x"
    await a.send_json_to({"type": "typing"})
    assert (await a.receive_json_from())["code"] == "not_member"
    # Still listening: an open channel's reader sees the talk live.
    await _post(channel, seller, "open to all")
    assert (await a.receive_json_from())["message"]["body"] == "open to all"
    assert not await db(Message.objects.filter(client_id="x").exists)()
    await a.disconnect()


async def test_send_in_archived_channel_archived(talk):
    channel, seller, buyer = await db(lambda: talk)()
    a, _ = await connect_ready(channel.pk, buyer)
    await db(Channel.objects.filter(pk=channel.pk).update)(archived_at=timezone.now())
    await a.send_json_to({"type": "send", "client_id": "z", "body": "hello?"})
    frame = await a.receive_json_from()
    assert frame["code"] == "archived"
    assert await db(Message.objects.count)() == 0
    await a.disconnect()


async def test_send_after_ban_error_then_closed_4403(talk):
    channel, seller, buyer = await db(lambda: talk)()
    a, _ = await connect_ready(channel.pk, buyer)
    await db(add_member)(channel, buyer, Membership.State.BANNED)
    await a.send_json_to({"type": "send", "client_id": "b", "body": "still here?"})
    frame = await a.receive_json_from()
    assert frame["code"] == "banned"
    closed = await a.receive_output()
    assert closed == {"type": "websocket.close", "code": 4403}
    assert await db(Message.objects.count)() == 0


async def test_kick_closes_socket_and_nothing_more_arrives(talk):
    channel, seller, buyer = await db(lambda: talk)()
    a, _ = await connect_ready(channel.pk, buyer)
    b, _ = await connect_ready(channel.pk, seller)
    await get_channel_layer().group_send(
        channel_group(channel.pk), {"type": "chat.kick", "user": buyer.pk}
    )
    assert await a.receive_output() == {"type": "websocket.close", "code": 4403}
    await _post(channel, seller, "after the kick")
    assert (await b.receive_json_from())["message"]["body"] == "after the kick"
    assert await a.receive_nothing()
    await b.disconnect()


async def test_channel_events_are_forwarded(talk):
    channel, seller, buyer = await db(lambda: talk)()
    a, _ = await connect_ready(channel.pk, buyer)
    layer = get_channel_layer()
    event = {"type": "chat.channel", "channel": channel.pk, "title": "새 이름", "archived": True}
    await layer.group_send(channel_group(channel.pk), event)
    assert await a.receive_json_from() == {**event, "type": "channel"}
    await layer.group_send(channel_group(channel.pk), {"type": "chat.pins", "pins": []})
    assert await a.receive_json_from() == {"type": "pins", "pins": []}
    await layer.group_send(channel_group(channel.pk), {"type": "chat.kick"})
    assert await a.receive_output() == {"type": "websocket.close", "code": 4404}


async def test_typing_reaches_others_not_sender(talk):
    channel, seller, buyer = await db(lambda: talk)()
    a, _ = await connect_ready(channel.pk, buyer)
    b, _ = await connect_ready(channel.pk, seller)
    await a.send_json_to({"type": "typing"})
    frame = await b.receive_json_from()
    assert frame == {"type": "typing", "user": {"id": buyer.pk, "name": buyer.name}}
    assert await a.receive_nothing()
    await a.disconnect()
    await b.disconnect()


async def test_read_moves_pointer_forward_only_and_updates_inbox(talk):
    channel, seller, buyer = await db(lambda: talk)()
    messages = [await _post(channel, seller, f"m{i}") for i in range(3)]
    inbox, connected, _ = await connect("/ws/inbox/", buyer)
    assert connected and (await inbox.receive_json_from())["type"] == "ready"
    a, ready = await connect_ready(channel.pk, buyer)
    assert ready["unread"] == 3
    await a.send_json_to({"type": "read", "up_to": messages[1].pk})
    assert await a.receive_json_from() == {
        "type": "read",
        "user": buyer.pk,
        "up_to": messages[1].pk,
    }
    frame = await inbox.receive_json_from()
    assert frame["type"] == "unread" and frame["channel"] == channel.pk and frame["count"] == 1
    await a.send_json_to({"type": "read", "up_to": messages[0].pk})
    assert (await a.receive_json_from())["up_to"] == messages[1].pk  # never backwards
    membership = await db(Membership.objects.get)(channel=channel, user=buyer)
    assert membership.last_read_message_id == messages[1].pk
    await a.disconnect()
    await inbox.disconnect()


async def test_post_rings_members_inboxes_with_unread_count(talk):
    channel, seller, buyer = await db(lambda: talk)()
    inbox, connected, _ = await connect("/ws/inbox/", buyer)
    assert connected and (await inbox.receive_json_from())["type"] == "ready"
    a, _ = await connect_ready(channel.pk, seller)
    await a.send_json_to({"type": "send", "client_id": "n1", "body": "신상 나왔어요"})
    frame = await inbox.receive_json_from()
    assert frame["type"] == "unread" and frame["channel"] == channel.pk
    assert frame["count"] == 1
    assert frame["last_message"]["body"] == "신상 나왔어요"
    await a.disconnect()
    await inbox.disconnect()


async def test_one_layer_event_per_post_rings_each_members_inbox_with_their_count(
    talk, make_user, monkeypatch
):
    channel, seller, buyer = await db(lambda: talk)()
    reader, quiet = await db(make_user)("reader"), await db(make_user)("quiet")
    for user in (reader, quiet):  # quiet is a member with no inbox open
        await db(add_member)(channel, user)
    before = [await _post(channel, seller, f"m{i}") for i in range(2)]
    await db(Membership.objects.filter(channel=channel, user=reader).update)(
        last_read_message_id=before[0].pk
    )
    inboxes = {}
    for user in (buyer, reader):
        inboxes[user.pk], connected, _ = await connect("/ws/inbox/", user)
        assert connected and (await inboxes[user.pk].receive_json_from())["type"] == "ready"
    layer = get_channel_layer()
    sent_to, real_group_send = [], layer.group_send

    async def spy(group, message):
        sent_to.append(group)
        await real_group_send(group, message)

    monkeypatch.setattr(layer, "group_send", spy)
    a, _ = await connect_ready(channel.pk, seller)
    await a.send_json_to({"type": "send", "client_id": "n1", "body": "신상 나왔어요"})
    assert (await a.receive_json_from())["message"]["client_id"] == "n1"
    buyer_frame = await inboxes[buyer.pk].receive_json_from(timeout=3)
    reader_frame = await inboxes[reader.pk].receive_json_from(timeout=3)
    assert (buyer_frame["channel"], buyer_frame["count"]) == (channel.pk, 3)
    assert (reader_frame["channel"], reader_frame["count"]) == (channel.pk, 2)
    assert reader_frame["last_message"]["body"] == "신상 나왔어요"
    assert sent_to.count(INBOXES) == 1  # one event for the channel's four members
    assert not [group for group in sent_to if group.startswith("inbox.")]
    for socket in (a, *inboxes.values()):
        assert await socket.receive_nothing(timeout=0.4)  # nothing twice
        await socket.disconnect()
