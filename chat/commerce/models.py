"""Which message is an order's card (one per order) in the buyer's 1:1 chat with the store."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderCard(models.Model):
    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="chat_card")
    message = models.OneToOneField(
        "chat.Message", on_delete=models.CASCADE, related_name="order_card"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("order card")
        verbose_name_plural = _("order cards")

    def __str__(self) -> str:
        return f"{self.order_id} → message {self.message_id}"
