"""Demo orders for ``manage.py seed_demo`` (idempotent): jimin's address and one paid order."""

from __future__ import annotations

from shop.models import Goods, Store
from shop.orders.models import Address, Order
from shop.orders.services.addresses import address_create
from shop.orders.services.cart import cart_add
from shop.orders.services.checkout import order_place
from shop.orders.services.orders import orders_quiet
from shop.orders.services.payments import payment_pay

JIMIN_ADDRESS = {
    "recipient": "김지민",
    "phone": "010-1234-5678",
    "postcode": "04524",
    "address": "서울특별시 중구 세종대로 110",
    "detail": "101동 1001호",
    "memo": "문 앞에 놓아주세요",
}


def seed_orders_demo(*, buyer, store: Store, created: list[str]) -> None:
    if not Address.objects.filter(user=buyer).exists():
        address_create(user=buyer, fields=JIMIN_ADDRESS, make_default=True)
        created.append(f"saved address of {buyer.username}")
    if Order.objects.filter(buyer=buyer, store=store).exists():
        return
    goods = Goods.objects.filter(store=store, name="소금빵 4개입").first()
    if goods is None or goods.stock < 2:
        return
    with orders_quiet():  # seeding: no live frames to anyone's sockets
        cart_add(user=buyer, goods=goods, quantity=2)
        order = order_place(
            buyer=buyer, store=store, shipping=JIMIN_ADDRESS, payment_method="test_card"
        )
        payment_pay(order=order, actor=buyer, data={"card_number": "4242 4242 4242 4242"})
    created.append(f"paid order {order.number} of {buyer.username} at {store.name}")
