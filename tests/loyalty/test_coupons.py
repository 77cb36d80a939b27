"""Coupons: issuing, codes and links, the rules at checkout, totals with grade and mileage,
restoring on cancel, and no coupon used twice with checkouts at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from shop.loyalty.checkout import Choice
from shop.loyalty.exceptions import LoyaltyError
from shop.loyalty.models import Coupon, CustomerGrade, OrderBenefit, UserCoupon
from shop.loyalty.services.coupons import coupon_claim, coupon_issue
from shop.loyalty.services.mileage import balance_of
from shop.models import FavouriteStore
from shop.orders.models import Order
from shop.orders.services.cart import cart_add
from shop.orders.services.checkout import order_place, quote_for
from shop.orders.services.orders import order_cancel
from tests.loyalty.conftest import ADDRESS, give_mileage, make_coupon, make_grades, pay

pytestmark = pytest.mark.django_db


def checkout(buyer, store, **choice):
    return order_place(
        buyer=buyer,
        store=store,
        shipping=ADDRESS,
        payment_method="test_card",
        benefits=Choice(**choice),
    )


def test_claim_by_code_once(shop, buyer):
    coupon = make_coupon(shop.store, code="HELLO2026")
    held = coupon_claim(user=buyer, code=" hello2026 ")
    assert held.coupon == coupon and held.via == "code"
    with pytest.raises(LoyaltyError, match="in your wallet already"):
        coupon_claim(user=buyer, code="HELLO2026")
    with pytest.raises(LoyaltyError, match="No coupon has this code"):
        coupon_claim(user=buyer, code="NOPE")
    with pytest.raises(LoyaltyError, match="your own store"):
        coupon_claim(user=shop.owner, code="HELLO2026")


def test_issue_to_favourites_past_buyers_and_a_grade(shop, buyer, make_user, place):
    coupon = make_coupon(shop.store, claimable=False)
    fan, vip = make_user("fan"), make_user("vip")
    FavouriteStore.objects.create(user=fan, store=shop.store)
    pay(place((shop.bread, None, 1)))
    _base, regular, top = make_grades(shop.store)
    CustomerGrade.objects.create(store=shop.store, user=vip, grade=top)
    assert coupon_issue(coupon=coupon, actor=shop.owner, segment="favourites") == 1
    assert coupon_issue(coupon=coupon, actor=shop.owner, segment="past_buyers") == 1
    assert coupon_issue(coupon=coupon, actor=shop.owner, segment="grade", grade=regular) == 1
    assert coupon_issue(coupon=coupon, actor=shop.owner, segment="past_buyers") == 0
    assert set(UserCoupon.objects.values_list("user__username", "via")) == {
        ("fan", "favourites"),
        ("jimin", "past_buyers"),
        ("vip", "grade"),
    }
    with pytest.raises(LoyaltyError, match="No coupon has this code"):
        coupon_claim(user=make_user("stranger"), code=coupon.code)


def test_totals_with_grade_coupon_and_mileage(shop, buyer, grades):
    _base, regular, _vip = grades
    CustomerGrade.objects.create(store=shop.store, user=buyer, grade=regular)  # 5 %
    coupon = make_coupon(
        shop.store, discount_type="percent", value=10, max_discount=5000, min_order=20000
    )
    coupon_claim(user=buyer, code=coupon.code)
    give_mileage(buyer, 3000)
    cart_add(user=buyer, goods=shop.bread, quantity=6)  # 30,000 won: free shipping
    quote = quote_for(user=buyer, store=shop.store, benefits=Choice(coupon.pk, 1000))
    # grade 5 % of 30,000 = 1,500; coupon 10 % of 28,500 = 2,850; mileage 1,000
    assert (quote.subtotal, quote.discount, quote.total) == (30000, 5350, 24650)
    order = checkout(buyer, shop.store, coupon_id=coupon.pk, mileage=1000)
    assert (order.subtotal, order.shipping_fee, order.discount, order.total) == (
        30000,
        0,
        5350,
        24650,
    )
    lines = list(OrderBenefit.objects.filter(order=order).values_list("kind", "amount"))
    assert lines == [("grade", 1500), ("coupon", 2850), ("mileage", 1000)]
    coupon.refresh_from_db()
    assert coupon.used_count == 1
    assert balance_of(buyer) == 2000


def test_percent_coupon_respects_its_maximum_and_minimum(shop, buyer):
    coupon = make_coupon(
        shop.store, discount_type="percent", value=50, max_discount=3000, min_order=10000
    )
    coupon_claim(user=buyer, code=coupon.code)
    cart_add(user=buyer, goods=shop.bread, quantity=1)
    with pytest.raises(LoyaltyError, match="at least 10,000 won"):
        checkout(buyer, shop.store, coupon_id=coupon.pk)
    cart_add(user=buyer, goods=shop.bread, quantity=1)  # 10,000
    order = checkout(buyer, shop.store, coupon_id=coupon.pk)
    assert order.discount == 3000 and order.total == 10000


def test_per_user_limit_expiry_and_restore_on_cancel(shop, buyer):
    coupon = make_coupon(shop.store)
    coupon_claim(user=buyer, code=coupon.code)
    cart_add(user=buyer, goods=shop.bread, quantity=1)
    first = checkout(buyer, shop.store, coupon_id=coupon.pk)
    cart_add(user=buyer, goods=shop.bread, quantity=1)
    with pytest.raises(LoyaltyError, match="as often as allowed"):
        checkout(buyer, shop.store, coupon_id=coupon.pk)
    order_cancel(order=first, actor=buyer)
    coupon.refresh_from_db()
    assert coupon.used_count == 0
    again = checkout(buyer, shop.store, coupon_id=coupon.pk)
    assert again.discount == 2000
    Coupon.objects.filter(pk=coupon.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    order_cancel(order=again, actor=buyer)
    cart_add(user=buyer, goods=shop.bread, quantity=1)
    with pytest.raises(LoyaltyError, match="expired"):
        checkout(buyer, shop.store, coupon_id=coupon.pk)


def test_a_coupon_not_in_the_wallet_is_refused(shop, buyer):
    coupon = make_coupon(shop.store)
    cart_add(user=buyer, goods=shop.bread, quantity=1)
    with pytest.raises(LoyaltyError, match="not in your wallet"):
        checkout(buyer, shop.store, coupon_id=coupon.pk)
    assert not Order.objects.exists()


def test_checkout_page_applies_and_places_with_a_coupon(client, shop, buyer):
    coupon = make_coupon(shop.store, name="첫 구매 쿠폰")
    coupon_claim(user=buyer, code=coupon.code)
    cart_add(user=buyer, goods=shop.bread, quantity=2)
    client.force_login(buyer)
    page = client.get(f"/checkout/?store={shop.store.slug}").content.decode()
    assert "첫 구매 쿠폰" in page and 'name="mileage"' in page
    form = {"store": shop.store.slug, "coupon": coupon.pk, "payment_method": "test_card", **ADDRESS}
    applied = client.post("/checkout/", {**form, "apply_benefits": "1"}).content.decode()
    assert "11,000" in applied  # 10,000 + 3,000 − 2,000
    assert not Order.objects.exists()
    response = client.post("/checkout/", {**form, "expected_total": "11000"})
    order = Order.objects.get()
    assert response.status_code == 302 and order.total == 11000 and order.discount == 2000
    detail = client.get(f"/orders/{order.number}/").content.decode()
    assert "첫 구매 쿠폰" in detail


def test_coupon_link_page_puts_it_in_the_wallet(client, shop, buyer):
    coupon = make_coupon(shop.store, code="LINK1234")
    client.force_login(buyer)
    page = client.get("/coupons/LINK1234/").content.decode()
    assert coupon.name in page
    client.post("/coupons/LINK1234/")
    assert UserCoupon.objects.get(user=buyer).via == "link"
    assert coupon.name in client.get("/me/coupons/").content.decode()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_last_coupon_is_used_once_with_checkouts_at_once(make_user, shop):
    coupon = make_coupon(shop.store, total_quantity=1)
    buyers = [make_user(f"c{i}") for i in range(4)]
    for b in buyers:
        coupon_claim(user=b, code=coupon.code)
        cart_add(user=b, goods=shop.bread, quantity=1)
    barrier = threading.Barrier(len(buyers))
    results: list[str] = []
    lock = threading.Lock()

    def run(b) -> None:
        try:
            barrier.wait(timeout=30)
            checkout(b, shop.store, coupon_id=coupon.pk)
            outcome = "ok"
        except LoyaltyError as error:
            outcome = "run out" if "run out" in str(error) else f"other: {error}"
        except Exception as error:  # noqa: BLE001
            outcome = f"error: {error!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(b,)) for b in buyers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    close_old_connections()
    assert sorted(results) == ["ok", "run out", "run out", "run out"], results
    coupon.refresh_from_db()
    assert coupon.used_count == 1
    assert OrderBenefit.objects.filter(coupon=coupon).count() == 1
