"""A buyer on a phone finds goods by a two-syllable Korean word, keeps them as a favourite
from the search tile (a plain form: no JavaScript needed), finds them on "my favourites",
and copies the share text from the goods page."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_buyer_favourites_goods_from_search_and_copies_share_text(
    live_server_url, phone, screenshot_dir
):
    from shop.models import FavouriteGoods, Goods

    call_command("seed_demo", verbosity=0)
    bread = Goods.objects.get(name="우유 식빵")

    buyer = phone()
    sign_in(buyer, live_server_url, "minjun", "talkmall1234")
    buyer.goto(f"{live_server_url}/search/?q=식빵")
    tile = buyer.locator(".goods-tile-wrap", has=buyer.locator(f"a[data-goods='{bread.pk}']"))
    tile.locator("button.fav-btn").click()
    buyer.wait_for_load_state("networkidle")
    assert "/search/?q=" in buyer.url  # back where the buyer was
    assert tile.locator("button.fav-btn").get_attribute("aria-pressed") == "true"
    assert FavouriteGoods.objects.filter(user__username="minjun", goods=bread).exists()
    assert buyer.evaluate("document.documentElement.scrollWidth") <= 390

    buyer.goto(f"{live_server_url}/me/favourites/")
    assert buyer.locator(f"a.goods-tile[data-goods='{bread.pk}']").is_visible()
    buyer.screenshot(path=str(screenshot_dir / "favourites.png"), full_page=True)

    buyer.goto(f"{live_server_url}/goods/{bread.pk}/")
    buyer.locator(".share-box summary").click()
    text = buyer.locator(".share-box textarea").input_value()
    assert "우유 식빵" in text and f"/s/goods/{bread.pk}/" in text
    buyer.locator(".share-box button[data-copy]").click()
    status = buyer.locator(".share-box .share-status")
    status.wait_for(state="visible")
    buyer.wait_for_function("document.querySelector('.share-box .share-status').textContent")
    assert status.inner_text().strip()
    assert buyer.evaluate("document.documentElement.scrollWidth") <= 390
