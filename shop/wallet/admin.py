"""Admin: saved cards are visible to Talkmall staff only (token hidden, no card number exists)."""

from __future__ import annotations

from django.contrib import admin

from shop.wallet.models import SavedCard


@admin.register(SavedCard)
class SavedCardAdmin(admin.ModelAdmin):
    list_display = ("user", "label", "last4", "is_default", "created_at", "last_used_at")
    search_fields = ("user__username",)
    readonly_fields = (
        "user",
        "provider",
        "last4",
        "label",
        "is_default",
        "created_at",
        "last_used_at",
    )
    exclude = ("token",)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
