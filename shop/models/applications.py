"""Applications to open a store, decided by staff."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.models.stores import Store, StoreCategory
from shop.validators import format_business_number, phone_validator, validate_business_number


class StoreApplication(models.Model):
    """One person's request to open a store. Approval creates the Store and its channel."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="store_applications",
        verbose_name=_("applicant"),
    )
    store_name = models.CharField(_("store name"), max_length=60)
    category = models.CharField(
        _("category"), max_length=20, choices=StoreCategory.choices, default=StoreCategory.OTHER
    )
    description = models.TextField(_("description"), max_length=2000)
    business_number = models.CharField(
        _("business registration number"),
        max_length=12,
        validators=[validate_business_number],
        help_text=_("사업자등록번호, 10 digits, e.g. 123-45-67890."),
    )
    representative_name = models.CharField(_("representative"), max_length=40)
    phone = models.CharField(_("contact phone"), max_length=20, validators=[phone_validator])
    email = models.EmailField(_("contact e-mail"))
    business_address = models.CharField(_("business address"), max_length=200)
    mail_order_number = models.CharField(
        _("mail-order business report number"),
        max_length=40,
        help_text=_("통신판매업 신고번호, e.g. 2024-서울강남-01234."),
    )
    bank_name = models.CharField(_("bank"), max_length=40)
    bank_account_number = models.CharField(_("account number"), max_length=40)
    bank_account_holder = models.CharField(_("account holder"), max_length=40)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    store = models.OneToOneField(
        Store,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="application",
        verbose_name=_("store"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # The applicant has not yet been shown the latest status change.
    notice_unseen = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("store application")
        verbose_name_plural = _("store applications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["applicant", "notice_unseen"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.store_name} ({self.status})"

    @property
    def business_number_display(self) -> str:
        return format_business_number(self.business_number)
