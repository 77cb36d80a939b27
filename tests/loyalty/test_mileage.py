"""Mileage ledger: earn, spend at checkout, restore on cancel, expire, never below zero."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.db.models import Sum
from django.utils import timezone

from shop.loyalty.checkout import Choice
from shop.loyalty.exceptions import LoyaltyError
from shop.loyalty.models import MileageAccount, MileageEntry, MileageLot, OrderBenefit
from shop.loyalty.services.mileage import balance_of, mileage_expire, settings_for
from shop.orders.models import Order
from shop.orders.services.cart import cart_add
from shop.orders.services.checkout import order_place
from shop.orders.services.orders import order_cancel
from tests.loyalty.conftest import ADDRESS, complete, give_mileage

pytestmark = pytest.mark.django_db


def ledger_sum(user) -> int:
    return MileageEntry.objects.filter(user=user).aggregate(s=Sum("amount"))["s"] or 0


def test_purchase_confirmation_earns_the_store_rate(shop, buyer, place):
    settings = settings_for(shop.store)
    settings.mileage_rate = 3
    settings.save()
    order = place((shop.bread, None, 2))  # 10,000 won of goods
    complete(order)
    entry = MileageEntry.objects.get(user=buyer, kind="purchase")
    assert entry.amount == 300 and entry.order == order and entry.store == shop.store
    assert balance_of(buyer) == 300
    # Confirming cannot happen twice, and the earning is recorded once.
    assert MileageEntry.objects.filter(user=buyer, kind="purchase").count() == 1


def test_spend_at_checkout_lowers_the_total_and_cancel_gives_it_back(shop, buyer, place):
    give_mileage(buyer, 5000)
    cart_add(user=buyer, goods=shop.bread, quantity=2)  # 10,000 + 3,000 shipping
    order = order_place(
        buyer=buyer,
        store=shop.store,
        shipping=ADDRESS,
        payment_method="test_card",
        benefits=Choice(mileage=4000),
    )
    assert (order.subtotal, order.shipping_fee, order.discount, order.total) == (
        10000,
        3000,
        4000,
        9000,
    )
    assert order.payment.amount == 9000
    assert balance_of(buyer) == 1000
    line = OrderBenefit.objects.get(order=order)
    assert (line.kind, line.amount) == ("mileage", 4000)
    order_cancel(order=order, actor=buyer)
    assert balance_of(buyer) == 5000
    assert list(
        MileageEntry.objects.filter(user=buyer).order_by("id").values_list("kind", "amount")
    ) == [("adjust", 5000), ("spend", -4000), ("restore", 4000)]
    assert MileageLot.objects.get(user=buyer).remaining == 5000
    assert ledger_sum(buyer) == balance_of(buyer)


def test_more_than_the_balance_is_refused_and_nothing_is_written(shop, buyer):
    give_mileage(buyer, 1000)
    cart_add(user=buyer, goods=shop.bread, quantity=1)
    with pytest.raises(LoyaltyError, match="You have 1,000 won of mileage"):
        order_place(
            buyer=buyer,
            store=shop.store,
            shipping=ADDRESS,
            payment_method="test_card",
            benefits=Choice(mileage=1500),
        )
    assert not Order.objects.exists()
    assert balance_of(buyer) == 1000


def test_mileage_never_pays_the_whole_order(shop, buyer):
    give_mileage(buyer, 50000)
    cart_add(user=buyer, goods=shop.bread, quantity=1)  # 5,000 + 3,000 shipping
    with pytest.raises(LoyaltyError, match="at most 5,000 won"):
        order_place(
            buyer=buyer,
            store=shop.store,
            shipping=ADDRESS,
            payment_method="test_card",
            benefits=Choice(mileage=8000),
        )


def test_expire_removes_what_is_left_of_old_lots(buyer, shop, place):
    old = give_mileage(buyer, 3000)
    MileageLot.objects.filter(entry=old).update(expires_at=timezone.now() - timedelta(days=1))
    give_mileage(buyer, 2000)
    # 1,000 spent from the old lot first (it expires first).
    order = place((shop.bread, None, 1))
    order.delete()
    cart_add(user=buyer, goods=shop.bread, quantity=1)
    order_place(
        buyer=buyer,
        store=shop.store,
        shipping=ADDRESS,
        payment_method="test_card",
        benefits=Choice(mileage=1000),
    )
    out = StringIO()
    call_command("mileage", "expire", stdout=out)
    assert "Expired 2,000 won of mileage of 1 user(s)." in out.getvalue()
    assert balance_of(buyer) == 2000
    assert ledger_sum(buyer) == 2000
    assert mileage_expire() == (0, 0)  # idempotent


def test_command_without_action_fails_with_a_sentence():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Say what to do"):
        call_command("mileage")


def test_my_mileage_page_lists_the_ledger(client, buyer, shop):
    give_mileage(buyer, 1234, store=shop.store)
    client.force_login(buyer)
    page = client.get("/me/mileage/").content.decode()
    assert "1,234" in page and shop.store.name in page
    assert "/me/mileage/" in client.get("/me/").content.decode()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_checkouts_at_once_never_spend_more_than_the_balance(make_user, shop, other_shop):
    buyer = make_user("twice")
    give_mileage(buyer, 6000)
    cart_add(user=buyer, goods=shop.bread, quantity=2)
    cart_add(user=buyer, goods=other_shop.bread, quantity=2)
    barrier = threading.Barrier(2)
    results: list[str] = []
    lock = threading.Lock()

    def checkout(store) -> None:
        try:
            barrier.wait(timeout=30)
            order_place(
                buyer=buyer,
                store=store,
                shipping=ADDRESS,
                payment_method="test_card",
                benefits=Choice(mileage=4000),
            )
            outcome = "ok"
        except LoyaltyError as error:
            outcome = "refused" if "mileage" in str(error) else f"other: {error}"
        except Exception as error:  # noqa: BLE001 - shown in the assertion
            outcome = f"error: {error!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=checkout, args=(s.store,)) for s in (shop, other_shop)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    assert sorted(results) == ["ok", "refused"], results
    assert MileageAccount.objects.get(user=buyer).balance == 2000
    assert ledger_sum(buyer) == 2000
    assert Order.objects.count() == 1


def test_a_review_earns_the_store_review_mileage_once(
    shop, buyer, place, django_capture_on_commit_callbacks
):
    from shop.reviews.services import review_create

    settings = settings_for(shop.store)
    settings.mileage_rate = 0
    settings.review_reward = 700
    settings.save()
    order = complete(place((shop.bread, None, 1)))
    with django_capture_on_commit_callbacks(execute=True):
        review = review_create(
            author=buyer, order_line=order.lines.get(), rating=5, text="맛있어요! 또 살게요."
        )
    entry = MileageEntry.objects.get(user=buyer, kind="review")
    assert (entry.amount, entry.store, entry.source) == (700, shop.store, f"review:{review.pk}")
    from shop.loyalty.hooks import on_review_published

    assert on_review_published(user=buyer, store=shop.store, review_id=review.pk) is None
    assert balance_of(buyer) == 700


def test_a_full_refund_after_delivery_gives_back_the_mileage_spent(shop, buyer):
    from shop.orders.services.payments import payment_refund

    give_mileage(buyer, 3000)
    cart_add(user=buyer, goods=shop.bread, quantity=2)
    order = order_place(
        buyer=buyer,
        store=shop.store,
        shipping=ADDRESS,
        payment_method="test_card",
        benefits=Choice(mileage=3000),
    )
    order = complete(order)  # earns 1 % of (10,000 − 3,000) = 70
    assert balance_of(buyer) == 70
    payment_refund(payment=order.payment, amount=order.payment.amount)
    assert balance_of(buyer) == 3000  # the 3,000 spent back, the 70 earned taken back
    assert ledger_sum(buyer) == 3000
