from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from chat.models import Channel, Message
from shop.models import Goods
from shop.pricing import price_for, vat_of
from shop.services.goods import (
    goods_create,
    goods_post_card,
    goods_set_hidden,
    goods_update,
)
from tests.shop.conftest import image_file

pytestmark = pytest.mark.django_db

FIELDS = {"name": "니트 조끼", "category": "fashion", "price": 30000, "description": "따뜻해요"}


def _form(**overrides) -> dict:
    data = {
        "name": "니트 조끼",
        "category": "fashion",
        "price": "30000",
        "options-TOTAL_FORMS": "3",
        "options-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_goods_status_sold_out_automatically_at_zero_stock(seller_store):
    store, owner = seller_store
    goods = goods_create(
        store=store,
        actor=owner,
        fields=FIELDS,
        options=[{"name": "S", "stock": 0}, {"name": "M", "stock": 0}],
    )
    assert goods.status == Goods.Status.SOLD_OUT
    option, small = goods.options.get(name="M"), goods.options.get(name="S")
    goods = goods_update(
        goods=goods,
        actor=owner,
        fields=FIELDS,
        options=[
            {"id": small.pk, "name": "S", "delete": True},
            {"id": option.pk, "name": "M", "stock": 2},
        ],
    )
    assert goods.status == Goods.Status.ON_SALE
    assert list(goods.options.values_list("name", flat=True)) == ["M"]
    goods = goods_update(
        goods=goods,
        actor=owner,
        fields=FIELDS,
        options=[{"id": option.pk, "name": "M", "stock": 0}],
    )
    assert goods.status == Goods.Status.SOLD_OUT
    # Without options the goods' own stock counts; hidden stays hidden whatever the stock.
    plain = goods_create(store=store, actor=owner, fields={**FIELDS, "name": "목도리", "stock": 0})
    assert plain.status == Goods.Status.SOLD_OUT
    plain = goods_update(goods=plain, actor=owner, fields={**FIELDS, "name": "목도리", "stock": 5})
    assert plain.status == Goods.Status.ON_SALE
    goods_set_hidden(goods=plain, actor=owner, hidden=True)
    plain = goods_update(goods=plain, actor=owner, fields={**FIELDS, "name": "목도리", "stock": 0})
    assert plain.status == Goods.Status.HIDDEN


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": "0"}, "price"),
        ({"price": "100000000"}, "price"),
        ({"price": "-5"}, "price"),
        ({"price": "abc"}, "price"),
        ({"options-0-name": "S", "options-0-stock": "-1"}, "options-0-stock"),
        ({"stock": "-3"}, "stock"),
        ({"is_preorder": "on"}, "release_date"),
        ({"options-0-name": "S", "options-1-name": "s"}, None),
    ],
)
def test_goods_form_bad_input_saves_nothing(client, seller_store, overrides, field):
    store, owner = seller_store
    client.force_login(owner)
    response = client.post(f"/seller/stores/{store.slug}/goods/new/", _form(**overrides))
    assert response.status_code == 200
    page = response.content.decode()
    if field:
        assert f'id="id_{field}-errors"' in page
    else:
        assert 'class="errorlist' in page
    assert not Goods.objects.exists()


def test_goods_form_rejects_a_file_that_is_not_an_image(client, seller_store):
    store, owner = seller_store
    client.force_login(owner)
    fake = SimpleUploadedFile("photo.jpg", b"this is not an image", content_type="image/jpeg")
    response = client.post(f"/seller/stores/{store.slug}/goods/new/", _form(images=[fake]))
    assert 'id="id_images-errors"' in response.content.decode()
    assert not Goods.objects.exists()


def test_goods_images_are_resized_and_ordered(client, seller_store, media_root):
    store, owner = seller_store
    client.force_login(owner)
    big = image_file("big.png", size=(3000, 2000))
    small = image_file("small.jpg", size=(300, 300), fmt="JPEG")
    response = client.post(f"/seller/stores/{store.slug}/goods/new/", _form(images=[big, small]))
    assert response.status_code == 302
    goods = Goods.objects.get()
    images = list(goods.images.all())
    assert len(images) == 2
    with Image.open(images[0].image.path) as first:
        assert max(first.size) == 1200
    # Move the second image up: it becomes the cover.
    client.post(f"/seller/stores/{store.slug}/goods/{goods.pk}/images/{images[1].pk}/up/")
    assert [i.pk for i in goods.images.all()] == [images[1].pk, images[0].pk]


def test_price_for_adds_option_difference(seller_store):
    store, owner = seller_store
    goods = goods_create(
        store=store,
        actor=owner,
        fields=FIELDS,
        options=[{"name": "S", "stock": 1}, {"name": "XL", "price_delta": 2000, "stock": 1}],
    )
    assert price_for(goods) == 30000
    assert price_for(goods, goods.options.get(name="XL")) == 32000
    assert vat_of(32000) == 2909


def test_option_cannot_make_price_below_one_won(client, seller_store):
    store, owner = seller_store
    client.force_login(owner)
    response = client.post(
        f"/seller/stores/{store.slug}/goods/new/",
        _form(**{"options-0-name": "S", "options-0-price_delta": "-30000", "options-0-stock": "1"}),
    )
    assert response.status_code == 200
    assert "1" in response.content.decode()
    assert not Goods.objects.exists()


def test_soft_deleted_goods_disappear_but_row_stays(client, seller_store):
    store, owner = seller_store
    goods = goods_create(store=store, actor=owner, fields={**FIELDS, "stock": 3})
    assert client.get(f"/goods/{goods.pk}/").status_code == 200
    client.force_login(owner)
    client.post(f"/seller/stores/{store.slug}/goods/{goods.pk}/delete/")
    goods.refresh_from_db()
    assert goods.deleted_at is not None
    assert client.get(f"/goods/{goods.pk}/").status_code == 404
    seller_page = client.get(reverse("shop:seller_store", args=[store.slug])).content.decode()
    assert reverse("shop:seller_goods_edit", args=[store.slug, goods.pk]) not in seller_page


def test_hidden_goods_are_not_shown_to_buyers(client, seller_store):
    store, owner = seller_store
    goods = goods_create(store=store, actor=owner, fields={**FIELDS, "stock": 3}, hidden=True)
    assert goods.status == Goods.Status.HIDDEN
    assert client.get(f"/goods/{goods.pk}/").status_code == 404
    assert "니트 조끼" not in client.get("/search/?q=니트").content.decode()


def test_product_card_posted_to_store_talk(seller_store, django_capture_on_commit_callbacks):
    store, owner = seller_store
    goods = goods_create(store=store, actor=owner, fields={**FIELDS, "stock": 3})
    message = goods_post_card(goods=goods, actor=owner)
    assert message.kind == "product_card"
    assert message.channel == Channel.objects.get(store=store, kind="store")
    assert message.data["goods_id"] == goods.pk and message.data["price"] == 30000
    assert message.data["url"] == f"/goods/{goods.pk}/"


def test_product_card_of_closed_store_carries_no_price(demo, client, django_user_model):
    boutique = django_user_model.objects.get(username="boutique")
    goods = Goods.objects.get(name="캐시미어 니트 가디건")
    client.force_login(boutique)
    client.post(f"/seller/stores/sodam-boutique/goods/{goods.pk}/card/")
    card = Message.objects.get(kind="product_card")
    assert "price" not in card.data and "89000" not in str(card.data)


def test_other_people_cannot_manage_goods(client, seller_store, make_user):
    store, owner = seller_store
    goods = goods_create(store=store, actor=owner, fields={**FIELDS, "stock": 3})
    client.force_login(make_user("stranger"))
    assert client.get(f"/seller/stores/{store.slug}/").status_code == 404
    assert client.post(f"/seller/stores/{store.slug}/goods/{goods.pk}/delete/").status_code == 404
    goods.refresh_from_db()
    assert goods.deleted_at is None
