from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_seller_store_pages_link_to_talk_management(client, demo, django_user_model):
    client.force_login(django_user_model.objects.get(username="bakery"))
    page = client.get(reverse("shop:seller_store", args=["dalkom-bakery"])).content.decode()
    talk_url = reverse("chat:seller_talk", args=["dalkom-bakery"])
    assert f'href="{talk_url}"' in page
    assert client.get(talk_url).status_code == 200
