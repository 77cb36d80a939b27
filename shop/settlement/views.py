"""Seller back office under /seller/stores/<slug>/: dashboard, statistics and the account pages
(balance, statements, VAT report, tax invoice data). The access gate comes first in every
view: staff of the store only (404 for anyone else); the account pages are owner-only (403)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.selectors_manage import store_direct_chats, store_pending_requests
from shop.access import access_store_manage
from shop.models import StoreStaff
from shop.orders.selectors import seller_tab_counts
from shop.settlement.charts import bar_chart
from shop.settlement.forms import quarter_from_request, range_from_request
from shop.settlement.models import Cycle, Statement, StoreTerms, percent
from shop.settlement.periods import previous, quarter_of, seoul_today
from shop.settlement.services.reports import (
    METHOD_GROUPS,
    statements_with_invoices,
    store_balance,
    tax_invoice_for,
    vat_report,
)
from shop.settlement.services.settlement import terms_on
from shop.settlement.stats import (
    Range,
    chat_metrics,
    conversation_to_sale,
    last_days,
    sales_by_goods,
    sales_series,
)
from shop.views_seller import seller_context


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """A UTF-8 CSV with a byte-order mark, so spreadsheet programs read Korean correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _day_label(label: str) -> str:
    return label[5:] if len(label) == 10 else label  # 2026-11-25 → 11-25


def sales_chart(sales, title: str):
    return bar_chart(
        [(row.label, [row.revenue]) for row in sales.rows],
        title=title,
        unit=_("won"),
        short_label=_day_label,
    )


# --- Dashboard -------------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    counts = seller_tab_counts(store)
    orders_url = reverse("orders:seller_orders", args=[store.slug])
    talk_url = reverse("chat:seller_talk", args=[store.slug])
    today = seoul_today()
    today_sales = sales_series(store, Range(today, today))
    month = sales_series(store, last_days(30, today))
    stats_url = reverse("settlement:stats", args=[store.slug])
    unread_chats = store_direct_chats(store, request.user).filter(unread__gt=0).count()
    today_url = f"{stats_url}?start={today.isoformat()}&end={today.isoformat()}&by=day"
    tiles = [
        ("new", _("New orders"), counts.get("new", 0), f"{orders_url}?tab=new"),
        ("to_ship", _("To ship"), counts.get("to_ship", 0), f"{orders_url}?tab=to_ship"),
        ("claims", _("Open claims"), counts.get("claims", 0), f"{orders_url}?tab=claims"),
        (
            "requests",
            _("Join requests"),
            store_pending_requests(store).count(),
            f"{talk_url}#requests",
        ),
        ("chats", _("Unread 1:1 chats"), unread_chats, f"{talk_url}#direct"),
        (
            "today",
            _("Paid today"),
            today_sales.orders,
            today_url,
        ),
    ]
    is_owner = role == StoreStaff.Role.OWNER
    return render(
        request,
        "settlement/seller/dashboard.html",
        seller_context(
            store,
            role,
            "dashboard",
            tiles=tiles,
            today_sales=today_sales,
            month=month,
            chart=sales_chart(month, _("Sales of the last 30 days")),
            balance=store_balance(store) if is_owner else None,
            stats_url=stats_url,
            today_url=today_url,
        ),
    )


# --- Statistics ------------------------------------------------------------------------------


def _range_query(period: Range, by: str) -> str:
    return urlencode({"start": period.start.isoformat(), "end": period.end.isoformat(), "by": by})


@login_required
def stats(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    form, period, by = range_from_request(request.GET)
    sales = sales_series(store, period, by)
    goods = sales_by_goods(store, period)
    export = request.GET.get("export")
    name = f"{store.slug}-{period.start}-{period.end}"
    if export == "sales":
        return csv_response(
            f"sales-{by}-{name}.csv",
            [_("Period"), _("Orders"), _("Revenue (won)"), _("Average order value (won)")],
            [(r.label, r.orders, r.revenue, r.average) for r in sales.rows],
        )
    if export == "goods":
        return csv_response(
            f"goods-{name}.csv",
            [_("Goods"), _("Quantity"), _("Orders"), _("Revenue (won)")],
            [(g.name, g.quantity, g.orders, g.revenue) for g in goods],
        )
    top = goods[:10]
    goods_chart = bar_chart(
        [(g.name, [g.revenue]) for g in top],
        title=_("Revenue by goods (top 10)"),
        unit=_("won"),
        short_label=lambda name: name[:6],
    )
    return render(
        request,
        "settlement/seller/stats.html",
        seller_context(
            store,
            role,
            "stats",
            form=form,
            period=period,
            by=by,
            sales=sales,
            goods=goods,
            chart=sales_chart(sales, _("Revenue")),
            orders_chart=bar_chart(
                [(r.label, [r.orders]) for r in sales.rows],
                title=_("Orders"),
                short_label=_day_label,
            ),
            goods_chart=goods_chart,
            query=_range_query(period, by),
            tab="sales",
        ),
    )


@login_required
def stats_chat(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    form, period, by = range_from_request(request.GET)
    metrics = chat_metrics(store, period)
    conversion = conversation_to_sale(store, period)
    if request.GET.get("export") == "messages":
        return csv_response(
            f"messages-{store.slug}-{period.start}-{period.end}.csv",
            [_("Day"), _("Buyer messages"), _("Store messages")],
            [(day.isoformat(), b, s) for day, (b, s) in metrics.per_day.items()],
        )
    chart = bar_chart(
        [(day.isoformat(), counts) for day, counts in metrics.per_day.items()],
        title=_("Messages per day"),
        legend=[_("Buyers"), _("Store")],
        short_label=_day_label,
    )
    return render(
        request,
        "settlement/seller/stats_chat.html",
        seller_context(
            store,
            role,
            "stats",
            form=form,
            period=period,
            metrics=metrics,
            conversion=conversion,
            chart=chart,
            query=_range_query(period, by),
            tab="chat",
        ),
    )


# --- Accounts (owner only) -------------------------------------------------------------------


def _owner_store(request, slug):
    return access_store_manage(request.user, slug, owner_only=True)


STATEMENT_HEADER = [
    "statement",
    "period",
    "from",
    "until",
    "status",
    "orders",
    "gross",
    "refunds",
    "commission",
    "payment_fees",
    "received_by_store",
    "payout",
    "paid_at",
]


def _statement_row(s: Statement) -> list:
    paid = timezone.localtime(s.paid_at).strftime("%Y-%m-%d %H:%M") if s.paid_at else ""
    return [
        s.number,
        s.period,
        s.period_start.isoformat(),
        (s.period_end - timedelta(days=1)).isoformat(),
        s.status,
        s.order_count,
        s.gross,
        s.refunds,
        s.commission,
        s.payment_fees,
        s.collected_by_store,
        s.payout,
        paid,
    ]


@login_required
def accounts(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = _owner_store(request, slug)
    statements = Statement.objects.filter(store=store).order_by("-period_start", "-pk")
    if request.GET.get("format") == "csv":
        return csv_response(
            f"statements-{store.slug}.csv",
            STATEMENT_HEADER,
            [_statement_row(s) for s in statements],
        )
    today = seoul_today()
    terms = terms_on(store, today)
    return render(
        request,
        "settlement/seller/accounts.html",
        seller_context(
            store,
            role,
            "accounts",
            balance=store_balance(store),
            statements=statements,
            terms=terms,
            commission=percent(terms.commission_bp),
            cycle_label=Cycle(terms.cycle).label,
            history=StoreTerms.objects.filter(store=store).order_by("-effective_from"),
            tab="statements",
        ),
    )


LINE_HEADER = [
    "statement",
    "kind",
    "order",
    "payment_method",
    "confirmed_at",
    "gross",
    "refunds",
    "net",
    "commission_rate",
    "commission",
    "payment_fee",
    "received_by",
    "payout",
]


@login_required
def statement_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    store, role = _owner_store(request, slug)
    statement = Statement.objects.filter(store=store, pk=pk).first()
    if statement is None:
        raise Http404
    lines = list(statement.lines.select_related("order").order_by("completed_at", "pk"))
    if request.GET.get("format") == "csv":
        return csv_response(
            f"{statement.number}.csv",
            LINE_HEADER,
            [
                [
                    statement.number,
                    line.kind,
                    line.order.number,
                    line.payment_method,
                    timezone.localtime(line.completed_at).strftime("%Y-%m-%d %H:%M"),
                    line.gross,
                    line.refunds,
                    line.net,
                    percent(line.commission_bp),
                    line.commission,
                    line.payment_fee,
                    "platform" if line.platform_collected else "store",
                    line.payout,
                ]
                for line in lines
            ]
            + [
                [
                    statement.number,
                    "total",
                    statement.order_count,
                    "",
                    "",
                    statement.gross,
                    statement.refunds,
                    statement.gross - statement.refunds,
                    "",
                    statement.commission,
                    statement.payment_fees,
                    "",
                    statement.payout,
                ]
            ],
        )
    return render(
        request,
        "settlement/seller/statement.html",
        seller_context(
            store,
            role,
            "accounts",
            statement=statement,
            lines=lines,
            invoice=tax_invoice_for(statement),
            tab="statements",
        ),
    )


@login_required
def vat(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = _owner_store(request, slug)
    current = quarter_of(seoul_today())
    period, error = quarter_from_request(request.GET.get("quarter"), current)
    report = vat_report(store, period)
    if request.GET.get("format") == "csv":
        rows = [[period.key, r.label, r.count, r.total, r.supply, r.vat] for r in report.rows]
        rows.append([period.key, _("Total"), report.count, report.total, report.supply, report.vat])
        return csv_response(
            f"vat-{store.slug}-{period.key}.csv",
            ["quarter", "payment_method", "payments", "total", "supply_value", "vat"],
            rows,
        )
    quarters = [current]
    for _i in range(7):
        quarters.append(previous(quarters[-1]))
    return render(
        request,
        "settlement/seller/vat.html",
        seller_context(
            store,
            role,
            "accounts",
            report=report,
            period=period,
            quarters=quarters,
            error=error,
            groups=METHOD_GROUPS,
            tab="vat",
        ),
    )


INVOICE_HEADER = [
    "statement",
    "date",
    "supplier_business_number",
    "supplier_name",
    "supplier_representative",
    "recipient_business_number",
    "recipient_name",
    "recipient_representative",
    "item",
    "supply_value",
    "vat",
    "total",
]


def invoice_rows(invoices) -> list[list]:
    rows = []
    for invoice in invoices:
        s = invoice.statement
        for item in invoice.items:
            rows.append(
                [
                    s.number,
                    invoice.date.isoformat(),
                    s.supplier_business_number_display,
                    s.supplier_name,
                    s.supplier_representative,
                    s.recipient_business_number_display,
                    s.recipient_name,
                    s.recipient_representative,
                    item.name,
                    item.supply,
                    item.vat,
                    item.total,
                ]
            )
    return rows


@login_required
def tax_invoices(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = _owner_store(request, slug)
    invoices = statements_with_invoices(
        Statement.objects.filter(store=store).order_by("-period_start", "-pk")
    )
    if request.GET.get("format") == "csv":
        return csv_response(
            f"tax-invoices-{store.slug}.csv", INVOICE_HEADER, invoice_rows(invoices)
        )
    return render(
        request,
        "settlement/seller/tax_invoices.html",
        seller_context(store, role, "accounts", invoices=invoices, tab="invoices"),
    )
