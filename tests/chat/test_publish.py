"""``fanout.publish`` from a database thread: it never waits on a server loop that stopped."""

from __future__ import annotations

import asyncio
import threading

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import InMemoryChannelLayer

from chat import fanout


def _publish_in_a_thread(loop, layer) -> bool:
    """Publish from a thread that a server loop ``loop`` once asked (asgiref's mark);
    True when it returned within 5 s."""

    def run() -> None:
        SyncToAsync.threadlocal.main_event_loop = loop
        fanout.publish("publish-test", {"type": "chat.message", "message": {"id": 1}}, layer)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(5)
    return not thread.is_alive()


def _receiver() -> tuple[InMemoryChannelLayer, str]:
    """A layer of the test's own (the services run's Redis layer keeps its channels per
    event loop, and each ``async_to_sync`` here runs a loop of its own)."""
    layer = InMemoryChannelLayer()
    name = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("publish-test", name)
    return layer, name


def test_a_stopped_server_loop_gets_nothing_and_holds_no_thread():
    layer, name = _receiver()
    stopped = asyncio.new_event_loop()  # made, not running, not closed: a server that stopped
    try:
        assert _publish_in_a_thread(stopped, layer)  # before: async_to_sync waited for it forever
    finally:
        stopped.close()

    async def nothing() -> bool:
        try:
            await asyncio.wait_for(layer.receive(name), 0.3)
        except TimeoutError:
            return True
        return False

    assert async_to_sync(nothing)()


def test_without_a_server_loop_it_sends_and_waits():
    layer, name = _receiver()
    closed = asyncio.new_event_loop()
    closed.close()  # an earlier test's loop: gone
    assert _publish_in_a_thread(closed, layer)

    async def first() -> dict:
        return await asyncio.wait_for(layer.receive(name), 2)

    assert async_to_sync(first)()["message"] == {"id": 1}
