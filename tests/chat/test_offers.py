"""Price offers: making one (and every refusal, with nothing stored), the seller's and the
buyer's answers, automatic rules, the reward coupon, expiry, and the price lock bought once
at checkout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from chat.bot.locks import price_lock_buy, price_locks_use
from chat.bot.models import Offer, PriceLock, StoreBot
from chat.bot.services.offers import OfferError, offer_act, offer_make
from chat.models import Message
from shop.models import Goods
from shop.orders.exceptions import CheckoutChanged
from shop.orders.models import CartItem, Order
from shop.orders.services.checkout import order_place, quote_for
from tests.chat.bot_fixtures import ADDRESS, make_bot_shop

pytestmark = pytest.mark.django_db

Status = Offer.Status


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def shop(make_user):
    # Floor 20 % off; the seller decides everything between the floor and the price.
    return make_bot_shop(make_user, offers_enabled=True, max_discount_percent=20)


def _offer(shop, price, *, goods=None, option=None, quantity=1, buyer=None) -> Offer:
    return offer_make(
        buyer=buyer or shop.buyer,
        goods=goods or shop.bread,
        option=option,
        quantity=quantity,
        price=price,
    )


def _steps(shop) -> list[tuple[str, str]]:
    return [
        (m.data["step"], m.data["by"])
        for m in Message.objects.filter(channel=shop.direct, kind="offer").order_by("id")
    ]


def _nothing_stored() -> None:
    assert Offer.objects.count() == 0
    assert not Message.objects.filter(kind="offer").exists()


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "sentence"),
    [
        (0, "at least 1 won"),
        (-5, "at least 1 won"),
        ("abc", "Enter a price in won"),
        (5000, "Offer less than today's price of 5,000 won"),
        (6000, "Offer less than today's price"),
    ],
)
def test_offer_refused_for_bad_prices(shop, price, sentence):
    with pytest.raises(OfferError, match=sentence):
        _offer(shop, price)
    _nothing_stored()


def test_offer_refused_on_hidden_sold_out_and_closed_stores(make_user, shop):
    shop.bread.status = Goods.Status.HIDDEN
    shop.bread.save()
    with pytest.raises(OfferError, match="not on sale"):
        _offer(shop, 4000)
    shop.small.stock = 0
    shop.small.save()
    with pytest.raises(OfferError, match="sold out"):
        _offer(shop, 15000, goods=shop.shirt, option=shop.small, quantity=1)
    with pytest.raises(OfferError, match="Choose an option"):
        _offer(shop, 15000, goods=shop.shirt)
    with pytest.raises(OfferError, match="Only 1 of"):
        _offer(shop, 15000, goods=shop.shirt, option=shop.large, quantity=2)
    StoreBot.objects.filter(store=shop.store).update(offers_enabled=False)
    shop.bread.status = Goods.Status.ON_SALE
    shop.bread.save()
    with pytest.raises(OfferError, match="does not take price offers"):
        _offer(shop, 4000)
    StoreBot.objects.filter(store=shop.store).update(offers_enabled=True)
    with pytest.raises(OfferError, match="You run this store"):
        _offer(shop, 4000, buyer=shop.owner)
    _nothing_stored()


def test_offer_form_shows_errors_and_stores_nothing(shop, client):
    client.force_login(shop.buyer)
    url = reverse("chatbot:goods_offer", args=[shop.bread.pk])
    page = client.get(url)
    assert page.status_code == 200 and "5,000" in page.content.decode()
    response = client.post(url, {"quantity": "1", "price": "0"})
    assert response.status_code == 200 and "at least 1 won" in response.content.decode()
    response = client.post(url, {"quantity": "1", "price": "5000"})
    assert "Offer less than today" in response.content.decode()
    _nothing_stored()
    hidden = Goods.objects.create(store=shop.store, name="숨김", price=1000, stock=5)
    hidden.status = Goods.Status.HIDDEN
    hidden.save()
    assert client.get(reverse("chatbot:goods_offer", args=[hidden.pk])).status_code == 404


def test_one_waiting_offer_per_item(shop):
    _offer(shop, 4500)
    with pytest.raises(OfferError, match="already have an offer"):
        _offer(shop, 4400)
    assert Offer.objects.count() == 1


# --- negotiation ----------------------------------------------------------------------------


def test_offer_goes_to_the_1to1_chat_and_the_seller_accepts(shop, client):
    client.force_login(shop.buyer)
    response = client.post(
        reverse("chatbot:goods_offer", args=[shop.bread.pk]), {"quantity": "2", "price": "4300"}
    )
    assert response.url.startswith(f"/talk/{shop.direct.pk}/")
    offer = Offer.objects.get()
    assert (offer.status, offer.price, offer.quantity, offer.asked_price) == (
        Status.OPEN,
        4300,
        2,
        5000,
    )
    message = Message.objects.get(channel=shop.direct, kind="offer")
    assert message.author == shop.buyer and message.data["price"] == 4300
    # The buyer cannot accept their own offer.
    with pytest.raises(OfferError, match="other side"):
        offer_act(offer_id=offer.pk, actor=shop.buyer, action="accept")
    offer = offer_act(offer_id=offer.pk, actor=shop.owner, action="accept")
    assert offer.status == Status.ACCEPTED and offer.agreed_price == 4300
    lock = PriceLock.objects.get(offer=offer)
    assert (lock.buyer, lock.unit_price, lock.quantity) == (shop.buyer, 4300, 2)
    assert lock.expires_at - timezone.now() > timedelta(hours=23)
    assert _steps(shop) == [("offer", "buyer"), ("accept", "seller")]
    # Closed offers refuse more answers.
    with pytest.raises(OfferError, match="closed"):
        offer_act(offer_id=offer.pk, actor=shop.owner, action="decline")


def test_seller_counters_buyer_counters_back_seller_declines(shop):
    offer = _offer(shop, 4100)
    with pytest.raises(OfferError, match="above the buyer's"):
        offer_act(offer_id=offer.pk, actor=shop.owner, action="counter", price=4000)
    with pytest.raises(OfferError, match="below the price"):
        offer_act(offer_id=offer.pk, actor=shop.owner, action="counter", price=5000)
    offer = offer_act(offer_id=offer.pk, actor=shop.owner, action="counter", price=4700)
    assert offer.status == Status.COUNTERED and offer.counter_price == 4700
    with pytest.raises(OfferError, match="other side"):
        offer_act(offer_id=offer.pk, actor=shop.owner, action="accept")
    with pytest.raises(OfferError, match="Offer less than the seller's"):
        offer_act(offer_id=offer.pk, actor=shop.buyer, action="counter", price=4800)
    offer = offer_act(offer_id=offer.pk, actor=shop.buyer, action="counter", price=4400)
    assert offer.status == Status.OPEN and offer.price == 4400 and offer.counter_price is None
    offer = offer_act(offer_id=offer.pk, actor=shop.owner, action="decline")
    assert offer.status == Status.DECLINED and not PriceLock.objects.exists()
    assert _steps(shop) == [
        ("offer", "buyer"),
        ("counter", "seller"),
        ("offer", "buyer"),
        ("decline", "seller"),
    ]


def test_buyer_accepts_the_counter_offer(shop):
    offer = _offer(shop, 4000)
    offer_act(offer_id=offer.pk, actor=shop.owner, action="counter", price=4600)
    offer = offer_act(offer_id=offer.pk, actor=shop.buyer, action="accept")
    assert offer.agreed_price == 4600
    assert PriceLock.objects.get().unit_price == 4600
    assert _steps(shop)[-1] == ("accept", "buyer")


def test_someone_else_cannot_see_or_answer_an_offer(make_user, shop):
    offer = _offer(shop, 4500)
    stranger = make_user("stranger")
    with pytest.raises(OfferError, match="no such offer"):
        offer_act(offer_id=offer.pk, actor=stranger, action="accept")
    with pytest.raises(OfferError, match="Choose accept"):
        offer_act(offer_id=offer.pk, actor=shop.owner, action="steal")
    assert Offer.objects.get().status == Status.OPEN


def test_offer_action_view_json_and_form(shop, client):
    offer = _offer(shop, 4500)
    client.force_login(shop.owner)
    url = reverse("chatbot:offer_action", args=[offer.pk, "counter"])
    bad = client.post(url, {"price": "abc"}, headers={"X-Requested-With": "fetch"})
    assert bad.status_code == 400 and bad.json()["error"] == "Enter a price in won."
    good = client.post(url, {"price": "4800"}, headers={"X-Requested-With": "fetch"})
    assert good.json() == {"ok": True, "status": "countered"}
    # The pane shows the buyer Accept / Decline / Counter on the counter-offer only.
    client.force_login(shop.buyer)
    html = client.get(reverse("chat:channel", args=[shop.direct.pk])).content.decode()
    assert html.count('data-action="accept"') == 1
    assert f"/offers/{offer.pk}/accept/" in html


# --- automatic rules ------------------------------------------------------------------------


def test_auto_accept_at_or_above_the_threshold(make_user):
    shop = make_bot_shop(
        make_user, offers_enabled=True, max_discount_percent=20, auto_accept_percent=10
    )
    offer = _offer(shop, 4500)  # 10 % off: accepted at once
    offer.refresh_from_db()
    assert offer.status == Status.ACCEPTED and PriceLock.objects.get().unit_price == 4500
    assert _steps(shop) == [("offer", "buyer"), ("accept", "bot")]
    auto = Message.objects.filter(kind="offer").last()
    assert auto.author is None
    second = _offer(shop, 4400)  # between floor and threshold: the seller decides
    second.refresh_from_db()
    assert second.status == Status.OPEN


def test_auto_decline_below_the_floor_with_a_reward_coupon(make_user):
    shop = make_bot_shop(make_user, offers_enabled=True, max_discount_percent=20, reward_percent=5)
    offer = _offer(shop, 3000)  # floor is 4,000
    offer.refresh_from_db()
    assert offer.status == Status.DECLINED
    assert _steps(shop) == [("offer", "buyer"), ("decline", "bot"), ("reward", "bot")]
    reward = PriceLock.objects.get()
    assert reward.kind == PriceLock.Kind.REWARD and reward.unit_price == 4750
    assert reward.buyer == shop.buyer
    # The floor is never shown to the buyer.
    for message in Message.objects.filter(channel=shop.direct):
        assert "4,000" not in message.body and "4000" not in str(message.data)


def test_auto_counter_below_the_floor(make_user):
    shop = make_bot_shop(
        make_user, offers_enabled=True, max_discount_percent=20, auto_counter_percent=8
    )
    offer = _offer(shop, 3000)
    offer.refresh_from_db()
    assert offer.status == Status.COUNTERED and offer.counter_price == 4600
    assert _steps(shop)[-1] == ("counter", "bot")


def test_no_automatic_decline_when_switched_off(make_user):
    shop = make_bot_shop(make_user, offers_enabled=True, auto_decline=False)
    offer = _offer(shop, 1000)
    offer.refresh_from_db()
    assert offer.status == Status.OPEN


# --- expiry ---------------------------------------------------------------------------------


def test_offers_expire_by_command_once(shop, capsys):
    offer = _offer(shop, 4500)
    call_command("offers", "expire")
    assert "0 offer(s) expired." in capsys.readouterr().out
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    call_command("offers", "expire")
    assert "1 offer(s) expired." in capsys.readouterr().out
    assert Offer.objects.get().status == Status.EXPIRED
    assert _steps(shop)[-1] == ("expire", "bot")
    call_command("offers", "expire")
    assert "0 offer(s) expired." in capsys.readouterr().out


def test_answering_an_overdue_offer_expires_it(shop):
    offer = _offer(shop, 4500)
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(OfferError, match="closed"):
        offer_act(offer_id=offer.pk, actor=shop.owner, action="accept")
    assert Offer.objects.get().status == Status.EXPIRED
    assert not PriceLock.objects.exists()
    assert _steps(shop)[-1] == ("expire", "bot")


# --- the price lock -------------------------------------------------------------------------


def _accepted(shop, price=4300, quantity=2, **kw) -> PriceLock:
    offer = _offer(shop, price, quantity=quantity, **kw)
    offer_act(offer_id=offer.pk, actor=shop.owner, action="accept")
    return PriceLock.objects.get(offer=offer, kind=PriceLock.Kind.OFFER)


def test_lock_buys_once_at_the_agreed_price(shop, client):
    lock = _accepted(shop)
    client.force_login(shop.buyer)
    response = client.post(reverse("chatbot:lock_buy", args=[lock.pk]))
    assert response.url.startswith("/checkout/?store=bakery")
    assert CartItem.objects.get(user=shop.buyer).quantity == 2
    quote = quote_for(user=shop.buyer, store=shop.store)
    assert quote.lines[0].unit_price == 4300 and quote.subtotal == 8600
    page = client.get(response.url).content.decode()
    assert "8,600" in page
    order = order_place(
        buyer=shop.buyer, store=shop.store, shipping=ADDRESS, payment_method="test_card"
    )
    assert order.lines.get().unit_price == 4300 and order.subtotal == 8600
    lock.refresh_from_db()
    assert lock.used_at is not None and lock.order == order
    # Used: refused with a sentence, and the next order is at today's price.
    again = client.post(reverse("chatbot:lock_buy", args=[lock.pk]), follow=True)
    assert "already used" in again.content.decode()
    assert not CartItem.objects.filter(user=shop.buyer).exists()
    client.post(reverse("orders:cart_add", args=[shop.bread.pk]), {"quantity": "2"})
    second = order_place(
        buyer=shop.buyer, store=shop.store, shipping=ADDRESS, payment_method="test_card"
    )
    assert second.lines.get().unit_price == 5000


def test_lock_refused_for_another_buyer_or_when_expired(make_user, shop):
    lock = _accepted(shop)
    other = make_user("other")
    with pytest.raises(OfferError, match="not yours"):
        price_lock_buy(user=other, lock_id=lock.pk)
    assert not CartItem.objects.exists()
    # Another buyer's cart is never priced by it either.
    from shop.orders.services.cart import cart_add

    cart_add(user=other, goods=shop.bread, quantity=1)
    assert quote_for(user=other, store=shop.store).lines[0].unit_price == 5000
    PriceLock.objects.filter(pk=lock.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(OfferError, match="expired"):
        price_lock_buy(user=shop.buyer, lock_id=lock.pk)
    assert not CartItem.objects.filter(user=shop.buyer).exists()


def test_lock_refused_when_goods_sold_out(shop):
    lock = _accepted(shop)
    Goods.objects.filter(pk=shop.bread.pk).update(stock=1)
    with pytest.raises(OfferError, match="Only 1"):
        price_lock_buy(user=shop.buyer, lock_id=lock.pk)
    assert not CartItem.objects.exists()


def test_lock_used_by_a_racing_checkout_refuses_the_order(shop):
    lock = _accepted(shop)
    price_lock_buy(user=shop.buyer, lock_id=lock.pk)
    quote = quote_for(user=shop.buyer, store=shop.store)
    PriceLock.objects.filter(pk=lock.pk).update(used_at=timezone.now())
    with pytest.raises(CheckoutChanged, match="already used"):
        price_locks_use(order=None, lines=quote.lines)


def test_lock_only_prices_its_option_and_quantity(shop):
    lock = _accepted(shop, price=18000, quantity=1, goods=shop.shirt, option=shop.small)
    from shop.orders.services.cart import cart_add

    cart_add(user=shop.buyer, goods=shop.shirt, option=shop.large, quantity=1)
    assert quote_for(user=shop.buyer, store=shop.store).lines[0].unit_price == 22000
    price_lock_buy(user=shop.buyer, lock_id=lock.pk)
    prices = sorted(line.unit_price for line in quote_for(user=shop.buyer, store=shop.store).lines)
    assert prices == [18000, 22000]
    CartItem.objects.filter(user=shop.buyer, option=shop.small).update(quantity=2)
    prices = sorted(line.unit_price for line in quote_for(user=shop.buyer, store=shop.store).lines)
    assert prices == [20000, 22000]  # more than agreed: today's price
    assert Order.objects.count() == 0


def test_reward_coupon_buys_once(make_user):
    shop = make_bot_shop(make_user, offers_enabled=True, reward_percent=10)
    _offer(shop, 100)
    reward = PriceLock.objects.get(kind=PriceLock.Kind.REWARD)
    price_lock_buy(user=shop.buyer, lock_id=reward.pk)
    order = order_place(
        buyer=shop.buyer, store=shop.store, shipping=ADDRESS, payment_method="test_card"
    )
    assert order.lines.get().unit_price == 4500
    reward.refresh_from_db()
    assert reward.order == order


def test_admin_shows_a_seller_only_their_stores_offers(make_user, shop, client):
    from tests.chat.bot_fixtures import make_bot_shop as other_shop

    _offer(shop, 4500)
    other = other_shop(make_user, slug="rival", offers_enabled=True)
    _offer(other, 4000)
    shop.owner.is_staff = True
    shop.owner.save()
    client.force_login(shop.owner)
    page = client.get("/admin/chatbot/offer/")
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    rival = Offer.objects.get(store=other.store)
    assert client.get(f"/admin/chatbot/offer/{rival.pk}/change/").status_code in (302, 403, 404)


def test_make_offer_links_in_the_goods_talk_and_the_1to1_chat(shop, client):
    from chat.services.channels import channel_ensure_for_goods
    from tests.chat.live_fixtures import add_member

    goods_channel = channel_ensure_for_goods(goods=shop.bread)
    add_member(goods_channel, shop.buyer)
    client.force_login(shop.buyer)
    html = client.get(reverse("chat:channel", args=[goods_channel.pk])).content.decode()
    assert f'href="/goods/{shop.bread.pk}/offer/"' in html
    html = client.get(reverse("chat:channel", args=[shop.direct.pk])).content.decode()
    assert 'href="/stores/bakery/offer/"' in html
    page = client.get("/stores/bakery/offer/").content.decode()
    assert f'href="/goods/{shop.bread.pk}/offer/"' in page
    client.force_login(shop.owner)  # the seller gets the switch, not the offer button
    html = client.get(reverse("chat:channel", args=[goods_channel.pk])).content.decode()
    assert "/offer/" not in html and "Auto-answers on" in html
