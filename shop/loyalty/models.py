"""Loyalty: mileage (적립금) ledger, grades per store, referral rewards, coupons, broadcasts.

Money is integer won. Ledger entries are immutable; the per-user ``MileageAccount`` row is the
lock every balance change takes first, so the balance can never go negative.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.models import Goods, Store

MAX_WON = 100_000_000


class LoyaltySettings(models.Model):
    """One store's loyalty settings (created with defaults on first use)."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="loyalty")
    mileage_rate = models.PositiveSmallIntegerField(
        _("mileage rate (%)"),
        default=1,
        validators=[MaxValueValidator(20)],
        help_text=_("Mileage earned on purchase confirmation, as a percent of the goods paid."),
    )
    mileage_valid_days = models.PositiveIntegerField(
        _("mileage valid for (days)"),
        default=365,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    review_reward = models.PositiveIntegerField(
        _("mileage for a review (won)"), default=500, validators=[MaxValueValidator(100_000)]
    )
    referral_reward = models.PositiveIntegerField(
        _("referral reward (won)"),
        default=1000,
        validators=[MaxValueValidator(1_000_000)],
        help_text=_("Paid once to a member whose invitee confirms a first order. 0: no reward."),
    )
    grade_months = models.PositiveSmallIntegerField(
        _("grades count the last (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )

    class Meta:
        verbose_name = _("loyalty settings")
        verbose_name_plural = _("loyalty settings")

    def __str__(self) -> str:
        return str(self.store)


# --- mileage ------------------------------------------------------------------------------


class MileageAccount(models.Model):
    """A user's mileage balance: the row locked by every change (never below zero)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mileage_account"
    )
    balance = models.PositiveIntegerField(_("balance"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mileage account")
        verbose_name_plural = _("mileage accounts")

    def __str__(self) -> str:
        return f"{self.user} · {self.balance}"


class MileageEntry(models.Model):
    """One immutable movement of a user's mileage (positive: in, negative: out)."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("Purchase confirmed")
        REVIEW = "review", _("Review")
        REFERRAL = "referral", _("Referral reward")
        SPEND = "spend", _("Used at checkout")
        RESTORE = "restore", _("Returned (order cancelled)")
        EXPIRE = "expire", _("Expired")
        REVERSE = "reverse", _("Taken back (refund)")
        ADJUST = "adjust", _("Adjusted by staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mileage_entries"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.IntegerField(_("amount"))
    balance_after = models.PositiveIntegerField(_("balance after"))
    store = models.ForeignKey(
        Store, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What caused it, for idempotency (e.g. "review:12", "referral:5").
    source = models.CharField(max_length=40, blank=True, default="")
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # Spends: {lot_id: won} taken from each lot (restored exactly on cancel).
    lots = models.JSONField(default=dict, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("mileage entry")
        verbose_name_plural = _("mileage entries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "created_at"]),
            models.Index(fields=["user", "kind", "source"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.amount:+d}"


class MileageLot(models.Model):
    """What is left of one earning, with its expiry (spent first-to-expire first)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mileage_lots"
    )
    entry = models.OneToOneField(MileageEntry, on_delete=models.CASCADE, related_name="lot")
    amount = models.PositiveIntegerField()
    remaining = models.PositiveIntegerField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["expires_at", "id"]
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.remaining}/{self.amount} until {self.expires_at:%Y-%m-%d}"


# --- grades -------------------------------------------------------------------------------


class Grade(models.Model):
    """A customer grade of one store. Rank 0 is everyone's; higher ranks need a threshold."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="grades")
    name = models.CharField(_("name"), max_length=20)
    rank = models.PositiveSmallIntegerField(
        _("rank"), validators=[MaxValueValidator(20)], help_text=_("0 is the base grade.")
    )
    min_spend = models.PositiveIntegerField(
        _("spend at least (won)"), default=0, validators=[MaxValueValidator(MAX_WON)]
    )
    min_orders = models.PositiveIntegerField(
        _("or orders at least"), default=0, validators=[MaxValueValidator(10_000)]
    )
    discount_percent = models.PositiveSmallIntegerField(
        _("discount at checkout (%)"), default=0, validators=[MaxValueValidator(50)]
    )

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["store", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["store", "rank"], name="uniq_grade_rank"),
        ]

    def __str__(self) -> str:
        return self.name

    def reached_by(self, spend: int, orders: int) -> bool:
        if self.rank == 0:
            return True
        by_spend = self.min_spend > 0 and spend >= self.min_spend
        by_orders = self.min_orders > 0 and orders >= self.min_orders
        return by_spend or by_orders


class CustomerGrade(models.Model):
    """A buyer's grade at a store, as of the last recalculation."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="customer_grades")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_grades"
    )
    grade = models.ForeignKey(Grade, on_delete=models.CASCADE, related_name="customers")
    spend = models.PositiveIntegerField(_("spend"), default=0)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer grade")
        verbose_name_plural = _("customer grades")
        constraints = [
            models.UniqueConstraint(fields=["store", "user"], name="uniq_customer_grade"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.store}: {self.grade}"


class ChannelGrade(models.Model):
    """A channel of a store that only customers of at least ``grade`` may join."""

    channel = models.OneToOneField(
        "chat.Channel", on_delete=models.CASCADE, related_name="grade_limit"
    )
    grade = models.ForeignKey(Grade, on_delete=models.CASCADE, related_name="channels")

    class Meta:
        verbose_name = _("grade-limited channel")
        verbose_name_plural = _("grade-limited channels")

    def __str__(self) -> str:
        return f"{self.channel} ≥ {self.grade}"


# --- referral rewards -----------------------------------------------------------------------


class ReferralReward(models.Model):
    """The reward of one referral (at most one: the OneToOne is the once-only guarantee)."""

    referral = models.OneToOneField(
        "chat.Referral", on_delete=models.CASCADE, related_name="reward"
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    amount = models.PositiveIntegerField(_("reward"))
    entry = models.ForeignKey(MileageEntry, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("rewarded at"), auto_now_add=True)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("referral reward")
        verbose_name_plural = _("referral rewards")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.referral} · {self.amount}"


# --- coupons ----------------------------------------------------------------------------------


class Coupon(models.Model):
    class DiscountType(models.TextChoices):
        FIXED = "fixed", _("Won off")
        PERCENT = "percent", _("Percent off")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="coupons")
    name = models.CharField(_("name"), max_length=60)
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Buyers enter it or open its link. Letters and digits."),
    )
    discount_type = models.CharField(
        _("discount type"), max_length=10, choices=DiscountType.choices
    )
    value = models.PositiveIntegerField(
        _("discount"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WON)],
        help_text=_("Won, or percent (1–90)."),
    )
    max_discount = models.PositiveIntegerField(
        _("maximum discount (won)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_WON)],
        help_text=_("Percent coupons: the most they take off. Empty: no maximum."),
    )
    min_order = models.PositiveIntegerField(
        _("minimum order (won)"), default=0, validators=[MaxValueValidator(MAX_WON)]
    )
    starts_at = models.DateTimeField(_("valid from"))
    ends_at = models.DateTimeField(_("valid until"))
    total_quantity = models.PositiveIntegerField(
        _("total quantity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("How many times it can be used in all. Empty: unlimited."),
    )
    per_user_limit = models.PositiveSmallIntegerField(
        _("uses per customer"), default=1, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    claimable = models.BooleanField(
        _("anyone with the code or link may take it"),
        default=True,
        help_text=_("Off: only customers you issue it to can use it."),
    )
    used_count = models.PositiveIntegerField(_("used"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def discount_on(self, amount: int) -> int:
        if self.discount_type == self.DiscountType.PERCENT:
            off = amount * self.value // 100
            if self.max_discount:
                off = min(off, self.max_discount)
        else:
            off = self.value
        return max(0, min(off, amount))

    @property
    def label(self) -> str:
        if self.discount_type == self.DiscountType.PERCENT:
            return f"{self.value}%"
        return f"{self.value:,}"

    def is_valid_at(self, now=None) -> bool:
        now = now or timezone.now()
        return self.active and self.starts_at <= now < self.ends_at

    @property
    def sold_out(self) -> bool:
        return self.total_quantity is not None and self.used_count >= self.total_quantity


class UserCoupon(models.Model):
    """A coupon in a buyer's wallet (issued by the store, or taken with the code or link)."""

    class Via(models.TextChoices):
        CODE = "code", _("Code")
        LINK = "link", _("Link")
        GRADE = "grade", _("Grade")
        FAVOURITES = "favourites", _("Favourite store")
        PAST_BUYERS = "past_buyers", _("Past buyer")
        BROADCAST = "broadcast", _("Message")

    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="holders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coupons"
    )
    via = models.CharField(_("issued via"), max_length=12, choices=Via.choices)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("issued coupon")
        verbose_name_plural = _("issued coupons")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["coupon", "user"], name="uniq_user_coupon"),
        ]

    def __str__(self) -> str:
        return f"{self.coupon} → {self.user}"


# --- what an order got -------------------------------------------------------------------


class OrderBenefit(models.Model):
    """One itemised discount line of an order: grade, coupon or mileage."""

    class Kind(models.TextChoices):
        GRADE = "grade", _("Grade discount")
        COUPON = "coupon", _("Coupon")
        MILEAGE = "mileage", _("Mileage")

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="benefits")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.PositiveIntegerField(_("amount"))
    label = models.CharField(_("label"), max_length=80)
    coupon = models.ForeignKey(
        Coupon, on_delete=models.SET_NULL, null=True, blank=True, related_name="redemptions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mileage_entry = models.ForeignKey(
        MileageEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(_("returned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order discount")
        verbose_name_plural = _("order discounts")
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["coupon", "user", "released_at"])]

    def __str__(self) -> str:
        return f"{self.order} {self.kind} -{self.amount}"

    @property
    def display(self) -> str:
        if self.kind == self.Kind.MILEAGE:
            return str(self.get_kind_display())
        return f"{self.get_kind_display()} · {self.label}"


# --- broadcasts -------------------------------------------------------------------------------


class Broadcast(models.Model):
    """A marketing message of a store to a segment, delivered into 1:1 channels."""

    class Segment(models.TextChoices):
        GRADE = "grade", _("Customers of a grade (and above)")
        FAVOURITES = "favourites", _("People who favourited the store")
        PAST_BUYERS = "past_buyers", _("Past buyers")
        MEMBERS = "members", _("Members of a channel")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="broadcasts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    segment = models.CharField(_("send to"), max_length=12, choices=Segment.choices)
    grade = models.ForeignKey(
        Grade, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.ForeignKey(
        "chat.Channel", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("message"), max_length=1500)
    goods = models.ForeignKey(
        Goods, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    coupon = models.ForeignKey(
        Coupon, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    sent_count = models.PositiveIntegerField(_("sent"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped (no consent)"), default=0)
    scheduled_count = models.PositiveIntegerField(_("scheduled"), default=0)

    class Meta:
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.store} · {self.created_at:%Y-%m-%d %H:%M}"


class BroadcastRecipient(models.Model):
    class State(models.TextChoices):
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped (no consent)")
        SCHEDULED = "scheduled", _("Scheduled")

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    message = models.ForeignKey(
        "chat.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["broadcast", "user"], name="uniq_broadcast_user"),
        ]
        indexes = [models.Index(fields=["state", "broadcast"])]

    def __str__(self) -> str:
        return f"{self.broadcast} → {self.user}: {self.state}"
