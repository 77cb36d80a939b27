from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "email", "phone", "marketing_opt_in", "is_staff")
    search_fields = ("username", "display_name", "email", "phone")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Talkmall"),
            {"fields": ("display_name", "phone", "marketing_opt_in", "marketing_opt_in_at")},
        ),
    )
