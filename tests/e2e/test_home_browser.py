from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_home_sign_in_shows_name(live_server_url, phone, screenshot_dir):
    call_command("seed_demo", verbosity=0)
    page = phone()
    page.goto(live_server_url + "/")
    assert page.locator("text=달콤베이커리").first.is_visible()
    # Mobile first: nothing wider than the 390 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    sign_in(page, live_server_url, "jimin", "talkmall1234")
    assert page.locator(".nav-user").inner_text() == "지민"
    page.screenshot(path=str(screenshot_dir / "home-signed-in.png"), full_page=True)
    assert (screenshot_dir / "home-signed-in.png").stat().st_size > 1000
