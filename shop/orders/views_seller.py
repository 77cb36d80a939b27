"""Seller order pages under /seller/stores/<slug>/orders/ (access gate first in every view)."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shop.access import access_store_manage
from shop.models import Courier
from shop.orders.access import access_order_seller
from shop.orders.exceptions import ShopError
from shop.orders.forms import NoteForm, ShipForm, TrackingCsvForm
from shop.orders.models import Claim, Order, OrderStatus
from shop.orders.selectors import (
    claims_of_order,
    claims_of_store,
    order_timeline,
    orders_of_store,
    seller_tab_counts,
)
from shop.orders.services.claims import (
    claim_approve,
    claim_mark_collected,
    claim_refund,
    claim_reject,
    claim_reship,
)
from shop.orders.services.orders import (
    STORE_MAY_CANCEL,
    order_cancel,
    order_mark_delivered,
    order_ship,
    order_start_preparing,
)
from shop.orders.services.payments import payment_confirm_deposit
from shop.views_seller import seller_context

S = OrderStatus
TAB_LABELS = {
    "new": gettext_lazy("New"),
    "to_ship": gettext_lazy("To ship"),
    "shipped": gettext_lazy("Shipped"),
    "done": gettext_lazy("Completed"),
    "cancelled": gettext_lazy("Cancelled"),
    "claims": gettext_lazy("Claims"),
}
MAX_CSV_BYTES = 200_000


@login_required
def seller_orders(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    tab = request.GET.get("tab", "new")
    if tab not in TAB_LABELS:
        tab = "new"
    if tab == "claims":
        # The claims tab lists claims (the store's turn first is the "open" filter).
        show_all = request.GET.get("all") == "1"
        claims = claims_of_store(store, open_only=not show_all)
        page = Paginator(claims, 30).get_page(request.GET.get("page"))
    else:
        show_all = False
        page = Paginator(orders_of_store(store, tab), 30).get_page(request.GET.get("page"))
    counts = seller_tab_counts(store)
    tabs = [(key, label, counts.get(key, 0)) for key, label in TAB_LABELS.items()]
    return render(
        request,
        "orders/seller/orders.html",
        seller_context(
            store,
            role,
            "orders",
            tab=tab,
            tabs=tabs,
            page=page,
            orders=page.object_list if tab != "claims" else [],
            claims=page.object_list if tab == "claims" else [],
            show_all=show_all,
            seller_actions=True,
            couriers=Courier.choices,
            default_courier=store.courier,
            csv_form=TrackingCsvForm(),
        ),
    )


@login_required
def seller_order_detail(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    order, store, role = access_order_seller(request.user, slug, number)
    return render(
        request,
        "orders/seller/order_detail.html",
        seller_context(
            store,
            role,
            "orders",
            order=order,
            lines=list(order.lines.all()),
            events=order_timeline(order),
            payment=getattr(order, "payment", None),
            ship_form=ShipForm(initial={"courier": order.courier or store.courier}),
            note_form=NoteForm(),
            may_cancel=order.status in STORE_MAY_CANCEL,
            claims=claims_of_order(order),
            seller_actions=True,
            couriers=Courier.choices,
        ),
    )


ACTIONS = {"confirm_deposit", "prepare", "ship", "deliver", "cancel"}


@login_required
@require_POST
def seller_order_action(request: HttpRequest, slug: str, number: str, action: str):
    order, store, role = access_order_seller(request.user, slug, number)
    if action not in ACTIONS:
        raise Http404
    try:
        if action == "confirm_deposit":
            payment_confirm_deposit(order=order, actor=request.user)
            messages.success(request, _("Deposit confirmed: order %(n)s is paid.") % {"n": number})
        elif action == "prepare":
            order_start_preparing(order=order, actor=request.user)
            messages.success(request, _("Order %(n)s is being prepared.") % {"n": number})
        elif action == "ship":
            form = ShipForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose a courier and enter the tracking number."))
            else:
                order_ship(order=order, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Order %(n)s is marked shipped.") % {"n": number})
        elif action == "deliver":
            order_mark_delivered(order=order, actor=request.user)
            messages.success(request, _("Order %(n)s is marked delivered.") % {"n": number})
        elif action == "cancel":
            note = (request.POST.get("note") or "").strip()[:300] or _("Cancelled by the store.")
            order_cancel(order=order, actor=request.user, note=note)
            messages.success(request, _("Order %(n)s is cancelled.") % {"n": number})
    except ShopError as error:
        messages.error(request, error.message)
    except PermissionDenied:
        messages.error(request, _("You may not do that."))
    return redirect("orders:seller_order_detail", store.slug, number)


def _ship_many(request, store, rows: list[tuple[str, str, str]]) -> tuple[int, list[str]]:
    """Ship (number, courier, tracking) rows of this store; returns (count, error lines)."""
    shipped, errors = 0, []
    for number, courier, tracking in rows:
        order = Order.objects.filter(store=store, number=number).first()
        if order is None:
            errors.append(_("%(n)s: no such order in this store.") % {"n": number})
            continue
        try:
            order_ship(order=order, actor=request.user, courier=courier, tracking_number=tracking)
        except ShopError as error:
            errors.append(f"{number}: {error.message}")
        else:
            shipped += 1
    return shipped, errors


def _to_ship_tab(store) -> str:
    return f"{reverse('orders:seller_orders', args=[store.slug])}?tab=to_ship"


def _report(request, shipped: int, errors: list[str]) -> None:
    if shipped:
        messages.success(request, _("Marked %(n)d order(s) shipped.") % {"n": shipped})
    for line in errors[:20]:
        messages.error(request, line)
    if not shipped and not errors:
        messages.info(request, _("Enter a tracking number for at least one order."))


@login_required
@require_POST
def seller_orders_ship(request: HttpRequest, slug: str) -> HttpResponse:
    """The bulk form: one courier + tracking number per order row; empty rows are skipped."""
    store, role = access_store_manage(request.user, slug)
    rows = []
    for number in request.POST.getlist("order"):
        tracking = (request.POST.get(f"tracking_{number}") or "").strip()
        if tracking:
            courier = request.POST.get(f"courier_{number}") or store.courier
            rows.append((number, courier, tracking))
    _report(request, *_ship_many(request, store, rows))
    return redirect(_to_ship_tab(store))


@login_required
@require_POST
def seller_orders_ship_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """CSV upload: order number, courier code (cj, hanjin, lotte, epost, logen), tracking."""
    store, role = access_store_manage(request.user, slug)
    form = TrackingCsvForm(request.POST, request.FILES)
    back = _to_ship_tab(store)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file."))
        return redirect(back)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_CSV_BYTES:
        messages.error(request, _("The CSV file is too large (at most 200 KB)."))
        return redirect(back)
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        messages.error(request, _("Save the CSV file as UTF-8 and upload it again."))
        return redirect(back)
    rows, errors = [], []
    for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or (lineno == 1 and cells and not cells[0][:1].isdigit()):
            continue  # blank line or a header
        if len(cells) < 3:
            errors.append(
                _("Line %(n)d: expected order number, courier, tracking number.") % {"n": lineno}
            )
            continue
        rows.append((cells[0], cells[1].lower(), cells[2]))
    shipped, ship_errors = _ship_many(request, store, rows)
    _report(request, shipped, errors + ship_errors)
    return redirect(back)


CLAIM_DONE = {
    "approve": gettext_lazy("Request approved."),
    "reject": gettext_lazy("Request rejected; the buyer sees your reason."),
    "collect": gettext_lazy("Marked collected: the pieces are back in stock."),
    "refund": gettext_lazy("Refunded %(amount)s won to the buyer."),
    "reship": gettext_lazy("The replacement is marked shipped."),
}


@login_required
@require_POST
def seller_claim(request: HttpRequest, slug: str, number: str, claim_id: int) -> HttpResponse:
    """The store's step on a buyer's claim: approve, reject (with a reason), collect, refund,
    reship."""
    order, store, role = access_order_seller(request.user, slug, number)
    claim = Claim.objects.filter(pk=claim_id, order=order).first()
    if claim is None:
        raise Http404
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            claim_approve(claim=claim, actor=request.user)
            if claim.kind == Claim.Kind.CANCEL:
                messages.success(
                    request, _("Cancellation approved: order %(n)s is cancelled.") % {"n": number}
                )
            else:
                messages.success(request, CLAIM_DONE["approve"])
        elif decision == "reject":
            claim_reject(
                claim=claim, actor=request.user, reason=request.POST.get("reject_reason", "")
            )
            messages.success(request, CLAIM_DONE["reject"])
        elif decision == "collect":
            claim_mark_collected(claim=claim, actor=request.user)
            messages.success(request, CLAIM_DONE["collect"])
        elif decision == "refund":
            claim_refund(claim=claim, actor=request.user)
            messages.success(request, CLAIM_DONE["refund"] % {"amount": f"{claim.refund_amount:,}"})
        elif decision == "reship":
            claim_reship(
                claim=claim,
                actor=request.user,
                courier=request.POST.get("courier", ""),
                tracking_number=request.POST.get("tracking_number", ""),
            )
            messages.success(request, CLAIM_DONE["reship"])
        else:
            messages.error(request, _("Choose what to do with the request."))
    except ShopError as error:
        messages.error(request, error.message)
    except PermissionDenied:
        messages.error(request, _("You may not do that."))
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        return redirect(nxt)
    return redirect("orders:seller_order_detail", store.slug, number)
