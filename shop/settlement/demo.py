"""Demo back-office data for ``manage.py seed_demo`` (idempotent): two months of the bakery's
orders (backdated, with 1:1 chats before some of them), its settlement terms, and the
statements of the months and weeks that are over."""

from __future__ import annotations

import random
from datetime import date, timedelta
from importlib import import_module

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from chat.models import Channel, Message
from chat.services.direct import channel_open_direct
from shop.models import Goods, Store
from shop.orders.models import Order, OrderLine, OrderStatus, Payment
from shop.settlement import periods
from shop.settlement.models import Cycle, StoreTerms
from shop.settlement.services.settlement import settlement_run

DAYS = 60
MARK = "-9"  # demo order numbers: YYYYMMDD-9NNNNN (the day's real numbers start at 000001)
QUESTIONS = ["혹시 오늘 주문하면 언제 받을 수 있을까요?", "선물 포장 되나요?", "재고 있나요?"]
ANSWERS = ["내일 출고돼요! 😊", "네, 가능해요. 요청사항에 적어주세요.", "네 넉넉히 있어요!"]


def _backdate(model, pk: int, **fields) -> None:
    model.objects.filter(pk=pk).update(**fields)


CUSTOMERS = [
    ("demo-haneul", "하늘"),
    ("demo-doyun", "도윤"),
    ("demo-seoa", "서아"),
    ("demo-hajun", "하준"),
]


def _customers() -> list:
    """Demo customers of their own (they cannot sign in), so the demo accounts' order lists
    stay as the other demos expect."""
    User = get_user_model()
    people = []
    for username, name in CUSTOMERS:
        user, new = User.objects.get_or_create(
            username=username,
            defaults={"display_name": name, "email": f"{username}@demo.talkmall.local"},
        )
        if new:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        people.append(user)
    return people


def _ensure_default_fees() -> None:
    """The payment fees of the data migration, which a test database flush removes: settling the
    demo orders needs them."""
    import_module("shop.settlement.migrations.0002_default_payment_fees").add(apps, None)


def seed_backoffice_demo(*, store: Store, owner, created: list[str]) -> None:
    _ensure_default_fees()
    if Order.objects.filter(store=store, number__contains=MARK).exists():
        return
    buyers = _customers()
    goods = list(Goods.objects.filter(store=store).order_by("pk"))
    if not goods:
        return
    rng = random.Random(7)  # noqa: S311 - demo data, not security
    now = timezone.now()
    today = periods.seoul_today(now)
    StoreTerms.objects.get_or_create(
        store=store,
        effective_from=today - timedelta(days=DAYS + 30),
        defaults={"cycle": Cycle.MONTHLY, "commission_bp": 1000, "note": "입점 기본 조건"},
    )
    count = 0
    for days_ago in range(DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        for _n in range(rng.choice([0, 1, 1, 2, 3])):
            count += 1
            _demo_order(store, owner, rng.choice(buyers), goods, day, days_ago, count, rng)
    created.append(f"{count} demo orders of {store.name} over {DAYS} days")
    month = periods.previous(periods.month_of(today))
    for period in (periods.previous(month), month):
        settlement_run(period=period, store=store, now=now)
    created.append(f"settlement statements of {store.name}")


def _demo_order(store, owner, buyer, goods, day: date, days_ago: int, n: int, rng) -> None:
    item = rng.choice(goods)
    quantity = rng.choice([1, 1, 2, 3])
    subtotal = item.price * quantity
    shipping = 0 if subtotal >= 30000 else store.shipping_fee
    total = subtotal + shipping
    method = "bank_transfer" if rng.random() < 0.25 else "test_card"
    placed = periods.seoul_midnight(day) + timedelta(
        hours=rng.randint(9, 21), minutes=rng.randint(0, 59)
    )
    if days_ago > 8:
        status = OrderStatus.COMPLETED
    elif days_ago > 3:
        status = OrderStatus.DELIVERED
    elif days_ago > 1:
        status = OrderStatus.SHIPPED
    else:
        status = OrderStatus.PAID
    if rng.random() < 0.06:
        status = OrderStatus.CANCELLED
    chat = rng.random() < 0.35
    direct = None
    if chat:
        direct = channel_open_direct(store=store, buyer=buyer)
        asked = placed - timedelta(hours=rng.randint(1, 6))
        i = rng.randrange(len(QUESTIONS))
        for at, author, body in (
            (asked, buyer, QUESTIONS[i]),
            (asked + timedelta(minutes=rng.randint(2, 90)), owner, ANSWERS[i]),
        ):
            message = Message.objects.create(
                channel=direct, author=author, body=body, client_id=f"demo-{n}-{author.pk}"
            )
            _backdate(Message, message.pk, created_at=at)
        Channel.objects.filter(pk=direct.pk).update(last_message_at=asked)
    order = Order.objects.create(
        number=f"{day:%Y%m%d}{MARK}{n:05d}",
        buyer=buyer,
        store=store,
        status=status,
        payment_method=method,
        subtotal=subtotal,
        shipping_fee=shipping,
        total=total,
        recipient=buyer.name,
        phone="010-1234-5678",
        postcode="04524",
        address="서울특별시 중구 세종대로 110",
        from_channel=direct if chat and rng.random() < 0.5 else None,
    )
    paid = placed + timedelta(minutes=5)
    done = placed + timedelta(days=rng.randint(3, 7))
    _backdate(
        Order,
        order.pk,
        created_at=placed,
        paid_at=paid,
        completed_at=done if status == OrderStatus.COMPLETED else None,
        cancelled_at=placed + timedelta(hours=2) if status == OrderStatus.CANCELLED else None,
    )
    refunded = total if status == OrderStatus.CANCELLED else 0
    if status == OrderStatus.COMPLETED and rng.random() < 0.08:
        refunded = min(3000, total)
    Payment.objects.create(
        order=order,
        provider=method,
        amount=total,
        status=Payment.Status.REFUNDED if refunded == total else Payment.Status.PAID,
        idempotency_key=f"demo-{order.number}",
        paid_at=paid,
        refunded_amount=refunded,
        refunded_at=paid + timedelta(days=1) if refunded else None,
    )
    OrderLine.objects.create(
        order=order,
        goods=item,
        goods_name=item.name,
        unit_price=item.price,
        quantity=quantity,
        line_total=subtotal,
    )
