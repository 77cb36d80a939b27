"""Referral rewards: once per invitee on the first confirmed order, no self-referral,
reversed on refund, shown on the inviter's page."""

from __future__ import annotations

import pytest

from chat.models import Referral
from chat.services.channels import channel_ensure_for_store
from chat.services.invitations import invitation_accept, invitation_create
from chat.services.memberships import membership_join
from shop.loyalty.models import MileageEntry, ReferralReward
from shop.loyalty.services.mileage import balance_of, settings_for
from shop.orders.services.payments import payment_refund
from tests.loyalty.conftest import complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(shop, make_user, buyer):
    """``inviter`` brought ``buyer`` into the bakery's store talk."""
    inviter = make_user("inviter")
    channel = channel_ensure_for_store(store=shop.store)
    membership_join(channel=channel, user=inviter)
    invitation = invitation_create(channel=channel, inviter=inviter)
    invitation_accept(token=invitation.token, user=buyer)
    assert Referral.objects.filter(inviter=inviter, invitee=buyer).exists()
    settings = settings_for(shop.store)
    settings.referral_reward = 2000
    settings.save()
    return inviter


def test_first_confirmed_order_rewards_the_inviter_once(shop, buyer, invited, place):
    first = place((shop.bread, None, 1))
    assert balance_of(invited) == 0  # not before the purchase is confirmed
    complete(first)
    assert balance_of(invited) == 2000
    complete(place((shop.bread, None, 1)))
    assert balance_of(invited) == 2000
    assert ReferralReward.objects.count() == 1
    assert MileageEntry.objects.filter(user=invited, kind="referral").count() == 1


def test_refund_of_that_order_reverses_the_reward(shop, buyer, invited, place):
    order = complete(place((shop.bread, None, 1)))
    payment_refund(payment=order.payment, amount=order.payment.amount)
    reward = ReferralReward.objects.get()
    assert reward.reversed_at is not None
    assert balance_of(invited) == 0
    assert list(
        MileageEntry.objects.filter(user=invited).order_by("id").values_list("kind", "amount")
    ) == [("referral", 2000), ("reverse", -2000)]
    # The buyer's purchase mileage (1 % of 5,000) was taken back too.
    assert balance_of(buyer) == 0
    # A later order earns nothing again: one reward per invitee, ever.
    complete(place((shop.bread, None, 1)))
    assert balance_of(invited) == 0


def test_no_reward_for_self_referral_or_without_invitation(shop, buyer, make_user, place):
    channel = channel_ensure_for_store(store=shop.store)
    Referral.objects.create(store=shop.store, inviter=buyer, invitee=buyer, channel=channel)
    complete(place((shop.bread, None, 1)))
    assert not ReferralReward.objects.exists()
    assert not MileageEntry.objects.filter(kind="referral").exists()


def test_inviter_sees_invitations_and_rewards(client, shop, buyer, invited, place):
    complete(place((shop.bread, None, 1)))
    client.force_login(invited)
    page = client.get("/me/invitations/rewards/").content.decode()
    assert buyer.name in page and "+2,000" in page
    assert "/me/invitations/rewards/" in client.get("/me/").content.decode()
