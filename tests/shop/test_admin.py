from __future__ import annotations

import pytest

from shop.models import Goods, Store

pytestmark = pytest.mark.django_db


def test_seller_admin_shows_only_own_store_goods(client, demo, django_user_model):
    bakery = django_user_model.objects.get(username="bakery")
    assert bakery.is_staff and not bakery.is_superuser
    client.force_login(bakery)
    page = client.get("/admin/shop/goods/").content.decode()
    assert "우유 식빵" in page
    assert "캐시미어 니트 가디건" not in page and "와이드 데님 팬츠" not in page
    other = Goods.objects.get(name="캐시미어 니트 가디건")
    assert client.get(f"/admin/shop/goods/{other.pk}/change/").status_code in (302, 404)
    stores = client.get("/admin/shop/store/").content.decode()
    assert "달콤베이커리" in stores and "소담부티크" not in stores
    # Applications and other apps are staff-only.
    assert client.get("/admin/shop/storeapplication/").status_code == 403


def test_seller_admin_edits_own_goods(client, demo, django_user_model):
    bakery = django_user_model.objects.get(username="bakery")
    client.force_login(bakery)
    goods = Goods.objects.get(name="우유 식빵")
    page = client.get(f"/admin/shop/goods/{goods.pk}/change/").content.decode()
    assert "우유 식빵" in page
    # The store choice on the form lists only the seller's own store.
    boutique = Store.objects.get(slug="sodam-boutique")
    assert f'value="{boutique.pk}"' not in page


def test_superuser_admin_sees_every_store(client, demo, django_user_model):
    client.force_login(django_user_model.objects.get(username="admin"))
    page = client.get("/admin/shop/goods/").content.decode()
    assert "우유 식빵" in page and "캐시미어 니트 가디건" in page
