"""Faults on real daphne processes (services run: MariaDB + Redis): a burst of 1,000
disconnects, a Redis restart under load, a client that stops reading, a server process killed
mid-conversation. After each, every client's list equals the database's, in order, with
nothing lost or doubled (chat/fanout.py, docs/performance.md "Realtime")."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from django.db import connection

from chat.models import Message
from tests.chat.live_fixtures import add_member, session_cookie, store_channel
from tests.e2e.conftest import _database_url, _free_port

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True, scope="module")
def _many_files():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


class Server:
    """One daphne process serving the real application on the test database."""

    def __init__(self, tmp_path: Path, name: str, **env: str) -> None:
        self.port = _free_port()
        self.log_path = tmp_path / f"{name}.log"
        full = dict(os.environ)
        full.update(
            DATABASE_URL=_database_url(connection.settings_dict),
            DB_CONN_MAX_AGE="60",
            DEBUG="1",
            TALKMALL_CHAT_RATE_LIMIT="0",
            **env,
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port),
             "--websocket_connect_timeout", "60", "marketplace.asgi:application"],
            cwd=ROOT, env=full, stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while self.health() is None:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(self.log()[-2000:])
            time.sleep(0.2)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def health(self) -> dict | None:
        try:
            with urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as response:  # noqa: S310
                return json.loads(response.read())
        except HTTPError as exc:
            return json.loads(exc.read())
        except OSError:
            return None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class PrivateRedis:
    """A redis-server of the test's own on a free port (nothing saved), to stop and start."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class Talker:
    """A client like static/js/talk.js: reconnects with back-off (trying the next server
    after a failure), resumes after the last id it has, re-sends what was not acknowledged
    with the same client_id, keeps messages by id."""

    def __init__(self, urls: list[str], path: str, cookie: str, name: str, to_send: int = 0):
        self.urls, self.path, self.cookie, self.name = urls, path, cookie, name
        self.server = 0
        self.messages: dict[int, dict] = {}
        self.live_doubles = 0
        self.live_ids: set[int] = set()  # ids received live on the current socket
        self.out_of_order = 0
        self.unacked = {f"{name}-{n}": f"{name} 메시지 {n}" for n in range(to_send)}
        self.acked = asyncio.Event()
        self.readies: list[float] = []
        self.closes: list[int | None] = []
        self.sent = 0
        self.stop = False

    @property
    def last_id(self) -> int:
        return max(self.messages, default=0)

    def take(self, message: dict, live: bool) -> None:
        mine = str(message.get("client_id") or "").startswith(f"{self.name}-")
        if live and not mine:  # a re-sent message's ack is a replay, the rest must be new
            if message["id"] in self.live_ids:
                self.live_doubles += 1
            self.live_ids.add(message["id"])
        self.messages[message["id"]] = message
        if message.get("client_id") in self.unacked:
            del self.unacked[message["client_id"]]
            self.acked.set()

    async def run(self, *, read: bool = True, max_queue: int = 16) -> None:
        from websockets.asyncio.client import connect

        delay = 0.1
        while not self.stop:
            url = self.urls[self.server % len(self.urls)] + self.path
            try:
                async with connect(url, origin=self.urls[0].replace("ws:", "http:"),
                                   additional_headers={"Cookie": self.cookie}, open_timeout=5,
                                   max_queue=max_queue, ping_interval=None) as ws:  # fmt: skip
                    await self.session(ws)
                    delay = 0.1
            except Exception as exc:  # refused, reset, closed: back off and try again
                code = getattr(getattr(exc, "rcvd", None), "code", None)
                self.closes.append(code)
                if code is None:
                    self.server += 1  # the server is gone: try the next one
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    async def session(self, ws) -> None:
        ready = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if ready["type"] != "ready":
            raise ConnectionError(f"not ready: {ready}")
        self.readies.append(time.monotonic())
        self.live_ids = set()  # resume and live may overlap on a new socket: the client dedups
        await ws.send(json.dumps({"type": "resume", "after": self.last_id}))
        sender = asyncio.ensure_future(self.send_all(ws))
        try:
            last_live = 0
            async for raw in ws:
                frame = json.loads(raw)
                if frame["type"] == "message":
                    mine = str(frame["message"].get("client_id") or "").startswith(f"{self.name}-")
                    if frame["message"]["id"] < last_live and not mine:  # a replayed ack is
                        self.out_of_order += 1  # answered at once, out of the live order
                    last_live = max(last_live, frame["message"]["id"])
                    prev = frame["message"].get("prev") or 0
                    gap = prev and self.messages and prev > min(self.messages)
                    if gap and prev not in self.messages:  # never delivered: fill from the DB
                        after = max(i for i in self.messages if i < prev)
                        await ws.send(json.dumps({"type": "resume", "after": after}))
                    self.take(frame["message"], live=True)
                elif frame["type"] == "history":
                    for message in frame["messages"]:
                        self.take(message, live=False)
                    if frame["has_more"]:  # from the page's end, as talk.js does (a live
                        # or re-sent message may already sit beyond the rest of the gap)
                        after = frame["messages"][-1]["id"] if frame["messages"] else self.last_id
                        await ws.send(json.dumps({"type": "resume", "after": after}))
        finally:
            sender.cancel()

    async def send_all(self, ws) -> None:
        while self.unacked:
            client_id, body = next(iter(self.unacked.items()))
            self.acked.clear()
            await ws.send(json.dumps({"type": "send", "client_id": client_id, "body": body}))
            self.sent += 1
            try:
                await asyncio.wait_for(self.acked.wait(), 5)
            except TimeoutError:
                await ws.close()  # no ack: reconnect, resume, send again (same client_id)
                return

    async def catch_up(self) -> None:
        """A last resume on a fresh socket (what talk.js does on its next connect)."""
        from websockets.asyncio.client import connect

        url = self.urls[self.server % len(self.urls)] + self.path
        async with connect(url, origin=self.urls[0].replace("ws:", "http:"),
                           additional_headers={"Cookie": self.cookie},
                           open_timeout=10) as ws:  # fmt: skip
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "ready"
            while True:
                await ws.send(json.dumps({"type": "resume", "after": self.last_id}))
                while True:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if frame["type"] == "history":
                        break
                for message in frame["messages"]:
                    self.take(message, live=False)
                if not frame["has_more"]:
                    return


def _talk(make_user, members: int, *, prefix: str = "u"):
    seller = make_user(f"{prefix}seller")
    channel = store_channel(seller, slug=f"{prefix}-shop")
    users = [make_user(f"{prefix}{n}") for n in range(members)]
    for user in users:
        add_member(channel, user)
    return channel, [session_cookie(user) for user in users]


def _database_ids(channel) -> list[int]:
    return list(Message.objects.filter(channel=channel).order_by("id").values_list("id", flat=True))


def _assert_everyone_has_everything(talkers: list[Talker], channel, *, processes=1) -> None:
    ids = _database_ids(channel)
    for talker in talkers:
        assert sorted(talker.messages) == ids, talker.name
        assert talker.live_doubles == 0, talker.name
        # One process publishes in id order; two may interleave (ids are taken before
        # commit), so a client shows messages by id, as talk.js does.
        assert processes > 1 or talker.out_of_order == 0, talker.name
    client_ids = list(Message.objects.filter(channel=channel).values_list("client_id", flat=True))
    assert len(client_ids) == len(set(client_ids))  # every send stored once


def _assert_clean_log(server: Server) -> None:
    log = server.log()
    assert "Traceback" not in log and "ERROR" not in log, log[-3000:]


def test_thousand_sockets_disconnect_at_once_leaves_no_dead_member(make_user, tmp_path):
    channel, cookies = _talk(make_user, 20, prefix="storm")
    server = Server(tmp_path, "storm")
    path = f"/ws/channels/{channel.pk}/"

    async def storm():
        from websockets.asyncio.client import connect

        sem = asyncio.Semaphore(20)

        async def one(n: int):
            async with sem:
                ws = await connect(server.url + path, origin=server.url.replace("ws:", "http:"),
                                   additional_headers={"Cookie": cookies[n % 20]},
                                   open_timeout=30, ping_interval=None)  # fmt: skip
                assert json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] == "ready"
                return ws

        sockets = await asyncio.gather(*(one(n) for n in range(1000)))
        assert server.health()["fanout"]["sockets"] == 1000
        for ws in sockets:  # all at once, without a closing handshake
            ws.transport.abort()
        deadline = time.monotonic() + 20
        while server.health()["fanout"]["sockets"] and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        after = server.health()["fanout"]
        # The next fan-out goes only to live sockets: a new listener and a sender talk.
        listener = Talker([server.url], path, cookies[0], "listener")
        sender = Talker([server.url], path, cookies[1], "sender", to_send=3)
        tasks = [asyncio.ensure_future(t.run()) for t in (listener, sender)]
        while sender.unacked or len(listener.messages) < 3:
            await asyncio.sleep(0.05)
        listener.stop = sender.stop = True
        for task in tasks:
            task.cancel()
        return after, listener

    try:
        after, listener = asyncio.run(asyncio.wait_for(storm(), 90))
        assert after["sockets"] == 0
        assert len(listener.messages) == 3
        _assert_clean_log(server)
    finally:
        server.stop()


def test_redis_restart_under_load_clients_resume_to_the_database(make_user, tmp_path):
    redis = PrivateRedis()
    channel, cookies = _talk(make_user, 20, prefix="redis")
    server = Server(tmp_path, "redis", REDIS_URL=redis.url)
    path = f"/ws/channels/{channel.pk}/"
    talkers = [Talker([server.url], path, cookies[n], f"c{n}", to_send=50) for n in range(20)]
    health: dict[str, list] = {"down": [], "up": []}

    async def scenario():
        tasks = [asyncio.ensure_future(t.run()) for t in talkers]
        while sum(50 - len(t.unacked) for t in talkers) < 250:
            await asyncio.sleep(0.05)
        redis.stop()
        await asyncio.sleep(1.5)
        health["down"] = await asyncio.to_thread(server.health)
        redis.start()
        restarted = time.monotonic()
        while (await asyncio.to_thread(server.health))["status"] != "ok":
            await asyncio.sleep(0.2)
        health["up"] = await asyncio.to_thread(server.health)
        while any(t.unacked for t in talkers):
            await asyncio.sleep(0.1)
        for t in talkers:
            t.stop = True
        for task in tasks:
            task.cancel()
        for t in talkers:
            await t.catch_up()
        return restarted

    try:
        restarted = asyncio.run(asyncio.wait_for(scenario(), 100))
    finally:
        server.stop()
        redis.stop()
    assert health["down"]["status"] == "fail" and "channel_layer" in health["down"]["failed"]
    assert health["up"]["status"] == "ok"
    assert any(4500 in talker.closes for talker in talkers)  # the server closed them
    for talker in talkers:
        # Every client was back (a new ``ready``) within 10 s of the restart.
        report = (talker.name, talker.closes, [round(at - restarted, 2) for at in talker.readies])
        assert any(restarted < at < restarted + 10 for at in talker.readies), report
    assert Message.objects.filter(channel=channel).count() == 1000
    _assert_everyone_has_everything(talkers, channel)


def test_slow_client_is_dropped_after_a_bounded_buffer_and_loses_nothing(make_user, tmp_path):
    channel, cookies = _talk(make_user, 3, prefix="slow")
    server = Server(tmp_path, "slow", TALKMALL_WS_MAX_BUFFER="65536", TALKMALL_WS_SNDBUF="16384")
    path = f"/ws/channels/{channel.pk}/"
    body = "느린손님" * 490  # 1,960 characters, ~5.9 KB per frame

    async def scenario():
        from websockets.asyncio.client import connect

        raw = socket.create_connection(("127.0.0.1", server.port))
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow = await connect(server.url + path, sock=raw, origin=server.url.replace("ws:", "http:"),
                             additional_headers={"Cookie": cookies[0]}, max_queue=1,
                             ping_interval=None)  # fmt: skip
        assert json.loads(await slow.recv())["type"] == "ready"
        listener = Talker([server.url], path, cookies[1], "listener")
        sender = Talker([server.url], path, cookies[2], "sender", to_send=300)
        sender.unacked = {cid: f"{body}{n}" for n, cid in enumerate(sender.unacked)}
        tasks = [asyncio.ensure_future(t.run()) for t in (listener, sender)]
        while sender.unacked or len(listener.messages) < 300:  # the others are not held up
            await asyncio.sleep(0.05)
        # The server let the slow socket go (bounded buffer) without it reading a thing.
        deadline = time.monotonic() + 10
        while server.health()["fanout"]["sockets"] > 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        dropped = server.health()["fanout"]["sockets"] == 2
        # Now it reads what it had been sent, finds its socket closed, reconnects, resumes.
        reader = Talker([server.url], path, cookies[0], "slow")
        try:
            async for frame in slow:
                message = json.loads(frame)
                if message["type"] == "message":
                    reader.take(message["message"], live=True)
        except Exception:  # noqa: S110 - the close is what we wait for
            pass
        code = slow.close_code
        before_resume = len(reader.messages)
        await reader.catch_up()
        for t in (listener, sender):
            t.stop = True
        for task in tasks:
            task.cancel()
        return dropped, code, before_resume, reader, listener

    try:
        result = asyncio.run(asyncio.wait_for(scenario(), 90))
        dropped, code, before_resume, reader, listener = result
    finally:
        server.stop()
    assert dropped
    assert code in (4408, 1006), code  # 4408, or cut when the close handshake timed out
    assert 0 < before_resume < 300  # it got the first frames live, the rest from resume
    _assert_everyone_has_everything([reader, listener], channel)


def test_killed_server_process_clients_move_to_another_and_resume(make_user, tmp_path):
    channel, cookies = _talk(make_user, 10, prefix="kill")
    servers = [Server(tmp_path, "a"), Server(tmp_path, "b")]
    path = f"/ws/channels/{channel.pk}/"
    urls = [s.url for s in servers]
    talkers = [
        Talker(urls if n % 2 == 0 else urls[::-1], path, cookies[n], f"k{n}", to_send=20)
        for n in range(10)
    ]

    async def scenario():
        tasks = [asyncio.ensure_future(t.run()) for t in talkers]
        while sum(20 - len(t.unacked) for t in talkers) < 60:
            await asyncio.sleep(0.05)
        servers[0].stop(signal.SIGKILL)
        while any(t.unacked for t in talkers):
            await asyncio.sleep(0.1)
        for t in talkers:
            t.stop = True
        for task in tasks:
            task.cancel()
        for t in talkers:
            await t.catch_up()

    try:
        asyncio.run(asyncio.wait_for(scenario(), 90))
    finally:
        for server in servers:
            server.stop()
    assert all(t.urls[t.server % 2] == servers[1].url for t in talkers)
    assert Message.objects.filter(channel=channel).count() == 200
    _assert_everyone_has_everything(talkers, channel, processes=2)
    _assert_clean_log(servers[1])
