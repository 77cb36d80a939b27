"""Demo data for chat automation (called by ``manage.py seed_demo``): the bakery's hours,
price-offer rules and one FAQ entry of its own. Idempotent."""

from __future__ import annotations

from datetime import time

from chat.bot.models import FaqEntry, StoreBot
from chat.bot.services.faq import faq_ensure_auto


def seed_bot_demo(*, store, created: list[str]) -> None:
    _bot, made = StoreBot.objects.get_or_create(
        store=store,
        defaults={
            "open_days": "123456",  # the bakery rests on Mondays
            "opens_at": time(8),
            "closes_at": time(20),
            "offers_enabled": True,
            "max_discount_percent": 15,
            "auto_accept_percent": 5,
            "reward_percent": 5,
        },
    )
    if made:
        created.append(f"auto-answers and price offers of {store.name}")
    faq_ensure_auto(store)
    _entry, made = FaqEntry.objects.get_or_create(
        store=store,
        question="케이크 예약은 며칠 전까지 해야 하나요?",
        defaults={
            "answer": "딸기 생크림 케이크는 3일 전까지 1:1 채팅이나 주문으로 예약해 주세요.",
            "keywords": "케이크 예약, 예약, reservation, pre-order",
        },
    )
    if made:
        created.append(f"FAQ entry of {store.name}")
