"""Issue 9: the talk panes keep working through a Redis restart. Two phones on
달콤베이커리's store talk, served by a daphne process on its own Redis; Redis stops, the
buyer still posts (the pane falls back to a plain form post while its socket is down), Redis
comes back, both panes reconnect by themselves, the seller's pane shows the message sent
during the outage without a reload, and the talk goes on live. Nothing is lost or doubled."""

from __future__ import annotations

import pytest

from chat.models import Message
from tests.chat.test_realtime_faults import PrivateRedis, Server
from tests.e2e.conftest import seed_demo, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]

OPEN = (
    "() => window.TalkmallTalk && window.TalkmallTalk.panes.length"
    " && window.TalkmallTalk.panes[0].ws && window.TalkmallTalk.panes[0].ws.readyState === 1"
)
CLOSED = (
    "() => !window.TalkmallTalk.panes[0].ws || window.TalkmallTalk.panes[0].ws.readyState !== 1"
)


def test_talk_panes_ride_through_a_redis_restart(phone, tmp_path):
    redis = PrivateRedis()
    seed_demo()
    server = Server(tmp_path, "browser-redis", REDIS_URL=redis.url)
    base = f"http://127.0.0.1:{server.port}"
    try:
        buyer, seller = phone(), phone()
        sign_in(buyer, base, "jimin", "talkmall1234")
        sign_in(seller, base, "bakery", "talkmall1234")
        for page in (buyer, seller):
            page.goto(f"{base}/stores/dalkom-bakery/")
            page.wait_for_function(OPEN, timeout=15_000)

        redis.stop()
        for page in (buyer, seller):  # the server closes every socket (4500)
            page.wait_for_function(CLOSED, timeout=15_000)
        assert server.health()["status"] == "fail"

        # While the socket is down the form posts the plain way: the message is stored.
        outage = "레디스가 멈춘 사이에 보낸 메시지"
        buyer.locator(".talk textarea[name=body]").fill(outage)
        buyer.locator(".talk textarea[name=body]").press("Enter")
        buyer.locator(".talk .msg", has_text=outage).wait_for(timeout=10_000)
        assert Message.objects.filter(body=outage).count() == 1

        redis.start()
        for page in (buyer, seller):  # back by themselves, no reload
            page.wait_for_function(OPEN, timeout=30_000)
        # The seller's pane resumed and shows what was said during the outage, once.
        seller.locator(".talk .msg", has_text=outage).wait_for(timeout=10_000)
        assert seller.locator(".talk .msg", has_text=outage).count() == 1

        # And the talk goes on live in both directions.
        reply = "네 잘 받았어요, 다시 연결됐네요"
        seller.locator(".talk textarea[name=body]").fill(reply)
        seller.locator(".talk textarea[name=body]").press("Enter")
        buyer.locator(".talk .msg", has_text=reply).wait_for(timeout=10_000)
        assert buyer.locator(".talk .msg", has_text=reply).count() == 1
        assert Message.objects.filter(body=reply).count() == 1
        assert server.health()["status"] == "ok"
    finally:
        server.stop()
        redis.stop()
