"""Claims: the buyer asks, the store decides. Cancel (point 4 of issue 6): immediate while the
order is unpaid or only paid; once the store is preparing it, a request the store approves
(the order is cancelled and refunded through its provider, stock returns) or rejects with a
reason. Shipped orders cannot be cancelled."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.orders.exceptions import BadTransition, OrderError
from shop.orders.models import Claim, Order, OrderStatus
from shop.orders.services.orders import BUYER_MAY_CANCEL, is_store_staff, order_cancel

MAX_REASON = 300


def open_claim(order: Order) -> Claim | None:
    return order.claims.filter(status=Claim.Status.REQUESTED).first()


def _clean_reason(reason: str, *, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise OrderError(_("Write a reason."), field=field)
    return reason[:MAX_REASON]


@transaction.atomic
def claim_request_cancel(*, order: Order, actor, reason: str) -> Claim | None:
    """The buyer cancels: at once before preparing (returns None), else a request (a Claim)."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if actor is None or not actor.is_authenticated or actor.pk != order.buyer_id:
        raise PermissionDenied
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
    return Claim.objects.create(
        order=order,
        kind=Claim.Kind.CANCEL,
        reason=_clean_reason(reason),
        requested_by=actor,
    )


def _locked_open(claim: Claim, actor) -> Claim:
    claim = Claim.objects.select_for_update().select_related("order").get(pk=claim.pk)
    if not is_store_staff(actor, claim.order):
        raise PermissionDenied
    if not claim.is_open:
        raise OrderError(_("This request was answered already."))
    return claim


@transaction.atomic
def claim_approve(*, claim: Claim, actor) -> Claim:
    """The store agrees: the order is cancelled (refund, stock back)."""
    claim = _locked_open(claim, actor)
    order_cancel(
        order=claim.order,
        actor=actor,
        note=_("Cancellation approved: %(reason)s") % {"reason": claim.reason},
    )
    claim.status = Claim.Status.APPROVED
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    claim.save()
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, actor, reason: str) -> Claim:
    """The store refuses, saying why; the order goes on."""
    claim = _locked_open(claim, actor)
    claim.reject_reason = _clean_reason(reason, field="reject_reason")
    claim.status = Claim.Status.REJECTED
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    claim.save()
    return claim
