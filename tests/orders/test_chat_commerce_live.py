"""Order cards live: the buyer's 1:1 pane gets the card when the order is placed, then a
``message_updated`` frame for every status change (and the inbox its ``order`` frame)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async

from chat.commerce.models import OrderCard
from chat.services.direct import channel_open_direct
from shop.orders.services.orders import order_ship
from shop.orders.services.payments import payment_pay
from tests.chat.live_fixtures import connect, connect_ready

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = sync_to_async


async def _next(socket, kind: str) -> dict:
    """The next frame of ``kind`` (unread counts and read receipts may come in between)."""
    for _ in range(10):
        frame = await socket.receive_json_from(timeout=3)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


async def test_order_card_arrives_then_turns_paid_and_shipped_on_the_socket(place, shop, buyer):
    direct = await db(channel_open_direct)(store=shop.store, buyer=buyer)
    pane, _ready = await connect_ready(direct.pk, buyer)
    seller_pane, _ = await connect_ready(direct.pk, shop.owner)
    inbox, connected, _ = await connect("/ws/inbox/", buyer)
    assert connected and (await inbox.receive_json_from())["type"] == "ready"

    order = await db(place)()
    card = (await _next(pane, "message"))["message"]
    assert card["kind"] == "order_card" and card["data"]["number"] == order.number
    assert card["data"]["status"] == "pending_payment"
    assert (await _next(seller_pane, "message"))["message"]["id"] == card["id"]

    await db(payment_pay)(order=order, actor=buyer, data={"card_number": "4242424242424242"})
    updated = (await _next(pane, "message_updated"))["message"]
    assert updated["id"] == card["id"] and updated["data"]["status"] == "paid"
    assert (await _next(inbox, "order"))["order"]["status"] == "paid"

    await db(order_ship)(
        order=order, actor=shop.owner, courier="cj", tracking_number="612345678901"
    )
    # Preparing and shipped in one transaction: one frame, with the final state.
    shipped = (await _next(pane, "message_updated"))["message"]["data"]
    assert shipped["status"] == "shipped" and shipped["status_label"]
    assert (
        shipped["tracking_number"] == "612345678901" and "612345678901" in shipped["tracking_url"]
    )
    assert (await _next(inbox, "order"))["order"]["status"] == "preparing"
    assert (await _next(inbox, "order"))["order"]["status"] == "shipped"
    assert await pane.receive_nothing(timeout=0.3)
    seller_frames = [(await _next(seller_pane, "message_updated")) for _ in range(2)]
    assert seller_frames[-1]["message"]["data"]["status"] == "shipped"
    assert await db(OrderCard.objects.filter(order=order).count)() == 1
    for socket in (pane, seller_pane, inbox):
        await socket.disconnect()


async def test_live_product_card_of_closed_store_carries_no_price(make_user):
    from chat.commerce.services import goods_share
    from shop.models import Goods, GoodsOption
    from tests.chat.live_fixtures import make_store

    owner, outsider = await db(make_user)("boutique"), await db(make_user)("seoyeon")
    store = await db(make_store)(owner, slug="sodam", name="소담", closed=True)
    cardigan = await db(Goods.objects.create)(
        store=store, name="캐시미어 니트 가디건", price=89000, stock=0
    )
    await db(GoodsOption.objects.create)(goods=cardigan, name="S / 아이보리", stock=3)
    direct = await db(channel_open_direct)(store=store, buyer=outsider)
    pane, _ = await connect_ready(direct.pk, outsider)
    await db(goods_share)(channel=direct, goods_id=cardigan.pk, actor=owner)
    frame = await _next(pane, "message")
    card = frame["message"]["data"]
    assert frame["message"]["kind"] == "product_card" and card["name"] == "캐시미어 니트 가디건"
    assert card["members_only"] is True and "price" not in card and "options" not in card
    assert "89000" not in json.dumps(frame) and "아이보리" not in json.dumps(frame)
    await pane.disconnect()
