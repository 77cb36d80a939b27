from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent(capsys):
    from chat.models import Message
    from shop.models import Goods, Store

    call_command("seed_demo")
    counts = (Store.objects.count(), Goods.objects.count(), Message.objects.count())
    capsys.readouterr()
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "nothing changed" in out and "jimin" in out
    assert (Store.objects.count(), Goods.objects.count(), Message.objects.count()) == counts


def test_home_lists_demo_stores_and_goods(client, demo):
    page = client.get("/").content.decode()
    assert "달콤베이커리" in page and "소담부티크" in page
    assert "우유 식빵" in page and "5,500" in page


def test_closed_store_prices_hidden_from_non_members(client, demo, django_user_model):
    page = client.get("/").content.decode()
    assert "캐시미어 니트 가디건" in page and "89,000" not in page
    client.force_login(django_user_model.objects.get(username="minjun"))
    assert "89,000" not in client.get("/").content.decode()
    assert "89,000" not in client.get("/stores/sodam-boutique/").content.decode()
    client.force_login(django_user_model.objects.get(username="jimin"))
    assert "89,000" in client.get("/stores/sodam-boutique/").content.decode()


def test_store_list_filters_by_category(client, demo):
    page = client.get("/stores/?category=bakery").content.decode()
    assert "달콤베이커리" in page and "소담부티크" not in page


def test_admin_is_reachable(client, demo, django_user_model):
    client.force_login(django_user_model.objects.get(username="admin"))
    assert client.get("/admin/").status_code == 200
