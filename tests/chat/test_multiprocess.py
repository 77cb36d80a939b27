"""Two server processes share one conversation through Redis: a message sent on a socket of
one daphne arrives on a socket of the other (services mode: MariaDB + Redis)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.db import connection

from chat.models import Message
from tests.chat.live_fixtures import add_member, session_cookie, store_channel
from tests.e2e.conftest import _database_url, _free_port

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _start_daphne(tmp_path: Path, name: str, **extra_env: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = dict(os.environ, **extra_env)
    env["DATABASE_URL"] = _database_url(connection.settings_dict)
    env["DB_CONN_MAX_AGE"] = "0"
    env["DEBUG"] = "1"
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "marketplace.asgi:application"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            with urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
                return proc, port
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError((tmp_path / f"{name}.log").read_text()[-2000:]) from None
            time.sleep(0.2)


@contextlib.contextmanager
def _servers(tmp_path: Path, *names: str, **extra_env: str):
    """Daphne processes on the test database and Redis, stopped on the way out: their ports."""
    servers = [_start_daphne(tmp_path, name, **extra_env) for name in names]
    try:
        yield [port for _proc, port in servers]
    finally:
        for proc, _port in servers:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


async def _talk(port_a: int, port_b: int, channel_id: int, cookie_a: str, cookie_b: str):
    from websockets.asyncio.client import connect

    def socket(port: int, cookie: str):
        return connect(
            f"ws://127.0.0.1:{port}/ws/channels/{channel_id}/",
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": cookie},
            open_timeout=10,
        )

    async with socket(port_a, cookie_a) as a, socket(port_b, cookie_b) as b:
        for ws in (a, b):
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "ready"
        await a.send(json.dumps({"type": "send", "client_id": "mp-1", "body": "다른 프로세스로"}))
        ack = json.loads(await asyncio.wait_for(a.recv(), 10))
        seen = json.loads(await asyncio.wait_for(b.recv(), 10))
        return ack, seen


def test_message_crosses_server_processes(make_user, tmp_path):
    seller = make_user("seller")
    buyer = make_user("buyer")
    channel = store_channel(seller)
    add_member(channel, buyer)
    cookie_a, cookie_b = session_cookie(buyer), session_cookie(seller)
    with _servers(tmp_path, "a", "b") as (port_a, port_b):
        ack, seen = asyncio.run(_talk(port_a, port_b, channel.pk, cookie_a, cookie_b))
    assert ack["type"] == "message" and ack["message"]["client_id"] == "mp-1"
    assert seen["type"] == "message" and seen["message"]["id"] == ack["message"]["id"]
    assert seen["message"]["body"] == "다른 프로세스로"
    assert Message.objects.filter(client_id="mp-1").count() == 1


async def _crowd(ports, channel_ids, cookies, per_socket: int):
    """Every user on every channel, sockets spread over the processes, all sending at once;
    plus one inbox socket per user. Returns what each socket got."""
    from websockets.asyncio.client import connect

    sockets = []  # (channel id, websocket)
    inboxes = []
    n = 0
    for channel_id in channel_ids:
        for cookie in cookies:
            port = ports[n % len(ports)]
            n += 1
            ws = await connect(
                f"ws://127.0.0.1:{port}/ws/channels/{channel_id}/",
                origin=f"http://127.0.0.1:{port}", additional_headers={"Cookie": cookie},
                open_timeout=10,
            )  # fmt: skip
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "ready"
            sockets.append((channel_id, ws))
    for i, cookie in enumerate(cookies):
        port = ports[(i + 1) % len(ports)]
        ws = await connect(
            f"ws://127.0.0.1:{port}/ws/inbox/", origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": cookie}, open_timeout=10,
        )  # fmt: skip
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "ready"
        inboxes.append(ws)
    expected = {channel_id: set() for channel_id in channel_ids}
    sends = [(s, k) for s in range(len(sockets)) for k in range(per_socket)]
    random.Random(9).shuffle(sends)  # each process's batches mix the channels in any order
    for s, k in sends:
        channel_id, ws = sockets[s]
        client_id = f"s{s}-{k}"
        expected[channel_id].add(client_id)
        await ws.send(json.dumps({"type": "send", "client_id": client_id, "body": f"동시에 {k}"}))

    async def drain(ws, want: int | None) -> list[dict]:
        frames, messages = [], 0
        while want is None or messages < want:
            try:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 1.5 if want is None else 20))
            except TimeoutError:
                break
            frames.append(frame)
            messages += frame.get("type") == "message"
        return frames

    got = await asyncio.gather(
        *(drain(ws, len(expected[channel_id])) for channel_id, ws in sockets)
    )
    inbox_frames = await asyncio.gather(*(drain(ws, None) for ws in inboxes))
    for ws in [ws for _c, ws in sockets] + inboxes:
        await ws.close()
    received = [(c, frames) for (c, _ws), frames in zip(sockets, got, strict=True)]
    return expected, received, inbox_frames


def test_many_channels_on_two_processes_lose_nothing_and_ring_every_inbox(make_user, tmp_path):
    """Sends in several channels at once on two processes: each process's writer batches
    sends of several channels, both lock the same channel rows (in id order: MariaDB
    deadlocked batches taken in opposite orders), and every socket still gets every message
    of its channel once, with no error; every member's inbox hears of every channel."""
    from chat.models import Membership
    from chat.selectors import unread_count

    seller = make_user("seller")
    users = [make_user(f"buyer{n}") for n in range(5)]
    channels = [store_channel(seller, slug=f"crowd-{n}") for n in range(4)]
    for channel in channels:
        for user in users:
            add_member(channel, user)
    cookies = [session_cookie(user) for user in users]
    # Each user sends 100 messages in a moment: the per-user rate limit is not under test.
    with _servers(tmp_path, "a", "b", TALKMALL_CHAT_RATE_LIMIT="0") as ports:
        expected, got, inboxes = asyncio.run(_crowd(ports, [c.pk for c in channels], cookies, 25))
    for channel_id, frames in got:
        assert [f for f in frames if f["type"] == "error"] == []
        ids = [f["message"]["client_id"] for f in frames if f["type"] == "message"]
        assert sorted(ids) == sorted(expected[channel_id])  # each once
    for channel in channels:
        rows = Message.objects.filter(channel=channel, author__in=users)
        assert sorted(rows.values_list("client_id", flat=True)) == sorted(expected[channel.pk])
    for user, frames in zip(users, inboxes, strict=True):
        last = {f["channel"]: f["count"] for f in frames if f["type"] == "unread"}
        for channel in channels:  # the latest count each inbox got is the database's
            membership = Membership.objects.get(channel=channel, user=user)
            assert last[channel.pk] == min(unread_count(membership), 100)  # the inbox cap
    for name in ("a", "b"):
        assert "Traceback" not in (tmp_path / f"{name}.log").read_text()
