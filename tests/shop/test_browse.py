from __future__ import annotations

import pytest

from shop.models import Goods
from shop.services.goods import goods_create

pytestmark = pytest.mark.django_db

PRICES = ("89,000", "91,000", "59,000")  # 소담부티크: cardigan, its L option, denim


def _no_price(page: str) -> bool:
    return not any(p in page for p in PRICES)


def test_closed_store_non_member_sees_no_price_anywhere(client, demo, django_user_model):
    cardigan = Goods.objects.get(name="캐시미어 니트 가디건")
    pages = ["/", "/stores/sodam-boutique/", f"/goods/{cardigan.pk}/", "/search/?q=니트"]
    for user in (None, django_user_model.objects.get(username="minjun")):
        if user:
            client.force_login(user)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            assert _no_price(page), url
            assert "S / 아이보리" not in page, url  # options are member-only too
    # Pending (seoyeon) is not a member yet either.
    client.force_login(django_user_model.objects.get(username="seoyeon"))
    assert _no_price(client.get(f"/goods/{cardigan.pk}/").content.decode())


def test_closed_store_member_sees_price_and_options(client, demo, django_user_model):
    cardigan = Goods.objects.get(name="캐시미어 니트 가디건")
    client.force_login(django_user_model.objects.get(username="jimin"))
    page = client.get(f"/goods/{cardigan.pk}/").content.decode()
    assert "89,000" in page and "91,000" in page and "S / 아이보리" in page


def test_search_finds_two_syllable_korean_words(client, demo, django_user_model):
    page = client.get("/search/?q=식빵").content.decode()
    assert "우유 식빵" in page and "소금빵" not in page
    # 니트 is inside 캐시미어 니트 가디건's name: found, but without its price for a guest.
    page = client.get("/search/?q=니트").content.decode()
    assert "캐시미어 니트 가디건" in page and "89,000" not in page
    # A word only in a closed store's tags/description is member-only.
    assert "와이드 데님 팬츠" not in client.get("/search/?q=청바지").content.decode()
    client.force_login(django_user_model.objects.get(username="jimin"))
    assert "와이드 데님 팬츠" in client.get("/search/?q=청바지").content.decode()


def test_search_paginates(client, seller_store):
    store, owner = seller_store
    for n in range(25):
        goods_create(
            store=store,
            actor=owner,
            fields={"name": f"식빵 {n:02d}", "category": "bakery", "price": 1000, "stock": 1},
        )
    first = client.get("/search/?q=식빵").content.decode()
    second = client.get("/search/?q=식빵&page=2").content.decode()
    assert first.count('class="tile goods-tile"') == 20
    assert second.count('class="tile goods-tile"') == 5
    assert "page=2" in first


def test_goods_page_shows_option_stock_state(client, demo, django_user_model):
    cardigan = Goods.objects.get(name="캐시미어 니트 가디건")
    client.force_login(django_user_model.objects.get(username="jimin"))
    page = client.get(f"/goods/{cardigan.pk}/").content.decode()
    assert "M / 차콜" in page
    assert 'name="quantity"' in page
    assert "disabled>M / 차콜" in page  # sold-out option cannot be chosen


def test_home_lists_featured_stores_new_and_popular_goods(client, demo):
    page = client.get("/").content.decode()
    assert "달콤베이커리" in page and "우유 식빵" in page
    assert 'action="/search/"' in page


def test_store_front_shows_delivery_and_business_info(client, demo):
    page = client.get("/stores/dalkom-bakery/").content.decode()
    assert "220-81-62517" in page and "30,000" in page


def test_store_list_category_filter_and_unknown_category(client, demo):
    assert "소담부티크" in client.get("/stores/?category=fashion").content.decode()
    page = client.get("/stores/?category=nope").content.decode()
    assert "달콤베이커리" in page and "소담부티크" in page
