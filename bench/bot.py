"""What the FAQ bot costs per buyer message.

    DATABASE_URL=sqlite:////tmp/bench-bot.sqlite3 .venv/bin/python bench/bot.py [--messages 300]

On a scratch database (migrated here; it refuses to run without DATABASE_URL): one store with
its five settings-filled FAQ entries plus 25 of its own, and a buyer in the store talk. Prints
(1) matching alone (normalize + score every entry) per message, (2) a buyer's message through
``message_post`` with the bot off, then on (half the messages match an entry and get an
answer), in ms and database queries per message, and the ratio. A figure-printing benchmark,
never a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
if not os.environ.get("DATABASE_URL"):
    sys.exit("Set DATABASE_URL to a scratch database, e.g. sqlite:////tmp/bench-bot.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

QUESTIONS = [
    "배송비 얼마예요?",
    "배송 비용은?",
    "How much is shipping?",
    "언제 도착해요?",
    "교환 가능한가요",
    "사이즈 3번 어떻게 골라요?",
    "안녕하세요 오늘도 좋은 하루 보내세요",
    "이 색상 너무 마음에 들어요",
    "thanks, got it",
    "배송 잘 받았어요 감사합니다",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300)
    n = parser.parse_args().messages
    call_command("migrate", verbosity=0)
    from chat.bot.matching import best_match, prepare
    from chat.bot.models import BotChannel
    from chat.bot.services.faq import entry_answer, faq_entries, faq_save
    from chat.models import Membership, Message
    from chat.services.channels import channel_ensure_for_store
    from chat.services.messages import message_post
    from marketplace.accounts.models import User
    from shop.models import Store, StoreStaff

    stamp = str(time.time_ns())[-8:]
    owner = User.objects.create_user(username=f"bo{stamp}", password="x")
    buyer = User.objects.create_user(username=f"bb{stamp}", password="x")
    store = Store.objects.create(owner=owner, name="bench", slug=f"bench-{stamp}")
    StoreStaff.objects.create(store=store, user=owner, role=StoreStaff.Role.OWNER)
    channel = channel_ensure_for_store(store=store)
    Membership.objects.create(channel=channel, user=buyer, state=Membership.State.ACTIVE)
    faq_save(store=store, question="사이즈?", answer="S/M/L", keywords="사이즈, 치수, size")
    for i in range(24):
        faq_save(store=store, question=f"질문 {i}", answer="답", keywords=f"키워드{i}, topic{i}")

    entries = faq_entries(store)
    candidates = [(e, e.keyword_list) for e in entries if entry_answer(e, store)]
    start = time.perf_counter()
    for i in range(n * 10):
        best_match(candidates, prepare(QUESTIONS[i % len(QUESTIONS)]))
    match_ms = (time.perf_counter() - start) * 1000 / (n * 10)
    print(f"matching only ({len(candidates)} entries): {match_ms:.3f} ms per message")

    def run(enabled: bool) -> tuple[float, float, int]:
        BotChannel.objects.update_or_create(channel=channel, defaults={"enabled": enabled})
        before = Message.objects.filter(channel=channel, kind="bot").count()
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            for i in range(n):
                message_post(channel=channel, author=buyer, body=QUESTIONS[i % len(QUESTIONS)])
            ms = (time.perf_counter() - start) * 1000 / n
        answers = Message.objects.filter(channel=channel, kind="bot").count() - before
        return ms, count[0] / n, answers

    off_ms, off_q, _ = run(False)
    on_ms, on_q, answers = run(True)
    print(f"message_post, bot off: {off_ms:.2f} ms, {off_q:.1f} queries per message")
    print(
        f"message_post, bot on:  {on_ms:.2f} ms, {on_q:.1f} queries per message "
        f"({answers} answers to {n} messages)"
    )
    print(f"bot on / off: {on_ms / off_ms:.2f}x time, {on_q / off_q:.2f}x queries")


if __name__ == "__main__":
    main()
