"""Claims: the buyer asks, the store decides (issue 6, point 4). See docs/claims.md.

- Cancel: immediate while the order is unpaid or only paid; once the store is preparing it,
  a request the store approves (the order is cancelled and refunded through its provider,
  stock returns) or rejects with a reason. Shipped orders cannot be cancelled.
- Return: within 7 days of delivery, per line and quantity, a reason (it decides who pays
  the return shipping) and up to 3 photos. requested → approved | rejected → collected
  (stock goes back) → refunded (through the payment provider, amount per ``refund_breakdown``).
- Exchange: the same goods in another option of the same price, within 7 days of delivery.
  The new option's stock is reserved (row locks) when the buyer asks and released when the
  store rejects. requested → approved | rejected → collected (stock goes back) → reshipped.

``claim_transition`` is the only code that changes ``Claim.status``: it refuses every step
that ``CLAIM_TRANSITIONS`` does not list, stamps the time, writes a ``ClaimEvent`` and tells
the buyer through ``claim_notify`` (the one notification point; order cards in chat hook in
there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.images import GOODS_BOX, clean_photo_uploads, resize_image
from shop.models import Goods, GoodsOption
from shop.orders.exceptions import BadTransition, OrderError, SoldOut
from shop.orders.models import (
    BUYER_PAYS_RETURN_SHIPPING,
    Claim,
    ClaimEvent,
    ClaimLine,
    ClaimPhoto,
    ClaimReason,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
)
from shop.orders.services.orders import (
    BUYER_MAY_CANCEL,
    _quiet,
    clean_tracking,
    is_store_staff,
    order_cancel,
)
from shop.orders.shipping import shipping_fee_for

K = Claim.Kind
C = Claim.Status
MAX_REASON = 300
RETURN_WINDOW = timedelta(days=7)
RETURNABLE_STATUSES = frozenset({OrderStatus.DELIVERED, OrderStatus.COMPLETED})

# Every legal step, per kind: {from: {to, ...}}. A status missing here is final.
CLAIM_TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    K.CANCEL: {C.REQUESTED: frozenset({C.APPROVED, C.REJECTED})},
    K.RETURN: {
        C.REQUESTED: frozenset({C.APPROVED, C.REJECTED}),
        C.APPROVED: frozenset({C.COLLECTED}),
        C.COLLECTED: frozenset({C.REFUNDED}),
    },
    K.EXCHANGE: {
        C.REQUESTED: frozenset({C.APPROVED, C.REJECTED}),
        C.APPROVED: frozenset({C.COLLECTED}),
        C.COLLECTED: frozenset({C.RESHIPPED}),
    },
}
OPEN_STATUSES = (C.REQUESTED, C.APPROVED, C.COLLECTED)
TIMESTAMPS = {
    C.APPROVED: "decided_at",
    C.REJECTED: "decided_at",
    C.COLLECTED: "collected_at",
    C.REFUNDED: "refunded_at",
    C.RESHIPPED: "reshipped_at",
}


def _label(status: str) -> str:
    return str(C(status).label) if status in C.values else status


def can_claim_transition(claim: Claim, to: str) -> bool:
    return to in CLAIM_TRANSITIONS.get(claim.kind, {}).get(claim.status, frozenset())


# --- notification (the one hook point) ----------------------------------------------------


def claim_payload(claim: Claim) -> dict:
    return {
        "id": claim.pk,
        "kind": claim.kind,
        "kind_label": str(K(claim.kind).label),
        "status": claim.status,
        "status_label": _label(claim.status),
        "refund_amount": claim.refund_amount,
    }


def claim_notify(claim: Claim) -> None:
    """After commit: every claim change reaches the buyer's /ws/inbox/ sockets as a ``claim``
    frame (docs/websocket.md). This is the ONE place claim changes are announced: code that
    shows order state elsewhere (order cards in chat) hooks in here."""
    from chat.commerce.services import order_card_refresh

    order_card_refresh(claim.order_id, quiet=_quiet.get())
    if _quiet.get():
        return
    from chat.services.channels import send_inbox

    order = claim.order
    send_inbox(
        order.buyer_id,
        {
            "type": "claim",
            "order": {
                "number": order.number,
                "status": order.status,
                "status_label": str(OrderStatus(order.status).label),
                "claim_status": claim.status,
                "url": order.get_absolute_url(),
            },
            "claim": claim_payload(claim),
        },
    )


# --- the state machine ---------------------------------------------------------------------


def _record(claim: Claim, *, actor, from_status: str, note: str = "") -> None:
    ClaimEvent.objects.create(
        claim=claim,
        actor=actor if actor is not None and actor.is_authenticated else None,
        from_status=from_status,
        to_status=claim.status,
        note=note[:300],
    )
    claim_notify(claim)


@transaction.atomic
def claim_transition(
    *, claim: Claim, to: str, actor, note: str = "", fields: dict | None = None
) -> Claim:
    """Move ``claim`` to ``to`` or raise BadTransition; ``fields`` are set with the move."""
    locked = Claim.objects.select_for_update().select_related("order").get(pk=claim.pk)
    if to not in C.values:
        raise BadTransition(_("Unknown claim status."))
    if not can_claim_transition(locked, to):
        raise BadTransition(
            _("This %(kind)s is “%(from)s”: it cannot become “%(to)s”.")
            % {
                "kind": str(K(locked.kind).label).lower(),
                "from": _label(locked.status),
                "to": _label(to),
            }
        )
    for name, value in (fields or {}).items():
        setattr(locked, name, value)
    previous = locked.status
    locked.status = to
    if to in TIMESTAMPS:
        setattr(locked, TIMESTAMPS[to], timezone.now())
    if to in (C.APPROVED, C.REJECTED):
        locked.decided_by = actor if actor is not None and actor.is_authenticated else None
    locked.save()
    _record(locked, actor=actor, from_status=previous, note=note)
    claim.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return claim


# --- reads ---------------------------------------------------------------------------------


def open_claim(order: Order) -> Claim | None:
    """The cancellation request waiting for the store, if any."""
    return order.claims.filter(kind=K.CANCEL, status=C.REQUESTED).first()


def claimed_quantities(order: Order, *, exclude: Claim | None = None) -> dict[int, int]:
    """Pieces per order line already in a return or exchange that was not rejected."""
    qs = ClaimLine.objects.filter(
        claim__order=order, claim__kind__in=(K.RETURN, K.EXCHANGE)
    ).exclude(claim__status=C.REJECTED)
    if exclude is not None:
        qs = qs.exclude(claim=exclude)
    return dict(qs.values_list("order_line_id").annotate(n=Sum("quantity")))


def return_deadline(order: Order):
    return order.delivered_at + RETURN_WINDOW if order.delivered_at else None


def return_refusal(order: Order, *, now=None) -> str:
    """Why the buyer cannot ask for a return or exchange now ("" when they can)."""
    now = now or timezone.now()
    if order.status not in RETURNABLE_STATUSES or order.delivered_at is None:
        return _("You can ask for a return or exchange once the order is delivered.")
    if now > return_deadline(order):
        return _("Returns and exchanges are possible within 7 days of delivery.")
    return ""


def exchange_options(line: OrderLine) -> list[GoodsOption]:
    """Other options of the same goods at the same price (in stock or not)."""
    if line.goods_id is None or line.option_id is None or line.goods.deleted_at is not None:
        return []
    original = line.option
    return [
        o
        for o in line.goods.options.all()
        if o.pk != original.pk and o.price_delta == original.price_delta
    ]


# --- the refund rule -----------------------------------------------------------------------


@dataclass(frozen=True)
class RefundBreakdown:
    goods: int  # unit price × quantity of the returned lines
    discount: int  # the order discount's share of these goods, taken back
    shipping: int  # the original shipping refunded (full return, store pays)
    deduction: int  # return shipping the buyer pays (+ free shipping lost)
    total: int  # what goes back through the payment provider


def _share(discount: int, part: int, whole: int) -> int:
    if whole <= 0 or part >= whole:
        return discount
    return discount * part // whole


def refund_breakdown(claim: Claim) -> RefundBreakdown:
    """The refund of a return (docs/claims.md):

    goods − discount share + original shipping (only when this return completes a full
    return and the store pays) − deduction (when the buyer pays: the store's return shipping
    fee, plus the shipping fee when a partial return drops a free-shipping order below the
    threshold), never below 0 nor above what is left of the payment.
    """
    order = claim.order
    lines = list(claim.lines.select_related("order_line"))
    goods = sum(line.amount for line in lines)
    earlier = sum(
        line.amount
        for line in ClaimLine.objects.filter(
            claim__order=order, claim__kind=K.RETURN, claim__status=C.REFUNDED
        )
        .exclude(claim=claim)
        .select_related("order_line")
    )
    after = earlier + goods
    discount = _share(order.discount, after, order.subtotal) - _share(
        order.discount, earlier, order.subtotal
    )
    full = after >= order.subtotal
    buyer_pays = claim.buyer_pays_shipping
    shipping = order.shipping_fee + order.island_fee if full and not buyer_pays else 0
    deduction = claim.return_shipping_fee if buyer_pays else 0
    if (
        buyer_pays
        and not full
        and order.shipping_fee == 0
        and order.store.free_shipping_threshold is not None
    ):
        deduction += shipping_fee_for(order.store, order.subtotal - after).base
    total = max(0, goods - discount + shipping - deduction)
    payment = Payment.objects.filter(order=order).first()
    if payment is not None:
        total = min(total, max(0, payment.amount - payment.refunded_amount))
    return RefundBreakdown(goods, discount, shipping, deduction, total)


# --- buyer: asking -------------------------------------------------------------------------


def _clean_reason(reason: str, *, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise OrderError(_("Write a reason."), field=field)
    return reason[:MAX_REASON]


def _require_buyer(actor, order: Order) -> None:
    if actor is None or not actor.is_authenticated or actor.pk != order.buyer_id:
        raise PermissionDenied


@transaction.atomic
def claim_request_cancel(*, order: Order, actor, reason: str) -> Claim | None:
    """The buyer cancels: at once before preparing (returns None), else a request (a Claim)."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    _require_buyer(actor, order)
    if order.status in BUYER_MAY_CANCEL:
        note = (reason or "").strip()[:MAX_REASON] or _("Cancelled by the buyer.")
        order_cancel(order=order, actor=actor, note=note)
        return None
    if order.status != OrderStatus.PREPARING:
        raise BadTransition(
            _("Order %(number)s is “%(status)s”: it can no longer be cancelled.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    if open_claim(order) is not None:
        raise OrderError(_("You asked to cancel this order already: the store will answer."))
    claim = Claim.objects.create(
        order=order, kind=K.CANCEL, reason=_clean_reason(reason), requested_by=actor
    )
    _record(claim, actor=actor, from_status="")
    return claim


def _lock_stock(goods_ids, option_ids) -> None:
    """Lock goods then options, each by id (the checkout's order: no deadlocks)."""
    list(Goods.objects.select_for_update().filter(pk__in=sorted(goods_ids)).order_by("pk"))
    list(GoodsOption.objects.select_for_update().filter(pk__in=sorted(option_ids)).order_by("pk"))


def _refresh_goods(goods_ids) -> None:
    from shop.services.goods import goods_refresh_status

    for goods in Goods.objects.filter(pk__in=goods_ids):
        goods_refresh_status(goods=goods)


@transaction.atomic
def claim_request_return(
    *,
    order: Order,
    actor,
    kind: str,
    reason_code: str,
    reason: str,
    lines: dict[int, int],
    options: dict[int, int] | None = None,
    photos=None,
) -> Claim:
    """The buyer asks for a return or an exchange of ``lines`` ({order line id: quantity};
    ``options`` {order line id: option id} for an exchange). Nothing is written on error."""
    order = Order.objects.select_for_update().select_related("store").get(pk=order.pk)
    _require_buyer(actor, order)
    if kind not in (K.RETURN, K.EXCHANGE):
        raise OrderError(_("Choose a return or an exchange."), field="kind")
    refusal = return_refusal(order)
    if refusal:
        raise BadTransition(refusal)
    if reason_code not in ClaimReason.values:
        raise OrderError(_("Choose a reason."), field="reason_code")
    text = (reason or "").strip()[:MAX_REASON] or str(ClaimReason(reason_code).label)
    photos = clean_photo_uploads(photos, error=OrderError)
    wanted = {int(k): int(v) for k, v in (lines or {}).items() if v}
    if not wanted:
        raise OrderError(_("Choose at least one item and a quantity."), field="lines")
    order_lines = {
        line.pk: line
        for line in OrderLine.objects.filter(order=order, pk__in=wanted).select_related(
            "goods", "option"
        )
    }
    taken = claimed_quantities(order)
    for line_id, quantity in wanted.items():
        line = order_lines.get(line_id)
        if line is None:
            raise OrderError(_("That item is not part of this order."), field="lines")
        left = line.quantity - taken.get(line_id, 0)
        if quantity < 0 or quantity > left:
            raise OrderError(
                _("You can return or exchange at most %(n)d of “%(name)s”.")
                % {"n": max(left, 0), "name": line.goods_name},
                field="lines",
            )
    chosen: dict[int, GoodsOption] = {}
    if kind == K.EXCHANGE:
        options = {int(k): int(v) for k, v in (options or {}).items() if v}
        for line_id in wanted:
            line = order_lines[line_id]
            allowed = {o.pk: o for o in exchange_options(line)}
            if not allowed:
                raise OrderError(
                    _("“%(name)s” has no other option of the same price to exchange to.")
                    % {"name": line.goods_name},
                    field="lines",
                )
            option = allowed.get(options.get(line_id))
            if option is None:
                raise OrderError(
                    _("Choose the option you want instead of “%(name)s”.")
                    % {"name": line.goods_name},
                    field="lines",
                )
            chosen[line_id] = option
        # Reserve the new options' stock under row locks.
        _lock_stock(
            {line.goods_id for line in order_lines.values()}, {o.pk for o in chosen.values()}
        )
        need: dict[int, int] = {}
        for line_id, option in chosen.items():
            need[option.pk] = need.get(option.pk, 0) + wanted[line_id]
        for option_id, quantity in need.items():
            option = GoodsOption.objects.get(pk=option_id)
            if option.stock < quantity:
                if option.stock == 0:
                    raise SoldOut(
                        _("Sorry, “%(name)s” is sold out: choose another option or a return.")
                        % {"name": option.name}
                    )
                raise SoldOut(
                    _("Only %(n)d of “%(name)s” left.") % {"n": option.stock, "name": option.name}
                )
        for option_id, quantity in need.items():
            GoodsOption.objects.filter(pk=option_id).update(stock=F("stock") - quantity)
        _refresh_goods({line.goods_id for line in order_lines.values()})
    buyer_pays = reason_code in BUYER_PAYS_RETURN_SHIPPING
    fee = order.store.return_shipping_fee if buyer_pays else 0
    if kind == K.EXCHANGE:
        fee *= 2  # the parcel goes back and a new one comes
    claim = Claim.objects.create(
        order=order,
        kind=kind,
        reason_code=reason_code,
        reason=text,
        buyer_pays_shipping=buyer_pays,
        return_shipping_fee=fee,
        requested_by=actor,
    )
    ClaimLine.objects.bulk_create(
        [
            ClaimLine(
                claim=claim,
                order_line_id=line_id,
                quantity=quantity,
                exchange_option=chosen.get(line_id),
                exchange_option_name=chosen[line_id].name if line_id in chosen else "",
            )
            for line_id, quantity in wanted.items()
        ]
    )
    for upload in photos:
        resized = resize_image(upload, GOODS_BOX, prefix=f"claim{claim.pk}")
        photo = ClaimPhoto(claim=claim)
        photo.image.save(resized.name, resized, save=False)
        photo.save()
    if kind == K.RETURN:
        _store_breakdown(claim)
        claim.save()
    _record(claim, actor=actor, from_status="")
    return claim


def _store_breakdown(claim: Claim) -> RefundBreakdown:
    b = refund_breakdown(claim)
    claim.goods_amount = b.goods
    claim.discount_share = b.discount
    claim.shipping_refund = b.shipping
    claim.deduction = b.deduction
    claim.refund_amount = b.total
    return b


# --- store: deciding and following up ------------------------------------------------------


def _locked_for_store(claim: Claim, actor) -> Claim:
    claim = Claim.objects.select_for_update().select_related("order__store").get(pk=claim.pk)
    if not is_store_staff(actor, claim.order):
        raise PermissionDenied
    return claim


def _restock(claim: Claim, *, exchange_reservation: bool) -> None:
    """Give stock back: the collected pieces (original option), or an exchange's reservation."""
    lines = list(claim.lines.select_related("order_line"))
    goods_ids = {line.order_line.goods_id for line in lines if line.order_line.goods_id}
    if exchange_reservation:
        option_ids = {line.exchange_option_id for line in lines if line.exchange_option_id}
    else:
        option_ids = {line.order_line.option_id for line in lines if line.order_line.option_id}
    _lock_stock(goods_ids, option_ids)
    for line in lines:
        if exchange_reservation:
            if line.exchange_option_id:
                GoodsOption.objects.filter(pk=line.exchange_option_id).update(
                    stock=F("stock") + line.quantity
                )
        elif line.order_line.option_id:
            GoodsOption.objects.filter(pk=line.order_line.option_id).update(
                stock=F("stock") + line.quantity
            )
        elif line.order_line.goods_id:
            Goods.objects.filter(pk=line.order_line.goods_id).update(
                stock=F("stock") + line.quantity
            )
    _refresh_goods(goods_ids)


def _refuse(claim: Claim, to: str) -> None:
    """The store's verbs check first (before any side effect) that the step is legal."""
    if can_claim_transition(claim, to):
        return
    if to in (C.APPROVED, C.REJECTED) and claim.status != C.REQUESTED:
        raise OrderError(_("This request was answered already."))
    raise BadTransition(
        _("This %(kind)s is “%(from)s”: it cannot become “%(to)s”.")
        % {
            "kind": str(K(claim.kind).label).lower(),
            "from": _label(claim.status),
            "to": _label(to),
        }
    )


@transaction.atomic
def claim_approve(*, claim: Claim, actor) -> Claim:
    """The store agrees. A cancellation cancels the order (refund, stock back); a return or
    exchange waits for the parcel to come back."""
    locked = _locked_for_store(claim, actor)
    _refuse(locked, C.APPROVED)
    if locked.kind == K.CANCEL:
        order_cancel(
            order=locked.order,
            actor=actor,
            note=_("Cancellation approved: %(reason)s") % {"reason": locked.reason},
        )
    return claim_transition(claim=claim, to=C.APPROVED, actor=actor)


@transaction.atomic
def claim_reject(*, claim: Claim, actor, reason: str) -> Claim:
    """The store refuses, saying why; the order goes on (an exchange's reservation ends)."""
    locked = _locked_for_store(claim, actor)
    _refuse(locked, C.REJECTED)
    reject_reason = _clean_reason(reason, field="reject_reason")
    if locked.kind == K.EXCHANGE:
        _restock(locked, exchange_reservation=True)
    return claim_transition(
        claim=claim,
        to=C.REJECTED,
        actor=actor,
        note=reject_reason,
        fields={"reject_reason": reject_reason},
    )


@transaction.atomic
def claim_mark_collected(*, claim: Claim, actor) -> Claim:
    """The returned parcel arrived at the store: its pieces go back into stock."""
    locked = _locked_for_store(claim, actor)
    _refuse(locked, C.COLLECTED)
    _restock(locked, exchange_reservation=False)
    return claim_transition(claim=claim, to=C.COLLECTED, actor=actor)


@transaction.atomic
def claim_refund(*, claim: Claim, actor) -> Claim:
    """Pay a collected return back through the order's payment provider."""
    from shop.orders.services.payments import payment_refund

    locked = _locked_for_store(claim, actor)
    _refuse(locked, C.REFUNDED)
    payment = Payment.objects.select_for_update().filter(order=locked.order).first()
    breakdown = _store_breakdown(locked)
    note = _("Refunded %(amount)s won.") % {"amount": f"{breakdown.total:,}"}
    if breakdown.total > 0:
        if payment is None or payment.status not in (Payment.Status.PAID, Payment.Status.REFUNDED):
            raise OrderError(_("This order has no payment to refund."))
        payment_refund(payment=payment, amount=breakdown.total)
    return claim_transition(
        claim=claim,
        to=C.REFUNDED,
        actor=actor,
        note=note,
        fields={
            "goods_amount": locked.goods_amount,
            "discount_share": locked.discount_share,
            "shipping_refund": locked.shipping_refund,
            "deduction": locked.deduction,
            "refund_amount": locked.refund_amount,
        },
    )


@transaction.atomic
def claim_reship(*, claim: Claim, actor, courier: str = "", tracking_number: str = "") -> Claim:
    """The replacement of a collected exchange left the store (tracking number optional)."""
    locked = _locked_for_store(claim, actor)
    _refuse(locked, C.RESHIPPED)
    fields = {}
    note = ""
    if (tracking_number or "").strip():
        courier, number = clean_tracking(courier, tracking_number)
        fields = {"reship_courier": courier, "reship_tracking_number": number}
        from shop.models import Courier

        note = f"{Courier(courier).label} {number}"
    return claim_transition(claim=claim, to=C.RESHIPPED, actor=actor, note=note, fields=fields)


# The store's actions by name (seller pages and the admin use the same names).
STORE_ACTIONS = {
    "approve": C.APPROVED,
    "reject": C.REJECTED,
    "collect": C.COLLECTED,
    "refund": C.REFUNDED,
    "reship": C.RESHIPPED,
}
