"""Returns and exchanges: the claim state machine, refund arithmetic, stock, pages, access."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from shop.models import GoodsOption
from shop.orders.exceptions import BadTransition, OrderError, SoldOut
from shop.orders.models import Claim, ClaimEvent, Order, OrderStatus, Payment
from shop.orders.services.claims import (
    CLAIM_TRANSITIONS,
    claim_approve,
    claim_mark_collected,
    claim_refund,
    claim_reject,
    claim_request_return,
    claim_reship,
    claim_transition,
    refund_breakdown,
)
from shop.orders.services.orders import (
    order_mark_delivered,
    order_ship,
    orders_complete_delivered,
)
from shop.orders.services.payments import payment_pay

pytestmark = pytest.mark.django_db
OK_CARD = {"card_number": "4242424242424242"}
K, C = Claim.Kind, Claim.Status


def png(name="photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 80)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture
def deliver(place, buyer, shop):
    """Place, pay, ship and deliver an order of ``lines``."""

    def run(*lines, discount: int = 0):
        order = place(*lines)
        if discount:
            order.discount = discount
            order.total -= discount
            order.save()
            Payment.objects.filter(order=order).update(amount=order.total)
        payment_pay(order=order, actor=buyer, data=OK_CARD)
        order_ship(order=order, actor=shop.owner, courier="cj", tracking_number="612345678901")
        order_mark_delivered(order=order, actor=shop.owner)
        order.refresh_from_db()
        return order

    return run


@pytest.fixture
def medium(shop):
    """A third shirt option at the same price as S (exchangeable), stock 2."""
    return GoodsOption.objects.create(goods=shop.shirt, name="M", stock=2, position=2)


def line_of(order, goods):
    return order.lines.get(goods=goods)


def ask(order, buyer, goods, quantity, *, kind="return", reason="defect", option=None, **kw):
    line = line_of(order, goods)
    return claim_request_return(
        order=order,
        actor=buyer,
        kind=kind,
        reason_code=reason,
        reason=kw.pop("text", ""),
        lines={line.pk: quantity},
        options={line.pk: option.pk} if option else None,
        **kw,
    )


def through(claim, owner, *steps):
    for step in steps:
        {"approve": claim_approve, "collect": claim_mark_collected, "refund": claim_refund}[step](
            claim=claim, actor=owner
        )
    claim.refresh_from_db()
    return claim


# --- the state machine: every legal and illegal step ---------------------------------------

ALL_STEPS = [(kind, status, to) for kind in K.values for status in C.values for to in C.values]


@pytest.mark.parametrize(("kind", "status", "to"), ALL_STEPS)
def test_every_claim_transition(deliver, buyer, kind, status, to):
    order = deliver()
    claim = Claim.objects.create(order=order, kind=kind, status=status, reason="x")
    legal = to in CLAIM_TRANSITIONS[kind].get(status, frozenset())
    if legal:
        claim_transition(claim=claim, to=to, actor=buyer)
        claim.refresh_from_db()
        assert claim.status == to
        event = ClaimEvent.objects.get(claim=claim)
        assert (event.from_status, event.to_status) == (status, to)
    else:
        with pytest.raises(BadTransition, match="cannot become"):
            claim_transition(claim=claim, to=to, actor=buyer)
        claim.refresh_from_db()
        assert claim.status == status
        assert not ClaimEvent.objects.filter(claim=claim).exists()


def test_final_states_have_no_way_out():
    for kind, steps in CLAIM_TRANSITIONS.items():
        reachable = set().union(*steps.values())
        finals = reachable - set(steps)
        assert C.REJECTED in finals
        assert (C.REFUNDED in finals) == (kind == K.RETURN)
        assert (C.RESHIPPED in finals) == (kind == K.EXCHANGE)


def test_store_verbs_refuse_illegal_steps(deliver, buyer, shop):
    claim = ask(deliver(), buyer, shop.bread, 1)
    with pytest.raises(BadTransition, match="cannot become"):
        claim_refund(claim=claim, actor=shop.owner)
    with pytest.raises(BadTransition, match="cannot become"):
        claim_mark_collected(claim=claim, actor=shop.owner)
    through(claim, shop.owner, "approve")
    with pytest.raises(OrderError, match="answered already"):
        claim_reject(claim=claim, actor=shop.owner, reason="late")
    with pytest.raises(BadTransition, match="cannot become"):
        claim_reship(claim=claim, actor=shop.owner)
    through(claim, shop.owner, "collect", "refund")
    with pytest.raises(BadTransition, match="cannot become"):
        claim_refund(claim=claim, actor=shop.owner)
    assert Payment.objects.get(order=claim.order).refunded_amount == 8000  # full: + shipping


def test_return_walks_requested_approved_collected_refunded(deliver, buyer, shop):
    order = deliver((shop.bread, None, 3))
    claim = ask(order, buyer, shop.bread, 1, photos=[png(), png("b.png")])
    assert claim.status == C.REQUESTED and claim.photos.count() == 2
    through(claim, shop.owner, "approve", "collect", "refund")
    assert claim.status == C.REFUNDED
    assert [e.to_status for e in claim.events.all()] == [
        "requested",
        "approved",
        "collected",
        "refunded",
    ]


# --- asking: bad input changes nothing -------------------------------------------------------


def test_return_after_seven_days_refused(deliver, buyer, shop):
    order = deliver()
    Order.objects.filter(pk=order.pk).update(delivered_at=timezone.now() - timedelta(days=8))
    order.refresh_from_db()
    with pytest.raises(BadTransition, match="within 7 days"):
        ask(order, buyer, shop.bread, 1)
    assert not Claim.objects.exists()


def test_return_before_delivery_refused(place, buyer, shop):
    order = place()
    payment_pay(order=order, actor=buyer, data=OK_CARD)
    with pytest.raises(BadTransition, match="once the order is delivered"):
        ask(order, buyer, shop.bread, 1)
    assert not Claim.objects.exists()


def test_quantity_over_ordered_refused(deliver, buyer, shop):
    order = deliver((shop.bread, None, 2))
    with pytest.raises(OrderError, match="at most 2"):
        ask(order, buyer, shop.bread, 3)
    ask(order, buyer, shop.bread, 1)
    with pytest.raises(OrderError, match="at most 1"):
        ask(order, buyer, shop.bread, 2)
    assert Claim.objects.count() == 1


def test_rejected_claim_frees_the_quantity(deliver, buyer, shop):
    order = deliver((shop.bread, None, 1))
    claim = ask(order, buyer, shop.bread, 1)
    claim_reject(claim=claim, actor=shop.owner, reason="사진으로는 불량이 보이지 않아요")
    assert ask(order, buyer, shop.bread, 1).status == C.REQUESTED


def test_someone_elses_order_refused(deliver, make_user, shop):
    order = deliver()
    with pytest.raises(PermissionDenied):
        ask(order, make_user("stranger"), shop.bread, 1)
    assert not Claim.objects.exists()


def test_more_than_three_photos_or_a_fake_photo_refused(deliver, buyer, shop):
    order = deliver()
    with pytest.raises(OrderError, match="at most 3"):
        ask(order, buyer, shop.bread, 1, photos=[png(), png(), png(), png()])
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    with pytest.raises(OrderError, match="not an image"):
        ask(order, buyer, shop.bread, 1, photos=[fake])
    assert not Claim.objects.exists()


# --- exchanges: stock reserved under locks, released on reject -----------------------------


def test_exchange_reserves_the_new_option_and_restocks_the_old(deliver, buyer, shop, medium):
    order = deliver((shop.shirt, shop.small, 2))
    claim = ask(
        order, buyer, shop.shirt, 2, kind="exchange", reason="change_of_mind", option=medium
    )
    medium.refresh_from_db()
    assert medium.stock == 0
    assert claim.return_shipping_fee == 6000  # both ways, the buyer changed their mind
    assert claim.lines.get().exchange_option_name == "M"
    through(claim, shop.owner, "approve", "collect")
    shop.small.refresh_from_db()
    assert shop.small.stock == 3  # 3 − 2 ordered + 2 collected
    claim_reship(claim=claim, actor=shop.owner, courier="cj", tracking_number="798765432101")
    claim.refresh_from_db()
    assert claim.status == C.RESHIPPED and claim.reship_tracking_number == "798765432101"


def test_exchange_rejected_releases_the_reservation(deliver, buyer, shop, medium):
    order = deliver((shop.shirt, shop.small, 1))
    claim = ask(order, buyer, shop.shirt, 1, kind="exchange", option=medium)
    claim_reject(claim=claim, actor=shop.owner, reason="이미 착용한 흔적이 있어요")
    medium.refresh_from_db()
    assert medium.stock == 2


def test_exchange_to_a_sold_out_option_refused(deliver, buyer, shop, medium):
    order = deliver((shop.shirt, shop.small, 1))
    GoodsOption.objects.filter(pk=medium.pk).update(stock=0)
    with pytest.raises(SoldOut, match="sold out"):
        ask(order, buyer, shop.shirt, 1, kind="exchange", option=medium)
    assert not Claim.objects.exists()


def test_exchange_to_an_option_of_another_price_refused(deliver, buyer, shop):
    order = deliver((shop.shirt, shop.small, 1))
    with pytest.raises(OrderError, match="no other option of the same price"):
        ask(order, buyer, shop.shirt, 1, kind="exchange", option=shop.large)
    shop.large.refresh_from_db()
    assert shop.large.stock == 1 and not Claim.objects.exists()


# --- refund arithmetic and stock ------------------------------------------------------------


def test_partial_return_defect_refunds_the_goods(deliver, buyer, shop):
    order = deliver((shop.bread, None, 3))  # 15,000 + 3,000 shipping
    claim = through(ask(order, buyer, shop.bread, 1), shop.owner, "approve", "collect", "refund")
    assert (claim.goods_amount, claim.shipping_refund, claim.deduction) == (5000, 0, 0)
    assert claim.refund_amount == 5000
    payment = Payment.objects.get(order=order)
    assert payment.refunded_amount == 5000 and payment.status == Payment.Status.PAID


def test_full_return_defect_refunds_shipping_too(deliver, buyer, shop):
    order = deliver((shop.bread, None, 3))
    claim = through(ask(order, buyer, shop.bread, 3), shop.owner, "approve", "collect", "refund")
    assert claim.refund_amount == 18000 == order.total
    assert Payment.objects.get(order=order).status == Payment.Status.REFUNDED


def test_full_return_change_of_mind_deducts_return_shipping(deliver, buyer, shop):
    order = deliver((shop.bread, None, 3))
    claim = ask(order, buyer, shop.bread, 3, reason="change_of_mind")
    assert claim.buyer_pays_shipping and claim.refund_amount == 12000  # the estimate
    claim = through(claim, shop.owner, "approve", "collect", "refund")
    assert (claim.shipping_refund, claim.deduction, claim.refund_amount) == (0, 3000, 12000)


def test_change_of_mind_below_free_shipping_pays_the_lost_shipping(deliver, buyer, shop):
    order = deliver((shop.bread, None, 7))  # 35,000: ships free (threshold 30,000)
    assert order.shipping_fee == 0
    claim = through(
        ask(order, buyer, shop.bread, 2, reason="change_of_mind"),
        shop.owner,
        "approve",
        "collect",
        "refund",
    )
    # 10,000 goods − 3,000 return shipping − 3,000 shipping no longer free
    assert (claim.deduction, claim.refund_amount) == (6000, 4000)


def test_discount_is_shared_per_line_and_two_returns_add_up(deliver, buyer, shop):
    order = deliver((shop.bread, None, 3), discount=3000)  # paid 15,000
    first = through(ask(order, buyer, shop.bread, 1), shop.owner, "approve", "collect", "refund")
    assert (first.discount_share, first.refund_amount) == (1000, 4000)
    second = through(ask(order, buyer, shop.bread, 2), shop.owner, "approve", "collect", "refund")
    assert (second.discount_share, second.shipping_refund, second.refund_amount) == (
        2000,
        3000,
        11000,
    )
    payment = Payment.objects.get(order=order)
    assert payment.refunded_amount == 15000 and payment.status == Payment.Status.REFUNDED


def test_refund_never_exceeds_what_is_left(deliver, buyer, shop):
    order = deliver((shop.bread, None, 1))
    claim = ask(order, buyer, shop.bread, 1)
    Payment.objects.filter(order=order).update(refunded_amount=7000)
    assert refund_breakdown(claim).total == 1000


def test_stock_returns_when_collected_not_before(deliver, buyer, shop):
    order = deliver((shop.bread, None, 3))
    claim = ask(order, buyer, shop.bread, 2)
    through(claim, shop.owner, "approve")
    shop.bread.refresh_from_db()
    assert shop.bread.stock == 7
    through(claim, shop.owner, "collect")
    shop.bread.refresh_from_db()
    assert shop.bread.stock == 9


def test_only_this_store_decides(deliver, buyer, shop, other_shop):
    claim = ask(deliver(), buyer, shop.bread, 1)
    for verb in (claim_approve, claim_mark_collected, claim_refund):
        with pytest.raises(PermissionDenied):
            verb(claim=claim, actor=other_shop.owner)
        with pytest.raises(PermissionDenied):
            verb(claim=claim, actor=buyer)
    claim.refresh_from_db()
    assert claim.status == C.REQUESTED


def test_open_return_holds_off_auto_completion(deliver, buyer, shop):
    order = deliver()
    ask(order, buyer, shop.bread, 1)
    later = timezone.now() + timedelta(days=8)
    assert orders_complete_delivered(now=later) == []
    claim = Claim.objects.get()
    claim_reject(claim=claim, actor=shop.owner, reason="no")
    assert orders_complete_delivered(now=later) == [order.number]


def test_order_exposes_claim_status(deliver, buyer, shop):
    order = deliver()
    assert order.claim_status == ""
    claim = ask(order, buyer, shop.bread, 1)
    claim_approve(claim=claim, actor=shop.owner)
    assert Order.objects.get(pk=order.pk).claim_status == "approved"


# --- pages ----------------------------------------------------------------------------------


def test_buyer_asks_for_a_return_from_the_order_page(client, deliver, buyer, shop):
    order = deliver((shop.bread, None, 2))
    client.force_login(buyer)
    page = client.get(reverse("orders:order_detail", args=[order.number])).content.decode()
    assert 'data-role="request-return"' in page
    url = reverse("orders:claim_new", args=[order.number])
    line = order.lines.get()
    form = client.get(url).content.decode()
    assert f'name="qty_{line.pk}"' in form
    response = client.post(
        url,
        {
            "kind": "return",
            "reason_code": "defect",
            "reason": "빵이 눌려서 왔어요",
            f"qty_{line.pk}": "1",
            "photos": [png()],
        },
        follow=True,
    )
    page = response.content.decode()
    assert "빵이 눌려서 왔어요" in page
    assert "Return: Requested" in page  # the order timeline
    assert Claim.objects.get().photos.count() == 1


def test_buyer_over_quantity_gets_a_form_error_and_nothing_changes(client, deliver, buyer, shop):
    order = deliver((shop.bread, None, 1))
    client.force_login(buyer)
    line = order.lines.get()
    response = client.post(
        reverse("orders:claim_new", args=[order.number]),
        {"kind": "return", "reason_code": "defect", f"qty_{line.pk}": "5"},
    )
    assert response.status_code == 200
    assert "At most 1 of this item" in response.content.decode()
    assert not Claim.objects.exists()


def test_late_return_page_explains(client, deliver, buyer, shop):
    order = deliver()
    Order.objects.filter(pk=order.pk).update(delivered_at=timezone.now() - timedelta(days=8))
    client.force_login(buyer)
    response = client.get(reverse("orders:claim_new", args=[order.number]), follow=True)
    assert "within 7 days of delivery" in response.content.decode()


def test_claim_pages_of_another_buyer_or_store_are_404(
    client, deliver, buyer, shop, other_shop, make_user
):
    order = deliver()
    claim = ask(order, buyer, shop.bread, 1)
    client.force_login(make_user("stranger"))
    assert client.get(reverse("orders:claim_new", args=[order.number])).status_code == 404
    client.force_login(other_shop.owner)
    url = reverse("orders:seller_claim", args=[shop.store.slug, order.number, claim.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 404
    claim.refresh_from_db()
    assert claim.status == C.REQUESTED


def test_seller_claims_tab_walks_a_return_to_refunded(client, deliver, buyer, shop):
    order = deliver((shop.bread, None, 2))
    claim = ask(order, buyer, shop.bread, 2, reason="wrong_item", text="다른 빵이 왔어요")
    client.force_login(shop.owner)
    tab = reverse("orders:seller_orders", args=[shop.store.slug]) + "?tab=claims"
    page = client.get(tab).content.decode()
    assert "다른 빵이 왔어요" in page and 'data-role="claim-actions"' in page
    url = reverse("orders:seller_claim", args=[shop.store.slug, order.number, claim.pk])
    for decision in ("approve", "collect", "refund"):
        client.post(url, {"decision": decision, "next": tab})
    claim.refresh_from_db()
    assert claim.status == C.REFUNDED and claim.refund_amount == 13000
    assert order.number not in client.get(tab).content.decode()  # nothing left to do
    assert order.number in client.get(tab + "&all=1").content.decode()
    client.force_login(buyer)
    page = client.get(reverse("orders:order_detail", args=[order.number])).content.decode()
    assert "Return: Refunded" in page and "13,000" in page


def test_seller_illegal_step_gets_a_message(client, deliver, buyer, shop):
    order = deliver()
    claim = ask(order, buyer, shop.bread, 1)
    client.force_login(shop.owner)
    url = reverse("orders:seller_claim", args=[shop.store.slug, order.number, claim.pk])
    response = client.post(url, {"decision": "refund"}, follow=True)
    assert "cannot become" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == C.REQUESTED


@pytest.mark.django_db(transaction=True)
def test_claim_change_reaches_buyer_inbox(place, buyer, shop):
    import asyncio

    from asgiref.sync import async_to_sync, sync_to_async
    from channels.layers import get_channel_layer

    from chat.groups import inbox_group

    order = place()
    payment_pay(order=order, actor=buyer, data=OK_CARD)
    order_ship(order=order, actor=shop.owner, courier="cj", tracking_number="612345678901")
    order_mark_delivered(order=order, actor=shop.owner)
    claim = ask(order, buyer, shop.bread, 1)
    group = inbox_group(buyer.pk)

    async def scenario():
        layer = get_channel_layer()
        channel_name = await layer.new_channel()
        await layer.group_add(group, channel_name)
        try:
            await sync_to_async(claim_approve)(claim=claim, actor=shop.owner)
            return await asyncio.wait_for(layer.receive(channel_name), timeout=5)
        finally:
            await layer.group_discard(group, channel_name)

    frame = async_to_sync(scenario)()["frame"]
    assert frame["type"] == "claim"
    assert frame["order"]["number"] == order.number
    assert frame["order"]["claim_status"] == "approved"
    assert frame["claim"]["kind"] == "return" and frame["claim"]["status"] == "approved"
    assert order.status == OrderStatus.DELIVERED


# --- admin ----------------------------------------------------------------------------------


def test_admin_claims_scoped_and_actions_run_the_services(client, deliver, buyer, shop, other_shop):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    from shop.orders.services.cart import cart_add
    from shop.orders.services.checkout import order_place
    from tests.orders.conftest import ADDRESS

    mine = ask(deliver(), buyer, shop.bread, 1)
    cart_add(user=buyer, goods=other_shop.bread, quantity=1)
    theirs_order = order_place(
        buyer=buyer, store=other_shop.store, shipping=ADDRESS, payment_method="test_card"
    )
    theirs = Claim.objects.create(order=theirs_order, kind=K.CANCEL, reason="다른 가게")
    shop.owner.is_staff = True
    shop.owner.save()
    client.force_login(shop.owner)
    url = "/admin/orders/claim/"
    page = client.get(url).content.decode()
    assert mine.order.number in page and theirs_order.number not in page
    assert client.get(f"{url}{theirs.pk}/change/").status_code in (302, 403, 404)
    # Reject asks for a reason first; without one nothing changes.
    form = client.post(url, {"action": "reject", ACTION_CHECKBOX_NAME: [mine.pk]})
    assert 'name="reject_reason"' in form.content.decode()
    client.post(url, {"action": "reject", "confirm": "1", ACTION_CHECKBOX_NAME: [mine.pk]})
    mine.refresh_from_db()
    assert mine.status == C.REQUESTED
    client.post(url, {"action": "approve", ACTION_CHECKBOX_NAME: [mine.pk, theirs.pk]})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == C.APPROVED and theirs.status == C.REQUESTED


def test_order_lists_show_the_claim_state(client, deliver, buyer, shop):
    order = deliver()
    ask(order, buyer, shop.bread, 1)
    client.force_login(buyer)
    page = client.get(reverse("orders:order_list")).content.decode()
    assert 'data-role="claim-status"' in page and "Return · Requested" in page
    client.force_login(shop.owner)
    url = reverse("orders:seller_orders", args=[shop.store.slug]) + "?tab=shipped"
    assert "Return · Requested" in client.get(url).content.decode()
