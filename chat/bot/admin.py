"""Admin: operators see and fix everything; a seller sees their stores' rows, read-only (they
change FAQ entries, hours and offer rules on the seller pages, and offers in the chat)."""

from __future__ import annotations

from django.contrib import admin

from chat.bot.models import BotQuestion, FaqEntry, Offer, PriceLock, StoreBot
from shop.admin import SellerScopedAdmin, is_operator


class BotAdmin(SellerScopedAdmin):
    seller_may_add = False

    def has_change_permission(self, request, obj=None) -> bool:
        return is_operator(request.user)


@admin.register(StoreBot)
class StoreBotAdmin(BotAdmin):
    list_display = ("store", "offers_enabled", "max_discount_percent", "opens_at", "closes_at")


@admin.register(FaqEntry)
class FaqEntryAdmin(BotAdmin):
    list_display = ("__str__", "store", "source", "enabled")
    list_filter = ("source", "enabled")


@admin.register(BotQuestion)
class BotQuestionAdmin(BotAdmin):
    list_display = ("text", "store", "answered", "intent", "created_at")
    list_filter = ("answered", "intent")
    raw_id_fields = ("channel", "message", "entry")


@admin.register(Offer)
class OfferAdmin(BotAdmin):
    list_display = ("goods", "buyer", "quantity", "price", "counter_price", "status", "expires_at")
    list_filter = ("status",)
    raw_id_fields = ("goods", "option", "buyer", "channel")


@admin.register(PriceLock)
class PriceLockAdmin(BotAdmin):
    store_path = "goods__store"
    list_display = ("goods", "buyer", "unit_price", "quantity", "kind", "expires_at", "used_at")
    list_filter = ("kind",)
    raw_id_fields = ("offer", "buyer", "goods", "option", "order")
