"""Making settlement statements (``settlement_run``) and marking them paid.

Formulas (docs/backoffice.md):

- An order is settled once, after the buyer confirmed the purchase (status ``completed``): the
  first statement of its store whose period ends after ``completed_at`` takes it (a ``sale``
  line, key ``sale:<order id>``). gross = the order total; refunds = what its payment had
  refunded when the line was made; net = gross − refunds.
- commission = round(net × rate / 10000), rate in basis points from the store's terms in force
  on the day (Asia/Seoul) the purchase was confirmed; payment fee = round(net × fee rate /
  10000) + the fixed fee (when net > 0), from the provider's fee row in force that day.
- payout = net (only when the platform received the money, e.g. card) − commission − fee. A bank
  transfer went to the store's own account: its line pays out −(commission + fee).
- A refund made after the sale was settled becomes a ``refund`` line on a later statement (key
  ``refund:<order id>:<refunded total>``) with net = −refund and the commission and fee
  differences, so the lines of an order always add up to the formula on its final net.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.models import Store
from shop.orders.models import Order, OrderStatus
from shop.settlement.models import Cycle, PaymentFee, Statement, StatementLine, StoreTerms
from shop.settlement.periods import Period, seoul_today

DEFAULT_CYCLE = Cycle.MONTHLY


class SettlementError(Exception):
    """Settlement refused; the message is one sentence for the person."""


def round_bp(amount: int, bp: int) -> int:
    """round(amount × bp / 10000), halves away from zero, in integer arithmetic."""
    if amount < 0:
        return -round_bp(-amount, bp)
    return (amount * bp + 5000) // 10000


def default_commission_bp() -> int:
    return int(getattr(settings, "SETTLEMENT_DEFAULT_COMMISSION_BP", 1000))


@dataclass(frozen=True)
class Terms:
    cycle: str
    commission_bp: int


def terms_on(store: Store | int, day: date, *, rows: list[StoreTerms] | None = None) -> Terms:
    """The store's terms in force on ``day``: the latest row from on or before it, else the
    platform default (monthly, ``SETTLEMENT_DEFAULT_COMMISSION_BP``)."""
    store_id = store if isinstance(store, int) else store.pk
    if rows is None:
        rows = list(StoreTerms.objects.filter(store_id=store_id).order_by("-effective_from"))
    for row in rows:
        if row.effective_from <= day:
            return Terms(row.cycle, row.commission_bp)
    return Terms(DEFAULT_CYCLE, default_commission_bp())


class FeeBook:
    """Payment fee rows of every provider, read once per run."""

    def __init__(self) -> None:
        self.rows: dict[str, list[PaymentFee]] = {}
        for row in PaymentFee.objects.order_by("provider", "-effective_from"):
            self.rows.setdefault(row.provider, []).append(row)

    def on(self, provider: str, day: date) -> PaymentFee:
        for row in self.rows.get(provider, []):
            if row.effective_from <= day:
                return row
        raise SettlementError(
            _(
                "No payment fee is set for “%(provider)s” on %(day)s: add one in the admin "
                "(Settlement › Payment fees) and run again."
            )
            % {"provider": provider, "day": day.isoformat()}
        )


def payment_fee(net: int, fee: PaymentFee) -> int:
    if net <= 0:
        return 0
    return round_bp(net, fee.rate_bp) + fee.fixed_fee


@dataclass
class StoreResult:
    store: Store
    statement: Statement | None = None
    added: int = 0
    note: str = ""


@dataclass
class RunSummary:
    period: Period
    results: list[StoreResult] = field(default_factory=list)

    @property
    def lines_added(self) -> int:
        return sum(r.added for r in self.results)

    @property
    def statements(self) -> list[Statement]:
        return [r.statement for r in self.results if r.statement is not None]


def _party_fields(store: Store) -> dict:
    return {
        "supplier_name": settings.PLATFORM_BUSINESS_NAME,
        "supplier_business_number": settings.PLATFORM_BUSINESS_NUMBER,
        "supplier_representative": settings.PLATFORM_REPRESENTATIVE,
        "supplier_address": settings.PLATFORM_ADDRESS,
        "recipient_name": store.name,
        "recipient_business_number": store.business_number,
        "recipient_representative": store.representative_name,
        "recipient_address": store.business_address,
    }


def _order_day(order: Order) -> date:
    return seoul_today(order.completed_at)


def sale_line(
    order: Order, *, terms_rows: list[StoreTerms], fees: FeeBook, day: date | None = None
) -> StatementLine:
    """The (unsaved) sale line of ``order``; ``day`` defaults to its confirmation day."""
    payment = getattr(order, "payment", None)
    provider = payment.provider if payment else order.payment_method
    refunded = payment.refunded_amount if payment else 0
    day = day or _order_day(order)
    bp = terms_on(order.store_id, day, rows=terms_rows).commission_bp
    fee_row = fees.on(provider, day)
    net = order.total - refunded
    commission = round_bp(net, bp)
    fee = payment_fee(net, fee_row)
    collected = net if fee_row.platform_collects else 0
    return StatementLine(
        order=order,
        key=f"sale:{order.pk}",
        kind=StatementLine.Kind.SALE,
        payment_method=provider,
        completed_at=order.completed_at,
        gross=order.total,
        refunds=refunded,
        refunded_total=refunded,
        net=net,
        commission_bp=bp,
        commission=commission,
        payment_fee=fee,
        platform_collected=fee_row.platform_collects,
        payout=collected - commission - fee,
    )


def _refund_line(order: Order, accounted: int, *, fees: FeeBook) -> StatementLine:
    """The refund of ``order`` beyond the ``accounted`` refunds, settled after its sale."""
    sale = StatementLine.objects.get(key=f"sale:{order.pk}")
    payment = order.payment
    delta = payment.refunded_amount - accounted
    fee_row = fees.on(sale.payment_method, _order_day(order))
    old_net = sale.gross - accounted
    new_net = sale.gross - payment.refunded_amount
    commission = round_bp(new_net, sale.commission_bp) - round_bp(old_net, sale.commission_bp)
    fee = payment_fee(new_net, fee_row) - payment_fee(old_net, fee_row)
    collected = -delta if sale.platform_collected else 0
    return StatementLine(
        order=order,
        key=f"refund:{order.pk}:{payment.refunded_amount}",
        kind=StatementLine.Kind.REFUND,
        payment_method=sale.payment_method,
        completed_at=payment.refunded_at or timezone.now(),
        gross=0,
        refunds=delta,
        refunded_total=payment.refunded_amount,
        net=-delta,
        commission_bp=sale.commission_bp,
        commission=commission,
        payment_fee=fee,
        platform_collected=sale.platform_collected,
        payout=collected - commission - fee,
    )


def _new_lines(store: Store, period: Period, fees: FeeBook) -> list[StatementLine]:
    terms_rows = list(StoreTerms.objects.filter(store=store).order_by("-effective_from"))
    unsettled = (
        Order.objects.filter(
            store=store, status=OrderStatus.COMPLETED, completed_at__lt=period.end_at
        )
        .exclude(settlement_lines__kind=StatementLine.Kind.SALE)
        .select_related("payment")
        .order_by("completed_at", "pk")
    )
    lines = [sale_line(order, terms_rows=terms_rows, fees=fees) for order in unsettled]
    # Refunds of orders already settled, made before the period ended.
    accounted = dict(
        StatementLine.objects.filter(order__store=store)
        .values_list("order_id")
        .annotate(m=Max("refunded_total"))
    )
    if accounted:
        refunded = (
            Order.objects.filter(pk__in=accounted.keys(), payment__refunded_at__lt=period.end_at)
            .select_related("payment")
            .order_by("pk")
        )
        for order in refunded:
            if order.payment.refunded_amount > accounted[order.pk]:
                lines.append(_refund_line(order, accounted[order.pk], fees=fees))
    return lines


def statement_recount(statement: Statement) -> Statement:
    """Set the statement's totals to the sums of its lines."""
    sums = statement.lines.aggregate(
        gross=Sum("gross"),
        refunds=Sum("refunds"),
        commission=Sum("commission"),
        fees=Sum("payment_fee"),
        payout=Sum("payout"),
        store_net=Sum("net", filter=Q(platform_collected=False)),
    )
    statement.order_count = (
        statement.lines.filter(kind=StatementLine.Kind.SALE).values("order_id").count()
    )
    statement.gross = sums["gross"] or 0
    statement.refunds = sums["refunds"] or 0
    statement.commission = sums["commission"] or 0
    statement.payment_fees = sums["fees"] or 0
    statement.payout = sums["payout"] or 0
    statement.collected_by_store = sums["store_net"] or 0
    statement.save()
    return statement


def _settle_store(store: Store, period: Period, fees: FeeBook) -> StoreResult:
    with transaction.atomic():
        store = Store.objects.select_for_update().get(pk=store.pk)
        statement = Statement.objects.filter(store=store, period=period.key).first()
        if statement is not None and statement.is_paid:
            return StoreResult(store, statement, 0, _("already paid out"))
        lines = _new_lines(store, period, fees)
        if not lines:
            return StoreResult(store, statement, 0, _("nothing new"))
        if statement is None:
            statement = Statement.objects.create(
                store=store,
                cycle=period.cycle,
                period=period.key,
                period_start=period.start,
                period_end=period.end,
                **_party_fields(store),
            )
        for line in lines:
            line.statement = statement
        StatementLine.objects.bulk_create(lines)
        statement_recount(statement)
        return StoreResult(store, statement, len(lines))


def settlement_run(
    *,
    period: Period,
    store: Store | None = None,
    now=None,
    progress: Callable[[int, int, StoreResult], None] | None = None,
) -> RunSummary:
    """Settle ``period`` for every store on that cycle (or just ``store``).

    Idempotent: an order's sale and each of its later refunds have a unique line key, so a
    rerun adds only what is new. Each store is settled in its own transaction (its row
    locked), so a failure leaves no half-written statement."""
    if period.cycle not in (Cycle.WEEKLY, Cycle.MONTHLY):
        raise SettlementError(_("Settle a month (--period) or a week (--week)."))
    now = now or timezone.now()
    if period.end_at > now:
        raise SettlementError(
            _("The period %(period)s is not over yet: settle it from %(end)s (Asia/Seoul) on.")
            % {"period": period.key, "end": period.end.isoformat()}
        )
    fees = FeeBook()
    stores = [store] if store is not None else list(Store.objects.order_by("pk"))
    summary = RunSummary(period)
    for index, candidate in enumerate(stores, start=1):
        cycle = terms_on(candidate, period.last_day).cycle
        if cycle != period.cycle and store is None:
            label = Cycle(cycle).label
            result = StoreResult(candidate, None, 0, _("settled %(cycle)s") % {"cycle": label})
        else:
            result = _settle_store(candidate, period, fees)
        summary.results.append(result)
        if progress:
            progress(index, len(stores), result)
    return summary


@transaction.atomic
def statement_mark_paid(*, statement: Statement, actor) -> bool:
    """Staff record the payout as done. False when it was paid already."""
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if statement.is_paid:
        return False
    statement.status = Statement.Status.PAID
    statement.paid_at = timezone.now()
    statement.paid_by = actor
    statement.save(update_fields=["status", "paid_at", "paid_by", "updated_at"])
    return True
