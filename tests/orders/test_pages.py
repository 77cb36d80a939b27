"""Buyer and seller pages: what people see, and who may not see it (404)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shop.models import StoreStaff
from shop.orders.models import Address, CartItem, Order, OrderStatus
from shop.orders.services.payments import payment_pay
from tests.orders.conftest import ADDRESS

pytestmark = pytest.mark.django_db
OK_CARD = {"card_number": "4242424242424242"}


def test_cart_page_shows_lines_shipping_and_count(client, shop, buyer):
    client.force_login(buyer)
    response = client.post(
        reverse("orders:cart_add", args=[shop.shirt.pk]),
        {"option": shop.small.pk, "quantity": 2},
    )
    assert response.status_code == 302
    page = client.get(reverse("orders:cart")).content.decode()
    assert "셔츠" in page and "S" in page
    assert "40,000" in page  # 2 × 20,000, free shipping over 30,000
    assert 'data-role="cart-count">2<' in page


def test_cart_add_zero_quantity_shows_error(client, shop, buyer):
    client.force_login(buyer)
    response = client.post(reverse("orders:cart_add", args=[shop.bread.pk]), {"quantity": 0})
    assert response.status_code == 200
    assert "between 1 and 99" in response.content.decode()
    assert not CartItem.objects.exists()


def test_buy_now_goes_to_checkout_with_channel(client, shop, buyer):
    client.force_login(buyer)
    response = client.post(
        reverse("orders:cart_add", args=[shop.bread.pk]),
        {"quantity": 1, "buy_now": "1", "from_channel": "7"},
    )
    assert response.status_code == 302
    item = CartItem.objects.get()
    assert (
        response["Location"]
        == f"{reverse('orders:checkout')}?store=bakery&from_channel=7&item={item.pk}"
    )


def test_buy_now_orders_only_that_item_and_keeps_the_rest_of_the_cart(client, shop, buyer):
    client.force_login(buyer)
    client.post(
        reverse("orders:cart_add", args=[shop.shirt.pk]), {"option": shop.small.pk, "quantity": 1}
    )
    response = client.post(
        reverse("orders:cart_add", args=[shop.bread.pk]), {"quantity": 2, "buy_now": "1"}
    )
    checkout = response["Location"]
    page = client.get(checkout).content.decode()
    assert "<strong>우유 식빵</strong>" in page and "<strong>셔츠</strong>" not in page
    assert "only this item is ordered" in page and "13,000" in page  # 10,000 + 3,000 shipping
    bread = CartItem.objects.get(goods=shop.bread)
    response = client.post(
        reverse("orders:checkout"),
        {
            **ADDRESS,
            "store": "bakery",
            "item": bread.pk,
            "payment_method": "test_card",
            "expected_total": "13000",
        },
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert [line.goods_name for line in order.lines.all()] == ["우유 식빵"]
    assert list(CartItem.objects.values_list("goods__name", flat=True)) == ["셔츠"]
    # The whole cart is still one link away.
    whole = client.get(reverse("orders:checkout") + "?store=bakery").content.decode()
    assert "<strong>셔츠</strong>" in whole and "only this item" not in whole


def test_checkout_summary_and_place_with_tampered_fields(client, shop, buyer):
    Address.objects.create(user=buyer, is_default=True, **ADDRESS)
    client.force_login(buyer)
    client.post(reverse("orders:cart_add", args=[shop.bread.pk]), {"quantity": 2})
    page = client.get(reverse("orders:checkout") + "?store=bakery").content.decode()
    assert "10,000" in page and "3,000" in page and "13,000" in page
    assert "VAT" in page or "부가세" in page
    data = {
        **ADDRESS,
        "store": "bakery",
        "payment_method": "test_card",
        "expected_total": "1",
        "price": "1",
        "total": "1",
    }
    response = client.post(reverse("orders:checkout"), data)
    assert response.status_code == 200
    assert "13,000" in response.content.decode()
    assert not Order.objects.exists()
    data["expected_total"] = "13000"
    response = client.post(reverse("orders:checkout"), data)
    order = Order.objects.get()
    assert response["Location"] == reverse("orders:order_pay", args=[order.number])
    assert order.total == 13000


def test_pay_page_then_detail_shows_paid_and_timeline(client, place, buyer):
    order = place()
    client.force_login(buyer)
    response = client.post(reverse("orders:order_pay", args=[order.number]), OK_CARD)
    assert response.status_code == 302
    page = client.get(reverse("orders:order_detail", args=[order.number])).content.decode()
    assert "Paid by card ending 4242" in page or "4242" in page
    assert order.number in page
    again = client.post(reverse("orders:order_pay", args=[order.number]), OK_CARD)
    assert "already paid" in again.content.decode() or again.status_code == 302


def test_pay_declined_card_shows_reason(client, place, buyer):
    order = place()
    client.force_login(buyer)
    response = client.post(
        reverse("orders:order_pay", args=[order.number]), {"card_number": "4000000000000002"}
    )
    assert response.status_code == 200
    assert "declined" in response.content.decode()


def test_bank_transfer_detail_shows_account_and_deadline(client, place, buyer):
    order = place(method="bank_transfer")
    client.force_login(buyer)
    page = client.get(reverse("orders:order_detail", args=[order.number])).content.decode()
    assert "123401-04-567890" in page
    assert 'data-role="bank-account"' in page


def test_order_list_shows_own_orders_only(client, place, buyer, make_user):
    mine = place()
    client.force_login(make_user("other"))
    assert mine.number not in client.get(reverse("orders:order_list")).content.decode()
    client.force_login(buyer)
    assert mine.number in client.get(reverse("orders:order_list")).content.decode()


@pytest.mark.parametrize("name", ["order_detail", "order_pay"])
def test_other_buyer_gets_404(client, place, make_user, name):
    order = place()
    client.force_login(make_user("other"))
    assert client.get(reverse(f"orders:{name}", args=[order.number])).status_code == 404
    assert client.post(reverse("orders:order_cancel", args=[order.number])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, place):
    order = place()
    response = client.get(reverse("orders:order_detail", args=[order.number]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_other_store_seller_gets_404(client, place, other_shop):
    order = place()
    client.force_login(other_shop.owner)
    url = reverse("orders:seller_order_detail", args=["bakery", order.number])
    assert client.get(url).status_code == 404
    url = reverse("orders:seller_order_detail", args=["boutique", order.number])
    assert client.get(url).status_code == 404
    url = reverse("orders:seller_order_action", args=["bakery", order.number, "cancel"])
    assert client.post(url).status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_buyer_cannot_open_seller_pages(client, place, buyer):
    order = place()
    client.force_login(buyer)
    assert client.get(reverse("orders:seller_orders", args=["bakery"])).status_code == 404
    url = reverse("orders:seller_order_detail", args=["bakery", order.number])
    assert client.get(url).status_code == 404


def test_seller_confirms_deposit_and_ships_with_tracking(client, place, shop, buyer):
    order = place(method="bank_transfer")
    client.force_login(shop.owner)
    listing = client.get(reverse("orders:seller_orders", args=["bakery"]) + "?tab=new")
    assert order.number in listing.content.decode()
    client.post(
        reverse("orders:seller_order_action", args=["bakery", order.number, "confirm_deposit"])
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    client.post(
        reverse("orders:seller_order_action", args=["bakery", order.number, "ship"]),
        {"courier": "cj", "tracking_number": "612345678901"},
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    client.force_login(buyer)
    page = client.get(reverse("orders:order_detail", args=[order.number])).content.decode()
    assert "trace.cjlogistics.com" in page and "612345678901" in page


def test_manager_sees_store_orders(client, place, shop, make_user):
    order = place()
    manager = make_user("manager")
    StoreStaff.objects.create(store=shop.store, user=manager, role=StoreStaff.Role.MANAGER)
    client.force_login(manager)
    page = client.get(reverse("orders:seller_orders", args=["bakery"]) + "?tab=new")
    assert order.number in page.content.decode()


def test_bulk_ship_form_and_bad_tracking(client, place, shop, buyer):
    first, second = place(), place()
    for order in (first, second):
        payment_pay(order=order, actor=buyer, data=OK_CARD)
    client.force_login(shop.owner)
    response = client.post(
        reverse("orders:seller_orders_ship", args=["bakery"]),
        {
            "order": [first.number, second.number],
            f"courier_{first.number}": "hanjin",
            f"tracking_{first.number}": "123456789012",
            f"courier_{second.number}": "cj",
            f"tracking_{second.number}": "bad!",
        },
        follow=True,
    )
    page = response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == OrderStatus.SHIPPED and first.courier == "hanjin"
    assert second.status == OrderStatus.PAID
    assert "6–30" in page


def test_csv_ship_upload(client, place, shop, buyer, other_shop):
    order = place()
    payment_pay(order=order, actor=buyer, data=OK_CARD)
    client.force_login(shop.owner)
    csv_text = (
        f"order,courier,tracking\n{order.number},lotte,998877665544\n99999999-000001,cj,123456789\n"
    )
    upload = SimpleUploadedFile("t.csv", csv_text.encode(), content_type="text/csv")
    response = client.post(
        reverse("orders:seller_orders_ship_csv", args=["bakery"]), {"file": upload}, follow=True
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED and order.tracking_number == "998877665544"
    assert "no such order" in response.content.decode()


def test_buyer_confirms_purchase(client, place, shop, buyer):
    order = place()
    payment_pay(order=order, actor=buyer, data=OK_CARD)
    from shop.orders.services.orders import order_ship

    order_ship(order=order, actor=shop.owner, courier="epost", tracking_number="6000123456789")
    client.force_login(buyer)
    client.post(reverse("orders:order_confirm", args=[order.number]))
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert list(order.events.values_list("to_status", flat=True)) == [
        "pending_payment",
        "paid",
        "preparing",
        "shipped",
        "delivered",
        "completed",
    ]


def test_address_book_add_default_and_delete(client, buyer):
    client.force_login(buyer)
    client.post(reverse("orders:address_list"), {**ADDRESS, "make_default": "on"})
    client.post(
        reverse("orders:address_list"), {**ADDRESS, "recipient": "엄마", "postcode": "63100"}
    )
    bad = client.post(reverse("orders:address_list"), {**ADDRESS, "postcode": "12"})
    assert "5 digits" in bad.content.decode()
    first, second = Address.objects.order_by("id")
    assert first.is_default and not second.is_default
    client.post(reverse("orders:address_delete", args=[first.pk]))
    second.refresh_from_db()
    assert second.is_default


def test_other_users_address_404(client, buyer, make_user):
    address = Address.objects.create(user=buyer, **ADDRESS)
    client.force_login(make_user("other"))
    assert client.get(reverse("orders:address_edit", args=[address.pk])).status_code == 404


def test_admin_seller_sees_only_own_store_orders(client, place, shop, other_shop, buyer):
    from shop.orders.services.cart import cart_add
    from shop.orders.services.checkout import order_place

    mine = place()
    cart_add(user=buyer, goods=other_shop.bread, quantity=1)
    theirs = order_place(
        buyer=buyer, store=other_shop.store, shipping=ADDRESS, payment_method="test_card"
    )
    shop.owner.is_staff = True
    shop.owner.save()
    client.force_login(shop.owner)
    page = client.get("/admin/orders/order/").content.decode()
    assert mine.number in page and theirs.number not in page
    assert client.get(f"/admin/orders/order/{theirs.pk}/change/").status_code in (302, 403, 404)


def test_goods_page_buy_box_adds_to_cart(client, shop, buyer):
    client.force_login(buyer)
    page = client.get(reverse("shop:goods_detail", args=[shop.shirt.pk])).content.decode()
    assert reverse("orders:cart_add", args=[shop.shirt.pk]) in page
    assert 'data-role="buy-now"' in page
    client.post(
        reverse("orders:cart_add", args=[shop.shirt.pk]), {"option": shop.large.pk, "quantity": 1}
    )
    assert CartItem.objects.get(user=buyer).option == shop.large


def test_admin_mark_shipped_action_for_own_store(client, place, shop, buyer):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    order = place()
    payment_pay(order=order, actor=buyer, data=OK_CARD)
    shop.owner.is_staff = True
    shop.owner.save()
    client.force_login(shop.owner)
    url = "/admin/orders/order/"
    form = client.post(url, {"action": "mark_shipped", ACTION_CHECKBOX_NAME: [order.pk]})
    assert f"tracking_{order.pk}" in form.content.decode()
    client.post(
        url,
        {
            "action": "mark_shipped",
            "confirm": "1",
            ACTION_CHECKBOX_NAME: [order.pk],
            f"courier_{order.pk}": "lotte",
            f"tracking_{order.pk}": "401234567890",
        },
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED and order.courier == "lotte"
