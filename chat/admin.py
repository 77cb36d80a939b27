from django.contrib import admin

from chat.models import Channel, Membership, Message


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "store", "visibility", "archived_at", "last_message_at")
    list_filter = ("kind", "visibility")
    search_fields = ("title", "store__name")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "channel", "role", "state", "joined_at")
    list_filter = ("state", "role", "channel__kind")
    search_fields = ("user__username", "channel__title")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "author", "kind", "body", "created_at", "deleted_at")
    list_filter = ("kind",)
    search_fields = ("body",)
    raw_id_fields = ("channel", "author")
