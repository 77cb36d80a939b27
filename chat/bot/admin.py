"""Admin: staff see everything; a seller (is_staff) sees only their stores' rows."""

from __future__ import annotations

from django.contrib import admin

from chat.bot.models import BotQuestion, FaqEntry, Offer, PriceLock, StoreBot
from shop.access import managed_store_ids


class StoreScoped(admin.ModelAdmin):
    store_field = "store_id"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.store_field}__in": managed_store_ids(request.user)})


@admin.register(StoreBot)
class StoreBotAdmin(StoreScoped):
    list_display = ("store", "offers_enabled", "max_discount_percent", "opens_at", "closes_at")


@admin.register(FaqEntry)
class FaqEntryAdmin(StoreScoped):
    list_display = ("__str__", "store", "source", "enabled")
    list_filter = ("source", "enabled")


@admin.register(BotQuestion)
class BotQuestionAdmin(StoreScoped):
    list_display = ("text", "store", "answered", "intent", "created_at")
    list_filter = ("answered", "intent")
    readonly_fields = ("store", "channel", "message", "text", "entry", "intent", "answered")


@admin.register(Offer)
class OfferAdmin(StoreScoped):
    list_display = ("goods", "buyer", "quantity", "price", "counter_price", "status", "expires_at")
    list_filter = ("status",)
    raw_id_fields = ("goods", "option", "buyer", "channel")


@admin.register(PriceLock)
class PriceLockAdmin(StoreScoped):
    store_field = "goods__store_id"
    list_display = ("goods", "buyer", "unit_price", "quantity", "kind", "expires_at", "used_at")
    list_filter = ("kind",)
    raw_id_fields = ("offer", "buyer", "goods", "option", "order")
