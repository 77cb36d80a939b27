"""Two server processes share one conversation through Redis: a message sent on a socket of
one daphne arrives on a socket of the other (services mode: MariaDB + Redis)."""

from __future__ import annotations

import asyncio
import json
import os
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


def _start_daphne(tmp_path: Path, name: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = dict(os.environ)
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
    servers = [_start_daphne(tmp_path, "a"), _start_daphne(tmp_path, "b")]
    try:
        ack, seen = asyncio.run(_talk(servers[0][1], servers[1][1], channel.pk, cookie_a, cookie_b))
    finally:
        for proc, _port in servers:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert ack["type"] == "message" and ack["message"]["client_id"] == "mp-1"
    assert seen["type"] == "message" and seen["message"]["id"] == ack["message"]["id"]
    assert seen["message"]["body"] == "다른 프로세스로"
    assert Message.objects.filter(client_id="mp-1").count() == 1
