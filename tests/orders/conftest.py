from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from django.db import close_old_connections, connection

from shop.models import Goods, GoodsOption, Store, StoreStaff

ADDRESS = {
    "recipient": "김지민",
    "phone": "010-1234-5678",
    "postcode": "04524",
    "address": "서울특별시 중구 세종대로 110",
    "detail": "101호",
    "memo": "문 앞에 놓아주세요",
}
JEJU_ADDRESS = {**ADDRESS, "postcode": "63100", "address": "제주특별자치도 제주시 문연로 6"}


@dataclass
class Shop:
    store: Store
    owner: object
    bread: Goods  # no options, stock 10, 5,000 won
    shirt: Goods  # options S (stock 3, +0) and L (stock 1, +2,000), 20,000 won
    small: GoodsOption
    large: GoodsOption


def make_shop(make_user, slug: str = "bakery", owner_name: str | None = None) -> Shop:
    owner = make_user(owner_name or f"{slug}-owner")
    store = Store.objects.create(
        owner=owner,
        name=f"{slug} store",
        slug=slug,
        shipping_fee=3000,
        free_shipping_threshold=30000,
        island_extra_fee=4000,
        bank_name="국민은행",
        bank_account_number="123401-04-567890",
        bank_account_holder="김달콤",
    )
    StoreStaff.objects.create(store=store, user=owner, role=StoreStaff.Role.OWNER)
    bread = Goods.objects.create(store=store, name="우유 식빵", price=5000, stock=10)
    shirt = Goods.objects.create(store=store, name="셔츠", price=20000, stock=0)
    small = GoodsOption.objects.create(goods=shirt, name="S", stock=3, position=0)
    large = GoodsOption.objects.create(goods=shirt, name="L", price_delta=2000, stock=1, position=1)
    return Shop(store, owner, bread, shirt, small, large)


@pytest.fixture(autouse=True)
def orders_in_english(settings):
    """English messages (the tests match the English sentences)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def shop(make_user) -> Shop:
    return make_shop(make_user)


@pytest.fixture
def other_shop(make_user) -> Shop:
    return make_shop(make_user, slug="boutique")


@pytest.fixture
def buyer(make_user):
    return make_user("jimin")


@pytest.fixture
def place(buyer, shop):
    """Put goods in the buyer's cart and place an order of the shop's store."""
    from shop.orders.services.cart import cart_add
    from shop.orders.services.checkout import order_place

    def run(*lines, user=None, method="test_card", address=None, expected_total=None, store=None):
        user = user or buyer
        for goods, option, quantity in lines or [(shop.bread, None, 1)]:
            cart_add(user=user, goods=goods, option=option, quantity=quantity)
        return order_place(
            buyer=user,
            store=store or shop.store,
            shipping=address or ADDRESS,
            payment_method=method,
            expected_total=expected_total,
        )

    return run


def checkout_race(store: Store, buyers: list) -> list[str]:
    """Every buyer places their cart of ``store`` at the same moment (one thread and database
    connection each): "ok", or the sentence of the refusal, one per buyer."""
    from shop.orders.exceptions import SoldOut
    from shop.orders.services.checkout import order_place

    barrier = threading.Barrier(len(buyers))
    results: list[str] = []
    lock = threading.Lock()

    def checkout(buyer) -> None:
        try:
            barrier.wait(timeout=30)
            order_place(buyer=buyer, store=store, shipping=ADDRESS, payment_method="test_card")
            outcome = "ok"
        except SoldOut as error:
            outcome = str(error)
        except Exception as error:  # noqa: BLE001 - reported in the caller's assertion
            outcome = f"error: {error!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=checkout, args=(b,)) for b in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    return results
