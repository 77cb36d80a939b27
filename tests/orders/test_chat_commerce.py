"""Commerce inside the chat (issue 6 point 5): product cards shared from a pane (price hidden
from non-members of a closed store), buy now from a card (the order remembers the channel and
message), one order card per order in the 1:1 chat, kept current on every change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chat.commerce.models import OrderCard
from chat.commerce.services import CannotShare, goods_share, order_card_post
from chat.models import Channel, Message
from chat.serializers import message_to_dict
from chat.services.channels import channel_ensure_for_store
from chat.services.direct import channel_open_direct
from shop.models import Goods
from shop.orders.models import Order, OrderStatus
from shop.orders.services.claims import claim_request_cancel
from shop.orders.services.orders import order_ship, order_start_preparing
from shop.orders.services.payments import payment_pay
from tests.chat.live_fixtures import add_member
from tests.orders.conftest import ADDRESS

pytestmark = pytest.mark.django_db
OK_CARD = {"card_number": "4242424242424242"}


def _direct(order_or_store, buyer=None):
    store = getattr(order_or_store, "store", order_or_store)
    return Channel.objects.get(key=f"direct:{store.pk}:{(buyer or order_or_store.buyer).pk}")


def test_seller_shares_goods_from_the_store_pane(client, shop, buyer):
    channel = channel_ensure_for_store(store=shop.store)
    client.force_login(shop.owner)
    page = client.get(f"/stores/{shop.store.slug}/").content.decode()
    assert 'data-role="share"' in page and "셔츠" in page  # the share box lists the goods
    response = client.post(
        reverse("chat:share_goods", args=[channel.pk]), {"goods": shop.shirt.pk, "next": "/"}
    )
    assert response.status_code == 302
    card = Message.objects.get(kind="product_card")
    assert card.channel == channel and card.author == shop.owner
    assert card.data["price"] == 20000 and card.data["members_only"] is False
    assert [o["name"] for o in card.data["options"]] == ["S", "L"]
    assert card.data["options"][1]["price"] == 22000
    add_member(channel, buyer)
    client.force_login(buyer)
    page = client.get(f"/stores/{shop.store.slug}/").content.decode()
    assert 'data-card="product"' in page and "20,000" in page
    buy = f"/cart/add/{shop.shirt.pk}/?from_channel={channel.pk}&amp;from_message={card.pk}"
    assert buy in page
    assert 'data-role="share"' in page  # any member may share in an open talk


def test_who_may_share_what(shop, other_shop, buyer):
    store_talk = channel_ensure_for_store(store=shop.store)
    add_member(store_talk, buyer)
    message = goods_share(channel=store_talk, goods_id=shop.bread.pk, actor=buyer)  # open talk
    assert message.kind == "product_card"
    with pytest.raises(CannotShare):  # goods of another store
        goods_share(channel=store_talk, goods_id=other_shop.bread.pk, actor=buyer)
    shop.bread.status = Goods.Status.HIDDEN
    shop.bread.save()
    with pytest.raises(CannotShare):  # hidden goods
        goods_share(channel=store_talk, goods_id=shop.bread.pk, actor=shop.owner)
    direct = channel_open_direct(store=shop.store, buyer=buyer)
    with pytest.raises(CannotShare):  # the buyer in a 1:1 chat
        goods_share(channel=direct, goods_id=shop.shirt.pk, actor=buyer)
    assert goods_share(channel=direct, goods_id=shop.shirt.pk, actor=shop.owner).pk
    assert Message.objects.filter(kind="product_card").count() == 2


def test_card_hides_price_from_non_member_of_closed_demo_store(demo, client, django_user_model):
    boutique = django_user_model.objects.get(username="boutique")
    seoyeon = django_user_model.objects.get(username="seoyeon")  # waiting for approval
    jimin = django_user_model.objects.get(username="jimin")  # member
    cardigan = Goods.objects.get(name="캐시미어 니트 가디건")
    store = cardigan.store
    direct = channel_open_direct(store=store, buyer=seoyeon)
    client.force_login(boutique)
    client.post(reverse("chat:share_goods", args=[direct.pk]), {"goods": cardigan.pk})
    card = Message.objects.get(channel=direct, kind="product_card")
    wire = str(message_to_dict(card))  # what every socket of the channel receives
    assert "price" not in card.data and "89000" not in wire and "options" not in card.data
    assert "89,000" in client.get(f"/talk/{direct.pk}/").content.decode()  # the seller sees it
    client.force_login(seoyeon)
    page = client.get(f"/talk/{direct.pk}/").content.decode()
    assert 'data-card="product"' in page and "캐시미어 니트 가디건" in page
    assert "89,000" not in page and "89000" not in page and "아이보리" not in page
    assert 'data-role="buy"' not in page
    answer = client.get(reverse("chat:product_card", args=[card.pk])).json()
    assert "price" not in answer["card"] and "options" not in answer["card"]
    # A member of the store sees price and options when asking (the pane asks for live cards).
    direct_jimin = channel_open_direct(store=store, buyer=jimin)
    goods_share(channel=direct_jimin, goods_id=cardigan.pk, actor=boutique)
    jimin_card = Message.objects.get(channel=direct_jimin, kind="product_card")
    client.force_login(jimin)
    answer = client.get(reverse("chat:product_card", args=[jimin_card.pk])).json()["card"]
    assert answer["price"] == 89000 and "S / 아이보리" in [o["name"] for o in answer["options"]]
    # Nobody else may ask about a card of a talk they cannot read.
    assert client.get(reverse("chat:product_card", args=[card.pk])).status_code == 404


def test_buy_now_from_card_records_channel_and_message(
    client, shop, buyer, django_capture_on_commit_callbacks
):
    channel = channel_ensure_for_store(store=shop.store)
    add_member(channel, buyer)
    card = goods_share(channel=channel, goods_id=shop.shirt.pk, actor=shop.owner)
    client.force_login(buyer)
    form = client.get(
        f"/cart/add/{shop.shirt.pk}/?from_channel={channel.pk}&from_message={card.pk}"
    )
    assert f'name="from_message" value="{card.pk}"' in form.content.decode()
    response = client.post(
        f"/cart/add/{shop.shirt.pk}/",
        {
            "option": shop.large.pk,
            "quantity": 1,
            "buy_now": "1",
            "from_channel": channel.pk,
            "from_message": card.pk,
        },
    )
    checkout = response["Location"]
    assert f"from_channel={channel.pk}" in checkout and f"from_message={card.pk}" in checkout
    page = client.get(checkout).content.decode()
    assert "25,000" in page  # 22,000 (L) + 3,000 shipping
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("orders:checkout"),
            {
                **ADDRESS,
                "store": shop.store.slug,
                "payment_method": "test_card",
                "expected_total": "25000",
                "from_channel": channel.pk,
                "from_message": card.pk,
            },
        )
    order = Order.objects.get()
    assert order.from_channel == channel and order.from_message == card
    assert order.lines.get().option_name == "L"
    client.force_login(shop.owner)  # the seller sees which talk the sale came from
    seller_page = reverse("orders:seller_order_detail", args=[shop.store.slug, order.number])
    assert f"/talk/{channel.pk}/?around={card.pk}" in client.get(seller_page).content.decode()


def test_one_order_card_per_order_kept_current(
    place, shop, buyer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place()
    link = OrderCard.objects.get(order=order)
    message = link.message
    assert message.channel == _direct(order) and message.kind == "order_card"
    assert message.author is None and message.data["number"] == order.number
    assert message.data["status"] == "pending_payment" and message.data["total"] == 8000
    assert message.data["lines"] == [{"name": "우유 식빵", "option": "", "quantity": 1}]
    assert order_card_post(order) == message  # once per order
    assert Message.objects.filter(kind="order_card").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        payment_pay(order=order, actor=buyer, data=OK_CARD)
    message.refresh_from_db()
    assert message.data["status"] == OrderStatus.PAID
    with django_capture_on_commit_callbacks(execute=True):
        order_start_preparing(order=order, actor=shop.owner)
        claim_request_cancel(order=order, actor=buyer, reason="주소를 잘못 썼어요")
    message.refresh_from_db()
    assert message.data["status"] == "preparing"
    assert (
        message.data["claim"]["kind"] == "cancel" and message.data["claim"]["status"] == "requested"
    )


def test_order_card_page_renders_the_order_as_it_is_now(client, place, shop, buyer):
    from chat.commerce.services import order_card_post

    order = place()
    message = order_card_post(order)
    payment_pay(order=order, actor=buyer, data=OK_CARD)
    order_ship(order=order, actor=shop.owner, courier="cj", tracking_number="612345678901")
    Message.objects.filter(pk=message.pk).update(data={**message.data, "status": "paid"})  # stale
    client.force_login(buyer)
    page = client.get(f"/talk/{message.channel_id}/").content.decode()
    assert 'data-card="order"' in page and 'data-status="shipped"' in page
    assert "612345678901" in page and order.get_absolute_url() in page
    client.force_login(shop.owner)
    page = client.get(f"/talk/{message.channel_id}/").content.decode()
    assert reverse("orders:seller_order_detail", args=[shop.store.slug, order.number]) in page


def test_return_claim_states_reach_the_order_card(
    place, shop, buyer, django_capture_on_commit_callbacks
):
    from shop.orders.services.claims import claim_request_return, claim_transition
    from shop.orders.services.orders import order_mark_delivered

    with django_capture_on_commit_callbacks(execute=True):
        order = place()
        payment_pay(order=order, actor=buyer, data=OK_CARD)
        order_ship(order=order, actor=shop.owner, courier="cj", tracking_number="612345678901")
        order_mark_delivered(order=order, actor=shop.owner)
    card = OrderCard.objects.get(order=order).message
    card.refresh_from_db()
    assert card.data["status"] == "delivered" and card.data["claim"] is None
    with django_capture_on_commit_callbacks(execute=True):
        claim = claim_request_return(
            order=order,
            actor=buyer,
            kind="return",
            reason_code="defect",
            reason="찌그러져 왔어요",
            lines={order.lines.get().pk: 1},
        )
    card.refresh_from_db()
    assert (card.data["claim"]["kind"], card.data["claim"]["status"]) == ("return", "requested")
    with django_capture_on_commit_callbacks(execute=True):
        claim_transition(claim=claim, to="rejected", actor=shop.owner, note="no")
    card.refresh_from_db()
    assert card.data["claim"]["status"] == "rejected"


def test_outsiders_cannot_share_and_order_pages_link_the_talk(
    client, place, shop, other_shop, buyer, make_user, django_capture_on_commit_callbacks
):
    channel = channel_ensure_for_store(store=other_shop.store)
    client.force_login(make_user("stranger"))  # not a member: nothing is posted
    response = client.post(reverse("chat:share_goods", args=[channel.pk]), {"goods": 1})
    assert response.status_code == 302 and not Message.objects.filter(kind="product_card")
    direct = channel_open_direct(store=shop.store, buyer=buyer)
    response = client.post(reverse("chat:share_goods", args=[direct.pk]), {"goods": 1})
    assert response.status_code == 404  # another buyer's 1:1 chat
    with django_capture_on_commit_callbacks(execute=True):
        order = place()
    card = OrderCard.objects.get(order=order).message
    talk = f"/talk/{card.channel_id}/?around={card.pk}#msg-{card.pk}"
    client.force_login(buyer)
    assert talk in client.get(order.get_absolute_url()).content.decode()
    client.force_login(shop.owner)
    seller_page = reverse("orders:seller_order_detail", args=[shop.store.slug, order.number])
    assert talk in client.get(seller_page).content.decode()
