"""chat/writer.py: sends that queue up behind a write go to the database together, and each
send still gets its own row, number, broadcast and error."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from chat import consumers
from chat import writer as writer_module
from chat.exceptions import ChatError
from chat.models import Membership, Message
from chat.search.query import search
from chat.services.messages import message_post
from tests.chat.live_fixtures import add_member, connect_ready, store_channel

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = sync_to_async


async def _drain(socket) -> list[dict]:
    frames = []
    while not await socket.receive_nothing(timeout=0.3):
        frames.append(await socket.receive_json_from())
    return frames


@pytest.fixture
def crowd(make_user):
    seller = make_user("seller")
    channel = store_channel(seller)
    buyers = [make_user(f"buyer{n}") for n in range(6)]
    for buyer in buyers:
        add_member(channel, buyer)
    return channel, seller, buyers


async def test_simultaneous_sends_are_batched_and_each_arrives_once_in_order(crowd, monkeypatch):
    channel, seller, buyers = await db(lambda: crowd)()
    batches: list[int] = []
    real_write = writer_module.Writer._write

    def counting_write(self, batch):
        batches.append(len(batch))
        return real_write(self, batch)

    monkeypatch.setattr(writer_module.Writer, "_write", counting_write)
    listener, _ = await connect_ready(channel.pk, seller)
    sockets = [(await connect_ready(channel.pk, buyer))[0] for buyer in buyers]
    # The last buyer is removed before sending: their send fails alone.
    await db(Membership.objects.filter(channel=channel, user=buyers[-1]).update)(
        state=Membership.State.LEFT
    )
    for n, socket in enumerate(sockets):
        await socket.send_json_to({"type": "send", "client_id": f"c{n}", "body": f"동시 {n}"})
    frames = [await _drain(socket) for socket in sockets]
    errors = [[f for f in got if f["type"] == "error"] for got in frames]
    assert [len(e) for e in errors] == [0] * (len(sockets) - 1) + [1]
    assert errors[-1][0]["code"] == "not_member" and errors[-1][0]["client_id"] == "c5"
    heard = [f["message"] for f in await _drain(listener)]
    assert all(
        [f["message"] for f in got if f["type"] == "message"] == heard for got in frames
    )  # every socket, the sender's own included, got each message once

    rows = await db(
        lambda: list(Message.objects.filter(channel=channel).order_by("id").values("id", "seq"))
    )()
    assert [m["id"] for m in heard] == [r["id"] for r in rows]  # once each, in commit order
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert [m["prev"] for m in heard] == [0] + [r["id"] for r in rows[:-1]]
    assert sorted(m["client_id"] for m in heard) == [f"c{n}" for n in range(len(sockets) - 1)]
    assert sum(batches) == len(sockets) and max(batches) > 1  # some went together
    for socket in [listener, *sockets]:
        await socket.disconnect()


async def test_a_batch_shares_its_channel_lock_and_keeps_a_resent_send_apart(crowd, monkeypatch):
    """A send that repeats a stored client_id fails only its INSERT: the batch's other sends
    are written in the same transaction, with no SAVEPOINT per send, one lock and one update
    of the channel row, and one INSERT of their search postings."""
    channel, seller, buyers = await db(lambda: crowd)()
    await db(message_post)(channel=channel, author=buyers[0], body="처음", client_id="same")
    statements: list[str] = []
    real_write = writer_module.Writer._write

    def capturing_write(self, batch):
        with CaptureQueriesContext(connection) as captured:
            outcomes = real_write(self, batch)
        statements.extend(q["sql"].upper() for q in captured.captured_queries)
        return outcomes

    monkeypatch.setattr(writer_module.Writer, "_write", capturing_write)
    w = writer_module.Writer(consumers._send, (ChatError, consumers.Refused))
    batch = [
        (buyers[1], channel.pk, "둘째", "new-1", ""),
        (buyers[0], channel.pk, "처음", "same", ""),
        (buyers[2], channel.pk, "셋째", "new-2", ""),
    ]
    results = await w._attempt(batch)
    assert [ok for ok, _ in results] == [True, True, True], results
    assert [value["replay"] for _, value in results] == [False, True, False]
    assert results[1][1]["message"]["body"] == "처음"
    if connection.vendor != "postgresql":  # there, the INSERT alone has one (_insert)
        assert not [sql for sql in statements if "SAVEPOINT" in sql]
    # One channel: its row is locked and updated once for the batch, the postings go in once.
    assert len([sql for sql in statements if "SELECT C.LAST_SEQ" in sql]) == 1
    assert len([sql for sql in statements if sql.startswith("UPDATE CHAT_CHANNEL ")]) == 1
    assert len([sql for sql in statements if "INTO CHATSEARCH_POSTING" in sql]) == 1
    found = await db(lambda: [hit.message.client_id for hit in search(seller, "셋째").hits])()
    assert found == ["new-2"]
    rows = await db(
        lambda: list(
            Message.objects.filter(channel=channel).order_by("id").values_list("client_id", "seq")
        )
    )()
    assert rows == [("same", 1), ("new-1", 2), ("new-2", 3)]
    newest = await db(lambda: Message.objects.get(client_id="new-2"))()
    await db(channel.refresh_from_db)()
    assert (channel.last_seq, channel.last_message_at) == (3, newest.created_at)


async def test_an_unexpected_error_fails_only_its_batch():
    calls: list[int] = []

    def fn(n: int) -> int:
        calls.append(n)
        if n == 2:
            raise RuntimeError("database gone")
        return n * 10

    w = writer_module.Writer(fn, (ValueError,))
    results = await asyncio.gather(*(w.submit(n) for n in range(4)), return_exceptions=True)
    # All four queued before the writer ran: one batch, rolled back together for 2's error.
    assert calls == [0, 1, 2]
    assert all(isinstance(r, RuntimeError) for r in results)
    assert await w.submit(5) == 50  # the writer goes on
    assert await asyncio.gather(w.submit(6), w.submit(7)) == [60, 70]


async def test_an_expected_error_stays_with_its_send():
    def fn(n: int) -> int:
        if n == 1:
            raise ValueError("not this one")
        return n

    w = writer_module.Writer(fn, (ValueError,))
    results = await asyncio.gather(*(w.submit(n) for n in range(3)), return_exceptions=True)
    assert results[0] == 0 and results[2] == 2
    assert isinstance(results[1], ValueError)


def _deadlock() -> OperationalError:
    """What Django raises for a MariaDB deadlock: its OperationalError over the driver's."""
    try:
        try:
            raise RuntimeError(1213, "Deadlock found when trying to get lock")
        except RuntimeError as driver_error:
            raise OperationalError(*driver_error.args) from driver_error
    except OperationalError as exc:
        return exc


async def test_a_batch_writes_in_channel_order_keeping_each_channels_order():
    calls: list[tuple[int, int]] = []

    def fn(channel: int, n: int) -> int:
        calls.append((channel, n))
        return n

    w = writer_module.Writer(fn, (ValueError,), key=lambda channel, n: channel)
    sends = [(2, 0), (1, 1), (2, 2), (1, 3), (3, 4)]
    results = await asyncio.gather(*(w.submit(*s) for s in sends))
    assert results == [0, 1, 2, 3, 4]  # every caller its own answer
    assert calls == [(1, 1), (1, 3), (2, 0), (2, 2), (3, 4)]


async def test_a_deadlocked_batch_is_written_again_send_by_send():
    calls: list[int] = []
    in_batch = {"on": True}

    def fn(n: int) -> int:
        calls.append(n)
        if n == 2 and in_batch["on"]:
            in_batch["on"] = False
            raise _deadlock()
        return n * 10

    w = writer_module.Writer(fn, (ValueError,))
    results = await asyncio.gather(*(w.submit(n) for n in range(4)))
    assert results == [0, 10, 20, 30]  # nobody saw the deadlock
    assert calls == [0, 1, 2, 0, 1, 2, 3]  # the batch up to the deadlock, then one by one


async def test_a_send_that_keeps_deadlocking_gets_the_error_after_the_last_attempt():
    calls: list[int] = []

    def fn(n: int) -> int:
        calls.append(n)
        if n == 1:
            raise _deadlock()
        return n

    w = writer_module.Writer(fn, (ValueError,))
    results = await asyncio.gather(*(w.submit(n) for n in range(2)), return_exceptions=True)
    assert results[0] == 0
    assert isinstance(results[1], OperationalError)
    assert calls == [0, 1] + [0] + [1] * writer_module.ATTEMPTS


async def test_retryable_knows_deadlocks_and_lock_timeouts_only():
    assert writer_module.retryable(_deadlock())
    assert not writer_module.retryable(OperationalError("database is locked"))  # waited 20 s
    assert not writer_module.retryable(OperationalError("no such table: chat_message"))
    assert not writer_module.retryable(RuntimeError(1213))


async def test_a_database_failure_answers_the_sender_and_keeps_the_socket(
    crowd, monkeypatch, caplog
):
    from chat import consumers

    channel, seller, buyers = await db(lambda: crowd)()
    socket, _ = await connect_ready(channel.pk, buyers[0])
    real_send = consumers._send

    def failing_send(*args):
        raise _deadlock()

    monkeypatch.setattr(consumers, "_send", failing_send)
    await socket.send_json_to({"type": "send", "client_id": "lost-1", "body": "안녕하세요"})
    frame = await socket.receive_json_from()
    assert frame["type"] == "error" and frame["code"] == "unavailable"
    assert frame["client_id"] == "lost-1"
    assert "failed in the database" in caplog.text
    assert not await db(Message.objects.filter(client_id="lost-1").exists)()

    monkeypatch.setattr(consumers, "_send", real_send)  # the same socket, the same client_id
    await socket.send_json_to({"type": "send", "client_id": "lost-1", "body": "안녕하세요"})
    frame = await socket.receive_json_from()
    assert frame["type"] == "message" and frame["message"]["client_id"] == "lost-1"
    await socket.disconnect()
