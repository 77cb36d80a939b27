"""Websocket consumers: thin. Authenticate in connect, dispatch on type, call services.

The protocol is documented in docs/websocket.md (frames, error codes, close codes).
"""

from __future__ import annotations

import json
import logging
import time

from channels.db import database_sync_to_async
from django.db import DatabaseError

from chat.access import access_channel_read, access_socket
from chat.exceptions import Banned, ChannelNotFound, ChatError, NotMember
from chat.fanout import CLOSE_TRY_LATER, FanoutConsumer, LayerDown, encode
from chat.groups import INBOXES, channel_group, inbox_group
from chat.models import Membership
from chat.selectors import history_rows, last_message_id, previous_message_id, unread_count
from chat.serializers import message_to_dict
from chat.services.messages import clean_body, message_post, message_rate_allow
from chat.services.reads import read_mark
from chat.writer import writer

log = logging.getLogger("talkmall.chat")

CLOSE_NOT_SIGNED_IN = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404

MAX_CLIENT_ID = 64
MAX_TOPIC = 100
TYPING_EVERY = 2.0  # seconds: a socket's typing frames are relayed at most this often


class InboxConsumer(FanoutConsumer):
    """``/ws/inbox/``: per-user events (unread counts, order and membership changes)."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        await self.accept()
        try:
            await self.subscribe(inbox_group(user.pk))
            await self.subscribe(INBOXES)
        except LayerDown:
            await self.close(code=CLOSE_TRY_LATER)
            return
        await self.send_json({"type": "ready", "user": user.pk})

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        await self.send_json(
            {"type": "error", "code": "bad_request", "detail": "The inbox socket only sends."}
        )

    @classmethod
    def frame_for(cls, event: dict) -> str | None:
        """``inbox.event`` carries a prepared frame (``event["frame"]``)."""
        if event.get("type") == "inbox.event":
            return encode(event["frame"])
        return None

    @classmethod
    def hub_event(cls, hub, event: dict) -> bool:
        """``inbox.unread`` (on ``INBOXES``): a channel's unread counts for all its members,
        once per process; each member with an inbox socket here gets an ``unread`` frame."""
        if event.get("type") != "inbox.unread":
            return False
        for user_id, count in event["counts"]:
            feed = hub.feeds.get(inbox_group(user_id))
            if feed is not None:
                frame = {
                    "type": "unread",
                    "channel": event["channel"],
                    "count": count,
                    "last_message": event["last_message"],
                }
                feed.deliver({"type": "inbox.event", "frame": frame})
        return True


class Refused(Exception):
    """Access was lost: send ``error`` then close the socket with ``close_code``."""

    def __init__(self, error: ChatError, close_code: int) -> None:
        super().__init__(error.detail)
        self.error = error
        self.close_code = close_code


def _close_code(exc: ChatError) -> int:
    return CLOSE_NOT_FOUND if isinstance(exc, ChannelNotFound) else CLOSE_FORBIDDEN


def _int(value: object, name: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ChatError(f"{name} must be a message id.")
    try:
        number = int(value)
    except ValueError:
        raise ChatError(f"{name} must be a message id.") from None
    if number < minimum:
        raise ChatError(f"{name} must be at least {minimum}.")
    return number


def _topic(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_TOPIC:
        raise ChatError(f"topic must be text of at most {MAX_TOPIC} characters.")
    return value.strip()


# --- the synchronous halves (one database round per client frame) ------------------------


def _open(user, channel_id: int) -> dict:
    channel, membership = access_channel_read(user, channel_id)
    active = membership is not None and membership.is_active
    return {
        "channel": channel.pk,
        "member": active,
        "archived": channel.is_archived,
        "last_message_id": last_message_id(channel),
        "unread": unread_count(membership) if active else 0,
        "last_read": membership.last_read_message_id if active else 0,
    }


def _readable(user, channel_id: int, check=access_socket):
    """Re-check read access on every frame (one plain query, ``access_socket``): losing it
    closes the socket."""
    try:
        return check(user, channel_id)
    except (ChannelNotFound, NotMember, Banned) as exc:
        raise Refused(exc, _close_code(exc)) from None


def _send(user, channel_id: int, body: str, client_id: str, topic: str) -> dict:
    channel, state = _readable(user, channel_id)  # one access check, not two
    if state != Membership.State.ACTIVE:
        raise NotMember()
    message = message_post(
        channel=channel,
        author=user,
        body=body,
        client_id=client_id,
        topic=topic,
        member_checked=True,
    )
    if not message.is_replay:
        return {"message": None, "replay": False}  # its broadcast answers the sender too
    # Answered to the sender alone, with ``prev`` like a live frame: a client whose own
    # message's broadcast never came still notices what it missed before it.
    data = message_to_dict(message)
    data["prev"] = previous_message_id(channel_id, message.pk)
    return {"message": data, "replay": True}


def _send_channel(user, channel_id: int, *rest) -> int:
    """The channel whose row a ``_send`` locks: the writer's batch order."""
    return channel_id


def _history(user, channel_id: int, before, after, limit, topic) -> dict:
    _readable(user, channel_id)
    page = history_rows(channel_id, before=before, after=after, limit=limit, topic=topic or None)
    return {"messages": page.messages, "has_more": page.has_more}


def _read(user, channel_id: int, up_to: int) -> int:
    _channel, membership = _readable(user, channel_id, access_channel_read)
    if membership is None or not membership.is_active:
        raise NotMember()
    return read_mark(membership=membership, up_to=up_to)


def _typing_allowed(user, channel_id: int) -> bool:
    return Membership.objects.filter(
        channel_id=channel_id, user=user, state=Membership.State.ACTIVE
    ).exists()


# Channel-layer events whose frame is the same for every socket: encoded once per process.
_SHARED_FRAMES = {
    "chat.message": lambda e: {"type": "message", "message": e["message"]},
    "chat.message_updated": lambda e: {"type": "message_updated", "message": e["message"]},
    "chat.read": lambda e: {"type": "read", "user": e["user"], "up_to": e["up_to"]},
    "chat.pins": lambda e: {**e, "type": "pins"},
    "chat.pin": lambda e: {**e, "type": "pins"},
    "chat.channel": lambda e: {**e, "type": "channel"},
    "chat.typing": lambda e: {"type": "typing", "user": e["user"]},
}


class ChannelConsumer(FanoutConsumer):
    """``/ws/channels/<id>/``: one channel's live talk. Readers of an open channel may
    listen; only active members may send, mark read and type. Group events reach it through
    the process's fan-out (chat/fanout.py), not through a layer channel of its own."""

    __slots__ = ("user", "channel_id", "group", "last_typing")

    async def connect(self) -> None:
        self.group = None
        self.user = self.scope.get("user")
        if self.user is None or not self.user.is_authenticated:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        try:
            self.channel_id = int(self.scope["url_route"]["kwargs"]["channel_id"])
            state = await database_sync_to_async(_open)(self.user, self.channel_id)
        except (ChannelNotFound, ValueError):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        except (NotMember, Banned):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.last_typing = 0.0
        await self.accept()
        self.group = channel_group(self.channel_id)
        try:
            feed = await self.subscribe(
                self.group, member=self.user.pk if state["member"] else None
            )
        except LayerDown:
            self.group = None
            await self.close(code=CLOSE_TRY_LATER)
            return
        await self.send_json(
            {
                "type": "ready",
                "channel": state["channel"],
                "last_message_id": state["last_message_id"],
                "unread": state["unread"],
                "last_read": state["last_read"],
                "member": state["member"],
                "archived": state["archived"],
                "members_online": feed.online,
            }
        )

    # --- client → server ---------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        """Bad input never closes the socket: it gets an ``error bad_request`` frame."""
        try:
            content = json.loads(text_data) if text_data else None
        except ValueError:
            content = None
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.error("bad_request", "Send a JSON object with a type.")
            return
        await self.receive_json(content)

    async def receive_json(self, content: dict, **kwargs) -> None:
        handler = {
            "send": self.on_send,
            "history": self.on_history,
            "resume": self.on_resume,
            "read": self.on_read,
            "typing": self.on_typing,
            "presence": self.on_presence,
        }.get(content["type"])
        if handler is None:
            await self.error("bad_request", f"Unknown frame type {content['type'][:40]!r}.")
            return
        client_id = content.get("client_id") if content["type"] == "send" else None
        if not isinstance(client_id, str | int) or isinstance(client_id, bool):
            client_id = None
        try:
            await handler(content)
        except Refused as refused:
            await self.error(refused.error.code, refused.error.detail, client_id)
            await self.leave(refused.close_code)
        except ChatError as exc:
            await self.error(exc.code, exc.detail, client_id)
        except DatabaseError:
            # Nothing was written (the transaction rolled back): the client keeps the text.
            log.exception("%s frame failed in the database", content["type"])
            await self.error("unavailable", "Not saved: try again in a moment.", client_id)

    async def on_send(self, content: dict) -> None:
        client_id = content.get("client_id")
        if isinstance(client_id, int) and not isinstance(client_id, bool):
            client_id = str(client_id)
        if not isinstance(client_id, str) or not 0 < len(client_id) <= MAX_CLIENT_ID:
            raise ChatError(f"client_id must be text of 1 to {MAX_CLIENT_ID} characters.")
        body = clean_body(content.get("body"))
        topic = _topic(content.get("topic"))
        if not message_rate_allow(user_id=self.user.pk):
            raise ChatError("Too many messages: wait a few seconds.", code="rate_limited")
        result = await writer(_send, (ChatError, Refused), key=_send_channel).submit(
            self.user, self.channel_id, body, client_id, topic
        )
        if result["replay"]:
            # Nothing is broadcast for a retried client_id: answer the sender directly.
            await self.send_json({"type": "message", "message": result["message"], "replay": True})

    async def on_history(self, content: dict) -> None:
        before = content.get("before")
        before = None if before is None else _int(before, "before", minimum=1)
        limit = _int(content.get("limit", 50), "limit", minimum=1)
        if limit > 100:
            raise ChatError("limit must be at most 100.")
        topic = _topic(content.get("topic"))
        page = await database_sync_to_async(_history)(
            self.user, self.channel_id, before, None, limit, topic
        )
        await self.send_json({"type": "history", "before": before, **page})

    async def on_resume(self, content: dict) -> None:
        after = _int(content.get("after"), "after")
        topic = _topic(content.get("topic"))
        page = await database_sync_to_async(_history)(
            self.user, self.channel_id, None, after, 100, topic
        )
        await self.send_json({"type": "history", "after": after, **page})

    async def on_read(self, content: dict) -> None:
        up_to = _int(content.get("up_to"), "up_to")
        pointer = await database_sync_to_async(_read)(self.user, self.channel_id, up_to)
        await self.send_json({"type": "read", "user": self.user.pk, "up_to": pointer})

    async def on_typing(self, content: dict) -> None:
        now = time.monotonic()
        if now - self.last_typing < TYPING_EVERY:
            return
        self.last_typing = now
        if not await database_sync_to_async(_typing_allowed)(self.user, self.channel_id):
            raise NotMember()
        await self.channel_layer.group_send(
            self.group,
            {"type": "chat.typing", "user": {"id": self.user.pk, "name": self.user.name}},
        )

    async def on_presence(self, content: dict) -> None:
        """Answer with the number of members online, then send changes as they happen."""
        feed = self.feeds.get(self.group) if self.group else None
        if feed is not None:
            feed.watch(self)

    # --- channel-layer events → client (called by the fan-out, no database) -------------

    @classmethod
    def frame_for(cls, event: dict) -> str | None:
        shape = _SHARED_FRAMES.get(event.get("type"))
        return encode(shape(event)) if shape is not None else None

    @classmethod
    def per_socket(cls, event: dict) -> bool:
        kind = event.get("type")
        return kind in ("chat.typing", "chat.kick") or (
            kind == "chat.channel" and bool(event.get("deleted"))
        )

    def on_group_event(self, event: dict, frame: str | None) -> None:
        kind = event.get("type")
        if kind == "chat.typing":
            # Not echoed to the typist's own sockets.
            if event["user"]["id"] != self.user.pk:
                self.push(frame)
        elif kind == "chat.kick":
            # A member was removed or banned (``user``), or the channel deleted (no
            # ``user``): their sockets leave the fan-out at once and close.
            user = event.get("user")
            if user is None:
                self.drop(CLOSE_NOT_FOUND)
            elif user == self.user.pk:
                self.drop(CLOSE_FORBIDDEN)
        elif kind == "chat.channel":  # deleted
            self.push(frame)
            self.drop(CLOSE_NOT_FOUND)
        else:
            super().on_group_event(event, frame)

    # --- helpers -------------------------------------------------------------------------

    async def error(self, code: str, detail: str, client_id=None) -> None:
        frame = {"type": "error", "code": code, "detail": str(detail)}
        if client_id is not None:
            frame["client_id"] = str(client_id)
        await self.send_json(frame)

    async def leave(self, code: int) -> None:
        self.group = None
        self.drop(code)
