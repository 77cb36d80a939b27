"""Seller statistics: sales by day/week/month and by goods, conversation → sale, chat metrics.

Definitions (also on the page and in docs/backoffice.md); days are Asia/Seoul days:

- A *sale* is an order of the store paid in the range (``paid_at``) and not cancelled; its
  revenue is the order total less what its payment refunded. Average order value = revenue //
  sales (whole won, rounded down).
- *Goods*: the order lines of those sales (quantity and line totals as bought).
- *From a conversation*: a sale whose order carries ``from_message``/``from_channel`` (bought
  from a product card in a talk), or that was placed within 24 hours after its buyer wrote in
  one of the store's channels.
- *Chat metrics* count people's messages (not system lines or automatic answers) in the store's
  channels. First response time: in a 1:1 chat or the store talk, a buyer's message that no
  staff message answered yet starts a wait; the next message of the store's staff in that
  channel ends it. A conversation is a run of 1:1 messages without a 30-minute silence.
- *Chatting buyers* wrote in the range; they *converted* when they placed a sale after their
  first message in the range.
- *Cart abandonment*: of the buyers who had the store's goods in their cart in the range (they
  placed an order in the range, or goods they added in the range are still in their cart), the
  share who left goods there for more than 24 hours without ordering from the store since.
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Sum
from django.utils import timezone

from chat.models import Channel, Message
from shop.models import Store, StoreStaff
from shop.orders.models import CartItem, Order, OrderLine, OrderStatus
from shop.settlement.periods import SEOUL, seoul_midnight, seoul_today

GROUPINGS = ("day", "week", "month")
CHAT_WINDOW = timedelta(hours=24)
CONVERSATION_GAP = timedelta(minutes=30)
ABANDONED_AFTER = timedelta(hours=24)
PEOPLE_KINDS = (
    Message.Kind.TEXT,
    Message.Kind.PRODUCT_CARD,
    Message.Kind.ORDER_CARD,
    Message.Kind.OFFER,
)


@dataclass(frozen=True)
class Range:
    start: date
    end: date  # inclusive

    @property
    def start_at(self) -> datetime:
        return seoul_midnight(self.start)

    @property
    def end_at(self) -> datetime:
        return seoul_midnight(self.end + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def last_days(n: int, today: date | None = None) -> Range:
    today = today or seoul_today()
    return Range(today - timedelta(days=n - 1), today)


def _day(moment: datetime) -> date:
    return timezone.localtime(moment, SEOUL).date()


def bucket_of(day: date, by: str) -> date:
    """The first day of the day/week (Monday)/month ``day`` falls in."""
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def buckets(period: Range, by: str) -> list[date]:
    out, day = [], bucket_of(period.start, by)
    while day <= period.end:
        out.append(day)
        if by == "day":
            day += timedelta(days=1)
        elif by == "week":
            day += timedelta(days=7)
        else:
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


def bucket_label(day: date, by: str) -> str:
    if by == "month":
        return day.strftime("%Y-%m")
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


@dataclass
class SalesRow:
    day: date
    label: str
    orders: int = 0
    revenue: int = 0

    @property
    def average(self) -> int:
        return self.revenue // self.orders if self.orders else 0


@dataclass
class Sales:
    period: Range
    by: str
    rows: list[SalesRow] = field(default_factory=list)

    @property
    def orders(self) -> int:
        return sum(r.orders for r in self.rows)

    @property
    def revenue(self) -> int:
        return sum(r.revenue for r in self.rows)

    @property
    def average(self) -> int:
        return self.revenue // self.orders if self.orders else 0


def sales_orders(store: Store, period: Range):
    return Order.objects.filter(
        store=store, paid_at__gte=period.start_at, paid_at__lt=period.end_at
    ).exclude(status=OrderStatus.CANCELLED)


def _revenue_rows(store: Store, period: Range) -> list[tuple[int, int, datetime, datetime, int]]:
    """(order id, buyer id, paid_at, created_at, revenue) of the range's sales."""
    return [
        (pk, buyer, paid, created, total - (refunded or 0))
        for pk, buyer, paid, created, total, refunded in sales_orders(store, period).values_list(
            "pk", "buyer_id", "paid_at", "created_at", "total", "payment__refunded_amount"
        )
    ]


def sales_series(store: Store, period: Range, by: str = "day") -> Sales:
    rows = {d: SalesRow(d, bucket_label(d, by)) for d in buckets(period, by)}
    for _pk, _buyer, paid, _created, revenue in _revenue_rows(store, period):
        row = rows[bucket_of(_day(paid), by)]
        row.orders += 1
        row.revenue += revenue
    return Sales(period, by, list(rows.values()))


@dataclass
class GoodsRow:
    goods_id: int | None
    name: str
    quantity: int
    revenue: int
    orders: int


def sales_by_goods(store: Store, period: Range) -> list[GoodsRow]:
    rows = (
        OrderLine.objects.filter(order__in=sales_orders(store, period))
        .values("goods_id", "goods_name")
        .annotate(quantity=Sum("quantity"), revenue=Sum("line_total"), orders=Count("order_id"))
        .order_by("-revenue", "goods_name")
    )
    merged: dict[tuple, GoodsRow] = {}
    for r in rows:
        key = (r["goods_id"], r["goods_name"]) if r["goods_id"] is None else (r["goods_id"],)
        if key in merged:  # the same goods bought under an older name
            merged[key].quantity += r["quantity"]
            merged[key].revenue += r["revenue"]
            merged[key].orders += r["orders"]
        else:
            merged[key] = GoodsRow(
                r["goods_id"], r["goods_name"], r["quantity"], r["revenue"], r["orders"]
            )
    return sorted(merged.values(), key=lambda g: (-g.revenue, g.name))


# --- Conversations ---------------------------------------------------------------------------


def _staff_ids(store: Store) -> set[int]:
    return set(StoreStaff.objects.filter(store=store).values_list("user_id", flat=True))


def _people_messages(store: Store, start: datetime, end: datetime, kinds=None):
    qs = Message.objects.filter(
        channel__store=store,
        author__isnull=False,
        kind__in=PEOPLE_KINDS,
        deleted_at__isnull=True,
        created_at__gte=start,
        created_at__lt=end,
    )
    if kinds is not None:
        qs = qs.filter(channel__kind__in=kinds)
    return qs


@dataclass
class Conversion:
    orders: int = 0
    revenue: int = 0
    chat_orders: int = 0
    chat_revenue: int = 0

    @property
    def order_share(self) -> int | None:
        """Percent, rounded down; None without orders."""
        return self.chat_orders * 100 // self.orders if self.orders else None

    @property
    def revenue_share(self) -> int | None:
        return self.chat_revenue * 100 // self.revenue if self.revenue else None


def conversation_to_sale(store: Store, period: Range) -> Conversion:
    result = Conversion()
    sales = list(
        sales_orders(store, period).values_list(
            "pk",
            "buyer_id",
            "created_at",
            "total",
            "payment__refunded_amount",
            "from_message_id",
            "from_channel_id",
        )
    )
    if not sales:
        return result
    earliest = min(row[2] for row in sales) - CHAT_WINDOW
    latest = max(row[2] for row in sales)
    times: dict[int, list[datetime]] = defaultdict(list)
    for author, created in (
        _people_messages(store, earliest, latest + timedelta(seconds=1))
        .filter(author_id__in={row[1] for row in sales})
        .order_by("created_at")
        .values_list("author_id", "created_at")
    ):
        times[author].append(created)
    for _pk, buyer, created, total, refunded, from_message, from_channel in sales:
        revenue = total - (refunded or 0)
        result.orders += 1
        result.revenue += revenue
        wrote = times.get(buyer, [])
        i = bisect.bisect_right(wrote, created)
        from_chat = bool(from_message or from_channel) or (
            i > 0 and created - wrote[i - 1] <= CHAT_WINDOW
        )
        if from_chat:
            result.chat_orders += 1
            result.chat_revenue += revenue
    return result


@dataclass
class ChatMetrics:
    response_seconds: list[int] = field(default_factory=list)
    unanswered: int = 0
    conversations: int = 0
    conversation_messages: int = 0
    conversation_seconds: int = 0
    per_day: dict[date, list[int]] = field(default_factory=dict)  # day → [buyers, store]
    chatting_buyers: int = 0
    converted_buyers: int = 0
    cart_buyers: int = 0
    abandoned_buyers: int = 0

    @property
    def answered(self) -> int:
        return len(self.response_seconds)

    @property
    def average_response(self) -> int | None:
        return sum(self.response_seconds) // self.answered if self.answered else None

    @property
    def median_response(self) -> int | None:
        return int(statistics.median(self.response_seconds)) if self.answered else None

    @property
    def average_conversation_messages(self) -> str:
        """One decimal place, without float: 7 messages in 2 conversations → ``"3.5"``."""
        if not self.conversations:
            return "–"
        tenths = (self.conversation_messages * 10 + self.conversations // 2) // self.conversations
        return f"{tenths // 10}.{tenths % 10}"

    @property
    def average_conversation_seconds(self) -> int | None:
        return self.conversation_seconds // self.conversations if self.conversations else None

    @property
    def messages(self) -> int:
        return sum(sum(v) for v in self.per_day.values())

    @property
    def conversion_rate(self) -> int | None:
        if not self.chatting_buyers:
            return None
        return self.converted_buyers * 100 // self.chatting_buyers

    @property
    def abandonment_rate(self) -> int | None:
        return self.abandoned_buyers * 100 // self.cart_buyers if self.cart_buyers else None


def chat_metrics(store: Store, period: Range, *, now: datetime | None = None) -> ChatMetrics:
    now = now or timezone.now()
    staff = _staff_ids(store)
    metrics = ChatMetrics(per_day={d: [0, 0] for d in buckets(period, "day")})
    rows = (
        _people_messages(store, period.start_at, period.end_at)
        .order_by("channel_id", "created_at", "pk")
        .values_list("channel_id", "channel__kind", "author_id", "created_at")
    )
    waiting: dict[int, datetime] = {}
    last_direct: dict[int, datetime] = {}
    first_written: dict[int, datetime] = {}
    for channel, kind, author, created in rows:
        is_staff = author in staff
        metrics.per_day[_day(created)][1 if is_staff else 0] += 1
        if not is_staff and (author not in first_written or created < first_written[author]):
            first_written[author] = created
        if kind in (Channel.Kind.DIRECT, Channel.Kind.STORE):
            if is_staff and channel in waiting:
                metrics.response_seconds.append(
                    int((created - waiting.pop(channel)).total_seconds())
                )
            elif not is_staff and channel not in waiting:
                waiting[channel] = created
        if kind == Channel.Kind.DIRECT:
            previous = last_direct.get(channel)
            if previous is None or created - previous > CONVERSATION_GAP:
                metrics.conversations += 1
            else:
                metrics.conversation_seconds += int((created - previous).total_seconds())
            metrics.conversation_messages += 1
            last_direct[channel] = created
    metrics.unanswered = len(waiting)
    metrics.chatting_buyers = len(first_written)
    if first_written:
        bought = defaultdict(list)
        for buyer, created in (
            sales_orders(store, period)
            .filter(buyer_id__in=first_written.keys())
            .values_list("buyer_id", "created_at")
        ):
            bought[buyer].append(created)
        metrics.converted_buyers = sum(
            1 for buyer, first in first_written.items() if any(t >= first for t in bought[buyer])
        )
    _cart_abandonment(metrics, store, period, now)
    return metrics


def _cart_abandonment(metrics: ChatMetrics, store: Store, period: Range, now: datetime) -> None:
    ordered = set(
        Order.objects.filter(
            store=store, created_at__gte=period.start_at, created_at__lt=period.end_at
        ).values_list("buyer_id", flat=True)
    )
    stale: dict[int, datetime] = {}
    for user, added in CartItem.objects.filter(
        goods__store=store,
        added_at__gte=period.start_at,
        added_at__lt=min(period.end_at, now - ABANDONED_AFTER),
    ).values_list("user_id", "added_at"):
        stale[user] = min(added, stale.get(user, added))
    last_order = dict(
        Order.objects.filter(store=store, buyer_id__in=stale.keys())
        .values("buyer_id")
        .annotate(last=Max("created_at"))
        .values_list("buyer_id", "last")
    )
    abandoned = {
        u for u, added in stale.items() if not (last_order.get(u) and last_order[u] > added)
    }
    metrics.abandoned_buyers = len(abandoned)
    metrics.cart_buyers = len(ordered | set(stale))
