"""Broadcasts: consent, the (광고) text, the night window in Asia/Seoul, deliver_due."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from chat.models import Channel, Message
from shop.exceptions import ShopError
from shop.loyalty.exceptions import LoyaltyError
from shop.loyalty.models import BroadcastRecipient, UserCoupon
from shop.loyalty.services.broadcasts import (
    broadcast_create,
    broadcasts_deliver_due,
    in_quiet_hours,
    next_allowed,
)
from shop.models import FavouriteStore
from tests.loyalty.conftest import make_coupon

pytestmark = pytest.mark.django_db
KST = ZoneInfo("Asia/Seoul")


def kst(h, m, day=25):
    return datetime(2026, 11, day, h, m, tzinfo=KST)


@pytest.mark.parametrize(
    ("at", "quiet", "delivered_at"),
    [
        (kst(19, 59), False, kst(19, 59)),
        (kst(20, 0), True, kst(8, 0, day=26)),
        (kst(7, 59), True, kst(8, 0)),
        (kst(8, 0), False, kst(8, 0)),
    ],
)
def test_night_window_boundaries(at, quiet, delivered_at):
    assert in_quiet_hours(at) is quiet
    assert next_allowed(at) == delivered_at


@pytest.fixture
def fans(shop, make_user):
    yes = make_user("yes", marketing_opt_in=True)
    no = make_user("no")
    for user in (yes, no):
        FavouriteStore.objects.create(user=user, store=shop.store)
    FavouriteStore.objects.create(user=shop.owner, store=shop.store)  # staff never receive
    return yes, no


def direct_messages(user):
    return list(
        Message.objects.filter(channel__kind=Channel.Kind.DIRECT, channel__buyer=user).order_by(
            "id"
        )
    )


def test_only_consenting_fans_receive_the_ad_in_their_1to1_talk(shop, fans):
    yes, no = fans
    coupon = make_coupon(shop.store, name="주말 쿠폰")
    b = broadcast_create(
        store=shop.store,
        actor=shop.owner,
        segment="favourites",
        body="주말 특가!",
        goods=shop.bread,
        coupon=coupon,
        now=kst(19, 59),
    )
    assert (b.sent_count, b.skipped_count, b.scheduled_count) == (1, 1, 0)
    messages = direct_messages(yes)
    assert [m.kind for m in messages] == ["text", "product_card"]
    text = messages[0].body
    assert text.startswith("(광고) bakery store")
    assert "주말 특가!" in text
    assert text.rstrip().endswith("/me/")  # ends with how to opt out (My page)
    assert "수신거부" in text
    assert messages[1].data["goods_id"] == shop.bread.pk
    assert UserCoupon.objects.filter(user=yes, coupon=coupon).exists()
    assert direct_messages(no) == []
    assert not UserCoupon.objects.filter(user=no).exists()


def test_a_send_at_20_00_is_scheduled_for_08_00_and_delivered_by_the_command(shop, fans):
    yes, no = fans
    b = broadcast_create(
        store=shop.store,
        actor=shop.owner,
        segment="favourites",
        body="밤 메시지",
        now=kst(20, 0),
    )
    assert (b.sent_count, b.skipped_count, b.scheduled_count) == (0, 1, 1)
    assert b.scheduled_for == kst(8, 0, day=26)
    assert direct_messages(yes) == []
    assert broadcasts_deliver_due(now=kst(7, 59, day=26)) == (0, 0)  # still night
    assert direct_messages(yes) == []
    with mock.patch("shop.loyalty.services.broadcasts.timezone.now", return_value=kst(8, 0, 26)):
        out = StringIO()
        call_command("broadcasts", "deliver_due", stdout=out)
    assert "Delivered 1 message(s) of 1 broadcast(s)." in out.getvalue()
    assert direct_messages(yes)[0].body.startswith("(광고)")
    b.refresh_from_db()
    assert (b.sent_count, b.skipped_count, b.scheduled_count) == (1, 1, 0)
    assert broadcasts_deliver_due(now=kst(9, 0, day=26)) == (0, 0)  # idempotent


def test_consent_withdrawn_before_08_00_means_no_delivery(shop, fans):
    yes, _no = fans
    b = broadcast_create(
        store=shop.store, actor=shop.owner, segment="favourites", body="밤", now=kst(23, 0)
    )
    type(yes).objects.filter(pk=yes.pk).update(marketing_opt_in=False)
    broadcasts_deliver_due(now=kst(8, 0, day=26))
    b.refresh_from_db()
    assert (b.sent_count, b.skipped_count, b.scheduled_count) == (0, 2, 0)
    assert BroadcastRecipient.objects.get(user=yes).state == "skipped"
    assert direct_messages(yes) == []


def test_only_staff_send_and_the_message_is_needed(shop, fans, make_user):
    with pytest.raises(ShopError, match="staff"):
        broadcast_create(store=shop.store, actor=make_user("x"), segment="favourites", body="a")
    with pytest.raises(LoyaltyError, match="Write the message"):
        broadcast_create(store=shop.store, actor=shop.owner, segment="favourites", body="  ")


def test_seller_page_sends_and_shows_the_counts(client, shop, fans):
    client.force_login(shop.owner)
    url = f"/seller/stores/{shop.store.slug}/loyalty/broadcasts/"
    with mock.patch("shop.loyalty.services.broadcasts.timezone.now", return_value=kst(12, 0)):
        response = client.post(url, {"segment": "favourites", "body": "점심 특가"}, follow=True)
    page = response.content.decode()
    assert "Sent 1, skipped 1 (no consent), scheduled 0." in page
    assert "점심 특가" in page
