"""The talk pane (``{% talk_pane %}``) on the store page and the channel page, the chat text
filter and the no-JavaScript send form."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from chat.models import Channel, Membership, Message
from chat.services.messages import message_post, send_rate_limiter
from chat.templatetags.talk import chat_text
from tests.chat.live_fixtures import add_member, store_channel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    send_rate_limiter.reset()


@pytest.fixture
def shop(make_user):
    seller = make_user("seller", display_name="사장님")
    buyer = make_user("buyer", display_name="구매자")
    channel = store_channel(seller, slug="bakery", name="빵집")
    add_member(channel, buyer)
    return channel, seller, buyer


def test_chat_text_escapes_and_links_only():
    html = chat_text('<script>alert("x")</script>\nhttps://example.com/a?b=1&c=2. javascript:x')
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener noreferrer"' in html
    assert "</a>. javascript:x" in html
    assert "<br>" in html


def test_pane_script_body_shows_as_text(client, shop):
    channel, seller, buyer = shop
    message_post(channel=channel, author=buyer, body="<script>alert(1)</script> 안녕")
    client.force_login(seller)
    html = client.get("/stores/bakery/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 안녕" in html
    assert "<script>alert(1)</script>" not in html


def test_pane_member_sees_history_form_and_divider(client, shop):
    channel, seller, buyer = shop
    old = message_post(channel=channel, author=seller, body="지난 소식")
    Membership.objects.filter(channel=channel, user=buyer).update(last_read_message_id=old.pk)
    message_post(channel=channel, author=seller, body="새 소식")
    client.force_login(buyer)
    html = client.get("/stores/bakery/").content.decode()
    assert 'data-live="1"' in html and 'name="body"' in html
    assert html.index("지난 소식") < html.index('data-role="divider"') < html.index("새 소식")
    assert "/static/js/talk.js" in html


def test_pane_shows_last_50_and_older_link(client, shop):
    channel, seller, buyer = shop
    for i in range(55):
        message_post(channel=channel, author=seller, body=f"줄 {i:02d}")
    client.force_login(buyer)
    html = client.get("/stores/bakery/").content.decode()
    assert "줄 54" in html and "줄 05" in html and "줄 04" not in html
    first_shown = Message.objects.get(body="줄 05")
    assert f"/talk/{channel.pk}/?before={first_shown.pk}" in html


def test_pane_anonymous_open_channel_read_only_with_sign_in(client, shop):
    channel, seller, buyer = shop
    message_post(channel=channel, author=seller, body="누구나 읽어요")
    html = client.get("/stores/bakery/").content.decode()
    assert "누구나 읽어요" in html
    assert 'name="body"' not in html and "data-live" not in html
    assert "/accounts/login/?next=" in html


def test_pane_signed_in_non_member_sees_history_and_join(client, shop, make_user):
    channel, seller, buyer = shop
    message_post(channel=channel, author=seller, body="열린 톡")
    client.force_login(make_user("visitor"))
    html = client.get("/stores/bakery/").content.decode()
    assert "열린 톡" in html
    assert f"/talk/{channel.pk}/join/" in html and 'name="body"' not in html


@pytest.mark.parametrize("state", [None, Membership.State.PENDING, Membership.State.LEFT])
def test_pane_closed_channel_non_member_sees_only_a_note(client, make_user, state):
    seller = make_user("seller")
    channel = store_channel(seller, slug="closed", name="회원가게", closed=True)
    message_post(channel=channel, author=seller, body="회원 전용 비밀")
    visitor = make_user("visitor")
    if state:
        add_member(channel, visitor, state)
    client.force_login(visitor)
    html = client.get("/stores/closed/").content.decode()
    assert "회원 전용 비밀" not in html
    assert "talk-note" in html
    page = client.get(f"/talk/{channel.pk}/")
    assert page.status_code == 403 and "회원 전용 비밀" not in page.content.decode()


def test_pane_topic_filter(client, shop):
    channel, seller, buyer = shop
    message_post(channel=channel, author=seller, body="식빵 얘기", topic="식빵")
    message_post(channel=channel, author=seller, body="케이크 얘기", topic="케이크")
    client.force_login(buyer)
    html = client.get("/stores/bakery/", {"topic": "케이크"}).content.decode()
    assert "케이크 얘기" in html and "식빵 얘기" not in html
    assert "#식빵" in html  # the other topic's chip stays


def test_pane_deleted_message_is_a_tombstone(client, shop):
    channel, seller, buyer = shop
    message = message_post(channel=channel, author=buyer, body="지울 말")
    Message.objects.filter(pk=message.pk).update(deleted_at=timezone.now())
    client.force_login(seller)
    html = client.get("/stores/bakery/").content.decode()
    assert "지울 말" not in html and "msg-tombstone" in html


def test_talk_pane_tag_renders_for_request_user(shop):
    channel, seller, buyer = shop
    message_post(channel=channel, author=seller, body="태그로")
    request = RequestFactory().get("/anywhere/")
    request.user = buyer
    request.session = {}
    html = Template("{% load talk %}{% talk_pane channel %}").render(
        Context({"request": request, "channel": channel})
    )
    assert "태그로" in html and f'id="talk-{channel.pk}"' in html


def test_channel_page_around_opens_at_the_message(client, shop):
    channel, seller, buyer = shop
    ids = [message_post(channel=channel, author=seller, body=f"m{i:03d}").pk for i in range(120)]
    client.force_login(buyer)
    html = client.get(f"/talk/{channel.pk}/", {"around": ids[10]}).content.decode()
    assert f'id="msg-{ids[10]}"' in html and "msg-target" in html
    assert "m000" in html and "m119" not in html
    # An around-view does not mark the talk read.
    assert Membership.objects.get(channel=channel, user=buyer).last_read_message_id == 0


def test_channel_page_marks_read_and_404s(client, shop):
    channel, seller, buyer = shop
    last = message_post(channel=channel, author=seller, body="읽어 주세요")
    client.force_login(buyer)
    assert client.get(f"/talk/{channel.pk}/").status_code == 200
    assert Membership.objects.get(channel=channel, user=buyer).last_read_message_id == last.pk
    assert client.get("/talk/999999/").status_code == 404
    Channel.objects.filter(pk=channel.pk).update(deleted_at=timezone.now())
    assert client.get(f"/talk/{channel.pk}/").status_code == 404


def test_post_form_without_js_posts_and_redirects_back(client, shop):
    channel, seller, buyer = shop
    client.force_login(buyer)
    response = client.post(
        f"/talk/{channel.pk}/post/",
        {"body": "자바스크립트 없이", "client_id": "form-1", "next": "/stores/bakery/"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/stores/bakery/#talk-{channel.pk}"
    # Pressing the button twice (same rendered form) makes one message.
    client.post(f"/talk/{channel.pk}/post/", {"body": "자바스크립트 없이", "client_id": "form-1"})
    assert Message.objects.filter(body="자바스크립트 없이").count() == 1
    assert "자바스크립트 없이" in client.get("/stores/bakery/").content.decode()


def test_post_form_errors_keep_the_text(client, shop, make_user):
    channel, seller, buyer = shop
    client.force_login(buyer)
    long_text = "가" * 2001
    response = client.post(f"/talk/{channel.pk}/post/", {"body": long_text}, follow=True)
    html = response.content.decode()
    assert long_text in html  # back in the send box
    assert not Message.objects.exists()
    client.force_login(make_user("visitor"))
    client.post(f"/talk/{channel.pk}/post/", {"body": "몰래"})
    assert not Message.objects.exists()
    assert client.post("/talk/999999/post/", {"body": "x"}).status_code == 404


def test_post_form_refuses_foreign_next(client, shop):
    channel, seller, buyer = shop
    client.force_login(buyer)
    response = client.post(
        f"/talk/{channel.pk}/post/", {"body": "hi", "next": "https://evil.example.com/"}
    )
    assert response["Location"] == f"/talk/{channel.pk}/#talk-{channel.pk}"


def test_talk_pane_tag_without_a_channel_renders_nothing(shop):
    request = RequestFactory().get("/")
    request.user = shop[2]
    for value in (None, ""):
        html = Template("{% load talk %}[{% talk_pane channel %}]").render(
            Context({"request": request, "channel": value})
        )
        assert html.replace("\n", "").strip() == "[]"
