"""A buyer on a 390 px phone: adds demo goods to the cart, checks out with the test card, sees
the order paid; the seller marks it shipped and the buyer sees the tracking link."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_buyer_checks_out_with_test_card_and_sees_order_paid(
    live_server_url, phone, screenshot_dir
):
    from shop.models import Goods
    from shop.orders.models import Order, OrderStatus

    call_command("seed_demo", verbosity=0)
    bread = Goods.objects.get(name="우유 식빵")
    stock = bread.stock

    buyer = phone()
    sign_in(buyer, live_server_url, "minjun", "talkmall1234")
    salt = Goods.objects.get(name="소금빵 4개입")
    buyer.goto(f"{live_server_url}/goods/{salt.pk}/")
    buyer.click("[data-role=add-to-cart]")
    buyer.wait_for_load_state("networkidle")
    assert buyer.url.endswith("/cart/")
    assert buyer.locator("[data-role=cart-count]").inner_text() == "1"
    assert _fits_phone(buyer)
    buyer.screenshot(path=str(screenshot_dir / "cart.png"), full_page=True)
    buyer.click(".cart-line button.btn-danger")
    buyer.wait_for_load_state("networkidle")
    assert buyer.locator(".cart-line").count() == 0
    buyer.goto(f"{live_server_url}/goods/{bread.pk}/")
    buyer.fill("#goods-qty", "2")
    buyer.click("[data-role=buy-now]")
    buyer.wait_for_load_state("networkidle")
    assert "/checkout/" in buyer.url
    buyer.fill("input[name=recipient]", "박민준")
    buyer.fill("input[name=phone]", "010-9876-5432")
    buyer.fill("input[name=postcode]", "04524")
    buyer.fill("input[name=address]", "서울특별시 중구 세종대로 110")
    buyer.check("input[name=save_address]")
    assert "14,000" in buyer.locator("[data-role=total]").inner_text()  # 11,000 + 3,000
    assert _fits_phone(buyer)
    buyer.screenshot(path=str(screenshot_dir / "checkout.png"), full_page=True)
    buyer.click("form.checkout-form button[type=submit]")
    buyer.wait_for_load_state("networkidle")
    assert "/pay/" in buyer.url
    buyer.fill("input[name=card_number]", "4000 0000 0000 0002")
    buyer.click("form.pay-form button[type=submit]")
    buyer.wait_for_load_state("networkidle")
    assert buyer.locator(".errorlist").count() == 1  # declined, shown in the form
    buyer.fill("input[name=card_number]", "4242 4242 4242 4242")
    buyer.click("form.pay-form button[type=submit]")
    buyer.wait_for_load_state("networkidle")
    order = Order.objects.get(buyer__username="minjun")
    assert buyer.url.endswith(f"/orders/{order.number}/")
    assert order.status == OrderStatus.PAID
    assert buyer.locator(".order-status-paid").is_visible()
    assert _fits_phone(buyer)
    buyer.screenshot(path=str(screenshot_dir / "order-paid.png"), full_page=True)
    bread.refresh_from_db()
    assert bread.stock == stock - 2

    seller = phone()
    sign_in(seller, live_server_url, "bakery", "talkmall1234")
    seller.goto(f"{live_server_url}/seller/stores/dalkom-bakery/orders/?tab=new")
    seller.fill(f"input[name='tracking_{order.number}']", "612345678901")
    assert _fits_phone(seller)
    seller.screenshot(path=str(screenshot_dir / "seller-orders.png"), full_page=True)
    seller.click("form.form button.btn-primary")
    seller.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED

    buyer.reload()
    link = buyer.locator("[data-role=tracking-link]")
    assert "612345678901" in link.get_attribute("href")
    buyer.screenshot(path=str(screenshot_dir / "order-shipped.png"), full_page=True)
