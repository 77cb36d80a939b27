"""Builders shared by the membership / invitation / moderation tests (not a test module)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from chat.models import Channel, Membership, Message
from chat.services.channels import channel_ensure_for_goods, channel_ensure_for_store
from chat.services.memberships import membership_join
from shop.models import Goods, Store, StoreStaff, Visibility


class Recorder:
    """Stands in for the channel layer: records every group_send made after commit."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    async def group_send(self, group: str, event: dict) -> None:
        self.sent.append((group, event))

    def to(self, group: str) -> list[dict]:
        return [event for g, event in self.sent if g == group]


@pytest.fixture(name="english", autouse=True)
def english_fixture(settings):
    """These tests read English sentences: pages and errors in English, whatever the .mo has."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(name="events")
def events_fixture(monkeypatch, django_capture_on_commit_callbacks):
    """``with events.commit(): service(...)`` runs the service and its on-commit sends;
    ``events.to("inbox.7")`` lists what reached a group."""
    recorder = Recorder()
    monkeypatch.setattr("chat.services.messages.get_channel_layer", lambda: recorder)
    recorder.commit = lambda: django_capture_on_commit_callbacks(execute=True)
    return recorder


@dataclass
class Shop:
    store: Store
    owner: object
    channel: Channel
    goods_channels: list[Channel] = field(default_factory=list)
    manager: object | None = None


def make_shop(
    make_user,
    slug: str,
    *,
    closed: bool = False,
    invite_needs_approval: bool = False,
    goods: int = 1,
    manager: bool = False,
) -> Shop:
    owner = make_user(f"{slug}-owner")
    store = Store.objects.create(
        owner=owner,
        name=slug.title(),
        slug=slug,
        description=f"About {slug}",
        visibility=Visibility.CLOSED if closed else Visibility.OPEN,
        invite_needs_approval=invite_needs_approval,
    )
    StoreStaff.objects.create(store=store, user=owner, role=StoreStaff.Role.OWNER)
    manager_user = None
    if manager:
        manager_user = make_user(f"{slug}-manager")
        StoreStaff.objects.create(store=store, user=manager_user, role=StoreStaff.Role.MANAGER)
    channel = channel_ensure_for_store(store=store)
    goods_channels = [
        channel_ensure_for_goods(
            goods=Goods.objects.create(store=store, name=f"{slug} item {i}", price=1000 * (i + 1))
        )
        for i in range(goods)
    ]
    return Shop(store, owner, channel, goods_channels, manager_user)


def member(shop_or_channel, user, *, state: str = Membership.State.ACTIVE) -> Membership:
    """Put ``user`` in the channel in ``state`` (active members of a closed store join its
    goods talks too, as approval does)."""
    channel = getattr(shop_or_channel, "channel", shop_or_channel)
    if state == Membership.State.ACTIVE:
        return membership_join(channel=channel, user=user, needs_approval=False, announce=False)
    if state == Membership.State.PENDING:
        return membership_join(channel=channel, user=user, needs_approval=True, announce=False)
    membership, _ = Membership.objects.update_or_create(
        channel=channel, user=user, defaults={"state": state}
    )
    return membership


def post(channel: Channel, author, body: str = "hello") -> Message:
    from chat.services.messages import message_post

    return message_post(channel=channel, author=author, body=body)


def state_of(channel: Channel, user) -> str | None:
    return (
        Membership.objects.filter(channel=channel, user=user)
        .values_list("state", flat=True)
        .first()
    )
