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

from chat.models import Channel, Membership, Message
from chat.services.channels import channel_ensure_for_goods, channel_ensure_for_store
from chat.services.memberships import membership_join
from shop.models import Goods, Store, StoreCategory, StoreStaff, Visibility

DEMO_PASSWORD = "talkmall1234"  # noqa: S105 - printed on purpose: these are demo accounts


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    staff: bool = False


USERS = [
    DemoUser("admin", "운영자", "staff admin (Django admin at /admin/)", staff=True),
    DemoUser("bakery", "달콤베이커리 사장님", "seller, owner of the open store 달콤베이커리"),
    DemoUser("boutique", "소담부티크 사장님", "seller, owner of the members-only store 소담부티크"),
    DemoUser("jimin", "지민", "buyer, member of both stores"),
    DemoUser("seoyeon", "서연", "buyer, waiting for approval at 소담부티크"),
    DemoUser("minjun", "민준", "buyer, member of 달콤베이커리 only"),
]

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
                "is_staff": demo.staff,
                "is_superuser": demo.staff,
            },
        )
        if new:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created.append(f"user {demo.username}")
        return user

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
