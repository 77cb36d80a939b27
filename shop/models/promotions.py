"""Promotions: discounts, group buys (공동구매) and events, each with its own talk channel.

Times are stored in UTC and entered/shown in Asia/Seoul. A promotion is running from
``starts_at`` (inclusive) until ``ends_at`` (exclusive), unless ended early (``ended_at``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.models.goods import Goods
from shop.models.stores import MAX_PRICE_WON, Store

MAX_PERCENT = 90
MAX_GROUP_BUYERS = 10_000


class Promotion(models.Model):
    class Kind(models.TextChoices):
        DISCOUNT = "discount", _("Discount")
        GROUP_BUY = "group_buy", _("Group buy (공동구매)")
        EVENT = "event", _("Event")

    class DiscountType(models.TextChoices):
        PERCENT = "percent", _("Percent off")
        FIXED = "fixed", _("Won off")

    class Outcome(models.TextChoices):
        NONE = "", _("Not settled")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="promotions")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(
        _("ends at"), help_text=_("For a group buy: the deadline to commit.")
    )
    members_only = models.BooleanField(
        _("members only"),
        default=False,
        help_text=_("Only members of the store see and use this promotion."),
    )
    grade = models.ForeignKey(
        "loyalty.Grade",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promotions",
        verbose_name=_("only for grade"),
        help_text=_("Only customers of this grade or above get this promotion."),
    )
    # Discounts
    discount_type = models.CharField(
        _("discount type"), max_length=10, choices=DiscountType.choices, blank=True
    )
    discount_value = models.PositiveIntegerField(
        _("discount"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_PRICE_WON - 1)],
        help_text=_("Percent (1–90) or won, depending on the discount type."),
    )
    store_wide = models.BooleanField(_("all goods of the store"), default=False)
    goods = models.ManyToManyField(
        Goods, blank=True, related_name="promotions", verbose_name=_("goods")
    )
    # Group buys (one goods item, in ``goods``)
    group_price = models.PositiveIntegerField(
        _("group price (won)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PRICE_WON - 1)],
    )
    group_min_buyers = models.PositiveIntegerField(
        _("buyers needed"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(MAX_GROUP_BUYERS)],
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, blank=True, default=""
    )
    channel = models.OneToOneField(
        "chat.Channel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="promotion",
        verbose_name=_("promotion talk"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["store", "kind", "ends_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("shop:promotion_detail", args=[self.pk])

    def is_running(self, now=None) -> bool:
        """Started (inclusive), not past its end (exclusive), not ended early."""
        now = now or timezone.now()
        return self.ended_at is None and self.starts_at <= now < self.ends_at

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None

    @property
    def is_upcoming(self) -> bool:
        return self.ended_at is None and timezone.now() < self.starts_at

    @property
    def is_discount(self) -> bool:
        return self.kind == self.Kind.DISCOUNT

    @property
    def is_group_buy(self) -> bool:
        return self.kind == self.Kind.GROUP_BUY

    def discount_on(self, price: int) -> int:
        """Won taken off ``price`` (percent: rounded down to the won), never below 1 won left."""
        if not self.is_discount or not self.discount_value:
            return 0
        if self.discount_type == self.DiscountType.PERCENT:
            off = price * self.discount_value // 100
        else:
            off = self.discount_value
        return max(0, min(off, price - 1))

    @property
    def discount_label(self) -> str:
        if not self.is_discount or not self.discount_value:
            return ""
        if self.discount_type == self.DiscountType.PERCENT:
            return f"{self.discount_value}%"
        return f"{self.discount_value:,}"


class GroupBuyCommitment(models.Model):
    """One buyer's commitment to a group buy. Settled by ``promotions close_expired``."""

    class State(models.TextChoices):
        COMMITTED = "committed", _("Committed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CONFIRMED = "confirmed", _("Confirmed at the group price")
        RELEASED = "released", _("Released (not enough buyers)")

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="commitments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_buy_commitments"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.COMMITTED
    )
    # The group price the buyer got, recorded when the group buy succeeds (orders use it).
    price = models.PositiveIntegerField(_("group price (won)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("group-buy commitment")
        verbose_name_plural = _("group-buy commitments")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["promotion", "user"], name="uniq_group_buy_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.promotion} ({self.state})"
