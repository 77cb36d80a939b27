"""Orders in the Django admin: staff see every order; a seller only their stores' orders."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from shop.admin import SellerScopedAdmin
from shop.models import Courier
from shop.orders.exceptions import ShopError
from shop.orders.models import (
    Claim,
    ClaimEvent,
    ClaimLine,
    ClaimPhoto,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
)
from shop.orders.services.claims import (
    claim_approve,
    claim_mark_collected,
    claim_refund,
    claim_reject,
    claim_reship,
)
from shop.orders.services.orders import order_ship, order_start_preparing
from shop.orders.services.payments import payment_confirm_deposit


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ("goods_name", "option_name", "unit_price", "quantity", "line_total")
    readonly_fields = fields


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = (
        "provider",
        "status",
        "amount",
        "reference",
        "card_last4",
        "paid_at",
        "refunded_amount",
        "refunded_at",
    )
    readonly_fields = fields


class ClaimInline(ReadOnlyInline):
    model = Claim
    fields = ("kind", "status", "reason", "reject_reason", "refund_amount", "created_at")
    readonly_fields = fields
    show_change_link = True


class ClaimLineInline(ReadOnlyInline):
    model = ClaimLine
    fields = ("order_line", "quantity", "exchange_option_name")
    readonly_fields = fields


class ClaimPhotoInline(ReadOnlyInline):
    model = ClaimPhoto
    fields = ("image", "created_at")
    readonly_fields = fields


class ClaimEventInline(ReadOnlyInline):
    model = ClaimEvent
    fields = ("created_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields


def _run(modeladmin, request, queryset, action, done_message) -> None:
    done = 0
    for order in queryset:
        try:
            action(order=order, actor=request.user)
        except ShopError as error:
            modeladmin.message_user(request, f"{order.number}: {error.message}", messages.ERROR)
        except PermissionDenied:
            modeladmin.message_user(
                request, f"{order.number}: {_('You may not do that.')}", messages.ERROR
            )
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % done, messages.SUCCESS)


@admin.register(Order)
class OrderAdmin(SellerScopedAdmin):
    seller_may_add = False
    list_display = ("number", "store", "buyer", "status", "payment_method", "total", "created_at")
    list_filter = ("status", "payment_method", "store")
    search_fields = ("number", "buyer__username", "recipient", "tracking_number")
    inlines = [OrderLineInline, PaymentInline, ClaimInline, OrderEventInline]
    actions = ["confirm_deposit", "start_preparing", "mark_shipped"]
    # The status only moves through the state machine (actions and the seller pages).
    readonly_fields = (
        "number",
        "buyer",
        "store",
        "status",
        "payment_method",
        "subtotal",
        "shipping_fee",
        "island_fee",
        "total",
        "bank_name",
        "bank_account_number",
        "bank_account_holder",
        "pay_deadline",
        "courier",
        "tracking_number",
        "from_channel",
        "from_message",
        "created_at",
        "paid_at",
        "shipped_at",
        "delivered_at",
        "completed_at",
        "cancelled_at",
    )
    fields = readonly_fields + ("recipient", "phone", "postcode", "address", "detail", "memo")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Confirm the bank transfer deposit"))
    def confirm_deposit(self, request, queryset):
        _run(self, request, queryset, payment_confirm_deposit, _("Confirmed %d deposit(s)."))

    @admin.action(description=_("Start preparing"))
    def start_preparing(self, request, queryset):
        _run(self, request, queryset, order_start_preparing, _("%d order(s) are being prepared."))

    @admin.action(description=_("Mark shipped (enter tracking numbers)"))
    def mark_shipped(self, request, queryset):
        queryset = queryset.select_related("store")
        if request.POST.get("confirm"):
            shipped = 0
            for order in queryset:
                tracking = (request.POST.get(f"tracking_{order.pk}") or "").strip()
                if not tracking:
                    continue
                courier = request.POST.get(f"courier_{order.pk}") or order.store.courier
                try:
                    order_ship(
                        order=order, actor=request.user, courier=courier, tracking_number=tracking
                    )
                except ShopError as error:
                    self.message_user(request, f"{order.number}: {error.message}", messages.ERROR)
                except PermissionDenied:
                    self.message_user(
                        request, f"{order.number}: {_('You may not do that.')}", messages.ERROR
                    )
                else:
                    shipped += 1
            if shipped:
                self.message_user(
                    request, _("Marked %(n)d order(s) shipped.") % {"n": shipped}, messages.SUCCESS
                )
            return None
        return TemplateResponse(
            request,
            "admin/orders/ship_action.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Mark shipped"),
                "queryset": queryset,
                "couriers": Courier.choices,
                "action": request.POST.get("action"),
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Claim)
class ClaimAdmin(SellerScopedAdmin):
    """Claims of the seller's stores (all for staff); every step through the claim services."""

    store_path = "order__store"
    seller_may_add = False
    list_display = ("order", "kind", "status", "reason_code", "refund_amount", "created_at")
    list_filter = ("kind", "status", "reason_code")
    search_fields = ("order__number", "order__buyer__username", "reason")
    list_select_related = ("order",)
    inlines = [ClaimLineInline, ClaimPhotoInline, ClaimEventInline]
    actions = ["approve", "reject", "mark_collected", "refund", "mark_reshipped"]
    readonly_fields = (
        "order",
        "kind",
        "status",
        "reason_code",
        "reason",
        "reject_reason",
        "buyer_pays_shipping",
        "return_shipping_fee",
        "goods_amount",
        "discount_share",
        "shipping_refund",
        "deduction",
        "refund_amount",
        "reship_courier",
        "reship_tracking_number",
        "requested_by",
        "decided_by",
        "created_at",
        "decided_at",
        "collected_at",
        "refunded_at",
        "reshipped_at",
    )
    fields = readonly_fields

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the status only moves through the actions

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _run(self, request, queryset, verb, done_message: str, **kwargs) -> None:
        done = 0
        for claim in queryset.select_related("order"):
            try:
                verb(claim=claim, actor=request.user, **kwargs)
            except ShopError as error:
                self.message_user(request, f"{claim.order}: {error.message}", messages.ERROR)
            except PermissionDenied:
                self.message_user(
                    request, f"{claim.order}: {_('You may not do that.')}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Approve the selected claims"))
    def approve(self, request, queryset):
        self._run(request, queryset, claim_approve, _("Approved %(n)d claim(s)."))

    @admin.action(description=_("Mark collected (stock back)"))
    def mark_collected(self, request, queryset):
        self._run(request, queryset, claim_mark_collected, _("%(n)d claim(s) marked collected."))

    @admin.action(description=_("Refund the selected returns"))
    def refund(self, request, queryset):
        self._run(request, queryset, claim_refund, _("Refunded %(n)d return(s)."))

    @admin.action(description=_("Mark the replacement shipped"))
    def mark_reshipped(self, request, queryset):
        self._run(request, queryset, claim_reship, _("%(n)d exchange(s) marked reshipped."))

    @admin.action(description=_("Reject the selected claims (with a reason)"))
    def reject(self, request, queryset):
        if request.POST.get("confirm"):
            reason = (request.POST.get("reject_reason") or "").strip()
            if not reason:
                self.message_user(request, _("Write a reason."), messages.ERROR)
            else:
                self._run(
                    request, queryset, claim_reject, _("Rejected %(n)d claim(s)."), reason=reason
                )
                return None
        return TemplateResponse(
            request,
            "admin/orders/claim_reject_action.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject claims"),
                "queryset": queryset.select_related("order"),
                "action": request.POST.get("action"),
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
