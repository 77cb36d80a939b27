"""The chat JSON API: one test per endpoint for what a member sees, and for what a non-member
of a closed channel (outsider, pending, banned, left) does not; CSRF on unsafe methods."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from chat.models import Membership, Message
from chat.services.messages import send_rate_limiter
from chat.services.reads import read_mark
from tests.chat import search_fixtures

world = search_fixtures.world

pytestmark = pytest.mark.django_db

NON_MEMBERS = ["outsider", "pending", "banned", "left"]


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    send_rate_limiter.reset()
    yield
    send_rate_limiter.reset()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, url: str, data: dict):
    return client.post(url, json.dumps(data), content_type="application/json")


# --- GET /api/channels/ -------------------------------------------------------------------


def test_list_channels_with_unread_counts(world):
    w = world
    for i in range(3):
        w.post(w.closed_channel, f"새 소식 {i}")
    read_mark(
        membership=Membership.objects.get(channel=w.open_channel, user=w.member),
        up_to=w.post(w.open_channel, "읽은 메시지").pk,
    )
    response = client_for(w.member).get("/api/channels/")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()}
    assert rows[w.closed_channel.pk]["unread"] == 3
    assert rows[w.closed_channel.pk]["last_message"]["body"] == "새 소식 2"
    assert rows[w.open_channel.pk]["unread"] == 0


def test_list_channels_caps_label_at_99(world):
    w = world
    Message.objects.bulk_create(
        [Message(channel=w.open_channel, author=w.owner, body=f"m{i}") for i in range(120)]
    )
    rows = {r["id"]: r for r in client_for(w.member).get("/api/channels/").json()}
    assert rows[w.open_channel.pk]["unread"] == 120
    assert rows[w.open_channel.pk]["unread_label"] == "99+"


@pytest.mark.parametrize("who", NON_MEMBERS)
def test_list_channels_non_member_gets_nothing_of_closed_channel(world, who):
    w = world
    w.post(w.closed_channel, "비밀 이야기")
    rows = client_for(getattr(w, who)).get("/api/channels/").json()
    closed = [row for row in rows if row["id"] == w.closed_channel.pk]
    if who == "pending":  # listed as waiting, with nothing from inside
        assert closed[0]["pending"] is True
        assert closed[0]["last_message"] is None and closed[0]["unread"] == 0
    else:
        assert closed == []
    assert "비밀" not in json.dumps(rows, ensure_ascii=False)


def test_list_channels_pages_with_limit_and_offset(world):
    w = world
    everything = [row["id"] for row in client_for(w.member).get("/api/channels/").json()]
    assert len(everything) >= 2
    pages = [
        client_for(w.member).get(f"/api/channels/?limit=1&offset={n}").json()
        for n in range(len(everything) + 1)
    ]
    assert [page[0]["id"] for page in pages[:-1]] == everything  # same order, one at a time
    assert pages[-1] == []
    for bad in ("limit=0", "limit=501", "offset=-1"):
        response = client_for(w.member).get(f"/api/channels/?{bad}")
        assert response.status_code == 400 and response.json()["code"] == "bad_request"


def test_list_channels_needs_sign_in(world):
    assert Client().get("/api/channels/").status_code == 401


# --- GET /api/channels/{id}/messages --------------------------------------------------------


def test_messages_keyset_pages(world):
    w = world
    ids = [w.post(w.open_channel, f"메시지 {i}").pk for i in range(7)]
    client = client_for(w.member)
    newest = client.get(f"/api/channels/{w.open_channel.pk}/messages", {"limit": 3}).json()
    assert [m["id"] for m in newest["messages"]] == ids[4:]
    assert newest["has_more"] is True
    older = client.get(
        f"/api/channels/{w.open_channel.pk}/messages", {"before": ids[4], "limit": 3}
    ).json()
    assert [m["id"] for m in older["messages"]] == ids[1:4]
    newer = client.get(
        f"/api/channels/{w.open_channel.pk}/messages", {"after": ids[1], "limit": 2}
    ).json()
    assert [m["id"] for m in newer["messages"]] == ids[2:4]
    assert newer["has_more"] is True


@pytest.mark.parametrize("limit", ["0", "101", "abc"])
def test_messages_bad_limit_is_400(world, limit):
    response = client_for(world.member).get(
        f"/api/channels/{world.open_channel.pk}/messages", {"limit": limit}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize("who", NON_MEMBERS)
def test_messages_closed_channel_refused_for_non_member(world, who):
    w = world
    w.post(w.closed_channel, "비밀 이야기")
    response = client_for(getattr(w, who)).get(f"/api/channels/{w.closed_channel.pk}/messages")
    assert response.status_code == 403
    assert response.json()["code"] in {"not_member", "banned"}
    assert "비밀" not in response.content.decode()


def test_messages_unknown_channel_is_404(world):
    response = client_for(world.member).get("/api/channels/999999/messages")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "No such channel."}


# --- GET /api/channels/{id}/search ----------------------------------------------------------


def test_search_endpoint_finds_two_syllable_word(world):
    w = world
    message = w.post(w.open_channel, "무료배송 <b>이벤트</b>")
    response = client_for(w.member).get(f"/api/channels/{w.open_channel.pk}/search", {"q": "배송"})
    assert response.status_code == 200
    (hit,) = response.json()["hits"]
    assert hit["message"]["id"] == message.pk
    assert hit["highlighted"] == "무료<mark>배송</mark> &lt;b&gt;이벤트&lt;/b&gt;"
    assert hit["url"] == f"/talk/{w.open_channel.pk}/?around={message.pk}"


def test_search_endpoint_pages(world):
    w = world
    for i in range(5):
        w.post(w.open_channel, f"환불 {i}")
    client = client_for(w.member)
    url = f"/api/channels/{w.open_channel.pk}/search"
    first = client.get(url, {"q": "환불", "limit": 3}).json()
    second = client.get(url, {"q": "환불", "limit": 3, "cursor": first["next_cursor"]}).json()
    assert len(first["hits"]) == 3 and len(second["hits"]) == 2
    assert second["next_cursor"] is None


def test_search_endpoint_bad_query_is_400(world):
    response = client_for(world.member).get(
        f"/api/channels/{world.open_channel.pk}/search", {"q": "?!"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize("who", NON_MEMBERS)
def test_search_endpoint_closed_channel_refused_for_non_member(world, who):
    w = world
    w.post(w.closed_channel, "비밀 배송")
    response = client_for(getattr(w, who)).get(
        f"/api/channels/{w.closed_channel.pk}/search", {"q": "배송"}
    )
    assert response.status_code == 403
    assert "비밀" not in response.content.decode()


# --- POST /api/channels/{id}/messages -------------------------------------------------------


def test_post_message_stores_and_is_idempotent(world):
    w = world
    client = client_for(w.member)
    url = f"/api/channels/{w.open_channel.pk}/messages"
    first = post_json(client, url, {"body": "  환불 문의요  ", "client_id": "c-1"})
    again = post_json(client, url, {"body": "환불 문의요", "client_id": "c-1"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["body"] == "환불 문의요"
    assert Message.objects.filter(channel=w.open_channel, author=w.member).count() == 1
    # …and it is searchable at once.
    found = client.get(f"/api/channels/{w.open_channel.pk}/search", {"q": "환불"}).json()
    assert [h["message"]["id"] for h in found["hits"]] == [first.json()["id"]]


@pytest.mark.parametrize(("body", "code"), [("   ", "bad_request"), ("가" * 2001, "too_long")])
def test_post_message_bad_body_is_400(world, body, code):
    response = post_json(
        client_for(world.member), f"/api/channels/{world.open_channel.pk}/messages", {"body": body}
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Message.objects.exists()


def test_post_message_missing_body_is_400(world):
    response = post_json(
        client_for(world.member), f"/api/channels/{world.open_channel.pk}/messages", {}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_post_message_rate_limited_is_429(world):
    client = client_for(world.member)
    url = f"/api/channels/{world.open_channel.pk}/messages"
    statuses = [post_json(client, url, {"body": f"도배 {i}"}).status_code for i in range(11)]
    assert statuses[:10] == [201] * 10
    assert statuses[10] == 429
    assert Message.objects.count() == 10


def test_post_message_archived_is_403(world):
    from django.utils import timezone

    w = world
    w.open_channel.archived_at = timezone.now()
    w.open_channel.save()
    response = post_json(
        client_for(w.member), f"/api/channels/{w.open_channel.pk}/messages", {"body": "안녕"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "archived"


def test_post_message_open_channel_non_member_is_403(world):
    response = post_json(
        client_for(world.outsider),
        f"/api/channels/{world.open_channel.pk}/messages",
        {"body": "안녕"},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_member"


@pytest.mark.parametrize("who", NON_MEMBERS)
def test_post_message_closed_channel_refused_for_non_member(world, who):
    w = world
    response = post_json(
        client_for(getattr(w, who)), f"/api/channels/{w.closed_channel.pk}/messages", {"body": "hi"}
    )
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_post_message_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member)
    response = post_json(client, f"/api/channels/{world.open_channel.pk}/messages", {"body": "hi"})
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_post_message_with_csrf_token_is_accepted(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member)
    client.get("/talk/search/")  # any page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"/api/channels/{world.open_channel.pk}/messages",
        json.dumps({"body": "hi"}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201


# --- POST /api/channels/{id}/read -----------------------------------------------------------


def test_mark_read_moves_forward_only(world):
    w = world
    ids = [w.post(w.open_channel, f"m{i}").pk for i in range(4)]
    client = client_for(w.member)
    url = f"/api/channels/{w.open_channel.pk}/read"
    assert post_json(client, url, {"up_to": ids[2]}).json() == {
        "channel": w.open_channel.pk,
        "up_to": ids[2],
        "unread": 1,
    }
    assert post_json(client, url, {"up_to": ids[0]}).json()["up_to"] == ids[2]
    membership = Membership.objects.get(channel=w.open_channel, user=w.member)
    assert membership.last_read_message_id == ids[2]


def test_mark_read_bad_body_is_400(world):
    response = post_json(
        client_for(world.member), f"/api/channels/{world.open_channel.pk}/read", {"up_to": "x"}
    )
    assert response.status_code == 400


def test_mark_read_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member)
    response = post_json(client, f"/api/channels/{world.open_channel.pk}/read", {"up_to": 1})
    assert response.status_code == 403


@pytest.mark.parametrize("who", NON_MEMBERS)
def test_mark_read_closed_channel_refused_for_non_member(world, who):
    w = world
    w.post(w.closed_channel, "비밀")
    response = post_json(
        client_for(getattr(w, who)), f"/api/channels/{w.closed_channel.pk}/read", {"up_to": 1}
    )
    assert response.status_code == 403


def test_openapi_lists_the_chat_endpoints(world):
    schema = client_for(world.member).get("/api/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/channels/",
        "/api/channels/{channel_id}/messages",
        "/api/channels/{channel_id}/search",
        "/api/channels/{channel_id}/read",
    } <= paths
