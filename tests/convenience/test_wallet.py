"""Saved cards and one-tap pay: no card number stored, a double tap charges once."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from shop.orders.exceptions import PaymentError
from shop.orders.models import Order, OrderStatus, Payment, TestCardCharge
from shop.orders.services.cart import cart_add
from shop.orders.services.payments import payment_pay
from shop.wallet.models import GatewayToken, OneTapAttempt, SavedCard
from shop.wallet.services import card_delete, card_rename, card_save, card_set_default
from tests.orders.conftest import ADDRESS

pytestmark = pytest.mark.django_db

NUMBER = "4242424242424242"


def all_text_in_database() -> str:
    """Every character column of every table of the project's apps, as one string."""
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            columns = [
                f.column
                for f in model._meta.concrete_fields
                if f.get_internal_type() in ("CharField", "TextField", "JSONField")
            ]
            if not columns:
                continue
            cols = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {cols} FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            chunks.extend(str(v) for row in cursor.fetchall() for v in row)
    return "\n".join(chunks)


def test_saving_a_card_keeps_token_and_last4_only(client, buyer):
    client.force_login(buyer)
    response = client.post(
        "/me/cards/", {"card_number": "4242 4242 4242 4242", "label": "생활비 카드"}, follow=True
    )
    assert "생활비 카드 •••• 4242" in response.content.decode()
    card = SavedCard.objects.get(user=buyer)
    assert card.last4 == "4242" and card.token.startswith("tok_") and card.is_default
    assert GatewayToken.objects.get(token=card.token).last4 == "4242"
    assert NUMBER not in all_text_in_database()


def test_bad_and_declined_cards_refused(buyer):
    with pytest.raises(PaymentError):
        card_save(user=buyer, card_number="1234 5678")
    with pytest.raises(PaymentError):
        card_save(user=buyer, card_number="4000 0000 0000 0002")
    assert not SavedCard.objects.exists() and not GatewayToken.objects.exists()


def test_rename_default_delete_and_someone_elses_card(client, buyer, make_user):
    first = card_save(user=buyer, card_number=NUMBER)
    second = card_save(user=buyer, card_number="5555 5555 5555 4444", make_default=True)
    first.refresh_from_db()
    assert second.is_default and not first.is_default
    card_rename(user=buyer, card_id=first.pk, label="회사 카드")
    card_set_default(user=buyer, card_id=first.pk)
    assert SavedCard.objects.get(is_default=True).label == "회사 카드"
    intruder = make_user("intruder")
    for action in (
        lambda: card_rename(user=intruder, card_id=first.pk, label="x"),
        lambda: card_set_default(user=intruder, card_id=first.pk),
        lambda: card_delete(user=intruder, card_id=first.pk),
    ):
        with pytest.raises(PaymentError):
            action()
    client.force_login(intruder)
    client.post(f"/me/cards/{first.pk}/delete/")
    assert SavedCard.objects.filter(pk=first.pk).exists()
    card_delete(user=buyer, card_id=first.pk)
    assert SavedCard.objects.get().is_default  # the other card took over
    assert GatewayToken.objects.get(token=first.token).revoked_at is not None


def checkout_post(client, shop, card, key="tap_1", **extra):
    return client.post(
        "/checkout/",
        {
            "store": shop.store.slug,
            **ADDRESS,
            "payment_method": "bank_transfer",
            "one_tap_card": card.pk,
            "one_tap_key": key,
            **extra,
        },
    )


def test_one_tap_pays_and_a_double_tap_charges_once(client, buyer, shop):
    card = card_save(user=buyer, card_number=NUMBER)
    cart_add(user=buyer, goods=shop.bread, option=None, quantity=2)
    client.force_login(buyer)
    page = client.get(f"/checkout/?store={shop.store.slug}").content.decode()
    assert "Pay 13,000 won with Card •••• 4242" in page and 'name="one_tap_key"' in page
    first = checkout_post(client, shop, card)
    second = checkout_post(client, shop, card)
    order = Order.objects.get()
    assert first.url == second.url == f"/orders/{order.number}/"
    assert order.status == OrderStatus.PAID and order.payment_method == "test_card"
    assert TestCardCharge.objects.count() == 1
    assert TestCardCharge.objects.get().amount == order.total == 13000
    assert Payment.objects.get().card_last4 == "4242"
    assert OneTapAttempt.objects.get().order == order
    # and pressing "pay" again on the paid order does not charge
    response = client.post(f"/orders/{order.number}/pay/saved/", {"card": card.pk})
    assert response.status_code == 302 and TestCardCharge.objects.count() == 1
    with pytest.raises(PaymentError):
        payment_pay(order=order, actor=buyer, data={"billing_token": card.token})
    assert TestCardCharge.objects.count() == 1


def test_someone_elses_saved_card_places_nothing(client, buyer, shop, make_user):
    other = make_user("other")
    card = card_save(user=other, card_number=NUMBER)
    cart_add(user=buyer, goods=shop.bread, option=None, quantity=1)
    client.force_login(buyer)
    response = checkout_post(client, shop, card)
    assert response.status_code == 200
    assert "That saved card is not one of yours." in response.content.decode()
    assert not Order.objects.exists() and not TestCardCharge.objects.exists()


def test_no_saved_card_shows_the_normal_flow(client, buyer, shop):
    cart_add(user=buyer, goods=shop.bread, option=None, quantity=1)
    client.force_login(buyer)
    page = client.get(f"/checkout/?store={shop.store.slug}").content.decode()
    assert "one_tap_card" not in page and "Bank transfer" in page
    response = client.post(
        "/checkout/", {"store": shop.store.slug, **ADDRESS, "payment_method": "bank_transfer"}
    )
    order = Order.objects.get()
    assert response.url == f"/orders/{order.number}/"
    assert order.status == OrderStatus.PENDING_PAYMENT and not TestCardCharge.objects.exists()


def test_saved_card_on_the_pay_page(client, buyer, place):
    card = card_save(user=buyer, card_number="4000 0000 0000 9995")  # insufficient funds
    order = place()
    client.force_login(buyer)
    assert (
        "Pay 8,000 won with Card •••• 9995"
        in client.get(f"/orders/{order.number}/pay/").content.decode()
    )
    response = client.post(f"/orders/{order.number}/pay/saved/", {"card": card.pk}, follow=True)
    assert "insufficient funds" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    good = card_save(user=buyer, card_number=NUMBER)
    client.post(f"/orders/{order.number}/pay/saved/", {"card": good.pk})
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert TestCardCharge.objects.filter(approved=True).count() == 1
