"""Websocket consumers: thin. Authenticate in connect, dispatch on type, call services."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from chat.groups import inbox_group

CLOSE_NOT_SIGNED_IN = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


class InboxConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/inbox/``: per-user events (unread counts, order and membership changes)."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        self.group = inbox_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "ready", "user": user.pk})

    async def disconnect(self, code: int) -> None:
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        await self.send_json(
            {"type": "error", "code": "bad_request", "detail": "The inbox socket only sends."}
        )

    async def inbox_event(self, event: dict) -> None:
        """Forward a prepared inbox frame (``event["frame"]``) to the browser."""
        await self.send_json(event["frame"])
