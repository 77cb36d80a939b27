"""Every legal and every illegal move of the order state machine."""

from __future__ import annotations

import itertools

import pytest

from shop.orders.exceptions import BadTransition
from shop.orders.models import Order, OrderEvent, OrderStatus
from shop.orders.services.orders import ALLOWED_TRANSITIONS, order_transition

S = OrderStatus
PAIRS = list(itertools.product(S.values, S.values))
LEGAL = [(a, b) for a, b in PAIRS if b in ALLOWED_TRANSITIONS[a]]
ILLEGAL = [(a, b) for a, b in PAIRS if b not in ALLOWED_TRANSITIONS[a]]


def test_table_has_the_documented_path():
    assert (
        sorted(
            [
                (S.PENDING_PAYMENT, S.PAID),
                (S.PENDING_PAYMENT, S.CANCELLED),
                (S.PAID, S.PREPARING),
                (S.PAID, S.CANCELLED),
                (S.PREPARING, S.SHIPPED),
                (S.PREPARING, S.CANCELLED),
                (S.SHIPPED, S.DELIVERED),
                (S.DELIVERED, S.COMPLETED),
            ],
            key=lambda p: (S.values.index(p[0]), S.values.index(p[1])),
        )
        == LEGAL
    )


def _order_at(place, status: str) -> Order:
    order = place()
    Order.objects.filter(pk=order.pk).update(
        status=status, courier="cj", tracking_number="612345678901"
    )
    order.refresh_from_db()
    return order


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "to"), LEGAL)
def test_transition_legal_moves_and_records_event(place, shop, start, to):
    order = _order_at(place, start)
    order_transition(order=order, to=to, actor=shop.owner, note="by test")
    order.refresh_from_db()
    assert order.status == to
    event = OrderEvent.objects.filter(order=order).last()
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        start,
        to,
        shop.owner,
        "by test",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "to"), ILLEGAL)
def test_transition_illegal_move_refused_with_message(place, shop, start, to):
    order = _order_at(place, start)
    events = OrderEvent.objects.filter(order=order).count()
    with pytest.raises(BadTransition) as info:
        order_transition(order=order, to=to, actor=shop.owner)
    assert "cannot become" in str(info.value)
    order.refresh_from_db()
    assert order.status == start
    assert OrderEvent.objects.filter(order=order).count() == events


@pytest.mark.django_db
def test_transition_to_shipped_needs_tracking_number(place, shop):
    order = place()
    Order.objects.filter(pk=order.pk).update(status=S.PREPARING)
    with pytest.raises(BadTransition, match="tracking number"):
        order_transition(order=order, to=S.SHIPPED, actor=shop.owner)


@pytest.mark.django_db
def test_transition_timestamps_set(place, shop):
    order = place()
    order_transition(order=order, to=S.PAID, actor=None)
    assert order.paid_at is not None
    order_transition(order=order, to=S.CANCELLED, actor=None)
    assert order.cancelled_at is not None


@pytest.mark.django_db(transaction=True)
def test_transition_frame_reaches_buyer_inbox_after_commit(place, buyer):
    import asyncio

    from asgiref.sync import async_to_sync, sync_to_async
    from channels.layers import get_channel_layer

    from chat.groups import inbox_group

    order = place()
    group = inbox_group(buyer.pk)

    async def scenario():
        layer = get_channel_layer()
        channel_name = await layer.new_channel()
        await layer.group_add(group, channel_name)
        try:
            await sync_to_async(order_transition)(order=order, to=S.PAID, actor=None)
            return await asyncio.wait_for(layer.receive(channel_name), timeout=5)
        finally:
            await layer.group_discard(group, channel_name)

    event = async_to_sync(scenario)()
    assert event["frame"]["type"] == "order"
    assert event["frame"]["order"] == {
        "number": order.number,
        "status": "paid",
        "status_label": "Paid",
        "tracking_url": "",
    }
