"""A buyer on a 390 px phone takes a coupon by its link, uses it with mileage at checkout and
sees the discount lines on the order; the seller sees the use on the coupon page."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_coupon_by_link_and_mileage_at_checkout(live_server_url, phone, screenshot_dir):
    from shop.loyalty.models import Coupon
    from shop.loyalty.services.mileage import balance_of
    from shop.models import Goods
    from shop.orders.models import Order

    call_command("seed_demo", verbosity=0)
    buyer = phone()
    sign_in(buyer, live_server_url, "jimin", "talkmall1234")
    buyer.goto(f"{live_server_url}/coupons/WELCOME3000/")
    buyer.click("form button.btn-primary")
    buyer.wait_for_load_state("networkidle")
    assert buyer.url.endswith("/me/coupons/")
    assert "첫 구매 3,000원 할인" in buyer.content()
    bread = Goods.objects.get(name="우유 식빵")
    buyer.goto(f"{live_server_url}/goods/{bread.pk}/")
    buyer.fill("#goods-qty", "4")
    buyer.click("[data-role=buy-now]")
    buyer.wait_for_load_state("networkidle")
    assert "/checkout/" in buyer.url
    coupon = Coupon.objects.get(code="WELCOME3000")
    buyer.select_option("#id_coupon", str(coupon.pk))
    buyer.fill("#id_mileage", "1000")
    buyer.click("input[name=apply_benefits]")
    buyer.wait_for_load_state("networkidle")
    total = buyer.locator("[data-role=total]").inner_text()
    assert _fits_phone(buyer)
    buyer.screenshot(path=str(screenshot_dir / "loyalty-checkout.png"), full_page=True)
    buyer.click("form.checkout-form button.btn-block[type=submit]")
    buyer.wait_for_load_state("networkidle")
    order = Order.objects.filter(buyer__username="jimin").latest("id")
    assert order.discount == 4000
    assert order.total == order.subtotal + order.shipping_fee - 4000
    assert f"{order.total:,}" in total  # the summary shown was what was charged
    assert balance_of(order.buyer) == 1000
    buyer.goto(f"{live_server_url}/orders/{order.number}/")
    assert "첫 구매 3,000원 할인" in buyer.content()
    assert _fits_phone(buyer)

    seller = phone()
    sign_in(seller, live_server_url, "bakery", "talkmall1234")
    seller.goto(f"{live_server_url}/seller/stores/dalkom-bakery/loyalty/coupons/")
    assert "WELCOME3000" in seller.content()
    assert _fits_phone(seller)
    seller.screenshot(path=str(screenshot_dir / "loyalty-seller-coupons.png"), full_page=True)
