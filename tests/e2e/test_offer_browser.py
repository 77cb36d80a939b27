"""Haggling on a 390 px phone: the buyer offers a price from the goods page, the seller (in
another browser) counters from the 1:1 chat, the buyer accepts live, buys with the
price-locked button and pays the agreed price. The bot answers a shipping question on the way.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import seed_demo, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_buyer_haggles_seller_counters_buyer_pays_the_agreed_price(
    live_server_url, phone, screenshot_dir
):
    from chat.bot.models import Offer, PriceLock, StoreBot
    from shop.models import Goods, Store
    from shop.orders.models import Order, OrderStatus

    seed_demo()
    store = Store.objects.get(slug="dalkom-bakery")
    StoreBot.objects.filter(store=store).update(
        offers_enabled=True,
        max_discount_percent=20,
        auto_accept_percent=None,
        reward_percent=None,
        quiet_reply=False,
    )
    bread = Goods.objects.get(name="우유 식빵")  # 5,500 won

    buyer = phone()
    sign_in(buyer, live_server_url, "jimin", "talkmall1234")
    buyer.goto(f"{live_server_url}/goods/{bread.pk}/")
    buyer.click("[data-role=make-offer]")
    buyer.fill("input[name=price]", "0")
    buyer.click("[data-role=offer-new] button[type=submit]")
    assert buyer.locator(".errorlist").count() >= 1  # refused, nothing stored
    assert not Offer.objects.exists()
    buyer.fill("input[name=quantity]", "2")
    buyer.fill("input[name=price]", "4500")
    buyer.click("[data-role=offer-new] button[type=submit]")
    buyer.wait_for_url("**/talk/*/**")
    offer = Offer.objects.get()
    talk_url = f"{live_server_url}/talk/{offer.channel_id}/"
    buyer.locator('.offer-card[data-step="offer"]').wait_for()
    assert buyer.locator("[data-action=accept]").count() == 0  # the seller's turn

    seller = phone()
    sign_in(seller, live_server_url, "bakery", "talkmall1234")
    seller.goto(talk_url)
    card = seller.locator('.offer-card[data-step="offer"]')
    card.locator("input[name=price]").fill("5000")
    card.locator("[data-action=counter]").click()

    # The counter-offer arrives live on the buyer's phone, with the buyer's buttons.
    counter = buyer.locator('.offer-card[data-step="counter"]')
    counter.wait_for()
    assert "5,000" in counter.inner_text()
    assert buyer.locator('.offer-card[data-step="offer"] [data-action]').count() == 0
    # The bot answers a question right after it, marked as automatic.
    buyer.fill("textarea[name=body]", "배송비 얼마예요?")
    buyer.keyboard.press("Enter")
    buyer.locator(".msg-auto .msg-body:has-text('3,000')").wait_for()
    counter.locator("[data-action=accept]").click()
    buy = buyer.locator("[data-role=lock-buy]")
    buy.wait_for()
    assert "5,000" in buy.inner_text()
    seller.locator('.offer-card[data-step="accept"]').wait_for()
    assert seller.locator("[data-role=lock-buy]").count() == 0  # for that buyer only
    assert _fits_phone(buyer)
    buyer.screenshot(path=str(screenshot_dir / "offer-pane.png"))

    buy.click()
    buyer.wait_for_url("**/checkout/**")
    buyer.fill("input[name=recipient]", "김지민")
    buyer.fill("input[name=phone]", "010-1234-5678")
    buyer.fill("input[name=postcode]", "04524")
    buyer.fill("input[name=address]", "서울특별시 중구 세종대로 110")
    assert "13,000" in buyer.locator("[data-role=total]").inner_text()  # 2 × 5,000 + 3,000
    assert _fits_phone(buyer)
    buyer.click("form.checkout-form > button.btn-block[type=submit]")  # Place order
    buyer.wait_for_url("**/pay/**")
    buyer.fill("input[name=card_number]", "4242 4242 4242 4242")
    buyer.click("form.pay-form button[type=submit]")
    buyer.wait_for_load_state("networkidle")
    lock = PriceLock.objects.get()
    order = Order.objects.get(pk=lock.order_id)
    assert buyer.url.endswith(f"/orders/{order.number}/")
    assert order.status == OrderStatus.PAID and lock.used_at is not None
    line = order.lines.get()
    assert (line.unit_price, line.quantity, order.total) == (5000, 2, 13000)

    # The button is spent: a second tap says so and opens no checkout.
    buyer.goto(talk_url)
    assert buyer.locator("[data-role=lock-buy]").count() == 0
    assert (
        "Bought at this price." in buyer.content() or "이 가격으로 구매했습니다." in buyer.content()
    )
