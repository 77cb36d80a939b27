"""Search: tokenizer, ranking, scoping to readable channels, deleted messages, highlighting,
paging, and the search page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from chat.exceptions import Banned, NotMember
from chat.models import Membership, Message
from chat.search import index_message, reindex, search
from chat.search.query import SearchError
from chat.search.tokens import index_tokens, query_terms
from tests.chat import search_fixtures

world = search_fixtures.world

pytestmark = pytest.mark.django_db


def found(user, q, **kwargs) -> list[str]:
    return [hit.message.body for hit in search(user, q, **kwargs).hits]


# --- tokenizer ---------------------------------------------------------------------------


def test_tokens_korean_bigrams_find_two_syllable_words_inside_longer_words():
    assert "배송" in index_tokens("배송비는 얼마예요")
    assert "배송" in index_tokens("무료배송")
    assert {"할인", "쿠폰"} <= index_tokens("할인쿠폰")
    assert "환불" in index_tokens("환불해주세요")


def test_tokens_english_lowercased_prefixes():
    tokens = index_tokens("Refunds ARE slow")
    assert {"re", "ref", "refund", "refunds", "are", "sl", "slow"} <= tokens
    assert "Refunds" not in tokens
    assert "fund" not in tokens


def test_tokens_numbers_ignore_thousands_separator():
    assert "3000" in index_tokens("배송비 3,000원")
    assert "3000" in index_tokens("배송비 3000원")
    assert "1000000" in index_tokens("1,000,000원")
    # A comma that is not a thousands separator separates two numbers.
    assert {"1", "2345"} <= index_tokens("1,2345")


def test_query_terms_trim_punctuation_and_deduplicate():
    terms = query_terms("  배송?  배송  Refund! ")
    assert [t.text for t in terms] == ["배송", "refund"]
    assert query_terms("?! ...") == []


# --- finding ------------------------------------------------------------------------------


def test_search_finds_two_syllable_korean_words(world):
    w = world
    w.post(w.open_channel, "배송비는 얼마예요?")
    w.post(w.open_channel, "무료배송 되나요")
    w.post(w.open_channel, "할인쿠폰 있어요")
    w.post(w.open_channel, "환불해주세요")
    w.post(w.open_channel, "안녕하세요")
    assert found(w.member, "배송") == ["무료배송 되나요", "배송비는 얼마예요?"]
    assert found(w.member, "환불") == ["환불해주세요"]
    assert found(w.member, "할인") == ["할인쿠폰 있어요"]
    assert found(w.member, "쿠폰") == ["할인쿠폰 있어요"]
    assert found(w.member, "배송비") == ["배송비는 얼마예요?"]
    assert found(w.member, "송비는") == ["배송비는 얼마예요?"]


def test_search_one_syllable_korean(world):
    w = world
    w.post(w.open_channel, "소금빵 주세요")
    w.post(w.open_channel, "빵이 맛있어요")
    w.post(w.open_channel, "케이크 주세요")
    assert found(w.member, "빵") == ["빵이 맛있어요", "소금빵 주세요"]


def test_search_bigrams_must_be_contiguous(world):
    w = world
    w.post(w.open_channel, "배송 송비")  # has the bigrams 배송 and 송비, not the word 배송비
    w.post(w.open_channel, "배송비 안내")
    assert found(w.member, "배송비") == ["배송비 안내"]


def test_search_english_case_insensitive_word_start(world):
    w = world
    w.post(w.open_channel, "REFUND please")
    w.post(w.open_channel, "Refunded yesterday")
    w.post(w.open_channel, "We fund it")
    assert found(w.member, "refund") == ["Refunded yesterday", "REFUND please"]
    assert found(w.member, "Refund") == ["Refunded yesterday", "REFUND please"]
    assert found(w.member, "fund") == ["We fund it"]


def test_search_numbers_with_and_without_separator(world):
    w = world
    w.post(w.open_channel, "배송비 3,000원")
    w.post(w.open_channel, "배송비 3000원")
    w.post(w.open_channel, "30000원 이상 무료")
    assert found(w.member, "3000") == ["배송비 3000원", "배송비 3,000원"]
    assert found(w.member, "3,000") == ["배송비 3000원", "배송비 3,000원"]
    assert found(w.member, "30,000") == ["30000원 이상 무료"]


def test_search_ranks_whole_phrase_first_then_newest(world):
    w = world
    phrase = w.post(w.open_channel, "할인 쿠폰 있어요")
    apart = w.post(w.open_channel, "쿠폰은 없고 할인은 있어요")
    newest_phrase = w.post(w.open_channel, "할인 쿠폰 드려요")
    w.post(w.open_channel, "할인만 있어요")
    hits = search(w.member, "할인 쿠폰").hits
    assert [h.message.pk for h in hits] == [newest_phrase.pk, phrase.pk, apart.pk]
    assert [h.exact for h in hits] == [True, True, False]


def test_search_one_channel_only(world):
    w = world
    w.post(w.open_channel, "배송 문의 (열린 톡)")
    w.post(w.closed_channel, "배송 문의 (회원 톡)")
    assert found(w.member, "배송", channel=w.closed_channel.pk) == ["배송 문의 (회원 톡)"]
    assert len(found(w.member, "배송")) == 2


# --- scope: never a channel the user may not read ------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "pending", "banned", "left"])
def test_search_closed_channel_never_found_by_non_member(world, who):
    w = world
    w.post(w.closed_channel, "비밀 배송 이벤트")
    w.post(w.open_channel, "공개 배송 안내")
    user = getattr(w, who)
    assert found(user, "배송") == ["공개 배송 안내"]
    assert found(user, "비밀") == []


@pytest.mark.parametrize("who", ["outsider", "pending", "banned", "left"])
def test_search_closed_channel_scope_refused_for_non_member(world, who):
    w = world
    w.post(w.closed_channel, "비밀 배송 이벤트")
    with pytest.raises((NotMember, Banned)):
        search(getattr(w, who), "배송", channel=w.closed_channel.pk)


def test_search_banned_from_open_channel_finds_nothing_there(world):
    w = world
    w.post(w.open_channel, "공개 배송 안내")
    Membership.objects.create(
        channel=w.open_channel, user=w.outsider, state=Membership.State.BANNED
    )
    assert found(w.outsider, "배송") == []


def test_search_deleted_channel_not_found(world):
    w = world
    w.post(w.open_channel, "공개 배송 안내")
    w.open_channel.deleted_at = timezone.now()
    w.open_channel.save()
    assert found(w.member, "배송") == []


def test_search_anonymous_finds_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    w = world
    w.post(w.open_channel, "공개 배송 안내")
    assert found(AnonymousUser(), "배송") == []


# --- deleted, edited, system messages ------------------------------------------------------


def test_search_deleted_message_not_found(world):
    w = world
    message = w.post(w.open_channel, "배송 지연 죄송합니다")
    message.deleted_at = timezone.now()
    message.save()
    assert found(w.member, "배송") == []


def test_search_deleted_by_update_not_found_even_before_reindex(world):
    w = world
    message = w.post(w.open_channel, "배송 지연 죄송합니다")
    Message.objects.filter(pk=message.pk).update(deleted_at=timezone.now())  # no signal
    assert found(w.member, "배송") == []


def test_search_edited_message_found_by_new_words_only(world):
    w = world
    message = w.post(w.open_channel, "배송 문의")
    message.body = "환불 문의"
    message.save()
    assert found(w.member, "배송") == []
    assert found(w.member, "환불") == ["환불 문의"]


def test_search_system_messages_not_indexed(world):
    w = world
    w.post(w.open_channel, "배송 담당자가 들어왔습니다", kind=Message.Kind.SYSTEM, author=None)
    assert found(w.member, "배송") == []


def test_reindex_rebuilds_history(world):
    w = world
    w.post(w.open_channel, "배송 문의")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM chatsearch_posting")
    assert found(w.member, "배송") == []
    assert reindex() == 1
    assert found(w.member, "배송") == ["배송 문의"]


def test_index_message_returns_posting_count(world):
    w = world
    message = w.post(w.open_channel, "배송")
    assert index_message(message) == 2  # 배송 and the run's last syllable 송


# --- highlighting ---------------------------------------------------------------------------


def test_search_highlight_escapes_html(world):
    w = world
    w.post(w.open_channel, '<script>alert("배송")</script> 배송 & 환불')
    (hit,) = search(w.member, "배송").hits
    html = str(hit.highlighted)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert html.count("<mark>배송</mark>") == 2
    assert "&amp;" in html


def test_search_highlight_marks_original_text(world):
    w = world
    w.post(w.open_channel, "REFUND 3,000원")
    (hit,) = search(w.member, "refund 3000").hits
    assert str(hit.highlighted) == "<mark>REFUND</mark> <mark>3,000</mark>원"


def test_search_highlight_cuts_long_message_around_match(world):
    w = world
    w.post(w.open_channel, "가" * 500 + " 배송 " + "나" * 500)
    (hit,) = search(w.member, "배송").hits
    html = str(hit.highlighted)
    assert "<mark>배송</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    assert len(html) < 200


# --- paging and errors ----------------------------------------------------------------------


def test_search_pages_with_cursor_newest_first_without_repeats(world):
    w = world
    ids = [w.post(w.open_channel, f"배송 {i}번").pk for i in range(25)]
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        page = search(w.member, "배송", limit=10, cursor=cursor)
        seen += [hit.message.pk for hit in page.hits]
        pages += 1
        cursor = page.next_cursor
        if not cursor:
            break
    assert pages == 3
    assert seen == sorted(ids, reverse=True)


def test_search_pages_across_ranking_tiers(world):
    w = world
    for i in range(3):
        w.post(w.open_channel, f"할인 쿠폰 {i}")
        w.post(w.open_channel, f"쿠폰 그리고 할인 {i}")
    first = search(w.member, "할인 쿠폰", limit=4)
    second = search(w.member, "할인 쿠폰", limit=4, cursor=first.next_cursor)
    assert [h.exact for h in first.hits] == [True, True, True, False]
    assert [h.exact for h in second.hits] == [False, False]
    assert second.next_cursor is None


@pytest.mark.parametrize("q", ["", "   ", "?!", "배송 " * 101])
def test_search_refuses_unusable_query(world, q):
    with pytest.raises(SearchError):
        search(world.member, q)


def test_search_refuses_bad_cursor(world):
    with pytest.raises(SearchError):
        search(world.member, "배송", cursor="abc")


# --- the page -------------------------------------------------------------------------------


def test_search_page_shows_highlighted_results_with_links(client, world):
    w = world
    message = w.post(w.open_channel, "<b>무료배송</b> 이벤트")
    client.force_login(w.member)
    response = client.get("/talk/search/", {"q": "배송"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;b&gt;무료<mark>배송</mark>&lt;/b&gt; 이벤트" in html
    assert f"/talk/{w.open_channel.pk}/?around={message.pk}" in html


def test_search_page_one_channel(client, world):
    w = world
    w.post(w.open_channel, "배송 열린")
    w.post(w.closed_channel, "배송 회원")
    client.force_login(w.member)
    html = client.get("/talk/search/", {"q": "배송", "channel": w.closed_channel.pk}).content
    assert "배송 회원" not in html.decode()  # highlighted: 배송 is wrapped
    assert "<mark>배송</mark> 회원" in html.decode()
    assert "<mark>배송</mark> 열린" not in html.decode()


def test_search_page_closed_channel_refused_for_non_member(client, world):
    w = world
    w.post(w.closed_channel, "비밀 배송")
    client.force_login(w.outsider)
    response = client.get("/talk/search/", {"q": "배송", "channel": w.closed_channel.pk})
    assert response.status_code == 403
    assert "비밀" not in response.content.decode()


def test_search_page_unknown_channel_is_404(client, world):
    client.force_login(world.member)
    assert client.get("/talk/search/", {"q": "배송", "channel": "999999"}).status_code == 404
    assert client.get("/talk/search/", {"q": "배송", "channel": "abc"}).status_code == 404


def test_search_page_bad_query_shows_error(client, world):
    client.force_login(world.member)
    response = client.get("/talk/search/", {"q": "?!"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_search_page_more_results_link(client, world):
    w = world
    for i in range(25):
        w.post(w.open_channel, f"배송 {i}")
    client.force_login(w.member)
    html = client.get("/talk/search/", {"q": "배송"}).content.decode()
    assert "cursor=0." in html


def test_search_page_needs_sign_in(client):
    response = client.get("/talk/search/", {"q": "배송"})
    assert response.status_code == 302
