"""Settlement in the Django admin. Staff (superusers) set each store's terms and the payment
fees, see every statement and mark statements paid; a seller sees their stores' statements and
tax invoice data, read-only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from shop.admin import SellerScopedAdmin, is_operator
from shop.settlement.models import PaymentFee, Statement, StatementLine, StoreTerms, TaxInvoice
from shop.settlement.services.reports import tax_invoice_for
from shop.settlement.services.settlement import statement_mark_paid


class ReadOnlyForSellers(SellerScopedAdmin):
    seller_may_add = False

    def has_change_permission(self, request, obj=None) -> bool:
        return is_operator(request.user)

    def has_add_permission(self, request) -> bool:
        return is_operator(request.user)


@admin.register(StoreTerms)
class StoreTermsAdmin(ReadOnlyForSellers):
    list_display = ("store", "effective_from", "cycle", "rate", "note", "created_by")
    list_filter = ("cycle",)
    search_fields = ("store__name", "store__slug")
    autocomplete_fields = ("store",)
    fields = ("store", "effective_from", "cycle", "commission_bp", "note")
    date_hierarchy = "effective_from"

    @admin.display(description=_("commission"))
    def rate(self, obj: StoreTerms) -> str:
        return obj.rate

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PaymentFee)
class PaymentFeeAdmin(admin.ModelAdmin):
    list_display = ("provider", "effective_from", "rate", "fixed_fee", "platform_collects")
    list_filter = ("provider", "platform_collects")

    @admin.display(description=_("fee rate"))
    def rate(self, obj: PaymentFee) -> str:
        return obj.rate


class StatementLineInline(admin.TabularInline):
    model = StatementLine
    extra = 0
    can_delete = False
    fields = (
        "order",
        "kind",
        "payment_method",
        "completed_at",
        "gross",
        "refunds",
        "net",
        "commission_bp",
        "commission",
        "payment_fee",
        "platform_collected",
        "payout",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff


STATEMENT_FIELDS = (
    "store",
    "cycle",
    "period",
    "period_start",
    "period_end",
    "status",
    "order_count",
    "gross",
    "refunds",
    "commission",
    "payment_fees",
    "collected_by_store",
    "payout",
    "created_at",
    "paid_at",
    "paid_by",
)


@admin.action(description=_("Mark paid (the payout was transferred)"))
def mark_paid(modeladmin, request, queryset) -> None:
    if not is_operator(request.user):
        modeladmin.message_user(request, _("Only staff mark statements paid."), messages.ERROR)
        return
    done = sum(statement_mark_paid(statement=s, actor=request.user) for s in queryset)
    skipped = queryset.count() - done
    modeladmin.message_user(
        request,
        _("%(done)d statement(s) marked paid; %(skipped)d were paid already.")
        % {"done": done, "skipped": skipped},
        messages.SUCCESS,
    )


@admin.register(Statement)
class StatementAdmin(ReadOnlyForSellers):
    list_display = (
        "number",
        "store",
        "period",
        "status",
        "order_count",
        "gross",
        "refunds",
        "commission",
        "payment_fees",
        "payout",
        "paid_at",
    )
    list_filter = ("status", "cycle", "period")
    search_fields = ("store__name", "store__slug", "period")
    readonly_fields = STATEMENT_FIELDS
    fields = STATEMENT_FIELDS
    inlines = [StatementLineInline]
    actions = [mark_paid]

    def has_change_permission(self, request, obj=None) -> bool:
        # The change form is read-only; staff need "change" for the mark-paid action.
        return is_operator(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not is_operator(request.user):
            actions.pop("mark_paid", None)
        return actions


@admin.action(description=_("Download the tax invoice data (CSV)"))
def export_invoices(modeladmin, request, queryset):
    from shop.settlement.views import INVOICE_HEADER, csv_response, invoice_rows

    invoices = [tax_invoice_for(s) for s in queryset.order_by("-period_start", "store_id")]
    return csv_response("tax-invoices.csv", INVOICE_HEADER, invoice_rows(invoices))


@admin.register(TaxInvoice)
class TaxInvoiceAdmin(ReadOnlyForSellers):
    list_display = (
        "number",
        "invoice_date",
        "supplier_number",
        "supplier_name",
        "recipient_number",
        "recipient_name",
        "supply",
        "vat",
        "total",
    )
    list_filter = ("period",)
    search_fields = ("store__name", "recipient_business_number", "period")
    actions = [export_invoices]
    fields = (
        "period",
        "supplier_name",
        "supplier_business_number",
        "supplier_representative",
        "supplier_address",
        "recipient_name",
        "recipient_business_number",
        "recipient_representative",
        "recipient_address",
        "commission",
        "payment_fees",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(commission=0, payment_fees=0)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("date"))
    def invoice_date(self, obj):
        return tax_invoice_for(obj).date

    @admin.display(description=_("supplier business number"))
    def supplier_number(self, obj):
        return obj.supplier_business_number_display

    @admin.display(description=_("recipient business number"))
    def recipient_number(self, obj):
        return obj.recipient_business_number_display

    @admin.display(description=_("supply value"))
    def supply(self, obj):
        return tax_invoice_for(obj).supply

    @admin.display(description=_("VAT"))
    def vat(self, obj):
        return tax_invoice_for(obj).vat

    @admin.display(description=_("total"))
    def total(self, obj):
        return tax_invoice_for(obj).total
