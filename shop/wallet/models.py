"""Saved payment methods (the gateway's billing token and the last 4 digits: never a card
number), the built-in test gateway's token vault, and one-tap checkout attempts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GatewayToken(models.Model):
    """The test card gateway's side of a billing token (a real gateway keeps this on its own
    servers). It holds the outcome a charge will have, not the card number."""

    token = models.CharField(max_length=64, unique=True)
    last4 = models.CharField(max_length=4)
    decline_reason = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("gateway billing token")
        verbose_name_plural = _("gateway billing tokens")

    def __str__(self) -> str:
        return f"•••• {self.last4}"


class SavedCard(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_cards",
        verbose_name=_("user"),
    )
    provider = models.CharField(_("provider"), max_length=20, default="test_card")
    token = models.CharField(_("billing token"), max_length=64, unique=True, editable=False)
    last4 = models.CharField(_("last 4 digits"), max_length=4)
    label = models.CharField(_("name"), max_length=40, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("saved card")
        verbose_name_plural = _("saved cards")
        ordering = ["-is_default", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        name = self.label or str(_("Card"))
        return f"{name} •••• {self.last4}"


class OneTapAttempt(models.Model):
    """One press of "pay with saved card" on the checkout page: its ``key`` (from the page)
    is unique, so a double tap places and charges one order."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64, unique=True)
    card = models.ForeignKey(SavedCard, on_delete=models.SET_NULL, null=True, related_name="+")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("one-tap payment")
        verbose_name_plural = _("one-tap payments")

    def __str__(self) -> str:
        return self.key
