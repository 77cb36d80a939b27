"""A small world for the search/API/command tests: built with plain model calls so that it
does not depend on how the membership services evolve."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from chat.models import Channel, Membership, Message
from shop.models import Store


@dataclass
class World:
    owner: object
    member: object  # active in both channels
    outsider: object  # no membership anywhere
    pending: object
    banned: object
    left: object
    store: Store
    open_channel: Channel
    closed_channel: Channel

    def post(self, channel: Channel, body: str, author=None, **fields) -> Message:
        return Message.objects.create(
            channel=channel, author=author or self.owner, body=body, **fields
        )


def make_channel(store: Store, title: str, visibility: str, key: str) -> Channel:
    return Channel.objects.create(
        kind=Channel.Kind.STORE, store=store, title=title, visibility=visibility, key=key
    )


def make_user(username: str):
    """A user without a password hash (hashing costs ~1 s a user on this machine)."""
    return get_user_model().objects.create(username=username, email=f"{username}@example.com")


@pytest.fixture
def world(db) -> World:
    owner = make_user("owner")
    member = make_user("member")
    outsider = make_user("outsider")
    pending = make_user("pending")
    banned = make_user("banned")
    left = make_user("left")
    store = Store.objects.create(owner=owner, name="테스트상점", slug="test-store")
    other_store = Store.objects.create(owner=owner, name="비밀상점", slug="secret-store")
    open_channel = make_channel(store, "열린 톡", "open", "test:open")
    closed_channel = make_channel(other_store, "회원 톡", "closed", "test:closed")
    now = timezone.now()
    S = Membership.State
    for channel in (open_channel, closed_channel):
        Membership.objects.create(
            channel=channel, user=owner, role=Membership.Role.OWNER, state=S.ACTIVE, joined_at=now
        )
        Membership.objects.create(channel=channel, user=member, state=S.ACTIVE, joined_at=now)
    Membership.objects.create(channel=closed_channel, user=pending, state=S.PENDING)
    Membership.objects.create(channel=closed_channel, user=banned, state=S.BANNED)
    Membership.objects.create(channel=closed_channel, user=left, state=S.LEFT)
    return World(
        owner, member, outsider, pending, banned, left, store, open_channel, closed_channel
    )
