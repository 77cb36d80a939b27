"""``manage.py seed_demo``: demo accounts, two stores, Korean goods and chat history.

Idempotent: a second run finds everything in place, changes nothing and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from chat.bot.demo import seed_bot_demo
from chat.feedback.demo import seed_feedback_demo
from chat.models import Channel, Membership, Message
from chat.services.channels import channel_ensure_for_goods, channel_ensure_for_store
from chat.services.memberships import membership_join
from shop.loyalty.demo import seed_loyalty_demo
from shop.models import (
    Courier,
    Goods,
    GoodsOption,
    Promotion,
    Store,
    StoreApplication,
    StoreCategory,
    StoreStaff,
    Visibility,
)
from shop.orders.demo import seed_orders_demo
from shop.services.goods import goods_refresh_status
from shop.settlement.demo import seed_backoffice_demo

DEMO_PASSWORD = "talkmall1234"  # noqa: S105 - printed on purpose: these are demo accounts


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    staff: bool = False
    seller: bool = False  # is_staff for the seller's scoped Django admin


USERS = [
    DemoUser("admin", "운영자", "staff admin (Django admin at /admin/)", staff=True),
    DemoUser(
        "bakery", "달콤베이커리 사장님", "seller, owner of the open store 달콤베이커리", seller=True
    ),
    DemoUser(
        "boutique",
        "소담부티크 사장님",
        "seller, owner of the members-only store 소담부티크",
        seller=True,
    ),
    DemoUser("jimin", "지민", "buyer, member of both stores"),
    DemoUser("seoyeon", "서연", "buyer, waiting for approval at 소담부티크"),
    DemoUser("minjun", "민준", "buyer, member of 달콤베이커리 only, store application pending"),
]

# Business, delivery and settlement details of the demo stores (set once).
STORE_DETAILS = {
    "dalkom-bakery": {
        "business_number": "2208162517",
        "representative_name": "김달콤",
        "business_address": "서울특별시 마포구 연남로 12, 1층",
        "mail_order_number": "2024-서울마포-01234",
        "contact_phone": "02-312-4567",
        "contact_email": "hello@dalkom.example",
        "business_hours": "매일 08:00–20:00 (월요일 휴무)",
        "courier": Courier.CJ,
        "shipping_fee": 3000,
        "free_shipping_threshold": 30000,
        "island_extra_fee": 3000,
        "dispatch_days": 1,
        "return_policy": "식품 특성상 단순 변심 반품은 어렵습니다. 파손·변질 시 사진과 함께 "
        "수령 당일 톡으로 알려주세요.",
        "return_address": "서울특별시 마포구 연남로 12, 1층 달콤베이커리",
        "return_shipping_fee": 3000,
        "bank_name": "국민은행",
        "bank_account_number": "123401-04-567890",
        "bank_account_holder": "김달콤",
        "featured": True,
    },
    "sodam-boutique": {
        "business_number": "1248100998",
        "representative_name": "이소담",
        "business_address": "서울특별시 성동구 성수이로 7길 20, 2층",
        "mail_order_number": "2023-서울성동-00567",
        "contact_phone": "010-2345-6789",
        "contact_email": "sodam@boutique.example",
        "business_hours": "화–토 11:00–19:00",
        "courier": Courier.HANJIN,
        "shipping_fee": 3500,
        "free_shipping_threshold": 50000,
        "island_extra_fee": 5000,
        "dispatch_days": 2,
        "return_policy": "수령 후 7일 이내 교환·환불 가능합니다. 착용·세탁한 상품은 어렵습니다.",
        "return_address": "서울특별시 성동구 성수이로 7길 20, 2층 소담부티크",
        "return_shipping_fee": 3000,
        "bank_name": "신한은행",
        "bank_account_number": "110-234-567890",
        "bank_account_holder": "이소담",
    },
}

# goods name -> (tags, own stock, [(option, price difference, stock), ...])
GOODS_DETAILS = {
    "우유 식빵": ("식빵, 우유, 아침", 30, []),
    "소금빵 4개입": ("소금빵, 버터", 50, []),
    "딸기 생크림 케이크 1호": (
        "케이크, 딸기, 생일",
        0,
        [("매장 픽업", 0, 5), ("서울 퀵 배송", 5000, 3)],
    ),
    "캐시미어 니트 가디건": (
        "니트, 가디건, 캐시미어, 겨울",
        0,
        [("S / 아이보리", 0, 3), ("M / 아이보리", 0, 5), ("M / 차콜", 0, 0), ("L / 차콜", 2000, 2)],
    ),
    "와이드 데님 팬츠": ("데님, 청바지, 바지", 0, [("26", 0, 4), ("28", 0, 6), ("30", 0, 0)]),
}

# Promotions of 달콤베이커리 (running from a day before the seed, for ``days`` days).
DEMO_PROMOTIONS = [
    {
        "kind": "discount",
        "title": "소금빵 주간 10% 할인",
        "description": "이번 주 소금빵 4개입을 10% 할인해 드려요.",
        "discount_type": "percent",
        "discount_value": 10,
        "goods": ["소금빵 4개입"],
        "days": 14,
    },
    {
        "kind": "group_buy",
        "title": "딸기 케이크 공동구매",
        "description": "5명이 모이면 딸기 생크림 케이크 1호를 27,000원에 드려요.",
        "group_price": 27000,
        "group_min_buyers": 5,
        "goods": ["딸기 생크림 케이크 1호"],
        "days": 7,
    },
]

PENDING_APPLICATION = {
    "store_name": "민준공방",
    "category": StoreCategory.LIVING,
    "description": "손으로 만든 원목 도마와 수저 세트를 파는 작은 공방입니다.",
    "business_number": "3052812346",
    "representative_name": "박민준",
    "phone": "010-9876-5432",
    "email": "minjun@demo.talkmall.local",
    "business_address": "경기도 파주시 문발로 100",
    "mail_order_number": "2025-경기파주-00777",
    "bank_name": "우리은행",
    "bank_account_number": "1002-345-678901",
    "bank_account_holder": "박민준",
}

STORES = [
    {
        "slug": "dalkom-bakery",
        "name": "달콤베이커리",
        "owner": "bakery",
        "category": StoreCategory.BAKERY,
        "visibility": Visibility.OPEN,
        "description": "매일 아침 굽는 동네 빵집입니다. 천연발효종 식빵과 소금빵이 인기예요.",
        "goods": [
            ("우유 식빵", 5500, 6000, "국산 우유로 반죽한 부드러운 식빵 (1봉, 450g)"),
            ("소금빵 4개입", 9800, None, "버터 풍미 가득한 소금빵 네 개 묶음"),
            ("딸기 생크림 케이크 1호", 32000, 35000, "제철 딸기를 듬뿍 올린 생크림 케이크"),
        ],
    },
    {
        "slug": "sodam-boutique",
        "name": "소담부티크",
        "owner": "boutique",
        "category": StoreCategory.FASHION,
        "visibility": Visibility.CLOSED,
        "description": "회원 전용 의류 편집숍. 가입 승인 후 가격과 신상품을 보실 수 있어요.",
        "goods": [
            ("캐시미어 니트 가디건", 89000, 129000, "부드러운 캐시미어 혼방 가디건 (FREE)"),
            ("와이드 데님 팬츠", 59000, None, "허리 밴딩 와이드핏 데님"),
        ],
    },
]

# (days ago, author username, body, topic)
HISTORY = [
    (360, "jimin", "안녕하세요! 소금빵 매일 나오나요?", ""),
    (359, "bakery", "네, 매일 아침 8시에 나옵니다 😊", ""),
    (300, "minjun", "택배 배송도 되나요?", "소금빵 4개입"),
    (
        300,
        "bakery",
        "네, 전국 배송 가능합니다. 배송비는 3,000원이고 3만원 이상 무료예요.",
        "소금빵 4개입",
    ),
    (120, "jimin", "케이크 예약은 며칠 전까지 해야 하나요?", "딸기 생크림 케이크 1호"),
    (
        119,
        "bakery",
        "최소 2일 전까지 말씀해 주세요. 픽업 시간도 알려주시면 맞춰 드릴게요.",
        "딸기 생크림 케이크 1호",
    ),
    (30, "seoyeon", "이번 주말 할인 행사 있나요?", ""),
    (29, "bakery", "토요일에 식빵 10% 할인합니다!", "우유 식빵"),
    (1, "jimin", "어제 받은 식빵 정말 맛있었어요. 감사합니다!", "우유 식빵"),
]

BOUTIQUE_HISTORY = [
    (
        40,
        "boutique",
        "회원님들 안녕하세요. 이번 주 신상 가디건 입고되었습니다.",
        "캐시미어 니트 가디건",
    ),
    (39, "jimin", "가디건 교환이나 환불 가능한가요?", "캐시미어 니트 가디건"),
    (
        39,
        "boutique",
        "수령 후 7일 이내 교환·환불 가능합니다. 반품 배송비는 3,000원이에요.",
        "캐시미어 니트 가디건",
    ),
]


class Command(BaseCommand):
    help = "Load Talkmall's demo accounts, stores, goods and chat history (safe to run again)."

    def handle(self, *args, **options) -> None:
        created: list[str] = []
        with transaction.atomic():
            users = {u.username: self._user(u, created) for u in USERS}
            stores = {s["slug"]: self._store(s, users, created) for s in STORES}
            bakery, boutique = stores["dalkom-bakery"], stores["sodam-boutique"]
            bakery_channel = channel_ensure_for_store(store=bakery)
            boutique_channel = channel_ensure_for_store(store=boutique)
            for goods in Goods.objects.filter(store__in=stores.values()):
                channel_ensure_for_goods(goods=goods)
            for name in ("jimin", "minjun", "seoyeon"):
                self._join(bakery_channel, users[name], created)
            self._join(boutique_channel, users["jimin"], created, approve=True)
            self._join(boutique_channel, users["seoyeon"], created)
            self._history(bakery_channel, HISTORY, users, created)
            self._history(boutique_channel, BOUTIQUE_HISTORY, users, created)
            for store in stores.values():
                self._store_details(store, created)
                self._approved_application(store, created)
            self._goods_details(stores.values(), created)
            self._pending_application(users["minjun"], created)
            self._promotions(bakery, users["bakery"], created)
            seed_orders_demo(buyer=users["jimin"], store=bakery, created=created)
            seed_backoffice_demo(store=bakery, owner=users["bakery"], created=created)
            seed_feedback_demo(
                boutique=boutique,
                boutique_owner=users["boutique"],
                bakery=bakery,
                bakery_owner=users["bakery"],
                buyers=users,
                created=created,
            )
            seed_bot_demo(store=bakery, created=created)
            seed_loyalty_demo(
                store=bakery, owner=users["bakery"], buyer=users["jimin"], created=created
            )

        if not created:
            self.stdout.write("Demo data already present; nothing changed.")
        else:
            self.stdout.write(f"Created: {', '.join(created)}.")
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for demo in USERS:
            self.stdout.write(f"  {demo.username:<10} {demo.display_name} — {demo.role}")

    def _user(self, demo: DemoUser, created: list[str]):
        User = get_user_model()
        user, new = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "display_name": demo.display_name,
                "email": f"{demo.username}@demo.talkmall.local",
                "is_staff": demo.staff or demo.seller,
                "is_superuser": demo.staff,
            },
        )
        if new:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created.append(f"user {demo.username}")
        elif demo.seller and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            created.append(f"seller admin access for {demo.username}")
        return user

    def _store_details(self, store: Store, created: list[str]) -> None:
        details = STORE_DETAILS.get(store.slug)
        if not details or store.business_number:
            return
        Store.objects.filter(pk=store.pk).update(**details)
        store.refresh_from_db()
        created.append(f"delivery and business details of {store.name}")

    def _approved_application(self, store: Store, created: list[str]) -> None:
        if StoreApplication.objects.filter(store=store).exists():
            return
        store.refresh_from_db()
        StoreApplication.objects.create(
            applicant=store.owner,
            store_name=store.name,
            category=store.category,
            description=store.description,
            business_number=store.business_number,
            representative_name=store.representative_name,
            phone=store.contact_phone,
            email=store.contact_email,
            business_address=store.business_address,
            mail_order_number=store.mail_order_number,
            bank_name=store.bank_name,
            bank_account_number=store.bank_account_number,
            bank_account_holder=store.bank_account_holder,
            status=StoreApplication.Status.APPROVED,
            store=store,
            decided_at=timezone.now(),
        )
        created.append(f"approved application of {store.name}")

    def _goods_details(self, stores, created: list[str]) -> None:
        for goods in Goods.objects.filter(store__in=list(stores)):
            spec = GOODS_DETAILS.get(goods.name)
            if spec is None or goods.tags or goods.options.exists():
                continue
            tags, stock, options = spec
            goods.tags = tags
            goods.stock = stock
            goods.category = goods.store.category
            goods.save(update_fields=["tags", "stock", "category", "updated_at"])
            for position, (name, delta, option_stock) in enumerate(options):
                GoodsOption.objects.create(
                    goods=goods, name=name, price_delta=delta, stock=option_stock, position=position
                )
            goods_refresh_status(goods=goods)
            created.append(f"options and stock of {goods.name}")

    def _pending_application(self, user, created: list[str]) -> None:
        if StoreApplication.objects.filter(applicant=user).exists():
            return
        StoreApplication.objects.create(applicant=user, **PENDING_APPLICATION)
        created.append(f"pending store application from {user.username}")

    def _promotions(self, store: Store, owner, created: list[str]) -> None:
        """A running discount and a running group buy at 달콤베이커리 (once, by title)."""
        from shop.services.promotions import promotion_create

        now = timezone.now()
        for spec in DEMO_PROMOTIONS:
            if Promotion.objects.filter(store=store, title=spec["title"]).exists():
                continue
            goods = list(Goods.objects.filter(store=store, name__in=spec["goods"]))
            fields = {k: v for k, v in spec.items() if k not in ("goods", "days")}
            fields.update(
                starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=spec["days"])
            )
            promotion_create(store=store, actor=owner, fields=fields, goods=goods)
            created.append(f"promotion {spec['title']}")

    def _store(self, spec: dict, users: dict, created: list[str]) -> Store:
        owner = users[spec["owner"]]
        store, new = Store.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "owner": owner,
                "category": spec["category"],
                "visibility": spec["visibility"],
                "description": spec["description"],
            },
        )
        if new:
            created.append(f"store {store.name}")
        StoreStaff.objects.get_or_create(
            store=store, user=owner, defaults={"role": StoreStaff.Role.OWNER}
        )
        for name, price, list_price, description in spec["goods"]:
            _, new_goods = Goods.objects.get_or_create(
                store=store,
                name=name,
                defaults={
                    "price": price,
                    "list_price": list_price,
                    "description": description,
                    "featured": list_price is not None,
                },
            )
            if new_goods:
                created.append(f"goods {name}")
        return store

    def _join(self, channel: Channel, user, created: list[str], approve: bool = False) -> None:
        if Membership.objects.filter(channel=channel, user=user).exists():
            return
        # Quietly (no "joined" lines before the seeded history); an approved member of the
        # closed store also becomes a member of its goods talks.
        membership_join(
            channel=channel, user=user, needs_approval=False if approve else None, announce=False
        )
        created.append(f"membership {user.username}@{channel.title}")

    def _history(self, channel: Channel, lines, users: dict, created: list[str]) -> None:
        if Message.objects.filter(channel=channel).exists():
            return
        now = timezone.now()
        for days_ago, username, body, topic in lines:
            author = users[username]
            Membership.objects.update_or_create(
                channel=channel,
                user=author,
                defaults={"state": Membership.State.ACTIVE},
            )
            at = now - timedelta(days=days_ago)
            message = Message.objects.create(
                channel=channel,
                author=author,
                body=body,
                topic=topic,
                client_id=f"seed-{days_ago}-{username}",
            )
            Message.objects.filter(pk=message.pk).update(created_at=at)
            Channel.objects.filter(pk=channel.pk).update(last_message_at=at)
        created.append(f"{len(lines)} messages in {channel.title}")
