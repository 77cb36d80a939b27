"""Stores and goods: the catalogue that every channel hangs off."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_PRICE_WON = 100_000_000


class Visibility(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed (members only)")


class StoreCategory(models.TextChoices):
    BAKERY = "bakery", _("Bakery")
    FASHION = "fashion", _("Fashion")
    FOOD = "food", _("Side dishes & food")
    BEAUTY = "beauty", _("Beauty")
    LIVING = "living", _("Living")
    OTHER = "other", _("Other")


class Store(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_stores",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("address name"), max_length=60, unique=True, allow_unicode=True)
    category = models.CharField(
        _("category"), max_length=20, choices=StoreCategory.choices, default=StoreCategory.OTHER
    )
    description = models.TextField(_("description"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.OPEN
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    invite_needs_approval = models.BooleanField(
        _("invitation links need approval too"),
        default=False,
        help_text=_(
            "Closed stores: people who join through a member's link still wait for approval."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.visibility == Visibility.CLOSED


class StoreStaff(models.Model):
    """Who runs a store: its owner and its managers."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="store_roles"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MANAGER)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("store staff member")
        verbose_name_plural = _("store staff")
        constraints = [
            models.UniqueConstraint(fields=["store", "user"], name="uniq_store_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.store} · {self.user} ({self.role})"


class Goods(models.Model):
    class Status(models.TextChoices):
        ON_SALE = "on_sale", _("On sale")
        SOLD_OUT = "sold_out", _("Sold out")
        HIDDEN = "hidden", _("Hidden")

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="goods")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    price = models.PositiveIntegerField(
        _("price (won, VAT included)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PRICE_WON - 1)],
    )
    list_price = models.PositiveIntegerField(
        _("list price (won)"),
        null=True,
        blank=True,
        help_text=_("Shown struck through when higher than the price."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ON_SALE
    )
    featured = models.BooleanField(_("featured on the store front"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("goods")
        verbose_name_plural = _("goods")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def discount_percent(self) -> int:
        if self.list_price and self.list_price > self.price:
            return (self.list_price - self.price) * 100 // self.list_price
        return 0
