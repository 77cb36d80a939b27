"""Helpers for the live chat tests (consumers, pane, my talks): stores with channels, members,
and websocket communicators signed in through a real session cookie."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from chat.models import Channel, Membership
from chat.services.channels import channel_ensure_for_store
from shop.models import Store, StoreStaff, Visibility


def make_store(owner, *, slug: str = "shop", name: str = "가게", closed: bool = False) -> Store:
    store = Store.objects.create(
        owner=owner,
        name=name,
        slug=slug,
        visibility=Visibility.CLOSED if closed else Visibility.OPEN,
    )
    StoreStaff.objects.create(store=store, user=owner, role=StoreStaff.Role.OWNER)
    return store


def store_channel(owner, **kwargs) -> Channel:
    return channel_ensure_for_store(store=make_store(owner, **kwargs))


def add_member(channel: Channel, user, state: str = Membership.State.ACTIVE) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        channel=channel, user=user, defaults={"state": state}
    )
    return membership


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def connect(path: str, user=None) -> tuple[WebsocketCommunicator, bool, object]:
    """A communicator on ``path`` (signed in as ``user`` if given), connected."""
    from marketplace.asgi import application

    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    if user is not None:
        cookie = await sync_to_async(session_cookie)(user)
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def connect_ready(channel_id: int, user) -> tuple[WebsocketCommunicator, dict]:
    communicator, connected, code = await connect(f"/ws/channels/{channel_id}/", user)
    assert connected, f"refused with {code}"
    ready = await communicator.receive_json_from()
    assert ready["type"] == "ready"
    return communicator, ready
