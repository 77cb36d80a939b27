"""Chat automation: FAQ matching (Korean and English), the bot's answers in the talk, its
switch per channel, business hours and the quiet-hours note, order help in the 1:1 chat,
and the seller's pages."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from chat.bot import hours
from chat.bot.models import BotChannel, BotQuestion, FaqEntry, StoreBot
from chat.bot.services.answers import bot_set_enabled
from chat.bot.services.faq import faq_ensure_auto, faq_match, faq_save
from chat.models import Message
from shop.orders.services.cart import cart_add
from shop.orders.services.checkout import order_place
from tests.chat.bot_fixtures import ADDRESS, closed_now_hours, make_bot_shop, say
from tests.chat.live_fixtures import connect_ready

pytestmark = pytest.mark.django_db

S = FaqEntry.Source


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def shop(make_user):
    shop = make_bot_shop(make_user)
    faq_ensure_auto(shop.store)
    faq_save(
        store=shop.store,
        question="How do I choose a size?",
        answer="Our size guide: S 90, M 95, L 100.",
        keywords="사이즈, 치수, size",
    )
    return shop


MATCHES = [
    ("배송비 얼마예요", S.SHIPPING_FEE),
    ("배송 비용은?", S.SHIPPING_FEE),
    ("택배비 있나요", S.SHIPPING_FEE),
    ("배송비는 얼마인가요?", S.SHIPPING_FEE),
    ("How much is shipping?", S.SHIPPING_FEE),
    ("what's the delivery fee", S.SHIPPING_FEE),
    ("무료배송 되나요?", S.FREE_SHIPPING),
    ("얼마 이상 사면 무료 배송이에요?", S.FREE_SHIPPING),
    ("Is there free shipping?", S.FREE_SHIPPING),
    ("언제 도착해요?", S.DISPATCH),
    ("배송 기간이 며칠 걸려요?", S.DISPATCH),
    ("how long does delivery take", S.DISPATCH),
    ("When will it ship?", S.DISPATCH),
    ("반품하고 싶은데 어떻게 해요?", S.RETURNS),
    ("교환 가능한가요", S.RETURNS),
    ("Can I return this?", S.RETURNS),
    ("영업시간이 어떻게 되나요?", S.HOURS),
    ("운영 시간 알려주세요", S.HOURS),
    ("what are your business hours?", S.HOURS),
    ("사이즈 어떻게 골라요?", "size"),
    ("치수 좀 알려주세요", "size"),
    ("Do you have a size guide?", "size"),
]
NON_MATCHES = [
    "안녕하세요",
    "예쁘네요!",
    "배송 잘 받았어요 감사합니다",
    "배송비 감사합니다 좋은 하루 보내세요 ^^",
    "thanks, got it",
    "Nice hoodie",
    "이 색상 너무 마음에 들어요",
    "케이크 예약은 며칠 전까지 해야 하나요?",
    # Short statements of what the buyer will do or did, though they name a keyword:
    "사이즈 M으로 할게요",
    "교환으로 할게요~",
    "택배비 입금했어요",
    "배송비 확인했습니다 ㅎㅎ",
]


@pytest.mark.parametrize(("text", "expected"), MATCHES)
def test_faq_matches_korean_and_english(shop, text, expected):
    entry, answer = faq_match(shop.store, text)
    assert entry is not None, text
    assert (entry.source or "size") == expected
    assert answer


@pytest.mark.parametrize("text", NON_MATCHES)
def test_faq_does_not_answer_chatter(shop, text):
    entry, answer = faq_match(shop.store, text)
    assert entry is None and answer == ""


def test_turned_off_entry_is_not_matched(shop):
    entry = FaqEntry.objects.get(store=shop.store, source=S.SHIPPING_FEE)
    faq_save(store=shop.store, entry=entry, keywords=entry.keywords, enabled=False)
    assert faq_match(shop.store, "배송비 얼마예요")[0] is None


def test_bot_answers_right_after_the_question(shop, django_capture_on_commit_callbacks):
    question = say(django_capture_on_commit_callbacks, shop.channel, shop.buyer, "배송비 얼마예요?")
    answer = Message.objects.filter(channel=shop.channel).order_by("id").last()
    assert answer.pk == question.pk + 1
    assert answer.kind == Message.Kind.BOT and answer.author is None
    assert answer.data["automatic"] is True and answer.data["reply_to"] == question.pk
    assert "3,000" in answer.body and "30,000" in answer.body
    logged = BotQuestion.objects.get(message=question)
    assert logged.answered and logged.entry.source == S.SHIPPING_FEE


def test_english_question_gets_english_answer(shop, django_capture_on_commit_callbacks):
    with translation.override("ko"):
        say(django_capture_on_commit_callbacks, shop.channel, shop.buyer, "How much is shipping?")
    answer = Message.objects.filter(channel=shop.channel, kind="bot").get()
    assert answer.body.startswith("Shipping is 3,000 won")


def test_no_match_posts_nothing_and_logs_the_question(shop, django_capture_on_commit_callbacks):
    say(django_capture_on_commit_callbacks, shop.channel, shop.buyer, "예쁘네요!")
    asked = say(
        django_capture_on_commit_callbacks, shop.channel, shop.buyer, "포장 선물용으로 가능한가요?"
    )
    assert not Message.objects.filter(channel=shop.channel, kind="bot").exists()
    unanswered = list(BotQuestion.objects.filter(store=shop.store, answered=False))
    assert [q.message_id for q in unanswered] == [asked.pk]  # chatter is not logged


def test_answers_follow_changed_settings(shop, django_capture_on_commit_callbacks):
    shop.store.shipping_fee = 2500
    shop.store.free_shipping_threshold = None
    shop.store.save()
    say(django_capture_on_commit_callbacks, shop.channel, shop.buyer, "배송비 얼마예요?")
    answer = Message.objects.get(channel=shop.channel, kind="bot")
    assert "2,500" in answer.body and "30,000" not in answer.body


def test_bot_off_in_a_channel(shop, django_capture_on_commit_callbacks):
    bot_set_enabled(channel=shop.channel, enabled=False)
    say(django_capture_on_commit_callbacks, shop.channel, shop.buyer, "배송비 얼마예요?")
    assert not Message.objects.filter(channel=shop.channel, kind="bot").exists()
    say(django_capture_on_commit_callbacks, shop.direct, shop.buyer, "배송비 얼마예요?")
    assert Message.objects.filter(channel=shop.direct, kind="bot").count() == 1


def test_seller_messages_are_not_answered(shop, django_capture_on_commit_callbacks):
    say(django_capture_on_commit_callbacks, shop.channel, shop.owner, "배송비 얼마예요?")
    assert not Message.objects.filter(kind="bot").exists()


def test_manager_switches_the_bot_from_the_pane(shop, client):
    client.force_login(shop.owner)
    page = client.get(reverse("chat:channel", args=[shop.direct.pk]))
    assert "Auto-answers on" in page.content.decode()
    response = client.post(
        reverse("chatbot:channel_bot", args=[shop.direct.pk]), {"enabled": "0", "next": "/talk/"}
    )
    assert response.status_code == 302
    assert BotChannel.objects.get(channel=shop.direct).enabled is False
    client.force_login(shop.buyer)  # a buyer cannot
    response = client.post(reverse("chatbot:channel_bot", args=[shop.direct.pk]), {"enabled": "1"})
    assert response.status_code == 404
    assert BotChannel.objects.get(channel=shop.direct).enabled is False


# --- business hours -----------------------------------------------------------------------


def _bot(**kw) -> StoreBot:
    return StoreBot(open_days="01234", opens_at=time(10), closes_at=time(18), **kw)


def _seoul(*args) -> datetime:
    return datetime(*args, tzinfo=hours.SEOUL)


def test_hours_open_and_closed_periods():
    bot = _bot()
    wednesday = (2026, 11, 25)
    assert hours.is_open(bot, _seoul(*wednesday, 10, 0))
    assert not hours.is_open(bot, _seoul(*wednesday, 18, 0))  # closing time is closed
    assert hours.quiet_since(bot, _seoul(*wednesday, 21, 0)) == _seoul(*wednesday, 18, 0)
    assert hours.quiet_since(bot, _seoul(2026, 11, 26, 9, 0)) == _seoul(*wednesday, 18, 0)
    # The weekend is one closed period from Friday 18:00.
    assert hours.quiet_since(bot, _seoul(2026, 11, 29, 12, 0)) == _seoul(2026, 11, 27, 18, 0)
    assert hours.hours_text(bot) == "Mon–Fri 10:00–18:00"
    overnight = StoreBot(open_days="5", opens_at=time(20), closes_at=time(2))
    assert hours.is_open(overnight, _seoul(2026, 11, 29, 1, 0))  # Saturday night into Sunday
    assert hours.is_open(StoreBot(), _seoul(*wednesday, 3, 0))  # no hours: always open


def test_quiet_note_once_per_closed_period(make_user, django_capture_on_commit_callbacks):
    shop = make_bot_shop(make_user, **closed_now_hours())
    capture = django_capture_on_commit_callbacks
    say(capture, shop.direct, shop.buyer, "안녕하세요")
    say(capture, shop.direct, shop.buyer, "주문하려고 하는데요")
    notes = Message.objects.filter(channel=shop.direct, kind="bot", data__bot="quiet")
    assert notes.count() == 1
    note = notes.get()
    assert "배송비는 얼마인가요?" in note.body and note.data["hours"]  # asked in Korean
    # The store channel never gets the note.
    say(capture, shop.channel, shop.buyer, "안녕하세요")
    assert not Message.objects.filter(channel=shop.channel, kind="bot").exists()
    # A new closed period answers again.
    BotChannel.objects.filter(channel=shop.direct).update(
        quiet_answered_at=timezone.now() - timedelta(days=9)
    )
    say(capture, shop.direct, shop.buyer, "계세요?")
    assert notes.count() == 2


def test_no_quiet_note_when_open_or_switched_off(make_user, django_capture_on_commit_callbacks):
    shop = make_bot_shop(make_user, quiet_reply=False, **closed_now_hours())
    say(django_capture_on_commit_callbacks, shop.direct, shop.buyer, "안녕하세요")
    assert not Message.objects.filter(kind="bot").exists()
    other = make_bot_shop(make_user, slug="open")  # no hours set: always open
    say(django_capture_on_commit_callbacks, other.direct, other.buyer, "안녕하세요")
    assert not Message.objects.filter(kind="bot").exists()


# --- order help ---------------------------------------------------------------------------


def _order(buyer, shop):
    cart_add(user=buyer, goods=shop.bread, quantity=1)
    return order_place(buyer=buyer, store=shop.store, shipping=ADDRESS, payment_method="test_card")


@pytest.mark.parametrize("question", ["배송 조회", "주문 확인 부탁드려요", "where is my order?"])
def test_order_help_shows_only_the_askers_orders(
    make_user, shop, django_capture_on_commit_callbacks, question
):
    other = make_user("other-buyer")
    mine = [_order(shop.buyer, shop), _order(shop.buyer, shop)]
    _order(other, shop)
    asked = say(django_capture_on_commit_callbacks, shop.direct, shop.buyer, question)
    intro = Message.objects.get(channel=shop.direct, kind="bot")
    assert intro.author is None and intro.data["orders"] == [mine[1].number, mine[0].number]
    cards = Message.objects.filter(
        channel=shop.direct, kind="order_card", data__reply_to=asked.pk
    ).order_by("id")
    assert [c.data["number"] for c in cards] == [mine[1].number, mine[0].number]
    assert cards[0].data["url"] == f"/orders/{mine[1].number}/"
    assert all(c.author is None and c.data["buyer_id"] == shop.buyer.pk for c in cards)
    assert BotQuestion.objects.get(channel=shop.direct).intent == "orders"


def test_order_help_without_orders_and_not_in_public_talk(shop, django_capture_on_commit_callbacks):
    say(django_capture_on_commit_callbacks, shop.direct, shop.buyer, "배송 조회")
    answer = Message.objects.get(channel=shop.direct, kind="bot")
    assert answer.data["orders"] == [] and "주문한 내역이 없어요" in answer.body
    assert not Message.objects.filter(kind="order_card").exists()
    say(django_capture_on_commit_callbacks, shop.channel, shop.buyer, "배송 조회")
    assert not Message.objects.filter(channel=shop.channel, kind="bot").exists()


def test_order_help_card_in_the_pane(shop, client, django_capture_on_commit_callbacks):
    order = _order(shop.buyer, shop)
    say(django_capture_on_commit_callbacks, shop.direct, shop.buyer, "배송 조회")
    client.force_login(shop.buyer)
    html = client.get(reverse("chat:channel", args=[shop.direct.pk])).content.decode()
    assert "🤖 Auto-reply" in html and f'href="/orders/{order.number}/"' in html
    client.force_login(shop.owner)
    html = client.get(reverse("chat:channel", args=[shop.direct.pk])).content.decode()
    assert f"/seller/stores/{shop.store.slug}/orders/{order.number}/" in html


# --- live ---------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_bot_answer_follows_the_question_on_the_socket(make_user):
    from asgiref.sync import sync_to_async

    shop = await sync_to_async(make_bot_shop)(make_user)
    buyer_socket, _ready = await connect_ready(shop.channel.pk, shop.buyer)
    owner_socket, _ready = await connect_ready(shop.channel.pk, shop.owner)
    await buyer_socket.send_json_to({"type": "send", "client_id": "q1", "body": "배송비 얼마예요?"})
    for socket in (buyer_socket, owner_socket):
        first = await socket.receive_json_from(timeout=5)
        second = await socket.receive_json_from(timeout=5)
        assert first["message"]["client_id"] == "q1"
        assert second["message"]["kind"] == "bot" and second["message"]["author"] is None
        assert "3,000" in second["message"]["body"]
    await buyer_socket.disconnect()
    await owner_socket.disconnect()


# --- seller pages -------------------------------------------------------------------------


def test_seller_bot_page_and_questions(shop, client, django_capture_on_commit_callbacks):
    say(django_capture_on_commit_callbacks, shop.channel, shop.buyer, "배송비 얼마예요?")
    say(django_capture_on_commit_callbacks, shop.channel, shop.buyer, "포장 가능한가요?")
    client.force_login(shop.owner)
    html = client.get(reverse("chatbot:seller_bot", args=[shop.store.slug])).content.decode()
    assert "How much is shipping?" in html and "3,000 won per order" in html
    assert "How do I choose a size?" in html and "Unanswered questions: 1" in html
    url = reverse("chatbot:seller_bot_questions", args=[shop.store.slug])
    unanswered = client.get(url).content.decode()
    assert "포장 가능한가요?" in unanswered and "배송비 얼마예요?" not in unanswered
    answered = client.get(url + "?show=answered").content.decode()
    assert "배송비 얼마예요?" in answered and "How much is shipping?" in answered


def test_seller_adds_faq_and_sets_hours(shop, client):
    client.force_login(shop.owner)
    response = client.post(
        reverse("chatbot:seller_faq_new", args=[shop.store.slug]),
        {
            "question": "포장 되나요?",
            "answer": "선물 포장 무료예요.",
            "keywords": "포장, gift wrap",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    assert faq_match(shop.store, "선물 포장 가능한가요?")[1] == "선물 포장 무료예요."
    bad = client.post(
        reverse("chatbot:seller_faq_new", args=[shop.store.slug]),
        {"question": "x", "answer": "y", "keywords": " , "},
    )
    assert bad.status_code == 200 and FaqEntry.objects.filter(question="x").count() == 0
    response = client.post(
        reverse("chatbot:seller_bot", args=[shop.store.slug]),
        {"days": ["0", "1", "2"], "opens_at": "09:00", "closes_at": "18:00", "quiet_reply": "on"},
    )
    assert response.status_code == 302
    bot = StoreBot.objects.get(store=shop.store)
    assert bot.open_days == "012" and bot.opens_at == time(9)
    assert "09:00–18:00" in faq_match(shop.store, "영업시간이 어떻게 되나요?")[1]
    with translation.override("en"):
        assert "Mon–Wed 09:00–18:00" in faq_match(shop.store, "business hours?")[1]
    half = client.post(
        reverse("chatbot:seller_bot", args=[shop.store.slug]),
        {"days": ["0"], "opens_at": "09:00", "closes_at": ""},
    )
    assert half.status_code == 200 and "neither" in half.content.decode()


def test_settings_entries_cannot_be_deleted_and_other_stores_are_404(make_user, shop, client):
    entry = FaqEntry.objects.get(store=shop.store, source=S.RETURNS)
    client.force_login(shop.owner)
    client.post(reverse("chatbot:seller_faq_delete", args=[shop.store.slug, entry.pk]))
    assert FaqEntry.objects.filter(pk=entry.pk).exists()
    stranger = make_user("stranger")
    client.force_login(stranger)
    assert client.get(reverse("chatbot:seller_bot", args=[shop.store.slug])).status_code == 404
