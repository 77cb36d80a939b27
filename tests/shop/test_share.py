"""Share links: preview pages for people who are not members, with Open Graph tags and
never a closed store's price; share boxes with a ready text and a copy button."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from shop.models import Goods, Store
from shop.services.promotions import promotion_create

pytestmark = pytest.mark.django_db

CLOSED_PRICES = ("89,000", "91,000", "129,000", "59,000")


def _og(page: str, prop: str) -> str | None:
    match = re.search(rf'<meta property="og:{prop}" content="([^"]*)"', page)
    return match.group(1) if match else None


def test_share_goods_preview_of_closed_store_has_og_and_no_price(client, demo, django_user_model):
    cardigan = Goods.objects.get(name="캐시미어 니트 가디건")
    for user in (None, django_user_model.objects.get(username="minjun")):
        if user:
            client.force_login(user)
        page = client.get(f"/s/goods/{cardigan.pk}/").content.decode()
        assert "캐시미어 니트 가디건" in _og(page, "title")
        assert _og(page, "description")
        assert _og(page, "image").startswith("http://testserver/")
        assert not any(price in page for price in CLOSED_PRICES)
        assert "부드러운 캐시미어" not in page  # the goods' own details are member-only too


def test_share_goods_preview_of_open_store_shows_price(client, demo):
    bread = Goods.objects.get(name="우유 식빵")
    page = client.get(f"/s/goods/{bread.pk}/").content.decode()
    assert "5,500" in page and _og(page, "title").startswith("우유 식빵")
    assert "/accounts/signup/" in page and "/accounts/login/" in page


def test_share_store_preview_has_og_and_join_call(client, demo):
    page = client.get("/s/store/sodam-boutique/").content.decode()
    assert _og(page, "title") == "소담부티크"
    assert "회원 전용 의류 편집숍" in _og(page, "description")
    assert _og(page, "image").endswith(".png")
    assert not any(price in page for price in CLOSED_PRICES)


def test_share_promotion_preview_and_members_only_hidden(client, demo, django_user_model):
    boutique = Store.objects.get(slug="sodam-boutique")
    owner = django_user_model.objects.get(username="boutique")
    cardigan = Goods.objects.get(name="캐시미어 니트 가디건")
    now = timezone.now()
    fields = {
        "kind": "discount",
        "title": "회원 감사 할인",
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(days=1),
        "discount_type": "percent",
        "discount_value": 10,
    }
    public = promotion_create(store=boutique, actor=owner, fields=fields, goods=[cardigan])
    secret = promotion_create(
        store=boutique,
        actor=owner,
        fields={**fields, "title": "비밀 할인", "members_only": True},
        goods=[cardigan],
    )
    page = client.get(f"/s/promo/{public.pk}/").content.decode()
    assert _og(page, "title").startswith("회원 감사 할인")
    assert not any(price in page for price in CLOSED_PRICES) and "80,100" not in page
    assert client.get(f"/s/promo/{secret.pk}/").status_code == 404
    client.force_login(django_user_model.objects.get(username="jimin"))
    assert client.get(f"/s/promo/{secret.pk}/").status_code == 200


def test_share_box_on_pages_has_text_and_copy_button(client, demo):
    bread = Goods.objects.get(name="우유 식빵")
    page = client.get(f"/goods/{bread.pk}/").content.decode()
    assert f"http://testserver/s/goods/{bread.pk}/" in page
    assert "data-copy=" in page and "js/share.js" in page
    store_page = client.get("/stores/dalkom-bakery/").content.decode()
    assert "http://testserver/s/store/dalkom-bakery/" in store_page


def test_share_missing_things_are_404(client, demo):
    assert client.get("/s/store/nope/").status_code == 404
    assert client.get("/s/goods/999999/").status_code == 404
    assert client.get("/s/promo/999999/").status_code == 404
