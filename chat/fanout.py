"""Process-local fan-out: one channel-layer subscription per process per group, not per socket.

Every server process (one event loop) has one :class:`Hub`. A socket that joins a group (a
channel's ``chan.<id>`` or a user's ``inbox.<id>``) is added to that group's :class:`Feed`; the
first socket of a group in this process opens one layer channel and adds it to the group, the
last one to leave closes it (after ``LINGER`` seconds, so a reconnect storm does not churn
Redis subscriptions). An event arriving on a feed is encoded to JSON **once** and the same text
is written to every local socket in a plain loop: no per-socket layer channel, no per-socket
task, no thread hop (``aclose_old_connections``) for events that touch no database.

The database stays the truth: a socket that misses anything (layer outage, overflow, server
restart) is closed and the client ``resume``\\s after the last id it has.

- Publishing is unchanged: ``channel_layer.group_send(group, event)`` (``send_after_commit``).
- Removing a socket from a feed is synchronous, so a kick, ban or channel deletion stops
  delivery at once; a burst of disconnects leaves no dead member (the feed is a local set).
- Slow clients: a socket whose unsent output passes ``MAX_BUFFER`` bytes (beyond a kernel send
  buffer of ``SNDBUF``) is dropped from its feeds and closed with 4408; it loses nothing, it
  resumes after reconnecting.
- Layer health: with a network layer (Redis) the hub pings itself every ``PING_EVERY`` s; a
  ping not back within ``PING_TIMEOUT`` marks the layer down: every socket is closed with 4500
  (clients reconnect and resume) and new ones are refused with 4503 until a ping comes back.
- Presence: each feed counts the members with an open socket in this process and shares the
  set with the other processes on the group (``fanout.presence`` events, re-announced every
  ``PRESENCE_EVERY`` s, forgotten after ``PRESENCE_TTL`` s); sockets that ask get
  ``presence`` frames with the number of members online.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import json
import logging
import os
import socket
import threading
import time
import uuid
import weakref
from collections import Counter, deque

from asgiref.sync import SyncToAsync, async_to_sync
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import InMemoryChannelLayer, get_channel_layer

log = logging.getLogger("talkmall.fanout")

# Close codes (daphne/autobahn only send 1000 and 3000-4999): the client reconnects, resumes.
CLOSE_LAYER_DOWN = 4500  # the server lost its channel layer
CLOSE_TRY_LATER = 4503  # the layer is down right now: try again shortly
CLOSE_TOO_SLOW = 4408  # the client did not read: reconnect and resume

MAX_BUFFER = int(os.environ.get("TALKMALL_WS_MAX_BUFFER", str(1024 * 1024)))
# The kernel's send buffer per socket (0 = the system's autotuning, up to tcp_wmem's 4 MB):
# kept small so a client that stops reading is noticed after MAX_BUFFER + SNDBUF bytes.
OPEN = 3  # autobahn's WebSocketProtocol.STATE_OPEN
SNDBUF = int(os.environ.get("TALKMALL_WS_SNDBUF", str(256 * 1024)))
LINGER = 5.0
PING_EVERY = 1.0
PING_TIMEOUT = 3.0
PRESENCE_DELAY = 0.3
PRESENCE_EVERY = 20.0
PRESENCE_TTL = 65.0
PRESENCE_EVENT = "fanout.presence"
COALESCE = 0.25  # seconds: inbox fan-outs of one channel are merged over this window


# Scope entries our consumers read in ``connect`` at most: dropped after it (the socket never
# saves a session; the headers stay with the server's protocol).
HANDSHAKE_ONLY = ("headers", "cookies", "session", "url_route", "path_remaining")


class LayerDown(Exception):
    """The channel layer cannot be reached: the socket is refused (1013) and retries."""


def encode(frame: dict) -> str:
    """The one JSON encoding of a frame (UTF-8 text, compact)."""
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def _transport_of(send):
    """``(websocket protocol, TCP transport)`` behind an ASGI ``send`` when the server lets us
    see them (daphne: ``partial(server.handle_reply, protocol)``, as is or under a wrapper's
    ``real_send`` such as Channels' session wrapper); else ``(None, None)``."""
    for _ in range(8):
        if isinstance(send, functools.partial):
            protocol = send.args[0] if send.args else None
            node = protocol
            for _ in range(6):  # protocol → HTTP channel wrappers → the TCP transport
                if hasattr(node, "_tlsConnection"):  # TLS in daphne: frames must be encrypted
                    return None, None
                if node is None or isinstance(getattr(node, "dataBuffer", None), bytes):
                    return (protocol, node) if node is not None else (None, None)
                node = getattr(node, "transport", None) or getattr(node, "_channel", None)
            return None, None
        send = getattr(getattr(send, "__self__", None), "real_send", None)
        if send is None:
            return None, None
    return None, None


def _release_handshake(protocol, transport) -> None:
    """Let go of what daphne, autobahn and Twisted keep of an open socket's HTTP upgrade
    request for the socket's whole life, though none of them reads it after the handshake
    (about 6 KB a socket; docs/performance.md, "Idle memory"): daphne's cleaned header list
    (read in ``onConnect`` only), autobahn's parsed headers and raw request/response (read
    while it processes the handshake), and the upgraded Twisted ``Request`` that the
    connection's ``HTTPChannel`` (still the TCP transport's registered producer) keeps in its
    queue of requests although it will never finish it. Best effort: an attribute missing in
    another version of these libraries only costs the saving."""
    with contextlib.suppress(AttributeError, TypeError):
        protocol.clean_headers = ()
    with contextlib.suppress(AttributeError, TypeError):
        protocol.http_headers.clear()  # also daphne's ``protocol.request.headers``
    for name in ("http_request_data", "http_response_data"):
        with contextlib.suppress(AttributeError, TypeError):
            setattr(protocol, name, None)
    requests = getattr(getattr(transport, "producer", None), "requests", None)
    if isinstance(requests, list):
        requests.clear()


def text_frame(data: bytes) -> bytes:
    """One unmasked, unfragmented websocket text frame (RFC 6455 5.2), as a server sends it."""
    n = len(data)
    if n < 126:
        return bytes((0x81, n)) + data
    if n < 65536:
        return b"\x81\x7e" + n.to_bytes(2, "big") + data
    return b"\x81\x7f" + n.to_bytes(8, "big") + data


def _write(transport, data: bytes) -> None:
    """Write to a Twisted TCP transport: straight to the socket when nothing is queued before
    it (what asyncio's transports do), else through Twisted's buffer. ``transport.write``
    alone costs a writer registration and removal (two epoll_ctl calls) and a loop turn per
    socket per frame; this is one ``send``."""
    sock = getattr(transport, "socket", None)
    if sock is None or _buffered(transport) or not transport.connected or transport.disconnecting:
        transport.write(data)
        return
    try:
        sent = sock.send(data)
    except OSError:  # full (EAGAIN), reset or closed: Twisted's buffer and its error handling
        sent = 0
    if sent < len(data):
        transport.write(data[sent:])


def _buffered(transport) -> int:
    """Bytes queued for this socket and not yet taken by the kernel (a Twisted transport)."""
    if transport is None:
        return 0
    try:
        return len(transport.dataBuffer) - transport.offset + transport._tempDataLen
    except (AttributeError, TypeError):
        return 0


async def _finish(coro, waiting, socket: FanoutConsumer) -> None:
    """Drive a ``send`` that had to wait (the server applied back-pressure), then the frames
    queued behind it, in order."""
    try:
        while True:
            if waiting is None:
                await asyncio.sleep(0)
            else:
                await asyncio.wait([waiting])
            try:
                waiting = coro.send(None)
            except StopIteration:
                break
        while socket._backlog:
            text = socket._backlog.popleft()
            socket._backlog_bytes -= len(text)
            await socket.base_send({"type": "websocket.send", "text": text})
    except Exception:  # the socket went away: nothing more to write
        socket._backlog.clear()
    finally:
        socket._backlog = None
        socket._backlog_bytes = 0


class Feed:
    """This process's subscription to one group and the local sockets it serves."""

    def __init__(self, hub: Hub, group: str) -> None:
        self.hub = hub
        self.group = group
        self.sockets: dict[FanoutConsumer, None] = {}
        self.members: Counter[int] = Counter()  # member user id -> open sockets here
        self.watchers: dict[FanoutConsumer, None] = {}  # sockets that asked for presence
        self.remote: dict[str, tuple[frozenset, float]] = {}  # hub id -> (users, expires)
        self.online = 0
        self.name: str | None = None
        self.task: asyncio.Task | None = None
        self.closing = False
        self._linger: asyncio.TimerHandle | None = None
        self._presence: asyncio.TimerHandle | None = None
        self._announced: frozenset | None = None
        self._announced_at = 0.0
        self.ready = asyncio.ensure_future(self._open())

    async def _open(self) -> None:
        layer = self.hub.layer
        self.name = await layer.new_channel(prefix="fanout.")
        await layer.group_add(self.group, self.name)
        self.task = asyncio.ensure_future(self._run())
        self._announce(ask=True)

    async def _run(self) -> None:
        receive, name = self.hub.layer.receive, self.name
        while True:
            event = await receive(name)
            try:
                self.deliver(event)
            except Exception:
                log.exception("fan-out of a %s event failed", event.get("type"))

    def deliver(self, event: dict) -> None:
        """Encode once, write to every local socket."""
        if event.get("type") == PRESENCE_EVENT:
            self._presence_in(event)
            return
        if not self.sockets:
            return
        kind = type(next(iter(self.sockets)))
        if kind.hub_event(self.hub, event):
            return
        sockets = list(self.sockets)
        frame = kind.frame_for(event)
        if frame is not None and not kind.per_socket(event):
            wire = text_frame(frame.encode())
            for socket in sockets:
                socket.push(frame, wire)
        else:
            for socket in sockets:
                socket.on_group_event(event, frame)

    # --- membership of local sockets --------------------------------------------------

    def add(self, socket: FanoutConsumer, member: int | None) -> None:
        """Serve ``socket`` from now on (the others hear of a new member first, so the
        socket's first frame is the ``ready`` its consumer sends next)."""
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        if member is not None:
            self.members[member] += 1
            if self.members[member] == 1:
                self._presence_changed()
        self.sockets[socket] = None

    def discard(self, socket: FanoutConsumer, member: int | None) -> None:
        if socket not in self.sockets:
            return
        del self.sockets[socket]
        self.watchers.pop(socket, None)
        if member is not None and self.members[member] > 0:
            self.members[member] -= 1
            if not self.members[member]:
                del self.members[member]
                self._presence_changed()
        self.linger()

    def linger(self) -> None:
        """No local socket left: close after ``LINGER`` seconds unless one comes back."""
        if not self.sockets and self._linger is None and not self.closing:
            self._linger = asyncio.get_running_loop().call_later(LINGER, self._expire)

    def _expire(self) -> None:
        self._linger = None
        if self.sockets or self.closing:
            return
        self.close()

    def close(self) -> None:
        """Stop listening (background: the layer calls may wait on the network)."""
        self.closing = True
        if self.hub.feeds.get(self.group) is self:
            del self.hub.feeds[self.group]
        for handle in (self._linger, self._presence):
            if handle is not None:
                handle.cancel()
        asyncio.ensure_future(self._close())

    async def _close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if not self.ready.done():
            self.ready.cancel()
            return
        if self.ready.cancelled() or self.ready.exception() is not None:
            return
        try:
            self._announce(users=frozenset())
            await self.hub.layer.group_discard(self.group, self.name)
        except Exception as exc:  # the layer is down: its subscription dies with it
            log.warning("could not leave %s: %s", self.group, exc)

    # --- presence ---------------------------------------------------------------------

    def _presence_changed(self) -> None:
        if self._presence is None and self.name is not None:
            loop = asyncio.get_running_loop()
            self._presence = loop.call_later(PRESENCE_DELAY, self._presence_flush)
        self._recount()

    def _presence_flush(self) -> None:
        self._presence = None
        if frozenset(self.members) != self._announced:
            self._announce()

    def _announce(self, *, ask: bool = False, users: frozenset | None = None) -> None:
        users = frozenset(self.members) if users is None else users
        self._announced, self._announced_at = users, time.monotonic()
        event = {"type": PRESENCE_EVENT, "hub": self.hub.id, "users": sorted(users), "ask": ask}

        async def publish() -> None:
            try:
                await self.hub.layer.group_send(self.group, event)
            except Exception as exc:
                log.warning("presence for %s not shared: %s", self.group, exc)

        asyncio.ensure_future(publish())

    def heartbeat(self, now: float) -> None:
        if self.name is None or self.closing:
            return
        if self.members and now - self._announced_at >= PRESENCE_EVERY:
            self._announce()
        expired = [hub for hub, (_users, until) in self.remote.items() if until < now]
        for hub in expired:
            del self.remote[hub]
        if expired:
            self._recount()

    def _presence_in(self, event: dict) -> None:
        if event.get("hub") == self.hub.id:
            return
        users = frozenset(event.get("users") or ())
        if users:
            self.remote[event["hub"]] = (users, time.monotonic() + PRESENCE_TTL)
        else:
            self.remote.pop(event.get("hub"), None)
        if event.get("ask") and self.members:
            self._announce()
        self._recount()

    def _recount(self) -> None:
        online = set(self.members)
        for users, _until in self.remote.values():
            online |= users
        if len(online) != self.online:
            self.online = len(online)
            frame = encode({"type": "presence", "online": self.online})
            for socket in list(self.watchers):
                socket.push(frame)

    def watch(self, socket: FanoutConsumer) -> None:
        """Send ``socket`` the number of members online now and whenever it changes."""
        if socket in self.sockets:
            self.watchers[socket] = None
            socket.push(encode({"type": "presence", "online": self.online}))


class Hub:
    """One per event loop: the feeds of this process and the layer health check."""

    def __init__(self, layer) -> None:
        self.layer = layer
        self.id = uuid.uuid4().hex[:12]
        self.feeds: dict[str, Feed] = {}
        self.sockets: dict[FanoutConsumer, None] = {}
        self.up = True
        self.pinger: asyncio.Task | None = None
        if not isinstance(layer, InMemoryChannelLayer):
            self.pinger = asyncio.ensure_future(self._ping_loop())

    async def join(self, group: str, socket: FanoutConsumer, member: int | None) -> Feed:
        if not self.up:
            raise LayerDown()
        feed = self.feeds.get(group)
        if feed is None:
            feed = self.feeds[group] = Feed(self, group)
        try:
            await asyncio.shield(feed.ready)
        except asyncio.CancelledError:
            feed.linger()
            raise
        except Exception as exc:
            if self.feeds.get(group) is feed:
                feed.close()
            raise LayerDown() from exc
        if socket._gone:
            feed.linger()
        else:
            feed.add(socket, member)
        return feed

    def stats(self) -> dict:
        return {"sockets": len(self.sockets), "groups": len(self.feeds), "layer_up": self.up}

    async def _ping_loop(self) -> None:
        """Ping our own layer channel every ``PING_EVERY`` s. The channel is received by one
        long-lived task (never cancelled: cancelling a receive unsubscribes, and subscribing
        again while Redis comes back can wait on the layer's lock)."""
        channel = None
        pong = asyncio.Event()
        expected: dict[str, str] = {}

        async def pongs(name: str) -> None:
            while True:
                message = await self.layer.receive(name)
                if message.get("token") == expected.get("token"):
                    pong.set()

        while True:
            try:
                # asyncio.timeout, not wait_for: a wait_for cancelled together with the task
                # it wraps could hang the loop's shutdown (seen in the services test run).
                if channel is None:
                    async with asyncio.timeout(PING_TIMEOUT):
                        channel = await self.layer.new_channel(prefix="fanout-ping.")
                    asyncio.ensure_future(pongs(channel))
                expected["token"] = uuid.uuid4().hex
                pong.clear()
                async with asyncio.timeout(PING_TIMEOUT):
                    await self.layer.send(channel, {"type": "fanout.ping", **expected})
                async with asyncio.timeout(PING_TIMEOUT):
                    await pong.wait()
                self._set_up(True)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # refused, timed out: the layer is down
                self._set_up(False, exc)
            now = time.monotonic()
            for feed in list(self.feeds.values()):
                feed.heartbeat(now)
            await asyncio.sleep(PING_EVERY)

    def _set_up(self, up: bool, exc: Exception | None = None) -> None:
        if up == self.up:
            return
        self.up = up
        if up:
            log.warning("channel layer is back: accepting sockets again")
            return
        log.warning("channel layer down (%s): closing %d sockets", exc, len(self.sockets))
        for consumer in list(self.sockets):
            consumer.drop(CLOSE_LAYER_DOWN)


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


def hub() -> Hub:
    """This event loop's hub (created on first use)."""
    loop = asyncio.get_running_loop()
    current = _hubs.get(loop)
    if current is None:
        for old in [old for old in _hubs if old.is_closed()]:
            del _hubs[old]
        current = _hubs[loop] = Hub(get_channel_layer())
    return current


def hub_stats() -> dict:
    """Sockets and groups of this process's hub (``/healthz``)."""
    try:
        current = _hubs.get(asyncio.get_running_loop())
    except RuntimeError:
        current = None
    return current.stats() if current else {"sockets": 0, "groups": 0, "layer_up": True}


_coalesced: dict[object, object] = {}  # key -> the latest function asked for (loop thread)


def _server_loop():
    """The event loop that called this database thread (under the server), else None."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop


def coalesce(key: object, fn) -> bool:
    """Called from a database thread under the server: run the sync ``fn()`` once, in the
    database thread, ``COALESCE`` seconds from now, however often ``key`` is asked for
    meanwhile (the latest ``fn`` wins). False without a server loop (a command, a test):
    the caller runs its work at once."""
    loop = _server_loop()
    if loop is None:
        return False
    _to_loop(loop, _coalesce_in_loop, key, fn)
    return True


class _Calls:
    """Calls from database threads waiting for one loop: they share one wake-up."""

    __slots__ = ("waiting", "scheduled")

    def __init__(self) -> None:
        self.waiting: deque = deque()
        self.scheduled = False


_calls: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # loop -> _Calls


def _to_loop(loop, fn, *args) -> None:
    """Run ``fn(*args)`` in ``loop`` soon, in the order asked. A send posts a broadcast and
    an inbox count within microseconds of each other: one ``call_soon_threadsafe`` (a
    self-pipe write and a wake-up) for both instead of one each."""
    calls = _calls.get(loop)
    if calls is None:
        calls = _calls.setdefault(loop, _Calls())
    calls.waiting.append((fn, args))
    if not calls.scheduled and not getattr(_held, "on", False):
        calls.scheduled = True
        # A fresh context: the database thread's own (asgiref's "inside sync_to_async"
        # marks) must not leak into the loop.
        loop.call_soon_threadsafe(_run_calls, calls, context=contextvars.Context())


_held = threading.local()


@contextlib.contextmanager
def wakeups_held():
    """In a database thread whose caller runs ``run_held()`` in the loop when the thread's
    work returns (chat/writer.py): calls for the loop wait for that instead of waking the
    loop themselves. Saves a self-pipe write and a thread switch per send."""
    _held.on = True
    try:
        yield
    finally:
        _held.on = False


def run_held() -> None:
    """In the loop: run the calls that ``wakeups_held`` kept waiting (and any others)."""
    calls = _calls.get(asyncio.get_running_loop())
    if calls is not None:
        _run_calls(calls)


def _run_calls(calls: _Calls) -> None:
    calls.scheduled = False  # before draining: a call appended from now on schedules anew
    while calls.waiting:
        fn, args = calls.waiting.popleft()
        try:
            fn(*args)
        except Exception:
            log.exception("%s failed", getattr(fn, "__name__", fn))


_outbox: dict[object, deque] = {}  # loop -> group events waiting for the publisher


def publish_soon(group: str, event: dict) -> bool:
    """Called from a database thread under the server (after a commit): hand ``group_send``
    to the server's loop and return at once, instead of waiting for the loop
    (``async_to_sync``). One publisher per loop sends them in the order given, so a
    channel's messages leave a process in commit order. False without a server loop: the
    caller sends itself."""
    loop = _server_loop()
    if loop is None:
        return False
    _to_loop(loop, _publish_in_loop, group, event)
    return True


def publish(group: str, event: dict, layer=None) -> None:
    """From a database thread after a commit: hand ``group_send`` to the server's loop
    (:func:`publish_soon`), or with no server loop (a command, a plain test) send it and
    wait. A thread whose server loop has stopped but is not closed (the server shutting
    down, an async test that just ended) sends nothing: ``async_to_sync`` would wait for
    that loop forever and hold the database thread. The row is committed; clients resume."""
    if publish_soon(group, event):
        return
    asked_by = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if asked_by is not None and not asked_by.is_closed() and not asked_by.is_running():
        log.warning("not broadcast to %s: the server loop has stopped (clients resume)", group)
        return
    async_to_sync(broadcast)(group, event, layer)


def _publish_in_loop(group: str, event: dict) -> None:
    loop = asyncio.get_running_loop()
    waiting = _outbox.get(loop)
    if waiting is None:  # no publisher running: start one
        waiting = _outbox[loop] = deque()
        loop.create_task(_publisher(loop, waiting))
    waiting.append((group, event))


async def broadcast(group: str, event: dict, layer=None) -> None:
    """``group_send`` after a commit (on ``layer``, default the configured one). A layer that
    cannot be reached is logged, not raised: the row is committed, and the fan-out closes its
    sockets when the layer is down, so clients resume from the database."""
    layer = layer or get_channel_layer()
    if layer is None:
        return
    try:
        await layer.group_send(group, event)
    except Exception as exc:
        log.warning("not broadcast to %s (%s): clients resume", group, exc)


async def _publisher(loop, waiting: deque) -> None:
    try:
        while waiting:
            await broadcast(*waiting.popleft())
    finally:
        del _outbox[loop]


def _coalesce_in_loop(key: object, fn) -> None:
    pending = key in _coalesced
    _coalesced[key] = fn
    if not pending:
        asyncio.get_running_loop().call_later(
            COALESCE, lambda: asyncio.ensure_future(_coalesced_run(key))
        )


async def _coalesced_run(key: object) -> None:
    fn = _coalesced.pop(key, None)
    if fn is None:
        return
    try:
        await database_sync_to_async(fn)()
    except Exception:
        log.exception("coalesced %s failed", key)


class FanoutConsumer(AsyncWebsocketConsumer):
    """A websocket consumer served by the hub: no layer channel of its own, no thread hop
    before handlers (every database call goes through ``database_sync_to_async``, which closes
    stale connections itself), frames written through :meth:`push` in order.

    Memory: an idle socket lives for hours, so its consumer keeps little: attributes in
    ``__slots__`` (no per-instance dict), and after ``connect`` the scope loses what only the
    handshake needed (:data:`HANDSHAKE_ONLY`)."""

    __slots__ = ("scope", "channel_layer", "channel_name", "base_send", "_wsproto", "_transport",
                 "feeds", "_backlog", "_backlog_bytes", "_gone", "member_id")  # fmt: skip
    groups = ()  # no layer groups of Channels' own (an instance list each otherwise)

    async def __call__(self, scope, receive, send) -> None:
        self.scope = scope
        self.member_id = None
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = None
        self.base_send = send
        # With daphne, fan-out frames are written straight to the TCP transport, framed once
        # per event (text_frame), instead of through handle_reply → autobahn per socket.
        self._wsproto, self._transport = _transport_of(send)
        if self._transport is not None and SNDBUF:
            with contextlib.suppress(AttributeError, OSError):
                self._transport.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SNDBUF)
        self.feeds: dict[str, Feed] = {}
        self._backlog: deque | None = None
        self._backlog_bytes = 0
        self._gone = False
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass
        finally:
            self.unsubscribe_all()

    async def dispatch(self, message: dict) -> None:
        handler = getattr(self, message["type"].replace(".", "_"), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_connect(self, message: dict) -> None:
        try:
            await super().websocket_connect(message)
        finally:
            for key in HANDSHAKE_ONLY:
                self.scope.pop(key, None)
            if self._wsproto is not None and self._wsproto.state == OPEN:
                _release_handshake(self._wsproto, self._transport)

    async def websocket_disconnect(self, message: dict) -> None:
        self._gone = True
        self.unsubscribe_all()
        await self.disconnect(message.get("code", 1000))
        raise StopConsumer()

    # --- groups -------------------------------------------------------------------------

    async def subscribe(self, group: str, *, member: int | None = None) -> Feed:
        current = hub()
        current.sockets[self] = None
        self.member_id = member
        try:
            feed = await current.join(group, self, member)
        except LayerDown:
            current.sockets.pop(self, None)
            raise
        self.feeds[group] = feed
        return feed

    def unsubscribe_all(self) -> None:
        """Leave every feed now (synchronous: nothing more is delivered to this socket)."""
        feeds, self.feeds = self.feeds, {}
        for feed in feeds.values():
            feed.discard(self, self.member_id)
        current = _hubs.get(asyncio.get_running_loop())
        if current is not None:
            current.sockets.pop(self, None)

    # --- writing ------------------------------------------------------------------------

    def push(self, text: str, wire: bytes | None = None) -> None:
        """Write one text frame without waiting; frames stay in order. A client that does
        not read is dropped (4408) once ``MAX_BUFFER`` bytes wait for it."""
        if self._gone:
            return
        if self._backlog is not None:
            self._backlog.append(text)
            self._backlog_bytes += len(text)
            if self._backlog_bytes > MAX_BUFFER:
                self.drop(CLOSE_TOO_SLOW)
            return
        if self._transport is not None:
            if _buffered(self._transport) > MAX_BUFFER:
                self.drop(CLOSE_TOO_SLOW)
                return
            if self._wsproto.state == OPEN:
                _write(self._transport, wire if wire is not None else text_frame(text.encode()))
                return
        coro = self.base_send({"type": "websocket.send", "text": text})
        try:
            waiting = coro.send(None)
        except StopIteration:
            return
        except Exception:
            self._gone = True
            return
        self._backlog = deque()
        asyncio.ensure_future(_finish(coro, waiting, self))

    async def send_json(self, content: dict, close: bool = False) -> None:
        self.push(encode(content))
        if close:
            await self.close(close)

    def drop(self, code: int) -> None:
        """Stop delivering to this socket at once and close it (the client resumes)."""
        if self._gone:
            return
        self.unsubscribe_all()
        self._gone = True
        if self._backlog:
            self._backlog.clear()
        asyncio.ensure_future(self._close_quietly(code))

    async def _close_quietly(self, code: int) -> None:
        with contextlib.suppress(Exception):  # already gone
            await self.base_send({"type": "websocket.close", "code": code})

    # --- group events (override in subclasses) ------------------------------------------

    @classmethod
    def frame_for(cls, event: dict) -> str | None:
        """The frame every local socket gets for ``event``, encoded once (None: see
        :meth:`on_group_event`)."""
        return None

    @classmethod
    def per_socket(cls, event: dict) -> bool:
        """True when sockets must look at ``event`` one by one (filters, closes)."""
        return False

    @classmethod
    def hub_event(cls, hub: Hub, event: dict) -> bool:
        """Handle ``event`` for the whole process instead of per socket of its group (True:
        done), e.g. hand parts of it to other feeds of ``hub``."""
        return False

    def on_group_event(self, event: dict, frame: str | None) -> None:
        """Per-socket handling: a handler method named after the event type, if any."""
        handler = getattr(self, event.get("type", "").replace(".", "_"), None)
        if handler is not None:
            asyncio.ensure_future(handler(event))
        elif frame is not None:
            self.push(frame)
