"""Websockets only from our own pages: a foreign Origin is refused before routing."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator

from marketplace.asgi import application
from tests.chat.live_fixtures import session_cookie


def _headers(origin: str, cookie: str = "") -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", origin.encode()), (b"host", b"127.0.0.1")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return headers


async def _own_inbox(user) -> WebsocketCommunicator:
    """``user``'s inbox socket from our own page, connected and past its ``ready``."""
    from asgiref.sync import sync_to_async

    cookie = await sync_to_async(session_cookie)(user)
    communicator = WebsocketCommunicator(
        application, "/ws/inbox/", headers=_headers("http://127.0.0.1", cookie)
    )
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "ready"  # connect() is done
    return communicator


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/inbox/", headers=_headers("http://evil.example.com")
    )
    connected, _ = await communicator.connect()
    assert not connected


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_own_origin_without_sign_in_is_closed_4401():
    communicator = WebsocketCommunicator(
        application, "/ws/inbox/", headers=_headers("http://127.0.0.1")
    )
    connected, code = await communicator.connect()
    assert not connected and code == 4401


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_own_origin_signed_in_is_accepted(make_user):
    from asgiref.sync import sync_to_async

    user = await sync_to_async(make_user)("hana")
    communicator = await _own_inbox(user)
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_session_of_a_changed_password_is_closed_4401(make_user):
    """The session's auth hash is checked (Channels' get_user): a password change signs out."""
    from asgiref.sync import sync_to_async

    user = await sync_to_async(make_user)("hana")
    cookie = await sync_to_async(session_cookie)(user)
    user.set_password("another-pw-5678")
    await sync_to_async(user.save)()
    communicator = WebsocketCommunicator(
        application, "/ws/inbox/", headers=_headers("http://127.0.0.1", cookie)
    )
    connected, code = await communicator.connect()
    assert not connected and code == 4401


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_open_socket_keeps_only_what_it_needs(make_user):
    """After connect the scope has the user but no headers, cookies, session or route (idle
    memory, docs/performance.md)."""
    from asgiref.sync import sync_to_async

    user = await sync_to_async(make_user)("hana")
    communicator = await _own_inbox(user)
    scope = communicator.scope  # the one scope the consumer holds
    assert scope["user"].pk == user.pk
    assert not {"headers", "cookies", "session", "url_route"} & scope.keys()
    await communicator.disconnect()


def test_application_is_a_single_callable_asgi3_app():
    """Servers (daphne, uvicorn's auto-detection) take the router for an ASGI 3 application."""
    import asyncio

    from asgiref.compatibility import is_double_callable

    assert not is_double_callable(application)
    assert asyncio.iscoroutinefunction(application.__call__)


@pytest.mark.asyncio
async def test_unknown_websocket_path_is_an_error():
    communicator = WebsocketCommunicator(
        application, "/ws/nowhere/", headers=_headers("http://127.0.0.1")
    )
    with pytest.raises(ValueError, match="No route found"):
        await communicator.connect()
