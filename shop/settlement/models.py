"""Settlement (정산): per-store terms with history, payment fees per provider, statements with
their order lines. See docs/backoffice.md for the formulas.

Money is integer won, VAT included. Rates are basis points (1 bp = 0.01 %, 1080 = 10.80 %).
Periods are Asia/Seoul dates, ``period_start`` inclusive and ``period_end`` exclusive.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.models import Store
from shop.orders.models import Order
from shop.validators import format_business_number

BP_VALIDATORS = [MaxValueValidator(10000)]


class Cycle(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class StoreTerms(models.Model):
    """A store's settlement cycle and commission rate from ``effective_from`` on.

    The past is never edited: a change is a new row with a later date. The row in force on a
    day is the one with the latest ``effective_from`` on or before it."""

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="settlement_terms", verbose_name=_("store")
    )
    cycle = models.CharField(_("settlement cycle"), max_length=10, choices=Cycle.choices)
    commission_bp = models.PositiveIntegerField(
        _("commission (basis points)"),
        validators=BP_VALIDATORS,
        help_text=_("1 basis point = 0.01 %: 1080 means 10.80 % of the sales."),
    )
    effective_from = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("settlement terms")
        verbose_name_plural = _("settlement terms")
        ordering = ["store_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "effective_from"], name="uniq_store_terms_from"
            )
        ]

    def __str__(self) -> str:
        return f"{self.store} · {self.get_cycle_display()} · {self.rate}"

    @property
    def rate(self) -> str:
        return percent(self.commission_bp)


class PaymentFee(models.Model):
    """What a payment provider costs from ``effective_from`` on, and who receives the money.

    ``platform_collects``: the platform receives the buyer's money (card) and pays the store;
    otherwise the buyer pays the store directly (bank transfer to the store's account) and the
    store owes the platform its commission."""

    provider = models.CharField(
        _("payment provider"),
        max_length=20,
        help_text=_("The payment method code, e.g. test_card or bank_transfer."),
    )
    rate_bp = models.PositiveIntegerField(
        _("fee rate (basis points)"), default=0, validators=BP_VALIDATORS
    )
    fixed_fee = models.PositiveIntegerField(_("fixed fee per payment (won)"), default=0)
    platform_collects = models.BooleanField(_("the platform receives the money"), default=True)
    effective_from = models.DateField(_("effective from"))

    class Meta:
        verbose_name = _("payment fee")
        verbose_name_plural = _("payment fees")
        ordering = ["provider", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "effective_from"], name="uniq_payment_fee_from"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} · {percent(self.rate_bp)} + {self.fixed_fee}"

    @property
    def rate(self) -> str:
        return percent(self.rate_bp)


class Statement(models.Model):
    """One store's settlement for one period; totals are the sums of its lines."""

    class Status(models.TextChoices):
        SETTLED = "settled", _("Settled, not paid yet")
        PAID = "paid", _("Paid out")

    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="statements", verbose_name=_("store")
    )
    cycle = models.CharField(_("settlement cycle"), max_length=10, choices=Cycle.choices)
    period = models.CharField(_("period"), max_length=10, help_text="2026-11 or 2026-W48")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("until (exclusive)"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SETTLED
    )
    order_count = models.PositiveIntegerField(_("orders"), default=0)
    gross = models.IntegerField(_("gross sales"), default=0)
    refunds = models.IntegerField(_("refunds"), default=0)
    commission = models.IntegerField(_("commission"), default=0)
    payment_fees = models.IntegerField(_("payment fees"), default=0)
    collected_by_store = models.IntegerField(_("received by the store directly"), default=0)
    payout = models.IntegerField(_("payout"), default=0)
    # Tax invoice parties, as they were when the statement was made.
    supplier_name = models.CharField(_("invoice supplier"), max_length=100)
    supplier_business_number = models.CharField(_("supplier business number"), max_length=12)
    supplier_representative = models.CharField(_("supplier representative"), max_length=40)
    supplier_address = models.CharField(_("supplier address"), max_length=200)
    recipient_name = models.CharField(_("invoice recipient"), max_length=100)
    recipient_business_number = models.CharField(
        _("recipient business number"), max_length=12, blank=True
    )
    recipient_representative = models.CharField(
        _("recipient representative"), max_length=40, blank=True
    )
    recipient_address = models.CharField(_("recipient address"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("settled at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("settlement statement")
        verbose_name_plural = _("settlement statements")
        ordering = ["-period_start", "store_id", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "period"], name="uniq_statement_period")
        ]
        indexes = [models.Index(fields=["store", "status"])]

    def __str__(self) -> str:
        return f"{self.number} · {self.store}"

    @property
    def number(self) -> str:
        return f"ST-{self.period}-{self.store_id:05d}"

    @property
    def is_paid(self) -> bool:
        return self.status == self.Status.PAID

    @property
    def supplier_business_number_display(self) -> str:
        return format_business_number(self.supplier_business_number)

    @property
    def recipient_business_number_display(self) -> str:
        return format_business_number(self.recipient_business_number)


class TaxInvoice(Statement):
    """The tax invoice data (세금계산서) of a statement's commission and fees: an admin view."""

    class Meta:
        proxy = True
        verbose_name = _("tax invoice data")
        verbose_name_plural = _("tax invoice data")


class StatementLine(models.Model):
    """One order on a statement: its sale (``sale``), or a refund made after the sale was
    settled (``refund``). ``key`` is unique, so an order's sale is settled once and each later
    refund once, however often ``settle`` runs."""

    class Kind(models.TextChoices):
        SALE = "sale", _("Sale")
        REFUND = "refund", _("Refund after settlement")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="settlement_lines")
    key = models.CharField(max_length=64, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    payment_method = models.CharField(_("payment method"), max_length=20)
    completed_at = models.DateTimeField(_("purchase confirmed at"))
    gross = models.IntegerField(_("order total"))
    refunds = models.IntegerField(_("refunds"))
    refunded_total = models.PositiveIntegerField(
        _("refunds accounted so far"),
        help_text=_("The order's refunds settled up to and including this line."),
    )
    net = models.IntegerField(_("net sales"))
    commission_bp = models.PositiveIntegerField(_("commission (basis points)"))
    commission = models.IntegerField(_("commission"))
    payment_fee = models.IntegerField(_("payment fee"))
    platform_collected = models.BooleanField(_("the platform received the money"))
    payout = models.IntegerField(_("payout"))

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["completed_at", "id"]

    def __str__(self) -> str:
        return self.key

    @property
    def rate(self) -> str:
        return percent(self.commission_bp)


def percent(bp: int) -> str:
    """``1080`` → ``"10.80 %"`` (no float)."""
    return f"{bp // 100}.{bp % 100:02d} %"
