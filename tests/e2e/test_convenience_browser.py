"""At 390 px: the boutique's owner makes "name" required on the join form; a buyer asks to join
the closed demo store (a missing answer is refused, then the form is filled); the seller, in
another browser context, reads the answers and approves with a message; the buyer saves a card
and pays a buy-now order in one tap — a double tap places and charges one order."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import seed_demo, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "talkmall1234"  # noqa: S105 - the demo accounts' published password


def fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_join_with_form_then_approved_then_one_tap_pay(live_server_url, phone, screenshot_dir):
    from chat.feedback.models import JoinAnswer
    from shop.models import Goods
    from shop.orders.models import Order, OrderStatus, TestCardCharge
    from shop.wallet.models import SavedCard

    seed_demo()
    base = live_server_url

    seller = phone()
    sign_in(seller, base, "boutique", PASSWORD)
    seller.goto(f"{base}/seller/stores/sodam-boutique/talk/join-form/")
    seller.check("input[name=name][value=required]")
    seller.click("form.join-settings button[type=submit]")
    seller.wait_for_load_state("networkidle")
    assert seller.locator("input[name=name][value=required]").is_checked()
    assert fits_phone(seller)
    seller.screenshot(path=str(screenshot_dir / "join-form-settings.png"), full_page=True)

    buyer = phone()
    sign_in(buyer, base, "minjun", PASSWORD)
    buyer.goto(f"{base}/stores/sodam-boutique/")
    assert "89,000" not in buyer.content()
    buyer.click(".store-join button[name=join]")  # the required name is empty
    buyer.wait_for_load_state("networkidle")
    assert buyer.locator(".join-form .errorlist").count() == 1
    assert JoinAnswer.objects.count() == 2  # only seoyeon's demo answers
    buyer.fill(".join-form textarea, .join-form input[autocomplete=name]", "박민준")
    buyer.locator(".join-form input[type=text]").last.fill("친구 추천")
    assert fits_phone(buyer)
    buyer.screenshot(path=str(screenshot_dir / "join-form-buyer.png"), full_page=True)
    buyer.click(".join-form button[name=join]")
    buyer.wait_for_load_state("networkidle")
    assert "/stores/sodam-boutique/" in buyer.url

    seller.goto(f"{base}/seller/stores/sodam-boutique/talk/")
    request = seller.locator(".manage-request[data-user=minjun]")
    assert "박민준" in request.inner_text() and "친구 추천" in request.inner_text()
    assert fits_phone(seller)
    seller.screenshot(path=str(screenshot_dir / "join-requests-with-answers.png"), full_page=True)
    request.locator("details.manage-reject summary").first.click()
    request.locator("input[name=message]").first.fill("환영합니다! 신상 먼저 보여드릴게요")
    request.locator("button[name=approve_with_message]").click()
    seller.wait_for_load_state("networkidle")
    assert seller.locator(".manage-request[data-user=minjun]").count() == 0

    buyer.goto(f"{base}/talk/")
    assert "환영합니다! 신상 먼저 보여드릴게요" in buyer.locator(".join-decision").inner_text()
    buyer.screenshot(path=str(screenshot_dir / "my-talks-approved.png"), full_page=True)

    buyer.goto(f"{base}/me/cards/")
    buyer.fill("input[name=card_number]", "4242 4242 4242 4242")
    buyer.fill("input[name=label]", "생활비 카드")
    buyer.click("form.card button[type=submit]")
    buyer.wait_for_load_state("networkidle")
    assert buyer.locator(".wallet-card").count() == 1
    assert fits_phone(buyer)
    buyer.screenshot(path=str(screenshot_dir / "saved-cards.png"), full_page=True)
    assert SavedCard.objects.get().last4 == "4242"

    cardigan = Goods.objects.get(name="캐시미어 니트 가디건")
    buyer.goto(f"{base}/goods/{cardigan.pk}/")
    assert "89,000" in buyer.content()  # a member now
    buyer.click("[data-role=buy-now]")
    buyer.wait_for_load_state("networkidle")
    assert "/checkout/" in buyer.url
    buyer.fill("input[name=recipient]", "박민준")
    buyer.fill("input[name=phone]", "010-9876-5432")
    buyer.fill("input[name=postcode]", "04524")
    buyer.fill("input[name=address]", "서울특별시 중구 세종대로 110")
    pay = buyer.locator("button.one-tap-pay")
    assert "4242" in pay.inner_text()
    assert fits_phone(buyer)
    buyer.screenshot(path=str(screenshot_dir / "checkout-one-tap.png"), full_page=True)
    pay.dblclick()  # a double tap
    buyer.wait_for_url("**/orders/*/")
    buyer.wait_for_load_state("networkidle")
    order = Order.objects.get(buyer__username="minjun", store__slug="sodam-boutique")
    assert buyer.url.endswith(f"/orders/{order.number}/")
    assert order.status == OrderStatus.PAID
    assert TestCardCharge.objects.filter(amount=order.total).count() == 1
    assert Order.objects.filter(buyer__username="minjun", store__slug="sodam-boutique").count() == 1
    assert fits_phone(buyer)
    buyer.screenshot(path=str(screenshot_dir / "order-paid-one-tap.png"), full_page=True)


def test_completed_order_brings_a_live_rating_card(live_server_url, phone, screenshot_dir):
    from chat.feedback.models import CsatSurvey
    from chat.models import Channel
    from shop.orders.models import Order, OrderStatus

    seed_demo()
    CsatSurvey.objects.all().delete()  # the demo's rated card would hold the next one back
    order = Order.objects.get(buyer__username="jimin", store__slug="dalkom-bakery")
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.DELIVERED)
    channel = Channel.objects.get(kind="direct", buyer__username="jimin")

    buyer = phone()
    sign_in(buyer, live_server_url, "jimin", PASSWORD)
    buyer.goto(f"{live_server_url}/talk/{channel.pk}/")
    buyer.wait_for_selector(".talk[data-live] [data-role=status]:text-is('')", state="attached")
    orders = buyer.context.new_page()
    orders.goto(f"{live_server_url}/orders/{order.number}/")
    orders.click(f"form[action$='/orders/{order.number}/confirm/'] button")
    orders.wait_for_load_state("networkidle")

    card = buyer.locator(".talk-list .csat-card form.csat-form")
    card.wait_for(timeout=10_000)  # arrived live over the websocket, rendered by csat.js
    assert buyer.locator(".csat-form").count() == 1  # one card for this episode
    assert fits_phone(buyer)
    buyer.screenshot(path=str(screenshot_dir / "csat-card-live.png"), full_page=True)
    card.locator("label", has_text="4").click()
    card.locator("textarea[name=comment]").fill("포장이 꼼꼼해요")
    card.locator("button[type=submit]").click()
    buyer.wait_for_load_state("networkidle")
    assert "4 / 5" in buyer.locator(".csat-done").last.inner_text()
    survey = CsatSurvey.objects.get()
    assert (survey.score, survey.comment, survey.trigger) == (4, "포장이 꼼꼼해요", "order")
