"""Reads for the account pages: balance, VAT report (부가세 신고 참고자료) and tax invoice data
(세금계산서). Every function takes the store the caller was already allowed to see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shop.models import Store
from shop.orders.models import Order, OrderStatus, Payment
from shop.pricing import vat_of
from shop.settlement.models import Statement, StatementLine, StoreTerms
from shop.settlement.periods import Period, seoul_today
from shop.settlement.services.settlement import FeeBook, SettlementError, sale_line


def vat_in(total: int) -> int:
    """The VAT inside a VAT-included amount, also for negative amounts (corrections)."""
    return -vat_of(-total) if total < 0 else vat_of(total)


# --- Balance ---------------------------------------------------------------------------------

UNSETTLED_STATUSES = (
    OrderStatus.PAID,
    OrderStatus.PREPARING,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
)


@dataclass
class Balance:
    pending_orders: int = 0
    pending_net: int = 0
    pending_payout: int | None = 0  # None: a payment fee is missing, no estimate
    settled_count: int = 0
    settled: int = 0
    paid_count: int = 0
    paid: int = 0


def store_balance(store: Store) -> Balance:
    """pending: paid orders not on a statement yet (estimated with today's terms and fees);
    settled: statements not paid out yet; paid: statements paid out."""
    balance = Balance()
    for row in (
        Statement.objects.filter(store=store)
        .values("status")
        .annotate(n=Count("pk"), payout=Sum("payout"))
    ):
        if row["status"] == Statement.Status.PAID:
            balance.paid_count, balance.paid = row["n"], row["payout"] or 0
        else:
            balance.settled_count, balance.settled = row["n"], row["payout"] or 0
    orders = (
        Order.objects.filter(store=store, status__in=UNSETTLED_STATUSES)
        .exclude(settlement_lines__kind=StatementLine.Kind.SALE)
        .select_related("payment")
    )
    terms_rows = list(StoreTerms.objects.filter(store=store).order_by("-effective_from"))
    fees = FeeBook()
    today = seoul_today()
    for order in orders:
        payment = getattr(order, "payment", None)
        balance.pending_orders += 1
        balance.pending_net += order.total - (payment.refunded_amount if payment else 0)
        if balance.pending_payout is None:
            continue
        try:
            balance.pending_payout += sale_line(
                order, terms_rows=terms_rows, fees=fees, day=today
            ).payout
        except SettlementError:
            balance.pending_payout = None
    return balance


# --- VAT report ------------------------------------------------------------------------------

METHOD_GROUPS = (
    ("card", gettext_lazy("Card")),
    ("bank_transfer", gettext_lazy("Bank transfer")),
    ("other", gettext_lazy("Other")),
)


def method_group(provider: str) -> str:
    """card: every card provider (a code ending in ``card``); bank_transfer; other."""
    if provider == "bank_transfer":
        return "bank_transfer"
    if provider.endswith("card"):
        return "card"
    return "other"


@dataclass
class VatRow:
    group: str
    label: str
    count: int = 0
    total: int = 0

    @property
    def vat(self) -> int:
        return vat_in(self.total)

    @property
    def supply(self) -> int:
        return self.total - self.vat


@dataclass
class VatReport:
    store: Store
    period: Period
    rows: list[VatRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(r.count for r in self.rows)

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def vat(self) -> int:
        return sum(r.vat for r in self.rows)

    @property
    def supply(self) -> int:
        return sum(r.supply for r in self.rows)


def vat_report(store: Store, period: Period) -> VatReport:
    """Sales of the quarter by payment method: payments received in the period (``paid_at``),
    less what was refunded on them; VAT = round(total × 10 / 110) on each method's total."""
    report = VatReport(store, period, [VatRow(g, str(label)) for g, label in METHOD_GROUPS])
    by_group = {row.group: row for row in report.rows}
    payments = (
        Payment.objects.filter(
            order__store=store,
            paid_at__gte=period.start_at,
            paid_at__lt=period.end_at,
        )
        .values("provider")
        .annotate(n=Count("pk"), amount=Sum("amount"), refunded=Sum("refunded_amount"))
    )
    for row in payments:
        target = by_group[method_group(row["provider"])]
        target.count += row["n"]
        target.total += (row["amount"] or 0) - (row["refunded"] or 0)
    return report


# --- Tax invoice data ------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceItem:
    name: str
    total: int

    @property
    def vat(self) -> int:
        return vat_in(self.total)

    @property
    def supply(self) -> int:
        return self.total - self.vat


@dataclass
class TaxInvoiceData:
    statement: Statement
    items: list[InvoiceItem]

    @property
    def date(self) -> date:
        """작성일자: the last day of the statement's period."""
        return self.statement.period_end - timedelta(days=1)

    @property
    def total(self) -> int:
        return sum(i.total for i in self.items)

    @property
    def vat(self) -> int:
        return sum(i.vat for i in self.items)

    @property
    def supply(self) -> int:
        return sum(i.supply for i in self.items)


def tax_invoice_for(statement: Statement) -> TaxInvoiceData:
    """The platform's invoice to the store for one statement: the commission and the payment
    fees it kept, VAT included (supply = total − VAT, VAT = round(total × 10 / 110) per item)."""
    items = [
        InvoiceItem(
            _("Sales commission %(period)s") % {"period": statement.period}, statement.commission
        ),
        InvoiceItem(
            _("Payment fees %(period)s") % {"period": statement.period}, statement.payment_fees
        ),
    ]
    return TaxInvoiceData(statement, [i for i in items if i.total])


def statements_with_invoices(statements) -> list[TaxInvoiceData]:
    return [tax_invoice_for(s) for s in statements if s.commission or s.payment_fees]
