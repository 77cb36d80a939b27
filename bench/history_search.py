"""Chat database benchmark: history pages, search and unread counts on a 1,000,000-message channel.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/history_search.py
    DATABASE_URL=mysql://root@127.0.0.1:3306/talkmall_bench .venv/bin/python bench/history_search.py

Options: --messages N (default 1,000,000), --repeat R (timed runs per figure, median reported),
--skip-full (skip the "every result" search pass). The script migrates the database, then
generates (once; a second run reuses the data) a store channel with N realistic Korean/English
chat lines plus their search postings, bulk inserted in batches with progress on stderr, and a
reader who belongs to 200 channels with unread messages. Then it measures, against a bare
reference in the same process:

- history page (50 messages) at the newest and at the oldest end: ``chat.selectors.history_rows``
  (the wire path: websocket ``history`` frames and the JSON API, ready-to-send dicts) vs the raw
  SQL keyset query returning the same columns (same rows, same author join); plus
  ``history_page`` (model instances, the server-rendered pane) for comparison;
- search for 2-syllable Korean words and an English word: ``chat.search.search`` (page 1, and
  every result) vs ``body LIKE '%word%'`` (page 1, and every result), with recall vs LIKE;
- unread summary for the reader's 200 channels (``chat.selectors.unread_counts``: one query,
  channel ``last_seq`` − membership ``last_read_seq``) vs a single ``COUNT(*)`` of one
  channel's unread messages (the big channel's 500); the two earlier implementations (range
  counts, correlated count) are timed alongside and must give the same counts.

It prints figures (markdown tables), never asserts. Never point it at a database you care about:
it refuses to run without DATABASE_URL.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

if not os.environ.get("DATABASE_URL"):
    sys.exit(
        "Set DATABASE_URL to a scratch database, e.g. "
        "DATABASE_URL=sqlite:////tmp/bench.sqlite3 (the benchmark writes a million rows)."
    )

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value  # noqa: E402
from django.db.models.functions import Coalesce  # noqa: E402

from chat.models import Channel, Membership, Message, take_seqs  # noqa: E402
from chat.search import search  # noqa: E402
from chat.search.index import INSERT as POSTING_INSERT  # noqa: E402
from chat.search.tokens import index_tokens  # noqa: E402
from chat.selectors import history_page, history_rows, unread_counts  # noqa: E402
from chat.serializers import message_to_dict  # noqa: E402
from shop.models import Store  # noqa: E402

settings.DEBUG = False  # no query log: both sides of every comparison run bare

KO = [
    "안녕하세요 문의드립니다",
    "오늘 주문하면 언제 배송되나요?",
    "배송비는 얼마예요",
    "무료배송 기준이 3만원 이상인가요?",
    "택배 배송 조회가 안 돼요",
    "배송 출발했습니다. 송장번호 보내드릴게요",
    "환불 요청드립니다",
    "환불은 카드 취소로 진행됩니다",
    "교환 가능한가요? 사이즈가 작아요",
    "반품 접수했어요",
    "할인쿠폰 적용이 안 돼요",
    "이번 주말 할인 행사 있나요?",
    "재입고 알림 부탁드려요",
    "품절인가요?",
    "네 확인했습니다",
    "감사합니다! 잘 받았어요",
    "포장이 정말 꼼꼼하네요",
    "입금 완료했어요",
    "현금영수증 발행 부탁드립니다",
    "색상 추가 예정 있나요?",
    "소금빵 오늘도 나오나요",
    "케이크 예약은 며칠 전까지 해야 하나요?",
    "픽업 시간 변경 가능할까요",
    "매장 영업시간이 어떻게 되나요",
    "사진이랑 색이 조금 달라요",
    "후기 이벤트 참여했어요",
    "적립금은 언제 들어오나요",
    "주문 취소하고 싶어요",
    "선물 포장 되나요?",
    "좋은 하루 보내세요 😊",
]
EN = [
    "Hi, is this still available?",
    "When will my order ship?",
    "Can I get a refund for the blue one?",
    "Refund received, thanks!",
    "Is there a discount code this week?",
    "Thanks, it arrived today",
    "Do you ship overseas?",
    "What size should I get?",
    "Great quality, will order again",
    "Could you check my order please",
]
# Rare lines (3 in 10,000): where an index pays, because LIKE must scan far for a page.
RARE = ["보증서를 잃어버렸는데 수리 되나요?", "Is the warranty transferable?"]
NUMBERS = ["주문번호 {n}", "order #{n}", "{p:,}원 입금했어요", "총 {p:,}원이에요"]


def chat_line(rng: random.Random) -> str:
    if rng.random() < 0.0003:
        return rng.choice(RARE)
    line = rng.choice(EN) if rng.random() < 0.15 else rng.choice(KO)
    if rng.random() < 0.2:
        extra = rng.choice(NUMBERS).format(
            n=rng.randint(1000000, 9999999), p=rng.randint(1, 300) * 1000
        )
        line = f"{line} {extra}"
    return line


# --- data --------------------------------------------------------------------------------


def prepare_connection() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")  # 1 GB page cache for the load


def scaffolding():
    User = get_user_model()
    seller, _ = User.objects.get_or_create(
        username="bench_seller", defaults={"display_name": "벤치 판매자"}
    )
    reader, _ = User.objects.get_or_create(
        username="bench_reader", defaults={"display_name": "벤치 독자"}
    )
    store, _ = Store.objects.get_or_create(
        slug="bench-store", defaults={"name": "벤치상점", "owner": seller}
    )
    channel, _ = Channel.objects.get_or_create(
        key="bench:history",
        defaults={
            "kind": Channel.Kind.STORE,
            "store": store,
            "title": "벤치 톡",
            "visibility": "open",
        },
    )
    for user in (seller, reader):
        Membership.objects.get_or_create(channel=channel, user=user, defaults={"state": "active"})
    return seller, reader, store, channel


def bulk_messages(
    channel_id: int,
    author_id: int,
    count: int,
    *,
    start_at: datetime,
    span: timedelta,
    rng: random.Random,
    batch: int = 20000,
    label: str = "messages",
) -> float:
    """Insert ``count`` messages (explicit ids) and their postings; returns seconds taken."""
    adapt = connection.ops.adapt_datetimefield_value
    msg_sql = (
        "INSERT INTO chat_message (id, channel_id, author_id, kind, body, data, client_id, topic,"
        " created_at, edited_at, deleted_at, seq)"
        " VALUES (%s, %s, %s, 'text', %s, '{}', NULL, '', %s, NULL, NULL, %s)"
    )
    cache: dict[str, list[str]] = {}
    started = time.perf_counter()
    next_id = (Message.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    done = 0
    step = span / max(count, 1)
    while done < count:
        n = min(batch, count - done)
        messages, postings = [], []
        for i in range(n):
            body = chat_line(rng)
            tokens = cache.get(body)
            if tokens is None:
                tokens = sorted(index_tokens(body))
                if len(cache) < 200000:
                    cache[body] = tokens
            mid = next_id + done + i
            at = start_at + step * (done + i)
            messages.append((mid, channel_id, author_id, body, adapt(at)))
            postings.extend((t, mid, channel_id) for t in tokens)
        with transaction.atomic(), connection.cursor() as cursor:
            # Number the batch as Message.objects.bulk_create would (chat.models.take_seqs).
            first_seq = take_seqs(channel_id, n) - n + 1
            messages = [row[:5] + (first_seq + i,) for i, row in enumerate(messages)]
            cursor.executemany(msg_sql, messages)
            cursor.executemany(POSTING_INSERT, postings)
        done += n
        elapsed = time.perf_counter() - started
        print(
            f"  {label}: {done:,}/{count:,} ({done * 100 // count}%), {done / elapsed:,.0f}/s",
            file=sys.stderr,
            flush=True,
        )
    Channel.objects.filter(pk=channel_id).update(last_message_at=start_at + span)
    return time.perf_counter() - started


def read_pointer(message_id: int) -> dict:
    """A read pointer at one message: its id and its seq, as chat.services.reads sets them."""
    seq = Message.objects.filter(pk=message_id).values_list("seq", flat=True).get()
    return {"last_read_message_id": message_id, "last_read_seq": seq}


def generate(total: int, rng: random.Random) -> dict:
    seller, reader, store, channel = scaffolding()
    have = Message.objects.filter(channel=channel).count()
    info = {"generated": False, "seconds": 0.0, "unread_seconds": 0.0}
    now = datetime.now(UTC)
    if have < total:
        print(f"Generating {total - have:,} messages in channel {channel.pk} …", file=sys.stderr)
        info["seconds"] = bulk_messages(
            channel.pk,
            seller.pk,
            total - have,
            start_at=now - timedelta(days=730),
            span=timedelta(days=729),
            rng=rng,
        )
        info["generated"] = True
    # The reader's 200 channels: the big one plus 199 smaller talks with some unread each.
    small = list(Channel.objects.filter(key__startswith="bench:unread:").order_by("pk"))
    if len(small) < 199:
        t0 = time.perf_counter()
        for i in range(len(small), 199):
            ch = Channel.objects.create(
                key=f"bench:unread:{i}",
                kind=Channel.Kind.STORE,
                store=store,
                title=f"벤치 톡 {i}",
                visibility="open",
            )
            bulk_messages(
                ch.pk,
                seller.pk,
                150,
                start_at=now - timedelta(days=30),
                span=timedelta(days=29),
                rng=rng,
                label=f"channel {i + 1}/199",
            )
            small.append(ch)
        info["unread_seconds"] = time.perf_counter() - t0
    for ch in small:
        last = (
            Message.objects.filter(channel=ch).order_by("-id").values_list("id", flat=True).first()
        )
        unread = rng.randint(0, 140)
        Membership.objects.update_or_create(
            channel=ch,
            user=reader,
            defaults={"state": "active", **read_pointer(last - unread)},
        )
    last = (
        Message.objects.filter(channel=channel).order_by("-id").values_list("id", flat=True).first()
    )
    Membership.objects.filter(channel=channel, user=reader).update(**read_pointer(last - 500))
    info.update(
        reader=reader, channel=channel, total=Message.objects.filter(channel=channel).count()
    )
    return info


# --- measuring ---------------------------------------------------------------------------


def median_ms(fn, repeat: int) -> float:
    fn()  # warm caches and connection
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def paired_ms(fns: list, repeat: int) -> list[float]:
    """Medians of several functions timed in turns (a, b, c, a, b, c, …), so that a burst of
    load from other processes on the machine falls on every side of a ratio alike."""
    for fn in fns:
        fn()
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            fn()
            samples[i].append(time.perf_counter() - t)
    return [statistics.median(s) * 1000 for s in samples]


def raw(sql: str, params: list):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


HISTORY_SQL = (
    "SELECT m.id, m.channel_id, m.author_id, u.display_name, u.username, m.kind, m.body,"
    " m.data, m.client_id, m.topic, m.created_at, m.deleted_at"
    " FROM chat_message m LEFT JOIN accounts_user u ON u.id = m.author_id"
    " WHERE m.channel_id = %s{extra} ORDER BY m.id DESC LIMIT %s"
)


def measure_history(channel: Channel, repeat: int) -> list[tuple]:
    cid = channel.pk
    oldest_ids = list(
        Message.objects.filter(channel_id=cid).order_by("id").values_list("id", flat=True)[:51]
    )
    before = oldest_ids[50]
    newest_app, newest_raw, oldest_app, oldest_raw, models = paired_ms(
        [
            lambda: history_rows(cid, limit=50),
            lambda: raw(HISTORY_SQL.format(extra=""), [cid, 51]),
            lambda: history_rows(cid, before=before, limit=50),
            lambda: raw(HISTORY_SQL.format(extra=" AND m.id < %s"), [cid, before, 51]),
            lambda: [message_to_dict(m) for m in history_page(cid, limit=50).messages],
        ],
        repeat,
    )
    page = history_rows(cid, before=before, limit=50)
    assert [m["id"] for m in page.messages] == oldest_ids[:50]
    assert page.messages == [
        message_to_dict(m) for m in history_page(cid, before=before, limit=50).messages
    ]
    return [
        ("History page, newest 50", newest_app, newest_raw, "≤ 3× raw"),
        ("History page, oldest 50", oldest_app, oldest_raw, "≤ 3× raw"),
        ("Oldest page vs newest page", oldest_app, newest_app, "≤ 1.5×"),
        ("(History page as model instances, newest 50)", models, newest_raw, "–"),
    ]


def like_ids(cid: int, word: str, limit: int | None) -> list[int]:
    sql = (
        "SELECT id FROM chat_message WHERE channel_id = %s AND deleted_at IS NULL"
        " AND body LIKE %s ORDER BY id DESC"
    )
    params: list = [cid, f"%{word}%"]
    if limit:
        sql += " LIMIT %s"
        params.append(limit)
    return [row[0] for row in raw(sql, params)]


LIKE_PAGE_SQL = (
    "SELECT m.id, m.channel_id, m.author_id, m.kind, m.body, m.data, m.client_id, m.topic,"
    " m.created_at, m.edited_at, m.deleted_at, u.id, u.username, u.display_name,"
    " c.id, c.title, c.kind"
    " FROM chat_message m LEFT JOIN accounts_user u ON u.id = m.author_id"
    " JOIN chat_channel c ON c.id = m.channel_id"
    " WHERE m.channel_id = %s AND m.deleted_at IS NULL AND m.body LIKE %s"
    " ORDER BY m.id DESC LIMIT %s"
)


def like_page(cid: int, word: str, limit: int) -> list[tuple]:
    """The LIKE scan that yields what a search page shows: the hit rows with their author and
    channel (search's HIT_FIELDS), newest first (one-word ranking)."""
    return raw(LIKE_PAGE_SQL, [cid, f"%{word}%", limit])


def search_all_ids(reader, cid: int, word: str) -> list[int]:
    ids, cursor = [], None
    while True:
        page = search(reader, word, channel=cid, limit=100, cursor=cursor)
        ids += [hit.message.pk for hit in page.hits]
        cursor = page.next_cursor
        if not cursor:
            return ids


def measure_search(
    reader, channel: Channel, words: list[str], repeat: int, full: bool
) -> list[dict]:
    cid = channel.pk
    rows = []
    for word in words:
        app, like = paired_ms(
            [
                lambda w=word: search(reader, w, channel=cid, limit=20),
                lambda w=word: like_page(cid, w, 21),
            ],
            max(5, repeat // 2),
        )
        page_ids = [h.message.pk for h in search(reader, word, channel=cid, limit=20).hits]
        row = {
            "word": word,
            "page_app": app,
            "page_like": like,
            "page_same": page_ids == like_ids(cid, word, 20),
        }
        if full:
            t = time.perf_counter()
            everything = like_ids(cid, word, None)
            row["all_like"] = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            ours = search_all_ids(reader, cid, word)
            row["all_app"] = (time.perf_counter() - t) * 1000
            row["matches"] = len(everything)
            row["recall"] = (
                len(set(ours) & set(everything)) / len(everything) if everything else 1.0
            )
            row["extra"] = len(set(ours) - set(everything))
        rows.append(row)
    for word in ("배송", "보증"):
        ms = median_ms(lambda w=word: search(reader, w, limit=20), repeat)
        print(
            f"  search {word!r} in all the reader's channels, page 1: {ms:.2f} ms", file=sys.stderr
        )
        rows.append({"word": f"{word} (all 200 channels)", "page_app": ms})
    return rows


def unread_correlated(reader) -> dict[int, int]:
    """The summary as it was before (one query, a correlated COUNT per membership), timed
    alongside for the before/after comparison in one run."""
    count = (
        Message.objects.filter(
            channel_id=OuterRef("channel_id"), id__gt=OuterRef("last_read_message_id")
        )
        .order_by()
        .values("channel_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = Membership.objects.filter(
        user=reader, state=Membership.State.ACTIVE, channel__deleted_at__isnull=True
    ).annotate(unread=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)))
    return dict(rows.values_list("channel_id", "unread"))


def unread_ranges(reader) -> dict[int, int]:
    """The summary as it was before the seq counters: the read pointers, then one statement
    of ``UNION ALL``-ed range counts ``channel_id = c AND id > p`` (every unread index entry)."""
    pointers = list(
        Membership.objects.filter(
            user=reader, state=Membership.State.ACTIVE, channel__deleted_at__isnull=True
        ).values_list("channel_id", "last_read_message_id")
    )
    part = "SELECT %s, COUNT(*) FROM chat_message WHERE channel_id = %s AND id > %s"
    return dict(
        raw(" UNION ALL ".join([part] * len(pointers)), [v for c, p in pointers for v in (c, c, p)])
    )


def measure_unread(reader, channel: Channel, repeat: int) -> list[tuple]:
    counts = unread_counts(reader)
    assert counts == unread_correlated(reader) == unread_ranges(reader)
    pointer = Membership.objects.get(channel=channel, user=reader).last_read_message_id
    summary, single, ranges, correlated = paired_ms(
        [
            lambda: unread_counts(reader),
            lambda: raw(
                "SELECT COUNT(*) FROM chat_message WHERE channel_id = %s AND id > %s",
                [channel.pk, pointer],
            ),
            lambda: unread_ranges(reader),
            lambda: unread_correlated(reader),
        ],
        repeat,
    )
    print(
        f"  unread summary: {len(counts)} channels, {sum(counts.values()):,} unread in all",
        file=sys.stderr,
    )
    return [
        (f"Unread summary, {len(counts)} channels (1 query)", summary, single, "≤ 10× one COUNT"),
        ("(Unread summary before: 2 queries, range counts)", ranges, single, "–"),
        ("(Unread summary earlier: 1 correlated query)", correlated, single, "–"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Chat history/search/unread benchmark.")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-full", action="store_true", help="Skip the every-result pass.")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    prepare_connection()
    info = generate(args.messages, random.Random(args.seed))
    vendor = connection.vendor
    version = (
        raw("SELECT sqlite_version()", [])[0][0]
        if vendor == "sqlite"
        else raw("SELECT VERSION()", [])[0][0]
    )
    print(f"\n### {vendor} {version}: channel of {info['total']:,} messages\n")
    if info["generated"]:
        print(
            f"Generated {args.messages:,} messages + postings in {info['seconds']:.0f} s"
            f" ({args.messages / info['seconds']:,.0f} messages/s).\n"
        )
    postings = raw("SELECT COUNT(*) FROM chatsearch_posting", [])[0][0]
    print(
        f"Search postings: {postings:,} rows"
        f" ({postings / max(info['total'], 1):.1f} per message).\n"
    )

    print("| Measure | Talkmall (ms) | Reference (ms) | Ratio | Target |")
    print("|---|---:|---:|---:|---|")
    figures = measure_history(info["channel"], args.repeat) + measure_unread(
        info["reader"], info["channel"], args.repeat
    )
    for name, app, ref, target in figures:
        print(f"| {name} | {app:.2f} | {ref:.2f} | {app / ref:.1f}× | {target} |")

    words = ["배송", "환불", "보증", "refund", "warranty"]
    rows = measure_search(info["reader"], info["channel"], words, args.repeat, not args.skip_full)
    print(
        "\n| Search (one channel) | Page 1: search (ms) | Page 1: LIKE (ms) | Speed-up |"
        " Same page | Matches | Every result: search (ms) | Every result: LIKE (ms) |"
        " Recall vs LIKE |"
    )
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|")
    for r in rows:
        if "page_like" not in r:
            print(f"| {r['word']} | {r['page_app']:.2f} | – | – | – | – | – | – | – |")
            continue
        full = (
            f"{r['matches']:,} | {r['all_app']:.0f} | {r['all_like']:.0f} |"
            f" {r['recall'] * 100:.1f}%" + (f" (+{r['extra']} not in LIKE)" if r["extra"] else "")
            if "matches" in r
            else "– | – | – | –"
        )
        print(
            f"| {r['word']} | {r['page_app']:.2f} | {r['page_like']:.2f} |"
            f" {r['page_like'] / r['page_app']:.1f}× |"
            f" {'yes' if r['page_same'] else 'NO'} | {full} |"
        )


if __name__ == "__main__":
    main()
