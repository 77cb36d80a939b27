"""Django admin for stores and goods. Staff see everything; a seller (is_staff, not a
superuser) sees and edits only the stores they run and those stores' goods."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from shop.access import managed_store_ids
from shop.exceptions import ShopError
from shop.models import (
    FavouriteGoods,
    FavouriteStore,
    Goods,
    GoodsImage,
    GoodsOption,
    GroupBuyCommitment,
    Promotion,
    Store,
    StoreApplication,
    StoreStaff,
)
from shop.services.applications import (
    application_approve,
    application_reinstate,
    application_reject,
    application_suspend,
)
from shop.services.goods import goods_refresh_status
from shop.services.promotions import PROMOTION_FIELDS


def is_operator(user) -> bool:
    """Talkmall staff with model permissions (superusers), as opposed to sellers."""
    return user.is_active and user.is_superuser


class SellerScopedAdmin(admin.ModelAdmin):
    """Superusers: the whole table. Sellers: rows of the stores they run (``store_path``)."""

    store_path = "store"
    seller_may_add = True
    seller_may_delete = False

    def _store_ids(self, request) -> set[int]:
        if not hasattr(request, "_managed_store_ids"):
            request._managed_store_ids = managed_store_ids(request.user)
        return request._managed_store_ids

    def _is_seller(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and bool(self._store_ids(request))

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_operator(request.user):
            return qs
        return qs.filter(**{f"{self.store_path}__in": self._store_ids(request)})

    def has_module_permission(self, request) -> bool:
        return is_operator(request.user) or self._is_seller(request)

    def has_view_permission(self, request, obj=None) -> bool:
        if is_operator(request.user):
            return True
        return self._is_seller(request) and (obj is None or self._owns(request, obj))

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return is_operator(request.user) or (self.seller_may_add and self._is_seller(request))

    def has_delete_permission(self, request, obj=None) -> bool:
        if is_operator(request.user):
            return True
        return self.seller_may_delete and self.has_view_permission(request, obj)

    def _owns(self, request, obj) -> bool:
        store_id = obj
        for part in self.store_path.split("__"):
            store_id = getattr(store_id, part)
        return store_id.pk in self._store_ids(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "store" and not is_operator(request.user):
            kwargs["queryset"] = Store.objects.filter(pk__in=self._store_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class StoreStaffInline(admin.TabularInline):
    model = StoreStaff
    extra = 0
    autocomplete_fields = ["user"]

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request, obj=None) -> bool:
        return is_operator(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_operator(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_operator(request.user)


@admin.register(Store)
class StoreAdmin(SellerScopedAdmin):
    store_path = "pk"
    seller_may_add = False
    list_display = ("name", "owner", "category", "visibility", "status", "featured", "created_at")
    list_filter = ("category", "visibility", "status", "featured")
    search_fields = ("name", "slug", "owner__username")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [StoreStaffInline]
    autocomplete_fields = ["owner"]
    # Staff-only fields a seller may see but not change here.
    seller_readonly = (
        "owner",
        "slug",
        "status",
        "featured",
        "business_number",
        "representative_name",
        "business_address",
        "mail_order_number",
        "bank_name",
        "bank_account_number",
        "bank_account_holder",
    )

    def get_queryset(self, request):
        qs = super(SellerScopedAdmin, self).get_queryset(request)
        if is_operator(request.user):
            return qs
        return qs.filter(pk__in=self._store_ids(request))

    def _owns(self, request, obj) -> bool:
        return obj.pk in self._store_ids(request)

    def get_readonly_fields(self, request, obj=None):
        return () if is_operator(request.user) else self.seller_readonly

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if is_operator(request.user) else {}


class SellerInline(admin.TabularInline):
    """Rows of a goods item: whoever may reach the goods (scoped above) may edit them."""

    def _may(self, request) -> bool:
        user = request.user
        return is_operator(user) or (
            user.is_active and user.is_staff and bool(managed_store_ids(user))
        )

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._may(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may(request)


class GoodsOptionInline(SellerInline):
    model = GoodsOption
    extra = 1


class GoodsImageInline(SellerInline):
    model = GoodsImage
    extra = 0
    fields = ("image", "position")


@admin.register(Goods)
class GoodsAdmin(SellerScopedAdmin):
    list_display = ("name", "store", "price", "status", "featured", "deleted_at", "created_at")
    list_filter = ("status", "featured", "store")
    search_fields = ("name", "description", "tags")
    inlines = [GoodsOptionInline, GoodsImageInline]
    readonly_fields = ("created_at", "updated_at")

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        goods_refresh_status(goods=form.instance)
        from chat.services.channels import channel_ensure_for_goods

        channel_ensure_for_goods(goods=form.instance)


@admin.register(StoreApplication)
class StoreApplicationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "store_name",
        "applicant",
        "business_number",
        "status",
        "created_at",
        "decided_at",
    )
    list_filter = ("status", "category")
    search_fields = ("store_name", "applicant__username", "business_number")
    readonly_fields = ("status", "reason", "store", "decided_by", "decided_at", "created_at")
    actions = ["approve", "reject", "suspend", "reinstate"]

    def has_module_permission(self, request) -> bool:
        return is_operator(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_operator(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_operator(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _run(self, request, queryset, service, done_message, **kwargs) -> None:
        done, failed = 0, []
        for application in queryset:
            try:
                service(application=application, actor=request.user, **kwargs)
                done += 1
            except ShopError as error:
                failed.append(f"#{application.pk}: {error}")
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)
        for line in failed:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=_("Approve: open the store and its channel"))
    def approve(self, request, queryset):
        self._run(
            request,
            queryset,
            application_approve,
            lambda n: _("Approved %d application(s).") % n,
        )

    @admin.action(description=_("Reinstate the suspended stores"))
    def reinstate(self, request, queryset):
        self._run(
            request,
            queryset,
            application_reinstate,
            lambda n: _("Reinstated %d store(s).") % n,
        )

    def _with_reason(self, request, queryset, service, title, done_message):
        reason = (request.POST.get("reason") or "").strip()
        if request.POST.get("confirm") and reason:
            self._run(request, queryset, service, done_message, reason=reason)
            return None
        return TemplateResponse(
            request,
            "admin/shop/reason_action.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "queryset": queryset,
                "action": request.POST.get("action"),
                "reason": reason,
                "missing_reason": bool(request.POST.get("confirm")) and not reason,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Reject (with a reason)"))
    def reject(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            application_reject,
            _("Reject applications"),
            lambda n: _("Rejected %d application(s).") % n,
        )

    @admin.action(description=_("Suspend the stores (with a reason)"))
    def suspend(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            application_suspend,
            _("Suspend stores"),
            lambda n: _("Suspended %d store(s).") % n,
        )


class GroupBuyCommitmentInline(admin.TabularInline):
    """Who committed to a group buy (read-only: buyers commit on the promotion page)."""

    model = GroupBuyCommitment
    extra = 0
    fields = ("user", "state", "price", "created_at", "updated_at")
    readonly_fields = fields

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Promotion)
class PromotionAdmin(SellerScopedAdmin):
    """Promotions are created and changed on the seller pages (the rules and the promotion
    talk live in ``shop.services.promotions``); here: find them, fix the wording, end them."""

    seller_may_add = False
    list_display = ("title", "store", "kind", "starts_at", "ends_at", "members_only", "ended_at")
    list_filter = ("kind", "members_only", "outcome", "store")
    search_fields = ("title", "description", "store__name")
    # The promotion's own fields (one list with the seller pages), then where it stands.
    fields = (
        "store",
        *PROMOTION_FIELDS,
        "goods",
        "outcome",
        "channel",
        "created_by",
        "created_at",
        "ended_at",
    )
    editable = ("title", "description")
    inlines = [GroupBuyCommitmentInline]
    actions = ["end_now"]

    def has_add_permission(self, request) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f for f in self.fields if f not in self.editable]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        from shop.services.promotions import promotion_channel_ensure

        promotion_channel_ensure(promotion=obj)

    @admin.action(description=_("End the selected promotions now (settles group buys)"))
    def end_now(self, request, queryset):
        from shop.services.promotions import promotion_end

        done = 0
        for promotion in queryset:
            try:
                promotion_end(promotion=promotion, actor=request.user)
                done += 1
            except (ShopError, PermissionDenied) as error:
                self.message_user(request, f"#{promotion.pk}: {error}", messages.ERROR)
        if done:
            self.message_user(request, _("Ended %d promotion(s).") % done, messages.SUCCESS)


@admin.register(FavouriteStore)
class FavouriteStoreAdmin(admin.ModelAdmin):
    list_display = ("user", "store", "created_at")
    search_fields = ("user__username", "store__name")

    def has_module_permission(self, request) -> bool:
        return is_operator(request.user)


@admin.register(FavouriteGoods)
class FavouriteGoodsAdmin(admin.ModelAdmin):
    list_display = ("user", "goods", "created_at")
    search_fields = ("user__username", "goods__name")

    def has_module_permission(self, request) -> bool:
        return is_operator(request.user)
