"""Post path benchmark: what one websocket ``send`` frame costs the server, before any fan-out.

    .venv/bin/python bench/post_path.py                        # SQLite scratch file
    .venv/bin/python bench/post_path.py --database mysql://root@127.0.0.1:3306/tm_postbench
    .venv/bin/python bench/post_path.py --profile 25           # + the 25 costliest functions

It migrates a scratch database, opens a store channel with one signed-up buyer (the store's bot
on, no FAQ entry matching: a buyer's ordinary message), and calls the consumer's database half
of a ``send`` (``chat.consumers._send``) the way the server does, through
``database_sync_to_async`` from an event loop (the in-memory channel layer, inbox counts
coalesced as under daphne). It prints the queries of one send and the process CPU time per send
(median of ``--rounds`` rounds of ``--sends``). Figures only: nothing is asserted. Never point
``--database`` at a database you care about.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realtime import make_talks, setup_django  # noqa: E402


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--database",
        default="sqlite:////tmp/talkmall-postbench.sqlite3",
        help="scratch DATABASE_URL",
    )
    p.add_argument("--sends", type=int, default=300, help="sends per round")
    p.add_argument("--rounds", type=int, default=5, help="rounds (the median is printed)")
    p.add_argument("--question", action="store_true", help="a question the FAQ answers")
    p.add_argument("--body", help="send this text (e.g. bench:0:1:123, what wsbench sends)")
    p.add_argument("--profile", type=int, default=0, help="cProfile: print the N costliest")
    return p.parse_args()


# An ordinary buyer's line (not a question: the bot only looks, as for most messages).
TEXT = "네 감사합니다 내일 찾으러 갈게요"
QUESTION = "택배 배송비 얼마예요?"


async def run_round(user, channel_id: int, sends: int, tag: str, text: str, profiler=None) -> float:
    """Process CPU seconds per send over ``sends`` sends (``profiler``: profile the database
    thread's part, where the send's work is done)."""
    from channels.db import database_sync_to_async

    from chat.consumers import _send

    def send(*args):
        if profiler is None:
            return _send(*args)
        profiler.enable()
        try:
            return _send(*args)
        finally:
            profiler.disable()

    post = database_sync_to_async(send)
    start = time.process_time()
    for n in range(sends):
        await post(user, channel_id, f"{text} {tag} {n}", f"{tag}-{n}", "")
    await asyncio.sleep(0.4)  # the coalesced inbox counts run too
    return (time.process_time() - start) / sends


async def main_async(args) -> None:
    from channels.db import database_sync_to_async
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chat.consumers import _send
    from chat.models import Membership

    (channel_id,), _cookies = await database_sync_to_async(make_talks)(1, 1)
    user = await database_sync_to_async(
        lambda: get_user_model().objects.get(
            pk=Membership.objects.filter(channel_id=channel_id).latest("pk").user_id
        )
    )()

    text = args.body or (QUESTION if args.question else TEXT)

    def one_send_queries() -> list[str]:
        _send(user, channel_id, text, "first", "")  # the store's first line sets up its FAQ
        with CaptureQueriesContext(connection) as captured:
            _send(user, channel_id, text, "second", "")
        return [q["sql"] for q in captured.captured_queries]

    queries = await database_sync_to_async(one_send_queries)()
    await asyncio.sleep(0.4)
    print(f"statements of one send (not the coalesced inbox counts): {len(queries)}")
    for sql in queries:
        print("   ", sql[:150])
    await run_round(user, channel_id, max(20, args.sends // 10), "warm", text)
    if args.profile:
        profiler = cProfile.Profile()
        await run_round(user, channel_id, args.sends, "profile", text, profiler)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
        print(out.getvalue())
    per_send = [
        await run_round(user, channel_id, args.sends, f"r{r}", text) for r in range(args.rounds)
    ]
    print(
        "CPU ms per send: median {:.2f} (rounds: {})".format(
            statistics.median(per_send) * 1000, ", ".join(f"{s * 1000:.2f}" for s in per_send)
        )
    )


def main() -> None:
    args = parse_args()
    setup_django(args)
    from django.conf import settings

    print(f"database: {settings.DATABASES['default']['ENGINE']}", file=sys.stderr)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
