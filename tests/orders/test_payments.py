"""Card payments (idempotent), bank transfer deposits, refunds and the signed webhook."""

from __future__ import annotations

import json
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from shop.orders.exceptions import BadTransition, PaymentError
from shop.orders.models import OrderEvent, OrderStatus, Payment, TestCardCharge
from shop.orders.payments.test_card import signed_notification
from shop.orders.services.orders import order_cancel, order_start_preparing
from shop.orders.services.payments import payment_confirm_deposit, payment_pay

pytestmark = pytest.mark.django_db
OK_CARD = {"card_number": "4242 4242 4242 4242"}
DECLINE_CARD = {"card_number": "4000 0000 0000 0002"}


def test_pay_approved_marks_paid(place, buyer):
    order = place()
    payment = payment_pay(order=order, actor=buyer, data=OK_CARD)
    order.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert order.status == OrderStatus.PAID
    assert payment.card_last4 == "4242"
    assert TestCardCharge.objects.count() == 1


def test_pay_twice_charges_once(place, buyer):
    order = place()
    payment_pay(order=order, actor=buyer, data=OK_CARD)
    with pytest.raises(PaymentError, match="already paid"):
        payment_pay(order=order, actor=buyer, data=OK_CARD)
    assert TestCardCharge.objects.count() == 1
    assert OrderEvent.objects.filter(order=order, to_status=OrderStatus.PAID).count() == 1


def test_gateway_same_key_charges_once(place, buyer):
    from shop.orders.payments import get_provider

    order = place()
    payment = Payment.objects.get(order=order)
    gateway = get_provider("test_card")
    first = gateway.charge(payment=payment, data=OK_CARD)
    again = gateway.charge(payment=payment, data=OK_CARD)
    assert first.reference == again.reference
    assert TestCardCharge.objects.count() == 1


def test_pay_declined_then_other_card(place, buyer):
    order = place()
    payment = payment_pay(order=order, actor=buyer, data=DECLINE_CARD)
    order.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert "declined" in payment.failure_reason
    assert order.status == OrderStatus.PENDING_PAYMENT
    payment = payment_pay(order=order, actor=buyer, data=OK_CARD)
    assert payment.status == Payment.Status.PAID
    assert TestCardCharge.objects.filter(approved=True).count() == 1


def test_pay_mistyped_card_refused(place, buyer):
    order = place()
    with pytest.raises(PaymentError, match="card number"):
        payment_pay(order=order, actor=buyer, data={"card_number": "4242 4242 4242 4241"})
    assert not TestCardCharge.objects.exists()


def test_pay_cancelled_order_refused(place, buyer):
    order = place()
    order_cancel(order=order, actor=buyer)
    with pytest.raises(PaymentError, match="cancelled"):
        payment_pay(order=order, actor=buyer, data=OK_CARD)
    assert not TestCardCharge.objects.exists()


def test_pay_someone_elses_order_refused(place, make_user):
    order = place()
    with pytest.raises(PermissionDenied):
        payment_pay(order=order, actor=make_user("thief"), data=OK_CARD)


def test_bank_transfer_confirmed_by_seller_only(place, shop, buyer, other_shop):
    order = place(method="bank_transfer")
    with pytest.raises(PermissionDenied):
        payment_confirm_deposit(order=order, actor=buyer)
    with pytest.raises(PermissionDenied):
        payment_confirm_deposit(order=order, actor=other_shop.owner)
    payment_confirm_deposit(order=order, actor=shop.owner)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    with pytest.raises(PaymentError, match="already paid"):
        payment_confirm_deposit(order=order, actor=shop.owner)


def test_bank_transfer_not_paid_by_card(place, buyer):
    order = place(method="bank_transfer")
    with pytest.raises(PaymentError, match="bank transfer"):
        payment_pay(order=order, actor=buyer, data=OK_CARD)


def test_cancel_paid_card_order_refunds_through_gateway(place, buyer):
    order = place()
    payment_pay(order=order, actor=buyer, data=OK_CARD)
    order_cancel(order=order, actor=buyer)
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.REFUNDED
    assert payment.refunded_amount == order.total
    assert TestCardCharge.objects.get().refunded_amount == order.total


def test_buyer_cannot_cancel_once_preparing(place, shop, buyer):
    order = place()
    payment_pay(order=order, actor=buyer, data=OK_CARD)
    order_start_preparing(order=order, actor=shop.owner)
    with pytest.raises(BadTransition, match="ask the store"):
        order_cancel(order=order, actor=buyer)
    order_cancel(order=order, actor=shop.owner, note="품절")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


# --- webhook ---------------------------------------------------------------------------------


def _approved_payload(order):
    payment = Payment.objects.get(order=order)
    return {
        "type": "payment.approved",
        "idempotency_key": payment.idempotency_key,
        "reference": "tc_webhook_1",
        "amount": payment.amount,
    }


def _post(client, body, headers):
    return client.post(
        reverse("orders:payment_webhook", args=["test-card"]),
        data=body,
        content_type="application/json",
        headers=headers,
    )


def test_webhook_marks_paid_once(client, place):
    order = place()
    body, headers = signed_notification(_approved_payload(order))
    response = _post(client, body, headers)
    assert response.status_code == 200
    assert response.json()["result"] == "paid"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    body2, headers2 = signed_notification(_approved_payload(order))
    assert _post(client, body2, headers2).json()["result"] == "already"
    assert OrderEvent.objects.filter(order=order, to_status=OrderStatus.PAID).count() == 1


def test_webhook_replay_refused(client, place):
    order = place()
    body, headers = signed_notification(_approved_payload(order))
    assert _post(client, body, headers).status_code == 200
    replay = _post(client, body, headers)
    assert replay.status_code == 400
    assert "before" in replay.json()["error"]


def test_webhook_forged_signature_changes_nothing(client, place):
    order = place()
    body, headers = signed_notification(_approved_payload(order))
    headers["X-Talkmall-Signature"] = "0" * 64
    response = _post(client, body, headers)
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_webhook_tampered_body_changes_nothing(client, place):
    order = place()
    body, headers = signed_notification(_approved_payload(order))
    tampered = json.dumps({**json.loads(body), "amount": 1}).encode()
    assert _post(client, tampered, headers).status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_webhook_old_timestamp_refused(client, place):
    order = place()
    body, headers = signed_notification(_approved_payload(order), timestamp=int(time.time()) - 3600)
    response = _post(client, body, headers)
    assert response.status_code == 400
    assert "too old" in response.json()["error"]


def test_webhook_unsigned_and_wrong_amount_refused(client, place):
    order = place()
    assert _post(client, b"{}", {}).status_code == 400
    payload = {**_approved_payload(order), "amount": 1}
    body, headers = signed_notification(payload)
    assert _post(client, body, headers).status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_webhook_for_cancelled_order_changes_nothing(client, place, buyer):
    order = place()
    order_cancel(order=order, actor=buyer)
    body, headers = signed_notification(_approved_payload(order))
    assert _post(client, body, headers).json()["result"] == "already"
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
