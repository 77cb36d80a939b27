"""Reviews in the admin: staff see all and hide (with a reason) or show again; a seller
sees only their stores' reviews and changes nothing here (they reply on the seller page)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from shop.admin import SellerScopedAdmin, is_operator
from shop.exceptions import ShopError
from shop.reviews.models import Review, ReviewPhoto
from shop.reviews.services import review_hide, review_unhide


class ReviewPhotoInline(admin.TabularInline):
    model = ReviewPhoto
    extra = 0
    can_delete = False
    fields = ("image", "position")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff


@admin.register(Review)
class ReviewAdmin(SellerScopedAdmin):
    seller_may_add = False
    list_display = ("goods", "store", "author", "rating", "created_at", "is_hidden_display")
    list_filter = ("rating", ("hidden_at", admin.EmptyFieldListFilter), "store")
    search_fields = ("text", "author__username", "goods__name")
    inlines = [ReviewPhotoInline]
    actions = ["hide_reviews", "show_reviews"]
    readonly_fields = (
        "order_line",
        "goods",
        "store",
        "author",
        "rating",
        "text",
        "reply",
        "replied_by",
        "replied_at",
        "hidden_at",
        "hidden_reason",
        "hidden_by",
        "created_at",
    )
    fields = readonly_fields

    @admin.display(description=_("hidden"), boolean=True)
    def is_hidden_display(self, obj) -> bool:
        return obj.is_hidden

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # hidden reviews are kept, never deleted

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not is_operator(request.user):
            return {}
        return actions

    @admin.action(description=_("Hide the selected reviews (with a reason)"))
    def hide_reviews(self, request, queryset):
        reason = (request.POST.get("hidden_reason") or "").strip()
        if request.POST.get("confirm"):
            if not reason:
                self.message_user(request, _("Write why the reviews are hidden."), messages.ERROR)
            else:
                done = 0
                for review in queryset:
                    try:
                        review_hide(review=review, actor=request.user, reason=reason)
                    except ShopError as error:
                        self.message_user(request, error.message, messages.ERROR)
                    else:
                        done += 1
                self.message_user(
                    request, _("Hid %(n)d review(s).") % {"n": done}, messages.SUCCESS
                )
                return None
        return TemplateResponse(
            request,
            "admin/reviews/hide_action.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Hide reviews"),
                "queryset": queryset,
                "action": request.POST.get("action"),
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Show the selected reviews again"))
    def show_reviews(self, request, queryset):
        for review in queryset:
            review_unhide(review=review, actor=request.user)
        self.message_user(request, _("%(n)d review(s) are shown again.") % {"n": queryset.count()})
