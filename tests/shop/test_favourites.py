"""Favourites: toggle buttons (plain POST forms) and the "my favourites" page."""

from __future__ import annotations

import pytest

from shop.models import FavouriteGoods, FavouriteStore, Goods

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer(client, demo, django_user_model):
    user = django_user_model.objects.get(username="minjun")  # not a member of 소담부티크
    client.force_login(user)
    return user


def test_favourite_store_toggle_adds_then_removes(client, buyer):
    page = client.get("/stores/dalkom-bakery/").content.decode()
    assert 'action="/favourites/stores/dalkom-bakery/"' in page
    response = client.post("/favourites/stores/dalkom-bakery/", {"next": "/stores/dalkom-bakery/"})
    assert response.status_code == 302 and response["Location"] == "/stores/dalkom-bakery/"
    assert FavouriteStore.objects.filter(user=buyer, store__slug="dalkom-bakery").exists()
    assert 'aria-pressed="true"' in client.get("/stores/dalkom-bakery/").content.decode()
    client.post("/favourites/stores/dalkom-bakery/")
    assert not FavouriteStore.objects.filter(user=buyer).exists()


def test_favourite_goods_toggle_from_tile_and_page(client, buyer):
    bread = Goods.objects.get(name="우유 식빵")
    home = client.get("/").content.decode()
    assert f'action="/favourites/goods/{bread.pk}/"' in home
    client.post(f"/favourites/goods/{bread.pk}/", {"next": "/"})
    assert FavouriteGoods.objects.filter(user=buyer, goods=bread).exists()
    page = client.get(f"/goods/{bread.pk}/").content.decode()
    assert 'aria-pressed="true"' in page
    client.post(f"/favourites/goods/{bread.pk}/")
    assert not FavouriteGoods.objects.filter(user=buyer, goods=bread).exists()


def test_favourite_toggle_ignores_foreign_next(client, buyer):
    response = client.post("/favourites/stores/dalkom-bakery/", {"next": "https://evil.example/"})
    assert response["Location"] == "/stores/dalkom-bakery/"


def test_favourite_anonymous_is_sent_to_sign_in(client, demo):
    response = client.post("/favourites/stores/dalkom-bakery/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not FavouriteStore.objects.exists()


def test_favourite_missing_goods_is_404(client, buyer):
    assert client.post("/favourites/goods/999999/").status_code == 404
    assert client.get("/favourites/stores/dalkom-bakery/").status_code == 405


def test_my_favourites_page_lists_and_hides_closed_prices(client, buyer):
    bread = Goods.objects.get(name="우유 식빵")
    cardigan = Goods.objects.get(name="캐시미어 니트 가디건")
    client.post("/favourites/stores/sodam-boutique/")
    client.post(f"/favourites/goods/{bread.pk}/")
    client.post(f"/favourites/goods/{cardigan.pk}/")
    page = client.get("/me/favourites/").content.decode()
    assert "소담부티크" in page and "우유 식빵" in page and "캐시미어 니트 가디건" in page
    assert "5,500" in page
    assert "89,000" not in page and "129,000" not in page  # closed store: no price for minjun
    assert "/me/favourites/" in client.get("/me/").content.decode()


def test_my_favourites_empty_and_needs_sign_in(client, buyer):
    page = client.get("/me/favourites/").content.decode()
    assert "No favourite stores yet" in page or "찜한 스토어가 아직 없어요" in page
    client.logout()
    assert client.get("/me/favourites/").status_code == 302


def test_my_favourites_skip_hidden_goods(client, buyer):
    bread = Goods.objects.get(name="우유 식빵")
    client.post(f"/favourites/goods/{bread.pk}/")
    Goods.objects.filter(pk=bread.pk).update(status=Goods.Status.HIDDEN)
    assert "우유 식빵" not in client.get("/me/favourites/").content.decode()
