from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_seller_registers_goods_with_options_and_buyer_finds_it_by_korean_search(
    live_server_url, phone, screenshot_dir
):
    from shop.models import Goods

    call_command("seed_demo", verbosity=0)

    seller = phone()
    sign_in(seller, live_server_url, "bakery", "talkmall1234")
    seller.goto(f"{live_server_url}/seller/stores/dalkom-bakery/goods/new/")
    assert _fits_phone(seller)
    seller.fill("input[name=name]", "통밀 니트 식빵 장갑")
    seller.select_option("select[name=category]", "bakery")
    seller.fill("input[name=price]", "12900")
    seller.fill("textarea[name=description]", "오븐용 두꺼운 장갑")
    seller.fill("input[name='options-0-name']", "S")
    seller.fill("input[name='options-0-stock']", "3")
    seller.fill("input[name='options-1-name']", "L")
    seller.fill("input[name='options-1-price_delta']", "1000")
    seller.fill("input[name='options-1-stock']", "0")
    seller.click(".goods-form button[type=submit]")
    seller.wait_for_load_state("networkidle")
    seller.screenshot(path=str(screenshot_dir / "seller-goods-saved.png"), full_page=True)
    goods = Goods.objects.get(name="통밀 니트 식빵 장갑")
    assert [(o.name, o.stock) for o in goods.options.all()] == [("S", 3), ("L", 0)]
    assert _fits_phone(seller)

    buyer = phone()
    sign_in(buyer, live_server_url, "minjun", "talkmall1234")
    buyer.goto(f"{live_server_url}/")
    buyer.fill("input[name=q]", "니트")
    buyer.press("input[name=q]", "Enter")
    buyer.wait_for_load_state("networkidle")
    assert _fits_phone(buyer)
    tile = buyer.locator(f"a.goods-tile[data-goods='{goods.pk}']")
    assert tile.is_visible()
    assert "12,900" in tile.inner_text()
    # The closed boutique's cardigan matches by name but shows no price to minjun.
    cardigan = buyer.locator("a.goods-tile", has_text="캐시미어 니트 가디건")
    assert "89,000" not in cardigan.inner_text()
    buyer.screenshot(path=str(screenshot_dir / "buyer-search.png"), full_page=True)

    tile.click()
    buyer.wait_for_load_state("networkidle")
    assert buyer.locator("h1").inner_text() == "통밀 니트 식빵 장갑"
    assert buyer.locator("select[name=option] option").count() == 2
    assert buyer.locator("select[name=option] option[disabled]").inner_text().startswith("L")
    assert _fits_phone(buyer)
    buyer.screenshot(path=str(screenshot_dir / "buyer-goods.png"), full_page=True)
