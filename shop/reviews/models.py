"""Reviews of goods by buyers who received them (issue 5, point 5).

One review per order line (``order_line`` is unique), 1–5 stars, text, up to 3 photos, one
reply by the store. Staff hide a review with a reason: it stays in the database but is not
shown and not counted (``hidden_at`` set).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.models import Goods, Store
from shop.orders.models import OrderLine

MAX_TEXT = 2000
MAX_REPLY = 1000


class Review(models.Model):
    order_line = models.OneToOneField(
        OrderLine, on_delete=models.PROTECT, related_name="review", verbose_name=_("order line")
    )
    goods = models.ForeignKey(
        Goods, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("goods")
    )
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("store")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("author"),
    )
    rating = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(_("review"), max_length=MAX_TEXT)
    reply = models.TextField(_("store's reply"), max_length=MAX_REPLY, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["goods", "hidden_at", "created_at"]),
            models.Index(fields=["store", "hidden_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.goods_id} · {self.rating}★ · {self.author}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def stars(self) -> str:
        return "★" * self.rating + "☆" * (5 - self.rating)


class ReviewPhoto(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="reviews/%Y/%m/")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("review photo")
        verbose_name_plural = _("review photos")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.review_id} #{self.position}"
