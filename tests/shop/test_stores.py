from __future__ import annotations

import pytest
from django.urls import reverse
from PIL import Image

from chat.models import Channel, Membership
from shop.models import Store, StoreStaff
from shop.services.goods import goods_create
from tests.shop.conftest import image_file

pytestmark = pytest.mark.django_db


def _profile(store: Store, **overrides) -> dict:
    data = {
        "name": store.name,
        "category": store.category,
        "description": store.description,
        "business_hours": "10:00–19:00",
        "contact_phone": "010-1111-2222",
        "contact_email": "haru@example.com",
        "visibility": store.visibility,
    }
    data.update(overrides)
    return data


def test_profile_logo_and_cover_resized(client, seller_store):
    store, owner = seller_store
    client.force_login(owner)
    response = client.post(
        f"/seller/stores/{store.slug}/profile/",
        _profile(
            store,
            logo_upload=image_file("logo.png", size=(1000, 1000)),
            cover_upload=image_file("cover.jpg", size=(4000, 1000), fmt="JPEG"),
        ),
    )
    assert response.status_code == 302
    store.refresh_from_db()
    with Image.open(store.logo.path) as logo, Image.open(store.cover.path) as cover:
        assert logo.size == (400, 400)
        assert cover.size[0] == 1600
    assert store.business_hours == "10:00–19:00"


def test_profile_rejects_non_image_and_saves_nothing(client, seller_store):
    from django.core.files.uploadedfile import SimpleUploadedFile

    store, owner = seller_store
    client.force_login(owner)
    fake = SimpleUploadedFile("logo.png", b"GIF89a not really", content_type="image/png")
    response = client.post(
        f"/seller/stores/{store.slug}/profile/",
        _profile(store, name="새 이름", logo_upload=fake),
    )
    assert 'id="id_logo_upload-errors"' in response.content.decode()
    store.refresh_from_db()
    assert store.name == "하루공방" and not store.logo


def test_closing_a_store_closes_its_channels(client, seller_store):
    store, owner = seller_store
    goods = goods_create(
        store=store, actor=owner, fields={"name": "니트", "price": 1000, "stock": 1}
    )
    client.force_login(owner)
    client.post(f"/seller/stores/{store.slug}/profile/", _profile(store, visibility="closed"))
    store.refresh_from_db()
    assert store.is_closed
    assert set(Channel.objects.filter(store=store).values_list("visibility", flat=True)) == {
        "closed"
    }
    client.logout()
    assert "1,000" not in client.get(f"/goods/{goods.pk}/").content.decode()


def test_delivery_settings_saved_and_bad_fee_refused(client, seller_store):
    store, owner = seller_store
    client.force_login(owner)
    url = f"/seller/stores/{store.slug}/delivery/"
    data = {
        "courier": "hanjin",
        "shipping_fee": "3500",
        "free_shipping_threshold": "50000",
        "island_extra_fee": "5000",
        "dispatch_days": "2",
        "return_policy": "7일 이내",
        "return_address": "부산",
        "return_shipping_fee": "3000",
    }
    response = client.post(url, {**data, "shipping_fee": "-1"})
    assert 'id="id_shipping_fee-errors"' in response.content.decode()
    store.refresh_from_db()
    assert store.courier == "cj"
    assert client.post(url, data).status_code == 302
    store.refresh_from_db()
    assert (store.courier, store.shipping_fee, store.free_shipping_threshold) == (
        "hanjin",
        3500,
        50000,
    )


def test_manager_added_by_email_then_removed_leaves_staff_memberships(
    client, seller_store, make_user
):
    store, owner = seller_store
    goods = goods_create(
        store=store, actor=owner, fields={"name": "니트", "price": 1000, "stock": 1}
    )
    helper = make_user("helper", email="Helper@Example.com")
    client.force_login(owner)
    url = f"/seller/stores/{store.slug}/managers/"
    page = client.post(url, {"identifier": "nobody@example.com"}).content.decode()
    assert 'id="id_identifier-errors"' in page
    client.post(url, {"identifier": "helper@example.com"})
    staff = StoreStaff.objects.get(store=store, user=helper)
    assert staff.role == "manager"
    memberships = Membership.objects.filter(user=helper, channel__store=store)
    assert {(m.channel.kind, m.role, m.state) for m in memberships} == {
        ("store", "manager", "active"),
        ("goods", "manager", "active"),
    }
    helper.refresh_from_db()
    assert helper.is_staff
    # A manager manages goods but not the settlement account or other managers.
    client.force_login(helper)
    assert client.get(f"/seller/stores/{store.slug}/goods/{goods.pk}/").status_code == 200
    assert client.get(f"/seller/stores/{store.slug}/settlement/").status_code == 403
    client.post(url, {"identifier": "haru"})
    assert StoreStaff.objects.filter(store=store).count() == 2

    client.force_login(owner)
    client.post(f"/seller/stores/{store.slug}/managers/{staff.pk}/remove/")
    assert not StoreStaff.objects.filter(store=store, user=helper).exists()
    assert {(m.role, m.state) for m in memberships.all()} == {("member", "left")}
    helper.refresh_from_db()
    assert not helper.is_staff
    client.force_login(helper)
    assert client.get(f"/seller/stores/{store.slug}/").status_code == 404


def test_owner_changes_settlement_account(client, seller_store):
    store, owner = seller_store
    client.force_login(owner)
    url = f"/seller/stores/{store.slug}/settlement/"
    page = client.post(
        url, {"bank_name": "", "bank_account_number": "1", "bank_account_holder": "x"}
    )
    assert 'id="id_bank_name-errors"' in page.content.decode()
    client.post(
        url,
        {"bank_name": "농협", "bank_account_number": "301-1234", "bank_account_holder": "정하루"},
    )
    store.refresh_from_db()
    assert store.bank_name == "농협"


def test_owner_cannot_be_removed(client, seller_store):
    store, owner = seller_store
    client.force_login(owner)
    owner_row = StoreStaff.objects.get(store=store, user=owner)
    client.post(f"/seller/stores/{store.slug}/managers/{owner_row.pk}/remove/")
    assert StoreStaff.objects.filter(pk=owner_row.pk).exists()


def test_seller_home_lists_stores_and_applications(client, seller_store):
    store, owner = seller_store
    client.force_login(owner)
    page = client.get("/seller/").content.decode()
    assert reverse("shop:seller_store", args=[store.slug]) in page
    assert reverse("shop:application_detail", args=[store.application.pk]) in page
