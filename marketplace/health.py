"""``GET /healthz``: a real round trip to the database and to the channel layer."""

from __future__ import annotations

import asyncio
import secrets

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse

from chat.fanout import hub_stats

LAYER_TIMEOUT_SECONDS = 2.0


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        row = cursor.fetchone()
    if not row or row[0] != 1:
        raise RuntimeError("unexpected answer to SELECT 1")


async def _check_channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel(prefix="healthz.")
    token = secrets.token_hex(8)
    await layer.send(channel, {"type": "healthz.ping", "token": token})
    message = await asyncio.wait_for(layer.receive(channel), timeout=LAYER_TIMEOUT_SECONDS)
    if message.get("token") != token:
        raise RuntimeError("the layer returned another message")


async def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict] = {}
    try:
        await sync_to_async(_check_database, thread_sensitive=True)()
        checks["database"] = {"ok": True}
    except Exception as exc:  # any failure is reported, never raised
        checks["database"] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    try:
        await asyncio.wait_for(_check_channel_layer(), timeout=LAYER_TIMEOUT_SECONDS + 1)
        checks["channel_layer"] = {"ok": True}
    except Exception as exc:
        checks["channel_layer"] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    failed = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "ok" if not failed else "fail", "failed": failed, "checks": checks}
    body["fanout"] = hub_stats()  # this process's sockets and subscribed groups
    return JsonResponse(body, status=200 if not failed else 503)
