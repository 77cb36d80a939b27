"""Satisfaction ratings: one card per quiet episode or completed order, rating rules, the
seller's statistics page and the staff admin."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from chat.exceptions import BadMessage, BadState, Forbidden
from chat.feedback.csat import csat_rate, csat_send_quiet
from chat.feedback.models import CsatSurvey
from chat.groups import channel_group
from chat.models import Channel, Message
from chat.services.direct import channel_open_direct
from chat.services.messages import message_post
from shop.models import StoreStaff
from shop.orders.models import OrderStatus
from shop.orders.services.orders import order_transition
from tests.chat.manage_helpers import events_fixture  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
LATER = timedelta(hours=2)


@pytest.fixture
def chat(shop, buyer, make_user):
    manager = make_user("manager", display_name="상담원 하나")
    StoreStaff.objects.create(store=shop.store, user=manager, role=StoreStaff.Role.MANAGER)
    channel = channel_open_direct(store=shop.store, buyer=buyer)
    channel.manager = manager
    return channel


def talk(channel, *authors):
    for author in authors:
        message_post(channel=channel, author=author, body="안녕하세요")


def cards(channel) -> list[Message]:
    return list(Message.objects.filter(channel=channel, data__card="csat"))


def test_quiet_after_the_stores_answer_gets_one_card(chat, buyer, events):
    talk(chat, buyer, chat.manager)
    assert csat_send_quiet() == 0  # not quiet yet
    with events.commit():
        assert csat_send_quiet(now=timezone.now() + LATER) == 1
    assert csat_send_quiet(now=timezone.now() + LATER) == 0  # same episode: no second card
    [card] = cards(chat)
    survey = CsatSurvey.objects.get()
    assert (
        card.kind == "bot" and card.data["survey"] == survey.pk and card.data["buyer"] == buyer.pk
    )
    assert survey.answered_by == chat.manager and survey.trigger == "quiet"
    frames = events.to(channel_group(chat.pk))
    assert frames[-1]["message"]["data"]["card"] == "csat"  # live in the pane


def test_no_card_when_the_buyer_spoke_last_or_store_talked_alone(chat, buyer):
    talk(chat, chat.manager, buyer)
    assert csat_send_quiet(now=timezone.now() + LATER) == 0
    other = channel_open_direct(
        store=chat.store, buyer=chat.manager.__class__.objects.create_user("b2")
    )
    talk(other, chat.manager)
    assert csat_send_quiet(now=timezone.now() + LATER) == 0


def test_no_repeat_within_the_period_then_a_new_episode(chat, buyer, settings):
    settings.CSAT_REPEAT_DAYS = 7
    talk(chat, buyer, chat.manager)
    csat_send_quiet(now=timezone.now() + LATER)
    talk(chat, buyer, chat.manager)
    assert csat_send_quiet(now=timezone.now() + LATER) == 0  # within 7 days
    assert csat_send_quiet(now=timezone.now() + timedelta(days=8), max_age_days=30) == 1
    assert len(cards(chat)) == 2


def test_order_completion_offers_a_card_once(place, buyer, shop):
    order = place()
    for status in (OrderStatus.PAID, OrderStatus.PREPARING):
        order_transition(order=order, to=status, actor=shop.owner)
    order.courier, order.tracking_number = "cj", "123456789012"
    order.save()
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED):
        order_transition(order=order, to=status, actor=buyer)
    channel = Channel.objects.get(kind="direct", store=shop.store, buyer=buyer)
    survey = CsatSurvey.objects.get()
    assert survey.trigger == "order" and survey.order == order and len(cards(channel)) == 1


def test_rating_rules(chat, buyer, make_user, events):
    talk(chat, buyer, chat.manager)
    csat_send_quiet(now=timezone.now() + LATER)
    survey = CsatSurvey.objects.get()
    with pytest.raises(Forbidden):
        csat_rate(survey_id=survey.pk, user=make_user("stranger"), score=5)
    with pytest.raises(Forbidden):
        csat_rate(survey_id=survey.pk, user=chat.manager, score=5)
    for bad in (0, 6, "x", None):
        with pytest.raises(BadMessage):
            csat_rate(survey_id=survey.pk, user=buyer, score=bad)
    survey.refresh_from_db()
    assert survey.score is None
    with events.commit():
        csat_rate(survey_id=survey.pk, user=buyer, score=4, comment="친절해요")
    updated = events.to(channel_group(chat.pk))[-1]
    assert updated["type"] == "chat.message_updated"
    assert updated["message"]["data"]["score"] == 4  # open panes redraw the card
    with pytest.raises(BadState):
        csat_rate(survey_id=survey.pk, user=buyer, score=1)
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (4, "친절해요")


def test_card_in_the_pane_rating_and_seller_statistics(client, chat, buyer, shop, make_user):
    talk(chat, buyer, chat.manager)
    csat_send_quiet(now=timezone.now() + LATER)
    survey = CsatSurvey.objects.get()
    client.force_login(buyer)
    page = client.get(f"/talk/{chat.pk}/").content.decode()
    assert f'action="/talk/csat/{survey.pk}/"' in page and 'name="score"' in page
    assert page.count('class="csat-card"') == 1
    client.force_login(make_user("stranger"))
    response = client.post(f"/talk/csat/{survey.pk}/", {"score": "5"})
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.score is None
    client.force_login(buyer)
    client.post(f"/talk/csat/{survey.pk}/", {"score": "9"})
    survey.refresh_from_db()
    assert survey.score is None
    client.post(f"/talk/csat/{survey.pk}/", {"score": "5", "comment": "답변이 빨라요"})
    page = client.get(f"/talk/{chat.pk}/").content.decode()
    assert "You rated this talk 5 / 5" in page and 'name="score"' not in page

    client.force_login(shop.owner)
    page = client.get(f"/seller/stores/{shop.store.slug}/satisfaction/").content.decode()
    assert "5.0" in page and "답변이 빨라요" in page and "상담원 하나" in page
    client.force_login(make_user("nobody"))
    assert client.get(f"/seller/stores/{shop.store.slug}/satisfaction/").status_code == 404


def test_staff_admin_lists_ratings_per_store(client, chat, buyer, make_user):
    talk(chat, buyer, chat.manager)
    csat_send_quiet(now=timezone.now() + LATER)
    csat_rate(survey_id=CsatSurvey.objects.get().pk, user=buyer, score=3)
    client.force_login(make_user("op", is_staff=True, is_superuser=True))
    page = client.get("/admin/chatfeedback/csatsurvey/").content.decode()
    assert "bakery store" in page and "3.00" in page


def test_command(chat, buyer):
    talk(chat, buyer, chat.manager)
    Message.objects.filter(channel=chat).update(created_at=timezone.now() - LATER)
    Channel.objects.filter(pk=chat.pk).update(last_message_at=timezone.now() - LATER)
    out = StringIO()
    call_command("csat", "send_quiet", "--quiet-minutes", "30", stdout=out)
    assert "Sent 1 rating card(s)" in out.getvalue()
    out = StringIO()
    call_command("csat", "stats", chat.store.slug, stdout=out)
    assert "0 rating(s) of 1 card(s)" in out.getvalue()
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("csat", "stats", "nope")
