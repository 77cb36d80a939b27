"""Seller back-office pages: what the seller sees, the CSV downloads, and access scoping."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from chat.models import Channel, Membership, Message
from chat.services.channels import channel_ensure_for_store
from chat.services.direct import channel_open_direct
from shop.models import StoreStaff, Visibility
from shop.orders.models import Claim, OrderStatus
from shop.settlement.models import Cycle, Statement, StoreTerms
from shop.settlement.periods import month
from shop.settlement.services.settlement import settlement_run
from tests.settlement.conftest import kst

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheet programs read the Korean correctly
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def settled(store, make_order):
    StoreTerms.objects.create(
        store=store, cycle=Cycle.MONTHLY, commission_bp=1000, effective_from=date(2026, 1, 1)
    )
    a = make_order(store, 33000, created=kst(2026, 10, 3, 9))
    b = make_order(store, 20000, method="bank_transfer", created=kst(2026, 10, 28, 9))
    settlement_run(period=month("2026-10"))
    return {"statement": Statement.objects.get(store=store), "a": a, "b": b}


def test_dashboard_numbers_link_to_their_lists(client, store, buyer, make_user, make_order):
    make_order(store, 5000, status=OrderStatus.PAID, created=kst(2026, 11, 20, 9))
    make_order(store, 5000, status=OrderStatus.PENDING_PAYMENT, created=kst(2026, 11, 20, 9))
    preparing = make_order(store, 5000, status=OrderStatus.PREPARING, created=kst(2026, 11, 20, 9))
    Claim.objects.create(order=preparing, reason="단순 변심", requested_by=buyer)
    store.visibility = Visibility.CLOSED
    store.save()
    talk = channel_ensure_for_store(store=store)
    Membership.objects.create(channel=talk, user=make_user("seoyeon"), state="pending")
    direct = channel_open_direct(store=store, buyer=buyer)
    Message.objects.create(channel=direct, author=buyer, body="문의드려요")
    client.force_login(store.owner)
    response = client.get(reverse("settlement:dashboard", args=[store.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    orders = reverse("orders:seller_orders", args=[store.slug])
    talk_url = reverse("chat:seller_talk", args=[store.slug])
    for key, figure, href in [
        ("new", 2, f"{orders}?tab=new"),
        ("to_ship", 1, f"{orders}?tab=to_ship"),
        ("claims", 1, f"{orders}?tab=claims"),
        ("requests", 1, f"{talk_url}#requests"),
        ("chats", 1, f"{talk_url}#direct"),
    ]:
        assert (
            f'<a href="{href}" data-role="tile-{key}" class="hot"><span class="figure">{figure}'
            in html
        ), key
    assert 'data-role="chart"' in html and "<svg" in html
    assert 'data-role="balance"' in html


def test_manager_sees_dashboard_and_stats_but_not_accounts(client, store, make_user):
    manager = make_user("manager")
    StoreStaff.objects.create(store=store, user=manager, role=StoreStaff.Role.MANAGER)
    client.force_login(manager)
    response = client.get(reverse("settlement:dashboard", args=[store.slug]))
    assert response.status_code == 200
    assert 'data-role="balance"' not in response.content.decode()
    assert client.get(reverse("settlement:stats", args=[store.slug])).status_code == 200
    assert client.get(reverse("settlement:accounts", args=[store.slug])).status_code == 403
    assert client.get(reverse("settlement:vat", args=[store.slug])).status_code == 403


def test_statement_pages_and_csv(client, store, settled):
    statement = settled["statement"]
    client.force_login(store.owner)
    page = client.get(reverse("settlement:accounts", args=[store.slug])).content.decode()
    assert statement.period in page and "26,710" in page  # (33,000 − 3,300 − 990) − 2,000
    url = reverse("settlement:statement", args=[store.slug, statement.pk])
    html = client.get(url).content.decode()
    assert settled["a"].number in html and settled["b"].number in html
    assert statement.number in html
    rows = rows_of(client.get(url, {"format": "csv"}))
    assert rows[0][:3] == ["statement", "kind", "order"]
    by_order = {row[2]: row for row in rows[1:-1]}
    assert by_order[settled["a"].number][5:] == [
        "33000",
        "0",
        "33000",
        "10.00 %",
        "3300",
        "990",
        "platform",
        "28710",
    ]
    assert by_order[settled["b"].number][-2:] == ["store", "-2000"]
    assert rows[-1][1] == "total" and rows[-1][-1] == "26710"
    listing = rows_of(
        client.get(reverse("settlement:accounts", args=[store.slug]), {"format": "csv"})
    )
    assert listing[1][0] == statement.number and listing[1][-2] == "26710"


def test_statement_of_another_store_is_404(client, store, other_store, settled):
    statement = settled["statement"]
    client.force_login(other_store.owner)
    # under the other store's own address: no such statement
    url = reverse("settlement:statement", args=[other_store.slug, statement.pk])
    assert client.get(url).status_code == 404
    assert client.get(url, {"format": "csv"}).status_code == 404
    # under the statement's store: not their store
    url = reverse("settlement:statement", args=[store.slug, statement.pk])
    assert client.get(url).status_code == 404
    for name in ("dashboard", "stats", "stats_chat", "accounts", "vat", "tax_invoices"):
        assert client.get(reverse(f"settlement:{name}", args=[store.slug])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, store):
    response = client.get(reverse("settlement:dashboard", args=[store.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_vat_page_and_csv(client, store, settled):
    client.force_login(store.owner)
    url = reverse("settlement:vat", args=[store.slug])
    html = client.get(url, {"quarter": "2026-Q4"}).content.decode()
    assert "2026-Q4" in html and "53,000" in html
    rows = rows_of(client.get(url, {"quarter": "2026-Q4", "format": "csv"}))
    assert rows[0] == ["quarter", "payment_method", "payments", "total", "supply_value", "vat"]
    assert rows[1] == ["2026-Q4", "Card", "1", "33000", "30000", "3000"]
    assert rows[2] == ["2026-Q4", "Bank transfer", "1", "20000", "18182", "1818"]
    assert rows[4] == ["2026-Q4", "Total", "2", "53000", "48182", "4818"]
    bad = client.get(url, {"quarter": "2026-Q9"})
    assert bad.status_code == 200 and "is not a quarter" in bad.content.decode()


def test_tax_invoice_page_and_csv(client, store, settled, settings):
    client.force_login(store.owner)
    url = reverse("settlement:tax_invoices", args=[store.slug])
    html = client.get(url).content.decode()
    assert "123-45-67891" in html and settings.PLATFORM_BUSINESS_NAME in html
    rows = rows_of(client.get(url, {"format": "csv"}))
    assert rows[0][0] == "statement" and rows[0][-3:] == ["supply_value", "vat", "total"]
    # commission 3,300 + 2,000 = 5,300; fee 990
    assert [row[8:] for row in rows[1:]] == [
        ["Sales commission 2026-10", "4818", "482", "5300"],
        ["Payment fees 2026-10", "900", "90", "990"],
    ]
    assert rows[1][2] == "220-81-12341" and rows[1][5] == "123-45-67891"


def test_stats_page_csv_and_bad_range(client, store, settled):
    client.force_login(store.owner)
    url = reverse("settlement:stats", args=[store.slug])
    query = {"start": "2026-10-01", "end": "2026-10-31", "by": "week"}
    html = client.get(url, query).content.decode()
    assert "53,000" in html and "<svg" in html
    rows = rows_of(client.get(url, {**query, "export": "sales"}))
    assert rows[1:] == [
        ["2026-W40", "1", "33000", "33000"],
        ["2026-W41", "0", "0", "0"],
        ["2026-W42", "0", "0", "0"],
        ["2026-W43", "0", "0", "0"],
        ["2026-W44", "1", "20000", "20000"],
    ]
    bad = client.get(url, {"start": "2026-10-31", "end": "2026-10-01"})
    assert bad.status_code == 200 and "must not be after" in bad.content.decode()
    chat = client.get(reverse("settlement:stats_chat", args=[store.slug]), query)
    assert chat.status_code == 200 and "First response time" in chat.content.decode()


def test_admin_mark_paid_and_tax_invoice_export(client, store, settled, make_user):
    staff = make_user("staff", is_staff=True, is_superuser=True)
    client.force_login(staff)
    statement = settled["statement"]
    response = client.post(
        reverse("admin:settlement_statement_changelist"),
        {"action": "mark_paid", "_selected_action": [statement.pk]},
        follow=True,
    )
    assert response.status_code == 200
    statement.refresh_from_db()
    assert statement.status == Statement.Status.PAID and statement.paid_by == staff
    export = client.post(
        reverse("admin:settlement_taxinvoice_changelist"),
        {"action": "export_invoices", "_selected_action": [statement.pk]},
    )
    assert rows_of(export)[1][8] == "Sales commission 2026-10"
    page = client.get(reverse("admin:settlement_taxinvoice_changelist")).content.decode()
    assert statement.number in page


def test_seller_admin_sees_only_own_statements_and_cannot_mark_paid(
    client, store, other_store, settled
):
    owner = other_store.owner
    owner.is_staff = True
    owner.save()
    client.force_login(owner)
    page = client.get(reverse("admin:settlement_statement_changelist"))
    assert page.status_code == 200
    assert settled["statement"].number not in page.content.decode()
    assert "mark_paid" not in page.content.decode()
    url = reverse("admin:settlement_statement_change", args=[settled["statement"].pk])
    assert client.get(url).status_code in (302, 403, 404)
    assert not Channel.objects.filter(store=other_store, kind="direct").exists()


def test_staff_set_store_terms_in_the_admin(client, store, make_user):
    staff = make_user("staff", is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.post(
        reverse("admin:settlement_storeterms_add"),
        {
            "store": store.pk,
            "effective_from": "2026-12-01",
            "cycle": "weekly",
            "commission_bp": "850",
            "note": "프로모션 기간",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    terms = StoreTerms.objects.get(store=store)
    assert (terms.cycle, terms.commission_bp, terms.created_by) == ("weekly", 850, staff)
    assert terms.rate == "8.50 %"
    too_high = client.post(
        reverse("admin:settlement_storeterms_add"),
        {
            "store": store.pk,
            "effective_from": "2027-01-01",
            "cycle": "weekly",
            "commission_bp": "20000",
        },
    )
    assert too_high.status_code == 200 and StoreTerms.objects.count() == 1
    fees = client.get(reverse("admin:settlement_paymentfee_changelist")).content.decode()
    assert "test_card" in fees and "3.00 %" in fees


def test_seller_cannot_change_their_terms_in_the_admin(client, store):
    owner = store.owner
    owner.is_staff = True
    owner.save()
    StoreTerms.objects.create(
        store=store, cycle=Cycle.MONTHLY, commission_bp=1000, effective_from=date(2026, 1, 1)
    )
    client.force_login(owner)
    assert client.get(reverse("admin:settlement_storeterms_changelist")).status_code == 200
    assert client.get(reverse("admin:settlement_storeterms_add")).status_code == 403
    assert client.get(reverse("admin:settlement_paymentfee_changelist")).status_code == 403
