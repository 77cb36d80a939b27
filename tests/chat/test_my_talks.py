"""My talks (/talk/), the header badge and 1:1 chats with a store."""

from __future__ import annotations

import pytest

from chat.models import Channel, Membership
from chat.services.direct import channel_open_direct
from chat.services.messages import message_post
from tests.chat.live_fixtures import add_member, make_store, store_channel

pytestmark = pytest.mark.django_db


def test_my_talks_lists_channels_with_unread_preview_and_pending(client, make_user):
    seller = make_user("seller", display_name="사장님")
    buyer = make_user("buyer")
    quiet = store_channel(seller, slug="quiet", name="조용한가게")
    busy = store_channel(seller, slug="busy", name="바쁜가게")
    closed = store_channel(seller, slug="closed", name="회원가게", closed=True)
    for channel in (quiet, busy):
        add_member(channel, buyer)
    add_member(closed, buyer, Membership.State.PENDING)
    message_post(channel=quiet, author=seller, body="옛 소식")
    message_post(channel=closed, author=seller, body="회원 비밀")
    for i in range(101):
        message_post(channel=busy, author=seller, body=f"세일 {i}")
    client.force_login(buyer)
    html = client.get("/talk/").content.decode()
    assert html.index("바쁜가게") < html.index("조용한가게")
    assert "99+" in html
    assert "사장님: 세일 100" in html
    assert "waiting for approval" in html or "승인 대기 중" in html
    assert "회원 비밀" not in html
    assert "/static/js/inbox.js" in html


def test_my_talks_pages_a_sellers_many_chats_and_counts_all_unread(client, make_user):
    """A seller with 53 customer chats sees the 50 latest, then the other 3 on page 2; the
    unread badge counts every chat, those on page 2 too."""
    seller = make_user("seller", display_name="사장님")
    store = make_store(seller, slug="busy", name="바쁜가게")
    for i in range(53):
        buyer = make_user(f"buyer{i}", display_name=f"손님{i:02d}")
        message_post(
            channel=channel_open_direct(store=store, buyer=buyer), author=buyer, body=f"문의 {i}"
        )
    client.force_login(seller)
    first = client.get("/talk/").content.decode()
    assert first.count('<li class="talk-row') == 50
    assert "손님52" in first and "손님03" in first and "손님02" not in first
    assert first.index("손님52") < first.index("손님51")  # latest first
    assert 'data-role="total">53<' in first
    assert "?page=2" in first
    second = client.get("/talk/?page=2").content.decode()
    assert second.count('<li class="talk-row') == 3
    assert "손님00: 문의 0" in second and "손님03" not in second
    assert 'data-role="total">53<' in second
    assert client.get("/talk/?page=99").status_code == 200  # the last page, not an error


def test_my_talks_needs_sign_in(client):
    response = client.get("/talk/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_header_shows_total_unread_badge(client, make_user):
    seller = make_user("seller")
    buyer = make_user("buyer")
    channel = store_channel(seller)
    add_member(channel, buyer)
    for i in range(3):
        message_post(channel=channel, author=seller, body=f"{i}")
    client.force_login(buyer)
    html = client.get("/").content.decode()
    assert 'class="nav-talks"' in html and 'data-role="nav-unread">3<' in html


def test_direct_chat_button_opens_one_channel_with_store_staff(client, make_user):
    seller = make_user("seller", display_name="사장님")
    buyer = make_user("buyer", display_name="구매자")
    store = make_store(seller, slug="bakery", name="빵집")
    client.force_login(buyer)
    assert "/talk/direct/bakery/" in client.get("/stores/bakery/").content.decode()
    response = client.post("/talk/direct/bakery/")
    channel = Channel.objects.get(kind=Channel.Kind.DIRECT, store=store, buyer=buyer)
    assert response["Location"] == f"/talk/{channel.pk}/"
    client.post("/talk/direct/bakery/")
    assert Channel.objects.filter(kind=Channel.Kind.DIRECT).count() == 1
    client.post(f"/talk/{channel.pk}/post/", {"body": "1:1 문의입니다"})
    client.force_login(seller)
    html = client.get("/talk/").content.decode()
    assert "구매자" in html and "1:1 문의입니다" in html
    assert "1:1 문의입니다" in client.get(f"/talk/{channel.pk}/").content.decode()
    # Nobody else can see it: missing and forbidden look the same.
    client.force_login(make_user("other"))
    assert client.get(f"/talk/{channel.pk}/").status_code == 404


def test_direct_chat_refused_for_own_store(client, make_user):
    seller = make_user("seller")
    make_store(seller, slug="mine")
    client.force_login(seller)
    html = client.get("/stores/mine/").content.decode()
    assert "/talk/direct/mine/" not in html
    client.post("/talk/direct/mine/")
    assert not Channel.objects.filter(kind=Channel.Kind.DIRECT).exists()
