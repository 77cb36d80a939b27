"""Cart, address book, orders (with snapshot lines and events) and payments.

Money is integer won, VAT included. Times are stored UTC and shown Asia/Seoul.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.models import Courier, Goods, GoodsOption, Store
from shop.validators import phone_validator

MAX_QUANTITY = 99
postcode_validator = RegexValidator(r"^\d{5}$", _("A postcode is 5 digits, e.g. 04524."))


class Address(models.Model):
    """One entry of a buyer's address book."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses"
    )
    recipient = models.CharField(_("recipient"), max_length=40)
    phone = models.CharField(_("phone"), max_length=20, validators=[phone_validator])
    postcode = models.CharField(_("postcode"), max_length=5, validators=[postcode_validator])
    address = models.CharField(_("address"), max_length=200)
    detail = models.CharField(_("detail address"), max_length=100, blank=True)
    memo = models.CharField(
        _("delivery memo"), max_length=100, blank=True, help_text=_("e.g. Leave it at the door.")
    )
    is_default = models.BooleanField(_("default address"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.postcode} {self.address}"


class CartItem(models.Model):
    """One goods item (with one option) in a buyer's cart; the price is never stored here."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_items"
    )
    goods = models.ForeignKey(Goods, on_delete=models.CASCADE, related_name="cart_items")
    option = models.ForeignKey(
        GoodsOption, on_delete=models.CASCADE, null=True, blank=True, related_name="cart_items"
    )
    quantity = models.PositiveIntegerField(
        _("quantity"), validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cart item")
        verbose_name_plural = _("cart items")
        ordering = ["goods__store_id", "added_at", "id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.goods} × {self.quantity}"


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Waiting for payment")
    PAID = "paid", _("Paid")
    PREPARING = "preparing", _("Preparing")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Purchase confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer (무통장입금)")
    TEST_CARD = "test_card", _("Card (test gateway)")


class OrderDaySequence(models.Model):
    """The last order number handed out on one day (Asia/Seoul); locked while numbering."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Order(models.Model):
    number = models.CharField(_("order number"), max_length=20, unique=True)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING_PAYMENT,
        db_index=True,
    )
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod.choices
    )
    # Amounts (won, VAT included), computed by the server at checkout.
    subtotal = models.PositiveIntegerField(_("goods total"))
    shipping_fee = models.PositiveIntegerField(_("shipping fee"))
    island_fee = models.PositiveIntegerField(_("Jeju/island surcharge"), default=0)
    # Coupon, grade and mileage discounts together (the loyalty module keeps the itemised
    # record); total = subtotal + shipping_fee + island_fee - discount.
    discount = models.PositiveIntegerField(_("discount"), default=0)
    total = models.PositiveIntegerField(_("total"))
    # Shipping address (a snapshot: editing the address book later changes nothing here).
    recipient = models.CharField(_("recipient"), max_length=40)
    phone = models.CharField(_("phone"), max_length=20)
    postcode = models.CharField(_("postcode"), max_length=5)
    address = models.CharField(_("address"), max_length=200)
    detail = models.CharField(_("detail address"), max_length=100, blank=True)
    memo = models.CharField(_("delivery memo"), max_length=100, blank=True)
    # Bank transfer: the store's account at the time of the order, and the deadline.
    bank_name = models.CharField(_("bank"), max_length=40, blank=True)
    bank_account_number = models.CharField(_("account number"), max_length=40, blank=True)
    bank_account_holder = models.CharField(_("account holder"), max_length=40, blank=True)
    pay_deadline = models.DateTimeField(_("pay by"), null=True, blank=True)
    # Shipping
    courier = models.CharField(_("courier"), max_length=10, choices=Courier.choices, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    # Where the order came from (conversation → sale statistics).
    from_channel = models.ForeignKey(
        "chat.Channel", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_message = models.ForeignKey(
        "chat.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "status"]), models.Index(fields=["buyer", "id"])]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("orders:order_detail", args=[self.number])

    @property
    def vat(self) -> int:
        from shop.pricing import vat_of

        return vat_of(self.total)

    @property
    def tracking_url(self) -> str:
        from shop.orders.couriers import tracking_url

        return tracking_url(self.courier, self.tracking_number)

    @property
    def is_open(self) -> bool:
        return self.status not in (OrderStatus.COMPLETED, OrderStatus.CANCELLED)

    @property
    def current_claim(self):
        """The newest claim (uses prefetched ``claims``), or None."""
        claims = list(self.claims.all())
        return claims[0] if claims else None

    @property
    def claim_status(self) -> str:
        """The newest claim's status ("" without claims), for order cards and lists."""
        claim = self.current_claim
        return claim.status if claim is not None else ""


class OrderLine(models.Model):
    """A snapshot of one goods item as it was bought; later goods edits change nothing here."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    goods = models.ForeignKey(
        Goods, on_delete=models.SET_NULL, null=True, blank=True, related_name="order_lines"
    )
    option = models.ForeignKey(
        GoodsOption, on_delete=models.SET_NULL, null=True, blank=True, related_name="order_lines"
    )
    goods_name = models.CharField(_("goods"), max_length=100)
    option_name = models.CharField(_("option"), max_length=60, blank=True)
    unit_price = models.PositiveIntegerField(_("unit price"))
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total = models.PositiveIntegerField(_("line total"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.goods_name} × {self.quantity}"


class OrderEvent(models.Model):
    """One status change: who, when, from, to, and a note."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=OrderStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=OrderStatus.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order} {self.from_status or '·'} → {self.to_status}"


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Declined")
        REFUNDED = "refunded", _("Refunded")
        CANCELLED = "cancelled", _("Cancelled")

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="payment")
    provider = models.CharField(_("provider"), max_length=20, choices=PaymentMethod.choices)
    amount = models.PositiveIntegerField(_("amount"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    # Sent with every charge: the gateway charges one key at most once.
    idempotency_key = models.CharField(max_length=64, unique=True)
    reference = models.CharField(_("gateway reference"), max_length=64, blank=True)
    card_last4 = models.CharField(_("card"), max_length=4, blank=True)
    failure_reason = models.CharField(_("decline reason"), max_length=200, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    refunded_amount = models.PositiveIntegerField(_("refunded"), default=0)
    refund_reference = models.CharField(_("refund reference"), max_length=64, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.order} · {self.provider} · {self.status}"


class TestCardCharge(models.Model):
    """The built-in test gateway's own ledger: one row per idempotency key (one charge)."""

    __test__ = False  # not a pytest class

    idempotency_key = models.CharField(max_length=64, unique=True)
    amount = models.PositiveIntegerField()
    card_last4 = models.CharField(max_length=4)
    approved = models.BooleanField()
    reference = models.CharField(max_length=64, unique=True)
    decline_reason = models.CharField(max_length=200, blank=True)
    refunded_amount = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("test gateway charge")
        verbose_name_plural = _("test gateway charges")

    def __str__(self) -> str:
        return self.reference


class WebhookNonce(models.Model):
    """Nonces of accepted payment notifications: a replayed notification is refused."""

    provider = models.CharField(max_length=20)
    nonce = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "nonce"], name="uniq_webhook_nonce")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.nonce}"


class ClaimReason(models.TextChoices):
    """Why a buyer returns or exchanges; it decides who pays the return shipping."""

    CHANGE_OF_MIND = "change_of_mind", _("Changed my mind")
    DEFECT = "defect", _("Defective or damaged")
    WRONG_ITEM = "wrong_item", _("Wrong item or option delivered")


# The buyer pays the store's return shipping fee only for these reasons; otherwise the store.
BUYER_PAYS_RETURN_SHIPPING = frozenset({ClaimReason.CHANGE_OF_MIND})


class Claim(models.Model):
    """A buyer's request about an order that the store decides: a cancellation, a return
    (refund) or an exchange (another option of the same goods). The states and the legal
    steps between them live in ``shop.orders.services.claims.CLAIM_TRANSITIONS``."""

    class Kind(models.TextChoices):
        CANCEL = "cancel", _("Cancellation")
        RETURN = "return", _("Return")
        EXCHANGE = "exchange", _("Exchange")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        COLLECTED = "collected", _("Collected")
        REFUNDED = "refunded", _("Refunded")
        RESHIPPED = "reshipped", _("Reshipped")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="claims")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CANCEL)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    reason_code = models.CharField(
        _("reason"), max_length=20, choices=ClaimReason.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=300)
    reject_reason = models.CharField(_("reason for rejecting"), max_length=300, blank=True)
    # Return shipping: who pays, and the store's one-way fee at the time of the request.
    buyer_pays_shipping = models.BooleanField(_("buyer pays return shipping"), default=False)
    return_shipping_fee = models.PositiveIntegerField(_("return shipping fee"), default=0)
    # The refund (returns), computed when the store refunds; see docs/claims.md.
    goods_amount = models.PositiveIntegerField(_("goods refunded"), default=0)
    discount_share = models.PositiveIntegerField(_("discount taken back"), default=0)
    shipping_refund = models.PositiveIntegerField(_("shipping refunded"), default=0)
    deduction = models.PositiveIntegerField(_("shipping deducted"), default=0)
    refund_amount = models.PositiveIntegerField(_("refund"), default=0)
    # Exchanges: the replacement parcel.
    reship_courier = models.CharField(
        _("courier"), max_length=10, choices=Courier.choices, blank=True
    )
    reship_tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    reshipped_at = models.DateTimeField(_("reshipped at"), null=True, blank=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["order", "status"])]

    def __str__(self) -> str:
        return f"{self.order} · {self.kind} · {self.status}"

    @property
    def next_statuses(self) -> frozenset[str]:
        from shop.orders.services.claims import CLAIM_TRANSITIONS

        return CLAIM_TRANSITIONS.get(self.kind, {}).get(self.status, frozenset())

    @property
    def is_open(self) -> bool:
        """Not finished: the store still has a step to take."""
        return bool(self.next_statuses)

    @property
    def reship_tracking_url(self) -> str:
        from shop.orders.couriers import tracking_url

        return tracking_url(self.reship_courier, self.reship_tracking_number)


class ClaimLine(models.Model):
    """Which order line, how many pieces, and (exchange) which option instead."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="claim_lines")
    quantity = models.PositiveIntegerField(_("quantity"))
    exchange_option = models.ForeignKey(
        GoodsOption, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    exchange_option_name = models.CharField(_("exchange to"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("claim line")
        verbose_name_plural = _("claim lines")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.order_line} × {self.quantity}"

    @property
    def amount(self) -> int:
        return self.order_line.unit_price * self.quantity


class ClaimPhoto(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="claims/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("claim photo")
        verbose_name_plural = _("claim photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.claim_id} · {self.image.name}"


class ClaimEvent(models.Model):
    """One claim step: who, when, from, to, and a note (shown in the order timeline)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(
        _("from"), max_length=10, choices=Claim.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=Claim.Status.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.from_status or '·'} → {self.to_status}"
