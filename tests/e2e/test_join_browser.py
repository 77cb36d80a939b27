"""A buyer asks to join the closed demo store from its page; the seller approves on the
seller's talk page in another browser; the buyer then sees the members-only prices."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "talkmall1234"  # noqa: S105 - the demo accounts' published password


def no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_request_to_join_then_seller_approves(live_server_url, phone, screenshot_dir):
    call_command("seed_demo", verbosity=0)
    store_url = f"{live_server_url}/stores/sodam-boutique/"

    buyer = phone()
    sign_in(buyer, live_server_url, "minjun", PASSWORD)
    buyer.goto(store_url)
    assert "89,000" not in buyer.content()
    buyer.click("button[name=join]")
    buyer.wait_for_load_state("networkidle")
    assert buyer.locator(".store-join").inner_text().strip() != ""
    assert "89,000" not in buyer.content()
    no_horizontal_scroll(buyer)
    buyer.screenshot(path=str(screenshot_dir / "join-requested.png"), full_page=True)

    seller = phone()
    sign_in(seller, live_server_url, "boutique", PASSWORD)
    seller.goto(f"{live_server_url}/seller/stores/sodam-boutique/talk/")
    requests = seller.locator(".manage-request")
    # seoyeon (from the demo data) and minjun are both waiting.
    assert requests.count() == 2
    no_horizontal_scroll(seller)
    seller.screenshot(path=str(screenshot_dir / "seller-talk.png"), full_page=True)
    seller.click(".manage-request[data-user=minjun] button[name=approve]")
    seller.wait_for_load_state("networkidle")
    assert seller.locator(".manage-request").count() == 1
    assert seller.locator("#members").inner_text().count("민준") == 1

    buyer.reload()
    buyer.wait_for_load_state("networkidle")
    assert "89,000" in buyer.content()
    assert buyer.locator("button[name=join]").count() == 0
    no_horizontal_scroll(buyer)
    buyer.screenshot(path=str(screenshot_dir / "join-approved.png"), full_page=True)
