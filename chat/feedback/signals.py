"""A completed order offers a CSAT card (inside the order's transaction: the card and its
broadcast exist only if the completion commits)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from shop.orders.models import OrderEvent, OrderStatus


@receiver(post_save, sender=OrderEvent, dispatch_uid="chatfeedback_order_completed")
def order_completed(sender, instance: OrderEvent, created: bool, **kwargs) -> None:
    if not created or instance.to_status != OrderStatus.COMPLETED or kwargs.get("raw"):
        return
    from chat.feedback.csat import csat_offer_for_order

    csat_offer_for_order(order=instance.order)
