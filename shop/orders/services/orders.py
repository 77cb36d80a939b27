"""The order state machine, in one place, and the verbs built on it.

pending_payment → paid → preparing → shipped → delivered → completed; cancelled from
pending_payment, paid or preparing. ``order_transition`` is the only code that changes
``Order.status``: it locks the row, refuses illegal moves with a sentence, sets the
timestamps, gives stock back on cancel and writes an ``OrderEvent``.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.models import Courier, Goods, GoodsOption, StoreStaff
from shop.orders.exceptions import BadTransition, OrderError
from shop.orders.models import Order, OrderEvent, OrderStatus, Payment

S = OrderStatus

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.PREPARING, S.CANCELLED}),
    S.PREPARING: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}
TIMESTAMPS = {
    S.PAID: "paid_at",
    S.SHIPPED: "shipped_at",
    S.DELIVERED: "delivered_at",
    S.COMPLETED: "completed_at",
    S.CANCELLED: "cancelled_at",
}
# Who may cancel at which status: the buyer before preparing, the store until shipping.
BUYER_MAY_CANCEL = frozenset({S.PENDING_PAYMENT, S.PAID})
STORE_MAY_CANCEL = frozenset({S.PENDING_PAYMENT, S.PAID, S.PREPARING})
AUTO_COMPLETE_AFTER = timedelta(days=7)
TRACKING_CHARS = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-")


def can_transition(order: Order, to: str) -> bool:
    return to in ALLOWED_TRANSITIONS.get(order.status, frozenset())


def _label(status: str) -> str:
    return str(S(status).label) if status in S.values else status


def _release_stock(order: Order) -> None:
    """Give the stock of every line back (lines whose goods are gone are skipped)."""
    from shop.services.goods import goods_refresh_status

    lines = list(order.lines.all())
    option_ids = sorted({line.option_id for line in lines if line.option_id})
    goods_ids = sorted({line.goods_id for line in lines if line.goods_id})
    goods = {g.pk: g for g in Goods.objects.select_for_update().filter(pk__in=goods_ids)}
    list(GoodsOption.objects.select_for_update().filter(pk__in=option_ids).order_by("pk"))
    for line in lines:
        if line.option_id:
            GoodsOption.objects.filter(pk=line.option_id).update(stock=F("stock") + line.quantity)
        elif line.goods_id:
            Goods.objects.filter(pk=line.goods_id).update(stock=F("stock") + line.quantity)
    for item in goods.values():
        item.refresh_from_db()
        goods_refresh_status(goods=item)


_quiet: ContextVar[bool] = ContextVar("orders_quiet", default=False)


@contextmanager
def orders_quiet():
    """No live frames for the transitions inside (demo data, bulk imports)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def orders_are_quiet() -> bool:
    """Inside ``orders_quiet()``: change data, ring no sockets."""
    return _quiet.get()


def _notify(order: Order) -> None:
    """After commit: the order's card in the 1:1 chat is rewritten and re-rendered, and the
    buyer's /ws/inbox/ sockets hear the new status."""
    from chat.commerce.services import order_card_refresh

    order_card_refresh(order, quiet=_quiet.get())
    if _quiet.get():
        return
    try:
        from chat.services.channels import send_inbox
    except ImportError:  # pragma: no cover - chat is always installed
        return
    send_inbox(
        order.buyer_id,
        {
            "type": "order",
            "order": {
                "number": order.number,
                "status": order.status,
                "status_label": _label(order.status),
                "tracking_url": order.tracking_url,
            },
        },
    )


@transaction.atomic
def order_transition(
    *, order: Order, to: str, actor, note: str = "", fields: dict | None = None
) -> Order:
    """Move ``order`` to ``to`` or raise BadTransition; ``fields`` are set with the move."""
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if to not in S.values:
        raise BadTransition(_("Unknown order status."))
    if not can_transition(locked, to):
        raise BadTransition(
            _("Order %(number)s is “%(from)s”: it cannot become “%(to)s”.")
            % {"number": locked.number, "from": _label(locked.status), "to": _label(to)}
        )
    for name, value in (fields or {}).items():
        setattr(locked, name, value)
    if to == S.SHIPPED and not (locked.courier and locked.tracking_number):
        raise BadTransition(_("Enter the courier and the tracking number to mark it shipped."))
    previous = locked.status
    locked.status = to
    if to in TIMESTAMPS:
        setattr(locked, TIMESTAMPS[to], timezone.now())
    if to == S.CANCELLED:
        _release_stock(locked)
    locked.save()
    OrderEvent.objects.create(
        order=locked,
        actor=actor if actor is not None and actor.is_authenticated else None,
        from_status=previous,
        to_status=to,
        note=note[:300],
    )
    from shop.loyalty.hooks import on_order_status

    on_order_status(order=locked, previous=previous, to=to)
    _notify(locked)
    order.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return order


def order_record_placed(*, order: Order, actor) -> OrderEvent:
    """The first event of an order (no ``from``); its card goes to the 1:1 chat on commit."""
    from chat.commerce.services import order_card_post_on_commit

    order_card_post_on_commit(order, quiet=_quiet.get())
    return OrderEvent.objects.create(
        order=order, actor=actor, from_status="", to_status=order.status, note=_("Order placed")
    )


# --- who may do what -------------------------------------------------------------------


def is_operator(user) -> bool:
    return user is not None and user.is_authenticated and user.is_superuser


def is_store_staff(user, order: Order) -> bool:
    if is_operator(user):
        return True
    if user is None or not user.is_authenticated:
        return False
    return StoreStaff.objects.filter(store_id=order.store_id, user=user).exists()


def _require_store_staff(actor, order: Order) -> None:
    if not is_store_staff(actor, order):
        raise PermissionDenied


def _require_buyer(actor, order: Order) -> None:
    if actor is None or not actor.is_authenticated or actor.pk != order.buyer_id:
        raise PermissionDenied


# --- verbs -------------------------------------------------------------------------------


def clean_tracking(courier: str, tracking_number: str) -> tuple[str, str]:
    courier = (courier or "").strip()
    number = (tracking_number or "").strip().replace(" ", "")
    if courier not in Courier.values:
        raise OrderError(_("Choose a courier."), field="courier")
    if not 6 <= len(number) <= 30 or not set(number) <= TRACKING_CHARS:
        raise OrderError(
            _("A tracking number is 6–30 letters, digits or dashes."), field="tracking_number"
        )
    return courier, number


@transaction.atomic
def order_start_preparing(*, order: Order, actor, note: str = "") -> Order:
    _require_store_staff(actor, order)
    return order_transition(order=order, to=S.PREPARING, actor=actor, note=note)


@transaction.atomic
def order_ship(*, order: Order, actor, courier: str, tracking_number: str) -> Order:
    """Mark shipped with a courier and tracking number (a paid order is prepared first)."""
    _require_store_staff(actor, order)
    courier, number = clean_tracking(courier, tracking_number)
    order.refresh_from_db()
    if order.claims.filter(status="requested", kind="cancel").exists():
        raise OrderError(
            _("The buyer asked to cancel this order: approve or reject the request first.")
        )
    if order.status == S.PAID:
        order_transition(order=order, to=S.PREPARING, actor=actor)
    return order_transition(
        order=order,
        to=S.SHIPPED,
        actor=actor,
        note=f"{Courier(courier).label} {number}",
        fields={"courier": courier, "tracking_number": number},
    )


@transaction.atomic
def order_mark_delivered(*, order: Order, actor, note: str = "") -> Order:
    _require_store_staff(actor, order)
    return order_transition(order=order, to=S.DELIVERED, actor=actor, note=note)


@transaction.atomic
def order_confirm_purchase(*, order: Order, actor) -> Order:
    """The buyer confirms the purchase (a shipped order counts as delivered first)."""
    _require_buyer(actor, order)
    order.refresh_from_db()
    if order.status == S.SHIPPED:
        order_transition(
            order=order, to=S.DELIVERED, actor=actor, note=_("The buyer received the parcel.")
        )
    return order_transition(
        order=order, to=S.COMPLETED, actor=actor, note=_("Purchase confirmed by the buyer.")
    )


@transaction.atomic
def order_cancel(*, order: Order, actor, note: str = "", system: bool = False) -> Order:
    """Cancel: the buyer before preparing, the store (or staff) until shipping, the system
    (expiry) any unpaid order. A paid order is refunded through its provider; stock returns."""
    from shop.orders.services.payments import payment_refund

    locked = Order.objects.select_for_update().get(pk=order.pk)
    if not system:
        if is_store_staff(actor, locked):
            allowed = STORE_MAY_CANCEL
        elif actor is not None and actor.is_authenticated and actor.pk == locked.buyer_id:
            allowed = BUYER_MAY_CANCEL
        else:
            raise PermissionDenied
        if locked.status not in allowed:
            if locked.status == S.PREPARING:
                raise BadTransition(
                    _("The store is preparing this order: ask the store to cancel it.")
                )
            raise BadTransition(
                _("Order %(number)s is “%(status)s”: it can no longer be cancelled.")
                % {"number": locked.number, "status": _label(locked.status)}
            )
    payment = Payment.objects.select_for_update().filter(order=locked).first()
    if payment is not None and payment.status == Payment.Status.PAID:
        payment_refund(payment=payment, amount=payment.amount)
    elif payment is not None and payment.status in (Payment.Status.PENDING, Payment.Status.FAILED):
        payment.status = Payment.Status.CANCELLED
        payment.save(update_fields=["status"])
    return order_transition(order=order, to=S.CANCELLED, actor=actor, note=note)


def orders_expire_unpaid(*, now=None) -> list[str]:
    """Cancel unpaid orders whose deadline passed; returns their numbers. Idempotent."""
    now = now or timezone.now()
    done = []
    due = Order.objects.filter(
        status=S.PENDING_PAYMENT, pay_deadline__isnull=False, pay_deadline__lt=now
    ).order_by("id")
    for order in due:
        try:
            order_cancel(
                order=order,
                actor=None,
                system=True,
                note=_("Not paid by the deadline: cancelled automatically."),
            )
        except BadTransition:  # paid or cancelled meanwhile
            continue
        done.append(order.number)
    return done


def orders_complete_delivered(*, now=None) -> list[str]:
    """Confirm purchases delivered at least 7 days ago; returns their numbers. Idempotent."""
    now = now or timezone.now()
    done = []
    # An order with a return or exchange in progress waits until the claim is finished.
    due = (
        Order.objects.filter(status=S.DELIVERED, delivered_at__lte=now - AUTO_COMPLETE_AFTER)
        .exclude(claims__status__in=("requested", "approved", "collected"))
        .order_by("id")
    )
    for order in due:
        try:
            order_transition(
                order=order,
                to=S.COMPLETED,
                actor=None,
                note=_("Purchase confirmed automatically 7 days after delivery."),
            )
        except BadTransition:
            continue
        done.append(order.number)
    return done
