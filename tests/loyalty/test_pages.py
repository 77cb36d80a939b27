"""Seller loyalty pages (scoped to the store's staff), the RFM list, the admin scoping."""

from __future__ import annotations

import pytest

from chat.services.direct import channel_open_direct
from chat.services.messages import message_post
from shop.loyalty.models import Coupon, Grade, LoyaltySettings, UserCoupon
from shop.loyalty.services.customers import rfm_customers
from shop.models import FavouriteStore, Goods
from tests.loyalty.conftest import make_coupon, make_grades, pay

pytestmark = pytest.mark.django_db

PAGES = ["", "grades/", "coupons/", "coupons/new/", "broadcasts/", "customers/"]


def url(store, tail=""):
    return f"/seller/stores/{store.slug}/loyalty/{tail}"


@pytest.mark.parametrize("tail", PAGES)
def test_pages_open_for_staff_and_404_for_others(client, shop, other_shop, tail):
    client.force_login(shop.owner)
    assert client.get(url(shop.store, tail)).status_code == 200
    assert client.get(url(other_shop.store, tail)).status_code == 404


def test_seller_menu_links_the_customer_pages(client, shop):
    client.force_login(shop.owner)
    page = client.get(f"/seller/stores/{shop.store.slug}/").content.decode()
    assert url(shop.store, "customers/") in page


def test_settings_form_saves_and_refuses_bad_input(client, shop):
    client.force_login(shop.owner)
    data = {
        "mileage_rate": 3,
        "mileage_valid_days": 180,
        "review_reward": 300,
        "referral_reward": 5000,
        "grade_months": 12,
    }
    client.post(url(shop.store), data)
    saved = LoyaltySettings.objects.get(store=shop.store)
    assert (saved.mileage_rate, saved.referral_reward, saved.grade_months) == (3, 5000, 12)
    response = client.post(url(shop.store), {**data, "mileage_rate": 50})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    saved.refresh_from_db()
    assert saved.mileage_rate == 3


def test_grade_form_needs_a_threshold_above_the_base(client, shop):
    client.force_login(shop.owner)
    client.post(
        url(shop.store, "grades/"),
        {"name": "일반", "rank": 0, "min_spend": 0, "min_orders": 0, "discount_percent": 0},
    )
    response = client.post(
        url(shop.store, "grades/"),
        {"name": "VIP", "rank": 1, "min_spend": 0, "min_orders": 0, "discount_percent": 5},
    )
    assert "Set a spend or an order count" in response.content.decode()
    assert list(Grade.objects.values_list("name", flat=True)) == ["일반"]


def test_coupon_create_issue_and_link(client, shop, make_user):
    fan = make_user("fan")
    FavouriteStore.objects.create(user=fan, store=shop.store)
    client.force_login(shop.owner)
    response = client.post(
        url(shop.store, "coupons/new/"),
        {
            "name": "찜 고객 쿠폰",
            "code": "fans10",
            "discount_type": "percent",
            "value": 10,
            "max_discount": 3000,
            "min_order": 10000,
            "starts_at": "2026-11-01T00:00",
            "ends_at": "2026-12-31T23:59",
            "per_user_limit": 1,
            "claimable": "on",
        },
    )
    coupon = Coupon.objects.get(code="FANS10")
    assert response.status_code == 302
    page = client.get(url(shop.store, f"coupons/{coupon.pk}/")).content.decode()
    assert "/coupons/FANS10/" in page
    client.post(url(shop.store, f"coupons/{coupon.pk}/"), {"segment": "favourites"})
    assert UserCoupon.objects.filter(user=fan, coupon=coupon, via="favourites").exists()
    bad = client.post(
        url(shop.store, "coupons/new/"),
        {
            "name": "x",
            "discount_type": "percent",
            "value": 95,
            "min_order": 0,
            "starts_at": "2026-11-01T00:00",
            "ends_at": "2026-10-01T00:00",
            "per_user_limit": 1,
        },
    ).content.decode()
    assert "1 to 90 percent" in bad and "after the start" in bad
    assert Coupon.objects.count() == 1


def test_rfm_ranks_customers_with_grade_and_last_conversation(client, shop, make_user, place):
    Goods.objects.filter(pk=shop.bread.pk).update(stock=100)
    base, regular, _vip = make_grades(shop.store)
    loyal, once = make_user("loyal"), make_user("once")
    for _ in range(3):
        pay(place((shop.bread, None, 2), user=loyal))
    pay(place((shop.bread, None, 1), user=once))
    channel = channel_open_direct(store=shop.store, buyer=loyal)
    message_post(channel=channel, author=loyal, body="다음 주에도 빵 있나요?")
    rows = rfm_customers(shop.store)
    assert [r.user for r in rows] == [loyal, once]
    # 13,000 + 13,000, then 단골 (2 orders): 10,000 − 5 % + 3,000 shipping = 12,500
    assert (rows[0].orders, rows[0].spend, rows[0].grade) == (3, 38500, regular)
    assert rows[1].grade == base and rows[1].last_message is None
    client.force_login(shop.owner)
    page = client.get(url(shop.store, "customers/")).content.decode()
    assert "다음 주에도 빵 있나요?" in page and "단골" in page
    assert page.index(loyal.name) < page.index(once.name)


def test_admin_shows_a_seller_only_their_coupons(client, shop, other_shop):
    make_coupon(shop.store, name="우리 쿠폰")
    make_coupon(other_shop.store, name="남의 쿠폰")
    shop.owner.is_staff = True
    shop.owner.save()
    client.force_login(shop.owner)
    page = client.get("/admin/loyalty/coupon/").content.decode()
    assert "우리 쿠폰" in page and "남의 쿠폰" not in page


def test_demo_data_has_grades_coupons_and_mileage(demo):
    from django.contrib.auth import get_user_model

    from shop.loyalty.services.mileage import balance_of

    assert list(Grade.objects.order_by("rank").values_list("name", flat=True)) == [
        "일반",
        "단골",
        "VIP",
    ]
    assert set(Coupon.objects.values_list("code", flat=True)) == {"WELCOME3000", "DANGOL10"}
    assert balance_of(get_user_model().objects.get(username="jimin")) >= 2000
