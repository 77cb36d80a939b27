"""Settlement: arithmetic on a known fixture, idempotency, later refunds, the command, marking
paid, VAT rounding and tax invoice data."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from shop.orders.models import OrderStatus, Payment
from shop.pricing import vat_of
from shop.settlement.models import Cycle, Statement, StatementLine, StoreTerms
from shop.settlement.periods import BadPeriod, month, quarter, week
from shop.settlement.services.reports import tax_invoice_for, vat_in, vat_report
from shop.settlement.services.settlement import (
    round_bp,
    settlement_run,
    statement_mark_paid,
)
from tests.settlement.conftest import kst

pytestmark = pytest.mark.django_db


@pytest.fixture
def october(store, make_order):
    """Terms 10 % from January, 12 % from 16 October; four orders around October."""
    StoreTerms.objects.create(
        store=store, cycle=Cycle.MONTHLY, commission_bp=1000, effective_from=date(2026, 1, 1)
    )
    StoreTerms.objects.create(
        store=store, cycle=Cycle.MONTHLY, commission_bp=1200, effective_from=date(2026, 10, 16)
    )
    return {
        "a": make_order(store, 33000, created=kst(2026, 10, 3, 9), completed=kst(2026, 10, 5, 10)),
        "b": make_order(
            store,
            10005,
            created=kst(2026, 10, 18, 9),
            completed=kst(2026, 10, 20, 10),
            refunded=5000,
        ),
        "c": make_order(
            store,
            20000,
            method="bank_transfer",
            created=kst(2026, 10, 28, 9),
            completed=kst(2026, 10, 31, 23, 59),
        ),
        # Confirmed at 00:30 on 1 November in Seoul (still 31 October in UTC): November.
        "d": make_order(
            store, 50000, created=kst(2026, 10, 30, 9), completed=kst(2026, 11, 1, 0, 30)
        ),
        # Delivered, not confirmed: never settled yet.
        "e": make_order(store, 7000, status=OrderStatus.DELIVERED, created=kst(2026, 10, 2, 9)),
    }


def test_round_bp_rounds_half_away_from_zero():
    assert round_bp(5005, 1200) == 601  # 600.6
    assert round_bp(12500, 1) == 1  # 1.25
    assert round_bp(5000, 1) == 1  # 0.5 → 1
    assert round_bp(4999, 1) == 0
    assert round_bp(-5005, 1200) == -601


def test_october_statement_arithmetic(store, october):
    summary = settlement_run(period=month("2026-10"))
    statement = Statement.objects.get(store=store, period="2026-10")
    assert summary.statements == [statement]
    lines = {line.order_id: line for line in statement.lines.all()}
    assert set(lines) == {october["a"].pk, october["b"].pk, october["c"].pk}
    a, b, c = lines[october["a"].pk], lines[october["b"].pk], lines[october["c"].pk]
    # a: card, 10 %, 3 % fee
    assert (a.net, a.commission_bp, a.commission, a.payment_fee, a.payout) == (
        33000,
        1000,
        3300,
        990,
        28710,
    )
    # b: card, 12 % (confirmed after the 16th), 5,000 refunded before settling
    assert (b.gross, b.refunds, b.net, b.commission, b.payment_fee, b.payout) == (
        10005,
        5000,
        5005,
        601,
        150,
        4254,
    )
    # c: bank transfer into the store's own account: the store owes the commission
    assert (c.net, c.commission, c.payment_fee, c.platform_collected, c.payout) == (
        20000,
        2400,
        0,
        False,
        -2400,
    )
    assert (
        statement.order_count,
        statement.gross,
        statement.refunds,
        statement.commission,
        statement.payment_fees,
        statement.collected_by_store,
        statement.payout,
    ) == (3, 63005, 5000, 6301, 1140, 20000, 30564)
    assert statement.status == Statement.Status.SETTLED
    assert statement.recipient_business_number == "1234567891"
    assert statement.number == f"ST-2026-10-{store.pk:05d}"


def test_rerun_never_counts_an_order_twice(store, october):
    settlement_run(period=month("2026-10"))
    again = settlement_run(period=month("2026-10"))
    assert again.lines_added == 0
    assert StatementLine.objects.filter(order=october["a"]).count() == 1
    assert Statement.objects.get(period="2026-10").payout == 30564


def test_later_refund_is_a_refund_line_next_period(store, october):
    settlement_run(period=month("2026-10"))
    Payment.objects.filter(order=october["a"]).update(
        refunded_amount=3000, refunded_at=kst(2026, 11, 10, 12)
    )
    settlement_run(period=month("2026-11"), now=kst(2026, 12, 2))
    november = Statement.objects.get(period="2026-11")
    refund = november.lines.get(kind=StatementLine.Kind.REFUND)
    assert (refund.order_id, refund.net, refund.commission, refund.payment_fee, refund.payout) == (
        october["a"].pk,
        -3000,
        -300,
        -90,
        -2610,
    )
    sale_d = november.lines.get(order=october["d"])
    assert (sale_d.commission, sale_d.payment_fee, sale_d.payout) == (6000, 1500, 42500)
    assert (november.gross, november.refunds, november.commission, november.payment_fees) == (
        50000,
        3000,
        5700,
        1410,
    )
    assert november.payout == 39890
    # The order's lines add up to the formula on its final net (30,000 won).
    a_lines = StatementLine.objects.filter(order=october["a"])
    assert sum(line.commission for line in a_lines) == round_bp(30000, 1000)
    assert sum(line.payout for line in a_lines) == 30000 - 3000 - 900
    # and a rerun of November adds nothing
    assert settlement_run(period=month("2026-11"), now=kst(2026, 12, 2)).lines_added == 0


def test_paid_statement_is_never_changed(store, october, make_user):
    settlement_run(period=month("2026-10"))
    statement = Statement.objects.get(period="2026-10")
    staff = make_user("staff", is_staff=True, is_superuser=True)
    assert statement_mark_paid(statement=statement, actor=staff) is True
    assert statement_mark_paid(statement=statement, actor=staff) is False
    statement.refresh_from_db()
    assert statement.status == Statement.Status.PAID and statement.paid_by == staff


def test_weekly_store_is_settled_by_week_only(store, other_store, make_order):
    StoreTerms.objects.create(
        store=other_store, cycle=Cycle.WEEKLY, commission_bp=800, effective_from=date(2026, 1, 1)
    )
    make_order(other_store, 10000, created=kst(2026, 11, 17, 9), completed=kst(2026, 11, 18, 9))
    make_order(store, 10000, created=kst(2026, 11, 17, 9), completed=kst(2026, 11, 18, 9))
    settlement_run(period=week("2026-W47"))
    statement = Statement.objects.get()
    assert (statement.store, statement.period, statement.commission) == (
        other_store,
        "2026-W47",
        800,
    )
    assert (statement.period_start, statement.period_end) == (
        date(2026, 11, 16),
        date(2026, 11, 23),
    )


def test_command_prints_progress_and_summary(store, october):
    out = io.StringIO()
    call_command("settle", "--period", "2026-10", stdout=out)
    text = out.getvalue()
    assert "[1/1] bakery: +3 line(s)" in text
    assert "payout 30,564 won" in text
    out = io.StringIO()
    call_command("settle", "--period", "2026-10", stdout=out)
    assert "[1/1] bakery: nothing new" in out.getvalue()
    assert "0 new line(s)" in out.getvalue()
    assert Statement.objects.count() == 1


@pytest.mark.parametrize(
    "args, sentence",
    [
        (["--period", "2026-13"], "is not a month"),
        (["--week", "2026-W60"], "is not an ISO week"),
        ([], "Give exactly one of"),
        (["--period", "2026-10", "--week", "2026-W40"], "Give exactly one of"),
        (["--period", "2099-01"], "is not over yet"),
        (["--period", "2026-10", "--store", "nope"], "no store"),
    ],
)
def test_command_bad_input_exits_with_a_sentence(db, args, sentence):
    with pytest.raises(CommandError, match=sentence):
        call_command("settle", *args, stdout=io.StringIO())
    assert not Statement.objects.exists()


def test_command_exit_code_is_non_zero(db):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "settle", "--period", "2026-13"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "2026-13" in result.stderr and "Traceback" not in result.stderr


def test_missing_payment_fee_refuses_the_whole_store(store, make_order):
    make_order(store, 10000, method="gift", created=kst(2026, 10, 3), completed=kst(2026, 10, 4))
    with pytest.raises(CommandError, match="No payment fee is set for “gift”"):
        call_command("settle", "--period", "2026-10", stdout=io.StringIO())
    assert not Statement.objects.exists()


def test_periods():
    assert (month("2026-12").start, month("2026-12").end) == (date(2026, 12, 1), date(2027, 1, 1))
    assert week("2026-w48").key == "2026-W48"
    assert (week("2026-W48").start, week("2026-W48").end) == (
        date(2026, 11, 23),
        date(2026, 11, 30),
    )
    assert (quarter("2026-Q4").start, quarter("2026-Q4").end) == (
        date(2026, 10, 1),
        date(2027, 1, 1),
    )
    with pytest.raises(BadPeriod):
        quarter("2026-Q5")


def test_vat_rounding_in_integers():
    assert vat_of(11000) == 1000
    assert vat_of(10005) == 910  # 909.545… rounds up
    assert vat_of(10004) == 909  # 909.454… rounds down
    assert vat_of(1) == 0 and vat_of(6) == 1  # 0.09 → 0, 0.545 → 1
    assert vat_in(-10005) == -910
    for total in range(0, 5000):  # the integer formula equals exact rounding (never a tie)
        assert vat_of(total) * 110 - total * 10 in range(-55, 55)


def test_vat_report_by_payment_method(store, other_store, october, make_order):
    make_order(
        store, 9999, method="kakao_pay", created=kst(2026, 12, 31, 23, 59)
    )  # other, still Q4
    make_order(store, 5000, created=kst(2027, 1, 1, 0, 0))  # Q1 2027
    make_order(other_store, 70000, created=kst(2026, 11, 1))  # another store
    report = vat_report(store, quarter("2026-Q4"))
    rows = {row.group: row for row in report.rows}
    # card: a 33,000 + b 10,005 − 5,000 + d 50,000 + e 7,000
    assert (rows["card"].count, rows["card"].total) == (4, 95005)
    assert (rows["card"].vat, rows["card"].supply) == (8637, 86368)  # 8636.8 → 8637
    assert (rows["bank_transfer"].count, rows["bank_transfer"].total) == (1, 20000)
    assert (rows["bank_transfer"].vat, rows["bank_transfer"].supply) == (1818, 18182)
    assert (rows["other"].total, rows["other"].vat, rows["other"].supply) == (9999, 909, 9090)
    assert (report.count, report.total, report.vat, report.supply) == (6, 125004, 11364, 113640)


def test_tax_invoice_data_for_the_commission(store, october, settings):
    settlement_run(period=month("2026-10"))
    invoice = tax_invoice_for(Statement.objects.get(period="2026-10"))
    assert invoice.statement.supplier_business_number == settings.PLATFORM_BUSINESS_NUMBER
    assert invoice.statement.supplier_name == settings.PLATFORM_BUSINESS_NAME
    assert invoice.statement.recipient_business_number_display == "123-45-67891"
    assert invoice.statement.recipient_name == "bakery store"
    assert invoice.date == date(2026, 10, 31)
    assert [(i.total, i.vat, i.supply) for i in invoice.items] == [
        (6301, 573, 5728),
        (1140, 104, 1036),
    ]
    assert (invoice.total, invoice.vat, invoice.supply) == (7441, 677, 6764)
    assert invoice.items[0].name == "Sales commission 2026-10"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_settle_each_order_once(store, make_order):
    import threading

    from django.db import close_old_connections, connection

    for day in range(1, 21):
        make_order(
            store, 1000 * day, created=kst(2026, 10, day, 9), completed=kst(2026, 10, day, 10)
        )
    runs = 4
    barrier = threading.Barrier(runs)
    errors: list[str] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            settlement_run(period=month("2026-10"))
        except Exception as error:  # noqa: BLE001 - reported in the assertion below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    assert errors == []
    statement = Statement.objects.get()
    assert statement.lines.count() == StatementLine.objects.count() == 20
    assert statement.gross == sum(1000 * day for day in range(1, 21))
