from django.contrib import admin

from shop.models import Goods, Store, StoreStaff


class StoreStaffInline(admin.TabularInline):
    model = StoreStaff
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "category", "visibility", "status", "created_at")
    list_filter = ("category", "visibility", "status")
    search_fields = ("name", "slug", "owner__username")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [StoreStaffInline]
    autocomplete_fields = ["owner"]


@admin.register(Goods)
class GoodsAdmin(admin.ModelAdmin):
    list_display = ("name", "store", "price", "status", "featured", "created_at")
    list_filter = ("status", "featured", "store")
    search_fields = ("name", "description")
