"""Demo loyalty data for ``manage.py seed_demo`` (once; a rerun changes nothing)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shop.loyalty.models import Coupon, Grade, MileageEntry
from shop.loyalty.services.coupons import coupon_issue
from shop.loyalty.services.grades import grades_recalc
from shop.loyalty.services.mileage import mileage_earn

DEMO_GRADES = [
    {"name": "일반", "rank": 0},
    {"name": "단골", "rank": 1, "min_spend": 50000, "min_orders": 3, "discount_percent": 3},
    {"name": "VIP", "rank": 2, "min_spend": 200000, "min_orders": 10, "discount_percent": 7},
]


def seed_loyalty_demo(*, store, owner, buyer, created: list[str]) -> None:
    if Grade.objects.filter(store=store).exists():
        return
    for spec in DEMO_GRADES:
        Grade.objects.create(store=store, **spec)
    counts = grades_recalc(store=store)
    created.append(f"grades of {store.name} ({sum(counts.values())} customers)")
    now = timezone.now()
    Coupon.objects.get_or_create(
        code="WELCOME3000",
        defaults={
            "store": store,
            "name": "첫 구매 3,000원 할인",
            "discount_type": "fixed",
            "value": 3000,
            "min_order": 15000,
            "starts_at": now - timedelta(days=1),
            "ends_at": now + timedelta(days=60),
            "total_quantity": 100,
            "created_by": owner,
        },
    )
    regular, _ = Coupon.objects.get_or_create(
        code="DANGOL10",
        defaults={
            "store": store,
            "name": "단골 10% 쿠폰",
            "discount_type": "percent",
            "value": 10,
            "max_discount": 5000,
            "starts_at": now - timedelta(days=1),
            "ends_at": now + timedelta(days=30),
            "claimable": False,
            "created_by": owner,
        },
    )
    coupon_issue(
        coupon=regular, actor=owner, segment="grade", grade=Grade.objects.get(store=store, rank=1)
    )
    created.append("coupons WELCOME3000 and DANGOL10")
    mileage_earn(
        user=buyer,
        amount=2000,
        kind=MileageEntry.Kind.ADJUST,
        store=store,
        source="demo",
        note="가입 환영 적립금",
    )
