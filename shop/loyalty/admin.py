"""Loyalty in the admin: staff see everything; sellers see their stores' rows (read-mostly).
Ledger entries are immutable: nobody edits or deletes them here."""

from __future__ import annotations

from django.contrib import admin

from shop.admin import SellerScopedAdmin, is_operator
from shop.loyalty.models import (
    Broadcast,
    Coupon,
    CustomerGrade,
    Grade,
    LoyaltySettings,
    MileageAccount,
    MileageEntry,
    OrderBenefit,
    ReferralReward,
    UserCoupon,
)


@admin.register(LoyaltySettings)
class LoyaltySettingsAdmin(SellerScopedAdmin):
    list_display = (
        "store",
        "mileage_rate",
        "mileage_valid_days",
        "review_reward",
        "referral_reward",
        "grade_months",
    )
    seller_may_add = False


@admin.register(Grade)
class GradeAdmin(SellerScopedAdmin):
    list_display = ("name", "store", "rank", "min_spend", "min_orders", "discount_percent")
    list_filter = ("store",)
    seller_may_delete = True


@admin.register(CustomerGrade)
class CustomerGradeAdmin(SellerScopedAdmin):
    list_display = ("user", "store", "grade", "spend", "orders", "computed_at")
    list_filter = ("store",)
    readonly_fields = ("store", "user", "grade", "spend", "orders", "computed_at")
    seller_may_add = False


@admin.register(Coupon)
class CouponAdmin(SellerScopedAdmin):
    list_display = (
        "name",
        "code",
        "store",
        "discount_type",
        "value",
        "used_count",
        "total_quantity",
        "starts_at",
        "ends_at",
        "active",
    )
    list_filter = ("active", "discount_type")
    search_fields = ("name", "code")
    readonly_fields = ("used_count",)
    actions = ["withdraw"]

    @admin.action(description="Withdraw the selected coupons")
    def withdraw(self, request, queryset):
        self.message_user(request, f"{queryset.update(active=False)} coupon(s) withdrawn.")


@admin.register(UserCoupon)
class UserCouponAdmin(SellerScopedAdmin):
    store_path = "coupon__store"
    list_display = ("coupon", "user", "via", "issued_at")
    readonly_fields = ("coupon", "user", "via", "issued_at")
    seller_may_add = False


@admin.register(OrderBenefit)
class OrderBenefitAdmin(SellerScopedAdmin):
    store_path = "order__store"
    list_display = ("order", "kind", "amount", "label", "user", "released_at")
    list_filter = ("kind",)
    readonly_fields = (
        "order",
        "kind",
        "amount",
        "label",
        "coupon",
        "user",
        "mileage_entry",
        "released_at",
    )
    seller_may_add = False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Broadcast)
class BroadcastAdmin(SellerScopedAdmin):
    list_display = (
        "store",
        "segment",
        "created_at",
        "sent_count",
        "skipped_count",
        "scheduled_count",
        "scheduled_for",
    )
    readonly_fields = ("sent_count", "skipped_count", "scheduled_count", "scheduled_for")
    seller_may_add = False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReferralReward)
class ReferralRewardAdmin(SellerScopedAdmin):
    store_path = "referral__store"
    list_display = ("referral", "amount", "order", "created_at", "reversed_at")
    seller_may_add = False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class OperatorOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request) -> bool:
        return is_operator(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_operator(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MileageAccount)
class MileageAccountAdmin(OperatorOnlyAdmin):
    list_display = ("user", "balance", "updated_at")
    search_fields = ("user__username",)


@admin.register(MileageEntry)
class MileageEntryAdmin(OperatorOnlyAdmin):
    list_display = ("user", "kind", "amount", "balance_after", "store", "order", "created_at")
    list_filter = ("kind",)
    search_fields = ("user__username",)
