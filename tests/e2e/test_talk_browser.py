"""Two phones on 달콤베이커리's store page: the buyer (jimin) writes in Korean, the seller
(bakery) sees it arrive without reloading; Enter does not send while the IME composes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from chat.models import Channel, Membership, Message
from chat.selectors import unread_count
from chat.services.messages import message_post
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPEN = (
    "() => window.TalkmallTalk && window.TalkmallTalk.panes.length"
    " && window.TalkmallTalk.panes[0].ws && window.TalkmallTalk.panes[0].ws.readyState === 1"
)


def test_buyer_message_reaches_seller_live(live_server_url, phone, screenshot_dir):
    call_command("seed_demo", verbosity=0)
    buyer, seller = phone(), phone()
    sign_in(buyer, live_server_url, "jimin", "talkmall1234")
    sign_in(seller, live_server_url, "bakery", "talkmall1234")
    for page in (buyer, seller):
        page.goto(f"{live_server_url}/stores/dalkom-bakery/")
        # Server-rendered history is there before any script runs.
        assert page.locator(".talk .msg", has_text="소금빵 매일 나오나요").count() == 1
        page.wait_for_function(
            "() => window.TalkmallTalk && window.TalkmallTalk.panes.length"
            " && window.TalkmallTalk.panes[0].ws"
            " && window.TalkmallTalk.panes[0].ws.readyState === 1"
        )
    box = buyer.locator(".talk textarea[name=body]")
    box.fill("내일 소금빵 10개 예약할 수 있을까요?")
    # An Enter that finishes an IME composition (keyCode 229) must not send.
    box.dispatch_event("keydown", {"key": "Enter", "keyCode": 229, "isComposing": True})
    buyer.wait_for_timeout(300)
    assert not Message.objects.filter(body__contains="10개 예약").exists()
    box.press("Enter")
    seller.locator(".talk .msg", has_text="내일 소금빵 10개 예약할 수 있을까요?").wait_for(
        timeout=10_000
    )
    # The buyer sees their own message once (the ack replaced the pending bubble).
    buyer.locator(".talk .msg[data-id]", has_text="10개 예약").wait_for(timeout=10_000)
    assert buyer.locator(".talk .msg", has_text="10개 예약").count() == 1
    assert Message.objects.filter(body="내일 소금빵 10개 예약할 수 있을까요?").count() == 1
    # The seller answers; Shift+Enter makes a line break, not a send.
    reply = seller.locator(".talk textarea[name=body]")
    reply.fill("네 가능합니다!")
    reply.press("Shift+Enter")
    reply.type("몇 시에 오시나요?")
    reply.press("Enter")
    answer = buyer.locator(".talk .msg", has_text="몇 시에 오시나요?")
    answer.wait_for(timeout=10_000)
    assert answer.locator(".msg-body br").count() == 1
    for page in (buyer, seller):
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    seller.screenshot(path=str(screenshot_dir / "talk-seller.png"))
    assert (screenshot_dir / "talk-seller.png").stat().st_size > 1000


def test_my_talks_updates_live(live_server_url, phone):
    call_command("seed_demo", verbosity=0)
    buyer, seller = phone(), phone()
    sign_in(buyer, live_server_url, "jimin", "talkmall1234")
    sign_in(seller, live_server_url, "bakery", "talkmall1234")
    buyer.goto(f"{live_server_url}/talk/")
    buyer.wait_for_selector('[data-role=talks][data-live="1"]', state="attached")
    seller.goto(f"{live_server_url}/stores/dalkom-bakery/")
    seller.wait_for_function(
        "() => window.TalkmallTalk && window.TalkmallTalk.panes[0].ws"
        " && window.TalkmallTalk.panes[0].ws.readyState === 1"
    )
    seller.locator(".talk textarea[name=body]").fill("오늘 마감 세일합니다")
    seller.locator(".talk textarea[name=body]").press("Enter")
    row = buyer.locator(".talk-row", has_text="달콤베이커리").first
    row.locator("[data-role=preview]", has_text="오늘 마감 세일합니다").wait_for(timeout=10_000)
    assert buyer.locator(".talk-row").first.inner_text().startswith("달콤베이커리")
    # The badge shows the buyer's own unread count (one layer event carried every member's).
    membership = Membership.objects.get(
        channel__store__slug="dalkom-bakery", channel__kind="store", user__username="jimin"
    )
    unread = unread_count(membership)
    assert unread >= 1
    assert row.locator("[data-role=badge]").inner_text() == (str(unread) if unread < 100 else "99+")


def test_my_talks_shows_what_came_before_its_socket_was_ready(live_server_url, phone):
    """A message stored after My talks was drawn but before its socket subscribed (a slow
    phone network) still shows: every connect redraws the list."""
    call_command("seed_demo", verbosity=0)
    buyer = phone()
    sign_in(buyer, live_server_url, "jimin", "talkmall1234")
    # Hold the page's sockets until the test lets them open.
    buyer.add_init_script(
        "(() => { const Real = window.WebSocket; const held = [];"
        " window.openSockets = () => held.splice(0).forEach(f => f());"
        " window.WebSocket = function (url) { const box = {}; held.push(() => {"
        "  const ws = new Real(url); ['onmessage', 'onclose'].forEach(k => { ws[k] = box[k]; });"
        "  box.real = ws; }); return new Proxy(box, { set(t, k, v) { t[k] = v;"
        "  if (t.real) t.real[k] = v; return true; } }); };"
        " window.WebSocket.OPEN = 1; })()"
    )
    buyer.goto(f"{live_server_url}/talk/")
    channel = Channel.objects.get(store__slug="dalkom-bakery", kind=Channel.Kind.STORE)
    seller = get_user_model().objects.get(username="bakery")
    with ThreadPoolExecutor(1) as pool:  # not on Playwright's event loop
        pool.submit(
            message_post, channel=channel, author=seller, body="소켓보다 먼저 온 말"
        ).result()
    row = buyer.locator(".talk-row", has_text="달콤베이커리").first
    assert "소켓보다 먼저 온 말" not in row.inner_text()  # the page was drawn before it
    buyer.evaluate("window.openSockets()")
    buyer.wait_for_selector('[data-role=talks][data-live="1"]', state="attached")
    row.locator("[data-role=preview]", has_text="소켓보다 먼저 온 말").wait_for(timeout=10_000)


def test_goods_talk_live_then_found_by_two_syllable_search(live_server_url, phone, screenshot_dir):
    """Issue 4's walk-through: buyer and seller on the same goods page; the buyer's Korean
    message reaches the seller without reload, then the buyer finds it by a two-syllable
    word and opens it in context. Last year's demo history is found the same way."""
    from shop.models import Goods

    call_command("seed_demo", verbosity=0)
    goods = Goods.objects.get(name="소금빵 4개입")
    buyer, seller = phone(), phone()
    sign_in(buyer, live_server_url, "jimin", "talkmall1234")
    sign_in(seller, live_server_url, "bakery", "talkmall1234")
    for page in (buyer, seller):
        page.goto(f"{live_server_url}/goods/{goods.pk}/")
    # The buyer is not in this goods talk yet: one tap joins it and comes back here.
    buyer.click(".talk-join button[type=submit]")
    buyer.wait_for_url(f"**/goods/{goods.pk}/**")
    for page in (buyer, seller):
        page.wait_for_function(
            "() => window.TalkmallTalk && window.TalkmallTalk.panes.length"
            " && window.TalkmallTalk.panes[0].ws"
            " && window.TalkmallTalk.panes[0].ws.readyState === 1"
        )
    text = "선물 포장도 가능한가요? 택배로 받고 싶어요"
    buyer.locator(".talk textarea[name=body]").fill(text)
    buyer.locator(".talk textarea[name=body]").press("Enter")
    seller.locator(".talk .msg", has_text=text).wait_for(timeout=10_000)

    buyer.goto(f"{live_server_url}/talk/search/?q=포장")
    hit = buyer.locator(".search-hit", has_text="선물")
    hit.wait_for(timeout=10_000)
    assert hit.locator("mark", has_text="포장").count() == 1
    hit.click()
    buyer.locator(".talk .msg", has_text=text).wait_for(timeout=10_000)

    # The demo history from about a year ago is searchable too.
    buyer.goto(f"{live_server_url}/talk/search/?q=배송")
    assert buyer.locator(".search-hit", has_text="배송비는 3,000원").count() >= 1
    assert buyer.evaluate("document.documentElement.scrollWidth") <= 390
    buyer.screenshot(path=str(screenshot_dir / "talk-search.png"), full_page=True)


def _offline_through_a_long_gap(live_server_url, phone, topic: str = ""):
    """The buyer's pane (of one topic, if given) goes offline and stays offline (its own
    retry is held) while 250 lines come (three pages of ``resume``) and its own message is
    stored but never acknowledged. Returns the page, the missed ids and the id of the
    buyer's message."""
    call_command("seed_demo", verbosity=0)
    buyer = phone()
    sign_in(buyer, live_server_url, "jimin", "talkmall1234")
    buyer.goto(f"{live_server_url}/stores/dalkom-bakery/" + (f"?topic={topic}" if topic else ""))
    buyer.wait_for_function(OPEN)
    buyer.evaluate(
        "() => { const p = window.TalkmallTalk.panes[0]; p.realConnect = p.connect;"
        " p.retries = 0; p.connect = () => { p.retries += 1; }; p.ws.close(); }"
    )
    buyer.wait_for_function("() => !window.TalkmallTalk.panes[0].ws")
    channel = Channel.objects.get(store__slug="dalkom-bakery", kind=Channel.Kind.STORE)
    seller = get_user_model().objects.get(username="bakery")
    jimin = get_user_model().objects.get(username="jimin")

    def post_while_offline() -> tuple[list[int], int]:  # not on Playwright's event loop
        missed = [
            message_post(channel=channel, author=seller, body=f"놓친 말 {n}", topic=topic).pk
            for n in range(250)
        ]
        mine = message_post(
            channel=channel, author=jimin, body="제 예약 문의요", client_id="held-1", topic=topic
        )
        return missed, mine.pk

    with ThreadPoolExecutor(1) as pool:
        missed, mine_id = pool.submit(post_while_offline).result()
    # The pane's own retry has come and gone (held), so the test's connect is its only socket.
    buyer.wait_for_function("() => window.TalkmallTalk.panes[0].retries >= 1")
    buyer.evaluate(
        "topic => { window.TalkmallTalk.panes[0].pending['held-1'] ="
        " {body: '제 예약 문의요', topic: topic}; }",
        topic,
    )
    return buyer, missed, mine_id


def _assert_every_line_once(buyer, missed: list[int], mine_id: int) -> None:
    buyer.locator(f'.talk li.msg[data-id="{mine_id}"]').wait_for(timeout=10_000)
    buyer.wait_for_function(
        f"() => document.querySelectorAll('.talk li.msg[data-id]').length >= {len(missed) + 1}",
        timeout=15_000,
    )
    buyer.wait_for_timeout(500)  # any further page would have arrived by now
    shown = buyer.evaluate(
        "() => Array.from(document.querySelectorAll('.talk li.msg[data-id]'),"
        " li => Number(li.dataset.id))"
    )
    assert set(missed) <= set(shown)  # no hole in the middle
    assert len(shown) == len(set(shown))  # nothing twice
    assert shown == sorted(shown)  # in order
    assert Message.objects.filter(client_id="held-1").count() == 1


def test_pane_fills_a_long_gap_after_reconnecting_with_a_resent_message(live_server_url, phone):
    """On reconnecting the pane resumes and re-sends; the re-sent message's answer (the
    newest id) arrives between the pages, and the pane still pages on from where each page
    ended: every line shows, none twice."""
    buyer, missed, mine_id = _offline_through_a_long_gap(live_server_url, phone)
    buyer.evaluate(
        "() => { const p = window.TalkmallTalk.panes[0]; p.connect = p.realConnect; p.connect(); }"
    )
    _assert_every_line_once(buyer, missed, mine_id)


@pytest.mark.parametrize("topic", ["", "소금빵 4개입"])
def test_pane_fills_the_gap_when_the_socket_drops_again_half_way(live_server_url, phone, topic):
    """The socket drops again right after the re-sent message's answer (the newest id) was
    shown, with two pages of the gap still to come. The next connection resumes from the
    last line the pane has everything up to, not from the newest line it shows; in a topic's
    pane too."""
    buyer, missed, mine_id = _offline_through_a_long_gap(live_server_url, phone, topic)
    buyer.evaluate(
        "() => { const p = window.TalkmallTalk.panes[0]; const handle = p.handle.bind(p);"
        " p.handle = (frame) => { handle(frame);"
        "  if (!p.dropped && frame.type === 'message' && frame.message.client_id === 'held-1')"
        "  { p.dropped = true; p.ws.close(); } };"
        " p.connect = p.realConnect; p.connect(); }"
    )
    buyer.wait_for_function("() => window.TalkmallTalk.panes[0].dropped === true")
    _assert_every_line_once(buyer, missed, mine_id)
