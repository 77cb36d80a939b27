"""Cancel requests: immediate before preparing, the store's decision once preparing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from shop.orders.exceptions import BadTransition, OrderError
from shop.orders.models import Claim, OrderStatus, Payment
from shop.orders.services.claims import claim_approve, claim_reject, claim_request_cancel
from shop.orders.services.orders import order_ship, order_start_preparing
from shop.orders.services.payments import payment_pay

pytestmark = pytest.mark.django_db
OK_CARD = {"card_number": "4242424242424242"}


@pytest.fixture
def preparing(place, shop, buyer):
    order = place((shop.bread, None, 3))
    payment_pay(order=order, actor=buyer, data=OK_CARD)
    order_start_preparing(order=order, actor=shop.owner)
    return order


def test_cancel_request_paid_order_cancels_at_once(place, buyer, shop):
    order = place()
    payment_pay(order=order, actor=buyer, data=OK_CARD)
    assert claim_request_cancel(order=order, actor=buyer, reason="") is None
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Payment.objects.get(order=order).status == Payment.Status.REFUNDED


def test_cancel_request_preparing_waits_for_store(preparing, buyer):
    claim = claim_request_cancel(order=preparing, actor=buyer, reason="주소를 잘못 썼어요")
    assert claim.status == Claim.Status.REQUESTED
    preparing.refresh_from_db()
    assert preparing.status == OrderStatus.PREPARING
    with pytest.raises(OrderError, match="already"):
        claim_request_cancel(order=preparing, actor=buyer, reason="again")


def test_cancel_request_needs_reason_once_preparing(preparing, buyer):
    with pytest.raises(OrderError, match="reason"):
        claim_request_cancel(order=preparing, actor=buyer, reason="  ")
    assert not Claim.objects.exists()


def test_cancel_request_approved_refunds_and_restores_stock(preparing, buyer, shop):
    claim = claim_request_cancel(order=preparing, actor=buyer, reason="마음이 바뀌었어요")
    claim_approve(claim=claim, actor=shop.owner)
    preparing.refresh_from_db()
    shop.bread.refresh_from_db()
    assert preparing.status == OrderStatus.CANCELLED
    assert shop.bread.stock == 10
    assert Payment.objects.get(order=preparing).status == Payment.Status.REFUNDED
    with pytest.raises(OrderError, match="answered already"):
        claim_reject(claim=claim, actor=shop.owner, reason="late")


def test_cancel_request_rejected_with_reason(preparing, buyer, shop):
    claim = claim_request_cancel(order=preparing, actor=buyer, reason="변심")
    with pytest.raises(OrderError, match="reason"):
        claim_reject(claim=claim, actor=shop.owner, reason="")
    claim_reject(claim=claim, actor=shop.owner, reason="이미 포장을 마쳤어요")
    claim.refresh_from_db()
    preparing.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED
    assert preparing.status == OrderStatus.PREPARING


def test_cancel_request_decided_only_by_this_store(preparing, buyer, other_shop):
    claim = claim_request_cancel(order=preparing, actor=buyer, reason="변심")
    with pytest.raises(PermissionDenied):
        claim_approve(claim=claim, actor=other_shop.owner)
    with pytest.raises(PermissionDenied):
        claim_approve(claim=claim, actor=buyer)


def test_ship_refused_while_cancel_requested(preparing, buyer, shop):
    claim_request_cancel(order=preparing, actor=buyer, reason="변심")
    with pytest.raises(OrderError, match="asked to cancel"):
        order_ship(order=preparing, actor=shop.owner, courier="cj", tracking_number="612345678901")


def test_cancel_request_after_shipping_refused(preparing, buyer, shop):
    order_ship(order=preparing, actor=shop.owner, courier="cj", tracking_number="612345678901")
    with pytest.raises(BadTransition, match="no longer be cancelled"):
        claim_request_cancel(order=preparing, actor=buyer, reason="변심")


def test_cancel_pages_buyer_requests_seller_approves(client, preparing, buyer, shop):
    client.force_login(buyer)
    page = client.get(reverse("orders:order_detail", args=[preparing.number])).content.decode()
    assert 'data-role="cancel-request"' in page
    client.post(reverse("orders:order_cancel", args=[preparing.number]), {"reason": "변심"})
    claim = Claim.objects.get()
    page = client.get(reverse("orders:order_detail", args=[preparing.number])).content.decode()
    assert "변심" in page
    client.force_login(shop.owner)
    listing = client.get(reverse("orders:seller_orders", args=[shop.store.slug]) + "?tab=claims")
    assert preparing.number in listing.content.decode()
    url = reverse("orders:seller_claim", args=[shop.store.slug, preparing.number, claim.pk])
    client.post(url, {"decision": "approve"})
    preparing.refresh_from_db()
    assert preparing.status == OrderStatus.CANCELLED


def test_cancel_pages_seller_reject_needs_reason(client, preparing, buyer, shop, other_shop):
    claim = claim_request_cancel(order=preparing, actor=buyer, reason="변심")
    client.force_login(other_shop.owner)
    url = reverse("orders:seller_claim", args=[shop.store.slug, preparing.number, claim.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 404
    client.force_login(shop.owner)
    response = client.post(url, {"decision": "reject", "reject_reason": ""}, follow=True)
    assert "Write a reason" in response.content.decode()
    client.post(url, {"decision": "reject", "reject_reason": "이미 포장했어요"})
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED
    client.force_login(buyer)
    page = client.get(reverse("orders:order_detail", args=[preparing.number])).content.decode()
    assert "이미 포장했어요" in page
