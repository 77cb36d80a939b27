"""The bakery's owner on a 390 px phone: the dashboard shows today's figures and the 30-day sales
chart; from the statements page they open a statement and download its CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_chart_and_statement_csv_at_390px(live_server_url, phone, screenshot_dir):
    from shop.settlement.models import Statement

    call_command("seed_demo", verbosity=0)  # includes two months of orders and statements
    statement = Statement.objects.filter(store__slug="dalkom-bakery").order_by("-period").first()
    assert statement is not None and statement.order_count > 0

    page = phone()
    sign_in(page, live_server_url, "bakery", "talkmall1234")
    page.goto(f"{live_server_url}/seller/")
    page.click("main a[href='/seller/stores/dalkom-bakery/dashboard/']")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/seller/stores/dalkom-bakery/dashboard/")
    assert page.locator("h1").inner_text() == "오늘 한눈에 보기"
    chart = page.locator("[data-role=chart] svg")
    assert chart.is_visible()
    assert chart.bounding_box()["width"] <= 390
    assert page.locator("[data-role=chart] rect").count() > 5  # a bar per day with sales
    assert page.locator("[data-role=tile-new] .figure").inner_text().isdigit()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / "seller_dashboard.png"), full_page=True)

    page.click("text=정산서, 부가세 자료, 세금계산서")
    page.wait_for_load_state("networkidle")
    page.click(f"[data-role=statements] >> text={statement.period}")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-role=statement-number]").inner_text() == statement.number
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / "statement.png"), full_page=True)
    with page.expect_download() as info:
        page.click("[data-role=statement-csv]")
    download = info.value
    assert download.suggested_filename == f"{statement.number}.csv"
    text = open(download.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["statement", "kind", "order"]
    assert rows[-1][1] == "total" and int(rows[-1][-1]) == statement.payout
    assert len(rows) == statement.lines.count() + 2
