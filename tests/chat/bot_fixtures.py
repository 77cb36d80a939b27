"""Helpers for the chat automation tests: a store with goods, its channels, a buyer."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from chat.bot.models import StoreBot
from chat.models import Channel
from chat.services.channels import channel_ensure_for_store
from chat.services.direct import channel_open_direct
from chat.services.messages import message_post
from tests.chat.live_fixtures import add_member
from tests.orders.conftest import ADDRESS, Shop, make_shop

__all__ = ["ADDRESS", "BotShop", "make_bot_shop", "say"]


@dataclass
class BotShop(Shop):
    buyer: object
    channel: Channel  # the store channel (buyer is a member)
    direct: Channel  # the buyer's 1:1 chat with the store


def make_bot_shop(make_user, slug: str = "bakery", **bot) -> BotShop:
    shop = make_shop(make_user, slug)
    store = shop.store
    store.return_address = "서울시 중구 반품로 1"
    store.return_policy = "수령 후 7일 안에 교환·반품할 수 있어요."
    store.business_hours = "평일 10:00–17:00"
    store.save()
    if bot:
        StoreBot.objects.create(store=store, **bot)
    buyer = make_user(f"{slug}-buyer")
    channel = channel_ensure_for_store(store=store)
    add_member(channel, buyer)
    direct = channel_open_direct(store=store, buyer=buyer)
    return BotShop(**shop.__dict__, buyer=buyer, channel=channel, direct=direct)


def say(capture, channel: Channel, author, body: str):
    """Post ``body`` and run the after-commit work (broadcast, then the bot's turn)."""
    with capture(execute=True):
        return message_post(channel=channel, author=author, body=body)


def closed_now_hours() -> dict:
    """Hours that make the store closed right now (opens in two hours, every day)."""
    from datetime import timedelta

    from chat.bot.hours import SEOUL

    now = timezone.now().astimezone(SEOUL)
    return {
        "open_days": "0123456",
        "opens_at": (now + timedelta(hours=2)).time().replace(second=0, microsecond=0),
        "closes_at": (now + timedelta(hours=3)).time().replace(second=0, microsecond=0),
    }
