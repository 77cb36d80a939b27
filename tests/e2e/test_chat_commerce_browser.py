"""Issue 6's browser test, on 390 px phones: the seller shares goods in a goods talk, the buyer
taps the product card's buy button, pays with the test card, and watches the order card in
the 1:1 chat turn "shipped" when the seller enters a tracking number in another context."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import seed_demo, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE = (
    "() => window.TalkmallTalk && window.TalkmallTalk.panes.length"
    " && window.TalkmallTalk.panes[0].ws && window.TalkmallTalk.panes[0].ws.readyState === 1"
)


def _fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_buy_from_product_card_and_watch_order_card_ship(live_server_url, phone, screenshot_dir):
    from chat.models import Channel, Message
    from shop.models import Goods
    from shop.orders.models import Order, OrderStatus
    from shop.pricing import price_for

    seed_demo()
    bread = Goods.objects.get(name="우유 식빵")
    buyer, seller = phone(), phone()
    sign_in(buyer, live_server_url, "minjun", "talkmall1234")
    sign_in(seller, live_server_url, "bakery", "talkmall1234")
    for page in (buyer, seller):
        page.goto(f"{live_server_url}/goods/{bread.pk}/")
        page.wait_for_function(LIVE)

    # The seller shares the goods from the pane; the card reaches the buyer's pane live.
    seller.click(".talk [data-role=share] summary")
    seller.select_option(".talk-share-form select", str(bread.pk))
    seller.click(".talk-share-form button[type=submit]")
    card = buyer.locator(".talk .msg .pcard")
    card.wait_for(timeout=10_000)
    message = Message.objects.get(kind="product_card")
    assert f"{price_for(bread):,}" in card.locator(".pcard-price").inner_text()
    # The seller's pane did not reload: the card arrived on its socket, with the action menu
    # of a manager's own message (issue 4: live messages get menus too).
    live = seller.locator(f".talk #msg-{message.pk}")
    live.locator(".pcard").wait_for(timeout=10_000)
    live.locator(".msg-more summary").click()
    assert live.locator(".msg-actions button", has_text="삭제").is_visible()
    assert live.locator(".msg-actions button", has_text="고정").is_visible()
    seller.wait_for_function("() => !document.querySelector('.talk [data-role=share]').open")
    assert _fits_phone(buyer)
    buyer.locator(".talk").scroll_into_view_if_needed()
    buyer.screenshot(path=str(screenshot_dir / "goods-talk-card.png"))

    # Buy now: option + quantity form, checkout of the store, test card.
    card.locator("[data-role=buy]").click()
    buyer.wait_for_load_state("networkidle")
    buyer.fill("input[name=quantity]", "2")
    buyer.click("button[name=buy_now]")
    buyer.wait_for_load_state("networkidle")
    assert "/checkout/" in buyer.url and "from_message=" in buyer.url
    buyer.fill("input[name=recipient]", "박민준")
    buyer.fill("input[name=phone]", "010-9876-5432")
    buyer.fill("input[name=postcode]", "04524")
    buyer.fill("input[name=address]", "서울특별시 중구 세종대로 110")
    buyer.click("form.checkout-form > button.btn-block[type=submit]")  # Place order
    buyer.wait_for_load_state("networkidle")
    buyer.fill("input[name=card_number]", "4242 4242 4242 4242")
    buyer.click("form.pay-form button[type=submit]")
    buyer.wait_for_load_state("networkidle")
    order = Order.objects.get(buyer__username="minjun")
    assert order.status == OrderStatus.PAID
    assert order.from_message_id == message.pk
    assert order.from_channel == Channel.objects.get(kind="goods", goods=bread)

    # The order card in the 1:1 chat with the store, then shipped live.
    direct = Channel.objects.get(kind="direct", buyer__username="minjun", store=bread.store)
    buyer.goto(f"{live_server_url}/talk/{direct.pk}/")
    buyer.wait_for_function(LIVE)
    order_card = buyer.locator(f".ocard[data-order='{order.number}']")
    assert order_card.get_attribute("data-status") == "paid"
    assert f"{order.total:,}" in order_card.inner_text() and "× 2" in order_card.inner_text()
    seller.goto(f"{live_server_url}/seller/stores/dalkom-bakery/orders/?tab=new")
    seller.fill(f"input[name='tracking_{order.number}']", "612345678901")
    seller.click("form.form button.btn-primary")
    seller.wait_for_load_state("networkidle")
    buyer.locator(f".ocard[data-order='{order.number}'][data-status=shipped]").wait_for(
        timeout=10_000
    )
    tracking = buyer.locator(".ocard [data-role=order-tracking] a")
    assert "612345678901" in tracking.get_attribute("href")
    # The buyer asks about the order right under the card.
    box = buyer.locator(".talk textarea[name=body]")
    box.fill("언제 도착하나요?")
    box.press("Enter")
    buyer.locator(".talk .msg.mine[data-id]", has_text="언제 도착하나요?").wait_for(timeout=10_000)
    assert _fits_phone(buyer)
    buyer.screenshot(path=str(screenshot_dir / "direct-order-card.png"))
