"""Cart, prices, shipping, tampered totals, stock reservation and release, order numbers."""

from __future__ import annotations

import re

import pytest

from shop.models import Goods
from shop.orders.exceptions import CartError, CheckoutChanged, OrderError, SoldOut
from shop.orders.models import CartItem, Order, OrderLine, OrderStatus
from shop.orders.services.cart import cart_add, cart_update
from shop.orders.services.checkout import order_place, quote_for
from shop.orders.services.orders import order_cancel
from shop.orders.shipping import island_of, shipping_fee_for
from shop.pricing import vat_of
from tests.orders.conftest import ADDRESS, JEJU_ADDRESS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("subtotal", "base"), [(29999, 3000), (30000, 0), (30001, 0), (1, 3000)])
def test_shipping_free_threshold_boundary(shop, subtotal, base):
    assert shipping_fee_for(shop.store, subtotal, "04524").base == base


def test_shipping_never_free_without_threshold(shop):
    shop.store.free_shipping_threshold = None
    assert shipping_fee_for(shop.store, 10_000_000, "04524").total == 3000


@pytest.mark.parametrize(
    ("postcode", "island"),
    [
        ("63000", True),
        ("63644", True),
        ("63645", False),
        ("62999", False),
        ("40200", True),
        ("04524", False),
        ("", False),
        ("abcde", False),
    ],
)
def test_island_postcodes(postcode, island):
    assert (island_of(postcode) is not None) is island


def test_jeju_surcharge_applies_even_when_free(shop):
    fee = shipping_fee_for(shop.store, 50000, "63100")
    assert (fee.base, fee.island, fee.total) == (0, 4000, 4000)


def test_quote_uses_price_for_and_vat(shop, buyer):
    cart_add(user=buyer, goods=shop.bread, quantity=2)
    cart_add(user=buyer, goods=shop.shirt, option=shop.large, quantity=1)
    quote = quote_for(user=buyer, store=shop.store, postcode="04524")
    assert quote.subtotal == 2 * 5000 + 22000
    assert quote.shipping.total == 0  # 32,000 ≥ 30,000
    assert quote.total == 32000
    assert quote.vat == vat_of(32000) == 2909


def test_place_order_snapshots_lines_and_numbers(place, shop, buyer):
    order = place((shop.bread, None, 2), (shop.shirt, shop.small, 1))
    assert re.fullmatch(r"\d{8}-\d{6}", order.number)
    assert order.number.endswith("-000001")
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert (order.subtotal, order.shipping_fee, order.island_fee, order.total) == (
        30000,
        0,
        0,
        30000,
    )
    lines = list(order.lines.values_list("goods_name", "option_name", "unit_price", "quantity"))
    assert lines == [("우유 식빵", "", 5000, 2), ("셔츠", "S", 20000, 1)]
    assert not CartItem.objects.filter(user=buyer).exists()
    # Later goods edits do not change the past order.
    Goods.objects.filter(pk=shop.bread.pk).update(name="새 이름", price=9999)
    assert OrderLine.objects.filter(order=order).first().goods_name == "우유 식빵"
    second = place()
    assert second.number.endswith("-000002")


def test_place_order_jeju_total(place, shop):
    order = place((shop.bread, None, 1), address=JEJU_ADDRESS)
    assert (order.shipping_fee, order.island_fee, order.total) == (3000, 4000, 12000)


def test_place_order_reserves_stock_and_cancel_releases(place, shop, buyer):
    order = place((shop.bread, None, 4), (shop.shirt, shop.large, 1))
    shop.bread.refresh_from_db()
    shop.large.refresh_from_db()
    assert (shop.bread.stock, shop.large.stock) == (6, 0)
    order_cancel(order=order, actor=buyer)
    shop.bread.refresh_from_db()
    shop.large.refresh_from_db()
    assert (shop.bread.stock, shop.large.stock) == (10, 1)
    assert order.status == OrderStatus.CANCELLED


def test_place_order_last_piece_marks_goods_sold_out(place, shop, buyer):
    place((shop.bread, None, 10))
    shop.bread.refresh_from_db()
    assert shop.bread.status == Goods.Status.SOLD_OUT


def test_tampered_total_refused_and_nothing_changes(place, shop, buyer):
    with pytest.raises(CheckoutChanged, match="total is now"):
        place((shop.bread, None, 1), expected_total=1)
    assert not Order.objects.exists()
    shop.bread.refresh_from_db()
    assert shop.bread.stock == 10
    assert CartItem.objects.filter(user=buyer).count() == 1


def test_matching_expected_total_places(place, shop):
    order = place((shop.bread, None, 1), expected_total=8000)
    assert order.total == 8000


def test_stock_changed_since_cart_refused(shop, buyer):
    cart_add(user=buyer, goods=shop.bread, quantity=5)
    Goods.objects.filter(pk=shop.bread.pk).update(stock=2)
    with pytest.raises(SoldOut, match="Only 2"):
        order_place(buyer=buyer, store=shop.store, shipping=ADDRESS, payment_method="test_card")
    Goods.objects.filter(pk=shop.bread.pk).update(stock=0)
    with pytest.raises(SoldOut, match="sold out"):
        order_place(buyer=buyer, store=shop.store, shipping=ADDRESS, payment_method="test_card")
    assert not Order.objects.exists()


def test_price_changed_since_summary_refused(shop, buyer):
    cart_add(user=buyer, goods=shop.bread, quantity=1)
    seen = quote_for(user=buyer, store=shop.store, postcode="04524").total
    Goods.objects.filter(pk=shop.bread.pk).update(price=6000)
    with pytest.raises(CheckoutChanged):
        order_place(
            buyer=buyer,
            store=shop.store,
            shipping=ADDRESS,
            payment_method="test_card",
            expected_total=seen,
        )


def test_hidden_goods_refused_at_checkout(shop, buyer):
    cart_add(user=buyer, goods=shop.bread, quantity=1)
    Goods.objects.filter(pk=shop.bread.pk).update(status=Goods.Status.HIDDEN)
    with pytest.raises(CheckoutChanged, match="no longer on sale"):
        order_place(buyer=buyer, store=shop.store, shipping=ADDRESS, payment_method="test_card")


@pytest.mark.parametrize("quantity", [0, -1, 100, "x", None])
def test_cart_add_bad_quantity_refused(shop, buyer, quantity):
    with pytest.raises(CartError, match="between 1 and 99"):
        cart_add(user=buyer, goods=shop.bread, quantity=quantity)
    assert not CartItem.objects.exists()


def test_cart_add_over_stock_refused(shop, buyer):
    with pytest.raises(CartError, match="Only 10"):
        cart_add(user=buyer, goods=shop.bread, quantity=11)
    cart_add(user=buyer, goods=shop.bread, quantity=6)
    with pytest.raises(CartError, match="Only 10"):
        cart_add(user=buyer, goods=shop.bread, quantity=5)
    assert CartItem.objects.get().quantity == 6


def test_cart_add_needs_option_of_the_goods(shop, other_shop, buyer):
    with pytest.raises(CartError, match="Choose an option"):
        cart_add(user=buyer, goods=shop.shirt, quantity=1)
    with pytest.raises(CartError, match="does not belong"):
        cart_add(user=buyer, goods=shop.shirt, option=other_shop.small, quantity=1)


def test_cart_add_merges_and_update_changes(shop, buyer):
    item = cart_add(user=buyer, goods=shop.bread, quantity=1)
    cart_add(user=buyer, goods=shop.bread, quantity=2)
    assert CartItem.objects.get().quantity == 3
    cart_update(user=buyer, item_id=item.pk, quantity=5)
    assert CartItem.objects.get().quantity == 5


def test_cart_update_someone_elses_item_refused(shop, buyer, make_user):
    item = cart_add(user=buyer, goods=shop.bread, quantity=1)
    with pytest.raises(CartError):
        cart_update(user=make_user("other"), item_id=item.pk, quantity=2)


def test_place_order_bad_postcode_refused(place, shop):
    with pytest.raises(OrderError, match="5 digits"):
        place(address={**ADDRESS, "postcode": "1234"})


def test_place_order_empty_cart_refused(shop, buyer):
    with pytest.raises(CartError, match="nothing from this store"):
        order_place(buyer=buyer, store=shop.store, shipping=ADDRESS, payment_method="test_card")


def test_place_order_remembers_channel(place, shop, buyer):
    from chat.services.channels import channel_ensure_for_store

    channel = channel_ensure_for_store(store=shop.store)
    cart_add(user=buyer, goods=shop.bread, quantity=1)
    order = order_place(
        buyer=buyer,
        store=shop.store,
        shipping=ADDRESS,
        payment_method="bank_transfer",
        from_channel_id=channel.pk,
        from_message_id=999999,
    )
    assert order.from_channel_id == channel.pk
    assert order.from_message_id is None
    assert order.bank_account_number == "123401-04-567890"
    assert order.pay_deadline is not None
