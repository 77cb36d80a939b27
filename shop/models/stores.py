"""Stores and who runs them: the catalogue that every channel hangs off."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.validators import format_business_number, phone_validator

MAX_PRICE_WON = 100_000_000
MAX_FEE_WON = 1_000_000


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


class Courier(models.TextChoices):
    CJ = "cj", _("CJ Logistics")
    HANJIN = "hanjin", _("Hanjin")
    LOTTE = "lotte", _("Lotte Global Logistics")
    POST = "epost", _("Korea Post")
    LOGEN = "logen", _("Logen")
    OTHER = "other", _("Other courier")


def fee_field(verbose_name, **kwargs) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        verbose_name, validators=[MaxValueValidator(MAX_FEE_WON)], **kwargs
    )


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
    featured = models.BooleanField(
        _("featured on the home page"), default=False, help_text=_("Set by staff.")
    )
    invite_needs_approval = models.BooleanField(
        _("invitation links need approval too"),
        default=False,
        help_text=_(
            "Closed stores: people who join through a member's link still wait for approval."
        ),
    )
    # Profile
    logo = models.ImageField(_("logo"), upload_to="stores/logos/", blank=True)
    cover = models.ImageField(_("cover image"), upload_to="stores/covers/", blank=True)
    business_hours = models.CharField(
        _("business hours"), max_length=200, blank=True, help_text=_("e.g. Mon–Fri 09:00–18:00")
    )
    contact_phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # Business information (from the approved application; shown at the foot of the store)
    business_number = models.CharField(_("business registration number"), max_length=12, blank=True)
    representative_name = models.CharField(_("representative"), max_length=40, blank=True)
    business_address = models.CharField(_("business address"), max_length=200, blank=True)
    mail_order_number = models.CharField(
        _("mail-order business report number"), max_length=40, blank=True
    )
    # Delivery
    courier = models.CharField(
        _("courier"), max_length=10, choices=Courier.choices, default=Courier.CJ
    )
    shipping_fee = fee_field(_("base shipping fee (won)"), default=3000)
    free_shipping_threshold = models.PositiveIntegerField(
        _("free shipping from (won)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_PRICE_WON - 1)],
        help_text=_("Orders of at least this amount ship free. Empty: never free."),
    )
    island_extra_fee = fee_field(_("extra fee for Jeju and islands (won)"), default=3000)
    dispatch_days = models.PositiveSmallIntegerField(
        _("dispatch within (business days)"), default=2, validators=[MaxValueValidator(30)]
    )
    return_policy = models.TextField(_("return and exchange policy"), blank=True)
    return_address = models.CharField(_("return address"), max_length=200, blank=True)
    return_shipping_fee = fee_field(_("return shipping fee (won, one way)"), default=3000)
    # Settlement (owner only)
    bank_name = models.CharField(_("bank"), max_length=40, blank=True)
    bank_account_number = models.CharField(_("account number"), max_length=40, blank=True)
    bank_account_holder = models.CharField(_("account holder"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("shop:store_detail", args=[self.slug])

    @property
    def is_closed(self) -> bool:
        return self.visibility == Visibility.CLOSED

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def business_number_display(self) -> str:
        return format_business_number(self.business_number)


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
